/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Closed-loop harness: the built ec2-autoscalerd against the fake AWS +
 * ClearML (see scaler-test-daemon.h).
 */

#define G_LOG_DOMAIN "scaler-test-daemon"

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "scaler-test-daemon.h"

static ScalerFake *fake;

/* Fast agents: boot, register and report within a second. */
static const char *fast_config =
  "{\"boot_delay_s\":0.3,\"register_delay_s\":0.3,\"report_interval_s\":0.2,"
  "\"shutdown_delay_s\":0.2,\"terminated_visible_s\":120}";

gboolean
scaler_test_require_fake_with_config (const char *config_json)
{
  g_autoptr(GError) error = NULL;

  if (g_getenv ("SCALER_DAEMON") == NULL)
    {
      g_test_fail_printf ("$SCALER_DAEMON is not set (tests/meson.build sets it to the built daemon)");
      return FALSE;
    }
  if (fake != NULL)
    {
      g_assert_true (scaler_fake_reset (fake, &error));
      g_assert_no_error (error);
      return TRUE;
    }
  if (!scaler_fake_require ())
    return FALSE;
  fake = scaler_fake_start_with_config (config_json != NULL ? config_json : fast_config, &error);
  g_assert_no_error (error);
  return TRUE;
}

gboolean
scaler_test_require_fake (void)
{
  return scaler_test_require_fake_with_config (NULL);
}

ScalerFake *
scaler_test_fake (void)
{
  g_assert_nonnull (fake);
  return fake;
}

void
scaler_test_fake_shutdown (void)
{
  g_clear_pointer (&fake, scaler_fake_stop);
}

void
scaler_test_control (const char *path,
                     const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = scaler_fake_control (scaler_test_fake (), "POST", path, json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (answer);
}

JsonNode *
scaler_test_state (void)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = scaler_fake_get_state_omit (scaler_test_fake (), "ec2_requests", &error);

  g_assert_no_error (error);
  return node;
}

void
scaler_test_enqueue (guint  count,
                     double duration_s)
{
  g_autofree char *body = g_strdup_printf ("{\"queue\":\"default\",\"count\":%u,\"duration_s\":%g}", count, duration_s);

  scaler_test_control ("/_fake/enqueue", body);
}

char *
scaler_test_config_json (const ScalerTestRunOptions *options,
                         const char                 *id)
{
  ScalerFake *f = scaler_test_fake ();

  return g_strdup_printf (
    "{\"version\":1,\"id\":\"%s\",\"name\":\"%s\","
    "\"aws\":{\"region\":\"us-east-1\",\"endpoint\":\"%s\",\"credentials\":\"%s\"%s%s%s\"tags\":{\"owner\":\"tests\"}},"
    "\"clearml\":{\"api_server\":\"%s\",\"web_server\":\"%s\",\"files_server\":\"%s\",\"credentials\":\"%s\"},"
    "\"max_idle_time_min\":%g,\"polling_interval_time_min\":%g,\"max_spin_up_time_min\":%g,"
    "\"workers_prefix\":\"%s\",\"hourly_budget_usd\":%g,\"on_stop\":\"%s\",%s%s\"resources\":%s}",
    id, options->name != NULL ? options->name : "closed loop", scaler_fake_get_ec2_url (f),
    options->aws_credentials != NULL ? options->aws_credentials : "environment",
    options->aws_profile != NULL ? ",\"profile\":\"" : ",",
    options->aws_profile != NULL ? options->aws_profile : "",
    options->aws_profile != NULL ? "\"," : "",
    scaler_fake_get_clearml_url (f), scaler_fake_get_clearml_url (f), scaler_fake_get_clearml_url (f),
    options->clearml_credentials != NULL ? options->clearml_credentials : "environment",
    options->idle > 0 ? options->idle : 0.05,
    options->polling > 0 ? options->polling : 0.01,
    options->spin_up > 0 ? options->spin_up : 0.15,
    options->workers_prefix != NULL ? options->workers_prefix : "dyn",
    options->budget, options->on_stop ? options->on_stop : "keep",
    options->extra != NULL ? options->extra : "", options->extra != NULL ? "," : "",
    options->resources);
}

