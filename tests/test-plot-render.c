/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pure plot renderer, on a cairo image surface: line pixels land where the
 * data says, per pixel column, with the budget line and the empty state. The
 * cached per-column folds draw exactly what folding afresh draws, through
 * appends, ring-buffer wrap, zoom and size changes and hover; the pixel layer
 * of the step series matches the same boxes filled by cairo, at scale 1 and 2,
 * directly and through a recording surface (the widget's way). */

#include "config.h"

#include <math.h>

#include "scaler-plot-render.h"

#define W 600
#define H 300

static const GdkRGBA red = { 1, 0, 0, 1 };
static const GdkRGBA blue = { 0, 0, 1, 1 };

typedef struct
{
  cairo_surface_t  *surface;
  cairo_t          *cr;
  ScalerPlotModel   model;
  ScalerPlotLine    line;
  ScalerSeries     *series;
  gint64            now;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  f->cr = cairo_create (f->surface);
  f->series = scaler_series_new ("test", 100000);
  f->now = (gint64) 1800000000 * G_USEC_PER_SEC;

  scaler_plot_model_init (&f->model);
  f->model.title = "Test";
  f->model.end_time = f->now;
  f->model.window = G_TIME_SPAN_HOUR;
  f->model.min_y_max = 10.0;
  f->model.bg = (GdkRGBA) { 1, 1, 1, 1 };
  f->model.limit_color = blue;
  f->model.time_zone = g_time_zone_new_utc ();

  f->line.series = f->series;
  f->line.label = "Idle";
  f->line.color = red;
  f->line.style = SCALER_PLOT_STYLE_LINE;
  f->model.lines = &f->line;
  f->model.n_lines = 1;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* For a human look: SCALER_TEST_PNG_DIR=/tmp/x ./test-plot-render */
  if (g_getenv ("SCALER_TEST_PNG_DIR") != NULL)
    {
      g_autofree char *name = g_strdup_printf ("%s.png", g_test_get_path ());
      g_autofree char *path = NULL;

      g_strdelimit (name, "/", '-');
      path = g_build_filename (g_getenv ("SCALER_TEST_PNG_DIR"), name, NULL);
      cairo_surface_write_to_png (f->surface, path);
    }
  g_time_zone_unref (f->model.time_zone);
  cairo_destroy (f->cr);
  cairo_surface_destroy (f->surface);
  g_assert_finalize_object (f->series);
}

static guint32
pixel (Fixture *f,
       int      x,
       int      y)
{
  const guint8 *data = cairo_image_surface_get_data (f->surface);
  int stride = cairo_image_surface_get_stride (f->surface);

  return *(const guint32 *) (const void *) (data + y * stride + x * 4);
}

/* ARGB32 is premultiplied; a solid series pixel is close to the pure colour. */
static gboolean
is_colour (guint32        px,
           const GdkRGBA *c)
{
  int r = (px >> 16) & 0xff, g = (px >> 8) & 0xff, b = px & 0xff;

  return abs (r - (int) (c->red * 255)) < 70 &&
         abs (g - (int) (c->green * 255)) < 70 &&
         abs (b - (int) (c->blue * 255)) < 70;
}

static gboolean
column_has_colour_near (Fixture       *f,
                        int            x,
                        double         y,
                        int            tolerance,
                        const GdkRGBA *c)
{
  for (int yy = (int) floor (y) - tolerance; yy <= (int) ceil (y) + tolerance; yy++)
    if (yy >= 0 && yy < H && is_colour (pixel (f, x, yy), c))
      return TRUE;
  return FALSE;
}

static guint
count_colour (Fixture       *f,
              const GdkRGBA *c)
{
  guint n = 0;

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      n += is_colour (pixel (f, x, y), c);

  return n;
}

static void
render (Fixture           *f,
        cairo_rectangle_t *area,
        double            *y_max)
{
  cairo_surface_flush (f->surface);
  scaler_plot_render (f->cr, &f->model, W, H);
  cairo_surface_flush (f->surface);
  scaler_plot_render_get_area (f->cr, &f->model, W, H, area, y_max);
}

static double
y_of (const cairo_rectangle_t *area,
      double                   y_max,
      double                   v)
{
  return area->y + area->height * (1.0 - v / y_max);
}

static void
test_constant (Fixture       *f,
               gconstpointer  data)
{
  cairo_rectangle_t area;
  double y_max, y_mid;
  guint on_line = 0, columns = 0;

  for (int i = 0; i <= 60; i++)
    scaler_series_append (f->series, f->now - G_TIME_SPAN_HOUR + i * G_TIME_SPAN_MINUTE, 5.0);

  render (f, &area, &y_max);
  g_assert_cmpfloat (y_max, ==, 10.0);
  g_assert_cmpfloat (area.width, >, W / 2);
  g_assert_cmpfloat (area.height, >, H / 2);
  y_mid = y_of (&area, y_max, 5.0);
  g_assert_cmpfloat (fabs (y_mid - (area.y + area.height / 2)), <, 1.0);

  /* Every column of the plot area has the line on the middle row ... */
  for (int x = (int) area.x + 2; x < (int) (area.x + area.width) - 2; x++)
    {
      columns++;
      on_line += column_has_colour_near (f, x, y_mid, 1, &red);
    }
  g_assert_cmpuint (on_line, ==, columns);

  /* ... and nothing red away from it (the legend swatch is above the area). */
  for (int y = (int) area.y; y < (int) (area.y + area.height); y++)
    {
      if (fabs (y - y_mid) <= 3)
        continue;
      for (int x = (int) area.x; x < (int) (area.x + area.width); x++)
        if (is_colour (pixel (f, x, y), &red))
          g_error ("red pixel at %d,%d, line at y=%.1f", x, y, y_mid);
    }
}

static void
test_step (Fixture       *f,
           gconstpointer  data)
{
  cairo_rectangle_t area;
  double y_max, y2, y8, x_mid;

  f->line.style = SCALER_PLOT_STYLE_STEP;
  for (int i = 0; i <= 60; i++)
    scaler_series_append (f->series, f->now - G_TIME_SPAN_HOUR + i * G_TIME_SPAN_MINUTE,
                          i < 30 ? 2.0 : 8.0);

  render (f, &area, &y_max);
  y2 = y_of (&area, y_max, 2.0);
  y8 = y_of (&area, y_max, 8.0);
  x_mid = area.x + area.width / 2;

  for (int x = (int) area.x + 2; x < x_mid - 4; x++)
    {
      g_assert_true (column_has_colour_near (f, x, y2, 1, &red));
      g_assert_false (column_has_colour_near (f, x, y8, 2, &red));
    }
  for (int x = (int) x_mid + 4; x < (int) (area.x + area.width) - 2; x++)
    {
      g_assert_true (column_has_colour_near (f, x, y8, 1, &red));
      g_assert_false (column_has_colour_near (f, x, y2, 2, &red));
    }

  /* The riser: a vertical red run at the middle, from level 2 to level 8. */
  for (double y = y8 + 2; y < y2 - 2; y += 1.0)
    {
      gboolean found = FALSE;

      for (int x = (int) x_mid - 2; x <= (int) x_mid + 2; x++)
        found |= is_colour (pixel (f, x, (int) y), &red);
      g_assert_true (found);
    }
}

static void
test_budget_line (Fixture       *f,
                  gconstpointer  data)
{
  cairo_rectangle_t area;
  double y_max, y_limit;
  guint hits = 0;

  f->model.unit = SCALER_PLOT_UNIT_USD_PER_HOUR;
  f->model.has_limit = TRUE;
  f->model.limit = 5.0;
  f->model.limit_label = "Budget";
  for (int i = 0; i <= 60; i++)
    scaler_series_append (f->series, f->now - G_TIME_SPAN_HOUR + i * G_TIME_SPAN_MINUTE, 1.0);

  render (f, &area, &y_max);
  g_assert_cmpfloat (y_max, ==, 10.0);
  y_limit = round (y_of (&area, y_max, 5.0));

  /* Dashed: most columns of the limit row are blue; rows far from it are not. */
  for (int x = (int) area.x; x < (int) (area.x + area.width); x++)
    hits += column_has_colour_near (f, x, y_limit, 1, &blue);
  g_assert_cmpuint (hits, >, area.width * 0.45);
  g_assert_cmpuint (hits, <, area.width * 0.85);
  for (int x = (int) area.x; x < (int) (area.x + area.width); x++)
    g_assert_false (is_colour (pixel (f, x, (int) y_limit - 10), &blue));

  /* A limit above the data raises the axis so the line stays visible. */
  f->model.limit = 40.0;
  render (f, &area, &y_max);
  g_assert_cmpfloat (y_max, >=, 44.0);
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  cairo_rectangle_t area;
  double y_max;

  render (f, &area, &y_max);
  g_assert_cmpuint (count_colour (f, &red), ==, 0);

  /* Samples older than the window: still nothing of the series colour. */
  for (int i = 0; i < 10; i++)
    scaler_series_append (f->series, f->now - 3 * G_TIME_SPAN_HOUR + i * G_TIME_SPAN_MINUTE, 5.0);
  cairo_set_source_rgb (f->cr, 1, 1, 1);
  cairo_paint (f->cr);
  render (f, &area, &y_max);
  g_assert_cmpuint (count_colour (f, &red), ==, 0);

  /* One sample inside the window makes it non-empty. */
  scaler_series_append (f->series, f->now - G_TIME_SPAN_MINUTE, 5.0);
  render (f, &area, &y_max);
  g_assert_cmpuint (count_colour (f, &red), >, 0);
}

/* A week of 10 s samples alternating 0 and 10: every column folds its min and
 * max, so each column is red from top to bottom of the data range. */
static void
test_per_column_fold (Fixture       *f,
                      gconstpointer  data)
{
  cairo_rectangle_t area;
  double y_max;
  guint n = 7 * 24 * 360;

  f->model.window = 7 * G_TIME_SPAN_DAY;
  for (guint i = 0; i < n; i++)
    scaler_series_append (f->series, f->now - 7 * G_TIME_SPAN_DAY + (gint64) i * 10 * G_USEC_PER_SEC,
                          (i % 2) ? 10.0 : 0.0);

  render (f, &area, &y_max);
  g_assert_cmpfloat (y_max, ==, 10.0);
  for (int x = (int) area.x + 2; x < (int) (area.x + area.width) - 2; x += 7)
    {
      g_assert_true (column_has_colour_near (f, x, y_of (&area, y_max, 9.0), 0, &red));
      g_assert_true (column_has_colour_near (f, x, y_of (&area, y_max, 5.0), 0, &red));
      g_assert_true (column_has_colour_near (f, x, y_of (&area, y_max, 1.0), 0, &red));
    }
}

static void
test_hover (Fixture       *f,
            gconstpointer  data)
{
  cairo_rectangle_t area;
  double y_max, v;
  guint before, after;

  for (int i = 0; i <= 60; i++)
    scaler_series_append (f->series, f->now - G_TIME_SPAN_HOUR + i * G_TIME_SPAN_MINUTE, (double) (i / 10));

  g_assert_true (scaler_plot_value_at (f->series, f->now - 30 * G_TIME_SPAN_MINUTE + 5, &v));
  g_assert_cmpfloat (v, ==, 3.0);
  g_assert_false (scaler_plot_value_at (f->series, f->now - 2 * G_TIME_SPAN_HOUR, &v));

  render (f, &area, &y_max);
  before = count_colour (f, &red);
  f->model.has_hover = TRUE;
  f->model.hover_x = area.x + area.width / 2;
  cairo_set_source_rgb (f->cr, 1, 1, 1);
  cairo_paint (f->cr);
  render (f, &area, &y_max);
  after = count_colour (f, &red);
  /* The marker ring on the line and the swatch in the read-out add red pixels. */
  g_assert_cmpuint (after, >, before + 20);
  g_assert_true (column_has_colour_near (f, (int) f->model.hover_x, y_of (&area, y_max, 3.0) - 4, 1, &red));

  /* Before the first sample there is nothing to read out: the hover draws
   * nothing at all (same pixels as without it). */
  scaler_series_clear (f->series);
  for (int i = 30; i <= 60; i++)
    scaler_series_append (f->series, f->now - G_TIME_SPAN_HOUR + i * G_TIME_SPAN_MINUTE, 2.0);
  f->model.has_hover = FALSE;
  cairo_set_source_rgb (f->cr, 1, 1, 1);
  cairo_paint (f->cr);
  render (f, &area, &y_max);
  {
    g_autofree guint8 *copy = g_memdup2 (cairo_image_surface_get_data (f->surface),
                                         (gsize) cairo_image_surface_get_stride (f->surface) * H);

    f->model.has_hover = TRUE;
    f->model.hover_x = area.x + area.width / 4;
    cairo_set_source_rgb (f->cr, 1, 1, 1);
    cairo_paint (f->cr);
    render (f, &area, &y_max);
    g_assert_cmpmem (copy, (gsize) cairo_image_surface_get_stride (f->surface) * H,
                     cairo_image_surface_get_data (f->surface),
                     (gsize) cairo_image_surface_get_stride (f->surface) * H);
  }
}


static ScalerSeries *
series_copy (ScalerSeries *series)
{
  ScalerSeries *copy = scaler_series_new ("copy", scaler_series_get_capacity (series));

  for (guint i = 0; i < scaler_series_get_n_samples (series); i++)
    {
      gint64 t;
      double v;

      scaler_series_get_sample (series, i, &t, &v);
      scaler_series_append (copy, t, v);
    }

  return copy;
}

static cairo_surface_t *
render_new_surface (const ScalerPlotModel *model,
                    int                    width,
                    int                    height,
                    double                 scale)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                         (int) (width * scale), (int) (height * scale));
  cairo_t *cr;

  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);
  scaler_plot_render (cr, model, width, height);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  return surface;
}

