/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Closed-loop tests of ec2-autoscalerd against the fake AWS + ClearML
 * (tests/fakes) over real HTTP: the built daemon ($SCALER_DAEMON) runs with a
 * config whose aws.endpoint and clearml.api_server point at the fake, with
 * short timings (polling 0.01 min). Each test asserts on /_fake/state.
 */

#define G_LOG_DOMAIN "test-daemon"

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-fake.h"

static ScalerFake *fake;

/* Fast agents: boot, register and report within a second. */
static const char *fake_config =
  "{\"boot_delay_s\":0.3,\"register_delay_s\":0.3,\"report_interval_s\":0.2,"
  "\"shutdown_delay_s\":0.2,\"terminated_visible_s\":120}";

typedef struct
{
  char     *dir;
  char     *config_path;
  char     *state_dir;
  char     *log_path;
  char     *id;
  GPid      pid;
  gboolean  running;
} Run;

typedef struct
{
  const char *resources;      /* JSON array text */
  double      polling;
  double      idle;
  double      spin_up;
  double      budget;
  const char *on_stop;
} Options;

#define RESOURCE_CPU(max, spot, zones) \
  "[{\"name\":\"cpu\",\"queue\":\"default\",\"max_instances\":" #max ",\"instance_type\":\"t3.micro\"," \
  "\"availability_zones\":" zones ",\"subnet_ids\":[],\"ami_id\":\"ami-0123456789abcdef0\"," \
  "\"ebs_device_name\":\"/dev/sda1\",\"ebs_volume_size\":8,\"ebs_volume_type\":\"gp3\"," \
  "\"security_group_ids\":[],\"is_spot\":" spot ",\"spot_fallback_on_demand\":true,\"tags\":{\"team\":\"ml\"}}]"

/* ---------------------------------------------------------------- helpers */

static gboolean
require_fake (void)
{
  g_autofree char *reason = NULL;
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
  if (!scaler_fake_available (&reason))
    {
      g_test_fail_printf ("the fake servers are not available: %s", reason);
      return FALSE;
    }
  fake = scaler_fake_start_with_config (fake_config, &error);
  g_assert_no_error (error);
  return TRUE;
}

static void
control (const char *path,
         const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = scaler_fake_control (fake, "POST", path, json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (answer);
}

static JsonNode *
state_node (void)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = scaler_fake_get_state_omit (fake, "ec2_requests", &error);

  g_assert_no_error (error);
  return node;
}

