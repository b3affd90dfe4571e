/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-partitions.c: AWS partitions from botocore's partitions.json (see
 * scaler-partitions.h and data/partitions/README.md). */

#define G_LOG_DOMAIN "scaler-partitions"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "scaler-core-resources.h"
#include "scaler-json.h"
#include "scaler-partitions.h"

#define PARTITIONS_RESOURCE "/io/github/ec2autoscaler/Autoscaler/core/partitions/partitions.json"
/* Used when no partition matches (as the SDKs' aws.partition function). */
#define DEFAULT_PARTITION "aws"

typedef struct
{
  ScalerPartition public;
  GRegex         *regex;
} Partition;

typedef struct
{
  GPtrArray  *partitions;   /* Partition*, in file order */
  GHashTable *listed;       /* region -> Partition* */
  char      **regions;      /* sorted, NULL-terminated */
} Table;

static Partition *
partition_new (JsonObject *object)
{
  JsonObject *outputs = scaler_json_member_object (object, "outputs");
  const char *regex = scaler_json_member_string (object, "regionRegex");
  g_autoptr(GError) error = NULL;
  Partition *partition;

  if (scaler_json_member_string (object, "id") == NULL || scaler_json_member_string (outputs, "dnsSuffix") == NULL || regex == NULL)
    return NULL;

  partition = g_new0 (Partition, 1);
  partition->public.id = g_intern_string (scaler_json_member_string (object, "id"));
  partition->public.dns_suffix = g_intern_string (scaler_json_member_string (outputs, "dnsSuffix"));
  partition->public.dual_stack_dns_suffix = g_intern_string (scaler_json_member_string (outputs, "dualStackDnsSuffix"));
  scaler_json_member_boolean (outputs, "supportsFIPS", &partition->public.supports_fips);
  /* "$" must not match before a trailing newline. */
  partition->regex = g_regex_new (regex, G_REGEX_DOLLAR_ENDONLY | G_REGEX_OPTIMIZE, 0, &error);
  if (partition->regex == NULL)
    g_critical ("partitions.json: bad regionRegex of %s: %s", partition->public.id, error->message);

  return partition;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static void
table_add_regions (Table      *table,
                   Partition  *partition,
                   JsonObject *regions,
                   GPtrArray  *names)
{
  g_autoptr(GList) members = regions != NULL ? json_object_get_members (regions) : NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *region = g_intern_string (l->data);

      /* "aws-global", "aws-cn-global", ...: endpoints, not regions. */
      if (g_str_has_suffix (region, "-global") || g_hash_table_contains (table->listed, region))
        continue;
      g_hash_table_insert (table->listed, (gpointer) region, partition);
      g_ptr_array_add (names, (gpointer) region);
    }
}

static Table *
table_load (void)
{
  Table *table = g_new0 (Table, 1);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  JsonArray *list;

  table->partitions = g_ptr_array_new ();
  table->listed = g_hash_table_new (g_str_hash, g_str_equal);

  bytes = g_resource_lookup_data (scaler_core_get_resource (), PARTITIONS_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error))
    g_critical ("Bundled data %s is missing or broken: %s", PARTITIONS_RESOURCE,
                error != NULL ? error->message : "?");

  list = scaler_json_member_array (scaler_json_node_object (bytes != NULL ? json_parser_get_root (parser) : NULL),
                                   "partitions");
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *element = scaler_json_array_object (list, i);
      Partition *partition = element != NULL ? partition_new (element) : NULL;

      if (partition == NULL)
        continue;
      g_ptr_array_add (table->partitions, partition);
      table_add_regions (table, partition, scaler_json_member_object (element, "regions"), names);
    }

  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  table->regions = (char **) g_ptr_array_steal (names, NULL);

  return table;
}

static Table *
table_get (void)
{
  static gsize initialized;
  static Table *table;

  if (g_once_init_enter (&initialized))
    {
      table = table_load ();
      g_once_init_leave (&initialized, 1);
    }

  return table;
}

static gboolean
is_region_text (const char *region)
{
  if (region == NULL || *region == '\0' || strlen (region) > 64)
    return FALSE;
  for (const char *p = region; *p != '\0'; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-'))
      return FALSE;

  return TRUE;
}

const ScalerPartition *
scaler_partition_for_region (const char       *region,
                             ScalerRegionKind *kind)
{
  Table *table = table_get ();
  Partition *partition;

  if (kind != NULL)
    *kind = SCALER_REGION_INVALID;
  if (!is_region_text (region))
    return NULL;

  partition = g_hash_table_lookup (table->listed, region);
  if (partition != NULL)
    {
      if (kind != NULL)
        *kind = SCALER_REGION_LISTED;
      return &partition->public;
    }

  for (guint i = 0; i < table->partitions->len; i++)
    {
      partition = g_ptr_array_index (table->partitions, i);
      if (partition->regex != NULL && g_regex_match (partition->regex, region, 0, NULL))
        {
          if (kind != NULL)
            *kind = SCALER_REGION_PATTERN;
          return &partition->public;
        }
    }

  return NULL;
}

const char * const *
scaler_partitions_list_regions (void)
{
  return (const char * const *) table_get ()->regions;
}

char *
scaler_partition_ec2_endpoint (const char *region)
{
  const ScalerPartition *partition;
  const char *suffix = "amazonaws.com";

  g_return_val_if_fail (region != NULL, NULL);

  partition = scaler_partition_for_region (region, NULL);
  if (partition == NULL)
    {
      Table *table = table_get ();

      for (guint i = 0; i < table->partitions->len; i++)
        {
          Partition *p = g_ptr_array_index (table->partitions, i);

          if (strcmp (p->public.id, DEFAULT_PARTITION) == 0)
            partition = &p->public;
        }
    }
  if (partition != NULL)
    suffix = partition->dns_suffix;

  return g_strdup_printf ("https://ec2.%s.%s/", region, suffix);
}
