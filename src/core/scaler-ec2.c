/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-ec2"

#include "config.h"

#include <string.h>

#include <curl/curl.h>
#include <glib/gi18n-lib.h>

#include "scaler-aws-error.h"
#include "scaler-config.h"
#include "scaler-ec2.h"
#include "scaler-error.h"
#include "scaler-partitions.h"

/* The clock offset is replaced by the server's Date when they disagree by
 * 5 minutes or more, after an error as after a success, as the JavaScript
 * SDK v3 does (aws-sdk-js-v3 AwsSdkSigV4Signer errorHandler/successHandler
 * with isClockSkewed: >= 300000 ms; aws-sdk-js v2 lib/service.js the same).
 * EC2 itself accepts requests up to 15 minutes off. */
#define CLOCK_CORRECTION_THRESHOLD_USEC  (300 * G_USEC_PER_SEC)
#define CLOCK_PROACTIVE_THRESHOLD_USEC   (300 * G_USEC_PER_SEC)
#define MAX_PAGES 10000

typedef struct
{
  char *key;
  char *value;
} Param;

struct _ScalerEc2Params
{
  GPtrArray *items;   /* Param* */
};

struct _ScalerEc2Client
{
  char                 *region;
  char                 *endpoint;   /* full URL */
  char                 *host;       /* Host header value */
  char                 *path;       /* request path, usually "/" */
  ScalerAwsProvider    *provider;   /* where the signer gets its keys */
  ScalerSigner         *signer;
  ScalerHttp           *http;
  ScalerAwsRetry       *retry;

  GMutex                mutex;      /* protects the fields below */
  char                 *key_id;     /* access key id of the last request, for verdicts */
  guint                 attempt_ms;
  guint                 call_ms;
  ScalerEc2Stats        stats;
};

/* --- params --- */

static void
param_free (Param *param)
{
  g_free (param->key);
  g_free (param->value);
  g_free (param);
}

ScalerEc2Params *
scaler_ec2_params_new (const char *action)
{
  ScalerEc2Params *params;

  g_return_val_if_fail (action != NULL && *action != '\0', NULL);

  params = g_new0 (ScalerEc2Params, 1);
  params->items = g_ptr_array_new_with_free_func ((GDestroyNotify) param_free);
  scaler_ec2_params_add (params, "Action", action);
  scaler_ec2_params_add (params, "Version", SCALER_EC2_API_VERSION);

  return params;
}

void
scaler_ec2_params_free (ScalerEc2Params *params)
{
  if (params == NULL)
    return;

  g_ptr_array_unref (params->items);
  g_free (params);
}

void
scaler_ec2_params_add (ScalerEc2Params *params,
                       const char      *key,
                       const char      *value)
{
  Param *param;

  g_return_if_fail (params != NULL);
  g_return_if_fail (key != NULL);

  param = g_new0 (Param, 1);
  param->key = g_strdup (key);
  param->value = g_strdup (value != NULL ? value : "");
  g_ptr_array_add (params->items, param);
}

void
scaler_ec2_params_addf (ScalerEc2Params *params,
                        const char      *key,
                        const char      *format,
                        ...)
{
  g_autofree char *value = NULL;
  va_list args;

  va_start (args, format);
  value = g_strdup_vprintf (format, args);
  va_end (args);

  scaler_ec2_params_add (params, key, value);
}

const char *
scaler_ec2_params_get (const ScalerEc2Params *params,
                       const char            *key)
{
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < params->items->len; i++)
    {
      const Param *param = g_ptr_array_index (params->items, i);

      if (strcmp (param->key, key) == 0)
        return param->value;
    }

  return NULL;
}

const char *
scaler_ec2_params_get_action (const ScalerEc2Params *params)
{
  return scaler_ec2_params_get (params, "Action");
}

char *
scaler_ec2_params_encode (const ScalerEc2Params *params)
{
  GString *out;

  g_return_val_if_fail (params != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < params->items->len; i++)
    {
      const Param *param = g_ptr_array_index (params->items, i);

      if (i > 0)
        g_string_append_c (out, '&');
      scaler_http_append_uri_encoded (out, param->key, -1, FALSE);
      g_string_append_c (out, '=');
      scaler_http_append_uri_encoded (out, param->value, -1, FALSE);
    }

  return g_string_free (out, FALSE);
}

static void
add_tags (ScalerEc2Params *params,
          guint            spec_index,
          const char      *resource_type,
          GPtrArray       *tags)
{
  g_autofree char *prefix = g_strdup_printf ("TagSpecification.%u", spec_index);
  g_autofree char *rt = g_strconcat (prefix, ".ResourceType", NULL);

  scaler_ec2_params_add (params, rt, resource_type);
  for (guint i = 0; i < tags->len; i++)
    {
      const ScalerTag *tag = g_ptr_array_index (tags, i);
      g_autofree char *k = g_strdup_printf ("%s.Tag.%u.Key", prefix, i + 1);
      g_autofree char *v = g_strdup_printf ("%s.Tag.%u.Value", prefix, i + 1);

      scaler_ec2_params_add (params, k, tag->key);
      scaler_ec2_params_add (params, v, tag->value);
    }
}

static gboolean
str_set (const char *s)
{
  return s != NULL && *s != '\0';
}

static void
add_security_groups (ScalerEc2Params      *params,
                     const char           *prefix,
                     const ScalerResource *resource)
{
  for (guint i = 0; resource->security_group_ids != NULL && resource->security_group_ids[i] != NULL; i++)
    {
      g_autofree char *k = g_strdup_printf ("%sSecurityGroupId.%u", prefix, i + 1);

      scaler_ec2_params_add (params, k, resource->security_group_ids[i]);
    }
}

/* Subnet, zone and security groups. An explicit public IP choice needs a
 * network interface, and then the subnet and the security groups must be
 * given in it, not at the top level (service-2.json, RunInstancesRequest:
 * SecurityGroupIds, SubnetId). */
