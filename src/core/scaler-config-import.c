/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-config-import.c: ClearML AWS autoscaler configurations (hyper_params
 * + configurations, as clearml/automation/auto_scaler.py ScalerConfig.from_config
 * and aws_driver.py read them) into a ScalerConfig, and export.
 *
 * Both JSON and YAML become a JsonNode tree first (YAML through libyaml, with
 * a depth and size limit against alias bombs), then one mapping runs. Every
 * key that is not carried over lands in the report. */

#define G_LOG_DOMAIN "scaler-config-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "scaler-config-import.h"
#include "scaler-config-private.h"
#include "scaler-json.h"
#include "scaler-error.h"

#define MAX_DEPTH 64
#define MAX_NODES 100000

/* YAML -> JsonNode, from libyaml's events. Events (not yaml_parser_load)
 * let us stop at the nesting limit before libyaml's scanner, which is
 * quadratic in the flow nesting depth, gets far; aliases are expanded with a
 * budget, so an alias bomb is refused instead of filling the memory. */

typedef struct
{
  JsonNode *node;         /* object or array */
  char     *anchor;       /* nullable */
  char     *pending_key;  /* objects: the key waiting for its value */
  guint     size;         /* nodes inside, for the alias budget */
} YamlFrame;

typedef struct
{
  GArray     *stack;      /* of YamlFrame */
  GHashTable *anchors;    /* anchor -> JsonNode* (ref) */
  GHashTable *sizes;      /* anchor -> guint size */
  JsonNode   *root;
  guint       n_nodes;
  char       *error;      /* first problem, untranslated detail */
} YamlBuilder;

static void
yaml_frame_clear (YamlFrame *frame)
{
  g_clear_pointer (&frame->node, json_node_unref);
  g_clear_pointer (&frame->anchor, g_free);
  g_clear_pointer (&frame->pending_key, g_free);
}

static gboolean
yaml_scalar_is_plain (yaml_event_t *event)
{
  return event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
         (event->data.scalar.tag == NULL ||
          strcmp ((const char *) event->data.scalar.tag, YAML_STR_TAG) != 0);
}

static char *
yaml_scalar_text (yaml_event_t *event)
{
  const char *text = (const char *) event->data.scalar.value;
  size_t length = event->data.scalar.length;

  /* Embedded NUL or bad UTF-8: keep what can be shown. */
  if (strlen (text) != length || !g_utf8_validate (text, length, NULL))
    return g_utf8_make_valid (text, -1);

  return g_strndup (text, length);
}

static JsonNode *
yaml_scalar_to_json (yaml_event_t *event)
{
  g_autofree char *text = yaml_scalar_text (event);
  size_t length = strlen (text);

  if (yaml_scalar_is_plain (event))
    {
      char *end = NULL;

      /* YAML 1.1 (PyYAML, which the ClearML wizard uses). */
      if (length == 0 || strcmp (text, "~") == 0 || g_ascii_strcasecmp (text, "null") == 0)
        return json_node_init_null (json_node_alloc ());
      if (g_ascii_strcasecmp (text, "true") == 0 || g_ascii_strcasecmp (text, "yes") == 0 ||
          g_ascii_strcasecmp (text, "on") == 0)
        return json_node_init_boolean (json_node_alloc (), TRUE);
      if (g_ascii_strcasecmp (text, "false") == 0 || g_ascii_strcasecmp (text, "no") == 0 ||
          g_ascii_strcasecmp (text, "off") == 0)
        return json_node_init_boolean (json_node_alloc (), FALSE);

      if (g_regex_match_simple ("^[-+]?[0-9]+$", text, 0, 0))
        {
          gint64 value = g_ascii_strtoll (text, &end, 10);

          if (end != NULL && *end == '\0')
            return json_node_init_int (json_node_alloc (), value);
        }
      if (g_regex_match_simple ("^[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?$", text, 0, 0))
        {
          double value = g_ascii_strtod (text, &end);

          if (end != NULL && *end == '\0' && isfinite (value))
            return json_node_init_double (json_node_alloc (), value);
        }
    }

  return json_node_init_string (json_node_alloc (), text);
}

static void
yaml_builder_fail (YamlBuilder *builder,
                   const char  *message)
{
  if (builder->error == NULL)
    builder->error = g_strdup (message);
}

