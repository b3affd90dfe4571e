/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-policy.c: the pure scaling policy (see scaler-policy.h). */

#define G_LOG_DOMAIN "scaler-policy"

#include "config.h"

#include <math.h>
#include <string.h>

#include "scaler-ledger.h"
#include "scaler-policy.h"
#include "scaler-prices.h"

/* ---- snapshot ---- */

ScalerSnapshot *
scaler_snapshot_new (gint64 time)
{
  ScalerSnapshot *self = g_new0 (ScalerSnapshot, 1);

  self->time = time;
  self->instances = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_instance_free);
  self->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_worker_free);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->spot_prices = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_spot_price_free);
  return self;
}

void
scaler_snapshot_free (ScalerSnapshot *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->instances);
  g_ptr_array_unref (self->workers);
  g_hash_table_unref (self->pending);
  g_ptr_array_unref (self->spot_prices);
  g_free (self);
}

void
scaler_snapshot_add_instance (ScalerSnapshot *self,
                              ScalerInstance *instance)
{
  g_return_if_fail (self != NULL && instance != NULL);
  g_ptr_array_add (self->instances, instance);
}

void
scaler_snapshot_add_worker (ScalerSnapshot *self,
                            ScalerWorker   *worker)
{
  g_return_if_fail (self != NULL && worker != NULL);
  g_ptr_array_add (self->workers, worker);
}

void
scaler_snapshot_set_pending (ScalerSnapshot *self,
                             const char     *queue,
                             guint           count)
{
  g_return_if_fail (self != NULL && queue != NULL);
  g_hash_table_insert (self->pending, g_strdup (queue), GUINT_TO_POINTER (count));
}

guint
scaler_snapshot_get_pending (const ScalerSnapshot *self,
                             const char           *queue)
{
  g_return_val_if_fail (self != NULL, 0);
  if (queue == NULL)
    return 0;
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->pending, queue));
}

/* ---- actions and plans ---- */

ScalerAction *
scaler_action_new (ScalerActionKind kind,
                   ScalerReason     code)
{
  ScalerAction *self = g_new0 (ScalerAction, 1);

  self->kind = kind;
  self->code = code;
  return self;
}

ScalerAction *
scaler_action_copy (const ScalerAction *self)
{
  ScalerAction *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->queue = g_strdup (self->queue);
  copy->resource = g_strdup (self->resource);
  copy->instance_type = g_strdup (self->instance_type);
  copy->instance_id = g_strdup (self->instance_id);
  copy->worker_id = g_strdup (self->worker_id);
  copy->availability_zone = g_strdup (self->availability_zone);
  copy->subnet_id = g_strdup (self->subnet_id);
  copy->client_token = g_strdup (self->client_token);
  copy->reason = g_strdup (self->reason);
  return copy;
}

void
scaler_action_free (ScalerAction *self)
{
  if (self == NULL)
    return;
  g_free (self->queue);
  g_free (self->resource);
  g_free (self->instance_type);
  g_free (self->instance_id);
  g_free (self->worker_id);
  g_free (self->availability_zone);
  g_free (self->subnet_id);
  g_free (self->client_token);
  g_free (self->reason);
  g_free (self);
}

const char *
scaler_action_kind_to_string (ScalerActionKind kind)
{
  switch (kind)
    {
    case SCALER_ACTION_NONE: return "none";
    case SCALER_ACTION_LAUNCH: return "launch";
    case SCALER_ACTION_TERMINATE: return "terminate";
    case SCALER_ACTION_UNREGISTER_WORKER: return "unregister";
    case SCALER_ACTION_DROP_LAUNCH: return "drop-launch";
    default: return "unknown";
    }
}

const char *
scaler_reason_to_string (ScalerReason code)
{
  static const char * const names[] = {
    "need", "retry-launch", "idle", "boot-timeout", "user", "zombie", "not-needed",
    "nothing-pending", "covered", "waiting-boot", "max-reached", "budget", "no-price",
    "backing-off", "keep-busy", "keep-pending", "throttled", "no-resource", "foreign",
    "adopted", "waiting-confirm", "idle-early", "keep-idle", "staffing", "keep-staffing",
    "balanced-rounds",
  };

  if ((guint) code >= G_N_ELEMENTS (names))
    return "unknown";
  return names[code];
}

void
scaler_plan_free (ScalerPlan *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->actions);
  g_free (self);
}

guint
scaler_plan_count (const ScalerPlan *self,
                   ScalerActionKind  kind)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);
  for (guint i = 0; i < self->actions->len; i++)
    if (((ScalerAction *) g_ptr_array_index (self->actions, i))->kind == kind)
      n++;
  return n;
}

const ScalerAction *
scaler_plan_find (const ScalerPlan *self,
                  ScalerReason      code)
{
  g_return_val_if_fail (self != NULL, NULL);
  for (guint i = 0; i < self->actions->len; i++)
    {
      const ScalerAction *action = g_ptr_array_index (self->actions, i);

      if (action->code == code)
        return action;
    }
  return NULL;
}

/* ---- prices ---- */

gboolean
scaler_policy_instance_price (const ScalerConfig    *config,
                              const ScalerLedger    *ledger,
                              const ScalerPolicyEnv *env,
                              const char            *instance_type,
                              const char            *zone,
                              gboolean               spot,
                              double                *usd_per_hour)
{
  ScalerPriceFunc func = env && env->on_demand_price ? env->on_demand_price : scaler_price_table_default_price;
  gpointer data = env ? env->price_user_data : NULL;

  if (spot && ledger != NULL
      && scaler_ledger_get_spot_price (ledger, instance_type, zone, usd_per_hour, NULL))
    return TRUE;
  return func (instance_type, config->aws_region, usd_per_hour, data);
}

/* ---- the decision ---- */

typedef struct
{
  const ScalerConfig    *config;
  const ScalerSnapshot  *snapshot;
  const ScalerLedger    *ledger;
  const ScalerPolicyEnv *env;
  gint64                 now;
  ScalerPlan            *plan;

  GHashTable *fleet;          /* id -> ScalerInstance (ours, any state) */
  GHashTable *worker_of;      /* instance id -> ScalerWorker (capacity workers) */
  GHashTable *terminating;    /* instance ids terminated by this plan */
  GHashTable *resource_count; /* resource -> count (live + in flight + planned) */
  GHashTable *res_by_name;    /* name -> ScalerResource* */
  GHashTable *queue_resources;/* queue -> GPtrArray of ScalerResource*, in order */
  GHashTable *queue_stats;    /* queue -> QueueStats* */
  double      cost;           /* running cost incl. planned launches */
} Decide;

typedef struct
{
  guint      idle;
  guint      busy;
  guint      booting;
  GPtrArray *unanswered;      /* ScalerLedgerLaunch*: sent, no answer */
  GPtrArray *busy_workers;    /* ScalerWorker*: the busy ones of live instances */
  GPtrArray *idle_workers;    /* ScalerWorker*: the idle ones of live instances */
  gint64     ready_sum;       /* launch to worker registration, summed over */
  guint      ready_n;         /* the queue's instances whose worker registered */
  gint64     ready_max;       /* and the longest of those times */
} QueueStats;

