/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-ledger-private.h: the ledger's fields, shared by its state and
 * reconcile (scaler-ledger.c) and its file form (scaler-ledger-json.c). Not
 * a contract: internal to libscaler-core. */

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

G_END_DECLS
