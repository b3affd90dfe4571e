/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-policy-fleet.c: the decision's working state (see
 * scaler-policy-private.h): the tagged fleet and its cost, the workers that
 * count as capacity, the instances per resource and queue, and the plan
 * being written. */

#define G_LOG_DOMAIN "scaler-policy"

#include "config.h"

#include <string.h>

#include "scaler-policy-private.h"
#include "scaler-prices.h"

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

/* ---- the working state ---- */

static void
queue_stats_free (QueueStats *stats)
{
  g_ptr_array_unref (stats->unanswered);
  g_ptr_array_unref (stats->busy_workers);
  g_ptr_array_unref (stats->idle_workers);
  g_free (stats);
}

/* Appends an action (or a decision not to act) to the plan, with its
 * reason. */
ScalerAction *
_scaler_policy_add_action (Decide           *d,
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

void
_scaler_policy_resource_count_add (Decide     *d,
                                   const char *resource)
{
  if (resource == NULL)
    return;
  g_hash_table_insert (d->resource_count, (gpointer) resource,
                       GUINT_TO_POINTER (resource_count (d, resource) + 1));
}

double
_scaler_policy_instance_price (Decide               *d,
                               const ScalerInstance *instance)
{
  double price = 0.0;

  if (!scaler_policy_instance_price (d->config, d->ledger, d->env, instance->instance_type,
                                     instance->availability_zone, instance->is_spot, &price))
    return 0.0;
  return price;
}

QueueStats *
_scaler_policy_queue_stats (Decide     *d,
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
void
_scaler_policy_collect_queue_stats (Decide *d)
{
  GPtrArray *launches = d->launches;

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
      stats = _scaler_policy_queue_stats (d, queue);
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
        _scaler_policy_queue_stats (d, queue)->booting++;
      else
        g_ptr_array_add (_scaler_policy_queue_stats (d, queue)->unanswered, launch);
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

/* Workers: capacity (instance ours and live), zombies (instance gone),
 * or foreign (instance unknown: never counted, never touched). */
void
_scaler_policy_classify_workers (Decide *d)
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
          action = _scaler_policy_add_action (d, SCALER_ACTION_UNREGISTER_WORKER, SCALER_REASON_ZOMBIE,
                                              "Unregistering zombie worker %s: its instance %s is %s; it is not "
                                              "counted as capacity",
                                              worker->id, instance_id,
                                              instance ? scaler_instance_state_to_string (instance->state) : "gone");
          action->worker_id = g_strdup (worker->id);
          action->instance_id = g_strdup (instance_id);
          continue;
        }

      action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_FOREIGN,
                                          "Ignoring worker %s: instance %s is not in this autoscaler's tagged "
                                          "fleet; not counted as capacity",
                                          worker->id, instance_id);
      action->worker_id = g_strdup (worker->id);
    }
}


/* The resources per name and per queue (in listed order). */
static void
index_resources (Decide *d)
{
  for (guint i = 0; i < d->config->resources->len; i++)
    {
      ScalerResource *resource = g_ptr_array_index (d->config->resources, i);
      GPtrArray *list = g_hash_table_lookup (d->queue_resources, resource->queue);

      g_hash_table_insert (d->res_by_name, resource->name, resource);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (d->queue_resources, resource->queue, list);
        }
      g_ptr_array_add (list, resource);
    }
}

/* The fleet: only instances carrying our tag. Everything else is never
 * touched. Cost counts every instance not yet terminated, and every launch
 * in flight; the count per resource the live ones and the launches. */
static void
count_fleet (Decide *d)
{
  for (guint i = 0; i < d->snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (d->snapshot->instances, i);

      if (instance->instance_id == NULL || !instance_is_ours (d->config, instance))
        continue;
      g_hash_table_insert (d->fleet, instance->instance_id, instance);
      if (instance->state != SCALER_INSTANCE_STATE_TERMINATED)
        d->cost += _scaler_policy_instance_price (d, instance);
      if (scaler_instance_state_is_live (instance->state))
        _scaler_policy_resource_count_add (d, instance_resource (instance));
    }
  for (guint i = 0; i < d->launches->len; i++)
    {
      ScalerLedgerLaunch *launch = g_ptr_array_index (d->launches, i);

      d->cost += launch->usd_per_hour;
      _scaler_policy_resource_count_add (d, launch->resource);
    }
}

/* Sets up the working state and an empty plan whose running cost is the
 * fleet's. */
void
_scaler_policy_init (Decide                *d,
                     const ScalerConfig    *config,
                     const ScalerSnapshot  *snapshot,
                     const ScalerLedger    *ledger,
                     gint64                 now,
                     const ScalerPolicyEnv *env)
{
  memset (d, 0, sizeof *d);
  d->config = config;
  d->snapshot = snapshot;
  d->ledger = ledger;
  d->env = env;
  d->now = now;
  d->plan = g_new0 (ScalerPlan, 1);
  d->plan->actions = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_action_free);
  d->fleet = g_hash_table_new (g_str_hash, g_str_equal);
  d->worker_of = g_hash_table_new (g_str_hash, g_str_equal);
  d->terminating = g_hash_table_new (g_str_hash, g_str_equal);
  d->resource_count = g_hash_table_new (g_str_hash, g_str_equal);
  d->res_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  d->queue_resources = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify) g_ptr_array_unref);
  d->queue_stats = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) queue_stats_free);
  d->launches = scaler_ledger_list_launches (ledger);
  index_resources (d);
  count_fleet (d);
  d->plan->usd_per_hour = d->cost;
}

/* Terminated instances free their slot under max_instances. */
void
_scaler_policy_release_terminating (Decide *d)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, d->terminating);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      ScalerInstance *instance = g_hash_table_lookup (d->fleet, key);
      const char *resource = instance_resource (instance);
      guint count = resource ? resource_count (d, resource) : 0;

      if (count > 0)
        g_hash_table_insert (d->resource_count, (gpointer) resource, GUINT_TO_POINTER (count - 1));
    }
}

/* Frees the working state; returns the plan, its planned cost set. */
ScalerPlan *
_scaler_policy_finish (Decide *d)
{
  d->plan->usd_per_hour_planned = d->cost;
  g_hash_table_unref (d->fleet);
  g_hash_table_unref (d->worker_of);
  g_hash_table_unref (d->terminating);
  g_hash_table_unref (d->resource_count);
  g_hash_table_unref (d->queue_stats);
  g_hash_table_unref (d->queue_resources);
  g_hash_table_unref (d->res_by_name);
  g_ptr_array_unref (d->launches);
  return g_steal_pointer (&d->plan);
}
