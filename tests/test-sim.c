/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the simulator: instance life cycle, agents, workloads, errors,
 * determinism. */

#include "config.h"

#include <string.h>

#include "scaler-core.h"
#include "scaler-sim.h"
#include "support/scaler-test-config.h"

#define MIN_USEC (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define HOUR_USEC (60 * MIN_USEC)
/* Midnight UTC. */
#define START (G_GINT64_CONSTANT (1700006400) * G_USEC_PER_SEC)

static ScalerConfig *
make_config (gboolean spot)
{
  ScalerConfig *config = scaler_test_config_new (&(ScalerTestConfigOptions) { .workers_prefix = "dyn" });

  scaler_test_config_resource (config)->is_spot = spot;
  return config;
}

static ScalerInstance *
launch (ScalerSim    *sim,
        ScalerConfig *config,
        const char   *token,
        const char   *zone,
        gboolean      spot,
        GError      **error)
{
  ScalerLaunchSpec spec = { 0 };

  spec.config = config;
  spec.resource = g_ptr_array_index (config->resources, 0);
  spec.availability_zone = zone;
  spec.spot = spot;
  spec.client_token = token;
  return scaler_cloud_launch (SCALER_CLOUD (sim), &spec, NULL, error);
}

static void
test_life_cycle (void)
{
  g_autoptr(ScalerSim) sim = scaler_sim_new (1, START);
  g_autoptr(ScalerConfig) config = make_config (FALSE);
  g_autoptr(ScalerInstance) instance = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) workers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *worker_id = NULL;
  ScalerWorker *worker;
  const char *queues[] = { "default", NULL };
  guint pending[1];
  ScalerSimStats stats;

  scaler_sim_set_delays (sim, 2, 1, 0.5);
  scaler_sim_enqueue (sim, "default", 1, 10);
  instance = launch (sim, config, "tok-1", "us-east-1b", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (instance->state, ==, SCALER_INSTANCE_STATE_PENDING);
  g_assert_cmpstr (instance->availability_zone, ==, "us-east-1b");
  g_assert_cmpstr (instance->config_id, ==, config->id);
  g_assert_cmpstr (scaler_instance_get_tag (instance, SCALER_TAG_RESOURCE), ==, "cpu");
  g_assert_cmpstr (instance->client_token, ==, "tok-1");
  g_assert_cmpint (instance->launch_time, ==, START);

  /* Booting: no worker. After 2 min running, after 3 min a worker takes the task. */
  scaler_sim_advance (sim, 2 * MIN_USEC);
  listed = scaler_cloud_list_instances (SCALER_CLOUD (sim), config->id, NULL, &error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpint (((ScalerInstance *) g_ptr_array_index (listed, 0))->state, ==, SCALER_INSTANCE_STATE_RUNNING);
  g_assert_cmpuint (scaler_sim_count_workers (sim, FALSE) + scaler_sim_count_workers (sim, TRUE), ==, 0);
  scaler_sim_advance (sim, MIN_USEC + 5 * G_USEC_PER_SEC);
  workers = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (sim), "dyn", NULL, &error);
  g_assert_cmpuint (workers->len, ==, 1);
  worker = g_ptr_array_index (workers, 0);
  worker_id = scaler_worker_id_build ("dyn", "cpu", "m5.large", instance->instance_id);
  g_assert_cmpstr (worker->id, ==, worker_id);
  g_assert_nonnull (worker->task_id);
  g_assert_true (scaler_queue_source_get_pending (SCALER_QUEUE_SOURCE (sim), queues, pending, NULL, &error));
  g_assert_cmpuint (pending[0], ==, 0);

  /* The task ends 10 min later; the worker is idle. */
  scaler_sim_advance (sim, 10 * MIN_USEC);
  g_assert_cmpuint (scaler_sim_count_workers (sim, FALSE), ==, 1);
  scaler_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.tasks_done, ==, 1);
  g_assert_cmpfloat (stats.wait_max_min, >=, 2.99);
  g_assert_cmpfloat (stats.wait_max_min, <, 3.2);

  /* Terminate: shutting-down, then gone from the listing; cost stops. */
  {
    const char *ids[] = { instance->instance_id, NULL };
    double cost;

    g_assert_true (scaler_cloud_terminate (SCALER_CLOUD (sim), ids, NULL, &error));
    g_assert_cmpuint (scaler_sim_count_workers (sim, FALSE), ==, 0);
    scaler_sim_advance (sim, MIN_USEC);
    g_clear_pointer (&listed, g_ptr_array_unref);
    listed = scaler_cloud_list_instances (SCALER_CLOUD (sim), config->id, NULL, &error);
    g_assert_cmpuint (listed->len, ==, 0);
    scaler_sim_get_stats (sim, &stats);
    cost = stats.cost_usd;
    scaler_sim_advance (sim, HOUR_USEC);
    scaler_sim_get_stats (sim, &stats);
    g_assert_cmpfloat_with_epsilon (stats.cost_usd, cost, 1e-9);
    g_assert_cmpfloat (cost, >, 0.0);
    g_assert_cmpuint (stats.terminations, ==, 1);
    /* Unknown ids are not an error. */
    ids[0] = "i-unknown";
    g_assert_true (scaler_cloud_terminate (SCALER_CLOUD (sim), ids, NULL, &error));
  }
}

