/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-clearml-source.h: the real ScalerQueueSource, backed by the ClearML
 * REST API (scaler-clearml.h).
 *
 * Threads (scaler-queue-source.h): the engine calls it on a worker thread, one
 * cycle at a time, not always on the same thread. The client's mutex guards
 * the curl handle, the token and the learnt API version, so calls from
 * different threads are serialised.
 *
 * get_pending: one queues.get_all for the exact names (every page), then per
 * queue get_num_entries (API >= 2.15) or get_by_id + len(entries). A queue
 * that does not exist counts 0 (logged at debug level). It never calls
 * queues.get_next_task.
 * list_workers: workers.get_all (worker_pattern "<prefix>:*" on API >= 2.30)
 * filtered client-side by "<prefix>:".
 * unregister_worker: workers.unregister; an unknown worker is not an error.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-queue-source.h"
#include "scaler-types.h"

G_BEGIN_DECLS

#define SCALER_TYPE_CLEARML_SOURCE (scaler_clearml_source_get_type ())
G_DECLARE_FINAL_TYPE (ScalerClearmlSource, scaler_clearml_source, SCALER, CLEARML_SOURCE, GObject)

/* Uses config->clearml_api_server and the ClearML key/secret of @secrets.
 * Fails with SCALER_ERROR_CREDENTIALS_MISSING when they are missing, or
 * SCALER_CLEARML_ERROR_BAD_REQUEST for an unusable api_server URL. */
ScalerClearmlSource *scaler_clearml_source_new        (const ScalerConfig  *config,
                                                       const ScalerSecrets *secrets,
                                                       GError             **error);
/* The underlying client (owned by the source), e.g. for tasks.get_all. */
ScalerClearmlClient *scaler_clearml_source_get_client (ScalerClearmlSource *self);

G_END_DECLS