/* The largest difference of any channel of any pixel; *n_over: how many
 * pixels differ by more than 2 (rounding). */
static int
surface_difference (cairo_surface_t *a,
                    cairo_surface_t *b,
                    guint           *n_over)
{
  int w = cairo_image_surface_get_width (a), h = cairo_image_surface_get_height (a);
  int stride = cairo_image_surface_get_stride (a);
  const guint8 *da = cairo_image_surface_get_data (a), *db = cairo_image_surface_get_data (b);
  int max = 0;

  g_assert_cmpint (w, ==, cairo_image_surface_get_width (b));
  g_assert_cmpint (h, ==, cairo_image_surface_get_height (b));
  *n_over = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int d = 0;

        for (int k = 0; k < 4; k++)
          d = MAX (d, abs (da[y * stride + x * 4 + k] - db[y * stride + x * 4 + k]));
        max = MAX (max, d);
        *n_over += d > 2;
      }

  return max;
}

/* The model as drawn with its series' caches, and with fresh copies of its
 * series (nothing cached): the same pixels. */
static void
assert_same_as_fresh (const ScalerPlotModel *model,
                      int                    width,
                      int                    height)
{
  g_autofree ScalerPlotLine *lines = g_memdup2 (model->lines, model->n_lines * sizeof *lines);
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func (g_object_unref);
  ScalerPlotModel fresh = *model;
  cairo_surface_t *cached, *uncached;
  guint n_over;

  for (guint l = 0; l < model->n_lines; l++)
    {
      lines[l].series = series_copy (model->lines[l].series);
      g_ptr_array_add (copies, lines[l].series);
    }
  fresh.lines = lines;
  cached = render_new_surface (model, width, height, 1.0);
  uncached = render_new_surface (&fresh, width, height, 1.0);
  if (surface_difference (cached, uncached, &n_over) != 0)
    g_error ("cached and fresh folds draw differently (window %" G_GINT64_FORMAT " s, %dx%d, hover %d)",
             model->window / G_USEC_PER_SEC, width, height, model->has_hover);
  cairo_surface_destroy (cached);
  cairo_surface_destroy (uncached);
}

