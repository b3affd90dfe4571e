/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-sim.c: simulated EC2 + ClearML on a virtual clock (see scaler-sim.h). */

#define G_LOG_DOMAIN "scaler-sim"

#include "config.h"

#include <math.h>
#include <string.h>

#include "scaler-aws-error.h"
#include "scaler-error.h"
#include "scaler-policy.h"
#include "scaler-sim.h"
#include "scaler-util.h"

/* The agents poll their queue every 5 s (clearml-agent's minimum). */
#define TICK_USEC (G_GINT64_CONSTANT (5) * G_USEC_PER_SEC)
/* clearml-agent sends workers.status_report every 30 s; each report sets the
 * worker's last_activity_time and renews its registration TTL
 * (clearml-server apiserver/bll/workers/__init__.py:162-197, :412-417). */
#define REPORT_USEC (G_GINT64_CONSTANT (30) * G_USEC_PER_SEC)

typedef struct
{
  guint   id;
  char   *name;
  char   *queue;
  double  duration_min;
  gint64  enqueued;
  gint64  started;
  gint64  done;
  gboolean lost;
} SimTask;

typedef struct _SimWorker SimWorker;

typedef struct
{
  ScalerInstance *instance;       /* owned; state, tags, ... */
  char           *workers_prefix; /* nullable: no agent */
  char           *queue;          /* nullable: no agent */
  gint64          running_since;
  gint64          shutdown_since;
  gint64          terminated_at;
  double          usd_per_hour;
  SimWorker      *worker;         /* nullable */
  gint64          unregistered_at;
  double          register_u;     /* 0..1: where in the registration delay range */
  double          hazard;         /* spot: interruption hazard accumulated while running */
  double          hazard_limit;   /* spot: interrupted when hazard reaches it (Exp(1)) */
} SimInstance;

struct _SimWorker
{
  char        *id;
  char        *queue;
  SimInstance *instance;          /* nullable: free-standing */
  SimTask     *task;              /* nullable */
  gint64       register_time;
  gint64       last_activity;     /* last status report */
  gint64       zombie_until;      /* 0 = alive */
  guint        zombie_task;       /* 0 = none: the task of its last report */
  gboolean     standing_busy;     /* free-standing worker kept busy */
};

typedef struct
{
  char            *queue;
  ScalerSimArrival arrival;
  double           rate;          /* per hour */
  double           burst_size;
  double           duration_min;
  double           spread;
  gint64           next;
} SimWorkload;

typedef struct
{
  char           *zone;
  ScalerSimMarket market;
  gint64          from;
  gint64          until;
} SimOutage;

struct _ScalerSim
{
  GObject     parent_instance;

  GMutex      mutex;
  guint32     seed;
  GRand      *rand;               /* the workloads only: arrivals, durations */
  GRand      *infra_rand;         /* capacity errors */
  gint64      now;
  double      speed;
  gint64      real_base;
  gint64      virtual_base;

  char       *region;
  gint64      boot_delay;
  gint64      register_delay;
  gint64      register_delay_max;
  gint64      shutdown_delay;
  gint64      zombie_linger;
  double      interruption_rate;
  double      capacity_probability;
  guint       throttle_calls;
  guint       queue_failures;
  gboolean    launch_hang;

  GPtrArray  *instances;          /* SimInstance*, creation order */
  GHashTable *by_id;              /* id -> SimInstance* */
  GHashTable *by_token;           /* client token -> SimInstance* */
  GPtrArray  *workers;            /* SimWorker* (registered, incl. zombies) */
  GHashTable *queues;             /* name -> GQueue of SimTask* */
  GPtrArray  *tasks;              /* every SimTask */
  GPtrArray  *workloads;          /* SimWorkload* */
  GPtrArray  *outages;            /* SimOutage* */
  GHashTable *spot_prices;        /* "type|zone" -> double* */
  GHashTable *never_register;     /* resource names */
  guint64     id_counter;
  guint       task_counter;

  ScalerSimStats stats;
};

static void scaler_sim_cloud_iface_init (ScalerCloudInterface *iface);
static void scaler_sim_queue_iface_init (ScalerQueueSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ScalerSim, scaler_sim, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SCALER_TYPE_CLOUD, scaler_sim_cloud_iface_init)
                               G_IMPLEMENT_INTERFACE (SCALER_TYPE_QUEUE_SOURCE, scaler_sim_queue_iface_init))

/* ---- helpers (mutex held) ---- */

static void
task_free (SimTask *task)
{
  g_free (task->name);
  g_free (task->queue);
  g_free (task);
}

static void
worker_free (SimWorker *worker)
{
  g_free (worker->id);
  g_free (worker->queue);
  g_free (worker);
}

static void
sim_instance_free (SimInstance *instance)
{
  scaler_instance_free (instance->instance);
  g_free (instance->workers_prefix);
  g_free (instance->queue);
  g_free (instance);
}

static void
workload_free (SimWorkload *workload)
{
  g_free (workload->queue);
  g_free (workload);
}

static void
outage_free (SimOutage *outage)
{
  g_free (outage->zone);
  g_free (outage);
}

static GQueue *
queue_get (ScalerSim  *self,
           const char *name)
{
  GQueue *queue = g_hash_table_lookup (self->queues, name);

  if (queue == NULL)
    {
      queue = g_queue_new ();
      g_hash_table_insert (self->queues, g_strdup (name), queue);
    }
  return queue;
}

static void
enqueue_task (ScalerSim  *self,
              const char *queue,
              double      duration_min,
              gint64      when)
{
  SimTask *task = g_new0 (SimTask, 1);

  task->id = ++self->task_counter;
  task->name = g_strdup_printf ("task-%u", task->id);
  task->queue = g_strdup (queue);
  task->duration_min = MAX (duration_min, 0.01);
  task->enqueued = when;
  g_ptr_array_add (self->tasks, task);
  g_queue_push_tail (queue_get (self, queue), task);
  self->stats.tasks_arrived++;
  self->stats.task_minutes += task->duration_min;
}

