/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-policy: replays workloads in virtual time through OUR policy (the real
 * scaler_cycle_run: snapshot, ledger, policy, execution) and through a
 * faithful model of the ClearML open-source autoscaler (clearml.md §1: its
 * defaults, its remaining-count overshoot bug, no back-off, launches that
 * block until the instance runs, its idle-timestamp rules), on the same
 * simulator with the same seed. Prints cost, cost / lower bound, queue waits,
 * launches and peak instances per workload, then the policy's decision time
 * for 10,000 instances and 1,000 queues. Nothing is asserted.
 *
 *   bench-policy [--seed N] [--clearml-polling MIN] [--breakdown]
 *
 * --breakdown also prints where the money goes: instance time split into
 * boot, busy, idle that ended in another task, idle that ended in a
 * termination (the scale-down tail) and shutting-down, each as a multiple of
 * the lower bound, so the parts add up to cost / lower bound.
 */

#define G_LOG_DOMAIN "bench-policy"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scaler-core.h"
#include "scaler-cycle.h"
#include "scaler-ledger.h"
#include "scaler-policy.h"
#include "scaler-sim.h"

#define MIN_USEC  (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define HOUR_USEC (60 * MIN_USEC)
/* Midnight UTC, so the daily cycle starts at night. */
#define START     (G_GINT64_CONSTANT (1700006400) * G_USEC_PER_SEC)

typedef struct
{
  const char      *name;
  const char      *instance_type;
  guint            max_instances;
  ScalerSimArrival arrival;
  double           tasks_per_hour;
  double           burst_size;
  double           duration_min;
  double           spread;
  double           days;
} Workload;

static const Workload workloads[] = {
  { "steady",      "m5.large",    20, SCALER_SIM_ARRIVAL_STEADY, 20.0,  1,  15.0,  0.5,  2 },
  { "bursty",      "m5.large",    20, SCALER_SIM_ARRIVAL_BURSTY, 16.0, 25,  10.0,  0.5,  2 },
  { "daily",       "m5.large",    30, SCALER_SIM_ARRIVAL_DAILY,  20.0,  1,  20.0,  0.5,  3 },
  { "long-gpu",    "g4dn.xlarge", 12, SCALER_SIM_ARRIVAL_STEADY,  1.5,  1, 240.0,  0.25, 3 },
  { "many-short",  "m5.large",    20, SCALER_SIM_ARRIVAL_STEADY, 150.0, 1,   1.0,  0.5,  2 },
};

/* Boot to running, then the agent registers: a typical 3 minutes. */
#define BOOT_MIN     2.0
#define REGISTER_MIN 1.0

typedef struct
{
  double cost;
  double lower_bound;
  double wait_mean;
  double wait_p95;
  guint  launches;
  guint  peak;
  guint  tasks;
  guint  busy_kills;
  gboolean drained;
  /* --breakdown: instance-seconds by what the instance was doing. */
  double boot_s;          /* pending, then running until its worker registers */
  double busy_s;          /* its worker runs a task */
  double idle_reused_s;   /* idle, then took another task */
  double idle_tail_s;     /* idle, then terminated (the scale-down tail) */
  double shutdown_s;      /* shutting-down (billed until terminated) */
  guint  tails;           /* idle periods that ended in a termination */
  guint  reuses;          /* idle periods that ended in a task */
  guint  relaunches;      /* launches within max_idle_time_min of such a termination */
  guint  idle_first;      /* launches whose worker found no task when it registered */
} Outcome;

/* ---- --breakdown: a probe that samples the simulator at every tick ---- */

/* The simulator's agents tick every 5 s; the probe steps the clock tick by
 * tick (the same ticks advance_to would run) and reads the fleet and the
 * workers through the public seams after each one. */
#define PROBE_TICK (5 * G_USEC_PER_SEC)

typedef struct
{
  gint64   idle_usec;     /* current idle period */
  gboolean registered;    /* its worker showed up */
} ProbeInstance;

typedef struct
{
  gboolean    enabled;
  const char *config_id;
  GHashTable *instances;  /* instance id -> ProbeInstance* */
  gint64      last_tail;  /* time of the last idle termination, 0 = none */
  gint64      window;     /* relaunch window, usec */
  Outcome    *out;
} Probe;

