/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the engine on the simulator: cycles, main-thread signals,
 * history, stop/cancel, on_stop, crash safety of the ledger. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-cycle.h"
#include "scaler-engine.h"
#include "scaler-ledger.h"
#include "scaler-sim.h"
#include "support/scaler-test-util.h"
#include "support/scaler-test-config.h"

#define MIN_USEC (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define START (G_GINT64_CONSTANT (1700006400) * G_USEC_PER_SEC)
#define CONFIG_ID "22222222-2222-4333-8444-555555555555"

static GThread *main_thread;

static ScalerConfig *
make_config (guint max, ScalerOnStop on_stop)
{
  ScalerConfig *config = scaler_test_config_new (&(ScalerTestConfigOptions) {
    .id = CONFIG_ID,
    .name = "engine test",
    .workers_prefix = "dyn",
    .max_instances = max,
  });

  config->polling_interval_time_min = 1;
  config->max_idle_time_min = 5;
  config->max_spin_up_time_min = 10;
  config->on_stop = on_stop;
  return config;
}

static ScalerEngine *
make_engine (ScalerConfig *config,
             ScalerSim    *sim,
             const char   *state_dir)
{
  ScalerEngine *engine = scaler_engine_new (config, SCALER_CLOUD (sim), SCALER_QUEUE_SOURCE (sim), state_dir);

  scaler_engine_set_clock (engine, scaler_sim_now, g_object_ref (sim), g_object_unref);
  return engine;
}

static void
got_result_cb (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  ScalerCycleResult **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = scaler_engine_run_cycle_finish (SCALER_ENGINE (object), res, &error);
  g_assert_no_error (error);
}

