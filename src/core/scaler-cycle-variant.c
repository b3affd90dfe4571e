/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-cycle-variant.c: cycle results, history and log lines as GVariant
 * (see scaler-cycle-variant.h). The rows are described by tables that both
 * directions share, so the writer and the reader cannot drift apart. */

#define G_LOG_DOMAIN "scaler-cycle-variant"

#include "config.h"

#include <math.h>
#include <stddef.h>

#include "scaler-cloud.h"
#include "scaler-cycle.h"
#include "scaler-cycle-variant.h"
#include "scaler-util.h"

/* ---- log levels ---- */

static const char * const level_nicks[] = {
  [SCALER_LOG_LEVEL_DEBUG] = "debug",
  [SCALER_LOG_LEVEL_INFO] = "info",
  [SCALER_LOG_LEVEL_WARNING] = "warning",
  [SCALER_LOG_LEVEL_ERROR] = "error",
};

const char *
scaler_log_level_to_nick (ScalerLogLevel level)
{
  if ((guint) level >= G_N_ELEMENTS (level_nicks))
    return "info";
  return level_nicks[level];
}

gboolean
scaler_log_level_from_nick (const char     *nick,
                            ScalerLogLevel *level)
{
  for (guint i = 0; nick != NULL && i < G_N_ELEMENTS (level_nicks); i++)
    if (g_strcmp0 (level_nicks[i], nick) == 0)
      {
        *level = (ScalerLogLevel) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- field tables ---- */

typedef enum
{
  FIELD_STRING,           /* char *, "" on the bus for NULL */
  FIELD_NULLABLE_STRING,  /* char *, NULL when the bus has "" */
  FIELD_BOOLEAN,
  FIELD_UINT32,
  FIELD_INT64,
  FIELD_DOUBLE,
  FIELD_INSTANCE_STATE,   /* ScalerInstanceState as its string */
  FIELD_WORKER_STATE,     /* ScalerWorkerState as "booting", "idle", "busy" */
} FieldKind;

typedef struct
{
  const char *key;
  FieldKind   kind;
  gsize       offset;
} Field;

#define F(type, key, kind, member) { key, kind, G_STRUCT_OFFSET (type, member) }

static const Field instance_fields[] = {
  F (ScalerInstanceRow, "instance-id", FIELD_STRING, instance_id),
  F (ScalerInstanceRow, "resource", FIELD_NULLABLE_STRING, resource),
  F (ScalerInstanceRow, "instance-type", FIELD_STRING, instance_type),
  F (ScalerInstanceRow, "availability-zone", FIELD_NULLABLE_STRING, availability_zone),
  F (ScalerInstanceRow, "spot", FIELD_BOOLEAN, spot),
  F (ScalerInstanceRow, "state", FIELD_INSTANCE_STATE, state),
  F (ScalerInstanceRow, "worker-state", FIELD_WORKER_STATE, worker_state),
  F (ScalerInstanceRow, "worker-id", FIELD_NULLABLE_STRING, worker_id),
  F (ScalerInstanceRow, "idle-since", FIELD_INT64, idle_since),
  F (ScalerInstanceRow, "task-id", FIELD_NULLABLE_STRING, task_id),
  F (ScalerInstanceRow, "task-name", FIELD_NULLABLE_STRING, task_name),
  F (ScalerInstanceRow, "launch-time", FIELD_INT64, launch_time),
  F (ScalerInstanceRow, "uptime", FIELD_DOUBLE, uptime_s),
  F (ScalerInstanceRow, "usd-per-hour", FIELD_DOUBLE, usd_per_hour),
  F (ScalerInstanceRow, "cost", FIELD_DOUBLE, cost_usd),
  F (ScalerInstanceRow, "adopted", FIELD_BOOLEAN, adopted),
};

static const Field resource_fields[] = {
  F (ScalerResourceRow, "resource", FIELD_STRING, resource),
  F (ScalerResourceRow, "queue", FIELD_STRING, queue),
  F (ScalerResourceRow, "instance-type", FIELD_STRING, instance_type),
  F (ScalerResourceRow, "spot", FIELD_BOOLEAN, spot),
  F (ScalerResourceRow, "running", FIELD_UINT32, running),
  F (ScalerResourceRow, "booting", FIELD_UINT32, booting),
  F (ScalerResourceRow, "max-instances", FIELD_UINT32, max_instances),
  F (ScalerResourceRow, "pending", FIELD_UINT32, pending),
  F (ScalerResourceRow, "backoff-until", FIELD_INT64, backoff_until),
  F (ScalerResourceRow, "backoff-reason", FIELD_NULLABLE_STRING, backoff_reason),
};

static const Field queue_fields[] = {
  F (ScalerQueueRow, "queue", FIELD_STRING, queue),
  F (ScalerQueueRow, "pending", FIELD_UINT32, pending),
  F (ScalerQueueRow, "idle-workers", FIELD_UINT32, idle_workers),
  F (ScalerQueueRow, "busy-workers", FIELD_UINT32, busy_workers),
};

/* The scalars of the result itself ("error" is its error_message). */
static const Field result_fields[] = {
  F (ScalerCycleResult, "time", FIELD_INT64, time),
  F (ScalerCycleResult, "cycle", FIELD_UINT32, cycle),
  F (ScalerCycleResult, "ok", FIELD_BOOLEAN, ok),
  F (ScalerCycleResult, "error", FIELD_NULLABLE_STRING, error_message),
  F (ScalerCycleResult, "idle-workers", FIELD_UINT32, idle_workers),
  F (ScalerCycleResult, "busy-workers", FIELD_UINT32, busy_workers),
  F (ScalerCycleResult, "usd-per-hour", FIELD_DOUBLE, usd_per_hour),
  F (ScalerCycleResult, "launched", FIELD_UINT32, launched),
  F (ScalerCycleResult, "terminated", FIELD_UINT32, terminated),
  F (ScalerCycleResult, "next-cycle-delay", FIELD_INT64, next_cycle_delay),
};

#undef F

static const char * const worker_states[] = {
  [SCALER_WORKER_STATE_NONE] = "booting",
  [SCALER_WORKER_STATE_IDLE] = "idle",
  [SCALER_WORKER_STATE_BUSY] = "busy",
};

static const char *
field_type (FieldKind kind)
{
  switch (kind)
    {
    case FIELD_BOOLEAN: return "b";
    case FIELD_UINT32: return "u";
    case FIELD_INT64: return "x";
    case FIELD_DOUBLE: return "d";
    case FIELD_STRING:
    case FIELD_NULLABLE_STRING:
    case FIELD_INSTANCE_STATE:
    case FIELD_WORKER_STATE:
    default: return "s";
    }
}

/* ---- writing ---- */

static GVariant *
field_to_variant (const Field   *field,
                  gconstpointer  row)
{
  gconstpointer member = G_STRUCT_MEMBER_P (row, field->offset);

  switch (field->kind)
    {
    case FIELD_STRING:
    case FIELD_NULLABLE_STRING:
      {
        const char *text = *(char * const *) member;

        return g_variant_new_string (text != NULL && g_utf8_validate (text, -1, NULL) ? text : "");
      }
    case FIELD_BOOLEAN: return g_variant_new_boolean (*(const gboolean *) member);
    case FIELD_UINT32: return g_variant_new_uint32 (*(const guint *) member);
    case FIELD_INT64: return g_variant_new_int64 (*(const gint64 *) member);
    case FIELD_DOUBLE: return g_variant_new_double (*(const double *) member);
    case FIELD_INSTANCE_STATE:
      return g_variant_new_string (scaler_instance_state_to_string (*(const ScalerInstanceState *) member));
    case FIELD_WORKER_STATE:
      {
        guint state = *(const ScalerWorkerState *) member;

        return g_variant_new_string (state < G_N_ELEMENTS (worker_states) ? worker_states[state] : "booting");
      }
    default:
      g_assert_not_reached ();
    }
}

static GVariant *
row_to_variant (const Field   *fields,
                guint          n_fields,
                gconstpointer  row)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < n_fields; i++)
    g_variant_builder_add (&builder, "{sv}", fields[i].key, field_to_variant (&fields[i], row));
  return g_variant_builder_end (&builder);
}