static Run *
run_new (const Options *options)
{
  Run *run = g_new0 (Run, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  run->dir = g_dir_make_tmp ("scaler-daemon-XXXXXX", &error);
  g_assert_no_error (error);
  run->config_path = g_build_filename (run->dir, "config.json", NULL);
  run->state_dir = g_build_filename (run->dir, "state", NULL);
  run->log_path = g_build_filename (run->dir, "daemon.log", NULL);
  run->id = g_uuid_string_random ();
  json = g_strdup_printf (
    "{\"version\":1,\"id\":\"%s\",\"name\":\"closed loop\","
    "\"aws\":{\"region\":\"us-east-1\",\"endpoint\":\"%s\",\"credentials\":\"environment\",\"tags\":{\"owner\":\"tests\"}},"
    "\"clearml\":{\"api_server\":\"%s\",\"web_server\":\"%s\",\"files_server\":\"%s\",\"credentials\":\"environment\"},"
    "\"max_idle_time_min\":%g,\"polling_interval_time_min\":%g,\"max_spin_up_time_min\":%g,"
    "\"workers_prefix\":\"dyn\",\"hourly_budget_usd\":%g,\"on_stop\":\"%s\",\"resources\":%s}",
    run->id, scaler_fake_get_ec2_url (fake), scaler_fake_get_clearml_url (fake),
    scaler_fake_get_clearml_url (fake), scaler_fake_get_clearml_url (fake),
    options->idle > 0 ? options->idle : 0.05,
    options->polling > 0 ? options->polling : 0.01,
    options->spin_up > 0 ? options->spin_up : 0.15,
    options->budget, options->on_stop ? options->on_stop : "keep",
    options->resources);
  g_assert_true (g_file_set_contents (run->config_path, json, -1, NULL));
  return run;
}

/* In the child: die with the test, so an aborted test never leaks a daemon. */
static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
run_spawn (Run        *run,
           const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  const char *argv[] = { g_getenv ("SCALER_DAEMON"), run->config_path, "--state-dir", run->state_dir,
                         extra, NULL };
  int fd;

  envp = g_environ_setenv (envp, "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", TRUE);
  envp = g_environ_setenv (envp, "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", TRUE);
  envp = g_environ_unsetenv (envp, "AWS_SESSION_TOKEN");
  envp = g_environ_unsetenv (envp, "AWS_PROFILE");
  envp = g_environ_setenv (envp, "CLEARML_API_ACCESS_KEY", "FAKEKEY", TRUE);
  envp = g_environ_setenv (envp, "CLEARML_API_SECRET_KEY", "FAKESECRET", TRUE);
  envp = g_environ_setenv (envp, "G_MESSAGES_DEBUG", "all", TRUE);

  fd = g_open (run->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (g_spawn_async_with_fds (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, child_setup, NULL,
                                         &run->pid, -1, fd, fd, &error));
  g_assert_no_error (error);
  close (fd);
  run->running = TRUE;
}

/* Waits for the exit; returns the exit status (-signal if killed). */
static int
run_wait (Run    *run,
          double  timeout_s)
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
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return -WTERMSIG (status);
}

/* SIGTERM, then the exit code, which must come within a few seconds. */
static int
run_stop (Run *run)
{
  gint64 start = g_get_monotonic_time ();
  int code;

  kill (run->pid, SIGTERM);
  code = run_wait (run, 6);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  return code;
}

static char *
run_log (Run *run)
{
  char *contents = NULL;

  g_file_get_contents (run->log_path, &contents, NULL, NULL);
  return contents ? contents : g_strdup ("");
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Secrets must never reach a file the daemon writes (ledger, state) nor its
 * log, even at debug level (G_MESSAGES_DEBUG=all is set for every run). */
static void
assert_no_secrets_in_tree (const char *path)
{
  static const char * const secrets[] = {
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "FAKESECRET",
    "AKIDEXAMPLE",
  };
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          assert_no_secrets_in_tree (child);
          continue;
        }
      if (!g_file_get_contents (child, &contents, &length, NULL))
        continue;
      for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
        if (g_strstr_len (contents, length, secrets[i]) != NULL)
          g_error ("secret %u found in %s", i, child);
    }
}

static void
run_free (Run *run)
{
  if (run->running)
    {
      kill (run->pid, SIGKILL);
      run_wait (run, 5);
    }
  assert_no_secrets_in_tree (run->dir);
  if (g_test_failed () || g_test_verbose ())
    {
      g_autofree char *log = run_log (run);

      g_test_message ("daemon log:\n%s", log);
    }
  remove_tree (run->dir);
  g_free (run->dir);
  g_free (run->config_path);
  g_free (run->state_dir);
  g_free (run->log_path);
  g_free (run->id);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static JsonArray *
state_array (JsonNode   *state,
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

/* Instances carrying our tag; live only, or all. */
static guint
count_ours (JsonNode   *state,
            const char *config_id,
            gboolean    live_only)
{
  JsonArray *instances = state_array (state, "instances");
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

static guint
count_tasks (JsonNode   *state,
             const char *status)
{
  JsonArray *tasks = state_array (state, "tasks");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (tasks, i), "status"), status) == 0)
      n++;
  return n;
}

static gint64
request_count (JsonNode   *state,
               const char *service,
               const char *action)
{
  JsonObject *requests = json_object_get_object_member (json_node_get_object (state), "requests");
  JsonObject *of = json_object_get_object_member (requests, service);

  return of ? json_object_get_int_member_with_default (of, action, 0) : 0;
}

