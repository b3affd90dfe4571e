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
#define error_at(problems, path, ...) \
  _scaler_config_problem_add (problems, SCALER_PROBLEM_ERROR, path, __VA_ARGS__)
#define warning_at(problems, path, ...) \
  _scaler_config_problem_add (problems, SCALER_PROBLEM_WARNING, path, __VA_ARGS__)

/* The errors of @problems, one "path: message" line each (no "path: " for
 * the file as a whole), for an error message; NULL when there is none. */
char      *_scaler_config_problems_error_text (GPtrArray             *problems);

/* The config from a parsed JSON root (lenient, as scaler_config_new_from_json). */
ScalerConfig *_scaler_config_new_from_node (JsonNode  *root,
                                            GError   **error);


G_END_DECLS
