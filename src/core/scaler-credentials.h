/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-credentials.h: where the secrets of an autoscaler live.
 *
 * CONTRACT (config, GUI, daemon): an abstract GObject with asynchronous
 * store / lookup / clear of one secret, keyed by (instance id, kind). The
 * instance id is the config's UUID. Backends: ScalerCredentialsSecret
 * (libsecret, the real keyring) and ScalerCredentialsMemory (unit tests).
 * Call from the main thread; callbacks run in the thread-default main
 * context of the caller. Secret values are never logged.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"

G_BEGIN_DECLS

typedef enum
{
  SCALER_SECRET_AWS_ACCESS_KEY_ID,
  SCALER_SECRET_AWS_SECRET_ACCESS_KEY,
  SCALER_SECRET_AWS_SESSION_TOKEN,
  SCALER_SECRET_CLEARML_ACCESS_KEY,
  SCALER_SECRET_CLEARML_SECRET_KEY,
  SCALER_SECRET_GIT_PASSWORD,
} ScalerSecretKind;

#define SCALER_N_SECRET_KINDS 6

/* "aws-access-key-id", "aws-secret-access-key", "aws-session-token",
 * "clearml-access-key", "clearml-secret-key", "git-password". */
const char *scaler_secret_kind_to_string   (ScalerSecretKind  kind);
gboolean    scaler_secret_kind_from_string (const char       *name,
                                            ScalerSecretKind *kind);
/* The field of a ScalerSecrets that holds @kind. */
char      **scaler_secrets_get_field       (ScalerSecrets    *secrets,
                                            ScalerSecretKind  kind);

#define SCALER_TYPE_CREDENTIALS (scaler_credentials_get_type ())

G_DECLARE_DERIVABLE_TYPE (ScalerCredentials, scaler_credentials, SCALER, CREDENTIALS, GObject)

struct _ScalerCredentialsClass
{
  GObjectClass parent_class;

  /* The finish functions default to GTask's: a backend whose async calls
   * return a GTask (a boolean, or a g_free()-able string for lookups) sets
   * only the async ones. */

  /* Stores (replaces) one secret. @secret is a non-empty string. */
  void      (*store_async)   (ScalerCredentials   *self,
                              const char          *instance_id,
                              ScalerSecretKind     kind,
                              const char          *secret,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean  (*store_finish)  (ScalerCredentials   *self,
                              GAsyncResult        *result,
                              GError             **error);
  /* Finish returns NULL without an error when nothing is stored. */
  void      (*lookup_async)  (ScalerCredentials   *self,
                              const char          *instance_id,
                              ScalerSecretKind     kind,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  char     *(*lookup_finish) (ScalerCredentials   *self,
                              GAsyncResult        *result,
                              GError             **error);
  /* Finish returns TRUE also when there was nothing to clear. */
  void      (*clear_async)   (ScalerCredentials   *self,
                              const char          *instance_id,
                              ScalerSecretKind     kind,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean  (*clear_finish)  (ScalerCredentials   *self,
                              GAsyncResult        *result,
                              GError             **error);

  /*< private >*/
  gpointer padding[8];
};

void           scaler_credentials_store_async          (ScalerCredentials    *self,
                                                        const char           *instance_id,
                                                        ScalerSecretKind      kind,
                                                        const char           *secret,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean       scaler_credentials_store_finish         (ScalerCredentials    *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
void           scaler_credentials_lookup_async         (ScalerCredentials    *self,
                                                        const char           *instance_id,
                                                        ScalerSecretKind      kind,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
/* (transfer full) (nullable): NULL and no error when not stored. */
char          *scaler_credentials_lookup_finish        (ScalerCredentials    *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
void           scaler_credentials_clear_async          (ScalerCredentials    *self,
                                                        const char           *instance_id,
                                                        ScalerSecretKind      kind,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean       scaler_credentials_clear_finish         (ScalerCredentials    *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* Every field of @secrets: NULL fields are left alone, empty ("") fields are
 * cleared, others are stored. Stops at the first error. */
void           scaler_credentials_store_secrets_async  (ScalerCredentials    *self,
                                                        const char           *instance_id,
                                                        const ScalerSecrets  *secrets,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean       scaler_credentials_store_secrets_finish (ScalerCredentials    *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
/* Every kind; fields not stored stay NULL. (transfer full) */
void           scaler_credentials_lookup_secrets_async (ScalerCredentials    *self,
                                                        const char           *instance_id,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
ScalerSecrets *scaler_credentials_lookup_secrets_finish (ScalerCredentials   *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
/* Clears every kind of one instance. */
void           scaler_credentials_clear_all_async      (ScalerCredentials    *self,
                                                        const char           *instance_id,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean       scaler_credentials_clear_all_finish     (ScalerCredentials    *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

G_END_DECLS
