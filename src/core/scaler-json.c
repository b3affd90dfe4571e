/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-json.c: helpers shared by every JSON reader of libscaler-core. */

#define G_LOG_DOMAIN "scaler-json"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "scaler-config.h"
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

void
_scaler_tags_parse_string (const char  *text,
                           GPtrArray   *tags,
                           char       **bad_item)
{
  g_auto(GStrv) items = NULL;

  if (text == NULL)
    return;

  items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      char *equal;

      if (*item == '\0')
        continue;

      equal = strchr (item, '=');
      if (equal == NULL || equal == item)
        {
          if (bad_item != NULL && *bad_item == NULL)
            *bad_item = g_strdup (item);
          g_ptr_array_add (tags, scaler_tag_new (item, ""));
          continue;
        }

      *equal = '\0';
      g_ptr_array_add (tags, scaler_tag_new (g_strstrip (item), g_strstrip (equal + 1)));
    }
}
