/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-policy: replays workloads in virtual time through OUR policy (the real
 * scaler_cycle_run: snapshot, ledger, policy, execution) and through a model
 * of the ClearML open-source autoscaler, on the same simulator world (same
 * seed: the same tasks arrive, the k-th instance boots, registers and is
 * interrupted alike). The model follows allegroai/clearml 39e206f9
 * clearml/automation/auto_scaler.py (line numbers below) and aws_driver.py:
 * its defaults, its idle timestamps, its demand count including the
 * remaining-count overshoot, launches that block until the instance runs,
 * no back-off, and the zombie workers the server keeps listing for 10 min.
 *
 * Each workload runs over several seeds: ours at its default polling (1 min)
 * against the model polling every 1 min (the same interval: the headline)
 * and every 5 min (its default). Prints the mean and the spread (min..max
 * over the seeds) of cost, cost ratios and queue waits, then the policy's
 * decision time for 10,000 instances and 1,000 queues. Nothing is asserted.
 *
 *   bench-policy [--seed N] [--seeds N] [--polling MIN] [--idle-policy P]
 *                [--workload NAME] [--zombie-min MIN] [--breakdown] [--per-seed]
 *                [--summary] [--trace]
 *
 * --breakdown prints where the money goes: instance time split into boot,
 * busy, idle that ended in another task, idle that ended in a termination
 * (the scale-down tail) and shutting-down, priced and divided by the lower
 * bound, so the parts add up to cost / lower bound.
 * --summary prints one line per workload with the means over the seeds:
 *   summary <workload> same_polling_cost_ratio=R same_polling_p95_ours=M
 *   same_polling_p95_clearml=M default_cost_ratio=R default_p95_ours=M
 *   default_p95_clearml=M lower_bound_ratio=R
 * (on one line; ratios are ours over the model or over the lower bound,
 * waits in minutes).
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

#define MAX_RESOURCES 2
#define MAX_SEEDS     20

typedef struct
{
  const char *name;
  const char *instance_type;
  guint       max_instances;
  gboolean    spot;
} BenchResource;

typedef struct
{
  const char      *name;
  ScalerSimArrival arrival;
  double           tasks_per_hour;
  double           burst_size;
  double           duration_min;
  double           spread;
  double           days;
  double           interruptions_per_hour;  /* spot instances */
  BenchResource    resources[MAX_RESOURCES]; /* one queue, in this order */
} Workload;

static const Workload workloads[] = {
  { "steady",      SCALER_SIM_ARRIVAL_STEADY,  20.0,  1, 15.0,  0.5,  2, 0,
    { { "pool", "m5.large", 20, FALSE } } },
  { "bursty",      SCALER_SIM_ARRIVAL_BURSTY,  16.0, 25, 10.0,  0.5,  2, 0,
    { { "pool", "m5.large", 20, FALSE } } },
  { "daily",       SCALER_SIM_ARRIVAL_DAILY,   20.0,  1, 20.0,  0.5,  3, 0,
    { { "pool", "m5.large", 30, FALSE } } },
  { "long-gpu",    SCALER_SIM_ARRIVAL_STEADY,   1.5,  1, 240.0, 0.25, 3, 0,
    { { "pool", "g4dn.xlarge", 12, FALSE } } },
  { "many-short",  SCALER_SIM_ARRIVAL_STEADY, 150.0,  1,  1.0,  0.5,  2, 0,
    { { "pool", "m5.large", 20, FALSE } } },
  /* Two resources on one queue: the cheaper one first, with a low cap, so
   * that demand spills over to the second (auto_scaler.py:284-294). */
  { "two-pools",   SCALER_SIM_ARRIVAL_DAILY,   24.0,  1, 20.0,  0.5,  3, 0,
    { { "small", "m5.large", 6, FALSE }, { "large", "m5.xlarge", 20, FALSE } } },
  { "two-pools-bursty", SCALER_SIM_ARRIVAL_BURSTY, 12.0, 12, 15.0, 0.5, 2, 0,
    { { "small", "m5.large", 6, FALSE }, { "large", "m5.xlarge", 16, FALSE } } },
  /* Spot, no on-demand fallback (ClearML has none): an interruption every
   * 20 instance-hours on average; the task it ran is lost, in both. */
  { "spot",        SCALER_SIM_ARRIVAL_STEADY,  12.0,  1, 30.0,  0.5,  2, 0.05,
    { { "spot", "m5.xlarge", 20, TRUE } } },
};

/* Boot to running in 2 minutes; the agent registers 3 to 5 minutes later
 * (apt, a virtualenv and pip install clearml-agent first: our bootstrap and
 * ClearML's cloud_driver.py user-data alike). */
#define BOOT_MIN          2.0
#define REGISTER_MIN_MIN  3.0
#define REGISTER_MAX_MIN  5.0
#define SHUTDOWN_MIN      0.5
/* A dead agent's worker stays listed until its registration TTL runs out:
 * 600 s after its last report (clearml-server apiserver/config/default/
 * services/workers.conf default_worker_timeout_sec, bll/workers/__init__.py:75,
 * :412-417; clearml/clearml#1201). */
#define ZOMBIE_MIN        10.0
/* --zombie-min: clearml-agent unregisters itself when it gets SIGTERM
 * (clearml_agent/commands/worker.py:713-720, :1933-1934), so a graceful
 * shutdown may leave no zombie; clearml/clearml#1201 shows that they do
 * stay in practice. 0 shows the model without them. */
