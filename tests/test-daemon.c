/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Closed-loop tests of ec2-autoscalerd against the fake AWS + ClearML
 * (tests/fakes) over real HTTP: the built daemon ($SCALER_DAEMON) runs with a
 * config whose aws.endpoint and clearml.api_server point at the fake, with
 * short timings (polling 0.01 min). Each test asserts on /_fake/state.
 */

#define G_LOG_DOMAIN "test-daemon"

#include "config.h"

#include <signal.h>
#include <unistd.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-test-daemon.h"

/* ------------------------------------------------------------------ tests */

static void
test_invalid_config (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *log = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]") };

  if (!scaler_test_require_fake ())
    return;
  run = scaler_test_run_new (&options);
  g_assert_true (g_file_set_contents (run->config_path,
                                      "{\"version\":1,\"id\":\"x\",\"polling_interval_time_min\":\"fast\",\"typo\":1}",
                                      -1, NULL));
  scaler_test_run_spawn (run, NULL);
  g_assert_cmpint (scaler_test_run_wait (run, 10), ==, 1);
  log = scaler_test_run_log (run);
  g_assert_true (strstr (log, "polling_interval_time_min: ") != NULL);
  g_assert_true (strstr (log, "typo: ") != NULL);
  state = scaler_test_state ();
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "DescribeInstances"), ==, 0);
  g_assert_cmpint (scaler_test_request_count (state, "clearml", "workers.get_all"), ==, 0);
}

static void
test_once (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (3, "false", "[\"us-east-1b\"]") };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (2, 30);
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, "--once");
  g_assert_cmpint (scaler_test_run_wait (run, 20), ==, 0);
  /* Everything decided was launched before the exit. */
  state = scaler_test_state ();
  g_assert_cmpuint (scaler_test_count_ours (state, run->id, TRUE), ==, 2);
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "RunInstances"), ==, 2);
  scaler_test_run_assert_log_contains (run, "One cycle done");
}

/* --once exits non-zero when the cycle could not complete, and launches
 * nothing on a partial view. */
static void
test_once_fails (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (3, "false", "[]") };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/fault", "{\"service\":\"clearml\",\"action\":\"workers.get_all\",\"kind\":\"auth\",\"count\":10}");
  scaler_test_enqueue (2, 30);
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, "--once");
  g_assert_cmpint (scaler_test_run_wait (run, 20), ==, 1);
  state = scaler_test_state ();
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "RunInstances"), ==, 0);
  scaler_test_run_assert_log_contains (run, "could not complete");
}

/* Scale up from zero, tags at launch, idle down, workers unregistered. */
static void
test_scale_up_and_idle_down (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) up = NULL;
  g_autoptr(JsonNode) gone = NULL;
  g_autoptr(JsonNode) down = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (3, "false", "[\"us-east-1b\"]") };
  JsonArray *instances;

  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (2, 1.5);
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, NULL);
  /* The adaptive idle rule may let the first worker go as soon as it is
   * seen idle, before the second task ends: live instances are not waited
   * for here. */
  up = scaler_test_wait_expect (run->id, G_MAXUINT, 2, 2, 20, "two instances and two completed tasks");
  instances = scaler_test_state_array (up, "instances");
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
  /* Idle for 3 s: both terminated, and their workers unregistered (each
   * right after its TerminateInstances: wait for the second one too). */
  gone = scaler_test_wait_expect (run->id, 0, 2, 2, 20, "both instances terminated after the idle time");
  down = scaler_test_wait_requests ("clearml", "workers.unregister", 2, 20, "both workers unregistered");
  g_assert_cmpint (scaler_test_request_count (down, "ec2", "RunInstances"), ==, 2);
  g_assert_cmpint (scaler_test_request_count (down, "clearml", "workers.unregister"), >=, 2);
  g_assert_cmpint (json_node_get_int (json_object_get_member (json_node_get_object (down), "get_next_task_calls")), ==, 0);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  scaler_test_run_assert_log_contains (run, "worker idle for");
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
  guint live = scaler_test_count_ours (state, peak->id, TRUE);

  peak->max_live = MAX (peak->max_live, live);
  g_assert_cmpuint (live, <=, peak->limit);
  return scaler_test_count_tasks (state, "completed") == 5;
}

