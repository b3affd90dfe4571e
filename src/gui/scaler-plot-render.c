/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-plot-render"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "scaler-plot-layer.h"
#include "scaler-plot-render.h"

#define LINE_WIDTH      2.0
#define FILL_ALPHA      0.18
#define HEADER_GAP      10.0
#define AXIS_GAP        8.0
#define LEGEND_SWATCH   10.0
#define LEGEND_SPACING  16.0
#define MIN_TICK_PX     72.0

typedef struct
{
  double            y_max;
  double            y_step;
  cairo_rectangle_t area;
  double            header_height;
  double            legend_y;
  gboolean          legend_below_title;
  gboolean          empty;
} Layout;

/* What a series holds just outside the (snapped) window. */
typedef struct
{
  gboolean has_before;   /* a finite sample precedes the window: its value holds at the left edge */
  gint64   before_t;
  double   before_v;
  gboolean has_after;    /* a sample follows the window */
  double   after_v;
} Edges;

/* One picture: the layout, and the window snapped to whole columns of
 * absolute time with each line's columns folded. */
typedef struct
{
  Layout              lo;
  ScalerPlotModel     model;     /* the caller's, with the snapped end_time and window */
  GTimeSpan           col_width; /* usec per column */
  gint64              k0;        /* bucket (scaler_series_fold()) of column 0 */
  guint               ncols;
  ScalerSeriesBucket *buckets;   /* n_lines x ncols */
  Edges              *edges;     /* n_lines */
} Frame;

static void prepare_frame (cairo_t               *cr,
                           const ScalerPlotModel *model,
                           int                    width,
                           int                    height,
                           Frame                 *f);
static void frame_clear   (Frame                 *f);

static inline void
set_rgba (cairo_t       *cr,
          const GdkRGBA *rgba,
          double         alpha_scale)
{
  cairo_set_source_rgba (cr, rgba->red, rgba->green, rgba->blue, rgba->alpha * alpha_scale);
}

static PangoLayout *
create_layout (cairo_t               *cr,
               const ScalerPlotModel *model,
               gboolean               bold)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc;

  if (model->font != NULL)
    desc = pango_font_description_copy (model->font);
  else
    desc = pango_font_description_from_string ("Sans 9");
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);

  return layout;
}

/* Setting the text lays it out again, even the same text: measuring and then
 * drawing a label lays it out once. */
static void
set_text (PangoLayout *layout,
          const char  *text)
{
  if (g_strcmp0 (pango_layout_get_text (layout), text) != 0)
    pango_layout_set_text (layout, text, -1);
}

static void
text_size (PangoLayout *layout,
           const char  *text,
           double      *w,
           double      *h)
{
  int pw, ph;

  set_text (layout, text);
  pango_layout_get_pixel_size (layout, &pw, &ph);
  if (w)
    *w = pw;
  if (h)
    *h = ph;
}

