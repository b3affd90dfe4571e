/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-engine.h: one running autoscaler (docs/design.md, "Threads").
 *
 * ScalerEngine is a MAIN-THREAD object (created, used and signalled on the
 * thread whose main context was the thread-default when it was created). A
 * main-loop timer starts each cycle; the cycle (all blocking HTTP) runs on a
 * worker thread over an immutable copy of the config, one cycle at a time; the
 * next timer is armed when a cycle finishes. The worker returns an immutable,
 * ref-counted ScalerCycleResult which the main thread folds into the history
 * and the log before emitting "cycle-finished". Signals fire on the main thread
 * only.
 *
 * Signals:
 *   cycle-finished (ScalerCycleResult *result)
 *   log-line       (ScalerLogLevel level, const char *text)   -- one per line;
 *                  scaler_engine_get_log_line_time() is its time
 *   state-changed  ()   -- also notify::state; see "state" and "error-message"
 *
 * Ownership: the engine runs only while its owner holds a reference. A cycle
 * in flight does not keep it alive: dropping the last reference cancels that
 * cycle and never honours on_stop (stop_async() first to honour it).
 * Engines are built for a config by the composition root,
 * ScalerEngineRegistry (scaler-engine-registry.h); the engine itself knows
 * only the two seams, the policy, the ledger and the history.
 *
 * Properties (read-only): "state" (ScalerEngineState), "error-message"
 * (string, nullable), "config" (ScalerConfig, boxed), "history" (ScalerHistory).
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"
#include "scaler-config.h"
#include "scaler-cloud.h"
#include "scaler-queue-source.h"
#include "scaler-policy.h"
#include "scaler-history.h"
#include "scaler-enums.h"   /* SCALER_TYPE_ENGINE_STATE, _LOG_LEVEL, _WORKER_STATE */

G_BEGIN_DECLS

typedef enum
{
  SCALER_ENGINE_STATE_STOPPED,
  SCALER_ENGINE_STATE_STARTING,   /* started, first cycle not finished yet */
  SCALER_ENGINE_STATE_RUNNING,
  SCALER_ENGINE_STATE_STOPPING,   /* cancelling, then honouring on_stop */
  SCALER_ENGINE_STATE_ERROR,      /* the last cycle failed; it keeps retrying */
} ScalerEngineState;

typedef enum
{
  SCALER_LOG_LEVEL_DEBUG,
  SCALER_LOG_LEVEL_INFO,
  SCALER_LOG_LEVEL_WARNING,
  SCALER_LOG_LEVEL_ERROR,
} ScalerLogLevel;

/* What the worker of an instance is doing. */
typedef enum
{
  SCALER_WORKER_STATE_NONE,      /* no worker registered (booting, or lost) */
  SCALER_WORKER_STATE_IDLE,
  SCALER_WORKER_STATE_BUSY,
} ScalerWorkerState;

typedef struct
{
  char               *instance_id;
  char               *resource;          /* nullable (adopted, unknown resource) */
  char               *instance_type;
  char               *availability_zone; /* nullable */
  gboolean            spot;
  ScalerInstanceState state;
  ScalerWorkerState   worker_state;
  char               *worker_id;         /* nullable */
  gint64              idle_since;        /* usec, 0 unless idle */
  char               *task_id;           /* nullable, when busy */
  char               *task_name;         /* nullable */
  gint64              launch_time;       /* usec, 0 if unknown */
  double              uptime_s;
  double              usd_per_hour;      /* price used for the budget */
  double              cost_usd;          /* uptime x price, so far */
  gboolean            adopted;           /* not launched by this engine's ledger */
} ScalerInstanceRow;

typedef struct
{
  char    *resource;
  char    *queue;
  char    *instance_type;
  gboolean spot;
  guint    running;          /* live instances (booting + running) */
  guint    booting;          /* live instances without a worker + launches in flight */
  guint    max_instances;
  guint    pending;          /* pending tasks of its queue */
  gint64   backoff_until;    /* usec, 0 = not backing off (latest of its zones/markets) */
  char    *backoff_reason;   /* nullable */
} ScalerResourceRow;

