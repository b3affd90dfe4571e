/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Widget test: the creation wizard refuses invalid input, shows each error
 * on the row of the field, keeps Create insensitive until the config is
 * valid, and creating stores the secrets (in-memory backend standing in for
 * this computer's keyring) and sends the configuration to the background
 * service (the built ec2-autoscalerd --service on a private bus), which
 * writes the file: never the secrets into the file. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "scaler-credentials-memory.h"
#include "scaler-gui-resources.h"
#include "scaler-gui-util.h"
#include "scaler-autoscaler-store.h"
#include "scaler-resource-editor.h"
#include "scaler-util.h"
#include "scaler-wizard.h"
#include "support/scaler-fake.h"
#include "support/scaler-test-app.h"

static ScalerTestService *session;
/* This computer's service, as the application would see it. */
static ScalerMachine *machine;

static GtkWidget *
child (ScalerWizard *wizard,
       const char   *name)
{
  GtkWidget *w = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (wizard), SCALER_TYPE_WIZARD, name));

  g_assert_nonnull (w);
  return w;
}

static void
set_text (ScalerWizard *wizard,
          const char   *row,
          const char   *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (wizard, row)), text);
}

static gboolean
create_sensitive (ScalerWizard *wizard)
{
  /* Validation runs from an idle after edits: let it. */
  for (guint i = 0; i < 500 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
  return gtk_widget_is_sensitive (child (wizard, "create_button"));
}

static ScalerResource *
good_resource (void)
{
  ScalerResource *r = scaler_resource_new ();

  g_free (r->name);
  r->name = g_strdup ("gpu");
  g_free (r->queue);
  r->queue = g_strdup ("gpu-queue");
  g_free (r->instance_type);
  r->instance_type = g_strdup ("g4dn.xlarge");
  g_free (r->ami_id);
  r->ami_id = g_strdup ("ami-0123456789abcdef0");
  r->max_instances = 3;

  return r;
}

static void
fill_valid (ScalerWizard *wizard)
{
  ScalerResourceEditor *editor = SCALER_RESOURCE_EDITOR (scaler_wizard_get_resource_editor (wizard));

  set_text (wizard, "name_row", "GPU pool");
  set_text (wizard, "tags_row", "team=ml, cost-center=42");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (wizard, "polling_spin")), 0.5);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (wizard, "budget_spin")), 2.0);
  set_text (wizard, "aws_key_row", "AKIAIOSFODNN7EXAMPLE");
  set_text (wizard, "aws_secret_row", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  set_text (wizard, "clearml_key_row", "CLEARMLACCESSKEY123");
  set_text (wizard, "clearml_secret_row", "clearml-very-secret-value");
  set_text (wizard, "git_user_row", "ci-bot");
  set_text (wizard, "git_password_row", "git-token-secret");
  scaler_resource_editor_append (editor, good_resource ());
}

static ScalerWizard *
new_wizard (ScalerMachine       *target,
            ScalerCredentials   *credentials,
            ScalerConfig        *config)
{
  ScalerWizard *wizard = scaler_wizard_new (target, credentials, config);

  g_object_ref_sink (wizard);
  gtk_window_present (GTK_WINDOW (wizard));
  scaler_test_spin (20);

  return wizard;
}

static void
destroy_wizard (ScalerWizard *wizard)
{
  gtk_window_destroy (GTK_WINDOW (wizard));
  scaler_test_spin (10);
  g_assert_finalize_object (wizard);
}

static guint
n_saved (void)
{
  g_autoptr(GPtrArray) ids = scaler_test_service_list_ids (session);

  return ids->len;
}

