/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-credentials.c: the abstract secret store and its helpers that work
 * on every kind of one instance. Secret values are never logged. */

#define G_LOG_DOMAIN "scaler-credentials"

#include "config.h"

#include <string.h>

#include "scaler-config.h"
#include "scaler-credentials.h"

G_DEFINE_ABSTRACT_TYPE (ScalerCredentials, scaler_credentials, G_TYPE_OBJECT)

static const char * const kind_names[SCALER_N_SECRET_KINDS] = {
  [SCALER_SECRET_AWS_ACCESS_KEY_ID] = "aws-access-key-id",
  [SCALER_SECRET_AWS_SECRET_ACCESS_KEY] = "aws-secret-access-key",
  [SCALER_SECRET_AWS_SESSION_TOKEN] = "aws-session-token",
  [SCALER_SECRET_CLEARML_ACCESS_KEY] = "clearml-access-key",
  [SCALER_SECRET_CLEARML_SECRET_KEY] = "clearml-secret-key",
  [SCALER_SECRET_GIT_PASSWORD] = "git-password",
};

const char *
scaler_secret_kind_to_string (ScalerSecretKind kind)
{
  g_return_val_if_fail ((guint) kind < SCALER_N_SECRET_KINDS, NULL);

  return kind_names[kind];
}

gboolean
scaler_secret_kind_from_string (const char       *name,
                                ScalerSecretKind *kind)
{
  for (guint i = 0; name != NULL && i < SCALER_N_SECRET_KINDS; i++)
    if (strcmp (kind_names[i], name) == 0)
      {
        if (kind != NULL)
          *kind = i;
        return TRUE;
      }

  return FALSE;
}

char **
scaler_secrets_get_field (ScalerSecrets    *secrets,
                          ScalerSecretKind  kind)
{
  g_return_val_if_fail (secrets != NULL, NULL);

  switch (kind)
    {
    case SCALER_SECRET_AWS_ACCESS_KEY_ID:
      return &secrets->aws_access_key_id;
    case SCALER_SECRET_AWS_SECRET_ACCESS_KEY:
      return &secrets->aws_secret_access_key;
    case SCALER_SECRET_AWS_SESSION_TOKEN:
      return &secrets->aws_session_token;
    case SCALER_SECRET_CLEARML_ACCESS_KEY:
      return &secrets->clearml_access_key;
    case SCALER_SECRET_CLEARML_SECRET_KEY:
      return &secrets->clearml_secret_key;
    case SCALER_SECRET_GIT_PASSWORD:
      return &secrets->git_password;
    default:
      g_return_val_if_reached (NULL);
    }
}

