/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-machine.h: one background service the app is a view of: this
 * computer's (the session bus), or a server's (D-Bus over SSH, see
 * scaler-remote-transport.h). The client layer of the app, after
 * gnome-online-accounts' GoaClient: it wraps a GDBusObjectManagerClient and
 * exposes the service's autoscalers as a GListModel of
 * ScalerClientAutoscaler, updated in place.
 *
 * Connecting: the bus connection, then StartServiceByName (D-Bus activation
 * starts the service when none runs; a clear error when it cannot), then the
 * object manager. A service that goes away, or a connection that drops,
 * makes the machine "unreachable" with the reason; scaler_machine_connect()
 * retries, and the local machine reconnects by itself when the service
 * comes back. Nothing here blocks the main loop.
 *
 * Signals:
 *   event (ScalerClientAutoscaler *autoscaler, const char *kind,
 *          const char *title, const char *body): an Event of the service.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-client-autoscaler.h"

G_BEGIN_DECLS

/* Connecting, activation included, gives up after this long. */
#define SCALER_MACHINE_CONNECT_TIMEOUT_S 30.0

typedef enum
{
  SCALER_MACHINE_CONNECTING,
  SCALER_MACHINE_CONNECTED,
  SCALER_MACHINE_UNREACHABLE,
} ScalerMachineStatus;

GType scaler_machine_status_get_type (void) G_GNUC_CONST;
#define SCALER_TYPE_MACHINE_STATUS (scaler_machine_status_get_type ())

#define SCALER_TYPE_MACHINE (scaler_machine_get_type ())
G_DECLARE_FINAL_TYPE (ScalerMachine, scaler_machine, SCALER, MACHINE, GObject)

/* This computer: the session bus. Not connected yet. */
ScalerMachine       *scaler_machine_new_local       (void);
/* A server, "[user@]host[:port]". Not connected yet. */
ScalerMachine       *scaler_machine_new_remote      (const char     *address);

gboolean             scaler_machine_is_local        (ScalerMachine  *self);
/* NULL for this computer. */
const char          *scaler_machine_get_address     (ScalerMachine  *self);
/* "This Computer", or the server's host name (its service's Hostname),
 * or its address until connected. */
const char          *scaler_machine_get_title       (ScalerMachine  *self);
/* (nullable): the Manager's Hostname, once connected. */
const char          *scaler_machine_get_hostname    (ScalerMachine  *self);
ScalerMachineStatus  scaler_machine_get_status      (ScalerMachine  *self);
/* (nullable): why it is unreachable. */
const char          *scaler_machine_get_error       (ScalerMachine  *self);
/* Whether the service keeps secrets in a keyring (else in a 0600 file). */
gboolean             scaler_machine_get_has_keyring (ScalerMachine  *self);
/* (nullable): until connected. */
GDBusConnection     *scaler_machine_get_connection  (ScalerMachine  *self);

/* Of ScalerClientAutoscaler: sorted by name when connecting, then new ones
 * at the end (a rename does not move a row). Empty unless connected. */
GListModel          *scaler_machine_get_autoscalers (ScalerMachine  *self);
/* (nullable) (transfer none) */
ScalerClientAutoscaler *scaler_machine_find         (ScalerMachine  *self,
                                                     const char     *id);

/* (nullable) (transfer none): by object path (what Duplicate returns). */
ScalerClientAutoscaler *scaler_machine_find_by_path (ScalerMachine  *self,
                                                     const char     *path);

/* (Re)connects, unless connected or connecting. */
void                 scaler_machine_connect         (ScalerMachine  *self);
/* Drops the connection (a removed server); the machine is unreachable. */
void                 scaler_machine_disconnect      (ScalerMachine  *self);

/* Manager.Create with @config_json; finish returns the new autoscaler
 * (transfer none) once it is in the list. */
void                 scaler_machine_create_async    (ScalerMachine        *self,
                                                     const char           *config_json,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
ScalerClientAutoscaler *scaler_machine_create_finish (ScalerMachine       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
/* Manager.StopAll. */
void                 scaler_machine_stop_all_async  (ScalerMachine        *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean             scaler_machine_stop_all_finish (ScalerMachine        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
/* Waits until the autoscaler of @id is in the list (created or renamed by
 * another client, say), up to @timeout_s; finish returns it (transfer none). */
void                 scaler_machine_wait_for_async  (ScalerMachine        *self,
                                                     const char           *id,
                                                     double                timeout_s,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
ScalerClientAutoscaler *scaler_machine_wait_for_finish (ScalerMachine     *self,
                                                        GAsyncResult      *result,
                                                        GError           **error);

G_END_DECLS
