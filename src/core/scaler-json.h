/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-json.h: helpers shared by every JSON reader of libscaler-core
 * (config, ClearML import, ClearML answers, ledger). Internal to the core. */

#pragma once

#include <glib.h>

#include "scaler-types.h"

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

/* "Malformed JSON at line L, column C: ..." from a json-glib parse error. */
char    *_scaler_json_error_message (const GError *error);

/* Parses EC2 tags written as "k1=v1, k2=v2" (split on ',', then on the first
 * '='; blanks around keys and values are dropped; empty items are skipped) and
 * appends ScalerTag*s to @tags. An item without '=' or with an empty key is
 * appended as it is (key = the item, value = "") and, when @bad_item is not
 * NULL, the first such item is returned there. */
void     _scaler_tags_parse_string  (const char   *text,
                                     GPtrArray    *tags,
                                     char        **bad_item);

G_END_DECLS
