/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-json.c: helpers shared by every JSON reader of libscaler-core. */

#define G_LOG_DOMAIN "scaler-json"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "scaler-error.h"
#include "scaler-json.h"

gboolean
scaler_json_check_depth (const char  *json,
                         gsize        length,
                         guint        max_depth,
                         GError     **error)
{
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  guint depth = 0;
  guint line = 1;
  guint column = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = json[i];

      column++;
      if (c == '\n')
        {
          line++;
          column = 0;
        }

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > max_depth)
            {
              g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                           _("Malformed JSON at line %u, column %u: nested more than %u levels deep"),
                           line, column, max_depth);
              return FALSE;
            }
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }

  return TRUE;
}

char *
_scaler_json_error_message (const GError *error)
{
  const char *message = error->message;
  unsigned int line = 0;
  unsigned int column = 0;
  int consumed = 0;

  /* json-glib: "<data>:LINE:COLUMN: Parse error: TEXT" */
  if (g_str_has_prefix (message, "<data>:") &&
      sscanf (message, "<data>:%u:%u: %n", &line, &column, &consumed) == 2 && consumed > 0)
    {
      const char *text = message + consumed;

      if (g_str_has_prefix (text, "Parse error: "))
        text += strlen ("Parse error: ");

      return g_strdup_printf (_("Malformed JSON at line %u, column %u: %s"), line, column, text);
    }

  return g_strdup_printf (_("Malformed JSON: %s"), message);
}

JsonObject *
scaler_json_parse_object (JsonParser *parser,
                          const char *data,
                          gsize       length)
{
  g_return_val_if_fail (JSON_IS_PARSER (parser), NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (data == NULL || !g_utf8_validate_len (data, length, NULL) ||
      !scaler_json_check_depth (data, length, SCALER_JSON_MAX_DEPTH, NULL) ||
      !json_parser_load_from_data (parser, data, (gssize) length, NULL))
    return NULL;
  return scaler_json_node_object (json_parser_get_root (parser));
}

/* ---- lookups that never warn ---- */

JsonNode *
scaler_json_member (JsonObject *object,
                    const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return object != NULL ? json_object_get_member (object, name) : NULL;
}

gboolean
scaler_json_node_holds (JsonNode *node,
                        GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

gboolean
scaler_json_node_is_number (JsonNode *node)
{
  return scaler_json_node_holds (node, G_TYPE_INT64) || scaler_json_node_holds (node, G_TYPE_DOUBLE);
}

JsonObject *
scaler_json_node_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
scaler_json_node_array (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonObject *
scaler_json_array_object (JsonArray *array,
                          guint      index)
{
  g_return_val_if_fail (array != NULL, NULL);
  g_return_val_if_fail (index < json_array_get_length (array), NULL);

  return scaler_json_node_object (json_array_get_element (array, index));
}

const char *
scaler_json_member_string (JsonObject *object,
                           const char *name)
{
  JsonNode *node = scaler_json_member (object, name);

  return scaler_json_node_holds (node, G_TYPE_STRING) ? json_node_get_string (node) : NULL;
}

JsonObject *
scaler_json_member_object (JsonObject *object,
                           const char *name)
{
  return scaler_json_node_object (scaler_json_member (object, name));
}

JsonArray *
scaler_json_member_array (JsonObject *object,
                          const char *name)
{
  return scaler_json_node_array (scaler_json_member (object, name));
}

gboolean
scaler_json_member_double (JsonObject *object,
                           const char *name,
                           double     *out)
{
  JsonNode *node = scaler_json_member (object, name);

  g_return_val_if_fail (out != NULL, FALSE);

  if (!scaler_json_node_is_number (node))
    return FALSE;
  *out = json_node_get_double (node);
  return TRUE;
}

gboolean
scaler_json_member_int64 (JsonObject *object,
                          const char *name,
                          gint64     *out)
{
  JsonNode *node = scaler_json_member (object, name);
  double value;

  g_return_val_if_fail (out != NULL, FALSE);

  if (scaler_json_node_holds (node, G_TYPE_INT64))
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  if (!scaler_json_node_holds (node, G_TYPE_DOUBLE))
    return FALSE;
  value = json_node_get_double (node);
  if (!(value >= -9.0e15 && value <= 9.0e15) || value != (double) (gint64) value)
    return FALSE;
  *out = (gint64) value;
  return TRUE;
}

gboolean
scaler_json_member_boolean (JsonObject *object,
                            const char *name,
                            gboolean   *out)
{
  JsonNode *node = scaler_json_member (object, name);
  gboolean found = scaler_json_node_holds (node, G_TYPE_BOOLEAN);

  g_return_val_if_fail (out != NULL, FALSE);

  if (found)
    *out = json_node_get_boolean (node);
  return found;
}
