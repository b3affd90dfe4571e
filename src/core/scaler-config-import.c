/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-config-import.c: ClearML AWS autoscaler configurations (hyper_params
 * + configurations, as clearml/automation/auto_scaler.py ScalerConfig.from_config
 * and aws_driver.py read them) into a ScalerConfig, and export.
 *
 * Both JSON and YAML become a JsonNode tree first (YAML through
 * scaler-yaml.c), then one mapping runs. Every key that is not carried over
 * lands in the report. */

#define G_LOG_DOMAIN "scaler-config-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scaler-config-import.h"
#include "scaler-config-private.h"
#include "scaler-json.h"
#include "scaler-error.h"
#include "scaler-util.h"
#include "scaler-yaml.h"

static JsonNode *
parse_json (const char  *data,
            gsize        length,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!scaler_json_check_depth (data, length, SCALER_JSON_MAX_DEPTH, error))
    return NULL;

  if (!json_parser_load_from_data (parser, length > 0 ? data : "", length, &local_error))
    {
      g_autofree char *message = _scaler_json_error_message (local_error);

      g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_PARSE, message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("The file is empty"));
      return NULL;
    }

  return json_node_copy (root);
}

/* Mapping */

typedef struct
{
  GPtrArray     *report;
  ScalerSecrets *secrets;
  ScalerConfig  *config;
} Import;

static void report_add (Import     *import,
                        const char *format,
                        ...) G_GNUC_PRINTF (2, 3);

static void
report_add (Import     *import,
            const char *format,
            ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (import->report, g_strdup_vprintf (format, args));
  va_end (args);
}

/* A scalar as text (numbers and booleans too); NULL for null, objects, arrays. */
static char *
node_to_text (JsonNode *node)
{
  if (scaler_json_node_holds (node, G_TYPE_STRING))
    return g_strdup (json_node_get_string (node));
  if (scaler_json_node_holds (node, G_TYPE_INT64))
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (scaler_json_node_holds (node, G_TYPE_DOUBLE))
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
    }
  if (scaler_json_node_holds (node, G_TYPE_BOOLEAN))
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");

  return NULL;
}

