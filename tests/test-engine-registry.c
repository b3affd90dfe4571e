/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the composition root (scaler-engine-registry.c) and of the
 * engine's ownership rules: the state-dir rule, the factory, secrets from
 * the keyring, a fallback and the environment, start / stop / stop all, a
 * new config applied from the next cycle, a demo clock that resumes after its
 * history, and an engine dropped in the middle of a cycle. */

#define G_LOG_DOMAIN "test-engine-registry"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "support/scaler-test-util.h"

#define MIN_USEC (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static ScalerConfig *
real_config (void)
{
  ScalerConfig *config = scaler_demo_config_new ();

  config->demo = FALSE;
  return config;
}

static ScalerSecrets *
lookup (ScalerEngineRegistry *registry,
        ScalerConfig         *config,
        GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  scaler_engine_registry_lookup_secrets_async (registry, config, NULL, result_cb, &result);
  return scaler_engine_registry_lookup_secrets_finish (registry, scaler_test_wait_result (&result), error);
}

static void
store (ScalerCredentials *credentials,
       const char        *id,
       ScalerSecretKind   kind,
       const char        *value)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  scaler_credentials_store_async (credentials, id, kind, value, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

/* ---- the state-dir rule and the factory ---- */

static void
test_state_dir_rule (void)
{
  g_autofree char *expected = g_build_filename (g_get_user_state_dir (), "ec2-autoscaler", "abc", NULL);
  g_autofree char *dir = scaler_engine_registry_dup_state_dir ("abc");
  g_autofree char *root = scaler_engine_registry_dup_state_root ();
  g_autofree char *parent = g_path_get_dirname (dir);

  g_assert_cmpstr (dir, ==, expected);
  g_assert_cmpstr (parent, ==, root);
}

static void
test_build_engine (void)
{
  g_autoptr(ScalerConfig) config = real_config ();
  g_autoptr(ScalerConfig) demo = scaler_demo_config_new ();
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  g_autoptr(ScalerEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = scaler_test_make_tmp_dir ("scaler-registry-XXXXXX");
  g_autofree char *state = g_build_filename (dir, "a", "b", NULL);
  gint64 later = g_get_real_time () + 3 * 24 * 60 * MIN_USEC;
  GStatBuf st;

  /* Real, without keys: the engine says which ones are missing. */
  engine = scaler_engine_registry_build_engine (config, secrets, state, 0, &error);
  g_assert_null (engine);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  g_clear_error (&error);

  /* Real, with keys: EC2 + ClearML, state directory made 0700. */
  secrets->aws_access_key_id = g_strdup ("AKIDEXAMPLE");
  secrets->aws_secret_access_key = g_strdup ("secret");
  secrets->clearml_access_key = g_strdup ("key");
  secrets->clearml_secret_key = g_strdup ("secret");
  engine = scaler_engine_registry_build_engine (config, secrets, state, 0, &error);
  g_assert_no_error (error);
  g_assert_true (SCALER_IS_EC2_CLOUD (scaler_engine_get_cloud (engine)));
  g_assert_true (SCALER_IS_CLEARML_SOURCE (scaler_engine_get_queues (engine)));
  g_assert_cmpint (g_stat (state, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_clear_object (&engine);

  /* The demo: the simulator, its clock starting no earlier than asked. */
  engine = scaler_engine_registry_build_engine (demo, NULL, NULL, later, &error);
  g_assert_no_error (error);
  g_assert_true (SCALER_IS_SIM (scaler_engine_get_cloud (engine)));
  g_assert_cmpint (scaler_engine_get_time (engine), >=, later);
  scaler_test_rm_rf (dir);
}

/* ---- secrets ---- */

static void
test_secrets_keyring_and_fallback (void)
{
  g_autoptr(ScalerCredentials) keyring = scaler_credentials_memory_new ();
  g_autoptr(ScalerCredentials) fallback = scaler_credentials_memory_new ();
  g_autoptr(ScalerEngineRegistry) registry = scaler_engine_registry_new (keyring, fallback);
  g_autoptr(ScalerConfig) config = real_config ();
  g_autoptr(ScalerConfig) demo = scaler_demo_config_new ();
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;

  store (keyring, config->id, SCALER_SECRET_AWS_ACCESS_KEY_ID, "from-keyring");
  store (keyring, config->id, SCALER_SECRET_AWS_SECRET_ACCESS_KEY, "keyring-secret");
  store (fallback, config->id, SCALER_SECRET_AWS_ACCESS_KEY_ID, "from-file");
  store (fallback, config->id, SCALER_SECRET_CLEARML_ACCESS_KEY, "clearml-from-file");

  /* The keyring first; the fallback fills in what it lacks. */
  secrets = lookup (registry, config, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secrets->aws_access_key_id, ==, "from-keyring");
  g_assert_cmpstr (secrets->aws_secret_access_key, ==, "keyring-secret");
  g_assert_cmpstr (secrets->clearml_access_key, ==, "clearml-from-file");
  g_assert_null (secrets->clearml_secret_key);
  g_clear_pointer (&secrets, scaler_secrets_free);

  /* The demo needs none. */
  secrets = lookup (registry, demo, &error);
  g_assert_no_error (error);
  g_assert_null (secrets);
}

static void
test_secrets_environment (void)
{
  g_autoptr(ScalerCredentials) keyring = scaler_credentials_memory_new ();
  g_autoptr(ScalerEngineRegistry) registry = scaler_engine_registry_new (keyring, NULL);
  g_autoptr(ScalerEngineRegistry) environment_only = scaler_engine_registry_new (NULL, NULL);
  g_autoptr(ScalerConfig) config = real_config ();
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "env-secret", TRUE);
  g_unsetenv ("AWS_SESSION_TOKEN");
  g_unsetenv ("AWS_PROFILE");
  g_setenv ("CLEARML_API_ACCESS_KEY", "ENVKEY", TRUE);
  g_setenv ("CLEARML_API_SECRET_KEY", "ENVSECRET", TRUE);

  /* AWS from the keyring, ClearML from the environment. */
  store (keyring, config->id, SCALER_SECRET_AWS_ACCESS_KEY_ID, "from-keyring");
  config->clearml_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  secrets = lookup (registry, config, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secrets->aws_access_key_id, ==, "from-keyring");
  g_assert_cmpstr (secrets->clearml_access_key, ==, "ENVKEY");
  g_clear_pointer (&secrets, scaler_secrets_free);

  /* Without backends (ec2-autoscalerd CONFIG.json): all from the
   * environment; AWS keys are never looked up here, the EC2 client resolves
   * the standard AWS chain itself when it signs (and refreshes them). */
  config->clearml_credentials = SCALER_CREDENTIALS_SOURCE_KEYRING;
  secrets = lookup (environment_only, config, &error);
  g_assert_no_error (error);
  g_assert_null (secrets->aws_access_key_id);
  g_assert_null (secrets->aws_secret_access_key);
  g_assert_cmpstr (secrets->clearml_secret_key, ==, "ENVSECRET");
  g_clear_pointer (&secrets, scaler_secrets_free);

  /* A variable missing: the error names it. */
  g_unsetenv ("CLEARML_API_SECRET_KEY");
  config->clearml_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  secrets = lookup (registry, config, &error);
  g_assert_null (secrets);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  g_assert_nonnull (strstr (error->message, "CLEARML_API_SECRET_KEY"));
  g_clear_error (&error);
  secrets = lookup (environment_only, config, &error);
  g_assert_null (secrets);
  g_assert_nonnull (strstr (error->message, "CLEARML_API_SECRET_KEY"));
}

/* ---- running engines ---- */

typedef struct
{
  ScalerEngineRegistry *registry;
  GPtrArray            *changes;   /* "<id> <state of the engine, or gone>" */
} Changes;

static void
engine_changed_cb (ScalerEngineRegistry *registry,
                   const char           *id,
                   Changes              *changes)
{
  ScalerEngine *engine = scaler_engine_registry_get_engine (registry, id);

  g_ptr_array_add (changes->changes,
                   g_strdup_printf ("%s %s", id, engine ? scaler_engine_state_to_string (scaler_engine_get_state (engine))
                                                        : "gone"));
}

static ScalerEngine *
start (ScalerEngineRegistry *registry,
       ScalerConfig         *config,
       ScalerHistory        *history,
       GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  scaler_engine_registry_start_async (registry, config, NULL, history, NULL, result_cb, &result);
  return scaler_engine_registry_start_finish (registry, scaler_test_wait_result (&result), error);
}

static void
stop (ScalerEngineRegistry *registry,
      const char           *id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  scaler_engine_registry_stop_async (registry, id, 5, NULL, result_cb, &result);
  g_assert_true (scaler_engine_registry_stop_finish (registry, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
count_cycle_cb (ScalerEngine      *engine,
                ScalerCycleResult *result,
                guint             *cycles)
{
  (*cycles)++;
}

static void
wait_cycles (ScalerEngine *engine,
             guint         n)
{
  guint cycles = 0;
  gulong handler = g_signal_connect (engine, "cycle-finished", G_CALLBACK (count_cycle_cb), &cycles);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (cycles < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_signal_handler_disconnect (engine, handler);
}

static void
test_start_stop (void)
{
  g_autoptr(ScalerEngineRegistry) registry = scaler_engine_registry_new (NULL, NULL);
  g_autoptr(ScalerConfig) a = scaler_demo_config_new ();
  g_autoptr(ScalerConfig) b = scaler_demo_config_new ();
  g_autoptr(ScalerHistory) history = scaler_history_new (100);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  Changes changes = { registry, g_ptr_array_new_with_free_func (g_free) };
  ScalerEngine *engine;

  g_signal_connect (registry, "engine-changed", G_CALLBACK (engine_changed_cb), &changes);
  engine = start (registry, a, history, &error);
  g_assert_no_error (error);
  g_assert_true (engine == scaler_engine_registry_get_engine (registry, a->id));
  /* Announced before it started: a handler sees its first lines. */
  first = g_strdup_printf ("%s stopped", a->id);
  g_assert_cmpstr (g_ptr_array_index (changes.changes, 0), ==, first);
  /* It appends to the history it was given. */
  g_assert_true (scaler_engine_get_history (engine) == history);
  wait_cycles (engine, 2);
  g_assert_cmpuint (scaler_series_get_n_samples (scaler_history_get_busy_workers (history)), >=, 2);

  /* Starting again: the same engine. */
  g_assert_true (start (registry, a, NULL, &error) == engine);
  g_assert_nonnull (start (registry, b, NULL, &error));
  g_assert_cmpuint (scaler_engine_registry_get_n_engines (registry), ==, 2);

  stop (registry, a->id);
  g_assert_null (scaler_engine_registry_get_engine (registry, a->id));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (changes.changes, changes.changes->len - 1), " gone"));
  stop (registry, a->id);   /* nothing runs: fine */

  scaler_engine_registry_stop_all (registry, 10);
  g_assert_cmpuint (scaler_engine_registry_get_n_engines (registry), ==, 0);
  g_ptr_array_unref (changes.changes);
}

/* A stop while the secrets are looked up: the start gives up. */
static void
test_stop_while_starting (void)
{
  g_autoptr(ScalerCredentials) keyring = scaler_credentials_memory_new ();
  g_autoptr(ScalerEngineRegistry) registry = scaler_engine_registry_new (keyring, NULL);
  g_autoptr(ScalerConfig) config = real_config ();
  g_autoptr(GAsyncResult) started = NULL;
  g_autoptr(GError) error = NULL;

  scaler_engine_registry_start_async (registry, config, NULL, NULL, NULL, result_cb, &started);
  stop (registry, config->id);
  g_assert_null (scaler_engine_registry_start_finish (registry, scaler_test_wait_result (&started), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (scaler_engine_registry_get_engine (registry, config->id));
}

static guint
max_instances_of (ScalerCycleResult *result)
{
  return ((ScalerResourceRow *) g_ptr_array_index (result->resources, 0))->max_instances;
}

static void
last_result_cb (ScalerEngine       *engine,
                ScalerCycleResult  *result,
                ScalerCycleResult **last)
{
  g_clear_pointer (last, scaler_cycle_result_unref);
  *last = scaler_cycle_result_ref (result);
}

/* A new config reaches the running engine's next cycle; a demo keeps its
 * simulated world. */
static void
test_apply_config (void)
{
  g_autoptr(ScalerEngineRegistry) registry = scaler_engine_registry_new (NULL, NULL);
  g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
  g_autoptr(ScalerConfig) changed = scaler_config_copy (config);
  g_autoptr(GAsyncResult) applied = NULL;
  g_autoptr(GError) error = NULL;
  ScalerCycleResult *last = NULL;
  ScalerEngine *engine;
  ScalerCloud *sim;

  engine = start (registry, config, NULL, &error);
  g_assert_no_error (error);
  sim = scaler_engine_get_cloud (engine);
  g_signal_connect (engine, "cycle-finished", G_CALLBACK (last_result_cb), &last);
  wait_cycles (engine, 1);
  g_assert_cmpuint (max_instances_of (last), ==, 6);

  ((ScalerResource *) g_ptr_array_index (changed->resources, 0))->max_instances = 2;
  scaler_engine_registry_apply_config_async (registry, changed, NULL, result_cb, &applied);
  g_assert_true (scaler_engine_registry_apply_config_finish (registry, scaler_test_wait_result (&applied), &error));
  g_assert_no_error (error);
  g_assert_true (scaler_engine_get_config (engine) == changed);
  /* The next cycle that starts after it (one may be in flight). */
  wait_cycles (engine, 2);
  g_assert_cmpuint (max_instances_of (last), ==, 2);
  g_assert_true (scaler_engine_get_cloud (engine) == sim);

  g_signal_handlers_disconnect_by_data (engine, &last);
  g_clear_pointer (&last, scaler_cycle_result_unref);
  scaler_engine_registry_stop_all (registry, 10);
}

/* A demo's virtual clock resumes after the newest sample of its history. */
static void
test_demo_clock_resumes (void)
{
  g_autoptr(ScalerEngineRegistry) registry = scaler_engine_registry_new (NULL, NULL);
  g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
  g_autoptr(ScalerHistory) history = scaler_history_new (100);
  g_autoptr(GError) error = NULL;
  gint64 ahead = g_get_real_time () + 10 * 24 * 60 * MIN_USEC;
  ScalerEngine *engine;

  scaler_series_append (scaler_history_get_busy_workers (history), ahead, 3);
  engine = start (registry, config, history, &error);
  g_assert_no_error (error);
  g_assert_cmpint (scaler_engine_get_time (engine), >, ahead);
  wait_cycles (engine, 1);
  {
    ScalerSeries *busy = scaler_history_get_busy_workers (history);
    gint64 t0 = 0, t1 = 0;

    scaler_series_get_sample (busy, 0, &t0, NULL);
    scaler_series_get_sample (busy, 1, &t1, NULL);
    g_assert_cmpint (t1, >, t0);
  }
  scaler_engine_registry_stop_all (registry, 10);
}

/* ---- ownership: an engine dropped in the middle of a cycle ---- */

/* A queue source whose get_pending blocks until released. */
#define TEST_TYPE_BLOCKING_QUEUES (test_blocking_queues_get_type ())
G_DECLARE_FINAL_TYPE (TestBlockingQueues, test_blocking_queues, TEST, BLOCKING_QUEUES, GObject)

struct _TestBlockingQueues
{
  GObject  parent_instance;
  GMutex   mutex;
  GCond    cond;
  gboolean released;
  guint    calls;
};

static void test_blocking_queues_iface_init (ScalerQueueSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestBlockingQueues, test_blocking_queues, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SCALER_TYPE_QUEUE_SOURCE, test_blocking_queues_iface_init))

static gboolean
blocking_get_pending (ScalerQueueSource  *source,
                      const char * const *queues,
                      guint              *out_counts,
                      GCancellable       *cancellable,
                      GError            **error)
{
  TestBlockingQueues *self = TEST_BLOCKING_QUEUES (source);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  self->calls++;
  g_cond_broadcast (&self->cond);
  while (!self->released)
    g_cond_wait (&self->cond, &self->mutex);
  for (guint i = 0; queues[i] != NULL; i++)
    out_counts[i] = 0;
  return TRUE;
}

static GPtrArray *
blocking_list_workers (ScalerQueueSource  *source,
                       const char         *prefix,
                       GCancellable       *cancellable,
                       GError            **error)
{
  return g_ptr_array_new ();
}

static gboolean
blocking_unregister (ScalerQueueSource  *source,
                     const char         *worker_id,
                     GCancellable       *cancellable,
                     GError            **error)
{
  return TRUE;
}

static void
test_blocking_queues_iface_init (ScalerQueueSourceInterface *iface)
{
  iface->get_pending = blocking_get_pending;
  iface->list_workers = blocking_list_workers;
  iface->unregister_worker = blocking_unregister;
}

static void
test_blocking_queues_finalize (GObject *object)
{
  TestBlockingQueues *self = TEST_BLOCKING_QUEUES (object);

  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (test_blocking_queues_parent_class)->finalize (object);
}

static void
test_blocking_queues_class_init (TestBlockingQueuesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_blocking_queues_finalize;
}

static void
test_blocking_queues_init (TestBlockingQueues *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
}

static void
test_dropped_mid_cycle (void)
{
  g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
  g_autoptr(ScalerSim) sim = scaler_sim_new (1, g_get_real_time ());
  g_autoptr(TestBlockingQueues) queues = g_object_new (TEST_TYPE_BLOCKING_QUEUES, NULL);
  ScalerEngine *engine;
  gpointer weak;
  gint64 deadline;

  config->demo = FALSE;
  engine = scaler_engine_new (config, SCALER_CLOUD (sim), SCALER_QUEUE_SOURCE (queues), NULL);
  weak = engine;
  g_object_add_weak_pointer (G_OBJECT (engine), &weak);
  scaler_engine_start (engine);

  /* The cycle is in the worker thread, blocked. */
  g_mutex_lock (&queues->mutex);
  while (queues->calls == 0)
    g_cond_wait (&queues->cond, &queues->mutex);
  g_mutex_unlock (&queues->mutex);

  /* The owner lets go: the engine goes at once, the cycle does not hold it. */
  g_object_unref (engine);
  g_assert_null (weak);

  /* The worker finishes on its own references; nothing runs on. */
  g_mutex_lock (&queues->mutex);
  queues->released = TRUE;
  g_cond_broadcast (&queues->cond);
  g_mutex_unlock (&queues->mutex);
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (queues->calls, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/engine-registry/state-dir-rule", test_state_dir_rule);
  g_test_add_func ("/scaler/engine-registry/build-engine", test_build_engine);
  g_test_add_func ("/scaler/engine-registry/secrets-keyring-and-fallback", test_secrets_keyring_and_fallback);
  g_test_add_func ("/scaler/engine-registry/secrets-environment", test_secrets_environment);
  g_test_add_func ("/scaler/engine-registry/start-stop", test_start_stop);
  g_test_add_func ("/scaler/engine-registry/stop-while-starting", test_stop_while_starting);
  g_test_add_func ("/scaler/engine-registry/apply-config", test_apply_config);
  g_test_add_func ("/scaler/engine-registry/demo-clock-resumes", test_demo_clock_resumes);
  g_test_add_func ("/scaler/engine-registry/dropped-mid-cycle", test_dropped_mid_cycle);

  return g_test_run ();
}