static double zombie_min = ZOMBIE_MIN;
/* --trace: print every line our cycles log, with the simulated time. */
static gboolean trace = FALSE;
/* Spot price as a share of the on-demand price. */
#define SPOT_SHARE        0.3
#define OUR_POLLING_MIN      1.0
#define CLEARML_POLLING_MIN  5.0   /* auto_scaler.py:59 */

typedef struct
{
  double cost;
  double lower_bound;
  double wait_mean;
  double wait_p95;
  guint  launches;
  guint  peak;
  guint  tasks;
  guint  lost;
  guint  busy_kills;
  gboolean drained;
  /* --breakdown: dollars by what the instance was doing. */
  double boot_usd;        /* pending, then running until its worker registers */
  double busy_usd;        /* its worker runs a task */
  double idle_reused_usd; /* idle, then took another task */
  double idle_tail_usd;   /* idle, then terminated (the scale-down tail) */
  double shutdown_usd;    /* shutting-down (billed until terminated) */
  guint  tails;           /* idle periods that ended in a termination */
  guint  reuses;          /* idle periods that ended in a task */
  guint  idle_first;      /* launches whose worker found no task when it registered */
} Outcome;

static double
resource_price (const BenchResource *resource)
{
  double price = 0;

  scaler_price_table_default_price (resource->instance_type, "us-east-1", &price, NULL);
  return resource->spot ? price * SPOT_SHARE : price;
}

static const BenchResource *
find_resource (const Workload *w,
               const char     *name)
{
  for (guint r = 0; r < MAX_RESOURCES && w->resources[r].name != NULL; r++)
    if (g_strcmp0 (w->resources[r].name, name) == 0)
      return &w->resources[r];
  return NULL;
}

/* ---- --breakdown: a probe that samples the simulator at every tick ---- */

/* The simulator's agents tick every 5 s; the probe steps the clock tick by
 * tick (the same ticks advance_to would run) and reads the fleet and the
 * workers through the public seams after each one. */
#define PROBE_TICK (5 * G_USEC_PER_SEC)

typedef struct
{
  gint64   idle_usec;     /* current idle period */
  double   price;         /* USD per hour */
  gboolean registered;    /* its worker showed up */
} ProbeInstance;

typedef struct
{
  gboolean        enabled;
  const char     *config_id;
  const Workload *workload;
  GHashTable     *instances;  /* instance id -> ProbeInstance* */
  Outcome        *out;
} Probe;

static void
probe_init (Probe              *probe,
            gboolean            enabled,
            const ScalerConfig *config,
            const Workload     *w,
            Outcome            *out)
{
  memset (probe, 0, sizeof *probe);
  probe->enabled = enabled;
  probe->config_id = config->id;
  probe->workload = w;
  probe->instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  probe->out = out;
}

static void
probe_clear (Probe *probe)
{
  g_clear_pointer (&probe->instances, g_hash_table_unref);
}

static GHashTable *
probe_workers_by_instance (GPtrArray *workers)
{
  GHashTable *worker_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (workers, i);
      char *id = NULL;

      if (scaler_worker_id_parse (worker->id, NULL, NULL, NULL, &id))
        g_hash_table_insert (worker_of, id, worker);
      else
        g_free (id);
    }
  return worker_of;
}

static ProbeInstance *
probe_track (Probe                *probe,
             const ScalerInstance *instance)
{
  ProbeInstance *track = g_hash_table_lookup (probe->instances, instance->instance_id);

  if (track == NULL)
    {
      const BenchResource *resource = find_resource (probe->workload, instance->resource);

      track = g_new0 (ProbeInstance, 1);
      track->price = resource ? resource_price (resource) : 0;
      g_hash_table_insert (probe->instances, g_strdup (instance->instance_id), track);
    }
  return track;
}

