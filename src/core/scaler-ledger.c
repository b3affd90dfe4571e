/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-ledger.c: the engine's crash-safe memory (see scaler-ledger.h):
 * its state and the reconcile with each snapshot. Its file form is
 * scaler-ledger-json.c. */

#define G_LOG_DOMAIN "scaler-ledger"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scaler-ledger-private.h"
#include "scaler-util.h"

/* Vanished instances are remembered this long (their workers are zombies). */
#define GONE_KEEP_USEC (G_GINT64_CONSTANT (1000000) * 3600 * 24)
/* Back-off never grows beyond this. */
#define BACKOFF_CAP_USEC (G_GINT64_CONSTANT (1000000) * 3600)

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

ScalerLedgerLaunch *
scaler_ledger_launch_new (void)
{
  return g_new0 (ScalerLedgerLaunch, 1);
}

void
scaler_ledger_launch_free (ScalerLedgerLaunch *launch)
{
  if (launch == NULL)
    return;
  g_free (launch->client_token);
  g_free (launch->resource);
  g_free (launch->instance_type);
  g_free (launch->availability_zone);
  g_free (launch->subnet_id);
  g_free (launch->instance_id);
  g_free (launch);
}

static ScalerLedgerLaunch *
launch_copy (const ScalerLedgerLaunch *launch)
{
  ScalerLedgerLaunch *copy = g_memdup2 (launch, sizeof *launch);

  copy->client_token = g_strdup (launch->client_token);
  copy->resource = g_strdup (launch->resource);
  copy->instance_type = g_strdup (launch->instance_type);
  copy->availability_zone = g_strdup (launch->availability_zone);
  copy->subnet_id = g_strdup (launch->subnet_id);
  copy->instance_id = g_strdup (launch->instance_id);
  return copy;
}

static void
backoff_free (ScalerLedgerBackoff *backoff)
{
  g_free (backoff->resource);
  g_free (backoff->zone);
  g_free (backoff->reason);
  g_free (backoff);
}

static ScalerLedgerBackoff *
backoff_copy (const ScalerLedgerBackoff *backoff)
{
  ScalerLedgerBackoff *copy = g_memdup2 (backoff, sizeof *backoff);

  copy->resource = g_strdup (backoff->resource);
  copy->zone = g_strdup (backoff->zone);
  copy->reason = g_strdup (backoff->reason);
  return copy;
}

static void
instance_free (ScalerLedgerInstance *instance)
{
  g_free (instance->instance_id);
  g_free (instance->resource);
  g_free (instance->subnet_id);
  g_free (instance);
}

static ScalerLedgerInstance *
instance_copy (const ScalerLedgerInstance *instance)
{
  ScalerLedgerInstance *copy = g_memdup2 (instance, sizeof *instance);

  copy->instance_id = g_strdup (instance->instance_id);
  copy->resource = g_strdup (instance->resource);
  copy->subnet_id = g_strdup (instance->subnet_id);
  return copy;
}

char *
_scaler_ledger_backoff_key (const char *resource,
                            const char *zone,
                            gboolean    spot)
{
  return g_strdup_printf ("%s|%s|%s", resource, zone ? zone : "", spot ? "spot" : "on-demand");
}

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

/* The values of @table (owned by it), in the table's order. */
static GPtrArray *
list_values (GHashTable *table)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  return list;
}

/* Copies of the plain-data values of @from (@size bytes each) into @to. */
static void
copy_values (GHashTable *to,
             GHashTable *from,
             gsize       size)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (to, g_strdup (key), g_memdup2 (value, size));
}

ScalerLedger *
scaler_ledger_new (const char *config_id)
{
  ScalerLedger *self = g_new0 (ScalerLedger, 1);

  self->config_id = g_strdup (config_id ? config_id : "");
  self->launches = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) scaler_ledger_launch_free);
  self->idle_since = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->backoffs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) backoff_free);
  self->spot_prices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->instances = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) instance_free);
  self->pending_cur = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->notes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->tasks_cur = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) task_seen_free);
  self->task_mean = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->arrivals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
scaler_ledger_free (ScalerLedger *self)
{
  if (self == NULL)
    return;
  g_free (self->config_id);
  g_hash_table_unref (self->launches);
  g_hash_table_unref (self->idle_since);
  g_hash_table_unref (self->backoffs);
  g_hash_table_unref (self->spot_prices);
  g_hash_table_unref (self->instances);
  g_hash_table_unref (self->pending_cur);
  g_hash_table_unref (self->notes);
  g_hash_table_unref (self->tasks_cur);
  g_hash_table_unref (self->task_mean);
  g_hash_table_unref (self->arrivals);
  g_free (self);
}

