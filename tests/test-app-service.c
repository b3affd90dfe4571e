/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The app as a view of the background service, with real processes: the
 * built ec2-autoscalerd --service, started by D-Bus activation on a private
 * bus (as installed), and the app in this process or as its own process.
 * Closing the window leaves the autoscalers running (and says so once);
 * reopening shows what happened meanwhile; killing the app changes nothing
 * in the service; Stop All stops every autoscaler after saying what on_stop
 * does; a service that went away is shown with Retry, and Retry starts it
 * again; what another client creates, renames or deletes shows at once;
 * inside flatpak the app asks the Background portal to start the service at
 * login. Under Xvfb. */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "scaler-dashboard.h"
#include "scaler-gui-resources.h"
#include "support/scaler-test-app.h"

static ScalerTestService *session;
static ScalerApplication *app;
static char *flatpak_info;

typedef struct
{
  ScalerMachine *local;
  ScalerWindow  *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->local = scaler_application_get_local_machine (app);
  scaler_machine_connect (f->local);
  scaler_test_wait_connected (f->local);
  f->window = scaler_test_window_new (app);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    scaler_test_window_close (f->window);
  scaler_test_service_delete_all (session);
}

static char *
create_demo (const char *name,
             gboolean    start)
{
  g_autoptr(ScalerDbusManager) manager = scaler_test_manager_proxy (session);
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *json = scaler_test_demo_json (id, name);
  g_autoptr(GError) error = NULL;

  scaler_dbus_manager_call_create_sync (manager, json, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, NULL, &error);
  g_assert_no_error (error);
  if (start)
    {
      g_autoptr(ScalerDbusAutoscaler) proxy = scaler_test_proxy_for (session, id);

      scaler_dbus_autoscaler_call_start_sync (proxy, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, &error);
      g_assert_no_error (error);
    }
  return g_steal_pointer (&id);
}

/* The Cycle property as another client reads it (not the app). */
static guint
service_cycle (const char *id)
{
  g_autoptr(ScalerDbusAutoscaler) proxy = scaler_test_proxy_for (session, id);

  return scaler_dbus_autoscaler_get_cycle (proxy);
}

static gboolean
cycled_past (const char *id,
             guint       cycle)
{
  return service_cycle (id) > cycle;
}

/* D-Bus activation starts the service for the app: nothing ran before. */
static void
test_activation (void)
{
  ScalerMachine *local = scaler_application_get_local_machine (app);

  scaler_test_wait_connected (local);
  g_assert_cmpint (scaler_test_service_owner_pid (session), >, 0);
}

/* Close the window: the demo keeps cycling in the service; the first time a
 * notification says so; a new window shows the history of meanwhile. */
static void
test_window_closed_keeps_running (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.ec2autoscaler.Autoscaler");
  ScalerClientAutoscaler *demo;
  ScalerDashboard *dashboard;
  g_autofree char *id = NULL;
  guint at_close;

  g_settings_reset (settings, "background-notice-shown");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.try-demo", NULL));
  scaler_test_wait ((demo = scaler_window_get_selected (f->window)) != NULL, 20, "the demo");
  id = g_strdup (scaler_client_autoscaler_get_id (demo));
  scaler_test_wait (scaler_client_autoscaler_get_cycle (demo) >= 3, 60, "three cycles");

  gtk_window_close (GTK_WINDOW (f->window));
  scaler_test_spin (20);
  g_object_unref (f->window);
  f->window = NULL;
  at_close = service_cycle (id);
  scaler_test_wait (scaler_test_service_notified (session, "Autoscalers Keep Running"), 20, "the notice");
  g_assert_true (scaler_test_service_notified (session, "Stop All Autoscalers"));
  g_assert_true (g_settings_get_boolean (settings, "background-notice-shown"));

  /* No window: the service goes on. */
  scaler_test_wait (cycled_past (id, at_close + 3), 60, "cycles with the window closed");

  /* Reopened: the plots hold the cycles of meanwhile too. */
  f->window = scaler_test_window_new (app);
  g_assert_true (scaler_window_select_instance (f->window, id));
  dashboard = scaler_window_get_dashboard (f->window);
  scaler_test_wait (scaler_client_autoscaler_is_loaded (scaler_window_get_selected (f->window)), 20, "the history");
  g_assert_cmpuint (scaler_series_get_n_samples (scaler_plot_get_series (
                      scaler_dashboard_get_plot (dashboard, SCALER_DASHBOARD_PLOT_WORKERS), 0)), >=, at_close + 3);

  /* The notice comes once. */
  g_ptr_array_set_size (session->notifications->calls, 0);
  gtk_window_close (GTK_WINDOW (f->window));
  scaler_test_spin (50);
  g_object_unref (f->window);
  f->window = NULL;
  g_usleep (200000);
  scaler_test_spin (50);
  g_assert_false (scaler_test_service_notified (session, "Autoscalers Keep Running"));
}