static void
add_network (ScalerEc2Params        *params,
             const ScalerLaunchSpec *spec)
{
  const ScalerResource *resource = spec->resource;

  if (resource->associate_public_ip == SCALER_PUBLIC_IP_YES || resource->associate_public_ip == SCALER_PUBLIC_IP_NO)
    {
      scaler_ec2_params_add (params, "NetworkInterface.1.DeviceIndex", "0");
      scaler_ec2_params_add (params, "NetworkInterface.1.AssociatePublicIpAddress",
                             resource->associate_public_ip == SCALER_PUBLIC_IP_YES ? "true" : "false");
      scaler_ec2_params_add (params, "NetworkInterface.1.DeleteOnTermination", "true");
      if (str_set (spec->subnet_id))
        scaler_ec2_params_add (params, "NetworkInterface.1.SubnetId", spec->subnet_id);
      add_security_groups (params, "NetworkInterface.1.", resource);
    }
  else
    {
      add_security_groups (params, "", resource);
      if (str_set (spec->subnet_id))
        scaler_ec2_params_add (params, "SubnetId", spec->subnet_id);
    }
  if (!str_set (spec->subnet_id) && str_set (spec->availability_zone))
    scaler_ec2_params_add (params, "Placement.AvailabilityZone", spec->availability_zone);
}

/* The one block device mapping: size, type, and the provisioned IOPS (io1
 * and io2 require them) and throughput (gp3). */
static void
add_block_device (ScalerEc2Params      *params,
                  const ScalerResource *resource)
{
  if (!str_set (resource->ebs_device_name))
    return;

  scaler_ec2_params_add (params, "BlockDeviceMapping.1.DeviceName", resource->ebs_device_name);
  if (resource->ebs_volume_size > 0)
    scaler_ec2_params_addf (params, "BlockDeviceMapping.1.Ebs.VolumeSize", "%u", resource->ebs_volume_size);
  if (str_set (resource->ebs_volume_type))
    scaler_ec2_params_add (params, "BlockDeviceMapping.1.Ebs.VolumeType", resource->ebs_volume_type);
  if (resource->ebs_iops > 0)
    scaler_ec2_params_addf (params, "BlockDeviceMapping.1.Ebs.Iops", "%u", resource->ebs_iops);
  if (resource->ebs_throughput > 0)
    scaler_ec2_params_addf (params, "BlockDeviceMapping.1.Ebs.Throughput", "%u", resource->ebs_throughput);
  scaler_ec2_params_add (params, "BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true");
}

ScalerEc2Params *
scaler_ec2_run_instances_params (const ScalerLaunchSpec *spec,
                                 gboolean                dry_run,
                                 GError                **error)
{
  g_autoptr(ScalerEc2Params) params = NULL;
  g_autoptr(GPtrArray) tags = NULL;
  const ScalerResource *resource;
  g_autofree char *token = NULL;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (spec->config != NULL, NULL);
  g_return_val_if_fail (spec->resource != NULL, NULL);

  resource = spec->resource;
  if (!str_set (resource->ami_id))
    {
      scaler_aws_error_set (error, SCALER_AWS_ERROR_INVALID_INPUT, NULL,
                            _("Resource has no AMI id (ami_id): cannot launch an instance without an image"),
                            NULL, 0);
      return NULL;
    }
  if (!str_set (resource->instance_type))
    {
      scaler_aws_error_set (error, SCALER_AWS_ERROR_INVALID_INPUT, NULL,
                            _("Resource has no instance type (instance_type)"), NULL, 0);
      return NULL;
    }
  if (spec->user_data != NULL && strlen (spec->user_data) > SCALER_EC2_MAX_USER_DATA)
    {
      g_autofree char *message = g_strdup_printf (_("The user-data script is %zu bytes; EC2 accepts at most %u bytes"),
                                                  strlen (spec->user_data), SCALER_EC2_MAX_USER_DATA);

      scaler_aws_error_set (error, SCALER_AWS_ERROR_INVALID_INPUT, NULL, message, NULL, 0);
      return NULL;
    }
  if (str_set (resource->ebs_device_name) && resource->ebs_iops == 0 &&
      (g_strcmp0 (resource->ebs_volume_type, "io1") == 0 || g_strcmp0 (resource->ebs_volume_type, "io2") == 0))
    {
      g_autofree char *message = g_strdup_printf (_("%s volumes need provisioned IOPS (ebs_iops); EC2 refuses them without"),
                                                  resource->ebs_volume_type);

      scaler_aws_error_set (error, SCALER_AWS_ERROR_INVALID_INPUT, NULL, message, NULL, 0);
      return NULL;
    }
  if (spec->client_token != NULL && (strlen (spec->client_token) > 64 || !g_str_is_ascii (spec->client_token)))
    {
      scaler_aws_error_set (error, SCALER_AWS_ERROR_INVALID_INPUT, NULL,
                            _("The client token must be at most 64 ASCII characters"), NULL, 0);
      return NULL;
    }

  params = scaler_ec2_params_new ("RunInstances");
  scaler_ec2_params_add (params, "ImageId", resource->ami_id);
  scaler_ec2_params_add (params, "InstanceType", resource->instance_type);
  scaler_ec2_params_add (params, "MinCount", "1");
  scaler_ec2_params_add (params, "MaxCount", "1");
  if (str_set (resource->key_name))
    scaler_ec2_params_add (params, "KeyName", resource->key_name);
  add_network (params, spec);
  add_block_device (params, resource);

  if (str_set (resource->iam_instance_profile))
    {
      if (g_str_has_prefix (resource->iam_instance_profile, "arn:"))
        scaler_ec2_params_add (params, "IamInstanceProfile.Arn", resource->iam_instance_profile);
      else
        scaler_ec2_params_add (params, "IamInstanceProfile.Name", resource->iam_instance_profile);
    }

  if (str_set (spec->user_data))
    {
      g_autofree char *b64 = g_base64_encode ((const guchar *) spec->user_data, strlen (spec->user_data));

      scaler_ec2_params_add (params, "UserData", b64);
    }

  if (spec->spot)
    {
      scaler_ec2_params_add (params, "InstanceMarketOptions.MarketType", "spot");
      scaler_ec2_params_add (params, "InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time");
      scaler_ec2_params_add (params, "InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate");
    }

  /* IMDSv2 only, and a hop limit that lets docker containers (ClearML
   * docker mode) reach the instance role: with the default of 1 the token
   * PUT answer never gets past the container's extra hop. */
  scaler_ec2_params_add (params, "MetadataOptions.HttpTokens", "required");
  scaler_ec2_params_add (params, "MetadataOptions.HttpEndpoint", "enabled");
  scaler_ec2_params_addf (params, "MetadataOptions.HttpPutResponseHopLimit", "%u",
                          resource->metadata_hop_limit > 0 ? resource->metadata_hop_limit
                                                           : SCALER_DEFAULT_METADATA_HOP_LIMIT);

  tags = scaler_launch_tags (spec->config, resource);
  add_tags (params, 1, "instance", tags);
  add_tags (params, 2, "volume", tags);

  token = str_set (spec->client_token) ? g_strdup (spec->client_token) : g_uuid_string_random ();
  scaler_ec2_params_add (params, "ClientToken", token);
  scaler_ec2_params_add (params, "InstanceInitiatedShutdownBehavior", "terminate");
  if (dry_run)
    scaler_ec2_params_add (params, "DryRun", "true");

  return g_steal_pointer (&params);
}