ScalerTestRun *
scaler_test_run_new (const ScalerTestRunOptions *options)
{
  ScalerTestRun *run = g_new0 (ScalerTestRun, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  run->dir = g_dir_make_tmp ("scaler-daemon-XXXXXX", &error);
  g_assert_no_error (error);
  run->config_path = g_build_filename (run->dir, "config.json", NULL);
  run->state_dir = g_build_filename (run->dir, "state", NULL);
  run->log_path = g_build_filename (run->dir, "daemon.log", NULL);
  run->id = g_uuid_string_random ();
  json = scaler_test_config_json (options, run->id);
  g_assert_true (g_file_set_contents (run->config_path, json, -1, NULL));

  run->envp = scaler_test_environ ();
  run->envp = scaler_test_sanitizer_environ (run->envp, run->dir);

  run->secrets = g_ptr_array_new_with_free_func (g_free);
  scaler_test_run_add_secret (run, SCALER_TEST_AWS_SECRET);
  scaler_test_run_add_secret (run, SCALER_TEST_CLEARML_SECRET);
  scaler_test_run_add_secret (run, SCALER_TEST_AWS_KEY_ID);
  return run;
}

char **
scaler_test_environ (void)
{
  char **envp = g_get_environ ();

  envp = g_environ_setenv (envp, "AWS_ACCESS_KEY_ID", SCALER_TEST_AWS_KEY_ID, TRUE);
  envp = g_environ_setenv (envp, "AWS_SECRET_ACCESS_KEY", SCALER_TEST_AWS_SECRET, TRUE);
  envp = g_environ_unsetenv (envp, "AWS_SESSION_TOKEN");
  envp = g_environ_unsetenv (envp, "AWS_PROFILE");
  envp = g_environ_setenv (envp, "CLEARML_API_ACCESS_KEY", SCALER_TEST_CLEARML_KEY, TRUE);
  envp = g_environ_setenv (envp, "CLEARML_API_SECRET_KEY", SCALER_TEST_CLEARML_SECRET, TRUE);
  envp = g_environ_setenv (envp, "G_MESSAGES_DEBUG", "all", TRUE);
  return envp;
}

void
scaler_test_run_setenv (ScalerTestRun *run,
                        const char    *name,
                        const char    *value)
{
  if (value != NULL)
    run->envp = g_environ_setenv (run->envp, name, value, TRUE);
  else
    run->envp = g_environ_unsetenv (run->envp, name);
}

void
scaler_test_run_add_secret (ScalerTestRun *run,
                            const char    *secret)
{
  g_ptr_array_add (run->secrets, g_strdup (secret));
}

/* Sanitizer options are lists of name=value separated by ':'; a later value
 * wins. ASan, LeakSanitizer and UBSan share log_path (and exitcode). */
static char **
append_sanitizer_option (char       **envp,
                         const char  *variable,
                         const char  *option)
{
  const char *old = g_environ_getenv (envp, variable);
  g_autofree char *value = NULL;

  if (old != NULL && *old != '\0')
    value = g_strconcat (old, ":", option, NULL);
  else
    value = g_strdup (option);
  return g_environ_setenv (envp, variable, value, TRUE);
}

char **
scaler_test_sanitizer_environ (char       **envp,
                               const char  *dir)
{
  g_autofree char *option = g_strdup_printf ("log_path=%s/" SCALER_TEST_SANITIZER_LOG, dir);

  envp = append_sanitizer_option (envp, "ASAN_OPTIONS", option);
  envp = append_sanitizer_option (envp, "UBSAN_OPTIONS", option);
  return envp;
}

gboolean
scaler_test_check_sanitizer_reports (const char *dir,
                                     const char *what)
{
  g_autoptr(GDir) folder = g_dir_open (dir, 0, NULL);
  const char *name;
  gboolean clean = TRUE;

  while (folder != NULL && (name = g_dir_read_name (folder)))
    {
      g_autofree char *path = NULL;
      g_autofree char *report = NULL;

      if (!g_str_has_prefix (name, SCALER_TEST_SANITIZER_LOG "."))
        continue;
      path = g_build_filename (dir, name, NULL);
      g_file_get_contents (path, &report, NULL, NULL);
      g_test_message ("%s: sanitizer report %s:\n%s", what, name, report != NULL ? report : "");
      g_test_fail_printf ("%s (pid %s) reported a sanitizer error (above)", what,
                          name + strlen (SCALER_TEST_SANITIZER_LOG "."));
      /* Reported once: a later check looks for new reports only. */
      g_unlink (path);
      clean = FALSE;
    }
  return clean;
}

/* In the child: die with the test, so an aborted test never leaks a daemon. */
void
scaler_test_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

void
scaler_test_run_spawn (ScalerTestRun *run,
                       const char    *extra)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("SCALER_DAEMON"), run->config_path, "--state-dir", run->state_dir,
                         extra, NULL };
  int fd;

  fd = g_open (run->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (g_spawn_async_with_fds (NULL, (char **) argv, run->envp, G_SPAWN_DO_NOT_REAP_CHILD, scaler_test_child_setup, NULL,
                                         &run->pid, -1, fd, fd, &error));
  g_assert_no_error (error);
  close (fd);
  run->running = TRUE;
}

