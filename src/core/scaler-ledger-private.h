/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-ledger-private.h: the ledger's fields, shared by its state and
 * reconcile (scaler-ledger.c), the demand it observes
 * (scaler-ledger-demand.c) and its file form (scaler-ledger-json.c). Not a
 * contract: internal to libscaler-core. */

#pragma once

#include "scaler-ledger.h"

G_BEGIN_DECLS

/* A cached spot price; the key is "instance type|zone". */
typedef struct
{
  double price;
  gint64 time;
} SpotPrice;

struct _ScalerLedger
{
  char       *config_id;
  GHashTable *launches;    /* token -> ScalerLedgerLaunch */
  GHashTable *idle_since;  /* worker id -> gint64* */
  GHashTable *backoffs;    /* key -> ScalerLedgerBackoff */
  GHashTable *spot_prices; /* "type|zone" -> SpotPrice */
  GHashTable *instances;   /* id -> ScalerLedgerInstance */
  GHashTable *pending_cur; /* queue -> PendingSeen (recent observations) */
  GHashTable *notes;       /* key -> last text (memory only) */
  GHashTable *tasks_cur;   /* worker id -> TaskSeen (memory only) */
  GHashTable *task_mean;   /* queue -> TaskMean (memory only) */
  GHashTable *arrivals;    /* queue -> Arrivals (memory only) */
  guint       throttle_count;
};

/* The key of self->backoffs: "resource|zone|spot" or "…|on-demand". */
char *_scaler_ledger_backoff_key (const char *resource,
                                  const char *zone,
                                  gboolean    spot);

/* Copies of the plain-data values of @from (@size bytes each, keys and
 * values g_free'd) into @to. Inline: the demand's copy needs it too, and
 * scaler-ledger-demand.c must not call back into scaler-ledger.c. */
static inline void
_scaler_ledger_copy_values (GHashTable *to,
                            GHashTable *from,
                            gsize       size)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (to, g_strdup (key), g_memdup2 (value, size));
}

/* The demand the ledger observes (scaler-ledger-demand.c): its tables
 * created, copied, and updated from a snapshot (@fleet: instance id ->
 * ScalerInstance of the snapshot). */
void  _scaler_ledger_demand_init    (ScalerLedger         *self);
void  _scaler_ledger_demand_copy    (ScalerLedger         *copy,
                                     const ScalerLedger   *self);
void  _scaler_ledger_observe_demand (ScalerLedger         *self,
                                     const ScalerConfig   *config,
                                     const ScalerSnapshot *snapshot,
                                     GHashTable           *fleet,
                                     gint64                now);

G_END_DECLS