static void
queue_stats_free (QueueStats *stats)
{
  g_ptr_array_unref (stats->unanswered);
  g_ptr_array_unref (stats->busy_workers);
  g_ptr_array_unref (stats->idle_workers);
  g_free (stats);
}

static ScalerAction *
add_action (Decide           *d,
            ScalerActionKind  kind,
            ScalerReason      code,
            const char       *format,
            ...) G_GNUC_PRINTF (4, 5);

static ScalerAction *
add_action (Decide           *d,
            ScalerActionKind  kind,
            ScalerReason      code,
            const char       *format,
            ...)
{
  ScalerAction *action = scaler_action_new (kind, code);
  va_list args;

  va_start (args, format);
  action->reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (d->plan->actions, action);
  return action;
}

static double
minutes (gint64 usec)
{
  return (double) usec / (60.0 * G_USEC_PER_SEC);
}

static gint64
usec_of_min (double min)
{
  return (gint64) (min * 60.0 * G_USEC_PER_SEC);
}

static guint
resource_count (Decide     *d,
                const char *resource)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (d->resource_count, resource));
}

static void
resource_count_add (Decide     *d,
                    const char *resource)
{
  if (resource == NULL)
    return;
  g_hash_table_insert (d->resource_count, (gpointer) resource,
                       GUINT_TO_POINTER (resource_count (d, resource) + 1));
}

static double
instance_price (Decide               *d,
                const ScalerInstance *instance)
{
  double price = 0.0;

  if (!scaler_policy_instance_price (d->config, d->ledger, d->env, instance->instance_type,
                                     instance->availability_zone, instance->is_spot, &price))
    return 0.0;
  return price;
}

static const char *instance_resource (const ScalerInstance *instance);

static const char *
queue_of_resource (Decide     *d,
                   const char *resource)
{
  const ScalerResource *res = resource ? g_hash_table_lookup (d->res_by_name, resource) : NULL;

  return res ? res->queue : NULL;
}

static QueueStats *
queue_stats (Decide     *d,
             const char *queue)
{
  QueueStats *stats = g_hash_table_lookup (d->queue_stats, queue);

  if (stats == NULL)
    {
      stats = g_new0 (QueueStats, 1);
      stats->unanswered = g_ptr_array_new ();
      stats->busy_workers = g_ptr_array_new ();
      stats->idle_workers = g_ptr_array_new ();
      g_hash_table_insert (d->queue_stats, (gpointer) queue, stats);
    }
  return stats;
}

/* Idle workers, booting instances and launches in flight per queue, in one
 * pass (after the terminations were planned). */
static void
collect_queue_stats (Decide    *d,
                     GPtrArray *launches)
{
  for (guint i = 0; i < d->snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (d->snapshot->instances, i);
      const char *queue;
      ScalerWorker *worker;
      QueueStats *stats;

      if (!g_hash_table_contains (d->fleet, instance->instance_id)
          || !scaler_instance_state_is_live (instance->state)
          || g_hash_table_contains (d->terminating, instance->instance_id)
          || (queue = queue_of_resource (d, instance_resource (instance))) == NULL)
        continue;
      worker = g_hash_table_lookup (d->worker_of, instance->instance_id);
      stats = queue_stats (d, queue);
      if (worker == NULL)
        stats->booting++;
      else if (worker->task_id == NULL)
        {
          stats->idle++;
          g_ptr_array_add (stats->idle_workers, worker);
        }
      else
        {
          stats->busy++;
          g_ptr_array_add (stats->busy_workers, worker);
        }
      if (worker != NULL && instance->launch_time > 0 && worker->register_time > instance->launch_time)
        {
          stats->ready_sum += worker->register_time - instance->launch_time;
          stats->ready_n++;
          stats->ready_max = MAX (stats->ready_max, worker->register_time - instance->launch_time);
        }
    }
  for (guint i = 0; i < launches->len; i++)
    {
      ScalerLedgerLaunch *launch = g_ptr_array_index (launches, i);
      const char *queue = queue_of_resource (d, launch->resource);

      if (queue == NULL)
        continue;
      if (launch->instance_id != NULL)
        queue_stats (d, queue)->booting++;
      else
        g_ptr_array_add (queue_stats (d, queue)->unanswered, launch);
    }
}

static gboolean
instance_is_ours (const ScalerConfig   *config,
                  const ScalerInstance *instance)
{
  const char *tag = instance->config_id;

  if (tag == NULL)
    tag = scaler_instance_get_tag (instance, SCALER_TAG_INSTANCE);
  return g_strcmp0 (tag, config->id) == 0;
}

static const char *
instance_resource (const ScalerInstance *instance)
{
  if (instance->resource != NULL)
    return instance->resource;
  return scaler_instance_get_tag (instance, SCALER_TAG_RESOURCE);
}

/* Workers: capacity (instance ours and live), zombies (instance gone),
 * or foreign (instance unknown: never counted, never touched). */
static void
classify_workers (Decide *d)
{
  for (guint i = 0; i < d->snapshot->workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (d->snapshot->workers, i);
      g_autofree char *prefix = NULL, *instance_id = NULL;
      ScalerInstance *instance;
      const ScalerLedgerInstance *known;
      ScalerAction *action;

      if (!scaler_worker_id_parse (worker->id, &prefix, NULL, NULL, &instance_id)
          || g_strcmp0 (prefix, d->config->workers_prefix) != 0)
        continue;

      instance = g_hash_table_lookup (d->fleet, instance_id);
      known = scaler_ledger_get_instance (d->ledger, instance_id);

      if (instance != NULL && scaler_instance_state_is_live (instance->state))
        {
          g_hash_table_insert (d->worker_of, instance->instance_id, worker);
          continue;
        }

      if (instance != NULL || (known != NULL && known->gone_since != 0))
        {
          action = add_action (d, SCALER_ACTION_UNREGISTER_WORKER, SCALER_REASON_ZOMBIE,
                               "Unregistering zombie worker %s: its instance %s is %s; it is not "
                               "counted as capacity",
                               worker->id, instance_id,
                               instance ? scaler_instance_state_to_string (instance->state) : "gone");
          action->worker_id = g_strdup (worker->id);
          action->instance_id = g_strdup (instance_id);
          continue;
        }

      action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_FOREIGN,
                           "Ignoring worker %s: instance %s is not in this autoscaler's tagged "
                           "fleet; not counted as capacity",
                           worker->id, instance_id);
      action->worker_id = g_strdup (worker->id);
    }
}

