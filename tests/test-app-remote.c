/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Servers: the app shows the service of another machine, reached by running
 * a command whose pipes carry D-Bus (ssh … systemd-stdio-bridge --user).
 * Here the "server" is a second built ec2-autoscalerd --service on a bus of
 * its own, reached first through systemd-stdio-bridge --bus-path=… as the
 * connect command, then through a real OpenSSH server (when sshd is
 * installed: a throwaway host key and authorized_keys in a temporary
 * folder, a high port, the test's own user). Add Server, the sidebar group,
 * actions on a server's autoscaler, a dropped connection, Move to Server
 * (with and without the secrets, the server reporting it running, this
 * computer's copy removed), and the errors: a bad address, no service
 * there, a host that wants a password. Under Xvfb. */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "scaler-dashboard.h"
#include "scaler-gui-util.h"
#include "scaler-gui-resources.h"
#include "scaler-server-dialog.h"
#include "scaler-wizard.h"
#include "support/scaler-test-app.h"

static ScalerTestService *local;
static ScalerTestService *server;
static ScalerApplication *app;

typedef struct
{
  ScalerWindow  *window;
  ScalerMachine *remote;   /* added by the case */
} Fixture;

static void
use_bridge_to (ScalerTestService *target)
{
  g_autofree char *command = scaler_test_service_connect_command (target);

  g_setenv ("SCALER_CONNECT_COMMAND", command, TRUE);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  scaler_test_wait_connected (scaler_application_get_local_machine (app));
  f->window = scaler_test_window_new (app);
  use_bridge_to (server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GListModel *machines = scaler_application_get_machines (app);

  scaler_test_window_close (f->window);
  /* Forget every server; empty both services. */
  while (g_list_model_get_n_items (machines) > 1)
    {
      g_autoptr(ScalerMachine) machine = g_list_model_get_item (machines, 1);

      scaler_application_remove_server (app, machine);
    }
  scaler_test_service_delete_all (local);
  scaler_test_service_delete_all (server);
}

static char *
create_on (ScalerTestService *target,
           const char        *json,
           const char        *id,
           gboolean           start)
{
  g_autoptr(ScalerDbusManager) manager = scaler_test_manager_proxy (target);
  g_autoptr(GError) error = NULL;

  scaler_dbus_manager_call_create_sync (manager, json, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, NULL, &error);
  g_assert_no_error (error);
  if (start)
    {
      g_autoptr(ScalerDbusAutoscaler) proxy = scaler_test_proxy_for (target, id);

      scaler_dbus_autoscaler_call_start_sync (proxy, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, &error);
      g_assert_no_error (error);
    }
  return g_strdup (id);
}

static char *
demo_on (ScalerTestService *target,
         const char        *name,
         gboolean           start)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *json = scaler_test_demo_json (id, name);

  return create_on (target, json, id, start);
}

/* Secrets from the keyring; its servers do not answer (nothing reaches AWS). */
static char *
keyring_config (const char *id,
                const char *name)
{
  g_autoptr(ScalerConfig) config = scaler_config_new ();
  ScalerResource *resource = scaler_resource_new ();

  g_free (config->id);
  config->id = g_strdup (id);
  g_free (config->name);
  config->name = g_strdup (name);
  config->aws_endpoint = g_strdup ("http://127.0.0.1:9");
  g_free (config->clearml_api_server);
  config->clearml_api_server = g_strdup ("http://127.0.0.1:9");
  g_free (resource->name);
  resource->name = g_strdup ("cpu");
  g_free (resource->queue);
  resource->queue = g_strdup ("default");
  g_free (resource->instance_type);
  resource->instance_type = g_strdup ("t3.micro");
  g_free (resource->ami_id);
  resource->ami_id = g_strdup ("ami-0123456789abcdef0");
  g_ptr_array_add (config->resources, resource);
  return scaler_config_to_json (config);
}

static void
save_id_cb (char       **out,
                 const char  *id)
{
  g_free (*out);
  *out = g_strdup (id);
}

/* Add Server…, the way a user does it: the dialog, the address, Add. */
static ScalerServerDialog *
open_add_server (Fixture    *f,
                 const char *address)
{
  ScalerServerDialog *dialog;
  GtkWidget *entry;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.add-server", NULL));
  scaler_test_spin (10);
  dialog = SCALER_SERVER_DIALOG (scaler_window_get_dialog (f->window));
  g_assert_true (SCALER_IS_SERVER_DIALOG (dialog));
  entry = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), SCALER_TYPE_SERVER_DIALOG, "address_row"));
  gtk_editable_set_text (GTK_EDITABLE (entry), address);
  scaler_test_spin (5);
  return dialog;
}