static void
probe_sample (Probe     *probe,
              ScalerSim *sim,
              gint64     dt)
{
  g_autoptr(GPtrArray) instances = scaler_cloud_list_instances (SCALER_CLOUD (sim), probe->config_id, NULL, NULL);
  g_autoptr(GPtrArray) workers = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (sim), "bench", NULL, NULL);
  g_autoptr(GHashTable) worker_of = probe_workers_by_instance (workers);
  Outcome *out = probe->out;
  double hours = (double) dt / HOUR_USEC;

  for (guint i = 0; i < instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (instances, i);
      ProbeInstance *track = probe_track (probe, instance);
      ScalerWorker *worker = g_hash_table_lookup (worker_of, instance->instance_id);
      double usd = hours * track->price;

      if (!scaler_instance_state_is_live (instance->state))
        {
          if (track->idle_usec > 0)
            {
              out->idle_tail_usd += (double) track->idle_usec / HOUR_USEC * track->price;
              out->tails++;
              track->idle_usec = 0;
            }
          out->shutdown_usd += usd;
          continue;
        }
      if (worker == NULL || instance->state == SCALER_INSTANCE_STATE_PENDING)
        {
          out->boot_usd += usd;
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
              out->idle_reused_usd += (double) track->idle_usec / HOUR_USEC * track->price;
              out->reuses++;
              track->idle_usec = 0;
            }
          out->busy_usd += usd;
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

/* ---- the world: config, simulator, outcome ---- */

static ScalerConfig *
make_config (const Workload  *w,
             double           polling_min,
             ScalerIdlePolicy idle_policy)
{
  ScalerConfig *config = scaler_config_new ();

  g_free (config->name);
  config->name = g_strdup (w->name);
  g_free (config->workers_prefix);
  config->workers_prefix = g_strdup ("bench");
  config->polling_interval_time_min = polling_min;
  config->max_idle_time_min = 15;     /* auto_scaler.py:58 */
  config->max_spin_up_time_min = 30;  /* auto_scaler.py:60 */
  config->idle_policy = idle_policy;
  for (guint r = 0; r < MAX_RESOURCES && w->resources[r].name != NULL; r++)
    {
      const BenchResource *spec = &w->resources[r];
      ScalerResource *resource = scaler_resource_new ();

      g_free (resource->name);
      resource->name = g_strdup (spec->name);
      g_free (resource->queue);
      resource->queue = g_strdup ("jobs");
      g_free (resource->instance_type);
      resource->instance_type = g_strdup (spec->instance_type);
      resource->max_instances = spec->max_instances;
      resource->is_spot = spec->spot;
      resource->spot_fallback_on_demand = FALSE;
      g_strfreev (resource->availability_zones);
      resource->availability_zones = g_strsplit ("us-east-1a", ",", -1);
      g_ptr_array_add (config->resources, resource);
    }
  return config;
}

static ScalerSim *
make_sim (const Workload *w,
          guint32         seed)
{
  ScalerSim *sim = scaler_sim_new (seed, START);
  ScalerSimWorkload workload = { "jobs", w->arrival, w->tasks_per_hour, w->burst_size,
                                 w->duration_min, w->spread };

  scaler_sim_set_delays (sim, BOOT_MIN, REGISTER_MIN_MIN, SHUTDOWN_MIN);
  scaler_sim_set_register_delay_range (sim, REGISTER_MIN_MIN, REGISTER_MAX_MIN);
  scaler_sim_set_zombie_linger (sim, zombie_min);
  scaler_sim_set_spot_interruption_rate (sim, w->interruptions_per_hour);
  for (guint r = 0; r < MAX_RESOURCES && w->resources[r].name != NULL; r++)
    if (w->resources[r].spot)
      for (char zone = 'a'; zone <= 'c'; zone++)
        {
          g_autofree char *name = g_strdup_printf ("us-east-1%c", zone);

          scaler_sim_set_spot_price (sim, w->resources[r].instance_type, name,
                                     resource_price (&w->resources[r]));
        }
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

/* The lower bound: every task-minute at the cheapest price of the queue's
 * resources, no boot, no idle time. */
static double
lower_bound (const Workload *w,
             double          task_minutes)
{
  double cheapest = G_MAXDOUBLE;

  for (guint r = 0; r < MAX_RESOURCES && w->resources[r].name != NULL; r++)
    cheapest = MIN (cheapest, resource_price (&w->resources[r]));
  return task_minutes / 60.0 * cheapest;
}

static void
finish (ScalerSim      *sim,
        const Workload *w,
        Outcome        *out)
{
  ScalerSimStats stats;

  scaler_sim_get_stats (sim, &stats);
  out->drained = drained (sim);
  out->cost = stats.cost_usd;
  out->lower_bound = lower_bound (w, stats.task_minutes);
  out->wait_mean = stats.wait_mean_min;
  out->wait_p95 = stats.wait_p95_min;
  out->launches = stats.launches;
  out->peak = stats.peak_instances;
  out->tasks = stats.tasks_arrived;
  out->lost = stats.tasks_lost;
  out->busy_kills = stats.busy_terminations;
}

/* The arrivals stop after the workload's days; then each policy runs until
 * everything is drained (or 12 more hours). */
static gboolean
keep_running (ScalerSim      *sim,
              const Workload *w,
              gboolean       *arrivals)
{
  gint64 end = START + (gint64) (w->days * 24 * HOUR_USEC);
  gint64 now = scaler_sim_get_time (sim);

  if (*arrivals && now >= end)
    {
      scaler_sim_clear_workloads (sim);
      *arrivals = FALSE;
    }
  return (*arrivals || !drained (sim)) && now <= end + 12 * HOUR_USEC;
}

/* ---- ours: the real cycle on the simulator ---- */

/* --trace: every line the cycle logged (DEBUG included), at its simulated
 * minute. */
static void
print_trace (const Workload    *w,
             guint32            seed,
             ScalerCycleResult *result)
{
  for (guint i = 0; i < result->log_lines->len; i++)
    {
      ScalerLogLine *line = g_ptr_array_index (result->log_lines, i);

      printf ("trace %s seed %u t=%.2f min: %s\n", w->name, seed, (double) (line->time - START) / MIN_USEC,
              line->text);
    }
}

static void
run_ours (const Workload  *w,
          guint32          seed,
          double           polling_min,
          ScalerIdlePolicy idle_policy,
          gboolean         breakdown,
          Outcome         *out)
{
  g_autoptr(ScalerConfig) config = make_config (w, polling_min, idle_policy);
  g_autoptr(ScalerSim) sim = make_sim (w, seed);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (config->id);
  ScalerCycleContext ctx = { 0 };
  gboolean arrivals = TRUE;
  gint64 t = START;
  Probe probe;

  probe_init (&probe, breakdown, config, w, out);
  ctx.config = config;
  ctx.cloud = SCALER_CLOUD (sim);
  ctx.queues = SCALER_QUEUE_SOURCE (sim);
  ctx.ledger = ledger;
  ctx.now_func = scaler_sim_now;
  ctx.now_data = sim;

  for (;;)
    {
      g_autoptr(ScalerCycleResult) result = NULL;

      probe_advance_to (&probe, sim, t);
      if (!keep_running (sim, w, &arrivals))
        break;
      ctx.cycle++;
      result = scaler_cycle_run (&ctx, NULL);
      if (trace)
        print_trace (w, seed, result);
      t += result->next_cycle_delay;
    }
  finish (sim, w, out);
  probe_clear (&probe);
}

/* ---- the ClearML OSS model: allegroai/clearml 39e206f9
 * clearml/automation/auto_scaler.py, AutoScaler.supervisor() ---- */

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

static Entry *
entry_new (const char *resource,
           gint64      time)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->resource = g_strdup (resource);
  entry->time = time;
  return entry;
}

typedef struct
{
  const Workload *w;
  ScalerConfig   *config;
  ScalerSim      *sim;
  Probe          *probe;
  GHashTable     *spun;      /* spun_workers: worker id -> Entry (resource, spin time) */
  GHashTable     *previous;  /* previous_workers: ids matched to a launch, never pruned */
  GHashTable     *idle;      /* idle_workers: worker id -> Entry (resource, idle timestamp) */
  gint64          max_idle;
  gint64          spin_up;
  guint           token;
} Clearml;

/* WorkerId(worker.id).name, the second segment (auto_scaler.py:22-46). */
static char *
worker_resource (const char *worker_id)
{
  char *name = NULL;

  scaler_worker_id_parse (worker_id, NULL, &name, NULL, NULL);
  return name;
}

static char *
worker_cloud_id (const char *worker_id)
{
  char *id = NULL;

  scaler_worker_id_parse (worker_id, NULL, NULL, NULL, &id);
  return id;
}

/* :232-240: a worker seen for the first time leaves spun_workers. */
static void
clearml_match (Clearml   *cm,
               GPtrArray *workers)
{
  for (guint i = 0; i < workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (workers, i);

      if (!g_hash_table_contains (cm->previous, worker->id) && g_hash_table_remove (cm->spun, worker->id))
        g_hash_table_add (cm->previous, g_strdup (worker->id));
    }
}

/* :242-253 (stale_workers :180-185): launches with no worker after
 * max_spin_up_time_min, counted from the end of the blocking launch. */
static void
clearml_stale (Clearml *cm,
               gint64   now)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, cm->spun);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (now - ((Entry *) value)->time > cm->spin_up)
      {
        g_autofree char *id = worker_cloud_id (key);
        const char *ids[] = { id, NULL };

        scaler_cloud_terminate (SCALER_CLOUD (cm->sim), ids, NULL, NULL);
        g_hash_table_iter_remove (&iter);
      }
}

