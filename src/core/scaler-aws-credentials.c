/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-aws-credentials"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-aws-credentials.h"
#include "scaler-config.h"
#include "scaler-error.h"
#include "scaler-util.h"

ScalerAwsCredentials *
scaler_aws_credentials_new (const char *access_key_id,
                            const char *secret_access_key,
                            const char *session_token)
{
  ScalerAwsCredentials *self;

  g_return_val_if_fail (access_key_id != NULL, NULL);
  g_return_val_if_fail (secret_access_key != NULL, NULL);

  self = g_new0 (ScalerAwsCredentials, 1);
  self->access_key_id = g_strdup (access_key_id);
  self->secret_access_key = g_strdup (secret_access_key);
  self->session_token = (session_token != NULL && *session_token != '\0') ? g_strdup (session_token) : NULL;

  return self;
}

ScalerAwsCredentials *
scaler_aws_credentials_copy (const ScalerAwsCredentials *self)
{
  ScalerAwsCredentials *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = scaler_aws_credentials_new (self->access_key_id, self->secret_access_key, self->session_token);
  copy->source = g_strdup (self->source);
  copy->region = g_strdup (self->region);
  copy->expiration = self->expiration;

  return copy;
}

void
scaler_aws_credentials_free (ScalerAwsCredentials *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->access_key_id, scaler_secret_free);
  g_clear_pointer (&self->secret_access_key, scaler_secret_free);
  g_clear_pointer (&self->session_token, scaler_secret_free);
  g_free (self->source);
  g_free (self->region);
  g_free (self);
}

static gboolean
env_is_set (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0';
}

/* ClearML and git secrets from the environment; AWS credentials are not
 * read here: with "environment" they come from the AWS chain
 * (scaler-aws-chain.h) when the EC2 client first needs them. */
ScalerSecrets *
scaler_secrets_new_from_environment (GError **error)
{
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  const char *git_password = g_getenv ("CLEARML_AUTOSCALER_GIT_PASSWORD");

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!env_is_set ("CLEARML_API_ACCESS_KEY"))
    g_ptr_array_add (missing, (gpointer) "CLEARML_API_ACCESS_KEY");
  if (!env_is_set ("CLEARML_API_SECRET_KEY"))
    g_ptr_array_add (missing, (gpointer) "CLEARML_API_SECRET_KEY");
  if (missing->len > 0)
    {
      g_autofree char *names = NULL;

      g_ptr_array_add (missing, NULL);
      names = g_strjoinv (" and ", (char **) missing->pdata);
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   _("ClearML credentials are missing: set %s"), names);
      return NULL;
    }

  secrets = scaler_secrets_new ();
  secrets->clearml_access_key = g_strdup (g_getenv ("CLEARML_API_ACCESS_KEY"));
  secrets->clearml_secret_key = g_strdup (g_getenv ("CLEARML_API_SECRET_KEY"));
  secrets->git_password = (git_password != NULL && *git_password != '\0') ? g_strdup (git_password) : NULL;

  return g_steal_pointer (&secrets);
}