static ScalerCycleResult *
run_cycle (ScalerEngine *engine)
{
  ScalerCycleResult *result = NULL;

  scaler_engine_run_cycle_async (engine, NULL, got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return result;
}

static void
stopped_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (scaler_engine_stop_finish (SCALER_ENGINE (object), res, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
stop_engine (ScalerEngine *engine)
{
  gboolean done = FALSE;

  scaler_engine_stop_async (engine, 5, NULL, stopped_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (scaler_engine_get_state (engine), ==, SCALER_ENGINE_STATE_STOPPED);
}

static gboolean
result_logged (ScalerCycleResult *result,
               const char        *needle)
{
  for (guint i = 0; i < result->log_lines->len; i++)
    if (strstr (((ScalerLogLine *) g_ptr_array_index (result->log_lines, i))->text, needle))
      return TRUE;
  return FALSE;
}

typedef struct
{
  guint cycles;
  guint log_lines;
  guint state_changes;
  gboolean off_main_thread;
} Counters;

static void
cycle_finished_cb (ScalerEngine      *engine,
                   ScalerCycleResult *result,
                   Counters          *counters)
{
  counters->cycles++;
  if (g_thread_self () != main_thread)
    counters->off_main_thread = TRUE;
}

static void
log_line_cb (ScalerEngine   *engine,
             ScalerLogLevel  level,
             const char     *text,
             Counters       *counters)
{
  counters->log_lines++;
  if (g_thread_self () != main_thread)
    counters->off_main_thread = TRUE;
  if (g_test_verbose ())
    g_test_message ("%s %s", scaler_log_level_to_string (level), text);
}

static void
state_changed_cb (ScalerEngine *engine,
                  Counters     *counters)
{
  counters->state_changes++;
  if (g_thread_self () != main_thread)
    counters->off_main_thread = TRUE;
}

/* Manual virtual clock: launches, registration, idle scale-down, history. */
static void
test_cycles_on_virtual_clock (void)
{
  g_autoptr(ScalerConfig) config = make_config (3, SCALER_ON_STOP_KEEP);
  g_autoptr(ScalerSim) sim = scaler_sim_new (3, START);
  g_autoptr(ScalerEngine) engine = make_engine (config, sim, NULL);
  g_autoptr(ScalerCycleResult) r1 = NULL;
  g_autoptr(ScalerCycleResult) r2 = NULL;
  g_autoptr(ScalerCycleResult) r3 = NULL;
  ScalerHistory *history = scaler_engine_get_history (engine);
  Counters counters = { 0 };
  ScalerSimStats stats;

  g_signal_connect (engine, "cycle-finished", G_CALLBACK (cycle_finished_cb), &counters);
  g_signal_connect (engine, "log-line", G_CALLBACK (log_line_cb), &counters);
  scaler_sim_set_delays (sim, 1, 0.5, 0.2);
  scaler_sim_enqueue (sim, "default", 5, 3);

  r1 = run_cycle (engine);
  g_assert_true (r1->ok);
  g_assert_cmpuint (r1->launched, ==, 3);
  g_assert_true (result_logged (r1, "at its maximum") || result_logged (r1, "reached its maximum"));
  g_assert_cmpfloat_with_epsilon (r1->usd_per_hour, 3 * 0.096, 0.2);
  g_assert_cmpuint (scaler_sim_count_live (sim, "cpu"), ==, 3);

  /* 2 min later: all registered and busy; nothing more to launch (max). */
  scaler_sim_advance (sim, 2 * MIN_USEC);
  r2 = run_cycle (engine);
  g_assert_cmpuint (r2->launched, ==, 0);
  g_assert_cmpuint (r2->busy_workers, ==, 3);
  g_assert_cmpuint (r2->instances->len, ==, 3);
  g_assert_cmpint (((ScalerInstanceRow *) g_ptr_array_index (r2->instances, 0))->worker_state, ==,
                   SCALER_WORKER_STATE_BUSY);
  {
    ScalerResourceRow *res = g_ptr_array_index (r2->resources, 0);
    ScalerQueueRow *queue = g_ptr_array_index (r2->queues, 0);
    ScalerInstanceRow *row = g_ptr_array_index (r2->instances, 0);

    g_assert_cmpstr (res->resource, ==, "cpu");
    g_assert_cmpuint (res->running, ==, 3);
    g_assert_cmpuint (res->booting, ==, 0);
    g_assert_cmpuint (res->max_instances, ==, 3);
    g_assert_cmpuint (res->pending, ==, 2);
    g_assert_cmpstr (queue->queue, ==, "default");
    g_assert_cmpuint (queue->busy_workers, ==, 3);
    g_assert_cmpuint (queue->pending, ==, 2);
    g_assert_nonnull (row->task_id);
    g_assert_cmpfloat (row->uptime_s, ==, 120.0);
    g_assert_cmpfloat (row->cost_usd, >, 0.0);
    g_assert_cmpuint (r2->instances_by_state[SCALER_INSTANCE_STATE_RUNNING], ==, 3);
  }
  {
    ScalerResourceRow *res = g_ptr_array_index (r1->resources, 0);

    /* Launched this cycle: counted as booting from the ledger. */
    g_assert_cmpuint (res->running, ==, 3);
    g_assert_cmpuint (res->booting, ==, 3);
  }

  /* All tasks done after ~8 min; then idle for 5+ min: scale down to 0. */
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(ScalerCycleResult) r = NULL;

      scaler_sim_advance (sim, MIN_USEC);
      r = run_cycle (engine);
      g_assert_true (r->ok);
      /* A worker whose instance this cycle terminated is not counted: the
       * totals never show more workers than live instances. */
      g_assert_cmpuint (r->idle_workers + r->busy_workers, <=,
                        r->instances_by_state[SCALER_INSTANCE_STATE_RUNNING] +
                        r->instances_by_state[SCALER_INSTANCE_STATE_PENDING]);
    }
  r3 = run_cycle (engine);
  scaler_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.tasks_done, ==, 5);
  g_assert_cmpuint (stats.busy_terminations, ==, 0);
  g_assert_cmpuint (stats.terminations, ==, 3);
  g_assert_cmpuint (scaler_sim_count_live (sim, NULL), ==, 0);

  g_assert_cmpuint (counters.cycles, ==, 19);
  g_assert_cmpuint (counters.log_lines, >, 19);
  g_assert_false (counters.off_main_thread);
  g_assert_cmpuint (scaler_series_get_n_samples (scaler_history_get_idle_workers (history)), ==, 19);
  g_assert_nonnull (scaler_history_get_pending (history, "default"));
  g_assert_nonnull (scaler_history_get_instances (history, "cpu", "busy"));
  g_assert_cmpuint (scaler_history_get_capacity (history), ==, 7 * 24 * 60);
}

/* Autorun on a realtime simulator: cycles happen by themselves, state and
 * signals on the main thread, stop returns promptly. */
static void
test_autorun_and_stop (void)
{
  g_autoptr(ScalerConfig) config = make_config (4, SCALER_ON_STOP_KEEP);
  g_autoptr(ScalerSim) sim = scaler_sim_new (5, START);
  g_autoptr(ScalerEngine) engine = make_engine (config, sim, NULL);
  Counters counters = { 0 };
  gint64 deadline;
  ScalerSimWorkload workload = { "default", SCALER_SIM_ARRIVAL_STEADY, 60, 1, 3, 0.2 };

  scaler_sim_add_workload (sim, &workload);
  /* 1 virtual minute per 20 ms. */
  scaler_sim_set_realtime (sim, 3000.0);
  scaler_engine_set_time_scale (engine, 3000.0);
  g_signal_connect (engine, "cycle-finished", G_CALLBACK (cycle_finished_cb), &counters);
  g_signal_connect (engine, "state-changed", G_CALLBACK (state_changed_cb), &counters);

  scaler_engine_start (engine);
  g_assert_cmpint (scaler_engine_get_state (engine), ==, SCALER_ENGINE_STATE_STARTING);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (counters.cycles < 5 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (counters.cycles, >=, 5);
  g_assert_cmpint (scaler_engine_get_state (engine), ==, SCALER_ENGINE_STATE_RUNNING);
  g_assert_nonnull (scaler_engine_get_last_result (engine));
  g_assert_cmpuint (scaler_series_get_n_samples (scaler_history_get_busy_workers (scaler_engine_get_history (engine))),
                    ==, counters.cycles);

  stop_engine (engine);
  g_assert_false (counters.off_main_thread);
  g_assert_cmpuint (counters.state_changes, >=, 3);
  /* on_stop keep: nothing terminated by the stop. */
  {
    ScalerSimStats stats;

    scaler_sim_get_stats (sim, &stats);
    g_assert_cmpuint (stats.launches, >, 0);
    g_assert_cmpuint (scaler_sim_count_live (sim, NULL), ==, stats.launches - stats.terminations);
  }
}

/* Stop cancels a hanging launch and returns within the bound. */
static void
test_stop_cancels_hanging_cycle (void)
{
  g_autofree char *dir = scaler_test_make_tmp_dir ("scaler-engine-XXXXXX");
  g_autofree char *ledger_path = g_build_filename (dir, SCALER_LEDGER_FILE, NULL);
  g_autoptr(ScalerConfig) config = make_config (2, SCALER_ON_STOP_KEEP);
  g_autoptr(ScalerSim) sim = scaler_sim_new (5, START);
  g_autoptr(ScalerEngine) engine = make_engine (config, sim, dir);
  g_autoptr(ScalerLedger) ledger = NULL;
  g_autoptr(GPtrArray) launches = NULL;
  gint64 deadline, before;
  ScalerSimStats stats;

  scaler_sim_enqueue (sim, "default", 1, 10);
  scaler_sim_set_launch_hang (sim, TRUE);
  scaler_engine_set_autorun (engine, FALSE);
  scaler_engine_start (engine);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (;;)
    {
      scaler_sim_get_stats (sim, &stats);
      if (stats.launch_calls > 0 || g_get_monotonic_time () > deadline)
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (stats.launch_calls, ==, 1);
  g_assert_true (scaler_engine_is_cycle_running (engine));

  /* The token is on disk before RunInstances was sent. */
  ledger = scaler_ledger_load (ledger_path, CONFIG_ID, NULL, NULL);
  launches = scaler_ledger_list_launches (ledger);
  g_assert_cmpuint (launches->len, ==, 1);
  g_assert_null (((ScalerLedgerLaunch *) g_ptr_array_index (launches, 0))->instance_id);

  before = g_get_monotonic_time ();
  stop_engine (engine);
  g_assert_cmpint (g_get_monotonic_time () - before, <, 3 * G_USEC_PER_SEC);
  g_assert_false (scaler_engine_is_cycle_running (engine));
  g_assert_false (scaler_engine_get_last_result (engine)->ok);
  scaler_sim_set_launch_hang (sim, FALSE);
  g_clear_object (&engine);
  scaler_test_rm_rf (dir);
}

static void
test_on_stop (gconstpointer data)
{
  ScalerOnStop on_stop = GPOINTER_TO_INT (data);
  g_autoptr(ScalerConfig) config = make_config (3, on_stop);
  g_autoptr(ScalerSim) sim = scaler_sim_new (5, START);
  g_autoptr(ScalerEngine) engine = make_engine (config, sim, NULL);
  g_autoptr(ScalerCycleResult) r1 = NULL;
  g_autoptr(ScalerCycleResult) r2 = NULL;
  ScalerSimStats stats;

  scaler_sim_set_delays (sim, 1, 0.5, 0.2);
  scaler_sim_enqueue (sim, "default", 2, 60);
  scaler_engine_set_autorun (engine, FALSE);
  r1 = run_cycle (engine);
  g_assert_cmpuint (r1->launched, ==, 2);
  scaler_sim_advance (sim, 2 * MIN_USEC);
  /* One more instance, idle: a third task arrives and we launch, then the
   * task is gone (simulated by never registering it as busy): add an idle
   * worker instance instead. */
  g_free (scaler_sim_add_instance (sim, CONFIG_ID, "dyn", "cpu", "idle-queue", "m5.large", 0));
  scaler_sim_advance (sim, 2 * MIN_USEC);
  scaler_engine_start (engine);
  r2 = run_cycle (engine);
  g_assert_cmpuint (r2->busy_workers, ==, 2);
  g_assert_cmpuint (r2->idle_workers, ==, 1);
  stop_engine (engine);

  scaler_sim_get_stats (sim, &stats);
  switch (on_stop)
    {
    case SCALER_ON_STOP_KEEP:
      g_assert_cmpuint (scaler_sim_count_live (sim, NULL), ==, 3);
      break;
    case SCALER_ON_STOP_TERMINATE_IDLE:
      g_assert_cmpuint (scaler_sim_count_live (sim, NULL), ==, 2);
      g_assert_cmpuint (stats.busy_terminations, ==, 0);
      break;
    case SCALER_ON_STOP_TERMINATE_ALL:
    default:
      g_assert_cmpuint (scaler_sim_count_live (sim, NULL), ==, 0);
      break;
    }
}

/* Restart from the saved ledger: adopts nothing twice, launches nothing twice. */
static void
test_restart_no_double_launch (void)
{
  g_autofree char *dir = scaler_test_make_tmp_dir ("scaler-engine-XXXXXX");
  g_autofree char *ledger_path = g_build_filename (dir, SCALER_LEDGER_FILE, NULL);
  g_autoptr(ScalerConfig) config = make_config (5, SCALER_ON_STOP_KEEP);
  g_autoptr(ScalerSim) sim = scaler_sim_new (5, START);
  g_autoptr(ScalerEngine) engine = make_engine (config, sim, dir);
  g_autoptr(ScalerCycleResult) r1 = NULL;
  g_autoptr(ScalerCycleResult) r2 = NULL;
  g_autoptr(ScalerCycleResult) r3 = NULL;
  g_autoptr(ScalerLedger) ledger = NULL;
  g_autoptr(GPtrArray) launches = NULL;
  ScalerSimStats stats;

  scaler_sim_set_delays (sim, 3, 1, 0.2);
  scaler_sim_enqueue (sim, "default", 2, 30);
  r1 = run_cycle (engine);
  g_assert_cmpuint (r1->launched, ==, 2);
  g_clear_object (&engine);

  /* A crash between "ledger saved" and "RunInstances answered": the launch
   * went through at EC2 but we never heard back. */
  {
    ScalerLaunchSpec spec = { 0 };
    g_autoptr(ScalerInstance) instance = NULL;
    ScalerLedgerLaunch *launch = scaler_ledger_launch_new ();

    scaler_sim_enqueue (sim, "default", 2, 30);
    ledger = scaler_ledger_load (ledger_path, CONFIG_ID, NULL, NULL);
    launch->client_token = g_strdup ("ecas-crash-answered");
    launch->resource = g_strdup ("cpu");
    launch->instance_type = g_strdup ("m5.large");
    launch->created = launch->last_attempt = scaler_sim_get_time (sim);
    scaler_ledger_add_launch (ledger, launch);
    spec.config = config;
    spec.resource = g_ptr_array_index (config->resources, 0);
    spec.client_token = "ecas-crash-answered";
    instance = scaler_cloud_launch (SCALER_CLOUD (sim), &spec, NULL, NULL);
    g_assert_nonnull (instance);
    /* ... and one that crashed before RunInstances was sent. */
    launch = scaler_ledger_launch_new ();
    launch->client_token = g_strdup ("ecas-crash-unsent");
    launch->resource = g_strdup ("cpu");
    launch->instance_type = g_strdup ("m5.large");
    launch->created = launch->last_attempt = scaler_sim_get_time (sim);
    scaler_ledger_add_launch (ledger, launch);
    g_assert_true (scaler_ledger_save (ledger, ledger_path, NULL));
    g_clear_pointer (&ledger, scaler_ledger_free);
  }

  engine = make_engine (config, sim, dir);
  r2 = run_cycle (engine);
  g_assert_true (r2->ok);
  /* 4 pending, 3 instances booting (2 + the answered crash) -> the unsent
   * launch is retried with its own token: exactly one new instance. */
  scaler_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.launches, ==, 4);
  g_assert_true (result_logged (r2, "resolved"));
  g_assert_true (result_logged (r2, "ecas-crash-unsent"));
  g_assert_false (result_logged (r2, "Adopted"));
  ledger = scaler_ledger_load (ledger_path, CONFIG_ID, NULL, NULL);
  g_assert_null (scaler_ledger_get_launch (ledger, "ecas-crash-answered"));
  g_assert_nonnull (scaler_ledger_get_launch (ledger, "ecas-crash-unsent"));
  g_assert_nonnull (scaler_ledger_get_launch (ledger, "ecas-crash-unsent")->instance_id);

  /* Next cycle: everything resolved, nothing new. */
  scaler_sim_advance (sim, MIN_USEC);
  r3 = run_cycle (engine);
  scaler_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.launches, ==, 4);
  g_assert_cmpuint (stats.launch_calls, ==, 4);
  g_clear_pointer (&ledger, scaler_ledger_free);
  ledger = scaler_ledger_load (ledger_path, CONFIG_ID, NULL, NULL);
  launches = scaler_ledger_list_launches (ledger);
  g_assert_cmpuint (launches->len, ==, 0);
  g_clear_object (&engine);
  scaler_test_rm_rf (dir);
}

/* A corrupt ledger is kept aside and the fleet is rebuilt from the tags. */
static void
test_corrupt_ledger_rebuilt (void)
{
  g_autofree char *dir = scaler_test_make_tmp_dir ("scaler-engine-XXXXXX");
  g_autofree char *ledger_path = g_build_filename (dir, SCALER_LEDGER_FILE, NULL);
  g_autofree char *aside = g_strdup_printf ("%s.corrupt", ledger_path);
  g_autoptr(ScalerConfig) config = make_config (5, SCALER_ON_STOP_KEEP);
  g_autoptr(ScalerSim) sim = scaler_sim_new (5, START);
  g_autoptr(ScalerEngine) engine = NULL;
  g_autoptr(ScalerCycleResult) r1 = NULL;
  g_autofree char *orphan = NULL;
  Counters counters = { 0 };
  ScalerSimStats stats;

  orphan = scaler_sim_add_instance (sim, CONFIG_ID, "dyn", "cpu", "default", "m5.large", 0);
  scaler_sim_enqueue (sim, "default", 1, 30);
  g_assert_true (g_file_set_contents (ledger_path, "{\"version\": 1, \"launches\": [tru", -1, NULL));
  engine = make_engine (config, sim, dir);
  g_signal_connect (engine, "log-line", G_CALLBACK (log_line_cb), &counters);
  r1 = run_cycle (engine);
  g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
  g_assert_true (result_logged (r1, "Adopted instance"));
  /* The adopted booting instance covers the pending task. */
  scaler_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.launches, ==, 0);
  g_clear_object (&engine);
  scaler_test_rm_rf (dir);
}

static void
user_line_cb (ScalerEngine   *engine,
              ScalerLogLevel  level,
              const char     *text,
              guint          *count)
{
  if (strstr (text, "asked for by the user") != NULL)
    (*count)++;
}

static void
test_boot_timeout_and_user_terminate (void)
{
  g_autoptr(ScalerConfig) config = make_config (2, SCALER_ON_STOP_KEEP);
  g_autoptr(ScalerSim) sim = scaler_sim_new (5, START);
  g_autoptr(ScalerEngine) engine = make_engine (config, sim, NULL);
  g_autoptr(ScalerCycleResult) r1 = NULL;
  g_autoptr(ScalerCycleResult) r2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *foreign = scaler_sim_add_instance (sim, NULL, NULL, NULL, NULL, "m5.large", 0);
  ScalerSimStats stats;

  scaler_sim_set_never_register (sim, "cpu", TRUE);
  scaler_sim_enqueue (sim, "default", 1, 30);
  r1 = run_cycle (engine);
  g_assert_cmpuint (r1->launched, ==, 1);
  scaler_sim_advance (sim, 11 * MIN_USEC);
  r2 = run_cycle (engine);
  g_assert_true (result_logged (r2, "no worker registered"));
  g_assert_true (result_logged (r2, "console: "));
  scaler_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.terminations, ==, 1);
  /* A replacement was launched in the same cycle. */
  g_assert_cmpuint (r2->launched, ==, 1);

  g_assert_false (scaler_engine_terminate_instance (engine, foreign, &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (scaler_sim_count_live (sim, NULL), ==, 2);

  /* Our own instance, on request: only while started, in the next cycle. */
  {
    g_autoptr(ScalerCycleResult) r3 = run_cycle (engine);
    g_autoptr(ScalerCycleResult) r4 = NULL;
    ScalerInstanceRow *row = NULL;
    const char *ours = NULL;
    guint user_lines = 0;

    for (guint i = 0; i < r3->instances->len; i++)
      {
        row = g_ptr_array_index (r3->instances, i);
        if (scaler_instance_state_is_live (row->state))
          ours = row->instance_id;
      }
    g_assert_nonnull (ours);
    g_assert_false (scaler_engine_terminate_instance (engine, ours, &error));
    g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
    g_clear_error (&error);
    scaler_engine_set_autorun (engine, FALSE);
    scaler_engine_start (engine);
    r4 = run_cycle (engine);
    g_signal_connect (engine, "log-line", G_CALLBACK (user_line_cb), &user_lines);
    g_assert_true (scaler_engine_terminate_instance (engine, ours, &error));
    g_assert_no_error (error);
    /* That started a cycle at once; the next one comes after it. */
    g_assert_true (scaler_engine_is_cycle_running (engine));
    g_clear_pointer (&r4, scaler_cycle_result_unref);
    r4 = run_cycle (engine);
    g_assert_cmpuint (user_lines, ==, 1);
    {
      g_autoptr(GPtrArray) all = scaler_sim_dup_instances (sim);

      for (guint i = 0; i < all->len; i++)
        {
          ScalerInstance *instance = g_ptr_array_index (all, i);

          if (g_strcmp0 (instance->instance_id, ours) == 0)
            g_assert_false (scaler_instance_state_is_live (instance->state));
          if (instance->config_id == NULL)
            g_assert_true (scaler_instance_state_is_live (instance->state));
        }
    }
    stop_engine (engine);
  }
}

static void
test_throttle_slows_cycle (void)
{
  g_autoptr(ScalerConfig) config = make_config (2, SCALER_ON_STOP_KEEP);
  g_autoptr(ScalerSim) sim = scaler_sim_new (5, START);
  g_autoptr(ScalerEngine) engine = make_engine (config, sim, NULL);
  g_autoptr(ScalerCycleResult) r1 = NULL;
  g_autoptr(ScalerCycleResult) r2 = NULL;
  g_autoptr(ScalerCycleResult) r3 = NULL;

  scaler_sim_throttle_next (sim, 1);
  r1 = run_cycle (engine);
  g_assert_false (r1->ok);
  g_assert_cmpint (r1->next_cycle_delay, ==, 2 * MIN_USEC);
  g_assert_true (result_logged (r1, "throttl"));
  scaler_sim_throttle_next (sim, 1);
  r2 = run_cycle (engine);
  g_assert_cmpint (r2->next_cycle_delay, ==, 4 * MIN_USEC);
  r3 = run_cycle (engine);
  g_assert_true (r3->ok);
  g_assert_cmpint (r3->next_cycle_delay, ==, MIN_USEC);
}

static void
test_capacity_fallback_cycle (void)
{
  g_autoptr(ScalerConfig) config = make_config (3, SCALER_ON_STOP_KEEP);
  g_autoptr(ScalerSim) sim = scaler_sim_new (5, START);
  g_autoptr(ScalerEngine) engine = make_engine (config, sim, NULL);
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  g_autoptr(ScalerCycleResult) r1 = NULL;
  g_autoptr(ScalerCycleResult) r2 = NULL;
  g_autoptr(ScalerCycleResult) r3 = NULL;
  g_autoptr(GPtrArray) instances = NULL;

  resource->is_spot = TRUE;
  resource->spot_fallback_on_demand = TRUE;
  g_strfreev (resource->availability_zones);
  resource->availability_zones = g_strsplit ("us-east-1a,us-east-1b", ",", -1);
  scaler_sim_add_capacity_outage (sim, NULL, SCALER_SIM_MARKET_SPOT, START, START + 3 * MIN_USEC);
  scaler_sim_enqueue (sim, "default", 1, 30);

  r1 = run_cycle (engine);  /* spot a fails */
  g_assert_cmpuint (r1->launched, ==, 0);
  g_assert_true (result_logged (r1, "backing off"));
  g_assert_cmpint (((ScalerResourceRow *) g_ptr_array_index (r1->resources, 0))->backoff_until, >, START);
  g_assert_true (strstr (((ScalerResourceRow *) g_ptr_array_index (r1->resources, 0))->backoff_reason,
                         "us-east-1a spot: InsufficientInstanceCapacity") != NULL);
  r2 = run_cycle (engine);  /* spot b fails */
  g_assert_cmpuint (r2->launched, ==, 0);
  g_clear_pointer (&r1, scaler_cycle_result_unref);
  r1 = run_cycle (engine);  /* on-demand a */
  g_assert_cmpuint (r1->launched, ==, 1);
  instances = scaler_sim_dup_instances (sim);
  g_assert_false (((ScalerInstance *) g_ptr_array_index (instances, 0))->is_spot);

  /* Back-off over, outage over: spot again. */
  scaler_sim_enqueue (sim, "default", 1, 30);
  scaler_sim_advance (sim, 5 * MIN_USEC);
  r3 = run_cycle (engine);
  g_assert_cmpuint (r3->launched, ==, 1);
  g_clear_pointer (&instances, g_ptr_array_unref);
  instances = scaler_sim_dup_instances (sim);
  g_assert_true (((ScalerInstance *) g_ptr_array_index (instances, 1))->is_spot);
}

static void
console_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  GError **error = user_data;
  char *text = scaler_engine_get_console_output_finish (SCALER_ENGINE (object), res, error);

  if (text != NULL)
    {
      g_assert_true (strstr (text, "simulated boot") != NULL);
      g_free (text);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "got the console output");
    }
}

