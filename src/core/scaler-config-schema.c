/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-config-schema.c: the JSON shape of a saved config (keys, types,
 * unknown keys, with a "did you mean" for typos), then its values
 * (scaler-config-validate.c): scaler_config_validate_json(); and strict
 * loading, the parser plus both checks: scaler_config_load(). */

#define G_LOG_DOMAIN "scaler-config"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "scaler-config.h"
#include "scaler-config-private.h"
#include "scaler-error.h"
#include "scaler-json.h"

typedef enum
{
  KEY_STRING,
  KEY_NULLABLE_STRING,
  KEY_NULLABLE_BOOL,
  KEY_WHOLE,
  KEY_NUMBER,
  KEY_BOOL,
  KEY_ENUM,
  KEY_OBJECT,
  KEY_STRV,
  KEY_TAGS,
  KEY_RESOURCES,
} KeyType;

typedef struct _Key Key;
struct _Key
{
  const char         *name;
  KeyType             type;
  gboolean            required;
  const Key          *children;       /* KEY_OBJECT, KEY_RESOURCES */
  const char * const *values;         /* KEY_ENUM */
};

static const char * const credentials_values[] = { "keyring", "environment", NULL };
static const char * const on_stop_values[] = { "keep", "terminate_idle", "terminate_all", NULL };
static const char * const idle_policy_values[] = { "adaptive", "fixed", NULL };

static const Key aws_keys[] = {
  { "region", KEY_STRING },
  { "endpoint", KEY_NULLABLE_STRING },
  { "credentials", KEY_ENUM, FALSE, NULL, credentials_values },
  { "profile", KEY_NULLABLE_STRING },
  { "tags", KEY_TAGS },
  { NULL }
};

static const Key clearml_keys[] = {
  { "api_server", KEY_STRING },
  { "web_server", KEY_STRING },
  { "files_server", KEY_STRING },
  { "credentials", KEY_ENUM, FALSE, NULL, credentials_values },
  { NULL }
};

static const Key resource_keys[] = {
  { "name", KEY_STRING },
  { "queue", KEY_STRING },
  { "max_instances", KEY_WHOLE },
  { "instance_type", KEY_STRING },
  { "availability_zones", KEY_STRV },
  { "subnet_ids", KEY_STRV },
  { "ami_id", KEY_STRING },
  { "ebs_device_name", KEY_STRING },
  { "ebs_volume_size", KEY_WHOLE },
  { "ebs_volume_type", KEY_STRING },
  { "ebs_iops", KEY_WHOLE },
  { "ebs_throughput", KEY_WHOLE },
  { "key_name", KEY_STRING },
  { "security_group_ids", KEY_STRV },
  { "is_spot", KEY_BOOL },
  { "spot_fallback_on_demand", KEY_BOOL },
  { "iam_instance_profile", KEY_NULLABLE_STRING },
  { "metadata_hop_limit", KEY_WHOLE },
  { "associate_public_ip", KEY_NULLABLE_BOOL },
  { "tags", KEY_TAGS },
  { "cpu_only", KEY_NULLABLE_BOOL },
  { NULL }
};

static const Key top_keys[] = {
  { "version", KEY_WHOLE, TRUE },
  { "id", KEY_STRING, TRUE },
  { "name", KEY_STRING },
  { "aws", KEY_OBJECT, FALSE, aws_keys },
  { "clearml", KEY_OBJECT, FALSE, clearml_keys },
  { "git_user", KEY_STRING },
  { "default_docker_image", KEY_STRING },
  { "max_idle_time_min", KEY_NUMBER },
  { "polling_interval_time_min", KEY_NUMBER },
  { "max_spin_up_time_min", KEY_NUMBER },
  { "workers_prefix", KEY_STRING },
  { "hourly_budget_usd", KEY_NUMBER },
  { "on_stop", KEY_ENUM, FALSE, NULL, on_stop_values },
  { "idle_policy", KEY_ENUM, FALSE, NULL, idle_policy_values },
  { "extra_vm_bash_script", KEY_STRING },
  { "extra_clearml_conf", KEY_STRING },
  { "demo", KEY_BOOL },
  { "resources", KEY_RESOURCES, FALSE, resource_keys },
  { NULL }
};