static void
draw_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y)
{
  set_text (layout, text);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

double
scaler_plot_nice_step (double    max,
                       gboolean  integer,
                       double   *top)
{
  static const double nice[] = { 1.0, 2.0, 2.5, 5.0, 10.0 };
  double raw, mag, norm, step = 1.0;

  if (!(max > 0.0) || !isfinite (max))
    max = 1.0;

  raw = max / 4.0;
  mag = pow (10.0, floor (log10 (raw)));
  norm = raw / mag;
  for (guint i = 0; i < G_N_ELEMENTS (nice); i++)
    {
      if (integer && nice[i] == 2.5)
        continue;
      if (nice[i] >= norm - 1e-9)
        {
          step = nice[i] * mag;
          break;
        }
    }
  if (integer)
    step = MAX (1.0, ceil (step));

  if (top)
    *top = MAX (step, ceil (max / step - 1e-9) * step);

  return step;
}

GTimeSpan
scaler_plot_time_step (GTimeSpan window,
                       double    width)
{
  static const gint64 steps_s[] = {
    10, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600,
    6 * 3600, 12 * 3600, 24 * 3600, 2 * 24 * 3600, 7 * 24 * 3600,
  };

  if (window <= 0 || width <= 0)
    return G_TIME_SPAN_HOUR;

  for (guint i = 0; i < G_N_ELEMENTS (steps_s); i++)
    {
      GTimeSpan step = steps_s[i] * G_TIME_SPAN_SECOND;

      if (width * (double) step / (double) window >= MIN_TICK_PX)
        return step;
    }

  return steps_s[G_N_ELEMENTS (steps_s) - 1] * G_TIME_SPAN_SECOND;
}

char *
scaler_plot_format_value (ScalerPlotUnit unit,
                          double         value,
                          gboolean       for_axis)
{
  switch (unit)
    {
    case SCALER_PLOT_UNIT_USD_PER_HOUR:
      if (for_axis)
        {
          if (fabs (value - round (value)) < 1e-9)
            return g_strdup_printf ("$%.0f", value);
          return g_strdup_printf ("$%.2f", value);
        }
      /* TRANSLATORS: a price in US dollars per hour */
      return g_strdup_printf (_("$%.2f/h"), value);

    case SCALER_PLOT_UNIT_COUNT:
    default:
      if (fabs (value - round (value)) < 1e-9)
        return g_strdup_printf ("%.0f", value);
      return g_strdup_printf ("%.1f", value);
    }
}

gboolean
scaler_plot_value_at (ScalerSeries *series,
                      gint64        t,
                      double       *value)
{
  guint i;

  g_return_val_if_fail (SCALER_IS_SERIES (series), FALSE);

  /* First sample strictly after t, then step back one. */
  i = scaler_series_lower_bound (series, t == G_MAXINT64 ? t : t + 1);
  if (i == 0)
    return FALSE;
  scaler_series_get_sample (series, i - 1, NULL, value);

  return TRUE;
}

void
scaler_plot_model_init (ScalerPlotModel *model)
{
  g_return_if_fail (model != NULL);

  memset (model, 0, sizeof *model);
  model->end_time = g_get_real_time ();
  model->window = G_TIME_SPAN_HOUR;
  model->unit = SCALER_PLOT_UNIT_COUNT;
  model->min_y_max = 1.0;
  model->fg = (GdkRGBA) { 0, 0, 0, 0.8 };
  model->grid = (GdkRGBA) { 0, 0, 0, 0.1 };
  model->bg = (GdkRGBA) { 1, 1, 1, 0 };
  model->limit_color = (GdkRGBA) { 0.75, 0.11, 0.16, 1 };
  model->popover_bg = (GdkRGBA) { 1, 1, 1, 0.95 };
}

/* The largest value any line shows in the window (including the sample that
 * holds at the left edge); FALSE when no line has data in the window. */
static gboolean
data_max (const ScalerPlotModel *model,
          double                *out_max)
{
  gint64 t_start = model->end_time - model->window;
  gboolean any = FALSE;
  double max = 0.0;

  for (guint l = 0; l < model->n_lines; l++)
    {
      ScalerSeries *series = model->lines[l].series;
      guint i;
      double v;

      if (series == NULL)
        continue;

      if (scaler_series_get_max (series, t_start, model->end_time, &v))
        {
          any = TRUE;
          max = MAX (max, v);
        }
      i = scaler_series_lower_bound (series, t_start);
      if (i > 0)
        {
          scaler_series_get_sample (series, i - 1, NULL, &v);
          if (isfinite (v))
            max = MAX (max, v);
        }
    }

  *out_max = max;

  return any;
}

/* at_least: a value the y axis must show (what the snapped window draws). */
static void
compute_layout (cairo_t               *cr,
                const ScalerPlotModel *model,
                int                    width,
                int                    height,
                double                 at_least,
                Layout                *lo)
{
  g_autoptr(PangoLayout) layout = create_layout (cr, model, FALSE);
  g_autoptr(PangoLayout) title_layout = create_layout (cr, model, TRUE);
  double max = 0.0;
  double top = 1.0;
  double label_w = 0.0, text_h = 0.0, title_h = 0.0, title_w = 0.0, legend_w = 0.0;
  double left, right, bottom;

  memset (lo, 0, sizeof *lo);

  lo->empty = !data_max (model, &max);
  max = MAX (max, at_least);
  max = MAX (max, model->min_y_max);
  if (model->has_limit && model->limit > 0.0)
    max = MAX (max, model->limit * 1.1);
  lo->y_step = scaler_plot_nice_step (max, model->unit == SCALER_PLOT_UNIT_COUNT, &top);
  lo->y_max = top;

  /* Widest y label. */
  for (double v = 0.0; v <= top + lo->y_step / 2; v += lo->y_step)
    {
      g_autofree char *s = scaler_plot_format_value (model->unit, v, TRUE);
      double w;

      text_size (layout, s, &w, &text_h);
      label_w = MAX (label_w, w);
    }

  /* Title row, with the legend on its right (or below when it does not fit). */
  if (model->title != NULL && model->title[0] != '\0')
    text_size (title_layout, model->title, &title_w, &title_h);
  if (!lo->empty)
    {
      for (guint l = 0; l < model->n_lines; l++)
        {
          double w;

          text_size (layout, model->lines[l].label ? model->lines[l].label : "", &w, NULL);
          legend_w += LEGEND_SWATCH + 6 + w + LEGEND_SPACING;
        }
    }
  if (model->has_limit && model->limit > 0.0 && model->limit_label != NULL)
    {
      double w;

      text_size (layout, model->limit_label, &w, NULL);
      legend_w += LEGEND_SWATCH + 6 + w + LEGEND_SPACING;
    }
  legend_w = MAX (0.0, legend_w - LEGEND_SPACING);

  lo->header_height = MAX (title_h, text_h);
  lo->legend_y = 0.0;
  if (legend_w > 0 && title_w + 24 + legend_w > width)
    {
      lo->legend_below_title = TRUE;
      lo->legend_y = title_h + 4;
      lo->header_height = title_h + 4 + text_h;
    }

  left = ceil (label_w + AXIS_GAP);
  right = ceil (MAX (6.0, text_h * 1.5));
  bottom = ceil (text_h + AXIS_GAP / 2);

  lo->area.x = left;
  lo->area.y = ceil (lo->header_height + HEADER_GAP + text_h / 2);
  lo->area.width = MAX (1.0, width - left - right);
  lo->area.height = MAX (1.0, height - lo->area.y - bottom);
}

void
scaler_plot_render_get_area (cairo_t               *cr,
                             const ScalerPlotModel *model,
                             int                    width,
                             int                    height,
                             cairo_rectangle_t     *area,
                             double                *y_max)
{
  Frame f;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (model != NULL);

  prepare_frame (cr, model, width, height, &f);
  if (area)
    *area = f.lo.area;
  if (y_max)
    *y_max = f.lo.y_max;
  frame_clear (&f);
}

static inline double
value_to_y (const Layout *lo,
            double        v)
{
  return lo->area.y + lo->area.height * (1.0 - v / lo->y_max);
}

static char *
format_time (const ScalerPlotModel *model,
             gint64                 t,
             const char            *fmt)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("");
  if (model->time_zone != NULL)
    local = g_date_time_to_timezone (utc, model->time_zone);
  else
    local = g_date_time_to_local (utc);

  return g_date_time_format (local, fmt);
}