/* Instances whose agent never registered within max_spin_up_time_min. */
static void
plan_boot_timeouts (Decide *d)
{
  gint64 spin_up = usec_of_min (d->config->max_spin_up_time_min);

  for (guint i = 0; i < d->snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (d->snapshot->instances, i);
      const ScalerLedgerInstance *known;
      const char *resource;
      ScalerAction *action;
      gint64 started;

      if (!g_hash_table_contains (d->fleet, instance->instance_id)
          || !scaler_instance_state_is_live (instance->state)
          || g_hash_table_contains (d->worker_of, instance->instance_id))
        continue;

      resource = instance_resource (instance);
      known = scaler_ledger_get_instance (d->ledger, instance->instance_id);
      started = instance->launch_time;
      if (started == 0 && known != NULL)
        started = known->first_seen;
      if (started == 0)
        started = d->now;
      if (d->now - started <= spin_up)
        continue;

      action = add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_BOOT_TIMEOUT,
                           "Terminating %s (%s): no worker registered %.1f min after launch "
                           "(max_spin_up_time_min is %g)",
                           instance->instance_id, resource ? resource : "unknown resource",
                           minutes (d->now - started), d->config->max_spin_up_time_min);
      action->instance_id = g_strdup (instance->instance_id);
      action->resource = g_strdup (resource);
      action->instance_type = g_strdup (instance->instance_type);
      action->fetch_console = TRUE;
      g_hash_table_add (d->terminating, instance->instance_id);
    }
}

/* ---- short tasks: the staffing floor ----
 *
 * When a queue's tasks are shorter than a boot (STAFFING_SHORT_SHARE of
 * its recent tasks end within the time a new instance needs to be ready),
 * a launch never serves a task that is queued now: a busy worker takes it
 * sooner (see the hold-back below), so demand alone would never grow the
 * queue's fleet, and its wait is the queueing wait of the workers it
 * keeps. Such a queue keeps at least the number of workers c at which at
 * most STAFFING_WAIT_SHARE of its tasks wait longer than t, half a polling
 * interval (what a task waits, on average, before the autoscaler even sees
 * it), by Erlang's C formula (M/M/c, offered load a = arrival rate x mean
 * task duration D, with the slow 3-hour rate):
 *
 *     P(wait > t) = C(c, a) x exp (-(c - a) t / D).
 *
 * This holds for queues that keep at least one worker busy on average (a
 * >= 1): below that, the queue mostly has no busy worker to leave tasks
 * to, its tasks launch instances when they come, and a worker kept for
 * them would mostly stand idle.
 *
 * With idle_policy adaptive, idle workers within that number are not
 * terminated early (they still go at max_idle_time_min), and while the
 * queue has busy workers, a worker that will reach max_idle_time_min
 * before a replacement could be ready is replaced beforehand. */

/* Finished tasks observed before their durations are trusted. */
#define MIN_TASK_SAMPLES 5
#define STAFFING_SHORT_SHARE 0.95
/* bench-policy, many-short (150 tasks of 1 min an hour): 95th-percentile
 * wait 0.30 min against the ClearML model's 0.37 at 0.96 of its cost; t =
 * one polling interval costs 0.89 and waits 0.36 min, but longer than the
 * model on 9 of 10 other seeds (by 1 to 5 s). */
#define STAFFING_WAIT_SHARE 0.05

typedef struct
{
  guint  floor;       /* 0: not a queue of short tasks, or nothing learned */
  double per_hour;    /* slow arrival rate */
  double task;        /* mean task duration, usec */
  double short_task;  /* STAFFING_SHORT_SHARE of the tasks end within this, usec */
  double ready;       /* launch to registration (mean), usec */
} Staffing;

/* The probability that a task waits at all: c servers, offered load a
 * (Erlang B by its recurrence, then C). */
static double
erlang_c (guint  c,
          double a)
{
  double b = 1.0;

  if (c <= a)
    return 1.0;
  for (guint k = 1; k <= c; k++)
    b = a * b / (k + a * b);
  return c * b / (c - a * (1.0 - b));
}

/* The fewest workers (at most limit) at which at most `share` of the
 * tasks wait longer than `wait`; rates and times in minutes. */
static guint
staffing_size (double per_min,
               double task_min,
               double wait_min,
               double share,
               guint  limit)
{
  double a = per_min * task_min;
  guint c = (guint) MIN (floor (a), (double) limit) + 1;

  for (; c < limit; c++)
    if (erlang_c (c, a) * exp (-((double) c - a) / task_min * wait_min) <= share)
      break;
  return MIN (c, limit);
}

/* Every instance the queue's resources may run together. */
static guint
queue_limit (Decide     *d,
             const char *queue)
{
  GPtrArray *resources = g_hash_table_lookup (d->queue_resources, queue);
  guint limit = 0;

  for (guint r = 0; resources != NULL && r < resources->len; r++)
    limit += ((const ScalerResource *) g_ptr_array_index (resources, r))->max_instances;
  return limit;
}

/* The queue's staffing floor; ready = its launch-to-registration time. */
static void
queue_staffing (Decide     *d,
                const char *queue,
                double      ready,
                Staffing   *out)
{
  gint64 task = 0, short_task = 0;
  guint samples = 0;

  memset (out, 0, sizeof *out);
  out->ready = ready;
  if (!(ready > 0)
      || !scaler_ledger_get_task_duration (d->ledger, queue, &task, &samples)
      || samples < MIN_TASK_SAMPLES || task <= 0
      || !scaler_ledger_get_task_quantile (d->ledger, queue, STAFFING_SHORT_SHARE, &short_task, NULL)
      || (double) short_task >= ready
      || !scaler_ledger_get_slow_arrival_rate (d->ledger, queue, &out->per_hour)
      || out->per_hour / 60.0 * minutes (task) < 1.0)
    return;
  out->task = (double) task;
  out->short_task = (double) short_task;
  out->floor = staffing_size (out->per_hour / 60.0, minutes (task), d->config->polling_interval_time_min / 2,
                              STAFFING_WAIT_SHARE, queue_limit (d, queue));
}

/* "95 % of 150.0 tasks/h ... " for the reasons. */
static char *
staffing_why (Decide         *d,
              const char     *queue,
              const Staffing *staff)
{
  return g_strdup_printf ("queue %s keeps %u worker(s) for its short tasks (%.1f tasks/h arrive over 3 h, "
                          "%.1f min each, %.0f %% of them shorter than %.1f min, less than the %.1f min a "
                          "new instance needs): with fewer, more than %.0f %% of them would wait longer than "
                          "%g min, half the polling interval (Erlang C)",
                          queue, staff->floor, staff->per_hour, minutes ((gint64) staff->task),
                          100 * STAFFING_SHORT_SHARE, minutes ((gint64) staff->short_task),
                          minutes ((gint64) staff->ready), 100 * STAFFING_WAIT_SHARE,
                          d->config->polling_interval_time_min / 2);
}

