/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Tests of the closed-loop harness itself (tests/support/scaler-test-daemon.h):
 * a child's sanitizer report reaches the file the harness checks, and a
 * report there fails the test.
 */

#define G_LOG_DOMAIN "test-harness"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "support/scaler-test-daemon.h"

#define CHILD_ENV "SCALER_TEST_HARNESS_CHILD"

#if defined(__SANITIZE_ADDRESS__)
# define SANITIZED 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define SANITIZED 1
# endif
#endif

/* In the child: a heap buffer overflow, which AddressSanitizer reports and
 * ends the process on. */
static int
child_overflow (void)
{
  char *buffer = g_malloc (8);
  volatile char c = buffer[g_random_int_range (8, 9)];

  g_free (buffer);
  return c == 'x' ? 3 : 0;
}

/* In the child, as a test of its own: a report left in the folder fails
 * the test. */
static void
child_report (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scaler-harness-XXXXXX", &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  /* No report: clean. */
  g_assert_true (scaler_test_check_sanitizer_reports (dir, "nothing"));
  g_assert_false (g_test_failed ());

  path = g_build_filename (dir, SCALER_TEST_SANITIZER_LOG ".4242", NULL);
  g_assert_true (g_file_set_contents (path, "==4242==ERROR: LeakSanitizer: detected memory leaks\n", -1, NULL));
  g_assert_false (scaler_test_check_sanitizer_reports (dir, "the daemon"));
  /* Reported once. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  scaler_test_rm_rf (dir);
}

/* ...and the test log (TAP, as meson reads it) says so, with the report. */
static void
test_report_fails (void)
{
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), CHILD_ENV, "report", TRUE);
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { exe, "--tap", NULL };
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_test_message ("child:\n%s", out);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "not ok 1 /scaler/harness/report-child"));
  g_assert_nonnull (strstr (out, "# the daemon: sanitizer report " SCALER_TEST_SANITIZER_LOG ".4242:"));
  g_assert_nonnull (strstr (out, "==4242==ERROR: LeakSanitizer: detected memory leaks"));
  g_assert_nonnull (strstr (out, "the daemon (pid 4242) reported a sanitizer error"));
}

/* The options scaler_test_sanitizer_environ() sets reach a sanitized child:
 * its report lands in the folder instead of its stderr. */
#ifdef SANITIZED
static void
test_child_report_lands (void)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *err = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { exe, NULL };
  int status = -1;

  dir = g_dir_make_tmp ("scaler-harness-XXXXXX", &error);
  g_assert_no_error (error);
  envp = scaler_test_sanitizer_environ (envp, dir);
  envp = g_environ_setenv (envp, CHILD_ENV, "overflow", TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  /* Not on stderr, where an expected exit status could hide it... */
  g_assert_null (strstr (err, "heap-buffer-overflow"));
  /* ...but in the folder, where the harness looks. */
  {
    g_autoptr(GDir) folder = g_dir_open (dir, 0, &error);
    const char *name = NULL;
    g_autofree char *report = NULL;
    g_autofree char *path = NULL;

    g_assert_no_error (error);
    name = g_dir_read_name (folder);
    g_assert_nonnull (name);
    g_assert_true (g_str_has_prefix (name, SCALER_TEST_SANITIZER_LOG "."));
    path = g_build_filename (dir, name, NULL);
    g_assert_true (g_file_get_contents (path, &report, NULL, NULL));
    g_assert_nonnull (strstr (report, "heap-buffer-overflow"));
  }
  scaler_test_rm_rf (dir);
}
#endif

int
main (int   argc,
      char *argv[])
{
  if (g_strcmp0 (g_getenv (CHILD_ENV), "overflow") == 0)
    return child_overflow ();

  g_test_init (&argc, &argv, NULL);

  if (g_strcmp0 (g_getenv (CHILD_ENV), "report") == 0)
    {
      g_test_add_func ("/scaler/harness/report-child", child_report);
      return g_test_run ();
    }
  g_test_add_func ("/scaler/harness/report-fails", test_report_fails);
#ifdef SANITIZED
  g_test_add_func ("/scaler/harness/child-report-lands", test_child_report_lands);
#endif

  return g_test_run ();
}