/* Numbers may come as strings (hyper-parameters of a ClearML task are text). */
static gboolean
node_to_double (JsonNode *node,
                double   *value)
{
  if (scaler_json_node_holds (node, G_TYPE_INT64) || scaler_json_node_holds (node, G_TYPE_DOUBLE))
    {
      *value = json_node_get_double (node);
      return TRUE;
    }
  if (scaler_json_node_holds (node, G_TYPE_STRING))
    {
      g_autofree char *text = g_strstrip (g_strdup (json_node_get_string (node)));
      char *end = NULL;
      double parsed;

      if (*text == '\0')
        return FALSE;
      parsed = g_ascii_strtod (text, &end);
      if (end != NULL && *end == '\0' && isfinite (parsed))
        {
          *value = parsed;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
node_to_uint (JsonNode *node,
              guint    *value)
{
  double number;

  if (!node_to_double (node, &number) || number < 0 || number > G_MAXUINT || number != floor (number))
    return FALSE;

  *value = (guint) number;
  return TRUE;
}

static gboolean
node_to_bool (JsonNode *node,
              gboolean *value)
{
  if (scaler_json_node_holds (node, G_TYPE_BOOLEAN))
    {
      *value = json_node_get_boolean (node);
      return TRUE;
    }
  if (scaler_json_node_holds (node, G_TYPE_STRING))
    {
      const char *text = json_node_get_string (node);

      if (g_ascii_strcasecmp (text, "true") == 0 || g_ascii_strcasecmp (text, "yes") == 0 ||
          strcmp (text, "1") == 0)
        *value = TRUE;
      else if (g_ascii_strcasecmp (text, "false") == 0 || g_ascii_strcasecmp (text, "no") == 0 ||
               strcmp (text, "0") == 0 || *text == '\0')
        *value = FALSE;
      else
        return FALSE;
      return TRUE;
    }
  if (scaler_json_node_holds (node, G_TYPE_INT64))
    {
      *value = json_node_get_int (node) != 0;
      return TRUE;
    }

  return FALSE;
}

/* A list, or a comma-separated string: "sg-1, sg-2". */
static GStrv
node_to_strv (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *text = node_to_text (json_array_get_element (array, i));

          if (text != NULL && *g_strstrip (text) != '\0')
            g_strv_builder_add (builder, text);
        }
    }
  else
    {
      g_autofree char *text = node_to_text (node);
      g_auto(GStrv) parts = text != NULL ? g_strsplit (text, ",", -1) : NULL;

      for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
        if (*g_strstrip (parts[i]) != '\0')
          g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

static void
set_string (char     **field,
            JsonNode  *node)
{
  char *text = node_to_text (node);

  if (text != NULL)
    {
      g_free (*field);
      *field = text;
    }
}

static void
set_secret (char     **field,
            JsonNode  *node)
{
  g_autofree char *text = node_to_text (node);

  g_clear_pointer (field, g_free);
  if (text != NULL && *text != '\0')
    *field = g_steal_pointer (&text);
}

static void
set_tags (GPtrArray *tags,
          JsonNode  *node)
{
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (object);

      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autofree char *value = node_to_text (json_object_get_member (object, l->data));

          g_ptr_array_add (tags, scaler_tag_new (l->data, value != NULL ? value : ""));
        }
    }
  else
    {
      g_autofree char *text = node_to_text (node);

      scaler_tags_parse_string (text, tags, NULL);
    }
}

static void
set_duration (Import     *import,
              double     *field,
              const char *key,
              JsonNode   *node)
{
  double value;

  if (node_to_double (node, &value))
    *field = value;
  else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    report_add (import, _("hyper_params.%s: not a number of minutes, kept the default of %g"),
                key, *field);
}

/* Keys that carry over to one field, by its offset in the struct. */
typedef struct
{
  const char *key;
  gsize       offset;
} FieldKey;

#define SECRET(key, member) { key, G_STRUCT_OFFSET (ScalerSecrets, member) }
#define CONFIG(key, member) { key, G_STRUCT_OFFSET (ScalerConfig, member) }
#define RESOURCE(key, member) { key, G_STRUCT_OFFSET (ScalerResource, member) }

static const FieldKey hyper_param_secrets[] = {
  SECRET ("cloud_credentials_key", aws_access_key_id),
  SECRET ("cloud_credentials_secret", aws_secret_access_key),
  SECRET ("cloud_credentials_token", aws_session_token),
  SECRET ("git_pass", git_password),
};

static const FieldKey hyper_param_strings[] = {
  CONFIG ("git_user", git_user),
  CONFIG ("default_docker_image", default_docker_image),
  CONFIG ("workers_prefix", workers_prefix),
};

static const FieldKey hyper_param_durations[] = {
  CONFIG ("polling_interval_time_min", polling_interval_time_min),
  CONFIG ("max_spin_up_time_min", max_spin_up_time_min),
};

static const FieldKey resource_strings[] = {
  RESOURCE ("instance_type", instance_type),
  RESOURCE ("ami_id", ami_id),
  RESOURCE ("ebs_device_name", ebs_device_name),
  RESOURCE ("ebs_volume_type", ebs_volume_type),
  RESOURCE ("key_name", key_name),
};

static const FieldKey resource_lists[] = {
  RESOURCE ("availability_zone", availability_zones),
  RESOURCE ("availability_zones", availability_zones),
  RESOURCE ("subnet_id", subnet_ids),
  RESOURCE ("subnet_ids", subnet_ids),
  RESOURCE ("security_group_ids", security_group_ids),
};

#undef SECRET
#undef CONFIG
#undef RESOURCE

/* The field of @base that @key goes to, or NULL. */
static gpointer
field_for_key (const FieldKey *fields,
               gsize           n_fields,
               const char     *key,
               gpointer        base)
{
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, key) == 0)
      return G_STRUCT_MEMBER_P (base, fields[i].offset);

  return NULL;
}

