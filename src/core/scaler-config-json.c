/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-config-json.c: the saved config JSON of docs/design.md, both ways.
 *
 * Parsing here is lenient: a value of the wrong type keeps the default, an
 * unknown key is ignored. scaler_config_validate_json() reports both. */

#define G_LOG_DOMAIN "scaler-config"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "scaler-config.h"
#include "scaler-config-private.h"
#include "scaler-json.h"
#include "scaler-error.h"
#include "scaler-util.h"

/* Readers that keep the default unless the member has the right type (the
 * accessors of scaler-json.h never warn, whatever the JSON holds). */

static void
read_string (JsonObject  *object,
             const char  *name,
             char       **field)
{
  const char *value = scaler_json_member_string (object, name);

  if (value != NULL)
    scaler_set_str (field, value);
}

/* For nullable fields: null and "" become NULL. */
static void
read_nullable_string (JsonObject  *object,
                      const char  *name,
                      char       **field)
{
  JsonNode *node = scaler_json_member (object, name);

  if (node == NULL)
    return;

  if (JSON_NODE_HOLDS_NULL (node) ||
      (scaler_json_node_holds (node, G_TYPE_STRING) && *json_node_get_string (node) == '\0'))
    g_clear_pointer (field, g_free);
  else
    read_string (object, name, field);
}

static void
read_int (JsonObject *object,
          const char *name,
          int        *field)
{
  double value;

  if (scaler_json_member_double (object, name, &value))
    *field = (int) CLAMP (value, (double) G_MININT, (double) G_MAXINT);
}

static void
read_uint (JsonObject *object,
           const char *name,
           guint      *field)
{
  double value;

  if (scaler_json_member_double (object, name, &value))
    *field = isnan (value) ? 0 : (guint) CLAMP (value, 0.0, (double) G_MAXUINT);
}

/* true/false; null or absent: AUTO. */
static void
read_cpu_only (JsonObject    *object,
               const char    *name,
               ScalerCpuOnly *field)
{
  JsonNode *node = scaler_json_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    *field = SCALER_CPU_ONLY_AUTO;
  else if (scaler_json_node_holds (node, G_TYPE_BOOLEAN))
    *field = json_node_get_boolean (node) ? SCALER_CPU_ONLY_YES : SCALER_CPU_ONLY_NO;
}

static void
read_strv (JsonObject *object,
           const char *name,
           GStrv      *field)
{
  JsonNode *node = scaler_json_member (object, name);
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (node == NULL)
    return;

  builder = g_strv_builder_new ();
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (scaler_json_node_holds (element, G_TYPE_STRING))
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  else if (scaler_json_node_holds (node, G_TYPE_STRING))
    {
      /* Comma-separated, as typed in the ClearML form. */
      g_auto(GStrv) parts = g_strsplit (json_node_get_string (node), ",", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          char *part = g_strstrip (parts[i]);

          if (*part != '\0')
            g_strv_builder_add (builder, part);
        }
    }
  else
    return;

  g_strfreev (*field);
  *field = g_strv_builder_end (builder);
}

static void
read_tags (JsonObject *object,
           const char *name,
           GPtrArray  *tags)
{
  JsonNode *node = scaler_json_member (object, name);

  if (node == NULL)
    return;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *tags_object = json_node_get_object (node);
      g_autoptr(GList) keys = json_object_get_members (tags_object);

      g_ptr_array_set_size (tags, 0);
      for (GList *l = keys; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (tags_object, l->data);

          if (scaler_json_node_holds (value, G_TYPE_STRING))
            g_ptr_array_add (tags, scaler_tag_new (l->data, json_node_get_string (value)));
          else if (JSON_NODE_HOLDS_NULL (value))
            g_ptr_array_add (tags, scaler_tag_new (l->data, ""));
        }
    }
  else if (scaler_json_node_holds (node, G_TYPE_STRING))
    {
      g_ptr_array_set_size (tags, 0);
      scaler_tags_parse_string (json_node_get_string (node), tags, NULL);
    }
}