static void
test_refuses_empty (void)
{
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  ScalerWizard *wizard;

  scaler_test_service_delete_all (session);
  wizard = new_wizard (machine, credentials, NULL);

  /* A new config has no name, no keys and no resources. */
  g_assert_false (scaler_wizard_is_valid (wizard));
  g_assert_false (create_sensitive (wizard));
  g_assert_true (scaler_wizard_get_path_widget (wizard, "name") == child (wizard, "name_row"));
  g_assert_true (gtk_widget_has_css_class (child (wizard, "name_row"), "error"));
  g_assert_nonnull (scaler_wizard_get_path_error (wizard, "name"));
  g_assert_true (gtk_widget_has_css_class (child (wizard, "aws_key_row"), "error"));
  g_assert_true (scaler_wizard_step_has_errors (wizard, "general"));
  g_assert_true (scaler_wizard_step_has_errors (wizard, "aws"));
  g_assert_true (scaler_wizard_step_has_errors (wizard, "clearml"));
  g_assert_false (scaler_wizard_step_has_errors (wizard, "git"));

  /* Activating Create anyway saves nothing and goes to the first bad step. */
  scaler_wizard_set_step (wizard, "review");
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.create", NULL);
  scaler_test_spin (10);
  g_assert_cmpuint (n_saved (), ==, 0);

  destroy_wizard (wizard);
}

static void
test_errors_on_rows (void)
{
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  ScalerWizard *wizard = new_wizard (machine, credentials, NULL);
  ScalerResourceEditor *editor = SCALER_RESOURCE_EDITOR (scaler_wizard_get_resource_editor (wizard));
  g_autoptr(GPtrArray) resources = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_resource_free);
  ScalerResource *bad;
  GtkWidget *row;
  const char *message;

  fill_valid (wizard);
  g_assert_true (scaler_wizard_is_valid (wizard));
  g_assert_true (create_sensitive (wizard));
  g_assert_false (gtk_widget_has_css_class (child (wizard, "name_row"), "error"));

  /* A bad AMI on the second resource: that resource's row, not the first. */
  bad = good_resource ();
  g_free (bad->name);
  bad->name = g_strdup ("cpu");
  g_free (bad->ami_id);
  bad->ami_id = g_strdup ("ami-12");
  g_ptr_array_add (resources, good_resource ());
  g_ptr_array_add (resources, bad);
  scaler_resource_editor_set_resources (editor, resources);
  g_assert_false (scaler_wizard_is_valid (wizard));
  g_assert_false (create_sensitive (wizard));
  row = scaler_wizard_get_path_widget (wizard, "resources[1].ami_id");
  g_assert_true (row == scaler_resource_editor_get_row (editor, 1));
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_false (gtk_widget_has_css_class (scaler_resource_editor_get_row (editor, 0), "error"));
  message = scaler_wizard_get_path_error (wizard, "resources[1].ami_id");
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "ami-12"));
  g_assert_true (scaler_wizard_step_has_errors (wizard, "resources"));
  g_assert_false (scaler_wizard_step_has_errors (wizard, "general"));

  /* A queue name of two characters. */
  g_free (bad->ami_id);
  bad->ami_id = g_strdup ("ami-0123456789abcdef0");
  g_free (bad->queue);
  bad->queue = g_strdup ("ab");
  scaler_resource_editor_set_resources (editor, resources);
  message = scaler_wizard_get_path_error (wizard, "resources[1].queue");
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "“ab”"));
  g_assert_false (create_sensitive (wizard));

  g_free (bad->queue);
  bad->queue = g_strdup ("cpu-queue");
  scaler_resource_editor_set_resources (editor, resources);
  g_assert_true (scaler_wizard_is_valid (wizard));
  g_assert_true (create_sensitive (wizard));

  /* Tags that are not key=value: the tags row says so. */
  set_text (wizard, "tags_row", "team");
  g_assert_false (scaler_wizard_is_valid (wizard));
  g_assert_true (gtk_widget_has_css_class (child (wizard, "tags_row"), "error"));
  g_assert_nonnull (strstr (scaler_gui_get_row_error (child (wizard, "tags_row")), "key=value"));
  set_text (wizard, "tags_row", "team=ml");
  g_assert_true (scaler_wizard_is_valid (wizard));
  g_assert_false (gtk_widget_has_css_class (child (wizard, "tags_row"), "error"));
  g_assert_null (scaler_gui_get_row_error (child (wizard, "tags_row")));

  /* A ClearML server that is not a URL. */
  set_text (wizard, "api_row", "not a url");
  g_assert_false (scaler_wizard_is_valid (wizard));
  g_assert_nonnull (scaler_wizard_get_path_error (wizard, "clearml.api_server"));
  g_assert_true (gtk_widget_has_css_class (child (wizard, "api_row"), "error"));
  g_assert_true (scaler_wizard_step_has_errors (wizard, "clearml"));
  set_text (wizard, "api_row", "http://127.0.0.1:8008");
  g_assert_true (scaler_wizard_is_valid (wizard));

  destroy_wizard (wizard);
}

