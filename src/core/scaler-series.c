/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-series"

#include "config.h"

#include "scaler-series.h"

struct _ScalerSeries
{
  GObject  parent_instance;

  char    *name;
  gint64  *times;
  double  *values;
  guint    capacity;
  guint    head;      /* index of the oldest sample */
  guint    n;
};

G_DEFINE_FINAL_TYPE (ScalerSeries, scaler_series, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
scaler_series_finalize (GObject *object)
{
  ScalerSeries *self = SCALER_SERIES (object);

  g_free (self->name);
  g_free (self->times);
  g_free (self->values);

  G_OBJECT_CLASS (scaler_series_parent_class)->finalize (object);
}

static void
scaler_series_class_init (ScalerSeriesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scaler_series_finalize;

  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
scaler_series_init (ScalerSeries *self)
{
}

ScalerSeries *
scaler_series_new (const char *name,
                   guint       capacity)
{
  ScalerSeries *self;

  g_return_val_if_fail (capacity > 0, NULL);

  self = g_object_new (SCALER_TYPE_SERIES, NULL);
  self->name = g_strdup (name ? name : "");
  self->capacity = capacity;
  self->times = g_new0 (gint64, capacity);
  self->values = g_new0 (double, capacity);

  return self;
}

const char *
scaler_series_get_name (ScalerSeries *self)
{
  g_return_val_if_fail (SCALER_IS_SERIES (self), NULL);

  return self->name;
}

guint
scaler_series_get_capacity (ScalerSeries *self)
{
  g_return_val_if_fail (SCALER_IS_SERIES (self), 0);

  return self->capacity;
}

guint
scaler_series_get_n_samples (ScalerSeries *self)
{
  g_return_val_if_fail (SCALER_IS_SERIES (self), 0);

  return self->n;
}

void
scaler_series_get_sample (ScalerSeries *self,
                          guint         i,
                          gint64       *time,
                          double       *value)
{
  guint slot;

  g_return_if_fail (SCALER_IS_SERIES (self));
  g_return_if_fail (i < self->n);

  slot = (self->head + i) % self->capacity;
  if (time)
    *time = self->times[slot];
  if (value)
    *value = self->values[slot];
}

void
scaler_series_append (ScalerSeries *self,
                      gint64        time,
                      double        value)
{
  guint slot;

  g_return_if_fail (SCALER_IS_SERIES (self));

  if (self->n < self->capacity)
    {
      slot = (self->head + self->n) % self->capacity;
      self->n++;
    }
  else
    {
      slot = self->head;
      self->head = (self->head + 1) % self->capacity;
    }
  self->times[slot] = time;
  self->values[slot] = value;

  g_signal_emit (self, signals[CHANGED], 0);
}

void
scaler_series_clear (ScalerSeries *self)
{
  g_return_if_fail (SCALER_IS_SERIES (self));

  self->head = 0;
  self->n = 0;
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
scaler_series_get_range (ScalerSeries *self,
                         gint64       *min_time,
                         gint64       *max_time,
                         double       *min_value,
                         double       *max_value)
{
  double lo = G_MAXDOUBLE;
  double hi = -G_MAXDOUBLE;

  g_return_val_if_fail (SCALER_IS_SERIES (self), FALSE);

  if (self->n == 0)
    return FALSE;

  for (guint i = 0; i < self->n; i++)
    {
      double v = self->values[(self->head + i) % self->capacity];

      lo = MIN (lo, v);
      hi = MAX (hi, v);
    }

  if (min_time)
    *min_time = self->times[self->head];
  if (max_time)
    *max_time = self->times[(self->head + self->n - 1) % self->capacity];
  if (min_value)
    *min_value = lo;
  if (max_value)
    *max_value = hi;

  return TRUE;
}

guint
scaler_series_lower_bound (ScalerSeries *self,
                           gint64        t)
{
  guint lo = 0;
  guint hi;

  g_return_val_if_fail (SCALER_IS_SERIES (self), 0);

  hi = self->n;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (self->times[(self->head + mid) % self->capacity] < t)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}
