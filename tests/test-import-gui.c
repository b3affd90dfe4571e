/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Widget test: Import ClearML Configuration… (the code path behind the file
 * chooser) opens a new-autoscaler wizard filled with the imported values and
 * saying what was not carried over; nothing is stored before Create, and
 * Create puts the secrets (session token included) in the credentials
 * backend and sends the configuration to the background service, which
 * writes the file, never with the secrets. A file that cannot be imported
 * gives a dialog naming the file and the problem. */

#include "config.h"

#include <adwaita.h>

#include "scaler-autoscaler-store.h"
#include "scaler-config-import.h"
#include "scaler-credentials-memory.h"
#include "scaler-gui-resources.h"
#include "scaler-resource-editor.h"
#include "scaler-resource-object.h"
#include "scaler-window.h"
#include "scaler-wizard.h"
#include "support/scaler-test-app.h"

#define DATA_DIR SCALER_SOURCE_DIR "/tests/data/clearml"

static void
drain (void)
{
  for (guint i = 0; i < 500 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

static GtkWidget *
child (ScalerWizard *wizard,
       const char   *name)
{
  GtkWidget *w = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (wizard), SCALER_TYPE_WIZARD, name));

  g_assert_nonnull (w);
  return w;
}

static const char *
text_of (ScalerWizard *wizard,
         const char   *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (child (wizard, row)));
}

/* One application per process: a second one cannot export its actions on
 * the same bus path. */
static ScalerApplication *the_app;
static ScalerTestService *session;

static ScalerApplication *
new_app (void)
{
  if (the_app == NULL)
    the_app = scaler_test_app_new ();
  scaler_test_wait_connected (scaler_application_get_local_machine (the_app));

  return g_object_ref (the_app);
}

static guint
n_saved (void)
{
  g_autoptr(GPtrArray) ids = scaler_test_service_list_ids (session);

  return ids->len;
}

static ScalerWindow *
new_window (ScalerApplication *app)
{
  ScalerWindow *window = scaler_window_new (app);

  g_object_ref_sink (window);
  gtk_window_present (GTK_WINDOW (window));
  scaler_test_spin (20);

  return window;
}

static void
destroy_window (ScalerWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  scaler_test_spin (20);
  g_assert_finalize_object (window);
}

static void
saved_cb (ScalerWizard *wizard,
          const char   *id,
          char        **out)
{
  *out = g_strdup (id);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ScalerSecrets **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = scaler_credentials_lookup_secrets_finish (SCALER_CREDENTIALS (object), result, &error);
  g_assert_no_error (error);
}

static ScalerSecrets *
lookup_secrets (ScalerCredentials *credentials,
                const char        *id)
{
  ScalerSecrets *secrets = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  scaler_credentials_lookup_secrets_async (credentials, id, NULL, lookup_cb, &secrets);
  while (secrets == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (secrets);

  return secrets;
}

/* The window with the wizard of "Import ClearML Configuration…" open on
 * wizard.yaml, and what the core import makes of that file (the form must
 * show the same). */
typedef struct
{
  ScalerApplication *app;
  ScalerWindow      *window;
  ScalerWizard      *wizard;
  ScalerConfig      *expected;
  ScalerSecrets     *expected_secrets;
  GPtrArray         *report;
} Fixture;

#define WIZARD_YAML DATA_DIR "/wizard.yaml"

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->app = new_app ();
  f->window = new_window (f->app);
  f->expected = scaler_config_import_clearml_file (WIZARD_YAML, &f->expected_secrets, &f->report, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->expected);
  g_assert_cmpuint (f->report->len, >, 0);
  g_assert_cmpuint (f->expected->resources->len, >=, 3);

  g_assert_true (scaler_window_import_clearml (f->window, WIZARD_YAML));
  scaler_test_spin (20);
  f->wizard = SCALER_WIZARD (scaler_window_get_dialog (f->window));
  g_assert_true (SCALER_IS_WIZARD (f->wizard));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GtkWindow *dialog = scaler_window_get_dialog (f->window);

  if (dialog != NULL)
    gtk_window_destroy (dialog);
  scaler_test_spin (10);
  destroy_window (f->window);
  scaler_test_service_delete_all (session);
  g_clear_pointer (&f->expected, scaler_config_unref);
  g_clear_pointer (&f->expected_secrets, scaler_secrets_free);
  g_clear_pointer (&f->report, g_ptr_array_unref);
  g_clear_object (&f->app);
}