static void
probe_init (Probe              *probe,
            gboolean            enabled,
            const ScalerConfig *config,
            Outcome            *out)
{
  memset (probe, 0, sizeof *probe);
  probe->enabled = enabled;
  probe->config_id = config->id;
  probe->instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  probe->window = (gint64) (config->max_idle_time_min * MIN_USEC);
  probe->out = out;
}

static void
probe_clear (Probe *probe)
{
  g_clear_pointer (&probe->instances, g_hash_table_unref);
}

static void
probe_sample (Probe     *probe,
              ScalerSim *sim,
              gint64     dt)
{
  g_autoptr(GPtrArray) instances = scaler_cloud_list_instances (SCALER_CLOUD (sim), probe->config_id, NULL, NULL);
  g_autoptr(GPtrArray) workers = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (sim), "bench", NULL, NULL);
  g_autoptr(GHashTable) worker_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 now = scaler_sim_get_time (sim);
  Outcome *out = probe->out;
  double secs = (double) dt / G_USEC_PER_SEC;

  for (guint i = 0; i < workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (workers, i);
      char *id = NULL;

      if (scaler_worker_id_parse (worker->id, NULL, NULL, NULL, &id))
        g_hash_table_insert (worker_of, id, worker);
      else
        g_free (id);
    }
  for (guint i = 0; i < instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (instances, i);
      ProbeInstance *track = g_hash_table_lookup (probe->instances, instance->instance_id);
      ScalerWorker *worker = g_hash_table_lookup (worker_of, instance->instance_id);

      if (track == NULL)
        {
          track = g_new0 (ProbeInstance, 1);
          g_hash_table_insert (probe->instances, g_strdup (instance->instance_id), track);
          if (probe->last_tail != 0 && now - probe->last_tail <= probe->window)
            out->relaunches++;
        }
      if (!scaler_instance_state_is_live (instance->state))
        {
          if (track->idle_usec > 0)
            {
              out->idle_tail_s += (double) track->idle_usec / G_USEC_PER_SEC;
              out->tails++;
              probe->last_tail = now;
              track->idle_usec = 0;
            }
          out->shutdown_s += secs;
          continue;
        }
      if (worker == NULL || instance->state == SCALER_INSTANCE_STATE_PENDING)
        {
          out->boot_s += secs;
          continue;
        }
      if (!track->registered)
        {
          track->registered = TRUE;
          if (worker->task_id == NULL)
            out->idle_first++;
        }
      if (worker->task_id != NULL)
        {
          if (track->idle_usec > 0)
            {
              out->idle_reused_s += (double) track->idle_usec / G_USEC_PER_SEC;
              out->reuses++;
              track->idle_usec = 0;
            }
          out->busy_s += secs;
        }
      else
        track->idle_usec += dt;
    }
}

/* scaler_sim_advance_to, sampling after every tick when enabled. */
static void
probe_advance_to (Probe     *probe,
                  ScalerSim *sim,
                  gint64     target)
{
  if (!probe->enabled)
    {
      scaler_sim_advance_to (sim, target);
      return;
    }
  while (scaler_sim_get_time (sim) + PROBE_TICK <= target)
    {
      scaler_sim_advance (sim, PROBE_TICK);
      probe_sample (probe, sim, PROBE_TICK);
    }
  scaler_sim_advance_to (sim, target);
}

static void
probe_advance (Probe     *probe,
               ScalerSim *sim,
               gint64     usec)
{
  probe_advance_to (probe, sim, scaler_sim_get_time (sim) + usec);
}

static ScalerConfig *
make_config (const Workload *w,
             double          polling_min)
{
  ScalerConfig *config = scaler_config_new ();
  ScalerResource *resource = scaler_resource_new ();

  g_free (config->name);
  config->name = g_strdup (w->name);
  g_free (config->workers_prefix);
  config->workers_prefix = g_strdup ("bench");
  config->polling_interval_time_min = polling_min;
  config->max_idle_time_min = 15;
  config->max_spin_up_time_min = 30;
  g_free (resource->name);
  resource->name = g_strdup ("pool");
  g_free (resource->queue);
  resource->queue = g_strdup ("jobs");
  g_free (resource->instance_type);
  resource->instance_type = g_strdup (w->instance_type);
  resource->max_instances = w->max_instances;
  g_strfreev (resource->availability_zones);
  resource->availability_zones = g_strsplit ("us-east-1a", ",", -1);
  g_ptr_array_add (config->resources, resource);
  return config;
}