static double
price_of (ScalerSim  *self,
          const char *type,
          const char *zone,
          gboolean    spot)
{
  double price = 0.0;

  if (spot)
    {
      g_autofree char *key = g_strdup_printf ("%s|%s", type, zone ? zone : "");
      double *p = g_hash_table_lookup (self->spot_prices, key);

      if (p != NULL)
        return *p;
    }
  if (!scaler_price_table_default_price (type, self->region, &price, NULL))
    price = 0.1;
  return spot ? price * 0.3 : price;
}

static double
exp_sample (ScalerSim *self,
            double     rate_per_usec)
{
  double u = g_rand_double (self->rand);

  return -log (1.0 - u) / rate_per_usec;
}

static double
daily_factor (gint64 time)
{
  double hour = fmod ((double) time / (3600.0 * G_USEC_PER_SEC), 24.0);

  return 1.0 - 0.9 * cos (2.0 * G_PI * hour / 24.0);
}

static void
workload_schedule (ScalerSim   *self,
                   SimWorkload *workload,
                   gint64       from)
{
  double rate = workload->rate / (3600.0 * G_USEC_PER_SEC);

  if (rate <= 0)
    {
      workload->next = G_MAXINT64;
      return;
    }
  switch (workload->arrival)
    {
    case SCALER_SIM_ARRIVAL_BURSTY:
      rate /= MAX (workload->burst_size, 1.0);
      workload->next = from + (gint64) exp_sample (self, rate);
      break;
    case SCALER_SIM_ARRIVAL_DAILY:
      /* Thinning against the peak rate. */
      for (;;)
        {
          from += (gint64) exp_sample (self, rate * 1.9);
          if (g_rand_double (self->rand) * 1.9 <= daily_factor (from))
            break;
        }
      workload->next = from;
      break;
    case SCALER_SIM_ARRIVAL_STEADY:
    default:
      workload->next = from + (gint64) exp_sample (self, rate);
      break;
    }
}

static double
task_duration (ScalerSim   *self,
               SimWorkload *workload)
{
  double spread = CLAMP (workload->spread, 0.0, 1.0);

  return workload->duration_min * (1.0 + spread * (2.0 * g_rand_double (self->rand) - 1.0));
}

static void
worker_remove (ScalerSim *self,
               SimWorker *worker)
{
  if (worker->instance != NULL && worker->instance->worker == worker)
    worker->instance->worker = NULL;
  g_ptr_array_remove (self->workers, worker);
}

static SimWorker *
worker_register (ScalerSim   *self,
                 SimInstance *instance,
                 gint64       t)
{
  SimWorker *worker = g_new0 (SimWorker, 1);

  worker->id = scaler_worker_id_build (instance->workers_prefix,
                                       instance->instance->resource ? instance->instance->resource : "unknown",
                                       instance->instance->instance_type,
                                       instance->instance->instance_id);
  worker->queue = g_strdup (instance->queue);
  worker->instance = instance;
  worker->register_time = t;
  worker->last_activity = t;
  instance->worker = worker;
  g_ptr_array_add (self->workers, worker);
  return worker;
}

/* The agent registers register_delay .. register_delay_max after the
 * instance runs (apt, pip and the agent install first); where in that range
 * is fixed per instance when it is created. */
static gint64
register_delay_of (ScalerSim   *self,
                   SimInstance *instance)
{
  gint64 span = MAX (self->register_delay_max - self->register_delay, 0);

  return self->register_delay + (gint64) (instance->register_u * (double) span);
}

static void
instance_stop (ScalerSim   *self,
               SimInstance *instance,
               gint64       t,
               const char  *reason)
{
  ScalerInstance *inst = instance->instance;

  if (inst->state != SCALER_INSTANCE_STATE_PENDING && inst->state != SCALER_INSTANCE_STATE_RUNNING)
    return;
  inst->state = SCALER_INSTANCE_STATE_SHUTTING_DOWN;
  g_free (inst->state_reason);
  inst->state_reason = g_strdup (reason);
  instance->shutdown_since = t;

  if (instance->worker != NULL)
    {
      SimWorker *worker = instance->worker;

      /* The server keeps the entry of its last report, task included, until
       * the registration TTL runs out (clearml-server
       * apiserver/bll/workers/__init__.py:169-187, :412-417). */
      if (worker->task != NULL)
        {
          worker->zombie_task = worker->task->id;
          worker->task->lost = TRUE;
          worker->task->done = t;
          self->stats.tasks_lost++;
          worker->task = NULL;
        }
      if (self->zombie_linger > 0 && worker->last_activity + self->zombie_linger > t)
        {
          worker->zombie_until = worker->last_activity + self->zombie_linger;
          instance->worker = NULL;
          worker->instance = NULL;
        }
      else
        worker_remove (self, worker);
    }
}

/* Tasks that arrived by t, and when the next of each workload comes. */
static void
tick_arrivals (ScalerSim *self,
               gint64     t)
{
  for (guint i = 0; i < self->workloads->len; i++)
    {
      SimWorkload *workload = g_ptr_array_index (self->workloads, i);

      while (workload->next <= t)
        {
          gint64 at = workload->next;
          guint n = 1;

          if (workload->arrival == SCALER_SIM_ARRIVAL_BURSTY)
            n = (guint) MAX (1.0, round (workload->burst_size * (0.5 + g_rand_double (self->rand))));
          for (guint k = 0; k < n; k++)
            enqueue_task (self, workload->queue, task_duration (self, workload), at);
          workload_schedule (self, workload, at);
        }
    }
}

/* A running instance: a spot interruption, or its agent registering.
 * An exponential lifetime per instance: the same interruptions for the
 * k-th spot instance whatever else happens in the run. */
