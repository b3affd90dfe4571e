/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Widget test: the main window's sidebar. Saved autoscalers appear as rows
 * (a corrupt file as a broken row with its error), an in-place edit keeps
 * the selection, delete asks first and removes the secrets, the selection
 * is remembered through GSettings, and "Try the Demo" starts an engine on
 * the simulator whose results reach the row. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "scaler-application.h"
#include "scaler-credentials-memory.h"
#include "scaler-gui-resources.h"
#include "scaler-sidebar-row.h"
#include "scaler-window.h"
#include "scaler-wizard.h"

static char *config_dir;
static ScalerApplication *app;

/* A stand-in desktop notification server on the private session bus: it
 * records what the app sends (GNotification's freedesktop backend). */
static GPtrArray *notifications;   /* "summary\nbody" */
static gboolean notifications_owned;

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "  </interface>"
  "</node>";

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *object_path,
                         const char            *interface_name,
                         const char            *method_name,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  if (g_str_equal (method_name, "Notify"))
    {
      const char *summary = NULL;
      const char *body = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (notifications, g_strdup_printf ("%s\n%s", summary, body));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notifications->len));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "test", "test", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
notifications_acquired_cb (GDBusConnection *connection,
                           const char      *name,
                           gpointer         user_data)
{
  notifications_owned = TRUE;
}

static void
start_notification_server (void)
{
  static const GDBusInterfaceVTable vtable = { notifications_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  notifications = g_ptr_array_new_with_free_func (g_free);
  g_assert_nonnull (bus);
  g_assert_cmpuint (g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                       info->interfaces[0], &vtable, NULL, NULL, NULL), >, 0);
  g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                notifications_acquired_cb, NULL, NULL, NULL);
  while (!notifications_owned && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (notifications_owned);
}

static void
spin (guint n)
{
  for (guint i = 0; i < n; i++)
    g_main_context_iteration (NULL, FALSE);
}

#define spin_until(cond, seconds) \
  G_STMT_START { \
    gint64 spin_deadline = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < spin_deadline) \
      if (!g_main_context_iteration (NULL, FALSE)) \
        g_usleep (1000); \
    g_assert_true (cond); \
  } G_STMT_END

static GtkListBox *
sidebar (ScalerWindow *window)
{
  return GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), SCALER_TYPE_WINDOW, "sidebar_list"));
}

static ScalerSidebarRow *
row_at (ScalerWindow *window,
        guint         index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (sidebar (window), index);

  return row ? SCALER_SIDEBAR_ROW (row) : NULL;
}

static guint
n_rows (ScalerWindow *window)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (sidebar (window), n) != NULL)
    n++;

  return n;
}

static ScalerConfig *
make_config (const char *name)
{
  ScalerConfig *config = scaler_config_new ();
  ScalerResource *r = scaler_resource_new ();

  g_free (config->name);
  config->name = g_strdup (name);
  g_free (r->name);
  r->name = g_strdup ("cpu");
  g_free (r->queue);
  r->queue = g_strdup ("default");
  g_free (r->instance_type);
  r->instance_type = g_strdup ("c5.large");
  g_free (r->ami_id);
  r->ami_id = g_strdup ("ami-0123456789abcdef0");
  g_ptr_array_add (config->resources, r);

  return config;
}

static ScalerWindow *
new_window (ScalerApplication *application)
{
  ScalerWindow *window = scaler_window_new (application);

  g_object_ref_sink (window);
  gtk_window_present (GTK_WINDOW (window));
  spin (30);

  return window;
}

static void
close_window (ScalerWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  spin (10);
  g_object_unref (window);
}

static void
store_secret_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (scaler_credentials_store_secrets_finish (SCALER_CREDENTIALS (object), result, NULL));
  *done = TRUE;
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ScalerSecrets **out = user_data;

  *out = scaler_credentials_lookup_secrets_finish (SCALER_CREDENTIALS (object), result, NULL);
  if (*out == NULL)
    *out = scaler_secrets_new ();
}