static void
import_max_idle_time (Import     *import,
                      const char *key,
                      JsonNode   *node)
{
  set_duration (import, &import->config->max_idle_time_min, key, node);
  /* ClearML terminates exactly after max_idle_time_min
   * (auto_scaler.py:326-341); our default idle_policy may do so
   * earlier. Said once, so the user can pin "fixed". */
  report_add (import,
              _("hyper_params.max_idle_time_min: imported as the most a worker stays idle; idle policy "
                "“adaptive” terminates idle workers earlier when keeping them is expected to cost more "
                "than a new instance later; choose “fixed” to terminate after exactly %g min, as the "
                "ClearML autoscaler does"),
              import->config->max_idle_time_min);
}

static void
import_hyper_tags (Import   *import,
                   JsonNode *node)
{
  g_autofree char *text = node_to_text (node);

  if ((text != NULL && *text != '\0') || (node != NULL && JSON_NODE_HOLDS_OBJECT (node)))
    {
      set_tags (import->config->aws_tags, node);
      report_add (import,
                  _("hyper_params.tags: applied to every instance as aws.tags (the ClearML autoscaler ignores this field)"));
    }
}

static void
import_credentials_chain (Import   *import,
                          JsonNode *node)
{
  gboolean chain = FALSE;

  node_to_bool (node, &chain);
  if (chain)
    import->config->aws_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  report_add (import, chain
              ? _("hyper_params.use_credentials_chain: not imported; AWS credentials will come from the environment (AWS_ACCESS_KEY_ID … or AWS_PROFILE)")
              : _("hyper_params.use_credentials_chain: not imported (false)"));
}

/* One key of hyper_params; iam_arn and iam_name are kept for the end. */
static void
import_hyper_param (Import      *import,
                    const char  *key,
                    JsonNode    *node,
                    char       **iam_arn,
                    char       **iam_name)
{
  ScalerConfig *config = import->config;
  gpointer field;

  if ((field = field_for_key (hyper_param_secrets, G_N_ELEMENTS (hyper_param_secrets), key, import->secrets)))
    set_secret (field, node);
  else if ((field = field_for_key (hyper_param_strings, G_N_ELEMENTS (hyper_param_strings), key, config)))
    set_string (field, node);
  else if ((field = field_for_key (hyper_param_durations, G_N_ELEMENTS (hyper_param_durations), key, config)))
    set_duration (import, field, key, node);
  else if (strcmp (key, "cloud_credentials_region") == 0)
    {
      g_autofree char *region = node_to_text (node);

      if (region != NULL && *region != '\0')
        set_string (&config->aws_region, node);
    }
  else if (strcmp (key, "max_idle_time_min") == 0)
    import_max_idle_time (import, key, node);
  else if (strcmp (key, "iam_arn") == 0)
    set_string (iam_arn, node);
  else if (strcmp (key, "iam_name") == 0)
    set_string (iam_name, node);
  else if (strcmp (key, "tags") == 0)
    import_hyper_tags (import, node);
  else if (strcmp (key, "use_credentials_chain") == 0)
    import_credentials_chain (import, node);
  else if (strcmp (key, "use_iam_instance_profile") == 0)
    report_add (import, _("hyper_params.use_iam_instance_profile: not imported (unused by the ClearML autoscaler too); set iam_instance_profile per resource"));
  else if (strcmp (key, "cloud_provider") == 0)
    report_add (import, _("hyper_params.cloud_provider: not imported (only AWS is supported)"));
  else
    report_add (import, _("hyper_params.%s: unknown key, not imported"), key);
}

