/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-ledger-json.c: the ledger's file: its JSON form, written and read
 * by one table per kind of record, and the atomic save and the load that
 * sets a corrupt file aside (see scaler-ledger.h). */

#define G_LOG_DOMAIN "scaler-ledger"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "scaler-error.h"
#include "scaler-json.h"
#include "scaler-ledger-private.h"
#include "scaler-util.h"

/* ---- field tables ---- */

typedef enum
{
  FIELD_STRING,           /* char *, required */
  FIELD_NULLABLE_STRING,  /* char *, null when NULL */
  FIELD_BOOLEAN,          /* gboolean */
  FIELD_INT64,            /* gint64, at least min */
  FIELD_UINT,             /* guint, at least min, clamped to max */
  FIELD_DOUBLE,           /* double, in [0, 1e9) */
} FieldKind;

typedef struct
{
  const char *key;
  FieldKind   kind;
  gsize       offset;
  gint64      min;
  guint       max;
} Field;

#define F(type, key, kind, member) { key, kind, G_STRUCT_OFFSET (type, member), 0, 0 }
#define F_INT(type, key, kind, member, min, max) { key, kind, G_STRUCT_OFFSET (type, member), min, max }

/* A cached spot price as one record of the file. */
typedef struct
{
  char  *instance_type;
  char  *zone;
  double usd_per_hour;
  gint64 time;
} SpotPriceRecord;

static const Field launch_fields[] = {
  F (ScalerLedgerLaunch, "client_token", FIELD_STRING, client_token),
  F (ScalerLedgerLaunch, "resource", FIELD_STRING, resource),
  F (ScalerLedgerLaunch, "instance_type", FIELD_STRING, instance_type),
  F (ScalerLedgerLaunch, "availability_zone", FIELD_NULLABLE_STRING, availability_zone),
  F (ScalerLedgerLaunch, "subnet_id", FIELD_NULLABLE_STRING, subnet_id),
  F (ScalerLedgerLaunch, "spot", FIELD_BOOLEAN, spot),
  F (ScalerLedgerLaunch, "created", FIELD_INT64, created),
  F (ScalerLedgerLaunch, "last_attempt", FIELD_INT64, last_attempt),
  F_INT (ScalerLedgerLaunch, "attempts", FIELD_UINT, attempts, 0, G_MAXUINT),
  F (ScalerLedgerLaunch, "instance_id", FIELD_NULLABLE_STRING, instance_id),
  F (ScalerLedgerLaunch, "usd_per_hour", FIELD_DOUBLE, usd_per_hour),
};

static const Field backoff_fields[] = {
  F (ScalerLedgerBackoff, "resource", FIELD_STRING, resource),
  F (ScalerLedgerBackoff, "zone", FIELD_STRING, zone),
  F (ScalerLedgerBackoff, "spot", FIELD_BOOLEAN, spot),
  F_INT (ScalerLedgerBackoff, "failures", FIELD_UINT, failures, 1, 64),
  F (ScalerLedgerBackoff, "until", FIELD_INT64, until),
  F (ScalerLedgerBackoff, "reason", FIELD_NULLABLE_STRING, reason),
};

static const Field spot_price_fields[] = {
  F (SpotPriceRecord, "instance_type", FIELD_STRING, instance_type),
  F (SpotPriceRecord, "zone", FIELD_STRING, zone),
  F (SpotPriceRecord, "usd_per_hour", FIELD_DOUBLE, usd_per_hour),
  F (SpotPriceRecord, "time", FIELD_INT64, time),
};

/* subnet_id stays in memory: it is not part of the file. */
static const Field instance_fields[] = {
  F (ScalerLedgerInstance, "instance_id", FIELD_STRING, instance_id),
  F (ScalerLedgerInstance, "resource", FIELD_NULLABLE_STRING, resource),
  F (ScalerLedgerInstance, "first_seen", FIELD_INT64, first_seen),
  F (ScalerLedgerInstance, "last_seen", FIELD_INT64, last_seen),
  F (ScalerLedgerInstance, "gone_since", FIELD_INT64, gone_since),
  F (ScalerLedgerInstance, "adopted", FIELD_BOOLEAN, adopted),
};

#undef F
#undef F_INT

/* One array of records: its member, its fields, and what a record that
 * was read becomes (the function takes the record, or frees it and fails). */
typedef gboolean (*RecordAddFunc) (ScalerLedger  *self,
                                   gpointer       record,
                                   GError       **error);

typedef struct
{
  const char    *name;   /* "launches" */
  const char    *what;   /* "launches[]", in errors */
  const Field   *fields;
  guint          n_fields;
  gsize          size;
  RecordAddFunc  add;
} RecordKind;

/* ---- writing ---- */