static void
test_sidebar (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.ec2autoscaler.Autoscaler");
  g_autoptr(ScalerConfig) alpha = make_config ("Alpha");
  g_autoptr(ScalerConfig) beta = make_config ("Beta");
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  g_autoptr(ScalerSecrets) after = NULL;
  g_autofree char *broken_path = g_build_filename (config_dir, "ec2-autoscaler", "zz-broken.json", NULL);
  g_autofree char *broken_contents = NULL;
  ScalerAutoscalerStore *store;
  ScalerCredentials *credentials;
  ScalerWindow *window;
  ScalerSidebarRow *row;
  GtkWindow *dialog;
  gboolean stored = FALSE;

  /* Two good files and a corrupt one, before the app starts. */
  {
    g_autoptr(ScalerAutoscalerStore) seed = scaler_autoscaler_store_new (NULL);

    g_assert_true (scaler_autoscaler_store_load (seed, NULL));
    g_assert_nonnull (scaler_autoscaler_store_add (seed, beta, NULL));
    g_assert_nonnull (scaler_autoscaler_store_add (seed, alpha, NULL));
    g_assert_true (g_file_set_contents (broken_path, "{ \"version\": 1, \"name\": ", -1, NULL));
  }

  /* The application loads the store at startup. */
  app = scaler_application_new ();
  /* Tests run in parallel on one session bus: never become a remote
   * instance of another test's application. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_assert_false (g_application_get_is_remote (G_APPLICATION (app)));
  store = scaler_application_get_store (app);
  credentials = scaler_application_get_credentials (app);
  g_assert_true (SCALER_IS_CREDENTIALS_MEMORY (credentials));
  window = new_window (app);

  /* Rows in store order; the broken one says why and keeps its file. */
  g_assert_cmpuint (n_rows (window), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);
  g_assert_cmpstr (scaler_sidebar_row_get_title (row_at (window, 0)), ==, "Alpha");
  g_assert_cmpstr (scaler_sidebar_row_get_title (row_at (window, 1)), ==, "Beta");
  g_assert_cmpstr (scaler_sidebar_row_get_state (row_at (window, 0)), ==, "stopped");
  g_assert_cmpstr (scaler_sidebar_row_get_status (row_at (window, 0)), ==, "Stopped");
  row = row_at (window, 2);
  g_assert_cmpstr (scaler_sidebar_row_get_state (row), ==, "broken");
  g_assert_true (g_str_has_prefix (scaler_sidebar_row_get_status (row), "Cannot be read"));
  g_assert_true (g_file_get_contents (broken_path, &broken_contents, NULL, NULL));
  g_assert_cmpstr (broken_contents, ==, "{ \"version\": 1, \"name\": ");

  /* Selecting remembers the choice. */
  gtk_list_box_select_row (sidebar (window), GTK_LIST_BOX_ROW (row_at (window, 1)));
  spin (5);
  g_assert_cmpstr (scaler_window_get_selected_id (window), ==, beta->id);
  {
    g_autofree char *last = g_settings_get_string (settings, "last-autoscaler");
    g_assert_cmpstr (last, ==, beta->id);
  }

  /* An edit updates the row in place: same widget, still selected. */
  row = row_at (window, 1);
  {
    g_autoptr(ScalerConfig) renamed = scaler_config_copy (beta);

    g_free (renamed->name);
    renamed->name = g_strdup ("Beta Prime");
    g_assert_true (scaler_autoscaler_store_update (store, renamed, NULL));
  }
  spin (5);
  g_assert_true (row_at (window, 1) == row);
  g_assert_cmpstr (scaler_sidebar_row_get_title (row), ==, "Beta Prime");
  g_assert_true (gtk_list_box_get_selected_row (sidebar (window)) == GTK_LIST_BOX_ROW (row));

  /* A new window (a restart) selects the remembered instance. */
  close_window (window);
  window = new_window (app);
  g_assert_cmpstr (scaler_window_get_selected_id (window), ==, beta->id);

  /* Delete asks first; cancelling keeps everything. */
  secrets->aws_access_key_id = g_strdup ("AKIADELETEMEEXAMPLE1");
  secrets->aws_secret_access_key = g_strdup ("delete-me-secret");
  scaler_credentials_store_secrets_async (credentials, beta->id, secrets, NULL, store_secret_cb, &stored);
  spin_until (stored, 5);
  g_assert_cmpuint (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)), ==, 2);

  {
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (beta->id));

    gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.delete-autoscaler", target);
  }
  spin (10);
  dialog = scaler_window_get_dialog (window);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_true (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete") == ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  spin (20);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);

  {
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (beta->id));

    gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.delete-autoscaler", target);
  }
  spin (10);
  dialog = scaler_window_get_dialog (window);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "delete");
  spin_until (g_list_model_get_n_items (G_LIST_MODEL (store)) == 2, 10);
  spin_until (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)) == 0, 10);
  g_assert_null (scaler_autoscaler_store_find (store, beta->id));
  g_assert_cmpuint (n_rows (window), ==, 2);
  scaler_credentials_lookup_secrets_async (credentials, beta->id, NULL, lookup_cb, &after);
  spin_until (after != NULL, 5);
  g_assert_null (after->aws_access_key_id);
  /* Something is still selected. */
  g_assert_nonnull (scaler_window_get_selected_id (window));

  /* Edit opens the wizard on that config, in edit mode. */
  {
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (alpha->id));
    GtkWindow *wizard;

    gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.edit-autoscaler", target);
    spin (10);
    wizard = scaler_window_get_dialog (window);
    g_assert_true (SCALER_IS_WIZARD (wizard));
    g_assert_true (scaler_wizard_is_editing (SCALER_WIZARD (wizard)));
    {
      g_autoptr(ScalerConfig) shown = scaler_wizard_dup_config (SCALER_WIZARD (wizard));

      g_assert_cmpstr (shown->id, ==, alpha->id);
      g_assert_cmpstr (shown->name, ==, "Alpha");
    }
    gtk_window_destroy (wizard);
    spin (10);
  }

  /* Export writes the config, not the secrets. */
  {
    g_autofree char *path = g_build_filename (config_dir, "exported.json", NULL);
    g_autofree char *contents = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(ScalerSecrets) alpha_secrets = scaler_secrets_new ();

    alpha_secrets->clearml_access_key = g_strdup ("ALPHAKEY");
    alpha_secrets->clearml_secret_key = g_strdup ("alpha-secret");
    stored = FALSE;
    scaler_credentials_store_secrets_async (credentials, alpha->id, alpha_secrets, NULL, store_secret_cb, &stored);
    spin_until (stored, 5);

    g_assert_true (scaler_window_export_instance (window, alpha->id, path, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, alpha->id));
    g_assert_nonnull (strstr (contents, "\"Alpha\""));
    g_assert_null (strstr (contents, "ALPHAKEY"));
    g_assert_null (strstr (contents, "alpha-secret"));
    g_assert_false (scaler_window_export_instance (window, "no-such-id", path, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_unlink (path);
  }

  /* Duplicate: a new file under a new id, with copies of the secrets. */
  {
    g_autoptr(ScalerSecrets) copied = NULL;
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (alpha->id));
    const char *copy_id;


    gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.duplicate-autoscaler", target);
    spin_until (g_list_model_get_n_items (G_LIST_MODEL (store)) == 3, 5);
    copy_id = scaler_window_get_selected_id (window);
    g_assert_nonnull (copy_id);
    g_assert_cmpstr (copy_id, !=, alpha->id);
    g_assert_nonnull (strstr (scaler_autoscaler_get_name (scaler_autoscaler_store_find (store, copy_id)), "Alpha"));
    spin_until (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)) == 4, 5);
    scaler_credentials_lookup_secrets_async (credentials, copy_id, NULL, lookup_cb, &copied);
    spin_until (copied != NULL, 5);
    g_assert_cmpstr (copied->clearml_secret_key, ==, "alpha-secret");
  }

  close_window (window);
  g_unlink (broken_path);
}