/* Never more than max_instances, whatever the queue. */
static void
test_cap_at_max (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]") };
  Peak peak = { 0 };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (5, 1.0);
  run = scaler_test_run_new (&options);
  peak.id = run->id;
  peak.limit = 2;
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_for (peak_cb, &peak, 40, "five tasks completed with at most two instances");
  g_assert_cmpuint (peak.max_live, ==, 2);
  g_assert_cmpuint (scaler_test_count_ours (state, run->id, FALSE), ==, 2);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  scaler_test_run_assert_log_contains (run, "maximum");
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
  if (scaler_test_count_tasks (state, "in_progress") == 1)
    g_assert_cmpuint (scaler_test_count_ours (state, watch->id, TRUE), ==, 1);
  return scaler_test_count_tasks (state, "completed") == 1;
}

/* A busy worker outlives the idle time many times over. */
static void
test_busy_survives (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) done = NULL;
  g_autoptr(JsonNode) down = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]"), 0.01, 0.02 };
  BusyWatch watch;

  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (1, 8);
  run = scaler_test_run_new (&options);
  watch.id = run->id;
  scaler_test_run_spawn (run, NULL);
  done = scaler_test_wait_for (busy_cb, &watch, 30, "the 8 s task completed on its instance");
  g_assert_cmpuint (scaler_test_count_tasks (done, "stopped"), ==, 0);
  down = scaler_test_wait_expect (run->id, 0, 1, 1, 15, "the instance idled down after its task");
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
}

/* An instance that never registers is terminated after max_spin_up_time_min,
 * with its console output in the log. */
static void
test_boot_timeout (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (1, "false", "[]"), 0.01, 0.05, 0.05 };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/config", "{\"never_register_resources\":[\"cpu\"]}");
  scaler_test_enqueue (1, 5);
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_expect (run->id, G_MAXUINT, 2, G_MAXUINT, 25, "the stuck instance replaced");
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "GetConsoleOutput"), >=, 1);
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "TerminateInstances"), >=, 1);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  scaler_test_run_assert_log_contains (run, "no worker registered");
  scaler_test_run_assert_log_contains (run, "console: ");
}

/* A tagged orphan (earlier run, other machine) is adopted and idled down; an
 * untagged instance and another config's instance are never touched. */
static void
test_adopt_and_ignore (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *orphan = NULL;
  g_autofree char *user_data = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]") };
  JsonArray *instances;

  if (!scaler_test_require_fake ())
    return;
  run = scaler_test_run_new (&options);
  user_data = g_strdup_printf ("#!/bin/bash\\nexport CLEARML_WORKER_ID=\\\"dyn:cpu:t3.micro:$INSTANCE_ID\\\"\\n"
                               "clearml-agent daemon --queue default\\n");
  /* One short task: the orphan (running, tagged) covers it. */
  scaler_test_enqueue (1, 0.5);
  orphan = g_strdup_printf ("{\"instance_type\":\"t3.micro\",\"tags\":{\"ec2-autoscaler:instance\":\"%s\","
                            "\"ec2-autoscaler:resource\":\"cpu\"},\"user_data\":\"%s\"}", run->id, user_data);
  scaler_test_control ("/_fake/instances", orphan);
  scaler_test_control ("/_fake/instances", "{\"instance_type\":\"t3.micro\",\"tags\":{\"Name\":\"somebody else\"}}");
  scaler_test_control ("/_fake/instances", "{\"instance_type\":\"t3.micro\",\"tags\":{\"ec2-autoscaler:instance\":\"another-config\","
                               "\"ec2-autoscaler:resource\":\"cpu\"}}");
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_expect (run->id, 0, 1, G_MAXUINT, 20, "the adopted orphan idled down");
  instances = scaler_test_state_array (state, "instances");
  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *instance = json_array_get_object_element (instances, i);
      JsonObject *tags = json_object_get_object_member (instance, "tags");

      if (g_strcmp0 (json_object_get_string_member_with_default (tags, "ec2-autoscaler:instance", ""), run->id) == 0)
        continue;
      g_assert_cmpstr (json_object_get_string_member (instance, "state"), ==, "running");
    }
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "RunInstances"), ==, 0);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  scaler_test_run_assert_log_contains (run, "Adopted instance");
}

