/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The idle_policy through whole cycles on the simulator: the adaptive rule
 * terminates idle workers before max_idle_time_min, "fixed" does not, and
 * neither ever terminates a busy worker, not even one that takes a task
 * between the snapshot and the termination; a queue of short tasks keeps
 * its staffing floor, and bursts are met with balanced launches and idle
 * workers that go when the burst is over. */

#include "config.h"

#include <string.h>

#include "scaler-core.h"
#include "scaler-cycle.h"
#include "scaler-ledger.h"
#include "scaler-sim.h"
#include "support/scaler-test-config.h"

#define MIN_USEC (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
/* Midnight UTC. */
#define START (G_GINT64_CONSTANT (1700006400) * G_USEC_PER_SEC)

/* ---- a queue source that lets a task in right before the re-check ---- */

#define RACE_TYPE_QUEUES (race_queues_get_type ())
G_DECLARE_FINAL_TYPE (RaceQueues, race_queues, RACE, QUEUES, GObject)

struct _RaceQueues
{
  GObject    parent_instance;
  ScalerSim *sim;
  gboolean   armed;   /* the next re-check of this cycle lets a task in */
  guint      calls;   /* list_workers calls in this cycle */
};

static void race_queues_iface_init (ScalerQueueSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RaceQueues, race_queues, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SCALER_TYPE_QUEUE_SOURCE, race_queues_iface_init))

static gboolean
race_get_pending (ScalerQueueSource  *source,
                  const char * const *queues,
                  guint              *out_counts,
                  GCancellable       *cancellable,
                  GError            **error)
{
  return scaler_queue_source_get_pending (SCALER_QUEUE_SOURCE (RACE_QUEUES (source)->sim), queues, out_counts,
                                          cancellable, error);
}

/* The cycle lists the workers for its snapshot, then once more right
 * before idle terminations: that second time, a task arrives first and an
 * agent (polling every 5 s) takes it. */
static GPtrArray *
race_list_workers (ScalerQueueSource  *source,
                   const char         *workers_prefix,
                   GCancellable       *cancellable,
                   GError            **error)
{
  RaceQueues *self = RACE_QUEUES (source);

  if (self->armed && ++self->calls == 2)
    {
      scaler_sim_enqueue (self->sim, "default", 1, 30);
      scaler_sim_advance (self->sim, 5 * G_USEC_PER_SEC);
    }
  return scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (self->sim), workers_prefix, cancellable, error);
}

static gboolean
race_unregister_worker (ScalerQueueSource  *source,
                        const char         *worker_id,
                        GCancellable       *cancellable,
                        GError            **error)
{
  return scaler_queue_source_unregister_worker (SCALER_QUEUE_SOURCE (RACE_QUEUES (source)->sim), worker_id,
                                                cancellable, error);
}

static void
race_queues_iface_init (ScalerQueueSourceInterface *iface)
{
  iface->get_pending = race_get_pending;
  iface->list_workers = race_list_workers;
  iface->unregister_worker = race_unregister_worker;
}

static void
race_queues_finalize (GObject *object)
{
  g_clear_object (&RACE_QUEUES (object)->sim);
  G_OBJECT_CLASS (race_queues_parent_class)->finalize (object);
}

static void
race_queues_class_init (RaceQueuesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = race_queues_finalize;
}

static void
race_queues_init (RaceQueues *self)
{
}

/* ---- helpers ---- */

/* A world like a real deployment: 2 min to boot, 3 to 5 min from running to
 * a registered worker, workers of terminated instances listed for 10 min. */
static ScalerSim *
realistic_sim_new (guint32                  seed,
                   const ScalerSimWorkload *workload)
{
  ScalerSim *sim = scaler_sim_new (seed, START);

  scaler_sim_set_delays (sim, 2, 3, 0.5);
  scaler_sim_set_register_delay_range (sim, 3, 5);
  scaler_sim_set_zombie_linger (sim, 10);
  scaler_sim_add_workload (sim, workload);
  return sim;
}

/* What no policy may ever do, after more than @min_started tasks started:
 * terminate a busy worker, or lose a task. */
static void
assert_no_harm (ScalerSim *sim,
                guint      min_started)
{
  ScalerSimStats stats;

  scaler_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.tasks_started, >, min_started);
  g_assert_cmpuint (stats.busy_terminations, ==, 0);
  g_assert_cmpuint (stats.tasks_lost, ==, 0);
}

