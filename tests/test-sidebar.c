/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Widget test: the main window's sidebar, a view of the background service
 * (the built ec2-autoscalerd --service on a private bus). Saved autoscalers
 * appear as rows under "This Computer" (a corrupt file as a broken row with
 * its error), an edit (by anyone) updates the row in place and keeps the
 * selection, delete asks first and the service removes the file and the
 * secrets, the selection is remembered through GSettings, "Try the Demo"
 * creates and starts the demo in the service, and a failing autoscaler says
 * why, in its row and in a desktop notification. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "scaler-gui-resources.h"
#include "scaler-wizard.h"
#include "support/scaler-test-app.h"
#include "support/scaler-test-config.h"

static ScalerTestService *session;
/* One application per process: GApplication exports its object path once. */
static ScalerApplication *app;

typedef struct
{
  ScalerApplication *app;
  ScalerMachine     *local;
  ScalerWindow      *window;
} Fixture;

static ScalerConfig *
make_config (const char *name)
{
  return scaler_test_config_new (&(ScalerTestConfigOptions) {
    .name = name,
    .instance_type = "c5.large",
    .ami_id = "ami-0123456789abcdef0",
  });
}

static void
write_config (ScalerConfig *config)
{
  g_autofree char *json = scaler_config_to_json (config);

  scaler_test_service_write_json (session, config->id, json);
}

static void
fixture_open (Fixture *f)
{
  f->app = app;
  f->local = scaler_application_get_local_machine (f->app);
  f->window = scaler_test_window_new (f->app);
  scaler_test_wait_connected (f->local);
  scaler_test_spin (20);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_open (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  scaler_test_window_close (f->window);
  scaler_test_service_delete_all (session);
}

static GtkListBoxRow *
row_at (Fixture *f,
        guint    index)
{
  return gtk_list_box_get_row_at_index (scaler_test_sidebar (f->window), index);
}

static void
store_secrets (const char *id,
               const char *key_id,
               const char *secret)
{
  g_autoptr(ScalerDbusAutoscaler) proxy = scaler_test_proxy_for (session, id);
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("a{ss}"));
  g_autofree char *stored_in = NULL;
  g_autoptr(GError) error = NULL;

  g_variant_builder_add (builder, "{ss}", "aws-access-key-id", key_id);
  g_variant_builder_add (builder, "{ss}", "aws-secret-access-key", secret);
  g_assert_true (scaler_dbus_autoscaler_call_store_secrets_sync (proxy, g_variant_builder_end (builder),
                                                                  G_DBUS_CALL_FLAGS_NONE, 20000, &stored_in,
                                                                  NULL, &error));
  g_assert_no_error (error);
}

/* Three files before the app starts: rows in name order under the header,
 * the broken one saying why, its file untouched. */