static void
tick_running (ScalerSim   *self,
              SimInstance *instance,
              gint64       t)
{
  ScalerInstance *inst = instance->instance;

  if (inst->is_spot && self->interruption_rate > 0)
    {
      instance->hazard += self->interruption_rate * TICK_USEC / (3600.0 * G_USEC_PER_SEC);
      if (instance->hazard >= instance->hazard_limit)
        {
          self->stats.spot_interruptions++;
          instance_stop (self, instance, t, "Server.SpotInstanceTermination");
          return;
        }
    }
  if (instance->worker == NULL && instance->queue != NULL && instance->workers_prefix != NULL
      && (inst->resource == NULL || !g_hash_table_contains (self->never_register, inst->resource))
      && t - instance->running_since >= register_delay_of (self, instance)
      && (instance->unregistered_at == 0 || t > instance->unregistered_at))
    worker_register (self, instance, t);
}

/* Instances boot, run and shut down; counts the live ones. */
static void
tick_instances (ScalerSim *self,
                gint64     t)
{
  guint live = 0;

  for (guint i = 0; i < self->instances->len; i++)
    {
      SimInstance *instance = g_ptr_array_index (self->instances, i);
      ScalerInstance *inst = instance->instance;

      switch (inst->state)
        {
        case SCALER_INSTANCE_STATE_PENDING:
          if (t - inst->launch_time >= self->boot_delay)
            {
              inst->state = SCALER_INSTANCE_STATE_RUNNING;
              instance->running_since = t;
            }
          break;
        case SCALER_INSTANCE_STATE_RUNNING:
          tick_running (self, instance, t);
          break;
        case SCALER_INSTANCE_STATE_SHUTTING_DOWN:
          if (t - instance->shutdown_since >= self->shutdown_delay)
            {
              inst->state = SCALER_INSTANCE_STATE_TERMINATED;
              instance->terminated_at = t;
            }
          break;
        case SCALER_INSTANCE_STATE_UNKNOWN:
        case SCALER_INSTANCE_STATE_TERMINATED:
        case SCALER_INSTANCE_STATE_STOPPING:
        case SCALER_INSTANCE_STATE_STOPPED:
        default:
          break;
        }
      if (scaler_instance_state_is_live (inst->state))
        live++;
    }
  self->stats.live_instances = live;
  self->stats.peak_instances = MAX (self->stats.peak_instances, live);
}

/* A live worker reports, finishes its task and takes the next one. */
static void
tick_worker (ScalerSim *self,
             SimWorker *worker,
             gint64     t)
{
  GQueue *queue;

  if (t - worker->last_activity >= REPORT_USEC)
    worker->last_activity = t;
  if (worker->standing_busy)
    return;
  if (worker->task != NULL)
    {
      gint64 end = worker->task->started + (gint64) (worker->task->duration_min * SCALER_USEC_PER_MIN);

      if (end <= t)
        {
          worker->task->done = end;
          self->stats.tasks_done++;
          worker->task = NULL;
        }
    }
  if (worker->task == NULL && worker->queue != NULL
      && (queue = g_hash_table_lookup (self->queues, worker->queue)) != NULL
      && !g_queue_is_empty (queue))
    {
      worker->task = g_queue_pop_head (queue);
      worker->task->started = t;
      self->stats.tasks_started++;
    }
}

/* Workers: finish tasks, take new ones, expire zombies. */
static void
tick_workers (ScalerSim *self,
              gint64     t)
{
  for (guint i = 0; i < self->workers->len; i++)
    {
      SimWorker *worker = g_ptr_array_index (self->workers, i);

      if (worker->zombie_until == 0)
        tick_worker (self, worker, t);
      else if (t >= worker->zombie_until)
        {
          worker_remove (self, worker);
          i--;
        }
    }
}

/* One step of the world: arrivals, then instances, then workers. */
static void
tick (ScalerSim *self,
      gint64     t)
{
  tick_arrivals (self, t);
  tick_instances (self, t);
  tick_workers (self, t);
}

static void
advance_locked (ScalerSim *self,
                gint64     target)
{
  while (self->now + TICK_USEC <= target)
    {
      self->now += TICK_USEC;
      tick (self, self->now);
    }
  if (target > self->now)
    self->now = target;
}

static void
sync_locked (ScalerSim *self)
{
  if (self->speed > 0)
    {
      gint64 real = g_get_monotonic_time () - self->real_base;

      advance_locked (self, self->virtual_base + (gint64) (real * self->speed));
    }
}

/* ---- GObject ---- */

static void
scaler_sim_finalize (GObject *object)
{
  ScalerSim *self = SCALER_SIM (object);

  g_ptr_array_unref (self->workers);
  g_hash_table_unref (self->by_id);
  g_hash_table_unref (self->by_token);
  g_ptr_array_unref (self->instances);
  g_hash_table_unref (self->queues);
  g_ptr_array_unref (self->tasks);
  g_ptr_array_unref (self->workloads);
  g_ptr_array_unref (self->outages);
  g_hash_table_unref (self->spot_prices);
  g_hash_table_unref (self->never_register);
  g_rand_free (self->rand);
  g_rand_free (self->infra_rand);
  g_free (self->region);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (scaler_sim_parent_class)->finalize (object);
}

static void
scaler_sim_class_init (ScalerSimClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = scaler_sim_finalize;
}

static void
scaler_sim_init (ScalerSim *self)
{
  g_mutex_init (&self->mutex);
  self->region = g_strdup ("us-east-1");
  self->boot_delay = 2 * SCALER_USEC_PER_MIN;
  self->register_delay = 1 * SCALER_USEC_PER_MIN;
  self->register_delay_max = self->register_delay;
  self->shutdown_delay = SCALER_USEC_PER_MIN / 2;
  self->instances = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_instance_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_token = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  self->queues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_queue_free);
  self->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) task_free);
  self->workloads = g_ptr_array_new_with_free_func ((GDestroyNotify) workload_free);
  self->outages = g_ptr_array_new_with_free_func ((GDestroyNotify) outage_free);
  self->spot_prices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->never_register = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

