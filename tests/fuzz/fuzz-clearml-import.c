/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the ClearML configuration import (YAML through libyaml, and
 * JSON) on arbitrary bytes. The first byte picks the entry point; an import
 * that succeeds must give a config that writes to JSON and validates.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "scaler-config.h"
#include "scaler-config-import.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GPtrArray) report = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;
  guint8 mode;

  if (size < 1 || size > 256 * 1024)
    return 0;

  mode = data[0] % 3;
  text = (const char *) data + 1;
  size--;

  switch (mode)
    {
    case 0:
      config = scaler_config_import_clearml (size > 0 ? text : "", size, NULL, &secrets, &report, &error);
      break;
    case 1:
      config = scaler_config_import_clearml_yaml (size > 0 ? text : "", size, NULL, &secrets, &report, &error);
      break;
    default:
      config = scaler_config_import_clearml_json (size > 0 ? text : "", size, NULL, &secrets, &report, &error);
      break;
    }

  if (config == NULL)
    {
      g_assert_nonnull (error);
      g_assert_null (secrets);
      g_assert_null (report);
      return 0;
    }

  g_assert_nonnull (secrets);
  g_assert_nonnull (report);
  {
    g_autofree char *json = scaler_config_to_json (config);
    g_autoptr(GPtrArray) problems = scaler_config_validate_json (json, -1);

    g_assert_nonnull (problems);
    /* What the import builds is always our JSON shape: no unknown keys or types. */
    for (guint i = 0; i < problems->len; i++)
      g_assert_false (g_str_has_prefix (((ScalerConfigProblem *) g_ptr_array_index (problems, i))->message,
                                        "Unknown key “"));
  }

  return 0;
}