static ScalerMachine *
add_server (Fixture    *f,
            const char *address)
{
  ScalerServerDialog *dialog = open_add_server (f, address);
  ScalerMachine *machine;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "server.add", NULL));
  scaler_test_wait ((machine = scaler_application_find_machine (app, address)) != NULL, 40, "the server added");
  scaler_test_wait (dialog == NULL || !gtk_widget_get_visible (GTK_WIDGET (dialog)), 10, "the dialog to close");
  if (dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_cmpint (scaler_machine_get_status (machine), ==, SCALER_MACHINE_CONNECTED);
  f->remote = machine;
  return machine;
}

/* The dialog keeps a failure, saying what is wrong; nothing is added. */
static char *
add_server_fails (Fixture    *f,
                  const char *address)
{
  ScalerServerDialog *dialog = open_add_server (f, address);
  char *error;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "server.add", NULL));
  scaler_test_wait (scaler_server_dialog_get_error (dialog) != NULL, 60, "the error");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_null (scaler_application_find_machine (app, address));
  error = g_strdup (scaler_server_dialog_get_error (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
  scaler_test_spin (10);
  return error;
}

/* ---- through systemd-stdio-bridge ---- */

/* A server remembered from an earlier run (GSettings "servers") is connected
 * at start-up; Remove Server forgets it (its autoscalers stay there). */
static void
test_remembered_server (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.ec2autoscaler.Autoscaler");
  g_autofree char *id = demo_on (server, "Remembered", FALSE);
  g_auto(GStrv) servers = NULL;
  ScalerMachine *machine = scaler_application_find_machine (app, "remembered-server");

  g_assert_nonnull (machine);
  scaler_test_wait_connected (machine);
  scaler_test_wait (scaler_test_row_for_id (f->window, id) != NULL, 20, "its row");
  g_assert_nonnull (scaler_test_header_for (f->window, machine));

  scaler_test_activate (f->window, "win.remove-server", "remembered-server");
  scaler_test_spin (10);
  g_assert_null (scaler_application_find_machine (app, "remembered-server"));
  g_assert_null (scaler_test_row_for_id (f->window, id));
  servers = g_settings_get_strv (settings, "servers");
  g_assert_cmpuint (g_strv_length (servers), ==, 0);
  /* Still there, on the server. */
  scaler_test_service_wait_n (server, 1);
}

/* Add Server: the server's group under "This Computer", with its host name
 * and its autoscalers; remembered in GSettings. */
static void
test_add_server (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.ec2autoscaler.Autoscaler");
  g_autofree char *local_id = demo_on (local, "Here", FALSE);
  g_autofree char *remote_id = demo_on (server, "There", FALSE);
  g_auto(GStrv) servers = NULL;
  ScalerMachineRow *header;
  ScalerMachine *machine;
  GtkListBoxRow *row;
  guint header_index = 0;

  machine = add_server (f, "ml@gpu-server:2222");
  scaler_test_wait (scaler_test_row_for_id (f->window, remote_id) != NULL, 20, "the server's row");
  header = scaler_test_header_for (f->window, machine);
  g_assert_nonnull (header);
  g_assert_cmpstr (scaler_machine_row_get_title (header), ==, g_get_host_name ());
  g_assert_null (scaler_machine_row_get_status (header));

  /* This Computer first, then the server's header, then its autoscaler. */
  g_assert_true (SCALER_IS_MACHINE_ROW (gtk_list_box_get_row_at_index (scaler_test_sidebar (f->window), 0)));
  for (guint i = 0; (row = gtk_list_box_get_row_at_index (scaler_test_sidebar (f->window), i)) != NULL; i++)
    if (row == GTK_LIST_BOX_ROW (header))
      header_index = i;
  g_assert_cmpuint (header_index, ==, 2);
  g_assert_true (gtk_list_box_get_row_at_index (scaler_test_sidebar (f->window), 1) ==
                 GTK_LIST_BOX_ROW (scaler_test_row_for_id (f->window, local_id)));
  g_assert_true (gtk_list_box_get_row_at_index (scaler_test_sidebar (f->window), 3) ==
                 GTK_LIST_BOX_ROW (scaler_test_row_for_id (f->window, remote_id)));

  servers = g_settings_get_strv (settings, "servers");
  g_assert_cmpuint (g_strv_length (servers), ==, 1);
  g_assert_cmpstr (servers[0], ==, "ml@gpu-server:2222");
}

/* Start, the dashboard's history and Stop of a server's autoscaler, all
 * through the bridge. */
static void
test_server_autoscaler (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *id = demo_on (server, "Remote demo", FALSE);
  g_autofree char *key = NULL;
  ScalerClientAutoscaler *autoscaler;
  ScalerDashboard *dashboard;
  ScalerMachine *machine;

  machine = add_server (f, "gpu-server");
  scaler_test_wait ((autoscaler = scaler_machine_find (machine, id)) != NULL, 20, "the autoscaler");
  key = scaler_client_autoscaler_dup_key (autoscaler);
  g_assert_true (g_str_has_prefix (key, "gpu-server/") && g_str_has_suffix (key, id));
  g_assert_true (scaler_window_select_instance (f->window, key));

  scaler_test_activate (f->window, "win.start-autoscaler", key);
  scaler_test_wait (scaler_client_autoscaler_get_cycle (autoscaler) >= 3, 60, "three cycles");
  dashboard = scaler_window_get_dashboard (f->window);
  g_assert_true (scaler_dashboard_get_autoscaler (dashboard) == autoscaler);
  scaler_test_wait (scaler_client_autoscaler_is_loaded (autoscaler), 20, "the history");
  scaler_test_wait (scaler_series_get_n_samples (scaler_plot_get_series (
                      scaler_dashboard_get_plot (dashboard, SCALER_DASHBOARD_PLOT_WORKERS), 0)) >= 3, 20, "samples");
  g_assert_cmpstr (scaler_dashboard_get_state_text (dashboard), ==, "Running");

  scaler_test_activate (f->window, "win.stop-autoscaler", key);
  scaler_test_wait (g_strcmp0 (scaler_client_autoscaler_get_state (autoscaler), "stopped") == 0, 30, "stopped");
}

/* Editing a server's autoscaler: its secrets stay there (the rows are not
 * used, nothing is asked for), the configuration goes with Update. */
static void
test_edit_on_server (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *json = keyring_config (id, "Remote pool");
  g_autofree char *key = NULL;
  g_autofree char *secrets = NULL;
  g_autoptr(ScalerDbusAutoscaler) there = NULL;
  ScalerMachine *machine;
  GtkWindow *wizard;
  GtkWidget *name_row, *secret_row;
  char *saved = NULL;

  g_free (create_on (server, json, id, FALSE));
  machine = add_server (f, "gpu-server");
  scaler_test_wait (scaler_machine_find (machine, id) != NULL, 20, "the autoscaler");
  key = scaler_client_autoscaler_dup_key (scaler_machine_find (machine, id));

  scaler_test_activate (f->window, "win.edit-autoscaler", key);
  scaler_test_spin (10);
  wizard = scaler_window_get_dialog (f->window);
  g_assert_true (SCALER_IS_WIZARD (wizard));
  g_assert_true (scaler_wizard_is_editing (SCALER_WIZARD (wizard)));
  secret_row = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (wizard), SCALER_TYPE_WIZARD, "aws_secret_row"));
  g_assert_false (gtk_widget_get_sensitive (secret_row));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (secret_row), "Kept on"));
  g_assert_true (scaler_wizard_is_valid (SCALER_WIZARD (wizard)));

  name_row = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (wizard), SCALER_TYPE_WIZARD, "name_row"));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "Remote pool, edited");
  g_signal_connect_swapped (wizard, "saved", G_CALLBACK (save_id_cb), &saved);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.create", NULL);
  scaler_test_wait (saved != NULL, 30, "saved");
  g_assert_cmpstr (saved, ==, id);
  there = scaler_test_proxy_for (server, id);
  scaler_test_wait (g_strcmp0 (scaler_dbus_autoscaler_get_name (there), "Remote pool, edited") == 0, 20, "the new name");
  secrets = scaler_test_service_secrets_path (server, id);
  g_assert_false (g_file_test (secrets, G_FILE_TEST_EXISTS));
  g_free (saved);
}