static void
test_cache_matches_fresh (Fixture       *f,
                          gconstpointer  data)
{
  static const GTimeSpan windows[] = { 7 * G_TIME_SPAN_DAY, G_TIME_SPAN_HOUR, G_TIME_SPAN_DAY, 6 * G_TIME_SPAN_HOUR };
  g_autoptr(ScalerSeries) busy = scaler_series_new ("busy", 1200);
  g_autoptr(ScalerSeries) idle = scaler_series_new ("idle", 1300);
  g_autoptr(ScalerSeries) cost = scaler_series_new ("cost", 2500);
  ScalerPlotLine lines[3] = {
    { busy, "Busy", { 0.21, 0.52, 0.89, 1 }, SCALER_PLOT_STYLE_STEP, TRUE },
    { idle, "Idle", { 1.0, 0.47, 0.0, 1 }, SCALER_PLOT_STYLE_STEP, FALSE },
    { cost, "Cost", { 0.15, 0.64, 0.41, 1 }, SCALER_PLOT_STYLE_LINE, FALSE },
  };
  gint64 t = f->now - 2 * G_TIME_SPAN_DAY;
  guint32 seed = 99;

  f->model.lines = lines;
  f->model.n_lines = G_N_ELEMENTS (lines);

  /* 4 minute polling: busy and idle wrap after 3 to 4 days, before and
   * after the restart, inside the 7-day window. */
  for (guint step = 0; step < 3200; step++)
    {
      seed = seed * 1103515245 + 12345;
      t += 4 * G_TIME_SPAN_MINUTE + (seed >> 28) * G_TIME_SPAN_SECOND;
      scaler_series_append (busy, t, round (6 + 5 * sin (step / 60.0)) + (seed >> 30));
      scaler_series_append (idle, t, (seed >> 26) % 11 == 0 ? NAN : (double) ((seed >> 29) & 3));
      scaler_series_append (cost, t, 1.5 + (seed >> 30) * 0.25);
      if (step == 1700)
        {
          /* A restart: everything cleared, then polling again. */
          scaler_series_clear (busy);
          scaler_series_clear (idle);
        }

      if (step % 97 == 0 || (step > 2400 && step % 13 == 0))
        {
          int width = step % 3 ? W : W - 137;

          /* The widget's end time: the newest sample. */
          f->model.end_time = t;
          f->model.window = windows[(step / 97) % G_N_ELEMENTS (windows)];
          f->model.has_hover = step % 2 == 0;
          f->model.hover_x = 60 + (step % 500);
          assert_same_as_fresh (&f->model, width, H);
          /* A zoom level that comes back finds its folds. */
          f->model.window = windows[0];
          assert_same_as_fresh (&f->model, width, H);
        }
    }
  /* An end time in the past, and one far ahead. */
  f->model.end_time = t - 3 * G_TIME_SPAN_DAY;
  assert_same_as_fresh (&f->model, W, H);
  f->model.end_time = t + 30 * G_TIME_SPAN_DAY;
  assert_same_as_fresh (&f->model, W, H);
}

