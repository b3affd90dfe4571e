/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-credentials-file.h: ScalerCredentials in 0600 files, for a machine
 * whose session has no Secret Service (a headless server): one GKeyFile per
 * autoscaler, <directory>/<id>.secrets, group [secrets], one key per kind
 * (scaler_secret_kind_to_string()). The directory is created 0700; files are
 * written atomically (temp file, fsync, rename) with mode 0600, and removed
 * when their last secret is cleared. Ids must be UUIDs (no path tricks).
 * Same asynchronous behaviour as the other backends. Values are never logged.
 */

#pragma once

#include "scaler-credentials.h"

G_BEGIN_DECLS

#define SCALER_TYPE_CREDENTIALS_FILE (scaler_credentials_file_get_type ())

G_DECLARE_FINAL_TYPE (ScalerCredentialsFile, scaler_credentials_file, SCALER, CREDENTIALS_FILE, ScalerCredentials)

/* $XDG_CONFIG_HOME/ec2-autoscaler/secrets */
char              *scaler_credentials_file_dup_default_directory (void);
/* @directory: (nullable): NULL for the default. */
ScalerCredentials *scaler_credentials_file_new        (const char            *directory);
const char        *scaler_credentials_file_get_directory (ScalerCredentialsFile *self);

G_END_DECLS