static GTimeSpan
utc_offset (const ScalerPlotModel *model,
            gint64                 t)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return 0;
  if (model->time_zone != NULL)
    local = g_date_time_to_timezone (utc, model->time_zone);
  else
    local = g_date_time_to_local (utc);

  return g_date_time_get_utc_offset (local);
}

static void
draw_axes (cairo_t               *cr,
           const ScalerPlotModel *model,
           const Layout          *lo,
           PangoLayout           *layout)
{
  gint64 t_start = model->end_time - model->window;
  GTimeSpan step = scaler_plot_time_step (model->window, lo->area.width);
  GTimeSpan offset = utc_offset (model, model->end_time);
  double last_label_right = -G_MAXDOUBLE;
  gint64 t;

  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);

  /* Horizontal grid and y labels. */
  for (double v = 0.0; v <= lo->y_max + lo->y_step / 2; v += lo->y_step)
    {
      g_autofree char *s = scaler_plot_format_value (model->unit, v, TRUE);
      double y = round (value_to_y (lo, v)) + 0.5;
      double w, h;

      set_rgba (cr, &model->grid, v == 0.0 ? 2.0 : 1.0);
      cairo_move_to (cr, lo->area.x, y);
      cairo_line_to (cr, lo->area.x + lo->area.width, y);
      cairo_stroke (cr);

      text_size (layout, s, &w, &h);
      set_rgba (cr, &model->fg, 0.65);
      draw_text (cr, layout, s, lo->area.x - AXIS_GAP - w, y - h / 2);
    }

  /* Vertical ticks and time labels, aligned to local time. */
  t = t_start + offset;
  t = (t / step + (t % step != 0 && t > 0 ? 1 : 0)) * step - offset;
  for (; t <= model->end_time; t += step)
    {
      double x = lo->area.x + lo->area.width * (double) (t - t_start) / (double) model->window;
      g_autofree char *s = NULL;
      double w, h;
      GTimeSpan local_t = t + offset;

      x = round (x) + 0.5;
      set_rgba (cr, &model->grid, 1.0);
      cairo_move_to (cr, x, lo->area.y);
      cairo_line_to (cr, x, lo->area.y + lo->area.height);
      cairo_stroke (cr);

      if (step >= G_TIME_SPAN_DAY || (model->window > G_TIME_SPAN_DAY && local_t % G_TIME_SPAN_DAY == 0))
        s = format_time (model, t, "%a");
      else
        s = format_time (model, t, "%H:%M");

      text_size (layout, s, &w, &h);
      if (x - w / 2 < last_label_right + 8 || x + w / 2 > lo->area.x + lo->area.width + lo->area.x)
        continue;
      set_rgba (cr, &model->fg, 0.65);
      draw_text (cr, layout, s, x - w / 2, lo->area.y + lo->area.height + AXIS_GAP / 2);
      last_label_right = x + w / 2;
    }

  cairo_restore (cr);
}