/* null (or absent) leaves the choice to the subnet. */
static void
read_public_ip (JsonObject     *object,
                const char     *name,
                ScalerPublicIp *field)
{
  JsonNode *node = scaler_json_member (object, name);

  if (node == NULL)
    return;
  if (JSON_NODE_HOLDS_NULL (node))
    *field = SCALER_PUBLIC_IP_SUBNET_DEFAULT;
  else if (scaler_json_node_holds (node, G_TYPE_BOOLEAN))
    *field = json_node_get_boolean (node) ? SCALER_PUBLIC_IP_YES : SCALER_PUBLIC_IP_NO;
}

static void
read_credentials_source (JsonObject              *object,
                         ScalerCredentialsSource *field)
{
  JsonNode *node = scaler_json_member (object, "credentials");
  const char *value;

  if (!scaler_json_node_holds (node, G_TYPE_STRING))
    return;

  value = json_node_get_string (node);
  if (g_strcmp0 (value, "keyring") == 0)
    *field = SCALER_CREDENTIALS_SOURCE_KEYRING;
  else if (g_strcmp0 (value, "environment") == 0)
    *field = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
}

static ScalerResource *
resource_from_object (JsonObject *object)
{
  ScalerResource *resource = scaler_resource_new ();

  read_string (object, "name", &resource->name);
  read_string (object, "queue", &resource->queue);
  read_uint (object, "max_instances", &resource->max_instances);
  read_string (object, "instance_type", &resource->instance_type);
  read_strv (object, "availability_zones", &resource->availability_zones);
  read_strv (object, "subnet_ids", &resource->subnet_ids);
  read_string (object, "ami_id", &resource->ami_id);
  read_string (object, "ebs_device_name", &resource->ebs_device_name);
  read_uint (object, "ebs_volume_size", &resource->ebs_volume_size);
  read_string (object, "ebs_volume_type", &resource->ebs_volume_type);
  read_uint (object, "ebs_iops", &resource->ebs_iops);
  read_uint (object, "ebs_throughput", &resource->ebs_throughput);
  read_string (object, "key_name", &resource->key_name);
  read_strv (object, "security_group_ids", &resource->security_group_ids);
  scaler_json_member_boolean (object, "is_spot", &resource->is_spot);
  scaler_json_member_boolean (object, "spot_fallback_on_demand", &resource->spot_fallback_on_demand);
  read_nullable_string (object, "iam_instance_profile", &resource->iam_instance_profile);
  read_uint (object, "metadata_hop_limit", &resource->metadata_hop_limit);
  read_public_ip (object, "associate_public_ip", &resource->associate_public_ip);
  read_tags (object, "tags", resource->tags);
  read_cpu_only (object, "cpu_only", &resource->cpu_only);

  return resource;
}

static void
read_aws (JsonObject   *object,
          ScalerConfig *self)
{
  JsonObject *aws = scaler_json_member_object (object, "aws");

  read_string (aws, "region", &self->aws_region);
  read_nullable_string (aws, "endpoint", &self->aws_endpoint);
  read_credentials_source (aws, &self->aws_credentials);
  read_nullable_string (aws, "profile", &self->aws_profile);
  read_tags (aws, "tags", self->aws_tags);
}

static void
read_clearml (JsonObject   *object,
              ScalerConfig *self)
{
  JsonObject *clearml = scaler_json_member_object (object, "clearml");

  read_string (clearml, "api_server", &self->clearml_api_server);
  read_string (clearml, "web_server", &self->clearml_web_server);
  read_string (clearml, "files_server", &self->clearml_files_server);
  read_credentials_source (clearml, &self->clearml_credentials);
}

static void
read_on_stop (JsonObject   *object,
              ScalerOnStop *field)
{
  const char *value = scaler_json_member_string (object, "on_stop");

  if (g_strcmp0 (value, "keep") == 0)
    *field = SCALER_ON_STOP_KEEP;
  else if (g_strcmp0 (value, "terminate_idle") == 0)
    *field = SCALER_ON_STOP_TERMINATE_IDLE;
  else if (g_strcmp0 (value, "terminate_all") == 0)
    *field = SCALER_ON_STOP_TERMINATE_ALL;
}

