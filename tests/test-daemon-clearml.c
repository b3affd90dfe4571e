/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Closed-loop tests of ec2-autoscalerd against the fake AWS + ClearML where
 * the ClearML side meets the real server and agent: the fake RUNS the
 * generated user-data in bash and plays clearml-agent on what it wrote
 * (tests/fakes/README.md, "Agent simulation"). Docker on CPU and GPU types, a
 * version-pinned api_server, and dead workers that linger for the server's
 * 600 s: resurrected by a last report while their instance shuts down, or
 * owned by another ClearML user (the agents' key).
 */

#define G_LOG_DOMAIN "test-daemon-clearml"

#include "config.h"

#include <string.h>

#include "scaler-core.h"
#include "scaler-test-daemon.h"

/* A resource array with one on-demand resource of @type on queue "default". */
#define RESOURCE(type) \
  "[{\"name\":\"res\",\"queue\":\"default\",\"max_instances\":2,\"instance_type\":\"" type "\"," \
  "\"availability_zones\":[],\"subnet_ids\":[],\"ami_id\":\"ami-0123456789abcdef0\"," \
  "\"ebs_device_name\":\"/dev/sda1\",\"ebs_volume_size\":8,\"ebs_volume_type\":\"gp3\"," \
  "\"security_group_ids\":[],\"is_spot\":false,\"spot_fallback_on_demand\":true,\"tags\":{}}]"

/* The agent the fake ran on each of our instances. */
static GPtrArray *
our_agents (JsonNode   *state,
            const char *config_id)
{
  JsonArray *instances = scaler_test_state_array (state, "instances");
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *instance = json_array_get_object_element (instances, i);
      JsonObject *tags = json_object_get_object_member (instance, "tags");

      if (g_strcmp0 (json_object_get_string_member_with_default (tags, "ec2-autoscaler:instance", ""), config_id) == 0 &&
          !json_object_get_null_member (instance, "agent"))
        g_ptr_array_add (out, json_object_get_object_member (instance, "agent"));
    }
  return out;
}

static gboolean
argv_has (JsonObject *agent,
          const char *arg)
{
  JsonArray *argv;

  if (json_object_get_null_member (agent, "argv"))
    return FALSE;
  argv = json_object_get_array_member (agent, "argv");
  for (guint i = 0; i < json_array_get_length (argv); i++)
    if (g_strcmp0 (json_array_get_string_element (argv, i), arg) == 0)
      return TRUE;
  return FALSE;
}

