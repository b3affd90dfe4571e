/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-cloud"

#include "config.h"

#include <string.h>

#include "scaler-cloud.h"

G_DEFINE_INTERFACE (ScalerCloud, scaler_cloud, G_TYPE_OBJECT)

static void
scaler_cloud_default_init (ScalerCloudInterface *iface)
{
}

GPtrArray *
scaler_cloud_list_instances (ScalerCloud   *self,
                             const char    *config_id,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_return_val_if_fail (SCALER_IS_CLOUD (self), NULL);
  g_return_val_if_fail (config_id != NULL, NULL);

  return SCALER_CLOUD_GET_IFACE (self)->list_instances (self, config_id, cancellable, error);
}

ScalerInstance *
scaler_cloud_launch (ScalerCloud             *self,
                     const ScalerLaunchSpec  *spec,
                     GCancellable            *cancellable,
                     GError                 **error)
{
  g_return_val_if_fail (SCALER_IS_CLOUD (self), NULL);
  g_return_val_if_fail (spec != NULL && spec->config != NULL && spec->resource != NULL, NULL);
  g_return_val_if_fail (spec->client_token != NULL, NULL);

  return SCALER_CLOUD_GET_IFACE (self)->launch (self, spec, cancellable, error);
}

gboolean
scaler_cloud_terminate (ScalerCloud         *self,
                        const char * const  *instance_ids,
                        GCancellable        *cancellable,
                        GError             **error)
{
  g_return_val_if_fail (SCALER_IS_CLOUD (self), FALSE);
  g_return_val_if_fail (instance_ids != NULL, FALSE);

  if (instance_ids[0] == NULL)
    return TRUE;

  return SCALER_CLOUD_GET_IFACE (self)->terminate (self, instance_ids, cancellable, error);
}

GPtrArray *
scaler_cloud_get_spot_prices (ScalerCloud         *self,
                              const char * const  *instance_types,
                              GCancellable        *cancellable,
                              GError             **error)
{
  g_return_val_if_fail (SCALER_IS_CLOUD (self), NULL);
  g_return_val_if_fail (instance_types != NULL, NULL);

  return SCALER_CLOUD_GET_IFACE (self)->get_spot_prices (self, instance_types, cancellable, error);
}

char *
scaler_cloud_get_console_output (ScalerCloud   *self,
                                 const char    *instance_id,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_return_val_if_fail (SCALER_IS_CLOUD (self), NULL);
  g_return_val_if_fail (instance_id != NULL, NULL);

  return SCALER_CLOUD_GET_IFACE (self)->get_console_output (self, instance_id, cancellable, error);
}

GPtrArray *
scaler_cloud_describe_instances (ScalerCloud         *self,
                                 const char * const  *instance_ids,
                                 GCancellable        *cancellable,
                                 GError             **error)
{
  ScalerCloudInterface *iface;

  g_return_val_if_fail (SCALER_IS_CLOUD (self), NULL);
  g_return_val_if_fail (instance_ids != NULL, NULL);

  iface = SCALER_CLOUD_GET_IFACE (self);
  if (iface->describe_instances == NULL || instance_ids[0] == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_instance_free);

  return iface->describe_instances (self, instance_ids, cancellable, error);
}

ScalerInstance *
scaler_instance_new (void)
{
  ScalerInstance *self = g_new0 (ScalerInstance, 1);

  self->tags = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_tag_free);

  return self;
}

ScalerInstance *
scaler_instance_copy (const ScalerInstance *self)
{
  ScalerInstance *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = scaler_instance_new ();
  copy->instance_id = g_strdup (self->instance_id);
  copy->config_id = g_strdup (self->config_id);
  copy->resource = g_strdup (self->resource);
  copy->instance_type = g_strdup (self->instance_type);
  copy->availability_zone = g_strdup (self->availability_zone);
  copy->subnet_id = g_strdup (self->subnet_id);
  copy->is_spot = self->is_spot;
  copy->state = self->state;
  copy->launch_time = self->launch_time;
  copy->client_token = g_strdup (self->client_token);
  copy->state_reason = g_strdup (self->state_reason);
  for (guint i = 0; self->tags != NULL && i < self->tags->len; i++)
    {
      const ScalerTag *tag = g_ptr_array_index (self->tags, i);

      g_ptr_array_add (copy->tags, scaler_tag_new (tag->key, tag->value));
    }

  return copy;
}

void
scaler_instance_free (ScalerInstance *self)
{
  if (self == NULL)
    return;

  g_free (self->instance_id);
  g_free (self->config_id);
  g_free (self->resource);
  g_free (self->instance_type);
  g_free (self->availability_zone);
  g_free (self->subnet_id);
  g_free (self->client_token);
  g_free (self->state_reason);
  g_clear_pointer (&self->tags, g_ptr_array_unref);
  g_free (self);
}

