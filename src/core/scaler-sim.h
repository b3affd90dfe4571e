/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-sim.h: a simulated cloud AND queue on a virtual clock.
 *
 * ScalerSim implements both seams (ScalerCloud and ScalerQueueSource): EC2-like
 * instances (pending -> running after a boot delay, shutting-down ->
 * terminated), agents that register as ClearML workers (worker id
 * "<prefix>:<resource>:<instance type>:<instance id>", as clearml-agent gets
 * it from the bootstrap) and take tasks from their queue, task arrivals
 * (steady, bursty,
 * daily cycle), task durations, spot prices and interruptions, capacity errors
 * per zone/market (scheduled, or with a probability), throttling. Errors use
 * the SCALER_AWS_ERROR domain like the real EC2 client. Deterministic for a
 * given seed and sequence of calls. The tasks that arrive (times and
 * durations) depend on the seed only, never on what the caller launches, and
 * the k-th instance created gets the same registration delay and spot
 * lifetime in every run of a seed: two policies meet the same world.
 *
 * The clock is virtual: manual (scaler_sim_advance) or following real time at
 * a speed (scaler_sim_set_realtime, for the demo). Thread-safe: the engine
 * calls it from its worker thread while tests advance it.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"
#include "scaler-cloud.h"
#include "scaler-queue-source.h"

G_BEGIN_DECLS

typedef enum
{
  SCALER_SIM_ARRIVAL_STEADY,   /* Poisson at tasks_per_hour */
  SCALER_SIM_ARRIVAL_BURSTY,   /* bursts of about burst_size tasks, same mean rate */
  SCALER_SIM_ARRIVAL_DAILY,    /* Poisson whose rate follows the time of day (UTC):
                                  0.1x at midnight, 1.9x at noon, mean tasks_per_hour */
} ScalerSimArrival;

typedef struct
{
  const char      *queue;
  ScalerSimArrival arrival;
  double           tasks_per_hour;
  double           burst_size;       /* bursty only */
  double           duration_min;     /* mean task duration */
  double           duration_spread;  /* 0..1: uniform +- this fraction */
} ScalerSimWorkload;

typedef enum
{
  SCALER_SIM_MARKET_ANY,
  SCALER_SIM_MARKET_ON_DEMAND,
  SCALER_SIM_MARKET_SPOT,
} ScalerSimMarket;

typedef struct
{
  double cost_usd;            /* every instance, launch to terminated (or now) */
  guint  launches;            /* instances created by launch() */
  guint  launch_calls;        /* launch() calls, incl. failed and idempotent ones */
  guint  terminations;        /* instances terminated through terminate() */
  guint  peak_instances;      /* max live (pending + running) at once */
  guint  live_instances;
  guint  tasks_arrived;
  guint  tasks_started;
  guint  tasks_done;
  guint  tasks_lost;          /* running on an instance that went away */
  guint  tasks_waiting;
  double task_minutes;        /* sum of the durations of every arrived task */
  double wait_mean_min;       /* queue wait of started tasks, and of waiting ones so far */
  double wait_p95_min;
  double wait_max_min;
  guint  capacity_errors;
  guint  throttled_calls;
  guint  spot_interruptions;
  guint  busy_terminations;   /* instances terminated while their worker had a task */
} ScalerSimStats;

#define SCALER_TYPE_SIM (scaler_sim_get_type ())
G_DECLARE_FINAL_TYPE (ScalerSim, scaler_sim, SCALER, SIM, GObject)

/* start_time: usec since the epoch (the virtual clock's start). */
ScalerSim  *scaler_sim_new                 (guint32              seed,
                                            gint64               start_time);
/* A ready demo: queues of config, steady + bursty workloads, realtime at
 * speed, its clock starting at start_time (0: now). */
ScalerSim  *scaler_sim_new_demo            (const ScalerConfig  *config,
                                            double               speed,
                                            gint64               start_time);

gint64      scaler_sim_get_time            (ScalerSim           *self);
/* ScalerNowFunc-compatible (user_data = the sim). */
gint64      scaler_sim_now                 (gpointer             sim);
void        scaler_sim_advance             (ScalerSim           *self,
                                            gint64               usec);