/* A new autoscaler, over the window, on its General step. */
static void
test_opens_wizard (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_false (scaler_wizard_is_editing (f->wizard));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (f->wizard)) == GTK_WINDOW (f->window));
  g_assert_cmpstr (scaler_wizard_get_step (f->wizard), ==, "general");
}

/* General: name and region from the file. */
static void
test_general_from_file (Fixture       *f,
                        gconstpointer  data)
{
  AdwComboRow *region_row = ADW_COMBO_ROW (child (f->wizard, "region_row"));

  g_assert_cmpstr (text_of (f->wizard, "name_row"), ==, f->expected->name);
  g_assert_cmpstr (text_of (f->wizard, "name_row"), ==, "wizard");
  g_assert_cmpstr (text_of (f->wizard, "prefix_row"), ==, "aws_worker");
  g_assert_cmpstr (gtk_string_object_get_string (GTK_STRING_OBJECT (adw_combo_row_get_selected_item (region_row))),
                   ==, "us-west-2");
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (GTK_SPIN_BUTTON (child (f->wizard, "idle_spin"))),
                                  20.0, 1e-9);
}

/* Secrets, the session token included, are in the form. */
static void
test_secrets_in_form (Fixture       *f,
                      gconstpointer  data)
{
  g_assert_cmpstr (text_of (f->wizard, "aws_key_row"), ==, "AKIAWIZARDEXAMPLE01");
  g_assert_cmpstr (text_of (f->wizard, "aws_secret_row"), ==, "wizard/secret+EXAMPLE/key");
  g_assert_cmpstr (text_of (f->wizard, "aws_token_row"), ==, "FwoGZXIvYXdzEXAMPLETOKEN");
  g_assert_cmpstr (text_of (f->wizard, "git_password_row"), ==, "ghp_wizardGitPassword123");
  g_assert_cmpstr (text_of (f->wizard, "git_user_row"), ==, "ml-bot");
}

/* Resources: as many rows as the import made, with type and queue. */
static void
test_resource_rows (Fixture       *f,
                    gconstpointer  data)
{
  ScalerResourceEditor *editor = SCALER_RESOURCE_EDITOR (scaler_wizard_get_resource_editor (f->wizard));
  GListModel *model = scaler_resource_editor_get_model (editor);
  gboolean found = FALSE;

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, f->expected->resources->len);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ScalerResourceObject) item = g_list_model_get_item (model, i);
      const ScalerResource *r = scaler_resource_object_get_resource (item);
      GtkWidget *row = scaler_resource_editor_get_row (editor, i);
      const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

      if (g_strcmp0 (r->name, "g4dn_spot") != 0)
        continue;
      found = TRUE;
      g_assert_cmpstr (r->instance_type, ==, "g4dn.4xlarge");
      g_assert_cmpstr (r->queue, ==, "gpu_queue");
      g_assert_true (r->is_spot);
      g_assert_cmpuint (r->max_instances, ==, 3);
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "g4dn_spot");
      g_assert_nonnull (strstr (subtitle, "g4dn.4xlarge"));
      g_assert_nonnull (strstr (subtitle, "gpu_queue"));
    }
  g_assert_true (found);
}

/* The notice lists every entry of the report, on the General step;
 * dismissing it hides it. */