static void
add_opt_string (JsonBuilder *builder,
                const char  *name,
                const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_record (JsonBuilder   *builder,
            const Field   *fields,
            guint          n_fields,
            gconstpointer  record)
{
  json_builder_begin_object (builder);
  for (guint i = 0; i < n_fields; i++)
    {
      gconstpointer member = G_STRUCT_MEMBER_P (record, fields[i].offset);

      if (fields[i].kind == FIELD_STRING || fields[i].kind == FIELD_NULLABLE_STRING)
        {
          add_opt_string (builder, fields[i].key, *(char * const *) member);
          continue;
        }
      json_builder_set_member_name (builder, fields[i].key);
      if (fields[i].kind == FIELD_BOOLEAN)
        json_builder_add_boolean_value (builder, *(const gboolean *) member);
      else if (fields[i].kind == FIELD_INT64)
        json_builder_add_int_value (builder, *(const gint64 *) member);
      else if (fields[i].kind == FIELD_UINT)
        json_builder_add_int_value (builder, *(const guint *) member);
      else
        json_builder_add_double_value (builder, *(const double *) member);
    }
  json_builder_end_object (builder);
}

static void
add_records (JsonBuilder *builder,
             const char  *name,
             const Field *fields,
             guint        n_fields,
             GPtrArray   *records)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < records->len; i++)
    add_record (builder, fields, n_fields, g_ptr_array_index (records, i));
  json_builder_end_array (builder);
}

static void
spot_price_record_free (SpotPriceRecord *record)
{
  g_free (record->instance_type);
  g_free (record->zone);
  g_free (record);
}

/* In the order of the hash table, as the records of the file. */
static GPtrArray *
list_spot_prices (const ScalerLedger *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) spot_price_record_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->spot_prices);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const SpotPrice *price = value;
      const char *bar = strchr (key, '|');
      SpotPriceRecord *record = g_new0 (SpotPriceRecord, 1);

      record->instance_type = g_strndup (key, bar ? (gsize) (bar - (char *) key) : strlen (key));
      record->zone = g_strdup (bar ? bar + 1 : "");
      record->usd_per_hour = price->price;
      record->time = price->time;
      g_ptr_array_add (list, record);
    }
  return list;
}

static void
add_idle_since (JsonBuilder        *builder,
                const ScalerLedger *self)
{
  GHashTableIter iter;
  gpointer key, value;

  json_builder_set_member_name (builder, "idle_since");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, self->idle_since);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_builder_set_member_name (builder, key);
      json_builder_add_int_value (builder, *(gint64 *) value);
    }
  json_builder_end_object (builder);
}

char *
scaler_ledger_to_json (const ScalerLedger *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) launches = NULL;
  g_autoptr(GPtrArray) backoffs = NULL;
  g_autoptr(GPtrArray) spot_prices = NULL;
  g_autoptr(GPtrArray) instances = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  launches = scaler_ledger_list_launches (self);
  backoffs = scaler_ledger_list_backoffs (self);
  spot_prices = list_spot_prices (self);
  instances = scaler_ledger_list_instances (self);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, SCALER_LEDGER_VERSION);
  json_builder_set_member_name (builder, "config_id");
  json_builder_add_string_value (builder, self->config_id);
  json_builder_set_member_name (builder, "throttle_count");
  json_builder_add_int_value (builder, self->throttle_count);
  add_records (builder, "launches", launch_fields, G_N_ELEMENTS (launch_fields), launches);
  add_idle_since (builder, self);
  add_records (builder, "backoffs", backoff_fields, G_N_ELEMENTS (backoff_fields), backoffs);
  add_records (builder, "spot_prices", spot_price_fields, G_N_ELEMENTS (spot_price_fields), spot_prices);
  add_records (builder, "instances", instance_fields, G_N_ELEMENTS (instance_fields), instances);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/* ---- reading: strict, a wrong type is an error naming the member ---- */

/* SCALER_ERROR_PARSE "WHAT.NAME: PROBLEM"; FALSE. */
#define field_error(error, what, name, ...) \
  scaler_set_member_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, what, name, __VA_ARGS__)

static gboolean
read_string (JsonObject  *object,
             const char  *what,
             const Field *field,
             char       **out,
             GError     **error)
{
  JsonNode *node = scaler_json_member (object, field->key);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (field->kind == FIELD_NULLABLE_STRING)
        return TRUE;
      return field_error (error, what, field->key, "missing, expected a string");
    }
  if (!scaler_json_node_holds (node, G_TYPE_STRING))
    return field_error (error, what, field->key, "expected a string");
  /* json-glib lets some invalid escapes through as raw bytes: a ledger with
   * text that is not UTF-8 could not be written back, so refuse it here. */
  if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
    return field_error (error, what, field->key, "not valid UTF-8 text");
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* An integer (a JSON number written without a fraction) of at least min. */
static gboolean
read_integer (JsonObject  *object,
              const char  *what,
              const char  *name,
              gint64       min,
              gint64      *out,
              GError     **error)
{
  JsonNode *node = scaler_json_member (object, name);

  if (!scaler_json_node_holds (node, G_TYPE_INT64))
    return field_error (error, what, name, "expected an integer");
  *out = json_node_get_int (node);
  if (*out < min)
    return field_error (error, what, name, "must be at least %" G_GINT64_FORMAT, min);
  return TRUE;
}