static GVariant *
rows_to_variant (const Field *fields,
                 guint        n_fields,
                 GPtrArray   *rows)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    g_variant_builder_add_value (&builder, row_to_variant (fields, n_fields, g_ptr_array_index (rows, i)));
  return g_variant_builder_end (&builder);
}

GVariant *
scaler_cycle_result_to_variant (const ScalerCycleResult *result)
{
  GVariantBuilder builder;

  g_return_val_if_fail (result != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < G_N_ELEMENTS (result_fields); i++)
    g_variant_builder_add (&builder, "{sv}", result_fields[i].key, field_to_variant (&result_fields[i], result));
  g_variant_builder_add (&builder, "{sv}", "instances",
                         rows_to_variant (instance_fields, G_N_ELEMENTS (instance_fields), result->instances));
  g_variant_builder_add (&builder, "{sv}", "resources",
                         rows_to_variant (resource_fields, G_N_ELEMENTS (resource_fields), result->resources));
  g_variant_builder_add (&builder, "{sv}", "queues",
                         rows_to_variant (queue_fields, G_N_ELEMENTS (queue_fields), result->queues));
  return g_variant_builder_end (&builder);
}

/* ---- reading ---- */

/* Always FALSE: "<where>.<key>: <what>". */
#define invalid(error, where, key, ...) \
  scaler_set_member_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, where, key, __VA_ARGS__)