/* Takes @node. */
static void
yaml_builder_add (YamlBuilder *builder,
                  JsonNode    *node,
                  const char  *anchor,
                  guint        size)
{
  YamlFrame *top;

  builder->n_nodes += size;
  if (builder->n_nodes > MAX_NODES)
    {
      yaml_builder_fail (builder, _("the document is too large (aliases?)"));
      json_node_unref (node);
      return;
    }

  if (anchor != NULL)
    {
      g_hash_table_replace (builder->anchors, g_strdup (anchor), json_node_ref (node));
      g_hash_table_replace (builder->sizes, g_strdup (anchor), GUINT_TO_POINTER (size));
    }

  if (builder->stack->len == 0)
    {
      if (builder->root == NULL)
        builder->root = node;
      else
        json_node_unref (node);
      return;
    }

  top = &g_array_index (builder->stack, YamlFrame, builder->stack->len - 1);
  top->size += size;

  if (JSON_NODE_HOLDS_ARRAY (top->node))
    {
      json_array_add_element (json_node_get_array (top->node), node);
      return;
    }

  if (top->pending_key == NULL)
    {
      /* A key: only text keys occur in ClearML configurations. */
      char *key = JSON_NODE_HOLDS_VALUE (node) ? g_strdup (json_node_get_string (node)) : NULL;

      json_node_unref (node);
      if (key == NULL)
        {
          yaml_builder_fail (builder, _("only text keys are supported"));
          return;
        }
      top->pending_key = key;
      return;
    }

  json_object_set_member (json_node_get_object (top->node), top->pending_key, node);
  g_clear_pointer (&top->pending_key, g_free);
}

static gboolean
yaml_builder_expects_key (YamlBuilder *builder)
{
  YamlFrame *top;

  if (builder->stack->len == 0)
    return FALSE;

  top = &g_array_index (builder->stack, YamlFrame, builder->stack->len - 1);

  return JSON_NODE_HOLDS_OBJECT (top->node) && top->pending_key == NULL;
}

static const char *
yaml_scalar_text_const (yaml_event_t  *event,
                        char         **storage)
{
  *storage = yaml_scalar_text (event);

  return *storage;
}

static void
yaml_builder_push (YamlBuilder *builder,
                   JsonNode    *node,
                   const char  *anchor)
{
  YamlFrame frame = { node, g_strdup (anchor), NULL, 1 };

  if (builder->stack->len >= MAX_DEPTH)
    {
      yaml_builder_fail (builder, _("nested too deeply"));
      yaml_frame_clear (&frame);
      return;
    }

  g_array_append_val (builder->stack, frame);
}

static void
yaml_builder_pop (YamlBuilder *builder)
{
  YamlFrame frame;

  if (builder->stack->len == 0)
    return;

  frame = g_array_index (builder->stack, YamlFrame, builder->stack->len - 1);
  g_array_set_size (builder->stack, builder->stack->len - 1);  /* no clear func: we own frame now */
  yaml_builder_add (builder, g_steal_pointer (&frame.node), frame.anchor, frame.size);
  yaml_frame_clear (&frame);
}

static void
yaml_builder_alias (YamlBuilder *builder,
                    const char  *anchor)
{
  JsonNode *target = g_hash_table_lookup (builder->anchors, anchor);

  if (target == NULL)
    {
      yaml_builder_fail (builder, _("an alias refers to an unknown anchor"));
      return;
    }

  yaml_builder_add (builder, json_node_copy (target), NULL,
                    GPOINTER_TO_UINT (g_hash_table_lookup (builder->sizes, anchor)));
}

