/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Closed-loop tests of the background service: the built ec2-autoscalerd
 * --service as a separate process on a private dbus-daemon, against the fake
 * AWS + ClearML (tests/fakes) over real HTTP, seen through a
 * GDBusObjectManagerClient as the app sees it. Harness:
 * tests/support/scaler-test-service.h.
 */

#define G_LOG_DOMAIN "test-service"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-test-service.h"

#define CPU(max) SCALER_TEST_RESOURCE_CPU (max, "false", "[]")
/* The same on the queue "other": a second autoscaler on the same fake. */
#define OTHER(max) \
  "[{\"name\":\"cpu\",\"queue\":\"other\",\"max_instances\":" #max ",\"instance_type\":\"t3.micro\"," \
  "\"availability_zones\":[],\"subnet_ids\":[],\"ami_id\":\"ami-0123456789abcdef0\"," \
  "\"ebs_device_name\":\"/dev/sda1\",\"ebs_volume_size\":8,\"ebs_volume_type\":\"gp3\"," \
  "\"security_group_ids\":[],\"is_spot\":false,\"spot_fallback_on_demand\":true,\"tags\":{}}]"

static void
enqueue_on (const char *queue,
            guint       count,
            double      duration_s)
{
  g_autofree char *body = g_strdup_printf ("{\"queue\":\"%s\",\"count\":%u,\"duration_s\":%g}", queue, count, duration_s);

  scaler_test_control ("/_fake/enqueue", body);
}