typedef struct
{
  char          *queue;
  guint          pending;
  guint          idle_workers;
  guint          busy_workers;
} ScalerQueueRow;

typedef struct
{
  gint64          time;      /* usec (engine clock) */
  ScalerLogLevel  level;
  char           *text;
} ScalerLogLine;

/* Immutable once handed out; ref-counted, thread-safe refs. */
struct _ScalerCycleResult
{
  /*< private >*/
  gatomicrefcount ref_count;

  /*< public, read-only >*/
  gint64      time;                 /* engine clock at the start of the cycle */
  guint       cycle;                /* 1, 2, ... */
  gboolean    ok;                   /* FALSE: the cycle could not complete */
  char       *error_message;        /* nullable */
  GPtrArray  *instances;            /* ScalerInstanceRow* */
  GPtrArray  *resources;            /* ScalerResourceRow* */
  GPtrArray  *queues;               /* ScalerQueueRow* */
  GPtrArray  *actions;              /* ScalerAction*: executed actions (kind != NONE) */
  GPtrArray  *log_lines;            /* ScalerLogLine*: everything this cycle logged */
  guint       idle_workers;
  guint       busy_workers;
  guint       instances_by_state[SCALER_INSTANCE_STATE_STOPPED + 1];
  guint       launched;             /* successful launches this cycle */
  guint       terminated;           /* successful terminations this cycle */
  double      usd_per_hour;         /* running cost of the fleet after the cycle */
  gint64      next_cycle_delay;     /* usec (engine clock) */
};

GType              scaler_cycle_result_get_type (void) G_GNUC_CONST;
#define SCALER_TYPE_CYCLE_RESULT (scaler_cycle_result_get_type ())
ScalerCycleResult *scaler_cycle_result_ref      (ScalerCycleResult *self);
void               scaler_cycle_result_unref    (ScalerCycleResult *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerCycleResult, scaler_cycle_result_unref)

const char        *scaler_log_level_to_string   (ScalerLogLevel     level);
const char        *scaler_engine_state_to_string(ScalerEngineState  state);
const char        *scaler_worker_state_to_string(ScalerWorkerState  state);

/* The engine's clock (usec since the epoch). Default: g_get_real_time(). */
typedef gint64 (*ScalerNowFunc) (gpointer user_data);

/* The user-data of an instance of resource (nullable result = none). */
typedef char *(*ScalerUserDataFunc) (const ScalerConfig   *config,
                                     const ScalerResource *resource,
                                     gpointer              user_data,
                                     GError              **error);

#define SCALER_TYPE_ENGINE (scaler_engine_get_type ())
G_DECLARE_FINAL_TYPE (ScalerEngine, scaler_engine, SCALER, ENGINE, GObject)

/* state_dir: where the ledger lives (created if missing); NULL = keep the
 * ledger in memory only (tests). */
ScalerEngine      *scaler_engine_new            (ScalerConfig        *config,
                                                 ScalerCloud         *cloud,
                                                 ScalerQueueSource   *queues,
                                                 const char          *state_dir);
/* Before start(): the clock (e.g. a ScalerSim's virtual clock) and how many
 * clock seconds pass per real second (timer delays are divided by it;
 * default 1). */
void               scaler_engine_set_clock      (ScalerEngine        *self,
                                                 ScalerNowFunc        now_func,
                                                 gpointer             user_data,
                                                 GDestroyNotify       destroy);
void               scaler_engine_set_time_scale (ScalerEngine        *self,
                                                 double               clock_seconds_per_second);
/* Before start(): the on-demand price lookup (default: the price table). */
void               scaler_engine_set_price_func (ScalerEngine        *self,
                                                 ScalerPriceFunc      func,
                                                 gpointer             user_data);
/* Before start(): when FALSE (the default TRUE), no timer is armed: cycles run
 * only through run_cycle_async() (tests, --once). */
