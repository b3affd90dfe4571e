/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-policy-launch.c: the launches the policy plans per queue: what
 * the busy workers take, the staffing floor, the rounds the caps allow, the
 * placement and the budget; see scaler-policy-private.h. */

#define G_LOG_DOMAIN "scaler-policy"

#include "config.h"

#include <math.h>
#include <string.h>

#include "scaler-policy-private.h"

typedef struct
{
  const char *zone;    /* nullable */
  const char *subnet;  /* nullable */
  gboolean    spot;
} Placement;

/* First (market, zone/subnet) of the resource that is not backing off. */
static gboolean
choose_placement (Decide               *d,
                  const ScalerResource *resource,
                  Placement            *out,
                  gint64               *soonest,
                  GString              *why)
{
  guint n_subnets = resource->subnet_ids ? g_strv_length (resource->subnet_ids) : 0;
  guint n_zones = resource->availability_zones ? g_strv_length (resource->availability_zones) : 0;
  guint n_places = n_subnets > 0 ? n_subnets : MAX (n_zones, 1);
  gboolean markets[2];
  guint n_markets = 0;

  if (resource->is_spot)
    {
      markets[n_markets++] = TRUE;
      if (resource->spot_fallback_on_demand)
        markets[n_markets++] = FALSE;
    }
  else
    markets[n_markets++] = FALSE;

  *soonest = 0;
  for (guint m = 0; m < n_markets; m++)
    for (guint p = 0; p < n_places; p++)
      {
        const char *subnet = n_subnets > 0 ? resource->subnet_ids[p] : NULL;
        const char *zone = n_subnets == 0 && n_zones > 0 ? resource->availability_zones[p] : NULL;
        const char *key = subnet ? subnet : zone;
        const ScalerLedgerBackoff *backoff =
          scaler_ledger_get_backoff (d->ledger, resource->name, key, markets[m]);

        if (backoff == NULL || backoff->until <= d->now)
          {
            out->zone = zone;
            out->subnet = subnet;
            out->spot = markets[m];
            return TRUE;
          }
        if (*soonest == 0 || backoff->until < *soonest)
          *soonest = backoff->until;
        if (why->len > 0)
          g_string_append (why, "; ");
        g_string_append_printf (why, "%s %s until +%.1f min (%s)",
                                key ? key : "default placement",
                                markets[m] ? "spot" : "on-demand",
                                scaler_min_of_usec (backoff->until - d->now),
                                backoff->reason && backoff->reason[0] ? backoff->reason : "failed");
      }
  return FALSE;
}

/* New demand must persist this many polling intervals before it launches an
 * instance while busy workers of the queue may absorb it (bench-policy: 1
 * launches for blips, 3 raises the p95 wait above ClearML's). Used until the
 * queue's task durations are known. */
#define CONFIRM_CYCLES 2

/* ---- launches: what the busy workers take, the floor, the rounds ----
 *
 * A queued task that no idle worker or booting instance covers is left to
 * the busy workers when they are expected to take it before a new
 * instance could: each busy worker finishes within R (the queue's mean
 * launch-to-registration time) with the probability that the queue's
 * recent tasks that ran longer than its task has so far ended within R
 * more (scaler_ledger_get_task_finish_probability); the number of them
 * that finish within R is a sum of such coin flips (Poisson binomial), and
 * the first j queued tasks wait for them, j the largest number reached
 * with probability HOLD_BACK_CONFIDENCE. The rest launch at once. The
 * time a task has run is counted from half a polling interval before it
 * was first seen. */

/* bench-policy: with 0.5 the 95th-percentile wait is up to 0.3 min longer
 * than the ClearML model's on single seeds of two-pools and daily; 0.7
 * costs 1 % more than 0.6. The expected number of busy workers done within
 * R, from the mean duration alone (the rule before this one), waited up to
 * 0.6 min longer than the model on single seeds. */
#define HOLD_BACK_CONFIDENCE 0.6

/* The largest j <= max_j such that at least j of the busy workers finish
 * within horizon with probability >= HOLD_BACK_CONFIDENCE. */
