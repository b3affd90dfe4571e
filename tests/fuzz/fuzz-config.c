/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the saved-config parser and validator on arbitrary bytes.
 * scaler_config_validate_json() must report, never crash; a config that
 * parses must write back to JSON that parses again to the same text.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "scaler-config.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = (const char *) data;

  if (size > 256 * 1024)
    return 0;

  problems = scaler_config_validate_json (size > 0 ? text : "", size);
  g_assert_nonnull (problems);
  for (guint i = 0; i < problems->len; i++)
    {
      const ScalerConfigProblem *problem = g_ptr_array_index (problems, i);

      g_assert_nonnull (problem->path);
      g_assert_nonnull (problem->message);
      g_assert_true (g_utf8_validate (problem->message, -1, NULL));
      g_assert_true (g_utf8_validate (problem->path, -1, NULL));
    }

  config = scaler_config_new_from_json (size > 0 ? text : "", size, &error);
  if (config != NULL)
    {
      g_autofree char *json = scaler_config_to_json (config);
      g_autoptr(ScalerConfig) again = NULL;
      g_autofree char *json_again = NULL;
      g_autoptr(GPtrArray) more = scaler_config_validate (config);

      g_assert_nonnull (more);
      /* json-glib lets some invalid escapes through as raw bytes. Such a
       * config must never validate (so it can never be saved); anything
       * else round-trips exactly. */
      if (!g_utf8_validate (json, -1, NULL))
        {
          g_assert_true (scaler_config_problems_have_errors (more));
          return 0;
        }
      again = scaler_config_new_from_json (json, -1, NULL);
      g_assert_nonnull (again);
      json_again = scaler_config_to_json (again);
      g_assert_cmpstr (json, ==, json_again);
    }
  else
    g_assert_nonnull (error);

  return 0;
}
