/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-plan.h: the data of one cycle: what it saw (ScalerSnapshot) and
 * what it decided (ScalerPlan, a list of ScalerAction). The policy
 * (scaler-policy.h) reads the one and writes the other; the cycle, the
 * ledger, the events and the app only read them.
 *
 * Times are microseconds since the Unix epoch (UTC).
 */

#pragma once

#include <glib.h>

#include "scaler-types.h"

G_BEGIN_DECLS

/* What the cycle saw. Owns everything it holds. */
struct _ScalerSnapshot
{
  gint64      time;
  GPtrArray  *instances;    /* ScalerInstance*: the tagged fleet (non-terminated) */
  GPtrArray  *workers;      /* ScalerWorker*: workers with our prefix */
  GHashTable *pending;      /* queue name -> GUINT_TO_POINTER (pending tasks) */
  GPtrArray  *spot_prices;  /* ScalerSpotPrice*: freshly fetched, may be empty */
};

ScalerSnapshot *scaler_snapshot_new         (gint64          time);
void            scaler_snapshot_free        (ScalerSnapshot *self);
/* Takes ownership of instance / worker. */
void            scaler_snapshot_add_instance(ScalerSnapshot *self,
                                             ScalerInstance *instance);
void            scaler_snapshot_add_worker  (ScalerSnapshot *self,
                                             ScalerWorker   *worker);
void            scaler_snapshot_set_pending (ScalerSnapshot *self,
                                             const char     *queue,
                                             guint           count);
guint           scaler_snapshot_get_pending (const ScalerSnapshot *self,
                                             const char     *queue);

typedef enum
{
  SCALER_ACTION_NONE,               /* a decision not to act; see code */
  SCALER_ACTION_LAUNCH,             /* RunInstances (client_token NULL = new token) */
  SCALER_ACTION_TERMINATE,          /* TerminateInstances of instance_id */
  SCALER_ACTION_UNREGISTER_WORKER,  /* workers.unregister of worker_id (zombie) */
  SCALER_ACTION_DROP_LAUNCH,        /* forget a launch in flight (ledger only) */
} ScalerActionKind;

/* Why: machine-readable, for tests and the GUI. */
typedef enum
{
  SCALER_REASON_NEED,               /* launch: pending tasks need it */
  SCALER_REASON_RETRY_LAUNCH,       /* launch: unanswered launch retried with the same token */
  SCALER_REASON_IDLE,               /* terminate: idle past max_idle_time_min */
  SCALER_REASON_BOOT_TIMEOUT,       /* terminate: no worker after max_spin_up_time_min */
  SCALER_REASON_USER,               /* terminate: asked by the user */
  SCALER_REASON_ZOMBIE,             /* unregister: its instance is gone */
  SCALER_REASON_NOT_NEEDED,         /* drop launch / nothing to do */
  SCALER_REASON_NOTHING_PENDING,    /* none: queue empty */
  SCALER_REASON_COVERED,            /* none: idle workers / booting instances cover the need */
  SCALER_REASON_WAITING_BOOT,       /* none: waiting for booting instances */
  SCALER_REASON_MAX_REACHED,        /* none: resource at max_instances */
  SCALER_REASON_BUDGET,             /* none: launch would exceed the hourly budget */
  SCALER_REASON_NO_PRICE,           /* none: no price known, budget cannot be checked */
  SCALER_REASON_BACKING_OFF,        /* none: every zone/market of the resource backs off */
  SCALER_REASON_KEEP_BUSY,          /* none: worker busy, kept */
  SCALER_REASON_KEEP_PENDING,       /* none: idle worker kept because its queue has tasks */
  SCALER_REASON_THROTTLED,          /* none: cycle slowed down after throttling */
  SCALER_REASON_NO_RESOURCE,        /* none: queue has no resource in the config */
  SCALER_REASON_FOREIGN,            /* none: worker whose instance is not ours, ignored */
  SCALER_REASON_ADOPTED,            /* none: a tagged instance we did not start, adopted */
  SCALER_REASON_WAITING_CONFIRM,    /* none: queued tasks wait, busy workers are expected to take them */
  SCALER_REASON_IDLE_EARLY,         /* terminate: idle_policy adaptive, keeping it idle is expected to
                                       cost more than a new instance later (before max_idle_time_min) */
  SCALER_REASON_KEEP_IDLE,          /* none: idle past the early threshold, kept: its queue is expected
                                       to need it before the break-even time */
  SCALER_REASON_STAFFING,           /* launch (and its note): a queue of tasks shorter than a boot is
                                       kept at the workers its waits need (the staffing floor) */
  SCALER_REASON_KEEP_STAFFING,      /* none: idle worker kept (until max_idle_time_min) within the
                                       staffing floor of its queue */
  SCALER_REASON_BALANCED_ROUNDS,    /* none: the caps leave tasks for another round anyway; fewer
                                       launches finish the queue as soon */
} ScalerReason;

typedef struct
{
  ScalerActionKind kind;
  ScalerReason     code;
  char            *queue;              /* nullable */
  char            *resource;           /* nullable */
  char            *instance_type;      /* nullable */
  char            *instance_id;        /* nullable */
  char            *worker_id;          /* nullable */
  char            *availability_zone;  /* nullable (launch) */
  char            *subnet_id;          /* nullable (launch) */
  gboolean         spot;               /* launch */
  char            *client_token;       /* launch retry / drop: the ledger's token */
  double           usd_per_hour;       /* launch: price used for the budget */
  gboolean         fetch_console;      /* terminate: log the console output first */
  char            *reason;             /* always set: one line for the log */
} ScalerAction;

ScalerAction *scaler_action_new       (ScalerActionKind    kind,
                                       ScalerReason        code);
ScalerAction *scaler_action_copy      (const ScalerAction *self);
void          scaler_action_free      (ScalerAction       *self);
const char   *scaler_action_kind_to_string (ScalerActionKind kind);
const char   *scaler_reason_to_string      (ScalerReason     code);

struct _ScalerPlan
{
  GPtrArray *actions;                  /* ScalerAction*, actions and non-actions, in order */
  gint64     next_cycle_delay;         /* usec until the next cycle */
  double     usd_per_hour;             /* running cost now (before the plan) */
  double     usd_per_hour_planned;     /* after the planned launches */
};

void          scaler_plan_free        (ScalerPlan         *self);
/* Number of actions of a kind (NONE counts non-actions). */
guint         scaler_plan_count       (const ScalerPlan   *self,
                                       ScalerActionKind    kind);
/* First action with this code, or NULL. */
const ScalerAction *scaler_plan_find  (const ScalerPlan   *self,
                                       ScalerReason        code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerSnapshot, scaler_snapshot_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerAction, scaler_action_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerPlan, scaler_plan_free)

G_END_DECLS