/* --- client --- */

char *
scaler_ec2_endpoint_for_region (const char *region)
{
  g_return_val_if_fail (region != NULL, NULL);

  return scaler_partition_ec2_endpoint (region);
}

static gboolean
region_is_valid (const char *region)
{
  if (region == NULL || *region == '\0' || strlen (region) > 32)
    return FALSE;
  for (const char *p = region; *p != '\0'; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-'))
      return FALSE;

  return TRUE;
}

static gboolean
split_endpoint (const char  *endpoint,
                char       **host,
                char       **path,
                GError     **error)
{
  if (!scaler_http_split_url (endpoint, NULL, host, path, NULL))
    {
      g_autofree char *message = g_strdup_printf (_("The EC2 endpoint \"%s\" is not an http:// or https:// URL"), endpoint);

      scaler_aws_error_set (error, SCALER_AWS_ERROR_INVALID_INPUT, NULL, message, NULL, 0);
      return FALSE;
    }
  return TRUE;
}

ScalerEc2Client *
scaler_ec2_client_new (const char                 *region,
                       const char                 *endpoint,
                       const ScalerAwsCredentials *credentials,
                       GError                    **error)
{
  g_autoptr(ScalerAwsProvider) provider = NULL;

  g_return_val_if_fail (credentials != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (region_is_valid (region) &&
      (!str_set (credentials->access_key_id) || !str_set (credentials->secret_access_key)))
    {
      scaler_aws_error_set (error, SCALER_AWS_ERROR_AUTH, NULL,
                            _("The AWS access key ID or secret access key is empty"), NULL, 0);
      return NULL;
    }
  provider = scaler_aws_provider_new_static (credentials);
  return scaler_ec2_client_new_with_provider (region, endpoint, provider, error);
}

ScalerEc2Client *
scaler_ec2_client_new_with_provider (const char         *region,
                                     const char         *endpoint,
                                     ScalerAwsProvider  *provider,
                                     GError            **error)
{
  g_autoptr(ScalerEc2Client) self = NULL;

  g_return_val_if_fail (SCALER_IS_AWS_PROVIDER (provider), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!region_is_valid (region))
    {
      g_autofree char *message = g_strdup_printf (_("\"%s\" is not an AWS region name (e.g. us-east-1)"),
                                                  region != NULL ? region : "");

      scaler_aws_error_set (error, SCALER_AWS_ERROR_INVALID_INPUT, NULL, message, NULL, 0);
      return NULL;
    }

  self = g_new0 (ScalerEc2Client, 1);
  g_mutex_init (&self->mutex);
  self->region = g_strdup (region);
  self->endpoint = str_set (endpoint) ? g_strdup (endpoint) : scaler_ec2_endpoint_for_region (region);
  if (!split_endpoint (self->endpoint, &self->host, &self->path, error))
    return NULL;
  self->provider = g_object_ref (provider);
  self->signer = scaler_signer_new (region, "ec2");
  self->http = scaler_http_new ();
  self->retry = scaler_aws_retry_new ();
  self->attempt_ms = SCALER_EC2_DEFAULT_ATTEMPT_TIMEOUT_MS;
  self->call_ms = SCALER_EC2_DEFAULT_CALL_TIMEOUT_MS;

  return g_steal_pointer (&self);
}

void
scaler_ec2_client_free (ScalerEc2Client *self)
{
  if (self == NULL)
    return;

  g_free (self->region);
  g_free (self->endpoint);
  g_free (self->host);
  g_free (self->path);
  g_clear_object (&self->provider);
  g_free (self->key_id);
  g_clear_pointer (&self->signer, scaler_signer_free);
  g_clear_pointer (&self->http, scaler_http_free);
  g_clear_pointer (&self->retry, scaler_aws_retry_free);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

const char *
scaler_ec2_client_get_endpoint (ScalerEc2Client *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->endpoint;
}

const char *
scaler_ec2_client_get_region (ScalerEc2Client *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->region;
}

ScalerHttp *
scaler_ec2_client_get_http (ScalerEc2Client *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->http;
}

ScalerSigner *
scaler_ec2_client_get_signer (ScalerEc2Client *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->signer;
}

ScalerAwsRetry *
scaler_ec2_client_get_retry (ScalerEc2Client *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->retry;
}

void
scaler_ec2_client_set_timeouts (ScalerEc2Client *self,
                                guint            attempt_ms,
                                guint            call_ms)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  if (attempt_ms > 0)
    self->attempt_ms = attempt_ms;
  if (call_ms > 0)
    self->call_ms = call_ms;
  g_mutex_unlock (&self->mutex);
}

void
scaler_ec2_client_get_stats (ScalerEc2Client *self,
                             ScalerEc2Stats  *stats)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (stats != NULL);

  g_mutex_lock (&self->mutex);
  *stats = self->stats;
  g_mutex_unlock (&self->mutex);
}

#define STAT_ADD(self, field, n) G_STMT_START { \
    g_mutex_lock (&(self)->mutex);                \
    (self)->stats.field += (n);                   \
    g_mutex_unlock (&(self)->mutex);              \
  } G_STMT_END

/* Corrects the signer's clock from the Date header. With @skew_error the
 * server told us the clock is off, so any disagreement is corrected;
 * otherwise only a skew of minutes. Returns whether the offset changed. */