static void
import_hyper_params (Import     *import,
                     JsonObject *params,
                     char      **iam_profile)
{
  g_autoptr(GList) names = json_object_get_members (params);
  g_autofree char *iam_arn = NULL;
  g_autofree char *iam_name = NULL;

  for (GList *l = names; l != NULL; l = l->next)
    import_hyper_param (import, l->data, json_object_get_member (params, l->data), &iam_arn, &iam_name);

  /* iam_arn wins over iam_name, as in the ClearML driver. */
  if (iam_arn != NULL && *iam_arn != '\0')
    *iam_profile = g_steal_pointer (&iam_arn);
  else if (iam_name != NULL && *iam_name != '\0')
    *iam_profile = g_steal_pointer (&iam_name);
}

/* extra_configurations is merged into ClearML's RunInstances launch spec
 * (sdk:clearml/automation/aws_driver.py, ConfigTree.merge_configs), with
 * boto3's names. What has an equivalent here is imported: the first
 * BlockDeviceMappings entry (DeviceName, Ebs.VolumeSize, Ebs.VolumeType,
 * Ebs.Iops, Ebs.Throughput; ClearML itself has no ebs_iops key),
 * MetadataOptions.HttpPutResponseHopLimit and
 * NetworkInterfaces[0].AssociatePublicIpAddress. The rest is reported. */
static void
import_block_device (Import         *import,
                     const char     *name,
                     ScalerResource *resource,
                     JsonNode       *node)
{
  JsonArray *mappings = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  JsonNode *first = mappings != NULL && json_array_get_length (mappings) > 0 ? json_array_get_element (mappings, 0) : NULL;
  JsonObject *mapping = first != NULL && JSON_NODE_HOLDS_OBJECT (first) ? json_node_get_object (first) : NULL;
  JsonNode *ebs_node = mapping != NULL ? json_object_get_member (mapping, "Ebs") : NULL;
  JsonObject *ebs = ebs_node != NULL && JSON_NODE_HOLDS_OBJECT (ebs_node) ? json_node_get_object (ebs_node) : NULL;

  if (mapping == NULL)
    {
      report_add (import, _("resource_configurations.%s.extra_configurations.BlockDeviceMappings: not a list of mappings, not imported"), name);
      return;
    }
  if (json_object_has_member (mapping, "DeviceName"))
    set_string (&resource->ebs_device_name, json_object_get_member (mapping, "DeviceName"));
  if (ebs != NULL && json_object_has_member (ebs, "VolumeSize"))
    node_to_uint (json_object_get_member (ebs, "VolumeSize"), &resource->ebs_volume_size);
  if (ebs != NULL && json_object_has_member (ebs, "VolumeType"))
    set_string (&resource->ebs_volume_type, json_object_get_member (ebs, "VolumeType"));
  if (ebs != NULL && json_object_has_member (ebs, "Iops"))
    node_to_uint (json_object_get_member (ebs, "Iops"), &resource->ebs_iops);
  if (ebs != NULL && json_object_has_member (ebs, "Throughput"))
    node_to_uint (json_object_get_member (ebs, "Throughput"), &resource->ebs_throughput);
  if (json_array_get_length (mappings) > 1)
    report_add (import, _("resource_configurations.%s.extra_configurations.BlockDeviceMappings: only the first volume is imported"), name);
}