static void
call_start (ScalerDbusAutoscaler *proxy)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (scaler_dbus_autoscaler_call_start_sync (proxy, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
  g_assert_no_error (error);
}

static void
call_stop (ScalerDbusAutoscaler *proxy)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (scaler_dbus_autoscaler_call_stop_sync (proxy, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
  g_assert_no_error (error);
}

/* Every State a proxy took, from PropertiesChanged. */
static void
record_state_cb (GDBusProxy *proxy,
                 GVariant   *changed,
                 GStrv       invalidated,
                 GPtrArray  *states)
{
  const char *state = NULL;

  if (g_variant_lookup (changed, "State", "&s", &state))
    g_ptr_array_add (states, g_strdup (state));
}

static gboolean
strv_has_in_order (GPtrArray  *seen,
                   const char *first,
                   const char *then)
{
  gboolean found_first = FALSE;

  for (guint i = 0; i < seen->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (seen, i), first))
        found_first = TRUE;
      else if (found_first && g_str_equal (g_ptr_array_index (seen, i), then))
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  ScalerDbusAutoscaler *proxy;
  const char           *desired;
} DesiredWait;

static gboolean
desired_is (gpointer data)
{
  DesiredWait *wait = data;

  return g_strcmp0 (scaler_dbus_autoscaler_get_desired_state (wait->proxy), wait->desired) == 0;
}

/* The PropertiesChanged sent before the reply, once the main loop ran. */
static void
assert_desired (ScalerDbusAutoscaler *proxy,
                const char           *desired)
{
  DesiredWait wait = { proxy, desired };

  scaler_test_wait_until (desired_is, &wait, 5, desired);
}

typedef struct
{
  ScalerDbusAutoscaler *proxy;
  guint                 cycle;
} CycleWait;

static gboolean
cycle_beyond (gpointer data)
{
  CycleWait *wait = data;

  return scaler_dbus_autoscaler_get_cycle (wait->proxy) > wait->cycle;
}

/* Waits for @n more cycles of @proxy. */
static void
wait_cycles (ScalerDbusAutoscaler *proxy,
             guint                 n)
{
  CycleWait wait = { proxy, scaler_dbus_autoscaler_get_cycle (proxy) + n - 1 };

  scaler_test_wait_until (cycle_beyond, &wait, 30, "more cycles");
}

/* ---- two autoscalers; Start and Stop; State through PropertiesChanged ---- */

static void
test_two_autoscalers (void)
{
  g_autoptr(ScalerTestService) svc = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autoptr(ScalerDbusAutoscaler) a = NULL;
  g_autoptr(ScalerDbusAutoscaler) b = NULL;
  g_autoptr(GPtrArray) states_a = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GList) objects = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *id_a = g_uuid_string_random ();
  g_autofree char *id_b = g_uuid_string_random ();
  ScalerTestRunOptions options_a = { CPU (2), .name = "alpha", .workers_prefix = "alpha" };
  ScalerTestRunOptions options_b = { OTHER (2), .name = "beta", .workers_prefix = "beta" };

  if (!scaler_test_require_fake ())
    return;
  svc = scaler_test_service_new ();
  scaler_test_service_write_config (svc, id_a, &options_a);
  scaler_test_service_write_config (svc, id_b, &options_b);
  scaler_test_service_start (svc);
  manager = scaler_test_service_object_manager (svc);
  a = scaler_test_service_autoscaler (manager, id_a);
  b = scaler_test_service_autoscaler (manager, id_b);

  /* The Manager and two autoscalers; configs never seen before are stopped. */
  objects = g_dbus_object_manager_get_objects (manager);
  g_assert_cmpuint (g_list_length (objects), ==, 3);
  g_list_free_full (g_steal_pointer (&objects), g_object_unref);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_name (a), ==, "alpha");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_state (a), ==, "stopped");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_desired_state (b), ==, "stopped");

  g_signal_connect (a, "g-properties-changed", G_CALLBACK (record_state_cb), states_a);
  enqueue_on ("default", 2, 30);
  enqueue_on ("other", 1, 30);
  call_start (a);
  assert_desired (a, "running");
  scaler_test_service_wait_state (a, "running", 20);
  g_assert_true (strv_has_in_order (states_a, "starting", "running"));
  state = scaler_test_wait_expect (id_a, 2, 2, G_MAXUINT, 30, "two instances of alpha");
  g_assert_cmpuint (scaler_test_count_ours (state, id_b, FALSE), ==, 0);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_state (b), ==, "stopped");

  call_start (b);
  scaler_test_service_wait_state (b, "running", 20);
  g_clear_pointer (&state, json_node_unref);
  state = scaler_test_wait_expect (id_b, 1, 1, G_MAXUINT, 30, "one instance of beta");
  wait_cycles (a, 2);
  g_assert_cmpuint (scaler_dbus_autoscaler_get_instances (a), ==, 2);

  call_stop (a);
  assert_desired (a, "stopped");
  scaler_test_service_wait_state (a, "stopped", 20);
  g_assert_true (strv_has_in_order (states_a, "stopping", "stopped"));
  /* beta goes on. */
  wait_cycles (b, 2);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_state (b), ==, "running");
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
}

/* ---- kill -9 in the middle of a launch; the restart resumes alone ---- */

static void
test_kill9_mid_launch (void)
{
  g_autoptr(ScalerTestService) svc = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *log = NULL;
  ScalerTestRunOptions options = { CPU (3) };
  JsonObject *launches;

  if (!scaler_test_require_fake ())
    return;
  /* The launch reaches EC2, its answer never comes back. */
  scaler_test_control ("/_fake/fault",
                       "{\"service\":\"ec2\",\"action\":\"RunInstances\",\"kind\":\"hang\",\"count\":1,\"after\":true}");
  scaler_test_enqueue (1, 2);
  svc = scaler_test_service_new ();
  scaler_test_service_write_config (svc, id, &options);
  scaler_test_service_start (svc);
  manager = scaler_test_service_object_manager (svc);
  proxy = scaler_test_service_autoscaler (manager, id);
  call_start (proxy);
  state = scaler_test_wait_requests ("ec2", "RunInstances", 1, 20, "RunInstances sent (and hanging)");
  g_usleep (300000);
  scaler_test_service_kill9 (svc);
  g_clear_pointer (&state, json_node_unref);
  state = scaler_test_state ();
  g_assert_cmpuint (scaler_test_count_ours (state, id, FALSE), ==, 1);

  /* No Start: the desired state on disk says running. */
  scaler_test_service_start (svc);
  g_clear_pointer (&state, json_node_unref);
  state = scaler_test_wait_expect (id, G_MAXUINT, 1, 1, 30, "the task done on exactly one instance");
  g_usleep (1500000);
  g_clear_pointer (&state, json_node_unref);
  state = scaler_test_state ();
  g_assert_cmpuint (scaler_test_count_ours (state, id, FALSE), ==, 1);
  launches = json_object_get_object_member (json_node_get_object (state), "launches");
  g_assert_cmpuint (json_object_get_size (launches), ==, 1);
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
  log = scaler_test_service_log (svc);
  g_assert_nonnull (strstr (log, "resolved"));
}

