/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the readers of what the service sends over D-Bus
 * (scaler-cycle-variant.c), on arbitrary bytes in GVariant's serialised form,
 * as another machine's service could send them. The first byte picks the
 * type: even, a CycleFinished snapshot (a{sv}); odd, a history (a(saxad)).
 * A snapshot that parses writes back to one that parses to the same variant;
 * a history that loads writes back to one that loads again.
 */

#include "config.h"

#include <stdint.h>

#include "scaler-cycle-variant.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
fuzz_snapshot (GBytes *bytes)
{
  g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
  g_autoptr(ScalerCycleResult) result = NULL;
  g_autoptr(ScalerCycleResult) again = NULL;
  g_autoptr(GVariant) written = NULL;
  g_autoptr(GVariant) rewritten = NULL;
  g_autoptr(GError) error = NULL;

  result = scaler_cycle_result_new_from_variant (v, &error);
  if (result == NULL)
    {
      g_assert (error != NULL && error->message[0] != '\0');
      return;
    }
  written = g_variant_ref_sink (scaler_cycle_result_to_variant (result));
  again = scaler_cycle_result_new_from_variant (written, &error);
  g_assert_no_error (error);
  rewritten = g_variant_ref_sink (scaler_cycle_result_to_variant (again));
  g_assert (g_variant_equal (written, rewritten));
}

static void
fuzz_history (GBytes *bytes)
{
  g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE ("a(saxad)"), bytes, FALSE));
  g_autoptr(ScalerHistory) history = scaler_history_new (64);
  g_autoptr(ScalerHistory) again = scaler_history_new (64);
  g_autoptr(GVariant) written = NULL;
  g_autoptr(GError) error = NULL;

  if (!scaler_history_add_from_variant (history, v, &error))
    {
      g_assert (error != NULL && error->message[0] != '\0');
      return;
    }
  written = g_variant_ref_sink (scaler_history_to_variant (history, 0));
  g_assert (scaler_history_add_from_variant (again, written, &error));
  g_assert_no_error (error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;

  if (size < 1 || size > 256 * 1024)
    return 0;
  bytes = g_bytes_new (data + 1, size - 1);
  if (data[0] % 2 == 0)
    fuzz_snapshot (bytes);
  else
    fuzz_history (bytes);
  return 0;
}
