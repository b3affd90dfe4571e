/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-ledger-demand.c: what the ledger learns about the queues' demand
 * from each snapshot, in memory only: the recent pending counts, the tasks'
 * durations and the tasks' arrival rates (see scaler-ledger.h). */

#define G_LOG_DOMAIN "scaler-ledger"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scaler-ledger-private.h"

/* The task a worker was last seen running, and since when. */
typedef struct
{
  char  *task_id;
  char  *queue;
  gint64 since;
} TaskSeen;

/* The last durations observed, for their distribution. */
#define TASK_RECENT 64

/* Observed task durations of a queue: a moving average, and the most
 * recent ones (a ring). */
typedef struct
{
  double mean_usec;
  guint  samples;
  gint64 recent[TASK_RECENT];
  guint  n_recent;
  guint  next;
} TaskMean;

/* Weight of a new duration in the moving average. */
#define TASK_MEAN_WEIGHT 0.1

/* A queue's task arrivals, by flow balance between observations. */
typedef struct
{
  double arrived;      /* tasks, exponentially weighted by age */
  double elapsed;      /* usec, weighted alike: arrived / elapsed = the rate */
  /* The same over ARRIVAL_SLOW_TAU_USEC, and the tasks counted per
   * interval (change in pending + tasks first seen on a worker) for the
   * index of dispersion: */
  double slow_arrived;
  double slow_elapsed;
  double slow_intervals;
  double slow_counted;
  double slow_squares; /* sum of counted^2 */
  guint  samples;      /* intervals folded in */
  guint  in_system;    /* pending + busy at the last observation */
  guint  busy;
  gint64 time;         /* of the last observation, 0 = none */
} Arrivals;

/* Time constant of the arrival-rate average: long enough to smooth a
 * Poisson stream of a few tasks an hour, short enough to follow a daily
 * cycle within the hour (bench-policy: 10 or 90 minutes change the costs by
 * less than 1 %, except on bursty work, 2 % either way). */
#define ARRIVAL_TAU_USEC (G_GINT64_CONSTANT (30) * 60 * G_USEC_PER_SEC)
/* The slow average: steady enough to size a fleet by (a 30-minute average
 * of 150 tasks an hour moves by +-12 %), and long enough to hold several
 * bursts of bursty work for their dispersion. */
#define ARRIVAL_SLOW_TAU_USEC (G_GINT64_CONSTANT (180) * 60 * G_USEC_PER_SEC)

static void
task_seen_free (TaskSeen *seen)
{
  g_free (seen->task_id);
  g_free (seen->queue);
  g_free (seen);
}

#define PENDING_HISTORY 4

typedef struct
{
  guint  count[PENDING_HISTORY];   /* [0] = latest */
  gint64 time[PENDING_HISTORY];
  guint  n;
} PendingSeen;

/* The value of @key in @table (keys g_free'd, values g_free'd plain data
 * of @size bytes), added zeroed when missing. */
static gpointer
lookup_or_add (GHashTable *table,
               const char *key,
               gsize       size)
{
  gpointer value = g_hash_table_lookup (table, key);

  if (value == NULL)
    {
      value = g_malloc0 (size);
      g_hash_table_insert (table, g_strdup (key), value);
    }
  return value;
}

void
_scaler_ledger_demand_init (ScalerLedger *self)
{
  self->pending_cur = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->tasks_cur = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) task_seen_free);
  self->task_mean = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->arrivals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
_scaler_ledger_demand_copy (ScalerLedger       *copy,
                            const ScalerLedger *self)
{
  GHashTableIter iter;
  gpointer key, value;

  _scaler_ledger_copy_values (copy->pending_cur, self->pending_cur, sizeof (PendingSeen));
  g_hash_table_iter_init (&iter, self->tasks_cur);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const TaskSeen *seen = value;
      TaskSeen *dup = g_new0 (TaskSeen, 1);

      dup->task_id = g_strdup (seen->task_id);
      dup->queue = g_strdup (seen->queue);
      dup->since = seen->since;
      g_hash_table_insert (copy->tasks_cur, g_strdup (key), dup);
    }
  _scaler_ledger_copy_values (copy->task_mean, self->task_mean, sizeof (TaskMean));
  _scaler_ledger_copy_values (copy->arrivals, self->arrivals, sizeof (Arrivals));
}

/* ---- pending history ---- */