/* ---- a config edited while it runs ---- */

static gboolean
config_has_max_3 (gpointer data)
{
  return strstr (scaler_dbus_autoscaler_get_config (data), "\"max_instances\" : 3") != NULL;
}

static void
test_config_edited (void)
{
  g_autoptr(ScalerTestService) svc = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *id = g_uuid_string_random ();
  ScalerTestRunOptions one = { CPU (1) };
  ScalerTestRunOptions three = { CPU (3) };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (3, 60);
  svc = scaler_test_service_new ();
  scaler_test_service_write_config (svc, id, &one);
  scaler_test_service_set_desired (svc, id, "running");
  scaler_test_service_start (svc);
  manager = scaler_test_service_object_manager (svc);
  proxy = scaler_test_service_autoscaler (manager, id);
  state = scaler_test_wait_expect (id, 1, 1, G_MAXUINT, 30, "one instance (max_instances 1)");
  wait_cycles (proxy, 3);
  g_clear_pointer (&state, json_node_unref);
  state = scaler_test_state ();
  g_assert_cmpuint (scaler_test_count_ours (state, id, FALSE), ==, 1);

  /* max_instances 3: the next cycles launch two more. */
  scaler_test_service_write_config (svc, id, &three);
  g_clear_pointer (&state, json_node_unref);
  state = scaler_test_wait_expect (id, 3, 3, G_MAXUINT, 30, "three instances after the edit");
  scaler_test_wait_until (config_has_max_3, proxy, 10, "Config with max_instances 3");
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
}

/* ---- a broken file fails only its own autoscaler ---- */

static gboolean
error_mentions_json (gpointer data)
{
  return strstr (scaler_dbus_autoscaler_get_error (data), "JSON") != NULL;
}

static void
test_file_broken (void)
{
  g_autoptr(ScalerTestService) svc = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autoptr(ScalerDbusAutoscaler) a = NULL;
  g_autoptr(ScalerDbusAutoscaler) b = NULL;
  g_autofree char *id_a = g_uuid_string_random ();
  g_autofree char *id_b = g_uuid_string_random ();
  g_autofree char *path_a = NULL;
  ScalerTestRunOptions options_a = { CPU (1), .name = "alpha", .workers_prefix = "alpha" };
  ScalerTestRunOptions options_b = { OTHER (1), .name = "beta", .workers_prefix = "beta" };

  if (!scaler_test_require_fake ())
    return;
  svc = scaler_test_service_new ();
  scaler_test_service_write_config (svc, id_a, &options_a);
  scaler_test_service_write_config (svc, id_b, &options_b);
  scaler_test_service_set_desired (svc, id_a, "running");
  scaler_test_service_set_desired (svc, id_b, "running");
  scaler_test_service_start (svc);
  manager = scaler_test_service_object_manager (svc);
  a = scaler_test_service_autoscaler (manager, id_a);
  b = scaler_test_service_autoscaler (manager, id_b);
  scaler_test_service_wait_state (a, "running", 20);
  scaler_test_service_wait_state (b, "running", 20);

  path_a = scaler_test_service_config_path (svc, id_a);
  g_assert_true (g_file_set_contents (path_a, "{\"version\": 1, \"id\": \"broken", -1, NULL));
  scaler_test_service_wait_state (a, "failed", 10);
  scaler_test_wait_until (error_mentions_json, a, 10, "the error names the JSON problem");
  /* beta keeps going. */
  wait_cycles (b, 3);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_state (b), ==, "running");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_error (b), ==, "");

  /* Fixed again: running again. */
  scaler_test_service_write_config (svc, id_a, &options_a);
  scaler_test_service_wait_state (a, "running", 10);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_error (a), ==, "");

  /* A removed file: its object goes, the engine stops. */
  g_assert_cmpint (g_unlink (path_a), ==, 0);
  {
    g_autofree char *path = scaler_dbus_autoscaler_path (id_a);
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    GDBusObject *object;

    while ((object = g_dbus_object_manager_get_object (manager, path)) != NULL)
      {
        g_object_unref (object);
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, FALSE);
        g_usleep (10000);
      }
  }
  wait_cycles (b, 2);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_state (b), ==, "running");
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
}