static JsonNode *
parse_yaml (const char  *data,
            gsize        length,
            GError     **error)
{
  yaml_parser_t parser;
  YamlBuilder builder = { 0, };
  g_autofree char *key_text = NULL;
  gboolean done = FALSE;
  JsonNode *root = NULL;

  if (!yaml_parser_initialize (&parser))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED, "libyaml: out of memory");
      return NULL;
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) data, length);

  builder.stack = g_array_new (FALSE, TRUE, sizeof (YamlFrame));
  builder.anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_node_unref);
  builder.sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  while (!done && builder.error == NULL)
    {
      yaml_event_t event;

      if (!yaml_parser_parse (&parser, &event))
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                       _("Malformed YAML at line %lu, column %lu: %s"),
                       (unsigned long) parser.problem_mark.line + 1,
                       (unsigned long) parser.problem_mark.column + 1,
                       parser.problem != NULL ? parser.problem : _("syntax error"));
          goto out;
        }

      switch (event.type)
        {
        case YAML_SCALAR_EVENT:
          if (yaml_builder_expects_key (&builder))
            /* Keys stay text, whatever they look like ("1", "yes"). */
            yaml_builder_add (&builder, json_node_init_string (json_node_alloc (), yaml_scalar_text_const (&event, &key_text)),
                              (const char *) event.data.scalar.anchor, 1);
          else
            yaml_builder_add (&builder, yaml_scalar_to_json (&event),
                              (const char *) event.data.scalar.anchor, 1);
          g_clear_pointer (&key_text, g_free);
          break;

        case YAML_ALIAS_EVENT:
          yaml_builder_alias (&builder, (const char *) event.data.alias.anchor);
          break;

        case YAML_SEQUENCE_START_EVENT:
          {
            g_autoptr(JsonArray) array = json_array_new ();

            yaml_builder_push (&builder, json_node_init_array (json_node_alloc (), array),
                               (const char *) event.data.sequence_start.anchor);
          }
          break;

        case YAML_MAPPING_START_EVENT:
          {
            g_autoptr(JsonObject) object = json_object_new ();

            if (yaml_builder_expects_key (&builder))
              yaml_builder_fail (&builder, _("only text keys are supported"));
            yaml_builder_push (&builder, json_node_init_object (json_node_alloc (), object),
                               (const char *) event.data.mapping_start.anchor);
          }
          break;

        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
          yaml_builder_pop (&builder);
          break;

        case YAML_DOCUMENT_END_EVENT:   /* only the first document counts */
        case YAML_STREAM_END_EVENT:
          done = TRUE;
          break;

        case YAML_NO_EVENT:
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_START_EVENT:
        default:
          break;
        }

      yaml_event_delete (&event);
    }

  if (builder.error != NULL)
    g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                 _("Malformed YAML at line %lu, column %lu: %s"),
                 (unsigned long) parser.mark.line + 1, (unsigned long) parser.mark.column + 1,
                 builder.error);
  else if (builder.root == NULL)
    g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("The file is empty"));
  else
    root = g_steal_pointer (&builder.root);

out:
  for (guint i = 0; i < builder.stack->len; i++)
    yaml_frame_clear (&g_array_index (builder.stack, YamlFrame, i));
  g_array_unref (builder.stack);
  g_hash_table_unref (builder.anchors);
  g_hash_table_unref (builder.sizes);
  g_clear_pointer (&builder.root, json_node_unref);
  g_free (builder.error);
  yaml_parser_delete (&parser);

  return root;
}

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

static gboolean
is_type (JsonNode *node,
         GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* A scalar as text (numbers and booleans too); NULL for null, objects, arrays. */
static char *
node_to_text (JsonNode *node)
{
  if (is_type (node, G_TYPE_STRING))
    return g_strdup (json_node_get_string (node));
  if (is_type (node, G_TYPE_INT64))
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (is_type (node, G_TYPE_DOUBLE))
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
    }
  if (is_type (node, G_TYPE_BOOLEAN))
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");

  return NULL;
}