/* The connection drops (the bridge dies): the header says so with Retry;
 * Retry connects again. */
static void
test_connection_dropped (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *id = demo_on (server, "Remote", FALSE);
  ScalerMachineRow *header;
  ScalerMachine *machine;
  GPid bridge = 0;

  machine = add_server (f, "gpu-server");
  scaler_test_wait (scaler_machine_find (machine, id) != NULL, 20, "the autoscaler");
  /* The bridge is the peer of this connection on the server's bus. */
  {
    g_autoptr(GVariant) reply = NULL;
    const char *unique = g_dbus_connection_get_unique_name (scaler_machine_get_connection (machine));
    guint32 pid = 0;

    reply = g_dbus_connection_call_sync (server->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                         g_variant_new ("(s)", unique), G_VARIANT_TYPE ("(u)"), 0, 10000, NULL, NULL);
    g_assert_nonnull (reply);
    g_variant_get (reply, "(u)", &pid);
    bridge = (GPid) pid;
  }
  g_assert_cmpint (bridge, >, 0);
  g_assert_cmpint (bridge, !=, getpid ());
  g_assert_cmpint (kill (bridge, SIGKILL), ==, 0);

  scaler_test_wait (scaler_machine_get_status (machine) == SCALER_MACHINE_UNREACHABLE, 20, "unreachable");
  g_assert_nonnull (strstr (scaler_machine_get_error (machine), "lost"));
  g_assert_null (scaler_test_row_for_id (f->window, id));
  header = scaler_test_header_for (f->window, machine);
  g_assert_nonnull (scaler_machine_row_get_status (header));

  scaler_test_activate (f->window, "win.retry-machine", "gpu-server");
  scaler_test_wait (scaler_machine_get_status (machine) == SCALER_MACHINE_CONNECTED, 40, "connected again");
  scaler_test_wait (scaler_test_row_for_id (f->window, id) != NULL, 20, "the row back");
}