gboolean
scaler_ledger_get_previous_pending (const ScalerLedger *self,
                                    const char         *queue,
                                    guint              *count,
                                    gint64             *time)
{
  const PendingSeen *seen;
  gboolean found = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  seen = queue ? g_hash_table_lookup (self->pending_cur, queue) : NULL;
  if (seen == NULL)
    return FALSE;
  /* The minimum over the earlier observations since *time (the latest one is
   * the current snapshot); *time becomes the oldest one used. */
  for (guint i = 1; i < seen->n; i++)
    {
      if (seen->time[i] < *time)
        break;
      if (!found || seen->count[i] < *count)
        *count = seen->count[i];
      found = TRUE;
    }
  for (guint i = seen->n; found && i > 1; i--)
    if (seen->time[i - 1] >= *time)
      {
        *time = seen->time[i - 1];
        break;
      }
  return found;
}

/* ---- task durations ---- */

static void
task_mean_add (ScalerLedger *self,
               const char   *queue,
               gint64        duration)
{
  TaskMean *mean = lookup_or_add (self->task_mean, queue, sizeof (TaskMean));

  if (mean->samples == 0)
    mean->mean_usec = (double) duration;
  else
    mean->mean_usec += TASK_MEAN_WEIGHT * ((double) duration - mean->mean_usec);
  if (mean->samples < G_MAXUINT)
    mean->samples++;
  mean->recent[mean->next] = duration;
  mean->next = (mean->next + 1) % TASK_RECENT;
  mean->n_recent = MIN (mean->n_recent + 1, TASK_RECENT);
}

gboolean
scaler_ledger_get_task_duration (const ScalerLedger *self,
                                 const char         *queue,
                                 gint64             *mean_usec,
                                 guint              *samples)
{
  const TaskMean *mean;

  g_return_val_if_fail (self != NULL, FALSE);
  mean = queue ? g_hash_table_lookup (self->task_mean, queue) : NULL;
  if (mean == NULL || mean->samples == 0)
    return FALSE;
  if (mean_usec)
    *mean_usec = (gint64) mean->mean_usec;
  if (samples)
    *samples = mean->samples;
  return TRUE;
}

gboolean
scaler_ledger_get_task_finish_probability (const ScalerLedger *self,
                                           const char         *queue,
                                           gint64              elapsed,
                                           gint64              horizon,
                                           double             *probability,
                                           guint              *samples)
{
  const TaskMean *mean;
  guint longer = 0, ending = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  mean = queue ? g_hash_table_lookup (self->task_mean, queue) : NULL;
  if (mean == NULL || mean->n_recent == 0)
    return FALSE;
  for (guint i = 0; i < mean->n_recent; i++)
    if (mean->recent[i] > elapsed)
      {
        longer++;
        ending += mean->recent[i] <= elapsed + horizon;
      }
  if (probability)
    *probability = longer > 0 ? (double) ending / longer : 0.0;
  if (samples)
    *samples = mean->n_recent;
  return TRUE;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

gboolean
scaler_ledger_get_task_quantile (const ScalerLedger *self,
                                 const char         *queue,
                                 double              share,
                                 gint64             *usec,
                                 guint              *samples)
{
  const TaskMean *mean;
  gint64 sorted[TASK_RECENT];
  guint k;

  g_return_val_if_fail (self != NULL, FALSE);
  mean = queue ? g_hash_table_lookup (self->task_mean, queue) : NULL;
  if (mean == NULL || mean->n_recent == 0)
    return FALSE;
  memcpy (sorted, mean->recent, mean->n_recent * sizeof sorted[0]);
  qsort (sorted, mean->n_recent, sizeof sorted[0], compare_gint64);
  k = (guint) ceil (CLAMP (share, 0.0, 1.0) * mean->n_recent);
  if (usec)
    *usec = sorted[CLAMP (k, 1, mean->n_recent) - 1];
  if (samples)
    *samples = mean->n_recent;
  return TRUE;
}

gint64
scaler_ledger_get_task_since (const ScalerLedger *self,
                              const char         *worker_id)
{
  const TaskSeen *seen;

  g_return_val_if_fail (self != NULL, 0);
  seen = worker_id ? g_hash_table_lookup (self->tasks_cur, worker_id) : NULL;
  return seen ? seen->since : 0;
}

/* A task counts as finished when its worker is next seen idle or running
 * another task; it ran from the observation that first saw it to that one
 * (both ends are late by up to a polling interval, so the errors cancel out
 * on average). Tasks that start and end between two observations are not
 * seen; workers that vanish leave no sample. Counts the tasks seen for the
 * first time per queue into started (queue name -> count). */
static void
observe_tasks (ScalerLedger         *self,
               const ScalerConfig   *config,
               const ScalerSnapshot *snapshot,
               gint64                now,
               GHashTable           *started)
{
  g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < snapshot->workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (snapshot->workers, i);
      TaskSeen *seen = g_hash_table_lookup (self->tasks_cur, worker->id);
      g_autofree char *prefix = NULL, *resource_name = NULL;
      const ScalerResource *resource = NULL;

      if (!scaler_worker_id_parse (worker->id, &prefix, &resource_name, NULL, NULL)
          || g_strcmp0 (prefix, config->workers_prefix) != 0)
        continue;
      g_hash_table_add (present, worker->id);
      if (seen != NULL && g_strcmp0 (seen->task_id, worker->task_id) == 0)
        continue;
      if (seen != NULL)
        {
          if (now > seen->since)
            task_mean_add (self, seen->queue, now - seen->since);
          g_hash_table_remove (self->tasks_cur, worker->id);
        }
      if (worker->task_id == NULL)
        continue;
      resource = scaler_config_find_resource (config, resource_name);
      if (resource == NULL || resource->queue == NULL)
        continue;
      seen = g_new0 (TaskSeen, 1);
      seen->task_id = g_strdup (worker->task_id);
      seen->queue = g_strdup (resource->queue);
      seen->since = now;
      g_hash_table_insert (self->tasks_cur, g_strdup (worker->id), seen);
      g_hash_table_insert (started, resource->queue,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (started, resource->queue)) + 1));
    }
  g_hash_table_iter_init (&iter, self->tasks_cur);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (present, key))
      g_hash_table_iter_remove (&iter);
}

