/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Closed-loop tests of ec2-autoscalerd against the fake AWS + ClearML where
 * EC2 behaves as the real service does at its edges: provisioned-IOPS
 * volumes, instances EC2 terminates while they are pending, account quotas,
 * and eventual consistency right after a launch. Harness:
 * tests/support/scaler-test-daemon.h.
 */

#define G_LOG_DOMAIN "test-daemon-ec2"

#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include "scaler-core.h"
#include "scaler-test-daemon.h"

/* One resource "cpu" of t3.micro on queue "default" with the given volume
 * and zones. */
#define RESOURCE_VOLUME(volume, zones, spot) \
  "[{\"name\":\"cpu\",\"queue\":\"default\",\"max_instances\":2,\"instance_type\":\"t3.micro\"," \
  "\"availability_zones\":" zones ",\"subnet_ids\":[],\"ami_id\":\"ami-0123456789abcdef0\"," \
  "\"ebs_device_name\":\"/dev/sda1\"," volume ",\"security_group_ids\":[],\"is_spot\":" spot "," \
  "\"spot_fallback_on_demand\":true,\"tags\":{}}]"

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

/* "zone/market/outcome " for every RunInstances the fake saw, in order. */
static char *
run_instances_sequence (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) full = scaler_fake_get_state (scaler_test_fake (), &error);
  GString *sequence = g_string_new (NULL);
  JsonArray *requests;

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
  return g_string_free (sequence, FALSE);
}

static JsonObject *
first_instance (JsonNode *state)
{
  JsonArray *instances = scaler_test_state_array (state, "instances");

  g_assert_cmpuint (json_array_get_length (instances), >=, 1);
  return json_array_get_object_element (instances, 0);
}

/* io1 volumes launch with their IOPS (EC2 refuses io1/io2 without), and the
 * IMDSv2 hop limit lets containers reach the instance role. */
static void
test_io1_volumes (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = {
    RESOURCE_VOLUME ("\"ebs_volume_size\":100,\"ebs_volume_type\":\"io1\",\"ebs_iops\":3000", "[]", "false")
  };
  JsonObject *instance, *ebs, *metadata;

  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (1, 1);
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_expect (run->id, G_MAXUINT, 1, 1, 30, "an io1 instance ran the task");
  instance = first_instance (state);
  ebs = json_object_get_object_member (json_array_get_object_element (
          json_object_get_array_member (instance, "block_device_mappings"), 0), "ebs");
  g_assert_cmpstr (member_string (ebs, "VolumeType", NULL), ==, "io1");
  g_assert_cmpstr (member_string (ebs, "Iops", NULL), ==, "3000");
  g_assert_cmpstr (member_string (ebs, "VolumeSize", NULL), ==, "100");
  metadata = json_object_get_object_member (instance, "metadata_options");
  g_assert_cmpstr (member_string (metadata, "HttpTokens", NULL), ==, "required");
  g_assert_cmpstr (member_string (metadata, "HttpPutResponseHopLimit", NULL), ==, "2");
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "RunInstances"), ==, 1);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
}

/* io1 without ebs_iops: refused by validation with the exact path, and the
 * run mode sends nothing. */
static void
test_io1_without_iops_refused (void)
{
  g_autoptr(ScalerTestRun) check = NULL;
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = {
    RESOURCE_VOLUME ("\"ebs_volume_size\":100,\"ebs_volume_type\":\"io1\"", "[]", "false")
  };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (1, 1);
  check = scaler_test_run_new (&options);
  {
    const char *argv[] = { g_getenv ("SCALER_DAEMON"), "--check", check->config_path, NULL };
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = -1;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, check->envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err, &status, &error));
    g_assert_no_error (error);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 1);
    g_test_message ("--check: %s", err);
    g_assert_nonnull (strstr (err, "resources[0].ebs_iops: io1 volumes need provisioned IOPS: set ebs_iops"));
  }

  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, "--once");
  g_assert_cmpint (scaler_test_run_wait (run, 10), ==, 1);
  scaler_test_run_assert_log_contains (run, "resources[0].ebs_iops");
  state = scaler_test_state ();
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "RunInstances"), ==, 0);
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "DescribeInstances"), ==, 0);
}

static gboolean
task_done_cb (JsonNode *state,
              gpointer  data)
{
  return scaler_test_count_tasks (state, "completed") >= 1;
}

/* EC2 terminates every instance launched into us-east-1a while it is
 * pending (Server.InsufficientInstanceCapacity). The daemon logs the
 * reason, backs that zone off, and the next launch goes to us-east-1b:
 * one failed launch, not a silent launch/terminate loop. */