static void
test_rows (void)
{
  g_autoptr(ScalerConfig) alpha = make_config ("Alpha");
  g_autoptr(ScalerConfig) beta = make_config ("Beta");
  g_autofree char *broken_path = g_build_filename (session->config_dir, "zz-broken.json", NULL);
  g_autofree char *broken_contents = NULL;
  ScalerSidebarRow *row;
  Fixture f;

  write_config (beta);
  write_config (alpha);
  g_assert_true (g_file_set_contents (broken_path, "{ \"version\": 1, \"name\": ", -1, NULL));
  scaler_test_service_wait_n (session, 3);
  fixture_open (&f);

  g_assert_true (SCALER_IS_MACHINE_ROW (row_at (&f, 0)));
  g_assert_cmpstr (scaler_machine_row_get_title (SCALER_MACHINE_ROW (row_at (&f, 0))), ==, "This Computer");
  g_assert_null (scaler_machine_row_get_status (SCALER_MACHINE_ROW (row_at (&f, 0))));
  g_assert_false (gtk_list_box_row_get_selectable (row_at (&f, 0)));
  g_assert_cmpuint (scaler_test_n_autoscaler_rows (f.window), ==, 3);
  g_assert_cmpstr (scaler_sidebar_row_get_title (SCALER_SIDEBAR_ROW (row_at (&f, 1))), ==, "Alpha");
  g_assert_cmpstr (scaler_sidebar_row_get_title (SCALER_SIDEBAR_ROW (row_at (&f, 2))), ==, "Beta");
  g_assert_cmpstr (scaler_sidebar_row_get_state (SCALER_SIDEBAR_ROW (row_at (&f, 1))), ==, "stopped");
  g_assert_cmpstr (scaler_sidebar_row_get_status (SCALER_SIDEBAR_ROW (row_at (&f, 1))), ==, "Stopped");
  row = SCALER_SIDEBAR_ROW (row_at (&f, 3));
  g_assert_cmpstr (scaler_sidebar_row_get_state (row), ==, "broken");
  g_assert_true (g_str_has_prefix (scaler_sidebar_row_get_status (row), "Cannot be read"));
  g_assert_true (g_file_get_contents (broken_path, &broken_contents, NULL, NULL));
  g_assert_cmpstr (broken_contents, ==, "{ \"version\": 1, \"name\": ");

  /* Selecting it shows the error, not a dashboard. */
  gtk_list_box_select_row (scaler_test_sidebar (f.window), GTK_LIST_BOX_ROW (row));
  scaler_test_spin (5);
  g_assert_cmpstr (scaler_window_get_content_page (f.window), ==, "broken");

  g_unlink (broken_path);
  fixture_teardown (&f, NULL);
}

/* Selecting remembers the choice; a new window (a restart) selects it. */
static void
test_remembers_selection (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.ec2autoscaler.Autoscaler");
  g_autoptr(ScalerConfig) alpha = make_config ("Alpha");
  g_autoptr(ScalerConfig) beta = make_config ("Beta");
  g_autofree char *last = NULL;

  write_config (alpha);
  write_config (beta);
  scaler_test_wait (scaler_test_n_autoscaler_rows (f->window) == 2, 20, "two rows");

  gtk_list_box_select_row (scaler_test_sidebar (f->window), GTK_LIST_BOX_ROW (scaler_test_row_for_id (f->window, beta->id)));
  scaler_test_spin (5);
  g_assert_cmpstr (scaler_window_get_selected_id (f->window), ==, beta->id);
  last = g_settings_get_string (settings, "last-autoscaler");
  g_assert_cmpstr (last, ==, beta->id);

  scaler_test_window_close (f->window);
  f->window = scaler_test_window_new (f->app);
  g_assert_cmpstr (scaler_window_get_selected_id (f->window), ==, beta->id);
}

/* An edit by another client updates the row in place: same widget, still
 * selected (items are updated in place, never removed and re-added). */
static void
test_edit_in_place (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ScalerConfig) beta = make_config ("Beta");
  g_autoptr(ScalerConfig) renamed = NULL;
  g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  ScalerSidebarRow *row;

  write_config (beta);
  scaler_test_wait (scaler_test_row_for_id (f->window, beta->id) != NULL, 20, "the row");
  row = scaler_test_row_for_id (f->window, beta->id);
  gtk_list_box_select_row (scaler_test_sidebar (f->window), GTK_LIST_BOX_ROW (row));

  renamed = scaler_config_copy (beta);
  g_free (renamed->name);
  renamed->name = g_strdup ("Beta Prime");
  json = scaler_config_to_json (renamed);
  proxy = scaler_test_proxy_for (session, beta->id);
  g_assert_true (scaler_dbus_autoscaler_call_update_sync (proxy, json, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, &error));
  g_assert_no_error (error);

  scaler_test_wait (g_strcmp0 (scaler_sidebar_row_get_title (row), "Beta Prime") == 0, 20, "the new name");
  g_assert_true (scaler_test_row_for_id (f->window, beta->id) == row);
  g_assert_true (gtk_list_box_get_selected_row (scaler_test_sidebar (f->window)) == GTK_LIST_BOX_ROW (row));
}

