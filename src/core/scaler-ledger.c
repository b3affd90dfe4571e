/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-ledger.c: the engine's crash-safe memory (see scaler-ledger.h). */

#define G_LOG_DOMAIN "scaler-ledger"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "scaler-error.h"
#include "scaler-ledger.h"
#include "scaler-json.h"

/* Vanished instances are remembered this long (their workers are zombies). */
#define GONE_KEEP_USEC (G_GINT64_CONSTANT (1000000) * 3600 * 24)
/* Back-off never grows beyond this. */
#define BACKOFF_CAP_USEC (G_GINT64_CONSTANT (1000000) * 3600)

typedef struct
{
  double price;
  gint64 time;
} SpotPrice;

struct _ScalerLedger
{
  char       *config_id;
  GHashTable *launches;    /* token -> ScalerLedgerLaunch */
  GHashTable *idle_since;  /* worker id -> gint64* */
  GHashTable *backoffs;    /* key -> ScalerLedgerBackoff */
  GHashTable *spot_prices; /* "type|zone" -> SpotPrice */
  GHashTable *instances;   /* id -> ScalerLedgerInstance */
  GHashTable *pending_cur; /* queue -> PendingSeen (recent observations) */
  GHashTable *notes;       /* key -> last text (memory only) */
  GHashTable *tasks_cur;   /* worker id -> TaskSeen (memory only) */
  GHashTable *task_mean;   /* queue -> TaskMean (memory only) */
  GHashTable *arrivals;    /* queue -> Arrivals (memory only) */
  guint       throttle_count;
};

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

static char *
backoff_key (const char *resource,
             const char *zone,
             gboolean    spot)
{
  return g_strdup_printf ("%s|%s|%s", resource, zone ? zone : "", spot ? "spot" : "on-demand");
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
  g_hash_table_iter_init (&iter, self->idle_since);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->idle_since, g_strdup (key), g_memdup2 (value, sizeof (gint64)));
  g_hash_table_iter_init (&iter, self->backoffs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->backoffs, g_strdup (key), backoff_copy (value));
  g_hash_table_iter_init (&iter, self->spot_prices);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->spot_prices, g_strdup (key), g_memdup2 (value, sizeof (SpotPrice)));
  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ScalerLedgerInstance *instance = instance_copy (value);

      g_hash_table_insert (copy->instances, instance->instance_id, instance);
    }
  g_hash_table_iter_init (&iter, self->pending_cur);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->pending_cur, g_strdup (key), g_memdup2 (value, sizeof (PendingSeen)));
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
  g_hash_table_iter_init (&iter, self->task_mean);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->task_mean, g_strdup (key), g_memdup2 (value, sizeof (TaskMean)));
  g_hash_table_iter_init (&iter, self->arrivals);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->arrivals, g_strdup (key), g_memdup2 (value, sizeof (Arrivals)));
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
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (self != NULL, list);

  g_hash_table_iter_init (&iter, self->launches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
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

  key = backoff_key (resource, zone, spot);
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

  key = backoff_key (resource, zone, spot);
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

  key = backoff_key (resource, zone, spot);
  g_hash_table_remove (self->backoffs, key);
}

