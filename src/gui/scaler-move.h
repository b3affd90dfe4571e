/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-move.h: "Move to Server…": an autoscaler of this computer goes to
 * a server, keeping its id (so the server's engine adopts the instances
 * that carry its tag, and launches nothing twice).
 *
 *   1. the configuration over the bus: Manager.Create on the server;
 *   2. its secrets, only when the user agreed (@credentials not NULL):
 *      looked up in this computer's keyring, sent with StoreSecrets (the
 *      server keeps them in its keyring, or a 0600 file without one);
 *   3. when it runs here: Start there, then wait until the server reports
 *      it "running";
 *   4. only then this computer's copy goes: its on_stop becomes "keep" first
 *      when it was running (stopping it here must not terminate the
 *      instances the server now manages), then Delete (stop, file and
 *      keyring secrets).
 * A failure before step 4 removes the server's copy again and leaves this
 * computer's as it was; the error says what happened.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-client-autoscaler.h"
#include "scaler-credentials.h"
#include "scaler-machine.h"

G_BEGIN_DECLS

/* How long the server may take to report the moved autoscaler running. */
#define SCALER_MOVE_START_TIMEOUT_S 180.0

void                    scaler_move_autoscaler_async  (ScalerClientAutoscaler *autoscaler,
                                                       ScalerMachine          *server,
                                                       ScalerCredentials      *credentials,
                                                       GCancellable           *cancellable,
                                                       GAsyncReadyCallback     callback,
                                                       gpointer                user_data);
/* The server's copy (transfer none). */
ScalerClientAutoscaler *scaler_move_autoscaler_finish (GAsyncResult           *result,
                                                       GError                **error);

G_END_DECLS