/* A bad address is refused while typing, with what is wrong. */
static void
test_bad_address (Fixture       *f,
                  gconstpointer  data)
{
  ScalerServerDialog *dialog = open_add_server (f, "-oProxyCommand=touch /tmp/x");
  GtkWidget *entry = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), SCALER_TYPE_SERVER_DIALOG,
                                                                "address_row"));

  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
                    GTK_WIDGET (dialog), SCALER_TYPE_SERVER_DIALOG, "add_button"))));
  gtk_editable_set_text (GTK_EDITABLE (entry), "host:99999");
  scaler_test_spin (5);
  g_assert_nonnull (strstr (scaler_gui_get_row_error (entry), "99999"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "ml@gpu-server:2222");
  scaler_test_spin (5);
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  scaler_test_spin (10);
}

/* The server's bus has no service and cannot start one: said so. */
static void
test_no_service (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ScalerTestService) empty = scaler_test_service_new ();
  g_autofree char *error = NULL;

  use_bridge_to (empty);
  error = add_server_fails (f, "empty-server");
  g_assert_nonnull (strstr (error, "not running on empty-server"));
  g_assert_nonnull (strstr (error, "systemctl --user enable --now ec2-autoscalerd.service"));
}

/* ---- Move to Server ---- */

static AdwMessageDialog *
open_move (Fixture    *f,
           const char *id)
{
  AdwMessageDialog *dialog;

  scaler_test_activate (f->window, "win.move-to-server", id);
  scaler_test_spin (10);
  dialog = ADW_MESSAGE_DIALOG (scaler_window_get_dialog (f->window));
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "move"));
  return dialog;
}

