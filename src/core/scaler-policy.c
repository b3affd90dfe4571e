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
    "adopted", "waiting-confirm", "idle-early", "keep-idle",
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
  gint64     ready_sum;       /* launch to worker registration, summed over */
  guint      ready_n;         /* the queue's instances whose worker registered */
} QueueStats;

static void
queue_stats_free (QueueStats *stats)
{
  g_ptr_array_unref (stats->unanswered);
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

      if (!g_hash_table_contains (d->fleet, instance->instance_id)
          || !scaler_instance_state_is_live (instance->state)
          || g_hash_table_contains (d->terminating, instance->instance_id)
          || (queue = queue_of_resource (d, instance_resource (instance))) == NULL)
        continue;
      worker = g_hash_table_lookup (d->worker_of, instance->instance_id);
      if (worker == NULL)
        queue_stats (d, queue)->booting++;
      else if (worker->task_id == NULL)
        queue_stats (d, queue)->idle++;
      else
        queue_stats (d, queue)->busy++;
      if (worker != NULL && instance->launch_time > 0 && worker->register_time > instance->launch_time)
        {
          queue_stats (d, queue)->ready_sum += worker->register_time - instance->launch_time;
          queue_stats (d, queue)->ready_n++;
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
 * first, then the most recently idle; the last in line go first. */

/* A minute a task waits for a new instance weighs as much as a minute of
 * that instance. */
#define WAIT_WEIGHT 1.0
/* Purohit et al.'s lambda: with a prediction of "not needed before the
 * break-even" the worker still stays this share of it. Without the cap the
 * rule costs at most (1 + lambda) x the best choice in hindsight when the
 * predictions are right and (1 + 1/lambda) x whatever they are.
 * bench-policy: 0.25 costs up to 4 % more than 0.1 (bursty work). */
#define PREDICTION_TRUST 0.1
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
  out->predicted = out->ready_known
                   && scaler_ledger_get_arrival_rate (d->ledger, queue, &out->per_hour, NULL)
                   && scaler_ledger_get_task_duration (d->ledger, queue, &task, NULL) && task > 0;
  if (!out->predicted)
    return;
  out->task = (double) task;
  predict_needs (out->per_hour / (3600.0 * G_USEC_PER_SEC), out->task, fleet->busy, fleet->idle->len,
                 out->need);
}

static void
note_kept_idle (Decide            *d,
                const char        *queue,
                const IdleOutlook *o,
                guint              k,
                const IdleWorker  *idle)
{
  ScalerAction *action;

  action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_KEEP_IDLE,
                       "Keeping idle worker %s (idle %.1f min): queue %s is expected to need it in "
                       "%.1f min (%.1f tasks/h arrive, %u busy, tasks take %.1f min), sooner than the "
                       "break-even of %.1f min; it goes after max_idle_time_min (%g) at the latest",
                       idle->worker->id, minutes (d->now - idle->since), queue, minutes ((gint64) o->need[k]),
                       o->per_hour, o->busy, minutes ((gint64) o->task), minutes ((gint64) o->break_even),
                       d->config->max_idle_time_min);
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
  g_autofree char *when = NULL;

  if (!o->predicted)
    return add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_IDLE_EARLY,
                       "Terminating %s (%s): worker idle for %.1f min, the break-even time (a new instance is "
                       "ready in %.1f min, and a task would wait as long for it); no arrival rate is "
                       "learned yet for queue %s",
                       idle->instance->instance_id, resource, minutes (d->now - idle->since),
                       minutes ((gint64) o->ready), queue);
  when = o->need[k] >= NEED_CAP_USEC ? g_strdup ("not in the foreseeable future")
                                     : g_strdup_printf ("in %.1f min", minutes ((gint64) o->need[k]));
  return add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_IDLE_EARLY,
                     "Terminating %s (%s): worker idle for %.1f min; queue %s is expected to need it %s "
                     "(%.1f tasks/h arrive, %u busy, tasks take %.1f min), after the break-even of "
                     "%.1f min (a new instance is ready in %.1f min): keeping it is expected to cost "
                     "more than booting one then",
                     idle->instance->instance_id, resource, minutes (d->now - idle->since), queue, when,
                     o->per_hour, o->busy, minutes ((gint64) o->task), minutes ((gint64) o->break_even),
                     minutes ((gint64) o->ready));
}

/* The idle time after which the k-th worker in line goes (see above);
 * *early says it is the break-even rule's, not max_idle_time_min. */