static void
test_notice_lists_report (Fixture       *f,
                          gconstpointer  data)
{
  const char *notice = scaler_wizard_get_import_notice (f->wizard);

  g_assert_nonnull (notice);
  g_assert_true (gtk_widget_get_visible (child (f->wizard, "import_group")));
  g_assert_nonnull (strstr (notice, "extra_configurations"));
  g_assert_nonnull (strstr (notice, "enable_monitoring"));
  for (guint i = 0; i < f->report->len; i++)
    g_assert_nonnull (strstr (notice, g_ptr_array_index (f->report, i)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f->wizard, "import_row"))),
                            "extra_configurations"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->wizard), "wizard.dismiss-import", NULL));
  g_assert_false (gtk_widget_get_visible (child (f->wizard, "import_group")));
  g_assert_null (scaler_wizard_get_import_notice (f->wizard));
}

/* Nothing is stored before Create (registered before the cases that
 * create: the application, and its credentials in memory, are shared). */
static void
test_nothing_stored_before_create (Fixture       *f,
                                   gconstpointer  data)
{
  ScalerCredentials *credentials = scaler_application_get_credentials (f->app);

  g_assert_cmpuint (n_saved (), ==, 0);
  g_assert_cmpuint (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)), ==, 0);
}

static void
log_problems (ScalerWizard *wizard)
{
  g_autoptr(ScalerConfig) c = scaler_wizard_dup_config (wizard);
  g_autoptr(GPtrArray) problems = scaler_config_validate (c);

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      ScalerConfigProblem *p = g_ptr_array_index (problems, i);

      g_test_message ("%s: %s", p->path, p->message);
    }
}

/* The file has no ClearML keys: the user types them, then creates. The id
 * of the new autoscaler. */
static char *
create_from_import (Fixture *f)
{
  char *id = NULL;

  gtk_editable_set_text (GTK_EDITABLE (child (f->wizard, "clearml_key_row")), "CLEARMLIMPORTKEY1");
  gtk_editable_set_text (GTK_EDITABLE (child (f->wizard, "clearml_secret_row")), "clearml-import-secret");
  if (!scaler_wizard_is_valid (f->wizard))
    log_problems (f->wizard);
  g_assert_true (scaler_wizard_is_valid (f->wizard));

  g_signal_connect (f->wizard, "saved", G_CALLBACK (saved_cb), &id);
  scaler_wizard_set_step (f->wizard, "review");
  drain ();
  g_assert_true (gtk_widget_is_sensitive (child (f->wizard, "create_button")));
  gtk_widget_activate_action (GTK_WIDGET (f->wizard), "wizard.create", NULL);
  scaler_test_wait (id != NULL, 10, "the wizard to save");
  g_assert_cmpuint (n_saved (), ==, 1);
  return id;
}

/* The config file: the imported config, and none of the secrets; the
 * secrets are in the credentials backend under the new id. */
static void
test_create_keeps_secrets_apart (Fixture       *f,
                                 gconstpointer  data)
{
  ScalerMachine *machine = scaler_application_get_local_machine (f->app);
  g_autofree char *id = create_from_import (f);
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autofree char *contents = NULL;
  ScalerClientAutoscaler *saved = scaler_machine_find (machine, id);

  g_assert_nonnull (saved);
  g_assert_true (g_file_get_contents (scaler_client_autoscaler_get_config_path (saved), &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "g4dn.4xlarge"));
  g_assert_nonnull (strstr (contents, "gpu_queue"));
  g_assert_nonnull (strstr (contents, "us-west-2"));
  g_assert_null (strstr (contents, "AKIAWIZARDEXAMPLE01"));
  g_assert_null (strstr (contents, "wizard/secret+EXAMPLE/key"));
  g_assert_null (strstr (contents, "FwoGZXIvYXdzEXAMPLETOKEN"));
  g_assert_null (strstr (contents, "ghp_wizardGitPassword123"));
  g_assert_null (strstr (contents, "clearml-import-secret"));

  secrets = lookup_secrets (scaler_application_get_credentials (f->app), id);
  g_assert_cmpstr (secrets->aws_access_key_id, ==, "AKIAWIZARDEXAMPLE01");
  g_assert_cmpstr (secrets->aws_secret_access_key, ==, "wizard/secret+EXAMPLE/key");
  g_assert_cmpstr (secrets->aws_session_token, ==, "FwoGZXIvYXdzEXAMPLETOKEN");
  g_assert_cmpstr (secrets->git_password, ==, "ghp_wizardGitPassword123");
  g_assert_cmpstr (secrets->clearml_secret_key, ==, "clearml-import-secret");
}