GPtrArray *
scaler_ledger_list_backoffs (const ScalerLedger *self)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->backoffs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  return list;
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
  TaskMean *mean = g_hash_table_lookup (self->task_mean, queue);

  if (mean == NULL)
    {
      mean = g_new0 (TaskMean, 1);
      g_hash_table_insert (self->task_mean, g_strdup (queue), mean);
    }
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
      Arrivals *arrivals = g_hash_table_lookup (self->arrivals, key);
      guint busy_now = GPOINTER_TO_UINT (g_hash_table_lookup (busy, key));
      guint in_system = GPOINTER_TO_UINT (value) + busy_now;
      gint64 task_mean = 0;

      if (arrivals == NULL)
        {
          arrivals = g_new0 (Arrivals, 1);
          g_hash_table_insert (self->arrivals, g_strdup (key), arrivals);
        }
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
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (self != NULL, list);

  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  return list;
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
      instance = g_new0 (ScalerLedgerInstance, 1);
      instance->instance_id = g_strdup (instance_id);
      instance->first_seen = instance->last_seen = now;
      g_hash_table_insert (self->instances, instance->instance_id, instance);
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
  g_autoptr(GHashTable) workers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) launches = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gint64 spin_up = (gint64) (config->max_spin_up_time_min * 60.0 * G_USEC_PER_SEC);

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

  /* Launches in flight: resolved once their instance shows up. */
  launches = scaler_ledger_list_launches (self);
  for (guint i = 0; i < launches->len; i++)
    {
      ScalerLedgerLaunch *launch = g_ptr_array_index (launches, i);
      ScalerInstance *instance = g_hash_table_lookup (tokens, launch->client_token);

      if (instance == NULL && launch->instance_id != NULL)
        instance = g_hash_table_lookup (fleet, launch->instance_id);

      if (instance != NULL)
        {
          ScalerLedgerInstance *known = g_hash_table_lookup (self->instances, instance->instance_id);

          if (known == NULL)
            {
              known = g_new0 (ScalerLedgerInstance, 1);
              known->instance_id = g_strdup (instance->instance_id);
              known->resource = g_strdup (instance->resource ? instance->resource : launch->resource);
              known->first_seen = now;
              g_hash_table_insert (self->instances, known->instance_id, known);
            }
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

  /* Instances: adopt what we did not launch, notice what vanished. */
  for (guint i = 0; i < snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (snapshot->instances, i);
      ScalerLedgerInstance *known = g_hash_table_lookup (self->instances, instance->instance_id);

      if (known == NULL)
        {
          known = g_new0 (ScalerLedgerInstance, 1);
          known->instance_id = g_strdup (instance->instance_id);
          known->resource = g_strdup (instance->resource);
          known->first_seen = now;
          known->adopted = TRUE;
          g_hash_table_insert (self->instances, known->instance_id, known);
          add_message (messages,
                       "Adopted instance %s (resource %s, %s): tagged for this autoscaler but not "
                       "launched by this run; it follows the same rules",
                       instance->instance_id, instance->resource ? instance->resource : "unknown",
                       scaler_instance_state_to_string (instance->state));
        }
      known->last_seen = now;
      /* EC2 leaves the subnet out of terminated instances: keep it. */
      if (instance->subnet_id != NULL && g_strcmp0 (known->subnet_id, instance->subnet_id) != 0)
        {
          g_free (known->subnet_id);
          known->subnet_id = g_strdup (instance->subnet_id);
        }
      if (!scaler_instance_state_is_live (instance->state) && known->gone_since == 0
          && (instance->state == SCALER_INSTANCE_STATE_SHUTTING_DOWN
              || instance->state == SCALER_INSTANCE_STATE_TERMINATED))
        known->gone_since = now;
    }
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

  /* Idle tracking: first seen without a task. */
  for (guint i = 0; i < snapshot->workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (snapshot->workers, i);

      g_hash_table_insert (workers, worker->id, worker);
      if (worker->task_id != NULL)
        scaler_ledger_set_idle_since (self, worker->id, 0);
      else if (scaler_ledger_get_idle_since (self, worker->id) == 0)
        scaler_ledger_set_idle_since (self, worker->id, now);
    }
  g_hash_table_iter_init (&iter, self->idle_since);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (workers, key))
      g_hash_table_iter_remove (&iter);

  observe_tasks (self, config, snapshot, now, started);
  observe_arrivals (self, config, snapshot, fleet, started, now);

  /* Pending counts: a short history per queue. */
  g_hash_table_iter_init (&iter, snapshot->pending);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      PendingSeen *seen = g_hash_table_lookup (self->pending_cur, key);

      if (seen == NULL)
        {
          seen = g_new0 (PendingSeen, 1);
          g_hash_table_insert (self->pending_cur, g_strdup (key), seen);
        }
      memmove (&seen->count[1], &seen->count[0], sizeof (guint) * (PENDING_HISTORY - 1));
      memmove (&seen->time[1], &seen->time[0], sizeof (gint64) * (PENDING_HISTORY - 1));
      seen->count[0] = GPOINTER_TO_UINT (value);
      seen->time[0] = now;
      seen->n = MIN (seen->n + 1, PENDING_HISTORY);
    }

  /* Spot prices. */
  for (guint i = 0; snapshot->spot_prices != NULL && i < snapshot->spot_prices->len; i++)
    {
      ScalerSpotPrice *price = g_ptr_array_index (snapshot->spot_prices, i);

      /* The time we fetched it (AWS's timestamp is the last price change). */
      scaler_ledger_set_spot_price (self, price->instance_type, price->availability_zone,
                                    price->price_usd_per_hour, now);
    }

  /* Expired back-offs are kept (their failure count makes the next one
   * longer) until a success clears them, or for a day. */
  g_hash_table_iter_init (&iter, self->backoffs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (now - ((ScalerLedgerBackoff *) value)->until > GONE_KEEP_USEC)
      g_hash_table_iter_remove (&iter);
}

