/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-prices.c: the bundled on-demand price table and the region list,
 * both read once from the core GResource (data/prices/, data/regions.txt). */

#define G_LOG_DOMAIN "scaler-prices"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "scaler-core-resources.h"
#include "scaler-json.h"
#include "scaler-partitions.h"
#include "scaler-prices.h"

#define RESOURCE_PREFIX "/io/github/ec2autoscaler/Autoscaler/core/"

typedef struct
{
  ScalerInstanceTypeInfo info;
  GHashTable *prices;  /* region -> double* (only regions with a price) */
} TypeEntry;

struct _ScalerPriceTable
{
  GHashTable *types;   /* instance type -> TypeEntry* */
  GPtrArray  *sorted;  /* const ScalerInstanceTypeInfo*, by name */
  char       *source;
};

typedef struct
{
  char  **regions;     /* sorted, NULL-terminated */
  GHashTable *zones;   /* region -> char ** (NULL-terminated) */
} RegionList;

static void
type_entry_free (TypeEntry *entry)
{
  g_free (entry->info.instance_type);
  g_free (entry->info.family);
  g_free (entry->info.gpu_model);
  g_clear_pointer (&entry->prices, g_hash_table_unref);
  g_free (entry);
}

static GBytes *
lookup_resource (const char *name)
{
  g_autofree char *path = g_strconcat (RESOURCE_PREFIX, name, NULL);
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  bytes = g_resource_lookup_data (scaler_core_get_resource (), path,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    g_critical ("Bundled data %s is missing: %s", path, error->message);

  return bytes;
}

/* A number of the bundled table; 0 when it is missing. */
static double
number_or_zero (JsonObject *object,
                const char *name)
{
  double value = 0;

  scaler_json_member_double (object, name, &value);
  return value;
}

static int
compare_info (gconstpointer a,
              gconstpointer b)
{
  const ScalerInstanceTypeInfo *ia = *(const ScalerInstanceTypeInfo **) a;
  const ScalerInstanceTypeInfo *ib = *(const ScalerInstanceTypeInfo **) b;

  return strcmp (ia->instance_type, ib->instance_type);
}

static TypeEntry *
type_entry_new (const char *name,
                JsonObject *type)
{
  TypeEntry *entry = g_new0 (TypeEntry, 1);
  JsonObject *prices = scaler_json_member_object (type, "ondemand_usd_per_hour");
  g_autoptr(GList) regions = prices != NULL ? json_object_get_members (prices) : NULL;
  const char *family = scaler_json_member_string (type, "family");

  entry->info.instance_type = g_strdup (name);
  entry->info.family = g_strdup (family != NULL ? family : "");
  entry->info.vcpu = (guint) number_or_zero (type, "vcpu");
  entry->info.memory_gib = number_or_zero (type, "memory_gib");
  entry->info.gpu_count = (guint) number_or_zero (type, "gpu_count");
  entry->info.gpu_model = g_strdup (scaler_json_member_string (type, "gpu_model"));
  entry->info.gpu_memory_gib = number_or_zero (type, "gpu_memory_gib");
  entry->prices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (GList *r = regions; r != NULL; r = r->next)
    {
      double value;

      if (scaler_json_member_double (prices, r->data, &value))
        g_hash_table_insert (entry->prices, g_strdup (r->data), g_memdup2 (&value, sizeof value));
    }

  return entry;
}

/* "name: text" lines of _meta.sources, for the About dialog. */
static char *
describe_sources (JsonObject *root)
{
  JsonObject *sources = scaler_json_member_object (scaler_json_member_object (root, "_meta"), "sources");
  g_autoptr(GList) names = sources != NULL ? json_object_get_members (sources) : NULL;
  GString *out = g_string_new (NULL);

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *text = scaler_json_member_string (sources, l->data);

      if (text == NULL || strcmp (l->data, "not-offered-in-source") == 0)
        continue;
      g_string_append_printf (out, "%s%s: %s", out->len > 0 ? "\n" : "", (const char *) l->data, text);
    }

  return g_string_free (out, FALSE);
}

static ScalerPriceTable *
price_table_load (void)
{
  ScalerPriceTable *self = g_new0 (ScalerPriceTable, 1);
  g_autoptr(GBytes) bytes = lookup_resource ("prices/ec2-ondemand-linux.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root = NULL;
  JsonObject *types;
  g_autoptr(GList) members = NULL;

  self->types = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) type_entry_free);
  self->sorted = g_ptr_array_new ();

  if (bytes != NULL &&
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error))
    g_critical ("Bundled price table is not valid JSON: %s", error->message);
  else if (bytes != NULL)
    root = scaler_json_node_object (json_parser_get_root (parser));

  types = scaler_json_member_object (root, "instance_types");
  members = types != NULL ? json_object_get_members (types) : NULL;
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonObject *type = scaler_json_member_object (types, l->data);
      TypeEntry *entry;

      if (type == NULL)
        continue;
      entry = type_entry_new (l->data, type);
      g_hash_table_insert (self->types, entry->info.instance_type, entry);
      g_ptr_array_add (self->sorted, &entry->info);
    }
  g_ptr_array_sort (self->sorted, compare_info);

  /* Sources are described only when the table has its types. */
  self->source = types != NULL ? describe_sources (root) : g_strdup ("");
  return self;
}

