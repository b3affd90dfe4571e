/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The background service's own desktop notifications
 * (src/daemon/scaler-service-notify.h), with real processes: the built
 * service on a private dbus-daemon (scaler-test-service.h), this process as
 * the notification server (scaler-test-notifications.h) and, to play the
 * running app, as the owner of the app's bus name.
 *
 * The cheapest Event is "failed": a saved autoscaler whose file stops
 * loading (no engine, no fake). The urgency of the other kinds is checked
 * with a launch that fails on the fake AWS.
 */

#define G_LOG_DOMAIN "test-service-notify"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-test-notifications.h"
#include "scaler-test-service.h"

/* What the service says, once, when nobody shows notifications. */
#define NO_SERVER_LINE "Events are not shown as desktop notifications"

typedef struct
{
  ScalerTestService    *svc;
  GDBusObjectManager   *objects;
  ScalerDbusManager    *manager;
  ScalerDbusAutoscaler *proxy;
  GPtrArray            *events;   /* GVariant* (sss): the Event signals, oldest first */
  char                 *id;
} Fixture;

static void
event_cb (GDBusProxy *proxy,
          const char *sender,
          const char *name,
          GVariant   *parameters,
          Fixture    *f)
{
  g_assert (G_IS_DBUS_PROXY (proxy));

  if (g_str_equal (name, "Event"))
    g_ptr_array_add (f->events, g_variant_ref (parameters));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->svc = scaler_test_service_new ();
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->proxy);
  g_clear_object (&f->manager);
  g_clear_object (&f->objects);
  g_clear_pointer (&f->svc, scaler_test_service_free);
  g_clear_pointer (&f->events, g_ptr_array_unref);
  g_clear_pointer (&f->id, g_free);
}

/* A demo autoscaler (stopped: nothing runs), saved before the service
 * starts; the service is started and the test follows its Event signals. */