static gboolean
enum_from_string (const Field *field,
                  const char  *text,
                  guint       *value)
{
  if (field->kind == FIELD_INSTANCE_STATE)
    {
      *value = scaler_instance_state_from_string (text);
      return *value != SCALER_INSTANCE_STATE_UNKNOWN || g_strcmp0 (text, "unknown") == 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (worker_states); i++)
    if (g_strcmp0 (worker_states[i], text) == 0)
      {
        *value = i;
        return TRUE;
      }
  return FALSE;
}

/* One member into the row; absent members keep the row's defaults. */
static gboolean
field_from_variant (const Field  *field,
                    GVariant     *value,
                    gpointer      row,
                    const char   *where,
                    GError      **error)
{
  gpointer member = G_STRUCT_MEMBER_P (row, field->offset);

  if (!g_variant_is_of_type (value, G_VARIANT_TYPE (field_type (field->kind))))
    return invalid (error, where, field->key, "expected type %s, got %s",
                    field_type (field->kind), g_variant_get_type_string (value));
  switch (field->kind)
    {
    case FIELD_STRING:
    case FIELD_NULLABLE_STRING:
      {
        const char *text = g_variant_get_string (value, NULL);

        g_free (*(char **) member);
        *(char **) member = (*text == '\0' && field->kind == FIELD_NULLABLE_STRING) ? NULL : g_strdup (text);
        return TRUE;
      }
    case FIELD_BOOLEAN: *(gboolean *) member = g_variant_get_boolean (value); return TRUE;
    case FIELD_UINT32: *(guint *) member = g_variant_get_uint32 (value); return TRUE;
    case FIELD_INT64: *(gint64 *) member = g_variant_get_int64 (value); return TRUE;
    case FIELD_DOUBLE:
      *(double *) member = g_variant_get_double (value);
      return isfinite (*(double *) member) || invalid (error, where, field->key, "%s", "not a finite number");
    case FIELD_INSTANCE_STATE:
    case FIELD_WORKER_STATE:
      {
        guint state = 0;

        if (!enum_from_string (field, g_variant_get_string (value, NULL), &state))
          return invalid (error, where, field->key, "unknown state “%s”", g_variant_get_string (value, NULL));
        *(guint *) member = state;
        return TRUE;
      }
    default:
      g_assert_not_reached ();
    }
}