/* Editing the created autoscaler loads the session token back. */
static void
test_edit_loads_session_token (Fixture       *f,
                               gconstpointer  data)
{
  ScalerMachine *machine = scaler_application_get_local_machine (f->app);
  g_autofree char *id = create_from_import (f);
  ScalerClientAutoscaler *saved = scaler_machine_find (machine, id);
  ScalerWizard *edit;

  g_assert_nonnull (saved);
  edit = scaler_wizard_new (machine, scaler_application_get_credentials (f->app),
                            scaler_client_autoscaler_get_config (saved));
  g_object_ref_sink (edit);
  scaler_test_wait (gtk_editable_get_text (GTK_EDITABLE (child (edit, "aws_token_row")))[0] != '\0', 10,
                    "the session token in the form");
  g_assert_cmpstr (text_of (edit, "aws_token_row"), ==, "FwoGZXIvYXdzEXAMPLETOKEN");
  g_assert_null (scaler_wizard_get_import_notice (edit));
  gtk_window_destroy (GTK_WINDOW (edit));
  scaler_test_spin (10);
  g_assert_finalize_object (edit);
}

static void
assert_import_fails (const char *name)
{
  g_autofree char *path = g_build_filename (DATA_DIR, name, NULL);
  g_autoptr(ScalerApplication) application = new_app ();
  guint n_before = n_saved ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  ScalerWindow *window = new_window (application);
  GtkWindow *dialog;
  const char *body;

  /* The core's own message is what the dialog must say. */
  config = scaler_config_import_clearml_file (path, NULL, NULL, &error);
  g_assert_null (config);
  g_assert_nonnull (error);

  g_assert_false (scaler_window_import_clearml (window, path));
  scaler_test_spin (10);
  dialog = scaler_window_get_dialog (window);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_false (SCALER_IS_WIZARD (dialog));
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (window));
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_assert_nonnull (strstr (body, name));
  g_assert_nonnull (strstr (body, error->message));
  g_assert_cmpuint (strlen (error->message), >, 10);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Could Not Import the ClearML Configuration");
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "close"));
  g_assert_cmpuint (n_saved (), ==, n_before);

  /* Escape (the close response) gets rid of it. */
  gtk_window_close (dialog);
  scaler_test_spin (10);
  g_assert_null (scaler_window_get_dialog (window));

  destroy_window (window);
}

static void
test_broken_yaml (void)
{
  assert_import_fails ("broken.yaml");
}

static void
test_broken_json (void)
{
  assert_import_fails ("broken.json");
}

static void
test_not_clearml (void)
{
  assert_import_fails ("not-clearml.yaml");
}

static void
test_missing_file (void)
{
  assert_import_fails ("no-such-file.yaml");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  session = scaler_test_app_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/scaler/import-gui/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("opens-wizard", test_opens_wizard);
  ADD ("general-from-file", test_general_from_file);
  ADD ("secrets-in-form", test_secrets_in_form);
  ADD ("resource-rows", test_resource_rows);
  ADD ("notice-lists-report", test_notice_lists_report);
  ADD ("nothing-stored-before-create", test_nothing_stored_before_create);
  ADD ("create-keeps-secrets-apart", test_create_keeps_secrets_apart);
  ADD ("edit-loads-session-token", test_edit_loads_session_token);
#undef ADD
  g_test_add_func ("/scaler/import-gui/broken-yaml", test_broken_yaml);
  g_test_add_func ("/scaler/import-gui/broken-json", test_broken_json);
  g_test_add_func ("/scaler/import-gui/not-clearml", test_not_clearml);
  g_test_add_func ("/scaler/import-gui/missing-file", test_missing_file);

  status = g_test_run ();
  g_clear_object (&the_app);
  scaler_test_service_free (session);

  return status;
}