typedef gboolean (*Predicate) (JsonNode *state, gpointer data);

static JsonNode *
wait_for (Predicate    predicate,
          gpointer     data,
          double       timeout_s,
          const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  for (;;)
    {
      JsonNode *state = state_node ();

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

  return (e->live == G_MAXUINT || count_ours (state, e->id, TRUE) == e->live)
         && (e->total == G_MAXUINT || count_ours (state, e->id, FALSE) == e->total)
         && (e->completed == G_MAXUINT || count_tasks (state, "completed") == e->completed);
}

static JsonNode *
wait_expect (const char *id,
             guint       live,
             guint       total,
             guint       completed,
             double      timeout_s,
             const char *what)
{
  Expect e = { id, live, total, completed };

  return wait_for (expect_cb, &e, timeout_s, what);
}

static void
enqueue (guint  count,
         double duration_s)
{
  g_autofree char *body = g_strdup_printf ("{\"queue\":\"default\",\"count\":%u,\"duration_s\":%g}", count, duration_s);

  control ("/_fake/enqueue", body);
}

static void
assert_log_contains (Run        *run,
                     const char *needle)
{
  g_autofree char *log = run_log (run);

  if (strstr (log, needle) == NULL)
    g_error ("the daemon log does not contain \"%s\":\n%s", needle, log);
}

/* ------------------------------------------------------------------ tests */

static void
test_invalid_config (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *log = NULL;
  Options options = { RESOURCE_CPU (2, "false", "[]") };

  if (!require_fake ())
    return;
  run = run_new (&options);
  g_assert_true (g_file_set_contents (run->config_path,
                                      "{\"version\":1,\"id\":\"x\",\"polling_interval_time_min\":\"fast\",\"typo\":1}",
                                      -1, NULL));
  run_spawn (run, NULL);
  g_assert_cmpint (run_wait (run, 10), ==, 1);
  log = run_log (run);
  g_assert_true (strstr (log, "polling_interval_time_min: ") != NULL);
  g_assert_true (strstr (log, "typo: ") != NULL);
  state = state_node ();
  g_assert_cmpint (request_count (state, "ec2", "DescribeInstances"), ==, 0);
  g_assert_cmpint (request_count (state, "clearml", "workers.get_all"), ==, 0);
}

static void
test_once (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  Options options = { RESOURCE_CPU (3, "false", "[\"us-east-1b\"]") };

  if (!require_fake ())
    return;
  enqueue (2, 30);
  run = run_new (&options);
  run_spawn (run, "--once");
  g_assert_cmpint (run_wait (run, 20), ==, 0);
  /* Everything decided was launched before the exit. */
  state = state_node ();
  g_assert_cmpuint (count_ours (state, run->id, TRUE), ==, 2);
  g_assert_cmpint (request_count (state, "ec2", "RunInstances"), ==, 2);
  assert_log_contains (run, "One cycle done");
}

/* --once exits non-zero when the cycle could not complete, and launches
 * nothing on a partial view. */
static void
test_once_fails (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  Options options = { RESOURCE_CPU (3, "false", "[]") };

  if (!require_fake ())
    return;
  control ("/_fake/fault", "{\"service\":\"clearml\",\"action\":\"workers.get_all\",\"kind\":\"auth\",\"count\":10}");
  enqueue (2, 30);
  run = run_new (&options);
  run_spawn (run, "--once");
  g_assert_cmpint (run_wait (run, 20), ==, 1);
  state = state_node ();
  g_assert_cmpint (request_count (state, "ec2", "RunInstances"), ==, 0);
  assert_log_contains (run, "could not complete");
}

/* Scale up from zero, tags at launch, idle down, workers unregistered. */
static void
test_scale_up_and_idle_down (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) up = NULL;
  g_autoptr(JsonNode) down = NULL;
  Options options = { RESOURCE_CPU (3, "false", "[\"us-east-1b\"]") };
  JsonArray *instances;

  if (!require_fake ())
    return;
  enqueue (2, 1.5);
  run = run_new (&options);
  run_spawn (run, NULL);
  up = wait_expect (run->id, 2, 2, 2, 20, "two instances and two completed tasks");
  instances = state_array (up, "instances");
  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *instance = json_array_get_object_element (instances, i);
      JsonObject *tags = json_object_get_object_member (instance, "tags");
      JsonObject *volume_tags = json_object_get_object_member (instance, "volume_tags");

      g_assert_cmpstr (json_object_get_string_member (tags, "ec2-autoscaler:resource"), ==, "cpu");
      g_assert_cmpstr (json_object_get_string_member (tags, "Name"), ==, "dyn:cpu");
      g_assert_cmpstr (json_object_get_string_member (tags, "team"), ==, "ml");
      g_assert_cmpstr (json_object_get_string_member (tags, "owner"), ==, "tests");
      g_assert_cmpstr (json_object_get_string_member (volume_tags, "ec2-autoscaler:instance"), ==, run->id);
      g_assert_cmpstr (json_object_get_string_member (instance, "zone"), ==, "us-east-1b");
      g_assert_nonnull (json_object_get_string_member (instance, "client_token"));
    }
  /* Idle for 3 s: both terminated, and their workers unregistered. */
  down = wait_expect (run->id, 0, 2, 2, 20, "both instances terminated after the idle time");
  g_assert_cmpint (request_count (down, "ec2", "RunInstances"), ==, 2);
  g_assert_cmpint (request_count (down, "clearml", "workers.unregister"), >=, 2);
  g_assert_cmpint (json_node_get_int (json_object_get_member (json_node_get_object (down), "get_next_task_calls")), ==, 0);
  g_assert_cmpint (run_stop (run), ==, 0);
  assert_log_contains (run, "worker idle for");
}