static void
read_resources (JsonObject *object,
                GPtrArray  *resources)
{
  JsonArray *array = scaler_json_member_array (object, "resources");

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *element = scaler_json_array_object (array, i);

      if (element != NULL)
        g_ptr_array_add (resources, resource_from_object (element));
    }
}

ScalerConfig *
_scaler_config_new_from_node (JsonNode  *root,
                              GError   **error)
{
  g_autoptr(ScalerConfig) self = NULL;
  JsonObject *object = scaler_json_node_object (root);
  const char *idle_policy;

  if (object == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("The configuration must be a JSON object ({ … })"));
      return NULL;
    }

  self = scaler_config_new ();
  read_int (object, "version", &self->version);
  read_string (object, "id", &self->id);
  read_string (object, "name", &self->name);
  read_aws (object, self);
  read_clearml (object, self);
  read_string (object, "git_user", &self->git_user);
  read_string (object, "default_docker_image", &self->default_docker_image);
  scaler_json_member_double (object, "max_idle_time_min", &self->max_idle_time_min);
  scaler_json_member_double (object, "polling_interval_time_min", &self->polling_interval_time_min);
  scaler_json_member_double (object, "max_spin_up_time_min", &self->max_spin_up_time_min);
  read_string (object, "workers_prefix", &self->workers_prefix);
  scaler_json_member_double (object, "hourly_budget_usd", &self->hourly_budget_usd);
  read_on_stop (object, &self->on_stop);
  idle_policy = scaler_json_member_string (object, "idle_policy");
  if (idle_policy != NULL)
    scaler_idle_policy_from_string (idle_policy, &self->idle_policy);
  read_string (object, "extra_vm_bash_script", &self->extra_vm_bash_script);
  read_string (object, "extra_clearml_conf", &self->extra_clearml_conf);
  scaler_json_member_boolean (object, "demo", &self->demo);
  read_resources (object, self->resources);

  return g_steal_pointer (&self);
}

ScalerConfig *
scaler_config_new_from_json (const char  *json,
                             gssize       length,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (json != NULL || length == 0, NULL);

  if (length < 0)
    length = strlen (json);

  if (!scaler_json_check_depth (json, length, SCALER_JSON_MAX_DEPTH, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, length > 0 ? json : "", length, &local_error))
    {
      g_autofree char *message = _scaler_json_error_message (local_error);

      g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_PARSE, message);
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("The file is empty; expected a JSON object"));
      return NULL;
    }

  return _scaler_config_new_from_node (json_parser_get_root (parser), error);
}

ScalerConfig *
scaler_config_new_from_file (const char  *path,
                             GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO,
                   _("Cannot read the file: %s"), local_error->message);
      return NULL;
    }

  return scaler_config_new_from_json (contents, length, error);
}

/* Writing */

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL && *value != '\0')
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (builder, name);
  /* JSON has no NaN or infinity: write 0, which validation rejects. */
  json_builder_add_double_value (builder, isfinite (value) ? value : 0);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
add_strv (JsonBuilder *builder,
          const char  *name,
          GStrv        strv)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

static void
add_tags (JsonBuilder *builder,
          const char  *name,
          GPtrArray   *tags)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  for (guint i = 0; tags != NULL && i < tags->len; i++)
    {
      const ScalerTag *tag = g_ptr_array_index (tags, i);

      json_builder_set_member_name (builder, tag->key);
      json_builder_add_string_value (builder, tag->value);
    }
  json_builder_end_object (builder);
}

/* true, false or null for the tri-state fields (null: the default choice). */
static void
add_nullable_bool (JsonBuilder *builder,
                   const char  *name,
                   gboolean     is_null,
                   gboolean     value)
{
  json_builder_set_member_name (builder, name);
  if (is_null)
    json_builder_add_null_value (builder);
  else
    json_builder_add_boolean_value (builder, value);
}

static void
add_aws (JsonBuilder        *builder,
         const ScalerConfig *self)
{
  json_builder_set_member_name (builder, "aws");
  json_builder_begin_object (builder);
  add_string (builder, "region", self->aws_region);
  add_nullable_string (builder, "endpoint", self->aws_endpoint);
  add_string (builder, "credentials", scaler_credentials_source_to_string (self->aws_credentials));
  if (self->aws_profile != NULL)
    add_string (builder, "profile", self->aws_profile);
  add_tags (builder, "tags", self->aws_tags);
  json_builder_end_object (builder);
}