static gboolean
maybe_correct_clock (ScalerEc2Client          *self,
                     const ScalerHttpResponse *response,
                     gboolean                  skew_error)
{
  gint64 server = scaler_http_parse_date (scaler_http_response_get_header (response, "date"));
  gint64 local = g_get_real_time ();
  gint64 offset = scaler_signer_get_clock_offset (self->signer);
  gint64 diff;

  if (server == 0)
    return FALSE;

  diff = server - (local + offset);
  if (ABS (diff) <= (skew_error ? CLOCK_CORRECTION_THRESHOLD_USEC : CLOCK_PROACTIVE_THRESHOLD_USEC))
    return FALSE;

  g_debug ("Correcting the clock offset from %" G_GINT64_FORMAT " s to %" G_GINT64_FORMAT " s (server Date)",
           offset / G_USEC_PER_SEC, (server - local) / G_USEC_PER_SEC);
  scaler_signer_set_clock_offset (self->signer, server - local);
  STAT_ADD (self, clock_corrections, 1);

  return TRUE;
}

static gboolean
is_clock_skew_code (const char *code)
{
  return g_strcmp0 (code, "RequestExpired") == 0 ||
         g_strcmp0 (code, "RequestTimeTooSkewed") == 0 ||
         g_strcmp0 (code, "RequestInTheFuture") == 0;
}

static gboolean
is_auth_skew_candidate (const char *code)
{
  return g_strcmp0 (code, "AuthFailure") == 0 ||
         g_strcmp0 (code, "SignatureDoesNotMatch") == 0 ||
         g_strcmp0 (code, "InvalidSignatureException") == 0;
}

static const char *
describe_body (const ScalerHttpResponse *response)
{
  if (g_bytes_get_size (response->body) == 0)
    return _("an empty body");
  if (g_str_has_prefix (response->content_type, "text/html"))
    return _("an HTML page (from a proxy, load balancer or captive portal?)");
  if (strstr (response->content_type, "xml") == NULL && *response->content_type != '\0')
    return _("a body that is not XML");

  return _("a body that is not a valid EC2 answer");
}

typedef struct
{
  ScalerAwsErrorClass error_class;
  gboolean            retryable;
  gboolean            throttling;
  gint64              hint_usec;
  ScalerAwsCredentials *expired;      /* the temporary credentials AWS said expired */
} Outcome;

/* The keys to sign with. A failure names the credential source. */
static ScalerAwsCredentials *
current_credentials (ScalerEc2Client  *self,
                     Outcome          *outcome,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  ScalerAwsCredentials *credentials;

  credentials = scaler_aws_provider_get (self->provider, cancellable, &local_error);
  if (credentials == NULL)
    {
      if (local_error->domain == SCALER_AWS_ERROR || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          outcome->error_class = local_error->domain == SCALER_AWS_ERROR ? local_error->code : SCALER_AWS_ERROR_FAILED;
          g_propagate_error (error, g_steal_pointer (&local_error));
        }
      else
        {
          outcome->error_class = SCALER_AWS_ERROR_AUTH;
          scaler_aws_error_set (error, SCALER_AWS_ERROR_AUTH, NULL, local_error->message, NULL, 0);
        }
      return NULL;
    }
  g_mutex_lock (&self->mutex);
  if (g_strcmp0 (self->key_id, credentials->access_key_id) != 0)
    {
      g_free (self->key_id);
      self->key_id = g_strdup (credentials->access_key_id);
    }
  g_mutex_unlock (&self->mutex);
  return credentials;
}

/* aws/aws-sdk-go aws/request/retryer.go credsExpiredCodes: ExpiredToken,
 * ExpiredTokenException and RequestExpired ("EC2 Only"): with temporary
 * credentials (a session token) and a clock that the Date header shows to
 * be right, the credentials expired. Sets the error and marks the outcome
 * so that the call fetches new credentials and tries once more. */
static gboolean
credentials_expired (ScalerEc2Client            *self,
                     const char                 *code,
                     const ScalerAwsCredentials *credentials,
                     const ScalerEc2Response    *parsed,
                     guint                       status,
                     Outcome                    *outcome,
                     GError                    **error)
{
  g_autofree char *message = NULL;

  if ((g_strcmp0 (code, "RequestExpired") != 0 && g_strcmp0 (code, "ExpiredToken") != 0 &&
       g_strcmp0 (code, "ExpiredTokenException") != 0) || !str_set (credentials->session_token))
    return FALSE;

  outcome->error_class = SCALER_AWS_ERROR_AUTH;
  outcome->expired = scaler_aws_credentials_copy (credentials);
  message = g_strdup_printf (scaler_aws_provider_is_static (self->provider)
                             ? _("The temporary credentials expired (AWS said: %s): get a new access key, "
                                 "secret and session token and enter them again")
                             : _("The temporary credentials expired (they came from %s), and no newer ones came "
                                 "from there (AWS said: %s)"),
                             scaler_aws_provider_is_static (self->provider)
                             ? (str_set (parsed->error_message) ? parsed->error_message : code)
                             : (credentials->source != NULL ? credentials->source
                                                            : scaler_aws_provider_get_description (self->provider)),
                             str_set (parsed->error_message) ? parsed->error_message : code);
  scaler_aws_error_set (error, SCALER_AWS_ERROR_AUTH, code, message, parsed->request_id, status);
  return TRUE;
}

/* After an expired-credentials answer: TRUE when the provider now has
 * other credentials to try. */
static gboolean
renew_credentials (ScalerEc2Client             *self,
                   const ScalerAwsCredentials  *expired,
                   GCancellable                *cancellable,
                   GError                     **error)
{
  g_autoptr(ScalerAwsCredentials) fresh = NULL;
  Outcome outcome = { 0 };

  if (!scaler_aws_provider_invalidate (self->provider, expired))
    return FALSE;
  fresh = current_credentials (self, &outcome, cancellable, error);
  if (fresh == NULL)
    return FALSE;
  g_debug ("Temporary AWS credentials expired; fetched new ones from %s",
           fresh->source != NULL ? fresh->source : scaler_aws_provider_get_description (self->provider));
  return !scaler_aws_credentials_equal (fresh, expired);
}

