/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-plot.h: a time-series chart widget (as in sysprof's charts).
 *
 * The widget holds the series (borrowed GObjects, ref'd) and their styles; its
 * snapshot builds a ScalerPlotModel with colours from the current style and
 * calls the pure scaler_plot_render() through gtk_snapshot_append_cairo(). It
 * redraws on each series' "changed" and on AdwStyleManager::notify::dark, and
 * shows a read-out at the pointer (GtkEventControllerMotion).
 */

#pragma once

#include <gtk/gtk.h>

#include "scaler-plot-render.h"
#include "scaler-series.h"

G_BEGIN_DECLS

/* Colours resolved from the style (libadwaita named colours). */
typedef enum
{
  SCALER_PLOT_COLOR_ACCENT,
  SCALER_PLOT_COLOR_SUCCESS,
  SCALER_PLOT_COLOR_WARNING,
  SCALER_PLOT_COLOR_ERROR,
  SCALER_PLOT_COLOR_PURPLE,
  SCALER_PLOT_COLOR_NEUTRAL,
} ScalerPlotColor;

/* The style colours of a widget, from one helper (GTK 4.8: GtkStyleContext). */
typedef struct
{
  GdkRGBA fg;
  GdkRGBA grid;
  GdkRGBA popover_bg;
  GdkRGBA roles[SCALER_PLOT_COLOR_NEUTRAL + 1];
} ScalerPlotColors;

void scaler_plot_colors_from_widget (GtkWidget        *widget,
                                     ScalerPlotColors *colors);

#define SCALER_TYPE_PLOT (scaler_plot_get_type ())

G_DECLARE_FINAL_TYPE (ScalerPlot, scaler_plot, SCALER, PLOT, GtkWidget)

GtkWidget      *scaler_plot_new               (void);

const char     *scaler_plot_get_title         (ScalerPlot      *self);
void            scaler_plot_set_title         (ScalerPlot      *self,
                                               const char      *title);
ScalerPlotUnit  scaler_plot_get_unit          (ScalerPlot      *self);
void            scaler_plot_set_unit          (ScalerPlot      *self,
                                               ScalerPlotUnit   unit);
/* Width of the time axis in microseconds (default 1 h). */
GTimeSpan       scaler_plot_get_window        (ScalerPlot      *self);
void            scaler_plot_set_window        (ScalerPlot      *self,
                                               GTimeSpan        window);
/* Right edge of the time axis; 0 (default) = the newest sample of any series
 * (the engine's clock, which may be a simulator's), or now when empty. */
void            scaler_plot_set_end_time      (ScalerPlot      *self,
                                               gint64           end_time);
gint64          scaler_plot_get_effective_end_time (ScalerPlot *self);
/* A dashed horizontal line (e.g. the budget); limit <= 0 hides it. */
void            scaler_plot_set_limit         (ScalerPlot      *self,
                                               double           limit,
                                               const char      *label);
double          scaler_plot_get_limit         (ScalerPlot      *self);

void            scaler_plot_add_series        (ScalerPlot      *self,
                                               ScalerSeries    *series,
                                               const char      *label,
                                               ScalerPlotColor  color,
                                               ScalerPlotStyle  style,
                                               gboolean         fill);
void            scaler_plot_remove_all_series (ScalerPlot      *self);
guint           scaler_plot_get_n_series      (ScalerPlot      *self);
ScalerSeries   *scaler_plot_get_series        (ScalerPlot      *self,
                                               guint            index);
/* How many times the widget has been drawn (tests). */
guint           scaler_plot_get_n_draws       (ScalerPlot      *self);

G_END_DECLS