static void
test_client_token_idempotent (void)
{
  g_autoptr(ScalerSim) sim = scaler_sim_new (1, START);
  g_autoptr(ScalerConfig) config = make_config (FALSE);
  g_autoptr(ScalerInstance) a = NULL;
  g_autoptr(ScalerInstance) b = NULL;
  g_autoptr(ScalerInstance) c = NULL;
  ScalerSimStats stats;

  a = launch (sim, config, "tok-same", NULL, FALSE, NULL);
  b = launch (sim, config, "tok-same", NULL, FALSE, NULL);
  c = launch (sim, config, "tok-other", NULL, FALSE, NULL);
  g_assert_cmpstr (a->instance_id, ==, b->instance_id);
  g_assert_cmpstr (a->instance_id, !=, c->instance_id);
  scaler_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.launches, ==, 2);
  g_assert_cmpuint (stats.launch_calls, ==, 3);
}

static void
test_errors (void)
{
  g_autoptr(ScalerSim) sim = scaler_sim_new (1, START);
  g_autoptr(ScalerConfig) config = make_config (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerInstance) ok = NULL;
  ScalerInstance *instance;
  GPtrArray *list;
  guint pending[1];
  const char *queues[] = { "default", NULL };

  scaler_sim_add_capacity_outage (sim, "us-east-1a", SCALER_SIM_MARKET_SPOT, START, START + HOUR_USEC);
  instance = launch (sim, config, "t1", "us-east-1a", TRUE, &error);
  g_assert_null (instance);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_CAPACITY);
  g_assert_cmpstr (scaler_aws_error_get_aws_code (error), ==, "InsufficientInstanceCapacity");
  g_clear_error (&error);
  /* Other zone, or on-demand in that zone: fine. */
  ok = launch (sim, config, "t2", "us-east-1b", TRUE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&ok, scaler_instance_free);
  ok = launch (sim, config, "t3", "us-east-1a", FALSE, &error);
  g_assert_no_error (error);
  /* Over after the outage. */
  scaler_sim_advance (sim, HOUR_USEC);
  g_clear_pointer (&ok, scaler_instance_free);
  ok = launch (sim, config, "t1", "us-east-1a", TRUE, &error);
  g_assert_no_error (error);

  scaler_sim_throttle_next (sim, 2);
  list = scaler_cloud_list_instances (SCALER_CLOUD (sim), config->id, NULL, &error);
  g_assert_null (list);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_THROTTLED);
  g_clear_error (&error);
  instance = launch (sim, config, "t9", NULL, FALSE, &error);
  g_assert_null (instance);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_THROTTLED);
  g_clear_error (&error);
  list = scaler_cloud_list_instances (SCALER_CLOUD (sim), config->id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_ptr_array_unref (list);

  scaler_sim_fail_queue_next (sim, 1);
  g_assert_false (scaler_queue_source_get_pending (SCALER_QUEUE_SOURCE (sim), queues, pending, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (scaler_queue_source_get_pending (SCALER_QUEUE_SOURCE (sim), queues, pending, NULL, &error));
}

static void
test_tags_filter (void)
{
  g_autoptr(ScalerSim) sim = scaler_sim_new (1, START);
  g_autoptr(ScalerConfig) config = make_config (FALSE);
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *ours = scaler_sim_add_instance (sim, config->id, "dyn", "cpu", "default", "m5.large", 0);
  g_autofree char *theirs = scaler_sim_add_instance (sim, "other", "dyn", "cpu", "default", "m5.large", 0);
  g_autofree char *untagged = scaler_sim_add_instance (sim, NULL, NULL, NULL, NULL, "m5.large", 0);

  list = scaler_cloud_list_instances (SCALER_CLOUD (sim), config->id, NULL, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((ScalerInstance *) g_ptr_array_index (list, 0))->instance_id, ==, ours);
  g_assert_cmpstr (scaler_instance_get_tag (g_ptr_array_index (list, 0), SCALER_TAG_INSTANCE), ==, config->id);
  g_assert_cmpuint (scaler_sim_count_live (sim, NULL), ==, 3);
}

static void
test_spot_interruption_and_zombie (void)
{
  g_autoptr(ScalerSim) sim = scaler_sim_new (1, START);
  g_autoptr(ScalerConfig) config = make_config (TRUE);
  g_autoptr(ScalerInstance) instance = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *worker_id = NULL;
  ScalerSimStats stats;

  scaler_sim_set_delays (sim, 1, 1, 0.5);
  scaler_sim_set_zombie_linger (sim, 5);
  scaler_sim_enqueue (sim, "default", 1, 60);
  instance = launch (sim, config, "t", NULL, TRUE, NULL);
  worker_id = scaler_worker_id_build ("dyn", "cpu", "m5.large", instance->instance_id);
  scaler_sim_advance (sim, 3 * MIN_USEC);
  g_assert_cmpuint (scaler_sim_count_workers (sim, TRUE), ==, 1);
  g_assert_true (scaler_sim_spot_interrupt (sim, instance->instance_id));
  all = scaler_sim_dup_instances (sim);
  g_assert_cmpstr (((ScalerInstance *) g_ptr_array_index (all, 0))->state_reason, ==,
                   "Server.SpotInstanceTermination");
  /* The worker lingers as a zombie, then disappears. */
  g_assert_true (scaler_sim_has_worker (sim, worker_id));
  scaler_sim_advance (sim, 6 * MIN_USEC);
  g_assert_false (scaler_sim_has_worker (sim, worker_id));
  scaler_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.tasks_lost, ==, 1);
  g_assert_cmpuint (stats.spot_interruptions, ==, 1);
}

static void
run_workload (guint32           seed,
              ScalerSimArrival  arrival,
              ScalerSimStats   *stats,
              guint            *night,
              guint            *noon)
{
  g_autoptr(ScalerSim) sim = scaler_sim_new (seed, START);
  ScalerSimWorkload workload = { "q", arrival, 30.0, 10.0, 5.0, 0.5 };
  const char *queues[] = { "q", NULL };
  guint pending[1];

  scaler_sim_add_workload (sim, &workload);
  *night = *noon = 0;
  for (guint hour = 0; hour < 48; hour++)
    {
      guint before;

      scaler_queue_source_get_pending (SCALER_QUEUE_SOURCE (sim), queues, pending, NULL, NULL);
      before = pending[0];
      scaler_sim_advance (sim, HOUR_USEC);
      scaler_queue_source_get_pending (SCALER_QUEUE_SOURCE (sim), queues, pending, NULL, NULL);
      if (hour % 24 < 3 || hour % 24 >= 21)
        *night += pending[0] - before;
      else if (hour % 24 >= 9 && hour % 24 < 15)
        *noon += pending[0] - before;
    }
  scaler_sim_get_stats (sim, stats);
}

static void
test_workloads (void)
{
  ScalerSimStats a, b, bursty, daily;
  guint night, noon, n2, d2;

  run_workload (7, SCALER_SIM_ARRIVAL_STEADY, &a, &night, &noon);
  run_workload (7, SCALER_SIM_ARRIVAL_STEADY, &b, &n2, &d2);
  /* Deterministic for a seed. */
  g_assert_cmpuint (a.tasks_arrived, ==, b.tasks_arrived);
  g_assert_cmpfloat (a.task_minutes, ==, b.task_minutes);
  /* 30/h for 48 h = 1440 expected. */
  g_assert_cmpuint (a.tasks_arrived, >, 1300);
  g_assert_cmpuint (a.tasks_arrived, <, 1580);
  g_assert_cmpfloat (a.task_minutes / a.tasks_arrived, >, 4.5);
  g_assert_cmpfloat (a.task_minutes / a.tasks_arrived, <, 5.5);

  run_workload (7, SCALER_SIM_ARRIVAL_BURSTY, &bursty, &night, &noon);
  g_assert_cmpuint (bursty.tasks_arrived, >, 900);
  g_assert_cmpuint (bursty.tasks_arrived, <, 2000);

  run_workload (7, SCALER_SIM_ARRIVAL_DAILY, &daily, &night, &noon);
  g_assert_cmpuint (daily.tasks_arrived, >, 1200);
  g_assert_cmpuint (daily.tasks_arrived, <, 1700);
  /* Same number of hours: daytime is much busier. */
  g_assert_cmpuint (noon, >, 3 * night);
}

static void
test_never_register (void)
{
  g_autoptr(ScalerSim) sim = scaler_sim_new (1, START);
  g_autoptr(ScalerConfig) config = make_config (FALSE);
  g_autoptr(ScalerInstance) instance = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *console = NULL;

  scaler_sim_set_never_register (sim, "cpu", TRUE);
  instance = launch (sim, config, "t", NULL, FALSE, NULL);
  scaler_sim_advance (sim, 30 * MIN_USEC);
  g_assert_cmpuint (scaler_sim_count_workers (sim, FALSE), ==, 0);
  g_assert_cmpuint (scaler_sim_count_live (sim, "cpu"), ==, 1);
  console = scaler_cloud_get_console_output (SCALER_CLOUD (sim), instance->instance_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (strstr (console, "waiting for the ClearML server") != NULL);
}

static void
test_realtime_clock (void)
{
  g_autoptr(ScalerSim) sim = scaler_sim_new (1, START);
  gint64 t0, t1;

  scaler_sim_set_realtime (sim, 600.0);
  t0 = scaler_sim_get_time (sim);
  g_usleep (50000);
  t1 = scaler_sim_get_time (sim);
  /* 50 ms x 600 = 30 s of virtual time (at least). */
  g_assert_cmpint (t1 - t0, >=, 29 * G_USEC_PER_SEC);
  g_assert_cmpint (t0, >=, START);
}

/* Agents register 3 to 5 min after their instance runs, each at its own
 * time; a dead agent's worker stays listed, with the task of its last
 * report and its last report time, until 10 min after that report. */
static void
test_registration_range_and_zombie_task (void)
{
  g_autoptr(ScalerSim) sim = scaler_sim_new (1, START);
  g_autoptr(ScalerConfig) config = make_config (FALSE);
  g_autoptr(GHashTable) registered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gint64 first = 0, last = 0;
  ScalerWorker *zombie = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  const char *stop = NULL;
  gint64 report;

  scaler_sim_set_delays (sim, 2, 1, 0.5);
  scaler_sim_set_register_delay_range (sim, 3, 5);
  scaler_sim_set_zombie_linger (sim, 10);
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *token = g_strdup_printf ("t%u", i);
      g_autoptr(ScalerInstance) instance = launch (sim, config, token, NULL, FALSE, NULL);

      g_ptr_array_add (ids, g_strdup (instance->instance_id));
    }
  /* Running at +2 min; no agent before +5, all by +7. */
  for (guint second = 0; second <= 8 * 60; second += 5)
    {
      g_autoptr(GPtrArray) workers = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (sim), "dyn", NULL, NULL);

      for (guint k = 0; k < workers->len; k++)
        {
          ScalerWorker *worker = g_ptr_array_index (workers, k);

          if (g_hash_table_contains (registered, worker->id))
            continue;
          g_hash_table_add (registered, g_strdup (worker->id));
          last = scaler_sim_get_time (sim) - START;
          first = first ? first : last;
        }
      scaler_sim_advance (sim, 5 * G_USEC_PER_SEC);
    }
  g_assert_cmpuint (g_hash_table_size (registered), ==, 12);
  g_assert_cmpint (first, >=, 5 * MIN_USEC);
  g_assert_cmpint (last, <=, 7 * MIN_USEC);
  g_assert_cmpint (last - first, >=, MIN_USEC);

  /* A busy agent dies: the worker is listed with its task, then vanishes
   * 10 min after its last report (reports every 30 s). */
  scaler_sim_enqueue (sim, "default", 1, 60);
  scaler_sim_advance (sim, 10 * G_USEC_PER_SEC);
  listed = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (sim), "dyn", NULL, NULL);
  for (guint k = 0; k < listed->len && zombie == NULL; k++)
    if (((ScalerWorker *) g_ptr_array_index (listed, k))->task_id != NULL)
      zombie = scaler_worker_copy (g_ptr_array_index (listed, k));
  g_assert_nonnull (zombie);
  for (guint i = 0; i < ids->len; i++)
    if (g_str_has_suffix (zombie->id, g_ptr_array_index (ids, i)))
      stop = g_ptr_array_index (ids, i);
  g_assert_true (scaler_sim_spot_interrupt (sim, stop));
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (sim), "dyn", NULL, NULL);
  report = 0;
  for (guint k = 0; k < listed->len; k++)
    {
      ScalerWorker *worker = g_ptr_array_index (listed, k);

      if (g_strcmp0 (worker->id, zombie->id) == 0)
        {
          g_assert_cmpstr (worker->task_id, ==, zombie->task_id);
          report = worker->last_activity_time;
        }
    }
  g_assert_cmpint (report, >, 0);
  g_assert_cmpint (scaler_sim_get_time (sim) - report, <=, 30 * G_USEC_PER_SEC);
  /* Not busy for the simulator: its task is lost. */
  g_assert_cmpuint (scaler_sim_count_workers (sim, TRUE), ==, 0);
  scaler_sim_advance_to (sim, report + 10 * MIN_USEC - 5 * G_USEC_PER_SEC);
  g_assert_true (scaler_sim_has_worker (sim, zombie->id));
  scaler_sim_advance_to (sim, report + 10 * MIN_USEC + 5 * G_USEC_PER_SEC);
  g_assert_false (scaler_sim_has_worker (sim, zombie->id));
  scaler_worker_free (zombie);
}