static gint64
idle_threshold (Decide            *d,
                const IdleOutlook *o,
                guint              k,
                gboolean          *early)
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
  *early = threshold < max_idle;
  return MIN (threshold, max_idle);
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
  gboolean early = FALSE;
  gint64 threshold = idle_threshold (d, o, k, &early);
  ScalerAction *action;

  if (resource == NULL)
    resource = "unknown resource";
  if (!now_requested && idle_for < threshold)
    {
      if (o->predicted && o->need[k] < o->break_even && idle_for >= PREDICTION_TRUST * o->break_even)
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

/* Finished tasks observed before their mean duration is trusted. */
#define MIN_TASK_SAMPLES 5

/* How many busy workers are expected to finish their task before an instance
 * launched now would be ready: a busy worker is, on average, at a uniformly
 * random point of its task, so it finishes within `ready` with probability
 * ready / mean task duration (1 when tasks are shorter than that); the
 * expected count, rounded to the nearest whole worker. `ready` is the mean
 * launch-to-registration time of the queue's instances. FALSE when the
 * queue's task durations or that time are not known yet. */
static gboolean
expected_frees (Decide     *d,
                const char *queue,
                QueueStats *stats,
                guint      *frees,
                double     *task_min,
                double     *ready_min)
{
  gint64 task_mean = 0, ready;
  guint samples = 0;
  double share;

  if (stats->busy == 0 || stats->ready_n == 0
      || !scaler_ledger_get_task_duration (d->ledger, queue, &task_mean, &samples)
      || samples < MIN_TASK_SAMPLES || task_mean <= 0)
    return FALSE;
  ready = stats->ready_sum / stats->ready_n;
  ready = CLAMP (ready, usec_of_min (MIN (d->config->polling_interval_time_min, 1.0)),
                 MAX (usec_of_min (d->config->max_spin_up_time_min), 1));
  share = MIN (1.0, (double) ready / (double) task_mean);
  *frees = (guint) floor (stats->busy * share + 0.5);
  *task_min = minutes (task_mean);
  *ready_min = minutes (ready);
  return TRUE;
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
  guint frees = 0;
  double task_min = 0, ready_min = 0;

  need = (gint64) pending - idle - booting;

  /* Busy workers that will finish before a new instance could be ready take
   * the queued tasks sooner than that instance would: launch only for the
   * tasks beyond them (bench-policy --breakdown: instances launched for a
   * task that a freed worker took found nothing to do and paid a boot and a
   * whole idle tail). The rest launches at once. From zero nothing waits. */
  if (need > 0 && expected_frees (d, queue, stats, &frees, &task_min, &ready_min))
    {
      if (frees > 0)
        {
          action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_WAITING_CONFIRM,
                               "Queue %s: %" G_GINT64_FORMAT " pending task(s) left to %u of %u busy "
                               "worker(s) expected to finish first (tasks take %.1f min on average, "
                               "a new instance needs %.1f min to be ready)",
                               queue, MIN (need, (gint64) frees), frees, stats->busy, task_min,
                               ready_min);
          action->queue = g_strdup (queue);
          need -= MIN (need, (gint64) frees);
        }
    }
  /* Until durations are known, a scale-up confirmation: while busy workers
   * may take newly queued tasks soon, only demand that persisted over the
   * last CONFIRM_CYCLES cycles launches an instance. */
  else if (need > 0 && stats->busy > 0)
    {
      guint previous = 0;
      gint64 poll = usec_of_min (config->polling_interval_time_min);
      gint64 seen = d->now - CONFIRM_CYCLES * poll - poll / 2;

      if (scaler_ledger_get_previous_pending (d->ledger, queue, &previous, &seen)
          && previous < pending)
        {
          gint64 confirmed = (gint64) previous - idle - booting;

          if (confirmed < need)
            {
              action = add_action (d, SCALER_ACTION_NONE, SCALER_REASON_WAITING_CONFIRM,
                                   "Queue %s: %" G_GINT64_FORMAT " newly queued task(s) wait up to %d "
                                   "cycles before a launch: %u busy worker(s) may take them first",
                                   queue, need - MAX (confirmed, 0), CONFIRM_CYCLES, stats->busy);
              action->queue = g_strdup (queue);
              need = confirmed;
            }
        }
    }

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

  if (pending == 0)
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

          action = add_action (d, SCALER_ACTION_LAUNCH, SCALER_REASON_NEED,
                               "Launching %s (%s, %s%s%s, $%.4f/h): queue %s has %u pending, %u idle, "
                               "%u booting",
                               resource->name, resource->instance_type,
                               place.spot ? "spot" : "on-demand",
                               where ? " in " : "", where ? where : "",
                               price, queue, pending, idle, booting);
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
