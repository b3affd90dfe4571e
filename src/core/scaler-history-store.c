/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-history-store.c: a ScalerHistory kept on disk (see scaler-history-store.h). */

#define G_LOG_DOMAIN "scaler-history-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "scaler-error.h"
#include "scaler-history-store.h"
#include "scaler-util.h"

#define RECORD SCALER_HISTORY_STORE_RECORD_SIZE
#define FORMAT_VERSION 1
#define MAGIC "ECASHIST"
#define NAME_CHUNK 16
#define MAX_NAME_CHUNKS 64      /* names up to 1023 bytes */
#define MAX_SERIES 65535
#define COMPACT_SLACK 1024      /* records beyond twice the kept samples */

/* ---- records ---- */

static guint32 crc_table[256];

static gpointer
crc_table_init (gpointer data)
{
  for (guint32 n = 0; n < 256; n++)
    {
      guint32 c = n;

      for (guint k = 0; k < 8; k++)
        c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      crc_table[n] = c;
    }
  return NULL;
}

/* CRC-32 (IEEE 802.3, as zlib's crc32()) of a record with its CRC field zero. */
static guint32
record_crc (const guint8 *record)
{
  static GOnce once = G_ONCE_INIT;
  guint32 c = 0xFFFFFFFFu;

  g_once (&once, crc_table_init, NULL);
  for (guint i = 0; i < RECORD; i++)
    c = crc_table[(c ^ (i >= 4 && i < 8 ? 0 : record[i])) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static guint16
read_u16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static guint64
read_u64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

static void
write_u64 (guint8  *p,
           guint64  v)
{
  for (int i = 0; i < 8; i++, v >>= 8)
    p[i] = (guint8) (v & 0xFF);
}

/* Fills in the CRC and appends the record. */
static void
append_record (GByteArray   *out,
               guint8        kind,
               guint8        chunk,
               guint16       id,
               const guint8 *payload)
{
  guint8 record[RECORD] = { kind, chunk, (guint8) (id & 0xFF), (guint8) (id >> 8) };
  guint32 crc;

  memcpy (record + 8, payload, 16);
  crc = record_crc (record);
  for (int i = 0; i < 4; i++)
    record[4 + i] = (guint8) ((crc >> (8 * i)) & 0xFF);
  g_byte_array_append (out, record, RECORD);
}

static void
append_header (GByteArray *out)
{
  guint8 payload[16] = { 0 };

  memcpy (payload, MAGIC, 8);
  append_record (out, 'H', 0, FORMAT_VERSION, payload);
}

static void
append_name (GByteArray *out,
             guint16     id,
             const char *name)
{
  gsize length = strlen (name);

  for (guint chunk = 0; chunk <= length / NAME_CHUNK; chunk++)
    {
      guint8 payload[16] = { 0 };
      gsize from = chunk * NAME_CHUNK;

      memcpy (payload, name + from, MIN (NAME_CHUNK, length - from));
      append_record (out, 'N', (guint8) chunk, id, payload);
    }
}

static void
append_sample (GByteArray *out,
               guint16     id,
               gint64      time,
               double      value)
{
  guint8 payload[16];
  guint64 bits;

  G_STATIC_ASSERT (sizeof (double) == sizeof (guint64));
  memcpy (&bits, &value, sizeof bits);
  write_u64 (payload, (guint64) time);
  write_u64 (payload + 8, bits);
  append_record (out, 'S', 0, id, payload);
}

static gboolean
record_is_valid (const guint8 *record)
{
  guint32 stored = (guint32) record[4] | ((guint32) record[5] << 8)
                   | ((guint32) record[6] << 16) | ((guint32) record[7] << 24);

  return stored == record_crc (record);
}

static gboolean
name_fits (const char *name)
{
  return strlen (name) < (gsize) MAX_NAME_CHUNKS * NAME_CHUNK;
}

/* ---- reading ---- */

typedef struct
{
  GHashTable  *names;     /* id -> char*: complete names */
  GHashTable  *partial;   /* id -> GString*: names still being read */
  gint64       cutoff;    /* samples before this are skipped */
} Reader;

/* One name chunk. Chunks come in order; anything else drops the name. */
static gboolean
read_name_chunk (Reader       *reader,
                 const guint8 *record)
{
  guint16 id = read_u16 (record + 2);
  guint chunk = record[1];
  GString *name = g_hash_table_lookup (reader->partial, GUINT_TO_POINTER (id));
  const char *bytes = (const char *) record + 8;
  gsize length = strnlen (bytes, NAME_CHUNK);

  if (g_hash_table_contains (reader->names, GUINT_TO_POINTER (id)) || chunk >= MAX_NAME_CHUNKS
      || (name == NULL && chunk != 0) || (name != NULL && name->len != chunk * NAME_CHUNK))
    {
      g_hash_table_remove (reader->partial, GUINT_TO_POINTER (id));
      return FALSE;
    }
  if (name == NULL)
    {
      name = g_string_new (NULL);
      g_hash_table_insert (reader->partial, GUINT_TO_POINTER (id), name);
    }
  g_string_append_len (name, bytes, (gssize) length);
  if (length < NAME_CHUNK)
    {
      g_autofree char *complete = g_string_free (g_steal_pointer (&name), FALSE);

      g_hash_table_steal (reader->partial, GUINT_TO_POINTER (id));
      if (*complete == '\0' || !g_utf8_validate (complete, -1, NULL))
        return FALSE;
      g_hash_table_insert (reader->names, GUINT_TO_POINTER (id), g_steal_pointer (&complete));
    }
  return TRUE;
}

/* One sample: its series must be named, its time must not go back. */
static gboolean
read_sample (Reader        *reader,
             const guint8  *record,
             ScalerHistory *history,
             guint         *samples)
{
  const char *name = g_hash_table_lookup (reader->names, GUINT_TO_POINTER (read_u16 (record + 2)));
  gint64 time = (gint64) read_u64 (record + 8);
  guint64 bits = read_u64 (record + 16);
  ScalerSeries *series;
  double value;
  guint n;

  memcpy (&value, &bits, sizeof value);
  if (name == NULL || !isfinite (value))
    return FALSE;
  if (time < reader->cutoff)
    return TRUE;
  series = scaler_history_ensure_series (history, name);
  n = scaler_series_get_n_samples (series);
  if (n > 0)
    {
      gint64 last = 0;

      scaler_series_get_sample (series, n - 1, &last, NULL);
      if (time < last)
        return FALSE;
    }
  scaler_series_append (series, time, value);
  (*samples)++;
  return TRUE;
}

static gint64
newest_sample_time (const guint8 *data,
                    gsize         n_records)
{
  gint64 newest = G_MININT64;

  for (gsize i = 1; i < n_records; i++)
    {
      const guint8 *record = data + i * RECORD;

      if (record[0] == 'S' && record_is_valid (record))
        newest = MAX (newest, (gint64) read_u64 (record + 8));
    }
  return newest;
}

static gboolean
parse_records (const guint8            *data,
               gsize                    length,
               ScalerHistory           *history,
               Reader                  *reader,
               ScalerHistoryStoreStats *stats,
               GError                 **error)
{
  gsize n_records = length / RECORD;
  gint64 newest;

  memset (stats, 0, sizeof *stats);
  stats->torn_bytes = (guint) (length % RECORD);
  if (n_records == 0 || data[0] != 'H' || !record_is_valid (data) || read_u16 (data + 2) != FORMAT_VERSION
      || memcmp (data + 8, MAGIC, 8) != 0)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("Not a history file of this version (its first record is not a valid header)"));
      return FALSE;
    }
  stats->records = 1;
  stats->valid_length = RECORD;

  newest = newest_sample_time (data, n_records);
  reader->cutoff = newest > G_MININT64 + SCALER_HISTORY_STORE_KEEP_USEC ? newest - SCALER_HISTORY_STORE_KEEP_USEC
                                                                       : G_MININT64;
  for (gsize i = 1; i < n_records; i++)
    {
      const guint8 *record = data + i * RECORD;
      gboolean ok = record_is_valid (record);

      if (ok && record[0] == 'N')
        ok = read_name_chunk (reader, record);
      else if (ok && record[0] == 'S')
        ok = read_sample (reader, record, history, &stats->samples);
      else
        ok = FALSE;

      if (!ok)
        {
          stats->bad_records++;
          continue;
        }
      stats->records++;
      stats->valid_length = (i + 1) * RECORD;
    }
  return TRUE;
}

