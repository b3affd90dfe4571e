/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-config.h"
#include "scaler-credentials.h"
#include "scaler-engine.h"
#include "scaler-autoscaler-store.h"

G_BEGIN_DECLS

#define SCALER_TYPE_APPLICATION (scaler_application_get_type ())

G_DECLARE_FINAL_TYPE (ScalerApplication, scaler_application, SCALER, APPLICATION, AdwApplication)

/* Signals:
 *   engine-changed (const char *instance_id): an engine was started or
 *     removed for that instance (see scaler_application_get_engine()). */

ScalerApplication   *scaler_application_new              (void);
GSettings           *scaler_application_get_settings     (ScalerApplication   *self);
/* The saved autoscalers, loaded at startup. */
ScalerAutoscalerStore *scaler_application_get_store        (ScalerApplication   *self);
/* The keyring, or memory when SCALER_CREDENTIALS=memory (tests, screenshots). */
ScalerCredentials   *scaler_application_get_credentials  (ScalerApplication   *self);

/* (nullable) (transfer none): the engine of a running (or stopping) instance. */
ScalerEngine        *scaler_application_get_engine       (ScalerApplication   *self,
                                                          const char          *instance_id);
guint                scaler_application_get_n_engines    (ScalerApplication   *self);
/* Through ScalerEngineRegistry: looks up the secrets (none for a demo),
 * creates the engine and starts it. */
void                 scaler_application_start_autoscaler_async  (ScalerApplication   *self,
                                                               const char          *instance_id,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
gboolean             scaler_application_start_autoscaler_finish (ScalerApplication   *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
/* Stops the engine (honouring on_stop) and forgets it. */
void                 scaler_application_stop_autoscaler_async   (ScalerApplication   *self,
                                                               const char          *instance_id,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
gboolean             scaler_application_stop_autoscaler_finish  (ScalerApplication   *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
/* Stops every engine, waiting at most @timeout_s seconds (main loop runs). */
void                 scaler_application_stop_all         (ScalerApplication   *self,
                                                          double               timeout_s);

G_END_DECLS
