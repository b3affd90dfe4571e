/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The app attaching to a background service that runs 20 demo autoscalers,
 * each with 7 days of history on disk (one sample a minute per series):
 *   - time to a filled sidebar (from connecting to 20 rows);
 *   - time to a full 7-day dashboard (from selecting a row to the three plots
 *     drawn with every sample; the goal is 300 ms);
 * over the session bus ("This Computer") and through systemd-stdio-bridge
 * (a server, as over SSH, without the network). Printed, never asserted:
 *
 *   dbus-run-session -- xvfb-run -a meson test -C _build --benchmark --suite gui app-attach
 *   SCALER_BENCH_RUNS=5 (default 3)
 */

#include "config.h"

#include <adwaita.h>

#include "scaler-dashboard.h"
#include "scaler-engine-registry.h"
#include "scaler-gui-resources.h"
#include "scaler-history-store.h"
#include "scaler-test-app.h"

#define N_AUTOSCALERS 20
#define DAYS          7

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* 7 days of one sample a minute, ending now, for the demo's series. */
static void
write_history (ScalerTestService *session,
               const char        *id)
{
  static const char * const names[] = {
    "idle-workers", "busy-workers", "usd-per-hour", "pending:default", "pending:gpu",
    "instances:cpu-pool:booting", "instances:cpu-pool:idle", "instances:cpu-pool:busy",
    "instances:gpu-t4:booting", "instances:gpu-t4:idle", "instances:gpu-t4:busy",
  };
  g_autofree char *path = g_build_filename (session->state_home, "ec2-autoscaler", id, "history", NULL);
  g_autoptr(ScalerHistory) history = scaler_history_new (scaler_history_capacity_for_interval (1));
  g_autoptr(ScalerHistoryStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();
  guint n = DAYS * 24 * 60;

  store = scaler_history_store_open (path, history, &error);
  g_assert_no_error (error);
  for (guint s = 0; s < G_N_ELEMENTS (names); s++)
    {
      ScalerSeries *series = scaler_history_ensure_series (history, names[s]);

      for (guint i = 0; i < n; i++)
        {
          gint64 t = now - (gint64) (n - i) * G_TIME_SPAN_MINUTE;
          double v = (double) ((i / 37 + s * 3) % 7);

          scaler_series_append (series, t, s == 2 ? v * 0.35 : v);
        }
    }
  scaler_history_store_flush (store);
}

static void
populate (ScalerTestService *session)
{
  g_autoptr(ScalerDbusManager) manager = scaler_test_manager_proxy (session);

  for (guint i = 0; i < N_AUTOSCALERS; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *name = g_strdup_printf ("Pool %02u", i + 1);
      g_autofree char *json = scaler_test_demo_json (id, name);

      write_history (session, id);
      scaler_test_service_write_json (session, id, json);
    }
  scaler_test_service_start (session);
  scaler_test_service_wait_n (session, N_AUTOSCALERS);
  /* They run, as they would on a user's machine. */
  {
    g_autoptr(GPtrArray) ids = scaler_test_service_list_ids (session);

    for (guint i = 0; i < ids->len; i++)
      {
        g_autoptr(ScalerDbusAutoscaler) proxy = scaler_test_proxy_for (session, g_ptr_array_index (ids, i));

        scaler_dbus_autoscaler_call_start_sync (proxy, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, NULL);
      }
  }
}

static guint
rows_of (ScalerWindow  *window,
         ScalerMachine *machine)
{
  GtkListBoxRow *row;
  guint n = 0;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (scaler_test_sidebar (window), i)) != NULL; i++)
    if (SCALER_IS_SIDEBAR_ROW (row) &&
        scaler_client_autoscaler_get_machine (scaler_sidebar_row_get_autoscaler (SCALER_SIDEBAR_ROW (row))) == machine)
      n++;
  return n;
}

/* Connecting @machine (anew) until its 20 rows are in the sidebar. */
static double
time_sidebar (ScalerWindow  *window,
              ScalerMachine *machine)
{
  gint64 start;

  scaler_machine_disconnect (machine);
  scaler_test_spin (50);
  start = g_get_monotonic_time ();
  scaler_machine_connect (machine);
  scaler_test_wait (rows_of (window, machine) == N_AUTOSCALERS, 60, "a filled sidebar");
  return ms_since (start);
}