static void
string_free (gpointer string)
{
  g_string_free (string, TRUE);
}

static void
reader_init (Reader *reader)
{
  reader->names = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  reader->partial = g_hash_table_new_full (NULL, NULL, NULL, string_free);
}

static void
reader_clear (Reader *reader)
{
  g_clear_pointer (&reader->names, g_hash_table_unref);
  g_clear_pointer (&reader->partial, g_hash_table_unref);
}

gboolean
scaler_history_store_parse (const guint8            *data,
                            gsize                    length,
                            ScalerHistory           *history,
                            ScalerHistoryStoreStats *stats,
                            GError                 **error)
{
  ScalerHistoryStoreStats local;
  Reader reader;
  gboolean ok;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (SCALER_IS_HISTORY (history), FALSE);

  reader_init (&reader);
  ok = parse_records (data, length, history, &reader, stats != NULL ? stats : &local, error);
  reader_clear (&reader);
  return ok;
}

/* ---- the store ---- */

struct _ScalerHistoryStore
{
  GObject                  parent_instance;

  char                    *path;
  ScalerHistory           *history;
  int                      fd;
  goffset                  size;          /* bytes in the file */
  guint                    records;       /* records in the file */
  GHashTable              *ids;           /* name -> id + 1 */
  guint                    next_id;
  GByteArray              *pending;       /* records not written yet */
  GSource                 *idle;
  GMainContext            *context;
  ScalerHistoryStoreStats  load_stats;
  gboolean                 write_failed;  /* warned once */
};

