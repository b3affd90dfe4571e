/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-config-private.h: helpers shared by the config parser, validator and
 * importer. Not a contract: internal to libscaler-core. */

#pragma once

#include "scaler-config.h"
#include "scaler-json.h"

G_BEGIN_DECLS

GPtrArray *_scaler_config_problems_new (void);
void       _scaler_config_problem_add  (GPtrArray             *problems,
                                        ScalerProblemSeverity  severity,
                                        const char            *path,
                                        const char            *format,
                                        ...) G_GNUC_PRINTF (4, 5);

/* The config from a parsed JSON root (lenient, as scaler_config_new_from_json). */
ScalerConfig *_scaler_config_new_from_node (JsonNode  *root,
                                            GError   **error);

/* Writes @contents to @path atomically: temp file in the same directory,
 * fsync, rename, mode 0600. */
gboolean   _scaler_write_file_atomic   (const char  *path,
                                        const char  *contents,
                                        gssize       length,
                                        GError     **error);

G_END_DECLS