/* :350-363, worker_last_time :437-445: the idle timestamp is the worker's
 * latest register/report time when first seen idle, never refreshed while
 * it stays idle; the table is cleared when no worker is listed, and workers
 * that vanish from the listing stay in it. Zombies (listed, instance dead)
 * come back into it with the time of their last report. */
static void
clearml_update_idle (Clearml   *cm,
                     GPtrArray *workers,
                     gint64     now)
{
  if (workers->len == 0)
    {
      g_hash_table_remove_all (cm->idle);
      return;
    }
  for (guint i = 0; i < workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (workers, i);

      if (worker->task_id == NULL && !g_hash_table_contains (cm->idle, worker->id))
        {
          g_autofree char *resource = worker_resource (worker->id);
          gint64 time = MAX (worker->register_time, worker->last_activity_time);

          g_hash_table_insert (cm->idle, g_strdup (worker->id), entry_new (resource, time ? time : now));
        }
      else if (worker->task_id != NULL)
        g_hash_table_remove (cm->idle, worker->id);
    }
}

/* :268-279: idle and spun entries of the queue's resources count as free;
 * their resource names are kept from idle scale-down (required). */
static guint
clearml_free (Clearml   *cm,
              GPtrArray *required)
{
  GHashTable *tables[] = { cm->idle, cm->spun };
  guint free_count = 0;

  for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, tables[k]);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          const BenchResource *resource = find_resource (cm->w, ((Entry *) value)->resource);

          if (resource != NULL)
            {
              g_ptr_array_add (required, (gpointer) resource->name);
              free_count++;
            }
        }
    }
  return free_count;
}

/* :259-295, for the one queue: need = entries - free; each resource in
 * listed order adds min(need, allowed) (the overshoot: not what is still
 * missing), allowed = max - its listed workers (zombies too) - its spun. */
static void
clearml_demand (Clearml   *cm,
                GPtrArray *workers,
                GPtrArray *required,
                GPtrArray *allocations)
{
  const char *queues[] = { "jobs", NULL };
  guint entries[1] = { 0 };
  gint64 spin_up_count;

  scaler_queue_source_get_pending (SCALER_QUEUE_SOURCE (cm->sim), queues, entries, NULL, NULL);
  if (entries[0] == 0)
    return;
  spin_up_count = (gint64) entries[0] - clearml_free (cm, required);
  for (guint r = 0; r < cm->config->resources->len; r++)
    {
      ScalerResource *resource = g_ptr_array_index (cm->config->resources, r);
      gint64 running = 0, spun = 0, allowed;
      GHashTableIter iter;
      gpointer value;

      if ((gint64) allocations->len >= spin_up_count)
        break;
      for (guint i = 0; i < workers->len; i++)
        {
          g_autofree char *name = worker_resource (((ScalerWorker *) g_ptr_array_index (workers, i))->id);

          running += g_strcmp0 (name, resource->name) == 0;
        }
      g_hash_table_iter_init (&iter, cm->spun);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        spun += g_strcmp0 (((Entry *) value)->resource, resource->name) == 0;
      allowed = (gint64) resource->max_instances - running - spun;
      for (gint64 k = 0; k < MIN (spin_up_count, allowed); k++)
        g_ptr_array_add (allocations, resource);
    }
}