static ScalerSim *
make_sim (const Workload *w,
          guint32         seed)
{
  ScalerSim *sim = scaler_sim_new (seed, START);
  ScalerSimWorkload workload = { "jobs", w->arrival, w->tasks_per_hour, w->burst_size,
                                 w->duration_min, w->spread };

  scaler_sim_set_delays (sim, BOOT_MIN, REGISTER_MIN, 0.5);
  scaler_sim_add_workload (sim, &workload);
  return sim;
}

static gboolean
drained (ScalerSim *sim)
{
  return scaler_sim_get_pending (sim, "jobs") == 0
         && scaler_sim_count_workers (sim, TRUE) == 0
         && scaler_sim_count_live (sim, NULL) == 0;
}

static void
finish (ScalerSim      *sim,
        const Workload *w,
        Outcome        *out)
{
  ScalerSimStats stats;
  double price = 0;

  scaler_sim_get_stats (sim, &stats);
  scaler_price_table_default_price (w->instance_type, "us-east-1", &price, NULL);
  out->cost = stats.cost_usd;
  out->lower_bound = stats.task_minutes / 60.0 * price;
  out->wait_mean = stats.wait_mean_min;
  out->wait_p95 = stats.wait_p95_min;
  out->launches = stats.launches;
  out->peak = stats.peak_instances;
  out->tasks = stats.tasks_arrived;
  out->busy_kills = stats.busy_terminations;
}

/* ---- ours: the real cycle on the simulator ---- */

static void
run_ours (const Workload *w,
          guint32         seed,
          gboolean        breakdown,
          Outcome        *out)
{
  g_autoptr(ScalerConfig) config = make_config (w, 1.0);
  g_autoptr(ScalerSim) sim = make_sim (w, seed);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (config->id);
  ScalerCycleContext ctx = { 0 };
  gint64 end = START + (gint64) (w->days * 24 * HOUR_USEC);
  gint64 t = START;
  gboolean arrivals = TRUE;
  Probe probe;

  probe_init (&probe, breakdown, config, out);
  ctx.config = config;
  ctx.cloud = SCALER_CLOUD (sim);
  ctx.queues = SCALER_QUEUE_SOURCE (sim);
  ctx.ledger = ledger;
  ctx.now_func = scaler_sim_now;
  ctx.now_data = sim;

  while (t < end + 12 * HOUR_USEC)
    {
      g_autoptr(ScalerCycleResult) result = NULL;

      probe_advance_to (&probe, sim, t);
      if (arrivals && t >= end)
        {
          scaler_sim_clear_workloads (sim);
          arrivals = FALSE;
        }
      if (!arrivals && drained (sim))
        break;
      ctx.cycle++;
      result = scaler_cycle_run (&ctx, NULL);
      t += result->next_cycle_delay;
    }
  out->drained = drained (sim);
  finish (sim, w, out);
  probe_clear (&probe);
}

/* ---- the ClearML OSS model (clearml.md §1.4) ---- */

typedef struct
{
  char  *resource;
  gint64 time;
} Entry;

static void
entry_free (Entry *entry)
{
  g_free (entry->resource);
  g_free (entry);
}

static char *
cloud_id_of (const char *worker_id)
{
  char *id = NULL;

  scaler_worker_id_parse (worker_id, NULL, NULL, NULL, &id);
  return id;
}