static gboolean
row_from_variant (const Field  *fields,
                  guint         n_fields,
                  GVariant     *dict,
                  gpointer      row,
                  const char   *where,
                  GError      **error)
{
  /* Strings that are never NULL start as "". */
  for (guint i = 0; i < n_fields; i++)
    if (fields[i].kind == FIELD_STRING)
      *(char **) G_STRUCT_MEMBER_P (row, fields[i].offset) = g_strdup ("");

  for (guint i = 0; i < n_fields; i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (dict, fields[i].key, NULL);

      if (value != NULL && !field_from_variant (&fields[i], value, row, where, error))
        return FALSE;
    }
  return TRUE;
}

/* The rows of one aa{sv} member; @row_size bytes each, freed by the array. */
static gboolean
rows_from_variant (GVariant     *snapshot,
                   const char   *key,
                   const Field  *fields,
                   guint         n_fields,
                   gsize         row_size,
                   GPtrArray    *rows,
                   GError      **error)
{
  g_autoptr(GVariant) array = g_variant_lookup_value (snapshot, key, NULL);
  gsize n;

  if (array == NULL)
    return TRUE;
  if (!g_variant_is_of_type (array, G_VARIANT_TYPE ("aa{sv}")))
    return invalid (error, "", key, "expected type aa{sv}, got %s", g_variant_get_type_string (array));

  n = g_variant_n_children (array);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (array, i);
      g_autofree char *where = g_strdup_printf ("%s[%" G_GSIZE_FORMAT "]", key, i);
      gpointer row = g_malloc0 (row_size);

      /* Added first: the array frees a half-read row too. */
      g_ptr_array_add (rows, row);
      if (!row_from_variant (fields, n_fields, dict, row, where, error))
        return FALSE;
    }
  return TRUE;
}

ScalerCycleResult *
scaler_cycle_result_new_from_variant (GVariant  *snapshot,
                                      GError   **error)
{
  g_autoptr(ScalerCycleResult) result = NULL;

  g_return_val_if_fail (snapshot != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_variant_is_of_type (snapshot, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "A cycle snapshot is a dictionary (a{sv}), not %s", g_variant_get_type_string (snapshot));
      return NULL;
    }

  result = scaler_cycle_result_new (0, 0);
  if (!row_from_variant (result_fields, G_N_ELEMENTS (result_fields), snapshot, result, "", error)
      || !rows_from_variant (snapshot, "instances", instance_fields, G_N_ELEMENTS (instance_fields),
                             sizeof (ScalerInstanceRow), result->instances, error)
      || !rows_from_variant (snapshot, "resources", resource_fields, G_N_ELEMENTS (resource_fields),
                             sizeof (ScalerResourceRow), result->resources, error)
      || !rows_from_variant (snapshot, "queues", queue_fields, G_N_ELEMENTS (queue_fields),
                             sizeof (ScalerQueueRow), result->queues, error))
    return NULL;

  for (guint i = 0; i < result->instances->len; i++)
    {
      ScalerInstanceRow *row = g_ptr_array_index (result->instances, i);

      if ((guint) row->state < G_N_ELEMENTS (result->instances_by_state))
        result->instances_by_state[row->state]++;
    }
  return g_steal_pointer (&result);
}

/* ---- history ---- */

GVariant *
scaler_history_to_variant (ScalerHistory *history,
                           gint64         since)
{
  GVariantBuilder builder;
  GPtrArray *all;

  g_return_val_if_fail (SCALER_IS_HISTORY (history), NULL);

  all = scaler_history_list_series (history);
  g_variant_builder_init (&builder, G_VARIANT_TYPE (SCALER_HISTORY_VARIANT_TYPE));
  for (guint i = 0; i < all->len; i++)
    {
      ScalerSeries *series = g_ptr_array_index (all, i);
      guint n = scaler_series_get_n_samples (series);
      guint first = since > 0 ? scaler_series_lower_bound (series, since) : 0;
      g_autofree gint64 *times = g_new (gint64, MAX (n - first, 1));
      g_autofree double *values = g_new (double, MAX (n - first, 1));

      for (guint k = first; k < n; k++)
        scaler_series_get_sample (series, k, &times[k - first], &values[k - first]);
      g_variant_builder_add (&builder, "(s@ax@ad)", scaler_series_get_name (series),
                             g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, times, n - first, sizeof (gint64)),
                             g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, values, n - first, sizeof (double)));
    }
  return g_variant_builder_end (&builder);
}

