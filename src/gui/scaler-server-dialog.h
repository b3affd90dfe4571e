/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-application.h"

G_BEGIN_DECLS

#define SCALER_TYPE_SERVER_DIALOG (scaler_server_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ScalerServerDialog, scaler_server_dialog, SCALER, SERVER_DIALOG, AdwWindow)

/* "Add Server…": asks for [user@]host[:port], connects (without ever
 * prompting for a password) and, once the service there answers, adds the
 * server to @application and emits "added" (ScalerMachine *) and closes.
 * A failure stays in the dialog, saying what is wrong, so the address can
 * be corrected. */
ScalerServerDialog *scaler_server_dialog_new       (ScalerApplication  *application);
/* The error shown, or NULL. */
const char         *scaler_server_dialog_get_error (ScalerServerDialog *self);

G_END_DECLS
