/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of scaler-history-store.c: the plots' history on disk survives a
 * reopen, a torn or corrupt tail loses at most the last samples (never the
 * file), a file that is not ours is kept aside, and the file stays bounded. */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-cycle-variant.h"
#include "scaler-history-store.h"

#define START (G_GINT64_CONSTANT (1700006400) * G_USEC_PER_SEC)
#define MINUTE (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define RECORD SCALER_HISTORY_STORE_RECORD_SIZE

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("scaler-history-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->path = g_build_filename (f->dir, "state", "history", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *state = g_path_get_dirname (f->path);
  g_autoptr(GDir) dir = g_dir_open (state, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (state, name, NULL);

      g_unlink (child);
    }
  g_rmdir (state);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* n samples in three series, one of them with a long name. */
static void
add_samples (ScalerHistory *history,
             guint          from,
             guint          n)
{
  ScalerSeries *long_name = scaler_history_ensure_series (history,
                                                          "instances:a-resource-with-a-rather-long-name:busy");

  for (guint i = from; i < from + n; i++)
    {
      gint64 t = START + i * MINUTE;

      scaler_series_append (scaler_history_get_idle_workers (history), t, i);
      scaler_series_append (scaler_history_get_usd_per_hour (history), t, i * 0.25);
      scaler_series_append (long_name, t, i % 3);
    }
}

static GVariant *
history_variant (ScalerHistory *history)
{
  return g_variant_ref_sink (scaler_history_to_variant (history, 0));
}

/* Opens @path into a new history. */
static ScalerHistory *
reopen (const char               *path,
        ScalerHistoryStoreStats  *stats)
{
  g_autoptr(GError) error = NULL;
  ScalerHistory *history = scaler_history_new (10000);
  g_autoptr(ScalerHistoryStore) store = scaler_history_store_open (path, history, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  if (stats != NULL)
    *stats = *scaler_history_store_get_load_stats (store);
  return history;
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ScalerHistory) history = scaler_history_new (10000);
  g_autoptr(ScalerHistory) again = NULL;
  g_autoptr(ScalerHistory) third = NULL;
  g_autoptr(GVariant) before = NULL;
  g_autoptr(GVariant) after = NULL;
  g_autoptr(GError) error = NULL;
  ScalerHistoryStoreStats stats;
  GStatBuf st;

  {
    g_autoptr(ScalerHistoryStore) store = scaler_history_store_open (f->path, history, &error);

    g_assert_no_error (error);
    add_samples (history, 0, 50);
    /* Nothing written before the flush, everything after it. */
    scaler_history_store_flush (store);
    g_assert_cmpint (scaler_history_store_get_size (store), >, 50 * 3 * RECORD);
  }
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  before = history_variant (history);
  again = reopen (f->path, &stats);
  after = history_variant (again);
  g_assert_true (g_variant_equal (before, after));
  g_assert_cmpuint (stats.samples, ==, 150);
  g_assert_cmpuint (stats.bad_records, ==, 0);

  /* Appending after a reopen continues the same file. */
  {
    g_autoptr(ScalerHistoryStore) store = scaler_history_store_open (f->path, scaler_history_new (10000), &error);
    ScalerHistory *h = scaler_history_store_get_history (store);

    g_object_unref (h);   /* the store holds it */
    add_samples (h, 50, 10);
  }
  third = reopen (f->path, NULL);
  g_assert_cmpuint (scaler_series_get_n_samples (scaler_history_get_idle_workers (third)), ==, 60);
}

/* Every prefix of the file, as a crash during an append could leave it:
 * nothing but the samples after the cut is lost. */
static void
test_every_cut (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ScalerHistory) history = scaler_history_new (10000);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  {
    g_autoptr(ScalerHistoryStore) store = scaler_history_store_open (f->path, history, &error);

    g_assert_no_error (error);
    add_samples (history, 0, 12);
  }
  g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));

  for (gsize cut = RECORD; cut <= length; cut++)
    {
      g_autoptr(ScalerHistory) read = scaler_history_new (10000);
      ScalerHistoryStoreStats stats;
      guint complete_samples = 0;

      g_assert_true (scaler_history_store_parse ((const guint8 *) contents, cut, read, &stats, &error));
      g_assert_no_error (error);
      for (gsize k = 1; k < cut / RECORD; k++)
        if (contents[k * RECORD] == 'S')
          complete_samples++;
      g_assert_cmpuint (stats.samples, ==, complete_samples);
      g_assert_cmpuint (stats.torn_bytes, ==, cut % RECORD);
      g_assert_cmpuint (stats.bad_records, ==, 0);
    }
  /* Less than a header: not a history file. */
  {
    g_autoptr(ScalerHistory) read = scaler_history_new (16);

    g_assert_false (scaler_history_store_parse ((const guint8 *) contents, RECORD - 1, read, NULL, &error));
    g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
  }
}