static void
test_demo (void)
{
  ScalerWindow *window;
  ScalerSidebarRow *row = NULL;
  ScalerEngine *engine;
  const char *id;
  guint n;

  window = new_window (app);
  n = g_list_model_get_n_items (G_LIST_MODEL (scaler_application_get_store (app)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.try-demo", NULL));
  spin_until (scaler_application_get_n_engines (app) == 1, 10);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (scaler_application_get_store (app))), ==, n + 1);
  id = scaler_window_get_selected_id (window);
  g_assert_nonnull (id);
  engine = scaler_application_get_engine (app, id);
  g_assert_nonnull (engine);
  g_assert_true (scaler_engine_get_config (engine)->demo);

  for (guint i = 0; i < n + 1; i++)
    if (g_strcmp0 (scaler_autoscaler_get_id (scaler_sidebar_row_get_instance (row_at (window, i))), id) == 0)
      row = row_at (window, i);
  g_assert_nonnull (row);

  /* The simulator moves within seconds and the row counts what runs. */
  spin_until (scaler_engine_get_last_result (engine) != NULL, 20);
  spin_until (g_strcmp0 (scaler_sidebar_row_get_state (row), "running") == 0, 10);
  g_assert_nonnull (strstr (scaler_sidebar_row_get_status (row), "running"));
  g_assert_nonnull (strstr (scaler_sidebar_row_get_status (row), "idle"));

  /* Trying the demo again reuses it. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.try-demo", NULL);
  spin (20);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (scaler_application_get_store (app))), ==, n + 1);

  /* Stop: the engine goes, the row says so. */
  {
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (id));

    gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.stop-autoscaler", target);
  }
  spin_until (scaler_application_get_n_engines (app) == 0, 20);
  g_assert_cmpstr (scaler_sidebar_row_get_state (row), ==, "stopped");

  close_window (window);
}