ScalerSim *
scaler_sim_new (guint32 seed,
                gint64  start_time)
{
  ScalerSim *self = g_object_new (SCALER_TYPE_SIM, NULL);

  self->seed = seed;
  self->rand = g_rand_new_with_seed (seed);
  self->infra_rand = g_rand_new_with_seed (seed ^ 0x9e3779b9u);
  self->now = start_time;
  return self;
}

ScalerSim *
scaler_sim_new_demo (const ScalerConfig *config,
                     double              speed,
                     gint64              start_time)
{
  ScalerSim *self = scaler_sim_new (42, start_time > 0 ? start_time : g_get_real_time ());
  g_auto(GStrv) queues = NULL;

  g_return_val_if_fail (config != NULL, self);

  scaler_sim_set_region (self, config->aws_region);
  queues = scaler_config_dup_queues (config);
  for (guint i = 0; queues[i] != NULL; i++)
    {
      ScalerSimWorkload steady = { queues[i], SCALER_SIM_ARRIVAL_STEADY, 6.0, 1, 12.0, 0.5 };
      ScalerSimWorkload bursty = { queues[i], SCALER_SIM_ARRIVAL_BURSTY, 8.0, 6, 8.0, 0.5 };

      scaler_sim_add_workload (self, &steady);
      scaler_sim_add_workload (self, &bursty);
      /* Something to do right away. */
      scaler_sim_enqueue (self, queues[i], 3, 10.0);
    }
  scaler_sim_set_spot_interruption_rate (self, 0.05);
  scaler_sim_set_realtime (self, speed);
  return self;
}

/* ---- public API ---- */

gint64
scaler_sim_get_time (ScalerSim *self)
{
  gint64 now;

  g_return_val_if_fail (SCALER_IS_SIM (self), 0);
  g_mutex_lock (&self->mutex);
  sync_locked (self);
  now = self->now;
  g_mutex_unlock (&self->mutex);
  return now;
}

gint64
scaler_sim_now (gpointer sim)
{
  return scaler_sim_get_time (SCALER_SIM (sim));
}

void
scaler_sim_advance_to (ScalerSim *self,
                       gint64     time)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  advance_locked (self, time);
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_advance (ScalerSim *self,
                    gint64     usec)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  advance_locked (self, self->now + MAX (usec, 0));
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_set_realtime (ScalerSim *self,
                         double     speed)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  sync_locked (self);
  self->speed = MAX (speed, 0.0);
  self->real_base = g_get_monotonic_time ();
  self->virtual_base = self->now;
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_set_region (ScalerSim  *self,
                       const char *region)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  g_free (self->region);
  self->region = g_strdup (region ? region : "us-east-1");
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_set_delays (ScalerSim *self,
                       double     boot_min,
                       double     register_min,
                       double     shutdown_min)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  self->boot_delay = (gint64) (MAX (boot_min, 0) * SCALER_USEC_PER_MIN);
  self->register_delay = (gint64) (MAX (register_min, 0) * SCALER_USEC_PER_MIN);
  self->register_delay_max = self->register_delay;
  self->shutdown_delay = (gint64) (MAX (shutdown_min, 0) * SCALER_USEC_PER_MIN);
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_set_register_delay_range (ScalerSim *self,
                                     double     min_minutes,
                                     double     max_minutes)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  self->register_delay = (gint64) (MAX (min_minutes, 0) * SCALER_USEC_PER_MIN);
  self->register_delay_max = MAX ((gint64) (max_minutes * SCALER_USEC_PER_MIN), self->register_delay);
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_add_workload (ScalerSim               *self,
                         const ScalerSimWorkload *workload)
{
  SimWorkload *copy;

  g_return_if_fail (SCALER_IS_SIM (self));
  g_return_if_fail (workload != NULL && workload->queue != NULL);

  copy = g_new0 (SimWorkload, 1);
  copy->queue = g_strdup (workload->queue);
  copy->arrival = workload->arrival;
  copy->rate = workload->tasks_per_hour;
  copy->burst_size = workload->burst_size;
  copy->duration_min = workload->duration_min;
  copy->spread = workload->duration_spread;
  g_mutex_lock (&self->mutex);
  workload_schedule (self, copy, self->now);
  g_ptr_array_add (self->workloads, copy);
  queue_get (self, copy->queue);
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_clear_workloads (ScalerSim *self)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  sync_locked (self);
  g_ptr_array_set_size (self->workloads, 0);
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_enqueue (ScalerSim  *self,
                    const char *queue,
                    guint       count,
                    double      duration_min)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_return_if_fail (queue != NULL);
  g_mutex_lock (&self->mutex);
  sync_locked (self);
  for (guint i = 0; i < count; i++)
    enqueue_task (self, queue, duration_min, self->now);
  queue_get (self, queue);
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_set_spot_price (ScalerSim  *self,
                           const char *instance_type,
                           const char *zone,
                           double      usd_per_hour)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  g_hash_table_insert (self->spot_prices, g_strdup_printf ("%s|%s", instance_type, zone ? zone : ""),
                       g_memdup2 (&usd_per_hour, sizeof usd_per_hour));
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_set_spot_interruption_rate (ScalerSim *self,
                                       double     per_instance_hour)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  self->interruption_rate = MAX (per_instance_hour, 0);
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_add_capacity_outage (ScalerSim       *self,
                                const char      *zone,
                                ScalerSimMarket  market,
                                gint64           from,
                                gint64           until)
{
  SimOutage *outage = g_new0 (SimOutage, 1);

  g_return_if_fail (SCALER_IS_SIM (self));
  outage->zone = g_strdup (zone);
  outage->market = market;
  outage->from = from;
  outage->until = until;
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->outages, outage);
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_set_capacity_error_probability (ScalerSim *self,
                                           double     probability)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  self->capacity_probability = CLAMP (probability, 0.0, 1.0);
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_throttle_next (ScalerSim *self,
                          guint      n_calls)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  self->throttle_calls = n_calls;
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_fail_queue_next (ScalerSim *self,
                            guint      n_calls)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  self->queue_failures = n_calls;
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_set_never_register (ScalerSim  *self,
                               const char *resource,
                               gboolean    never)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  if (never)
    g_hash_table_add (self->never_register, g_strdup (resource));
  else
    g_hash_table_remove (self->never_register, resource);
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_set_zombie_linger (ScalerSim *self,
                              double     minutes)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  self->zombie_linger = (gint64) (MAX (minutes, 0) * SCALER_USEC_PER_MIN);
  g_mutex_unlock (&self->mutex);
}