/* ---- idle workers: the break-even rule ----
 *
 * max_idle_time_min is the most a worker stays idle. With idle_policy
 * "adaptive" it goes earlier when keeping it is expected to cost more than
 * booting a new instance when the queue needs one again: a ski-rental
 * problem (keeping an idle instance is renting; terminating it is buying,
 * at the price of a boot and the wait for it when the next task needs the
 * worker). The rule is the learning-augmented ski rental of Purohit,
 * Svitkina and Kumar ("Improving Online Algorithms via ML Predictions",
 * NeurIPS 2018, deterministic algorithm), with the user's max_idle_time_min
 * as a cap:
 *
 *   break-even b  = R x (1 + WAIT_WEIGHT), R the queue's launch-to-ready
 *                   time: a boot bills R minutes of the instance, and the
 *                   task that needed the worker waits R minutes, each wait
 *                   minute weighed as WAIT_WEIGHT instance minutes;
 *   prediction y  = the expected time until the queue needs this worker,
 *                   from its arrival rate and mean task duration;
 *   terminate at  PREDICTION_TRUST x b  idle minutes if y >= b,
 *                 max_idle_time_min     if y <  b,
 *                 b                     while nothing is learned yet (the
 *                                       classic 2-competitive break-even).
 *
 * y for the k-th idle worker of a queue with B busy workers: the queue
 * needs it when B + k tasks are in the system. With Poisson arrivals at
 * rate L and each busy worker finishing at rate 1/D (a birth-death chain),
 * the mean time to go from n to n + 1 tasks is
 *   T(0) = 1/L,  T(n) = 1/L + n/(L D) T(n-1),
 * and y = T(B) + ... + T(B + k - 1). Idle workers stand in line cheapest
 * first, then the most recently idle; the last in line go first.
 *
 * Tasks that come in bursts break the Poisson assumption: right after a
 * burst the 30-minute rate is high and y short, though nothing comes until
 * the next burst. When the index of dispersion of the queue's arrivals
 * (scaler_ledger_get_arrival_dispersion, about the mean burst size) is at
 * least BURST_INDEX, y is at least the mean time between bursts, index /
 * (the 3-hour arrival rate).
 *
 * Idle workers within the staffing floor of a queue of short tasks (above)
 * are not terminated early. */

/* A minute a task waits for a new instance weighs as much as a minute of
 * that instance. */
#define WAIT_WEIGHT 1.0
/* Purohit et al.'s lambda: with a prediction of "not needed before the
 * break-even" the worker still stays this share of it. Without the cap the
 * rule costs at most (1 + lambda) x the best choice in hindsight when the
 * predictions are right and (1 + 1/lambda) x whatever they are. 0 follows
 * the prediction: the worker goes at the first cycle that sees it idle
 * (it has been idle half a polling interval on average by then);
 * max_idle_time_min bounds what a wrong "needed soon" costs, and a wrong
 * "not needed" costs one boot. bench-policy: 0.1 (about a minute) costs
 * 1 to 7 % more (0.83 of the ClearML model instead of 0.82 on steady work,
 * 0.68 instead of 0.64 on bursty work), 0.25 up to 12 %. */
#define PREDICTION_TRUST 0.0
/* bench-policy: the index is 0.8 to 1.4 on the Poisson workloads (1st to
 * 99th percentile over the cycles), 13 and 26 on the bursty ones (bursts
 * of 6 to 18 and of 12 to 38 tasks: E[S^2] / E[S] = 13 and 27). Without
 * it, bursty work costs 0.68 of the ClearML model instead of 0.64. */
#define BURST_INDEX 4.0
/* Beyond this, a worker is "not needed in the foreseeable future". */
#define NEED_CAP_USEC (G_GINT64_CONSTANT (1000000) * 3600 * 24 * 365)

typedef struct
{
  ScalerInstance *instance;
  ScalerWorker   *worker;
  gint64          since;     /* idle since (ledger) */
  double          price;     /* USD per hour */
} IdleWorker;

/* A queue's registered workers, for the idle rule. */
typedef struct
{
  guint      busy;
  GPtrArray *idle;       /* IdleWorker*, owned */
  gint64     ready_sum;  /* launch to registration, over its workers */
  guint      ready_n;
} QueueFleet;

static void
queue_fleet_free (QueueFleet *fleet)
{
  g_ptr_array_unref (fleet->idle);
  g_free (fleet);
}

/* The line: cheapest first, then the most recently idle. */
static int
idle_line_compare (gconstpointer a,
                   gconstpointer b)
{
  const IdleWorker *x = *(IdleWorker * const *) a;
  const IdleWorker *y = *(IdleWorker * const *) b;

  if (x->price != y->price)
    return x->price < y->price ? -1 : 1;
  if (x->since != y->since)
    return x->since > y->since ? -1 : 1;
  return g_strcmp0 (x->worker->id, y->worker->id);
}

/* Registered workers of live instances, per queue ("" = a resource no
 * longer in the config). */
static GHashTable *
collect_queue_fleets (Decide *d)
{
  GHashTable *fleets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) queue_fleet_free);

  for (guint i = 0; i < d->snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (d->snapshot->instances, i);
      ScalerWorker *worker = g_hash_table_lookup (d->worker_of, instance->instance_id);
      const char *queue;
      QueueFleet *fleet;

      if (worker == NULL || !g_hash_table_contains (d->fleet, instance->instance_id)
          || !scaler_instance_state_is_live (instance->state))
        continue;
      queue = queue_of_resource (d, instance_resource (instance));
      if (queue == NULL)
        queue = "";
      fleet = g_hash_table_lookup (fleets, queue);
      if (fleet == NULL)
        {
          fleet = g_new0 (QueueFleet, 1);
          fleet->idle = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (fleets, (gpointer) queue, fleet);
        }
      if (instance->launch_time > 0 && worker->register_time > instance->launch_time)
        {
          fleet->ready_sum += worker->register_time - instance->launch_time;
          fleet->ready_n++;
        }
      if (worker->task_id != NULL)
        fleet->busy++;
      else
        {
          IdleWorker *idle = g_new0 (IdleWorker, 1);

          idle->instance = instance;
          idle->worker = worker;
          idle->since = scaler_ledger_get_idle_since (d->ledger, worker->id);
          if (idle->since == 0 || idle->since > d->now)
            idle->since = d->now;
          idle->price = instance_price (d, instance);
          g_ptr_array_add (fleet->idle, idle);
        }
    }
  return fleets;
}

/* What the queue's history says about its idle workers. */
typedef struct
{
  gboolean adaptive;     /* idle_policy adaptive and the queue known */
  gboolean ready_known;  /* R learned from the queue's instances */
  gboolean predicted;    /* arrival rate and task duration learned */
  double   ready;        /* R, usec */
  double   break_even;   /* b, usec */
  double   per_hour;     /* arrival rate */
  double   task;         /* mean task duration, usec */
  guint    busy;
  double   burst;        /* bursty arrivals: the index of dispersion, else 0 */
  double   burst_every;  /* and the mean time between bursts, usec */
  Staffing staff;        /* a queue of short tasks: its staffing floor */
  double  *need;         /* [k]: y of the k-th in line, usec */
} IdleOutlook;

/* need[k] for k < n: the cumulative mean passage times from busy tasks in
 * the system to busy + k + 1, capped at NEED_CAP_USEC. */
