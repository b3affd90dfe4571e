/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-plot-render.h: a pure time-series chart renderer (cairo + pango).
 *
 * scaler_plot_render() draws a ScalerPlotModel on any cairo context: the
 * ScalerPlot widget calls it from its snapshot, the tests and the benchmarks
 * call it on an image surface. It draws per pixel column, not per sample:
 * each column of the plot area shows the first/min/max/last of its samples,
 * from scaler_series_fold(), which caches them per zoom level and updates
 * them incrementally, so a week of 10-second samples renders in time bounded
 * by the width, not the history. For that the window is snapped to whole
 * columns of absolute time (columns of window / n_columns usec; the right
 * edge is the end of the column that holds end_time): the picture may shift
 * by less than a pixel against end_time. Step series are drawn through a
 * pixel layer at the device scale (scaler-plot-layer.h).
 *
 * Times are microseconds since the epoch, like ScalerSeries.
 */

#pragma once

#include <cairo.h>
#include <gdk/gdk.h>
#include <pango/pango.h>

#include "scaler-series.h"

G_BEGIN_DECLS

typedef enum
{
  SCALER_PLOT_UNIT_COUNT,          /* integers: "3" */
  SCALER_PLOT_UNIT_USD_PER_HOUR,   /* "$1.25/h" */
} ScalerPlotUnit;

typedef enum
{
  SCALER_PLOT_STYLE_LINE,          /* straight segments between samples */
  SCALER_PLOT_STYLE_STEP,          /* the value holds until the next sample */
} ScalerPlotStyle;

typedef struct
{
  ScalerSeries    *series;         /* borrowed */
  const char      *label;          /* legend and read-out */
  GdkRGBA          color;
  ScalerPlotStyle  style;
  gboolean         fill;           /* a translucent area under the line */
} ScalerPlotLine;

typedef struct
{
  const char           *title;     /* nullable */
  const ScalerPlotLine *lines;
  guint                 n_lines;

  gint64                end_time;  /* right edge, usec since epoch */
  GTimeSpan             window;    /* width of the time axis, usec (> 0) */
  ScalerPlotUnit        unit;
  double                min_y_max; /* the y axis shows at least 0..min_y_max */

  gboolean              has_limit; /* a horizontal dashed line, e.g. the budget */
  double                limit;
  const char           *limit_label;

  GdkRGBA               fg;        /* text and axes */
  GdkRGBA               grid;
  GdkRGBA               bg;        /* alpha 0: leave the background alone */
  GdkRGBA               limit_color;
  GdkRGBA               popover_bg;/* read-out box */

  gboolean              has_hover; /* a read-out at x = hover_x (device units) */
  double                hover_x;

  const char           *empty_text;/* nullable: "No data yet" */
  const PangoFontDescription *font;/* nullable: the context's default */
  GTimeZone            *time_zone; /* nullable: local time */

  double                scale;     /* device pixels per unit for the step series' layer
                                    * (a widget's scale factor: its cairo node is replayed
                                    * later); 0: from cr's matrix and surface */
  gboolean              vector;    /* step series as cairo paths instead (a reference) */
} ScalerPlotModel;

/* Fills a model with neutral defaults (1 h window ending now, black on white). */
void     scaler_plot_model_init        (ScalerPlotModel       *model);

/* Draws the model into (0, 0, width, height) of cr. */
void     scaler_plot_render            (cairo_t               *cr,
                                        const ScalerPlotModel *model,
                                        int                    width,
                                        int                    height);

/* The plot area (where series are drawn) that scaler_plot_render() uses for
 * this model and size, in device units: y of value v is
 * area->y + area->height * (1 - v / y_max). */
void     scaler_plot_render_get_area   (cairo_t               *cr,
                                        const ScalerPlotModel *model,
                                        int                    width,
                                        int                    height,
                                        cairo_rectangle_t     *area,
                                        double                *y_max);

/* Nice axis ticks for 0..max: returns the step and the rounded-up top
 * (top = step * n_ticks, n_ticks in 2..6). */
double   scaler_plot_nice_step         (double                 max,
                                        gboolean               integer,
                                        double                *top);

/* The step of the time axis (usec) for a window shown across width px. */
GTimeSpan scaler_plot_time_step        (GTimeSpan              window,
                                        double                 width);

/* Formats a value for the axis or the read-out ("3", "$1.25/h"). */
char    *scaler_plot_format_value      (ScalerPlotUnit         unit,
                                        double                 value,
                                        gboolean               for_axis);

/* The last sample at or before t, FALSE if none. */
gboolean scaler_plot_value_at          (ScalerSeries          *series,
                                        gint64                 t,
                                        double                *value);

G_END_DECLS