static guint
count_log (ScalerTestRun *run,
           const char    *needle)
{
  g_autofree char *log = scaler_test_run_log (run);
  guint n = 0;

  for (const char *p = strstr (log, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

typedef struct
{
  const char *id;
  guint       completed;
} Done;

static gboolean
completed_cb (JsonNode *state,
              gpointer  data)
{
  Done *done = data;

  /* A task that fails never completes: fail at once instead of timing out. */
  g_assert_cmpuint (scaler_test_count_tasks (state, "failed"), ==, 0);
  return scaler_test_count_tasks (state, "completed") >= done->completed;
}

/* A docker image on a CPU instance type: the agent runs with --cpu-only, so
 * no task gets `docker run --gpus all` (which fails without GPUs), and every
 * task completes. */
static void
test_docker_on_cpu_type (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GPtrArray) agents = NULL;
  ScalerTestRunOptions options = { RESOURCE ("t3.micro") };
  Done done = { NULL, 3 };

  options.extra = "\"default_docker_image\":\"python:3.11-slim\"";
  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (3, 0.5);
  run = scaler_test_run_new (&options);
  done.id = run->id;
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_for (completed_cb, &done, 40, "three docker tasks completed on a CPU type");
  agents = our_agents (state, run->id);
  g_assert_cmpuint (agents->len, >=, 1);
  for (guint i = 0; i < agents->len; i++)
    {
      JsonObject *agent = g_ptr_array_index (agents, i);

      if (json_object_get_null_member (agent, "argv"))
        continue; /* still booting */
      g_assert_true (argv_has (agent, "--docker"));
      g_assert_true (argv_has (agent, "python:3.11-slim"));
      g_assert_true (argv_has (agent, "--force-current-version"));
      g_assert_true (argv_has (agent, "--cpu-only"));
      g_assert_true (json_object_get_null_member (agent, "docker_gpus"));
      g_assert_cmpstr (json_object_get_string_member (agent, "umask"), ==, "0022");
    }
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
}

/* A GPU type with docker: the bootstrap installs the NVIDIA container toolkit
 * (the fake AMI has the driver but not the toolkit), tasks get --gpus all and
 * complete. */
static void
test_docker_on_gpu_type (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GPtrArray) agents = NULL;
  ScalerTestRunOptions options = { RESOURCE ("g4dn.xlarge") };
  Done done = { NULL, 2 };

  options.extra = "\"default_docker_image\":\"nvidia/cuda:12.4.1-runtime-ubuntu22.04\"";
  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (2, 0.5);
  run = scaler_test_run_new (&options);
  done.id = run->id;
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_for (completed_cb, &done, 40, "two GPU docker tasks completed");
  agents = our_agents (state, run->id);
  for (guint i = 0; i < agents->len; i++)
    {
      JsonObject *agent = g_ptr_array_index (agents, i);

      if (json_object_get_null_member (agent, "argv"))
        continue;
      g_assert_false (argv_has (agent, "--cpu-only"));
      g_assert_cmpstr (json_object_get_string_member (agent, "docker_gpus"), ==, "all");
    }
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
}

/* Rewrites clearml.api_server in the run's config. */
static void
set_api_server (ScalerTestRun *run,
                const char    *api_server)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *clearml;

  json_parser_load_from_file (parser, run->config_path, &error);
  g_assert_no_error (error);
  clearml = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "clearml");
  json_object_set_string_member (clearml, "api_server", api_server);
  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_to_file (generator, run->config_path, &error);
  g_assert_no_error (error);
}

/* api_server pinned to an API version ("/v2.20", as scaler-clearml.h allows):
 * the autoscaler's own calls use the pin; the agent gets the address without
 * it, since it adds its own version to every path and the server rejects
 * two. */
static void
test_versioned_api_server (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GPtrArray) agents = NULL;
  g_autofree char *pinned = NULL;
  ScalerTestRunOptions options = { RESOURCE ("t3.micro") };
  Done done = { NULL, 2 };
  JsonArray *requests;
  guint pinned_calls = 0;

  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (2, 0.5);
  run = scaler_test_run_new (&options);
  pinned = g_strconcat (scaler_fake_get_clearml_url (scaler_test_fake ()), "/v2.20/", NULL);
  set_api_server (run, pinned);
  done.id = run->id;
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_for (completed_cb, &done, 40, "two tasks completed with a pinned api_server");
  agents = our_agents (state, run->id);
  for (guint i = 0; i < agents->len; i++)
    {
      JsonObject *agent = g_ptr_array_index (agents, i);

      /* No agent ever exited: each registered at its first start. */
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (agent, "exits")), ==, 0);
    }
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);

  /* The autoscaler itself kept its pin. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) full = scaler_fake_get_state (scaler_test_fake (), &error);

    g_assert_no_error (error);
    requests = scaler_test_state_array (full, "clearml_requests");
    for (guint i = 0; i < json_array_get_length (requests); i++)
      {
        JsonObject *r = json_array_get_object_element (requests, i);

        if (g_strcmp0 (json_object_get_string_member_with_default (r, "version", ""), "2.20") == 0)
          pinned_calls++;
      }
    g_assert_cmpuint (pinned_calls, >, 0);
  }
}

typedef struct
{
  const char *id;
  gint64      unregisters;
} Zombies;

static gboolean
no_worker_left_cb (JsonNode *state,
                   gpointer  data)
{
  Zombies *z = data;
  JsonArray *workers = scaler_test_state_array (state, "workers");

  return scaler_test_count_ours (state, z->id, TRUE) == 0 &&
         scaler_test_count_tasks (state, "completed") == 2 &&
         json_array_get_length (workers) == 0 &&
         scaler_test_request_count (state, "clearml", "workers.unregister") >= z->unregisters;
}

/* Dead workers linger 600 s on the server, and an agent still alive while its
 * instance shuts down reports once more, which re-registers the entry the
 * autoscaler just unregistered. The next cycles unregister the zombie again. */