/* A running demo moves: Start there, the server reports it running, then
 * this computer's copy goes; it is selected on the server. */
static void
test_move_running (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *id = demo_on (local, "Moving demo", TRUE);
  g_autoptr(ScalerDbusAutoscaler) there = NULL;
  g_autofree char *key = NULL;
  ScalerMachine *machine = add_server (f, "gpu-server");
  AdwMessageDialog *dialog;

  scaler_test_wait (scaler_test_row_for_id (f->window, id) != NULL, 20, "the row");
  dialog = open_move (f, id);
  /* A demo has no secrets: nothing to agree to. */
  g_assert_null (g_object_get_data (G_OBJECT (dialog), "send-secrets"));
  adw_message_dialog_response (dialog, "move");

  scaler_test_wait (scaler_machine_find (scaler_application_get_local_machine (app), id) == NULL, 90,
                    "this computer's copy to go");
  there = scaler_test_proxy_for (server, id);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_state (there), ==, "running");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_desired_state (there), ==, "running");
  key = g_strconcat ("gpu-server/", id, NULL);
  scaler_test_wait (scaler_window_get_selected (f->window) != NULL &&
                    scaler_client_autoscaler_get_machine (scaler_window_get_selected (f->window)) == machine &&
                    g_strcmp0 (scaler_window_get_selected_id (f->window), id) == 0, 20, "the server's copy selected");
  g_assert_true (scaler_client_autoscaler_get_machine (scaler_window_get_selected (f->window)) == machine);
  {
    g_autoptr(GPtrArray) left = scaler_test_service_list_ids (local);

    g_assert_cmpuint (left->len, ==, 0);
  }
}

static void
stored_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (scaler_credentials_store_secrets_finish (SCALER_CREDENTIALS (object), result, NULL));
  *done = TRUE;
}

/* In this computer's keyring (the application's backend). */
static void
store_local_secrets (const char *id)
{
  ScalerCredentials *credentials = scaler_application_get_credentials (app);
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  gboolean done = FALSE;

  secrets->aws_access_key_id = g_strdup ("AKIAMOVEDKEYEXAMPLE1");
  secrets->aws_secret_access_key = g_strdup ("moved-aws-secret-value");
  secrets->clearml_access_key = g_strdup ("MOVEDCLEARMLKEY");
  secrets->clearml_secret_key = g_strdup ("moved-clearml-secret");
  scaler_credentials_store_secrets_async (credentials, id, secrets, NULL, stored_cb, &done);
  scaler_test_wait (done, 10, "the secrets stored");
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, needle) != NULL;
}

/* Whether any file under @path holds @needle. */
static gboolean
tree_contains (const char *path,
               const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) ? tree_contains (child, needle) : file_contains (child, needle))
        return TRUE;
    }
  return FALSE;
}

/* With the user's agreement, the secrets go with it, into the server's
 * 0600 file (no keyring there), and only then is this computer's copy
 * removed (it was stopped: nothing starts there). */