static void
append_bytes (const char   *path,
              const guint8 *bytes,
              gsize         length)
{
  int fd = g_open (path, O_WRONLY | O_APPEND, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, bytes, length), ==, (gssize) length);
  close (fd);
}

/* A torn tail and a corrupt record: the file stays, the next appends are
 * readable, the tail is cut before them. */
static void
test_torn_and_corrupt (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ScalerHistory) history = scaler_history_new (10000);
  g_autoptr(ScalerHistory) read = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  guint8 garbage[RECORD + 10];
  ScalerHistoryStoreStats stats;
  gsize length = 0;

  {
    g_autoptr(ScalerHistoryStore) store = scaler_history_store_open (f->path, history, &error);

    add_samples (history, 0, 20);
  }
  /* A record whose checksum fails, then half a record. */
  g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));
  memcpy (garbage, contents + length - RECORD, RECORD);
  garbage[12] ^= 0x40;
  memset (garbage + RECORD, 'S', 10);
  append_bytes (f->path, garbage, sizeof garbage);

  read = reopen (f->path, &stats);
  g_assert_cmpuint (stats.samples, ==, 60);
  g_assert_cmpuint (stats.bad_records, ==, 1);
  g_assert_cmpuint (stats.torn_bytes, ==, 10);
  g_assert_cmpuint (stats.valid_length, ==, length);

  /* Appends after the reopen land after the good records. */
  {
    g_autoptr(ScalerHistoryStore) store = scaler_history_store_open (f->path, read, &error);

    add_samples (read, 20, 5);
  }
  g_clear_object (&read);
  read = reopen (f->path, &stats);
  g_assert_cmpuint (stats.samples, ==, 75);
  g_assert_cmpuint (stats.bad_records, ==, 0);
  g_assert_cmpuint (stats.torn_bytes, ==, 0);

  /* A flipped byte in the middle loses that one sample only. */
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));
  contents[30 * RECORD + 17] ^= 0x01;
  g_assert_true (g_file_set_contents (f->path, contents, length, NULL));
  g_clear_object (&read);
  read = reopen (f->path, &stats);
  g_assert_cmpuint (stats.bad_records, ==, 1);
  g_assert_cmpuint (stats.samples, ==, contents[30 * RECORD] == 'S' ? 74 : 75);
}

static void
test_not_a_history (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *aside = g_strconcat (f->path, ".corrupt", NULL);
  g_autofree char *kept = NULL;
  g_autoptr(ScalerHistory) history = NULL;
  g_autoptr(ScalerHistory) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->path, "{\"this is\": \"not a history\"}", -1, NULL));
  history = scaler_history_new (100);
  {
    g_autoptr(ScalerHistoryStore) store = scaler_history_store_open (f->path, history, &error);

    g_assert_no_error (error);
    g_assert_nonnull (store);
    add_samples (history, 0, 3);
  }
  g_assert_true (g_file_get_contents (aside, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, "{\"this is\": \"not a history\"}");
  again = reopen (f->path, NULL);
  g_assert_cmpuint (scaler_series_get_n_samples (scaler_history_get_idle_workers (again)), ==, 3);
  g_unlink (aside);
}

