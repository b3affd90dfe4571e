/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-ledger.h: what the engine must remember across cycles and restarts.
 *
 *  - launches in flight with their ClientToken, written to disk BEFORE
 *    RunInstances is sent, so a restart (even after kill -9 between "ledger
 *    saved" and "RunInstances answered") finds the token, sees the instance in
 *    DescribeInstances (match by client token) or retries with the SAME token
 *    (EC2 idempotency: no double launch);
 *  - when each worker was first seen idle;
 *  - back-off per (resource, zone, market) after capacity/quota errors, and
 *    the throttling state;
 *  - the spot price cache;
 *  - the instances seen in the fleet (to notice adoptions and vanished
 *    instances, whose workers are zombies).
 *
 * Saved atomically (temp file, fsync, rename) as JSON. Plain data, not
 * thread-safe: one owner at a time (the cycle on the worker thread).
 */

#pragma once

#include <glib.h>

#include "scaler-types.h"
#include "scaler-config.h"
#include "scaler-policy.h"

G_BEGIN_DECLS

#define SCALER_LEDGER_VERSION 1
#define SCALER_LEDGER_FILE    "ledger.json"

typedef struct
{
  char    *client_token;
  char    *resource;
  char    *instance_type;
  char    *availability_zone;  /* nullable */
  char    *subnet_id;          /* nullable */
  gboolean spot;
  gint64   created;            /* first written */
  gint64   last_attempt;       /* last RunInstances sent */
  guint    attempts;
  char    *instance_id;        /* nullable: NULL until RunInstances answered */
  double   usd_per_hour;
} ScalerLedgerLaunch;

typedef struct
{
  char    *resource;
  char    *zone;               /* "" = the resource's default placement */
  gboolean spot;
  guint    failures;
  gint64   until;              /* usec */
  char    *reason;
} ScalerLedgerBackoff;

typedef struct
{
  char    *instance_id;
  char    *resource;           /* nullable */
  gint64   first_seen;
  gint64   last_seen;
  gint64   gone_since;         /* 0 while in the fleet */
  gboolean adopted;            /* not launched through this ledger */
  char    *subnet_id;          /* nullable, memory only: where it was seen running */
} ScalerLedgerInstance;

ScalerLedger *scaler_ledger_new          (const char          *config_id);
void          scaler_ledger_free         (ScalerLedger        *self);
ScalerLedger *scaler_ledger_copy         (const ScalerLedger  *self);
const char   *scaler_ledger_get_config_id(const ScalerLedger  *self);

/* JSON form. new_from_json fails (SCALER_ERROR_PARSE) on anything malformed,
 * naming what is wrong; it never crashes on hostile input. */
char         *scaler_ledger_to_json      (const ScalerLedger  *self);
ScalerLedger *scaler_ledger_new_from_json(const char          *json,
                                          gssize               length,
                                          GError             **error);
/* Atomic (scaler_file_replace): a temp file, fsync, rename, fsync of the
 * folder; SCALER_ERROR_IO on failure, the old file left as it was. */
gboolean      scaler_ledger_save         (const ScalerLedger  *self,
                                          const char          *path,
                                          GError             **error);
/* A missing file gives an empty ledger. A corrupt one (or one of another
 * config) is renamed to path.corrupt and an empty ledger is returned, with
 * *warning saying so (the fleet is then rebuilt from the tags). NULL only for
 * I/O errors other than "missing". */
ScalerLedger *scaler_ledger_load         (const char          *path,
                                          const char          *config_id,
                                          char               **warning,
                                          GError             **error);

/* Launches in flight. add takes ownership. */
ScalerLedgerLaunch *scaler_ledger_launch_new  (void);
void                scaler_ledger_launch_free (ScalerLedgerLaunch *launch);
void          scaler_ledger_add_launch   (ScalerLedger        *self,
                                          ScalerLedgerLaunch  *launch);
ScalerLedgerLaunch *scaler_ledger_get_launch (const ScalerLedger *self,
                                              const char         *client_token);
gboolean      scaler_ledger_remove_launch(ScalerLedger        *self,
                                          const char          *client_token);
/* Sorted by creation time; const ScalerLedgerLaunch*, owned by the ledger. */
GPtrArray    *scaler_ledger_list_launches(const ScalerLedger  *self);

/* Idle tracking: 0 = not known to be idle. */
gint64        scaler_ledger_get_idle_since (const ScalerLedger *self,
                                            const char         *worker_id);
void          scaler_ledger_set_idle_since (ScalerLedger       *self,
                                            const char         *worker_id,
                                            gint64              since);

/* Back-off per (resource, zone, market); zone NULL = "". */
const ScalerLedgerBackoff *scaler_ledger_get_backoff (const ScalerLedger *self,
                                                      const char         *resource,
                                                      const char         *zone,
                                                      gboolean            spot);
/* Exponential: 2, 4, 8, ... polling intervals (capped), starting now. */
void          scaler_ledger_record_failure (ScalerLedger       *self,
                                            const ScalerConfig *config,
                                            const char         *resource,
                                            const char         *zone,
                                            gboolean            spot,
                                            gint64              now,
                                            const char         *reason);
void          scaler_ledger_record_success (ScalerLedger       *self,
                                            const char         *resource,
                                            const char         *zone,
                                            gboolean            spot);
GPtrArray    *scaler_ledger_list_backoffs  (const ScalerLedger *self);

/* Throttling: consecutive throttled cycles (0 = none). */
guint         scaler_ledger_get_throttle_count (const ScalerLedger *self);
void          scaler_ledger_record_throttle    (ScalerLedger       *self);
void          scaler_ledger_clear_throttle     (ScalerLedger       *self);

/* Spot price cache. */
void          scaler_ledger_set_spot_price (ScalerLedger       *self,
                                            const char         *instance_type,
                                            const char         *zone,
                                            double              usd_per_hour,
                                            gint64              time);
gboolean      scaler_ledger_get_spot_price (const ScalerLedger *self,
                                            const char         *instance_type,
                                            const char         *zone,
                                            double             *usd_per_hour,
                                            gint64             *time);

/* Pending tasks of a queue over the last few observations (kept in memory,
 * not saved): the minimum count of the observations BEFORE the latest one
 * made at or after *time (in: the window start; out: the oldest observation
 * used). The policy launches for demand that persisted while busy workers
 * could have absorbed it. FALSE if there is no such observation. */
gboolean      scaler_ledger_get_previous_pending (const ScalerLedger *self,
                                                  const char         *queue,
                                                  guint              *count,
                                                  gint64             *time);

/* Mean duration of the tasks of a queue, as observed from its workers'
 * current task across snapshots (memory only, not saved: a moving average
 * that starts again after a restart). FALSE before the first finished task
 * was seen. mean_usec and samples may be NULL. */
gboolean      scaler_ledger_get_task_duration (const ScalerLedger *self,
                                               const char         *queue,
                                               gint64             *mean_usec,
                                               guint              *samples);

/* The durations of the queue's last (up to 64) finished tasks, as
 * observed like the mean above:
 *  - finish_probability: the share of those longer than elapsed that end
 *    within horizon more (0 when none is longer): the probability that a
 *    task running for elapsed finishes within horizon;
 *  - quantile: the shortest duration that share of them do not exceed.
 * FALSE before the first finished task was seen. samples may be NULL. */
gboolean      scaler_ledger_get_task_finish_probability (const ScalerLedger *self,
                                                         const char         *queue,
                                                         gint64              elapsed,
                                                         gint64              horizon,
                                                         double             *probability,
                                                         guint              *samples);
gboolean      scaler_ledger_get_task_quantile (const ScalerLedger *self,
                                               const char         *queue,
                                               double              share,
                                               gint64             *usec,
                                               guint              *samples);
/* When the worker's current task was first seen running (0 = unknown). */
gint64        scaler_ledger_get_task_since    (const ScalerLedger *self,
                                               const char         *worker_id);

/* Arrival rate of a queue's tasks (per hour), estimated at each observation
 * from the change in pending + busy tasks and the tasks expected to have
 * finished (busy workers x elapsed time / mean task duration): the tasks
 * that arrived over the time elapsed, both weighted by exp(-age / 30 min)
 * (memory only, not saved). FALSE until the queue's task duration is known
 * and two observations were made. per_hour and samples may be NULL. */
gboolean      scaler_ledger_get_arrival_rate (const ScalerLedger *self,
                                              const char         *queue,
                                              double             *per_hour,
                                              guint              *samples);

/* The same rate averaged over 3 hours: steadier, slower to follow a
 * change. FALSE when the rate above is. per_hour may be NULL. */
gboolean      scaler_ledger_get_slow_arrival_rate  (const ScalerLedger *self,
                                                    const char         *queue,
                                                    double             *per_hour);
/* The index of dispersion (variance / mean) of the queue's arrivals per
 * observation interval, over the same 3 hours: about 1 for independent
 * (Poisson) arrivals, about the mean burst size (E[S^2] / E[S]) when tasks
 * come in bursts. FALSE until an arrival was seen. index may be NULL. */
gboolean      scaler_ledger_get_arrival_dispersion (const ScalerLedger *self,
                                                    const char         *queue,
                                                    double             *index);

/* Remembers text under key (memory only); TRUE if it differs from the text
 * remembered before (or none was): lets repeated notes drop to DEBUG. */
gboolean      scaler_ledger_note_changed   (ScalerLedger       *self,
                                            const char         *key,
                                            const char         *text);

/* Instances seen in the fleet (NULL if never seen). */
const ScalerLedgerInstance *scaler_ledger_get_instance (const ScalerLedger *self,
                                                        const char         *instance_id);
/* Every instance seen in the fleet and not forgotten yet (gone ones too, for
 * a day); const ScalerLedgerInstance*, owned by the ledger. */
GPtrArray    *scaler_ledger_list_instances (const ScalerLedger *self);
/* Remember that we terminated it (its worker becomes a zombie). */
void          scaler_ledger_mark_gone      (ScalerLedger       *self,
                                            const char         *instance_id,
                                            gint64              now);

/* Reconciles the ledger with a fresh snapshot: resolves launches whose
 * instance shows up (by client token or id), drops answered launches that
 * never showed up within max_spin_up_time_min, records adopted and vanished
 * instances, updates the idle-since times (first seen idle; cleared when busy
 * or gone), caches the snapshot's spot prices. Appends one line per event
 * worth logging to messages (char*) if not NULL. */
void          scaler_ledger_observe        (ScalerLedger         *self,
                                            const ScalerConfig   *config,
                                            const ScalerSnapshot *snapshot,
                                            gint64                now,
                                            GPtrArray            *messages);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerLedger, scaler_ledger_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerLedgerLaunch, scaler_ledger_launch_free)

G_END_DECLS
