/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Resident memory (VmRSS from /proc/<pid>/status) of the background service
 * running 10 demo autoscalers (on the built-in simulator at 60x), and of the
 * app's process showing a dashboard that follows one of them: the engines
 * are in the service, the app only keeps what it shows. Printed, never
 * asserted. Needs a display:
 *
 *   xvfb-run -a meson test -C _build --benchmark --suite gui dashboard-rss
 *   SCALER_BENCH_SECONDS=60 (default 20) for a longer run
 */

#include "config.h"

#include <adwaita.h>

#include "scaler-dashboard.h"
#include "scaler-test-app.h"

#define N_AUTOSCALERS 10

static long
vmrss_kb (GPid pid)
{
  g_autofree char *path = pid > 0 ? g_strdup_printf ("/proc/%d/status", (int) pid) : g_strdup ("/proc/self/status");
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");

  return line ? strtol (line + 6, NULL, 10) : -1;
}

static void
run_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ScalerTestService) session = scaler_test_service_new ();
  g_autoptr(ScalerDbusManager) manager = NULL;
  g_autoptr(ScalerMachine) machine = NULL;
  const char *env = g_getenv ("SCALER_BENCH_SECONDS");
  double seconds = env ? g_ascii_strtod (env, NULL) : 20.0;
  long service_idle, service_running, base, with_dashboard;
  ScalerClientAutoscaler *first = NULL;
  GtkWindow *window;
  GtkWidget *dashboard;
  guint cycles = 0;

  scaler_test_service_use (session);
  scaler_test_service_start (session);
  gtk_init ();
  adw_init ();
  base = vmrss_kb (0);
  service_idle = vmrss_kb (session->pid);

  manager = scaler_test_manager_proxy (session);
  for (guint i = 0; i < N_AUTOSCALERS; i++)
    {
      g_autofree char *name = g_strdup_printf ("Demo %u", i + 1);
      g_autofree char *json = scaler_test_demo_json (NULL, name);
      g_autofree char *path = NULL;
      g_autoptr(ScalerDbusAutoscaler) proxy = NULL;

      g_assert_true (scaler_dbus_manager_call_create_sync (manager, json, G_DBUS_CALL_FLAGS_NONE, 20000, &path,
                                                           NULL, NULL));
      proxy = scaler_dbus_autoscaler_proxy_new_sync (session->connection, G_DBUS_PROXY_FLAGS_NONE,
                                                     "io.github.ec2autoscaler.Autoscaler.Daemon", path, NULL, NULL);
      g_assert_true (scaler_dbus_autoscaler_call_start_sync (proxy, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, NULL));
    }

  run_for (seconds / 2);
  service_running = vmrss_kb (session->pid);
  g_print ("dashboard-rss: the service, idle: VmRSS %ld KiB\n", service_idle);
  g_print ("dashboard-rss: the service with %d demo autoscalers running %.0f s: VmRSS %ld KiB (+%ld KiB, %.0f KiB "
           "per autoscaler)\n", N_AUTOSCALERS, seconds / 2, service_running, service_running - service_idle,
           (double) (service_running - service_idle) / N_AUTOSCALERS);

  machine = scaler_machine_new_local ();
  scaler_machine_connect (machine);
  scaler_test_wait_connected (machine);
  first = g_list_model_get_item (scaler_machine_get_autoscalers (machine), 0);
  window = GTK_WINDOW (gtk_window_new ());
  dashboard = scaler_dashboard_new ();
  gtk_window_set_default_size (window, 1180, 760);
  gtk_window_set_child (window, dashboard);
  scaler_dashboard_set_autoscaler (SCALER_DASHBOARD (dashboard), first);
  gtk_window_present (window);
  cycles = scaler_client_autoscaler_get_cycle (first);
  run_for (seconds / 2);
  with_dashboard = vmrss_kb (0);
  g_print ("dashboard-rss: the app (GTK + libadwaita initialised): VmRSS %ld KiB\n", base);
  g_print ("dashboard-rss: + a dashboard window following one of them, %.0f s (%u cycles): VmRSS %ld KiB "
           "(+%ld KiB); the service then: %ld KiB\n",
           seconds / 2, scaler_client_autoscaler_get_cycle (first) - cycles, with_dashboard, with_dashboard - base,
           vmrss_kb (session->pid));

  {
    ScalerHistory *history = scaler_client_autoscaler_get_history (first);
    GPtrArray *all = history != NULL ? scaler_history_list_series (history) : NULL;
    guint capacity = history != NULL ? scaler_history_get_capacity (history) : 0;

    g_print ("dashboard-rss: history bound per autoscaler: %u series x %u samples x 16 B = %.1f MiB when full "
             "(7 days), in the service and in the app for the one shown\n",
             all != NULL ? all->len : 0, capacity, (all != NULL ? all->len : 0) * (double) capacity * 16 / 1048576.0);
  }

  gtk_window_destroy (window);
  g_object_unref (first);
  return 0;
}