ScalerLedger *
scaler_ledger_copy (const ScalerLedger *self)
{
  ScalerLedger *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (self != NULL, NULL);

  copy = scaler_ledger_new (self->config_id);
  copy->throttle_count = self->throttle_count;
  g_hash_table_iter_init (&iter, self->launches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    scaler_ledger_add_launch (copy, launch_copy (value));
  copy_values (copy->idle_since, self->idle_since, sizeof (gint64));
  g_hash_table_iter_init (&iter, self->backoffs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->backoffs, g_strdup (key), backoff_copy (value));
  copy_values (copy->spot_prices, self->spot_prices, sizeof (SpotPrice));
  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ScalerLedgerInstance *instance = instance_copy (value);

      g_hash_table_insert (copy->instances, instance->instance_id, instance);
    }
  copy_values (copy->pending_cur, self->pending_cur, sizeof (PendingSeen));
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
  copy_values (copy->task_mean, self->task_mean, sizeof (TaskMean));
  copy_values (copy->arrivals, self->arrivals, sizeof (Arrivals));
  return copy;
}

const char *
scaler_ledger_get_config_id (const ScalerLedger *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->config_id;
}

/* ---- launches ---- */

void
scaler_ledger_add_launch (ScalerLedger       *self,
                          ScalerLedgerLaunch *launch)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (launch != NULL && launch->client_token != NULL);

  g_hash_table_replace (self->launches, launch->client_token, launch);
}

ScalerLedgerLaunch *
scaler_ledger_get_launch (const ScalerLedger *self,
                          const char         *client_token)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (client_token == NULL)
    return NULL;
  return g_hash_table_lookup (self->launches, client_token);
}

gboolean
scaler_ledger_remove_launch (ScalerLedger *self,
                             const char   *client_token)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (client_token == NULL)
    return FALSE;
  return g_hash_table_remove (self->launches, client_token);
}

static int
compare_launches (gconstpointer a,
                  gconstpointer b)
{
  const ScalerLedgerLaunch *la = *(const ScalerLedgerLaunch * const *) a;
  const ScalerLedgerLaunch *lb = *(const ScalerLedgerLaunch * const *) b;

  if (la->created != lb->created)
    return la->created < lb->created ? -1 : 1;
  return g_strcmp0 (la->client_token, lb->client_token);
}

GPtrArray *
scaler_ledger_list_launches (const ScalerLedger *self)
{
  GPtrArray *list;

  g_return_val_if_fail (self != NULL, g_ptr_array_new ());

  list = list_values (self->launches);
  g_ptr_array_sort (list, compare_launches);
  return list;
}

/* ---- idle ---- */

gint64
scaler_ledger_get_idle_since (const ScalerLedger *self,
                              const char         *worker_id)
{
  gint64 *since;

  g_return_val_if_fail (self != NULL, 0);
  since = worker_id ? g_hash_table_lookup (self->idle_since, worker_id) : NULL;
  return since ? *since : 0;
}

void
scaler_ledger_set_idle_since (ScalerLedger *self,
                              const char   *worker_id,
                              gint64        since)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (worker_id != NULL);

  if (since == 0)
    g_hash_table_remove (self->idle_since, worker_id);
  else
    g_hash_table_insert (self->idle_since, g_strdup (worker_id), g_memdup2 (&since, sizeof since));
}

/* ---- back-off ---- */

const ScalerLedgerBackoff *
scaler_ledger_get_backoff (const ScalerLedger *self,
                           const char         *resource,
                           const char         *zone,
                           gboolean            spot)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (resource != NULL, NULL);

  key = _scaler_ledger_backoff_key (resource, zone, spot);
  return g_hash_table_lookup (self->backoffs, key);
}

gint64
scaler_policy_backoff_duration (const ScalerConfig *config,
                                guint               failures)
{
  double poll_usec = MAX (config->polling_interval_time_min, 0.001) * 60.0 * G_USEC_PER_SEC;
  double duration = 2.0 * poll_usec;
  gint64 cap = MAX (BACKOFF_CAP_USEC, (gint64) (2.5 * poll_usec));

  for (guint i = 1; i < failures && duration < cap; i++)
    duration *= 2.0;
  /* Half an interval more, so that "two polling intervals" skips two whole
   * cycles even though each cycle takes a little longer than the interval:
   * with two zones, spot a -> spot b -> on-demand -> spot a again. */
  duration += poll_usec / 2.0;
  return MIN ((gint64) duration, cap);
}