/* Reads @field of @object into @record. */
static gboolean
read_field (JsonObject   *object,
            const char   *what,
            const Field  *field,
            gpointer      record,
            GError      **error)
{
  gpointer member = G_STRUCT_MEMBER_P (record, field->offset);
  JsonNode *node;
  gint64 number;

  switch (field->kind)
    {
    case FIELD_STRING:
    case FIELD_NULLABLE_STRING:
      return read_string (object, what, field, member, error);
    case FIELD_INT64:
      return read_integer (object, what, field->key, field->min, member, error);
    case FIELD_UINT:
      if (!read_integer (object, what, field->key, field->min, &number, error))
        return FALSE;
      *(guint *) member = (guint) MIN (number, (gint64) field->max);
      return TRUE;
    case FIELD_BOOLEAN:
      if (!scaler_json_member_boolean (object, field->key, member))
        break;
      return TRUE;
    case FIELD_DOUBLE:
    default:
      node = scaler_json_member (object, field->key);
      if (!scaler_json_node_is_number (node)
          || !(json_node_get_double (node) >= 0.0 && json_node_get_double (node) < 1e9))
        break;
      *(double *) member = json_node_get_double (node);
      return TRUE;
    }
  return field_error (error, what, field->key, "%s",
                      field->kind == FIELD_BOOLEAN ? "expected true or false" : "expected a non-negative number");
}

static void
record_free (const RecordKind *kind,
             gpointer          record)
{
  for (guint i = 0; i < kind->n_fields; i++)
    if (kind->fields[i].kind == FIELD_STRING || kind->fields[i].kind == FIELD_NULLABLE_STRING)
      g_free (*(char **) G_STRUCT_MEMBER_P (record, kind->fields[i].offset));
  g_free (record);
}

/* The records of the array member @kind->name, each handed to @kind->add. */
static gboolean
read_records (ScalerLedger      *self,
              JsonObject        *object,
              const RecordKind  *kind,
              GError           **error)
{
  JsonArray *array = scaler_json_member_array (object, kind->name);

  if (array == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s: expected an array", kind->name);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *item = scaler_json_array_object (array, i);
      gpointer record;

      if (item == NULL)
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s: expected an object", kind->what);
          return FALSE;
        }
      record = g_malloc0 (kind->size);
      for (guint k = 0; k < kind->n_fields; k++)
        if (!read_field (item, kind->what, &kind->fields[k], record, error))
          {
            record_free (kind, record);
            return FALSE;
          }
      if (!kind->add (self, record, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
add_launch (ScalerLedger  *self,
            gpointer       record,
            GError       **error)
{
  ScalerLedgerLaunch *launch = record;

  if (launch->client_token[0] == '\0' || strlen (launch->client_token) > 64)
    {
      scaler_ledger_launch_free (launch);
      return field_error (error, "launches[]", "client_token", "expected 1 to 64 characters");
    }
  scaler_ledger_add_launch (self, launch);
  return TRUE;
}

static gboolean
add_backoff (ScalerLedger  *self,
             gpointer       record,
             GError       **error)
{
  ScalerLedgerBackoff *backoff = record;

  g_hash_table_replace (self->backoffs,
                        _scaler_ledger_backoff_key (backoff->resource, backoff->zone, backoff->spot),
                        backoff);
  return TRUE;
}

static gboolean
add_spot_price (ScalerLedger  *self,
                gpointer       record,
                GError       **error)
{
  SpotPriceRecord *price = record;

  scaler_ledger_set_spot_price (self, price->instance_type, price->zone, price->usd_per_hour, price->time);
  spot_price_record_free (price);
  return TRUE;
}

static gboolean
add_instance (ScalerLedger  *self,
              gpointer       record,
              GError       **error)
{
  ScalerLedgerInstance *instance = record;

  g_hash_table_replace (self->instances, instance->instance_id, instance);
  return TRUE;
}

#define RECORDS(name, fields, type, add) \
  { name, name "[]", fields, G_N_ELEMENTS (fields), sizeof (type), add }

static const RecordKind launch_records = RECORDS ("launches", launch_fields, ScalerLedgerLaunch, add_launch);
static const RecordKind backoff_records = RECORDS ("backoffs", backoff_fields, ScalerLedgerBackoff, add_backoff);
static const RecordKind spot_price_records = RECORDS ("spot_prices", spot_price_fields, SpotPriceRecord,
                                                      add_spot_price);
static const RecordKind instance_records = RECORDS ("instances", instance_fields, ScalerLedgerInstance,
                                                    add_instance);

#undef RECORDS

static gboolean
read_idle_since (ScalerLedger  *self,
                 JsonObject    *object,
                 GError       **error)
{
  JsonObject *idle = scaler_json_member_object (object, "idle_since");
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;
  gint64 since;

  if (idle == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "idle_since: expected an object");
      return FALSE;
    }
  json_object_iter_init (&iter, idle);
  while (json_object_iter_next (&iter, &member, &node))
    {
      if (!g_utf8_validate (member, -1, NULL))
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "idle_since: a worker id is not valid UTF-8 text");
          return FALSE;
        }
      if (!read_integer (idle, "idle_since", member, 1, &since, error))
        return FALSE;
      scaler_ledger_set_idle_since (self, member, since);
    }
  return TRUE;
}