static void
add_clearml (JsonBuilder        *builder,
             const ScalerConfig *self)
{
  json_builder_set_member_name (builder, "clearml");
  json_builder_begin_object (builder);
  add_string (builder, "api_server", self->clearml_api_server);
  add_string (builder, "web_server", self->clearml_web_server);
  add_string (builder, "files_server", self->clearml_files_server);
  add_string (builder, "credentials", scaler_credentials_source_to_string (self->clearml_credentials));
  json_builder_end_object (builder);
}

static void
add_resource (JsonBuilder          *builder,
              const ScalerResource *resource)
{
  json_builder_begin_object (builder);
  add_string (builder, "name", resource->name);
  add_string (builder, "queue", resource->queue);
  add_int (builder, "max_instances", resource->max_instances);
  add_string (builder, "instance_type", resource->instance_type);
  add_strv (builder, "availability_zones", resource->availability_zones);
  add_strv (builder, "subnet_ids", resource->subnet_ids);
  add_string (builder, "ami_id", resource->ami_id);
  add_string (builder, "ebs_device_name", resource->ebs_device_name);
  add_int (builder, "ebs_volume_size", resource->ebs_volume_size);
  add_string (builder, "ebs_volume_type", resource->ebs_volume_type);
  /* Only when set: an absent key means "not set". */
  if (resource->ebs_iops > 0)
    add_int (builder, "ebs_iops", resource->ebs_iops);
  if (resource->ebs_throughput > 0)
    add_int (builder, "ebs_throughput", resource->ebs_throughput);
  add_string (builder, "key_name", resource->key_name);
  add_strv (builder, "security_group_ids", resource->security_group_ids);
  add_bool (builder, "is_spot", resource->is_spot);
  add_bool (builder, "spot_fallback_on_demand", resource->spot_fallback_on_demand);
  add_nullable_string (builder, "iam_instance_profile", resource->iam_instance_profile);
  add_int (builder, "metadata_hop_limit", resource->metadata_hop_limit);
  add_nullable_bool (builder, "associate_public_ip",
                     resource->associate_public_ip == SCALER_PUBLIC_IP_SUBNET_DEFAULT,
                     resource->associate_public_ip == SCALER_PUBLIC_IP_YES);
  add_tags (builder, "tags", resource->tags);
  add_nullable_bool (builder, "cpu_only", resource->cpu_only == SCALER_CPU_ONLY_AUTO,
                     resource->cpu_only == SCALER_CPU_ONLY_YES);
  json_builder_end_object (builder);
}

JsonNode *
scaler_config_to_json_node (const ScalerConfig *self)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);

  add_int (builder, "version", self->version);
  add_string (builder, "id", self->id);
  add_string (builder, "name", self->name);
  add_aws (builder, self);
  add_clearml (builder, self);
  add_string (builder, "git_user", self->git_user);
  add_string (builder, "default_docker_image", self->default_docker_image);
  add_double (builder, "max_idle_time_min", self->max_idle_time_min);
  add_double (builder, "polling_interval_time_min", self->polling_interval_time_min);
  add_double (builder, "max_spin_up_time_min", self->max_spin_up_time_min);
  add_string (builder, "workers_prefix", self->workers_prefix);
  add_double (builder, "hourly_budget_usd", self->hourly_budget_usd);
  add_string (builder, "on_stop", scaler_on_stop_to_string (self->on_stop));
  add_string (builder, "idle_policy", scaler_idle_policy_to_string (self->idle_policy));
  add_string (builder, "extra_vm_bash_script", self->extra_vm_bash_script);
  add_string (builder, "extra_clearml_conf", self->extra_clearml_conf);
  add_bool (builder, "demo", self->demo);

  json_builder_set_member_name (builder, "resources");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->resources->len; i++)
    add_resource (builder, g_ptr_array_index (self->resources, i));
  json_builder_end_array (builder);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

char *
scaler_config_to_json (const ScalerConfig *self)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  root = scaler_config_to_json_node (self);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  return g_strconcat (text, "\n", NULL);
}
