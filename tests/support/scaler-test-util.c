/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The helpers every test shares (see scaler-test-util.h). */

#define G_LOG_DOMAIN "scaler-test-util"

#include "config.h"

#include <stdarg.h>

#include <glib/gstdio.h>

#include "scaler-test-util.h"

char *
scaler_test_make_tmp_dir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

char *
scaler_test_make_dir (const char *parent,
                      const char *name)
{
  char *path = g_build_filename (parent, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return path;
}

void
scaler_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        scaler_test_rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

char *
scaler_test_data_path (const char *first,
                       ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (parts, (gpointer) SCALER_SOURCE_DIR);
  g_ptr_array_add (parts, (gpointer) "tests");
  g_ptr_array_add (parts, (gpointer) "data");
  va_start (args, first);
  for (const char *part = first; part != NULL; part = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

void
scaler_test_spin (guint n)
{
  for (guint i = 0; i < n; i++)
    g_main_context_iteration (NULL, FALSE);
}

void
scaler_test_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

GAsyncResult *
scaler_test_wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

void
scaler_test_wait_until (ScalerTestCondition  condition,
                        gpointer             data,
                        double               timeout_s,
                        const char          *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out after %.0f s waiting for: %s", timeout_s, what);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10000);
    }
}