void
scaler_ledger_record_failure (ScalerLedger       *self,
                              const ScalerConfig *config,
                              const char         *resource,
                              const char         *zone,
                              gboolean            spot,
                              gint64              now,
                              const char         *reason)
{
  char *key;
  ScalerLedgerBackoff *backoff;

  g_return_if_fail (self != NULL);
  g_return_if_fail (config != NULL);
  g_return_if_fail (resource != NULL);

  key = _scaler_ledger_backoff_key (resource, zone, spot);
  backoff = g_hash_table_lookup (self->backoffs, key);
  if (backoff == NULL)
    {
      backoff = g_new0 (ScalerLedgerBackoff, 1);
      backoff->resource = g_strdup (resource);
      backoff->zone = g_strdup (zone ? zone : "");
      backoff->spot = spot;
      g_hash_table_insert (self->backoffs, key, backoff);
    }
  else
    g_free (key);

  backoff->failures = MIN (backoff->failures + 1, 64);
  backoff->until = now + scaler_policy_backoff_duration (config, backoff->failures);
  g_free (backoff->reason);
  backoff->reason = g_strdup (reason ? reason : "");
}

void
scaler_ledger_record_success (ScalerLedger *self,
                              const char   *resource,
                              const char   *zone,
                              gboolean      spot)
{
  g_autofree char *key = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (resource != NULL);

  key = _scaler_ledger_backoff_key (resource, zone, spot);
  g_hash_table_remove (self->backoffs, key);
}

GPtrArray *
scaler_ledger_list_backoffs (const ScalerLedger *self)
{
  g_return_val_if_fail (self != NULL, g_ptr_array_new ());

  return list_values (self->backoffs);
}

/* ---- throttling ---- */

guint
scaler_ledger_get_throttle_count (const ScalerLedger *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->throttle_count;
}

void
scaler_ledger_record_throttle (ScalerLedger *self)
{
  g_return_if_fail (self != NULL);
  self->throttle_count = MIN (self->throttle_count + 1, 16);
}

void
scaler_ledger_clear_throttle (ScalerLedger *self)
{
  g_return_if_fail (self != NULL);
  self->throttle_count = 0;
}

/* ---- spot prices ---- */

void
scaler_ledger_set_spot_price (ScalerLedger *self,
                              const char   *instance_type,
                              const char   *zone,
                              double        usd_per_hour,
                              gint64        time)
{
  SpotPrice price = { usd_per_hour, time };

  g_return_if_fail (self != NULL);
  g_return_if_fail (instance_type != NULL);

  g_hash_table_insert (self->spot_prices,
                       g_strdup_printf ("%s|%s", instance_type, zone ? zone : ""),
                       g_memdup2 (&price, sizeof price));
}

gboolean
scaler_ledger_get_spot_price (const ScalerLedger *self,
                              const char         *instance_type,
                              const char         *zone,
                              double             *usd_per_hour,
                              gint64             *time)
{
  g_autofree char *key = NULL;
  const SpotPrice *price;

  g_return_val_if_fail (self != NULL, FALSE);
  if (instance_type == NULL)
    return FALSE;

  key = g_strdup_printf ("%s|%s", instance_type, zone ? zone : "");
  price = g_hash_table_lookup (self->spot_prices, key);
  if (price == NULL && (zone == NULL || zone[0] == '\0'))
    {
      /* No zone given: the most expensive zone we know, to stay on the safe side. */
      GHashTableIter iter;
      gpointer k, v;
      g_autofree char *prefix = g_strdup_printf ("%s|", instance_type);

      g_hash_table_iter_init (&iter, self->spot_prices);
      while (g_hash_table_iter_next (&iter, &k, &v))
        if (g_str_has_prefix (k, prefix) && (price == NULL || ((SpotPrice *) v)->price > price->price))
          price = v;
    }
  if (price == NULL)
    return FALSE;
  if (usd_per_hour)
    *usd_per_hour = price->price;
  if (time)
    *time = price->time;
  return TRUE;
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

gboolean
scaler_ledger_note_changed (ScalerLedger *self,
                            const char   *key,
                            const char   *text)
{
  const char *old;

  g_return_val_if_fail (self != NULL, TRUE);
  g_return_val_if_fail (key != NULL && text != NULL, TRUE);

  old = g_hash_table_lookup (self->notes, key);
  if (g_strcmp0 (old, text) == 0)
    return FALSE;
  g_hash_table_insert (self->notes, g_strdup (key), g_strdup (text));
  return TRUE;
}

/* ---- instances ---- */

const ScalerLedgerInstance *
scaler_ledger_get_instance (const ScalerLedger *self,
                            const char         *instance_id)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (instance_id == NULL)
    return NULL;
  return g_hash_table_lookup (self->instances, instance_id);
}