static void
test_zombies_unregistered (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = { RESOURCE ("t3.micro") };
  Zombies z = { NULL, 0 };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/config", "{\"zombie_linger_s\":600,\"agent_final_report\":true,\"shutdown_delay_s\":1}");
  scaler_test_enqueue (2, 0.5);
  run = scaler_test_run_new (&options);
  z.id = run->id;
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_expect (run->id, 2, 2, 2, 40, "two instances, two tasks completed");
  g_clear_pointer (&state, json_node_unref);
  /* Idle down: each worker unregistered after TerminateInstances, then once
   * more as a zombie after its last report. */
  z.unregisters = 4;
  state = scaler_test_wait_for (no_worker_left_cb, &z, 40, "idle instances gone and no worker left");
  scaler_test_run_wait_log (run, "Unregistering zombie worker", 20);
  /* Same user: no permission warning. */
  g_assert_cmpuint (count_log (run, "left worker"), ==, 0);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
}

typedef struct
{
  const char *id;
  guint       zombies;
} Blocked;

static gboolean
zombies_and_done_cb (JsonNode *state,
                     gpointer  data)
{
  Blocked *b = data;
  JsonArray *workers = scaler_test_state_array (state, "workers");
  guint zombies = 0;

  for (guint i = 0; i < json_array_get_length (workers); i++)
    if (json_object_get_boolean_member (json_array_get_object_element (workers, i), "zombie"))
      zombies++;
  b->zombies = zombies;
  return scaler_test_count_tasks (state, "completed") == 4 && scaler_test_count_ours (state, b->id, FALSE) >= 3;
}

/* The agents log in with another ClearML user's key (the init script exports
 * it): workers.unregister cannot remove their workers, which stay as zombies
 * for 600 s. The autoscaler says so once, and the zombies do not hold back
 * new launches. */
static void
test_zombies_of_another_user (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = { RESOURCE ("t3.micro") };
  Blocked b = { NULL, 0 };
  JsonArray *workers;

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/config",
                       "{\"zombie_linger_s\":600,\"clearml_users\":[{\"key\":\"AGENTKEY\",\"secret\":\"AGENTSECRET\",\"name\":\"agents\"}]}");
  options.extra = "\"extra_vm_bash_script\":\"export CLEARML_API_ACCESS_KEY=AGENTKEY CLEARML_API_SECRET_KEY=AGENTSECRET\"";
  scaler_test_enqueue (2, 0.5);
  run = scaler_test_run_new (&options);
  b.id = run->id;
  scaler_test_run_spawn (run, NULL);
  state = scaler_test_wait_expect (run->id, 0, 2, 2, 60, "two instances ran two tasks and idled down");
  workers = scaler_test_state_array (state, "workers");
  g_assert_cmpuint (json_array_get_length (workers), ==, 2);
  for (guint i = 0; i < json_array_get_length (workers); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (workers, i), "user"), ==, "agents");
  g_clear_pointer (&state, json_node_unref);

  /* More work while the two zombies are listed: new instances all the same. */
  scaler_test_enqueue (2, 0.5);
  state = scaler_test_wait_for (zombies_and_done_cb, &b, 60, "new instances despite two zombie workers");
  g_assert_cmpuint (b.zombies, >=, 2);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  g_assert_cmpuint (count_log (run, "left worker"), ==, 1);
  scaler_test_run_assert_log_contains (run, "belongs to the ClearML user “agents” and the autoscaler logs in as “autoscaler”");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/daemon-clearml/docker-on-cpu-type", test_docker_on_cpu_type);
  g_test_add_func ("/scaler/daemon-clearml/docker-on-gpu-type", test_docker_on_gpu_type);
  g_test_add_func ("/scaler/daemon-clearml/versioned-api-server", test_versioned_api_server);
  g_test_add_func ("/scaler/daemon-clearml/zombies-unregistered", test_zombies_unregistered);
  g_test_add_func ("/scaler/daemon-clearml/zombies-of-another-user", test_zombies_of_another_user);

  ret = g_test_run ();
  scaler_test_fake_shutdown ();
  return ret;
}