static void
draw_legend (cairo_t               *cr,
             const ScalerPlotModel *model,
             const Layout          *lo,
             PangoLayout           *layout,
             int                    width)
{
  double total = 0.0, x, h = 0.0;
  gboolean show_limit = model->has_limit && model->limit > 0.0 && model->limit_label != NULL;
  g_autofree double *sizes = g_new0 (double, 2 * (model->n_lines + 1));   /* w, h per label */

  /* Measure, then draw right-aligned. */
  if (!lo->empty)
    for (guint l = 0; l < model->n_lines; l++)
      {
        text_size (layout, model->lines[l].label ? model->lines[l].label : "", &sizes[2 * l], &sizes[2 * l + 1]);
        total += LEGEND_SWATCH + 6 + sizes[2 * l] + LEGEND_SPACING;
      }
  if (show_limit)
    {
      double w;

      text_size (layout, model->limit_label, &w, &h);
      total += LEGEND_SWATCH + 6 + w + LEGEND_SPACING;
    }
  if (total <= 0.0)
    return;
  total -= LEGEND_SPACING;

  x = lo->legend_below_title ? lo->area.x : width - total;

  if (!lo->empty)
    for (guint l = 0; l < model->n_lines; l++)
      {
        const char *label = model->lines[l].label ? model->lines[l].label : "";
        double w = sizes[2 * l];

        h = sizes[2 * l + 1];
        set_rgba (cr, &model->lines[l].color, 1.0);
        cairo_new_sub_path (cr);
        cairo_arc (cr, x + LEGEND_SWATCH / 2, lo->legend_y + h / 2, LEGEND_SWATCH / 2, 0, 2 * G_PI);
        cairo_fill (cr);
        set_rgba (cr, &model->fg, 0.8);
        draw_text (cr, layout, label, x + LEGEND_SWATCH + 6, lo->legend_y);
        x += LEGEND_SWATCH + 6 + w + LEGEND_SPACING;
      }

  if (show_limit)
    {
      static const double dash[] = { 4.0, 3.0 };
      double w;

      text_size (layout, model->limit_label, &w, &h);
      cairo_save (cr);
      set_rgba (cr, &model->limit_color, 1.0);
      cairo_set_line_width (cr, 2.0);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, x, round (lo->legend_y + h / 2));
      cairo_line_to (cr, x + LEGEND_SWATCH + 2, round (lo->legend_y + h / 2));
      cairo_stroke (cr);
      cairo_restore (cr);
      set_rgba (cr, &model->fg, 0.8);
      draw_text (cr, layout, model->limit_label, x + LEGEND_SWATCH + 6, lo->legend_y);
    }
}

/* Start time of bucket k, saturated at the ends of the time line. */
static gint64
bucket_start (gint64    k,
              GTimeSpan width)
{
  if (k > G_MAXINT64 / width)
    return G_MAXINT64;
  if (k < G_MININT64 / width)
    return G_MININT64;
  return k * width;
}

/* Snaps the window to lo's columns and folds every line into them. */
static void
fold_frame (Frame                 *f,
            const ScalerPlotModel *model)
{
  gint64 end = CLAMP (model->end_time, G_MININT64 / 4, G_MAXINT64 / 4);
  gint64 t_start, t_end;

  f->ncols = (guint) MAX (1.0, floor (f->lo.area.width));
  f->col_width = MAX (1, model->window / f->ncols);
  f->k0 = scaler_series_bucket_of (end, f->col_width) + 1 - f->ncols;
  t_start = bucket_start (f->k0, f->col_width);
  t_end = bucket_start (f->k0 + f->ncols, f->col_width);

  f->model = *model;
  f->model.end_time = t_end;
  f->model.window = t_end - t_start;

  g_free (f->buckets);
  g_free (f->edges);
  f->buckets = g_new0 (ScalerSeriesBucket, (gsize) f->ncols * MAX (1, model->n_lines));
  f->edges = g_new0 (Edges, MAX (1, model->n_lines));

  for (guint l = 0; l < model->n_lines; l++)
    {
      ScalerSeries *series = model->lines[l].series;
      Edges *e = &f->edges[l];
      guint i;

      if (series == NULL)
        continue;
      scaler_series_fold (series, f->col_width, f->k0, f->ncols, f->buckets + (gsize) l * f->ncols);
      i = scaler_series_lower_bound (series, t_start);
      if (i > 0)
        {
          scaler_series_get_sample (series, i - 1, &e->before_t, &e->before_v);
          e->has_before = isfinite (e->before_v);
        }
      i = scaler_series_lower_bound (series, t_end);
      if (i < scaler_series_get_n_samples (series))
        {
          scaler_series_get_sample (series, i, NULL, &e->after_v);
          e->has_after = TRUE;
        }
    }
}

