/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The background service's API, member by member, on a private dbus-daemon
 * with the built service as a separate process (scaler-test-service.h):
 * history kept across a restart, the log backlog and the Log signal,
 * CycleFinished against GetSnapshot, Create / Validate / Update / Duplicate
 * / Delete, StoreSecrets into a 0600 file (no keyring on the bus) or into a
 * real gnome-keyring started on that bus, TestConnection, and no secret in
 * any file or log.
 */

#define G_LOG_DOMAIN "test-service-api"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-test-service.h"

#define CPU(max) SCALER_TEST_RESOURCE_CPU (max, "false", "[]")

/* Secrets handed over the bus in the StoreSecrets tests: the fake accepts
 * any key (it checks the signature made with it). */
#define MOVED_AWS_KEY_ID  "AKIAMOVEDTOSERVER01"
#define MOVED_AWS_SECRET  "MovedSecretKey/For+TheServer0000000000000"
#define MOVED_CLEARML_KEY "MOVEDCLEARMLKEY"
#define MOVED_CLEARML_SECRET "MovedClearmlSecret0123456789"

static ScalerDbusAutoscaler *
create (ScalerDbusManager *manager,
        GDBusObjectManager *objects,
        const char         *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ScalerConfig) config = scaler_config_new_from_json (json, -1, NULL);

  g_assert_true (scaler_dbus_manager_call_create_sync (manager, json, G_DBUS_CALL_FLAGS_NONE, -1, &path, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (config);
  return scaler_test_service_autoscaler (objects, config->id);
}

static void
call_start (ScalerDbusAutoscaler *proxy)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (scaler_dbus_autoscaler_call_start_sync (proxy, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
  g_assert_no_error (error);
}

typedef struct
{
  ScalerDbusAutoscaler *proxy;
  guint                 cycle;
} CycleWait;

static gboolean
cycle_at_least (gpointer data)
{
  CycleWait *wait = data;

  return scaler_dbus_autoscaler_get_cycle (wait->proxy) >= wait->cycle;
}

static void
wait_cycle (ScalerDbusAutoscaler *proxy,
            guint                 cycle)
{
  CycleWait wait = { proxy, cycle };

  scaler_test_wait_until (cycle_at_least, &wait, 30, "a cycle");
}

/* The samples of one series of GetHistory. */
static GArray *
history_times (ScalerDbusAutoscaler *proxy,
               const char           *name,
               gint64                from)
{
  g_autoptr(GVariant) series = NULL;
  g_autoptr(GError) error = NULL;
  GArray *times = g_array_new (FALSE, FALSE, sizeof (gint64));
  GVariantIter iter;
  const char *series_name;
  GVariant *t, *v;

  g_assert_true (scaler_dbus_autoscaler_call_get_history_sync (proxy, from, G_DBUS_CALL_FLAGS_NONE, -1, &series,
                                                               NULL, &error));
  g_assert_no_error (error);
  g_variant_iter_init (&iter, series);
  while (g_variant_iter_next (&iter, "(&s@ax@ad)", &series_name, &t, &v))
    {
      if (g_str_equal (series_name, name))
        {
          gsize n = 0;
          const gint64 *values = g_variant_get_fixed_array (t, &n, sizeof (gint64));

          g_array_append_vals (times, values, n);
        }
      g_variant_unref (t);
      g_variant_unref (v);
    }
  return times;
}

/* ---- the plots' history survives a restart (the demo, in the service) ---- */

static void
test_history_across_restart (void)
{
  g_autoptr(ScalerTestService) svc = scaler_test_service_new ();
  g_autoptr(GDBusObjectManager) objects = NULL;
  g_autoptr(ScalerDbusManager) manager = NULL;
  g_autoptr(ScalerDbusAutoscaler) demo = NULL;
  g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
  g_autofree char *json = scaler_config_to_json (config);
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  g_autoptr(GArray) recent = NULL;

  scaler_test_service_start (svc);
  objects = scaler_test_service_object_manager (svc);
  manager = scaler_test_service_manager (svc);
  demo = create (manager, objects, json);
  g_assert_true (scaler_dbus_autoscaler_get_demo (demo));
  call_start (demo);
  wait_cycle (demo, 4);
  before = history_times (demo, "busy-workers", 0);
  g_assert_cmpuint (before->len, >=, 4);
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
  g_clear_object (&demo);
  g_clear_object (&manager);
  g_clear_object (&objects);

  scaler_test_service_start (svc);
  objects = scaler_test_service_object_manager (svc);
  demo = scaler_test_service_autoscaler (objects, config->id);
  /* The earlier samples, from disk, before anything new. */
  after = history_times (demo, "busy-workers", 0);
  g_assert_cmpuint (after->len, >=, before->len);
  for (guint i = 0; i < before->len; i++)
    g_assert_cmpint (g_array_index (after, gint64, i), ==, g_array_index (before, gint64, i));
  /* It resumed (desired state running), and the demo's clock went on. */
  wait_cycle (demo, 2);
  g_clear_pointer (&after, g_array_unref);
  after = history_times (demo, "busy-workers", 0);
  g_assert_cmpint (g_array_index (after, gint64, after->len - 1), >, g_array_index (before, gint64, before->len - 1));
  /* from_time: only what is at or after it. */
  recent = history_times (demo, "busy-workers", g_array_index (before, gint64, before->len - 1));
  g_assert_cmpuint (recent->len, <, after->len);
  g_assert_cmpint (g_array_index (recent, gint64, 0), ==, g_array_index (before, gint64, before->len - 1));
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
}

/* ---- the Log signal, GetLog, CycleFinished against GetSnapshot ---- */

typedef struct
{
  GPtrArray *lines;      /* "level message" */
  GVariant  *snapshot;   /* the last CycleFinished */
  guint      cycles;
} Seen;

static void
signal_cb (GDBusProxy *proxy,
           const char *sender,
           const char *name,
           GVariant   *parameters,
           Seen       *seen)
{
  if (g_str_equal (name, "Log"))
    {
      const char *level, *message;
      gint64 time;

      g_variant_get (parameters, "(x&s&s)", &time, &level, &message);
      g_ptr_array_add (seen->lines, g_strdup_printf ("%s %s", level, message));
    }
  else if (g_str_equal (name, "CycleFinished"))
    {
      g_clear_pointer (&seen->snapshot, g_variant_unref);
      g_variant_get (parameters, "(@a{sv})", &seen->snapshot);
      seen->cycles++;
    }
}

static gboolean
two_cycles_seen (gpointer data)
{
  return ((Seen *) data)->cycles >= 2;
}

static void
test_log_and_snapshot (void)
{
  g_autoptr(ScalerTestService) svc = NULL;
  g_autoptr(GDBusObjectManager) objects = NULL;
  g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
  g_autoptr(GVariant) backlog = NULL;
  g_autoptr(GVariant) last_two = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_uuid_string_random ();
  ScalerTestRunOptions options = { CPU (2), .polling = 0.02 };
  Seen seen = { g_ptr_array_new_with_free_func (g_free), NULL, 0 };
  gboolean started_line = FALSE;

  if (!scaler_test_require_fake ())
    return;
  scaler_test_enqueue (1, 60);
  svc = scaler_test_service_new ();
  scaler_test_service_write_config (svc, id, &options);
  scaler_test_service_set_desired (svc, id, "running");
  scaler_test_service_start (svc);
  objects = scaler_test_service_object_manager (svc);
  proxy = scaler_test_service_autoscaler (objects, id);
  wait_cycle (proxy, 2);

  /* What was said before we listened is in the backlog, oldest first. */
  g_assert_true (scaler_dbus_autoscaler_call_get_log_sync (proxy, 0, G_DBUS_CALL_FLAGS_NONE, -1, &backlog, NULL, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < g_variant_n_children (backlog); i++)
    {
      const char *level, *message;
      gint64 time;

      g_variant_get_child (backlog, i, "(x&s&s)", &time, &level, &message);
      g_assert_true (g_strv_contains ((const char *[]) { "debug", "info", "warning", "error", NULL }, level));
      if (g_str_has_prefix (message, "Starting \"closed loop\""))
        started_line = TRUE;
    }
  g_assert_true (started_line);
  g_assert_true (scaler_dbus_autoscaler_call_get_log_sync (proxy, 2, G_DBUS_CALL_FLAGS_NONE, -1, &last_two, NULL, &error));
  g_assert_cmpuint (g_variant_n_children (last_two), ==, 2);

  /* New lines come as Log; CycleFinished carries what GetSnapshot returns. */
  g_signal_connect (proxy, "g-signal", G_CALLBACK (signal_cb), &seen);
  scaler_test_wait_until (two_cycles_seen, &seen, 30, "two CycleFinished");
  g_assert_cmpuint (seen.lines->len, >, 0);
  for (guint attempt = 0; attempt < 50; attempt++)
    {
      g_autoptr(GVariant) snapshot = NULL;
      guint32 signalled = 0, got = 1;

      g_assert_true (scaler_dbus_autoscaler_call_get_snapshot_sync (proxy, G_DBUS_CALL_FLAGS_NONE, -1, &snapshot,
                                                                    NULL, &error));
      g_assert_no_error (error);
      g_variant_lookup (seen.snapshot, "cycle", "u", &signalled);
      g_variant_lookup (snapshot, "cycle", "u", &got);
      if (signalled == got)
        {
          g_autoptr(ScalerCycleResult) result = scaler_cycle_result_new_from_variant (snapshot, &error);

          g_assert_true (g_variant_equal (snapshot, seen.snapshot));
          g_assert_no_error (error);
          g_assert_cmpuint (scaler_dbus_autoscaler_get_cycle (proxy), ==, result->cycle);
          g_assert_cmpuint (scaler_dbus_autoscaler_get_instances (proxy), ==, result->instances->len);
          break;
        }
      /* A cycle finished in between: wait for its signal. */
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpuint (attempt, <, 49);
    }
  g_ptr_array_unref (seen.lines);
  g_clear_pointer (&seen.snapshot, g_variant_unref);
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
}

/* ---- Create, Validate, Update, Duplicate, Delete ---- */

static gboolean
object_gone (gpointer data)
{
  gpointer *args = data;
  GDBusObject *object = g_dbus_object_manager_get_object (args[0], args[1]);

  g_clear_object (&object);
  return object == NULL;
}

static gboolean
name_is_renamed (gpointer data)
{
  return g_strcmp0 (scaler_dbus_autoscaler_get_name (data), "renamed") == 0;
}

/* A running service with its object manager and Manager, the fake reset. */
typedef struct
{
  ScalerTestService  *svc;
  GDBusObjectManager *objects;
  ScalerDbusManager  *manager;
  char               *id;
  gboolean            ready;
} CrudFixture;

static void
crud_set_up (CrudFixture   *f,
             gconstpointer  data)
{
  f->ready = scaler_test_require_fake ();
  if (!f->ready)
    return;
  f->svc = scaler_test_service_new ();
  scaler_test_service_start (f->svc);
  f->objects = scaler_test_service_object_manager (f->svc);
  f->manager = scaler_test_service_manager (f->svc);
  f->id = g_uuid_string_random ();
}

static void
crud_tear_down (CrudFixture   *f,
                gconstpointer  data)
{
  if (!f->ready)
    return;
  g_clear_object (&f->manager);
  g_clear_object (&f->objects);
  g_assert_cmpint (scaler_test_service_stop (f->svc), ==, 0);
  g_clear_pointer (&f->svc, scaler_test_service_free);
  g_free (f->id);
}

/* The autoscaler @f->id, created with one resource and the name @name. */
static ScalerDbusAutoscaler *
crud_create (CrudFixture *f,
             const char  *name)
{
  ScalerTestRunOptions options = { CPU (1), .name = name };
  g_autofree char *json = scaler_test_config_json (&options, f->id);

  return create (f->manager, f->objects, json);
}

static void
test_manager_properties (CrudFixture   *f,
                         gconstpointer  data)
{
  if (!f->ready)
    return;
  g_assert_false (scaler_dbus_manager_get_has_keyring (f->manager));
  g_assert_cmpstr (scaler_dbus_manager_get_config_directory (f->manager), ==, f->svc->config_dir);
}

/* Validate: one (path, severity, message) per problem, nothing saved. */
static void
test_validate (CrudFixture   *f,
               gconstpointer  data)
{
  g_autoptr(GVariant) problems = NULL;
  g_autoptr(GError) error = NULL;
  const char *problem_path, *severity, *message;

  if (!f->ready)
    return;
  g_assert_true (scaler_dbus_manager_call_validate_sync (f->manager, "{\"version\":1,\"polling_interval_time_min\":\"x\"}",
                                                         G_DBUS_CALL_FLAGS_NONE, -1, &problems, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (problems), >, 0);
  g_variant_get_child (problems, 0, "(&s&s&s)", &problem_path, &severity, &message);
  g_assert_cmpstr (severity, ==, "error");
}

/* Create: refused with the problems, then accepted; the same id twice is
 * refused. */
static void
test_create (CrudFixture   *f,
             gconstpointer  data)
{
  g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  ScalerTestRunOptions options = { CPU (1) };

  if (!f->ready)
    return;
  g_assert_false (scaler_dbus_manager_call_create_sync (f->manager, "{\"version\":1,\"typo\":1}",
                                                        G_DBUS_CALL_FLAGS_NONE, -1, &path, NULL, &error));
  g_assert_error (error, SCALER_DBUS_ERROR, SCALER_DBUS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "typo"));
  g_clear_error (&error);
  json = scaler_test_config_json (&options, f->id);
  proxy = create (f->manager, f->objects, json);
  file = scaler_test_service_config_path (f->svc, f->id);
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (scaler_dbus_autoscaler_get_config_path (proxy), ==, file);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_desired_state (proxy), ==, "stopped");
  g_assert_false (scaler_dbus_manager_call_create_sync (f->manager, json, G_DBUS_CALL_FLAGS_NONE, -1, &path, NULL,
                                                        &error));
  g_assert_error (error, SCALER_DBUS_ERROR, SCALER_DBUS_ERROR_FAILED);
}

/* Update: a rename; a bad value is refused. */
static void
test_update (CrudFixture   *f,
             gconstpointer  data)
{
  g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *renamed = NULL;
  ScalerTestRunOptions other = { CPU (1), .name = "renamed" };

  if (!f->ready)
    return;
  proxy = crud_create (f, NULL);
  renamed = scaler_test_config_json (&other, f->id);
  g_assert_true (scaler_dbus_autoscaler_call_update_sync (proxy, renamed, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
  g_assert_no_error (error);
  scaler_test_wait_until (name_is_renamed, proxy, 10, "the new name");
  g_assert_false (scaler_dbus_autoscaler_call_update_sync (proxy, "{\"version\":1,\"max_idle_time_min\":-1}",
                                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
  g_assert_error (error, SCALER_DBUS_ERROR, SCALER_DBUS_ERROR_INVALID_CONFIG);
}

/* Duplicate: a new id, "(copy)", stopped. */
static void
test_duplicate (CrudFixture   *f,
                gconstpointer  data)
{
  g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
  g_autoptr(ScalerDbusAutoscaler) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *copy_path = NULL;

  if (!f->ready)
    return;
  proxy = crud_create (f, "renamed");
  g_assert_true (scaler_dbus_autoscaler_call_duplicate_sync (proxy, G_DBUS_CALL_FLAGS_NONE, -1, &copy_path, NULL, &error));
  g_assert_no_error (error);
  copy = scaler_test_service_autoscaler_at (f->objects, copy_path);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_name (copy), ==, "renamed (copy)");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_state (copy), ==, "stopped");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_id (copy), !=, f->id);
}

/* Delete: the object leaves before the reply, the file goes. */
static void
test_delete (CrudFixture   *f,
             gconstpointer  data)
{
  g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *gone_path = NULL;
  gpointer args[2];

  if (!f->ready)
    return;
  proxy = crud_create (f, NULL);
  file = scaler_test_service_config_path (f->svc, f->id);
  g_assert_true (scaler_dbus_autoscaler_call_delete_sync (proxy, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  gone_path = scaler_dbus_autoscaler_path (f->id);
  args[0] = f->objects;
  args[1] = gone_path;
  scaler_test_wait_until (object_gone, args, 10, "the deleted object to leave");
}

/* A file that does not load: failed with its error; Start refused; Delete
 * removes it. */
static void
test_broken_file (CrudFixture   *f,
                  gconstpointer  data)
{
  g_autoptr(ScalerDbusAutoscaler) good = NULL;
  g_autoptr(ScalerDbusAutoscaler) broken = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *notes = NULL;

  if (!f->ready)
    return;
  /* Next to a good one, as a user's folder would be. */
  good = crud_create (f, NULL);
  notes = g_build_filename (f->svc->config_dir, "notes.json", NULL);
  g_assert_true (g_file_set_contents (notes, "not json", -1, NULL));
  broken = scaler_test_service_autoscaler (f->objects, "notes");
  scaler_test_service_wait_state (broken, "failed", 10);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_name (broken), ==, "notes.json");
  g_assert_cmpstr (scaler_dbus_autoscaler_get_config (broken), ==, "");
  g_assert_false (scaler_dbus_autoscaler_call_start_sync (broken, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
  g_assert_error (error, SCALER_DBUS_ERROR, SCALER_DBUS_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (scaler_dbus_autoscaler_call_delete_sync (broken, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (notes, G_FILE_TEST_EXISTS));
}

/* ---- StoreSecrets ---- */

static void
assert_mode_0600 (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* Stores the moved secrets, starts, and waits for a launch signed with them. */
static void
store_and_run (ScalerTestService *svc,
               const char        *expected_store)
{
  g_autoptr(GDBusObjectManager) objects = scaler_test_service_object_manager (svc);
  g_autoptr(ScalerDbusManager) manager = scaler_test_service_manager (svc);
  g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *json = NULL;
  g_autofree char *stored_in = NULL;
  GVariantBuilder secrets;
  ScalerTestRunOptions options = { CPU (1), .aws_credentials = "keyring", .clearml_credentials = "keyring" };

  json = scaler_test_config_json (&options, id);
  proxy = create (manager, objects, json);

  /* An unknown kind: refused, nothing stored. */
  g_variant_builder_init (&secrets, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&secrets, "{ss}", "aws-password", "x");
  g_assert_false (scaler_dbus_autoscaler_call_store_secrets_sync (proxy, g_variant_builder_end (&secrets),
                                                                  G_DBUS_CALL_FLAGS_NONE, -1, &stored_in, NULL, &error));
  g_assert_error (error, SCALER_DBUS_ERROR, SCALER_DBUS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "aws-password"));
  g_clear_error (&error);

  g_variant_builder_init (&secrets, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&secrets, "{ss}", "aws-access-key-id", MOVED_AWS_KEY_ID);
  g_variant_builder_add (&secrets, "{ss}", "aws-secret-access-key", MOVED_AWS_SECRET);
  g_variant_builder_add (&secrets, "{ss}", "clearml-access-key", MOVED_CLEARML_KEY);
  g_variant_builder_add (&secrets, "{ss}", "clearml-secret-key", MOVED_CLEARML_SECRET);
  g_assert_true (scaler_dbus_autoscaler_call_store_secrets_sync (proxy, g_variant_builder_end (&secrets),
                                                                 G_DBUS_CALL_FLAGS_NONE, -1, &stored_in, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stored_in, ==, expected_store);

  /* The service finds them again: a launch, signed with the moved key (the
   * only one the fake accepts now). */
  scaler_test_control ("/_fake/config",
                       "{\"credentials\":[{\"access_key_id\":\"" MOVED_AWS_KEY_ID "\","
                       "\"secret_access_key\":\"" MOVED_AWS_SECRET "\"}],"
                       "\"clearml_credentials\":{\"key\":\"" MOVED_CLEARML_KEY "\","
                       "\"secret\":\"" MOVED_CLEARML_SECRET "\"}}");
  scaler_test_enqueue (1, 30);
  call_start (proxy);
  state = scaler_test_wait_expect (id, 1, 1, G_MAXUINT, 30, "one instance launched with the moved secrets");
  scaler_test_service_wait_state (proxy, "running", 20);

  /* TestConnection, with the same secrets, from the service. */
  {
    g_autoptr(GVariant) result = NULL;
    gboolean aws_ok = FALSE, clearml_ok = FALSE;

    g_assert_true (scaler_dbus_autoscaler_call_test_connection_sync (proxy, G_DBUS_CALL_FLAGS_NONE, -1, &result,
                                                                     NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_variant_lookup (result, "aws-ok", "b", &aws_ok));
    g_assert_true (g_variant_lookup (result, "clearml-ok", "b", &clearml_ok));
    g_assert_true (aws_ok);
    g_assert_true (clearml_ok);
  }
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
}

static void
test_store_secrets_file (void)
{
  g_autoptr(ScalerTestService) svc = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *secrets_file = NULL;
  g_autofree char *contents = NULL;
  const char *name;

  if (!scaler_test_require_fake ())
    return;
  svc = scaler_test_service_new ();
  /* Nothing in the environment: only the moved secrets can work. */
  scaler_test_service_setenv (svc, "AWS_ACCESS_KEY_ID", NULL);
  scaler_test_service_setenv (svc, "AWS_SECRET_ACCESS_KEY", NULL);
  scaler_test_service_setenv (svc, "CLEARML_API_ACCESS_KEY", NULL);
  scaler_test_service_setenv (svc, "CLEARML_API_SECRET_KEY", NULL);
  scaler_test_service_add_secret (svc, MOVED_AWS_SECRET);
  scaler_test_service_add_secret (svc, MOVED_CLEARML_SECRET);
  scaler_test_service_start (svc);
  store_and_run (svc, "file");

  /* One 0600 file in a 0700 folder, holding them; nowhere else (the
   * harness checks every other file and the log). */
  dir = g_dir_open (svc->secrets_dir, 0, NULL);
  g_assert_nonnull (dir);
  name = g_dir_read_name (dir);
  g_assert_nonnull (name);
  g_assert_true (g_str_has_suffix (name, ".secrets"));
  g_assert_null (g_dir_read_name (dir));
  secrets_file = g_build_filename (svc->secrets_dir, name, NULL);
  assert_mode_0600 (secrets_file);
  g_assert_true (g_file_get_contents (secrets_file, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, MOVED_AWS_SECRET));
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (svc->secrets_dir, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  }
}

static void
test_store_secrets_keyring (void)
{
  g_autoptr(ScalerTestService) svc = NULL;

  if (!scaler_test_require_fake ())
    return;
  svc = scaler_test_service_new ();
  scaler_test_service_setenv (svc, "AWS_ACCESS_KEY_ID", NULL);
  scaler_test_service_setenv (svc, "AWS_SECRET_ACCESS_KEY", NULL);
  scaler_test_service_setenv (svc, "CLEARML_API_ACCESS_KEY", NULL);
  scaler_test_service_setenv (svc, "CLEARML_API_SECRET_KEY", NULL);
  scaler_test_service_add_secret (svc, MOVED_AWS_SECRET);
  scaler_test_service_add_secret (svc, MOVED_CLEARML_SECRET);
  scaler_test_service_add_keyring (svc);
  scaler_test_service_start (svc);
  {
    g_autoptr(ScalerDbusManager) manager = scaler_test_service_manager (svc);

    g_assert_true (scaler_dbus_manager_get_has_keyring (manager));
  }
  store_and_run (svc, "keyring");
  /* In the keyring: no secrets file at all (and, checked by the harness,
   * no secret in any file of the folder, the keyring's own included). */
  g_assert_false (g_file_test (svc->secrets_dir, G_FILE_TEST_EXISTS));
}

/* ---- Event: launch failed, instance lost, failed ---- */

static void
event_cb (GDBusProxy *proxy,
          const char *sender,
          const char *name,
          GVariant   *parameters,
          GPtrArray  *events)
{
  const char *kind, *title, *body;

  if (!g_str_equal (name, "Event"))
    return;
  g_variant_get (parameters, "(&s&s&s)", &kind, &title, &body);
  g_assert_cmpstr (title, !=, "");
  g_ptr_array_add (events, g_strdup_printf ("%s|%s|%s", kind, title, body));
}

typedef struct
{
  GPtrArray  *events;
  const char *kind;
} EventWait;

static gboolean
event_seen (gpointer data)
{
  EventWait *wait = data;

  for (guint i = 0; i < wait->events->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (wait->events, i), wait->kind)
        && ((const char *) g_ptr_array_index (wait->events, i))[strlen (wait->kind)] == '|')
      return TRUE;
  return FALSE;
}

static void
wait_event (GPtrArray  *events,
            const char *kind)
{
  EventWait wait = { events, kind };

  scaler_test_wait_until (event_seen, &wait, 30, kind);
}

static const char *
first_instance_id (JsonNode   *state,
                   const char *config_id)
{
  JsonArray *instances = scaler_test_state_array (state, "instances");

  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *instance = json_array_get_object_element (instances, i);
      JsonObject *tags = json_object_get_object_member (instance, "tags");

      if (g_strcmp0 (json_object_get_string_member_with_default (tags, "ec2-autoscaler:instance", ""), config_id) == 0)
        return json_object_get_string_member (instance, "instance_id");
    }
  return NULL;
}

static gboolean
one_instance (gpointer data)
{
  return scaler_dbus_autoscaler_get_instances (data) == 1;
}

static void
test_events (void)
{
  g_autoptr(ScalerTestService) svc = NULL;
  g_autoptr(GDBusObjectManager) objects = NULL;
  g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *body = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "true", "[\"us-east-1a\",\"us-east-1b\"]") };

  if (!scaler_test_require_fake ())
    return;
  svc = scaler_test_service_new ();
  scaler_test_service_write_config (svc, id, &options);
  scaler_test_service_start (svc);
  objects = scaler_test_service_object_manager (svc);
  proxy = scaler_test_service_autoscaler (objects, id);
  g_signal_connect (proxy, "g-signal", G_CALLBACK (event_cb), events);

  /* No capacity in the first zone: launch-failed, then a launch elsewhere. */
  scaler_test_control ("/_fake/fault",
                       "{\"service\":\"ec2\",\"action\":\"RunInstances\",\"kind\":\"capacity\",\"count\":1}");
  scaler_test_enqueue (1, 600);
  call_start (proxy);
  wait_event (events, "launch-failed");
  state = scaler_test_wait_expect (id, 1, 1, G_MAXUINT, 30, "one instance in the other zone");

  /* A spot interruption, once the service sees the instance: instance-lost. */
  scaler_test_wait_until (one_instance, proxy, 30, "the instance in the service's fleet");
  body = g_strdup_printf ("{\"instance_id\":\"%s\"}", first_instance_id (state, id));
  scaler_test_control ("/_fake/spot-interrupt", body);
  wait_event (events, "instance-lost");

  /* ClearML refuses the keys: failed, once. */
  scaler_test_control ("/_fake/fault",
                       "{\"service\":\"clearml\",\"action\":\"*\",\"kind\":\"auth\",\"count\":1000}");
  wait_event (events, "failed");
  scaler_test_service_wait_state (proxy, "failed", 30);
  g_assert_cmpstr (scaler_dbus_autoscaler_get_error (proxy), !=, "");
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/service-api/history-across-restart", test_history_across_restart);
  g_test_add_func ("/scaler/service-api/log-and-snapshot", test_log_and_snapshot);
#define ADD_CRUD(path, func) \
  g_test_add ("/scaler/service-api/crud/" path, CrudFixture, NULL, crud_set_up, func, crud_tear_down)
  ADD_CRUD ("manager-properties", test_manager_properties);
  ADD_CRUD ("validate", test_validate);
  ADD_CRUD ("create", test_create);
  ADD_CRUD ("update", test_update);
  ADD_CRUD ("duplicate", test_duplicate);
  ADD_CRUD ("delete", test_delete);
  ADD_CRUD ("broken-file", test_broken_file);
#undef ADD_CRUD
  g_test_add_func ("/scaler/service-api/store-secrets-file", test_store_secrets_file);
  g_test_add_func ("/scaler/service-api/store-secrets-keyring", test_store_secrets_keyring);
  g_test_add_func ("/scaler/service-api/events", test_events);

  status = g_test_run ();
  scaler_test_fake_shutdown ();
  return status;
}