static gboolean
clearml_is_running (Clearml    *cm,
                    const char *instance_id)
{
  g_autoptr(GPtrArray) list = scaler_cloud_list_instances (SCALER_CLOUD (cm->sim), cm->config->id, NULL, NULL);

  for (guint k = 0; k < list->len; k++)
    {
      ScalerInstance *other = g_ptr_array_index (list, k);

      if (g_strcmp0 (other->instance_id, instance_id) == 0)
        return other->state == SCALER_INSTANCE_STATE_RUNNING;
    }
  return FALSE;
}

/* :298-323 and aws_driver.py spin_up_worker: one launch at a time, each
 * blocking. On-demand: RunInstances, then Instance.wait_until_running()
 * (botocore's instance_running waiter: 15 s x 40). Spot:
 * RequestSpotInstances and the spot_instance_request_fulfilled waiter
 * (15 s x 40; fulfilled at its second look here), then the same wait. A
 * waiter that gives up raises: the instance is never recorded (:322-323).
 * The spin time is taken after the wait (:320). */
static void
clearml_spin_up (Clearml              *cm,
                 const ScalerResource *resource)
{
  ScalerLaunchSpec spec = { 0 };
  g_autofree char *client_token = g_strdup_printf ("clearml-%u", ++cm->token);
  g_autoptr(ScalerInstance) instance = NULL;
  gboolean running = FALSE;

  spec.config = cm->config;
  spec.resource = resource;
  spec.availability_zone = "us-east-1a";
  spec.spot = resource->is_spot;
  spec.client_token = client_token;
  instance = scaler_cloud_launch (SCALER_CLOUD (cm->sim), &spec, NULL, NULL);
  if (instance == NULL)
    return;
  if (resource->is_spot)
    probe_advance (cm->probe, cm->sim, 15 * G_USEC_PER_SEC);
  for (guint attempt = 0; attempt < 40 && !running; attempt++)
    {
      probe_advance (cm->probe, cm->sim, 15 * G_USEC_PER_SEC);
      running = clearml_is_running (cm, instance->instance_id);
    }
  if (running)
    g_hash_table_insert (cm->spun,
                         scaler_worker_id_build ("bench", resource->name, resource->instance_type,
                                                 instance->instance_id),
                         entry_new (resource->name, scaler_sim_get_time (cm->sim)));
}

static gboolean
contains_string (GPtrArray  *list,
                 const char *text)
{
  for (guint i = 0; i < list->len; i++)
    if (g_strcmp0 (g_ptr_array_index (list, i), text) == 0)
      return TRUE;
  return FALSE;
}

/* :325-341: idle past max_idle_time_min (timestamp taken now, after the
 * launches) and its resource not required: re-check (is_worker_still_idle
 * :198-203, a worker no longer listed counts as idle), terminate, forget. */
static void
clearml_scale_down (Clearml   *cm,
                    GPtrArray *required)
{
  gint64 now = scaler_sim_get_time (cm->sim);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, cm->idle);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;
      g_autoptr(GPtrArray) fresh = NULL;
      gboolean busy = FALSE;

      if (contains_string (required, entry->resource) || now - entry->time <= cm->max_idle)
        continue;
      fresh = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (cm->sim), "bench", NULL, NULL);
      for (guint k = 0; k < fresh->len; k++)
        {
          ScalerWorker *worker = g_ptr_array_index (fresh, k);

          if (g_strcmp0 (worker->id, key) == 0 && worker->task_id != NULL)
            busy = TRUE;
        }
      if (!busy)
        {
          g_autofree char *id = worker_cloud_id (key);
          const char *ids[] = { id, NULL };

          /* Terminating an instance that is already gone succeeds on EC2
           * while it is still described, and in the simulator. */
          scaler_cloud_terminate (SCALER_CLOUD (cm->sim), ids, NULL, NULL);
          g_hash_table_iter_remove (&iter);
        }
    }
}

/* One pass of the loop (:228-348); workers_prefix "bench" (get_workers
 * :169-178 keeps only our prefix). */
static void
clearml_iteration (Clearml *cm)
{
  g_autoptr(GPtrArray) workers = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (cm->sim), "bench", NULL, NULL);
  g_autoptr(GPtrArray) required = g_ptr_array_new ();
  g_autoptr(GPtrArray) allocations = g_ptr_array_new ();
  gint64 now = scaler_sim_get_time (cm->sim);

  clearml_match (cm, workers);
  clearml_stale (cm, now);
  clearml_update_idle (cm, workers, now);
  clearml_demand (cm, workers, required, allocations);
  for (guint i = 0; i < allocations->len; i++)
    clearml_spin_up (cm, g_ptr_array_index (allocations, i));
  clearml_scale_down (cm, required);
}

