/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-config.c: construction, copying and freeing of ScalerConfig and friends.
 * JSON parsing lives in scaler-config-json.c, validation in scaler-config-validate.c. */

#define G_LOG_DOMAIN "scaler-config"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-config.h"
#include "scaler-config-private.h"
#include "scaler-error.h"
#include "scaler-prices.h"
#include "scaler-util.h"

G_DEFINE_BOXED_TYPE (ScalerConfig, scaler_config, scaler_config_ref, scaler_config_unref)
G_DEFINE_BOXED_TYPE (ScalerResource, scaler_resource, scaler_resource_copy, scaler_resource_free)

static GPtrArray *
tags_copy (GPtrArray *tags)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_tag_free);

  for (guint i = 0; tags != NULL && i < tags->len; i++)
    {
      const ScalerTag *tag = g_ptr_array_index (tags, i);

      g_ptr_array_add (copy, scaler_tag_new (tag->key, tag->value));
    }

  return copy;
}

static GStrv
empty_strv (void)
{
  return g_new0 (char *, 1);
}

static GStrv
strv_copy (GStrv strv)
{
  return strv != NULL ? g_strdupv (strv) : empty_strv ();
}

ScalerTag *
scaler_tag_new (const char *key,
                const char *value)
{
  ScalerTag *self = g_new0 (ScalerTag, 1);

  self->key = g_strdup (key ? key : "");
  self->value = g_strdup (value ? value : "");

  return self;
}

void
scaler_tag_free (ScalerTag *self)
{
  if (self == NULL)
    return;

  g_free (self->key);
  g_free (self->value);
  g_free (self);
}

ScalerResource *
scaler_resource_new (void)
{
  ScalerResource *self = g_new0 (ScalerResource, 1);

  self->name = g_strdup ("");
  self->queue = g_strdup ("");
  self->max_instances = 1;
  self->instance_type = g_strdup ("");
  self->availability_zones = empty_strv ();
  self->subnet_ids = empty_strv ();
  self->ami_id = g_strdup ("");
  self->ebs_device_name = g_strdup ("/dev/sda1");
  self->ebs_volume_size = 100;
  self->ebs_volume_type = g_strdup ("gp3");
  self->key_name = g_strdup ("");
  self->security_group_ids = empty_strv ();
  self->is_spot = FALSE;
  self->spot_fallback_on_demand = TRUE;
  self->iam_instance_profile = NULL;
  /* One hop more than EC2's default: a docker container on the instance
   * (ClearML docker mode) reaches IMDSv2 for the instance role. */
  self->metadata_hop_limit = SCALER_DEFAULT_METADATA_HOP_LIMIT;
  self->associate_public_ip = SCALER_PUBLIC_IP_SUBNET_DEFAULT;
  self->tags = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_tag_free);

  return self;
}

ScalerResource *
scaler_resource_copy (const ScalerResource *self)
{
  ScalerResource *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (ScalerResource, 1);
  copy->name = g_strdup (self->name);
  copy->queue = g_strdup (self->queue);
  copy->max_instances = self->max_instances;
  copy->instance_type = g_strdup (self->instance_type);
  copy->availability_zones = strv_copy (self->availability_zones);
  copy->subnet_ids = strv_copy (self->subnet_ids);
  copy->ami_id = g_strdup (self->ami_id);
  copy->ebs_device_name = g_strdup (self->ebs_device_name);
  copy->ebs_volume_size = self->ebs_volume_size;
  copy->ebs_volume_type = g_strdup (self->ebs_volume_type);
  copy->ebs_iops = self->ebs_iops;
  copy->ebs_throughput = self->ebs_throughput;
  copy->key_name = g_strdup (self->key_name);
  copy->security_group_ids = strv_copy (self->security_group_ids);
  copy->is_spot = self->is_spot;
  copy->spot_fallback_on_demand = self->spot_fallback_on_demand;
  copy->iam_instance_profile = g_strdup (self->iam_instance_profile);
  copy->metadata_hop_limit = self->metadata_hop_limit;
  copy->associate_public_ip = self->associate_public_ip;
  copy->tags = tags_copy (self->tags);
  copy->cpu_only = self->cpu_only;

  return copy;
}

gboolean
scaler_resource_is_cpu_only (const ScalerResource *self)
{
  const ScalerInstanceTypeInfo *info;
  const char *type;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->cpu_only != SCALER_CPU_ONLY_AUTO)
    return self->cpu_only == SCALER_CPU_ONLY_YES;

  type = self->instance_type != NULL ? self->instance_type : "";
  info = scaler_price_table_lookup (scaler_price_table_get_default (), type);
  if (info != NULL)
    return info->gpu_count == 0;

  /* Not in the table: NVIDIA GPU families are g4dn, g5, g5g, g6, g6e, gr6,
   * p3, p4d, p5 ...; g4ad has AMD GPUs, which docker --gpus cannot use. */
  if (g_str_has_prefix (type, "g4ad."))
    return TRUE;
  return !g_regex_match_simple ("^(g|gr|p)[0-9]+[a-z-]*\\.", type, 0, 0);
}