static void
import_extra_configurations (Import         *import,
                             const char     *name,
                             ScalerResource *resource,
                             JsonNode       *node)
{
  g_autoptr(GList) keys = NULL;
  JsonObject *extra;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
        report_add (import, _("resource_configurations.%s.extra_configurations: not an object, not imported"), name);
      return;
    }
  extra = json_node_get_object (node);
  keys = json_object_get_members (extra);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (extra, key);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (value) ? json_node_get_object (value) : NULL;

      if (strcmp (key, "BlockDeviceMappings") == 0)
        import_block_device (import, name, resource, value);
      else if (strcmp (key, "MetadataOptions") == 0 && object != NULL)
        {
          if (json_object_has_member (object, "HttpPutResponseHopLimit"))
            node_to_uint (json_object_get_member (object, "HttpPutResponseHopLimit"), &resource->metadata_hop_limit);
          if (json_object_get_size (object) > (json_object_has_member (object, "HttpPutResponseHopLimit") ? 1u : 0u) +
                                              (json_object_has_member (object, "HttpTokens") ? 1u : 0u))
            report_add (import, _("resource_configurations.%s.extra_configurations.MetadataOptions: only HttpPutResponseHopLimit is imported (IMDSv2 is always required)"), name);
        }
      else if (strcmp (key, "NetworkInterfaces") == 0 && JSON_NODE_HOLDS_ARRAY (value) &&
               json_array_get_length (json_node_get_array (value)) > 0 &&
               JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (value), 0)))
        {
          JsonObject *nic = json_node_get_object (json_array_get_element (json_node_get_array (value), 0));
          gboolean public_ip = FALSE;

          if (json_object_has_member (nic, "AssociatePublicIpAddress") &&
              node_to_bool (json_object_get_member (nic, "AssociatePublicIpAddress"), &public_ip))
            resource->associate_public_ip = public_ip ? SCALER_PUBLIC_IP_YES : SCALER_PUBLIC_IP_NO;
          report_add (import, _("resource_configurations.%s.extra_configurations.NetworkInterfaces: only AssociatePublicIpAddress is imported (as associate_public_ip)"), name);
        }
      else
        report_add (import, _("resource_configurations.%s.extra_configurations.%s: not imported (raw launch-spec overrides are not supported)"), name, key);
    }
}

/* ClearML's cpu_only true exports NVIDIA_VISIBLE_DEVICES=none (clearml
 * clearml/automation/cloud_driver.py:135); false, its default, only leaves
 * the agent alone, which here means: decided from the instance type. */
static void
import_cpu_only (Import         *import,
                 const char     *name,
                 ScalerResource *resource,
                 JsonNode       *node)
{
  gboolean cpu_only = FALSE;

  if (!node_to_bool (node, &cpu_only))
    report_add (import, _("resource_configurations.%s.cpu_only: not true or false, decided from the instance type"), name);
  resource->cpu_only = cpu_only ? SCALER_CPU_ONLY_YES : SCALER_CPU_ONLY_AUTO;
}

/* One key of a resource configuration, but extra_configurations. */
static void
import_resource_key (Import         *import,
                     const char     *name,
                     ScalerResource *resource,
                     const char     *key,
                     JsonNode       *node)
{
  gpointer field;

  if ((field = field_for_key (resource_strings, G_N_ELEMENTS (resource_strings), key, resource)))
    set_string (field, node);
  else if ((field = field_for_key (resource_lists, G_N_ELEMENTS (resource_lists), key, resource)))
    {
      g_strfreev (*(GStrv *) field);
      *(GStrv *) field = node_to_strv (node);
    }
  else if (strcmp (key, "is_spot") == 0)
    {
      if (!node_to_bool (node, &resource->is_spot))
        report_add (import, _("resource_configurations.%s.is_spot: not true or false, imported as on-demand"), name);
    }
  else if (strcmp (key, "ebs_volume_size") == 0)
    {
      if (!node_to_uint (node, &resource->ebs_volume_size) && node != NULL && !JSON_NODE_HOLDS_NULL (node))
        report_add (import, _("resource_configurations.%s.ebs_volume_size: not a whole number of GiB, kept %u"),
                    name, resource->ebs_volume_size);
    }
  else if (strcmp (key, "tags") == 0)
    set_tags (resource->tags, node);
  else if (strcmp (key, "ebs_snapshot_id") == 0)
    report_add (import, _("resource_configurations.%s.ebs_snapshot_id: not imported (volumes start from the AMI)"), name);
  else if (strcmp (key, "cpu_only") == 0)
    import_cpu_only (import, name, resource, node);
  else if (strcmp (key, "enable_monitoring") == 0)
    report_add (import, _("resource_configurations.%s.enable_monitoring: not imported (detailed CloudWatch monitoring is not supported)"), name);
  else
    report_add (import, _("resource_configurations.%s.%s: unknown key, not imported"), name, key);
}