static void
run_clearml (const Workload *w,
             guint32         seed,
             double          polling_min,
             gboolean        breakdown,
             Outcome        *out)
{
  g_autoptr(ScalerConfig) config = make_config (w, polling_min);
  g_autoptr(ScalerSim) sim = make_sim (w, seed);
  g_autoptr(GHashTable) spun = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  g_autoptr(GHashTable) previous = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) idle = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  gint64 end = START + (gint64) (w->days * 24 * HOUR_USEC);
  gint64 poll = (gint64) (polling_min * MIN_USEC);
  gint64 max_idle = (gint64) (config->max_idle_time_min * MIN_USEC);
  gint64 spin_up = (gint64) (config->max_spin_up_time_min * MIN_USEC);
  gboolean arrivals = TRUE;
  guint token = 0;
  Probe probe;

  probe_init (&probe, breakdown, config, out);
  for (;;)
    {
      g_autoptr(GPtrArray) workers = NULL;
      g_autoptr(GHashTable) required = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GPtrArray) allocations = g_ptr_array_new ();
      const char *queues[] = { "jobs", NULL };
      guint pending[1] = { 0 };
      gint64 now = scaler_sim_get_time (sim);
      GHashTableIter iter;
      gpointer key, value;

      if (arrivals && now >= end)
        {
          scaler_sim_clear_workloads (sim);
          arrivals = FALSE;
        }
      if ((!arrivals && drained (sim)) || now > end + 12 * HOUR_USEC)
        break;

      /* 2. Workers with our prefix. */
      workers = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (sim), "bench", NULL, NULL);

      /* 3. Registration matching. */
      for (guint i = 0; i < workers->len; i++)
        {
          ScalerWorker *worker = g_ptr_array_index (workers, i);

          if (!g_hash_table_contains (previous, worker->id) && g_hash_table_remove (spun, worker->id))
            g_hash_table_add (previous, g_strdup (worker->id));
        }

      /* 4. Boot timeout. */
      g_hash_table_iter_init (&iter, spun);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (now - ((Entry *) value)->time > spin_up)
          {
            g_autofree char *id = cloud_id_of (key);
            const char *ids[] = { id, NULL };

            scaler_cloud_terminate (SCALER_CLOUD (sim), ids, NULL, NULL);
            g_hash_table_iter_remove (&iter);
          }

      /* 5. Idle tracking (vanished workers are never removed). */
      if (workers->len == 0)
        g_hash_table_remove_all (idle);
      for (guint i = 0; i < workers->len; i++)
        {
          ScalerWorker *worker = g_ptr_array_index (workers, i);

          if (worker->task_id == NULL && !g_hash_table_contains (idle, worker->id))
            {
              Entry *entry = g_new0 (Entry, 1);

              entry->resource = g_strdup (resource->name);
              entry->time = MAX (worker->register_time, worker->last_activity_time);
              if (entry->time == 0)
                entry->time = now;
              g_hash_table_insert (idle, g_strdup (worker->id), entry);
            }
          else if (worker->task_id != NULL)
            g_hash_table_remove (idle, worker->id);
        }

      /* 6. Demand, with the overshoot bug. */
      scaler_queue_source_get_pending (SCALER_QUEUE_SOURCE (sim), queues, pending, NULL, NULL);
      if (pending[0] > 0)
        {
          gint64 free_count = g_hash_table_size (idle) + g_hash_table_size (spun);
          gint64 need = (gint64) pending[0] - free_count;

          g_hash_table_add (required, resource->name);
          if (need > 0)
            {
              gint64 allowed = (gint64) resource->max_instances - (gint64) workers->len
                               - (gint64) g_hash_table_size (spun);

              if (allowed > 0)
                for (gint64 k = 0; k < MIN (need, allowed); k++)
                  g_ptr_array_add (allocations, resource);
            }
        }

      /* 7. Launch, one at a time, each blocking until "running" (15 s waiter). */
      for (guint i = 0; i < allocations->len; i++)
        {
          ScalerLaunchSpec spec = { 0 };
          g_autofree char *client_token = g_strdup_printf ("clearml-%u", ++token);
          g_autoptr(ScalerInstance) instance = NULL;
          g_autofree char *worker_id = NULL;
          Entry *entry;

          spec.config = config;
          spec.resource = resource;
          spec.availability_zone = "us-east-1a";
          spec.client_token = client_token;
          instance = scaler_cloud_launch (SCALER_CLOUD (sim), &spec, NULL, NULL);
          if (instance == NULL)
            continue;
          for (guint attempt = 0; attempt < 40; attempt++)
            {
              g_autoptr(GPtrArray) list = NULL;
              gboolean running = FALSE;

              probe_advance (&probe, sim, 15 * G_USEC_PER_SEC);
              list = scaler_cloud_list_instances (SCALER_CLOUD (sim), config->id, NULL, NULL);
              for (guint k = 0; k < list->len; k++)
                {
                  ScalerInstance *other = g_ptr_array_index (list, k);

                  if (g_strcmp0 (other->instance_id, instance->instance_id) == 0
                      && other->state == SCALER_INSTANCE_STATE_RUNNING)
                    running = TRUE;
                }
              if (running)
                break;
            }
          worker_id = scaler_worker_id_build ("bench", resource->name, resource->instance_type,
                                              instance->instance_id);
          entry = g_new0 (Entry, 1);
          entry->resource = g_strdup (resource->name);
          entry->time = scaler_sim_get_time (sim);
          g_hash_table_insert (spun, g_steal_pointer (&worker_id), entry);
        }

      /* 8. Idle scale-down, with the re-check of PR #1240. */
      now = scaler_sim_get_time (sim);
      g_hash_table_iter_init (&iter, idle);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          Entry *entry = value;
          g_autoptr(GPtrArray) fresh = NULL;
          gboolean busy = FALSE;

          if (g_hash_table_contains (required, entry->resource) || now - entry->time <= max_idle)
            continue;
          fresh = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (sim), "bench", NULL, NULL);
          for (guint k = 0; k < fresh->len; k++)
            {
              ScalerWorker *worker = g_ptr_array_index (fresh, k);

              if (g_strcmp0 (worker->id, key) == 0 && worker->task_id != NULL)
                busy = TRUE;
            }
          if (!busy)
            {
              g_autofree char *id = cloud_id_of (key);
              const char *ids[] = { id, NULL };

              scaler_cloud_terminate (SCALER_CLOUD (sim), ids, NULL, NULL);
              g_hash_table_iter_remove (&iter);
            }
        }

      /* 10. Sleep after the work. */
      probe_advance (&probe, sim, poll);
    }
  out->drained = drained (sim);
  finish (sim, w, out);
  probe_clear (&probe);
}