/* The pixel layer of the step series against cairo filling the same boxes
 * (model.vector): equal but for rounding. */
static void
test_layer_matches_vector (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(ScalerSeries) idle = scaler_series_new ("idle", 20000);
  ScalerPlotLine lines[2] = {
    { f->series, "Busy", { 0.21, 0.52, 0.89, 1 }, SCALER_PLOT_STYLE_STEP, TRUE },
    { idle, "Idle", { 1.0, 0.47, 0.0, 0.8 }, SCALER_PLOT_STYLE_STEP, TRUE },
  };
  static const GTimeSpan windows[] = { G_TIME_SPAN_HOUR, 7 * G_TIME_SPAN_DAY, 20 * G_TIME_SPAN_MINUTE };
  guint32 seed = 5;

  for (guint i = 0; i < 10080; i++)
    {
      gint64 t = f->now - 7 * G_TIME_SPAN_DAY + i * G_TIME_SPAN_MINUTE;

      seed = seed * 1103515245 + 12345;
      scaler_series_append (f->series, t, round (6 + 5 * sin (i / 200.0)) + (seed >> 30));
      if (i % 50 < 45)   /* with gaps */
        scaler_series_append (idle, t, (seed >> 29) & 3);
    }
  f->model.lines = lines;
  f->model.n_lines = G_N_ELEMENTS (lines);
  f->model.min_y_max = 0;

  for (guint w = 0; w < G_N_ELEMENTS (windows); w++)
    for (double scale = 1.0; scale <= 2.0; scale += 1.0)
      {
        cairo_surface_t *layer, *vector;
        guint n_over;
        int max;

        f->model.window = windows[w];
        f->model.vector = FALSE;
        layer = render_new_surface (&f->model, W, H, scale);
        f->model.vector = TRUE;
        vector = render_new_surface (&f->model, W, H, scale);
        f->model.vector = FALSE;
        max = surface_difference (layer, vector, &n_over);
        if (max > 3 || n_over > 0)
          g_error ("layer and vector differ by %d (%u pixels over 2) at scale %g, window %" G_GINT64_FORMAT " s",
                   max, n_over, scale, windows[w] / G_USEC_PER_SEC);
        cairo_surface_destroy (layer);
        cairo_surface_destroy (vector);
      }
}

