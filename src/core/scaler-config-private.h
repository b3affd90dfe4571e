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

/* Parses EC2 tags written as "k1=v1, k2=v2" (split on ',', then on the first
 * '='; blanks around keys and values are dropped; empty items are skipped) and
 * appends ScalerTag*s to @tags. An item without '=' or with an empty key is
 * appended as it is (key = the item, value = "") and, when @bad_item is not
 * NULL, the first such item is returned there. */
void       _scaler_tags_parse_string   (const char            *text,
                                        GPtrArray             *tags,
                                        char                 **bad_item);

G_END_DECLS