void        scaler_sim_advance_to          (ScalerSim           *self,
                                            gint64               time);
/* speed > 0: the clock follows real time x speed (from now on); 0: manual. */
void        scaler_sim_set_realtime        (ScalerSim           *self,
                                            double               speed);

void        scaler_sim_set_region          (ScalerSim           *self,
                                            const char          *region);
void        scaler_sim_set_delays          (ScalerSim           *self,
                                            double               boot_min,
                                            double               register_min,
                                            double               shutdown_min);
/* The agent of each instance registers between min and max minutes after the
 * instance runs (uniform, fixed per instance by the seed and its ordinal).
 * scaler_sim_set_delays sets min = max = register_min. */
void        scaler_sim_set_register_delay_range (ScalerSim      *self,
                                            double               min_minutes,
                                            double               max_minutes);
void        scaler_sim_add_workload        (ScalerSim           *self,
                                            const ScalerSimWorkload *workload);
/* Stops every workload (no more arrivals); queued tasks stay. */
void        scaler_sim_clear_workloads     (ScalerSim           *self);
void        scaler_sim_enqueue             (ScalerSim           *self,
                                            const char          *queue,
                                            guint                count,
                                            double               duration_min);
void        scaler_sim_set_spot_price      (ScalerSim           *self,
                                            const char          *instance_type,
                                            const char          *zone,
                                            double               usd_per_hour);
void        scaler_sim_set_spot_interruption_rate (ScalerSim    *self,
                                            double               per_instance_hour);
/* zone NULL = every zone. */
void        scaler_sim_add_capacity_outage (ScalerSim           *self,
                                            const char          *zone,
                                            ScalerSimMarket      market,
                                            gint64               from,
                                            gint64               until);
void        scaler_sim_set_capacity_error_probability (ScalerSim *self,
                                            double               probability);
/* The next n cloud calls fail with THROTTLED. */
void        scaler_sim_throttle_next       (ScalerSim           *self,
                                            guint                n_calls);
/* The next n queue calls fail. */
void        scaler_sim_fail_queue_next     (ScalerSim           *self,
                                            guint                n_calls);
void        scaler_sim_set_never_register  (ScalerSim           *self,
                                            const char          *resource,
                                            gboolean             never);
/* A worker whose instance died stays listed this long after its last status
 * report (the agents report every 30 s), showing the task of that report, as
 * clearml-server keeps a worker entry for its registration TTL (600 s by
 * default). 0 (the default): it vanishes at once. */
void        scaler_sim_set_zombie_linger   (ScalerSim           *self,
                                            double               minutes);
/* While TRUE, launch() blocks until its cancellable is cancelled. */
void        scaler_sim_set_launch_hang     (ScalerSim           *self,
                                            gboolean             hang);
/* An instance created outside the engine (config_id NULL = untagged). */
char       *scaler_sim_add_instance        (ScalerSim           *self,
                                            const char          *config_id,
                                            const char          *workers_prefix,
                                            const char          *resource,
                                            const char          *queue,
                                            const char          *instance_type,
                                            gint64               launch_time);
/* A free-standing worker (no instance behind it), idle or busy. */
void        scaler_sim_add_worker          (ScalerSim           *self,
                                            const char          *worker_id,
                                            const char          *queue,
                                            gboolean             busy);
gboolean    scaler_sim_spot_interrupt      (ScalerSim           *self,
                                            const char          *instance_id);

void        scaler_sim_get_stats           (ScalerSim           *self,
                                            ScalerSimStats      *stats);
/* Copies of every instance ever created (incl. terminated). ScalerInstance*. */
GPtrArray  *scaler_sim_dup_instances       (ScalerSim           *self);
guint       scaler_sim_count_live          (ScalerSim           *self,
                                            const char          *resource);
guint       scaler_sim_get_pending         (ScalerSim           *self,
                                            const char          *queue);
guint       scaler_sim_count_workers       (ScalerSim           *self,
                                            gboolean             busy);
gboolean    scaler_sim_has_worker          (ScalerSim           *self,
                                            const char          *worker_id);

G_END_DECLS
