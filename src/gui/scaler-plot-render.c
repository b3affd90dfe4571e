/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-plot-render"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "scaler-plot-render.h"

#define LINE_WIDTH      2.0
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

/* Per-column fold of the samples of one series. */
typedef struct
{
  double first;
  double min;
  double max;
  double last;
  guint  has : 1;
} Column;

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

static void
text_size (PangoLayout *layout,
           const char  *text,
           double      *w,
           double      *h)
{
  int pw, ph;

  pango_layout_set_text (layout, text, -1);
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
  pango_layout_set_text (layout, text, -1);
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
      guint n, i;

      if (series == NULL)
        continue;

      n = scaler_series_get_n_samples (series);
      i = scaler_series_lower_bound (series, t_start);
      if (i > 0)
        i--;

      for (; i < n; i++)
        {
          gint64 t;
          double v;

          scaler_series_get_sample (series, i, &t, &v);
          if (t > model->end_time)
            break;
          if (!isfinite (v))
            continue;
          if (t >= t_start)
            any = TRUE;
          max = MAX (max, v);
        }
    }

  *out_max = max;

  return any;
}

static void
compute_layout (cairo_t               *cr,
                const ScalerPlotModel *model,
                int                    width,
                int                    height,
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
  Layout lo;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (model != NULL);

  compute_layout (cr, model, width, height, &lo);
  if (area)
    *area = lo.area;
  if (y_max)
    *y_max = lo.y_max;
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

  /* Measure, then draw right-aligned. */
  if (!lo->empty)
    for (guint l = 0; l < model->n_lines; l++)
      {
        double w;

        text_size (layout, model->lines[l].label ? model->lines[l].label : "", &w, &h);
        total += LEGEND_SWATCH + 6 + w + LEGEND_SPACING;
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
        double w;

        text_size (layout, label, &w, &h);
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

/* Folds the samples of series into ncols columns over [t_start, end_time]. Returns
 * whether a sample precedes the window (its value in *before). */
static gboolean
fold_columns (ScalerSeries *series,
              gint64        t_start,
              gint64        end_time,
              guint         ncols,
              Column       *cols,
              gint64       *before_t,
              double       *before_v,
              gint64       *after_t,
              double       *after_v)
{
  guint n = scaler_series_get_n_samples (series);
  guint i = scaler_series_lower_bound (series, t_start);
  double span = (double) (end_time - t_start);
  gboolean has_before = FALSE;

  memset (cols, 0, sizeof (Column) * ncols);
  *after_t = 0;

  if (i > 0)
    {
      scaler_series_get_sample (series, i - 1, before_t, before_v);
      has_before = isfinite (*before_v);
    }

  for (; i < n; i++)
    {
      gint64 t;
      double v;
      guint c;
      Column *col;

      scaler_series_get_sample (series, i, &t, &v);
      if (t > end_time)
        {
          *after_t = t;
          *after_v = v;
          break;
        }
      if (!isfinite (v))
        continue;

      c = (guint) MIN ((double) ncols - 1, floor ((double) (t - t_start) / span * ncols));
      col = &cols[c];
      if (!col->has)
        {
          col->has = TRUE;
          col->first = col->min = col->max = v;
        }
      col->min = MIN (col->min, v);
      col->max = MAX (col->max, v);
      col->last = v;
    }

  return has_before;
}

/* One series: a polyline through each column's first and last values (the
 * steps between columns), plus a filled 2 px span per column from its min to
 * its max. The polyline never backtracks, so stroking and filling stay cheap
 * however many samples fall in a column. */
static void
draw_line (cairo_t               *cr,
           const ScalerPlotModel *model,
           const Layout          *lo,
           const ScalerPlotLine  *line,
           Column                *cols,
           guint                  ncols)
{
  gint64 t_start = model->end_time - model->window;
  gint64 before_t = 0, after_t = 0;
  double before_v = 0.0, after_v = 0.0;
  gboolean has_before;
  gboolean started = FALSE;
  double prev_y = 0.0, first_x = 0.0, last_x = 0.0;
  double base_y = value_to_y (lo, 0.0);
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (double) * 3);
  cairo_path_t *path;

  has_before = fold_columns (line->series, t_start, model->end_time, ncols, cols,
                             &before_t, &before_v, &after_t, &after_v);

  cairo_new_path (cr);

  if (has_before)
    {
      double v = before_v;

      /* A line enters the window where it crosses the left edge. */
      if (line->style == SCALER_PLOT_STYLE_LINE)
        {
          for (guint c = 0; c < ncols; c++)
            if (cols[c].has)
              {
                gint64 t1 = t_start + (gint64) ((double) model->window * (c + 0.5) / ncols);

                if (t1 > before_t)
                  v = before_v + (cols[c].first - before_v) * (double) (t_start - before_t) / (double) (t1 - before_t);
                break;
              }
        }
      prev_y = value_to_y (lo, v);
      first_x = lo->area.x;
      cairo_move_to (cr, first_x, prev_y);
      started = TRUE;
    }

  for (guint c = 0; c < ncols; c++)
    {
      const Column *col = &cols[c];
      double x = lo->area.x + c + 0.5;
      double y_first, y_last;

      if (!col->has)
        continue;

      y_first = value_to_y (lo, col->first);
      y_last = value_to_y (lo, col->last);

      if (!started)
        {
          first_x = x;
          cairo_move_to (cr, x, y_first);
          started = TRUE;
        }
      else
        {
          if (line->style == SCALER_PLOT_STYLE_STEP)
            cairo_line_to (cr, x, prev_y);
          cairo_line_to (cr, x, y_first);
        }
      if (y_last != y_first)
        cairo_line_to (cr, x, y_last);

      if (col->min != col->max)
        {
          double span[3] = { x, value_to_y (lo, col->max), value_to_y (lo, col->min) };

          g_array_append_vals (spans, span, 1);
        }

      prev_y = y_last;
      last_x = x;
    }

  if (!started)
    return;

  /* The value of a step series holds up to the right edge while later data
   * exists (or when the only sample precedes the window). */
  if (after_t != 0 || last_x == 0.0)
    {
      last_x = lo->area.x + lo->area.width;
      if (line->style == SCALER_PLOT_STYLE_STEP || after_t == 0)
        cairo_line_to (cr, last_x, prev_y);
      else
        cairo_line_to (cr, last_x, value_to_y (lo, after_v));
    }

  if (line->fill)
    {
      path = cairo_copy_path (cr);
      cairo_line_to (cr, last_x, base_y);
      cairo_line_to (cr, first_x, base_y);
      cairo_close_path (cr);
      set_rgba (cr, &line->color, 0.18);
      cairo_fill (cr);
      cairo_append_path (cr, path);
      cairo_path_destroy (path);
    }

  set_rgba (cr, &line->color, 1.0);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_SQUARE);
  cairo_stroke (cr);

  /* Min/max spans of the columns with several values. */
  for (guint i = 0; i < spans->len; i++)
    {
      const double *span = &g_array_index (spans, double, i * 3);

      cairo_rectangle (cr, span[0] - LINE_WIDTH / 2, span[1] - LINE_WIDTH / 2,
                       LINE_WIDTH, span[2] - span[1] + LINE_WIDTH);
    }
  if (spans->len > 0)
    cairo_fill (cr);
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

static void
draw_hover (cairo_t               *cr,
            const ScalerPlotModel *model,
            const Layout          *lo,
            PangoLayout           *layout,
            int                    width)
{
  gint64 t_start = model->end_time - model->window;
  double x = model->hover_x;
  gint64 t;
  g_autofree char *time_text = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) colors = g_array_new (FALSE, FALSE, sizeof (GdkRGBA));
  g_autoptr(GArray) values = NULL;
  double box_w, box_h, line_h = 0.0, bx, by;
  const double pad = 8.0;

  if (x < lo->area.x || x > lo->area.x + lo->area.width)
    return;

  t = t_start + (gint64) ((x - lo->area.x) / lo->area.width * (double) model->window);
  time_text = format_time (model, t, model->window > G_TIME_SPAN_DAY ? "%a %H:%M" : "%H:%M:%S");

  /* The value of each line at t (none before its first sample). */
  values = g_array_new (FALSE, FALSE, sizeof (double));
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
      g_array_append_val (values, v);
      if (!isnan (v))
        {
          g_autofree char *value = scaler_plot_format_value (model->unit, v, FALSE);

          g_ptr_array_add (texts, g_strdup_printf ("%s: %s", line->label ? line->label : "", value));
          g_array_append_val (colors, line->color);
        }
    }

  /* Nothing to read out (before the first sample): no cursor at all. */
  if (texts->len == 0)
    return;

  cairo_save (cr);

  /* The cursor line, then a marker on each line. */
  cairo_set_line_width (cr, 1.0);
  set_rgba (cr, &model->fg, 0.35);
  cairo_move_to (cr, round (x) + 0.5, lo->area.y);
  cairo_line_to (cr, round (x) + 0.5, lo->area.y + lo->area.height);
  cairo_stroke (cr);

  for (guint l = 0; l < model->n_lines; l++)
    {
      double v = g_array_index (values, double, l);

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

  /* The read-out box. */
  text_size (layout, time_text, &box_w, &line_h);
  for (guint i = 0; i < texts->len; i++)
    {
      double w;

      text_size (layout, g_ptr_array_index (texts, i), &w, NULL);
      box_w = MAX (box_w, w + LEGEND_SWATCH + 6);
    }
  box_w += 2 * pad;
  box_h = (texts->len + 1) * line_h + 2 * pad;

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
  draw_text (cr, layout, time_text, bx + pad, by + pad);
  for (guint i = 0; i < texts->len; i++)
    {
      double ly = by + pad + (i + 1) * line_h;

      set_rgba (cr, &g_array_index (colors, GdkRGBA, i), 1.0);
      cairo_new_sub_path (cr);
      cairo_arc (cr, bx + pad + LEGEND_SWATCH / 2, ly + line_h / 2, LEGEND_SWATCH / 2 - 1, 0, 2 * G_PI);
      cairo_fill (cr);
      set_rgba (cr, &model->fg, 1.0);
      draw_text (cr, layout, g_ptr_array_index (texts, i), bx + pad + LEGEND_SWATCH + 6, ly);
    }

  cairo_restore (cr);
}