static char *
ledger_token (ScalerTestRun *run)
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

/* kill -9 while RunInstances hangs, then a restart: no double launch and
 * nothing untracked. after = the launch happened at EC2 (its answer lost). */
static void
test_kill9_mid_launch (gconstpointer data)
{
  gboolean after = GPOINTER_TO_INT (data);
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *fault = NULL;
  g_autofree char *token = NULL;
  JsonObject *launches, *launch;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (3, "false", "[]") };

  if (!scaler_test_require_fake ())
    return;
  fault = g_strdup_printf ("{\"service\":\"ec2\",\"action\":\"RunInstances\",\"kind\":\"hang\",\"count\":1,\"after\":%s}",
                           after ? "true" : "false");
  scaler_test_control ("/_fake/fault", fault);
  scaler_test_enqueue (1, 2);
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, NULL);
  sent = scaler_test_wait_requests ("ec2", "RunInstances", 1, 15, "RunInstances sent (and hanging)");
  g_usleep (300000);
  kill (run->pid, SIGKILL);
  g_assert_cmpint (scaler_test_run_wait (run, 5), ==, -SIGKILL);

  /* The token was on disk before RunInstances went out. */
  token = ledger_token (run);
  g_clear_pointer (&state, json_node_unref);
  state = scaler_test_state ();
  g_assert_cmpuint (scaler_test_count_ours (state, run->id, FALSE), ==, after ? 1 : 0);

  scaler_test_run_spawn (run, NULL);
  g_clear_pointer (&state, json_node_unref);
  state = scaler_test_wait_expect (run->id, G_MAXUINT, 1, 1, 25, "the task done on exactly one instance");
  g_usleep (1500000);
  g_clear_pointer (&state, json_node_unref);
  state = scaler_test_state ();
  g_assert_cmpuint (scaler_test_count_ours (state, run->id, FALSE), ==, 1);
  launches = json_object_get_object_member (json_node_get_object (state), "launches");
  g_assert_cmpuint (json_object_get_size (launches), ==, 1);
  launch = json_object_get_object_member (launches, token);
  g_assert_nonnull (launch);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (launch, "instance_ids")), ==, 1);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  if (after)
    scaler_test_run_assert_log_contains (run, "resolved");
  else
    scaler_test_run_assert_log_contains (run, "same client token");
}

/* A throttling storm slows the daemon down; it never spins, and recovers. */
static void
test_throttling_storm (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]") };
  gint64 ec2_total = 0;
  JsonObject *ec2;
  GList *members;

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/fault", "{\"service\":\"ec2\",\"action\":\"*\",\"kind\":\"throttle\",\"count\":12}");
  scaler_test_enqueue (1, 1);
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_expect (run->id, G_MAXUINT, 1, 1, 45, "one launch and the task done despite throttling");
  ec2 = json_object_get_object_member (json_object_get_object_member (json_node_get_object (state), "requests"), "ec2");
  members = json_object_get_members (ec2);
  for (GList *l = members; l != NULL; l = l->next)
    ec2_total += json_object_get_int_member (ec2, l->data);
  g_list_free (members);
  /* 12 throttled answers, then a handful of normal cycles: no tight loop. */
  g_assert_cmpint (ec2_total, <, 80);
  g_assert_cmpuint (scaler_test_count_ours (state, run->id, FALSE), ==, 1);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  scaler_test_run_assert_log_contains (run, "hrottl");
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
  JsonArray *instances = scaler_test_state_array (state, "instances");
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
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) od = NULL;
  g_autoptr(JsonNode) spot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) full = NULL;
  /* Polling 1.8 s: the back-off (2.5 intervals) outlasts two cycles even on a
   * loaded machine. */
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (3, "true", "[\"us-east-1a\",\"us-east-1b\"]"), 0.03 };
  MarketWatch watch = { NULL, FALSE };
  JsonArray *requests;
  GString *sequence = g_string_new (NULL);
  g_autofree char *seq = NULL;

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/fault", "{\"service\":\"ec2\",\"action\":\"RunInstances\",\"kind\":\"capacity\",\"count\":1,"
                           "\"zone\":\"us-east-1a\",\"market\":\"spot\"}");
  scaler_test_control ("/_fake/fault", "{\"service\":\"ec2\",\"action\":\"RunInstances\",\"kind\":\"capacity\",\"count\":1,"
                           "\"zone\":\"us-east-1b\",\"market\":\"spot\"}");
  scaler_test_enqueue (1, 30);
  run = scaler_test_run_new (&options);
  watch.id = run->id;
  scaler_test_run_spawn (run, NULL);
  od = scaler_test_wait_for (launched_market_cb, &watch, 30, "an on-demand fallback instance");
  /* The back-offs (2.5 polling intervals) expire: the next launch is spot. */
  g_usleep (5000000);
  scaler_test_enqueue (1, 5);
  watch.spot = TRUE;
  spot = scaler_test_wait_for (launched_market_cb, &watch, 30, "back to spot");

  full = scaler_fake_get_state (scaler_test_fake (), &error);
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
  g_assert_cmpuint (scaler_test_count_ours (spot, run->id, FALSE), ==, 2);
  /* Spot prices come from a cache refreshed every 10 minutes, not every cycle. */
  g_assert_cmpint (scaler_test_request_count (spot, "ec2", "DescribeSpotPriceHistory"), ==, 1);
  g_assert_cmpint (scaler_test_request_count (spot, "ec2", "DescribeInstances"), >, 5);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  scaler_test_run_assert_log_contains (run, "falling back to on-demand");
}