/* ---- JSON ---- */

static void
add_opt_string (JsonBuilder *builder,
                const char  *name,
                const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

char *
scaler_ledger_to_json (const ScalerLedger *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) launches = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, SCALER_LEDGER_VERSION);
  json_builder_set_member_name (builder, "config_id");
  json_builder_add_string_value (builder, self->config_id);
  json_builder_set_member_name (builder, "throttle_count");
  json_builder_add_int_value (builder, self->throttle_count);

  json_builder_set_member_name (builder, "launches");
  json_builder_begin_array (builder);
  launches = scaler_ledger_list_launches (self);
  for (guint i = 0; i < launches->len; i++)
    {
      const ScalerLedgerLaunch *launch = g_ptr_array_index (launches, i);

      json_builder_begin_object (builder);
      add_opt_string (builder, "client_token", launch->client_token);
      add_opt_string (builder, "resource", launch->resource);
      add_opt_string (builder, "instance_type", launch->instance_type);
      add_opt_string (builder, "availability_zone", launch->availability_zone);
      add_opt_string (builder, "subnet_id", launch->subnet_id);
      json_builder_set_member_name (builder, "spot");
      json_builder_add_boolean_value (builder, launch->spot);
      json_builder_set_member_name (builder, "created");
      json_builder_add_int_value (builder, launch->created);
      json_builder_set_member_name (builder, "last_attempt");
      json_builder_add_int_value (builder, launch->last_attempt);
      json_builder_set_member_name (builder, "attempts");
      json_builder_add_int_value (builder, launch->attempts);
      add_opt_string (builder, "instance_id", launch->instance_id);
      json_builder_set_member_name (builder, "usd_per_hour");
      json_builder_add_double_value (builder, launch->usd_per_hour);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "idle_since");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, self->idle_since);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_builder_set_member_name (builder, key);
      json_builder_add_int_value (builder, *(gint64 *) value);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "backoffs");
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, self->backoffs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const ScalerLedgerBackoff *backoff = value;

      json_builder_begin_object (builder);
      add_opt_string (builder, "resource", backoff->resource);
      add_opt_string (builder, "zone", backoff->zone);
      json_builder_set_member_name (builder, "spot");
      json_builder_add_boolean_value (builder, backoff->spot);
      json_builder_set_member_name (builder, "failures");
      json_builder_add_int_value (builder, backoff->failures);
      json_builder_set_member_name (builder, "until");
      json_builder_add_int_value (builder, backoff->until);
      add_opt_string (builder, "reason", backoff->reason);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "spot_prices");
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, self->spot_prices);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const SpotPrice *price = value;
      const char *bar = strchr (key, '|');
      g_autofree char *type = g_strndup (key, bar ? (gsize) (bar - (char *) key) : strlen (key));

      json_builder_begin_object (builder);
      add_opt_string (builder, "instance_type", type);
      add_opt_string (builder, "zone", bar ? bar + 1 : "");
      json_builder_set_member_name (builder, "usd_per_hour");
      json_builder_add_double_value (builder, price->price);
      json_builder_set_member_name (builder, "time");
      json_builder_add_int_value (builder, price->time);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "instances");
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const ScalerLedgerInstance *instance = value;

      json_builder_begin_object (builder);
      add_opt_string (builder, "instance_id", instance->instance_id);
      add_opt_string (builder, "resource", instance->resource);
      json_builder_set_member_name (builder, "first_seen");
      json_builder_add_int_value (builder, instance->first_seen);
      json_builder_set_member_name (builder, "last_seen");
      json_builder_add_int_value (builder, instance->last_seen);
      json_builder_set_member_name (builder, "gone_since");
      json_builder_add_int_value (builder, instance->gone_since);
      json_builder_set_member_name (builder, "adopted");
      json_builder_add_boolean_value (builder, instance->adopted);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/* Strict readers: a wrong type is an error naming the member. */

