/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-credentials-memory.h: ScalerCredentials kept in memory (unit tests,
 * and the demo). Same asynchronous behaviour as the keyring backend: results
 * are delivered from an idle callback, never synchronously.
 */

#pragma once

#include "scaler-credentials.h"

G_BEGIN_DECLS

#define SCALER_TYPE_CREDENTIALS_MEMORY (scaler_credentials_memory_get_type ())

G_DECLARE_FINAL_TYPE (ScalerCredentialsMemory, scaler_credentials_memory, SCALER, CREDENTIALS_MEMORY, ScalerCredentials)

ScalerCredentials *scaler_credentials_memory_new         (void);
/* Number of secrets stored, over every instance. */
guint              scaler_credentials_memory_get_n_items (ScalerCredentialsMemory *self);

G_END_DECLS