static ScalerConfig *
make_config (ScalerIdlePolicy idle_policy)
{
  ScalerConfig *config = scaler_test_config_new (&(ScalerTestConfigOptions) {
    .workers_prefix = "dyn",
    .max_instances = 10,
  });

  config->polling_interval_time_min = 1;
  config->max_idle_time_min = 15;
  config->idle_policy = idle_policy;
  return config;
}

static gboolean
result_has (ScalerCycleResult *result,
            ScalerActionKind   kind,
            ScalerReason       code)
{
  for (guint i = 0; i < result->actions->len; i++)
    {
      ScalerAction *action = g_ptr_array_index (result->actions, i);

      if (action->kind == kind && action->code == code)
        return TRUE;
    }
  return FALSE;
}

static gboolean
result_logged (ScalerCycleResult *result,
               const char        *fragment)
{
  for (guint i = 0; i < result->log_lines->len; i++)
    if (strstr (((ScalerLogLine *) g_ptr_array_index (result->log_lines, i))->text, fragment) != NULL)
      return TRUE;
  return FALSE;
}

/* ---- tests ---- */

/* One 2-minute task, then nothing: the adaptive rule learned that the
 * queue gets no more tasks and terminates the idle instance at the first
 * cycle that sees it idle (the prediction is past the break-even, twice
 * the 3.5 minutes the instance needed to be ready); "fixed" after
 * max_idle_time_min, counted from the first cycle that saw the worker
 * idle. */
static void
test_terminates_before_max_idle (void)
{
  ScalerIdlePolicy policies[] = { SCALER_IDLE_POLICY_ADAPTIVE, SCALER_IDLE_POLICY_FIXED };

  for (guint p = 0; p < G_N_ELEMENTS (policies); p++)
    {
      g_autoptr(ScalerConfig) config = make_config (policies[p]);
      g_autoptr(ScalerSim) sim = scaler_sim_new (3, START);
      g_autoptr(ScalerLedger) ledger = scaler_ledger_new (config->id);
      ScalerCycleContext ctx = { 0 };
      gint64 idle_seen = 0, terminated = 0, last_busy = 0;
      ScalerSimStats stats;

      ctx.config = config;
      ctx.cloud = SCALER_CLOUD (sim);
      ctx.queues = SCALER_QUEUE_SOURCE (sim);
      ctx.ledger = ledger;
      ctx.now_func = scaler_sim_now;
      ctx.now_data = sim;
      scaler_sim_set_delays (sim, 1, 2.5, 0.2);
      scaler_sim_enqueue (sim, "default", 1, 2);
      for (guint minute = 0; minute < 30 && terminated == 0; minute++)
        {
          g_autoptr(ScalerCycleResult) result = NULL;

          ctx.cycle++;
          result = scaler_cycle_run (&ctx, NULL);
          g_assert_true (result->ok);
          if (idle_seen == 0 && result->idle_workers > 0)
            idle_seen = result->time;
          if (result->busy_workers > 0)
            last_busy = result->time;
          if (result->terminated > 0)
            {
              terminated = result->time;
              g_assert_true (result_has (result, SCALER_ACTION_TERMINATE,
                                         policies[p] == SCALER_IDLE_POLICY_ADAPTIVE ? SCALER_REASON_IDLE_EARLY
                                                                                   : SCALER_REASON_IDLE));
              if (policies[p] == SCALER_IDLE_POLICY_ADAPTIVE)
                g_assert_true (result_logged (result, "expected to need it not in the foreseeable future"));
            }
          scaler_sim_advance (sim, MIN_USEC);
        }
      g_assert_cmpint (last_busy, >, 0);
      g_assert_cmpint (terminated, >, 0);
      if (policies[p] == SCALER_IDLE_POLICY_ADAPTIVE)
        {
          g_assert_cmpint (terminated - last_busy, ==, MIN_USEC);
          g_assert_cmpint (idle_seen, ==, 0);
        }
      else
        {
          g_assert_cmpint (idle_seen, ==, last_busy + MIN_USEC);
          g_assert_cmpint (terminated - idle_seen, ==, 15 * MIN_USEC);
        }
      scaler_sim_get_stats (sim, &stats);
      g_assert_cmpuint (stats.tasks_done, ==, 1);
      g_assert_cmpuint (stats.busy_terminations, ==, 0);
      g_assert_cmpuint (scaler_sim_count_live (sim, NULL), ==, 0);
    }
}

