/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-series.h: a ring buffer of (time, value) samples, GLib only.
 *
 * Main-thread object (it emits "changed"). The engine appends one sample per
 * cycle; the plots read it. Times are microseconds since the epoch, appended
 * in order (a sample older than the newest one is accepted, but drops every
 * cached fold).
 *
 * scaler_series_fold() gives the plots their per-pixel-column summaries
 * (first, min, max and last value of each time bucket). It keeps them per
 * bucket width, a few widths (zoom levels) at a time: when the range slides,
 * or samples are appended or dropped by the ring buffer, only the buckets
 * those touch are folded again.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SCALER_TYPE_SERIES (scaler_series_get_type ())

G_DECLARE_FINAL_TYPE (ScalerSeries, scaler_series, SCALER, SERIES, GObject)

/* The finite samples of one time bucket, folded. */
typedef struct
{
  double first;    /* value of the earliest sample in the bucket */
  double min;
  double max;
  double last;     /* value of the latest sample in the bucket */
  guint  n;        /* number of finite samples; 0: empty, the values are 0 */
} ScalerSeriesBucket;

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
/* The largest finite value among the samples with from <= time <= to; FALSE
 * (and *max untouched) when there is none. */
gboolean      scaler_series_get_max      (ScalerSeries *self,
                                          gint64        from,
                                          gint64        to,
                                          double       *max);
/* Folds the finite samples into n_buckets buckets of width usec: bucket i
 * holds the samples with (k0 + i) * width <= time < (k0 + i + 1) * width.
 * Cached per width (see above); the result is the same as folding afresh. */
void          scaler_series_fold         (ScalerSeries       *self,
                                          GTimeSpan           width,
                                          gint64              k0,
                                          guint               n_buckets,
                                          ScalerSeriesBucket *buckets);
/* floor (t / width) for any sign of t (width > 0): the bucket of time t. */
gint64        scaler_series_bucket_of    (gint64        t,
                                          GTimeSpan     width);

G_END_DECLS