static void
die_with_test (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
reap_cb (GPid     pid,
         int      status,
         gpointer data)
{
  int *out = data;

  *out = status;
  g_spawn_close_pid (pid);
}

/* The app as its own process, killed with SIGKILL: the service keeps its
 * process, its state and its cycles. */
static void
test_app_killed (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *app_path = g_build_filename (SCALER_BUILD_DIR, "src", "gui", "ec2-autoscaler", NULL);
  const char *argv[] = { app_path, NULL };
  g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *id = create_demo ("Killed app", TRUE);
  GPid service = scaler_test_service_owner_pid (session);
  GPid pid = 0;
  int status = -1;
  guint cycle;

  envp = g_environ_setenv (envp, "SCALER_CREDENTIALS", "memory", TRUE);
  /* Only its death by SIGKILL is under test here. */
  envp = g_environ_unsetenv (envp, "G_DEBUG");
  envp = g_environ_unsetenv (envp, "SCALER_TEST_FLATPAK_INFO");
  g_assert_true (g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, die_with_test, NULL, &pid,
                                &error));
  g_assert_no_error (error);
  g_child_watch_add (pid, reap_cb, &status);

  /* The app is up (its name), and a client of the service. */
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    gboolean owned = FALSE;

    while (!owned && g_get_monotonic_time () < deadline)
      {
        g_autoptr(GVariant) reply = g_dbus_connection_call_sync (session->connection, "org.freedesktop.DBus",
                                                                 "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                                                 "NameHasOwner",
                                                                 g_variant_new ("(s)", APP_ID),
                                                                 G_VARIANT_TYPE ("(b)"), 0, 5000, NULL, NULL);

        if (reply != NULL)
          g_variant_get (reply, "(b)", &owned);
        scaler_test_spin (10);
        g_usleep (20000);
      }
    g_assert_true (owned);
  }
  proxy = scaler_test_proxy_for (session, id);
  scaler_test_wait (scaler_dbus_autoscaler_get_cycle (proxy) >= 2, 60, "cycles");
  g_usleep (1000000);

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  scaler_test_wait (status != -1, 20, "the app to die");
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  cycle = scaler_dbus_autoscaler_get_cycle (proxy);

  /* Nothing changed in the service, which goes on. */
  g_assert_cmpint (scaler_test_service_owner_pid (session), ==, service);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_desired_state (proxy), ==, "running");
  scaler_test_wait (scaler_dbus_autoscaler_get_cycle (proxy) > cycle + 2, 60, "more cycles");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_state (proxy), ==, "running");
  g_assert_cmpint (scaler_test_service_owner_pid (session), ==, service);
}

/* A file that does not load: its row and its page say why, in the
 * service's words, and the file is left alone. */