void
scaler_plot_render (cairo_t               *cr,
                    const ScalerPlotModel *model,
                    int                    width,
                    int                    height)
{
  g_autoptr(PangoLayout) layout = NULL;
  g_autoptr(PangoLayout) title_layout = NULL;
  g_autofree Column *cols = NULL;
  Layout lo;
  guint ncols;

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

  compute_layout (cr, model, width, height, &lo);
  layout = create_layout (cr, model, FALSE);
  title_layout = create_layout (cr, model, TRUE);

  if (model->title != NULL && model->title[0] != '\0')
    {
      set_rgba (cr, &model->fg, 1.0);
      draw_text (cr, title_layout, model->title, 0, 0);
    }
  draw_legend (cr, model, &lo, layout, width);
  draw_axes (cr, model, &lo, layout);

  if (model->has_limit && model->limit > 0.0)
    {
      static const double dash[] = { 6.0, 4.0 };
      double y = round (value_to_y (&lo, model->limit)) + 0.5;

      cairo_save (cr);
      set_rgba (cr, &model->limit_color, 1.0);
      cairo_set_line_width (cr, 1.0);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, lo.area.x, y);
      cairo_line_to (cr, lo.area.x + lo.area.width, y);
      cairo_stroke (cr);
      cairo_restore (cr);
    }

  if (lo.empty)
    {
      const char *text = model->empty_text ? model->empty_text : _("No data yet");
      double w, h;

      text_size (layout, text, &w, &h);
      set_rgba (cr, &model->fg, 0.55);
      draw_text (cr, layout, text,
                 lo.area.x + (lo.area.width - w) / 2,
                 lo.area.y + (lo.area.height - h) / 2);
      cairo_restore (cr);
      return;
    }

  ncols = (guint) MAX (1.0, floor (lo.area.width));
  cols = g_new (Column, ncols);

  cairo_save (cr);
  cairo_rectangle (cr, lo.area.x - LINE_WIDTH, lo.area.y - LINE_WIDTH,
                   lo.area.width + 2 * LINE_WIDTH, lo.area.height + 2 * LINE_WIDTH);
  cairo_clip (cr);
  for (guint l = 0; l < model->n_lines; l++)
    if (model->lines[l].series != NULL)
      draw_line (cr, model, &lo, &model->lines[l], cols, ncols);
  cairo_restore (cr);

  if (model->has_hover)
    draw_hover (cr, model, &lo, layout, width);

  cairo_restore (cr);
}
