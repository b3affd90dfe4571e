/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-config-private.h: helpers shared by the config parser, validator and
 * importer. Not a contract: internal to libscaler-core. */

#pragma once

#include "scaler-config.h"

G_BEGIN_DECLS

/* Parses "k1=v1, k2=v2" (split on ',', then on the first '='; blanks around
 * keys and values are dropped; empty items are skipped) and appends to @tags.
 * An item without '=' or with an empty key is appended as it is (key = the
 * item, value = "") and, when @bad_item is not NULL, the first such item is
 * returned there. */
void       _scaler_tags_parse_string   (const char  *text,
                                        GPtrArray   *tags,
                                        char       **bad_item);

GPtrArray *_scaler_config_problems_new (void);
void       _scaler_config_problem_add  (GPtrArray             *problems,
                                        ScalerProblemSeverity  severity,
                                        const char            *path,
                                        const char            *format,
                                        ...) G_GNUC_PRINTF (4, 5);

/* "Malformed JSON at line L, column C: ..." from a json-glib parse error. */
char      *_scaler_json_error_message  (const GError *error);

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