int
scaler_test_run_wait (ScalerTestRun *run,
                      double         timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);
  int status = 0;

  for (;;)
    {
      pid_t r = waitpid (run->pid, &status, WNOHANG);

      if (r == run->pid)
        break;
      if (g_get_monotonic_time () > deadline)
        {
          kill (run->pid, SIGKILL);
          waitpid (run->pid, &status, 0);
          run->running = FALSE;
          g_spawn_close_pid (run->pid);
          g_error ("the daemon did not exit within %.1f s", timeout_s);
        }
      g_usleep (10000);
    }
  run->running = FALSE;
  g_spawn_close_pid (run->pid);
  /* Shown before the test looks at the exit code (86 after a report). */
  scaler_test_check_sanitizer_reports (run->dir, "the daemon");
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return -WTERMSIG (status);
}

int
scaler_test_run_stop (ScalerTestRun *run)
{
  gint64 start = g_get_monotonic_time ();
  int code;

  kill (run->pid, SIGTERM);
  code = scaler_test_run_wait (run, 6);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  return code;
}

char *
scaler_test_run_log (ScalerTestRun *run)
{
  char *contents = NULL;

  g_file_get_contents (run->log_path, &contents, NULL, NULL);
  return contents ? contents : g_strdup ("");
}

void
scaler_test_run_assert_log_contains (ScalerTestRun *run,
                                     const char    *needle)
{
  g_autofree char *log = scaler_test_run_log (run);

  if (strstr (log, needle) == NULL)
    g_error ("the daemon log does not contain \"%s\":\n%s", needle, log);
}

void
scaler_test_run_wait_log (ScalerTestRun *run,
                          const char    *needle,
                          double         timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  for (;;)
    {
      g_autofree char *log = scaler_test_run_log (run);

      if (strstr (log, needle) != NULL)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("after %.0f s, the daemon log does not contain \"%s\":\n%s", timeout_s, needle, log);
      g_usleep (100000);
    }
}

/* Secrets must never reach a file the daemon writes (ledger, state) nor its
 * log, even at debug level (G_MESSAGES_DEBUG=all is set for every run). */
void
scaler_test_assert_no_secrets_in_tree (const char *path,
                                       GPtrArray  *secrets,
                                       const char *except)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (except != NULL && g_str_equal (child, except))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          scaler_test_assert_no_secrets_in_tree (child, secrets, except);
          continue;
        }
      if (!g_file_get_contents (child, &contents, &length, NULL))
        continue;
      for (guint i = 0; i < secrets->len; i++)
        if (g_strstr_len (contents, length, g_ptr_array_index (secrets, i)) != NULL)
          g_error ("secret %u found in %s", i, child);
    }
}

/* A daemon still running at the end of a test: SIGTERM, so that it exits
 * through its shutdown path (and, under the sanitizers, its leak check);
 * SIGKILL if it has not within @grace_s. The exit code is not the test's
 * business here: scaler_test_run_stop() is where a test asserts it. */
void
scaler_test_end_process (GPid   pid,
                         double grace_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (grace_s * G_USEC_PER_SEC);
  int status;

  kill (pid, SIGTERM);
  while (waitpid (pid, &status, WNOHANG) != pid)
    {
      if (g_get_monotonic_time () > deadline)
        {
          kill (pid, SIGKILL);
          waitpid (pid, &status, 0);
          break;
        }
      g_usleep (10000);
    }
  g_spawn_close_pid (pid);
}