static void
predict_needs (double  lambda,
               double  task,
               guint   busy,
               guint   n,
               double *need)
{
  double t = 0, sum = 0;

  for (guint i = 0; i < n; i++)
    need[i] = NEED_CAP_USEC;
  if (!(lambda > 0) || !(task > 0))
    return;
  for (guint m = 0; m < busy + n; m++)
    {
      t = 1.0 / lambda + (double) m / (lambda * task) * t;
      if (t >= NEED_CAP_USEC)
        return;
      if (m < busy)
        continue;
      sum += t;
      if (sum >= NEED_CAP_USEC)
        return;
      need[m - busy] = sum;
    }
}

/* Bursty arrivals: no need before the next burst, on average. */
static void
predict_bursts (Decide      *d,
                const char  *queue,
                guint        n,
                IdleOutlook *out)
{
  double index = 0, slow = 0;

  if (!scaler_ledger_get_arrival_dispersion (d->ledger, queue, &index) || index < BURST_INDEX
      || !scaler_ledger_get_slow_arrival_rate (d->ledger, queue, &slow) || !(slow > 0))
    return;
  out->burst = index;
  out->burst_every = MIN (index / (slow / (3600.0 * G_USEC_PER_SEC)), (double) NEED_CAP_USEC);
  for (guint k = 0; k < n; k++)
    out->need[k] = MAX (out->need[k], out->burst_every);
}

static void
idle_outlook (Decide      *d,
              const char  *queue,
              QueueFleet  *fleet,
              IdleOutlook *out)
{
  gint64 task = 0;

  memset (out, 0, sizeof *out);
  out->busy = fleet->busy;
  out->need = g_new0 (double, MAX (fleet->idle->len, 1));
  out->adaptive = d->config->idle_policy == SCALER_IDLE_POLICY_ADAPTIVE && queue[0] != '\0';
  if (!out->adaptive)
    return;
  out->ready_known = fleet->ready_n > 0;
  if (out->ready_known)
    out->ready = CLAMP ((double) fleet->ready_sum / fleet->ready_n,
                        (double) usec_of_min (MIN (d->config->polling_interval_time_min, 1.0)),
                        (double) MAX (usec_of_min (d->config->max_spin_up_time_min), 1));
  out->break_even = out->ready * (1.0 + WAIT_WEIGHT);
  if (out->ready_known)
    queue_staffing (d, queue, out->ready, &out->staff);
  out->predicted = out->ready_known
                   && scaler_ledger_get_arrival_rate (d->ledger, queue, &out->per_hour, NULL)
                   && scaler_ledger_get_task_duration (d->ledger, queue, &task, NULL) && task > 0;
  if (!out->predicted)
    return;
  out->task = (double) task;
  predict_needs (out->per_hour / (3600.0 * G_USEC_PER_SEC), out->task, fleet->busy, fleet->idle->len,
                 out->need);
  predict_bursts (d, queue, fleet->idle->len, out);
}

/* What the prediction of the k-th in line rests on, for the reasons. */
static char *
outlook_why (const IdleOutlook *o)
{
  if (o->burst > 0)
    return g_strdup_printf ("its tasks come in bursts of about %.0f (%.1f tasks/h over 3 h): the next one in "
                            "%.0f min on average; %u busy, tasks take %.1f min",
                            o->burst, o->burst / minutes ((gint64) o->burst_every) * 60.0,
                            minutes ((gint64) o->burst_every), o->busy, minutes ((gint64) o->task));
  return g_strdup_printf ("%.1f tasks/h arrive, %u busy, tasks take %.1f min",
                          o->per_hour, o->busy, minutes ((gint64) o->task));
}

static void
note_kept_idle (Decide            *d,
                const char        *queue,
                const IdleOutlook *o,
                guint              k,
                const IdleWorker  *idle)
{
  g_autofree char *why = outlook_why (o);
  ScalerAction *action;

  action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_KEEP_IDLE,
                       "Keeping idle worker %s (idle %.1f min): queue %s is expected to need it in "
                       "%.1f min (%s), sooner than the break-even of %.1f min; it goes after "
                       "max_idle_time_min (%g) at the latest",
                       idle->worker->id, minutes (d->now - idle->since), queue, minutes ((gint64) o->need[k]),
                       why, minutes ((gint64) o->break_even), d->config->max_idle_time_min);
  action->queue = g_strdup (queue);
  action->instance_id = g_strdup (idle->instance->instance_id);
  action->worker_id = g_strdup (idle->worker->id);
}

static ScalerAction *
terminate_early (Decide            *d,
                 const char        *queue,
                 const IdleOutlook *o,
                 guint              k,
                 const IdleWorker  *idle,
                 const char        *resource)
{
  g_autofree char *when = NULL, *why = NULL;

  if (!o->predicted)
    return add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_IDLE_EARLY,
                       "Terminating %s (%s): worker idle for %.1f min, the break-even time (a new instance is "
                       "ready in %.1f min, and a task would wait as long for it); no arrival rate is "
                       "learned yet for queue %s",
                       idle->instance->instance_id, resource, minutes (d->now - idle->since),
                       minutes ((gint64) o->ready), queue);
  when = o->need[k] >= NEED_CAP_USEC ? g_strdup ("not in the foreseeable future")
                                     : g_strdup_printf ("in %.1f min", minutes ((gint64) o->need[k]));
  why = outlook_why (o);
  return add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_IDLE_EARLY,
                     "Terminating %s (%s): worker idle for %.1f min; queue %s is expected to need it %s "
                     "(%s), after the break-even of %.1f min (a new instance is ready in %.1f min): "
                     "keeping it is expected to cost more than booting one then",
                     idle->instance->instance_id, resource, minutes (d->now - idle->since), queue, when,
                     why, minutes ((gint64) o->break_even), minutes ((gint64) o->ready));
}

/* The idle time after which the k-th worker in line goes (see above);
 * *early says it is the break-even rule's, not max_idle_time_min;
 * *staffed that the rule would let it go earlier but the staffing floor
 * keeps it. */
static gint64
idle_threshold (Decide            *d,
                const IdleOutlook *o,
                guint              k,
                gboolean          *early,
                gboolean          *staffed)
{
  gint64 max_idle = usec_of_min (d->config->max_idle_time_min);
  gint64 threshold = max_idle;

  if (o->adaptive && o->ready_known)
    {
      if (!o->predicted)
        threshold = (gint64) o->break_even;
      else if (o->need[k] >= o->break_even)
        threshold = (gint64) (PREDICTION_TRUST * o->break_even);
    }
  *staffed = threshold < max_idle && o->busy + k + 1 <= o->staff.floor;
  if (*staffed)
    threshold = max_idle;
  *early = threshold < max_idle;
  return MIN (threshold, max_idle);
}

static void
note_kept_staffing (Decide            *d,
                    const char        *queue,
                    const IdleOutlook *o,
                    const IdleWorker  *idle)
{
  g_autofree char *why = staffing_why (d, queue, &o->staff);
  ScalerAction *action;

  action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_KEEP_STAFFING,
                       "Keeping idle worker %s (idle %.1f min, %u busy): %s; it goes after "
                       "max_idle_time_min (%g) at the latest",
                       idle->worker->id, minutes (d->now - idle->since), o->busy, why,
                       d->config->max_idle_time_min);
  action->queue = g_strdup (queue);
  action->instance_id = g_strdup (idle->instance->instance_id);
  action->worker_id = g_strdup (idle->worker->id);
}