/* The budget caps the summed hourly price of every instance. */
static void
test_budget_cap (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  /* t3.micro on-demand is $0.0104/h in us-east-1: two fit in $0.025/h. */
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (5, "false", "[]"), 0.01, 0.05, 0.15, 0.025 };
  Peak peak = { 0 };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (5, 1.0);
  run = scaler_test_run_new (&options);
  peak.id = run->id;
  peak.limit = 2;
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_for (peak_cb, &peak, 40, "five tasks completed within the budget");
  g_assert_cmpuint (peak.max_live, ==, 2);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  scaler_test_run_assert_log_contains (run, "budget reached");
}

static gboolean
worker_registered_cb (JsonNode *state,
                      gpointer  data)
{
  return json_array_get_length (scaler_test_state_array (state, "workers")) >= 1
         && scaler_test_count_tasks (state, "completed") == 1;
}

static gboolean
zombie_gone_cb (JsonNode *state,
                gpointer  data)
{
  ScalerTestRun *run = data;

  return scaler_test_request_count (state, "clearml", "workers.unregister") >= 1 && scaler_test_count_ours (state, run->id, TRUE) >= 1;
}

/* A spot interruption leaves a zombie worker: it is unregistered and never
 * counted as capacity. */
static void
test_zombie_worker (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) registered = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *body = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]"), 0.01, 1.0 };
  JsonObject *instance;

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/config", "{\"zombie_linger_s\":60}");
  scaler_test_enqueue (1, 0.5);
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, NULL);
  registered = scaler_test_wait_for (worker_registered_cb, NULL, 20, "an idle worker after one task");
  instance = json_array_get_object_element (scaler_test_state_array (registered, "instances"), 0);
  body = g_strdup_printf ("{\"instance_id\":\"%s\"}", json_object_get_string_member (instance, "instance_id"));
  scaler_test_control ("/_fake/spot-interrupt", body);
  /* The zombie looks idle; a new task still gets a new instance. */
  scaler_test_enqueue (1, 0.5);
  state = scaler_test_wait_for (zombie_gone_cb, run, 20, "zombie unregistered and a new instance");
  g_assert_cmpuint (scaler_test_count_ours (state, run->id, FALSE), ==, 2);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  scaler_test_run_assert_log_contains (run, "zombie");
}

/* SIGTERM while a request hangs: exit 0 within seconds. */
static void
test_sigterm_while_hanging (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]") };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/fault", "{\"service\":\"ec2\",\"action\":\"DescribeInstances\",\"kind\":\"hang\",\"count\":50}");
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_requests ("ec2", "DescribeInstances", 1, 15, "DescribeInstances sent (and hanging)");
  g_usleep (500000);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  scaler_test_run_assert_log_contains (run, "Stopped");
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
  scaler_test_fake_shutdown ();
  return ret;
}
