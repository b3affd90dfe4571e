/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ring buffer of samples (scaler-series.h): order, wrap, range max, and
 * the cached per-bucket folds checked against folding afresh after every kind
 * of change (appends, ring-buffer wrap, clear, sliding ranges, zoom levels). */

#include "config.h"

#include <math.h>
#include <string.h>

#include "scaler-series.h"

/* The reference: every sample, one by one. */
static void
fold_reference (ScalerSeries       *series,
                GTimeSpan           width,
                gint64              k0,
                guint               n_buckets,
                ScalerSeriesBucket *out)
{
  memset (out, 0, n_buckets * sizeof *out);
  for (guint i = 0; i < scaler_series_get_n_samples (series); i++)
    {
      gint64 t, k;
      double v;
      ScalerSeriesBucket *b;

      scaler_series_get_sample (series, i, &t, &v);
      k = scaler_series_bucket_of (t, width);
      if (!isfinite (v) || k < k0 || k >= k0 + (gint64) n_buckets)
        continue;
      b = &out[k - k0];
      if (b->n++ == 0)
        b->first = b->min = b->max = v;
      b->min = MIN (b->min, v);
      b->max = MAX (b->max, v);
      b->last = v;
    }
}

static gboolean
is_sorted (ScalerSeries *series)
{
  gint64 prev = G_MININT64, t;

  for (guint i = 0; i < scaler_series_get_n_samples (series); i++)
    {
      scaler_series_get_sample (series, i, &t, NULL);
      if (t < prev)
        return FALSE;
      prev = t;
    }
  return TRUE;
}

/* The cached fold equals a fold afresh: sample by sample for a series in
 * time order; for one that is not (where the binary search is meaningless),
 * the same fold on a copy with nothing cached. */
static void
assert_fold (ScalerSeries *series,
             GTimeSpan     width,
             gint64        k0,
             guint         n_buckets)
{
  g_autofree ScalerSeriesBucket *got = g_new0 (ScalerSeriesBucket, n_buckets);
  g_autofree ScalerSeriesBucket *want = g_new0 (ScalerSeriesBucket, n_buckets);

  scaler_series_fold (series, width, k0, n_buckets, got);
  if (is_sorted (series))
    fold_reference (series, width, k0, n_buckets, want);
  else
    {
      g_autoptr(ScalerSeries) copy = scaler_series_new ("copy", scaler_series_get_capacity (series));

      for (guint i = 0; i < scaler_series_get_n_samples (series); i++)
        {
          gint64 t;
          double v;

          scaler_series_get_sample (series, i, &t, &v);
          scaler_series_append (copy, t, v);
        }
      scaler_series_fold (copy, width, k0, n_buckets, want);
    }
  for (guint i = 0; i < n_buckets; i++)
    if (got[i].n != want[i].n || got[i].first != want[i].first || got[i].min != want[i].min ||
        got[i].max != want[i].max || got[i].last != want[i].last)
      g_error ("bucket %u of [%" G_GINT64_FORMAT ", +%u) x %" G_GINT64_FORMAT ": got n=%u %g/%g/%g/%g, "
               "want n=%u %g/%g/%g/%g", i, k0, n_buckets, width, got[i].n, got[i].first, got[i].min,
               got[i].max, got[i].last, want[i].n, want[i].first, want[i].min, want[i].max, want[i].last);
}

/* scaler_series_get_max() against a scan of every sample. */
static void
assert_max (ScalerSeries *series,
            gint64        from,
            gint64        to)
{
  gboolean any = FALSE;
  double want = 0.0, got = 0.0;

  for (guint i = 0; i < scaler_series_get_n_samples (series); i++)
    {
      gint64 t;
      double v;

      scaler_series_get_sample (series, i, &t, &v);
      if (t >= from && t <= to && isfinite (v) && (!any || v > want))
        {
          want = v;
          any = TRUE;
        }
    }
  g_assert_cmpint (scaler_series_get_max (series, from, to, &got), ==, any);
  if (any)
    g_assert_cmpfloat (got, ==, want);
}

static void
test_ring_buffer (void)
{
  g_autoptr(ScalerSeries) series = scaler_series_new ("s", 3);
  gint64 t;
  double v, max;

  g_assert_cmpuint (scaler_series_get_capacity (series), ==, 3);
  for (int i = 0; i < 5; i++)
    scaler_series_append (series, 100 + i * 10, i);
  g_assert_cmpuint (scaler_series_get_n_samples (series), ==, 3);
  scaler_series_get_sample (series, 0, &t, &v);
  g_assert_cmpint (t, ==, 120);
  g_assert_cmpfloat (v, ==, 2.0);
  g_assert_cmpuint (scaler_series_lower_bound (series, 125), ==, 1);
  g_assert_cmpuint (scaler_series_lower_bound (series, 1000), ==, 3);

  g_assert_true (scaler_series_get_max (series, 0, 135, &max));
  g_assert_cmpfloat (max, ==, 3.0);
  g_assert_false (scaler_series_get_max (series, 141, 200, &max));
  scaler_series_append (series, 150, NAN);
  scaler_series_append (series, 160, -INFINITY);
  g_assert_true (scaler_series_get_max (series, 0, 1000, &max));
  g_assert_cmpfloat (max, ==, 4.0);
  scaler_series_append (series, 170, -2.0);
  g_assert_true (scaler_series_get_max (series, 0, 1000, &max));
  g_assert_cmpfloat (max, ==, -2.0);

  g_assert_cmpint (scaler_series_bucket_of (10, 10), ==, 1);
  g_assert_cmpint (scaler_series_bucket_of (9, 10), ==, 0);
  g_assert_cmpint (scaler_series_bucket_of (-1, 10), ==, -1);
  g_assert_cmpint (scaler_series_bucket_of (-10, 10), ==, -1);
  g_assert_cmpint (scaler_series_bucket_of (-11, 10), ==, -2);
}

