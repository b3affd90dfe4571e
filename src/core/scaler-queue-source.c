/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-queue-source"

#include "config.h"

#include "scaler-queue-source.h"

G_DEFINE_INTERFACE (ScalerQueueSource, scaler_queue_source, G_TYPE_OBJECT)

static void
scaler_queue_source_default_init (ScalerQueueSourceInterface *iface)
{
}

gboolean
scaler_queue_source_get_pending (ScalerQueueSource   *self,
                                 const char * const  *queues,
                                 guint               *out_counts,
                                 GCancellable        *cancellable,
                                 GError             **error)
{
  g_return_val_if_fail (SCALER_IS_QUEUE_SOURCE (self), FALSE);
  g_return_val_if_fail (queues != NULL, FALSE);
  g_return_val_if_fail (out_counts != NULL, FALSE);

  return SCALER_QUEUE_SOURCE_GET_IFACE (self)->get_pending (self, queues, out_counts,
                                                            cancellable, error);
}

GPtrArray *
scaler_queue_source_list_workers (ScalerQueueSource  *self,
                                  const char         *workers_prefix,
                                  GCancellable       *cancellable,
                                  GError            **error)
{
  g_return_val_if_fail (SCALER_IS_QUEUE_SOURCE (self), NULL);
  g_return_val_if_fail (workers_prefix != NULL, NULL);

  return SCALER_QUEUE_SOURCE_GET_IFACE (self)->list_workers (self, workers_prefix,
                                                             cancellable, error);
}

gboolean
scaler_queue_source_unregister_worker (ScalerQueueSource  *self,
                                       const char         *worker_id,
                                       GCancellable       *cancellable,
                                       GError            **error)
{
  g_return_val_if_fail (SCALER_IS_QUEUE_SOURCE (self), FALSE);
  g_return_val_if_fail (worker_id != NULL, FALSE);

  return SCALER_QUEUE_SOURCE_GET_IFACE (self)->unregister_worker (self, worker_id,
                                                                  cancellable, error);
}

ScalerWorker *
scaler_worker_new (void)
{
  ScalerWorker *self = g_new0 (ScalerWorker, 1);

  self->queues = g_new0 (char *, 1);

  return self;
}

ScalerWorker *
scaler_worker_copy (const ScalerWorker *self)
{
  ScalerWorker *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (ScalerWorker, 1);
  copy->id = g_strdup (self->id);
  copy->task_id = g_strdup (self->task_id);
  copy->task_name = g_strdup (self->task_name);
  copy->register_time = self->register_time;
  copy->last_activity_time = self->last_activity_time;
  copy->queues = self->queues ? g_strdupv (self->queues) : g_new0 (char *, 1);

  return copy;
}

void
scaler_worker_free (ScalerWorker *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->task_id);
  g_free (self->task_name);
  g_strfreev (self->queues);
  g_free (self);
}
