/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-credentials-file.c: secrets in 0600 files (see scaler-credentials-file.h). */

#define G_LOG_DOMAIN "scaler-credentials"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "scaler-autoscaler-store.h"
#include "scaler-credentials-file.h"
#include "scaler-error.h"
#include "scaler-util.h"

#define GROUP "secrets"

struct _ScalerCredentialsFile
{
  ScalerCredentials parent_instance;

  char *directory;
};

G_DEFINE_FINAL_TYPE (ScalerCredentialsFile, scaler_credentials_file, SCALER_TYPE_CREDENTIALS)

static char *
file_path (ScalerCredentialsFile  *self,
           const char             *instance_id,
           GError                **error)
{
  g_autofree char *name = NULL;

  if (!g_uuid_string_is_valid (instance_id))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED,
                   _("Secrets are kept for autoscalers with a UUID only, not “%s”"), instance_id);
      return NULL;
    }
  name = g_strconcat (instance_id, ".secrets", NULL);
  return g_build_filename (self->directory, name, NULL);
}

/* The file's key file; an empty one when there is no file. */
static GKeyFile *
read_file (const char  *path,
           GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  gboolean ok;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&file);
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, _("Cannot read %s: %s"), path, local_error->message);
      return NULL;
    }
  ok = g_key_file_load_from_data (file, contents, length, G_KEY_FILE_NONE, &local_error);
  explicit_bzero (contents, length);
  if (!ok)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("%s is not a secrets file: %s"), path,
                   local_error->message);
      return NULL;
    }
  return g_steal_pointer (&file);
}

static gboolean
write_file (ScalerCredentialsFile  *self,
            const char             *path,
            GKeyFile               *file,
            GError                **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) keys = g_key_file_get_keys (file, GROUP, NULL, NULL);
  gsize length = 0;
  gboolean ok;

  if (keys == NULL || keys[0] == NULL)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, _("Cannot delete %s: %s"), path,
                       g_strerror (saved_errno));
          return FALSE;
        }
      return TRUE;
    }
  contents = g_key_file_to_data (file, &length, NULL);
  ok = scaler_file_replace (path, contents, (gssize) length, NULL, error);
  explicit_bzero (contents, length);
  return ok;
}

/* One change (store when @secret is set, clear otherwise), done at once. */
static gboolean
change (ScalerCredentialsFile  *self,
        const char             *instance_id,
        ScalerSecretKind        kind,
        const char             *secret,
        GError                **error)
{
  g_autofree char *path = file_path (self, instance_id, error);
  g_autoptr(GKeyFile) file = NULL;

  if (path == NULL)
    return FALSE;
  file = read_file (path, error);
  if (file == NULL)
    return FALSE;
  if (secret != NULL)
    g_key_file_set_string (file, GROUP, scaler_secret_kind_to_string (kind), secret);
  else if (!g_key_file_remove_key (file, GROUP, scaler_secret_kind_to_string (kind), NULL)
           && !g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  return write_file (self, path, file, error);
}

static void
scaler_credentials_file_store_async (ScalerCredentials   *credentials,
                                     const char          *instance_id,
                                     ScalerSecretKind     kind,
                                     const char          *secret,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  ScalerCredentialsFile *self = SCALER_CREDENTIALS_FILE (credentials);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, scaler_credentials_file_store_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (!change (self, instance_id, kind, secret, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
scaler_credentials_file_lookup_async (ScalerCredentials   *credentials,
                                      const char          *instance_id,
                                      ScalerSecretKind     kind,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  ScalerCredentialsFile *self = SCALER_CREDENTIALS_FILE (credentials);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *path = NULL;
  g_autoptr(GKeyFile) file = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, scaler_credentials_file_lookup_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  path = file_path (self, instance_id, &error);
  file = path != NULL ? read_file (path, &error) : NULL;
  if (file == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_key_file_get_string (file, GROUP, scaler_secret_kind_to_string (kind), NULL),
                         (GDestroyNotify) scaler_secret_free);
}

static void
scaler_credentials_file_clear_async (ScalerCredentials   *credentials,
                                     const char          *instance_id,
                                     ScalerSecretKind     kind,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  scaler_credentials_file_store_async (credentials, instance_id, kind, NULL, cancellable, callback, user_data);
}

static void
scaler_credentials_file_finalize (GObject *object)
{
  ScalerCredentialsFile *self = SCALER_CREDENTIALS_FILE (object);

  g_free (self->directory);

  G_OBJECT_CLASS (scaler_credentials_file_parent_class)->finalize (object);
}

static void
scaler_credentials_file_class_init (ScalerCredentialsFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ScalerCredentialsClass *credentials_class = SCALER_CREDENTIALS_CLASS (klass);

  object_class->finalize = scaler_credentials_file_finalize;

  credentials_class->store_async = scaler_credentials_file_store_async;
  credentials_class->lookup_async = scaler_credentials_file_lookup_async;
  credentials_class->clear_async = scaler_credentials_file_clear_async;
}

static void
scaler_credentials_file_init (ScalerCredentialsFile *self)
{
}

char *
scaler_credentials_file_dup_default_directory (void)
{
  g_autofree char *config = scaler_autoscaler_store_dup_default_directory ();

  return g_build_filename (config, "secrets", NULL);
}

ScalerCredentials *
scaler_credentials_file_new (const char *directory)
{
  ScalerCredentialsFile *self = g_object_new (SCALER_TYPE_CREDENTIALS_FILE, NULL);

  self->directory = directory != NULL ? g_strdup (directory) : scaler_credentials_file_dup_default_directory ();
  return SCALER_CREDENTIALS (self);
}

const char *
scaler_credentials_file_get_directory (ScalerCredentialsFile *self)
{
  g_return_val_if_fail (SCALER_IS_CREDENTIALS_FILE (self), NULL);

  return self->directory;
}