/* The widget records its drawing and GTK replays it at the surface's scale:
 * with the scale in the model the layer is as sharp as drawing directly. */
static void
test_layer_through_recording (Fixture       *f,
                              gconstpointer  data)
{
  cairo_surface_t *direct, *replayed, *recording;
  cairo_t *cr;
  guint n_over;

  f->line.style = SCALER_PLOT_STYLE_STEP;
  f->line.fill = TRUE;
  for (int i = 0; i <= 60; i++)
    scaler_series_append (f->series, f->now - G_TIME_SPAN_HOUR + i * G_TIME_SPAN_MINUTE, (i * 7) % 10);

  direct = render_new_surface (&f->model, W, H, 2.0);

  recording = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &(cairo_rectangle_t) { 0, 0, W, H });
  cr = cairo_create (recording);
  f->model.scale = 2.0;
  scaler_plot_render (cr, &f->model, W, H);
  cairo_destroy (cr);
  replayed = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 2 * W, 2 * H);
  cairo_surface_set_device_scale (replayed, 2.0, 2.0);
  cr = cairo_create (replayed);
  cairo_set_source_surface (cr, recording, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (replayed);

  /* Text goes through the recording unchanged; the series must too. */
  g_assert_cmpint (surface_difference (direct, replayed, &n_over), <=, 3);
  g_assert_cmpuint (n_over, ==, 0);

  cairo_surface_destroy (direct);
  cairo_surface_destroy (replayed);
  cairo_surface_destroy (recording);
}