static guint
busy_finishing (Decide     *d,
                const char *queue,
                QueueStats *stats,
                gint64      horizon,
                guint       max_j)
{
  g_autofree double *at = g_new0 (double, max_j + 1);   /* P(k finish), the last: P(>= max_j) */
  gint64 half_poll = scaler_usec_of_min (d->config->polling_interval_time_min) / 2;
  double at_least = 0;
  guint j;

  at[0] = 1.0;
  for (guint i = 0; i < stats->busy_workers->len; i++)
    {
      const ScalerWorker *worker = g_ptr_array_index (stats->busy_workers, i);
      gint64 since = scaler_ledger_get_task_since (d->ledger, worker->id);
      gint64 elapsed = half_poll + (since > 0 && since <= d->now ? d->now - since : 0);
      double p = 0;

      if (!scaler_ledger_get_task_finish_probability (d->ledger, queue, elapsed, horizon, &p, NULL))
        p = 0;
      for (guint k = max_j; k > 0; k--)
        at[k] = (k == max_j ? at[k] : at[k] * (1.0 - p)) + at[k - 1] * p;
      at[0] *= 1.0 - p;
    }
  for (j = max_j; j > 0; j--)
    {
      at_least += at[j];
      if (at_least >= HOLD_BACK_CONFIDENCE)
        break;
    }
  return j;
}

/* Until durations are known, a scale-up confirmation: while busy workers
 * may take newly queued tasks soon, only demand that persisted over the
 * last CONFIRM_CYCLES cycles launches an instance. Returns the need left. */
static gint64
plan_confirmation (Decide     *d,
                   const char *queue,
                   QueueStats *stats,
                   guint       pending,
                   gint64      need)
{
  guint previous = 0;
  gint64 poll = scaler_usec_of_min (d->config->polling_interval_time_min);
  gint64 seen = d->now - CONFIRM_CYCLES * poll - poll / 2;
  gint64 confirmed;
  ScalerAction *action;

  if (!scaler_ledger_get_previous_pending (d->ledger, queue, &previous, &seen) || previous >= pending)
    return need;
  confirmed = (gint64) previous - stats->idle - stats->booting;
  if (confirmed >= need)
    return need;
  action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_WAITING_CONFIRM,
                                      "Queue %s: %" G_GINT64_FORMAT " newly queued task(s) wait up to %d "
                                      "cycles before a launch: %u busy worker(s) may take them first",
                                      queue, need - MAX (confirmed, 0), CONFIRM_CYCLES, stats->busy);
  action->queue = g_strdup (queue);
  return confirmed;
}

/* Returns the need left after the busy workers (above); until the queue's
 * durations are known, the confirmation rule instead. */
static gint64
plan_hold_back (Decide     *d,
                const char *queue,
                QueueStats *stats,
                guint       pending,
                gint64      need)
{
  gint64 ready = 0, task = 0;
  guint samples = 0, held;
  ScalerAction *action;

  if (stats->busy == 0)
    return need;
  if (!_scaler_policy_queue_ready_time (d, stats, &ready)
      || !scaler_ledger_get_task_duration (d->ledger, queue, &task, &samples) || samples < MIN_TASK_SAMPLES)
    return plan_confirmation (d, queue, stats, pending, need);
  held = busy_finishing (d, queue, stats, ready, (guint) MIN (need, (gint64) stats->busy));
  if (held == 0)
    return need;
  action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_WAITING_CONFIRM,
                                      "Queue %s: %u pending task(s) left to busy workers: %u of the %u busy worker(s) "
                                      "finish within %.1f min, before a new instance would be ready, with a probability "
                                      "of %.0f %% or more (from how long their tasks have run and the queue's last %u task "
                                      "durations; tasks take %.1f min on average)",
                                      queue, held, held, stats->busy, scaler_min_of_usec (ready), 100 * HOLD_BACK_CONFIDENCE,
                                      MIN (samples, 64u), scaler_min_of_usec (task));
  action->queue = g_strdup (queue);
  return need - held;
}