/* A real (non-demo) config whose servers do not answer: starting it uses
 * the keyring secrets, the engine ends up in error and the row says so. */
static void
test_error_state (void)
{
  ScalerAutoscalerStore *store = scaler_application_get_store (app);
  ScalerCredentials *credentials = scaler_application_get_credentials (app);
  g_autoptr(ScalerConfig) config = make_config ("Unreachable");
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  ScalerSidebarRow *row = NULL;
  ScalerWindow *window;
  ScalerEngine *engine;
  GtkWidget *other;
  gboolean stored = FALSE;

  config->aws_endpoint = g_strdup ("http://127.0.0.1:9");
  g_free (config->clearml_api_server);
  config->clearml_api_server = g_strdup ("http://127.0.0.1:9");
  config->polling_interval_time_min = 0.02;
  g_assert_nonnull (scaler_autoscaler_store_add (store, config, NULL));
  secrets->aws_access_key_id = g_strdup ("AKIDEXAMPLE");
  secrets->aws_secret_access_key = g_strdup ("not-a-real-secret");
  secrets->clearml_access_key = g_strdup ("KEY");
  secrets->clearml_secret_key = g_strdup ("SECRET");
  scaler_credentials_store_secrets_async (credentials, config->id, secrets, NULL, store_secret_cb, &stored);
  spin_until (stored, 5);

  window = new_window (app);
  g_assert_true (scaler_window_select_instance (window, config->id));
  row = SCALER_SIDEBAR_ROW (gtk_list_box_get_selected_row (sidebar (window)));
  g_assert_cmpstr (scaler_sidebar_row_get_state (row), ==, "stopped");

  /* Another window takes the focus, as if the user went elsewhere. */
  other = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (other));
  spin (50);
  g_test_message ("main window active: %d", gtk_window_is_active (GTK_WINDOW (window)));

  {
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (config->id));

    gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.start-autoscaler", target);
  }
  spin_until (scaler_application_get_engine (app, config->id) != NULL, 10);
  engine = scaler_application_get_engine (app, config->id);
  spin_until (scaler_engine_get_state (engine) == SCALER_ENGINE_STATE_ERROR, 30);
  g_assert_cmpstr (scaler_sidebar_row_get_state (row), ==, "error");
  g_assert_nonnull (scaler_engine_get_error_message (engine));
  g_assert_cmpstr (scaler_sidebar_row_get_status (row), ==, scaler_engine_get_error_message (engine));

  /* The window is not focused (no window manager): a desktop notification
   * says which autoscaler needs attention, and why. */
  if (!gtk_window_is_active (GTK_WINDOW (window)))
    {
      gboolean found = FALSE;

      spin_until (notifications->len > 0, 10);
      for (guint i = 0; i < notifications->len; i++)
        if (g_str_has_prefix (g_ptr_array_index (notifications, i), "Unreachable") &&
            strstr (g_ptr_array_index (notifications, i), "127.0.0.1") != NULL)
          found = TRUE;
      g_assert_true (found);
      g_test_message ("notified: %s", (char *) g_ptr_array_index (notifications, 0));
    }
  else
    g_test_message ("the window is focused: no notification expected");

  scaler_application_stop_all (app, 20);
  g_assert_cmpuint (scaler_application_get_n_engines (app), ==, 0);
  g_assert_cmpstr (scaler_sidebar_row_get_state (row), ==, "stopped");
  gtk_window_destroy (GTK_WINDOW (other));
  close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = g_dir_make_tmp ("scaler-sidebar-XXXXXX", NULL);

  /* Before GLib caches the XDG directories: nothing touches the user's. */
  config_dir = g_build_filename (tmp, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  g_setenv ("XDG_STATE_HOME", tmp, TRUE);
  g_setenv ("SCALER_CREDENTIALS", "memory", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (scaler_gui_get_resource ());

  start_notification_server ();

  g_test_add_func ("/scaler/sidebar/rows-edit-delete-remember", test_sidebar);
  g_test_add_func ("/scaler/sidebar/demo", test_demo);
  g_test_add_func ("/scaler/sidebar/error-state", test_error_state);

  {
    int status = g_test_run ();

    g_clear_object (&app);
    return status;
  }
}
