/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-policy-private.h: what the files of the policy share.
 *
 *   scaler-policy.c           the decision, phase by phase; the next cycle's delay
 *   scaler-policy-fleet.c     its working state: the tagged fleet, the workers, the
 *                             counts per resource and queue, the plan being written;
 *                             prices
 *   scaler-policy-idle.c      terminations: boot timeouts and the idle rule (ski rental)
 *   scaler-policy-staffing.c  queues of short tasks: the staffing floor (Erlang C)
 *   scaler-policy-launch.c    launches per queue: hold-back, rounds, placement, budget
 *
 * Layers (no file calls one above it): fleet < staffing < idle, launch < policy.
 */

#pragma once

#include <glib.h>

#include "scaler-ledger.h"
#include "scaler-policy.h"
#include "scaler-util.h"

G_BEGIN_DECLS

/* One decision's working state. */
typedef struct
{
  const ScalerConfig    *config;
  const ScalerSnapshot  *snapshot;
  const ScalerLedger    *ledger;
  const ScalerPolicyEnv *env;
  gint64                 now;
  ScalerPlan            *plan;

  GHashTable *fleet;          /* id -> ScalerInstance (ours, any state) */
  GHashTable *worker_of;      /* instance id -> ScalerWorker (capacity workers) */
  GHashTable *terminating;    /* instance ids terminated by this plan */
  GHashTable *resource_count; /* resource -> count (live + in flight + planned) */
  GHashTable *res_by_name;    /* name -> ScalerResource* */
  GHashTable *queue_resources;/* queue -> GPtrArray of ScalerResource*, in order */
  GHashTable *queue_stats;    /* queue -> QueueStats* */
  GPtrArray  *launches;       /* ScalerLedgerLaunch*: in flight (the ledger's) */
  double      cost;           /* running cost incl. planned launches */
} Decide;

typedef struct
{
  guint      idle;
  guint      busy;
  guint      booting;
  GPtrArray *unanswered;      /* ScalerLedgerLaunch*: sent, no answer */
  GPtrArray *busy_workers;    /* ScalerWorker*: the busy ones of live instances */
  GPtrArray *idle_workers;    /* ScalerWorker*: the idle ones of live instances */
  gint64     ready_sum;       /* launch to worker registration, summed over */
  guint      ready_n;         /* the queue's instances whose worker registered */
  gint64     ready_max;       /* and the longest of those times */
} QueueStats;

/* A queue's staffing floor (scaler-policy-staffing.c). */
typedef struct
{
  guint  floor;       /* 0: not a queue of short tasks, or nothing learned */
  double per_hour;    /* slow arrival rate */
  double task;        /* mean task duration, usec */
  double short_task;  /* STAFFING_SHORT_SHARE of the tasks end within this, usec */
  double ready;       /* launch to registration (mean), usec */
} Staffing;

/* Finished tasks observed before their durations are trusted. */
#define MIN_TASK_SAMPLES 5

static inline guint
resource_count (Decide     *d,
                const char *resource)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (d->resource_count, resource));
}

/* The resource an instance was launched for: our field, else its tag. */
static inline const char *
instance_resource (const ScalerInstance *instance)
{
  if (instance->resource != NULL)
    return instance->resource;
  return scaler_instance_get_tag (instance, SCALER_TAG_RESOURCE);
}

static inline const char *
queue_of_resource (Decide     *d,
                   const char *resource)
{
  const ScalerResource *res = resource ? g_hash_table_lookup (d->res_by_name, resource) : NULL;

  return res ? res->queue : NULL;
}

/* scaler-policy-fleet.c */
void          _scaler_policy_init                (Decide                *d,
                                                  const ScalerConfig    *config,
                                                  const ScalerSnapshot  *snapshot,
                                                  const ScalerLedger    *ledger,
                                                  gint64                 now,
                                                  const ScalerPolicyEnv *env);
ScalerPlan   *_scaler_policy_finish              (Decide                *d);
ScalerAction *_scaler_policy_add_action          (Decide                *d,
                                                  ScalerActionKind       kind,
                                                  ScalerReason           code,
                                                  const char            *format,
                                                  ...) G_GNUC_PRINTF (4, 5);
double        _scaler_policy_instance_price      (Decide                *d,
                                                  const ScalerInstance  *instance);
void          _scaler_policy_resource_count_add  (Decide                *d,
                                                  const char            *resource);
QueueStats   *_scaler_policy_queue_stats         (Decide                *d,
                                                  const char            *queue);
void          _scaler_policy_classify_workers    (Decide                *d);
void          _scaler_policy_release_terminating (Decide                *d);
void          _scaler_policy_collect_queue_stats (Decide                *d);

/* scaler-policy-staffing.c */
gboolean      _scaler_policy_queue_ready_time    (Decide                *d,
                                                  QueueStats            *stats,
                                                  gint64                *ready);
void          _scaler_policy_queue_staffing      (Decide                *d,
                                                  const char            *queue,
                                                  double                 ready,
                                                  Staffing              *out);
char         *_scaler_policy_staffing_why        (Decide                *d,
                                                  const char            *queue,
                                                  const Staffing        *staff);
guint         _scaler_policy_plan_staffing       (Decide                *d,
                                                  const char            *queue,
                                                  QueueStats            *stats,
                                                  guint                  pending,
                                                  gint64                 need);

/* scaler-policy-idle.c */
void          _scaler_policy_plan_terminations   (Decide                *d);

/* scaler-policy-launch.c */
void          _scaler_policy_plan_queue          (Decide                *d,
                                                  const char            *queue);

G_END_DECLS