/* ---- SIGTERM while a request hangs ---- */

static void
test_sigterm_while_hanging (void)
{
  g_autoptr(ScalerTestService) svc = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *other = g_uuid_string_random ();
  g_autofree char *log = NULL;
  ScalerTestRunOptions options = { CPU (1), .on_stop = "terminate_all" };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/fault", "{\"service\":\"ec2\",\"action\":\"DescribeInstances\",\"kind\":\"hang\",\"count\":50}");
  svc = scaler_test_service_new ();
  scaler_test_service_write_config (svc, id, &options);
  scaler_test_service_set_desired (svc, id, "running");
  scaler_test_service_start (svc);
  state = scaler_test_wait_requests ("ec2", "DescribeInstances", 1, 20, "DescribeInstances sent (and hanging)");
  g_usleep (200000);
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
  /* The desired state stays for the next start. */
  {
    g_autofree char *path = g_build_filename (svc->state_root, id, "desired-state", NULL);
    g_autofree char *desired = NULL;

    g_assert_true (g_file_get_contents (path, &desired, NULL, NULL));
    g_assert_cmpstr (desired, ==, "running\n");
  }
  log = scaler_test_service_log (svc);
  g_assert_nonnull (strstr (log, "Stopping every autoscaler"));
}

/* ---- a second copy on the same bus ---- */

static void
test_second_copy (void)
{
  g_autoptr(ScalerTestService) svc = scaler_test_service_new ();
  g_autofree char *log = NULL;
  GPid second;

  scaler_test_service_start (svc);
  second = scaler_test_service_spawn (svc);
  g_assert_cmpint (scaler_test_service_wait_pid (svc, second, 10), ==, 0);
  log = scaler_test_service_log (svc);
  g_assert_nonnull (strstr (log, "is taken"));
  /* The first one still answers. */
  {
    g_autoptr(ScalerDbusManager) manager = scaler_test_service_manager (svc);

    g_assert_cmpstr (scaler_dbus_manager_get_version (manager), ==, PACKAGE_VERSION);
  }
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
}

/* ---- desired states survive a restart ---- */

static void
test_desired_state_survives (void)
{
  g_autoptr(ScalerTestService) svc = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autoptr(ScalerDbusAutoscaler) a = NULL;
  g_autoptr(ScalerDbusAutoscaler) b = NULL;
  g_autoptr(ScalerDbusAutoscaler) c = NULL;
  g_autofree char *id_a = g_uuid_string_random ();
  g_autofree char *id_b = g_uuid_string_random ();
  g_autofree char *id_c = g_uuid_string_random ();
  ScalerTestRunOptions options_a = { CPU (1), .name = "alpha", .workers_prefix = "alpha" };
  ScalerTestRunOptions options_b = { OTHER (1), .name = "beta", .workers_prefix = "beta" };

  if (!scaler_test_require_fake ())
    return;
  svc = scaler_test_service_new ();
  scaler_test_service_write_config (svc, id_a, &options_a);
  scaler_test_service_write_config (svc, id_b, &options_b);
  scaler_test_service_start (svc);
  manager = scaler_test_service_object_manager (svc);
  a = scaler_test_service_autoscaler (manager, id_a);
  b = scaler_test_service_autoscaler (manager, id_b);
  call_start (a);
  call_start (b);
  scaler_test_service_wait_state (b, "running", 20);
  call_stop (b);
  scaler_test_service_wait_state (b, "stopped", 20);
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
  g_clear_object (&a);
  g_clear_object (&b);
  g_clear_object (&manager);

  /* A config added while the service was away is stopped. */
  scaler_test_service_write_config (svc, id_c, &options_a);
  scaler_test_service_start (svc);
  manager = scaler_test_service_object_manager (svc);
  a = scaler_test_service_autoscaler (manager, id_a);
  b = scaler_test_service_autoscaler (manager, id_b);
  c = scaler_test_service_autoscaler (manager, id_c);
  scaler_test_service_wait_state (a, "running", 20);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_desired_state (a), ==, "running");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_state (b), ==, "stopped");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_desired_state (b), ==, "stopped");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_state (c), ==, "stopped");
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
}