/* Delete asks first; cancelling keeps everything; deleting removes the
 * file and the secrets (in the service's 0600 file: no keyring here). */
static void
test_delete_asks_first (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ScalerConfig) alpha = make_config ("Alpha");
  g_autoptr(ScalerConfig) beta = make_config ("Beta");
  g_autofree char *secrets_path = NULL;
  g_autofree char *file = NULL;
  GtkWindow *dialog;

  write_config (alpha);
  write_config (beta);
  scaler_test_wait (scaler_test_n_autoscaler_rows (f->window) == 2, 20, "two rows");
  store_secrets (beta->id, "AKIADELETEMEEXAMPLE1", "delete-me-secret");
  secrets_path = scaler_test_service_secrets_path (session, beta->id);
  g_assert_true (g_file_test (secrets_path, G_FILE_TEST_EXISTS));
  file = g_strdup_printf ("%s/%s.json", session->config_dir, beta->id);

  scaler_test_activate (f->window, "win.delete-autoscaler", beta->id);
  scaler_test_spin (10);
  dialog = scaler_window_get_dialog (f->window);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_true (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete") == ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  scaler_test_spin (20);
  g_assert_cmpuint (scaler_test_n_autoscaler_rows (f->window), ==, 2);
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));

  scaler_test_activate (f->window, "win.delete-autoscaler", beta->id);
  scaler_test_spin (10);
  dialog = scaler_window_get_dialog (f->window);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "delete");
  scaler_test_wait (scaler_test_n_autoscaler_rows (f->window) == 1, 30, "the row to go");
  g_assert_null (scaler_test_row_for_id (f->window, beta->id));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  /* The service removes the secrets right after the object (then replies). */
  scaler_test_wait (!g_file_test (secrets_path, G_FILE_TEST_EXISTS), 20, "the secrets file to go");
  /* Something is still selected. */
  scaler_test_spin (10);
  g_assert_cmpstr (scaler_window_get_selected_id (f->window), ==, alpha->id);
}

/* Edit opens the wizard on that config, in edit mode. */
static void
test_edit_opens_wizard (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ScalerConfig) alpha = make_config ("Alpha");
  g_autoptr(ScalerConfig) shown = NULL;
  GtkWindow *wizard;

  write_config (alpha);
  scaler_test_wait (scaler_test_row_for_id (f->window, alpha->id) != NULL, 20, "the row");

  scaler_test_activate (f->window, "win.edit-autoscaler", alpha->id);
  scaler_test_spin (10);
  wizard = scaler_window_get_dialog (f->window);
  g_assert_true (SCALER_IS_WIZARD (wizard));
  g_assert_true (scaler_wizard_is_editing (SCALER_WIZARD (wizard)));
  shown = scaler_wizard_dup_config (SCALER_WIZARD (wizard));
  g_assert_cmpstr (shown->id, ==, alpha->id);
  g_assert_cmpstr (shown->name, ==, "Alpha");
  gtk_window_destroy (wizard);
  scaler_test_spin (10);
}