void
scaler_sim_set_launch_hang (ScalerSim *self,
                            gboolean   hang)
{
  g_return_if_fail (SCALER_IS_SIM (self));
  g_mutex_lock (&self->mutex);
  self->launch_hang = hang;
  g_mutex_unlock (&self->mutex);
}

static SimInstance *
create_instance (ScalerSim  *self,
                 const char *instance_type,
                 const char *zone,
                 const char *subnet,
                 gboolean    spot,
                 gint64      launch_time)
{
  SimInstance *instance = g_new0 (SimInstance, 1);
  ScalerInstance *inst = scaler_instance_new ();

  self->id_counter++;
  inst->instance_id = g_strdup_printf ("i-%017" G_GINT64_MODIFIER "x",
                                       (guint64) 0x5100000000000ULL + self->id_counter);
  inst->instance_type = g_strdup (instance_type);
  inst->availability_zone = zone ? g_strdup (zone) : g_strdup_printf ("%sa", self->region);
  inst->subnet_id = g_strdup (subnet);
  inst->is_spot = spot;
  inst->state = SCALER_INSTANCE_STATE_PENDING;
  inst->launch_time = launch_time;
  instance->instance = inst;
  instance->usd_per_hour = price_of (self, instance_type, inst->availability_zone, spot);
  /* Drawn from the seed and the instance's ordinal only, so that the k-th
   * instance boots and is interrupted alike in runs whose other random
   * draws differ (bench-policy compares two policies on one seed). */
  {
    guint32 seeds[3] = { self->seed, (guint32) self->id_counter, 0x51u };
    g_autoptr(GRand) rand = g_rand_new_with_seed_array (seeds, G_N_ELEMENTS (seeds));

    instance->register_u = g_rand_double (rand);
    instance->hazard_limit = -log (1.0 - g_rand_double (rand));
  }
  g_ptr_array_add (self->instances, instance);
  g_hash_table_insert (self->by_id, inst->instance_id, instance);
  return instance;
}

char *
scaler_sim_add_instance (ScalerSim  *self,
                         const char *config_id,
                         const char *workers_prefix,
                         const char *resource,
                         const char *queue,
                         const char *instance_type,
                         gint64      launch_time)
{
  SimInstance *instance;
  char *id;

  g_return_val_if_fail (SCALER_IS_SIM (self), NULL);
  g_return_val_if_fail (instance_type != NULL, NULL);

  g_mutex_lock (&self->mutex);
  sync_locked (self);
  instance = create_instance (self, instance_type, NULL, NULL, FALSE, launch_time ? launch_time : self->now);
  if (config_id != NULL)
    {
      instance->instance->config_id = g_strdup (config_id);
      g_ptr_array_add (instance->instance->tags, scaler_tag_new (SCALER_TAG_INSTANCE, config_id));
    }
  if (resource != NULL)
    {
      instance->instance->resource = g_strdup (resource);
      g_ptr_array_add (instance->instance->tags, scaler_tag_new (SCALER_TAG_RESOURCE, resource));
    }
  instance->workers_prefix = g_strdup (workers_prefix);
  instance->queue = g_strdup (queue);
  id = g_strdup (instance->instance->instance_id);
  g_mutex_unlock (&self->mutex);
  return id;
}

void
scaler_sim_add_worker (ScalerSim  *self,
                       const char *worker_id,
                       const char *queue,
                       gboolean    busy)
{
  SimWorker *worker = g_new0 (SimWorker, 1);

  g_return_if_fail (SCALER_IS_SIM (self));
  worker->id = g_strdup (worker_id);
  worker->queue = busy ? NULL : g_strdup (queue);
  worker->standing_busy = busy;
  g_mutex_lock (&self->mutex);
  worker->register_time = worker->last_activity = self->now;
  if (busy)
    {
      enqueue_task (self, queue ? queue : "default", 1e6, self->now);
      worker->task = g_queue_pop_tail (queue_get (self, queue ? queue : "default"));
      worker->task->started = self->now;
    }
  g_ptr_array_add (self->workers, worker);
  g_mutex_unlock (&self->mutex);
}

gboolean
scaler_sim_spot_interrupt (ScalerSim  *self,
                           const char *instance_id)
{
  SimInstance *instance;

  g_return_val_if_fail (SCALER_IS_SIM (self), FALSE);
  g_mutex_lock (&self->mutex);
  instance = g_hash_table_lookup (self->by_id, instance_id);
  if (instance != NULL)
    {
      self->stats.spot_interruptions++;
      instance_stop (self, instance, self->now, "Server.SpotInstanceTermination");
    }
  g_mutex_unlock (&self->mutex);
  return instance != NULL;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double da = *(const double *) a, db = *(const double *) b;

  return da < db ? -1 : da > db ? 1 : 0;
}