/* ---- D-Bus activation: the first call starts it ---- */

static void
test_dbus_activation (void)
{
  g_autoptr(ScalerTestService) svc = scaler_test_service_new_full (TRUE);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) version = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
  g_autofree char *id = g_strdup (config->id);
  g_autofree char *file = NULL;

  /* Nothing runs; a call to the name starts the service. */
  reply = g_dbus_connection_call_sync (svc->connection, "io.github.ec2autoscaler.Autoscaler.Daemon",
                                       "/io/github/ec2autoscaler/Autoscaler/Manager", "org.freedesktop.DBus.Properties",
                                       "Get", g_variant_new ("(ss)", "io.github.ec2autoscaler.Autoscaler1.Manager", "Version"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &version);
  g_assert_cmpstr (g_variant_get_string (version, NULL), ==, PACKAGE_VERSION);

  /* It runs with the environment of the bus: the folder's config directory. */
  {
    g_autoptr(ScalerDbusManager) manager = scaler_test_service_manager (svc);
    g_autofree char *json = scaler_config_to_json (config);
    g_autofree char *path = NULL;

    g_assert_true (scaler_dbus_manager_call_create_sync (manager, json, G_DBUS_CALL_FLAGS_NONE, -1, &path, NULL, &error));
    g_assert_no_error (error);
  }
  file = scaler_test_service_config_path (svc, id);
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));

  /* SIGTERM, as at the end of a session: it lets go of its name and exits
   * (the bus's child, not ours: its sanitizer reports, if any, are in the
   * folder, which scaler_test_service_free() checks). */
  {
    g_autoptr(GVariant) pid_reply = NULL;
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    guint32 pid = 0;

    pid_reply = g_dbus_connection_call_sync (svc->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                             "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                             g_variant_new ("(s)", "io.github.ec2autoscaler.Autoscaler.Daemon"),
                                             G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
    g_variant_get (pid_reply, "(u)", &pid);
    g_assert_cmpuint (pid, >, 1);
    g_assert_cmpint (kill ((pid_t) pid, SIGTERM), ==, 0);
    /* Gone once the bus (its parent) has reaped it. */
    while (kill ((pid_t) pid, 0) == 0)
      {
        if (g_get_monotonic_time () > deadline)
          g_error ("the activated service did not exit within 20 s of SIGTERM");
        g_usleep (20000);
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/service/two-autoscalers", test_two_autoscalers);
  g_test_add_func ("/scaler/service/kill9-mid-launch", test_kill9_mid_launch);
  g_test_add_func ("/scaler/service/config-edited", test_config_edited);
  g_test_add_func ("/scaler/service/file-broken", test_file_broken);
  g_test_add_func ("/scaler/service/sigterm-while-hanging", test_sigterm_while_hanging);
  g_test_add_func ("/scaler/service/second-copy", test_second_copy);
  g_test_add_func ("/scaler/service/desired-state-survives", test_desired_state_survives);
  g_test_add_func ("/scaler/service/dbus-activation", test_dbus_activation);

  status = g_test_run ();
  scaler_test_fake_shutdown ();
  return status;
}