typedef struct
{
  const char *id;
  guint       max_live;
  guint       limit;
} Peak;

static gboolean
peak_cb (JsonNode *state,
         gpointer  data)
{
  Peak *peak = data;
  guint live = count_ours (state, peak->id, TRUE);

  peak->max_live = MAX (peak->max_live, live);
  g_assert_cmpuint (live, <=, peak->limit);
  return count_tasks (state, "completed") == 5;
}

/* Never more than max_instances, whatever the queue. */
static void
test_cap_at_max (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  Options options = { RESOURCE_CPU (2, "false", "[]") };
  Peak peak = { 0 };

  if (!require_fake ())
    return;
  enqueue (5, 1.0);
  run = run_new (&options);
  peak.id = run->id;
  peak.limit = 2;
  run_spawn (run, NULL);
  state = wait_for (peak_cb, &peak, 40, "five tasks completed with at most two instances");
  g_assert_cmpuint (peak.max_live, ==, 2);
  g_assert_cmpuint (count_ours (state, run->id, FALSE), ==, 2);
  g_assert_cmpint (run_stop (run), ==, 0);
  assert_log_contains (run, "maximum");
}

typedef struct
{
  const char *id;
} BusyWatch;

static gboolean
busy_cb (JsonNode *state,
         gpointer  data)
{
  BusyWatch *watch = data;

  /* While the task runs, its instance stays. */
  if (count_tasks (state, "in_progress") == 1)
    g_assert_cmpuint (count_ours (state, watch->id, TRUE), ==, 1);
  return count_tasks (state, "completed") == 1;
}

/* A busy worker outlives the idle time many times over. */
static void
test_busy_survives (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) done = NULL;
  g_autoptr(JsonNode) down = NULL;
  Options options = { RESOURCE_CPU (2, "false", "[]"), 0.01, 0.02 };
  BusyWatch watch;

  if (!require_fake ())
    return;
  enqueue (1, 8);
  run = run_new (&options);
  watch.id = run->id;
  run_spawn (run, NULL);
  done = wait_for (busy_cb, &watch, 30, "the 8 s task completed on its instance");
  g_assert_cmpuint (count_tasks (done, "stopped"), ==, 0);
  down = wait_expect (run->id, 0, 1, 1, 15, "the instance idled down after its task");
  g_assert_cmpint (run_stop (run), ==, 0);
}

