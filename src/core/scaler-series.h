/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-series.h: a ring buffer of (time, value) samples, GLib only.
 *
 * Main-thread object (it emits "changed"). The engine appends one sample per
 * cycle; the plots read it. Times are microseconds since the epoch.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SCALER_TYPE_SERIES (scaler_series_get_type ())

G_DECLARE_FINAL_TYPE (ScalerSeries, scaler_series, SCALER, SERIES, GObject)

ScalerSeries *scaler_series_new          (const char   *name,
                                          guint         capacity);
const char   *scaler_series_get_name     (ScalerSeries *self);
guint         scaler_series_get_capacity (ScalerSeries *self);
/* Number of samples held (<= capacity). */
guint         scaler_series_get_n_samples(ScalerSeries *self);
/* Sample i, 0 = oldest held. */
void          scaler_series_get_sample   (ScalerSeries *self,
                                          guint         i,
                                          gint64       *time,
                                          double       *value);
/* Appends; drops the oldest sample when full; emits "changed". */
void          scaler_series_append       (ScalerSeries *self,
                                          gint64        time,
                                          double        value);
void          scaler_series_clear        (ScalerSeries *self);
/* FALSE when empty. */
gboolean      scaler_series_get_range    (ScalerSeries *self,
                                          gint64       *min_time,
                                          gint64       *max_time,
                                          double       *min_value,
                                          double       *max_value);
/* Index of the first sample with time >= t (n_samples if none): binary search. */
guint         scaler_series_lower_bound  (ScalerSeries *self,
                                          gint64        t);

G_END_DECLS