GPtrArray *
scaler_ledger_list_instances (const ScalerLedger *self)
{
  g_return_val_if_fail (self != NULL, g_ptr_array_new ());

  return list_values (self->instances);
}

/* A new instance of the fleet, first seen @now. */
static ScalerLedgerInstance *
instance_add (ScalerLedger *self,
              const char   *instance_id,
              const char   *resource,
              gint64        now)
{
  ScalerLedgerInstance *instance = g_new0 (ScalerLedgerInstance, 1);

  instance->instance_id = g_strdup (instance_id);
  instance->resource = g_strdup (resource);
  instance->first_seen = now;
  g_hash_table_insert (self->instances, instance->instance_id, instance);
  return instance;
}

void
scaler_ledger_mark_gone (ScalerLedger *self,
                         const char   *instance_id,
                         gint64        now)
{
  ScalerLedgerInstance *instance;

  g_return_if_fail (self != NULL);
  g_return_if_fail (instance_id != NULL);

  instance = g_hash_table_lookup (self->instances, instance_id);
  if (instance == NULL)
    {
      instance = instance_add (self, instance_id, NULL, now);
      instance->last_seen = now;
    }
  if (instance->gone_since == 0)
    instance->gone_since = now;
}

/* ---- reconcile ---- */

static void
add_message (GPtrArray  *messages,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
add_message (GPtrArray  *messages,
             const char *format,
             ...)
{
  va_list args;

  if (messages == NULL)
    return;
  va_start (args, format);
  g_ptr_array_add (messages, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Launches in flight: resolved once their instance shows up (by client
 * token or id), forgotten when answered but never seen. */
static void
observe_launches (ScalerLedger       *self,
                  const ScalerConfig *config,
                  GHashTable         *fleet,
                  GHashTable         *tokens,
                  gint64              now,
                  GPtrArray          *messages)
{
  g_autoptr(GPtrArray) launches = scaler_ledger_list_launches (self);
  gint64 spin_up = (gint64) (config->max_spin_up_time_min * 60.0 * G_USEC_PER_SEC);

  for (guint i = 0; i < launches->len; i++)
    {
      ScalerLedgerLaunch *launch = g_ptr_array_index (launches, i);
      ScalerInstance *instance = g_hash_table_lookup (tokens, launch->client_token);

      if (instance == NULL && launch->instance_id != NULL)
        instance = g_hash_table_lookup (fleet, launch->instance_id);

      if (instance != NULL)
        {
          if (!g_hash_table_contains (self->instances, instance->instance_id))
            instance_add (self, instance->instance_id, instance->resource ? instance->resource : launch->resource,
                          now);
          if (launch->instance_id == NULL)
            add_message (messages, "Launch %s (%s) resolved: instance %s is in the fleet",
                         launch->client_token, launch->resource, instance->instance_id);
          scaler_ledger_remove_launch (self, launch->client_token);
        }
      else if (launch->instance_id != NULL && now - launch->last_attempt > MAX (spin_up, 0))
        {
          add_message (messages,
                       "Launch %s (%s): instance %s never showed up in the fleet; forgetting it "
                       "(it will be adopted if it appears)",
                       launch->client_token, launch->resource, launch->instance_id);
          scaler_ledger_remove_launch (self, launch->client_token);
        }
    }
}

/* Instances of the snapshot: adopt what we did not launch, note where they
 * run and when they went. */
static void
observe_fleet (ScalerLedger         *self,
               const ScalerSnapshot *snapshot,
               gint64                now,
               GPtrArray            *messages)
{
  for (guint i = 0; i < snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (snapshot->instances, i);
      ScalerLedgerInstance *known = g_hash_table_lookup (self->instances, instance->instance_id);

      if (known == NULL)
        {
          known = instance_add (self, instance->instance_id, instance->resource, now);
          known->adopted = TRUE;
          add_message (messages,
                       "Adopted instance %s (resource %s, %s): tagged for this autoscaler but not "
                       "launched by this run; it follows the same rules",
                       instance->instance_id, instance->resource ? instance->resource : "unknown",
                       scaler_instance_state_to_string (instance->state));
        }
      known->last_seen = now;
      /* EC2 leaves the subnet out of terminated instances: keep it. */
      if (instance->subnet_id != NULL)
        scaler_set_str (&known->subnet_id, instance->subnet_id);
      if (!scaler_instance_state_is_live (instance->state) && known->gone_since == 0
          && (instance->state == SCALER_INSTANCE_STATE_SHUTTING_DOWN
              || instance->state == SCALER_INSTANCE_STATE_TERMINATED))
        known->gone_since = now;
    }
}

/* Instances missing from the fleet: gone now, forgotten after a day. */
static void
observe_vanished (ScalerLedger *self,
                  GHashTable   *fleet,
                  gint64        now,
                  GPtrArray    *messages)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ScalerLedgerInstance *known = value;

      if (g_hash_table_contains (fleet, key))
        continue;
      if (known->gone_since == 0)
        {
          known->gone_since = now;
          add_message (messages, "Instance %s is gone from the fleet", known->instance_id);
        }
      else if (now - known->gone_since > GONE_KEEP_USEC)
        g_hash_table_iter_remove (&iter);
    }
}

/* Idle tracking: first seen without a task; forgotten with the worker. */
static void
observe_idle (ScalerLedger         *self,
              const ScalerSnapshot *snapshot,
              gint64                now)
{
  g_autoptr(GHashTable) workers = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < snapshot->workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (snapshot->workers, i);

      g_hash_table_add (workers, worker->id);
      if (worker->task_id != NULL)
        scaler_ledger_set_idle_since (self, worker->id, 0);
      else if (scaler_ledger_get_idle_since (self, worker->id) == 0)
        scaler_ledger_set_idle_since (self, worker->id, now);
    }
  g_hash_table_iter_init (&iter, self->idle_since);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (workers, key))
      g_hash_table_iter_remove (&iter);
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