void
scaler_sim_get_stats (ScalerSim      *self,
                      ScalerSimStats *stats)
{
  g_autoptr(GArray) waits = g_array_new (FALSE, FALSE, sizeof (double));
  double sum = 0, max = 0;
  guint waiting = 0;

  g_return_if_fail (SCALER_IS_SIM (self));
  g_return_if_fail (stats != NULL);

  g_mutex_lock (&self->mutex);
  sync_locked (self);
  *stats = self->stats;

  stats->cost_usd = 0;
  for (guint i = 0; i < self->instances->len; i++)
    {
      SimInstance *instance = g_ptr_array_index (self->instances, i);
      gint64 end = instance->terminated_at ? instance->terminated_at : self->now;
      gint64 start = instance->instance->launch_time;

      if (end > start)
        stats->cost_usd += instance->usd_per_hour * (double) (end - start) / (3600.0 * G_USEC_PER_SEC);
    }

  for (guint i = 0; i < self->tasks->len; i++)
    {
      SimTask *task = g_ptr_array_index (self->tasks, i);
      double wait;

      if (task->duration_min >= 1e5)
        continue;   /* the endless task of a free-standing busy worker */
      if (task->started == 0)
        waiting++;
      wait = scaler_min_of_usec ((task->started ? task->started : self->now) - task->enqueued);
      g_array_append_val (waits, wait);
      sum += wait;
      max = MAX (max, wait);
    }
  stats->tasks_waiting = waiting;
  if (waits->len > 0)
    {
      g_array_sort (waits, compare_double);
      stats->wait_mean_min = sum / waits->len;
      stats->wait_p95_min = g_array_index (waits, double, MIN (waits->len - 1, (guint) ceil (0.95 * waits->len) - 1));
      stats->wait_max_min = max;
    }
  g_mutex_unlock (&self->mutex);
}

GPtrArray *
scaler_sim_dup_instances (ScalerSim *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_instance_free);

  g_return_val_if_fail (SCALER_IS_SIM (self), list);
  g_mutex_lock (&self->mutex);
  sync_locked (self);
  for (guint i = 0; i < self->instances->len; i++)
    g_ptr_array_add (list, scaler_instance_copy (((SimInstance *) g_ptr_array_index (self->instances, i))->instance));
  g_mutex_unlock (&self->mutex);
  return list;
}

guint
scaler_sim_count_live (ScalerSim  *self,
                       const char *resource)
{
  guint n = 0;

  g_return_val_if_fail (SCALER_IS_SIM (self), 0);
  g_mutex_lock (&self->mutex);
  sync_locked (self);
  for (guint i = 0; i < self->instances->len; i++)
    {
      ScalerInstance *inst = ((SimInstance *) g_ptr_array_index (self->instances, i))->instance;

      if (scaler_instance_state_is_live (inst->state)
          && (resource == NULL || g_strcmp0 (inst->resource, resource) == 0))
        n++;
    }
  g_mutex_unlock (&self->mutex);
  return n;
}

guint
scaler_sim_get_pending (ScalerSim  *self,
                        const char *queue)
{
  GQueue *q;
  guint n;

  g_return_val_if_fail (SCALER_IS_SIM (self), 0);
  g_mutex_lock (&self->mutex);
  sync_locked (self);
  q = g_hash_table_lookup (self->queues, queue);
  n = q ? g_queue_get_length (q) : 0;
  g_mutex_unlock (&self->mutex);
  return n;
}

guint
scaler_sim_count_workers (ScalerSim *self,
                          gboolean   busy)
{
  guint n = 0;

  g_return_val_if_fail (SCALER_IS_SIM (self), 0);
  g_mutex_lock (&self->mutex);
  sync_locked (self);
  for (guint i = 0; i < self->workers->len; i++)
    {
      SimWorker *worker = g_ptr_array_index (self->workers, i);

      if (worker->zombie_until == 0 && (worker->task != NULL) == busy)
        n++;
    }
  g_mutex_unlock (&self->mutex);
  return n;
}

gboolean
scaler_sim_has_worker (ScalerSim  *self,
                       const char *worker_id)
{
  gboolean found = FALSE;

  g_return_val_if_fail (SCALER_IS_SIM (self), FALSE);
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->workers->len && !found; i++)
    found = g_strcmp0 (((SimWorker *) g_ptr_array_index (self->workers, i))->id, worker_id) == 0;
  g_mutex_unlock (&self->mutex);
  return found;
}

/* ---- ScalerCloud ---- */

static gboolean
throttled_locked (ScalerSim  *self,
                  GError    **error)
{
  if (self->throttle_calls == 0)
    return FALSE;
  self->throttle_calls--;
  self->stats.throttled_calls++;
  scaler_aws_error_set (error, SCALER_AWS_ERROR_THROTTLED, "RequestLimitExceeded",
                        "Request limit exceeded (simulated)", "sim-request", 503);
  return TRUE;
}

/* A simulated failure of the next call: throttling (EC2) or an unavailable
 * server (ClearML). TRUE, with *error set, when the call fails. */
typedef gboolean (*SimFailFunc) (ScalerSim  *self,
                                 GError    **error);

/* The common start of a simulated call: honour cancellation, take the
 * lock, bring the world up to the current time and apply the simulated
 * failure. On TRUE the lock is held; on FALSE it is not and *error is set. */
static gboolean
sim_enter (ScalerSim     *self,
           SimFailFunc    failed_locked,
           GCancellable  *cancellable,
           GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  g_mutex_lock (&self->mutex);
  sync_locked (self);
  if (failed_locked (self, error))
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  return TRUE;
}

/* Copies of the instances, the non-terminated ones of config_id or those
 * listed in instance_ids (exactly one of the two non-NULL); lock held. */
static GPtrArray *
copy_instances_locked (ScalerSim          *self,
                       const char         *config_id,
                       const char * const *instance_ids)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_instance_free);

  for (guint i = 0; i < self->instances->len; i++)
    {
      ScalerInstance *inst = ((SimInstance *) g_ptr_array_index (self->instances, i))->instance;

      if (instance_ids != NULL ? g_strv_contains (instance_ids, inst->instance_id)
                               : inst->state != SCALER_INSTANCE_STATE_TERMINATED
                                 && g_strcmp0 (inst->config_id, config_id) == 0)
        g_ptr_array_add (list, scaler_instance_copy (inst));
    }
  return list;
}

