/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Plot render time with a week of history, on an image surface: 10 080
 * samples (1-minute polling) and 60 480 samples (10 s polling), for 1 h and
 * 7 d windows, plus a hover read-out. Numbers are printed, never asserted.
 *
 *   xvfb-run -a meson test -C _build --benchmark --suite gui plot-render
 *   (the renderer itself needs no display; the harness runs GUI benches under Xvfb)
 */

#include "config.h"

#include <math.h>

#include "scaler-plot-render.h"

static double
render_ms (ScalerPlotModel *model,
           cairo_t         *cr,
           int              width,
           int              height,
           guint            repeats)
{
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < repeats; i++)
    {
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      scaler_plot_render (cr, model, width, height);
    }

  return (g_get_monotonic_time () - start) / 1000.0 / repeats;
}

/* The reference: one path vertex per sample (what per-column folding avoids). */
static double
naive_ms (ScalerSeries *series,
          cairo_t      *cr,
          gint64        start,
          gint64        end,
          int           width,
          int           height,
          guint         repeats)
{
  gint64 t0 = g_get_monotonic_time ();
  guint n = scaler_series_get_n_samples (series);

  for (guint r = 0; r < repeats; r++)
    {
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      cairo_new_path (cr);
      for (guint i = 0; i < n; i++)
        {
          gint64 t;
          double v;

          scaler_series_get_sample (series, i, &t, &v);
          cairo_line_to (cr, 60 + (width - 80) * (double) (t - start) / (double) (end - start),
                         height - 30 - v * 20);
        }
      cairo_set_source_rgb (cr, 0.2, 0.5, 0.9);
      cairo_set_line_width (cr, 2);
      cairo_stroke (cr);
    }

  return (g_get_monotonic_time () - t0) / 1000.0 / repeats;
}

static void
run (guint     n_samples,
     GTimeSpan interval)
{
  const int width = 900, height = 300;
  g_autoptr(ScalerSeries) busy = scaler_series_new ("busy-workers", n_samples);
  g_autoptr(ScalerSeries) idle = scaler_series_new ("idle-workers", n_samples);
  gint64 end = (gint64) 1800000000 * G_USEC_PER_SEC;
  gint64 start = end - (gint64) (n_samples - 1) * interval;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);
  ScalerPlotLine lines[2] = {
    { busy, "Busy", { 0.21, 0.52, 0.89, 1 }, SCALER_PLOT_STYLE_STEP, TRUE },
    { idle, "Idle", { 1.0, 0.47, 0.0, 1 }, SCALER_PLOT_STYLE_STEP, FALSE },
  };
  ScalerPlotModel model;
  double ms_1h, ms_7d, ms_hover, ms_empty;
  guint32 seed = 42;

  for (guint i = 0; i < n_samples; i++)
    {
      double phase = (double) i / n_samples * 7 * 2 * G_PI;

      seed = seed * 1103515245 + 12345;
      scaler_series_append (busy, start + (gint64) i * interval, round (6 + 5 * sin (phase)) + (seed >> 30));
      scaler_series_append (idle, start + (gint64) i * interval, (seed >> 29) & 3);
    }

  scaler_plot_model_init (&model);
  model.title = "Workers";
  model.lines = lines;
  model.n_lines = G_N_ELEMENTS (lines);
  model.end_time = end;
  model.bg = (GdkRGBA) { 1, 1, 1, 1 };

  /* Warm up fonts and caches. */
  render_ms (&model, cr, width, height, 3);

  model.window = G_TIME_SPAN_HOUR;
  ms_1h = render_ms (&model, cr, width, height, 50);
  model.window = 7 * G_TIME_SPAN_DAY;
  ms_7d = render_ms (&model, cr, width, height, 50);
  model.has_hover = TRUE;
  model.hover_x = width / 2.0;
  ms_hover = render_ms (&model, cr, width, height, 50);
  model.has_hover = FALSE;
  model.end_time = start - 30 * G_TIME_SPAN_DAY;
  ms_empty = render_ms (&model, cr, width, height, 50);

  g_print ("plot-render: naive per-sample polyline of one series (reference): %.2f ms\n",
           naive_ms (busy, cr, start, end, width, height, 2));
  g_print ("plot-render: %6u samples x 2 series (%3" G_GINT64_FORMAT " s polling), %dx%d: "
           "1 h window %.2f ms, 7 d window %.2f ms, 7 d + hover %.2f ms, no data %.2f ms "
           "(%.0f samples per pixel column)\n",
           n_samples, interval / G_USEC_PER_SEC, width, height,
           ms_1h, ms_7d, ms_hover, ms_empty, (double) n_samples / (width - 60));

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

int
main (int   argc,
      char *argv[])
{
  run (10080, 60 * G_USEC_PER_SEC);
  run (60480, 10 * G_USEC_PER_SEC);
  run (100000, 6 * G_USEC_PER_SEC);

  return 0;
}