const char *
scaler_instance_get_tag (const ScalerInstance *self,
                         const char           *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; self->tags != NULL && i < self->tags->len; i++)
    {
      const ScalerTag *tag = g_ptr_array_index (self->tags, i);

      if (g_strcmp0 (tag->key, key) == 0)
        return tag->value;
    }

  return NULL;
}

static const char * const state_names[] = {
  [SCALER_INSTANCE_STATE_UNKNOWN] = "unknown",
  [SCALER_INSTANCE_STATE_PENDING] = "pending",
  [SCALER_INSTANCE_STATE_RUNNING] = "running",
  [SCALER_INSTANCE_STATE_SHUTTING_DOWN] = "shutting-down",
  [SCALER_INSTANCE_STATE_TERMINATED] = "terminated",
  [SCALER_INSTANCE_STATE_STOPPING] = "stopping",
  [SCALER_INSTANCE_STATE_STOPPED] = "stopped",
};

gboolean
scaler_instance_state_is_live (ScalerInstanceState state)
{
  return state == SCALER_INSTANCE_STATE_PENDING || state == SCALER_INSTANCE_STATE_RUNNING;
}

const char *
scaler_instance_state_to_string (ScalerInstanceState state)
{
  if ((guint) state >= G_N_ELEMENTS (state_names))
    return "unknown";

  return state_names[state];
}

ScalerInstanceState
scaler_instance_state_from_string (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (state_names[i], name) == 0)
      return (ScalerInstanceState) i;

  return SCALER_INSTANCE_STATE_UNKNOWN;
}

void
scaler_spot_price_free (ScalerSpotPrice *self)
{
  if (self == NULL)
    return;

  g_free (self->instance_type);
  g_free (self->availability_zone);
  g_free (self);
}

static void
tags_set (GPtrArray  *tags,
          const char *key,
          const char *value)
{
  for (guint i = 0; i < tags->len; i++)
    {
      ScalerTag *tag = g_ptr_array_index (tags, i);

      if (g_strcmp0 (tag->key, key) == 0)
        {
          g_free (tag->value);
          tag->value = g_strdup (value);
          return;
        }
    }

  g_ptr_array_add (tags, scaler_tag_new (key, value));
}

GPtrArray *
scaler_launch_tags (const ScalerConfig   *config,
                    const ScalerResource *resource)
{
  GPtrArray *tags;
  g_autofree char *name = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (resource != NULL, NULL);

  tags = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_tag_free);
  name = g_strdup_printf ("%s:%s", config->workers_prefix, resource->name);

  g_ptr_array_add (tags, scaler_tag_new (SCALER_TAG_INSTANCE, config->id));
  g_ptr_array_add (tags, scaler_tag_new (SCALER_TAG_RESOURCE, resource->name));
  g_ptr_array_add (tags, scaler_tag_new (SCALER_TAG_NAME, name));

  /* User tags may not override our own identity tags: those decide what we manage. */
  for (guint i = 0; config->aws_tags != NULL && i < config->aws_tags->len; i++)
    {
      const ScalerTag *tag = g_ptr_array_index (config->aws_tags, i);

      if (g_str_has_prefix (tag->key, "ec2-autoscaler:"))
        continue;
      tags_set (tags, tag->key, tag->value);
    }
  for (guint i = 0; resource->tags != NULL && i < resource->tags->len; i++)
    {
      const ScalerTag *tag = g_ptr_array_index (resource->tags, i);

      if (g_str_has_prefix (tag->key, "ec2-autoscaler:"))
        continue;
      tags_set (tags, tag->key, tag->value);
    }

  return tags;
}

char *
scaler_worker_id_build (const char *workers_prefix,
                        const char *resource,
                        const char *instance_type,
                        const char *instance_id)
{
  g_return_val_if_fail (workers_prefix != NULL, NULL);
  g_return_val_if_fail (resource != NULL, NULL);
  g_return_val_if_fail (instance_type != NULL, NULL);
  g_return_val_if_fail (instance_id != NULL, NULL);

  return g_strdup_printf ("%s:%s:%s:%s", workers_prefix, resource, instance_type, instance_id);
}

gboolean
scaler_worker_id_parse (const char  *worker_id,
                        char       **prefix,
                        char       **resource,
                        char       **instance_type,
                        char       **instance_id)
{
  g_auto(GStrv) parts = NULL;

  if (worker_id == NULL)
    return FALSE;

  parts = g_strsplit (worker_id, ":", -1);
  if (g_strv_length (parts) != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    if (parts[i][0] == '\0')
      return FALSE;
  if (strchr (parts[3], '/') != NULL)
    return FALSE;

  if (prefix)
    *prefix = g_strdup (parts[0]);
  if (resource)
    *resource = g_strdup (parts[1]);
  if (instance_type)
    *instance_type = g_strdup (parts[2]);
  if (instance_id)
    *instance_id = g_strdup (parts[3]);

  return TRUE;
}