/* Numbers may come as strings (hyper-parameters of a ClearML task are text). */
static gboolean
node_to_double (JsonNode *node,
                double   *value)
{
  if (is_type (node, G_TYPE_INT64) || is_type (node, G_TYPE_DOUBLE))
    {
      *value = json_node_get_double (node);
      return TRUE;
    }
  if (is_type (node, G_TYPE_STRING))
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
  if (is_type (node, G_TYPE_BOOLEAN))
    {
      *value = json_node_get_boolean (node);
      return TRUE;
    }
  if (is_type (node, G_TYPE_STRING))
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
  if (is_type (node, G_TYPE_INT64))
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

      _scaler_tags_parse_string (text, tags, NULL);
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

static void
import_hyper_params (Import     *import,
                     JsonObject *params,
                     char      **iam_profile)
{
  ScalerConfig *config = import->config;
  g_autoptr(GList) names = json_object_get_members (params);
  g_autofree char *iam_arn = NULL;
  g_autofree char *iam_name = NULL;

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *node = json_object_get_member (params, key);

      if (strcmp (key, "cloud_credentials_key") == 0)
        set_secret (&import->secrets->aws_access_key_id, node);
      else if (strcmp (key, "cloud_credentials_secret") == 0)
        set_secret (&import->secrets->aws_secret_access_key, node);
      else if (strcmp (key, "cloud_credentials_token") == 0)
        set_secret (&import->secrets->aws_session_token, node);
      else if (strcmp (key, "git_pass") == 0)
        set_secret (&import->secrets->git_password, node);
      else if (strcmp (key, "cloud_credentials_region") == 0)
        {
          g_autofree char *region = node_to_text (node);

          if (region != NULL && *region != '\0')
            set_string (&config->aws_region, node);
        }
      else if (strcmp (key, "git_user") == 0)
        set_string (&config->git_user, node);
      else if (strcmp (key, "default_docker_image") == 0)
        set_string (&config->default_docker_image, node);
      else if (strcmp (key, "workers_prefix") == 0)
        set_string (&config->workers_prefix, node);
      else if (strcmp (key, "max_idle_time_min") == 0)
        {
          set_duration (import, &config->max_idle_time_min, key, node);
          /* ClearML terminates exactly after max_idle_time_min
           * (auto_scaler.py:326-341); our default idle_policy may do so
           * earlier. Said once, so the user can pin "fixed". */
          report_add (import,
                      _("hyper_params.max_idle_time_min: imported as the most a worker stays idle; idle policy "
                        "“adaptive” terminates idle workers earlier when keeping them is expected to cost more "
                        "than a new instance later; choose “fixed” to terminate after exactly %g min, as the "
                        "ClearML autoscaler does"),
                      config->max_idle_time_min);
        }
      else if (strcmp (key, "polling_interval_time_min") == 0)
        set_duration (import, &config->polling_interval_time_min, key, node);
      else if (strcmp (key, "max_spin_up_time_min") == 0)
        set_duration (import, &config->max_spin_up_time_min, key, node);
      else if (strcmp (key, "iam_arn") == 0)
        iam_arn = node_to_text (node);
      else if (strcmp (key, "iam_name") == 0)
        iam_name = node_to_text (node);
      else if (strcmp (key, "tags") == 0)
        {
          g_autofree char *text = node_to_text (node);

          if ((text != NULL && *text != '\0') || (node != NULL && JSON_NODE_HOLDS_OBJECT (node)))
            {
              set_tags (config->aws_tags, node);
              report_add (import,
                          _("hyper_params.tags: applied to every instance as aws.tags (the ClearML autoscaler ignores this field)"));
            }
        }
      else if (strcmp (key, "use_credentials_chain") == 0)
        {
          gboolean chain = FALSE;

          node_to_bool (node, &chain);
          if (chain)
            config->aws_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
          report_add (import, chain
                      ? _("hyper_params.use_credentials_chain: not imported; AWS credentials will come from the environment (AWS_ACCESS_KEY_ID … or AWS_PROFILE)")
                      : _("hyper_params.use_credentials_chain: not imported (false)"));
        }
      else if (strcmp (key, "use_iam_instance_profile") == 0)
        report_add (import, _("hyper_params.use_iam_instance_profile: not imported (unused by the ClearML autoscaler too); set iam_instance_profile per resource"));
      else if (strcmp (key, "cloud_provider") == 0)
        report_add (import, _("hyper_params.cloud_provider: not imported (only AWS is supported)"));
      else
        report_add (import, _("hyper_params.%s: unknown key, not imported"), key);
    }

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

static ScalerResource *
import_resource (Import     *import,
                 const char *name,
                 JsonObject *object,
                 const char *iam_profile)
{
  ScalerResource *resource = scaler_resource_new ();
  g_autoptr(GList) keys = json_object_get_members (object);
  JsonNode *extra = NULL;

  g_free (resource->name);
  resource->name = g_strdup (name);
  g_free (resource->ebs_device_name);
  resource->ebs_device_name = g_strdup ("");
  /* The ClearML driver's defaults. */
  resource->ebs_volume_size = 80;
  resource->spot_fallback_on_demand = FALSE;
  resource->iam_instance_profile = g_strdup (iam_profile);

  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *node = json_object_get_member (object, key);

      if (strcmp (key, "instance_type") == 0)
        set_string (&resource->instance_type, node);
      else if (strcmp (key, "ami_id") == 0)
        set_string (&resource->ami_id, node);
      else if (strcmp (key, "is_spot") == 0)
        {
          if (!node_to_bool (node, &resource->is_spot))
            report_add (import, _("resource_configurations.%s.is_spot: not true or false, imported as on-demand"), name);
        }
      else if (strcmp (key, "availability_zone") == 0 || strcmp (key, "availability_zones") == 0)
        {
          g_strfreev (resource->availability_zones);
          resource->availability_zones = node_to_strv (node);
        }
      else if (strcmp (key, "subnet_id") == 0 || strcmp (key, "subnet_ids") == 0)
        {
          g_strfreev (resource->subnet_ids);
          resource->subnet_ids = node_to_strv (node);
        }
      else if (strcmp (key, "ebs_device_name") == 0)
        set_string (&resource->ebs_device_name, node);
      else if (strcmp (key, "ebs_volume_size") == 0)
        {
          if (!node_to_uint (node, &resource->ebs_volume_size) && node != NULL && !JSON_NODE_HOLDS_NULL (node))
            report_add (import, _("resource_configurations.%s.ebs_volume_size: not a whole number of GiB, kept %u"),
                        name, resource->ebs_volume_size);
        }
      else if (strcmp (key, "ebs_volume_type") == 0)
        set_string (&resource->ebs_volume_type, node);
      else if (strcmp (key, "key_name") == 0)
        set_string (&resource->key_name, node);
      else if (strcmp (key, "security_group_ids") == 0)
        {
          g_strfreev (resource->security_group_ids);
          resource->security_group_ids = node_to_strv (node);
        }
      else if (strcmp (key, "tags") == 0)
        set_tags (resource->tags, node);
      else if (strcmp (key, "extra_configurations") == 0)
        extra = node;   /* merged last, as ClearML does */
      else if (strcmp (key, "ebs_snapshot_id") == 0)
        report_add (import, _("resource_configurations.%s.ebs_snapshot_id: not imported (volumes start from the AMI)"), name);
      else if (strcmp (key, "cpu_only") == 0)
        {
          gboolean cpu_only = FALSE;

          /* ClearML's cpu_only true exports NVIDIA_VISIBLE_DEVICES=none
           * (clearml clearml/automation/cloud_driver.py:135); false, its
           * default, only leaves the agent alone, which here means: decided
           * from the instance type. */
          if (!node_to_bool (node, &cpu_only))
            report_add (import, _("resource_configurations.%s.cpu_only: not true or false, decided from the instance type"), name);
          resource->cpu_only = cpu_only ? SCALER_CPU_ONLY_YES : SCALER_CPU_ONLY_AUTO;
        }
      else if (strcmp (key, "enable_monitoring") == 0)
        report_add (import, _("resource_configurations.%s.enable_monitoring: not imported (detailed CloudWatch monitoring is not supported)"), name);
      else
        report_add (import, _("resource_configurations.%s.%s: unknown key, not imported"), name, key);
    }

  import_extra_configurations (import, name, resource, extra);

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

static void
import_configurations (Import     *import,
                       JsonObject *configurations,
                       const char *iam_profile)
{
  ScalerConfig *config = import->config;
  JsonNode *node;
  JsonObject *resources = NULL;
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GList) keys = json_object_get_members (configurations);

  node = json_object_get_member (configurations, "resource_configurations");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    resources = json_node_get_object (node);

  /* Queues in order; within a queue, the pairs in order (their priority). */
  node = json_object_get_member (configurations, "queues");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *queues = json_node_get_object (node);
      g_autoptr(GList) queue_names = json_object_get_members (queues);

      for (GList *q = queue_names; q != NULL; q = q->next)
        {
          const char *queue = q->data;
          JsonNode *pairs_node = json_object_get_member (queues, queue);
          JsonArray *pairs;

          if (!JSON_NODE_HOLDS_ARRAY (pairs_node))
            {
              report_add (import, _("configurations.queues.%s: not a list of [resource, max instances] pairs, not imported"), queue);
              continue;
            }
          pairs = json_node_get_array (pairs_node);

          for (guint i = 0; i < json_array_get_length (pairs); i++)
            {
              JsonNode *pair = json_array_get_element (pairs, i);
              JsonArray *items;
              g_autofree char *resource_name = NULL;
              JsonNode *resource_node;
              ScalerResource *resource;
              guint max_instances = 1;

              if (!JSON_NODE_HOLDS_ARRAY (pair) || json_array_get_length (json_node_get_array (pair)) != 2)
                {
                  report_add (import, _("configurations.queues.%s[%u]: not a [resource, max instances] pair, not imported"), queue, i);
                  continue;
                }
              items = json_node_get_array (pair);
              resource_name = node_to_text (json_array_get_element (items, 0));
              if (resource_name == NULL || !node_to_uint (json_array_get_element (items, 1), &max_instances))
                {
                  report_add (import, _("configurations.queues.%s[%u]: not a [resource, max instances] pair, not imported"), queue, i);
                  continue;
                }

              resource_node = resources != NULL ? json_object_get_member (resources, resource_name) : NULL;
              if (resource_node == NULL || !JSON_NODE_HOLDS_OBJECT (resource_node))
                {
                  report_add (import, _("configurations.queues.%s: the resource “%s” is not in resource_configurations, not imported"),
                              queue, resource_name);
                  continue;
                }

              resource = import_resource (import, resource_name, json_node_get_object (resource_node), iam_profile);
              g_free (resource->queue);
              resource->queue = g_strdup (queue);
              resource->max_instances = max_instances;

              /* A resource serves one queue; a second use becomes a clone, as
               * the ClearML wizard does (<resource>_<queue>). */
              if (resource_name_taken (config, resource->name))
                {
                  g_autofree char *clone = g_strdup_printf ("%s_%s", resource_name, queue);

                  for (guint n = 2; resource_name_taken (config, clone); n++)
                    {
                      g_free (clone);
                      clone = g_strdup_printf ("%s_%s_%u", resource_name, queue, n);
                    }
                  report_add (import, _("configurations.queues.%s: the resource “%s” also serves another queue; imported as “%s”"),
                              queue, resource_name, clone);
                  g_free (resource->name);
                  resource->name = g_steal_pointer (&clone);
                }
              g_hash_table_add (used, g_strdup (resource_name));

              g_ptr_array_add (config->resources, resource);
            }
        }
    }

  if (resources != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (resources);

      for (GList *l = names; l != NULL; l = l->next)
        if (!g_hash_table_contains (used, l->data))
          report_add (import, _("resource_configurations.%s: not listed under any queue, not imported"),
                      (const char *) l->data);
    }

  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *key = l->data;

      node = json_object_get_member (configurations, key);
      if (strcmp (key, "resource_configurations") == 0 || strcmp (key, "queues") == 0)
        continue;
      else if (strcmp (key, "extra_vm_bash_script") == 0)
        set_string (&config->extra_vm_bash_script, node);
      else if (strcmp (key, "extra_clearml_conf") == 0)
        set_string (&config->extra_clearml_conf, node);
      else if (strcmp (key, "extra_trains_conf") == 0)
        {
          g_autofree char *text = node_to_text (node);

          if (text != NULL && *text != '\0')
            report_add (import, _("configurations.extra_trains_conf: not imported (legacy; move it to extra_clearml_conf)"));
        }
      else
        report_add (import, _("configurations.%s: unknown key, not imported"), key);
    }
}

static JsonObject *
member_object (JsonObject  *object,
               const char  *name,
               JsonNode   **owned)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);

  /* A ClearML task keeps "configurations" as text: parse it. */
  if (is_type (node, G_TYPE_STRING))
    {
      const char *text = json_node_get_string (node);

      *owned = parse_yaml (text, strlen (text), NULL);
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
  params = member_object (top, "hyper_params", &owned_params);
  configurations = member_object (top, "configurations", &owned_configurations);
  if (params == NULL && configurations == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("This is not a ClearML autoscaler configuration: expected a mapping with hyper_params and configurations"));
      return NULL;
    }

  g_free (config->name);
  config->name = g_strdup (name != NULL && *name != '\0' ? name : _("Imported from ClearML"));
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

  root = parse_yaml (data != NULL ? data : "", length < 0 ? strlen (data) : (gsize) length, error);
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

  return _scaler_write_file_atomic (path, json, -1, error);
}
