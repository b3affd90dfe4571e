/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-policy.h: the scaling policy, a PURE function
 *
 *     (config, snapshot, ledger, now, env) -> plan
 *
 * It reads nothing else (no clock, no network, no randomness) and changes
 * nothing: the engine executes the plan and records the outcome in the ledger.
 * Every planned action and every decision NOT to act carries a human-readable
 * reason (ScalerAction.reason), which the engine writes to the log.
 *
 * Times are microseconds since the Unix epoch (UTC).
 */

#pragma once

#include <glib.h>

#include "scaler-types.h"
#include "scaler-config.h"
#include "scaler-cloud.h"
#include "scaler-queue-source.h"
#include "scaler-prices.h"
#include "scaler-plan.h"

G_BEGIN_DECLS

typedef struct
{
  ScalerPriceFunc on_demand_price;     /* NULL = scaler_price_table_default_price */
  gpointer        price_user_data;
  /* "Terminate idle now": idle workers count as past the idle time. */
  gboolean        terminate_idle_now;
} ScalerPolicyEnv;

/* Hourly price of one instance for the budget: spot = cached spot price of
 * (type, zone) in the ledger, else on-demand. FALSE when no price is known. */
gboolean      scaler_policy_instance_price (const ScalerConfig    *config,
                                            const ScalerLedger    *ledger,
                                            const ScalerPolicyEnv *env,
                                            const char            *instance_type,
                                            const char            *zone,
                                            gboolean               spot,
                                            double                *usd_per_hour);

/* Back-off length after n consecutive failures (n >= 1), usec. */
gint64        scaler_policy_backoff_duration (const ScalerConfig *config,
                                              guint               failures);

/* The delay until the next cycle: the polling interval, doubled for each
 * cycle in a row that AWS throttled (at most 4 doublings), but not beyond
 * 15 minutes unless the polling interval is longer. At least 1 usec. */
gint64        scaler_policy_next_cycle_delay (const ScalerConfig *config,
                                              guint               throttle_count);

/* The ledger must have been reconciled with the snapshot first
 * (scaler_ledger_observe). env may be NULL. */
ScalerPlan   *scaler_policy_decide    (const ScalerConfig    *config,
                                       const ScalerSnapshot  *snapshot,
                                       const ScalerLedger    *ledger,
                                       gint64                 now,
                                       const ScalerPolicyEnv *env);

G_END_DECLS