/* The largest value the folded lines draw. */
static double
frame_max (const Frame *f)
{
  double max = 0.0;

  for (guint l = 0; l < f->model.n_lines; l++)
    {
      const ScalerSeriesBucket *cols = f->buckets + (gsize) l * f->ncols;

      if (f->edges[l].has_before)
        max = MAX (max, f->edges[l].before_v);
      for (guint c = 0; c < f->ncols; c++)
        if (cols[c].n > 0)
          max = MAX (max, cols[c].max);
    }

  return max;
}

/* The layout, then the snapped window folded. The y axis comes from the
 * model's own window; should the snapped one (which may reach less than a
 * column past end_time) draw higher, the layout is done again for that. */
static void
prepare_frame (cairo_t               *cr,
               const ScalerPlotModel *model,
               int                    width,
               int                    height,
               Frame                 *f)
{
  double at_least = 0.0;

  memset (f, 0, sizeof *f);
  f->model = *model;
  for (guint pass = 0; pass < 3; pass++)
    {
      compute_layout (cr, model, width, height, at_least, &f->lo);
      if (f->lo.empty)
        return;
      fold_frame (f, model);
      at_least = frame_max (f);
      if (!(at_least > f->lo.y_max))
        return;
    }
}

static void
frame_clear (Frame *f)
{
  g_clear_pointer (&f->buckets, g_free);
  g_clear_pointer (&f->edges, g_free);
}

/* A step series as boxes: what stroking its polyline (through each column's
 * first and last values, 2 px wide, miter joins, square caps) covers, plus a
 * 2 px span per column from its min to its max, and the area under it. */
static void
add_step_series (ScalerPlotLayer *layer,
                 const Frame     *f,
                 guint            l)
{
  const Layout *lo = &f->lo;
  const ScalerSeriesBucket *cols = f->buckets + (gsize) l * f->ncols;
  const Edges *e = &f->edges[l];
  const double hw = LINE_WIDTH / 2;
  double base_y = value_to_y (lo, 0.0);
  double prev_x = 0.0, prev_y = 0.0;
  gboolean started = FALSE, any_column = FALSE;

  if (e->has_before)
    {
      prev_x = lo->area.x;
      prev_y = value_to_y (lo, e->before_v);
      started = TRUE;
    }

  for (guint c = 0; c < f->ncols; c++)
    {
      double x = lo->area.x + c + 0.5;
      double top, bottom;

      if (cols[c].n == 0)
        continue;
      top = value_to_y (lo, cols[c].max);
      bottom = value_to_y (lo, cols[c].min);
      if (started)
        {
          /* The step from the previous value, and the area under it. */
          scaler_plot_layer_add_line (layer, prev_x - hw, prev_y - hw, x + hw, prev_y + hw);
          scaler_plot_layer_add_fill (layer, prev_x, MIN (prev_y, base_y), x, MAX (prev_y, base_y));
          top = MIN (top, prev_y);
          bottom = MAX (bottom, prev_y);
        }
      scaler_plot_layer_add_line (layer, x - hw, top - hw, x + hw, bottom + hw);
      started = any_column = TRUE;
      prev_x = x;
      prev_y = value_to_y (lo, cols[c].last);
    }

  /* The value holds up to the right edge while later data exists (or when
   * the only sample precedes the window). */
  if (started && (e->has_after || !any_column))
    {
      double right = lo->area.x + lo->area.width;

      scaler_plot_layer_add_line (layer, prev_x - hw, prev_y - hw, right + hw, prev_y + hw);
      scaler_plot_layer_add_fill (layer, prev_x, MIN (prev_y, base_y), right, MAX (prev_y, base_y));
    }
}

static void stroke_line_series (cairo_t              *cr,
                                const ScalerPlotLine *line,
                                GArray               *spans,
                                double                first_x,
                                double                last_x,
                                double                base_y);

/* Where a line with a sample before the window crosses its left edge: on the
 * way to its first column with samples. */
static double
left_edge_value (const Frame *f,
                 guint        l)
{
  const ScalerPlotModel *model = &f->model;
  const ScalerSeriesBucket *cols = f->buckets + (gsize) l * f->ncols;
  const Edges *e = &f->edges[l];
  gint64 t_start = model->end_time - model->window;

  for (guint c = 0; c < f->ncols; c++)
    if (cols[c].n > 0)
      {
        gint64 t1 = t_start + (gint64) ((double) model->window * (c + 0.5) / f->ncols);

        if (t1 > e->before_t)
          return e->before_v + (cols[c].first - e->before_v) * (double) (t_start - e->before_t) /
                               (double) (t1 - e->before_t);
        break;
      }

  return e->before_v;
}