static void
run_clearml (const Workload *w,
             guint32         seed,
             double          polling_min,
             gboolean        breakdown,
             Outcome        *out)
{
  g_autoptr(ScalerConfig) config = make_config (w, polling_min, SCALER_IDLE_POLICY_FIXED);
  g_autoptr(ScalerSim) sim = make_sim (w, seed);
  g_autoptr(GHashTable) spun = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  g_autoptr(GHashTable) previous = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) idle = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  gboolean arrivals = TRUE;
  Probe probe;
  Clearml cm = { 0 };

  probe_init (&probe, breakdown, config, w, out);
  cm.w = w;
  cm.config = config;
  cm.sim = sim;
  cm.probe = &probe;
  cm.spun = spun;
  cm.previous = previous;
  cm.idle = idle;
  cm.max_idle = (gint64) (config->max_idle_time_min * MIN_USEC);
  cm.spin_up = (gint64) (config->max_spin_up_time_min * MIN_USEC);

  while (keep_running (sim, w, &arrivals))
    {
      clearml_iteration (&cm);
      /* :347-348: the sleep comes after the work. */
      probe_advance (&probe, sim, (gint64) (polling_min * MIN_USEC));
    }
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

/* ---- statistics over the seeds ---- */

enum { OURS_SAME, CLEARML_SAME, OURS_DEFAULT, CLEARML_DEFAULT, N_RUNS };

typedef struct
{
  Outcome runs[MAX_SEEDS][N_RUNS];
  guint32 seeds[MAX_SEEDS];
  guint   n;
} Results;

typedef double (*Metric) (const Outcome *run, const Outcome *other);

static double m_p95 (const Outcome *o, const Outcome *x) { return o->wait_p95; }
static double m_wait (const Outcome *o, const Outcome *x) { return o->wait_mean; }
static double m_launches (const Outcome *o, const Outcome *x) { return o->launches; }
static double m_bound (const Outcome *o, const Outcome *x) { return o->cost / MAX (o->lower_bound, 1e-9); }
static double m_ratio (const Outcome *o, const Outcome *x) { return o->cost / MAX (x->cost, 1e-9); }

typedef struct
{
  double mean, min, max;
} Spread;

static Spread
spread_of (const Results *res,
           guint          run,
           guint          other,
           Metric         metric)
{
  Spread s = { 0, G_MAXDOUBLE, -G_MAXDOUBLE };

  for (guint k = 0; k < res->n; k++)
    {
      double v = metric (&res->runs[k][run], &res->runs[k][other]);

      s.mean += v / res->n;
      s.min = MIN (s.min, v);
      s.max = MAX (s.max, v);
    }
  return s;
}

static void
print_spread (Spread s,
              int    decimals)
{
  printf (" %.*f (%.*f–%.*f) |", decimals, s.mean, decimals, s.min, decimals, s.max);
}