void
scaler_resource_free (ScalerResource *self)
{
  if (self == NULL)
    return;

  g_free (self->name);
  g_free (self->queue);
  g_free (self->instance_type);
  g_strfreev (self->availability_zones);
  g_strfreev (self->subnet_ids);
  g_free (self->ami_id);
  g_free (self->ebs_device_name);
  g_free (self->ebs_volume_type);
  g_free (self->key_name);
  g_strfreev (self->security_group_ids);
  g_free (self->iam_instance_profile);
  g_clear_pointer (&self->tags, g_ptr_array_unref);
  g_free (self);
}

ScalerConfig *
scaler_config_new (void)
{
  ScalerConfig *self = g_new0 (ScalerConfig, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->version = SCALER_CONFIG_VERSION;
  self->id = g_uuid_string_random ();
  self->name = g_strdup ("");
  self->aws_region = g_strdup ("us-east-1");
  self->aws_endpoint = NULL;
  self->aws_credentials = SCALER_CREDENTIALS_SOURCE_KEYRING;
  self->aws_tags = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_tag_free);
  self->clearml_api_server = g_strdup ("https://api.clear.ml");
  self->clearml_web_server = g_strdup ("https://app.clear.ml");
  self->clearml_files_server = g_strdup ("https://files.clear.ml");
  self->clearml_credentials = SCALER_CREDENTIALS_SOURCE_KEYRING;
  self->git_user = g_strdup ("");
  self->default_docker_image = g_strdup ("");
  self->max_idle_time_min = 15;
  self->polling_interval_time_min = 1;
  self->max_spin_up_time_min = 30;
  self->workers_prefix = g_strdup ("dynamic_worker");
  self->hourly_budget_usd = 0;
  self->on_stop = SCALER_ON_STOP_KEEP;
  self->idle_policy = SCALER_IDLE_POLICY_ADAPTIVE;
  self->extra_vm_bash_script = g_strdup ("");
  self->extra_clearml_conf = g_strdup ("");
  self->resources = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_resource_free);

  return self;
}

ScalerConfig *
scaler_config_ref (ScalerConfig *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

static void
scaler_config_free (ScalerConfig *self)
{
  g_free (self->id);
  g_free (self->name);
  g_free (self->aws_region);
  g_free (self->aws_endpoint);
  g_free (self->aws_profile);
  g_clear_pointer (&self->aws_tags, g_ptr_array_unref);
  g_free (self->clearml_api_server);
  g_free (self->clearml_web_server);
  g_free (self->clearml_files_server);
  g_free (self->git_user);
  g_free (self->default_docker_image);
  g_free (self->workers_prefix);
  g_free (self->extra_vm_bash_script);
  g_free (self->extra_clearml_conf);
  g_clear_pointer (&self->resources, g_ptr_array_unref);
  g_free (self);
}

void
scaler_config_unref (ScalerConfig *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    scaler_config_free (self);
}

ScalerConfig *
scaler_config_copy (const ScalerConfig *self)
{
  ScalerConfig *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (ScalerConfig, 1);
  g_atomic_ref_count_init (&copy->ref_count);
  copy->version = self->version;
  copy->id = g_strdup (self->id);
  copy->name = g_strdup (self->name);
  copy->aws_region = g_strdup (self->aws_region);
  copy->aws_endpoint = g_strdup (self->aws_endpoint);
  copy->aws_profile = g_strdup (self->aws_profile);
  copy->aws_credentials = self->aws_credentials;
  copy->aws_tags = tags_copy (self->aws_tags);
  copy->clearml_api_server = g_strdup (self->clearml_api_server);
  copy->clearml_web_server = g_strdup (self->clearml_web_server);
  copy->clearml_files_server = g_strdup (self->clearml_files_server);
  copy->clearml_credentials = self->clearml_credentials;
  copy->git_user = g_strdup (self->git_user);
  copy->default_docker_image = g_strdup (self->default_docker_image);
  copy->max_idle_time_min = self->max_idle_time_min;
  copy->polling_interval_time_min = self->polling_interval_time_min;
  copy->max_spin_up_time_min = self->max_spin_up_time_min;
  copy->workers_prefix = g_strdup (self->workers_prefix);
  copy->hourly_budget_usd = self->hourly_budget_usd;
  copy->on_stop = self->on_stop;
  copy->idle_policy = self->idle_policy;
  copy->extra_vm_bash_script = g_strdup (self->extra_vm_bash_script);
  copy->extra_clearml_conf = g_strdup (self->extra_clearml_conf);
  copy->demo = self->demo;
  copy->resources = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_resource_free);
  for (guint i = 0; i < self->resources->len; i++)
    g_ptr_array_add (copy->resources,
                     scaler_resource_copy (g_ptr_array_index (self->resources, i)));

  return copy;
}

ScalerResource *
scaler_config_find_resource (const ScalerConfig *self,
                             const char         *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->resources->len; i++)
    {
      ScalerResource *resource = g_ptr_array_index (self->resources, i);

      if (g_strcmp0 (resource->name, name) == 0)
        return resource;
    }

  return NULL;
}