static gboolean
read_string (JsonObject  *object,
             const char  *what,
             const char  *name,
             gboolean     nullable,
             char       **out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (nullable)
        {
          *out = NULL;
          return TRUE;
        }
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s.%s: missing, expected a string", what, name);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s.%s: expected a string", what, name);
      return FALSE;
    }
  /* json-glib lets some invalid escapes through as raw bytes: a ledger with
   * text that is not UTF-8 could not be written back, so refuse it here. */
  if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s.%s: not valid UTF-8 text", what, name);
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_int (JsonObject  *object,
          const char  *what,
          const char  *name,
          gint64       min,
          gint64      *out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s.%s: expected an integer", what, name);
      return FALSE;
    }
  *out = json_node_get_int (node);
  if (*out < min)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s.%s: must be at least %" G_GINT64_FORMAT,
                   what, name, min);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_bool (JsonObject  *object,
           const char  *what,
           const char  *name,
           gboolean    *out,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s.%s: expected true or false", what, name);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
read_double (JsonObject  *object,
             const char  *what,
             const char  *name,
             double      *out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    goto fail;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
    goto fail;
  *out = json_node_get_double (node);
  if (!(*out >= 0.0 && *out < 1e9))
    goto fail;
  return TRUE;

fail:
  g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s.%s: expected a non-negative number", what, name);
  return FALSE;
}

static JsonArray *
read_array (JsonObject  *object,
            const char  *name,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s: expected an array", name);
      return NULL;
    }
  return json_node_get_array (node);
}

static JsonObject *
array_object (JsonArray   *array,
              guint        i,
              const char  *what,
              GError     **error)
{
  JsonNode *node = json_array_get_element (array, i);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s: expected an object", what);
      return NULL;
    }
  return json_node_get_object (node);
}