/* An instance that never registers is terminated after max_spin_up_time_min,
 * with its console output in the log. */
static void
test_boot_timeout (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  Options options = { RESOURCE_CPU (1, "false", "[]"), 0.01, 0.05, 0.05 };

  if (!require_fake ())
    return;
  control ("/_fake/config", "{\"never_register_resources\":[\"cpu\"]}");
  enqueue (1, 5);
  run = run_new (&options);
  run_spawn (run, NULL);
  state = wait_expect (run->id, G_MAXUINT, 2, G_MAXUINT, 25, "the stuck instance replaced");
  g_assert_cmpint (request_count (state, "ec2", "GetConsoleOutput"), >=, 1);
  g_assert_cmpint (request_count (state, "ec2", "TerminateInstances"), >=, 1);
  g_assert_cmpint (run_stop (run), ==, 0);
  assert_log_contains (run, "no worker registered");
  assert_log_contains (run, "console: ");
}

/* A tagged orphan (earlier run, other machine) is adopted and idled down; an
 * untagged instance and another config's instance are never touched. */
static void
test_adopt_and_ignore (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *orphan = NULL;
  g_autofree char *user_data = NULL;
  Options options = { RESOURCE_CPU (2, "false", "[]") };
  JsonArray *instances;

  if (!require_fake ())
    return;
  run = run_new (&options);
  user_data = g_strdup_printf ("#!/bin/bash\\nexport CLEARML_WORKER_ID=\\\"dyn:cpu:t3.micro:$INSTANCE_ID\\\"\\n"
                               "clearml-agent daemon --queue default\\n");
  /* One short task: the orphan (running, tagged) covers it. */
  enqueue (1, 0.5);
  orphan = g_strdup_printf ("{\"instance_type\":\"t3.micro\",\"tags\":{\"ec2-autoscaler:instance\":\"%s\","
                            "\"ec2-autoscaler:resource\":\"cpu\"},\"user_data\":\"%s\"}", run->id, user_data);
  control ("/_fake/instances", orphan);
  control ("/_fake/instances", "{\"instance_type\":\"t3.micro\",\"tags\":{\"Name\":\"somebody else\"}}");
  control ("/_fake/instances", "{\"instance_type\":\"t3.micro\",\"tags\":{\"ec2-autoscaler:instance\":\"another-config\","
                               "\"ec2-autoscaler:resource\":\"cpu\"}}");
  run_spawn (run, NULL);
  state = wait_expect (run->id, 0, 1, G_MAXUINT, 20, "the adopted orphan idled down");
  instances = state_array (state, "instances");
  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *instance = json_array_get_object_element (instances, i);
      JsonObject *tags = json_object_get_object_member (instance, "tags");

      if (g_strcmp0 (json_object_get_string_member_with_default (tags, "ec2-autoscaler:instance", ""), run->id) == 0)
        continue;
      g_assert_cmpstr (json_object_get_string_member (instance, "state"), ==, "running");
    }
  g_assert_cmpint (request_count (state, "ec2", "RunInstances"), ==, 0);
  g_assert_cmpint (run_stop (run), ==, 0);
  assert_log_contains (run, "Adopted instance");
}

static char *
ledger_token (Run *run)
{
  g_autofree char *path = g_build_filename (run->state_dir, "ledger.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *launches;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (json_parser_load_from_data (parser, contents, -1, NULL));
  launches = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "launches");
  g_assert_cmpuint (json_array_get_length (launches), ==, 1);
  return g_strdup (json_object_get_string_member (json_array_get_object_element (launches, 0), "client_token"));
}

static gboolean
run_instances_sent_cb (JsonNode *state,
                       gpointer  data)
{
  return request_count (state, "ec2", "RunInstances") >= 1;
}

/* kill -9 while RunInstances hangs, then a restart: no double launch and
 * nothing untracked. after = the launch happened at EC2 (its answer lost). */
