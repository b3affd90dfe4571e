/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-cycle.h: one scaling cycle, synchronous and thread-agnostic.
 *
 * snapshot (DescribeInstances, workers, pending, spot prices) -> reconcile the
 * ledger -> policy -> execute (zombies, terminations with a last-moment worker
 * re-check, launches with the ClientToken saved to disk first) -> an immutable
 * ScalerCycleResult. The engine runs it on its worker thread; the benchmark
 * and tests may call it directly. Never touches GObjects of the main thread.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"
#include "scaler-engine.h"
#include "scaler-ledger.h"
#include "scaler-policy.h"

G_BEGIN_DECLS

typedef struct
{
  const ScalerConfig *config;
  ScalerCloud        *cloud;
  ScalerQueueSource  *queues;
  ScalerLedger       *ledger;           /* read and updated */
  const char         *ledger_path;      /* nullable: not persisted */
  ScalerNowFunc       now_func;         /* NULL = g_get_real_time */
  gpointer            now_data;
  ScalerPolicyEnv     env;
  ScalerUserDataFunc  user_data_func;   /* nullable */
  gpointer            user_data_data;
  const char * const *terminate_ids;    /* nullable: asked for by the user */
  guint               cycle;            /* number of this cycle */
} ScalerCycleContext;

ScalerCycleResult *scaler_cycle_run     (ScalerCycleContext *ctx,
                                         GCancellable       *cancellable);
/* on_stop: terminate idle or all instances of the fleet (KEEP does nothing). */
ScalerCycleResult *scaler_cycle_on_stop (ScalerCycleContext *ctx,
                                         ScalerOnStop        on_stop,
                                         GCancellable       *cancellable);

/* An empty, ok result (no rows, actions or lines) to fill in: the cycle's
 * own, and readers that rebuild one (scaler-cycle-variant.h). */
ScalerCycleResult *scaler_cycle_result_new (gint64              time,
                                            guint               cycle);

/* A fresh ClientToken (<= 64 ASCII chars). */
char              *scaler_cycle_new_client_token (const ScalerConfig *config);

G_END_DECLS
