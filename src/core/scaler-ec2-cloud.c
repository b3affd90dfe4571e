/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-ec2-cloud"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-aws-chain.h"
#include "scaler-aws-error.h"
#include "scaler-ec2-cloud.h"
#include "scaler-error.h"

struct _ScalerEc2Cloud
{
  GObject          parent_instance;

  ScalerConfig    *config;
  ScalerEc2Client *client;
};

static void scaler_ec2_cloud_iface_init (ScalerCloudInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ScalerEc2Cloud, scaler_ec2_cloud, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SCALER_TYPE_CLOUD, scaler_ec2_cloud_iface_init))

static GPtrArray *
scaler_ec2_cloud_list_instances (ScalerCloud   *cloud,
                                 const char    *config_id,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  ScalerEc2Cloud *self = SCALER_EC2_CLOUD (cloud);
  static const char * const states[] = { "pending", "running", "shutting-down", "stopping", "stopped", NULL };
  g_autofree char *tag_filter = g_strconcat ("tag:", SCALER_TAG_INSTANCE, NULL);
  const char *ids[] = { config_id, NULL };
  ScalerEc2Filter filters[2];
  g_autoptr(GPtrArray) instances = NULL;
  GPtrArray *result;

  g_return_val_if_fail (config_id != NULL && *config_id != '\0', NULL);

  filters[0].name = tag_filter;
  filters[0].values = ids;
  filters[1].name = "instance-state-name";
  filters[1].values = states;

  instances = scaler_ec2_describe_instances (self->client, filters, G_N_ELEMENTS (filters), cancellable, error);
  if (instances == NULL)
    return NULL;

  /* Belt and braces: keep exactly our tag value (filters allow wildcards)
   * and live states. */
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_instance_free);
  for (guint i = 0; i < instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (instances, i);

      if (g_strcmp0 (instance->config_id, config_id) != 0 ||
          instance->state == SCALER_INSTANCE_STATE_TERMINATED)
        continue;
      g_ptr_array_add (result, g_steal_pointer (&instances->pdata[i]));
    }

  return result;
}

static ScalerInstance *
scaler_ec2_cloud_launch (ScalerCloud             *cloud,
                         const ScalerLaunchSpec  *spec,
                         GCancellable            *cancellable,
                         GError                 **error)
{
  ScalerEc2Cloud *self = SCALER_EC2_CLOUD (cloud);

  return scaler_ec2_run_instance (self->client, spec, cancellable, error);
}

static gboolean
scaler_ec2_cloud_terminate (ScalerCloud         *cloud,
                            const char * const  *instance_ids,
                            GCancellable        *cancellable,
                            GError             **error)
{
  ScalerEc2Cloud *self = SCALER_EC2_CLOUD (cloud);
  g_auto(GStrv) not_found = NULL;

  if (!scaler_ec2_terminate_instances (self->client, instance_ids, NULL, &not_found, cancellable, error))
    return FALSE;
  for (guint i = 0; not_found != NULL && not_found[i] != NULL; i++)
    g_debug ("Instance %s is already gone", not_found[i]);

  return TRUE;
}

static GPtrArray *
scaler_ec2_cloud_get_spot_prices (ScalerCloud         *cloud,
                                  const char * const  *instance_types,
                                  GCancellable        *cancellable,
                                  GError             **error)
{
  ScalerEc2Cloud *self = SCALER_EC2_CLOUD (cloud);

  return scaler_ec2_get_spot_prices (self->client, instance_types, cancellable, error);
}

static char *
scaler_ec2_cloud_get_console_output (ScalerCloud   *cloud,
                                     const char    *instance_id,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  ScalerEc2Cloud *self = SCALER_EC2_CLOUD (cloud);

  return scaler_ec2_get_console_output (self->client, instance_id, cancellable, error);
}

static void
scaler_ec2_cloud_iface_init (ScalerCloudInterface *iface)
{
  iface->list_instances = scaler_ec2_cloud_list_instances;
  iface->launch = scaler_ec2_cloud_launch;
  iface->terminate = scaler_ec2_cloud_terminate;
  iface->get_spot_prices = scaler_ec2_cloud_get_spot_prices;
  iface->get_console_output = scaler_ec2_cloud_get_console_output;
}

static void
scaler_ec2_cloud_finalize (GObject *object)
{
  ScalerEc2Cloud *self = SCALER_EC2_CLOUD (object);

  g_clear_pointer (&self->client, scaler_ec2_client_free);
  g_clear_pointer (&self->config, scaler_config_unref);

  G_OBJECT_CLASS (scaler_ec2_cloud_parent_class)->finalize (object);
}

static void
scaler_ec2_cloud_class_init (ScalerEc2CloudClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scaler_ec2_cloud_finalize;
}

static void
scaler_ec2_cloud_init (ScalerEc2Cloud *self)
{
}

/* "environment": the standard AWS chain, resolved on first use (on the
 * worker thread that makes the first call) and refreshed before the
 * credentials expire; "keyring": the static keys of @secrets. */
static ScalerAwsProvider *
provider_for (const ScalerConfig   *config,
              const ScalerSecrets  *secrets,
              GError              **error)
{
  g_autoptr(ScalerAwsCredentials) credentials = NULL;

  if (config->aws_credentials == SCALER_CREDENTIALS_SOURCE_ENVIRONMENT)
    return scaler_aws_chain_new (config->aws_profile, config->aws_region);

  if (secrets == NULL ||
      secrets->aws_access_key_id == NULL || *secrets->aws_access_key_id == '\0' ||
      secrets->aws_secret_access_key == NULL || *secrets->aws_secret_access_key == '\0')
    {
      g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                           _("No AWS access key ID and secret access key are available for this autoscaler"));
      return NULL;
    }
  credentials = scaler_aws_credentials_new (secrets->aws_access_key_id,
                                            secrets->aws_secret_access_key,
                                            secrets->aws_session_token);
  credentials->source = g_strdup (_("the keys stored for this autoscaler"));
  return scaler_aws_provider_new_static (credentials);
}

ScalerEc2Cloud *
scaler_ec2_cloud_new (const ScalerConfig  *config,
                      const ScalerSecrets *secrets,
                      GError             **error)
{
  g_autoptr(ScalerAwsProvider) provider = NULL;
  g_autoptr(ScalerEc2Cloud) self = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  provider = provider_for (config, secrets, error);
  if (provider == NULL)
    return NULL;
  self = g_object_new (SCALER_TYPE_EC2_CLOUD, NULL);
  self->client = scaler_ec2_client_new_with_provider (config->aws_region, config->aws_endpoint, provider, error);
  if (self->client == NULL)
    return NULL;
  self->config = scaler_config_ref ((ScalerConfig *) config);

  return g_steal_pointer (&self);
}

ScalerEc2Client *
scaler_ec2_cloud_get_client (ScalerEc2Cloud *self)
{
  g_return_val_if_fail (SCALER_IS_EC2_CLOUD (self), NULL);

  return self->client;
}
