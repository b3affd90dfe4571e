/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-connection-check.h: "Test connection", one check per service (AWS,
 * ClearML) with a config and its secrets, run with GTask in a thread over
 * copies of both: the wizard's form, and the service's TestConnection(). */

#pragma once

#include <gio/gio.h>

#include "scaler-config.h"

G_BEGIN_DECLS

typedef enum
{
  SCALER_CONNECTION_CHECK_AWS,
  SCALER_CONNECTION_CHECK_CLEARML,
} ScalerConnectionCheckKind;

void  scaler_connection_check_async  (GObject              *source,
                                 ScalerConnectionCheckKind  kind,
                                 const ScalerConfig   *config,
                                 const ScalerSecrets  *secrets,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
/* The verdict to show when it works, or NULL and an error saying what is
 * wrong (which permission is missing, wrong key, clock skew, no network). */
char *scaler_connection_check_finish (GAsyncResult         *result,
                                 GError              **error);

G_END_DECLS