/* Everything that can be wrong with one (name, times, values). */
static gboolean
check_series (GVariant    *entry,
              gsize        index,
              GHashTable  *names,
              GError     **error)
{
  g_autoptr(GVariant) times_v = g_variant_get_child_value (entry, 1);
  g_autoptr(GVariant) values_v = g_variant_get_child_value (entry, 2);
  const char *name = NULL;
  const gint64 *times;
  const double *values;
  gsize n_times = 0, n_values = 0;

  g_variant_get_child (entry, 0, "&s", &name);
  times = g_variant_get_fixed_array (times_v, &n_times, sizeof (gint64));
  values = g_variant_get_fixed_array (values_v, &n_values, sizeof (double));

  if (*name == '\0')
    return invalid (error, "", "series", "entry %" G_GSIZE_FORMAT " has no name", index);
  if (!g_hash_table_add (names, (gpointer) name))
    return invalid (error, "series", name, "%s", "the name is used twice");
  if (n_times != n_values)
    return invalid (error, "series", name, "%" G_GSIZE_FORMAT " times but %" G_GSIZE_FORMAT " values",
                    n_times, n_values);
  for (gsize k = 0; k < n_times; k++)
    {
      if (k > 0 && times[k] < times[k - 1])
        return invalid (error, "series", name, "sample %" G_GSIZE_FORMAT " goes back in time", k);
      if (!isfinite (values[k]))
        return invalid (error, "series", name, "sample %" G_GSIZE_FORMAT " is not a finite number", k);
    }
  return TRUE;
}

gboolean
scaler_history_add_from_variant (ScalerHistory  *history,
                                 GVariant       *series,
                                 GError        **error)
{
  g_autoptr(GHashTable) names = NULL;
  gsize n;

  g_return_val_if_fail (SCALER_IS_HISTORY (history), FALSE);
  g_return_val_if_fail (series != NULL, FALSE);

  if (!g_variant_is_of_type (series, G_VARIANT_TYPE (SCALER_HISTORY_VARIANT_TYPE)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "A history is an array of (name, times, values) (a(saxad)), not %s",
                   g_variant_get_type_string (series));
      return FALSE;
    }

  /* Check everything first: all or nothing. */
  names = g_hash_table_new (g_str_hash, g_str_equal);
  n = g_variant_n_children (series);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (series, i);

      if (!check_series (entry, i, names, error))
        return FALSE;
    }

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (series, i);
      g_autoptr(GVariant) times_v = g_variant_get_child_value (entry, 1);
      g_autoptr(GVariant) values_v = g_variant_get_child_value (entry, 2);
      const char *name = NULL;
      const gint64 *times;
      const double *values;
      gsize n_samples = 0;
      ScalerSeries *target;

      g_variant_get_child (entry, 0, "&s", &name);
      times = g_variant_get_fixed_array (times_v, &n_samples, sizeof (gint64));
      values = g_variant_get_fixed_array (values_v, &n_samples, sizeof (double));
      target = scaler_history_ensure_series (history, name);
      for (gsize k = 0; k < n_samples; k++)
        scaler_series_append (target, times[k], values[k]);
    }
  return TRUE;
}

/* ---- log ---- */

GVariant *
scaler_log_line_to_variant (gint64          time,
                            ScalerLogLevel  level,
                            const char     *message)
{
  return g_variant_new ("(xss)", time, scaler_log_level_to_nick (level),
                        message != NULL && g_utf8_validate (message, -1, NULL) ? message : "");
}
