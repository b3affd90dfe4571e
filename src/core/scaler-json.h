/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-json.h: helpers shared by every JSON reader of libscaler-core
 * (config, ClearML import, ClearML answers, AWS credential answers, prices,
 * partitions, ledger). Internal to the core. */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

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

/* The root object of @data (owned by @parser), or NULL when @data is not
 * UTF-8 JSON text holding an object, nested at most SCALER_JSON_MAX_DEPTH
 * deep. For answers and files whose errors the caller words itself: it
 * never warns and never quotes @data (which may hold secrets). */
JsonObject *scaler_json_parse_object   (JsonParser *parser,
                                        const char *data,
                                        gsize       length);

/* Lookups that never warn, whatever the JSON holds: a missing member, a
 * member of another type and a NULL @object or @node all give NULL (or
 * FALSE), so a reader of untrusted text never hits a critical. */

/* The member as it is (a JSON null is a node holding null); NULL when absent. */
JsonNode   *scaler_json_member         (JsonObject *object,
                                        const char *name);
/* TRUE when @node is a value of exactly @type (G_TYPE_STRING, G_TYPE_INT64,
 * G_TYPE_DOUBLE or G_TYPE_BOOLEAN). */
gboolean    scaler_json_node_holds     (JsonNode   *node,
                                        GType       type);
/* TRUE when @node is a number (an integer or not). */
gboolean    scaler_json_node_is_number (JsonNode   *node);
JsonObject *scaler_json_node_object    (JsonNode   *node);
JsonArray  *scaler_json_node_array     (JsonNode   *node);
/* The @index-th element when it is an object (@index must be in range). */
JsonObject *scaler_json_array_object   (JsonArray  *array,
                                        guint       index);

const char *scaler_json_member_string  (JsonObject *object,
                                        const char *name);
JsonObject *scaler_json_member_object  (JsonObject *object,
                                        const char *name);
JsonArray  *scaler_json_member_array   (JsonObject *object,
                                        const char *name);
/* Store the member in @out and return TRUE when it has the right type;
 * otherwise leave @out alone and return FALSE. A number is an integer or
 * not; an int64 is an integer or a whole number written with a fraction or
 * an exponent ("3.0", "1e3"), within +-9e15 where doubles are exact. */
gboolean    scaler_json_member_double  (JsonObject *object,
                                        const char *name,
                                        double     *out);
gboolean    scaler_json_member_int64   (JsonObject *object,
                                        const char *name,
                                        gint64     *out);
gboolean    scaler_json_member_boolean (JsonObject *object,
                                        const char *name,
                                        gboolean   *out);

G_END_DECLS