/* One attempt. Returns the answer, or NULL with *outcome and *error filled. */
static ScalerEc2Response *
attempt_once (ScalerEc2Client  *self,
              const char       *action,
              const char       *body,
              gsize             body_len,
              guint             timeout_ms,
              GCancellable     *cancellable,
              Outcome          *outcome,
              GError          **error)
{
  g_autoptr(ScalerSigv4Request) request = NULL;
  g_autoptr(ScalerSigv4Result) signature = NULL;
  g_autoptr(ScalerHttpResponse) response = NULL;
  g_autoptr(ScalerEc2Response) parsed = NULL;
  g_autoptr(GPtrArray) headers = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *host_header = NULL;
  g_autoptr(ScalerAwsCredentials) credentials = NULL;
  gint64 start = g_get_monotonic_time ();

  memset (outcome, 0, sizeof *outcome);

  /* The provider's current keys (fetched again first when they are about
   * to expire), then a fresh signature (and date) on every attempt. */
  credentials = current_credentials (self, outcome, cancellable, error);
  if (credentials == NULL)
    return NULL;
  request = scaler_sigv4_request_new ("POST", self->path, NULL);
  scaler_sigv4_request_add_header (request, "Content-Type", SCALER_EC2_CONTENT_TYPE);
  scaler_sigv4_request_add_header (request, "Host", self->host);
  scaler_sigv4_request_set_payload (request, body, body_len);
  signature = scaler_signer_sign (self->signer, credentials, request, 0, &local_error);
  if (signature == NULL)
    {
      scaler_aws_error_set (error, SCALER_AWS_ERROR_FAILED, NULL, local_error->message, NULL, 0);
      return NULL;
    }

  headers = g_ptr_array_new ();
  host_header = g_strconcat ("Host: ", self->host, NULL);
  g_ptr_array_add (headers, (gpointer) "Content-Type: " SCALER_EC2_CONTENT_TYPE);
  g_ptr_array_add (headers, host_header);
  for (guint i = 0; signature->extra_headers[i] != NULL; i++)
    g_ptr_array_add (headers, signature->extra_headers[i]);
  g_ptr_array_add (headers, (gpointer) "Accept: text/xml");
  g_ptr_array_add (headers, NULL);

  scaler_http_set_timeouts (self->http, MIN (timeout_ms, SCALER_HTTP_DEFAULT_CONNECT_TIMEOUT_MS), timeout_ms);
  STAT_ADD (self, attempts, 1);
  response = scaler_http_send (self->http, "POST", self->endpoint,
                               (const char * const *) headers->pdata,
                               body, body_len, cancellable, &local_error);
  if (response == NULL)
    {
      g_debug ("%s: no answer after %" G_GINT64_FORMAT " ms: %s", action,
               (g_get_monotonic_time () - start) / 1000, local_error->message);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        outcome->error_class = SCALER_AWS_ERROR_SERVER;
      else
        outcome->error_class = SCALER_AWS_ERROR_NETWORK;
      outcome->retryable = scaler_http_error_is_transient (local_error);
      scaler_aws_error_set (error, outcome->error_class, NULL, local_error->message, NULL, 0);
      return NULL;
    }

  g_debug ("%s: HTTP %u in %" G_GINT64_FORMAT " ms", action, response->status,
           (g_get_monotonic_time () - start) / 1000);

  parsed = scaler_ec2_response_parse (g_bytes_get_data (response->body, NULL),
                                      g_bytes_get_size (response->body), &local_error);

  if (response->status >= 200 && response->status < 300 && parsed != NULL && !scaler_ec2_response_is_error (parsed))
    {
      maybe_correct_clock (self, response, FALSE);
      return g_steal_pointer (&parsed);
    }

  if (parsed != NULL && scaler_ec2_response_is_error (parsed))
    {
      const char *code = parsed->error_code;
      gboolean corrected = FALSE;

      outcome->error_class = scaler_aws_error_classify (code, response->status);
      if (is_clock_skew_code (code))
        corrected = maybe_correct_clock (self, response, TRUE);
      /* RequestExpired with a session token, and a clock the Date header
       * shows to be right: the credentials expired. */
      if (!corrected && credentials_expired (self, code, credentials, parsed, response->status, outcome, error))
        return NULL;
      if (is_clock_skew_code (code))
        outcome->retryable = corrected;
      else if (is_auth_skew_candidate (code))
        {
          /* Only a clock off by minutes explains an auth failure. */
          corrected = maybe_correct_clock (self, response, FALSE);
          outcome->retryable = corrected;
        }
      else
        {
          maybe_correct_clock (self, response, FALSE);
          outcome->retryable = outcome->error_class == SCALER_AWS_ERROR_THROTTLED ||
                               (outcome->error_class == SCALER_AWS_ERROR_SERVER &&
                                (response->status >= 500 ||
                                 g_strcmp0 (code, "RequestTimeout") == 0 ||
                                 g_strcmp0 (code, "RequestTimeoutException") == 0));
        }
      outcome->throttling = outcome->error_class == SCALER_AWS_ERROR_THROTTLED;
      outcome->hint_usec = scaler_aws_retry_parse_hint (scaler_http_response_get_header (response, "x-amz-retry-after"),
                                                        scaler_http_response_get_header (response, "retry-after"),
                                                        g_get_real_time ());
      scaler_aws_error_set (error, outcome->error_class, code,
                            str_set (parsed->error_message) ? parsed->error_message : NULL,
                            parsed->request_id, response->status);
      return NULL;
    }

  /* No usable EC2 answer: HTML from a proxy, empty, malformed, truncated... */
  {
    g_autofree char *message = NULL;

    if (response->status >= 200 && response->status < 300)
      outcome->error_class = SCALER_AWS_ERROR_SERVER;
    else
      outcome->error_class = scaler_aws_error_classify (NULL, response->status);
    if (outcome->error_class == SCALER_AWS_ERROR_FAILED)
      outcome->error_class = SCALER_AWS_ERROR_SERVER;
    outcome->retryable = response->status >= 500 || response->status == 429;
    outcome->throttling = response->status == 429;
    outcome->hint_usec = scaler_aws_retry_parse_hint (scaler_http_response_get_header (response, "x-amz-retry-after"),
                                                      scaler_http_response_get_header (response, "retry-after"),
                                                      g_get_real_time ());
    message = g_strdup_printf (_("%s answered %s with HTTP %u and %s (%s)"),
                               response->host, action, response->status, describe_body (response),
                               local_error != NULL ? local_error->message : _("an unexpected answer"));
    scaler_aws_error_set (error, outcome->error_class, NULL, message, NULL, response->status);
  }

  return NULL;
}