/* The plot's use: a window that slides with the newest sample, appends that
 * fill the ring buffer and wrap it, and zoom levels that come and go. */
static void
test_fold_matches_reference (void)
{
  static const GTimeSpan widths[] = { 7, 60, 61, 720, 4285 };
  guint32 seed = 12345;

  for (guint round = 0; round < 6; round++)
    {
      g_autoptr(ScalerSeries) series = scaler_series_new ("s", 50 + round * 97);
      gint64 t = round % 2 ? -100000 : 1000;

      for (guint step = 0; step < 3000; step++)
        {
          guint r;

          seed = seed * 1103515245 + 12345;
          r = seed >> 16;
          /* Mostly regular polling, sometimes the same time or a long pause. */
          t += r % 17 == 0 ? 0 : r % 29 == 0 ? 5000 + r % 20000 : 40 + r % 40;
          scaler_series_append (series, t, r % 23 == 0 ? NAN : r % 31 == 0 ? INFINITY : (double) (r % 13) - 3.0);
          if (r % 997 == 0)
            scaler_series_clear (series);
          if (r % 1499 == 0)   /* out of order: every fold is dropped */
            scaler_series_append (series, t - 3000, 1.0);

          if (step % 7 == 0 || r % 5 == 0)
            {
              GTimeSpan width = widths[(step / 50 + round) % G_N_ELEMENTS (widths)];
              guint n_buckets = 20 + (step / 300) * 13;
              gint64 k_end = scaler_series_bucket_of (t, width) + 1 - (gint64) (r % 3);

              assert_fold (series, width, k_end - n_buckets, n_buckets);
              if (is_sorted (series))
                assert_max (series, t - (gint64) (r % 9000), t - (gint64) (r % 7) * 100);
              if (r % 11 == 0)   /* another plot of the same series, elsewhere in time */
                assert_fold (series, widths[r % G_N_ELEMENTS (widths)],
                             scaler_series_bucket_of (t, width) - 3 * (gint64) n_buckets, n_buckets);
            }
        }
    }
}

static void
test_fold_edges (void)
{
  g_autoptr(ScalerSeries) series = scaler_series_new ("s", 4);
  ScalerSeriesBucket b[3];

  /* Empty, then the first sample, then nothing but non-finite values. */
  assert_fold (series, 10, 0, 3);
  scaler_series_append (series, 15, 2.0);
  assert_fold (series, 10, 0, 3);
  scaler_series_fold (series, 10, 0, 3, b);
  g_assert_cmpuint (b[0].n, ==, 0);
  g_assert_cmpuint (b[1].n, ==, 1);
  g_assert_cmpfloat (b[1].first, ==, 2.0);
  scaler_series_append (series, 15, 5.0);   /* same time: same bucket */
  scaler_series_append (series, 19, NAN);
  scaler_series_append (series, 20, 1.0);   /* the next bucket's first time */
  scaler_series_fold (series, 10, 0, 3, b);
  g_assert_cmpuint (b[1].n, ==, 2);
  g_assert_cmpfloat (b[1].last, ==, 5.0);
  g_assert_cmpfloat (b[1].max, ==, 5.0);
  g_assert_cmpuint (b[2].n, ==, 1);
  /* The wrap drops the 2.0 at 15. */
  scaler_series_append (series, 21, 0.5);
  scaler_series_fold (series, 10, 0, 3, b);
  g_assert_cmpuint (b[1].n, ==, 1);
  g_assert_cmpfloat (b[1].first, ==, 5.0);
  g_assert_cmpfloat (b[2].min, ==, 0.5);
  assert_fold (series, 10, -5, 1);
  /* Far ends of the time line do not overflow. */
  scaler_series_append (series, G_MAXINT64 - 1, 7.0);
  assert_fold (series, G_TIME_SPAN_DAY, scaler_series_bucket_of (G_MAXINT64, G_TIME_SPAN_DAY) - 2, 3);
  assert_fold (series, 1, G_MAXINT64 - 3, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/series/ring-buffer", test_ring_buffer);
  g_test_add_func ("/scaler/series/fold-matches-reference", test_fold_matches_reference);
  g_test_add_func ("/scaler/series/fold-edges", test_fold_edges);

  return g_test_run ();
}
