/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-json.h: guards shared by every JSON reader of libscaler-core
 * (config, ClearML import, ClearML answers, ledger). */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Depth limit for files we read (config, import, ledger). */
#define SCALER_JSON_MAX_DEPTH 64

/* json-glib parses recursively: refuse nesting deeper than @max_depth before
 * handing it text (a file of "[[[[…" would overflow the stack). On failure,
 * SCALER_ERROR_PARSE: "Malformed JSON at line L, column C: nested more than
 * N levels deep". */
gboolean scaler_json_check_depth (const char  *json,
                                  gsize        length,
                                  guint        max_depth,
                                  GError     **error);

G_END_DECLS