ScalerEc2Response *
scaler_ec2_client_call (ScalerEc2Client       *self,
                        const ScalerEc2Params *params,
                        GCancellable          *cancellable,
                        GError               **error)
{
  g_autofree char *body = NULL;
  const char *action;
  guint max_attempts;
  guint attempt_ms;
  guint call_ms;
  guint last_cost = 0;
  gboolean renewed = FALSE;
  gint64 deadline;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  action = scaler_ec2_params_get_action (params);
  body = scaler_ec2_params_encode (params);
  max_attempts = scaler_aws_retry_get_max_attempts (self->retry);

  g_mutex_lock (&self->mutex);
  attempt_ms = self->attempt_ms;
  call_ms = self->call_ms;
  self->stats.calls++;
  g_mutex_unlock (&self->mutex);

  deadline = g_get_monotonic_time () + (gint64) call_ms * 1000;

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) attempt_error = NULL;
      ScalerEc2Response *response;
      Outcome outcome;
      gint64 left = deadline - g_get_monotonic_time ();
      guint timeout_ms = (guint) MAX (1, MIN ((gint64) attempt_ms, left / 1000));
      guint cost = 0;
      gint64 delay;

      response = attempt_once (self, action, body, strlen (body), timeout_ms, cancellable, &outcome, &attempt_error);
      if (response != NULL)
        {
          scaler_aws_retry_release (self->retry, attempt > 1 ? last_cost : 0);
          return response;
        }
      if (outcome.expired != NULL)
        {
          g_autoptr(ScalerAwsCredentials) expired = g_steal_pointer (&outcome.expired);
          g_autoptr(GError) renew_error = NULL;

          /* Temporary credentials expired: new ones, then once more (not
           * counted as an attempt: nothing was wrong with the request). */
          if (!renewed && renew_credentials (self, expired, cancellable, &renew_error))
            {
              renewed = TRUE;
              attempt--;
              continue;
            }
          g_propagate_error (error, renew_error != NULL ? g_steal_pointer (&renew_error)
                                                        : g_steal_pointer (&attempt_error));
          return NULL;
        }
      if (g_error_matches (attempt_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return NULL;
        }
      if (!outcome.retryable || attempt >= max_attempts)
        {
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return NULL;
        }
      if (!scaler_aws_retry_acquire (self->retry, outcome.throttling, &cost))
        {
          g_debug ("%s: retry quota exhausted, not retrying", action);
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return NULL;
        }
      last_cost = cost;

      delay = scaler_aws_retry_compute_delay (self->retry, attempt - 1, outcome.throttling, outcome.hint_usec);
      if (g_get_monotonic_time () + delay >= deadline)
        {
          g_debug ("%s: no time left for another attempt", action);
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return NULL;
        }
      STAT_ADD (self, slept_usec, delay);
      STAT_ADD (self, retries, 1);
      g_debug ("%s: attempt %u failed (%s), retrying in %" G_GINT64_FORMAT " ms",
               action, attempt, attempt_error->message, delay / 1000);
      if (!scaler_aws_retry_sleep (self->retry, delay, cancellable, error))
        return NULL;
    }
}

/* --- operations --- */

static char *explain_auth_error (ScalerEc2Client      *self,
                                 const GError         *error,
                                 const ScalerResource *resource,
                                 const char           *fallback);

/* Adds what an auth error means to its message (the log shows it): opt-in
 * region, Marketplace AMI, the missing permission (@permission: what the
 * call needs). */
static void
add_explanation (ScalerEc2Client      *self,
                 GError               *error,
                 const ScalerResource *resource,
                 const char           *permission)
{
  g_autofree char *explained = NULL;
  char *message;

  if (error == NULL || error->domain != SCALER_AWS_ERROR)
    return;
  explained = explain_auth_error (self, error, resource, permission);
  if (explained == NULL)
    return;
  message = g_strdup_printf ("%s (%s)", error->message, explained);
  g_free (error->message);
  error->message = message;
}

ScalerInstance *
scaler_ec2_run_instance (ScalerEc2Client        *self,
                         const ScalerLaunchSpec *spec,
                         GCancellable           *cancellable,
                         GError                **error)
{
  g_autoptr(ScalerEc2Params) params = NULL;
  g_autoptr(ScalerEc2Response) response = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  params = scaler_ec2_run_instances_params (spec, FALSE, error);
  if (params == NULL)
    return NULL;
  response = scaler_ec2_client_call (self, params, cancellable, error);
  if (response == NULL)
    {
      if (error != NULL)
        add_explanation (self, *error, spec->resource, "ec2:RunInstances");
      return NULL;
    }
  if (response->instances->len == 0)
    {
      scaler_aws_error_set (error, SCALER_AWS_ERROR_SERVER, NULL,
                            _("RunInstances succeeded but its answer lists no instance"),
                            response->request_id, 200);
      return NULL;
    }

  return scaler_instance_copy (g_ptr_array_index (response->instances, 0));
}

GPtrArray *
scaler_ec2_describe_instances (ScalerEc2Client       *self,
                               const ScalerEc2Filter *filters,
                               guint                  n_filters,
                               GCancellable          *cancellable,
                               GError               **error)
{
  g_autoptr(GPtrArray) instances = NULL;
  g_autofree char *token = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (filters != NULL || n_filters == 0, NULL);

  instances = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_instance_free);

  for (guint page = 0; ; page++)
    {
      g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("DescribeInstances");
      g_autoptr(ScalerEc2Response) response = NULL;

      for (guint f = 0; f < n_filters; f++)
        {
          g_autofree char *name_key = g_strdup_printf ("Filter.%u.Name", f + 1);

          scaler_ec2_params_add (params, name_key, filters[f].name);
          for (guint v = 0; filters[f].values != NULL && filters[f].values[v] != NULL; v++)
            {
              g_autofree char *value_key = g_strdup_printf ("Filter.%u.Value.%u", f + 1, v + 1);

              scaler_ec2_params_add (params, value_key, filters[f].values[v]);
            }
        }
      scaler_ec2_params_addf (params, "MaxResults", "%u", SCALER_EC2_PAGE_SIZE);
      if (token != NULL)
        scaler_ec2_params_add (params, "NextToken", token);

      response = scaler_ec2_client_call (self, params, cancellable, error);
      if (response == NULL)
        {
          if (error != NULL)
            add_explanation (self, *error, NULL, "ec2:DescribeInstances");
          return NULL;
        }

      for (guint i = 0; i < response->instances->len; i++)
        g_ptr_array_add (instances, g_steal_pointer (&response->instances->pdata[i]));
      g_ptr_array_set_free_func (response->instances, NULL);

      if (response->next_token == NULL)
        break;
      if (token != NULL && strcmp (token, response->next_token) == 0)
        {
          scaler_aws_error_set (error, SCALER_AWS_ERROR_SERVER, NULL,
                                _("DescribeInstances returned the same NextToken twice"),
                                response->request_id, 200);
          return NULL;
        }
      if (page >= MAX_PAGES)
        {
          scaler_aws_error_set (error, SCALER_AWS_ERROR_SERVER, NULL,
                                _("DescribeInstances did not end after too many pages"),
                                response->request_id, 200);
          return NULL;
        }
      g_free (token);
      token = g_strdup (response->next_token);
    }

  return g_steal_pointer (&instances);
}