static void
test_bad_region (void)
{
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  g_autoptr(ScalerConfig) config = scaler_config_new ();
  ScalerWizard *wizard;

  g_free (config->name);
  config->name = g_strdup ("Mars");
  g_free (config->aws_region);
  config->aws_region = g_strdup ("mars-north-1");

  wizard = new_wizard (machine, credentials, NULL);
  scaler_wizard_load_config (wizard, config);
  fill_valid (wizard);
  g_assert_false (scaler_wizard_is_valid (wizard));
  g_assert_true (scaler_wizard_get_path_widget (wizard, "aws.region") == child (wizard, "region_row"));
  g_assert_true (gtk_widget_has_css_class (child (wizard, "region_row"), "error"));
  g_assert_nonnull (strstr (scaler_wizard_get_path_error (wizard, "aws.region"), "mars-north-1"));
  g_assert_false (create_sensitive (wizard));

  /* Picking a real region fixes it. */
  {
    GListModel *regions = adw_combo_row_get_model (ADW_COMBO_ROW (child (wizard, "region_row")));

    for (guint i = 0; i < g_list_model_get_n_items (regions); i++)
      if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (regions), i), "eu-west-1") == 0)
        adw_combo_row_set_selected (ADW_COMBO_ROW (child (wizard, "region_row")), i);
  }
  g_assert_true (scaler_wizard_is_valid (wizard));
  g_assert_false (gtk_widget_has_css_class (child (wizard, "region_row"), "error"));

  destroy_wizard (wizard);
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

static void
test_create_writes_config_and_secrets (void)
{
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  g_autoptr(ScalerAutoscalerStore) reloaded = NULL;
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  ScalerWizard *wizard = new_wizard (machine, credentials, NULL);
  ScalerAutoscaler *saved;
  ScalerConfig *config;
  gboolean done = FALSE;

  fill_valid (wizard);
  /* Adaptive idle termination unless the user pins "fixed". */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (wizard, "idle_policy_row"))), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (wizard, "idle_policy_row")), 1);
  g_signal_connect (wizard, "saved", G_CALLBACK (saved_cb), &id);
  scaler_wizard_set_step (wizard, "review");
  g_assert_true (create_sensitive (wizard));
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.create", NULL);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (id == NULL && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_nonnull (id);

  /* The file, written by the service: the config, not one of the secrets. */
  g_assert_nonnull (scaler_machine_find (machine, id));
  path = g_strdup_printf ("%s/%s.json", session->config_dir, id);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "GPU pool"));
  g_assert_nonnull (strstr (contents, "g4dn.xlarge"));
  g_assert_nonnull (strstr (contents, "ci-bot"));
  g_assert_nonnull (strstr (contents, "\"idle_policy\" : \"fixed\""));
  g_assert_null (strstr (contents, "AKIAIOSFODNN7EXAMPLE"));
  g_assert_null (strstr (contents, "wJalrXUtnFEMI"));
  g_assert_null (strstr (contents, "CLEARMLACCESSKEY123"));
  g_assert_null (strstr (contents, "clearml-very-secret-value"));
  g_assert_null (strstr (contents, "git-token-secret"));

  /* The service has it, with what the form said. */
  reloaded = scaler_autoscaler_store_new (session->config_dir);
  g_assert_true (scaler_autoscaler_store_load (reloaded, NULL));
  saved = scaler_autoscaler_store_find (reloaded, id);
  g_assert_nonnull (saved);
  config = scaler_autoscaler_get_config (saved);
  g_assert_nonnull (config);
  g_assert_cmpfloat_with_epsilon (config->polling_interval_time_min, 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (config->hourly_budget_usd, 2.0, 1e-9);
  g_assert_cmpint (config->idle_policy, ==, SCALER_IDLE_POLICY_FIXED);
  g_assert_cmpuint (config->aws_tags->len, ==, 2);
  g_assert_cmpuint (config->resources->len, ==, 1);

  /* The secrets are in the (memory) keyring under the config's id. */
  g_assert_cmpuint (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)), ==, 5);
  scaler_credentials_lookup_secrets_async (credentials, id, NULL, lookup_cb, &secrets);
  while (secrets == NULL && !done)
    done = !g_main_context_iteration (NULL, TRUE) && secrets != NULL;
  g_assert_nonnull (secrets);
  g_assert_cmpstr (secrets->aws_access_key_id, ==, "AKIAIOSFODNN7EXAMPLE");
  g_assert_cmpstr (secrets->clearml_secret_key, ==, "clearml-very-secret-value");
  g_assert_cmpstr (secrets->git_password, ==, "git-token-secret");

  /* The wizard closed itself. */
  scaler_test_spin (10);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (wizard)));
  g_assert_finalize_object (wizard);
}