/* When the caps leave queued tasks for another round anyway (more tasks
 * queued and running than the workers the caps allow), the queue finishes
 * no later with just enough workers for that many rounds: launch only
 * those (bench-policy, bursts of up to 38 tasks on 20 instances: 0.64 of
 * the ClearML model's cost instead of 0.67, the 95th-percentile wait 22.9
 * min instead of 20.8, the model's 37.4). */
static gint64
plan_balanced_rounds (Decide     *d,
                      const char *queue,
                      QueueStats *stats,
                      guint       pending,
                      gint64      need)
{
  GPtrArray *resources = g_hash_table_lookup (d->queue_resources, queue);
  guint fleet = stats->busy + stats->idle + stats->booting + stats->unanswered->len;
  guint slots = fleet, tasks = pending + stats->busy, rounds, enough;
  ScalerAction *action;

  for (guint r = 0; resources != NULL && r < resources->len; r++)
    {
      const ScalerResource *resource = g_ptr_array_index (resources, r);
      guint count = resource_count (d, resource->name);

      slots += count < resource->max_instances ? resource->max_instances - count : 0;
    }
  if (slots == 0 || (rounds = (tasks + slots - 1) / slots) < 2)
    return need;
  enough = (tasks + rounds - 1) / rounds;
  /* Not fewer than the maximums allow anyway: they say so themselves. */
  if ((gint64) enough - fleet >= MIN (need, (gint64) (slots - fleet)))
    return need;
  action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_BALANCED_ROUNDS,
                                      "Queue %s: %u task(s) queued or running need %u rounds of the %u worker(s) the "
                                      "maximums allow; %u worker(s) run them in as many rounds: launching %" G_GINT64_FORMAT
                                      " instead of %" G_GINT64_FORMAT,
                                      queue, tasks, rounds, slots, enough, MAX ((gint64) enough - fleet, 0),
                                      MIN (need, (gint64) (slots - fleet)));
  action->queue = g_strdup (queue);
  return MAX ((gint64) enough - fleet, 0);
}

/* One queue's launches in the making. */
typedef struct
{
  const char *queue;
  QueueStats *stats;
  guint       pending;
  gint64      need;         /* instances still to launch */
  guint       staffing;     /* how many of them the staffing floor asks for */
  gboolean    budget_stop;  /* the budget allows no more launches */
} QueuePlan;

/* Queued tasks that no idle worker or booting instance covers, less what
 * the busy workers take and what the rounds leave, plus the staffing
 * floor. */
static void
plan_need (Decide    *d,
           QueuePlan *q)
{
  gint64 need = (gint64) q->pending - q->stats->idle - q->stats->booting;

  if (need > 0)
    need = plan_hold_back (d, q->queue, q->stats, q->pending, need);
  if (need > 0)
    need = plan_balanced_rounds (d, q->queue, q->stats, q->pending, need);
  q->staffing = _scaler_policy_plan_staffing (d, q->queue, q->stats, q->pending, need);
  q->need = MAX (need, 0) + q->staffing;
}

static void
set_queue_resource (ScalerAction *action,
                    const char   *queue,
                    const char   *resource)
{
  action->queue = g_strdup (queue);
  action->resource = g_strdup (resource);
}

/* Launches sent but never answered (crash, timeout): retry them with the
 * SAME client token while they are needed (EC2 returns the original
 * instance if the first call went through), else forget them. */