/* A line series: a polyline through each column's first and last values,
 * plus a filled 2 px span per column from its min to its max. The polyline
 * never backtracks, so stroking and filling stay cheap however many samples
 * fall in a column. */
static void
draw_line_series (cairo_t     *cr,
                  const Frame *f,
                  guint        l)
{
  const ScalerPlotModel *model = &f->model;
  const ScalerPlotLine *line = &model->lines[l];
  const Layout *lo = &f->lo;
  const ScalerSeriesBucket *cols = f->buckets + (gsize) l * f->ncols;
  const Edges *e = &f->edges[l];
  gboolean started = FALSE;
  double prev_y = 0.0, first_x = 0.0, last_x = 0.0;
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (double) * 3);

  cairo_new_path (cr);

  if (e->has_before)
    {
      prev_y = value_to_y (lo, left_edge_value (f, l));
      first_x = lo->area.x;
      cairo_move_to (cr, first_x, prev_y);
      started = TRUE;
    }

  for (guint c = 0; c < f->ncols; c++)
    {
      double x = lo->area.x + c + 0.5;
      double y_first, y_last;

      if (cols[c].n == 0)
        continue;

      y_first = value_to_y (lo, cols[c].first);
      y_last = value_to_y (lo, cols[c].last);
      if (!started)
        {
          first_x = x;
          cairo_move_to (cr, x, y_first);
          started = TRUE;
        }
      else
        cairo_line_to (cr, x, y_first);
      if (y_last != y_first)
        cairo_line_to (cr, x, y_last);

      if (cols[c].min != cols[c].max)
        {
          double span[3] = { x, value_to_y (lo, cols[c].max), value_to_y (lo, cols[c].min) };

          g_array_append_vals (spans, span, 1);
        }

      prev_y = y_last;
      last_x = x;
    }

  if (!started)
    return;

  if (e->has_after || last_x == 0.0)
    {
      last_x = lo->area.x + lo->area.width;
      cairo_line_to (cr, last_x, e->has_after && isfinite (e->after_v) ? value_to_y (lo, e->after_v) : prev_y);
    }

  stroke_line_series (cr, line, spans, first_x, last_x, value_to_y (lo, 0.0));
}

static void
stroke_line_series (cairo_t              *cr,
                    const ScalerPlotLine *line,
                    GArray               *spans,
                    double                first_x,
                    double                last_x,
                    double                base_y)
{
  if (line->fill)
    {
      cairo_path_t *path = cairo_copy_path (cr);

      cairo_line_to (cr, last_x, base_y);
      cairo_line_to (cr, first_x, base_y);
      cairo_close_path (cr);
      set_rgba (cr, &line->color, FILL_ALPHA);
      cairo_fill (cr);
      cairo_append_path (cr, path);
      cairo_path_destroy (path);
    }

  set_rgba (cr, &line->color, 1.0);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_SQUARE);
  cairo_stroke (cr);

  for (guint i = 0; i < spans->len; i++)
    {
      const double *span = &g_array_index (spans, double, i * 3);

      cairo_rectangle (cr, span[0] - LINE_WIDTH / 2, span[1] - LINE_WIDTH / 2,
                       LINE_WIDTH, span[2] - span[1] + LINE_WIDTH);
    }
  if (spans->len > 0)
    cairo_fill (cr);
}

/* Device pixels per unit for the step layer; *rotated when cr is not a
 * plain scale (then the layer draws paths). */
static double
layer_scale (cairo_t               *cr,
             const ScalerPlotModel *model,
             gboolean              *rotated)
{
  cairo_matrix_t m;
  double sx = 1.0, sy = 1.0;

  cairo_get_matrix (cr, &m);
  cairo_surface_get_device_scale (cairo_get_target (cr), &sx, &sy);
  *rotated = m.xy != 0.0 || m.yx != 0.0;

  return MAX (model->scale, MAX (fabs (m.xx) * sx, fabs (m.yy) * sy));
}

/* The lines in order: step series go through one pixel layer (painted before
 * a line series that follows them, and at the end), line series are paths. */