/* The right edge is the end of the pixel column holding end_time: moving
 * end_time within a column changes nothing, the next column shifts the
 * picture by one pixel. */
static void
test_window_snaps_to_columns (Fixture       *f,
                              gconstpointer  data)
{
  cairo_rectangle_t area;
  double y_max;
  GTimeSpan column;
  cairo_surface_t *a, *b, *c;
  guint n_over;

  f->line.style = SCALER_PLOT_STYLE_STEP;
  f->model.window = 7 * G_TIME_SPAN_DAY;
  for (int i = 0; i < 2000; i++)
    scaler_series_append (f->series, f->now - 7 * G_TIME_SPAN_DAY + i * 5 * G_TIME_SPAN_MINUTE, (i / 37) % 9);
  render (f, &area, &y_max);
  column = f->model.window / (GTimeSpan) floor (area.width);

  f->model.end_time = scaler_series_bucket_of (f->now, column) * column;   /* a column's first usec */
  a = render_new_surface (&f->model, W, H, 1.0);
  f->model.end_time += column - 1;                                         /* its last */
  b = render_new_surface (&f->model, W, H, 1.0);
  f->model.end_time += 1;                                                  /* the next column */
  c = render_new_surface (&f->model, W, H, 1.0);
  g_assert_cmpint (surface_difference (a, b, &n_over), ==, 0);
  g_assert_cmpint (surface_difference (a, c, &n_over), >, 0);

  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
  cairo_surface_destroy (c);
}

