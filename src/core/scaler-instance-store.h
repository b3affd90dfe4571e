/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-instance-store.h: the saved autoscaler instances, one JSON file per
 * instance (<directory>/<id>.json), as a GListModel of ScalerSavedInstance.
 *
 * CONTRACT (GUI sidebar, daemon):
 * - Main-thread objects; the store emits items-changed.
 * - Writes are atomic (temp file in the same directory, fsync, rename) with
 *   mode 0600. Secrets are never written (they are not part of ScalerConfig).
 * - A file that cannot be read or parsed becomes an item whose config is
 *   NULL and whose load-error says why. The store never writes over it; the
 *   other files still load.
 * - update() and rename() change the existing ScalerSavedInstance in place and
 *   notify "config" (and "name"): items are never removed and re-inserted for
 *   an edit (STYLE.md pitfall 14).
 * - Configs handed to the store are shared from then on: do not edit them
 *   (scaler_config_copy() first).
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"
#include "scaler-config.h"
#include "scaler-credentials.h"

G_BEGIN_DECLS

#define SCALER_TYPE_SAVED_INSTANCE (scaler_saved_instance_get_type ())

G_DECLARE_FINAL_TYPE (ScalerSavedInstance, scaler_saved_instance, SCALER, SAVED_INSTANCE, GObject)

/* Properties: "id", "name", "config" (boxed ScalerConfig, NULL when broken),
 * "path", "load-error" (NULL when the file loaded). All read-only. */
const char   *scaler_saved_instance_get_id         (ScalerSavedInstance *self);
/* The config's name; for a broken file, the file name. */
const char   *scaler_saved_instance_get_name       (ScalerSavedInstance *self);
/* (transfer none) (nullable) */
ScalerConfig *scaler_saved_instance_get_config     (ScalerSavedInstance *self);
const char   *scaler_saved_instance_get_path       (ScalerSavedInstance *self);
/* (nullable) */
const char   *scaler_saved_instance_get_load_error (ScalerSavedInstance *self);
gboolean      scaler_saved_instance_is_broken      (ScalerSavedInstance *self);

#define SCALER_TYPE_INSTANCE_STORE (scaler_instance_store_get_type ())

G_DECLARE_FINAL_TYPE (ScalerInstanceStore, scaler_instance_store, SCALER, INSTANCE_STORE, GObject)

/* g_get_user_config_dir()/ec2-autoscaler */
char                *scaler_instance_store_dup_default_directory (void);

/* @directory: (nullable): NULL for the default directory. Nothing is read
 * until scaler_instance_store_load(). The directory is created (0700) on the
 * first write. */
ScalerInstanceStore *scaler_instance_store_new           (const char           *directory);
const char          *scaler_instance_store_get_directory (ScalerInstanceStore  *self);

/* (Re)reads every *.json of the directory, sorted by name (then id). A
 * missing directory is an empty store. Broken files become broken items.
 * FALSE only when the directory exists but cannot be listed. */
gboolean             scaler_instance_store_load          (ScalerInstanceStore  *self,
                                                          GError              **error);

/* (transfer none) (nullable) */
ScalerSavedInstance *scaler_instance_store_find          (ScalerInstanceStore  *self,
                                                          const char           *id);

/* Validates @config and writes it as <id>.json. Refused with
 * SCALER_ERROR_INVALID_CONFIG (the message lists every error, one
 * "<path>: <message>" per line) when it does not validate, and with
 * SCALER_ERROR_FAILED when the id is already in the store.
 * Returns: (transfer none) the new item. */
ScalerSavedInstance *scaler_instance_store_add           (ScalerInstanceStore  *self,
                                                          ScalerConfig         *config,
                                                          GError              **error);
/* Replaces the config of the item with @config->id, in place (same object,
 * notifies "config" and, if it changed, "name"). Validates like add().
 * Refused for a broken item (its file is never overwritten). */
gboolean             scaler_instance_store_update        (ScalerInstanceStore  *self,
                                                          ScalerConfig         *config,
                                                          GError              **error);
/* A copy under a new id, named "<name> (copy)". Secrets are not copied:
 * the caller copies them with ScalerCredentials.
 * Returns: (transfer none) the new item. */
ScalerSavedInstance *scaler_instance_store_duplicate     (ScalerInstanceStore  *self,
                                                          const char           *id,
                                                          GError              **error);
gboolean             scaler_instance_store_rename        (ScalerInstanceStore  *self,
                                                          const char           *id,
                                                          const char           *name,
                                                          GError              **error);
/* Removes the item and its file (a broken item too: this is an explicit
 * user action). Secrets are left alone; see delete_async(). */
gboolean             scaler_instance_store_delete        (ScalerInstanceStore  *self,
                                                          const char           *id,
                                                          GError              **error);
/* delete(), then clears every secret of the instance in @credentials
 * (nullable: then only the file). */
void                 scaler_instance_store_delete_async  (ScalerInstanceStore  *self,
                                                          const char           *id,
                                                          ScalerCredentials    *credentials,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean             scaler_instance_store_delete_finish (ScalerInstanceStore  *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

G_END_DECLS