/* version, config_id and throttle_count: a new ledger. */
static ScalerLedger *
read_header (JsonObject  *object,
             GError     **error)
{
  static const Field config_id = { "config_id", FIELD_STRING, 0, 0, 0 };
  g_autofree char *id = NULL;
  ScalerLedger *self;
  gint64 number;

  if (!read_integer (object, "ledger", "version", 0, &number, error))
    return NULL;
  if (number != SCALER_LEDGER_VERSION)
    {
      field_error (error, "ledger", "version", "%" G_GINT64_FORMAT " is not supported, expected %d",
                   number, SCALER_LEDGER_VERSION);
      return NULL;
    }
  if (!read_string (object, "ledger", &config_id, &id, error))
    return NULL;
  if (!read_integer (object, "ledger", "throttle_count", 0, &number, error))
    return NULL;
  self = scaler_ledger_new (id);
  self->throttle_count = MIN (number, 16);
  return self;
}

static JsonObject *
parse_root (JsonParser  *parser,
            const char  *json,
            gssize       length,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;

  if (!scaler_json_check_depth (json, length >= 0 ? (gsize) length : strlen (json),
                                SCALER_JSON_MAX_DEPTH, error))
    return NULL;
  if (!json_parser_load_from_data (parser, json, length, &local_error))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "not valid JSON: %s", local_error->message);
      return NULL;
    }
  object = scaler_json_node_object (json_parser_get_root (parser));
  if (object == NULL)
    g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "expected a JSON object at the top");
  return object;
}

ScalerLedger *
scaler_ledger_new_from_json (const char  *json,
                             gssize       length,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(ScalerLedger) self = NULL;
  JsonObject *object;

  g_return_val_if_fail (json != NULL, NULL);

  object = parse_root (parser, json, length, error);
  if (object == NULL)
    return NULL;
  self = read_header (object, error);
  if (self == NULL
      || !read_records (self, object, &launch_records, error)
      || !read_idle_since (self, object, error)
      || !read_records (self, object, &backoff_records, error)
      || !read_records (self, object, &spot_price_records, error)
      || !read_records (self, object, &instance_records, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* ---- the file ---- */

gboolean
scaler_ledger_save (const ScalerLedger  *self,
                    const char          *path,
                    GError             **error)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  json = scaler_ledger_to_json (self);
  return scaler_file_replace (path, json, -1, NULL, error);
}

ScalerLedger *
scaler_ledger_load (const char  *path,
                    const char  *config_id,
                    char       **warning,
                    GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *aside = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ScalerLedger) ledger = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (config_id != NULL, NULL);

  if (warning)
    *warning = NULL;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return scaler_ledger_new (config_id);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  ledger = scaler_ledger_new_from_json (contents, (gssize) length, &local_error);
  if (ledger != NULL && g_strcmp0 (ledger->config_id, config_id) != 0)
    {
      g_clear_pointer (&ledger, scaler_ledger_free);
      g_set_error (&local_error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   "ledger.config_id: belongs to another autoscaler, expected %s", config_id);
    }
  if (ledger != NULL)
    return g_steal_pointer (&ledger);

  aside = g_strdup_printf ("%s.corrupt", path);
  if (g_rename (path, aside) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "The ledger %s is unreadable (%s) and could not be moved aside: %s",
                   path, local_error->message, g_strerror (saved));
      return NULL;
    }
  if (warning)
    *warning = g_strdup_printf ("The ledger %s was unreadable (%s); kept it as %s and rebuilt the "
                                "state from the tagged fleet", path, local_error->message, aside);
  return scaler_ledger_new (config_id);
}