static void
test_ticks (void)
{
  double top;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  g_assert_cmpfloat (scaler_plot_nice_step (10.0, TRUE, &top), ==, 5.0);
  g_assert_cmpfloat (top, ==, 10.0);
  g_assert_cmpfloat (scaler_plot_nice_step (7.0, TRUE, &top), ==, 2.0);
  g_assert_cmpfloat (top, ==, 8.0);
  g_assert_cmpfloat (scaler_plot_nice_step (1.0, TRUE, &top), ==, 1.0);
  g_assert_cmpfloat (top, ==, 1.0);
  g_assert_cmpfloat (scaler_plot_nice_step (0.0, TRUE, &top), ==, 1.0);
  g_assert_cmpfloat (scaler_plot_nice_step (27.5, FALSE, &top), ==, 10.0);
  g_assert_cmpfloat (top, ==, 30.0);
  g_assert_cmpfloat (scaler_plot_nice_step (0.9, FALSE, &top), ==, 0.25);
  g_assert_cmpfloat (top, ==, 1.0);

  g_assert_cmpint (scaler_plot_time_step (G_TIME_SPAN_HOUR, 600), ==, 10 * G_TIME_SPAN_MINUTE);
  g_assert_cmpint (scaler_plot_time_step (7 * G_TIME_SPAN_DAY, 600), ==, G_TIME_SPAN_DAY);

  a = scaler_plot_format_value (SCALER_PLOT_UNIT_COUNT, 3.0, TRUE);
  b = scaler_plot_format_value (SCALER_PLOT_UNIT_USD_PER_HOUR, 1.256, FALSE);
  c = scaler_plot_format_value (SCALER_PLOT_UNIT_USD_PER_HOUR, 2.5, TRUE);
  g_assert_cmpstr (a, ==, "3");
  g_assert_cmpstr (b, ==, "$1.26/h");
  g_assert_cmpstr (c, ==, "$2.50");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/scaler/plot-render/constant", test_constant);
  ADD ("/scaler/plot-render/step", test_step);
  ADD ("/scaler/plot-render/budget-line", test_budget_line);
  ADD ("/scaler/plot-render/empty", test_empty);
  ADD ("/scaler/plot-render/per-column-fold", test_per_column_fold);
  ADD ("/scaler/plot-render/hover", test_hover);
  ADD ("/scaler/plot-render/cache-matches-fresh", test_cache_matches_fresh);
  ADD ("/scaler/plot-render/layer-matches-vector", test_layer_matches_vector);
  ADD ("/scaler/plot-render/layer-through-recording", test_layer_through_recording);
  ADD ("/scaler/plot-render/window-snaps-to-columns", test_window_snaps_to_columns);
#undef ADD
  g_test_add_func ("/scaler/plot-render/ticks", test_ticks);

  return g_test_run ();
}
