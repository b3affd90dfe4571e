/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-autoscaler-store.h: the saved autoscalers, one JSON file per
 * autoscaler (<directory>/<id>.json), as a GListModel of ScalerAutoscaler.
 *
 * CONTRACT (GUI sidebar, daemon):
 * - Main-thread objects; the store emits items-changed.
 * - Writes are atomic (temp file in the same directory, fsync, rename) with
 *   mode 0600. Secrets are never written (they are not part of ScalerConfig).
 * - A file that cannot be read or parsed becomes an item whose config is
 *   NULL and whose load-error says why. The store never writes over it; the
 *   other files still load.
 * - update() and rename() change the existing ScalerAutoscaler in place and
 *   notify "config" (and "name"): items are never removed and re-inserted for
 *   an edit (gtk_list_box_bind_model recreates rows on items-changed, losing
 *   the selection).
 * - Configs handed to the store are shared from then on: do not edit them
 *   (scaler_config_copy() first).
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"
#include "scaler-config.h"
#include "scaler-credentials.h"

G_BEGIN_DECLS

#define SCALER_TYPE_AUTOSCALER (scaler_autoscaler_get_type ())

G_DECLARE_FINAL_TYPE (ScalerAutoscaler, scaler_autoscaler, SCALER, AUTOSCALER, GObject)

/* Properties: "id", "name", "config" (boxed ScalerConfig, NULL when broken),
 * "path", "load-error" (NULL when the file loaded). All read-only. */
const char   *scaler_autoscaler_get_id         (ScalerAutoscaler *self);
/* The config's name; for a broken file, the file name. */
const char   *scaler_autoscaler_get_name       (ScalerAutoscaler *self);
/* (transfer none) (nullable) */
ScalerConfig *scaler_autoscaler_get_config     (ScalerAutoscaler *self);
const char   *scaler_autoscaler_get_path       (ScalerAutoscaler *self);
/* (nullable) */
const char   *scaler_autoscaler_get_load_error (ScalerAutoscaler *self);
gboolean      scaler_autoscaler_is_broken      (ScalerAutoscaler *self);

#define SCALER_TYPE_AUTOSCALER_STORE (scaler_autoscaler_store_get_type ())

G_DECLARE_FINAL_TYPE (ScalerAutoscalerStore, scaler_autoscaler_store, SCALER, AUTOSCALER_STORE, GObject)

/* g_get_user_config_dir()/ec2-autoscaler */
char                *scaler_autoscaler_store_dup_default_directory (void);

/* @directory: (nullable): NULL for the default directory. Nothing is read
 * until scaler_autoscaler_store_load(). The directory is created (0700) on the
 * first write. */
ScalerAutoscalerStore *scaler_autoscaler_store_new           (const char           *directory);
const char          *scaler_autoscaler_store_get_directory (ScalerAutoscalerStore  *self);

/* (Re)reads every *.json of the directory, sorted by name (then id). A
 * missing directory is an empty store. Broken files become broken items.
 * FALSE only when the directory exists but cannot be listed. */
gboolean             scaler_autoscaler_store_load          (ScalerAutoscalerStore  *self,
                                                          GError              **error);

/* Reads the directory again and applies the difference in place: items of
 * removed files go, new files come in (sorted), and an item whose file
 * changed keeps its object and notifies "config", "load-error" and "name"
 * for what changed (a file that now holds another id is a removal and an
 * addition). Same FALSE as load(). For a process that watches the
 * directory (the service). */
gboolean             scaler_autoscaler_store_refresh       (ScalerAutoscalerStore  *self,
                                                          GError              **error);

/* (transfer none) (nullable) */
ScalerAutoscaler *scaler_autoscaler_store_find          (ScalerAutoscalerStore  *self,
                                                          const char           *id);

/* Validates @config and writes it as <id>.json. Refused with
 * SCALER_ERROR_INVALID_CONFIG (the message lists every error, one
 * "<path>: <message>" per line) when it does not validate, and with
 * SCALER_ERROR_FAILED when the id is already in the store.
 * Returns: (transfer none) the new item. */
ScalerAutoscaler *scaler_autoscaler_store_add           (ScalerAutoscalerStore  *self,
                                                          ScalerConfig         *config,
                                                          GError              **error);
/* Replaces the config of the item with @config->id, in place (same object,
 * notifies "config" and, if it changed, "name"). Validates like add().
 * Refused for a broken item (its file is never overwritten). */
gboolean             scaler_autoscaler_store_update        (ScalerAutoscalerStore  *self,
                                                          ScalerConfig         *config,
                                                          GError              **error);
/* update(), which also replaces the file of a broken item with the same id:
 * an explicit user action (Update over D-Bus). */
gboolean             scaler_autoscaler_store_overwrite     (ScalerAutoscalerStore  *self,
                                                          ScalerConfig         *config,
                                                          GError              **error);
/* A copy under a new id, named "<name> (copy)". Secrets are not copied:
 * the caller copies them with ScalerCredentials.
 * Returns: (transfer none) the new item. */
ScalerAutoscaler *scaler_autoscaler_store_duplicate     (ScalerAutoscalerStore  *self,
                                                          const char           *id,
                                                          GError              **error);
gboolean             scaler_autoscaler_store_rename        (ScalerAutoscalerStore  *self,
                                                          const char           *id,
                                                          const char           *name,
                                                          GError              **error);
/* Removes the item and its file (a broken item too: this is an explicit
 * user action). Secrets are left alone; see delete_async(). */
gboolean             scaler_autoscaler_store_delete        (ScalerAutoscalerStore  *self,
                                                          const char           *id,
                                                          GError              **error);
/* delete(), then clears every secret of the autoscaler in @credentials
 * (nullable: then only the file). */
void                 scaler_autoscaler_store_delete_async  (ScalerAutoscalerStore  *self,
                                                          const char           *id,
                                                          ScalerCredentials    *credentials,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean             scaler_autoscaler_store_delete_finish (ScalerAutoscalerStore  *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

G_END_DECLS
