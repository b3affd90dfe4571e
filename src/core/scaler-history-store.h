/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-history-store.h: a ScalerHistory kept on disk, so that the plots'
 * 7 days survive a restart of the service or of the machine.
 *
 * The file (<state dir>/history, see ScalerEngineRegistry) is an append-only
 * log of fixed-size, checksummed records, all little-endian:
 *
 *   offset size  'H' header        'N' name chunk          'S' sample
 *   0      1     'H'               'N'                     'S'
 *   1      1     0                 chunk index (0, 1, ...) 0
 *   2      2     format version 1  series id               series id
 *   4      4     CRC-32 (IEEE) of the 24 bytes with these 4 bytes zero
 *   8      8     "ECASHIST"        name bytes 0..7         time, usec (int64)
 *   16     8     0                 name bytes 8..15        value (IEEE double)
 *
 * A series' name is the concatenation of its chunks, NUL-padded; it ends in
 * the first chunk that holds a NUL (a name of a multiple of 16 bytes gets an
 * empty chunk). Names come before the first sample of their series.
 *
 * Crash safety: records are appended with one write() per batch and never
 * rewritten in place. A torn or corrupt record fails its checksum and is
 * skipped; a torn tail is cut off before the next append. So a crash loses
 * at most the last samples, never the file. Appends are not fsync'ed (the
 * kernel writes them back within seconds); the compaction is (temp file,
 * fsync, rename).
 *
 * Bound: when the file holds more than twice the samples the history keeps
 * (plus some slack), it is rewritten with only those (the newest 7 days, at
 * most the history's capacity per series).
 *
 * Main-thread object: it mirrors every sample appended to the history (the
 * series' "changed" signal) and writes them from an idle callback.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-history.h"

G_BEGIN_DECLS

#define SCALER_HISTORY_STORE_RECORD_SIZE 24
/* Samples older than the newest minus this are dropped. */
#define SCALER_HISTORY_STORE_KEEP_USEC (G_GINT64_CONSTANT (7) * 24 * 3600 * G_USEC_PER_SEC)

typedef struct
{
  gsize valid_length;   /* bytes up to the end of the last good record */
  guint records;        /* good records */
  guint samples;        /* samples added to the history */
  guint bad_records;    /* failed their checksum, or made no sense */
  guint torn_bytes;     /* a partial record at the end */
} ScalerHistoryStoreStats;

/* Reads a history file's bytes into @history (samples older than the
 * newest minus 7 days are skipped). FALSE with SCALER_ERROR_PARSE only when
 * the first record is not a valid header (not a history file at all); bad
 * records after it are counted in @stats and skipped. */
gboolean             scaler_history_store_parse       (const guint8            *data,
                                                       gsize                    length,
                                                       ScalerHistory           *history,
                                                       ScalerHistoryStoreStats *stats,
                                                       GError                 **error);

#define SCALER_TYPE_HISTORY_STORE (scaler_history_store_get_type ())
G_DECLARE_FINAL_TYPE (ScalerHistoryStore, scaler_history_store, SCALER, HISTORY_STORE, GObject)

/* Loads @path into @history (empty, or holding samples older than the
 * file's), then keeps every sample later appended to @history in the file.
 * A missing file is created (its directory too, 0700); a file that is not a
 * history file is kept aside as <path>.corrupt and a new one started. NULL
 * and an error only when the file can be neither read nor created. */
ScalerHistoryStore  *scaler_history_store_open        (const char              *path,
                                                       ScalerHistory           *history,
                                                       GError                 **error);
ScalerHistory       *scaler_history_store_get_history (ScalerHistoryStore      *self);
const char          *scaler_history_store_get_path    (ScalerHistoryStore      *self);
/* Writes the samples still waiting for the idle callback now. */
void                 scaler_history_store_flush       (ScalerHistoryStore      *self);
/* Size of the file in bytes (after a flush). */
goffset              scaler_history_store_get_size    (ScalerHistoryStore      *self);
/* What the last load found. */
const ScalerHistoryStoreStats *scaler_history_store_get_load_stats (ScalerHistoryStore *self);

G_END_DECLS