static void
test_move_with_secrets (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *json = keyring_config (id, "Secret pool");
  g_autofree char *path = NULL;
  g_autofree char *hint = NULL;
  AdwMessageDialog *dialog;
  GtkCheckButton *send;
  GStatBuf st;

  g_free (create_on (local, json, id, FALSE));
  store_local_secrets (id);
  add_server (f, "gpu-server");
  scaler_test_wait (scaler_test_row_for_id (f->window, id) != NULL, 20, "the row");

  dialog = open_move (f, id);
  send = g_object_get_data (G_OBJECT (dialog), "send-secrets");
  g_assert_true (GTK_IS_CHECK_BUTTON (send));
  /* Nothing crosses unless the user says so; the dialog says where they go. */
  g_assert_false (gtk_check_button_get_active (send));
  hint = g_strdup (gtk_label_get_text (g_object_get_data (G_OBJECT (dialog), "secrets-hint")));
  g_assert_nonnull (strstr (hint, "0600"));
  gtk_check_button_set_active (send, TRUE);
  adw_message_dialog_response (dialog, "move");

  scaler_test_wait (scaler_machine_find (scaler_application_get_local_machine (app), id) == NULL, 60,
                    "this computer's copy to go");
  path = scaler_test_service_secrets_path (server, id);
  g_assert_true (file_contains (path, "moved-aws-secret-value"));
  g_assert_true (file_contains (path, "moved-clearml-secret"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  {
    g_autoptr(ScalerDbusAutoscaler) there = scaler_test_proxy_for (server, id);

    g_assert_cmpstr (scaler_dbus_autoscaler_get_desired_state (there), ==, "stopped");
  }
}

/* Without the agreement, no secret reaches the server. */
static void
test_move_without_secrets (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *json = keyring_config (id, "Kept secrets");
  g_autofree char *path = NULL;
  AdwMessageDialog *dialog;

  g_free (create_on (local, json, id, FALSE));
  store_local_secrets (id);
  add_server (f, "gpu-server");
  scaler_test_wait (scaler_test_row_for_id (f->window, id) != NULL, 20, "the row");

  dialog = open_move (f, id);
  adw_message_dialog_response (dialog, "move");
  scaler_test_wait (scaler_machine_find (scaler_application_get_local_machine (app), id) == NULL, 60,
                    "this computer's copy to go");
  scaler_test_wait (scaler_machine_find (f->remote, id) != NULL, 20, "the server's copy");
  path = scaler_test_service_secrets_path (server, id);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (tree_contains (server->dir, "moved-aws-secret-value"));
  g_assert_false (tree_contains (server->dir, "moved-clearml-secret"));
}

/* The server cannot run it (here: its secrets were not sent, and the
 * server has none): the move stops, the server's copy goes again, this
 * computer's copy stays running, and the error says so. */
static void
test_move_fails_keeps_local (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *json = keyring_config (id, "Cannot run there");
  ScalerClientAutoscaler *here;
  AdwMessageDialog *dialog;
  GtkWindow *error_dialog;

  g_free (create_on (local, json, id, TRUE));
  add_server (f, "gpu-server");
  scaler_test_wait ((here = scaler_machine_find (scaler_application_get_local_machine (app), id)) != NULL, 20,
                    "the autoscaler");
  g_assert_cmpstr (scaler_client_autoscaler_get_desired_state (here), ==, "running");

  dialog = open_move (f, id);
  adw_message_dialog_response (dialog, "move");
  scaler_test_wait ((error_dialog = scaler_window_get_dialog (f->window)) != NULL &&
                    ADW_IS_MESSAGE_DIALOG (error_dialog) &&
                    g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (error_dialog)),
                               "Could Not Move the Autoscaler") == 0, 90, "the error");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (error_dialog)),
                            "keeps running on this computer"));
  scaler_test_wait (scaler_machine_find (f->remote, id) == NULL, 30, "the server's copy to go");
  g_assert_true (scaler_machine_find (scaler_application_get_local_machine (app), id) == here);
  g_assert_cmpstr (scaler_client_autoscaler_get_desired_state (here), ==, "running");
  gtk_window_destroy (error_dialog);
}

/* ---- through a real OpenSSH server ---- */

typedef struct
{
  char  *dir;
  char  *key;            /* authorized */
  char  *other_key;      /* not authorized: the server falls back to a password */
  char  *known_hosts;
  guint  port;
  GPid   pid;
} Sshd;

static Sshd *sshd;

static void
die_with_test (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
}

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
port_open (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

  return connection != NULL;
}

static char *
read_text (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return g_strstrip (text);
}