static void
test_edit_loads_and_updates_in_place (void)
{
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  g_autoptr(ScalerConfig) config = scaler_config_new ();
  g_autofree char *id = NULL;
  g_autofree char *json = NULL;
  ScalerClientAutoscaler *saved;
  ScalerWizard *wizard;
  gboolean loaded = FALSE;

  scaler_test_service_delete_all (session);
  g_free (config->name);
  config->name = g_strdup ("Editable");
  config->idle_policy = SCALER_IDLE_POLICY_FIXED;
  g_ptr_array_add (config->resources, good_resource ());
  json = scaler_config_to_json (config);
  scaler_test_service_write_json (session, config->id, json);
  scaler_test_wait (scaler_machine_find (machine, config->id) != NULL, 20, "the service to show it");
  saved = g_object_ref (scaler_machine_find (machine, config->id));

  {
    g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();

    secrets->aws_access_key_id = g_strdup ("AKIAEDITEDEXAMPLE123");
    secrets->aws_secret_access_key = g_strdup ("edit-secret");
    secrets->clearml_access_key = g_strdup ("CMLKEY");
    secrets->clearml_secret_key = g_strdup ("cml-secret");
    scaler_credentials_store_secrets_async (credentials, config->id, secrets, NULL, NULL, NULL);
    scaler_test_spin (50);
  }

  wizard = new_wizard (machine, credentials, config);
  g_assert_true (scaler_wizard_is_editing (wizard));
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (!loaded && g_get_monotonic_time () < deadline)
      {
        g_main_context_iteration (NULL, FALSE);
        loaded = g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (child (wizard, "aws_key_row"))),
                            "AKIAEDITEDEXAMPLE123") == 0;
      }
  }
  g_assert_true (loaded);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (wizard, "name_row"))), ==, "Editable");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (wizard, "idle_policy_row"))), ==, 1);
  g_assert_true (scaler_wizard_is_valid (wizard));

  set_text (wizard, "name_row", "Edited");
  g_signal_connect (wizard, "saved", G_CALLBACK (saved_cb), &id);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.create", NULL);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (id == NULL && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpstr (id, ==, config->id);

  /* Same item, new name: updated in place (Update), not re-added. */
  scaler_test_wait (g_strcmp0 (scaler_client_autoscaler_get_name (saved), "Edited") == 0, 20, "the new name");
  g_assert_cmpuint (n_saved (), ==, 1);
  g_assert_true (scaler_machine_find (machine, config->id) == saved);
  /* What was loaded is saved back: still "fixed". */
  g_assert_cmpint (scaler_client_autoscaler_get_config (saved)->idle_policy, ==, SCALER_IDLE_POLICY_FIXED);
  g_object_unref (saved);

  scaler_test_spin (10);
  g_assert_finalize_object (wizard);
}

static AdwMessageDialog *
find_message_dialog (GtkWindow *parent)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_window_get_transient_for (l->data) == parent &&
        gtk_widget_get_visible (l->data))
      return l->data;

  return NULL;
}

