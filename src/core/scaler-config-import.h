/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-config-import.h: import a ClearML AWS autoscaler configuration
 * (hyper_params + configurations, as JSON or as the YAML its wizard writes)
 * and export our own JSON (without secrets).
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"
#include "scaler-config.h"

G_BEGIN_DECLS

/* Imports @data (JSON or YAML, detected). The result is a new config (new
 * id; name from @name or "Imported from ClearML") that still needs
 * validating. @secrets (out, nullable): cloud_credentials_key/secret/token and
 * git_pass (fields NULL when absent or empty). @report (out, nullable): a
 * GPtrArray of translated strings, one for every key that could not be
 * mapped or was changed on the way. NULL + SCALER_ERROR_PARSE for malformed
 * input or a document that is not a ClearML autoscaler configuration. */
ScalerConfig *scaler_config_import_clearml      (const char          *data,
                                                 gssize               length,
                                                 const char          *name,
                                                 ScalerSecrets      **secrets,
                                                 GPtrArray          **report,
                                                 GError             **error);
ScalerConfig *scaler_config_import_clearml_json (const char          *data,
                                                 gssize               length,
                                                 const char          *name,
                                                 ScalerSecrets      **secrets,
                                                 GPtrArray          **report,
                                                 GError             **error);
ScalerConfig *scaler_config_import_clearml_yaml (const char          *data,
                                                 gssize               length,
                                                 const char          *name,
                                                 ScalerSecrets      **secrets,
                                                 GPtrArray          **report,
                                                 GError             **error);
/* Reads @path; JSON when it ends in .json, YAML otherwise. */
ScalerConfig *scaler_config_import_clearml_file (const char          *path,
                                                 ScalerSecrets      **secrets,
                                                 GPtrArray          **report,
                                                 GError             **error);

/* Writes scaler_config_to_json() to @path atomically (mode 0600). */
gboolean      scaler_config_export              (const ScalerConfig  *config,
                                                 const char          *path,
                                                 GError             **error);

G_END_DECLS