ScalerLedger *
scaler_ledger_new_from_json (const char  *json,
                             gssize       length,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(ScalerLedger) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *config_id = NULL;
  JsonNode *root;
  JsonObject *object, *idle;
  JsonArray *array;
  gint64 number;
  JsonObjectIter oiter;
  const char *member;
  JsonNode *member_node;

  g_return_val_if_fail (json != NULL, NULL);

  if (!scaler_json_check_depth (json, length >= 0 ? (gsize) length : strlen (json),
                                SCALER_JSON_MAX_DEPTH, error))
    return NULL;
  if (!json_parser_load_from_data (parser, json, length, &local_error))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "not valid JSON: %s", local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "expected a JSON object at the top");
      return NULL;
    }
  object = json_node_get_object (root);

  if (!read_int (object, "ledger", "version", 0, &number, error))
    return NULL;
  if (number != SCALER_LEDGER_VERSION)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "ledger.version: %" G_GINT64_FORMAT
                   " is not supported, expected %d", number, SCALER_LEDGER_VERSION);
      return NULL;
    }
  if (!read_string (object, "ledger", "config_id", FALSE, &config_id, error))
    return NULL;
  self = scaler_ledger_new (config_id);
  if (!read_int (object, "ledger", "throttle_count", 0, &number, error))
    return NULL;
  self->throttle_count = MIN (number, 16);

  if (!(array = read_array (object, "launches", error)))
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(ScalerLedgerLaunch) launch = scaler_ledger_launch_new ();
      JsonObject *item = array_object (array, i, "launches[]", error);
      gboolean spot;

      if (item == NULL
          || !read_string (item, "launches[]", "client_token", FALSE, &launch->client_token, error)
          || !read_string (item, "launches[]", "resource", FALSE, &launch->resource, error)
          || !read_string (item, "launches[]", "instance_type", FALSE, &launch->instance_type, error)
          || !read_string (item, "launches[]", "availability_zone", TRUE, &launch->availability_zone, error)
          || !read_string (item, "launches[]", "subnet_id", TRUE, &launch->subnet_id, error)
          || !read_bool (item, "launches[]", "spot", &spot, error)
          || !read_int (item, "launches[]", "created", 0, &launch->created, error)
          || !read_int (item, "launches[]", "last_attempt", 0, &launch->last_attempt, error)
          || !read_int (item, "launches[]", "attempts", 0, &number, error)
          || !read_string (item, "launches[]", "instance_id", TRUE, &launch->instance_id, error)
          || !read_double (item, "launches[]", "usd_per_hour", &launch->usd_per_hour, error))
        return NULL;
      if (launch->client_token[0] == '\0' || strlen (launch->client_token) > 64)
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                       "launches[].client_token: expected 1 to 64 characters");
          return NULL;
        }
      launch->spot = spot;
      launch->attempts = (guint) MIN (number, G_MAXUINT);
      scaler_ledger_add_launch (self, g_steal_pointer (&launch));
    }

  member_node = json_object_get_member (object, "idle_since");
  if (member_node == NULL || !JSON_NODE_HOLDS_OBJECT (member_node))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "idle_since: expected an object");
      return NULL;
    }
  idle = json_node_get_object (member_node);
  json_object_iter_init (&oiter, idle);
  while (json_object_iter_next (&oiter, &member, &member_node))
    {
      if (!g_utf8_validate (member, -1, NULL))
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "idle_since: a worker id is not valid UTF-8 text");
          return NULL;
        }
      if (!read_int (idle, "idle_since", member, 1, &number, error))
        return NULL;
      scaler_ledger_set_idle_since (self, member, number);
    }

  if (!(array = read_array (object, "backoffs", error)))
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *item = array_object (array, i, "backoffs[]", error);
      g_autofree char *resource = NULL, *zone = NULL, *reason = NULL;
      gboolean spot;
      gint64 failures, until;
      ScalerLedgerBackoff *backoff;

      if (item == NULL
          || !read_string (item, "backoffs[]", "resource", FALSE, &resource, error)
          || !read_string (item, "backoffs[]", "zone", FALSE, &zone, error)
          || !read_bool (item, "backoffs[]", "spot", &spot, error)
          || !read_int (item, "backoffs[]", "failures", 1, &failures, error)
          || !read_int (item, "backoffs[]", "until", 0, &until, error)
          || !read_string (item, "backoffs[]", "reason", TRUE, &reason, error))
        return NULL;
      backoff = g_new0 (ScalerLedgerBackoff, 1);
      backoff->resource = g_steal_pointer (&resource);
      backoff->zone = g_steal_pointer (&zone);
      backoff->spot = spot;
      backoff->failures = (guint) MIN (failures, 64);
      backoff->until = until;
      backoff->reason = g_steal_pointer (&reason);
      g_hash_table_replace (self->backoffs, backoff_key (backoff->resource, backoff->zone, spot), backoff);
    }

  if (!(array = read_array (object, "spot_prices", error)))
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *item = array_object (array, i, "spot_prices[]", error);
      g_autofree char *type = NULL, *zone = NULL;
      double price;
      gint64 time;

      if (item == NULL
          || !read_string (item, "spot_prices[]", "instance_type", FALSE, &type, error)
          || !read_string (item, "spot_prices[]", "zone", FALSE, &zone, error)
          || !read_double (item, "spot_prices[]", "usd_per_hour", &price, error)
          || !read_int (item, "spot_prices[]", "time", 0, &time, error))
        return NULL;
      scaler_ledger_set_spot_price (self, type, zone, price, time);
    }

  if (!(array = read_array (object, "instances", error)))
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *item = array_object (array, i, "instances[]", error);
      g_autofree char *id = NULL, *resource = NULL;
      ScalerLedgerInstance *instance;
      gint64 first_seen, last_seen, gone_since;
      gboolean adopted;

      if (item == NULL
          || !read_string (item, "instances[]", "instance_id", FALSE, &id, error)
          || !read_string (item, "instances[]", "resource", TRUE, &resource, error)
          || !read_int (item, "instances[]", "first_seen", 0, &first_seen, error)
          || !read_int (item, "instances[]", "last_seen", 0, &last_seen, error)
          || !read_int (item, "instances[]", "gone_since", 0, &gone_since, error)
          || !read_bool (item, "instances[]", "adopted", &adopted, error))
        return NULL;
      instance = g_new0 (ScalerLedgerInstance, 1);
      instance->instance_id = g_steal_pointer (&id);
      instance->resource = g_steal_pointer (&resource);
      instance->first_seen = first_seen;
      instance->last_seen = last_seen;
      instance->gone_since = gone_since;
      instance->adopted = adopted;
      g_hash_table_replace (self->instances, instance->instance_id, instance);
    }

  return g_steal_pointer (&self);
}