static void
print_table (const char *title,
             Results    *all,
             guint       n_workloads,
             const guint *index,
             guint       ours,
             guint       theirs)
{
  printf ("\n%s\n\n", title);
  printf ("| workload | ours / ClearML cost | p95 wait ours | p95 wait ClearML | mean wait ours | mean wait ClearML "
          "| ours / lower bound | ClearML / lower bound | launches ours | launches ClearML |\n");
  printf ("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (guint i = 0; i < n_workloads; i++)
    {
      Results *res = &all[i];

      printf ("| %s (%u tasks) |", workloads[index[i]].name, res->runs[0][ours].tasks);
      print_spread (spread_of (res, ours, theirs, m_ratio), 2);
      print_spread (spread_of (res, ours, theirs, m_p95), 1);
      print_spread (spread_of (res, theirs, ours, m_p95), 1);
      print_spread (spread_of (res, ours, theirs, m_wait), 1);
      print_spread (spread_of (res, theirs, ours, m_wait), 1);
      print_spread (spread_of (res, ours, theirs, m_bound), 2);
      print_spread (spread_of (res, theirs, ours, m_bound), 2);
      print_spread (spread_of (res, ours, theirs, m_launches), 0);
      print_spread (spread_of (res, theirs, ours, m_launches), 0);
      printf ("\n");
    }
  printf ("\nMean over the seeds, (min–max) over the seeds; waits in minutes.\n");
}

/* Seeds on which our 95th-percentile wait is longer than the model's at
 * the same polling interval: one line per workload, when any. */
static void
print_longer_waits (const Results *res,
                    const char    *name)
{
  g_autoptr(GString) seeds = g_string_new (NULL);

  for (guint k = 0; k < res->n; k++)
    if (res->runs[k][OURS_SAME].wait_p95 > res->runs[k][CLEARML_SAME].wait_p95)
      g_string_append_printf (seeds, " %u (%.2f against %.2f min)", res->seeds[k], res->runs[k][OURS_SAME].wait_p95,
                              res->runs[k][CLEARML_SAME].wait_p95);
  if (seeds->len > 0)
    printf ("note: %s: our 95th-percentile wait is longer than the ClearML model's (same polling) with seed(s)%s\n",
            name, seeds->str);
}

/* Lost tasks (spot interruptions), runs that did not drain, busy workers
 * terminated: one line per workload and run kind, when any. */
static void
print_notes (Results     *all,
             guint        n_workloads,
             const guint *index,
             gboolean     ours_default_is_same)
{
  static const char * const names[N_RUNS] = { "ours", "ClearML (same polling)", "ours (default)",
                                              "ClearML (default)" };

  for (guint i = 0; i < n_workloads; i++)
    for (guint r = 0; r < N_RUNS; r++)
      {
        double lost = 0;
        guint undrained = 0, kills = 0;

        if (r == OURS_DEFAULT && ours_default_is_same)
          continue;
        for (guint k = 0; k < all[i].n; k++)
          {
            const Outcome *o = &all[i].runs[k][r];

            lost += (double) o->lost / all[i].n;
            undrained += !o->drained;
            kills += o->busy_kills;
          }
        if (lost > 0 || undrained > 0 || kills > 0)
          printf ("note: %s, %s: %.1f tasks lost (mean; their instance was interrupted), %u run(s) not drained, "
                  "%u busy worker(s) terminated\n",
                  workloads[index[i]].name, names[r], lost, undrained, kills);
      }
  for (guint i = 0; i < n_workloads; i++)
    print_longer_waits (&all[i], workloads[index[i]].name);
}

static void
print_breakdown (Results     *all,
                 guint        n_workloads,
                 const guint *index)
{
  static const char * const names[N_RUNS] = { "ours", "ClearML, same polling", NULL, "ClearML, default polling" };

  printf ("\nWhere the cost goes, as multiples of the lower bound (instance time sampled every 5 s, priced; "
          "means over the seeds):\n\n");
  printf ("| workload | policy | busy | boot | idle, reused | idle tail | shutting down | sum | idle periods reused "
          "| tails | launches | launches that found no task |\n");
  printf ("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (guint i = 0; i < n_workloads; i++)
    for (guint r = 0; r < N_RUNS; r++)
      {
        double part[6] = { 0 }, counts[4] = { 0 };
        Results *res = &all[i];

        if (names[r] == NULL)
          continue;
        for (guint k = 0; k < res->n; k++)
          {
            const Outcome *o = &res->runs[k][r];
            double lb = MAX (o->lower_bound, 1e-9);

            part[0] += o->busy_usd / lb / res->n;
            part[1] += o->boot_usd / lb / res->n;
            part[2] += o->idle_reused_usd / lb / res->n;
            part[3] += o->idle_tail_usd / lb / res->n;
            part[4] += o->shutdown_usd / lb / res->n;
            counts[0] += (double) o->reuses / res->n;
            counts[1] += (double) o->tails / res->n;
            counts[2] += (double) o->launches / res->n;
            counts[3] += (double) o->idle_first / res->n;
          }
        part[5] = part[0] + part[1] + part[2] + part[3] + part[4];
        printf ("| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f | %.0f |\n",
                r == 0 ? workloads[index[i]].name : "", names[r], part[0], part[1], part[2], part[3], part[4],
                part[5], counts[0], counts[1], counts[2], counts[3]);
      }
}

static void
print_summary (Results     *all,
               guint        n_workloads,
               const guint *index)
{
  for (guint i = 0; i < n_workloads; i++)
    {
      Results *res = &all[i];

      printf ("summary %s same_polling_cost_ratio=%.3f same_polling_p95_ours=%.2f same_polling_p95_clearml=%.2f "
              "default_cost_ratio=%.3f default_p95_ours=%.2f default_p95_clearml=%.2f lower_bound_ratio=%.3f\n",
              workloads[index[i]].name,
              spread_of (res, OURS_SAME, CLEARML_SAME, m_ratio).mean,
              spread_of (res, OURS_SAME, CLEARML_SAME, m_p95).mean,
              spread_of (res, CLEARML_SAME, OURS_SAME, m_p95).mean,
              spread_of (res, OURS_DEFAULT, CLEARML_DEFAULT, m_ratio).mean,
              spread_of (res, OURS_DEFAULT, CLEARML_DEFAULT, m_p95).mean,
              spread_of (res, CLEARML_DEFAULT, OURS_DEFAULT, m_p95).mean,
              spread_of (res, OURS_DEFAULT, OURS_DEFAULT, m_bound).mean);
    }
}

static void
print_per_seed (Results     *all,
                guint        n_workloads,
                const guint *index,
                const guint32 (*seeds)[MAX_SEEDS])
{
  static const char * const names[N_RUNS] = { "ours", "ClearML same", "ours default", "ClearML default" };

  printf ("\n| workload | seed | policy | cost $ | cost / lower bound | mean wait | p95 wait | launches | peak |\n");
  printf ("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (guint i = 0; i < n_workloads; i++)
    for (guint k = 0; k < all[i].n; k++)
      for (guint r = 0; r < N_RUNS; r++)
        {
          const Outcome *o = &all[i].runs[k][r];

          printf ("| %s | %u | %s | %.2f | %.3f | %.2f | %.2f | %u | %u |\n", workloads[index[i]].name,
                  seeds[i][k], names[r], o->cost, o->cost / MAX (o->lower_bound, 1e-9), o->wait_mean,
                  o->wait_p95, o->launches, o->peak);
        }
}

/* ---- main ---- */

typedef struct
{
  gint      seed;
  gint      n_seeds;
  double    polling;
  char     *idle_policy;
  char     *workload;
  gboolean  breakdown;
  gboolean  per_seed;
  gboolean  summary;
} Options;

static gboolean
parse_options (int       *argc,
               char    ***argv,
               Options   *opt)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- policy benchmark");
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_INT, &opt->seed, "First simulator seed (default 42)", "N" },
    { "seeds", 0, 0, G_OPTION_ARG_INT, &opt->n_seeds, "Number of seeds (default 5)", "N" },
    { "polling", 0, 0, G_OPTION_ARG_DOUBLE, &opt->polling,
      "The polling interval both use in the same-polling runs (default 1)", "MIN" },
    { "idle-policy", 0, 0, G_OPTION_ARG_STRING, &opt->idle_policy,
      "Our idle_policy: adaptive (default) or fixed", "POLICY" },
    { "workload", 0, 0, G_OPTION_ARG_STRING, &opt->workload, "Run only this workload", "NAME" },
    { "zombie-min", 0, 0, G_OPTION_ARG_DOUBLE, &zombie_min,
      "How long a dead agent's worker stays listed (default 10; 0: never)", "MIN" },
    { "breakdown", 0, 0, G_OPTION_ARG_NONE, &opt->breakdown,
      "Also print where the cost goes (boot, busy, idle reused, idle tail, shutdown)", NULL },
    { "trace", 0, 0, G_OPTION_ARG_NONE, &trace, "Also print every line our cycles log (long)", NULL },
    { "per-seed", 0, 0, G_OPTION_ARG_NONE, &opt->per_seed, "Also print every run", NULL },
    { "summary", 0, 0, G_OPTION_ARG_NONE, &opt->summary, "Print only the summary lines", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  if (opt->n_seeds < 1 || opt->n_seeds > MAX_SEEDS || !(opt->polling > 0))
    {
      g_printerr ("--seeds must be 1 to %d and --polling positive\n", MAX_SEEDS);
      return FALSE;
    }
  return TRUE;
}

/* Every seed of one workload: ours and the model at the same polling
 * interval, the model at its default, ours at its default if that differs.
 * Returns the number of simulated runs. */
static guint
run_workload (const Options   *opt,
              ScalerIdlePolicy idle_policy,
              guint            w_index,
              Results         *res,
              guint32         *seeds)
{
  const Workload *w = &workloads[w_index];
  guint n_runs = 0;

  res->n = opt->n_seeds;
  for (guint k = 0; k < (guint) opt->n_seeds; k++)
    {
      Outcome *runs = res->runs[k];
      guint32 seed = (guint32) opt->seed + 1000 * k + w_index;

      seeds[k] = seed;
      res->seeds[k] = seed;
      run_ours (w, seed, opt->polling, idle_policy, opt->breakdown, &runs[OURS_SAME]);
      run_clearml (w, seed, opt->polling, opt->breakdown, &runs[CLEARML_SAME]);
      run_clearml (w, seed, CLEARML_POLLING_MIN, opt->breakdown, &runs[CLEARML_DEFAULT]);
      n_runs += 3;
      if (opt->polling != OUR_POLLING_MIN)
        {
          run_ours (w, seed, OUR_POLLING_MIN, idle_policy, opt->breakdown, &runs[OURS_DEFAULT]);
          n_runs++;
        }
      else
        runs[OURS_DEFAULT] = runs[OURS_SAME];
    }
  return n_runs;
}

int
main (int   argc,
      char *argv[])
{
  Options opt = { 42, 5, OUR_POLLING_MIN, NULL, NULL, FALSE, FALSE, FALSE };
  ScalerIdlePolicy idle_policy = SCALER_IDLE_POLICY_ADAPTIVE;
  g_autofree Results *all = g_new0 (Results, G_N_ELEMENTS (workloads));
  guint32 seeds[G_N_ELEMENTS (workloads)][MAX_SEEDS];
  guint index[G_N_ELEMENTS (workloads)];
  guint n_workloads = 0;
  gint64 t0 = g_get_monotonic_time ();
  guint n_runs = 0;

  if (!parse_options (&argc, &argv, &opt))
    return 2;
  if (opt.idle_policy != NULL && !scaler_idle_policy_from_string (opt.idle_policy, &idle_policy))
    {
      g_printerr ("--idle-policy must be adaptive or fixed\n");
      return 2;
    }
  for (guint i = 0; i < G_N_ELEMENTS (workloads); i++)
    if (opt.workload == NULL || g_strcmp0 (opt.workload, workloads[i].name) == 0)
      index[n_workloads++] = i;
  if (n_workloads == 0)
    {
      g_printerr ("No workload named %s\n", opt.workload);
      return 2;
    }

  if (!opt.summary)
    {
      printf ("# Policy benchmark: %d seeds from %d; boot %.0f min, the agent registers %.0f-%.0f min later; "
              "zombie workers listed %.0f min; idle 15 min, spin-up 30 min; our idle_policy %s\n",
              opt.n_seeds, opt.seed, BOOT_MIN, REGISTER_MIN_MIN, REGISTER_MAX_MIN, zombie_min,
              scaler_idle_policy_to_string (idle_policy));
      fflush (stdout);
    }

  for (guint i = 0; i < n_workloads; i++)
    n_runs += run_workload (&opt, idle_policy, index[i], &all[i], seeds[i]);

  if (opt.summary)
    {
      print_summary (all, n_workloads, index);
      printf ("# %u runs in %.1f s\n", n_runs, (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC);
      return 0;
    }

  {
    g_autofree char *same = g_strdup_printf ("Same polling interval: both poll every %g min", opt.polling);
    g_autofree char *defaults = g_strdup_printf ("Default polling intervals: ours every %g min, the ClearML "
                                                 "model every %g min", OUR_POLLING_MIN, CLEARML_POLLING_MIN);

    print_table (same, all, n_workloads, index, OURS_SAME, CLEARML_SAME);
    print_table (defaults, all, n_workloads, index, OURS_DEFAULT, CLEARML_DEFAULT);
  }
  print_notes (all, n_workloads, index, opt.polling == OUR_POLLING_MIN);
  if (opt.breakdown)
    print_breakdown (all, n_workloads, index);
  if (opt.per_seed)
    print_per_seed (all, n_workloads, index, (const guint32 (*)[MAX_SEEDS]) seeds);
  printf ("\n");
  print_summary (all, n_workloads, index);
  printf ("\n# %u simulated runs in %.1f s\n", n_runs, (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC);
  printf ("Decision time of scaler_policy_decide, 10,000 instances and 1,000 queues: %.1f ms (best of 5)\n",
          decision_time_ms (10000, 1000));
  return 0;
}
