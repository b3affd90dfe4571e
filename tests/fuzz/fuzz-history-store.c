/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the reader of the plots' history file
 * (scaler_history_store_parse) on arbitrary bytes, as a crash or a disk
 * could leave them. Whatever it accepts is a history whose series go forward
 * in time with finite values: it passes the D-Bus reader's checks.
 */

#include "config.h"

#include <stdint.h>

#include "scaler-cycle-variant.h"
#include "scaler-history-store.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ScalerHistory) history = scaler_history_new (64);
  g_autoptr(ScalerHistory) copy = scaler_history_new (64);
  g_autoptr(GVariant) written = NULL;
  g_autoptr(GError) error = NULL;
  ScalerHistoryStoreStats stats;

  if (size > 512 * 1024)
    return 0;
  if (!scaler_history_store_parse (data, size, history, &stats, &error))
    {
      g_assert (error != NULL && error->message[0] != '\0');
      return 0;
    }
  g_assert (stats.valid_length <= size);
  g_assert (stats.valid_length % SCALER_HISTORY_STORE_RECORD_SIZE == 0);
  g_assert (stats.torn_bytes < SCALER_HISTORY_STORE_RECORD_SIZE);
  written = g_variant_ref_sink (scaler_history_to_variant (history, 0));
  g_assert (scaler_history_add_from_variant (copy, written, &error));
  g_assert_no_error (error);
  return 0;
}
