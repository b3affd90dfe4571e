/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-ec2-cloud"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-aws-chain.h"
#include "scaler-aws-error.h"
#include "scaler-ec2-cloud.h"
#include "scaler-error.h"

/* EC2 is eventually consistent: right after RunInstances, the new id may be
 * unknown to other calls for a while (EC2 API reference, "Eventual
 * consistency"). A TerminateInstances NotFound for an instance launched
 * within this window is retried, then reported as NOT_FOUND instead of
 * "already gone". */
#define CONSISTENCY_WINDOW_USEC  (5 * 60 * G_USEC_PER_SEC)
/* In-call retries of such a terminate: 1 s, then 2 s; then the next cycle. */
#define CONSISTENCY_RETRIES      2

struct _ScalerEc2Cloud
{
  GObject          parent_instance;

  ScalerConfig    *config;
  ScalerEc2Client *client;

  GMutex           mutex;
  GHashTable      *launch_times;   /* instance id -> gint64* (EC2 launch time, usec) */
};

static void scaler_ec2_cloud_iface_init (ScalerCloudInterface *iface);

static gboolean
strv_contains (GPtrArray  *array,
               const char *value)
{
  for (guint i = 0; i < array->len; i++)
    if (g_strcmp0 (g_ptr_array_index (array, i), value) == 0)
      return TRUE;

  return FALSE;
}

/* Launch times of the instances this cloud launched or listed, for the
 * eventual-consistency window of terminate; entries older than the window
 * are dropped. */
static void
remember_launch_times (ScalerEc2Cloud *self,
                       GPtrArray      *instances)
{
  gint64 now = scaler_signer_now (scaler_ec2_client_get_signer (self->client));
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->mutex);
  g_hash_table_iter_init (&iter, self->launch_times);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (now - *(gint64 *) value >= CONSISTENCY_WINDOW_USEC)
      g_hash_table_iter_remove (&iter);
  for (guint i = 0; i < instances->len; i++)
    {
      const ScalerInstance *instance = g_ptr_array_index (instances, i);
      gint64 launched = instance->launch_time > 0 ? instance->launch_time : now;

      if (now - launched < CONSISTENCY_WINDOW_USEC)
        g_hash_table_insert (self->launch_times, g_strdup (instance->instance_id),
                             g_memdup2 (&launched, sizeof launched));
    }
  g_mutex_unlock (&self->mutex);
}

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
  remember_launch_times (self, instances);

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
  ScalerInstance *instance = scaler_ec2_run_instance (self->client, spec, cancellable, error);

  if (instance != NULL)
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      g_ptr_array_add (one, instance);
      remember_launch_times (self, one);
    }

  return instance;
}

/* The ids of @ids launched within the consistency window (EC2's clock). */
static GPtrArray *
young_ids (ScalerEc2Cloud *self,
           GStrv           ids)
{
  gint64 now = scaler_signer_now (scaler_ec2_client_get_signer (self->client));
  GPtrArray *young = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      gint64 *launched = g_hash_table_lookup (self->launch_times, ids[i]);

      if (launched != NULL && now - *launched < CONSISTENCY_WINDOW_USEC)
        g_ptr_array_add (young, g_strdup (ids[i]));
    }
  g_mutex_unlock (&self->mutex);

  return young;
}

static gboolean
scaler_ec2_cloud_terminate (ScalerCloud         *cloud,
                            const char * const  *instance_ids,
                            GCancellable        *cancellable,
                            GError             **error)
{
  ScalerEc2Cloud *self = SCALER_EC2_CLOUD (cloud);
  g_auto(GStrv) not_found = NULL;
  g_autoptr(GPtrArray) young = NULL;

  if (!scaler_ec2_terminate_instances (self->client, instance_ids, NULL, &not_found, cancellable, error))
    return FALSE;
  young = young_ids (self, not_found);
  for (guint i = 0; not_found != NULL && not_found[i] != NULL; i++)
    if (!strv_contains (young, not_found[i]))
      g_debug ("Instance %s is already gone", not_found[i]);

  /* Launched moments ago: EC2 does not know it yet. Ask again shortly. */
  for (guint retry = 0; young->len > 0 && retry < CONSISTENCY_RETRIES; retry++)
    {
      g_auto(GStrv) still = NULL;

      g_ptr_array_add (young, NULL);
      if (!scaler_aws_retry_sleep (scaler_ec2_client_get_retry (self->client),
                                   (gint64) G_USEC_PER_SEC << retry, cancellable, error) ||
          !scaler_ec2_terminate_instances (self->client, (const char * const *) young->pdata, NULL, &still,
                                           cancellable, error))
        return FALSE;
      g_ptr_array_set_size (young, 0);
      for (guint i = 0; still != NULL && still[i] != NULL; i++)
        g_ptr_array_add (young, g_strdup (still[i]));
    }
  if (young->len > 0)
    {
      g_autofree char *list = NULL;
      g_autofree char *message = NULL;

      g_ptr_array_add (young, NULL);
      list = g_strjoinv (", ", (char **) young->pdata);
      message = g_strdup_printf (_("EC2 does not know %s yet: launched moments ago, and EC2 is eventually "
                                   "consistent; not taken as gone, terminating again next cycle"), list);
      scaler_aws_error_set (error, SCALER_AWS_ERROR_NOT_FOUND, "InvalidInstanceID.NotFound", message, NULL, 400);
      return FALSE;
    }

  return TRUE;
}

static GPtrArray *
scaler_ec2_cloud_describe_instances (ScalerCloud         *cloud,
                                     const char * const  *instance_ids,
                                     GCancellable        *cancellable,
                                     GError             **error)
{
  ScalerEc2Cloud *self = SCALER_EC2_CLOUD (cloud);

  return scaler_ec2_describe_instance_ids (self->client, instance_ids, cancellable, error);
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
  iface->describe_instances = scaler_ec2_cloud_describe_instances;
}

static void
scaler_ec2_cloud_finalize (GObject *object)
{
  ScalerEc2Cloud *self = SCALER_EC2_CLOUD (object);

  g_clear_pointer (&self->client, scaler_ec2_client_free);
  g_clear_pointer (&self->config, scaler_config_unref);
  g_clear_pointer (&self->launch_times, g_hash_table_unref);
  g_mutex_clear (&self->mutex);

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
  g_mutex_init (&self->mutex);
  self->launch_times = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
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