static GPtrArray *
sim_list_instances (ScalerCloud   *cloud,
                    const char    *config_id,
                    GCancellable  *cancellable,
                    GError       **error)
{
  ScalerSim *self = SCALER_SIM (cloud);
  GPtrArray *list;

  if (!sim_enter (self, throttled_locked, cancellable, error))
    return NULL;
  list = copy_instances_locked (self, config_id, NULL);
  g_mutex_unlock (&self->mutex);
  return list;
}

static GPtrArray *
sim_describe_instances (ScalerCloud         *cloud,
                        const char * const  *instance_ids,
                        GCancellable        *cancellable,
                        GError             **error)
{
  ScalerSim *self = SCALER_SIM (cloud);
  GPtrArray *list;

  if (!sim_enter (self, throttled_locked, cancellable, error))
    return NULL;
  list = copy_instances_locked (self, NULL, instance_ids);
  g_mutex_unlock (&self->mutex);
  return list;
}

static gboolean
capacity_short_locked (ScalerSim  *self,
                       const char *zone,
                       gboolean    spot)
{
  for (guint i = 0; i < self->outages->len; i++)
    {
      SimOutage *outage = g_ptr_array_index (self->outages, i);

      if (self->now < outage->from || self->now >= outage->until)
        continue;
      if (outage->zone != NULL && g_strcmp0 (outage->zone, zone) != 0)
        continue;
      if ((outage->market == SCALER_SIM_MARKET_SPOT && !spot)
          || (outage->market == SCALER_SIM_MARKET_ON_DEMAND && spot))
        continue;
      return TRUE;
    }
  return self->capacity_probability > 0 && g_rand_double (self->infra_rand) < self->capacity_probability;
}

/* The zone of a launch: subnets map to the region's zones by their last
 * character; without subnet or zone, the region's first zone. */
static char *
launch_zone (ScalerSim              *self,
             const ScalerLaunchSpec *spec)
{
  if (spec->subnet_id != NULL)
    {
      gsize len = strlen (spec->subnet_id);
      char letter = len > 0 ? 'a' + (char) (spec->subnet_id[len - 1] % 3) : 'a';

      return g_strdup_printf ("%s%c", self->region, letter);
    }
  if (spec->availability_zone != NULL)
    return g_strdup (spec->availability_zone);
  return g_strdup_printf ("%sa", self->region);
}

/* A new instance for the launch, tagged as RunInstances would; lock held. */
static SimInstance *
launch_instance (ScalerSim              *self,
                 const ScalerLaunchSpec *spec,
                 const char             *zone)
{
  SimInstance *instance;

  instance = create_instance (self, spec->resource->instance_type, zone, spec->subnet_id, spec->spot, self->now);
  instance->instance->config_id = g_strdup (spec->config->id);
  instance->instance->resource = g_strdup (spec->resource->name);
  instance->instance->client_token = g_strdup (spec->client_token);
  g_ptr_array_extend_and_steal (instance->instance->tags, scaler_launch_tags (spec->config, spec->resource));
  instance->workers_prefix = g_strdup (spec->config->workers_prefix);
  instance->queue = g_strdup (spec->resource->queue);
  g_hash_table_insert (self->by_token, g_strdup (spec->client_token), instance);
  self->stats.launches++;
  return instance;
}

static ScalerInstance *
sim_launch (ScalerCloud             *cloud,
            const ScalerLaunchSpec  *spec,
            GCancellable            *cancellable,
            GError                 **error)
{
  ScalerSim *self = SCALER_SIM (cloud);
  SimInstance *instance;
  g_autofree char *zone = NULL;
  ScalerInstance *copy;

  g_mutex_lock (&self->mutex);
  sync_locked (self);
  self->stats.launch_calls++;
  while (self->launch_hang)
    {
      g_mutex_unlock (&self->mutex);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_usleep (2000);
      g_mutex_lock (&self->mutex);
    }
  if (throttled_locked (self, error))
    {
      g_mutex_unlock (&self->mutex);
      return NULL;
    }

  instance = g_hash_table_lookup (self->by_token, spec->client_token);
  if (instance != NULL)
    {
      copy = scaler_instance_copy (instance->instance);
      g_mutex_unlock (&self->mutex);
      return copy;
    }

  zone = launch_zone (self, spec);

  if (capacity_short_locked (self, zone, spec->spot))
    {
      g_autofree char *message = g_strdup_printf ("We currently do not have sufficient %s capacity in "
                                                  "the Availability Zone you requested (%s). (simulated)",
                                                  spec->resource->instance_type, zone);

      self->stats.capacity_errors++;
      g_mutex_unlock (&self->mutex);
      scaler_aws_error_set (error, SCALER_AWS_ERROR_CAPACITY, "InsufficientInstanceCapacity",
                            message, "sim-request", 500);
      return NULL;
    }

  instance = launch_instance (self, spec, zone);
  copy = scaler_instance_copy (instance->instance);
  g_mutex_unlock (&self->mutex);
  return copy;
}