static void
test_kill9_mid_launch (gconstpointer data)
{
  gboolean after = GPOINTER_TO_INT (data);
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *fault = NULL;
  g_autofree char *token = NULL;
  JsonObject *launches, *launch;
  Options options = { RESOURCE_CPU (3, "false", "[]") };

  if (!require_fake ())
    return;
  fault = g_strdup_printf ("{\"service\":\"ec2\",\"action\":\"RunInstances\",\"kind\":\"hang\",\"count\":1,\"after\":%s}",
                           after ? "true" : "false");
  control ("/_fake/fault", fault);
  enqueue (1, 2);
  run = run_new (&options);
  run_spawn (run, NULL);
  sent = wait_for (run_instances_sent_cb, NULL, 15, "RunInstances sent (and hanging)");
  g_usleep (300000);
  kill (run->pid, SIGKILL);
  g_assert_cmpint (run_wait (run, 5), ==, -SIGKILL);

  /* The token was on disk before RunInstances went out. */
  token = ledger_token (run);
  g_clear_pointer (&state, json_node_unref);
  state = state_node ();
  g_assert_cmpuint (count_ours (state, run->id, FALSE), ==, after ? 1 : 0);

  run_spawn (run, NULL);
  g_clear_pointer (&state, json_node_unref);
  state = wait_expect (run->id, G_MAXUINT, 1, 1, 25, "the task done on exactly one instance");
  g_usleep (1500000);
  g_clear_pointer (&state, json_node_unref);
  state = state_node ();
  g_assert_cmpuint (count_ours (state, run->id, FALSE), ==, 1);
  launches = json_object_get_object_member (json_node_get_object (state), "launches");
  g_assert_cmpuint (json_object_get_size (launches), ==, 1);
  launch = json_object_get_object_member (launches, token);
  g_assert_nonnull (launch);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (launch, "instance_ids")), ==, 1);
  g_assert_cmpint (run_stop (run), ==, 0);
  if (after)
    assert_log_contains (run, "resolved");
  else
    assert_log_contains (run, "same client token");
}

/* A throttling storm slows the daemon down; it never spins, and recovers. */
static void
test_throttling_storm (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  Options options = { RESOURCE_CPU (2, "false", "[]") };
  gint64 ec2_total = 0;
  JsonObject *ec2;
  GList *members;

  if (!require_fake ())
    return;
  control ("/_fake/fault", "{\"service\":\"ec2\",\"action\":\"*\",\"kind\":\"throttle\",\"count\":12}");
  enqueue (1, 1);
  run = run_new (&options);
  run_spawn (run, NULL);
  state = wait_expect (run->id, G_MAXUINT, 1, 1, 45, "one launch and the task done despite throttling");
  ec2 = json_object_get_object_member (json_object_get_object_member (json_node_get_object (state), "requests"), "ec2");
  members = json_object_get_members (ec2);
  for (GList *l = members; l != NULL; l = l->next)
    ec2_total += json_object_get_int_member (ec2, l->data);
  g_list_free (members);
  /* 12 throttled answers, then a handful of normal cycles: no tight loop. */
  g_assert_cmpint (ec2_total, <, 80);
  g_assert_cmpuint (count_ours (state, run->id, FALSE), ==, 1);
  g_assert_cmpint (run_stop (run), ==, 0);
  assert_log_contains (run, "hrottl");
}

typedef struct
{
  const char *id;
  gboolean    spot;
} MarketWatch;

static const char *
member_string (JsonObject *object,
               const char *name,
               const char *fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static gboolean
launched_market_cb (JsonNode *state,
                    gpointer  data)
{
  MarketWatch *watch = data;
  JsonArray *instances = state_array (state, "instances");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *instance = json_array_get_object_element (instances, i);

      if (g_strcmp0 (json_object_get_string_member (instance, "market"), watch->spot ? "spot" : "on-demand") == 0)
        n++;
    }
  return n >= 1;
}