static void
test_broken_autoscaler (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *id = g_uuid_string_random ();
  ScalerClientAutoscaler *broken;
  ScalerSidebarRow *row;
  AdwStatusPage *page;

  scaler_test_service_write_json (session, id, "{ \"version\": 1, \"id\": \"not closed");
  scaler_test_wait ((row = scaler_test_row_for_id (f->window, id)) != NULL, 20, "the row");
  broken = scaler_sidebar_row_get_autoscaler (row);
  g_assert_true (scaler_client_autoscaler_is_broken (broken));
  g_assert_cmpstr (scaler_client_autoscaler_get_state (broken), ==, "failed");
  g_assert_cmpstr (scaler_sidebar_row_get_state (row), ==, "broken");
  g_assert_nonnull (strstr (scaler_sidebar_row_get_status (row), scaler_client_autoscaler_get_error (broken)));

  g_assert_true (scaler_window_select_instance (f->window, id));
  scaler_test_spin (10);
  g_assert_cmpstr (scaler_window_get_content_page (f->window), ==, "broken");
  page = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (f->window), SCALER_TYPE_WINDOW, "broken_page"));
  g_assert_nonnull (strstr (adw_status_page_get_description (page), scaler_client_autoscaler_get_error (broken)));
  g_assert_nonnull (strstr (adw_status_page_get_description (page), id));
}

/* Stop All: a confirmation that says what each on_stop does, then every
 * autoscaler of this computer stops. */
static void
test_stop_all (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *a = create_demo ("First", TRUE);
  g_autofree char *b = create_demo ("Second", TRUE);
  g_autoptr(ScalerDbusAutoscaler) pa = scaler_test_proxy_for (session, a);
  g_autoptr(ScalerDbusAutoscaler) pb = scaler_test_proxy_for (session, b);
  AdwMessageDialog *dialog;

  scaler_test_wait (scaler_test_n_autoscaler_rows (f->window) == 2 &&
                    scaler_client_autoscaler_is_active (scaler_machine_find (f->local, a)) &&
                    scaler_client_autoscaler_is_active (scaler_machine_find (f->local, b)), 20, "two running");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.stop-all", NULL));
  scaler_test_spin (10);
  dialog = ADW_MESSAGE_DIALOG (scaler_window_get_dialog (f->window));
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  /* The demo keeps its instances when stopped ("keep"): the body says so. */
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "2 autoscalers"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "keep their instances running"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "stop"), ==, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_response (dialog, "stop");

  scaler_test_wait (g_strcmp0 (scaler_dbus_autoscaler_get_state (pa), "stopped") == 0 &&
                    g_strcmp0 (scaler_dbus_autoscaler_get_state (pb), "stopped") == 0, 60, "both stopped");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_desired_state (pa), ==, "stopped");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_desired_state (pb), ==, "stopped");
  scaler_test_wait (!scaler_client_autoscaler_is_active (scaler_machine_find (f->local, a)), 20, "the app to see it");
}

/* The service goes away: the window says so with Retry instead of an empty
 * sidebar; Retry starts it again (D-Bus activation) and the rows are back. */
static void
test_unreachable_then_retry (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *id = create_demo ("Still here", FALSE);
  ScalerMachineRow *header;
  GtkWidget *retry;

  scaler_test_wait (scaler_test_row_for_id (f->window, id) != NULL, 20, "the row");
  scaler_test_service_signal (session, SIGTERM);

  scaler_test_wait (scaler_machine_get_status (f->local) == SCALER_MACHINE_UNREACHABLE, 20, "unreachable");
  scaler_test_spin (10);
  g_assert_cmpstr (scaler_window_get_content_page (f->window), ==, "unreachable");
  g_assert_null (scaler_test_row_for_id (f->window, id));
  header = scaler_test_header_for (f->window, f->local);
  g_assert_nonnull (scaler_machine_row_get_status (header));
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (gtk_widget_get_template_child (
                      GTK_WIDGET (f->window), SCALER_TYPE_WINDOW, "unreachable_page"))), "stopped"));

  retry = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->window), SCALER_TYPE_WINDOW, "retry_button"));
  scaler_test_wait (gtk_widget_get_mapped (retry), 10, "the Retry button shown");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (retry)), ==, "win.retry-machine");
  g_signal_emit_by_name (retry, "clicked");

  scaler_test_wait (scaler_machine_get_status (f->local) == SCALER_MACHINE_CONNECTED, 40, "connected again");
  scaler_test_wait (scaler_test_row_for_id (f->window, id) != NULL, 20, "the row back");
  g_assert_cmpstr (scaler_window_get_content_page (f->window), !=, "unreachable");
  g_assert_null (scaler_machine_row_get_status (header));
}