static void
start_with_demo (Fixture *f)
{
  g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
  g_autofree char *json = scaler_config_to_json (config);
  g_autofree char *path = NULL;

  f->id = g_strdup (config->id);
  path = scaler_test_service_config_path (f->svc, f->id);
  g_assert_cmpint (g_mkdir_with_parents (f->svc->config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  scaler_test_service_start (f->svc);
  f->objects = scaler_test_service_object_manager (f->svc);
  f->manager = scaler_test_service_manager (f->svc);
  f->proxy = scaler_test_service_autoscaler (f->objects, f->id);
  g_signal_connect (f->proxy, "g-signal", G_CALLBACK (event_cb), f);
}

/* A call answered by the service: what it sent before (a Notify comes before
 * the Event it shows) has been handled here once this returns and the
 * context is iterated. */
static void
round_trip (Fixture *f)
{
  g_autoptr(GVariant) problems = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (scaler_dbus_manager_call_validate_sync (f->manager, "{}", G_DBUS_CALL_FLAGS_NONE, -1,
                                                         &problems, NULL, &error));
  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
has_events (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];

  return f->events->len >= GPOINTER_TO_UINT (((gpointer *) data)[1]);
}

static void
wait_events (Fixture *f,
             guint    n)
{
  gpointer data[] = { f, GUINT_TO_POINTER (n) };

  scaler_test_wait_until (has_events, data, 30, "an Event signal");
}

/* The file stops loading: the autoscaler enters "failed", an Event. */
static GVariant *
break_config (Fixture *f)
{
  g_autofree char *path = scaler_test_service_config_path (f->svc, f->id);
  guint before = f->events->len;
  const char *kind;

  g_assert_true (g_file_set_contents (path, "{\"version\": 1, \"name\": ", -1, NULL));
  wait_events (f, before + 1);
  g_variant_get_child (g_ptr_array_index (f->events, before), 0, "&s", &kind);
  g_assert_cmpstr (kind, ==, "failed");
  round_trip (f);
  return g_ptr_array_index (f->events, before);
}

/* It loads again: back to "stopped", no Event. */
static void
repair_config (Fixture *f)
{
  g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
  g_autofree char *path = scaler_test_service_config_path (f->svc, f->id);
  g_autofree char *json = NULL;
  guint before = f->events->len;

  g_free (config->id);
  config->id = g_strdup (f->id);
  json = scaler_config_to_json (config);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  scaler_test_service_wait_state (f->proxy, "stopped", 30);
  g_assert_cmpuint (f->events->len, ==, before);
}

static const char *
string_child (GVariant *variant,
              gsize     index)
{
  const char *value = NULL;

  g_variant_get_child (variant, index, "&s", &value);
  return value;
}

/* Notify (app_name, replaces_id, app_icon, summary, body, actions, hints,
 * expire_timeout) shows @event as the app would. */
static void
assert_notify_shows (GVariant *call,
                     GVariant *event,
                     guchar    urgency,
                     guint32   replaces)
{
  g_autoptr(GVariant) actions = g_variant_get_child_value (call, 5);
  g_autoptr(GVariant) hints = g_variant_get_child_value (call, 6);
  const char *entry = NULL;
  guchar level = 0;
  guint32 replaces_id = 0;
  gint32 timeout = 0;

  g_variant_get_child (call, 1, "u", &replaces_id);
  g_variant_get_child (call, 7, "i", &timeout);
  g_assert_cmpstr (string_child (call, 0), ==, "EC2 Autoscaler");
  g_assert_cmpuint (replaces_id, ==, replaces);
  g_assert_cmpstr (string_child (call, 2), ==, BASE_APP_ID);
  g_assert_cmpstr (string_child (call, 3), ==, string_child (event, 1));
  g_assert_cmpstr (string_child (call, 4), ==, string_child (event, 2));
  g_assert_cmpuint (g_variant_n_children (actions), ==, 0);
  g_assert_true (g_variant_lookup (hints, "desktop-entry", "&s", &entry));
  g_assert_cmpstr (entry, ==, APP_ID);
  g_assert_true (g_variant_lookup (hints, "urgency", "y", &level));
  g_assert_cmpuint (level, ==, urgency);
  g_assert_cmpint (timeout, ==, -1);
}

/* No app: each Event is one Notify, with the app's title and body; the
 * next one of the same kind and autoscaler replaces it. */
static void
test_notifies (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(ScalerTestNotifications) server = scaler_test_notifications_new (f->svc->connection);
  GVariant *event;

  start_with_demo (f);
  event = break_config (f);
  g_assert_nonnull (strstr (string_child (event, 1), f->id));
  g_assert_cmpstr (string_child (event, 2), !=, "");
  g_assert_cmpuint (server->calls->len, ==, 1);
  assert_notify_shows (g_ptr_array_index (server->calls, 0), event, 2, 0);

  repair_config (f);
  event = break_config (f);
  g_assert_cmpuint (server->calls->len, ==, 2);
  assert_notify_shows (g_ptr_array_index (server->calls, 1), event, 2, 1);
  g_assert_cmpint (scaler_test_service_stop (f->svc), ==, 0);
}

static gboolean
has_calls (gpointer data)
{
  return ((ScalerTestNotifications *) data)->calls->len > 0;
}

/* The app runs (its name has an owner): it shows the Event itself, the
 * service does not; once it is gone, the service does again. */
static void
test_app_runs (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(ScalerTestNotifications) server = scaler_test_notifications_new (f->svc->connection);
  GVariant *event;

  scaler_test_own_name (f->svc->connection, APP_ID);
  start_with_demo (f);
  round_trip (f);
  break_config (f);
  g_assert_cmpuint (f->events->len, ==, 1);
  g_assert_cmpuint (server->calls->len, ==, 0);

  repair_config (f);
  scaler_test_release_name (f->svc->connection, APP_ID);
  round_trip (f);
  event = break_config (f);
  scaler_test_wait_until (has_calls, server, 30, "a Notify");
  g_assert_cmpuint (server->calls->len, ==, 1);
  assert_notify_shows (g_ptr_array_index (server->calls, 0), event, 2, 0);
  g_assert_cmpint (scaler_test_service_stop (f->svc), ==, 0);
}

static guint
count_lines (const char *log,
             const char *needle)
{
  guint n = 0;

  for (const char *at = strstr (log, needle); at != NULL; at = strstr (at + 1, needle))
    n++;
  return n;
}

static gboolean
said_no_server (gpointer data)
{
  g_autofree char *log = scaler_test_service_log (data);

  return strstr (log, NO_SERVER_LINE) != NULL;
}

/* No notification server (a headless server): the Events still go out, the
 * service runs on, and says so once, at debug level. */
static void
test_no_server (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *log = NULL;

  start_with_demo (f);
  break_config (f);
  scaler_test_wait_until (said_no_server, f->svc, 30, "the line about notifications");
  repair_config (f);
  break_config (f);
  g_assert_cmpuint (f->events->len, ==, 2);

  round_trip (f);
  log = scaler_test_service_log (f->svc);
  g_assert_cmpuint (count_lines (log, NO_SERVER_LINE), ==, 1);
  /* GLib's debug line, of the service's own domain. */
  g_assert_nonnull (strstr (log, "scaler-service-notify-DEBUG"));
  /* Nothing at warning level (the file that does not load is an error of
   * its own, not a warning). */
  g_assert_null (strstr (log, "WARNING"));
  g_assert_cmpint (scaler_test_service_stop (f->svc), ==, 0);
}

static gboolean
has_launch_failed_notify (gpointer data)
{
  ScalerTestNotifications *server = data;

  for (guint i = 0; i < server->calls->len; i++)
    if (g_str_has_suffix (string_child (g_ptr_array_index (server->calls, i), 3), "could not launch an instance"))
      return TRUE;
  return FALSE;
}

/* A launch that fails (no capacity in the first zone, on the fake AWS):
 * shown at normal urgency, with the Event's own title and body. */
static void
test_launch_failed_urgency (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(ScalerTestNotifications) server = scaler_test_notifications_new (f->svc->connection);
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "true", "[\"us-east-1a\",\"us-east-1b\"]") };
  g_autoptr(GError) error = NULL;
  GVariant *call = NULL;

  if (!scaler_test_require_fake ())
    return;
  f->id = g_uuid_string_random ();
  scaler_test_service_write_config (f->svc, f->id, &options);
  scaler_test_service_start (f->svc);
  f->objects = scaler_test_service_object_manager (f->svc);
  f->manager = scaler_test_service_manager (f->svc);
  f->proxy = scaler_test_service_autoscaler (f->objects, f->id);
  g_signal_connect (f->proxy, "g-signal", G_CALLBACK (event_cb), f);

  scaler_test_control ("/_fake/fault",
                       "{\"service\":\"ec2\",\"action\":\"RunInstances\",\"kind\":\"capacity\",\"count\":1}");
  scaler_test_enqueue (1, 600);
  g_assert_true (scaler_dbus_autoscaler_call_start_sync (f->proxy, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
  g_assert_no_error (error);
  scaler_test_wait_until (has_launch_failed_notify, server, 60, "the launch-failed notification");
  round_trip (f);

  for (guint i = 0; i < server->calls->len; i++)
    if (g_str_has_suffix (string_child (g_ptr_array_index (server->calls, i), 3), "could not launch an instance"))
      call = g_ptr_array_index (server->calls, i);
  for (guint i = 0; i < f->events->len; i++)
    if (g_str_equal (string_child (g_ptr_array_index (f->events, i), 0), "launch-failed"))
      assert_notify_shows (call, g_ptr_array_index (f->events, i), 1, 0);
  g_assert_cmpint (scaler_test_service_stop (f->svc), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/scaler/service-notify/notifies", Fixture, NULL,
              fixture_setup, test_notifies, fixture_teardown);
  g_test_add ("/scaler/service-notify/app-runs", Fixture, NULL,
              fixture_setup, test_app_runs, fixture_teardown);
  g_test_add ("/scaler/service-notify/no-server", Fixture, NULL,
              fixture_setup, test_no_server, fixture_teardown);
  g_test_add ("/scaler/service-notify/launch-failed-urgency", Fixture, NULL,
              fixture_setup, test_launch_failed_urgency, fixture_teardown);

  status = g_test_run ();
  scaler_test_fake_shutdown ();
  return status;
}