/* The adaptive rule plans an early termination; a task arrives and the
 * worker takes it between the snapshot and the TerminateInstances: the
 * re-check keeps the instance, and the task runs to its end. */
static void
test_recheck_keeps_worker_that_took_a_task (void)
{
  g_autoptr(ScalerConfig) config = make_config (SCALER_IDLE_POLICY_ADAPTIVE);
  g_autoptr(ScalerSim) sim = scaler_sim_new (3, START);
  g_autoptr(RaceQueues) queues = g_object_new (RACE_TYPE_QUEUES, NULL);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (config->id);
  ScalerCycleContext ctx = { 0 };
  gboolean raced = FALSE;
  ScalerSimStats stats;

  queues->sim = g_object_ref (sim);
  ctx.config = config;
  ctx.cloud = SCALER_CLOUD (sim);
  ctx.queues = SCALER_QUEUE_SOURCE (queues);
  ctx.ledger = ledger;
  ctx.now_func = scaler_sim_now;
  ctx.now_data = sim;
  scaler_sim_set_delays (sim, 1, 2.5, 0.2);
  scaler_sim_enqueue (sim, "default", 1, 2);
  for (guint minute = 0; minute < 20 && !raced; minute++)
    {
      g_autoptr(ScalerCycleResult) result = NULL;

      queues->armed = minute > 3;
      queues->calls = 0;
      ctx.cycle++;
      result = scaler_cycle_run (&ctx, NULL);
      if (queues->calls == 2)
        {
          raced = TRUE;
          /* Before max_idle_time_min could have passed: the adaptive rule's. */
          g_assert_cmpint (result->time - START, <, 15 * MIN_USEC);
          g_assert_cmpuint (result->terminated, ==, 0);
          g_assert_true (result_logged (result, "its worker just picked up task"));
        }
      else
        g_assert_cmpuint (result->terminated, ==, 0);
      scaler_sim_advance (sim, MIN_USEC);
    }
  g_assert_true (raced);
  g_assert_cmpuint (scaler_sim_count_workers (sim, TRUE), ==, 1);
  scaler_sim_advance (sim, 30 * MIN_USEC);
  scaler_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.busy_terminations, ==, 0);
  g_assert_cmpuint (stats.tasks_lost, ==, 0);
  g_assert_cmpuint (stats.tasks_done, ==, 2);
}

/* A day of random work (20 tasks an hour, 15 minutes each, zombies listed
 * for 10 min): the adaptive rule learns the queue and terminates idle
 * workers early, with predictions in its reasons; no busy worker is ever
 * terminated and no task is lost, with either policy. */
static void
test_random_day_never_kills_busy (void)
{
  ScalerIdlePolicy policies[] = { SCALER_IDLE_POLICY_ADAPTIVE, SCALER_IDLE_POLICY_FIXED };

  for (guint p = 0; p < G_N_ELEMENTS (policies); p++)
    {
      g_autoptr(ScalerConfig) config = make_config (policies[p]);
      ScalerSimWorkload workload = { "default", SCALER_SIM_ARRIVAL_STEADY, 20.0, 1, 15.0, 0.5 };
      g_autoptr(ScalerSim) sim = realistic_sim_new (11, &workload);
      g_autoptr(ScalerLedger) ledger = scaler_ledger_new (config->id);
      ScalerCycleContext ctx = { 0 };
      guint early = 0, predicted = 0;

      ctx.config = config;
      ctx.cloud = SCALER_CLOUD (sim);
      ctx.queues = SCALER_QUEUE_SOURCE (sim);
      ctx.ledger = ledger;
      ctx.now_func = scaler_sim_now;
      ctx.now_data = sim;
      for (guint minute = 0; minute < 24 * 60; minute++)
        {
          g_autoptr(ScalerCycleResult) result = NULL;

          ctx.cycle++;
          result = scaler_cycle_run (&ctx, NULL);
          g_assert_true (result->ok);
          if (result_has (result, SCALER_ACTION_TERMINATE, SCALER_REASON_IDLE_EARLY))
            early++;
          if (result_logged (result, "tasks/h arrive"))
            predicted++;
          scaler_sim_advance (sim, MIN_USEC);
        }
      assert_no_harm (sim, 400);
      if (policies[p] == SCALER_IDLE_POLICY_ADAPTIVE)
        {
          g_assert_cmpuint (early, >, 10);
          g_assert_cmpuint (predicted, >, 10);
        }
      else
        {
          g_assert_cmpuint (early, ==, 0);
          g_assert_cmpuint (predicted, ==, 0);
        }
    }
}