static void
plan_unanswered (Decide    *d,
                 QueuePlan *q)
{
  GPtrArray *unanswered = q->stats->unanswered;

  for (guint i = 0; i < unanswered->len; i++)
    {
      const ScalerLedgerLaunch *launch = g_ptr_array_index (unanswered, i);
      ScalerAction *action;

      if (q->need <= 0)
        {
          action = _scaler_policy_add_action (d, SCALER_ACTION_DROP_LAUNCH, SCALER_REASON_NOT_NEEDED,
                                              "Forgetting unanswered launch %s of %s: queue %s no longer "
                                              "needs it (if it did start, it will be adopted from its tags)",
                                              launch->client_token, launch->resource, q->queue);
          set_queue_resource (action, q->queue, launch->resource);
          action->client_token = g_strdup (launch->client_token);
          continue;
        }
      action = _scaler_policy_add_action (d, SCALER_ACTION_LAUNCH, SCALER_REASON_RETRY_LAUNCH,
                                          "Retrying launch %s of %s (%s%s%s) with the same client token: "
                                          "its answer was never received, and %s still needs it",
                                          launch->client_token, launch->resource,
                                          launch->spot ? "spot" : "on-demand",
                                          launch->subnet_id || launch->availability_zone ? " in " : "",
                                          launch->subnet_id ? launch->subnet_id
                                          : launch->availability_zone ? launch->availability_zone : "",
                                          q->queue);
      set_queue_resource (action, q->queue, launch->resource);
      action->instance_type = g_strdup (launch->instance_type);
      action->availability_zone = g_strdup (launch->availability_zone);
      action->subnet_id = g_strdup (launch->subnet_id);
      action->spot = launch->spot;
      action->client_token = g_strdup (launch->client_token);
      action->usd_per_hour = launch->usd_per_hour;
      q->need--;
    }
}

/* The reasons not to launch at all: nothing pending, the need covered, no
 * resource for the queue. TRUE when one applies (and was noted). */
static gboolean
plan_no_launch (Decide    *d,
                QueuePlan *q,
                guint      n_resources)
{
  const QueueStats *stats = q->stats;
  ScalerAction *action;

  if (q->pending == 0 && q->need <= 0)
    action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_NOTHING_PENDING,
                                        "Queue %s: nothing pending (%u idle, %u booting)",
                                        q->queue, stats->idle, stats->booting);
  else if (q->need <= 0 && stats->booting > 0)
    action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_WAITING_BOOT,
                                        "Queue %s: %u pending task(s) covered by %u idle worker(s) and %u "
                                        "booting instance(s); waiting for them",
                                        q->queue, q->pending, stats->idle,
                                        stats->booting + stats->unanswered->len);
  else if (q->need <= 0)
    action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_COVERED,
                                        "Queue %s: %u pending task(s) covered by %u idle worker(s)",
                                        q->queue, q->pending, stats->idle);
  else if (n_resources == 0)
    action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_NO_RESOURCE,
                                        "Queue %s: %u pending task(s) but no resource serves it",
                                        q->queue, q->pending);
  else
    return FALSE;
  action->queue = g_strdup (q->queue);
  return TRUE;
}

/* The hourly price of one more instance of the resource at the placement;
 * FALSE (noted) when the budget forbids it or cannot be checked. */
static gboolean
launch_price (Decide               *d,
              QueuePlan            *q,
              const ScalerResource *resource,
              const Placement      *place,
              double               *price)
{
  const ScalerConfig *config = d->config;

  *price = 0.0;
  if (!scaler_policy_instance_price (config, d->ledger, d->env, resource->instance_type,
                                     place->zone, place->spot, price))
    {
      if (config->hourly_budget_usd > 0)
        {
          set_queue_resource (_scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_NO_PRICE,
                                                         "Queue %s: not launching %s: no price is known for "
                                                         "%s in %s, so the hourly budget cannot be checked",
                                                         q->queue, resource->name, resource->instance_type,
                                                         config->aws_region),
                              q->queue, resource->name);
          return FALSE;
        }
      *price = 0.0;
    }
  if (config->hourly_budget_usd > 0 && d->cost + *price > config->hourly_budget_usd + 1e-9)
    {
      set_queue_resource (_scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_BUDGET,
                                                     "Queue %s: not launching %s: budget reached (running "
                                                     "$%.4f/h + $%.4f/h for one more %s would exceed $%.2f/h)",
                                                     q->queue, resource->name, d->cost, *price,
                                                     resource->instance_type, config->hourly_budget_usd),
                          q->queue, resource->name);
      q->budget_stop = TRUE;
      return FALSE;
    }
  return TRUE;
}