/* Capacity error -> next zone -> on-demand -> back to spot. */
static void
test_capacity_fallback (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) od = NULL;
  g_autoptr(JsonNode) spot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) full = NULL;
  /* Polling 1.8 s: the back-off (2.5 intervals) outlasts two cycles even on a
   * loaded machine. */
  Options options = { RESOURCE_CPU (3, "true", "[\"us-east-1a\",\"us-east-1b\"]"), 0.03 };
  MarketWatch watch = { NULL, FALSE };
  JsonArray *requests;
  GString *sequence = g_string_new (NULL);
  g_autofree char *seq = NULL;

  if (!require_fake ())
    return;
  control ("/_fake/fault", "{\"service\":\"ec2\",\"action\":\"RunInstances\",\"kind\":\"capacity\",\"count\":1,"
                           "\"zone\":\"us-east-1a\",\"market\":\"spot\"}");
  control ("/_fake/fault", "{\"service\":\"ec2\",\"action\":\"RunInstances\",\"kind\":\"capacity\",\"count\":1,"
                           "\"zone\":\"us-east-1b\",\"market\":\"spot\"}");
  enqueue (1, 30);
  run = run_new (&options);
  watch.id = run->id;
  run_spawn (run, NULL);
  od = wait_for (launched_market_cb, &watch, 30, "an on-demand fallback instance");
  /* The back-offs (2.5 polling intervals) expire: the next launch is spot. */
  g_usleep (5000000);
  enqueue (1, 5);
  watch.spot = TRUE;
  spot = wait_for (launched_market_cb, &watch, 30, "back to spot");

  full = scaler_fake_get_state (fake, &error);
  g_assert_no_error (error);
  requests = json_object_get_array_member (json_node_get_object (full), "ec2_requests");
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      JsonObject *params = json_object_get_object_member (request, "params");

      if (g_strcmp0 (json_object_get_string_member (request, "action"), "RunInstances") != 0)
        continue;
      g_string_append_printf (sequence, "%s/%s/%s ",
                              member_string (params, "Placement.AvailabilityZone", "-"),
                              json_object_has_member (params, "InstanceMarketOptions.MarketType") ? "spot" : "od",
                              member_string (request, "error_code", "ok"));
    }
  seq = g_string_free (sequence, FALSE);
  g_test_message ("RunInstances: %s", seq);
  /* The fake records its injected errors as "fault:<kind>". */
  g_assert_true (g_str_has_prefix (seq, "us-east-1a/spot/fault:capacity "
                                        "us-east-1b/spot/fault:capacity us-east-1a/od/ok "));
  /* Back to spot in the preferred zone once the back-off expired. */
  g_assert_true (g_str_has_suffix (seq, "us-east-1a/spot/ok "));
  g_assert_cmpuint (count_ours (spot, run->id, FALSE), ==, 2);
  /* Spot prices come from a cache refreshed every 10 minutes, not every cycle. */
  g_assert_cmpint (request_count (spot, "ec2", "DescribeSpotPriceHistory"), ==, 1);
  g_assert_cmpint (request_count (spot, "ec2", "DescribeInstances"), >, 5);
  g_assert_cmpint (run_stop (run), ==, 0);
  assert_log_contains (run, "falling back to on-demand");
}

/* The budget caps the summed hourly price of every instance. */
static void
test_budget_cap (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  /* t3.micro on-demand is $0.0104/h in us-east-1: two fit in $0.025/h. */
  Options options = { RESOURCE_CPU (5, "false", "[]"), 0.01, 0.05, 0.15, 0.025 };
  Peak peak = { 0 };

  if (!require_fake ())
    return;
  enqueue (5, 1.0);
  run = run_new (&options);
  peak.id = run->id;
  peak.limit = 2;
  run_spawn (run, NULL);
  state = wait_for (peak_cb, &peak, 40, "five tasks completed within the budget");
  g_assert_cmpuint (peak.max_live, ==, 2);
  g_assert_cmpint (run_stop (run), ==, 0);
  assert_log_contains (run, "budget reached");
}

static gboolean
worker_registered_cb (JsonNode *state,
                      gpointer  data)
{
  return json_array_get_length (state_array (state, "workers")) >= 1
         && count_tasks (state, "completed") == 1;
}

