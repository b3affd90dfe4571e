/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-engine-registry.h: the composition root of libscaler-core.
 *
 * The one place that knows how an autoscaler is put together:
 * - where its state lives: $XDG_STATE_HOME/ec2-autoscaler/<id>/ (ledger,
 *   desired state, history);
 * - its engine: the simulator for a demo config, otherwise EC2 + ClearML with
 *   the bootstrap script as user-data;
 * - its secrets: "keyring" from the ScalerCredentials backends given at
 *   construction, "environment" from the process environment;
 * - the engines that run, by config id: start, stop with a timeout, stop all,
 *   and a new config applied to a running engine from its next cycle.
 * ec2-autoscalerd (one config, and --service) and the GUI use it; nothing
 * else builds engines.
 *
 * Main-thread object: call it, and get its callbacks, on the thread whose
 * main context was the thread-default when it was created.
 *
 * Signals:
 *   engine-changed (const char *id): an engine was added or removed for id
 *     (see scaler_engine_registry_get_engine()). A new engine is announced
 *     just before it starts, so a handler can connect to its signals first.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"
#include "scaler-config.h"
#include "scaler-credentials.h"
#include "scaler-engine.h"
#include "scaler-history.h"

G_BEGIN_DECLS

/* A demo runs its simulator this many times faster than real time. */
#define SCALER_DEMO_SPEED 60.0

#define SCALER_TYPE_ENGINE_REGISTRY (scaler_engine_registry_get_type ())
G_DECLARE_FINAL_TYPE (ScalerEngineRegistry, scaler_engine_registry, SCALER, ENGINE_REGISTRY, GObject)

/* $XDG_STATE_HOME/ec2-autoscaler: the parent of every state directory. */
char                 *scaler_engine_registry_dup_state_root  (void);
/* $XDG_STATE_HOME/ec2-autoscaler/<id>: the state directory of one autoscaler
 * (not created here). */
char                 *scaler_engine_registry_dup_state_dir   (const char           *id);

/* The engine for @config, not started: the simulator (at SCALER_DEMO_SPEED,
 * its virtual clock starting at @not_before or now, whichever is later) when
 * config->demo is set, where @secrets may be NULL; otherwise EC2 + ClearML
 * with @secrets and the bootstrap user-data. @state_dir: where its ledger
 * lives (created 0700 if missing), NULL to keep it in memory (tests). */
ScalerEngine         *scaler_engine_registry_build_engine    (ScalerConfig         *config,
                                                              const ScalerSecrets  *secrets,
                                                              const char           *state_dir,
                                                              gint64                not_before,
                                                              GError              **error);

/* @keyring: (nullable): where "keyring" secrets are looked up first (the
 * Secret Service, or memory in tests). @fallback: (nullable): where kinds
 * the keyring does not have are looked up next (the 0600 secrets file of a
 * machine without a keyring). With neither, every source reads the
 * environment (ec2-autoscalerd CONFIG.json). */
ScalerEngineRegistry *scaler_engine_registry_new             (ScalerCredentials    *keyring,
                                                              ScalerCredentials    *fallback);

/* The secrets of @config (never logged): none for a demo; "keyring" sources
 * from the backends, "environment" sources from this process's environment.
 * Kinds found nowhere stay NULL: the engine then says what is missing. */
void                  scaler_engine_registry_lookup_secrets_async  (ScalerEngineRegistry *self,
                                                                    ScalerConfig         *config,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
ScalerSecrets        *scaler_engine_registry_lookup_secrets_finish (ScalerEngineRegistry *self,
                                                                    GAsyncResult         *result,
                                                                    GError              **error);

/* (nullable) (transfer none): the engine of @id while it runs or stops. */
ScalerEngine         *scaler_engine_registry_get_engine      (ScalerEngineRegistry *self,
                                                              const char           *id);
guint                 scaler_engine_registry_get_n_engines   (ScalerEngineRegistry *self);

/* Looks up the secrets, builds the engine and starts it (nothing happens if
 * @config->id already runs, or is starting). @state_dir: (nullable): the
 * rule above. @history: (nullable): the history the engine appends to; a
 * demo's clock resumes after its newest sample. Finish returns the engine
 * (transfer none), or NULL with an error (missing secrets, a stop() that came
 * first: G_IO_ERROR_CANCELLED). */
void                  scaler_engine_registry_start_async     (ScalerEngineRegistry *self,
                                                              ScalerConfig         *config,
                                                              const char           *state_dir,
                                                              ScalerHistory        *history,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
ScalerEngine         *scaler_engine_registry_start_finish    (ScalerEngineRegistry *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);

/* Stops the engine of @id (cancel, wait, honour on_stop, within about
 * @timeout_s; <= 0: 20 s) and forgets it; a start still looking up secrets
 * is abandoned. TRUE when nothing runs under @id. */
void                  scaler_engine_registry_stop_async      (ScalerEngineRegistry *self,
                                                              const char           *id,
                                                              double                timeout_s,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
gboolean              scaler_engine_registry_stop_finish     (ScalerEngineRegistry *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);

/* Stops every engine. Completes when all have stopped, or after @timeout_s
 * (the engines honour on_stop within a little less); the finish then fails
 * with G_IO_ERROR_TIMED_OUT naming how many did not stop in time. */
void                  scaler_engine_registry_stop_all_async  (ScalerEngineRegistry *self,
                                                              double                timeout_s,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
gboolean              scaler_engine_registry_stop_all_finish (ScalerEngineRegistry *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);
/* The same, blocking: iterates the thread-default main context meanwhile
 * (quitting an application). */
void                  scaler_engine_registry_stop_all        (ScalerEngineRegistry *self,
                                                              double                timeout_s);

/* A new version of a running autoscaler's config (same id): the engine
 * uses it from its next cycle, with seams built anew for its secrets (looked
 * up again, so new credentials apply too). A demo keeps its simulated world.
 * A config that switches between demo and real stops the engine (honouring
 * the old config's on_stop) and starts a new one. TRUE at once when @id is
 * not running. */
void                  scaler_engine_registry_apply_config_async  (ScalerEngineRegistry *self,
                                                                  ScalerConfig         *config,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
gboolean              scaler_engine_registry_apply_config_finish (ScalerEngineRegistry *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);

G_END_DECLS