static void
test_console_output (void)
{
  g_autoptr(ScalerConfig) config = make_config (2, SCALER_ON_STOP_KEEP);
  g_autoptr(ScalerSim) sim = scaler_sim_new (5, START);
  g_autoptr(ScalerEngine) engine = make_engine (config, sim, NULL);
  g_autoptr(ScalerCycleResult) r1 = NULL;
  g_autoptr(ScalerCycleResult) r2 = NULL;
  g_autofree char *foreign = scaler_sim_add_instance (sim, NULL, NULL, NULL, NULL, "m5.large", 0);
  GError *error = NULL;

  scaler_sim_enqueue (sim, "default", 1, 30);
  r1 = run_cycle (engine);
  r2 = run_cycle (engine);
  g_assert_cmpuint (r2->instances->len, ==, 1);

  scaler_engine_get_console_output_async (engine, ((ScalerInstanceRow *) g_ptr_array_index (r2->instances, 0))->instance_id,
                                          NULL, console_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* Not ours: refused, the cloud is not even asked. */
  scaler_engine_get_console_output_async (engine, foreign, NULL, console_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
  g_clear_error (&error);
}

static void
test_demo_engine (void)
{
  g_autoptr(ScalerConfig) config = make_config (4, SCALER_ON_STOP_KEEP);
  g_autoptr(ScalerEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  Counters counters = { 0 };
  gint64 deadline;

  config->demo = TRUE;
  engine = scaler_engine_registry_build_engine (config, NULL, NULL, 0, &error);
  g_assert_no_error (error);
  g_signal_connect (engine, "cycle-finished", G_CALLBACK (cycle_finished_cb), &counters);
  scaler_engine_start (engine);
  deadline = g_get_monotonic_time () + 8 * G_USEC_PER_SEC;
  /* The demo moves within seconds: a cycle per real second. */
  while (counters.cycles < 2 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (counters.cycles, >=, 2);
  g_assert_cmpuint (scaler_engine_get_last_result (engine)->instances->len +
                    scaler_engine_get_last_result (engine)->launched, >, 0);
  stop_engine (engine);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/scaler/engine/virtual-clock", test_cycles_on_virtual_clock);
  g_test_add_func ("/scaler/engine/autorun-and-stop", test_autorun_and_stop);
  g_test_add_func ("/scaler/engine/stop-cancels", test_stop_cancels_hanging_cycle);
  g_test_add_data_func ("/scaler/engine/on-stop-keep", GINT_TO_POINTER (SCALER_ON_STOP_KEEP), test_on_stop);
  g_test_add_data_func ("/scaler/engine/on-stop-terminate-idle", GINT_TO_POINTER (SCALER_ON_STOP_TERMINATE_IDLE),
                        test_on_stop);
  g_test_add_data_func ("/scaler/engine/on-stop-terminate-all", GINT_TO_POINTER (SCALER_ON_STOP_TERMINATE_ALL),
                        test_on_stop);
  g_test_add_func ("/scaler/engine/restart-no-double-launch", test_restart_no_double_launch);
  g_test_add_func ("/scaler/engine/corrupt-ledger", test_corrupt_ledger_rebuilt);
  g_test_add_func ("/scaler/engine/boot-timeout", test_boot_timeout_and_user_terminate);
  g_test_add_func ("/scaler/engine/throttle", test_throttle_slows_cycle);
  g_test_add_func ("/scaler/engine/capacity-fallback", test_capacity_fallback_cycle);
  g_test_add_func ("/scaler/engine/console-output", test_console_output);
  g_test_add_func ("/scaler/engine/demo", test_demo_engine);

  return g_test_run ();
}