static void
plan_idle_worker (Decide            *d,
                  const char        *queue,
                  const IdleOutlook *o,
                  guint              k,
                  const IdleWorker  *idle)
{
  const char *resource = instance_resource (idle->instance);
  gboolean now_requested = d->env && d->env->terminate_idle_now;
  guint pending = queue[0] ? scaler_snapshot_get_pending (d->snapshot, queue) : 0;
  gint64 idle_for = d->now - idle->since;
  gboolean early = FALSE, staffed = FALSE;
  gint64 threshold = idle_threshold (d, o, k, &early, &staffed);
  ScalerAction *action;

  if (resource == NULL)
    resource = "unknown resource";
  if (!now_requested && idle_for < threshold)
    {
      if (staffed)
        note_kept_staffing (d, queue, o, idle);
      else if (o->predicted && o->need[k] < o->break_even && idle_for >= PREDICTION_TRUST * o->break_even)
        note_kept_idle (d, queue, o, k, idle);
      return;
    }
  if (pending > 0)
    {
      action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_KEEP_PENDING,
                           "Keeping idle worker %s: its queue %s has %u pending task(s)",
                           idle->worker->id, queue, pending);
      action->instance_id = g_strdup (idle->instance->instance_id);
      action->worker_id = g_strdup (idle->worker->id);
      return;
    }

  if (now_requested && idle_for < threshold)
    action = add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_IDLE,
                         "Terminating %s (%s): worker idle for %.1f min, terminate idle now was requested",
                         idle->instance->instance_id, resource, minutes (idle_for));
  else if (early && idle_for < usec_of_min (d->config->max_idle_time_min))
    action = terminate_early (d, queue, o, k, idle, resource);
  else
    action = add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_IDLE,
                         "Terminating %s (%s): worker idle for %.1f min (max_idle_time_min is %g)",
                         idle->instance->instance_id, resource, minutes (idle_for),
                         d->config->max_idle_time_min);
  action->queue = queue[0] ? g_strdup (queue) : NULL;
  action->instance_id = g_strdup (idle->instance->instance_id);
  action->worker_id = g_strdup (idle->worker->id);
  action->resource = g_strdup (instance_resource (idle->instance));
  action->instance_type = g_strdup (idle->instance->instance_type);
  g_hash_table_add (d->terminating, idle->instance->instance_id);
}

static void
plan_idle_queue (Decide     *d,
                 const char *queue,
                 QueueFleet *fleet)
{
  IdleOutlook outlook;

  g_ptr_array_sort (fleet->idle, idle_line_compare);
  idle_outlook (d, queue, fleet, &outlook);
  for (guint k = 0; k < fleet->idle->len; k++)
    plan_idle_worker (d, queue, &outlook, k, g_ptr_array_index (fleet->idle, k));
  g_free (outlook.need);
}

static void
plan_terminations (Decide *d)
{
  g_autoptr(GHashTable) fleets = NULL;
  g_auto(GStrv) queues = scaler_config_dup_queues (d->config);
  QueueFleet *fleet;

  plan_boot_timeouts (d);
  fleets = collect_queue_fleets (d);
  for (guint i = 0; queues[i] != NULL; i++)
    if ((fleet = g_hash_table_lookup (fleets, queues[i])) != NULL)
      plan_idle_queue (d, queues[i], fleet);
  if ((fleet = g_hash_table_lookup (fleets, "")) != NULL)
    plan_idle_queue (d, "", fleet);
}

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
                                minutes (backoff->until - d->now),
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

/* The queue's mean launch-to-registration time, clamped; FALSE before one
 * of its instances registered. */
static gboolean
queue_ready_time (Decide     *d,
                  QueueStats *stats,
                  gint64     *ready)
{
  if (stats->ready_n == 0)
    return FALSE;
  *ready = CLAMP (stats->ready_sum / stats->ready_n,
                  usec_of_min (MIN (d->config->polling_interval_time_min, 1.0)),
                  MAX (usec_of_min (d->config->max_spin_up_time_min), 1));
  return TRUE;
}

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
  gint64 half_poll = usec_of_min (d->config->polling_interval_time_min) / 2;
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
  gint64 poll = usec_of_min (d->config->polling_interval_time_min);
  gint64 seen = d->now - CONFIRM_CYCLES * poll - poll / 2;
  gint64 confirmed;
  ScalerAction *action;

  if (!scaler_ledger_get_previous_pending (d->ledger, queue, &previous, &seen) || previous >= pending)
    return need;
  confirmed = (gint64) previous - stats->idle - stats->booting;
  if (confirmed >= need)
    return need;
  action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_WAITING_CONFIRM,
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
  if (!queue_ready_time (d, stats, &ready)
      || !scaler_ledger_get_task_duration (d->ledger, queue, &task, &samples) || samples < MIN_TASK_SAMPLES)
    return plan_confirmation (d, queue, stats, pending, need);
  held = busy_finishing (d, queue, stats, ready, (guint) MIN (need, (gint64) stats->busy));
  if (held == 0)
    return need;
  action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_WAITING_CONFIRM,
                       "Queue %s: %u pending task(s) left to busy workers: %u of the %u busy worker(s) "
                       "finish within %.1f min, before a new instance would be ready, with a probability "
                       "of %.0f %% or more (from how long their tasks have run and the queue's last %u task "
                       "durations; tasks take %.1f min on average)",
                       queue, held, held, stats->busy, minutes (ready), 100 * HOLD_BACK_CONFIDENCE,
                       MIN (samples, 64u), minutes (task));
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
  action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_BALANCED_ROUNDS,
                       "Queue %s: %u task(s) queued or running need %u rounds of the %u worker(s) the "
                       "maximums allow; %u worker(s) run them in as many rounds: launching %" G_GINT64_FORMAT
                       " instead of %" G_GINT64_FORMAT,
                       queue, tasks, rounds, slots, enough, MAX ((gint64) enough - fleet, 0),
                       MIN (need, (gint64) (slots - fleet)));
  action->queue = g_strdup (queue);
  return MAX ((gint64) enough - fleet, 0);
}

/* The launches the staffing floor adds to need (see the staffing floor
 * above); with idle_policy adaptive, idle workers that will reach
 * max_idle_time_min before a new instance is surely ready (the queue's
 * longest launch-to-registration time and one polling interval) count as
 * gone while the queue has busy workers, once seen idle for
 * STAFFING_LEAVING_CYCLES polling intervals. ("fixed" keeps every idle
 * worker that long, and the tail that expires is renewed over and over:
 * bench-policy, many-short, 1.18 of the ClearML model's cost instead of
 * 0.94.) */

/* An idle worker of a busy queue of short tasks is seen idle at a few
 * cycles in a row now and then while it takes tasks between them; taken
 * for leaving, it would be replaced for nothing (bench-policy, many-short
 * at 2-minute polling: 0.98 of the model's cost with 5 cycles, 1.00 with
 * none, 0.94 with 7; at 1 minute the lead time of a replacement asks for 7
 * anyway). */