static ScalerResource *
import_resource (Import     *import,
                 const char *name,
                 JsonObject *object,
                 const char *iam_profile)
{
  ScalerResource *resource = scaler_resource_new ();
  g_autoptr(GList) keys = json_object_get_members (object);

  scaler_set_str (&resource->name, name);
  scaler_set_str (&resource->ebs_device_name, "");
  /* The ClearML driver's defaults. */
  resource->ebs_volume_size = 80;
  resource->spot_fallback_on_demand = FALSE;
  resource->iam_instance_profile = g_strdup (iam_profile);

  for (GList *l = keys; l != NULL; l = l->next)
    if (strcmp (l->data, "extra_configurations") != 0)
      import_resource_key (import, name, resource, l->data, json_object_get_member (object, l->data));

  /* Merged last, as ClearML does. */
  import_extra_configurations (import, name, resource, json_object_get_member (object, "extra_configurations"));

  /* With a device name but no size, ClearML uses its driver default. */
  if (*resource->ebs_device_name == '\0')
    resource->ebs_volume_size = 0;

  return resource;
}

static gboolean
resource_name_taken (ScalerConfig *config,
                     const char   *name)
{
  return scaler_config_find_resource (config, name) != NULL;
}

/* A resource serves one queue; a second use becomes a clone, as the ClearML
 * wizard does (<resource>_<queue>). */
static void
rename_clone (Import         *import,
              const char     *queue,
              const char     *resource_name,
              ScalerResource *resource)
{
  g_autofree char *clone = NULL;

  if (!resource_name_taken (import->config, resource->name))
    return;

  clone = g_strdup_printf ("%s_%s", resource_name, queue);
  for (guint n = 2; resource_name_taken (import->config, clone); n++)
    {
      g_free (clone);
      clone = g_strdup_printf ("%s_%s_%u", resource_name, queue, n);
    }
  report_add (import, _("configurations.queues.%s: the resource “%s” also serves another queue; imported as “%s”"),
              queue, resource_name, clone);
  g_free (resource->name);
  resource->name = g_steal_pointer (&clone);
}

/* One [resource, max instances] pair of a queue. */
static void
import_queue_pair (Import     *import,
                   const char *queue,
                   guint       index,
                   JsonNode   *pair,
                   JsonObject *resources,
                   const char *iam_profile,
                   GHashTable *used)
{
  JsonArray *items = scaler_json_node_array (pair);
  g_autofree char *resource_name = NULL;
  JsonObject *resource_object;
  ScalerResource *resource;
  guint max_instances = 1;

  if (items != NULL && json_array_get_length (items) == 2)
    resource_name = node_to_text (json_array_get_element (items, 0));
  if (resource_name == NULL || !node_to_uint (json_array_get_element (items, 1), &max_instances))
    {
      report_add (import, _("configurations.queues.%s[%u]: not a [resource, max instances] pair, not imported"), queue, index);
      return;
    }

  resource_object = scaler_json_member_object (resources, resource_name);
  if (resource_object == NULL)
    {
      report_add (import, _("configurations.queues.%s: the resource “%s” is not in resource_configurations, not imported"),
                  queue, resource_name);
      return;
    }

  resource = import_resource (import, resource_name, resource_object, iam_profile);
  scaler_set_str (&resource->queue, queue);
  resource->max_instances = max_instances;
  rename_clone (import, queue, resource_name, resource);
  g_hash_table_add (used, g_strdup (resource_name));
  g_ptr_array_add (import->config->resources, resource);
}

