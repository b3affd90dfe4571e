/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-plan.c: the snapshot a cycle takes and the plan the policy writes
 * (see scaler-plan.h). */

#define G_LOG_DOMAIN "scaler-plan"

#include "config.h"

#include "scaler-cloud.h"
#include "scaler-plan.h"
#include "scaler-queue-source.h"

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