G_DEFINE_FINAL_TYPE (ScalerHistoryStore, scaler_history_store, G_TYPE_OBJECT)

static void series_changed_cb (ScalerSeries       *series,
                               ScalerHistoryStore *self);

static void
scaler_history_store_dispose (GObject *object)
{
  ScalerHistoryStore *self = SCALER_HISTORY_STORE (object);

  if (self->history != NULL)
    {
      scaler_history_store_flush (self);
      for (guint i = 0; i < scaler_history_list_series (self->history)->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (scaler_history_list_series (self->history), i),
                                              self);
      g_signal_handlers_disconnect_by_data (self->history, self);
      g_clear_object (&self->history);
    }
  if (self->idle != NULL)
    {
      g_source_destroy (self->idle);
      g_clear_pointer (&self->idle, g_source_unref);
    }
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }

  G_OBJECT_CLASS (scaler_history_store_parent_class)->dispose (object);
}

static void
scaler_history_store_finalize (GObject *object)
{
  ScalerHistoryStore *self = SCALER_HISTORY_STORE (object);

  g_free (self->path);
  g_hash_table_unref (self->ids);
  g_byte_array_unref (self->pending);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (scaler_history_store_parent_class)->finalize (object);
}

static void
scaler_history_store_class_init (ScalerHistoryStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = scaler_history_store_dispose;
  object_class->finalize = scaler_history_store_finalize;
}

static void
scaler_history_store_init (ScalerHistoryStore *self)
{
  self->fd = -1;
  self->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending = g_byte_array_new ();
  self->context = g_main_context_ref_thread_default ();
}

/* Writes @bytes at the end; a short write is cut off again so that the
 * file never ends in a partial record written by us. */
static gboolean
write_all (ScalerHistoryStore  *self,
           const guint8        *bytes,
           gsize                length,
           GError             **error)
{
  gsize done = 0;

  while (done < length)
    {
      gssize n = write (self->fd, bytes + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved_errno = errno;

          if (ftruncate (self->fd, self->size) != 0)
            g_debug ("Could not cut %s back: %s", self->path, g_strerror (errno));
          lseek (self->fd, 0, SEEK_END);
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, _("Cannot write to %s: %s"), self->path,
                       g_strerror (n < 0 ? saved_errno : ENOSPC));
          return FALSE;
        }
      done += (gsize) n;
    }
  self->size += (goffset) length;
  return TRUE;
}

/* Writes a whole new file from the history (scaler_file_replace) and
 * appends to it from now on. */