ScalerPriceTable *
scaler_price_table_get_default (void)
{
  static gsize initialized;
  static ScalerPriceTable *table;

  if (g_once_init_enter (&initialized))
    {
      table = price_table_load ();
      g_once_init_leave (&initialized, 1);
    }

  return table;
}

const ScalerInstanceTypeInfo *
scaler_price_table_lookup (ScalerPriceTable *self,
                           const char       *instance_type)
{
  TypeEntry *entry;

  g_return_val_if_fail (self != NULL, NULL);

  if (instance_type == NULL)
    return NULL;

  entry = g_hash_table_lookup (self->types, instance_type);

  return entry != NULL ? &entry->info : NULL;
}

gboolean
scaler_price_table_get_price (ScalerPriceTable *self,
                              const char       *instance_type,
                              const char       *region,
                              double           *usd_per_hour)
{
  TypeEntry *entry;
  double *price;

  g_return_val_if_fail (self != NULL, FALSE);

  if (instance_type == NULL || region == NULL)
    return FALSE;

  entry = g_hash_table_lookup (self->types, instance_type);
  if (entry == NULL)
    return FALSE;

  price = g_hash_table_lookup (entry->prices, region);
  if (price == NULL)
    return FALSE;

  if (usd_per_hour != NULL)
    *usd_per_hour = *price;

  return TRUE;
}

GPtrArray *
scaler_price_table_list_types (ScalerPriceTable *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_ptr_array_sized_new (self->sorted->len);
  for (guint i = 0; i < self->sorted->len; i++)
    g_ptr_array_add (copy, g_ptr_array_index (self->sorted, i));

  return copy;
}

const char *
scaler_price_table_get_source (ScalerPriceTable *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->source;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static RegionList *
region_list_load (void)
{
  RegionList *self = g_new0 (RegionList, 1);
  g_autoptr(GBytes) bytes = lookup_resource ("regions.txt");
  g_autoptr(GPtrArray) regions = g_ptr_array_new ();
  g_auto(GStrv) lines = NULL;

  self->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);

  if (bytes != NULL)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

      lines = g_strsplit (text, "\n", -1);
    }

  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = NULL;
      g_autoptr(GPtrArray) zones = NULL;
      char *line = g_strstrip (lines[i]);

      if (*line == '\0' || *line == '#')
        continue;

      words = g_strsplit_set (line, " \t", -1);
      if (g_hash_table_contains (self->zones, words[0]))
        continue;

      zones = g_ptr_array_new ();
      for (guint j = 1; words[j] != NULL; j++)
        if (*words[j] != '\0')
          g_ptr_array_add (zones, g_strdup (words[j]));
      g_ptr_array_add (zones, NULL);

      g_hash_table_insert (self->zones, g_strdup (words[0]), g_ptr_array_steal (zones, NULL));
      g_ptr_array_add (regions, g_strdup (words[0]));
    }

  /* Regions AWS lists (botocore partitions.json) whose zones are not in
   * regions.txt: known, without a zone list. */
  for (const char * const *r = scaler_partitions_list_regions (); *r != NULL; r++)
    if (!g_hash_table_contains (self->zones, *r))
      {
        g_hash_table_insert (self->zones, g_strdup (*r), NULL);
        g_ptr_array_add (regions, g_strdup (*r));
      }

  g_ptr_array_sort (regions, compare_strings);
  g_ptr_array_add (regions, NULL);
  self->regions = (char **) g_ptr_array_steal (regions, NULL);

  return self;
}

static RegionList *
region_list_get (void)
{
  static gsize initialized;
  static RegionList *list;

  if (g_once_init_enter (&initialized))
    {
      list = region_list_load ();
      g_once_init_leave (&initialized, 1);
    }

  return list;
}

const char * const *
scaler_regions_list (void)
{
  return (const char * const *) region_list_get ()->regions;
}

const char * const *
scaler_region_get_zones (const char *region)
{
  if (region == NULL)
    return NULL;

  return g_hash_table_lookup (region_list_get ()->zones, region);
}

gboolean
scaler_region_is_known (const char *region)
{
  return region != NULL && g_hash_table_contains (region_list_get ()->zones, region);
}

gboolean
scaler_price_table_default_price (const char *instance_type,
                                  const char *region,
                                  double     *usd_per_hour,
                                  gpointer    user_data)
{
  ScalerPriceTable *table;

  if (instance_type == NULL)
    return FALSE;
  table = scaler_price_table_get_default ();
  if (table == NULL)
    return FALSE;
  return scaler_price_table_get_price (table, instance_type, region ? region : "us-east-1", usd_per_hour);
}