static gboolean
scaler_credentials_real_boolean_finish (ScalerCredentials  *self,
                                        GAsyncResult       *result,
                                        GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static char *
scaler_credentials_real_lookup_finish (ScalerCredentials  *self,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
scaler_credentials_class_init (ScalerCredentialsClass *klass)
{
  klass->store_finish = scaler_credentials_real_boolean_finish;
  klass->lookup_finish = scaler_credentials_real_lookup_finish;
  klass->clear_finish = scaler_credentials_real_boolean_finish;
}

static void
scaler_credentials_init (ScalerCredentials *self)
{
}

void
scaler_credentials_store_async (ScalerCredentials   *self,
                                const char          *instance_id,
                                ScalerSecretKind     kind,
                                const char          *secret,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (SCALER_IS_CREDENTIALS (self));
  g_return_if_fail (instance_id != NULL);
  g_return_if_fail ((guint) kind < SCALER_N_SECRET_KINDS);
  g_return_if_fail (secret != NULL && *secret != '\0');

  SCALER_CREDENTIALS_GET_CLASS (self)->store_async (self, instance_id, kind, secret,
                                                    cancellable, callback, user_data);
}

gboolean
scaler_credentials_store_finish (ScalerCredentials  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (SCALER_IS_CREDENTIALS (self), FALSE);

  return SCALER_CREDENTIALS_GET_CLASS (self)->store_finish (self, result, error);
}

void
scaler_credentials_lookup_async (ScalerCredentials   *self,
                                 const char          *instance_id,
                                 ScalerSecretKind     kind,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (SCALER_IS_CREDENTIALS (self));
  g_return_if_fail (instance_id != NULL);
  g_return_if_fail ((guint) kind < SCALER_N_SECRET_KINDS);

  SCALER_CREDENTIALS_GET_CLASS (self)->lookup_async (self, instance_id, kind,
                                                     cancellable, callback, user_data);
}

char *
scaler_credentials_lookup_finish (ScalerCredentials  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  g_return_val_if_fail (SCALER_IS_CREDENTIALS (self), NULL);

  return SCALER_CREDENTIALS_GET_CLASS (self)->lookup_finish (self, result, error);
}

void
scaler_credentials_clear_async (ScalerCredentials   *self,
                                const char          *instance_id,
                                ScalerSecretKind     kind,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (SCALER_IS_CREDENTIALS (self));
  g_return_if_fail (instance_id != NULL);
  g_return_if_fail ((guint) kind < SCALER_N_SECRET_KINDS);

  SCALER_CREDENTIALS_GET_CLASS (self)->clear_async (self, instance_id, kind,
                                                    cancellable, callback, user_data);
}

gboolean
scaler_credentials_clear_finish (ScalerCredentials  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (SCALER_IS_CREDENTIALS (self), FALSE);

  return SCALER_CREDENTIALS_GET_CLASS (self)->clear_finish (self, result, error);
}

/* Operations over every kind, one after the other. */

typedef enum
{
  BATCH_STORE,
  BATCH_LOOKUP,
  BATCH_CLEAR,
} BatchOp;

typedef struct
{
  BatchOp        op;
  char          *instance_id;
  ScalerSecrets *secrets;   /* input for STORE, output for LOOKUP */
  guint          next;      /* next kind */
} Batch;

static void
batch_free (Batch *batch)
{
  g_free (batch->instance_id);
  g_clear_pointer (&batch->secrets, scaler_secrets_free);
  g_free (batch);
}

static void batch_step (GTask *task);

static void
batch_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScalerCredentials *self = SCALER_CREDENTIALS (object);
  Batch *batch = g_task_get_task_data (task);
  ScalerSecretKind kind = batch->next - 1;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  g_assert (SCALER_IS_CREDENTIALS (self));
  g_assert (G_IS_TASK (task));

  switch (batch->op)
    {
    case BATCH_STORE:
      {
        char *value = *scaler_secrets_get_field (batch->secrets, kind);

        if (*value == '\0')
          ok = scaler_credentials_clear_finish (self, result, &error);
        else
          ok = scaler_credentials_store_finish (self, result, &error);
      }
      break;

    case BATCH_LOOKUP:
      {
        char *value = scaler_credentials_lookup_finish (self, result, &error);

        ok = error == NULL;
        *scaler_secrets_get_field (batch->secrets, kind) = value;
      }
      break;

    case BATCH_CLEAR:
      ok = scaler_credentials_clear_finish (self, result, &error);
      break;

    default:
      g_assert_not_reached ();
    }

  if (!ok)
    {
      g_prefix_error (&error, "%s: ", scaler_secret_kind_to_string (kind));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  batch_step (g_steal_pointer (&task));
}

static void
batch_step (GTask *task)
{
  ScalerCredentials *self = g_task_get_source_object (task);
  Batch *batch = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  while (batch->next < SCALER_N_SECRET_KINDS)
    {
      ScalerSecretKind kind = batch->next++;

      switch (batch->op)
        {
        case BATCH_STORE:
          {
            const char *value = *scaler_secrets_get_field (batch->secrets, kind);

            if (value == NULL)
              continue;
            if (*value == '\0')
              scaler_credentials_clear_async (self, batch->instance_id, kind, cancellable,
                                              batch_done_cb, task);
            else
              scaler_credentials_store_async (self, batch->instance_id, kind, value, cancellable,
                                              batch_done_cb, task);
          }
          return;

        case BATCH_LOOKUP:
          scaler_credentials_lookup_async (self, batch->instance_id, kind, cancellable,
                                           batch_done_cb, task);
          return;

        case BATCH_CLEAR:
          scaler_credentials_clear_async (self, batch->instance_id, kind, cancellable,
                                          batch_done_cb, task);
          return;

        default:
          g_assert_not_reached ();
        }
    }

  if (batch->op == BATCH_LOOKUP)
    g_task_return_pointer (task, g_steal_pointer (&batch->secrets), (GDestroyNotify) scaler_secrets_free);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
batch_start (ScalerCredentials   *self,
             BatchOp              op,
             const char          *instance_id,
             ScalerSecrets       *secrets,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Batch *batch = g_new0 (Batch, 1);

  g_task_set_source_tag (task, source_tag);
  batch->op = op;
  batch->instance_id = g_strdup (instance_id);
  batch->secrets = secrets;
  g_task_set_task_data (task, batch, (GDestroyNotify) batch_free);

  batch_step (task);
}

void
scaler_credentials_store_secrets_async (ScalerCredentials   *self,
                                        const char          *instance_id,
                                        const ScalerSecrets *secrets,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (SCALER_IS_CREDENTIALS (self));
  g_return_if_fail (instance_id != NULL);
  g_return_if_fail (secrets != NULL);

  batch_start (self, BATCH_STORE, instance_id, scaler_secrets_copy (secrets),
               cancellable, callback, user_data, scaler_credentials_store_secrets_async);
}

gboolean
scaler_credentials_store_secrets_finish (ScalerCredentials  *self,
                                         GAsyncResult       *result,
                                         GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
scaler_credentials_lookup_secrets_async (ScalerCredentials   *self,
                                         const char          *instance_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (SCALER_IS_CREDENTIALS (self));
  g_return_if_fail (instance_id != NULL);

  batch_start (self, BATCH_LOOKUP, instance_id, scaler_secrets_new (),
               cancellable, callback, user_data, scaler_credentials_lookup_secrets_async);
}

ScalerSecrets *
scaler_credentials_lookup_secrets_finish (ScalerCredentials  *self,
                                          GAsyncResult       *result,
                                          GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
scaler_credentials_clear_all_async (ScalerCredentials   *self,
                                    const char          *instance_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (SCALER_IS_CREDENTIALS (self));
  g_return_if_fail (instance_id != NULL);

  batch_start (self, BATCH_CLEAR, instance_id, NULL,
               cancellable, callback, user_data, scaler_credentials_clear_all_async);
}

gboolean
scaler_credentials_clear_all_finish (ScalerCredentials  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