void               scaler_engine_set_autorun    (ScalerEngine        *self,
                                                 gboolean             autorun);
/* Before start(): the user-data of the instances it launches (the bootstrap
 * script); destroy frees user_data when replaced or with the engine. */
void               scaler_engine_set_user_data_func (ScalerEngine       *self,
                                                     ScalerUserDataFunc  func,
                                                     gpointer            user_data,
                                                     GDestroyNotify      destroy);
/* Before start(): the history it appends to (default: its own, 7 days at
 * the config's polling rate), e.g. one kept on disk by its owner. */
void               scaler_engine_set_history    (ScalerEngine        *self,
                                                 ScalerHistory       *history);

/* At any time (main thread): a new config of the same id, or new seams (new
 * credentials); the cycle in flight keeps what it started with, the next cycle
 * uses these. */
void               scaler_engine_set_config     (ScalerEngine        *self,
                                                 ScalerConfig        *config);
void               scaler_engine_set_seams      (ScalerEngine        *self,
                                                 ScalerCloud         *cloud,
                                                 ScalerQueueSource   *queues);

ScalerConfig      *scaler_engine_get_config     (ScalerEngine        *self);
ScalerCloud       *scaler_engine_get_cloud      (ScalerEngine        *self);
ScalerQueueSource *scaler_engine_get_queues     (ScalerEngine        *self);
ScalerHistory     *scaler_engine_get_history    (ScalerEngine        *self);
ScalerEngineState  scaler_engine_get_state      (ScalerEngine        *self);
/* Nullable: why the engine is in ERROR (or why the last cycle failed). */
const char        *scaler_engine_get_error_message (ScalerEngine     *self);
/* Nullable: the last finished cycle. */
ScalerCycleResult *scaler_engine_get_last_result (ScalerEngine       *self);
gboolean           scaler_engine_is_cycle_running (ScalerEngine      *self);
const char        *scaler_engine_get_state_dir  (ScalerEngine        *self);
/* Now on the engine's clock (a demo's virtual clock). */
gint64             scaler_engine_get_time       (ScalerEngine        *self);
/* Within a log-line handler: the time of that line on the engine's clock. */
gint64             scaler_engine_get_log_line_time (ScalerEngine     *self);

/* Loads the ledger (a corrupt one is kept aside as .corrupt and rebuilt from
 * the tagged fleet) and starts the first cycle at once. */
void               scaler_engine_start          (ScalerEngine        *self);
/* Cancels the in-flight cycle (aborting its HTTP), waits for it, then honours
 * the config's on_stop (keep / terminate idle / terminate all), within
 * about timeout_s seconds in total (<= 0: 20 s). */
void               scaler_engine_stop_async     (ScalerEngine        *self,
                                                 double               timeout_s,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean           scaler_engine_stop_finish    (ScalerEngine        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* One full cycle now (or right after the one in flight); the result says
 * whether it completed. Works whether or not the engine is started. */
void               scaler_engine_run_cycle_async  (ScalerEngine        *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
ScalerCycleResult *scaler_engine_run_cycle_finish (ScalerEngine        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* The next cycle treats every idle worker as past its idle time (busy workers
 * are still never touched); starts that cycle now if none is running. */
void               scaler_engine_terminate_idle_now (ScalerEngine      *self);
/* Queues the termination of one instance of OUR fleet (checked against the
 * last cycle's tagged fleet, and again in the cycle that executes it, which
 * starts now if none is running). FALSE + error if the id is not one of ours
 * or the engine is not started. */
gboolean           scaler_engine_terminate_instance (ScalerEngine      *self,
                                                     const char        *instance_id,
                                                     GError           **error);
/* Decoded console output of one of our instances (checked against the last
 * cycle's fleet; runs on a thread, after the cycle in flight). */
void               scaler_engine_get_console_output_async  (ScalerEngine        *self,
                                                            const char          *instance_id,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
char              *scaler_engine_get_console_output_finish (ScalerEngine        *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

G_END_DECLS
