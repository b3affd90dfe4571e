/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Replays fuzz inputs without libFuzzer: each argument is a file or a folder
 * of files, fed once to LLVMFuzzerTestOneInput. Prints TAP. */

#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint count;

static void
run_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      printf ("not ok %u - %s: %s\n", ++count, path, error->message);
      return;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  printf ("ok %u - %s\n", ++count, path);
}

static void
run_path (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          run_path (child);
        }
    }
  else
    run_file (path);
}

int
main (int   argc,
      char *argv[])
{
  for (int i = 1; i < argc; i++)
    run_path (argv[i]);
  /* An empty input must be handled too. */
  LLVMFuzzerTestOneInput ((const uint8_t *) "", 0);
  printf ("ok %u - empty input\n", ++count);
  printf ("1..%u\n", count);

  return 0;
}