static gboolean
plots_full (ScalerDashboard *dashboard,
            guint            draws_before)
{
  guint expected = DAYS * 24 * 60;

  for (guint p = SCALER_DASHBOARD_PLOT_WORKERS; p <= SCALER_DASHBOARD_PLOT_COST; p++)
    {
      ScalerPlot *plot = scaler_dashboard_get_plot (dashboard, p);

      if (scaler_plot_get_n_series (plot) == 0 ||
          scaler_series_get_n_samples (scaler_plot_get_series (plot, 0)) < expected)
        return FALSE;
    }
  return scaler_plot_get_n_draws (scaler_dashboard_get_plot (dashboard, SCALER_DASHBOARD_PLOT_COST)) > draws_before;
}

/* Selecting the @index-th row of @machine until the three plots were drawn
 * with the 7 days. */
static double
time_dashboard (ScalerWindow  *window,
                ScalerMachine *machine,
                guint          index)
{
  ScalerDashboard *dashboard = scaler_window_get_dashboard (window);
  g_autoptr(ScalerClientAutoscaler) autoscaler = g_list_model_get_item (scaler_machine_get_autoscalers (machine), index);
  g_autofree char *key = scaler_client_autoscaler_dup_key (autoscaler);
  guint draws = scaler_plot_get_n_draws (scaler_dashboard_get_plot (dashboard, SCALER_DASHBOARD_PLOT_COST));
  gint64 start = g_get_monotonic_time ();

  g_assert_true (scaler_window_select_instance (window, key));
  scaler_test_wait (plots_full (dashboard, draws), 60, "a full dashboard");
  return ms_since (start);
}

static void
report (const char *what,
        GArray     *times)
{
  double best = G_MAXDOUBLE, sum = 0;

  for (guint i = 0; i < times->len; i++)
    {
      double t = g_array_index (times, double, i);

      best = MIN (best, t);
      sum += t;
    }
  g_print ("app-attach: %-44s best %7.1f ms, mean %7.1f ms (%u runs)\n", what, best, sum / times->len, times->len);
}

static void
measure (ScalerWindow  *window,
         ScalerMachine *machine,
         const char    *how,
         guint          runs)
{
  g_autoptr(GArray) sidebar = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) dashboard = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *sidebar_label = g_strdup_printf ("filled sidebar (%d rows), %s", N_AUTOSCALERS, how);
  g_autofree char *dashboard_label = g_strdup_printf ("full 7-day dashboard, %s", how);

  for (guint i = 0; i < runs; i++)
    {
      double t = time_sidebar (window, machine);

      g_array_append_val (sidebar, t);
      /* A fresh connection each run: nothing of the history is cached. */
      t = time_dashboard (window, machine, i % N_AUTOSCALERS);
      g_array_append_val (dashboard, t);
    }
  report (sidebar_label, sidebar);
  report (dashboard_label, dashboard);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ScalerTestService) session = scaler_test_service_new ();
  g_autoptr(ScalerApplication) app = NULL;
  g_autofree char *connect = NULL;
  const char *env = g_getenv ("SCALER_BENCH_RUNS");
  guint runs = env != NULL ? (guint) atoi (env) : 3;
  ScalerMachine *server;
  ScalerWindow *window;

  scaler_test_service_use (session);
  g_setenv ("SCALER_CREDENTIALS", "memory", TRUE);
  populate (session);
  connect = scaler_test_service_connect_command (session);
  g_setenv ("SCALER_CONNECT_COMMAND", connect, TRUE);

  gtk_init ();
  adw_init ();
  g_resources_register (scaler_gui_get_resource ());
  app = scaler_test_app_new ();
  window = scaler_test_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 760);
  scaler_dashboard_set_window_hours (scaler_window_get_dashboard (window), 24 * DAYS);
  scaler_test_wait_connected (scaler_application_get_local_machine (app));

  g_print ("app-attach: %d demo autoscalers running, %d days of history each (%d samples x 11 series)\n",
           N_AUTOSCALERS, DAYS, DAYS * 24 * 60);
  measure (window, scaler_application_get_local_machine (app), "session bus", runs);
  /* The same service as a server: D-Bus through systemd-stdio-bridge's pipes. */
  server = scaler_application_add_server (app, "bench@localhost");
  scaler_test_wait_connected (server);
  measure (window, server, "through systemd-stdio-bridge", runs);

  scaler_application_remove_server (app, server);
  scaler_test_window_close (window);
  return 0;
}