static gboolean
compact (ScalerHistoryStore  *self,
         GError             **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  GPtrArray *all = scaler_history_list_series (self->history);
  gint64 newest = G_MININT64, cutoff;
  int fd;

  for (guint i = 0; i < all->len; i++)
    {
      gint64 max_time;

      if (scaler_series_get_range (g_ptr_array_index (all, i), NULL, &max_time, NULL, NULL))
        newest = MAX (newest, max_time);
    }
  cutoff = newest > G_MININT64 + SCALER_HISTORY_STORE_KEEP_USEC ? newest - SCALER_HISTORY_STORE_KEEP_USEC : G_MININT64;

  g_hash_table_remove_all (self->ids);
  self->next_id = 0;
  append_header (out);
  for (guint i = 0; i < all->len && self->next_id < MAX_SERIES; i++)
    {
      ScalerSeries *series = g_ptr_array_index (all, i);
      const char *name = scaler_series_get_name (series);
      guint16 id;

      if (!name_fits (name))
        continue;
      id = (guint16) self->next_id++;
      g_hash_table_insert (self->ids, g_strdup (name), GUINT_TO_POINTER (id + 1));
      append_name (out, id, name);
      for (guint k = scaler_series_lower_bound (series, cutoff); k < scaler_series_get_n_samples (series); k++)
        {
          gint64 t;
          double v;

          scaler_series_get_sample (series, k, &t, &v);
          append_sample (out, id, t, v);
        }
    }

  if (!scaler_file_replace (self->path, (const char *) out->data, out->len, &fd, error))
    return FALSE;
  if (self->fd >= 0)
    close (self->fd);
  self->fd = fd;
  self->size = out->len;
  self->records = out->len / RECORD;
  g_byte_array_set_size (self->pending, 0);
  return TRUE;
}

static gboolean
needs_compaction (ScalerHistoryStore *self)
{
  GPtrArray *all = scaler_history_list_series (self->history);
  guint kept = 0;

  for (guint i = 0; i < all->len; i++)
    kept += scaler_series_get_n_samples (g_ptr_array_index (all, i));
  return self->records > 2 * (kept + all->len * MAX_NAME_CHUNKS / 8) + COMPACT_SLACK;
}

void
scaler_history_store_flush (ScalerHistoryStore *self)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_return_if_fail (SCALER_IS_HISTORY_STORE (self));

  if (self->idle != NULL)
    {
      g_source_destroy (self->idle);
      g_clear_pointer (&self->idle, g_source_unref);
    }
  if (self->fd < 0 || self->pending->len == 0)
    return;

  if (needs_compaction (self))
    ok = compact (self, &error);
  else
    {
      ok = write_all (self, self->pending->data, self->pending->len, &error);
      if (ok)
        self->records += self->pending->len / RECORD;
    }
  g_byte_array_set_size (self->pending, 0);
  if (!ok && !self->write_failed)
    g_warning ("The plots' history is not kept on disk: %s", error->message);
  self->write_failed = !ok;
}

static gboolean
flush_idle_cb (gpointer user_data)
{
  ScalerHistoryStore *self = user_data;

  g_assert (SCALER_IS_HISTORY_STORE (self));

  g_clear_pointer (&self->idle, g_source_unref);
  scaler_history_store_flush (self);
  return G_SOURCE_REMOVE;
}

/* The id of @name in the file, with its name records queued if new; -1 when
 * it cannot be kept (too long, too many series). */
static int
series_id (ScalerHistoryStore *self,
           const char         *name)
{
  guint id_plus_one = GPOINTER_TO_UINT (g_hash_table_lookup (self->ids, name));

  if (id_plus_one > 0)
    return (int) id_plus_one - 1;
  if (!name_fits (name) || self->next_id >= MAX_SERIES)
    return -1;
  g_hash_table_insert (self->ids, g_strdup (name), GUINT_TO_POINTER (self->next_id + 1));
  append_name (self->pending, (guint16) self->next_id, name);
  return (int) self->next_id++;
}

static void
series_changed_cb (ScalerSeries       *series,
                   ScalerHistoryStore *self)
{
  guint n = scaler_series_get_n_samples (series);
  gint64 time;
  double value;
  int id;

  g_assert (SCALER_IS_SERIES (series));
  g_assert (SCALER_IS_HISTORY_STORE (self));

  if (n == 0)
    return;
  id = series_id (self, scaler_series_get_name (series));
  if (id < 0)
    return;
  scaler_series_get_sample (series, n - 1, &time, &value);
  append_sample (self->pending, (guint16) id, time, value);
  if (self->idle == NULL)
    {
      self->idle = g_idle_source_new ();
      g_source_set_callback (self->idle, flush_idle_cb, self, NULL);
      g_source_set_name (self->idle, "[scaler] history store flush");
      g_source_attach (self->idle, self->context);
    }
}

static void
series_added_cb (ScalerHistory      *history,
                 ScalerSeries       *series,
                 ScalerHistoryStore *self)
{
  g_assert (SCALER_IS_HISTORY_STORE (self));

  g_signal_connect (series, "changed", G_CALLBACK (series_changed_cb), self);
}