/* Closing after edits asks first; "Keep Editing" keeps the window. */
static void
test_close_asks_first (void)
{
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  ScalerWizard *wizard;
  AdwMessageDialog *dialog;

  scaler_test_service_delete_all (session);
  wizard = new_wizard (machine, credentials, NULL);

  /* Untouched: closes at once. */
  gtk_window_close (GTK_WINDOW (wizard));
  scaler_test_spin (10);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (wizard)));
  g_assert_null (find_message_dialog (GTK_WINDOW (wizard)));
  destroy_wizard (wizard);

  wizard = new_wizard (machine, credentials, NULL);
  set_text (wizard, "name_row", "Half done");
  scaler_test_spin (10);
  gtk_window_close (GTK_WINDOW (wizard));
  scaler_test_spin (10);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (wizard)));
  dialog = find_message_dialog (GTK_WINDOW (wizard));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "keep");
  scaler_test_spin (10);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (wizard)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (wizard, "name_row"))), ==, "Half done");

  gtk_window_close (GTK_WINDOW (wizard));
  scaler_test_spin (10);
  dialog = find_message_dialog (GTK_WINDOW (wizard));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "discard");
  scaler_test_spin (10);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (wizard)));
  g_assert_cmpuint (n_saved (), ==, 0);
  destroy_wizard (wizard);
}

static gboolean
row_has_verdict (ScalerWizard *wizard,
                 const char   *row)
{
  return gtk_widget_has_css_class (child (wizard, row), "success") ||
         gtk_widget_has_css_class (child (wizard, row), "error");
}

static void
wait_verdict (ScalerWizard *wizard,
              const char   *row)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!row_has_verdict (wizard, row) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (row_has_verdict (wizard, row));
}

/* "Test connection" over real HTTP to the fake EC2 and ClearML servers: a
 * good key says so inline, a wrong one says what is wrong. */
