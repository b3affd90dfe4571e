/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-history.h: the engine's time series (main-thread object).
 *
 * One ScalerSeries per quantity, holding 7 days at the polling rate
 * (capacity = 7 d / polling interval, at most 100 000 samples):
 *   "idle-workers", "busy-workers", "usd-per-hour",
 *   "pending:<queue>"                 one per queue,
 *   "instances:<resource>:<state>"    state = "booting" | "idle" | "busy"
 *                                     (booting = no worker yet; created
 *                                      lazily, the first time it is seen).
 * The engine appends one sample per series per finished cycle. "series-added"
 * (ScalerSeries *series) is emitted for lazily created series.
 */

#pragma once

#include <glib-object.h>

#include "scaler-types.h"
#include "scaler-series.h"

G_BEGIN_DECLS

#define SCALER_HISTORY_MAX_SAMPLES 100000

#define SCALER_TYPE_HISTORY (scaler_history_get_type ())
G_DECLARE_FINAL_TYPE (ScalerHistory, scaler_history, SCALER, HISTORY, GObject)

/* 7 days / polling interval, clamped to [16, SCALER_HISTORY_MAX_SAMPLES]. */
guint          scaler_history_capacity_for_interval (double polling_interval_min);

ScalerHistory *scaler_history_new               (guint              capacity);
guint          scaler_history_get_capacity      (ScalerHistory     *self);
ScalerSeries  *scaler_history_get_idle_workers  (ScalerHistory     *self);
ScalerSeries  *scaler_history_get_busy_workers  (ScalerHistory     *self);
ScalerSeries  *scaler_history_get_usd_per_hour  (ScalerHistory     *self);
/* Nullable until the queue/resource was seen. */
ScalerSeries  *scaler_history_get_pending       (ScalerHistory     *self,
                                                 const char        *queue);
ScalerSeries  *scaler_history_get_instances     (ScalerHistory     *self,
                                                 const char        *resource,
                                                 const char        *state);
/* Every series, in creation order (owned by the history). */
GPtrArray     *scaler_history_list_series       (ScalerHistory     *self);
/* Any series by name, or NULL. */
ScalerSeries  *scaler_history_lookup            (ScalerHistory     *self,
                                                 const char        *name);
/* The series @name, created (and "series-added" emitted) when missing: for
 * readers that restore a history (from disk, or from the bus). */
ScalerSeries  *scaler_history_ensure_series     (ScalerHistory     *self,
                                                 const char        *name);
/* Main thread: one sample per series at result->time. */
void           scaler_history_add_result        (ScalerHistory     *self,
                                                 ScalerCycleResult *result);
void           scaler_history_clear             (ScalerHistory     *self);

G_END_DECLS
