/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-credentials-secret.c: secrets in the Secret Service (gnome-keyring)
 * through libsecret's asynchronous password API. Secret values are never
 * logged; only kinds and instance ids appear in errors. */

#define G_LOG_DOMAIN "scaler-credentials"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "scaler-credentials-secret.h"

struct _ScalerCredentialsSecret
{
  ScalerCredentials parent_instance;
};

G_DEFINE_FINAL_TYPE (ScalerCredentialsSecret, scaler_credentials_secret, SCALER_TYPE_CREDENTIALS)

const SecretSchema *
scaler_credentials_secret_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.ec2autoscaler.Autoscaler", SECRET_SCHEMA_NONE,
    {
      { "instance-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (G_IS_TASK (task));

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
scaler_credentials_secret_store_async (ScalerCredentials   *self,
                                       const char          *instance_id,
                                       ScalerSecretKind     kind,
                                       const char          *secret,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  const char *kind_name = scaler_secret_kind_to_string (kind);
  /* Translators: a keyring item label, e.g. "EC2 Autoscaler: aws-secret-access-key for 5b0f…" */
  g_autofree char *label = g_strdup_printf (_("EC2 Autoscaler: %s for %s"), kind_name, instance_id);

  g_task_set_source_tag (task, scaler_credentials_secret_store_async);
  secret_password_store (scaler_credentials_secret_get_schema (), SECRET_COLLECTION_DEFAULT,
                         label, secret, cancellable, store_cb, task,
                         "instance-id", instance_id,
                         "kind", kind_name,
                         NULL);
}

/* A lookup is a search, then the secret of the item found, instead of
 * secret_password_lookup(): in libsecret before 0.21.2 that path leaks the
 * GetSecrets reply of every secret it finds (libsecret commit 92705b5,
 * "secret-paths: Make sure to unref GVariant"; Debian 12 ships 0.20.5), and
 * the service looks secrets up for as long as it runs. */
static void
retrieve_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  SecretValue *value;

  value = secret_retrievable_retrieve_secret_finish (SECRET_RETRIEVABLE (object), result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, value != NULL ? (GDestroyNotify) secret_value_unref : NULL);
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GList *items;

  g_assert (G_IS_TASK (task));

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (items == NULL)
    g_task_return_pointer (task, NULL, NULL);
  else
    /* The retrieval holds the item until it is done. */
    secret_retrievable_retrieve_secret (items->data, cancellable, retrieve_cb, g_steal_pointer (&task));
  g_list_free_full (items, g_object_unref);
}

static void
scaler_credentials_secret_lookup_async (ScalerCredentials   *self,
                                        const char          *instance_id,
                                        ScalerSecretKind     kind,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, scaler_credentials_secret_lookup_async);
  /* Unlocks a locked item, as secret_password_lookup() would; the first match only. */
  secret_password_search (scaler_credentials_secret_get_schema (), SECRET_SEARCH_UNLOCK, cancellable,
                          search_cb, task,
                          "instance-id", instance_id,
                          "kind", scaler_secret_kind_to_string (kind),
                          NULL);
}

static char *
scaler_credentials_secret_lookup_finish (ScalerCredentials  *self,
                                         GAsyncResult       *result,
                                         GError            **error)
{
  SecretValue *value;
  char *copy;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  /* Hand out a g_free()-able copy; libsecret wipes its buffer. A value that
   * is not text is no password: none, as in secret_password_lookup()
   * (gnome-keyring answers every value as text/plain anyway). */
  value = g_task_propagate_pointer (G_TASK (result), error);
  if (value == NULL)
    return NULL;
  copy = g_strdup (secret_value_get_text (value));
  secret_value_unref (value);

  return copy;
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (G_IS_TASK (task));

  /* FALSE without an error means there was nothing to clear: fine. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
scaler_credentials_secret_clear_async (ScalerCredentials   *self,
                                       const char          *instance_id,
                                       ScalerSecretKind     kind,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, scaler_credentials_secret_clear_async);
  secret_password_clear (scaler_credentials_secret_get_schema (), cancellable, clear_cb, task,
                         "instance-id", instance_id,
                         "kind", scaler_secret_kind_to_string (kind),
                         NULL);
}

static void
scaler_credentials_secret_class_init (ScalerCredentialsSecretClass *klass)
{
  ScalerCredentialsClass *credentials_class = SCALER_CREDENTIALS_CLASS (klass);

  credentials_class->store_async = scaler_credentials_secret_store_async;
  credentials_class->lookup_async = scaler_credentials_secret_lookup_async;
  credentials_class->lookup_finish = scaler_credentials_secret_lookup_finish;
  credentials_class->clear_async = scaler_credentials_secret_clear_async;
}

static void
scaler_credentials_secret_init (ScalerCredentialsSecret *self)
{
}

ScalerCredentials *
scaler_credentials_secret_new (void)
{
  return g_object_new (SCALER_TYPE_CREDENTIALS_SECRET, NULL);
}
