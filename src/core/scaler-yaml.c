/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-yaml.c: YAML -> JsonNode, from libyaml's events. Events (not
 * yaml_parser_load) let us stop at the nesting limit before libyaml's
 * scanner, which is quadratic in the flow nesting depth, gets far; aliases
 * are expanded with a budget, so an alias bomb is refused instead of filling
 * the memory. */

#define G_LOG_DOMAIN "scaler-yaml"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>
#include <yaml.h>

#include "scaler-error.h"
#include "scaler-yaml.h"

#define MAX_DEPTH 64
#define MAX_NODES 100000

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

static void
yaml_builder_init (YamlBuilder *builder)
{
  builder->stack = g_array_new (FALSE, TRUE, sizeof (YamlFrame));
  builder->anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_node_unref);
  builder->sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
yaml_builder_clear (YamlBuilder *builder)
{
  for (guint i = 0; i < builder->stack->len; i++)
    yaml_frame_clear (&g_array_index (builder->stack, YamlFrame, i));
  g_array_unref (builder->stack);
  g_hash_table_unref (builder->anchors);
  g_hash_table_unref (builder->sizes);
  g_clear_pointer (&builder->root, json_node_unref);
  g_free (builder->error);
}

static void
yaml_builder_scalar (YamlBuilder  *builder,
                     yaml_event_t *event)
{
  const char *anchor = (const char *) event->data.scalar.anchor;

  if (yaml_builder_expects_key (builder))
    {
      g_autofree char *key_text = NULL;

      /* Keys stay text, whatever they look like ("1", "yes"). */
      yaml_builder_add (builder, json_node_init_string (json_node_alloc (), yaml_scalar_text_const (event, &key_text)),
                        anchor, 1);
    }
  else
    yaml_builder_add (builder, yaml_scalar_to_json (event), anchor, 1);
}

/* Folds one event into the tree; TRUE at the end of the first document. */
static gboolean
yaml_builder_event (YamlBuilder  *builder,
                    yaml_event_t *event)
{
  switch (event->type)
    {
    case YAML_SCALAR_EVENT:
      yaml_builder_scalar (builder, event);
      return FALSE;

    case YAML_ALIAS_EVENT:
      yaml_builder_alias (builder, (const char *) event->data.alias.anchor);
      return FALSE;

    case YAML_SEQUENCE_START_EVENT:
      {
        g_autoptr(JsonArray) array = json_array_new ();

        yaml_builder_push (builder, json_node_init_array (json_node_alloc (), array),
                           (const char *) event->data.sequence_start.anchor);
      }
      return FALSE;

    case YAML_MAPPING_START_EVENT:
      {
        g_autoptr(JsonObject) object = json_object_new ();

        if (yaml_builder_expects_key (builder))
          yaml_builder_fail (builder, _("only text keys are supported"));
        yaml_builder_push (builder, json_node_init_object (json_node_alloc (), object),
                           (const char *) event->data.mapping_start.anchor);
      }
      return FALSE;

    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      yaml_builder_pop (builder);
      return FALSE;

    case YAML_DOCUMENT_END_EVENT:   /* only the first document counts */
    case YAML_STREAM_END_EVENT:
      return TRUE;

    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_DOCUMENT_START_EVENT:
    default:
      return FALSE;
    }
}

JsonNode *
scaler_yaml_parse (const char  *data,
                   gsize        length,
                   GError     **error)
{
  yaml_parser_t parser;
  YamlBuilder builder = { 0, };
  gboolean done = FALSE;
  JsonNode *root = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (!yaml_parser_initialize (&parser))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED, "libyaml: out of memory");
      return NULL;
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) (data != NULL ? data : ""), length);
  yaml_builder_init (&builder);

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
      done = yaml_builder_event (&builder, &event);
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
  yaml_builder_clear (&builder);
  yaml_parser_delete (&parser);

  return root;
}
