/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-policy-idle.c: the terminations the policy plans: instances
 * that never registered a worker, and idle workers (the break-even rule);
 * see scaler-policy-private.h. */

#define G_LOG_DOMAIN "scaler-policy"

#include "config.h"

#include <math.h>
#include <string.h>

#include "scaler-policy-private.h"

/* Instances whose agent never registered within max_spin_up_time_min. */
static void
plan_boot_timeouts (Decide *d)
{
  gint64 spin_up = scaler_usec_of_min (d->config->max_spin_up_time_min);

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

      action = _scaler_policy_add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_BOOT_TIMEOUT,
                                          "Terminating %s (%s): no worker registered %.1f min after launch "
                                          "(max_spin_up_time_min is %g)",
                                          instance->instance_id, resource ? resource : "unknown resource",
                                          scaler_min_of_usec (d->now - started), d->config->max_spin_up_time_min);
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
 * first, then the most recently idle; the last in line go first.
 *
 * Tasks that come in bursts break the Poisson assumption: right after a
 * burst the 30-minute rate is high and y short, though nothing comes until
 * the next burst. When the index of dispersion of the queue's arrivals
 * (scaler_ledger_get_arrival_dispersion, about the mean burst size) is at
 * least BURST_INDEX, y is at least the mean time between bursts, index /
 * (the 3-hour arrival rate).
 *
 * Idle workers within the staffing floor of a queue of short tasks
 * (scaler-policy-staffing.c) are not terminated early. */

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
          idle->price = _scaler_policy_instance_price (d, instance);
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
                        (double) scaler_usec_of_min (MIN (d->config->polling_interval_time_min, 1.0)),
                        (double) MAX (scaler_usec_of_min (d->config->max_spin_up_time_min), 1));
  out->break_even = out->ready * (1.0 + WAIT_WEIGHT);
  if (out->ready_known)
    _scaler_policy_queue_staffing (d, queue, out->ready, &out->staff);
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
                            o->burst, o->burst / scaler_min_of_usec ((gint64) o->burst_every) * 60.0,
                            scaler_min_of_usec ((gint64) o->burst_every), o->busy,
                            scaler_min_of_usec ((gint64) o->task));
  return g_strdup_printf ("%.1f tasks/h arrive, %u busy, tasks take %.1f min",
                          o->per_hour, o->busy, scaler_min_of_usec ((gint64) o->task));
}

/* The idle worker an action is about; queue NULL or "" for none. */
static void
set_idle_worker (ScalerAction     *action,
                 const char       *queue,
                 const IdleWorker *idle)
{
  action->queue = queue != NULL && queue[0] != '\0' ? g_strdup (queue) : NULL;
  action->instance_id = g_strdup (idle->instance->instance_id);
  action->worker_id = g_strdup (idle->worker->id);
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

  action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_KEEP_IDLE,
                                      "Keeping idle worker %s (idle %.1f min): queue %s is expected to need it in "
                                      "%.1f min (%s), sooner than the break-even of %.1f min; it goes after "
                                      "max_idle_time_min (%g) at the latest",
                                      idle->worker->id, scaler_min_of_usec (d->now - idle->since), queue,
                                      scaler_min_of_usec ((gint64) o->need[k]), why,
                                      scaler_min_of_usec ((gint64) o->break_even), d->config->max_idle_time_min);
  set_idle_worker (action, queue, idle);
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
    return _scaler_policy_add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_IDLE_EARLY,
                                      "Terminating %s (%s): worker idle for %.1f min, the break-even time (a new instance is "
                                      "ready in %.1f min, and a task would wait as long for it); no arrival rate is "
                                      "learned yet for queue %s",
                                      idle->instance->instance_id, resource, scaler_min_of_usec (d->now - idle->since),
                                      scaler_min_of_usec ((gint64) o->ready), queue);
  when = o->need[k] >= NEED_CAP_USEC ? g_strdup ("not in the foreseeable future")
                                     : g_strdup_printf ("in %.1f min", scaler_min_of_usec ((gint64) o->need[k]));
  why = outlook_why (o);
  return _scaler_policy_add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_IDLE_EARLY,
                                    "Terminating %s (%s): worker idle for %.1f min; queue %s is expected to need it %s "
                                    "(%s), after the break-even of %.1f min (a new instance is ready in %.1f min): "
                                    "keeping it is expected to cost more than booting one then",
                                    idle->instance->instance_id, resource, scaler_min_of_usec (d->now - idle->since), queue, when,
                                    why, scaler_min_of_usec ((gint64) o->break_even), scaler_min_of_usec ((gint64) o->ready));
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
  gint64 max_idle = scaler_usec_of_min (d->config->max_idle_time_min);
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
  g_autofree char *why = _scaler_policy_staffing_why (d, queue, &o->staff);
  ScalerAction *action;

  action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_KEEP_STAFFING,
                                      "Keeping idle worker %s (idle %.1f min, %u busy): %s; it goes after "
                                      "max_idle_time_min (%g) at the latest",
                                      idle->worker->id, scaler_min_of_usec (d->now - idle->since), o->busy, why,
                                      d->config->max_idle_time_min);
  set_idle_worker (action, queue, idle);
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
      action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_KEEP_PENDING,
                                          "Keeping idle worker %s: its queue %s has %u pending task(s)",
                                          idle->worker->id, queue, pending);
      set_idle_worker (action, NULL, idle);
      return;
    }

  if (now_requested && idle_for < threshold)
    action = _scaler_policy_add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_IDLE,
                                        "Terminating %s (%s): worker idle for %.1f min, terminate idle now was requested",
                                        idle->instance->instance_id, resource, scaler_min_of_usec (idle_for));
  else if (early && idle_for < scaler_usec_of_min (d->config->max_idle_time_min))
    action = terminate_early (d, queue, o, k, idle, resource);
  else
    action = _scaler_policy_add_action (d, SCALER_ACTION_TERMINATE, SCALER_REASON_IDLE,
                                        "Terminating %s (%s): worker idle for %.1f min (max_idle_time_min is %g)",
                                        idle->instance->instance_id, resource, scaler_min_of_usec (idle_for),
                                        d->config->max_idle_time_min);
  set_idle_worker (action, queue, idle);
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

void
_scaler_policy_plan_terminations (Decide *d)
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