/* The file's records into the history, and its names into our ids. */
static gboolean
load_file (ScalerHistoryStore  *self,
           gboolean            *usable,
           GError             **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gsize length = 0;
  Reader reader;

  *usable = FALSE;
  if (!g_file_get_contents (self->path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, _("Cannot read %s: %s"), self->path, local_error->message);
      return FALSE;
    }

  reader_init (&reader);
  if (parse_records ((const guint8 *) contents, length, self->history, &reader, &self->load_stats, &local_error))
    {
      *usable = TRUE;
      g_hash_table_iter_init (&iter, reader.names);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_hash_table_insert (self->ids, g_strdup (value), GUINT_TO_POINTER (GPOINTER_TO_UINT (key) + 1));
          self->next_id = MAX (self->next_id, GPOINTER_TO_UINT (key) + 1);
        }
      self->records = self->load_stats.records + self->load_stats.bad_records;
      self->size = (goffset) self->load_stats.valid_length;
    }
  else
    {
      g_autofree char *aside = g_strconcat (self->path, ".corrupt", NULL);

      g_message ("%s: %s; kept aside as %s", self->path, local_error->message, aside);
      g_rename (self->path, aside);
    }
  reader_clear (&reader);
  return TRUE;
}

/* Appends from the end of the last good record (a torn tail goes). */
static gboolean
open_for_append (ScalerHistoryStore  *self,
                 gboolean             existing,
                 GError             **error)
{
  g_autoptr(GByteArray) header = NULL;
  int saved_errno;

  if (existing)
    {
      self->fd = g_open (self->path, O_WRONLY | O_CLOEXEC, 0600);
      if (self->fd >= 0 && ftruncate (self->fd, self->size) == 0 && lseek (self->fd, 0, SEEK_END) >= 0)
        return TRUE;
    }
  else
    {
      header = g_byte_array_new ();
      append_header (header);
      self->fd = g_open (self->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      self->size = 0;
      self->records = 1;
      if (self->fd >= 0 && write_all (self, header->data, header->len, NULL) && fsync (self->fd) == 0)
        return TRUE;
    }
  saved_errno = errno;
  g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, _("Cannot open %s: %s"), self->path, g_strerror (saved_errno));
  return FALSE;
}

ScalerHistoryStore *
scaler_history_store_open (const char     *path,
                           ScalerHistory  *history,
                           GError        **error)
{
  g_autoptr(ScalerHistoryStore) self = NULL;
  g_autofree char *dir = NULL;
  GPtrArray *all;
  gboolean existing = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (SCALER_IS_HISTORY (history), NULL);

  self = g_object_new (SCALER_TYPE_HISTORY_STORE, NULL);
  self->path = g_strdup (path);
  self->history = g_object_ref (history);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, _("Cannot create %s: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }
  if (!load_file (self, &existing, error) || !open_for_append (self, existing, error))
    return NULL;
  if (needs_compaction (self))
    {
      g_autoptr(GError) compact_error = NULL;

      if (!compact (self, &compact_error))
        g_warning ("%s", compact_error->message);
    }

  all = scaler_history_list_series (history);
  for (guint i = 0; i < all->len; i++)
    g_signal_connect (g_ptr_array_index (all, i), "changed", G_CALLBACK (series_changed_cb), self);
  g_signal_connect (history, "series-added", G_CALLBACK (series_added_cb), self);
  return g_steal_pointer (&self);
}

ScalerHistory *
scaler_history_store_get_history (ScalerHistoryStore *self)
{
  g_return_val_if_fail (SCALER_IS_HISTORY_STORE (self), NULL);
  return self->history;
}

const char *
scaler_history_store_get_path (ScalerHistoryStore *self)
{
  g_return_val_if_fail (SCALER_IS_HISTORY_STORE (self), NULL);
  return self->path;
}

goffset
scaler_history_store_get_size (ScalerHistoryStore *self)
{
  g_return_val_if_fail (SCALER_IS_HISTORY_STORE (self), 0);
  return self->size;
}

const ScalerHistoryStoreStats *
scaler_history_store_get_load_stats (ScalerHistoryStore *self)
{
  g_return_val_if_fail (SCALER_IS_HISTORY_STORE (self), NULL);
  return &self->load_stats;
}
