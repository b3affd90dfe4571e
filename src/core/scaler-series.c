/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-series"

#include "config.h"

#include <math.h>
#include <string.h>

#include "scaler-series.h"

/* Folds kept per series: the bucket widths (zoom levels) used last. */
#define N_FOLDS 4

/* The buckets folded for one width, with what the series looked like then. */
typedef struct
{
  GTimeSpan           width;        /* 0: unused */
  gint64              k0;           /* bucket index of buckets[0] */
  guint               n;
  ScalerSeriesBucket *buckets;
  guint64             generation;
  guint64             n_appended;
  guint64             n_dropped;
  gboolean            had_samples;
  gint64              newest;       /* time of the newest sample then */
  guint64             used;         /* least recently used goes first */
} Fold;

struct _ScalerSeries
{
  GObject  parent_instance;

  char    *name;
  gint64  *times;
  double  *values;
  guint    capacity;
  guint    head;        /* index of the oldest sample */
  guint    n;

  guint    descents;    /* neighbours out of time order: folds are only cached at 0 */
  guint64  generation;  /* bumped by clear and out-of-order appends: drops every fold */
  guint64  n_appended;
  guint64  n_dropped;   /* oldest samples overwritten by the ring buffer */
  guint64  fold_clock;
  Fold     folds[N_FOLDS];
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
  for (guint i = 0; i < N_FOLDS; i++)
    g_free (self->folds[i].buckets);

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