/* Runs `hours` of 1-minute cycles of config on sim; counts the cycles
 * whose result has an action of that kind and code, or logged fragment. */
typedef struct
{
  guint staffing_launches;
  guint kept_staffing;
  guint balanced;
  guint burst_terminations;
} Seen;

static void
run_hours (ScalerConfig *config,
           ScalerSim    *sim,
           guint         hours,
           Seen         *seen)
{
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (config->id);
  ScalerCycleContext ctx = { 0 };

  ctx.config = config;
  ctx.cloud = SCALER_CLOUD (sim);
  ctx.queues = SCALER_QUEUE_SOURCE (sim);
  ctx.ledger = ledger;
  ctx.now_func = scaler_sim_now;
  ctx.now_data = sim;
  for (guint minute = 0; minute < hours * 60; minute++)
    {
      g_autoptr(ScalerCycleResult) result = NULL;

      ctx.cycle++;
      result = scaler_cycle_run (&ctx, NULL);
      g_assert_true (result->ok);
      for (guint i = 0; i < result->actions->len; i++)
        {
          ScalerAction *action = g_ptr_array_index (result->actions, i);

          if (action->kind == SCALER_ACTION_LAUNCH && action->code == SCALER_REASON_STAFFING)
            {
              g_assert_true (strstr (action->reason, "keeps the queue's staffing floor") != NULL);
              seen->staffing_launches++;
            }
          if (action->kind == SCALER_ACTION_TERMINATE && action->code == SCALER_REASON_IDLE_EARLY
              && strstr (action->reason, "its tasks come in bursts of about") != NULL)
            seen->burst_terminations++;
        }
      seen->kept_staffing += result_logged (result, "for its short tasks");
      seen->balanced += result_logged (result, "run them in as many rounds");
      scaler_sim_advance (sim, MIN_USEC);
    }
}

/* 150 tasks of about a minute an hour (2.5 busy on average): busy workers
 * would take every queued task before a new instance is ready, so demand
 * alone never grows the fleet; the staffing floor launches and keeps the
 * workers the queue's waits need. No busy worker is terminated. */
static void
test_short_tasks_keep_staffing (void)
{
  g_autoptr(ScalerConfig) config = make_config (SCALER_IDLE_POLICY_ADAPTIVE);
  ScalerSimWorkload workload = { "default", SCALER_SIM_ARRIVAL_STEADY, 150.0, 1, 1.0, 0.5 };
  g_autoptr(ScalerSim) sim = realistic_sim_new (5, &workload);
  Seen seen = { 0 };

  run_hours (config, sim, 6, &seen);
  assert_no_harm (sim, 600);
  g_assert_cmpuint (seen.staffing_launches, >, 0);
  g_assert_cmpuint (seen.kept_staffing, >, 0);
  g_assert_cmpuint (seen.burst_terminations, ==, 0);
}

/* Bursts of about 25 tasks of 10 minutes, 16 tasks an hour, on at most 10
 * instances: the caps leave tasks for more rounds, and the launches are
 * balanced over them; after a burst, the idle workers go at once (the
 * next burst is far), saying so. No busy worker is terminated. */
static void
test_bursts (void)
{
  g_autoptr(ScalerConfig) config = make_config (SCALER_IDLE_POLICY_ADAPTIVE);
  ScalerSimWorkload workload = { "default", SCALER_SIM_ARRIVAL_BURSTY, 16.0, 25, 10.0, 0.5 };
  g_autoptr(ScalerSim) sim = realistic_sim_new (7, &workload);
  Seen seen = { 0 };

  run_hours (config, sim, 12, &seen);
  assert_no_harm (sim, 100);
  g_assert_cmpuint (seen.balanced, >, 0);
  g_assert_cmpuint (seen.burst_terminations, >, 0);
  g_assert_cmpuint (seen.staffing_launches, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/idle-policy/terminates-before-max-idle", test_terminates_before_max_idle);
  g_test_add_func ("/scaler/idle-policy/recheck-keeps-busy", test_recheck_keeps_worker_that_took_a_task);
  g_test_add_func ("/scaler/idle-policy/random-day-never-kills-busy", test_random_day_never_kills_busy);

  g_test_add_func ("/scaler/idle-policy/short-tasks-keep-staffing", test_short_tasks_keep_staffing);
  g_test_add_func ("/scaler/idle-policy/bursts", test_bursts);

  return g_test_run ();
}