static void
add_launch (Decide               *d,
            QueuePlan            *q,
            const ScalerResource *resource,
            const Placement      *place,
            double                price)
{
  const char *where = place->subnet ? place->subnet : place->zone;
  gboolean staffing = q->need <= q->staffing;
  ScalerAction *action;

  action = _scaler_policy_add_action (d, SCALER_ACTION_LAUNCH,
                                      staffing ? SCALER_REASON_STAFFING : SCALER_REASON_NEED,
                                      "Launching %s (%s, %s%s%s, $%.4f/h): queue %s has %u pending, %u idle, "
                                      "%u booting%s",
                                      resource->name, resource->instance_type,
                                      place->spot ? "spot" : "on-demand",
                                      where ? " in " : "", where ? where : "",
                                      price, q->queue, q->pending, q->stats->idle, q->stats->booting,
                                      staffing ? "; it keeps the queue's staffing floor" : "");
  if (resource->is_spot && !place->spot)
    {
      g_autofree char *old = action->reason;

      action->reason = g_strdup_printf ("%s; spot is backing off, falling back to on-demand", old);
    }
  set_queue_resource (action, q->queue, resource->name);
  action->instance_type = g_strdup (resource->instance_type);
  action->availability_zone = g_strdup (place->zone);
  action->subnet_id = g_strdup (place->subnet);
  action->spot = place->spot;
  action->usd_per_hour = price;
  d->cost += price;
  _scaler_policy_resource_count_add (d, resource->name);
  q->need--;
}

/* One launch of the resource, unless every placement backs off or the
 * budget says no (noted; FALSE). */
static gboolean
plan_launch (Decide               *d,
             QueuePlan            *q,
             const ScalerResource *resource)
{
  Placement place = { 0 };
  gint64 soonest;
  g_autoptr(GString) why = g_string_new (NULL);
  double price = 0.0;

  if (!choose_placement (d, resource, &place, &soonest, why))
    {
      set_queue_resource (_scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_BACKING_OFF,
                                                     "Queue %s: not launching %s: backing off after "
                                                     "capacity/quota errors (%s)",
                                                     q->queue, resource->name, why->str),
                          q->queue, resource->name);
      return FALSE;
    }
  if (!launch_price (d, q, resource, &place, &price))
    return FALSE;
  add_launch (d, q, resource, &place, price);
  return TRUE;
}

/* As many launches of the resource as the need and its maximum allow. */
static void
plan_resource (Decide               *d,
               QueuePlan            *q,
               const ScalerResource *resource)
{
  guint count = resource_count (d, resource->name);

  if (count >= resource->max_instances)
    {
      set_queue_resource (_scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_MAX_REACHED,
                                                     "Queue %s: %" G_GINT64_FORMAT " more instance(s) needed, "
                                                     "but %s is at its maximum (%u of %u, booting and running)",
                                                     q->queue, q->need, resource->name, count,
                                                     resource->max_instances),
                          q->queue, resource->name);
      return;
    }
  while (q->need > 0 && count < resource->max_instances && plan_launch (d, q, resource))
    count++;
  if (q->need > 0 && count >= resource->max_instances && !q->budget_stop)
    set_queue_resource (_scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_MAX_REACHED,
                                                   "Queue %s: %" G_GINT64_FORMAT " more instance(s) needed, "
                                                   "but %s reached its maximum (%u)",
                                                   q->queue, q->need, resource->name, resource->max_instances),
                        q->queue, resource->name);
}

/* The launches of one queue: the need, the unanswered launches, then the
 * REMAINING need from the resources in listed order. */
void
_scaler_policy_plan_queue (Decide     *d,
                           const char *queue)
{
  GPtrArray *resources = g_hash_table_lookup (d->queue_resources, queue);
  guint n_resources = resources ? resources->len : 0;
  QueuePlan q = { 0 };

  q.queue = queue;
  q.pending = scaler_snapshot_get_pending (d->snapshot, queue);
  q.stats = _scaler_policy_queue_stats (d, queue);
  plan_need (d, &q);
  plan_unanswered (d, &q);
  if (plan_no_launch (d, &q, n_resources))
    return;
  for (guint r = 0; r < n_resources && q.need > 0 && !q.budget_stop; r++)
    plan_resource (d, &q, g_ptr_array_index (resources, r));
}