/* The snapshot's spot prices; expired back-offs are kept (their failure
 * count makes the next one longer) until a success clears them, or for a
 * day. */
static void
observe_prices_and_backoffs (ScalerLedger         *self,
                             const ScalerSnapshot *snapshot,
                             gint64                now)
{
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; snapshot->spot_prices != NULL && i < snapshot->spot_prices->len; i++)
    {
      ScalerSpotPrice *price = g_ptr_array_index (snapshot->spot_prices, i);

      /* The time we fetched it (AWS's timestamp is the last price change). */
      scaler_ledger_set_spot_price (self, price->instance_type, price->availability_zone,
                                    price->price_usd_per_hour, now);
    }
  g_hash_table_iter_init (&iter, self->backoffs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (now - ((ScalerLedgerBackoff *) value)->until > GONE_KEEP_USEC)
      g_hash_table_iter_remove (&iter);
}

void
scaler_ledger_observe (ScalerLedger         *self,
                       const ScalerConfig   *config,
                       const ScalerSnapshot *snapshot,
                       gint64                now,
                       GPtrArray            *messages)
{
  g_autoptr(GHashTable) fleet = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) started = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) tokens = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_if_fail (self != NULL);
  g_return_if_fail (config != NULL);
  g_return_if_fail (snapshot != NULL);

  for (guint i = 0; i < snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (snapshot->instances, i);

      g_hash_table_insert (fleet, instance->instance_id, instance);
      if (instance->client_token != NULL && instance->client_token[0] != '\0')
        g_hash_table_insert (tokens, instance->client_token, instance);
    }

  observe_launches (self, config, fleet, tokens, now, messages);
  observe_fleet (self, snapshot, now, messages);
  observe_vanished (self, fleet, now, messages);
  observe_idle (self, snapshot, now);
  observe_tasks (self, config, snapshot, now, started);
  observe_arrivals (self, config, snapshot, fleet, started, now);
  observe_pending (self, snapshot, now);
  observe_prices_and_backoffs (self, snapshot, now);
}
