/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The console pane: append throughput (lines/s, with the 10 000-line cap
 * trimming), and main-loop stalls while 10 000 lines arrive in bursts the way
 * an engine's log-line signals do (max gap between 1 ms timer ticks, while the
 * window keeps drawing). Needs a display:
 *
 *   xvfb-run -a meson test -C _build --benchmark --suite gui log-view
 */

#include "config.h"

#include <adwaita.h>

#include "scaler-log-view.h"

static const char *messages[] = {
  "cycle 1234: 3 pending on gpu, 1 idle worker covers 1; launching 2 x g4dn.xlarge (spot) in us-east-1b",
  "i-0123456789abcdef0 idle for 15.2 min (max 15): terminating",
  "RunInstances failed: InsufficientInstanceCapacity in us-east-1a; backing off 2 min",
  "DescribeInstances: 12 instances, 0.21 s",
};

typedef struct
{
  ScalerLogView *view;
  guint          sent;
  guint          total;
  guint          per_burst;
  gint64         last_tick;
  gint64         max_gap;
  guint          ticks;
  gboolean       done;
} Stall;

static gboolean
tick_cb (gpointer data)
{
  Stall *s = data;
  gint64 now = g_get_monotonic_time ();

  if (s->last_tick != 0)
    s->max_gap = MAX (s->max_gap, now - s->last_tick);
  s->last_tick = now;
  s->ticks++;

  return s->done ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static gboolean
burst_cb (gpointer data)
{
  Stall *s = data;

  for (guint i = 0; i < s->per_burst && s->sent < s->total; i++, s->sent++)
    scaler_log_view_append (s->view, (ScalerLogLevel) (s->sent % 4), messages[s->sent % G_N_ELEMENTS (messages)]);

  if (s->sent >= s->total)
    {
      s->done = TRUE;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
spin_until (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  GtkWindow *window;
  ScalerLogView *view;
  gint64 start;
  double secs;
  guint n = 100000;

  gtk_init ();
  adw_init ();

  window = GTK_WINDOW (gtk_window_new ());
  view = SCALER_LOG_VIEW (scaler_log_view_new ());
  gtk_window_set_default_size (window, 900, 400);
  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (view)))
    g_main_context_iteration (NULL, TRUE);

  /* 1. Raw append throughput, past the cap (every append also trims). */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    scaler_log_view_append (view, (ScalerLogLevel) (i % 4), messages[i % G_N_ELEMENTS (messages)]);
  secs = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_print ("log-view: appended %u lines in %.3f s: %.0f lines/s (buffer capped at %u lines, holds %u)\n",
           n, secs, n / secs, scaler_log_view_get_max_lines (view), scaler_log_view_get_n_lines (view));

  /* 2. Stalls: 10 000 lines in bursts of 10 and of 100 per main-loop turn,
   * while a 1 ms timer measures how long the loop is blocked (layout and
   * drawing of the following view included). */
  for (guint b = 0; b < 2; b++)
    {
      Stall s = { view, 0, 10000, b == 0 ? 10 : 100, 0, 0, 0, FALSE };

      scaler_log_view_clear (view);
      start = g_get_monotonic_time ();
      g_timeout_add (1, tick_cb, &s);
      g_idle_add (burst_cb, &s);
      spin_until (&s.done);
      secs = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      /* Let the view settle and draw the tail, still measuring. */
      {
        gint64 settle_end = g_get_monotonic_time () + 300 * 1000;

        s.done = FALSE;
        g_timeout_add (1, tick_cb, &s);
        while (g_get_monotonic_time () < settle_end)
          g_main_context_iteration (NULL, TRUE);
        s.done = TRUE;
        g_main_context_iteration (NULL, FALSE);
      }
      g_print ("log-view: 10000 lines in bursts of %3u while drawing: %.3f s, max main-loop gap %.1f ms "
               "(%u timer ticks), following the tail: %s\n",
               s.per_burst, secs, s.max_gap / 1000.0, s.ticks,
               scaler_log_view_get_following (view) ? "yes" : "no");
    }

  gtk_window_destroy (window);

  return 0;
}