void
scaler_test_run_free (ScalerTestRun *run)
{
  if (run->running)
    {
      scaler_test_end_process (run->pid, 10);
      run->running = FALSE;
    }
  scaler_test_check_sanitizer_reports (run->dir, "the daemon");
  scaler_test_assert_no_secrets_in_tree (run->dir, run->secrets, NULL);
  if (g_test_failed () || g_test_verbose ())
    {
      g_autofree char *log = scaler_test_run_log (run);

      g_test_message ("daemon log:\n%s", log);
    }
  scaler_test_rm_rf (run->dir);
  g_free (run->dir);
  g_free (run->config_path);
  g_free (run->state_dir);
  g_free (run->log_path);
  g_free (run->id);
  g_strfreev (run->envp);
  g_ptr_array_unref (run->secrets);
  g_free (run);
}

JsonArray *
scaler_test_state_array (JsonNode   *state,
                         const char *name)
{
  return json_object_get_array_member (json_node_get_object (state), name);
}

static gboolean
instance_live (JsonObject *instance)
{
  const char *s = json_object_get_string_member (instance, "state");

  return g_strcmp0 (s, "pending") == 0 || g_strcmp0 (s, "running") == 0;
}

guint
scaler_test_count_ours (JsonNode   *state,
                        const char *config_id,
                        gboolean    live_only)
{
  JsonArray *instances = scaler_test_state_array (state, "instances");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *instance = json_array_get_object_element (instances, i);
      JsonObject *tags = json_object_get_object_member (instance, "tags");

      if (g_strcmp0 (json_object_get_string_member_with_default (tags, "ec2-autoscaler:instance", ""), config_id) != 0)
        continue;
      if (live_only && !instance_live (instance))
        continue;
      n++;
    }
  return n;
}

guint
scaler_test_count_tasks (JsonNode   *state,
                         const char *status)
{
  JsonArray *tasks = scaler_test_state_array (state, "tasks");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (tasks, i), "status"), status) == 0)
      n++;
  return n;
}

gint64
scaler_test_request_count (JsonNode   *state,
                           const char *service,
                           const char *action)
{
  JsonObject *requests = json_object_get_object_member (json_node_get_object (state), "requests");
  JsonObject *of = json_object_get_object_member (requests, service);

  return of ? json_object_get_int_member_with_default (of, action, 0) : 0;
}

JsonNode *
scaler_test_wait_for (ScalerTestPredicate  predicate,
                      gpointer             data,
                      double               timeout_s,
                      const char          *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  for (;;)
    {
      JsonNode *state = scaler_test_state ();

      if (predicate (state, data))
        return state;
      json_node_unref (state);
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out after %.0f s waiting for: %s", timeout_s, what);
      g_usleep (150000);
    }
}

typedef struct
{
  const char *service;
  const char *action;
  gint64      min;
} Requests;

static gboolean
requests_cb (JsonNode *state,
             gpointer  data)
{
  const Requests *requests = data;

  return scaler_test_request_count (state, requests->service, requests->action) >= requests->min;
}

JsonNode *
scaler_test_wait_requests (const char *service,
                           const char *action,
                           gint64      min,
                           double      timeout_s,
                           const char *what)
{
  Requests requests = { service, action, min };

  return scaler_test_wait_for (requests_cb, &requests, timeout_s, what);
}

typedef struct
{
  const char *id;
  guint       live;
  guint       total;
  guint       completed;
} Expect;

static gboolean
expect_cb (JsonNode *state,
           gpointer  data)
{
  Expect *e = data;

  return (e->live == G_MAXUINT || scaler_test_count_ours (state, e->id, TRUE) == e->live)
         && (e->total == G_MAXUINT || scaler_test_count_ours (state, e->id, FALSE) == e->total)
         && (e->completed == G_MAXUINT || scaler_test_count_tasks (state, "completed") == e->completed);
}

JsonNode *
scaler_test_wait_expect (const char *id,
                         guint       live,
                         guint       total,
                         guint       completed,
                         double      timeout_s,
                         const char *what)
{
  Expect e = { id, live, total, completed };

  return scaler_test_wait_for (expect_cb, &e, timeout_s, what);
}
