/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-json.c: guards shared by every JSON reader of libscaler-core. */

#define G_LOG_DOMAIN "scaler-json"

#include "config.h"

#include <glib/gi18n.h>

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