/* Queues in order; within a queue, the pairs in order (their priority). */
static void
import_queues (Import     *import,
               JsonObject *queues,
               JsonObject *resources,
               const char *iam_profile,
               GHashTable *used)
{
  g_autoptr(GList) queue_names = json_object_get_members (queues);

  for (GList *q = queue_names; q != NULL; q = q->next)
    {
      const char *queue = q->data;
      JsonArray *pairs = scaler_json_member_array (queues, queue);

      if (pairs == NULL)
        {
          report_add (import, _("configurations.queues.%s: not a list of [resource, max instances] pairs, not imported"), queue);
          continue;
        }
      for (guint i = 0; i < json_array_get_length (pairs); i++)
        import_queue_pair (import, queue, i, json_array_get_element (pairs, i), resources, iam_profile, used);
    }
}

/* The keys of configurations beside queues and resource_configurations. */
static void
import_configuration_key (Import     *import,
                          const char *key,
                          JsonNode   *node)
{
  if (strcmp (key, "resource_configurations") == 0 || strcmp (key, "queues") == 0)
    return;
  else if (strcmp (key, "extra_vm_bash_script") == 0)
    set_string (&import->config->extra_vm_bash_script, node);
  else if (strcmp (key, "extra_clearml_conf") == 0)
    set_string (&import->config->extra_clearml_conf, node);
  else if (strcmp (key, "extra_trains_conf") == 0)
    {
      g_autofree char *text = node_to_text (node);

      if (text != NULL && *text != '\0')
        report_add (import, _("configurations.extra_trains_conf: not imported (legacy; move it to extra_clearml_conf)"));
    }
  else
    report_add (import, _("configurations.%s: unknown key, not imported"), key);
}

static void
import_configurations (Import     *import,
                       JsonObject *configurations,
                       const char *iam_profile)
{
  JsonObject *resources = scaler_json_member_object (configurations, "resource_configurations");
  JsonObject *queues = scaler_json_member_object (configurations, "queues");
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GList) keys = json_object_get_members (configurations);

  if (queues != NULL)
    import_queues (import, queues, resources, iam_profile, used);

  if (resources != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (resources);

      for (GList *l = names; l != NULL; l = l->next)
        if (!g_hash_table_contains (used, l->data))
          report_add (import, _("resource_configurations.%s: not listed under any queue, not imported"),
                      (const char *) l->data);
    }

  for (GList *l = keys; l != NULL; l = l->next)
    import_configuration_key (import, l->data, json_object_get_member (configurations, l->data));
}

static JsonObject *
member_object_or_text (JsonObject  *object,
                       const char  *name,
                       JsonNode   **owned)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);

  /* A ClearML task keeps "configurations" as text: parse it. */
  if (scaler_json_node_holds (node, G_TYPE_STRING))
    {
      const char *text = json_node_get_string (node);

      *owned = scaler_yaml_parse (text, strlen (text), NULL);
      if (*owned != NULL && JSON_NODE_HOLDS_OBJECT (*owned))
        return json_node_get_object (*owned);
    }

  return NULL;
}

