/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-client-autoscaler.h: one autoscaler of a background service, as
 * the app sees it (the client half of
 * data/io.github.ec2autoscaler.Autoscaler1.xml).
 *
 * It wraps the generated proxy of one object of a ScalerMachine and mirrors
 * what the sidebar and the dashboard need: the properties (notify on
 * change, updated in place), the parsed Config, and, once
 * scaler_client_autoscaler_load() was called, the last cycle (GetSnapshot,
 * then CycleFinished), the plots' history (one GetHistory, then extended
 * from CycleFinished) and the console (GetLog, then Log). Every call is
 * asynchronous with an explicit timeout; nothing blocks the main loop.
 *
 * Signals (main thread):
 *   log-line (gint64 time, ScalerLogLevel level, const char *text)
 *   cycle-finished (ScalerCycleResult *result): after the history got it
 *   loaded (): the history, the snapshot and the backlog arrived
 *   event (const char *kind, const char *title, const char *body)
 */

#pragma once

#include <gio/gio.h>

#include "scaler-config.h"
#include "scaler-dbus-generated.h"
#include "scaler-engine.h"
#include "scaler-history.h"

G_BEGIN_DECLS

/* Per call, unless said otherwise. */
#define SCALER_CLIENT_CALL_TIMEOUT_MS    30000
/* GetHistory of 7 days can be a few MB through a slow link. */
#define SCALER_CLIENT_HISTORY_TIMEOUT_MS 120000
/* Lines of console kept per autoscaler (as many as the service keeps). */
#define SCALER_CLIENT_LOG_LINES          5000

typedef struct _ScalerMachine ScalerMachine;

typedef struct
{
  gint64          time;
  ScalerLogLevel  level;
  char           *text;
} ScalerClientLogLine;

typedef void (*ScalerClientLogFunc) (const ScalerClientLogLine *line,
                                     gpointer                   user_data);

#define SCALER_TYPE_CLIENT_AUTOSCALER (scaler_client_autoscaler_get_type ())
G_DECLARE_FINAL_TYPE (ScalerClientAutoscaler, scaler_client_autoscaler, SCALER, CLIENT_AUTOSCALER, GObject)

/* For ScalerMachine: @proxy is a ScalerDbusAutoscalerProxy of @machine's
 * connection. */
ScalerClientAutoscaler *scaler_client_autoscaler_new          (ScalerMachine          *machine,
                                                               ScalerDbusAutoscaler   *proxy);
/* (nullable): the machine, while it lives. */
ScalerMachine          *scaler_client_autoscaler_get_machine  (ScalerClientAutoscaler *self);
ScalerDbusAutoscaler   *scaler_client_autoscaler_get_proxy    (ScalerClientAutoscaler *self);
/* What window actions name an autoscaler by: its id on this computer,
 * "<server address>/<id>" on a server. */
char                   *scaler_client_autoscaler_dup_key      (ScalerClientAutoscaler *self);

const char             *scaler_client_autoscaler_get_id       (ScalerClientAutoscaler *self);
const char             *scaler_client_autoscaler_get_name     (ScalerClientAutoscaler *self);
/* "stopped", "starting", "running", "stopping" or "failed". */
const char             *scaler_client_autoscaler_get_state    (ScalerClientAutoscaler *self);
/* Empty when there is nothing to say. */
const char             *scaler_client_autoscaler_get_error    (ScalerClientAutoscaler *self);
/* "running" or "stopped". */
const char             *scaler_client_autoscaler_get_desired_state (ScalerClientAutoscaler *self);
/* (nullable): the configuration the service runs; NULL when its file never
 * loaded (then the autoscaler is "broken": get_error says why). */
ScalerConfig           *scaler_client_autoscaler_get_config   (ScalerClientAutoscaler *self);
const char             *scaler_client_autoscaler_get_config_json (ScalerClientAutoscaler *self);
const char             *scaler_client_autoscaler_get_config_path (ScalerClientAutoscaler *self);
gboolean                scaler_client_autoscaler_is_broken    (ScalerClientAutoscaler *self);
/* The user wants it running (desired state), or it still runs. */
gboolean                scaler_client_autoscaler_is_active    (ScalerClientAutoscaler *self);
gboolean                scaler_client_autoscaler_get_demo     (ScalerClientAutoscaler *self);
guint                   scaler_client_autoscaler_get_instances     (ScalerClientAutoscaler *self);
double                  scaler_client_autoscaler_get_cost_per_hour (ScalerClientAutoscaler *self);
guint                   scaler_client_autoscaler_get_idle_workers  (ScalerClientAutoscaler *self);
guint                   scaler_client_autoscaler_get_busy_workers  (ScalerClientAutoscaler *self);
guint                   scaler_client_autoscaler_get_pending_tasks (ScalerClientAutoscaler *self);
guint                   scaler_client_autoscaler_get_cycle         (ScalerClientAutoscaler *self);

/* Asks for the history, the last cycle and the console backlog (once; the
 * object then keeps them up to date). */
void                    scaler_client_autoscaler_load         (ScalerClientAutoscaler *self);
gboolean                scaler_client_autoscaler_is_loaded    (ScalerClientAutoscaler *self);
/* (nullable): until loaded. */
ScalerHistory          *scaler_client_autoscaler_get_history  (ScalerClientAutoscaler *self);
ScalerCycleResult      *scaler_client_autoscaler_get_last_result (ScalerClientAutoscaler *self);
guint                   scaler_client_autoscaler_get_n_log_lines (ScalerClientAutoscaler *self);
void                    scaler_client_autoscaler_foreach_log_line (ScalerClientAutoscaler *self,
                                                                   ScalerClientLogFunc     func,
                                                                   gpointer                user_data);

/* One method of the Autoscaler interface ("Start", "Stop",
 * "TerminateIdleNow", "TerminateInstance", "GetConsoleOutput", "Update",
 * "Duplicate", "Delete", "TestConnection", "StoreSecrets"), with
 * @parameters (floating, nullable) and @timeout_ms (<= 0: the default).
 * Finish returns the reply tuple, or NULL with the service's error
 * (SCALER_DBUS_ERROR codes, the message without the D-Bus prefix). */
void                    scaler_client_autoscaler_call         (ScalerClientAutoscaler *self,
                                                               const char             *method,
                                                               GVariant               *parameters,
                                                               int                     timeout_ms,
                                                               GCancellable           *cancellable,
                                                               GAsyncReadyCallback     callback,
                                                               gpointer                user_data);
GVariant               *scaler_client_autoscaler_call_finish  (ScalerClientAutoscaler *self,
                                                               GAsyncResult           *result,
                                                               GError                **error);

/* Removes the D-Bus prefix of a remote error, in place; returns @error. */
GError                 *scaler_client_error_strip             (GError                 *error);

G_END_DECLS
