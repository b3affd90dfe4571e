/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Resident memory (VmRSS from /proc/self/status) with 10 running demo
 * instances (engines on the built-in simulator at 60x), then with a dashboard
 * window following one of them. Printed, never asserted. Needs a display:
 *
 *   xvfb-run -a meson test -C _build --benchmark --suite gui dashboard-rss
 *   SCALER_BENCH_SECONDS=60 (default 20) for a longer run
 */

#include "config.h"

#include <adwaita.h>

#include "scaler-application.h"
#include "scaler-dashboard.h"
#include "scaler-demo.h"
#include "scaler-engine-registry.h"

#define N_ENGINES 10

static long
vmrss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");

  return line ? strtol (line + 6, NULL, 10) : -1;
}

static void
cycle_cb (ScalerEngine      *engine,
          ScalerCycleResult *result,
          guint             *cycles)
{
  (*cycles)++;
}

static void
run_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

static void
stopped_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  guint *pending = user_data;

  scaler_engine_stop_finish (SCALER_ENGINE (object), result, NULL);
  (*pending)--;
}

int
main (int   argc,
      char *argv[])
{
  ScalerEngine *engines[N_ENGINES];
  const char *env = g_getenv ("SCALER_BENCH_SECONDS");
  double seconds = env ? g_ascii_strtod (env, NULL) : 20.0;
  guint cycles = 0, pending;
  long base, with_engines, with_dashboard;
  GtkWindow *window;
  GtkWidget *dashboard;
  guint series = 0, capacity = 0;

  gtk_init ();
  adw_init ();
  base = vmrss_kb ();

  for (guint i = 0; i < N_ENGINES; i++)
    {
      g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
      g_autoptr(GError) error = NULL;

      engines[i] = scaler_engine_registry_build_engine (config, NULL, NULL, 0, &error);
      g_assert_no_error (error);
      g_signal_connect (engines[i], "cycle-finished", G_CALLBACK (cycle_cb), &cycles);
      scaler_engine_start (engines[i]);
    }

  run_for (seconds / 2);
  with_engines = vmrss_kb ();
  g_print ("dashboard-rss: baseline (GTK + libadwaita initialised) %ld KiB\n", base);
  g_print ("dashboard-rss: %d demo engines running %.0f s (%u cycles in all): VmRSS %ld KiB (+%ld KiB, %.0f KiB per engine)\n",
           N_ENGINES, seconds / 2, cycles, with_engines, with_engines - base,
           (double) (with_engines - base) / N_ENGINES);

  window = GTK_WINDOW (gtk_window_new ());
  dashboard = scaler_dashboard_new ();
  gtk_window_set_default_size (window, 1180, 760);
  gtk_window_set_child (window, dashboard);
  scaler_dashboard_set_engine (SCALER_DASHBOARD (dashboard), engines[0]);
  gtk_window_present (window);
  run_for (seconds / 2);
  with_dashboard = vmrss_kb ();
  g_print ("dashboard-rss: + a dashboard window following one of them, %.0f s more (%u cycles in all): "
           "VmRSS %ld KiB (+%ld KiB)\n",
           seconds / 2, cycles, with_dashboard, with_dashboard - with_engines);

  {
    GPtrArray *all = scaler_history_list_series (scaler_engine_get_history (engines[0]));

    series = all->len;
    capacity = scaler_history_get_capacity (scaler_engine_get_history (engines[0]));
  }
  g_print ("dashboard-rss: history bound per engine: %u series x %u samples x 16 B = %.1f MiB when full (7 days)\n",
           series, capacity, series * (double) capacity * 16 / (1024.0 * 1024.0));

  gtk_window_destroy (window);
  pending = N_ENGINES;
  for (guint i = 0; i < N_ENGINES; i++)
    scaler_engine_stop_async (engines[i], 5, NULL, stopped_cb, &pending);
  while (pending > 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < N_ENGINES; i++)
    g_object_unref (engines[i]);

  return 0;
}
