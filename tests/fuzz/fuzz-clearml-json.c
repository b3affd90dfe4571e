/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the ClearML answer parsers (scaler-clearml.h) on arbitrary
 * bytes. The first byte picks the HTTP status and content type; the rest is
 * the body, fed to the envelope parser and, when that accepts it, to every
 * payload parser (queues, workers, tasks, num entries, queue entries). The
 * body also goes to the time and version parsers as text.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "scaler-clearml.h"
#include "scaler-queue-source.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const guint statuses[] = { 200, 200, 200, 200, 400, 401, 404, 429, 500, 502, 503, 201 };
static const char *types[] = { "application/json", "", "text/html", "text/xml" };

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  ScalerClearmlMeta meta = { 0, };
  guint status = 200;
  const char *type = "application/json";
  gint64 t = 0;
  guint n = 0;

  if (size > 0)
    {
      status = statuses[data[0] % G_N_ELEMENTS (statuses)];
      type = types[(data[0] / G_N_ELEMENTS (statuses)) % G_N_ELEMENTS (types)];
      data++;
      size--;
    }

  node = scaler_clearml_parse_envelope ("fuzz.call", status, type, (const char *) data, size,
                                        &meta, &error);
  g_assert ((node == NULL) == (error != NULL));
  g_clear_error (&error);
  if (node != NULL)
    {
      GPtrArray *list;

      if ((list = scaler_clearml_parse_queues (node, &error)) != NULL)
        g_ptr_array_unref (list);
      g_clear_error (&error);
      if ((list = scaler_clearml_parse_workers (node, &error)) != NULL)
        {
          for (guint i = 0; i < list->len; i++)
            {
              ScalerWorker *w = g_ptr_array_index (list, i);
              g_assert (w->id != NULL && w->queues != NULL);
            }
          g_ptr_array_unref (list);
        }
      g_clear_error (&error);
      if ((list = scaler_clearml_parse_tasks (node, &error)) != NULL)
        g_ptr_array_unref (list);
      g_clear_error (&error);
      scaler_clearml_parse_num_entries (node, &n, &error);
      g_clear_error (&error);
      scaler_clearml_parse_queue_entries (node, &n, &error);
      g_clear_error (&error);
    }
  scaler_clearml_meta_clear (&meta);

  text = g_strndup ((const char *) data, MIN (size, 256));
  scaler_clearml_parse_time (text, &t);
  scaler_clearml_parse_version (text);
  g_free (scaler_clearml_exact_name_regex (text));

  return 0;
}