#define STAFFING_LEAVING_CYCLES 7
static guint
plan_staffing (Decide     *d,
               const char *queue,
               QueueStats *stats,
               guint       pending,
               gint64      need)
{
  gint64 ready = 0, max_idle = usec_of_min (d->config->max_idle_time_min);
  gint64 replace = stats->ready_max + usec_of_min (d->config->polling_interval_time_min);
  g_autofree char *why = NULL, *about = NULL;
  gboolean adaptive = d->config->idle_policy == SCALER_IDLE_POLICY_ADAPTIVE;
  guint leaving = 0, fleet;
  Staffing staff;
  ScalerAction *action;

  if (!queue_ready_time (d, stats, &ready))
    return 0;
  queue_staffing (d, queue, (double) ready, &staff);
  if (staff.floor == 0)
    return 0;
  for (guint i = 0; adaptive && stats->busy > 0 && i < stats->idle_workers->len; i++)
    {
      const ScalerWorker *worker = g_ptr_array_index (stats->idle_workers, i);
      gint64 since = scaler_ledger_get_idle_since (d->ledger, worker->id);

      leaving += since > 0 && d->now - since + replace >= max_idle
                 && d->now - since >= STAFFING_LEAVING_CYCLES * usec_of_min (d->config->polling_interval_time_min);
    }
  fleet = stats->busy + stats->idle + stats->booting + stats->unanswered->len - leaving;
  if ((gint64) fleet + MAX (need, 0) >= staff.floor || (pending == 0 && leaving == 0))
    return 0;
  why = staffing_why (d, queue, &staff);
  about = leaving > 0 ? g_strdup_printf (", %u of the idle ones about to reach max_idle_time_min", leaving)
                      : g_strdup ("");
  action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_STAFFING,
                       "Queue %s: %u pending; %s; %u busy, %u idle, %u booting%s: %u more",
                       queue, pending, why, stats->busy, stats->idle, stats->booting + stats->unanswered->len,
                       about, (guint) (staff.floor - fleet - MAX (need, 0)));
  action->queue = g_strdup (queue);
  return staff.floor - fleet - (guint) MAX (need, 0);
}

static void
plan_queue (Decide     *d,
            const char *queue)
{
  const ScalerConfig *config = d->config;
  guint pending = scaler_snapshot_get_pending (d->snapshot, queue);
  QueueStats *stats = queue_stats (d, queue);
  GPtrArray *resources = g_hash_table_lookup (d->queue_resources, queue);
  guint idle = stats->idle, booting = stats->booting;
  guint n_resources = resources ? resources->len : 0;
  GPtrArray *unanswered = stats->unanswered;
  gint64 need;
  gboolean budget_stop = FALSE;
  ScalerAction *action;
  guint staffing;

  need = (gint64) pending - idle - booting;
  if (need > 0)
    need = plan_hold_back (d, queue, stats, pending, need);
  if (need > 0)
    need = plan_balanced_rounds (d, queue, stats, pending, need);
  staffing = plan_staffing (d, queue, stats, pending, need);
  need = MAX (need, 0) + staffing;

  /* Launches sent but never answered (crash, timeout): retry them with the
   * SAME client token while they are needed (EC2 returns the original
   * instance if the first call went through), else forget them. */
  for (guint i = 0; i < unanswered->len; i++)
    {
      ScalerLedgerLaunch *launch = g_ptr_array_index (unanswered, i);

      if (need > 0)
        {
          action = add_action (d, SCALER_ACTION_LAUNCH, SCALER_REASON_RETRY_LAUNCH,
                               "Retrying launch %s of %s (%s%s%s) with the same client token: "
                               "its answer was never received, and %s still needs it",
                               launch->client_token, launch->resource,
                               launch->spot ? "spot" : "on-demand",
                               launch->subnet_id || launch->availability_zone ? " in " : "",
                               launch->subnet_id ? launch->subnet_id
                                                 : launch->availability_zone ? launch->availability_zone : "",
                               queue);
          action->queue = g_strdup (queue);
          action->resource = g_strdup (launch->resource);
          action->instance_type = g_strdup (launch->instance_type);
          action->availability_zone = g_strdup (launch->availability_zone);
          action->subnet_id = g_strdup (launch->subnet_id);
          action->spot = launch->spot;
          action->client_token = g_strdup (launch->client_token);
          action->usd_per_hour = launch->usd_per_hour;
          need--;
        }
      else
        {
          action = add_action (d, SCALER_ACTION_DROP_LAUNCH, SCALER_REASON_NOT_NEEDED,
                               "Forgetting unanswered launch %s of %s: queue %s no longer needs it "
                               "(if it did start, it will be adopted from its tags)",
                               launch->client_token, launch->resource, queue);
          action->queue = g_strdup (queue);
          action->resource = g_strdup (launch->resource);
          action->client_token = g_strdup (launch->client_token);
        }
    }

  if (pending == 0 && need <= 0)
    {
      action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_NOTHING_PENDING,
                           "Queue %s: nothing pending (%u idle, %u booting)", queue, idle, booting);
      action->queue = g_strdup (queue);
      return;
    }
  if (need <= 0)
    {
      if (booting > 0)
        action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_WAITING_BOOT,
                             "Queue %s: %u pending task(s) covered by %u idle worker(s) and %u "
                             "booting instance(s); waiting for them",
                             queue, pending, idle, booting + unanswered->len);
      else
        action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_COVERED,
                             "Queue %s: %u pending task(s) covered by %u idle worker(s)",
                             queue, pending, idle);
      action->queue = g_strdup (queue);
      return;
    }
  if (n_resources == 0)
    {
      action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_NO_RESOURCE,
                           "Queue %s: %u pending task(s) but no resource serves it", queue, pending);
      action->queue = g_strdup (queue);
      return;
    }

  /* Fill the REMAINING need from the resources in listed order. */
  for (guint r = 0; r < n_resources && need > 0 && !budget_stop; r++)
    {
      const ScalerResource *resource = g_ptr_array_index (resources, r);
      guint count;

      count = resource_count (d, resource->name);
      if (count >= resource->max_instances)
        {
          action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_MAX_REACHED,
                               "Queue %s: %" G_GINT64_FORMAT " more instance(s) needed, but %s is at "
                               "its maximum (%u of %u, booting and running)",
                               queue, need, resource->name, count, resource->max_instances);
          action->queue = g_strdup (queue);
          action->resource = g_strdup (resource->name);
          continue;
        }

      while (need > 0 && count < resource->max_instances)
        {
          Placement place = { 0 };
          gint64 soonest;
          g_autoptr(GString) why = g_string_new (NULL);
          double price = 0.0;
          const char *where;

          if (!choose_placement (d, resource, &place, &soonest, why))
            {
              action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_BACKING_OFF,
                                   "Queue %s: not launching %s: backing off after capacity/quota "
                                   "errors (%s)", queue, resource->name, why->str);
              action->queue = g_strdup (queue);
              action->resource = g_strdup (resource->name);
              break;
            }

          where = place.subnet ? place.subnet : place.zone;
          if (!scaler_policy_instance_price (config, d->ledger, d->env, resource->instance_type,
                                             place.zone, place.spot, &price))
            {
              if (config->hourly_budget_usd > 0)
                {
                  action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_NO_PRICE,
                                       "Queue %s: not launching %s: no price is known for %s in %s, "
                                       "so the hourly budget cannot be checked",
                                       queue, resource->name, resource->instance_type, config->aws_region);
                  action->queue = g_strdup (queue);
                  action->resource = g_strdup (resource->name);
                  break;
                }
              price = 0.0;
            }

          if (config->hourly_budget_usd > 0 && d->cost + price > config->hourly_budget_usd + 1e-9)
            {
              action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_BUDGET,
                                   "Queue %s: not launching %s: budget reached (running $%.4f/h + "
                                   "$%.4f/h for one more %s would exceed $%.2f/h)",
                                   queue, resource->name, d->cost, price, resource->instance_type,
                                   config->hourly_budget_usd);
              action->queue = g_strdup (queue);
              action->resource = g_strdup (resource->name);
              budget_stop = TRUE;
              break;
            }

          action = add_action (d, SCALER_ACTION_LAUNCH,
                               need <= staffing ? SCALER_REASON_STAFFING : SCALER_REASON_NEED,
                               "Launching %s (%s, %s%s%s, $%.4f/h): queue %s has %u pending, %u idle, "
                               "%u booting%s",
                               resource->name, resource->instance_type,
                               place.spot ? "spot" : "on-demand",
                               where ? " in " : "", where ? where : "",
                               price, queue, pending, idle, booting,
                               need <= staffing ? "; it keeps the queue's staffing floor" : "");
          if (resource->is_spot && !place.spot)
            {
              g_autofree char *old = action->reason;

              action->reason = g_strdup_printf ("%s; spot is backing off, falling back to on-demand",
                                                old);
            }
          action->queue = g_strdup (queue);
          action->resource = g_strdup (resource->name);
          action->instance_type = g_strdup (resource->instance_type);
          action->availability_zone = g_strdup (place.zone);
          action->subnet_id = g_strdup (place.subnet);
          action->spot = place.spot;
          action->usd_per_hour = price;
          d->cost += price;
          resource_count_add (d, resource->name);
          count++;
          need--;
        }

      if (need > 0 && count >= resource->max_instances && !budget_stop)
        {
          action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_MAX_REACHED,
                               "Queue %s: %" G_GINT64_FORMAT " more instance(s) needed, but %s reached "
                               "its maximum (%u)",
                               queue, need, resource->name, resource->max_instances);
          action->queue = g_strdup (queue);
          action->resource = g_strdup (resource->name);
        }
    }
}

