/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-ec2-test-connection.c: the verdict of "Test connection" for EC2
 * (credentials, region, permissions, with dry runs), and what an auth error
 * means in words, for the operations' messages too. */

#define G_LOG_DOMAIN "scaler-ec2"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-aws-error.h"
#include "scaler-config.h"
#include "scaler-ec2.h"
#include "scaler-ec2-private.h"
#include "scaler-partitions.h"
#include "scaler-util.h"

/* Regions enabled in every account (launched before 20 March 2019); the
 * later regions of the aws partition are opt-in, and EC2 answers
 * AuthFailure in one that the account has not enabled. */
static const char * const default_regions[] = {
  "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1",
  "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1",
  "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1", NULL
};

static gboolean
is_opt_in_region (const char *region)
{
  const ScalerPartition *partition = scaler_partition_for_region (region, NULL);

  return partition != NULL && strcmp (partition->id, "aws") == 0 && !g_strv_contains (default_regions, region);
}

/* The IAM action an UnauthorizedOperation / AccessDenied message names
 * ("... is not authorized to perform: iam:PassRole on resource: ..."; any
 * "ec2:X" or "iam:X"), else NULL. Many EC2 denials carry only an encoded
 * message and name nothing. */
static char *
permission_name (const char *message)
{
  static const char * const markers[] = { "perform: ", "ec2:", "iam:" };

  for (guint m = 0; message != NULL && m < G_N_ELEMENTS (markers); m++)
    {
      const char *p = strstr (message, markers[m]);
      gsize len = 0;

      if (p == NULL)
        continue;
      if (m == 0)
        p += strlen (markers[m]);
      while (g_ascii_isalnum (p[len]) || p[len] == ':' || p[len] == '-')
        len++;
      if (len > 4 && memchr (p, ':', len) != NULL && p[len - 1] != ':')
        return g_strndup (p, len);
    }

  return NULL;
}

/* What an auth-class error means and what to do, in words (NULL when the
 * error message says it well enough). @resource: the launch's resource, or
 * NULL; @fallback: the permission the call needs. */
char *
_scaler_ec2_explain_auth_error (ScalerEc2Client      *self,
                                const GError         *error,
                                const ScalerResource *resource,
                                const char           *fallback)
{
  const char *code = scaler_aws_error_get_aws_code (error);

  if (g_strcmp0 (code, "AuthFailure") == 0 && is_opt_in_region (self->region))
    return g_strdup_printf (_("or %s is an opt-in region that this AWS account has not enabled (enable it under "
                              "Account → AWS Regions, or choose another region)"), self->region);

  if (g_strcmp0 (code, "OptInRequired") == 0)
    {
      if (strstr (error->message, "Marketplace") != NULL || strstr (error->message, "subscribe") != NULL)
        return g_strdup_printf (_("the AMI %s is an AWS Marketplace product that this account has not subscribed "
                                  "to: accept its terms and subscribe on its AWS Marketplace page (the link is in "
                                  "AWS's message), then try again"),
                                resource != NULL && resource->ami_id != NULL ? resource->ami_id : "");
      return g_strdup_printf (_("the account must opt in first: %s is not enabled for it, or the AMI is an AWS "
                                "Marketplace product it has not subscribed to"), self->region);
    }

  if (g_strcmp0 (code, "UnauthorizedOperation") == 0 || g_strcmp0 (code, "AccessDenied") == 0)
    {
      g_autofree char *named = permission_name (error->message);
      gboolean profile = resource != NULL && resource->iam_instance_profile != NULL &&
                         *resource->iam_instance_profile != '\0';

      if (named != NULL)
        return g_strdup_printf (_("the credentials lack the permission %s: add it to the IAM policy of this user "
                                  "or role%s"), named,
                                g_str_has_prefix (named, "iam:PassRole")
                                ? _(" (launching with an instance profile passes its role to EC2)") : "");
      if (profile)
        return g_strdup_printf (_("the credentials lack %s, or iam:PassRole on the role of the instance profile "
                                  "%s; “aws sts decode-authorization-message” tells which"),
                                fallback, resource->iam_instance_profile);
      return g_strdup_printf (_("the credentials lack the permission %s; “aws sts decode-authorization-message” "
                                "shows the details"), fallback);
    }

  return NULL;
}

