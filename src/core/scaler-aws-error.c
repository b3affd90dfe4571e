/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-aws-error"

#include "config.h"

#include "scaler-aws-error.h"

typedef struct
{
  char  *aws_code;
  char  *request_id;
  guint  http_status;
} ScalerAwsErrorPrivate;

static void
scaler_aws_error_private_init (ScalerAwsErrorPrivate *priv)
{
}

static void
scaler_aws_error_private_copy (const ScalerAwsErrorPrivate *src,
                               ScalerAwsErrorPrivate       *dest)
{
  dest->aws_code = g_strdup (src->aws_code);
  dest->request_id = g_strdup (src->request_id);
  dest->http_status = src->http_status;
}

static void
scaler_aws_error_private_clear (ScalerAwsErrorPrivate *priv)
{
  g_clear_pointer (&priv->aws_code, g_free);
  g_clear_pointer (&priv->request_id, g_free);
}

G_DEFINE_EXTENDED_ERROR (ScalerAwsError, scaler_aws_error)

void
scaler_aws_error_set (GError              **error,
                      ScalerAwsErrorClass   error_class,
                      const char           *aws_code,
                      const char           *message,
                      const char           *request_id,
                      guint                 http_status)
{
  ScalerAwsErrorPrivate *priv;
  GError *e;

  if (error == NULL)
    return;

  if (aws_code != NULL && *aws_code != '\0')
    e = g_error_new (SCALER_AWS_ERROR, error_class, "%s: %s", aws_code,
                     message != NULL && *message != '\0' ? message : scaler_aws_error_class_to_string (error_class));
  else
    e = g_error_new_literal (SCALER_AWS_ERROR, error_class,
                             message != NULL ? message : scaler_aws_error_class_to_string (error_class));

  priv = scaler_aws_error_get_private (e);
  priv->aws_code = g_strdup (aws_code);
  priv->request_id = g_strdup (request_id);
  priv->http_status = http_status;

  g_propagate_error (error, e);
}

const char *
scaler_aws_error_get_aws_code (const GError *error)
{
  ScalerAwsErrorPrivate *priv;

  if (error == NULL || error->domain != SCALER_AWS_ERROR)
    return NULL;
  priv = scaler_aws_error_get_private (error);

  return priv ? priv->aws_code : NULL;
}

const char *
scaler_aws_error_get_request_id (const GError *error)
{
  ScalerAwsErrorPrivate *priv;

  if (error == NULL || error->domain != SCALER_AWS_ERROR)
    return NULL;
  priv = scaler_aws_error_get_private (error);

  return priv ? priv->request_id : NULL;
}

guint
scaler_aws_error_get_http_status (const GError *error)
{
  ScalerAwsErrorPrivate *priv;

  if (error == NULL || error->domain != SCALER_AWS_ERROR)
    return 0;
  priv = scaler_aws_error_get_private (error);

  return priv ? priv->http_status : 0;
}

const char *
scaler_aws_error_class_to_string (ScalerAwsErrorClass error_class)
{
  switch (error_class)
    {
    case SCALER_AWS_ERROR_THROTTLED:
      return "throttled";
    case SCALER_AWS_ERROR_CAPACITY:
      return "capacity";
    case SCALER_AWS_ERROR_QUOTA:
      return "quota";
    case SCALER_AWS_ERROR_AUTH:
      return "auth";
    case SCALER_AWS_ERROR_INVALID_INPUT:
      return "invalid input";
    case SCALER_AWS_ERROR_NOT_FOUND:
      return "not found";
    case SCALER_AWS_ERROR_SERVER:
      return "server";
    case SCALER_AWS_ERROR_NETWORK:
      return "network";
    case SCALER_AWS_ERROR_CLOCK_SKEW:
      return "clock skew";
    case SCALER_AWS_ERROR_FAILED:
    default:
      return "failed";
    }
}