static gboolean
sim_terminate (ScalerCloud         *cloud,
               const char * const  *instance_ids,
               GCancellable        *cancellable,
               GError             **error)
{
  ScalerSim *self = SCALER_SIM (cloud);

  if (!sim_enter (self, throttled_locked, cancellable, error))
    return FALSE;
  for (guint i = 0; instance_ids[i] != NULL; i++)
    {
      SimInstance *instance = g_hash_table_lookup (self->by_id, instance_ids[i]);

      if (instance == NULL || !scaler_instance_state_is_live (instance->instance->state))
        continue;
      if (instance->worker != NULL && instance->worker->task != NULL)
        self->stats.busy_terminations++;
      self->stats.terminations++;
      instance_stop (self, instance, self->now, "Client.UserInitiatedShutdown");
    }
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

static GPtrArray *
sim_get_spot_prices (ScalerCloud         *cloud,
                     const char * const  *instance_types,
                     GCancellable        *cancellable,
                     GError             **error)
{
  ScalerSim *self = SCALER_SIM (cloud);
  GPtrArray *list;

  if (!sim_enter (self, throttled_locked, cancellable, error))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_spot_price_free);
  for (guint i = 0; instance_types[i] != NULL; i++)
    for (char letter = 'a'; letter <= 'c'; letter++)
      {
        ScalerSpotPrice *price = g_new0 (ScalerSpotPrice, 1);

        price->instance_type = g_strdup (instance_types[i]);
        price->availability_zone = g_strdup_printf ("%s%c", self->region, letter);
        price->price_usd_per_hour = price_of (self, instance_types[i], price->availability_zone, TRUE);
        price->timestamp = self->now;
        g_ptr_array_add (list, price);
      }
  g_mutex_unlock (&self->mutex);
  return list;
}

static char *
sim_get_console_output (ScalerCloud   *cloud,
                        const char    *instance_id,
                        GCancellable  *cancellable,
                        GError       **error)
{
  ScalerSim *self = SCALER_SIM (cloud);
  SimInstance *instance;
  char *output;

  g_mutex_lock (&self->mutex);
  instance = g_hash_table_lookup (self->by_id, instance_id);
  if (instance == NULL)
    {
      g_mutex_unlock (&self->mutex);
      scaler_aws_error_set (error, SCALER_AWS_ERROR_NOT_FOUND, "InvalidInstanceID.NotFound",
                            "The instance ID does not exist (simulated)", "sim-request", 400);
      return NULL;
    }
  output = g_strdup_printf ("[    0.000000] Linux version 6.1.0-sim (simulated boot)\n"
                            "cloud-init: running user-data for %s\n"
                            "%s\n",
                            instance_id,
                            instance->worker ? "clearml-agent: worker registered"
                                             : "clearml-agent: waiting for the ClearML server...");
  g_mutex_unlock (&self->mutex);
  return output;
}

static void
scaler_sim_cloud_iface_init (ScalerCloudInterface *iface)
{
  iface->list_instances = sim_list_instances;
  iface->launch = sim_launch;
  iface->terminate = sim_terminate;
  iface->get_spot_prices = sim_get_spot_prices;
  iface->get_console_output = sim_get_console_output;
  iface->describe_instances = sim_describe_instances;
}

/* ---- ScalerQueueSource ---- */

static gboolean
queue_failed_locked (ScalerSim  *self,
                     GError    **error)
{
  if (self->queue_failures == 0)
    return FALSE;
  self->queue_failures--;
  g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED,
               "ClearML server unavailable (simulated): 503 Service Unavailable");
  return TRUE;
}

static gboolean
sim_get_pending (ScalerQueueSource   *source,
                 const char * const  *queues,
                 guint               *out_counts,
                 GCancellable        *cancellable,
                 GError             **error)
{
  ScalerSim *self = SCALER_SIM (source);

  if (!sim_enter (self, queue_failed_locked, cancellable, error))
    return FALSE;
  for (guint i = 0; queues[i] != NULL; i++)
    {
      GQueue *queue = g_hash_table_lookup (self->queues, queues[i]);

      out_counts[i] = queue ? g_queue_get_length (queue) : 0;
    }
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

static GPtrArray *
sim_list_workers (ScalerQueueSource  *source,
                  const char         *workers_prefix,
                  GCancellable       *cancellable,
                  GError            **error)
{
  ScalerSim *self = SCALER_SIM (source);
  g_autofree char *prefix = g_strdup_printf ("%s:", workers_prefix);
  GPtrArray *list;

  if (!sim_enter (self, queue_failed_locked, cancellable, error))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_worker_free);
  for (guint i = 0; i < self->workers->len; i++)
    {
      SimWorker *worker = g_ptr_array_index (self->workers, i);
      ScalerWorker *copy;

      if (!g_str_has_prefix (worker->id, prefix))
        continue;
      copy = scaler_worker_new ();
      copy->id = g_strdup (worker->id);
      if (worker->task != NULL)
        {
          copy->task_id = g_strdup_printf ("%032x", worker->task->id);
          copy->task_name = g_strdup (worker->task->name);
        }
      else if (worker->zombie_task != 0)
        {
          copy->task_id = g_strdup_printf ("%032x", worker->zombie_task);
          copy->task_name = g_strdup_printf ("task-%u", worker->zombie_task);
        }
      copy->register_time = worker->register_time;
      copy->last_activity_time = worker->last_activity;
      g_strfreev (copy->queues);
      copy->queues = g_new0 (char *, 2);
      copy->queues[0] = g_strdup (worker->queue ? worker->queue : "");
      g_ptr_array_add (list, copy);
    }
  g_mutex_unlock (&self->mutex);
  return list;
}

static gboolean
sim_unregister_worker (ScalerQueueSource  *source,
                       const char         *worker_id,
                       GCancellable       *cancellable,
                       GError            **error)
{
  ScalerSim *self = SCALER_SIM (source);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->workers->len; i++)
    {
      SimWorker *worker = g_ptr_array_index (self->workers, i);

      if (g_strcmp0 (worker->id, worker_id) != 0)
        continue;
      /* A live agent comes back at its next report, like on ClearML. */
      if (worker->instance != NULL)
        worker->instance->unregistered_at = self->now;
      if (worker->task != NULL)
        {
          worker->task->lost = TRUE;
          self->stats.tasks_lost++;
        }
      worker_remove (self, worker);
      break;
    }
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

static void
scaler_sim_queue_iface_init (ScalerQueueSourceInterface *iface)
{
  iface->get_pending = sim_get_pending;
  iface->list_workers = sim_list_workers;
  iface->unregister_worker = sim_unregister_worker;
}