static void
test_test_connection (void)
{
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  g_autoptr(ScalerConfig) config = scaler_config_new ();
  g_autoptr(ScalerFake) fake = NULL;
  g_autoptr(GError) error = NULL;
  ScalerWizard *wizard;
  const char *subtitle;

  if (!scaler_fake_require ())
    return;
  fake = scaler_fake_start (&error);
  g_assert_no_error (error);

  g_free (config->name);
  config->name = g_strdup ("Fake");
  config->aws_endpoint = g_strdup (scaler_fake_get_ec2_url (fake));
  g_free (config->clearml_api_server);
  config->clearml_api_server = g_strdup (scaler_fake_get_clearml_url (fake));
  wizard = new_wizard (machine, credentials, NULL);
  scaler_wizard_load_config (wizard, config);

  set_text (wizard, "aws_key_row", "AKIDEXAMPLE");
  set_text (wizard, "aws_secret_row", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.test-aws", NULL);
  wait_verdict (wizard, "aws_test_row");
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (wizard, "aws_test_row")));
  g_test_message ("AWS verdict: %s", subtitle);
  g_assert_true (gtk_widget_has_css_class (child (wizard, "aws_test_row"), "success"));

  set_text (wizard, "aws_secret_row", "not-the-secret");
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.test-aws", NULL);
  scaler_test_spin (5);
  wait_verdict (wizard, "aws_test_row");
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (wizard, "aws_test_row")));
  g_test_message ("AWS verdict: %s", subtitle);
  g_assert_true (gtk_widget_has_css_class (child (wizard, "aws_test_row"), "error"));
  g_assert_nonnull (strstr (subtitle, "ecret"));

  set_text (wizard, "clearml_key_row", "FAKEKEY");
  set_text (wizard, "clearml_secret_row", "FAKESECRET");
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.test-clearml", NULL);
  wait_verdict (wizard, "clearml_test_row");
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (wizard, "clearml_test_row")));
  g_test_message ("ClearML verdict: %s", subtitle);
  g_assert_true (gtk_widget_has_css_class (child (wizard, "clearml_test_row"), "success"));

  set_text (wizard, "clearml_secret_row", "WRONG");
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.test-clearml", NULL);
  scaler_test_spin (5);
  wait_verdict (wizard, "clearml_test_row");
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (wizard, "clearml_test_row")));
  g_test_message ("ClearML verdict: %s", subtitle);
  g_assert_true (gtk_widget_has_css_class (child (wizard, "clearml_test_row"), "error"));

  /* Closing while a test runs cancels it quietly; the window goes once
   * the job has returned. */
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.test-clearml", NULL);
  g_object_add_weak_pointer (G_OBJECT (wizard), (gpointer *) &wizard);
  gtk_window_close (GTK_WINDOW (wizard));
  gtk_window_destroy (GTK_WINDOW (wizard));
  g_object_unref (wizard);
  {
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while (wizard != NULL && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_null (wizard);
}

/* "AWS Profile": the profiles of the AWS files, read without blocking; a
 * profile replaces the access key (aws.credentials "environment" +
 * aws.profile), and Test Connection uses it. The fixture: a home with AWS
 * files, and a wizard once it listed their profiles. */
typedef struct
{
  ScalerCredentials *credentials;
  char              *tmpdir;
  char              *old_home;
  ScalerWizard      *wizard;
  AdwComboRow       *row;
  GListModel        *profiles;
} ProfileFixture;

static void
profile_set_up (ProfileFixture *f,
                gconstpointer   data)
{
  g_autofree char *home = NULL;
  g_autofree char *aws = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *credentials_path = NULL;

  f->credentials = scaler_credentials_memory_new ();
  f->tmpdir = scaler_test_make_tmp_dir ("scaler-wizard-aws-XXXXXX");
  home = g_build_filename (f->tmpdir, "home", NULL);
  aws = g_build_filename (home, ".aws", NULL);
  config_path = g_build_filename (aws, "config", NULL);
  credentials_path = g_build_filename (aws, "credentials", NULL);
  f->old_home = g_strdup (g_getenv ("HOME"));
  g_assert_cmpint (g_mkdir_with_parents (aws, 0700), ==, 0);
  g_assert_true (g_file_set_contents (config_path, "[profile dev]\nregion = eu-west-1\n[default]\nregion = us-east-1\n", -1, NULL));
  g_assert_true (g_file_set_contents (credentials_path, "[fake]\naws_access_key_id = AKIDEXAMPLE\n"
                                      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n", -1, NULL));
  g_setenv ("HOME", home, TRUE);
  g_unsetenv ("AWS_CONFIG_FILE");
  g_unsetenv ("AWS_SHARED_CREDENTIALS_FILE");

  f->wizard = new_wizard (machine, f->credentials, NULL);
  f->row = ADW_COMBO_ROW (child (f->wizard, "aws_profile_row"));
  f->profiles = adw_combo_row_get_model (f->row);
  scaler_test_wait (g_list_model_get_n_items (f->profiles) >= 5, 20, "the profiles of the AWS files");
}

static void
profile_tear_down (ProfileFixture *f,
                   gconstpointer   data)
{
  destroy_wizard (f->wizard);
  g_setenv ("HOME", f->old_home, TRUE);
  scaler_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->old_home);
  g_object_unref (f->credentials);
}

/* Keyring, the chain, then the profiles of both files, sorted. */
static void
test_aws_profile_list (ProfileFixture *f,
                       gconstpointer   data)
{
  g_assert_cmpuint (g_list_model_get_n_items (f->profiles), ==, 5);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (f->profiles), 2), ==, "default");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (f->profiles), 3), ==, "dev");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (f->profiles), 4), ==, "fake");
  g_assert_cmpuint (adw_combo_row_get_selected (f->row), ==, 0);
  g_assert_true (gtk_widget_get_visible (child (f->wizard, "aws_keys_group")));
}

/* Without a profile the access key is required. */
static void
test_aws_profile_keys_required (ProfileFixture *f,
                                gconstpointer   data)
{
  fill_valid (f->wizard);
  set_text (f->wizard, "aws_key_row", "");
  g_assert_false (create_sensitive (f->wizard));
  g_assert_nonnull (scaler_wizard_get_path_error (f->wizard, "secrets.aws_access_key_id"));
}

/* A profile: no keys asked for, and the config pins it; the chain pins
 * none. */
static void
test_aws_profile_replaces_keys (ProfileFixture *f,
                                gconstpointer   data)
{
  g_autoptr(ScalerConfig) config = NULL;

  fill_valid (f->wizard);
  set_text (f->wizard, "aws_key_row", "");
  adw_combo_row_set_selected (f->row, 3);
  g_assert_false (gtk_widget_get_visible (child (f->wizard, "aws_keys_group")));
  g_assert_true (create_sensitive (f->wizard));
  config = scaler_wizard_dup_config (f->wizard);
  g_assert_cmpint (config->aws_credentials, ==, SCALER_CREDENTIALS_SOURCE_ENVIRONMENT);
  g_assert_cmpstr (config->aws_profile, ==, "dev");
  g_clear_pointer (&config, scaler_config_unref);

  adw_combo_row_set_selected (f->row, 1);
  config = scaler_wizard_dup_config (f->wizard);
  g_assert_cmpint (config->aws_credentials, ==, SCALER_CREDENTIALS_SOURCE_ENVIRONMENT);
  g_assert_null (config->aws_profile);
}