/* ---- arrival rates ---- */

gboolean
scaler_ledger_get_arrival_rate (const ScalerLedger *self,
                                const char         *queue,
                                double             *per_hour,
                                guint              *samples)
{
  const Arrivals *arrivals;

  g_return_val_if_fail (self != NULL, FALSE);
  arrivals = queue ? g_hash_table_lookup (self->arrivals, queue) : NULL;
  if (arrivals == NULL || arrivals->samples == 0 || !(arrivals->elapsed > 0))
    return FALSE;
  if (per_hour)
    *per_hour = MAX (arrivals->arrived / arrivals->elapsed, 0.0) * 3600.0 * G_USEC_PER_SEC;
  if (samples)
    *samples = arrivals->samples;
  return TRUE;
}

gboolean
scaler_ledger_get_slow_arrival_rate (const ScalerLedger *self,
                                     const char         *queue,
                                     double             *per_hour)
{
  const Arrivals *arrivals;

  g_return_val_if_fail (self != NULL, FALSE);
  arrivals = queue ? g_hash_table_lookup (self->arrivals, queue) : NULL;
  if (arrivals == NULL || arrivals->samples == 0 || !(arrivals->slow_elapsed > 0))
    return FALSE;
  if (per_hour)
    *per_hour = MAX (arrivals->slow_arrived / arrivals->slow_elapsed, 0.0) * 3600.0 * G_USEC_PER_SEC;
  return TRUE;
}

/* Var / mean of the tasks counted per interval: the flow balance would
 * add the scatter of the finishes around their expected number. Tasks that
 * start and end between two observations are missed, which thins the
 * counts but keeps Poisson counts Poisson. */
gboolean
scaler_ledger_get_arrival_dispersion (const ScalerLedger *self,
                                      const char         *queue,
                                      double             *index)
{
  const Arrivals *arrivals;
  double mean, variance;

  g_return_val_if_fail (self != NULL, FALSE);
  arrivals = queue ? g_hash_table_lookup (self->arrivals, queue) : NULL;
  if (arrivals == NULL || !(arrivals->slow_intervals > 0))
    return FALSE;
  mean = arrivals->slow_counted / arrivals->slow_intervals;
  if (!(mean > 0))
    return FALSE;
  variance = arrivals->slow_squares / arrivals->slow_intervals - mean * mean;
  if (index)
    *index = MAX (variance, 0.0) / mean;
  return TRUE;
}

/* Busy workers per queue: ours, with a task, on a live instance of the
 * snapshot (a zombie still shows the task of its last report). */
static GHashTable *
busy_per_queue (const ScalerConfig   *config,
                const ScalerSnapshot *snapshot,
                GHashTable           *fleet)
{
  GHashTable *busy = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < snapshot->workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (snapshot->workers, i);
      g_autofree char *prefix = NULL, *resource_name = NULL, *instance_id = NULL;
      const ScalerResource *resource;
      ScalerInstance *instance;

      if (worker->task_id == NULL
          || !scaler_worker_id_parse (worker->id, &prefix, &resource_name, NULL, &instance_id)
          || g_strcmp0 (prefix, config->workers_prefix) != 0
          || (instance = g_hash_table_lookup (fleet, instance_id)) == NULL
          || !scaler_instance_state_is_live (instance->state)
          || (resource = scaler_config_find_resource (config, resource_name)) == NULL)
        continue;
      g_hash_table_insert (busy, resource->queue,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (busy, resource->queue)) + 1));
    }
  return busy;
}