  if (self->n > 0 && time < self->times[(self->head + self->n - 1) % self->capacity] &&
      self->descents++ == 0)
    self->generation++;
  self->n_appended++;
  if (self->n < self->capacity)
    {
      slot = (self->head + self->n) % self->capacity;
      self->n++;
    }
  else
    {
      /* The oldest sample goes, and with it its pair with the next one. */
      gint64 next = self->capacity > 1 ? self->times[(self->head + 1) % self->capacity] : time;

      if (next < self->times[self->head])
        self->descents--;
      slot = self->head;
      self->head = (self->head + 1) % self->capacity;
      self->n_dropped++;
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
  self->descents = 0;
  self->generation++;
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

/* Slot of sample i (0 = oldest), without a division. */
static inline guint
slot_of (ScalerSeries *self,
         guint         i)
{
  guint slot = self->head + i;

  return slot >= self->capacity ? slot - self->capacity : slot;
}

/* Largest finite value of values[from, to) (-INFINITY if none). */
static double
max_finite (const double *values,
            guint         from,
            guint         to)
{
  double found = -INFINITY;

  /* NaN and +-infinity never pass both tests. */
  for (guint i = from; i < to; i++)
    if (values[i] > found && values[i] < INFINITY)
      found = values[i];

  return found;
}

gboolean
scaler_series_get_max (ScalerSeries *self,
                       gint64        from,
                       gint64        to,
                       double       *max)
{
  guint i0, i1, s0, s1;
  double found;

  g_return_val_if_fail (SCALER_IS_SERIES (self), FALSE);
  g_return_val_if_fail (max != NULL, FALSE);

  if (from > to)
    return FALSE;
  i0 = scaler_series_lower_bound (self, from);
  i1 = to == G_MAXINT64 ? self->n : scaler_series_lower_bound (self, to + 1);
  if (i0 >= i1)
    return FALSE;

  /* The samples [i0, i1) lie in at most two runs of the ring. */
  s0 = slot_of (self, i0);
  s1 = slot_of (self, i1 - 1) + 1;
  if (s0 < s1)
    found = max_finite (self->values, s0, s1);
  else
    found = MAX (max_finite (self->values, s0, self->capacity), max_finite (self->values, 0, s1));
  if (found == -INFINITY)
    return FALSE;
  *max = found;

  return TRUE;
}

gint64
scaler_series_bucket_of (gint64    t,
                         GTimeSpan width)
{
  gint64 k;

  g_return_val_if_fail (width > 0, 0);

  k = t / width;
  if (t % width != 0 && t < 0)
    k--;

  return k;
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

/* Folds the samples of buckets [ka, kb) afresh into out (out[0] is bucket k0). */
static void
fold_range (ScalerSeries       *self,
            GTimeSpan           width,
            gint64              k0,
            gint64              ka,
            gint64              kb,
            ScalerSeriesBucket *out)
{
  gint64 t_end = bucket_start (kb, width);
  gint64 k_start = 0, k_end = 0;  /* the time span of bucket b */
  ScalerSeriesBucket *b = NULL;

  if (ka >= kb)
    return;
  memset (out + (ka - k0), 0, (gsize) (kb - ka) * sizeof *out);

  for (guint i = scaler_series_lower_bound (self, bucket_start (ka, width)); i < self->n; i++)
    {
      guint slot = slot_of (self, i);
      gint64 t = self->times[slot];
      double v = self->values[slot];

      if (t >= t_end)
        break;
      if (!isfinite (v))
        continue;
      if (b == NULL || t >= k_end || t < k_start)
        {
          gint64 k = scaler_series_bucket_of (t, width);

          if (k < ka || k >= kb)   /* only at the saturated ends of the time line */
            break;
          b = &out[k - k0];
          k_start = bucket_start (k, width);
          k_end = bucket_start (k + 1, width);
        }
      if (b->n++ == 0)
        b->first = b->min = b->max = v;
      else
        {
          b->min = MIN (b->min, v);
          b->max = MAX (b->max, v);
        }
      b->last = v;
    }
}

static Fold *
find_fold (ScalerSeries *self,
           GTimeSpan     width)
{
  Fold *fold = &self->folds[0];

  for (guint i = 0; i < N_FOLDS; i++)
    {
      if (self->folds[i].width == width)
        {
          fold = &self->folds[i];
          break;
        }
      if (self->folds[i].used < fold->used)
        fold = &self->folds[i];
    }
  if (fold->width != width)
    fold->width = 0;
  fold->used = ++self->fold_clock;

  return fold;
}

/* The buckets [*va, *vb) of a fold that no change since touched. */
static void
fold_valid_range (ScalerSeries *self,
                  const Fold   *fold,
                  gint64       *va,
                  gint64       *vb)
{
  *va = fold->k0;
  *vb = fold->k0 + fold->n;
  if (fold->width == 0 || fold->generation != self->generation)
    {
      *vb = *va;
      return;
    }
  /* Dropped samples were at or before the oldest one held now (drops only
   * happen when an append finds the buffer full, so it is not empty). */
  if (fold->n_dropped != self->n_dropped)
    *va = MAX (*va, scaler_series_bucket_of (self->times[self->head], fold->width) + 1);
  /* Appended samples are at or after the newest one folded then. */
  if (fold->n_appended != self->n_appended)
    *vb = fold->had_samples ? MIN (*vb, scaler_series_bucket_of (fold->newest, fold->width)) : *va;
}

void
scaler_series_fold (ScalerSeries       *self,
                    GTimeSpan           width,
                    gint64              k0,
                    guint               n_buckets,
                    ScalerSeriesBucket *buckets)
{
  gint64 k1 = k0 + n_buckets;
  gint64 va, vb, lo, hi;
  Fold *fold;

  g_return_if_fail (SCALER_IS_SERIES (self));
  g_return_if_fail (width > 0);
  g_return_if_fail (buckets != NULL || n_buckets == 0);
  g_return_if_fail (k0 <= G_MAXINT64 - n_buckets);

  if (n_buckets == 0)
    return;

  /* Out of time order the binary search means nothing: no caching. */
  fold = find_fold (self, width);
  if (self->descents > 0)
    {
      fold->width = 0;
      fold_range (self, width, k0, k0, k1, buckets);
      return;
    }

  /* What is still valid comes from the fold, the rest from the samples. */
  fold_valid_range (self, fold, &va, &vb);
  lo = MAX (va, k0);
  hi = MIN (vb, k1);
  if (lo < hi)
    {
      memcpy (buckets + (lo - k0), fold->buckets + (lo - fold->k0), (gsize) (hi - lo) * sizeof *buckets);
      fold_range (self, width, k0, k0, lo, buckets);
      fold_range (self, width, k0, hi, k1, buckets);
    }
  else
    fold_range (self, width, k0, k0, k1, buckets);

  if (fold->n != n_buckets)
    {
      fold->buckets = g_renew (ScalerSeriesBucket, fold->buckets, n_buckets);
      fold->n = n_buckets;
    }
  memcpy (fold->buckets, buckets, n_buckets * sizeof *buckets);
  fold->width = width;
  fold->k0 = k0;
  fold->generation = self->generation;
  fold->n_appended = self->n_appended;
  fold->n_dropped = self->n_dropped;
  fold->had_samples = self->n > 0;
  fold->newest = self->n > 0 ? self->times[slot_of (self, self->n - 1)] : 0;
}