/* A config whose profile this computer's files lack. */
static ScalerConfig *
config_with_profile (const char *profile)
{
  ScalerConfig *loaded = scaler_config_new ();

  scaler_set_str (&loaded->name, "Elsewhere");
  loaded->aws_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  loaded->aws_profile = g_strdup (profile);
  return loaded;
}

/* A profile this computer's files lack stays, selected. */
static void
test_aws_profile_unknown_kept (ProfileFixture *f,
                               gconstpointer   data)
{
  g_autoptr(ScalerConfig) loaded = config_with_profile ("only-on-the-server");
  g_autoptr(ScalerConfig) config = NULL;

  scaler_wizard_load_config (f->wizard, loaded);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (f->profiles), adw_combo_row_get_selected (f->row)),
                   ==, "only-on-the-server");
  config = scaler_wizard_dup_config (f->wizard);
  g_assert_cmpstr (config->aws_profile, ==, "only-on-the-server");
}

/* Test Connection goes through the profile. */
static void
test_aws_profile_test_connection (ProfileFixture *f,
                                  gconstpointer   data)
{
  g_autoptr(ScalerConfig) loaded = config_with_profile ("fake");
  g_autoptr(ScalerFake) fake = NULL;
  g_autoptr(GError) error = NULL;

  if (!scaler_fake_require ())
    return;
  fake = scaler_fake_start (&error);
  g_assert_no_error (error);
  loaded->aws_endpoint = g_strdup (scaler_fake_get_ec2_url (fake));
  scaler_wizard_load_config (f->wizard, loaded);
  g_setenv ("AWS_EC2_METADATA_DISABLED", "true", TRUE);
  gtk_widget_activate_action (GTK_WIDGET (f->wizard), "wizard.test-aws", NULL);
  wait_verdict (f->wizard, "aws_test_row");
  g_test_message ("AWS verdict: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f->wizard, "aws_test_row"))));
  g_assert_true (gtk_widget_has_css_class (child (f->wizard, "aws_test_row"), "success"));
  g_unsetenv ("AWS_EC2_METADATA_DISABLED");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  session = scaler_test_service_new ();
  scaler_test_service_use (session);
  scaler_test_service_start (session);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (scaler_gui_get_resource ());
  machine = scaler_machine_new_local ();
  scaler_machine_connect (machine);
  scaler_test_wait_connected (machine);

  g_test_add_func ("/scaler/wizard/refuses-empty", test_refuses_empty);
  g_test_add_func ("/scaler/wizard/errors-on-rows", test_errors_on_rows);
  g_test_add_func ("/scaler/wizard/bad-region", test_bad_region);
  g_test_add_func ("/scaler/wizard/create-writes-config-and-secrets", test_create_writes_config_and_secrets);
  g_test_add_func ("/scaler/wizard/edit-loads-and-updates-in-place", test_edit_loads_and_updates_in_place);
  g_test_add_func ("/scaler/wizard/test-connection", test_test_connection);
  g_test_add_func ("/scaler/wizard/close-asks-first", test_close_asks_first);
#define ADD_PROFILE(path, func) \
  g_test_add ("/scaler/wizard/aws-profile/" path, ProfileFixture, NULL, profile_set_up, func, profile_tear_down)
  ADD_PROFILE ("list", test_aws_profile_list);
  ADD_PROFILE ("keys-required", test_aws_profile_keys_required);
  ADD_PROFILE ("replaces-keys", test_aws_profile_replaces_keys);
  ADD_PROFILE ("unknown-kept", test_aws_profile_unknown_kept);
  ADD_PROFILE ("test-connection", test_aws_profile_test_connection);
#undef ADD_PROFILE

  status = g_test_run ();
  g_clear_object (&machine);
  scaler_test_service_free (session);
  return status;
}