ScalerPlan *
scaler_policy_decide (const ScalerConfig    *config,
                      const ScalerSnapshot  *snapshot,
                      const ScalerLedger    *ledger,
                      gint64                 now,
                      const ScalerPolicyEnv *env)
{
  Decide d = { 0 };
  g_auto(GStrv) queues = NULL;
  g_autoptr(GPtrArray) launches = NULL;
  gint64 poll = usec_of_min (config->polling_interval_time_min);
  guint throttles;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (snapshot != NULL, NULL);
  g_return_val_if_fail (ledger != NULL, NULL);

  d.config = config;
  d.snapshot = snapshot;
  d.ledger = ledger;
  d.env = env;
  d.now = now;
  d.plan = g_new0 (ScalerPlan, 1);
  d.plan->actions = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_action_free);
  d.fleet = g_hash_table_new (g_str_hash, g_str_equal);
  d.worker_of = g_hash_table_new (g_str_hash, g_str_equal);
  d.terminating = g_hash_table_new (g_str_hash, g_str_equal);
  d.resource_count = g_hash_table_new (g_str_hash, g_str_equal);
  d.res_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  d.queue_resources = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) g_ptr_array_unref);
  d.queue_stats = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) queue_stats_free);
  for (guint i = 0; i < config->resources->len; i++)
    {
      ScalerResource *resource = g_ptr_array_index (config->resources, i);
      GPtrArray *list = g_hash_table_lookup (d.queue_resources, resource->queue);

      g_hash_table_insert (d.res_by_name, resource->name, resource);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (d.queue_resources, resource->queue, list);
        }
      g_ptr_array_add (list, resource);
    }

  /* The fleet: only instances carrying our tag. Everything else is never
   * touched. Cost counts every instance not yet terminated. */
  for (guint i = 0; i < snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (snapshot->instances, i);

      if (instance->instance_id == NULL || !instance_is_ours (config, instance))
        continue;
      g_hash_table_insert (d.fleet, instance->instance_id, instance);
      if (instance->state != SCALER_INSTANCE_STATE_TERMINATED)
        d.cost += instance_price (&d, instance);
      if (scaler_instance_state_is_live (instance->state))
        resource_count_add (&d, instance_resource (instance));
    }
  launches = scaler_ledger_list_launches (ledger);
  for (guint i = 0; i < launches->len; i++)
    {
      ScalerLedgerLaunch *launch = g_ptr_array_index (launches, i);

      d.cost += launch->usd_per_hour;
      resource_count_add (&d, launch->resource);
    }
  d.plan->usd_per_hour = d.cost;

  classify_workers (&d);
  plan_terminations (&d);

  /* Terminated instances free their slot under max_instances. */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, d.terminating);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        ScalerInstance *instance = g_hash_table_lookup (d.fleet, key);
        const char *resource = instance_resource (instance);
        guint count = resource ? resource_count (&d, resource) : 0;

        if (count > 0)
          g_hash_table_insert (d.resource_count, (gpointer) resource, GUINT_TO_POINTER (count - 1));
      }
  }

  collect_queue_stats (&d, launches);
  queues = scaler_config_dup_queues (config);
  for (guint i = 0; queues[i] != NULL; i++)
    plan_queue (&d, queues[i]);

  throttles = scaler_ledger_get_throttle_count (ledger);
  d.plan->next_cycle_delay = MAX (poll, 1);
  if (throttles > 0)
    {
      gint64 slow = poll << MIN (throttles, 4);

      slow = MIN (slow, MAX (poll, usec_of_min (15)));
      d.plan->next_cycle_delay = MAX (slow, poll);
      add_action (&d, SCALER_ACTION_NONE, SCALER_REASON_THROTTLED,
                  "AWS throttled %u cycle(s) in a row: next cycle in %.2f min instead of %g",
                  throttles, minutes (d.plan->next_cycle_delay),
                  config->polling_interval_time_min);
    }
  d.plan->usd_per_hour_planned = d.cost;

  g_hash_table_unref (d.fleet);
  g_hash_table_unref (d.worker_of);
  g_hash_table_unref (d.terminating);
  g_hash_table_unref (d.resource_count);
  g_hash_table_unref (d.queue_stats);
  g_hash_table_unref (d.queue_resources);
  g_hash_table_unref (d.res_by_name);
  return d.plan;
}