static void
draw_series (cairo_t     *cr,
             const Frame *f)
{
  const Layout *lo = &f->lo;
  g_autoptr(ScalerPlotLayer) layer = NULL;
  gboolean rotated;
  double scale = layer_scale (cr, &f->model, &rotated);

  for (guint l = 0; l < f->model.n_lines; l++)
    {
      const ScalerPlotLine *line = &f->model.lines[l];

      if (line->series == NULL)
        continue;
      if (line->style == SCALER_PLOT_STYLE_STEP)
        {
          if (layer == NULL)
            layer = scaler_plot_layer_new (cr, lo->area.x - LINE_WIDTH, lo->area.y - LINE_WIDTH,
                                           lo->area.width + 2 * LINE_WIDTH, lo->area.height + 2 * LINE_WIDTH,
                                           scale, f->model.vector || rotated);
          add_step_series (layer, f, l);
          scaler_plot_layer_end_series (layer, &line->color, line->fill ? FILL_ALPHA : 0.0);
          continue;
        }

      if (layer != NULL)
        {
          scaler_plot_layer_paint (layer);
          g_clear_pointer (&layer, scaler_plot_layer_free);
        }
      cairo_save (cr);
      cairo_rectangle (cr, lo->area.x - LINE_WIDTH, lo->area.y - LINE_WIDTH,
                       lo->area.width + 2 * LINE_WIDTH, lo->area.height + 2 * LINE_WIDTH);
      cairo_clip (cr);
      draw_line_series (cr, f, l);
      cairo_restore (cr);
    }
  if (layer != NULL)
    scaler_plot_layer_paint (layer);
}

static void
rounded_rect (cairo_t *cr,
              double   x,
              double   y,
              double   w,
              double   h,
              double   r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* What the hover cursor reads out at one time: each line's value (NAN before
 * its first sample), and a text and colour per line that has one. */
typedef struct
{
  char      *time_text;
  GArray    *values;  /* double, one per line */
  GPtrArray *texts;   /* "label: value" */
  GArray    *colors;  /* GdkRGBA, one per text */
} HoverReadout;

static void
hover_readout_init (HoverReadout          *readout,
                    const ScalerPlotModel *model,
                    gint64                 t)
{
  readout->time_text = format_time (model, t, model->window > G_TIME_SPAN_DAY ? "%a %H:%M" : "%H:%M:%S");
  readout->values = g_array_new (FALSE, FALSE, sizeof (double));
  readout->texts = g_ptr_array_new_with_free_func (g_free);
  readout->colors = g_array_new (FALSE, FALSE, sizeof (GdkRGBA));

  for (guint l = 0; l < model->n_lines; l++)
    {
      const ScalerPlotLine *line = &model->lines[l];
      double v = NAN;
      gint64 first_t;

      if (line->series != NULL && scaler_series_get_n_samples (line->series) > 0)
        {
          scaler_series_get_sample (line->series, 0, &first_t, NULL);
          if (t < first_t || !scaler_plot_value_at (line->series, t, &v))
            v = NAN;
        }
      g_array_append_val (readout->values, v);
      if (!isnan (v))
        {
          g_autofree char *value = scaler_plot_format_value (model->unit, v, FALSE);

          g_ptr_array_add (readout->texts, g_strdup_printf ("%s: %s", line->label ? line->label : "", value));
          g_array_append_val (readout->colors, line->color);
        }
    }
}

static void
hover_readout_clear (HoverReadout *readout)
{
  g_clear_pointer (&readout->time_text, g_free);
  g_clear_pointer (&readout->values, g_array_unref);
  g_clear_pointer (&readout->texts, g_ptr_array_unref);
  g_clear_pointer (&readout->colors, g_array_unref);
}

/* The cursor line, then a marker on each line. */
static void
draw_hover_cursor (cairo_t               *cr,
                   const ScalerPlotModel *model,
                   const Layout          *lo,
                   double                 x,
                   const HoverReadout    *readout)
{
  cairo_set_line_width (cr, 1.0);
  set_rgba (cr, &model->fg, 0.35);
  cairo_move_to (cr, round (x) + 0.5, lo->area.y);
  cairo_line_to (cr, round (x) + 0.5, lo->area.y + lo->area.height);
  cairo_stroke (cr);

  for (guint l = 0; l < model->n_lines; l++)
    {
      double v = g_array_index (readout->values, double, l);

      if (isnan (v))
        continue;
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, value_to_y (lo, v), 4.5, 0, 2 * G_PI);
      set_rgba (cr, &model->popover_bg, 1.0);
      cairo_fill_preserve (cr);
      set_rgba (cr, &model->lines[l].color, 1.0);
      cairo_set_line_width (cr, 2.0);
      cairo_stroke (cr);
    }
}

/* The read-out box: the time, then a swatch and a text per line; right of
 * the cursor, or left of it where the plot ends. */