static char *
verdict_for_error (ScalerEc2Client      *self,
                   const GError         *error,
                   const ScalerResource *resource,
                   const char           *permission)
{
  const char *code = scaler_aws_error_get_aws_code (error);
  g_autofree char *explained = NULL;
  g_autofree char *key_id = NULL;

  if (error->domain != SCALER_AWS_ERROR)
    return g_strdup (error->message);

  g_mutex_lock (&self->mutex);
  key_id = g_strdup (self->key_id != NULL ? self->key_id : "?");
  g_mutex_unlock (&self->mutex);

  explained = _scaler_ec2_explain_auth_error (self, error, resource, permission);
  if (g_strcmp0 (code, "AuthFailure") == 0 || g_strcmp0 (code, "InvalidClientTokenId") == 0 ||
      g_strcmp0 (code, "InvalidAccessKeyId") == 0 || g_strcmp0 (code, "UnrecognizedClientException") == 0)
    return g_strdup_printf (_("AWS does not accept the access key ID %s: it is wrong, deleted or disabled "
                              "(or temporary credentials were given without their session token)%s%s."),
                            key_id, explained != NULL ? ", " : "",
                            explained != NULL ? explained : "");
  if (g_strcmp0 (code, "SignatureDoesNotMatch") == 0 || g_strcmp0 (code, "IncompleteSignature") == 0)
    return g_strdup (_("The secret access key is wrong: AWS knows the access key ID, but the signature made "
                       "with this secret does not match."));
  if (g_strcmp0 (code, "UnauthorizedOperation") == 0 || g_strcmp0 (code, "AccessDenied") == 0)
    return g_strdup_printf (_("The credentials are valid, but %s."), explained);
  if (g_strcmp0 (code, "ExpiredToken") == 0 || g_strcmp0 (code, "ExpiredTokenException") == 0 ||
      (g_strcmp0 (code, "RequestExpired") == 0 && error->code == SCALER_AWS_ERROR_AUTH))
    return g_strdup (error->message);
  if (g_strcmp0 (code, "OptInRequired") == 0)
    return g_strdup_printf (_("AWS refuses the launch in %s (OptInRequired): %s. AWS says: %s"),
                            self->region, explained, error->message);
  if (g_strcmp0 (code, "PendingVerification") == 0 || g_strcmp0 (code, "Blocked") == 0)
    return g_strdup_printf (_("The AWS account cannot use EC2 in %s yet (%s): %s"),
                            self->region, code, error->message);

  switch ((ScalerAwsErrorClass) error->code)
    {
    case SCALER_AWS_ERROR_CLOCK_SKEW:
      return g_strdup (_("This computer's clock is off by more than 15 minutes and AWS rejects the requests: "
                         "set the clock (enable NTP) and try again."));
    case SCALER_AWS_ERROR_NETWORK:
      if (strstr (error->message, "resolve") != NULL)
        return g_strdup_printf (_("No network, or DNS cannot find %s: check the internet connection "
                                  "and the region name."), self->host);
      if (strstr (error->message, "certificate") != NULL || strstr (error->message, "TLS") != NULL)
        return g_strdup_printf (_("The secure connection to %s failed (%s): a proxy may be intercepting TLS."),
                                self->host, error->message);
      return g_strdup_printf (_("The EC2 endpoint %s is unreachable: %s"), self->endpoint, error->message);
    case SCALER_AWS_ERROR_THROTTLED:
      return g_strdup (_("AWS is throttling this account's API requests right now: try again in a minute."));
    case SCALER_AWS_ERROR_SERVER:
      return g_strdup_printf (_("The EC2 endpoint %s did not give a usable answer: %s"),
                              self->endpoint, error->message);
    case SCALER_AWS_ERROR_INVALID_INPUT:
      return g_strdup_printf (_("The credentials work, but the launch settings are rejected: %s"), error->message);
    case SCALER_AWS_ERROR_AUTH:
    case SCALER_AWS_ERROR_CAPACITY:
    case SCALER_AWS_ERROR_QUOTA:
    case SCALER_AWS_ERROR_NOT_FOUND:
    case SCALER_AWS_ERROR_FAILED:
    default:
      return g_strdup (error->message);
    }
}

/* TRUE when the DryRun call says DryRunOperation. */
static gboolean
dry_run (ScalerEc2Client  *self,
         ScalerEc2Params  *params,
         GCancellable     *cancellable,
         GError          **error)
{
  g_autoptr(ScalerEc2Response) response = NULL;
  g_autoptr(GError) local_error = NULL;

  response = scaler_ec2_client_call (self, params, cancellable, &local_error);
  if (response != NULL)
    return TRUE;   /* A plain success also proves access. */
  if (g_strcmp0 (scaler_aws_error_get_aws_code (local_error), "DryRunOperation") == 0)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));

  return FALSE;
}

gboolean
scaler_ec2_test_connection (ScalerEc2Client     *self,
                            const ScalerConfig  *config,
                            char               **verdict,
                            GCancellable        *cancellable,
                            GError             **error)
{
  g_autoptr(ScalerEc2Params) describe = NULL;
  g_autoptr(GError) local_error = NULL;
  const ScalerResource *resource = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  describe = scaler_ec2_params_new ("DescribeInstances");
  scaler_ec2_params_add (describe, "DryRun", "true");
  if (!dry_run (self, describe, cancellable, &local_error))
    goto fail_describe;

  if (config != NULL && config->resources != NULL && config->resources->len > 0)
    {
      g_autoptr(ScalerEc2Params) run = NULL;
      ScalerLaunchSpec spec = { 0 };

      resource = g_ptr_array_index (config->resources, 0);
      spec.config = config;
      spec.resource = resource;
      spec.spot = resource->is_spot;
      if (resource->subnet_ids != NULL && resource->subnet_ids[0] != NULL)
        spec.subnet_id = resource->subnet_ids[0];
      else if (resource->availability_zones != NULL && resource->availability_zones[0] != NULL)
        spec.availability_zone = resource->availability_zones[0];
      run = scaler_ec2_run_instances_params (&spec, TRUE, &local_error);
      if (run == NULL || !dry_run (self, run, cancellable, &local_error))
        {
          if (verdict != NULL)
            *verdict = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                       ? g_strdup (_("Cancelled."))
                       : verdict_for_error (self, local_error, resource, "ec2:RunInstances");
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (verdict != NULL)
        *verdict = g_strdup_printf (_("Connection good: the credentials work in %s and may describe and launch "
                                      "instances (ec2:DescribeInstances, ec2:RunInstances with tags, checked "
                                      "for resource \"%s\")."), self->region, resource->name);
      return TRUE;
    }

  if (verdict != NULL)
    *verdict = g_strdup_printf (_("Connection good: the credentials work in %s and may describe instances "
                                  "(ec2:DescribeInstances). Add a resource to check launching too."), self->region);
  return TRUE;

fail_describe:
  if (verdict != NULL)
    *verdict = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
               ? g_strdup (_("Cancelled."))
               : verdict_for_error (self, local_error, NULL, "ec2:DescribeInstances");
  g_propagate_error (error, g_steal_pointer (&local_error));

  return FALSE;
}