/* Instance ids named in an error message ("The instance IDs 'i-1, i-2' do not exist"). */
static GPtrArray *
ids_in_message (const char *message)
{
  g_autoptr(GRegex) regex = g_regex_new ("i-[0-9a-fA-F]{8,17}", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  if (message == NULL)
    return ids;
  g_regex_match (regex, message, 0, &match);
  while (g_match_info_matches (match))
    {
      g_ptr_array_add (ids, g_match_info_fetch (match, 0));
      g_match_info_next (match, NULL);
    }

  return ids;
}

static gboolean
strv_contains (GPtrArray  *array,
               const char *value)
{
  for (guint i = 0; i < array->len; i++)
    if (g_strcmp0 (g_ptr_array_index (array, i), value) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
terminate_batch (ScalerEc2Client  *self,
                 GPtrArray        *batch,     /* char*, consumed */
                 GPtrArray        *changes,
                 GPtrArray        *not_found,
                 GCancellable     *cancellable,
                 GError          **error)
{
  /* Each round removes at least one unknown id, so this ends. */
  while (batch->len > 0)
    {
      g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("TerminateInstances");
      g_autoptr(ScalerEc2Response) response = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GPtrArray) gone = NULL;
      guint removed = 0;

      for (guint i = 0; i < batch->len; i++)
        {
          g_autofree char *k = g_strdup_printf ("InstanceId.%u", i + 1);

          scaler_ec2_params_add (params, k, g_ptr_array_index (batch, i));
        }
      response = scaler_ec2_client_call (self, params, cancellable, &local_error);
      if (response != NULL)
        {
          for (guint i = 0; i < response->state_changes->len; i++)
            g_ptr_array_add (changes, g_steal_pointer (&response->state_changes->pdata[i]));
          g_ptr_array_set_free_func (response->state_changes, NULL);
          return TRUE;
        }
      if (g_strcmp0 (scaler_aws_error_get_aws_code (local_error), "InvalidInstanceID.NotFound") != 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* Drop the unknown ids the message names and send the rest again. */
      gone = ids_in_message (local_error->message);
      for (guint i = 0; i < batch->len; )
        {
          const char *id = g_ptr_array_index (batch, i);

          if (strv_contains (gone, id) || batch->len == 1)
            {
              g_ptr_array_add (not_found, g_strdup (id));
              g_ptr_array_remove_index (batch, i);
              removed++;
            }
          else
            i++;
        }
      if (removed == 0)
        {
          /* The message named none of them: go one by one. */
          while (batch->len > 0)
            {
              g_autoptr(GPtrArray) single = g_ptr_array_new_with_free_func (g_free);

              g_ptr_array_add (single, g_strdup (g_ptr_array_index (batch, batch->len - 1)));
              g_ptr_array_remove_index (batch, batch->len - 1);
              if (!terminate_batch (self, single, changes, not_found, cancellable, error))
                return FALSE;
            }
        }
    }

  return TRUE;
}

gboolean
scaler_ec2_terminate_instances (ScalerEc2Client     *self,
                                const char * const  *instance_ids,
                                GPtrArray          **changes,
                                GStrv               *not_found,
                                GCancellable        *cancellable,
                                GError             **error)
{
  g_autoptr(GPtrArray) all_changes = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  guint n;

  g_return_val_if_fail (self != NULL, FALSE);

  all_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_ec2_state_change_free);
  gone = g_ptr_array_new_with_free_func (g_free);
  n = instance_ids != NULL ? g_strv_length ((char **) instance_ids) : 0;

  for (guint start = 0; start < n; start += SCALER_EC2_TERMINATE_BATCH)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_free);

      for (guint i = start; i < n && i < start + SCALER_EC2_TERMINATE_BATCH; i++)
        if (!strv_contains (batch, instance_ids[i]))
          g_ptr_array_add (batch, g_strdup (instance_ids[i]));
      if (!terminate_batch (self, batch, all_changes, gone, cancellable, error))
        return FALSE;
    }

  if (changes != NULL)
    *changes = g_steal_pointer (&all_changes);
  if (not_found != NULL)
    {
      g_ptr_array_add (gone, NULL);
      *not_found = (GStrv) g_ptr_array_free (g_steal_pointer (&gone), FALSE);
    }

  return TRUE;
}

#define DESCRIBE_ID_BATCH 100

/* DescribeInstances of @batch (char*), dropping the ids EC2 does not know;
 * the found instances go to @found. */
static gboolean
describe_id_batch (ScalerEc2Client  *self,
                   GPtrArray        *batch,
                   GPtrArray        *found,
                   GCancellable     *cancellable,
                   GError          **error)
{
  while (batch->len > 0)
    {
      g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("DescribeInstances");
      g_autoptr(ScalerEc2Response) response = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GPtrArray) unknown = NULL;
      guint before = batch->len;

      for (guint i = 0; i < batch->len; i++)
        {
          g_autofree char *k = g_strdup_printf ("InstanceId.%u", i + 1);

          scaler_ec2_params_add (params, k, g_ptr_array_index (batch, i));
        }
      response = scaler_ec2_client_call (self, params, cancellable, &local_error);
      if (response != NULL)
        {
          for (guint i = 0; i < response->instances->len; i++)
            g_ptr_array_add (found, g_steal_pointer (&response->instances->pdata[i]));
          g_ptr_array_set_free_func (response->instances, NULL);
          return TRUE;
        }
      if (g_strcmp0 (scaler_aws_error_get_aws_code (local_error), "InvalidInstanceID.NotFound") != 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* Drop the ids the message names (all of them when it names none and
       * there is only one); otherwise go one by one. */
      unknown = ids_in_message (local_error->message);
      for (guint i = 0; i < batch->len; )
        if (strv_contains (unknown, g_ptr_array_index (batch, i)) || batch->len == 1)
          g_ptr_array_remove_index (batch, i);
        else
          i++;
      if (batch->len == before)
        {
          while (batch->len > 0)
            {
              g_autoptr(GPtrArray) single = g_ptr_array_new_with_free_func (g_free);

              g_ptr_array_add (single, g_strdup (g_ptr_array_index (batch, batch->len - 1)));
              g_ptr_array_remove_index (batch, batch->len - 1);
              if (!describe_id_batch (self, single, found, cancellable, error))
                return FALSE;
            }
        }
    }

  return TRUE;
}