/* Export writes the config the service runs, not the secrets. */
static void
test_export_without_secrets (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(ScalerConfig) alpha = make_config ("Alpha");
  g_autofree char *path = g_build_filename (session->dir, "exported.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  write_config (alpha);
  scaler_test_wait (scaler_test_row_for_id (f->window, alpha->id) != NULL, 20, "the row");
  store_secrets (alpha->id, "AKIAALPHAKEYEXAMPLE1", "alpha-secret");

  g_assert_true (scaler_window_export_instance (f->window, alpha->id, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, alpha->id));
  g_assert_nonnull (strstr (contents, "\"Alpha\""));
  g_assert_null (strstr (contents, "AKIAALPHAKEYEXAMPLE1"));
  g_assert_null (strstr (contents, "alpha-secret"));
  g_assert_false (scaler_window_export_instance (f->window, "no-such-id", path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_unlink (path);
}

/* Duplicate: a new autoscaler under a new id, selected, with copies of the
 * secrets (the service copies them). */
static void
test_duplicate (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ScalerConfig) alpha = make_config ("Alpha");
  g_autofree char *copy_secrets = NULL;
  g_autofree char *contents = NULL;
  const char *copy_id;

  write_config (alpha);
  scaler_test_wait (scaler_test_row_for_id (f->window, alpha->id) != NULL, 20, "the row");
  store_secrets (alpha->id, "AKIAALPHAKEYEXAMPLE1", "alpha-secret");

  scaler_test_activate (f->window, "win.duplicate-autoscaler", alpha->id);
  scaler_test_wait (scaler_test_n_autoscaler_rows (f->window) == 2, 20, "the copy");
  scaler_test_wait (g_strcmp0 (scaler_window_get_selected_id (f->window), alpha->id) != 0, 20, "the copy selected");
  copy_id = scaler_window_get_selected_id (f->window);
  g_assert_nonnull (copy_id);
  g_assert_nonnull (strstr (scaler_client_autoscaler_get_name (scaler_window_get_selected (f->window)), "Alpha"));
  copy_secrets = scaler_test_service_secrets_path (session, copy_id);
  g_assert_true (g_file_get_contents (copy_secrets, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "alpha-secret"));
}

/* "Try the Demo" creates the demo in the service and starts it; its cycles
 * reach the row; trying again reuses it; Stop stops it. */
static void
test_demo (Fixture       *f,
           gconstpointer  data)
{
  ScalerClientAutoscaler *demo;
  ScalerSidebarRow *row;
  g_autofree char *id = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.try-demo", NULL));
  scaler_test_wait (scaler_window_get_selected (f->window) != NULL, 20, "the demo to be created and selected");
  demo = scaler_window_get_selected (f->window);
  id = g_strdup (scaler_client_autoscaler_get_id (demo));
  g_assert_true (scaler_client_autoscaler_get_demo (demo));
  g_assert_true (scaler_client_autoscaler_get_config (demo)->demo);
  row = scaler_test_row_for_id (f->window, id);

  /* The simulator moves within seconds and the row counts what runs. */
  scaler_test_wait (scaler_client_autoscaler_get_cycle (demo) > 0, 60, "a cycle of the demo");
  scaler_test_wait (g_strcmp0 (scaler_sidebar_row_get_state (row), "running") == 0, 20, "the row running");
  g_assert_nonnull (strstr (scaler_sidebar_row_get_status (row), "running"));
  g_assert_nonnull (strstr (scaler_sidebar_row_get_status (row), "idle"));

  /* Trying the demo again reuses it. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.try-demo", NULL);
  scaler_test_spin (20);
  g_usleep (500000);
  scaler_test_spin (20);
  g_assert_cmpuint (scaler_test_n_autoscaler_rows (f->window), ==, 1);

  /* Stop: the service stops it, the row says so. */
  scaler_test_activate (f->window, "win.stop-autoscaler", id);
  scaler_test_wait (g_strcmp0 (scaler_sidebar_row_get_state (row), "stopped") == 0, 30, "the row stopped");
  g_assert_cmpstr (scaler_client_autoscaler_get_desired_state (demo), ==, "stopped");
}

/* Test Connection asks the service, which checks from its machine with the
 * autoscaler's saved credentials (the demo needs none): the answer shows in
 * a dialog. */
static void
test_test_connection (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *json = scaler_test_demo_json (NULL, "Checked");
  g_autoptr(ScalerConfig) demo = scaler_config_new_from_json (json, -1, NULL);
  GtkWindow *dialog;

  scaler_test_service_write_json (session, demo->id, json);
  scaler_test_wait (scaler_test_row_for_id (f->window, demo->id) != NULL, 20, "the row");
  scaler_test_activate (f->window, "win.test-connection", demo->id);
  scaler_test_wait ((dialog = scaler_window_get_dialog (f->window)) != NULL, 30, "the verdict");
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "“Checked” Can Connect");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "simulator"));
  gtk_window_destroy (dialog);
}