/* One interval of dt usec: `arrived` tasks by flow balance, `counted` by
 * the change in pending and the tasks first seen on a worker. */
static void
arrivals_fold (Arrivals *arrivals,
               double    arrived,
               double    counted,
               double    dt)
{
  double decay = exp (-dt / (double) ARRIVAL_TAU_USEC);
  double slow = exp (-dt / (double) ARRIVAL_SLOW_TAU_USEC);

  arrivals->arrived = arrivals->arrived * decay + arrived;
  arrivals->elapsed = arrivals->elapsed * decay + dt;
  arrivals->slow_arrived = arrivals->slow_arrived * slow + arrived;
  arrivals->slow_elapsed = arrivals->slow_elapsed * slow + dt;
  arrivals->slow_intervals = arrivals->slow_intervals * slow + 1;
  arrivals->slow_counted = arrivals->slow_counted * slow + counted;
  arrivals->slow_squares = arrivals->slow_squares * slow + counted * counted;
  if (arrivals->samples < G_MAXUINT)
    arrivals->samples++;
}

/* Flow balance over the interval since the last observation: the tasks
 * that arrived are the change in (pending + busy) plus the tasks that
 * finished, expected to be busy x elapsed / mean duration. Tasks that start
 * and end between two observations are counted too (as finished work),
 * which counting new task ids would miss. The rate is the tasks that
 * arrived over the time elapsed, both weighted by exp(-age /
 * ARRIVAL_TAU_USEC): exact for a constant rate, right from the first
 * interval, whatever the intervals' lengths. */
static void
observe_arrivals (ScalerLedger         *self,
                  const ScalerConfig   *config,
                  const ScalerSnapshot *snapshot,
                  GHashTable           *fleet,
                  GHashTable           *started,
                  gint64                now)
{
  g_autoptr(GHashTable) busy = busy_per_queue (config, snapshot, fleet);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, snapshot->pending);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Arrivals *arrivals = lookup_or_add (self->arrivals, key, sizeof (Arrivals));
      guint busy_now = GPOINTER_TO_UINT (g_hash_table_lookup (busy, key));
      guint in_system = GPOINTER_TO_UINT (value) + busy_now;
      gint64 task_mean = 0;

      if (arrivals->time > 0 && now > arrivals->time
          && scaler_ledger_get_task_duration (self, key, &task_mean, NULL) && task_mean > 0)
        {
          double dt = (double) (now - arrivals->time);
          double done = (arrivals->busy + busy_now) / 2.0 * dt / (double) task_mean;
          double counted = (double) GPOINTER_TO_UINT (value) - (double) (arrivals->in_system - arrivals->busy)
                           + (double) GPOINTER_TO_UINT (g_hash_table_lookup (started, key));

          /* Not clamped per interval (a finish without an arrival gives a
           * negative count), or the rate would be biased upwards. */
          arrivals_fold (arrivals, (double) in_system - (double) arrivals->in_system + done, counted, dt);
        }
      if (now >= arrivals->time)
        {
          arrivals->in_system = in_system;
          arrivals->busy = busy_now;
          arrivals->time = now;
        }
    }
}

/* Pending counts: a short history per queue. */
static void
observe_pending (ScalerLedger         *self,
                 const ScalerSnapshot *snapshot,
                 gint64                now)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, snapshot->pending);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      PendingSeen *seen = lookup_or_add (self->pending_cur, key, sizeof (PendingSeen));

      memmove (&seen->count[1], &seen->count[0], sizeof (guint) * (PENDING_HISTORY - 1));
      memmove (&seen->time[1], &seen->time[0], sizeof (gint64) * (PENDING_HISTORY - 1));
      seen->count[0] = GPOINTER_TO_UINT (value);
      seen->time[0] = now;
      seen->n = MIN (seen->n + 1, PENDING_HISTORY);
    }
}

void
_scaler_ledger_observe_demand (ScalerLedger         *self,
                               const ScalerConfig   *config,
                               const ScalerSnapshot *snapshot,
                               GHashTable           *fleet,
                               gint64                now)
{
  g_autoptr(GHashTable) started = g_hash_table_new (g_str_hash, g_str_equal);

  observe_tasks (self, config, snapshot, now, started);
  observe_arrivals (self, config, snapshot, fleet, started, now);
  observe_pending (self, snapshot, now);
}