static const char *
describe_node (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return _("an object");
    case JSON_NODE_ARRAY:
      return _("an array");
    case JSON_NODE_NULL:
      return _("null");
    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          return _("a string");
        if (type == G_TYPE_BOOLEAN)
          return _("true/false");
        return _("a number");
      }
    default:
      return "?";
    }
}

static guint
edit_distance (const char *a,
               const char *b)
{
  size_t la = strlen (a);
  size_t lb = strlen (b);
  g_autofree guint *row = NULL;

  if (la > 64 || lb > 64)
    return G_MAXUINT;

  row = g_new (guint, lb + 1);
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;

  for (size_t i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (size_t j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }

  return row[lb];
}

static const char *
closest_key (const Key  *keys,
             const char *name)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  size_t name_length = strlen (name);

  for (const Key *key = keys; key->name != NULL; key++)
    {
      guint distance = edit_distance (name, key->name);

      /* A prefix or an extension (max_idle_time -> max_idle_time_min) counts as close. */
      if (name_length >= 4 &&
          (g_str_has_prefix (key->name, name) || g_str_has_prefix (name, key->name)))
        distance = MIN (distance, 2);

      if (distance < best_distance)
        {
          best_distance = distance;
          best = key->name;
        }
    }

  if (best != NULL && best_distance <= MAX (2, strlen (best) / 3))
    return best;

  return NULL;
}

static char *
join_keys (const Key *keys)
{
  GString *text = g_string_new (NULL);

  for (const Key *key = keys; key->name != NULL; key++)
    g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "", key->name);

  return g_string_free (text, FALSE);
}

static char *
child_path (const char *parent,
            const char *name)
{
  return *parent != '\0' ? g_strconcat (parent, ".", name, NULL) : g_strdup (name);
}

static void check_object (GPtrArray  *problems,
                          const char *path,
                          JsonObject *object,
                          const Key  *keys);

static void
check_strv_node (GPtrArray  *problems,
                 const char *path,
                 JsonNode   *node)
{
  if (scaler_json_node_holds (node, G_TYPE_STRING))
    return;   /* "a, b": comma-separated, as typed in the ClearML form */

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      error_at (problems, path, _("Expected a list of strings such as [\"a\", \"b\"], found %s"),
                describe_node (node));
      return;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (node), i);

      if (!scaler_json_node_holds (element, G_TYPE_STRING))
        {
          g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);

          error_at (problems, element_path, _("Expected a string, found %s"), describe_node (element));
        }
    }
}

static void
check_tags_node (GPtrArray  *problems,
                 const char *path,
                 JsonNode   *node)
{
  if (scaler_json_node_holds (node, G_TYPE_STRING))
    {
      g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_tag_free);
      g_autofree char *bad_item = NULL;

      scaler_tags_parse_string (json_node_get_string (node), tags, &bad_item);
      if (bad_item != NULL)
        error_at (problems, path,
                  _("“%s” is not a key=value pair; expected tags such as “team=ml, owner=ops”"),
                  bad_item);
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      error_at (problems, path,
                _("Expected tags as an object such as {\"team\": \"ml\"} or a string such as \"team=ml, owner=ops\", found %s"),
                describe_node (node));
      return;
    }

  {
    JsonObject *object = json_node_get_object (node);
    g_autoptr(GList) names = json_object_get_members (object);

    for (GList *l = names; l != NULL; l = l->next)
      {
        JsonNode *value = json_object_get_member (object, l->data);

        if (!scaler_json_node_holds (value, G_TYPE_STRING) && !JSON_NODE_HOLDS_NULL (value))
          {
            g_autofree char *value_path = child_path (path, l->data);

            error_at (problems, value_path, _("Expected the tag's value as a string, found %s"),
                      describe_node (value));
          }
      }
  }
}

