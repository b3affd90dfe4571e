/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-policy.c: the pure scaling policy (see scaler-policy.h), phase by
 * phase; the phases are in scaler-policy-*.c (see scaler-policy-private.h). */

#define G_LOG_DOMAIN "scaler-policy"

#include "config.h"

#include "scaler-policy-private.h"

gint64
scaler_policy_next_cycle_delay (const ScalerConfig *config,
                                guint               throttle_count)
{
  gint64 poll;
  gint64 slow;

  g_return_val_if_fail (config != NULL, 1);

  poll = MAX (scaler_usec_of_min (config->polling_interval_time_min), 1);
  if (throttle_count == 0)
    return poll;
  slow = poll << MIN (throttle_count, 4);
  return MAX (MIN (slow, MAX (poll, 15 * SCALER_USEC_PER_MIN)), poll);
}

/* After AWS throttled cycles in a row, the next one comes later. */
static void
plan_next_cycle (Decide *d)
{
  guint throttles = scaler_ledger_get_throttle_count (d->ledger);

  d->plan->next_cycle_delay = scaler_policy_next_cycle_delay (d->config, throttles);
  if (throttles > 0)
    _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_THROTTLED,
                               "AWS throttled %u cycle(s) in a row: next cycle in %.2f min instead of %g",
                               throttles, scaler_min_of_usec (d->plan->next_cycle_delay),
                               d->config->polling_interval_time_min);
}

ScalerPlan *
scaler_policy_decide (const ScalerConfig    *config,
                      const ScalerSnapshot  *snapshot,
                      const ScalerLedger    *ledger,
                      gint64                 now,
                      const ScalerPolicyEnv *env)
{
  Decide d;
  g_auto(GStrv) queues = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (snapshot != NULL, NULL);
  g_return_val_if_fail (ledger != NULL, NULL);

  _scaler_policy_init (&d, config, snapshot, ledger, now, env);
  _scaler_policy_classify_workers (&d);
  _scaler_policy_plan_terminations (&d);
  _scaler_policy_release_terminating (&d);
  _scaler_policy_collect_queue_stats (&d);
  queues = scaler_config_dup_queues (config);
  for (guint i = 0; queues[i] != NULL; i++)
    _scaler_policy_plan_queue (&d, queues[i]);
  plan_next_cycle (&d);
  return _scaler_policy_finish (&d);
}