/* Two runs of a seed see the same tasks arrive whatever they launch, and
 * their k-th instances register at the same time, whatever other random
 * draws (capacity errors here) happened in between. */
static void
test_world_independent_of_launches (void)
{
  ScalerSimStats stats[2];
  gint64 registered[2] = { 0, 0 };

  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(ScalerSim) sim = scaler_sim_new (9, START);
      g_autoptr(ScalerConfig) config = make_config (FALSE);
      ScalerSimWorkload workload = { "other", SCALER_SIM_ARRIVAL_STEADY, 30.0, 1, 5.0, 0.5 };

      scaler_sim_set_register_delay_range (sim, 3, 5);
      scaler_sim_add_workload (sim, &workload);
      /* Run 1 draws 9 capacity errors first (no instance is created). */
      scaler_sim_set_capacity_error_probability (sim, run == 1 ? 1.0 : 0.0);
      for (guint k = 0; run == 1 && k < 9; k++)
        {
          g_autofree char *token = g_strdup_printf ("failed-%u", k);
          g_autoptr(ScalerInstance) failed = launch (sim, config, token, NULL, FALSE, NULL);

          g_assert_null (failed);
        }
      scaler_sim_set_capacity_error_probability (sim, 0);
      scaler_sim_advance (sim, HOUR_USEC);
      /* Run 1 also launches more instances, later. */
      for (guint k = 0; k < (run == 1 ? 4u : 1u); k++)
        {
          g_autofree char *token = g_strdup_printf ("t%u", k);
          g_autoptr(ScalerInstance) instance = launch (sim, config, token, NULL, FALSE, NULL);
          g_autofree char *worker_id = scaler_worker_id_build ("dyn", "cpu", "m5.large", instance->instance_id);

          if (k > 0)
            continue;
          while (!scaler_sim_has_worker (sim, worker_id))
            scaler_sim_advance (sim, 5 * G_USEC_PER_SEC);
          registered[run] = scaler_sim_get_time (sim) - instance->launch_time;
        }
      scaler_sim_advance (sim, 10 * HOUR_USEC);
      scaler_sim_get_stats (sim, &stats[run]);
    }
  g_assert_cmpuint (stats[0].launches, ==, 1);
  g_assert_cmpuint (stats[1].launches, ==, 4);
  g_assert_cmpuint (stats[0].tasks_arrived, >, 250);
  g_assert_cmpuint (stats[0].tasks_arrived, ==, stats[1].tasks_arrived);
  g_assert_cmpfloat (stats[0].task_minutes, ==, stats[1].task_minutes);
  g_assert_cmpint (registered[0], ==, registered[1]);
  g_assert_cmpint (registered[0], >=, 2 * MIN_USEC + 3 * MIN_USEC);
  g_assert_cmpint (registered[0], <=, 2 * MIN_USEC + 5 * MIN_USEC + 5 * G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/sim/life-cycle", test_life_cycle);
  g_test_add_func ("/scaler/sim/client-token", test_client_token_idempotent);
  g_test_add_func ("/scaler/sim/errors", test_errors);
  g_test_add_func ("/scaler/sim/tags-filter", test_tags_filter);
  g_test_add_func ("/scaler/sim/spot-interruption-zombie", test_spot_interruption_and_zombie);
  g_test_add_func ("/scaler/sim/workloads", test_workloads);
  g_test_add_func ("/scaler/sim/never-register", test_never_register);
  g_test_add_func ("/scaler/sim/realtime-clock", test_realtime_clock);
  g_test_add_func ("/scaler/sim/registration-range-zombie-task", test_registration_range_and_zombie_task);
  g_test_add_func ("/scaler/sim/world-independent-of-launches", test_world_independent_of_launches);

  return g_test_run ();
}
