/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-credentials-memory.c: secrets in a hash table, for unit tests.
 * Results go through GTask, so callbacks never run before *_async returns. */

#define G_LOG_DOMAIN "scaler-credentials"

#include "config.h"

#include <string.h>

#include "scaler-credentials-memory.h"
#include "scaler-util.h"

struct _ScalerCredentialsMemory
{
  ScalerCredentials parent_instance;

  GHashTable *secrets;  /* "<instance id>/<kind>" -> secret */
};

G_DEFINE_FINAL_TYPE (ScalerCredentialsMemory, scaler_credentials_memory, SCALER_TYPE_CREDENTIALS)

static char *
make_key (const char       *instance_id,
          ScalerSecretKind  kind)
{
  return g_strdup_printf ("%s/%s", instance_id, scaler_secret_kind_to_string (kind));
}

static void
scaler_credentials_memory_store_async (ScalerCredentials   *credentials,
                                       const char          *instance_id,
                                       ScalerSecretKind     kind,
                                       const char          *secret,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  ScalerCredentialsMemory *self = SCALER_CREDENTIALS_MEMORY (credentials);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, scaler_credentials_memory_store_async);
  if (g_task_return_error_if_cancelled (task))
    return;

  g_hash_table_replace (self->secrets, make_key (instance_id, kind), g_strdup (secret));
  g_task_return_boolean (task, TRUE);
}

static void
scaler_credentials_memory_lookup_async (ScalerCredentials   *credentials,
                                        const char          *instance_id,
                                        ScalerSecretKind     kind,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  ScalerCredentialsMemory *self = SCALER_CREDENTIALS_MEMORY (credentials);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *key = make_key (instance_id, kind);

  g_task_set_source_tag (task, scaler_credentials_memory_lookup_async);
  if (g_task_return_error_if_cancelled (task))
    return;

  g_task_return_pointer (task, g_strdup (g_hash_table_lookup (self->secrets, key)),
                         (GDestroyNotify) scaler_secret_free);
}

static void
scaler_credentials_memory_clear_async (ScalerCredentials   *credentials,
                                       const char          *instance_id,
                                       ScalerSecretKind     kind,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  ScalerCredentialsMemory *self = SCALER_CREDENTIALS_MEMORY (credentials);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *key = make_key (instance_id, kind);

  g_task_set_source_tag (task, scaler_credentials_memory_clear_async);
  if (g_task_return_error_if_cancelled (task))
    return;

  g_hash_table_remove (self->secrets, key);
  g_task_return_boolean (task, TRUE);
}

static void
scaler_credentials_memory_finalize (GObject *object)
{
  ScalerCredentialsMemory *self = SCALER_CREDENTIALS_MEMORY (object);

  g_clear_pointer (&self->secrets, g_hash_table_unref);

  G_OBJECT_CLASS (scaler_credentials_memory_parent_class)->finalize (object);
}

static void
scaler_credentials_memory_class_init (ScalerCredentialsMemoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ScalerCredentialsClass *credentials_class = SCALER_CREDENTIALS_CLASS (klass);

  object_class->finalize = scaler_credentials_memory_finalize;

  credentials_class->store_async = scaler_credentials_memory_store_async;
  credentials_class->lookup_async = scaler_credentials_memory_lookup_async;
  credentials_class->clear_async = scaler_credentials_memory_clear_async;
}

static void
scaler_credentials_memory_init (ScalerCredentialsMemory *self)
{
  self->secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) scaler_secret_free);
}

ScalerCredentials *
scaler_credentials_memory_new (void)
{
  return g_object_new (SCALER_TYPE_CREDENTIALS_MEMORY, NULL);
}

guint
scaler_credentials_memory_get_n_items (ScalerCredentialsMemory *self)
{
  g_return_val_if_fail (SCALER_IS_CREDENTIALS_MEMORY (self), 0);

  return g_hash_table_size (self->secrets);
}