static void
draw_hover_box (cairo_t               *cr,
                const ScalerPlotModel *model,
                const Layout          *lo,
                PangoLayout           *layout,
                int                    width,
                double                 x,
                const HoverReadout    *readout)
{
  const double pad = 8.0;
  double box_w, box_h, line_h = 0.0, bx, by;

  text_size (layout, readout->time_text, &box_w, &line_h);
  for (guint i = 0; i < readout->texts->len; i++)
    {
      double w;

      text_size (layout, g_ptr_array_index (readout->texts, i), &w, NULL);
      box_w = MAX (box_w, w + LEGEND_SWATCH + 6);
    }
  box_w += 2 * pad;
  box_h = (readout->texts->len + 1) * line_h + 2 * pad;

  bx = x + 12;
  if (bx + box_w > width)
    bx = x - 12 - box_w;
  bx = MAX (0.0, bx);
  by = lo->area.y + 4;

  rounded_rect (cr, bx, by, box_w, box_h, 6);
  set_rgba (cr, &model->popover_bg, 1.0);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 1.0);
  set_rgba (cr, &model->grid, 2.0);
  cairo_stroke (cr);

  set_rgba (cr, &model->fg, 0.65);
  draw_text (cr, layout, readout->time_text, bx + pad, by + pad);
  for (guint i = 0; i < readout->texts->len; i++)
    {
      double ly = by + pad + (i + 1) * line_h;

      set_rgba (cr, &g_array_index (readout->colors, GdkRGBA, i), 1.0);
      cairo_new_sub_path (cr);
      cairo_arc (cr, bx + pad + LEGEND_SWATCH / 2, ly + line_h / 2, LEGEND_SWATCH / 2 - 1, 0, 2 * G_PI);
      cairo_fill (cr);
      set_rgba (cr, &model->fg, 1.0);
      draw_text (cr, layout, g_ptr_array_index (readout->texts, i), bx + pad + LEGEND_SWATCH + 6, ly);
    }
}

static void
draw_hover (cairo_t               *cr,
            const ScalerPlotModel *model,
            const Layout          *lo,
            PangoLayout           *layout,
            int                    width)
{
  gint64 t_start = model->end_time - model->window;
  double x = model->hover_x;
  HoverReadout readout;
  gint64 t;

  if (x < lo->area.x || x > lo->area.x + lo->area.width)
    return;

  t = t_start + (gint64) ((x - lo->area.x) / lo->area.width * (double) model->window);
  hover_readout_init (&readout, model, t);

  /* Nothing to read out (before the first sample): no cursor at all. */
  if (readout.texts->len > 0)
    {
      cairo_save (cr);
      draw_hover_cursor (cr, model, lo, x, &readout);
      draw_hover_box (cr, model, lo, layout, width, x, &readout);
      cairo_restore (cr);
    }
  hover_readout_clear (&readout);
}

void
scaler_plot_render (cairo_t               *cr,
                    const ScalerPlotModel *model,
                    int                    width,
                    int                    height)
{
  g_autoptr(PangoLayout) layout = NULL;
  g_autoptr(PangoLayout) title_layout = NULL;
  Frame f;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (model != NULL);
  g_return_if_fail (model->n_lines == 0 || model->lines != NULL);

  if (width <= 0 || height <= 0 || model->window <= 0)
    return;

  cairo_save (cr);

  if (model->bg.alpha > 0)
    {
      set_rgba (cr, &model->bg, 1.0);
      cairo_paint (cr);
    }

  /* From here on the snapped window (f.model) is the one drawn. */
  prepare_frame (cr, model, width, height, &f);
  layout = create_layout (cr, &f.model, FALSE);
  title_layout = create_layout (cr, &f.model, TRUE);

  if (model->title != NULL && model->title[0] != '\0')
    {
      set_rgba (cr, &model->fg, 1.0);
      draw_text (cr, title_layout, model->title, 0, 0);
    }
  draw_legend (cr, &f.model, &f.lo, layout, width);
  draw_axes (cr, &f.model, &f.lo, layout);

  if (model->has_limit && model->limit > 0.0)
    {
      static const double dash[] = { 6.0, 4.0 };
      double y = round (value_to_y (&f.lo, model->limit)) + 0.5;

      cairo_save (cr);
      set_rgba (cr, &model->limit_color, 1.0);
      cairo_set_line_width (cr, 1.0);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, f.lo.area.x, y);
      cairo_line_to (cr, f.lo.area.x + f.lo.area.width, y);
      cairo_stroke (cr);
      cairo_restore (cr);
    }

  if (f.lo.empty)
    {
      const char *text = model->empty_text ? model->empty_text : _("No data yet");
      double w, h;

      text_size (layout, text, &w, &h);
      set_rgba (cr, &model->fg, 0.55);
      draw_text (cr, layout, text,
                 f.lo.area.x + (f.lo.area.width - w) / 2,
                 f.lo.area.y + (f.lo.area.height - h) / 2);
      frame_clear (&f);
      cairo_restore (cr);
      return;
    }

  draw_series (cr, &f);

  if (model->has_hover)
    draw_hover (cr, &f.model, &f.lo, layout, width);

  frame_clear (&f);
  cairo_restore (cr);
}