GPtrArray *
scaler_ec2_describe_instance_ids (ScalerEc2Client     *self,
                                  const char * const  *instance_ids,
                                  GCancellable        *cancellable,
                                  GError             **error)
{
  g_autoptr(GPtrArray) found = NULL;
  guint n;

  g_return_val_if_fail (self != NULL, NULL);

  found = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_instance_free);
  n = instance_ids != NULL ? g_strv_length ((char **) instance_ids) : 0;
  for (guint start = 0; start < n; start += DESCRIBE_ID_BATCH)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_free);

      for (guint i = start; i < n && i < start + DESCRIBE_ID_BATCH; i++)
        if (!strv_contains (batch, instance_ids[i]))
          g_ptr_array_add (batch, g_strdup (instance_ids[i]));
      if (!describe_id_batch (self, batch, found, cancellable, error))
        return NULL;
    }

  return g_steal_pointer (&found);
}

GPtrArray *
scaler_ec2_get_spot_prices (ScalerEc2Client     *self,
                            const char * const  *instance_types,
                            GCancellable        *cancellable,
                            GError             **error)
{
  g_autoptr(GHashTable) latest = NULL;
  g_autoptr(GPtrArray) result = NULL;
  g_autofree char *token = NULL;
  g_autofree char *start_time = NULL;
  GHashTableIter iter;
  gpointer hkey;
  gpointer value;

  g_return_val_if_fail (self != NULL, NULL);

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_spot_price_free);
  if (instance_types == NULL || instance_types[0] == NULL)
    return g_steal_pointer (&result);

  {
    g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (scaler_signer_now (self->signer) / G_USEC_PER_SEC);

    start_time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  }
  latest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) scaler_spot_price_free);

  for (guint page = 0; ; page++)
    {
      g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("DescribeSpotPriceHistory");
      g_autoptr(ScalerEc2Response) response = NULL;

      for (guint i = 0; instance_types[i] != NULL; i++)
        {
          g_autofree char *k = g_strdup_printf ("InstanceType.%u", i + 1);

          scaler_ec2_params_add (params, k, instance_types[i]);
        }
      scaler_ec2_params_add (params, "ProductDescription.1", "Linux/UNIX");
      scaler_ec2_params_add (params, "StartTime", start_time);
      scaler_ec2_params_addf (params, "MaxResults", "%u", SCALER_EC2_PAGE_SIZE);
      if (token != NULL)
        scaler_ec2_params_add (params, "NextToken", token);

      response = scaler_ec2_client_call (self, params, cancellable, error);
      if (response == NULL)
        return NULL;

      for (guint i = 0; i < response->spot_prices->len; i++)
        {
          const ScalerEc2SpotPrice *p = g_ptr_array_index (response->spot_prices, i);
          g_autofree char *key = NULL;
          ScalerSpotPrice *old;

          if (g_strcmp0 (p->product_description, "Linux/UNIX") != 0)
            continue;
          key = g_strconcat (p->instance_type, "/", p->availability_zone, NULL);
          old = g_hash_table_lookup (latest, key);
          if (old == NULL || p->timestamp > old->timestamp)
            {
              ScalerSpotPrice *copy = g_new0 (ScalerSpotPrice, 1);

              copy->instance_type = g_strdup (p->instance_type);
              copy->availability_zone = g_strdup (p->availability_zone);
              copy->price_usd_per_hour = p->price_usd_per_hour;
              copy->timestamp = p->timestamp;
              g_hash_table_replace (latest, g_steal_pointer (&key), copy);
            }
        }

      if (response->next_token == NULL)
        break;
      if ((token != NULL && strcmp (token, response->next_token) == 0) || page >= MAX_PAGES)
        {
          scaler_aws_error_set (error, SCALER_AWS_ERROR_SERVER, NULL,
                                _("DescribeSpotPriceHistory does not stop paginating"),
                                response->request_id, 200);
          return NULL;
        }
      g_free (token);
      token = g_strdup (response->next_token);
    }

  g_hash_table_iter_init (&iter, latest);
  while (g_hash_table_iter_next (&iter, &hkey, &value))
    {
      g_ptr_array_add (result, value);
      g_hash_table_iter_steal (&iter);
      g_free (hkey);
    }

  return g_steal_pointer (&result);
}

static ScalerEc2Response *
console_output_call (ScalerEc2Client  *self,
                     const char       *instance_id,
                     gboolean          latest,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("GetConsoleOutput");

  scaler_ec2_params_add (params, "InstanceId", instance_id);
  if (latest)
    scaler_ec2_params_add (params, "Latest", "true");

  return scaler_ec2_client_call (self, params, cancellable, error);
}

char *
scaler_ec2_get_console_output (ScalerEc2Client  *self,
                               const char       *instance_id,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_autoptr(ScalerEc2Response) response = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (instance_id != NULL, NULL);

  /* Latest=true (the last 64 KB, not a buffered copy) works on Nitro types
   * only; Xen types (t2, m4, c4, p2, p3, g3, i3, ...) refuse it (EC2 API
   * reference, GetConsoleOutput: "Latest ... only supported on instance types
   * built on the Nitro System"). Then ask again without it. */
  response = console_output_call (self, instance_id, TRUE, cancellable, &local_error);
  if (response == NULL &&
      (g_error_matches (local_error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_INVALID_INPUT) ||
       g_error_matches (local_error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_FAILED)))
    {
      g_debug ("GetConsoleOutput with Latest refused for %s (%s); asking without it",
               instance_id, local_error->message);
      g_clear_error (&local_error);
      response = console_output_call (self, instance_id, FALSE, cancellable, &local_error);
    }
  if (response == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_strdup (response->console_output != NULL ? response->console_output : "");
}

/* --- test connection --- */

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
static char *
explain_auth_error (ScalerEc2Client      *self,
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

  explained = explain_auth_error (self, error, resource, permission);
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