static void
check_whole_node (GPtrArray  *problems,
                  const char *path,
                  JsonNode   *node)
{
  if (!scaler_json_node_is_number (node))
    error_at (problems, path, _("Expected a whole number, found %s"), describe_node (node));
  else if (scaler_json_node_holds (node, G_TYPE_DOUBLE) && json_node_get_double (node) != floor (json_node_get_double (node)))
    error_at (problems, path, _("Expected a whole number, found %g"), json_node_get_double (node));
  else if (json_node_get_double (node) < 0)
    error_at (problems, path, _("Expected a whole number of at least 0, found %g"), json_node_get_double (node));
}

static void
check_enum_node (GPtrArray          *problems,
                 const char         *path,
                 JsonNode           *node,
                 const char * const *values)
{
  g_autofree char *expected = NULL;

  if (scaler_json_node_holds (node, G_TYPE_STRING) && g_strv_contains (values, json_node_get_string (node)))
    return;

  expected = g_strjoinv (", ", (char **) values);
  if (scaler_json_node_holds (node, G_TYPE_STRING))
    error_at (problems, path, _("“%s” is not a valid value; expected one of: %s"),
              json_node_get_string (node), expected);
  else
    error_at (problems, path, _("Expected one of: %s, found %s"), expected, describe_node (node));
}

static void
check_resources_node (GPtrArray  *problems,
                      const char *path,
                      JsonNode   *node,
                      const Key  *keys)
{
  JsonArray *array = scaler_json_node_array (node);

  if (array == NULL)
    {
      error_at (problems, path, _("Expected a list of resources ([ { … } ]), found %s"),
                describe_node (node));
      return;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *element = scaler_json_array_object (array, i);
      g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);

      if (element == NULL)
        error_at (problems, element_path, _("Expected an object describing a resource, found %s"),
                  describe_node (json_array_get_element (array, i)));
      else
        check_object (problems, element_path, element, keys);
    }
}

static void
check_value (GPtrArray  *problems,
             const char *path,
             JsonNode   *node,
             const Key  *key)
{
  switch (key->type)
    {
    case KEY_STRING:
      if (!scaler_json_node_holds (node, G_TYPE_STRING))
        error_at (problems, path, _("Expected a string (text in double quotes), found %s"),
                  describe_node (node));
      break;

    case KEY_NULLABLE_STRING:
      if (!scaler_json_node_holds (node, G_TYPE_STRING) && !JSON_NODE_HOLDS_NULL (node))
        error_at (problems, path, _("Expected a string or null, found %s"), describe_node (node));
      break;

    case KEY_NULLABLE_BOOL:
      if (!scaler_json_node_holds (node, G_TYPE_BOOLEAN) && !JSON_NODE_HOLDS_NULL (node))
        error_at (problems, path, _("Expected true, false or null, found %s"), describe_node (node));
      break;

    case KEY_WHOLE:
      check_whole_node (problems, path, node);
      break;

    case KEY_NUMBER:
      if (!scaler_json_node_is_number (node))
        error_at (problems, path, _("Expected a number, found %s"), describe_node (node));
      break;

    case KEY_BOOL:
      if (!scaler_json_node_holds (node, G_TYPE_BOOLEAN))
        error_at (problems, path, _("Expected true or false, found %s"), describe_node (node));
      break;

    case KEY_ENUM:
      check_enum_node (problems, path, node, key->values);
      break;

    case KEY_OBJECT:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        error_at (problems, path, _("Expected an object ({ … }), found %s"), describe_node (node));
      else
        check_object (problems, path, json_node_get_object (node), key->children);
      break;

    case KEY_STRV:
      check_strv_node (problems, path, node);
      break;

    case KEY_TAGS:
      check_tags_node (problems, path, node);
      break;

    case KEY_RESOURCES:
      check_resources_node (problems, path, node, key->children);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
check_object (GPtrArray  *problems,
              const char *path,
              JsonObject *object,
              const Key  *keys)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      g_autofree char *member_path = child_path (path, name);
      const Key *key = NULL;

      for (const Key *k = keys; k->name != NULL && key == NULL; k++)
        if (strcmp (k->name, name) == 0)
          key = k;

      if (key == NULL)
        {
          const char *closest = closest_key (keys, name);

          if (closest != NULL)
            error_at (problems, member_path, _("Unknown key “%s”; did you mean “%s”?"), name, closest);
          else
            {
              g_autofree char *expected = join_keys (keys);

              error_at (problems, member_path, _("Unknown key “%s”; expected one of: %s"), name, expected);
            }
          continue;
        }

      check_value (problems, member_path, json_object_get_member (object, name), key);
    }

  for (const Key *k = keys; k->name != NULL; k++)
    if (k->required && !json_object_has_member (object, k->name))
      {
        g_autofree char *member_path = child_path (path, k->name);

        if (strcmp (k->name, "version") == 0)
          error_at (problems, member_path, _("The key “version” is missing; expected \"version\": %d"),
                    SCALER_CONFIG_VERSION);
        else
          error_at (problems, member_path,
                    _("The key “%s” is missing; expected the instance's UUID, such as \"5b0f3c9e-1c2d-4e5f-8a9b-0123456789ab\""),
                    k->name);
      }
}