static void
test_terminated_while_pending (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *seq = NULL;
  /* Polling 1.8 s: the back-off (2.5 intervals) outlasts the test's launches. */
  ScalerTestRunOptions options = {
    RESOURCE_VOLUME ("\"ebs_volume_size\":8,\"ebs_volume_type\":\"gp3\"", "[\"us-east-1a\",\"us-east-1b\"]", "false"),
    0.03
  };
  JsonArray *instances;
  guint in_a = 0, in_b = 0;

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/config", "{\"terminate_pending\":{\"us-east-1a\":\"Server.InsufficientInstanceCapacity\"}}");
  scaler_test_enqueue (1, 1);
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_for (task_done_cb, NULL, 40, "the task done in the other zone");
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);

  seq = run_instances_sequence ();
  g_test_message ("RunInstances: %s", seq);
  g_assert_cmpstr (seq, ==, "us-east-1a/od/ok us-east-1b/od/ok ");
  instances = scaler_test_state_array (state, "instances");
  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *instance = json_array_get_object_element (instances, i);

      if (g_strcmp0 (member_string (instance, "zone", ""), "us-east-1a") == 0)
        {
          in_a++;
          g_assert_cmpstr (member_string (instance, "state_reason", NULL), ==, "Server.InsufficientInstanceCapacity");
          g_assert_cmpstr (member_string (instance, "terminated_by", NULL), ==, "ec2");
        }
      else
        in_b++;
    }
  g_assert_cmpuint (in_a, ==, 1);
  g_assert_cmpuint (in_b, ==, 1);
  scaler_test_run_assert_log_contains (run, "while it was starting: Server.InsufficientInstanceCapacity");
  scaler_test_run_assert_log_contains (run, "this placement backs off");
}

static gboolean
launched_on_demand_cb (JsonNode *state,
                       gpointer  data)
{
  JsonArray *instances = scaler_test_state_array (state, "instances");

  for (guint i = 0; i < json_array_get_length (instances); i++)
    if (g_strcmp0 (member_string (json_array_get_object_element (instances, i), "market", ""), "on-demand") == 0)
      return TRUE;
  return FALSE;
}

/* A spot quota (MaxSpotInstanceCountExceeded) is per region: after it, no
 * spot launch is tried in the other zones; the fallback goes on-demand in
 * the preferred zone at once. */
static void
test_quota_backs_off_every_zone (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *seq = NULL;
  ScalerTestRunOptions options = {
    RESOURCE_VOLUME ("\"ebs_volume_size\":8,\"ebs_volume_type\":\"gp3\"",
                     "[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"]", "true"),
    0.03
  };

  if (!scaler_test_require_fake ())
    return;
  /* Every spot launch in every zone would fail: only one may be tried. */
  scaler_test_control ("/_fake/fault", "{\"service\":\"ec2\",\"action\":\"RunInstances\",\"kind\":\"quota\","
                                       "\"market\":\"spot\",\"count\":3}");
  scaler_test_enqueue (1, 30);
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_for (launched_on_demand_cb, NULL, 30, "an on-demand instance");
  /* A few more cycles: still no spot attempt in another zone. */
  g_usleep (2500000);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);

  seq = run_instances_sequence ();
  g_test_message ("RunInstances: %s", seq);
  g_assert_cmpstr (seq, ==, "us-east-1a/spot/fault:quota us-east-1a/od/ok ");
  scaler_test_run_assert_log_contains (run, "every zone of this market backs off");
}

static gboolean
terminated_cb (JsonNode *state,
               gpointer  data)
{
  JsonArray *instances = scaler_test_state_array (state, "instances");

  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *instance = json_array_get_object_element (instances, i);

      if (g_strcmp0 (member_string (instance, "terminated_by", ""), "api") == 0)
        return TRUE;
    }
  return FALSE;
}

/* EC2 is eventually consistent: for 2 s after the launch DescribeInstances
 * does not show the instance, and for 12 s TerminateInstances does not know
 * it. The daemon neither launches twice nor loses it: the launch stays in
 * flight until it shows up, and an idle termination that meets NotFound is
 * retried instead of taking the instance as gone. */
static void
test_not_found_after_launch (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *log = NULL;
  ScalerTestRunOptions options = {
    RESOURCE_VOLUME ("\"ebs_volume_size\":8,\"ebs_volume_type\":\"gp3\"", "[]", "false"),
    0.01, 0.05, 0.5
  };
  JsonObject *instance;

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/config", "{\"eventual_consistency_s\":{\"DescribeInstances\":2,"
                                        "\"TerminateInstances\":12,\"GetConsoleOutput\":2}}");
  scaler_test_enqueue (1, 0.5);
  run = scaler_test_run_new (&options);
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_for (terminated_cb, NULL, 60, "the idle instance terminated once EC2 knows it");
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);

  g_assert_cmpint (scaler_test_request_count (state, "ec2", "RunInstances"), ==, 1);
  g_assert_cmpuint (scaler_test_count_ours (state, run->id, FALSE), ==, 1);
  g_assert_cmpuint (scaler_test_count_tasks (state, "completed"), ==, 1);
  /* Terminate was tried while EC2 did not know the instance yet. */
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "TerminateInstances"), >=, 2);
  instance = first_instance (state);
  g_assert_cmpstr (member_string (instance, "terminated_by", NULL), ==, "api");
  scaler_test_run_assert_log_contains (run, "eventually consistent");
  log = scaler_test_run_log (run);
  g_assert_null (strstr (log, "already gone"));
  g_assert_null (strstr (log, "never showed up"));
  g_assert_null (strstr (log, "is gone from the fleet"));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/daemon-ec2/io1-volumes", test_io1_volumes);
  g_test_add_func ("/scaler/daemon-ec2/io1-without-iops-refused", test_io1_without_iops_refused);
  g_test_add_func ("/scaler/daemon-ec2/terminated-while-pending", test_terminated_while_pending);
  g_test_add_func ("/scaler/daemon-ec2/quota-backs-off-every-zone", test_quota_backs_off_every_zone);
  g_test_add_func ("/scaler/daemon-ec2/not-found-after-launch", test_not_found_after_launch);

  ret = g_test_run ();
  scaler_test_fake_shutdown ();
  return ret;
}
