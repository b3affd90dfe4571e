/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-yaml.h: YAML text as a json-glib tree, for the ClearML import.
 * Internal to libscaler-core. */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The first document of @data (YAML 1.1 scalars, as PyYAML reads them: yes,
 * no, on, off, ~ and numbers are typed; keys stay text) as a JsonNode tree.
 * Aliases are expanded within a budget and nesting is limited, so an alias
 * bomb or a deep document is refused. On failure, SCALER_ERROR_PARSE with
 * "Malformed YAML at line L, column C: ..." or "The file is empty". */
JsonNode *scaler_yaml_parse (const char  *data,
                             gsize        length,
                             GError     **error);

G_END_DECLS
