/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-history.c: the engine's time series (see scaler-history.h). */

#define G_LOG_DOMAIN "scaler-history"

#include "config.h"

#include "scaler-engine.h"
#include "scaler-history.h"

struct _ScalerHistory
{
  GObject       parent_instance;

  guint         capacity;
  ScalerSeries *idle;
  ScalerSeries *busy;
  ScalerSeries *cost;
  GPtrArray    *all;      /* ScalerSeries*, creation order */
  GHashTable   *by_name;  /* name -> ScalerSeries* (borrowed from all) */
};

G_DEFINE_FINAL_TYPE (ScalerHistory, scaler_history, G_TYPE_OBJECT)

enum {
  SERIES_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const instance_states[] = { "booting", "idle", "busy" };

static void
scaler_history_finalize (GObject *object)
{
  ScalerHistory *self = SCALER_HISTORY (object);

  g_hash_table_unref (self->by_name);
  g_ptr_array_unref (self->all);

  G_OBJECT_CLASS (scaler_history_parent_class)->finalize (object);
}

static void
scaler_history_class_init (ScalerHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scaler_history_finalize;

  signals[SERIES_ADDED] =
    g_signal_new ("series-added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SCALER_TYPE_SERIES);
}

static void
scaler_history_init (ScalerHistory *self)
{
  self->all = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
}

static ScalerSeries *
add_series (ScalerHistory *self,
            const char    *name,
            gboolean       notify)
{
  ScalerSeries *series = scaler_series_new (name, self->capacity);

  g_ptr_array_add (self->all, series);
  g_hash_table_insert (self->by_name, (gpointer) scaler_series_get_name (series), series);
  if (notify)
    g_signal_emit (self, signals[SERIES_ADDED], 0, series);
  return series;
}

static ScalerSeries *
ensure_series (ScalerHistory *self,
               const char    *name)
{
  ScalerSeries *series = g_hash_table_lookup (self->by_name, name);

  return series ? series : add_series (self, name, TRUE);
}

guint
scaler_history_capacity_for_interval (double polling_interval_min)
{
  double samples;

  if (!(polling_interval_min > 0))
    return SCALER_HISTORY_MAX_SAMPLES;
  samples = 7.0 * 24.0 * 60.0 / polling_interval_min;
  return (guint) CLAMP (samples, 16.0, (double) SCALER_HISTORY_MAX_SAMPLES);
}

ScalerHistory *
scaler_history_new (guint capacity)
{
  ScalerHistory *self = g_object_new (SCALER_TYPE_HISTORY, NULL);

  self->capacity = CLAMP (capacity, 1, SCALER_HISTORY_MAX_SAMPLES);
  self->idle = add_series (self, "idle-workers", FALSE);
  self->busy = add_series (self, "busy-workers", FALSE);
  self->cost = add_series (self, "usd-per-hour", FALSE);
  return self;
}

guint
scaler_history_get_capacity (ScalerHistory *self)
{
  g_return_val_if_fail (SCALER_IS_HISTORY (self), 0);
  return self->capacity;
}

ScalerSeries *
scaler_history_get_idle_workers (ScalerHistory *self)
{
  g_return_val_if_fail (SCALER_IS_HISTORY (self), NULL);
  return self->idle;
}

ScalerSeries *
scaler_history_get_busy_workers (ScalerHistory *self)
{
  g_return_val_if_fail (SCALER_IS_HISTORY (self), NULL);
  return self->busy;
}

ScalerSeries *
scaler_history_get_usd_per_hour (ScalerHistory *self)
{
  g_return_val_if_fail (SCALER_IS_HISTORY (self), NULL);
  return self->cost;
}

ScalerSeries *
scaler_history_get_pending (ScalerHistory *self,
                            const char    *queue)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (SCALER_IS_HISTORY (self), NULL);
  name = g_strdup_printf ("pending:%s", queue);
  return g_hash_table_lookup (self->by_name, name);
}

ScalerSeries *
scaler_history_get_instances (ScalerHistory *self,
                              const char    *resource,
                              const char    *state)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (SCALER_IS_HISTORY (self), NULL);
  name = g_strdup_printf ("instances:%s:%s", resource, state);
  return g_hash_table_lookup (self->by_name, name);
}

GPtrArray *
scaler_history_list_series (ScalerHistory *self)
{
  g_return_val_if_fail (SCALER_IS_HISTORY (self), NULL);
  return self->all;
}

ScalerSeries *
scaler_history_lookup (ScalerHistory *self,
                       const char    *name)
{
  g_return_val_if_fail (SCALER_IS_HISTORY (self), NULL);
  return name ? g_hash_table_lookup (self->by_name, name) : NULL;
}

ScalerSeries *
scaler_history_ensure_series (ScalerHistory *self,
                              const char    *name)
{
  g_return_val_if_fail (SCALER_IS_HISTORY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return ensure_series (self, name);
}

void
scaler_history_add_result (ScalerHistory     *self,
                           ScalerCycleResult *result)
{
  g_autoptr(GHashTable) counts = NULL;
  g_autoptr(GHashTable) touched = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (SCALER_IS_HISTORY (self));
  g_return_if_fail (result != NULL);

  /* A failed cycle saw nothing: no sample rather than a false zero. */
  if (!result->ok && result->instances->len == 0 && result->queues->len == 0)
    return;

  counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < result->instances->len; i++)
    {
      ScalerInstanceRow *row = g_ptr_array_index (result->instances, i);
      char *name;

      if (!scaler_instance_state_is_live (row->state))
        continue;
      name = g_strdup_printf ("instances:%s:%s", row->resource ? row->resource : "unknown",
                              instance_states[MIN ((guint) row->worker_state, 2)]);
      g_hash_table_insert (counts, name, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)) + 1));
    }
  /* Every resource gets its three series, so plots start at zero. */
  for (guint i = 0; i < result->resources->len; i++)
    {
      ScalerResourceRow *row = g_ptr_array_index (result->resources, i);

      for (guint k = 0; k < G_N_ELEMENTS (instance_states); k++)
        {
          char *name = g_strdup_printf ("instances:%s:%s", row->resource, instance_states[k]);

          if (!g_hash_table_contains (counts, name))
            g_hash_table_insert (counts, name, GUINT_TO_POINTER (0));
          else
            g_free (name);
        }
    }

  scaler_series_append (self->idle, result->time, result->idle_workers);
  scaler_series_append (self->busy, result->time, result->busy_workers);
  scaler_series_append (self->cost, result->time, result->usd_per_hour);
  for (guint i = 0; i < result->queues->len; i++)
    {
      ScalerQueueRow *row = g_ptr_array_index (result->queues, i);
      g_autofree char *name = g_strdup_printf ("pending:%s", row->queue);

      scaler_series_append (ensure_series (self, name), result->time, row->pending);
    }

  touched = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ScalerSeries *series = ensure_series (self, key);

      scaler_series_append (series, result->time, GPOINTER_TO_UINT (value));
      g_hash_table_add (touched, series);
    }
  /* Instance series that saw nothing this cycle drop to zero. */
  for (guint i = 0; i < self->all->len; i++)
    {
      ScalerSeries *series = g_ptr_array_index (self->all, i);

      if (g_str_has_prefix (scaler_series_get_name (series), "instances:")
          && !g_hash_table_contains (touched, series))
        scaler_series_append (series, result->time, 0);
    }
}

void
scaler_history_clear (ScalerHistory *self)
{
  g_return_if_fail (SCALER_IS_HISTORY (self));
  for (guint i = 0; i < self->all->len; i++)
    scaler_series_clear (g_ptr_array_index (self->all, i));
}