/* A real autoscaler whose servers do not answer: the service says it
 * failed and why; the row shows it, and the service's Event becomes a
 * desktop notification naming it. */
static void
test_error_state (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ScalerConfig) config = make_config ("Unreachable");
  ScalerClientAutoscaler *autoscaler;
  ScalerSidebarRow *row;

  config->aws_endpoint = g_strdup ("http://127.0.0.1:9");
  g_free (config->clearml_api_server);
  config->clearml_api_server = g_strdup ("http://127.0.0.1:9");
  config->aws_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  config->clearml_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  config->polling_interval_time_min = 0.02;
  write_config (config);
  scaler_test_wait ((row = scaler_test_row_for_id (f->window, config->id)) != NULL, 20, "the row");
  g_assert_cmpstr (scaler_sidebar_row_get_state (row), ==, "stopped");
  autoscaler = scaler_sidebar_row_get_autoscaler (row);

  scaler_test_activate (f->window, "win.start-autoscaler", config->id);
  scaler_test_wait (g_strcmp0 (scaler_sidebar_row_get_state (row), "error") == 0, 60, "the row in error");
  g_assert_cmpstr (scaler_client_autoscaler_get_state (autoscaler), ==, "failed");
  g_assert_cmpstr (scaler_client_autoscaler_get_error (autoscaler), !=, "");
  g_assert_cmpstr (scaler_sidebar_row_get_status (row), ==, scaler_client_autoscaler_get_error (autoscaler));

  scaler_test_wait (scaler_test_service_notified (session, "Unreachable"), 30, "a notification about it");

  scaler_test_activate (f->window, "win.stop-autoscaler", config->id);
  scaler_test_wait (g_strcmp0 (scaler_sidebar_row_get_state (row), "stopped") == 0, 30, "the row stopped");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  session = scaler_test_app_init (&argc, &argv);
  scaler_test_service_watch_notifications (session);
  app = scaler_test_app_new ();

  g_test_add_func ("/scaler/sidebar/rows", test_rows);
  g_test_add ("/scaler/sidebar/remembers-selection", Fixture, NULL, fixture_setup, test_remembers_selection,
              fixture_teardown);
  g_test_add ("/scaler/sidebar/edit-in-place", Fixture, NULL, fixture_setup, test_edit_in_place, fixture_teardown);
  g_test_add ("/scaler/sidebar/delete-asks-first", Fixture, NULL, fixture_setup, test_delete_asks_first,
              fixture_teardown);
  g_test_add ("/scaler/sidebar/edit-opens-wizard", Fixture, NULL, fixture_setup, test_edit_opens_wizard,
              fixture_teardown);
  g_test_add ("/scaler/sidebar/export-without-secrets", Fixture, NULL, fixture_setup, test_export_without_secrets,
              fixture_teardown);
  g_test_add ("/scaler/sidebar/duplicate", Fixture, NULL, fixture_setup, test_duplicate, fixture_teardown);
  g_test_add ("/scaler/sidebar/demo", Fixture, NULL, fixture_setup, test_demo, fixture_teardown);
  g_test_add ("/scaler/sidebar/test-connection", Fixture, NULL, fixture_setup, test_test_connection,
              fixture_teardown);
  g_test_add ("/scaler/sidebar/error-state", Fixture, NULL, fixture_setup, test_error_state, fixture_teardown);

  status = g_test_run ();
  g_clear_object (&app);
  scaler_test_service_free (session);
  return status;
}
