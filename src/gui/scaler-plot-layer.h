/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-plot-layer.h: the step series of a plot, drawn per pixel column.
 * Private to scaler-plot-render.c.
 *
 * A step series is a union of axis-aligned boxes: per pixel column a 2 px
 * wide box from its lowest to its highest value, 2 px high runs across
 * columns without data, and, when filled, the area under the steps. Every x
 * edge lies on the half-pixel grid, so per half-pixel column the union is one
 * interval for the line and one for the area (neighbouring boxes always
 * overlap in y). The layer keeps those intervals, computes the exact coverage
 * of each device pixel from them, blends the series into one premultiplied
 * ARGB32 image at the device scale and composites it with a single
 * cairo_paint(). Cairo tessellates boxes at about 2,000 instructions each;
 * this costs a few per pixel. The layer covers a rectangle (the plot area and
 * the line width around it) and clips to it.
 *
 * With `vector`, the same boxes are filled as cairo paths instead (a
 * reference for the tests, and the way when the context is rotated).
 */

#pragma once

#include <cairo.h>
#include <gdk/gdk.h>

G_BEGIN_DECLS

typedef struct _ScalerPlotLayer ScalerPlotLayer;

/* A layer over (x, y, width, height) of cr's user space, scale device pixels
 * per unit (>= 1). */
ScalerPlotLayer *scaler_plot_layer_new        (cairo_t         *cr,
                                               double           x,
                                               double           y,
                                               double           width,
                                               double           height,
                                               double           scale,
                                               gboolean         vector);
/* Boxes of the current series, in user space (x0 < x1, y0 < y1). */
void             scaler_plot_layer_add_line   (ScalerPlotLayer *self,
                                               double           x0,
                                               double           y0,
                                               double           x1,
                                               double           y1);
void             scaler_plot_layer_add_fill   (ScalerPlotLayer *self,
                                               double           x0,
                                               double           y0,
                                               double           x1,
                                               double           y1);
/* Draws the current series (its fill at fill_alpha, then its line) over the
 * series before it, and starts the next one. */
void             scaler_plot_layer_end_series (ScalerPlotLayer *self,
                                               const GdkRGBA   *color,
                                               double           fill_alpha);
/* Composites what the series drew onto the layer's cairo context. */
void             scaler_plot_layer_paint      (ScalerPlotLayer *self);
void             scaler_plot_layer_free       (ScalerPlotLayer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerPlotLayer, scaler_plot_layer_free)

G_END_DECLS