/* Another client creates, renames and deletes: the sidebar follows. */
static void
test_follows_other_client (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *id = create_demo ("From elsewhere", FALSE);
  g_autoptr(ScalerDbusAutoscaler) proxy = scaler_test_proxy_for (session, id);
  g_autofree char *renamed = scaler_test_demo_json (id, "Renamed elsewhere");
  g_autoptr(GError) error = NULL;
  ScalerSidebarRow *row;

  scaler_test_wait ((row = scaler_test_row_for_id (f->window, id)) != NULL, 20, "the new row");
  g_assert_cmpstr (scaler_sidebar_row_get_title (row), ==, "From elsewhere");

  scaler_dbus_autoscaler_call_update_sync (proxy, renamed, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, &error);
  g_assert_no_error (error);
  scaler_test_wait (g_strcmp0 (scaler_sidebar_row_get_title (row), "Renamed elsewhere") == 0, 20, "the new name");
  g_assert_true (scaler_test_row_for_id (f->window, id) == row);

  scaler_dbus_autoscaler_call_delete_sync (proxy, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
  g_assert_no_error (error);
  scaler_test_wait (scaler_test_row_for_id (f->window, id) == NULL, 20, "the row to go");
}

/* Inside flatpak: the Background portal is asked to start the service at
 * login, with its command line. */
static void
test_background_portal (Fixture       *f,
                        gconstpointer  data)
{
  scaler_test_wait (session->portal_requests->len > 0, 20, "the portal request");
  /* Once per run of the app, not per window or reconnection. */
  g_assert_cmpuint (session->portal_requests->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (session->portal_requests, 0), "\nec2-autoscalerd --service\nautostart"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* As installed: no service runs; the bus starts it on demand. */
  session = scaler_test_service_new_full (TRUE);
  scaler_test_service_use (session);
  scaler_test_service_watch_notifications (session);
  scaler_test_service_watch_portal (session);
  g_setenv ("SCALER_CREDENTIALS", "memory", TRUE);
  flatpak_info = g_build_filename (session->dir, "flatpak-info", NULL);
  g_assert_true (g_file_set_contents (flatpak_info, "[Application]\nname=" APP_ID "\n", -1, NULL));
  g_setenv ("SCALER_TEST_FLATPAK_INFO", flatpak_info, TRUE);

  scaler_test_gtk_init (&argc, &argv);
  app = scaler_test_app_new ();

  g_test_add_func ("/scaler/app-service/activation", test_activation);
  g_test_add ("/scaler/app-service/window-closed-keeps-running", Fixture, NULL, fixture_setup,
              test_window_closed_keeps_running, fixture_teardown);
  g_test_add ("/scaler/app-service/app-killed", Fixture, NULL, fixture_setup, test_app_killed, fixture_teardown);
  g_test_add ("/scaler/app-service/broken-autoscaler", Fixture, NULL, fixture_setup, test_broken_autoscaler,
              fixture_teardown);
  g_test_add ("/scaler/app-service/stop-all", Fixture, NULL, fixture_setup, test_stop_all, fixture_teardown);
  g_test_add ("/scaler/app-service/unreachable-then-retry", Fixture, NULL, fixture_setup,
              test_unreachable_then_retry, fixture_teardown);
  g_test_add ("/scaler/app-service/follows-other-client", Fixture, NULL, fixture_setup, test_follows_other_client,
              fixture_teardown);
  g_test_add ("/scaler/app-service/background-portal", Fixture, NULL, fixture_setup, test_background_portal,
              fixture_teardown);

  status = g_test_run ();
  g_clear_object (&app);
  scaler_test_service_free (session);
  g_free (flatpak_info);
  return status;
}