/* A throwaway sshd for the test's own user, on 127.0.0.1 and a high port. */
static Sshd *
sshd_start (void)
{
  Sshd *s = g_new0 (Sshd, 1);
  g_autofree char *host_key = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *authorized = NULL;
  g_autofree char *pub = NULL;
  g_autofree char *host_pub = NULL;
  g_autofree char *known = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "/usr/sbin/sshd", "-D", "-e", "-f", NULL, NULL };
  gint64 deadline;

  s->dir = g_dir_make_tmp ("scaler-sshd-XXXXXX", &error);
  g_assert_no_error (error);
  host_key = g_build_filename (s->dir, "host_key", NULL);
  s->key = g_build_filename (s->dir, "id_ed25519", NULL);
  s->other_key = g_build_filename (s->dir, "other_ed25519", NULL);
  authorized = g_build_filename (s->dir, "authorized_keys", NULL);
  s->known_hosts = g_build_filename (s->dir, "known_hosts", NULL);
  config_path = g_build_filename (s->dir, "sshd_config", NULL);
  {
    const char *keygen_host[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key, NULL };
    const char *keygen_user[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", s->key, NULL };
    const char *keygen_other[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", s->other_key, NULL };

    run (keygen_host);
    run (keygen_user);
    run (keygen_other);
  }
  pub = g_strconcat (s->key, ".pub", NULL);
  {
    g_autofree char *key_text = read_text (pub);
    g_autofree char *host_path = g_strconcat (host_key, ".pub", NULL);

    g_assert_true (g_file_set_contents (authorized, key_text, -1, NULL));
    g_chmod (authorized, 0600);
    host_pub = read_text (host_path);
  }
  s->port = free_port ();
  known = g_strdup_printf ("[127.0.0.1]:%u %s\n", s->port, host_pub);
  g_assert_true (g_file_set_contents (s->known_hosts, known, -1, NULL));

  config = g_strdup_printf ("Port %u\nListenAddress 127.0.0.1\nHostKey %s\nAuthorizedKeysFile %s\n"
                            "PidFile %s/sshd.pid\nStrictModes no\nUsePAM no\nPasswordAuthentication yes\n"
                            "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
                            "PubkeyAuthentication yes\nLogLevel ERROR\n",
                            s->port, host_key, authorized, s->dir);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  /* As root, sshd wants its privilege separation directory. */
  if (geteuid () == 0)
    g_mkdir_with_parents ("/run/sshd", 0755);

  argv[4] = config_path;
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, die_with_test, NULL, &s->pid,
                                &error));
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!port_open (s->port) && g_get_monotonic_time () < deadline)
    g_usleep (50000);
  g_assert_true (port_open (s->port));
  return s;
}

static void
sshd_stop (Sshd *s)
{
  int status;

  kill (s->pid, SIGKILL);
  waitpid (s->pid, &status, 0);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf %s", s->dir);

    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  }
  g_free (s->dir);
  g_free (s->key);
  g_free (s->other_key);
  g_free (s->known_hosts);
  g_free (s);
}

/* ssh with the test's keys and known hosts; on the server, the bridge to
 * the server's bus (sshd does not pass our environment). */
static void
use_ssh_with (const char *identity,
              const char *known_hosts)
{
  g_autofree char *bus = g_shell_quote (server->bus_address);
  g_autofree char *command = NULL;

  command = g_strdup_printf ("ssh -F /dev/null -x -T -o BatchMode=yes -o IdentitiesOnly=yes -i %s "
                             "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=%s -o ConnectTimeout=20 "
                             "{port-option} -- {destination} systemd-stdio-bridge --bus-path=%s",
                             identity, known_hosts, bus);
  g_setenv ("SCALER_CONNECT_COMMAND", command, TRUE);
}

static gboolean
have_sshd (void)
{
  g_autofree char *ssh = g_find_program_in_path ("ssh");

  if (g_file_test ("/usr/sbin/sshd", G_FILE_TEST_IS_EXECUTABLE) && ssh != NULL)
    return TRUE;
  g_test_skip ("sshd is not installed (build-aux/deps.sh installs openssh-server)");
  return FALSE;
}

static char *
ssh_address (void)
{
  return g_strdup_printf ("%s@127.0.0.1:%u", g_get_user_name (), sshd->port);
}

