/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-ec2-params.c: the parameters of an EC2 Query API request, in order,
 * and the RunInstances request of a launch (scaler-ec2.h). Pure: no network. */

#define G_LOG_DOMAIN "scaler-ec2"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-aws-error.h"
#include "scaler-config.h"
#include "scaler-ec2.h"
#include "scaler-http.h"
#include "scaler-util.h"

typedef struct
{
  char *key;
  char *value;
} Param;

struct _ScalerEc2Params
{
  GPtrArray *items;   /* Param* */
};

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
      if (scaler_str_is_set (spec->subnet_id))
        scaler_ec2_params_add (params, "NetworkInterface.1.SubnetId", spec->subnet_id);
      add_security_groups (params, "NetworkInterface.1.", resource);
    }
  else
    {
      add_security_groups (params, "", resource);
      if (scaler_str_is_set (spec->subnet_id))
        scaler_ec2_params_add (params, "SubnetId", spec->subnet_id);
    }
  if (!scaler_str_is_set (spec->subnet_id) && scaler_str_is_set (spec->availability_zone))
    scaler_ec2_params_add (params, "Placement.AvailabilityZone", spec->availability_zone);
}

/* The one block device mapping: size, type, and the provisioned IOPS (io1
 * and io2 require them) and throughput (gp3). */
static void
add_block_device (ScalerEc2Params      *params,
                  const ScalerResource *resource)
{
  if (!scaler_str_is_set (resource->ebs_device_name))
    return;

  scaler_ec2_params_add (params, "BlockDeviceMapping.1.DeviceName", resource->ebs_device_name);
  if (resource->ebs_volume_size > 0)
    scaler_ec2_params_addf (params, "BlockDeviceMapping.1.Ebs.VolumeSize", "%u", resource->ebs_volume_size);
  if (scaler_str_is_set (resource->ebs_volume_type))
    scaler_ec2_params_add (params, "BlockDeviceMapping.1.Ebs.VolumeType", resource->ebs_volume_type);
  if (resource->ebs_iops > 0)
    scaler_ec2_params_addf (params, "BlockDeviceMapping.1.Ebs.Iops", "%u", resource->ebs_iops);
  if (resource->ebs_throughput > 0)
    scaler_ec2_params_addf (params, "BlockDeviceMapping.1.Ebs.Throughput", "%u", resource->ebs_throughput);
  scaler_ec2_params_add (params, "BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true");
}

/* What EC2 would refuse anyway, refused before a request. */
static gboolean
check_launch_spec (const ScalerLaunchSpec  *spec,
                   GError                 **error)
{
  const ScalerResource *resource = spec->resource;
  g_autofree char *message = NULL;

  if (!scaler_str_is_set (resource->ami_id))
    message = g_strdup (_("Resource has no AMI id (ami_id): cannot launch an instance without an image"));
  else if (!scaler_str_is_set (resource->instance_type))
    message = g_strdup (_("Resource has no instance type (instance_type)"));
  else if (spec->user_data != NULL && strlen (spec->user_data) > SCALER_EC2_MAX_USER_DATA)
    message = g_strdup_printf (_("The user-data script is %zu bytes; EC2 accepts at most %u bytes"),
                               strlen (spec->user_data), SCALER_EC2_MAX_USER_DATA);
  else if (scaler_str_is_set (resource->ebs_device_name) && resource->ebs_iops == 0 &&
           (g_strcmp0 (resource->ebs_volume_type, "io1") == 0 || g_strcmp0 (resource->ebs_volume_type, "io2") == 0))
    message = g_strdup_printf (_("%s volumes need provisioned IOPS (ebs_iops); EC2 refuses them without"),
                               resource->ebs_volume_type);
  else if (spec->client_token != NULL && (strlen (spec->client_token) > 64 || !g_str_is_ascii (spec->client_token)))
    message = g_strdup (_("The client token must be at most 64 ASCII characters"));

  if (message == NULL)
    return TRUE;
  scaler_aws_error_set (error, SCALER_AWS_ERROR_INVALID_INPUT, NULL, message, NULL, 0);
  return FALSE;
}

/* Instance profile, user-data and the spot market. */
static void
add_launch_options (ScalerEc2Params        *params,
                    const ScalerLaunchSpec *spec)
{
  const ScalerResource *resource = spec->resource;

  if (scaler_str_is_set (resource->iam_instance_profile))
    {
      if (g_str_has_prefix (resource->iam_instance_profile, "arn:"))
        scaler_ec2_params_add (params, "IamInstanceProfile.Arn", resource->iam_instance_profile);
      else
        scaler_ec2_params_add (params, "IamInstanceProfile.Name", resource->iam_instance_profile);
    }

  if (scaler_str_is_set (spec->user_data))
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

  if (!check_launch_spec (spec, error))
    return NULL;

  resource = spec->resource;
  params = scaler_ec2_params_new ("RunInstances");
  scaler_ec2_params_add (params, "ImageId", resource->ami_id);
  scaler_ec2_params_add (params, "InstanceType", resource->instance_type);
  scaler_ec2_params_add (params, "MinCount", "1");
  scaler_ec2_params_add (params, "MaxCount", "1");
  if (scaler_str_is_set (resource->key_name))
    scaler_ec2_params_add (params, "KeyName", resource->key_name);
  add_network (params, spec);
  add_block_device (params, resource);
  add_launch_options (params, spec);

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

  token = scaler_str_is_set (spec->client_token) ? g_strdup (spec->client_token) : g_uuid_string_random ();
  scaler_ec2_params_add (params, "ClientToken", token);
  scaler_ec2_params_add (params, "InstanceInitiatedShutdownBehavior", "terminate");
  if (dry_run)
    scaler_ec2_params_add (params, "DryRun", "true");

  return g_steal_pointer (&params);
}