static ScalerConfig *
import_tree (JsonNode       *root,
             const char     *name,
             ScalerSecrets **secrets_out,
             GPtrArray     **report_out,
             GError        **error)
{
  g_autoptr(GPtrArray) report = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  g_autoptr(ScalerConfig) config = scaler_config_new ();
  g_autoptr(JsonNode) owned_params = NULL;
  g_autoptr(JsonNode) owned_configurations = NULL;
  g_autofree char *iam_profile = NULL;
  Import import = { report, secrets, config };
  JsonObject *top;
  JsonObject *params;
  JsonObject *configurations;
  g_autoptr(GList) keys = NULL;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("This is not a ClearML autoscaler configuration: expected a mapping with hyper_params and configurations"));
      return NULL;
    }

  top = json_node_get_object (root);
  params = member_object_or_text (top, "hyper_params", &owned_params);
  configurations = member_object_or_text (top, "configurations", &owned_configurations);
  if (params == NULL && configurations == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("This is not a ClearML autoscaler configuration: expected a mapping with hyper_params and configurations"));
      return NULL;
    }

  scaler_set_str (&config->name, name != NULL && *name != '\0' ? name : _("Imported from ClearML"));
  /* ClearML's defaults where ours differ. */
  config->polling_interval_time_min = 5;

  if (params != NULL)
    import_hyper_params (&import, params, &iam_profile);
  else
    report_add (&import, _("hyper_params: missing; the defaults are used"));

  if (configurations != NULL)
    import_configurations (&import, configurations, iam_profile);
  else
    report_add (&import, _("configurations: missing; there are no resources to import"));

  keys = json_object_get_members (top);
  for (GList *l = keys; l != NULL; l = l->next)
    if (strcmp (l->data, "hyper_params") != 0 && strcmp (l->data, "configurations") != 0)
      report_add (&import, _("%s: unknown key, not imported"), (const char *) l->data);

  report_add (&import, _("The ClearML server addresses and API keys are not part of this file: enter them in the ClearML settings"));

  if (secrets_out != NULL)
    *secrets_out = g_steal_pointer (&secrets);
  if (report_out != NULL)
    *report_out = g_steal_pointer (&report);

  return g_steal_pointer (&config);
}

ScalerConfig *
scaler_config_import_clearml_json (const char     *data,
                                   gssize          length,
                                   const char     *name,
                                   ScalerSecrets **secrets,
                                   GPtrArray     **report,
                                   GError        **error)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  root = parse_json (data, length < 0 ? strlen (data) : (gsize) length, error);
  if (root == NULL)
    return NULL;

  return import_tree (root, name, secrets, report, error);
}

ScalerConfig *
scaler_config_import_clearml_yaml (const char     *data,
                                   gssize          length,
                                   const char     *name,
                                   ScalerSecrets **secrets,
                                   GPtrArray     **report,
                                   GError        **error)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  root = scaler_yaml_parse (data != NULL ? data : "", length < 0 ? strlen (data) : (gsize) length, error);
  if (root == NULL)
    return NULL;

  return import_tree (root, name, secrets, report, error);
}

ScalerConfig *
scaler_config_import_clearml (const char     *data,
                              gssize          length,
                              const char     *name,
                              ScalerSecrets **secrets,
                              GPtrArray     **report,
                              GError        **error)
{
  gsize n;
  gsize i = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  n = length < 0 ? strlen (data) : (gsize) length;
  if (n >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < n && g_ascii_isspace (data[i]))
    i++;

  if (i < n && data[i] == '{')
    return scaler_config_import_clearml_json (data, n, name, secrets, report, error);

  return scaler_config_import_clearml_yaml (data, n, name, secrets, report, error);
}

ScalerConfig *
scaler_config_import_clearml_file (const char     *path,
                                   ScalerSecrets **secrets,
                                   GPtrArray     **report,
                                   GError        **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *basename = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  char *dot;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO,
                   _("Cannot read the file: %s"), local_error->message);
      return NULL;
    }

  basename = g_path_get_basename (path);
  dot = strrchr (basename, '.');
  if (dot != NULL && dot != basename)
    *dot = '\0';

  if (g_str_has_suffix (path, ".json"))
    return scaler_config_import_clearml_json (contents, length, basename, secrets, report, error);

  return scaler_config_import_clearml_yaml (contents, length, basename, secrets, report, error);
}

gboolean
scaler_config_export (const ScalerConfig  *config,
                      const char          *path,
                      GError             **error)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  json = scaler_config_to_json (config);

  return scaler_file_replace (path, json, -1, NULL, error);
}