static gboolean
zombie_gone_cb (JsonNode *state,
                gpointer  data)
{
  Run *run = data;

  return request_count (state, "clearml", "workers.unregister") >= 1 && count_ours (state, run->id, TRUE) >= 1;
}

/* A spot interruption leaves a zombie worker: it is unregistered and never
 * counted as capacity. */
static void
test_zombie_worker (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) registered = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *body = NULL;
  Options options = { RESOURCE_CPU (2, "false", "[]"), 0.01, 1.0 };
  JsonObject *instance;

  if (!require_fake ())
    return;
  control ("/_fake/config", "{\"zombie_linger_s\":60}");
  enqueue (1, 0.5);
  run = run_new (&options);
  run_spawn (run, NULL);
  registered = wait_for (worker_registered_cb, NULL, 20, "an idle worker after one task");
  instance = json_array_get_object_element (state_array (registered, "instances"), 0);
  body = g_strdup_printf ("{\"instance_id\":\"%s\"}", json_object_get_string_member (instance, "instance_id"));
  control ("/_fake/spot-interrupt", body);
  /* The zombie looks idle; a new task still gets a new instance. */
  enqueue (1, 0.5);
  state = wait_for (zombie_gone_cb, run, 20, "zombie unregistered and a new instance");
  g_assert_cmpuint (count_ours (state, run->id, FALSE), ==, 2);
  g_assert_cmpint (run_stop (run), ==, 0);
  assert_log_contains (run, "zombie");
}

static gboolean
describe_sent_cb (JsonNode *state,
                  gpointer  data)
{
  return request_count (state, "ec2", "DescribeInstances") >= 1;
}

/* SIGTERM while a request hangs: exit 0 within seconds. */
static void
test_sigterm_while_hanging (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  Options options = { RESOURCE_CPU (2, "false", "[]") };

  if (!require_fake ())
    return;
  control ("/_fake/fault", "{\"service\":\"ec2\",\"action\":\"DescribeInstances\",\"kind\":\"hang\",\"count\":50}");
  run = run_new (&options);
  run_spawn (run, NULL);
  state = wait_for (describe_sent_cb, NULL, 15, "DescribeInstances sent (and hanging)");
  g_usleep (500000);
  g_assert_cmpint (run_stop (run), ==, 0);
  assert_log_contains (run, "Stopped");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/daemon/invalid-config", test_invalid_config);
  g_test_add_func ("/scaler/daemon/once", test_once);
  g_test_add_func ("/scaler/daemon/once-fails", test_once_fails);
  g_test_add_func ("/scaler/daemon/scale-up-idle-down", test_scale_up_and_idle_down);
  g_test_add_func ("/scaler/daemon/cap-at-max", test_cap_at_max);
  g_test_add_func ("/scaler/daemon/busy-survives", test_busy_survives);
  g_test_add_func ("/scaler/daemon/boot-timeout", test_boot_timeout);
  g_test_add_func ("/scaler/daemon/adopt-and-ignore", test_adopt_and_ignore);
  g_test_add_data_func ("/scaler/daemon/kill9-launch-unsent", GINT_TO_POINTER (FALSE), test_kill9_mid_launch);
  g_test_add_data_func ("/scaler/daemon/kill9-launch-answer-lost", GINT_TO_POINTER (TRUE), test_kill9_mid_launch);
  g_test_add_func ("/scaler/daemon/throttling-storm", test_throttling_storm);
  g_test_add_func ("/scaler/daemon/capacity-fallback", test_capacity_fallback);
  g_test_add_func ("/scaler/daemon/budget-cap", test_budget_cap);
  g_test_add_func ("/scaler/daemon/zombie-worker", test_zombie_worker);
  g_test_add_func ("/scaler/daemon/sigterm-while-hanging", test_sigterm_while_hanging);

  ret = g_test_run ();
  g_clear_pointer (&fake, scaler_fake_stop);
  return ret;
}
