/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-aws-credentials"

#include "config.h"

#include "scaler-aws-credentials.h"
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