/* ---- files ---- */

static gboolean
fsync_path (const char  *path,
            gboolean     directory,
            GError     **error)
{
  int fd = open (path, (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not open %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (fsync (fd) != 0 && !directory)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not sync %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

gboolean
scaler_ledger_save (const ScalerLedger  *self,
                    const char          *path,
                    GError             **error)
{
  g_autofree char *json = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *dir = NULL;
  gsize length, written = 0;
  int fd;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  json = scaler_ledger_to_json (self);
  length = strlen (json);
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not create the state directory %s: %s", dir, g_strerror (saved));
      return FALSE;
    }

  tmp = g_strdup_printf ("%s.tmp", path);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not write %s: %s", tmp, g_strerror (saved));
      return FALSE;
    }
  while (written < length)
    {
      gssize n = write (fd, json + written, length - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          g_unlink (tmp);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "Could not write %s: %s", tmp, g_strerror (saved));
          return FALSE;
        }
      written += (gsize) n;
    }
  if (fsync (fd) != 0)
    {
      int saved = errno;

      close (fd);
      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not sync %s: %s", tmp, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not replace %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return fsync_path (dir, TRUE, error);
}

ScalerLedger *
scaler_ledger_load (const char  *path,
                    const char  *config_id,
                    char       **warning,
                    GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *aside = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ScalerLedger) ledger = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (config_id != NULL, NULL);

  if (warning)
    *warning = NULL;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return scaler_ledger_new (config_id);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  ledger = scaler_ledger_new_from_json (contents, (gssize) length, &local_error);
  if (ledger != NULL && g_strcmp0 (ledger->config_id, config_id) != 0)
    {
      g_clear_pointer (&ledger, scaler_ledger_free);
      g_set_error (&local_error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   "ledger.config_id: belongs to another autoscaler, expected %s", config_id);
    }
  if (ledger != NULL)
    return g_steal_pointer (&ledger);

  aside = g_strdup_printf ("%s.corrupt", path);
  if (g_rename (path, aside) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "The ledger %s is unreadable (%s) and could not be moved aside: %s",
                   path, local_error->message, g_strerror (saved));
      return NULL;
    }
  if (warning)
    *warning = g_strdup_printf ("The ledger %s was unreadable (%s); kept it as %s and rebuilt the "
                                "state from the tagged fleet", path, local_error->message, aside);
  return scaler_ledger_new (config_id);
}