/* The file stays bounded by about twice what the history keeps. */
static void
test_bounded (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(ScalerHistory) history = scaler_history_new (50);
  g_autoptr(ScalerHistory) again = NULL;
  g_autoptr(GError) error = NULL;
  goffset largest = 0;

  {
    g_autoptr(ScalerHistoryStore) store = scaler_history_store_open (f->path, history, &error);

    for (guint i = 0; i < 4000; i += 10)
      {
        add_samples (history, i, 10);
        scaler_history_store_flush (store);
        largest = MAX (largest, scaler_history_store_get_size (store));
      }
  }
  /* 3 series of 50 samples kept: a little over 2 x 150 records (+ slack). */
  g_assert_cmpint (largest, <, (2 * (150 + 3 * 8) + 1024 + 64) * RECORD);
  again = reopen (f->path, NULL);
  g_assert_cmpuint (scaler_series_get_n_samples (scaler_history_get_idle_workers (again)), <=, 10000);
  {
    ScalerSeries *idle = scaler_history_get_idle_workers (again);
    gint64 last = 0;

    scaler_series_get_sample (idle, scaler_series_get_n_samples (idle) - 1, &last, NULL);
    g_assert_cmpint (last, ==, START + 3999 * MINUTE);
    g_assert_cmpuint (scaler_series_get_n_samples (idle), >=, 50);
  }
}

/* Samples older than 7 days before the newest are dropped on load. */
static void
test_seven_days (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ScalerHistory) history = scaler_history_new (100);
  g_autoptr(ScalerHistory) again = NULL;
  g_autoptr(GError) error = NULL;
  ScalerSeries *idle;
  gint64 first = 0;

  {
    g_autoptr(ScalerHistoryStore) store = scaler_history_store_open (f->path, history, &error);
    ScalerSeries *series = scaler_history_get_idle_workers (history);

    for (guint day = 0; day <= 9; day++)
      scaler_series_append (series, START + day * 24 * 60 * MINUTE, day);
  }
  again = reopen (f->path, NULL);
  idle = scaler_history_get_idle_workers (again);
  g_assert_cmpuint (scaler_series_get_n_samples (idle), ==, 8);
  scaler_series_get_sample (idle, 0, &first, NULL);
  g_assert_cmpint (first, ==, START + 2 * 24 * 60 * MINUTE);
}

/* A name of exactly 16 and 32 bytes, and a name too long to keep. */
static void
test_names (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(ScalerHistory) history = scaler_history_new (100);
  g_autoptr(ScalerHistory) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *huge = g_strnfill (2000, 'q');
  static const char *names[] = { "pending:12345678", "pending:123456789012345678901234", "p", "pending:ünïcödé" };

  {
    g_autoptr(ScalerHistoryStore) store = scaler_history_store_open (f->path, history, &error);

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      scaler_series_append (scaler_history_ensure_series (history, names[i]), START, i + 1);
    scaler_series_append (scaler_history_ensure_series (history, huge), START, 1);
  }
  again = reopen (f->path, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      ScalerSeries *series = scaler_history_lookup (again, names[i]);
      double value = 0;

      g_assert_nonnull (series);
      scaler_series_get_sample (series, 0, NULL, &value);
      g_assert_cmpfloat (value, ==, i + 1);
    }
  g_assert_null (scaler_history_lookup (again, huge));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/scaler/history-store/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/scaler/history-store/every-cut", Fixture, NULL, fixture_setup, test_every_cut, fixture_teardown);
  g_test_add ("/scaler/history-store/torn-and-corrupt", Fixture, NULL, fixture_setup, test_torn_and_corrupt,
              fixture_teardown);
  g_test_add ("/scaler/history-store/not-a-history", Fixture, NULL, fixture_setup, test_not_a_history,
              fixture_teardown);
  g_test_add ("/scaler/history-store/bounded", Fixture, NULL, fixture_setup, test_bounded, fixture_teardown);
  g_test_add ("/scaler/history-store/seven-days", Fixture, NULL, fixture_setup, test_seven_days, fixture_teardown);
  g_test_add ("/scaler/history-store/names", Fixture, NULL, fixture_setup, test_names, fixture_teardown);

  return g_test_run ();
}