GStrv
scaler_config_dup_queues (const ScalerConfig *self)
{
  g_autoptr(GPtrArray) queues = g_ptr_array_new ();

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->resources->len; i++)
    {
      ScalerResource *resource = g_ptr_array_index (self->resources, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < queues->len && !seen; j++)
        seen = g_strcmp0 (g_ptr_array_index (queues, j), resource->queue) == 0;
      if (!seen)
        g_ptr_array_add (queues, g_strdup (resource->queue));
    }
  g_ptr_array_add (queues, NULL);

  return (GStrv) g_ptr_array_steal (queues, NULL);
}

const char *
scaler_on_stop_to_string (ScalerOnStop on_stop)
{
  switch (on_stop)
    {
    case SCALER_ON_STOP_KEEP:
      return "keep";
    case SCALER_ON_STOP_TERMINATE_IDLE:
      return "terminate_idle";
    case SCALER_ON_STOP_TERMINATE_ALL:
      return "terminate_all";
    default:
      g_return_val_if_reached ("keep");
    }
}

const char *
scaler_idle_policy_to_string (ScalerIdlePolicy idle_policy)
{
  switch (idle_policy)
    {
    case SCALER_IDLE_POLICY_ADAPTIVE:
      return "adaptive";
    case SCALER_IDLE_POLICY_FIXED:
      return "fixed";
    default:
      g_return_val_if_reached ("adaptive");
    }
}

gboolean
scaler_idle_policy_from_string (const char       *text,
                                ScalerIdlePolicy *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (g_strcmp0 (text, "adaptive") == 0)
    *out = SCALER_IDLE_POLICY_ADAPTIVE;
  else if (g_strcmp0 (text, "fixed") == 0)
    *out = SCALER_IDLE_POLICY_FIXED;
  else
    return FALSE;
  return TRUE;
}

const char *
scaler_credentials_source_to_string (ScalerCredentialsSource source)
{
  switch (source)
    {
    case SCALER_CREDENTIALS_SOURCE_KEYRING:
      return "keyring";
    case SCALER_CREDENTIALS_SOURCE_ENVIRONMENT:
      return "environment";
    default:
      g_return_val_if_reached ("keyring");
    }
}

void
scaler_config_problem_free (ScalerConfigProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->path);
  g_free (problem->message);
  g_free (problem);
}

gboolean
scaler_config_problems_have_errors (GPtrArray *problems)
{
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const ScalerConfigProblem *problem = g_ptr_array_index (problems, i);

      if (problem->severity == SCALER_PROBLEM_ERROR)
        return TRUE;
    }

  return FALSE;
}

char *
_scaler_config_problems_error_text (GPtrArray *problems)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const ScalerConfigProblem *problem = g_ptr_array_index (problems, i);

      if (problem->severity != SCALER_PROBLEM_ERROR)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      if (*problem->path != '\0')
        g_string_append_printf (text, "%s: ", problem->path);
      g_string_append (text, problem->message);
    }

  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

ScalerSecrets *
scaler_secrets_new (void)
{
  return g_new0 (ScalerSecrets, 1);
}

ScalerSecrets *
scaler_secrets_copy (const ScalerSecrets *self)
{
  ScalerSecrets *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = scaler_secrets_new ();
  copy->aws_access_key_id = g_strdup (self->aws_access_key_id);
  copy->aws_secret_access_key = g_strdup (self->aws_secret_access_key);
  copy->aws_session_token = g_strdup (self->aws_session_token);
  copy->clearml_access_key = g_strdup (self->clearml_access_key);
  copy->clearml_secret_key = g_strdup (self->clearml_secret_key);
  copy->git_password = g_strdup (self->git_password);

  return copy;
}

void
scaler_secrets_free (ScalerSecrets *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->aws_access_key_id, scaler_secret_free);
  g_clear_pointer (&self->aws_secret_access_key, scaler_secret_free);
  g_clear_pointer (&self->aws_session_token, scaler_secret_free);
  g_clear_pointer (&self->clearml_access_key, scaler_secret_free);
  g_clear_pointer (&self->clearml_secret_key, scaler_secret_free);
  g_clear_pointer (&self->git_password, scaler_secret_free);
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

void
scaler_tags_parse_string (const char  *text,
                          GPtrArray   *tags,
                          char       **bad_item)
{
  g_auto(GStrv) items = NULL;

  if (text == NULL)
    return;

  items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      char *equal;

      if (*item == '\0')
        continue;

      equal = strchr (item, '=');
      if (equal == NULL || equal == item)
        {
          if (bad_item != NULL && *bad_item == NULL)
            *bad_item = g_strdup (item);
          g_ptr_array_add (tags, scaler_tag_new (item, ""));
          continue;
        }

      *equal = '\0';
      g_ptr_array_add (tags, scaler_tag_new (g_strstrip (item), g_strstrip (equal + 1)));
    }
}
