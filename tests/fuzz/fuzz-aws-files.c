/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the AWS shared-file parser (scaler-aws-files.h: configparser
 * rules as botocore uses them) and the shell-like splitter of section names
 * and credential_process, on arbitrary bytes. A parse that succeeds must give
 * a section table for every section name, and nested values that parse.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "scaler-aws-files.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ScalerAwsIni) ini = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sections = NULL;

  if (size > 1024 * 1024)
    return 0;

  ini = scaler_aws_ini_parse ((const char *) data, size, "fuzz", &error);
  if (ini == NULL)
    g_assert (error != NULL && g_str_has_prefix (error->message, "fuzz"));
  else
    {
      g_assert (error == NULL);
      sections = scaler_aws_ini_dup_sections (ini);
      for (guint i = 0; sections[i] != NULL; i++)
        {
          GHashTable *table = scaler_aws_ini_get_section (ini, sections[i]);
          GHashTableIter iter;
          gpointer key, value;

          g_assert (table != NULL);
          g_assert (*sections[i] != '\0');
          g_hash_table_iter_init (&iter, table);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              g_autoptr(GHashTable) nested = scaler_aws_ini_parse_nested (value);

              g_assert (g_utf8_validate (key, -1, NULL) && g_utf8_validate (value, -1, NULL));
              g_assert ((nested != NULL) == (((const char *) value)[0] == '\n'));
            }
        }
    }

  if (memchr (data, '\0', size) == NULL)
    {
      g_autofree char *text = g_strndup ((const char *) data, size);
      g_autoptr(GError) split_error = NULL;
      g_auto(GStrv) words = scaler_aws_shlex_split (text, &split_error);

      g_assert ((words == NULL) == (split_error != NULL));
    }
  return 0;
}