/* ---- decision time ---- */

static double
decision_time_ms (guint n_instances,
                  guint n_queues)
{
  g_autoptr(ScalerConfig) config = scaler_config_new ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (START);
  g_autoptr(ScalerLedger) ledger = NULL;
  guint per_queue = n_instances / n_queues;
  double best = G_MAXDOUBLE;

  g_free (config->workers_prefix);
  config->workers_prefix = g_strdup ("bench");
  config->hourly_budget_usd = 1e6;
  ledger = scaler_ledger_new (config->id);
  for (guint q = 0; q < n_queues; q++)
    {
      ScalerResource *resource = scaler_resource_new ();

      g_free (resource->name);
      resource->name = g_strdup_printf ("res%u", q);
      g_free (resource->queue);
      resource->queue = g_strdup_printf ("queue%u", q);
      g_free (resource->instance_type);
      resource->instance_type = g_strdup ("m5.large");
      resource->max_instances = per_queue + 5;
      g_ptr_array_add (config->resources, resource);
      scaler_snapshot_set_pending (snapshot, resource->queue, q % 7);
    }
  for (guint i = 0; i < n_instances; i++)
    {
      ScalerResource *resource = g_ptr_array_index (config->resources, i % n_queues);
      ScalerInstance *instance = scaler_instance_new ();

      instance->instance_id = g_strdup_printf ("i-%017x", i);
      instance->config_id = g_strdup (config->id);
      instance->resource = g_strdup (resource->name);
      instance->instance_type = g_strdup ("m5.large");
      instance->availability_zone = g_strdup ("us-east-1a");
      instance->state = SCALER_INSTANCE_STATE_RUNNING;
      instance->launch_time = START - HOUR_USEC;
      scaler_snapshot_add_instance (snapshot, instance);
      if (i % 10 != 0)
        {
          ScalerWorker *worker = scaler_worker_new ();

          worker->id = scaler_worker_id_build ("bench", resource->name, "m5.large", instance->instance_id);
          if (i % 3 != 0)
            worker->task_id = g_strdup_printf ("task-%u", i);
          scaler_snapshot_add_worker (snapshot, worker);
        }
    }
  scaler_ledger_observe (ledger, config, snapshot, START - 20 * MIN_USEC, NULL);
  for (guint rep = 0; rep < 5; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(ScalerPlan) plan = scaler_policy_decide (config, snapshot, ledger, START, NULL);

      best = MIN (best, (double) (g_get_monotonic_time () - t0) / 1000.0);
      g_assert (plan->actions->len > 0);
    }
  return best;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- policy benchmark");
  g_autoptr(GError) error = NULL;
  gint seed = 42;
  double clearml_poll = 5.0;
  gboolean breakdown = FALSE;
  Outcome all_ours[G_N_ELEMENTS (workloads)], all_theirs[G_N_ELEMENTS (workloads)];
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Simulator seed", "N" },
    { "clearml-polling", 0, 0, G_OPTION_ARG_DOUBLE, &clearml_poll,
      "Polling interval of the ClearML model (default 5, its default)", "MIN" },
    { "breakdown", 0, 0, G_OPTION_ARG_NONE, &breakdown,
      "Also print where the cost goes (boot, busy, idle reused, idle tail, shutdown)", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  printf ("# Policy benchmark (virtual time, seed %d; boot %.0f min + register %.0f min; idle 15 min, "
          "spin-up 30 min)\n", seed, BOOT_MIN, REGISTER_MIN);
  printf ("# ours: polling 1 min (our default); ClearML model: polling %g min, blocking launches, "
          "overshoot bug, no back-off\n\n", clearml_poll);
  printf ("| workload | policy | cost $ | cost / lower bound | mean wait min | p95 wait min | launches | peak instances |\n");
  printf ("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (guint i = 0; i < G_N_ELEMENTS (workloads); i++)
    {
      const Workload *w = &workloads[i];
      Outcome ours = { 0 }, theirs = { 0 };

      run_ours (w, (guint32) seed + i, breakdown, &ours);
      run_clearml (w, (guint32) seed + i, clearml_poll, breakdown, &theirs);
      all_ours[i] = ours;
      all_theirs[i] = theirs;
      printf ("| %s (%u tasks, %.0f d) | ours | %.2f | %.2f | %.1f | %.1f | %u | %u |\n",
              w->name, ours.tasks, w->days, ours.cost, ours.cost / MAX (ours.lower_bound, 1e-9),
              ours.wait_mean, ours.wait_p95, ours.launches, ours.peak);
      printf ("| | ClearML | %.2f | %.2f | %.1f | %.1f | %u | %u |\n",
              theirs.cost, theirs.cost / MAX (theirs.lower_bound, 1e-9),
              theirs.wait_mean, theirs.wait_p95, theirs.launches, theirs.peak);
      if (!ours.drained || !theirs.drained || ours.busy_kills || theirs.busy_kills)
        printf ("|   note | | drained: ours %s, ClearML %s; busy workers killed: ours %u, ClearML %u | | | | | |\n",
                ours.drained ? "yes" : "no", theirs.drained ? "yes" : "no", ours.busy_kills, theirs.busy_kills);
      fflush (stdout);
    }

  if (breakdown)
    {
      printf ("\nWhere the cost goes, as multiples of the lower bound (instance time sampled every 5 s):\n\n");
      printf ("| workload | policy | busy | boot | idle, reused | idle tail | shutting down | sum | idle periods reused | tails | launches <= %g min after a tail | launches that found no task |\n",
              15.0);
      printf ("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
      for (guint i = 0; i < G_N_ELEMENTS (workloads); i++)
        for (guint k = 0; k < 2; k++)
          {
            const Outcome *o = k == 0 ? &all_ours[i] : &all_theirs[i];
            double price = 0, lb_s;

            scaler_price_table_default_price (workloads[i].instance_type, "us-east-1", &price, NULL);
            lb_s = MAX (o->lower_bound / MAX (price, 1e-9) * 3600.0, 1e-9);
            printf ("| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %u | %u | %u | %u |\n",
                    k == 0 ? workloads[i].name : "", k == 0 ? "ours" : "ClearML",
                    o->busy_s / lb_s, o->boot_s / lb_s, o->idle_reused_s / lb_s, o->idle_tail_s / lb_s,
                    o->shutdown_s / lb_s,
                    (o->busy_s + o->boot_s + o->idle_reused_s + o->idle_tail_s + o->shutdown_s) / lb_s,
                    o->reuses, o->tails, o->relaunches, o->idle_first);
          }
    }

  printf ("\nDecision time of scaler_policy_decide, 10,000 instances and 1,000 queues: %.1f ms (best of 5)\n",
          decision_time_ms (10000, 1000));
  return 0;
}