static gboolean
path_is_under (const char *path,
               const char *prefix)
{
  size_t n = strlen (prefix);

  if (strncmp (path, prefix, n) != 0)
    return FALSE;

  return path[n] == '\0' || path[n] == '.' || path[n] == '[';
}

GPtrArray *
scaler_config_validate_json (const char *json,
                             gssize      length)
{
  g_autoptr(GPtrArray) problems = _scaler_config_problems_new ();
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(GPtrArray) value_problems = NULL;
  JsonNode *root;
  guint n_shape_problems;

  g_return_val_if_fail (json != NULL || length == 0, NULL);

  if (length < 0)
    length = strlen (json);

  if (!scaler_json_check_depth (json, length, SCALER_JSON_MAX_DEPTH, &error))
    {
      error_at (problems, "", "%s", error->message);
      return g_steal_pointer (&problems);
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, length > 0 ? json : "", length, &error))
    {
      g_autofree char *message = _scaler_json_error_message (error);

      error_at (problems, "", "%s", message);
      return g_steal_pointer (&problems);
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      error_at (problems, "", _("The file is empty; expected a JSON object"));
      return g_steal_pointer (&problems);
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      error_at (problems, "", _("The configuration must be a JSON object ({ … }), found %s"),
                describe_node (root));
      return g_steal_pointer (&problems);
    }

  check_object (problems, "", json_node_get_object (root), top_keys);
  n_shape_problems = problems->len;

  config = _scaler_config_new_from_node (root, NULL);
  value_problems = scaler_config_validate (config);

  /* A key with the wrong type keeps its default in the parsed config; do not
   * report that default too. */
  for (guint i = 0; i < value_problems->len; i++)
    {
      ScalerConfigProblem *problem = g_ptr_array_index (value_problems, i);
      gboolean covered = FALSE;

      for (guint j = 0; j < n_shape_problems && !covered; j++)
        covered = path_is_under (problem->path,
                                 ((ScalerConfigProblem *) g_ptr_array_index (problems, j))->path);

      if (!covered)
        g_ptr_array_add (problems, g_ptr_array_steal_index (value_problems, i--));
    }

  return g_steal_pointer (&problems);
}

/* Strict loading: the parser plus this validator. It lives here, above the
 * parser, so that scaler-config-json.c never calls back into validation. */

ScalerConfig *
scaler_config_load (const char  *json,
                    gssize       length,
                    GPtrArray  **problems,
                    GError     **error)
{
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(ScalerConfig) config = NULL;

  g_return_val_if_fail (json != NULL || length == 0, NULL);

  found = scaler_config_validate_json (json, length);
  if (!scaler_config_problems_have_errors (found))
    config = scaler_config_new_from_json (json, length, NULL);

  if (config == NULL)
    {
      g_autofree char *text = _scaler_config_problems_error_text (found);

      g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                           text != NULL ? text : _("The configuration is not valid"));
    }

  if (problems != NULL)
    *problems = g_steal_pointer (&found);

  return g_steal_pointer (&config);
}
