/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-queue-source.h: the queue seam (docs/design.md, "The two seams").
 *
 * CONTRACT: a GInterface with BLOCKING methods, called on the engine's worker
 * thread. Implementations: ClearML (real, scaler-clearml-source.c) and the
 * simulated queue (scaler-sim.c). Errors: SCALER_CLEARML_ERROR (scaler-clearml.h)
 * for the real one; the simulator uses the same domain.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"

G_BEGIN_DECLS

struct _ScalerWorker
{
  char   *id;                  /* worker id (see scaler_worker_id_build) */
  char   *task_id;             /* NULL when idle */
  char   *task_name;           /* nullable */
  gint64  register_time;       /* usec since epoch, 0 if unknown */
  gint64  last_activity_time;  /* usec since epoch, 0 if unknown */
  GStrv   queues;              /* queue names it listens to (never NULL) */
};

#define SCALER_TYPE_QUEUE_SOURCE (scaler_queue_source_get_type ())
G_DECLARE_INTERFACE (ScalerQueueSource, scaler_queue_source, SCALER, QUEUE_SOURCE, GObject)

struct _ScalerQueueSourceInterface
{
  GTypeInterface parent_iface;

  /* Pending (queued) task count of each queue; out_counts has one slot per
   * name. A queue that does not exist counts 0 (and may be logged). Must never
   * take a task off a queue. */
  gboolean   (*get_pending)       (ScalerQueueSource  *self,
                                   const char * const *queues,
                                   guint              *out_counts,
                                   GCancellable       *cancellable,
                                   GError            **error);
  /* Workers whose id starts with "<workers_prefix>:". ScalerWorker*. */
  GPtrArray *(*list_workers)      (ScalerQueueSource  *self,
                                   const char         *workers_prefix,
                                   GCancellable       *cancellable,
                                   GError            **error);
  /* An unknown worker is not an error. */
  gboolean   (*unregister_worker) (ScalerQueueSource  *self,
                                   const char         *worker_id,
                                   GCancellable       *cancellable,
                                   GError            **error);
};

gboolean   scaler_queue_source_get_pending       (ScalerQueueSource  *self,
                                                  const char * const *queues,
                                                  guint              *out_counts,
                                                  GCancellable       *cancellable,
                                                  GError            **error);
GPtrArray *scaler_queue_source_list_workers      (ScalerQueueSource  *self,
                                                  const char         *workers_prefix,
                                                  GCancellable       *cancellable,
                                                  GError            **error);
gboolean   scaler_queue_source_unregister_worker (ScalerQueueSource  *self,
                                                  const char         *worker_id,
                                                  GCancellable       *cancellable,
                                                  GError            **error);

ScalerWorker *scaler_worker_new  (void);
ScalerWorker *scaler_worker_copy (const ScalerWorker *self);
void          scaler_worker_free (ScalerWorker       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerWorker, scaler_worker_free)

G_END_DECLS