/* Add Server over real SSH, then Move to Server: the server reports the
 * moved demo running, and this computer's copy is gone. */
static void
test_ssh_add_and_move (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *address = NULL;
  g_autofree char *id = NULL;
  g_autoptr(ScalerDbusAutoscaler) there = NULL;
  AdwMessageDialog *dialog;

  if (!have_sshd ())
    return;
  use_ssh_with (sshd->key, sshd->known_hosts);
  address = ssh_address ();
  id = demo_on (local, "Over SSH", TRUE);
  add_server (f, address);
  scaler_test_wait (scaler_test_row_for_id (f->window, id) != NULL, 20, "the row");

  dialog = open_move (f, id);
  adw_message_dialog_response (dialog, "move");
  scaler_test_wait (scaler_machine_find (scaler_application_get_local_machine (app), id) == NULL, 90,
                    "this computer's copy to go");
  there = scaler_test_proxy_for (server, id);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_state (there), ==, "running");
  scaler_test_wait (scaler_machine_find (f->remote, id) != NULL, 20, "the server's copy in the sidebar");
}

/* A host that wants a password: a clear error, never a prompt. */
static void
test_ssh_password (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *address = NULL;
  g_autofree char *error = NULL;

  if (!have_sshd ())
    return;
  use_ssh_with (sshd->other_key, sshd->known_hosts);
  address = ssh_address ();
  error = add_server_fails (f, address);
  g_assert_nonnull (strstr (error, "asked for a password"));
  g_assert_nonnull (strstr (error, "ssh-copy-id"));
}

/* A host whose key is not known yet: said so, never accepted blindly. */
static void
test_ssh_unknown_host_key (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *address = NULL;
  g_autofree char *error = NULL;
  g_autofree char *empty = NULL;

  if (!have_sshd ())
    return;
  empty = g_build_filename (sshd->dir, "empty_known_hosts", NULL);
  use_ssh_with (sshd->key, empty);
  address = ssh_address ();
  error = add_server_fails (f, address);
  g_assert_nonnull (strstr (error, "host key"));
  g_assert_nonnull (strstr (error, "not known yet"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  local = scaler_test_service_new ();
  scaler_test_service_use (local);
  scaler_test_service_start (local);
  scaler_test_service_watch_notifications (local);
  server = scaler_test_service_new ();
  scaler_test_service_start (server);
  g_setenv ("SCALER_CREDENTIALS", "memory", TRUE);

  scaler_test_gtk_init (&argc, &argv);
  /* A server remembered from an earlier run, reached through the bridge. */
  use_bridge_to (server);
  {
    g_autoptr(GSettings) settings = g_settings_new ("io.github.ec2autoscaler.Autoscaler");
    const char *remembered[] = { "remembered-server", NULL };

    g_settings_set_strv (settings, "servers", remembered);
  }
  app = scaler_test_app_new ();
  if (g_file_test ("/usr/sbin/sshd", G_FILE_TEST_IS_EXECUTABLE))
    sshd = sshd_start ();

#define ADD(path, func) \
  g_test_add ("/scaler/app-remote/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("remembered-server", test_remembered_server);
  ADD ("add-server", test_add_server);
  ADD ("server-autoscaler", test_server_autoscaler);
  ADD ("edit-on-server", test_edit_on_server);
  ADD ("connection-dropped", test_connection_dropped);
  ADD ("bad-address", test_bad_address);
  ADD ("no-service", test_no_service);
  ADD ("move-running", test_move_running);
  ADD ("move-with-secrets", test_move_with_secrets);
  ADD ("move-without-secrets", test_move_without_secrets);
  ADD ("move-fails-keeps-local", test_move_fails_keeps_local);
  ADD ("ssh-add-and-move", test_ssh_add_and_move);
  ADD ("ssh-password", test_ssh_password);
  ADD ("ssh-unknown-host-key", test_ssh_unknown_host_key);
#undef ADD

  status = g_test_run ();
  g_clear_object (&app);
  if (sshd != NULL)
    sshd_stop (sshd);
  scaler_test_service_free (server);
  scaler_test_service_free (local);
  return status;
}
