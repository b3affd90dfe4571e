/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-ledger.c: the engine's crash-safe memory (see scaler-ledger.h):
 * its state and the reconcile with each snapshot. The demand it observes
 * is scaler-ledger-demand.c, its file form scaler-ledger-json.c. */

#define G_LOG_DOMAIN "scaler-ledger"

#include "config.h"

#include "scaler-ledger-private.h"
#include "scaler-util.h"

/* Vanished instances are remembered this long (their workers are zombies). */
#define GONE_KEEP_USEC (G_GINT64_CONSTANT (1000000) * 3600 * 24)
/* Back-off never grows beyond this. */
#define BACKOFF_CAP_USEC (G_GINT64_CONSTANT (1000000) * 3600)

ScalerLedgerLaunch *
scaler_ledger_launch_new (void)
{
  return g_new0 (ScalerLedgerLaunch, 1);
}

void
scaler_ledger_launch_free (ScalerLedgerLaunch *launch)
{
  if (launch == NULL)
    return;
  g_free (launch->client_token);
  g_free (launch->resource);
  g_free (launch->instance_type);
  g_free (launch->availability_zone);
  g_free (launch->subnet_id);
  g_free (launch->instance_id);
  g_free (launch);
}

static ScalerLedgerLaunch *
launch_copy (const ScalerLedgerLaunch *launch)
{
  ScalerLedgerLaunch *copy = g_memdup2 (launch, sizeof *launch);

  copy->client_token = g_strdup (launch->client_token);
  copy->resource = g_strdup (launch->resource);
  copy->instance_type = g_strdup (launch->instance_type);
  copy->availability_zone = g_strdup (launch->availability_zone);
  copy->subnet_id = g_strdup (launch->subnet_id);
  copy->instance_id = g_strdup (launch->instance_id);
  return copy;
}

static void
backoff_free (ScalerLedgerBackoff *backoff)
{
  g_free (backoff->resource);
  g_free (backoff->zone);
  g_free (backoff->reason);
  g_free (backoff);
}

static ScalerLedgerBackoff *
backoff_copy (const ScalerLedgerBackoff *backoff)
{
  ScalerLedgerBackoff *copy = g_memdup2 (backoff, sizeof *backoff);

  copy->resource = g_strdup (backoff->resource);
  copy->zone = g_strdup (backoff->zone);
  copy->reason = g_strdup (backoff->reason);
  return copy;
}

static void
instance_free (ScalerLedgerInstance *instance)
{
  g_free (instance->instance_id);
  g_free (instance->resource);
  g_free (instance->subnet_id);
  g_free (instance);
}

static ScalerLedgerInstance *
instance_copy (const ScalerLedgerInstance *instance)
{
  ScalerLedgerInstance *copy = g_memdup2 (instance, sizeof *instance);

  copy->instance_id = g_strdup (instance->instance_id);
  copy->resource = g_strdup (instance->resource);
  copy->subnet_id = g_strdup (instance->subnet_id);
  return copy;
}

char *
_scaler_ledger_backoff_key (const char *resource,
                            const char *zone,
                            gboolean    spot)
{
  return g_strdup_printf ("%s|%s|%s", resource, zone ? zone : "", spot ? "spot" : "on-demand");
}

/* The values of @table (owned by it), in the table's order. */
static GPtrArray *
list_values (GHashTable *table)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  return list;
}

ScalerLedger *
scaler_ledger_new (const char *config_id)
{
  ScalerLedger *self = g_new0 (ScalerLedger, 1);

  self->config_id = g_strdup (config_id ? config_id : "");
  self->launches = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) scaler_ledger_launch_free);
  self->idle_since = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->backoffs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) backoff_free);
  self->spot_prices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->instances = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) instance_free);
  self->notes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  _scaler_ledger_demand_init (self);
  return self;
}

void
scaler_ledger_free (ScalerLedger *self)
{
  if (self == NULL)
    return;
  g_free (self->config_id);
  g_hash_table_unref (self->launches);
  g_hash_table_unref (self->idle_since);
  g_hash_table_unref (self->backoffs);
  g_hash_table_unref (self->spot_prices);
  g_hash_table_unref (self->instances);
  g_hash_table_unref (self->pending_cur);
  g_hash_table_unref (self->notes);
  g_hash_table_unref (self->tasks_cur);
  g_hash_table_unref (self->task_mean);
  g_hash_table_unref (self->arrivals);
  g_free (self);
}

ScalerLedger *
scaler_ledger_copy (const ScalerLedger *self)
{
  ScalerLedger *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (self != NULL, NULL);

  copy = scaler_ledger_new (self->config_id);
  copy->throttle_count = self->throttle_count;
  g_hash_table_iter_init (&iter, self->launches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    scaler_ledger_add_launch (copy, launch_copy (value));
  _scaler_ledger_copy_values (copy->idle_since, self->idle_since, sizeof (gint64));
  g_hash_table_iter_init (&iter, self->backoffs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->backoffs, g_strdup (key), backoff_copy (value));
  _scaler_ledger_copy_values (copy->spot_prices, self->spot_prices, sizeof (SpotPrice));
  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ScalerLedgerInstance *instance = instance_copy (value);

      g_hash_table_insert (copy->instances, instance->instance_id, instance);
    }
  _scaler_ledger_demand_copy (copy, self);
  return copy;
}

const char *
scaler_ledger_get_config_id (const ScalerLedger *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->config_id;
}

/* ---- launches ---- */

void
scaler_ledger_add_launch (ScalerLedger       *self,
                          ScalerLedgerLaunch *launch)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (launch != NULL && launch->client_token != NULL);

  g_hash_table_replace (self->launches, launch->client_token, launch);
}

ScalerLedgerLaunch *
scaler_ledger_get_launch (const ScalerLedger *self,
                          const char         *client_token)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (client_token == NULL)
    return NULL;
  return g_hash_table_lookup (self->launches, client_token);
}

gboolean
scaler_ledger_remove_launch (ScalerLedger *self,
                             const char   *client_token)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (client_token == NULL)
    return FALSE;
  return g_hash_table_remove (self->launches, client_token);
}

static int
compare_launches (gconstpointer a,
                  gconstpointer b)
{
  const ScalerLedgerLaunch *la = *(const ScalerLedgerLaunch * const *) a;
  const ScalerLedgerLaunch *lb = *(const ScalerLedgerLaunch * const *) b;

  if (la->created != lb->created)
    return la->created < lb->created ? -1 : 1;
  return g_strcmp0 (la->client_token, lb->client_token);
}

GPtrArray *
scaler_ledger_list_launches (const ScalerLedger *self)
{
  GPtrArray *list;

  g_return_val_if_fail (self != NULL, g_ptr_array_new ());

  list = list_values (self->launches);
  g_ptr_array_sort (list, compare_launches);
  return list;
}

/* ---- idle ---- */

gint64
scaler_ledger_get_idle_since (const ScalerLedger *self,
                              const char         *worker_id)
{
  gint64 *since;

  g_return_val_if_fail (self != NULL, 0);
  since = worker_id ? g_hash_table_lookup (self->idle_since, worker_id) : NULL;
  return since ? *since : 0;
}

void
scaler_ledger_set_idle_since (ScalerLedger *self,
                              const char   *worker_id,
                              gint64        since)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (worker_id != NULL);

  if (since == 0)
    g_hash_table_remove (self->idle_since, worker_id);
  else
    g_hash_table_insert (self->idle_since, g_strdup (worker_id), g_memdup2 (&since, sizeof since));
}

/* ---- back-off ---- */

const ScalerLedgerBackoff *
scaler_ledger_get_backoff (const ScalerLedger *self,
                           const char         *resource,
                           const char         *zone,
                           gboolean            spot)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (resource != NULL, NULL);

  key = _scaler_ledger_backoff_key (resource, zone, spot);
  return g_hash_table_lookup (self->backoffs, key);
}

gint64
scaler_policy_backoff_duration (const ScalerConfig *config,
                                guint               failures)
{
  double poll_usec = MAX (config->polling_interval_time_min, 0.001) * 60.0 * G_USEC_PER_SEC;
  double duration = 2.0 * poll_usec;
  gint64 cap = MAX (BACKOFF_CAP_USEC, (gint64) (2.5 * poll_usec));

  for (guint i = 1; i < failures && duration < cap; i++)
    duration *= 2.0;
  /* Half an interval more, so that "two polling intervals" skips two whole
   * cycles even though each cycle takes a little longer than the interval:
   * with two zones, spot a -> spot b -> on-demand -> spot a again. */
  duration += poll_usec / 2.0;
  return MIN ((gint64) duration, cap);
}

void
scaler_ledger_record_failure (ScalerLedger       *self,
                              const ScalerConfig *config,
                              const char         *resource,
                              const char         *zone,
                              gboolean            spot,
                              gint64              now,
                              const char         *reason)
{
  char *key;
  ScalerLedgerBackoff *backoff;

  g_return_if_fail (self != NULL);
  g_return_if_fail (config != NULL);
  g_return_if_fail (resource != NULL);

  key = _scaler_ledger_backoff_key (resource, zone, spot);
  backoff = g_hash_table_lookup (self->backoffs, key);
  if (backoff == NULL)
    {
      backoff = g_new0 (ScalerLedgerBackoff, 1);
      backoff->resource = g_strdup (resource);
      backoff->zone = g_strdup (zone ? zone : "");
      backoff->spot = spot;
      g_hash_table_insert (self->backoffs, key, backoff);
    }
  else
    g_free (key);

  backoff->failures = MIN (backoff->failures + 1, 64);
  backoff->until = now + scaler_policy_backoff_duration (config, backoff->failures);
  g_free (backoff->reason);
  backoff->reason = g_strdup (reason ? reason : "");
}

void
scaler_ledger_record_success (ScalerLedger *self,
                              const char   *resource,
                              const char   *zone,
                              gboolean      spot)
{
  g_autofree char *key = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (resource != NULL);

  key = _scaler_ledger_backoff_key (resource, zone, spot);
  g_hash_table_remove (self->backoffs, key);
}

GPtrArray *
scaler_ledger_list_backoffs (const ScalerLedger *self)
{
  g_return_val_if_fail (self != NULL, g_ptr_array_new ());

  return list_values (self->backoffs);
}

/* ---- throttling ---- */

guint
scaler_ledger_get_throttle_count (const ScalerLedger *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->throttle_count;
}

void
scaler_ledger_record_throttle (ScalerLedger *self)
{
  g_return_if_fail (self != NULL);
  self->throttle_count = MIN (self->throttle_count + 1, 16);
}

void
scaler_ledger_clear_throttle (ScalerLedger *self)
{
  g_return_if_fail (self != NULL);
  self->throttle_count = 0;
}

/* ---- spot prices ---- */

void
scaler_ledger_set_spot_price (ScalerLedger *self,
                              const char   *instance_type,
                              const char   *zone,
                              double        usd_per_hour,
                              gint64        time)
{
  SpotPrice price = { usd_per_hour, time };

  g_return_if_fail (self != NULL);
  g_return_if_fail (instance_type != NULL);

  g_hash_table_insert (self->spot_prices,
                       g_strdup_printf ("%s|%s", instance_type, zone ? zone : ""),
                       g_memdup2 (&price, sizeof price));
}

gboolean
scaler_ledger_get_spot_price (const ScalerLedger *self,
                              const char         *instance_type,
                              const char         *zone,
                              double             *usd_per_hour,
                              gint64             *time)
{
  g_autofree char *key = NULL;
  const SpotPrice *price;

  g_return_val_if_fail (self != NULL, FALSE);
  if (instance_type == NULL)
    return FALSE;

  key = g_strdup_printf ("%s|%s", instance_type, zone ? zone : "");
  price = g_hash_table_lookup (self->spot_prices, key);
  if (price == NULL && (zone == NULL || zone[0] == '\0'))
    {
      /* No zone given: the most expensive zone we know, to stay on the safe side. */
      GHashTableIter iter;
      gpointer k, v;
      g_autofree char *prefix = g_strdup_printf ("%s|", instance_type);

      g_hash_table_iter_init (&iter, self->spot_prices);
      while (g_hash_table_iter_next (&iter, &k, &v))
        if (g_str_has_prefix (k, prefix) && (price == NULL || ((SpotPrice *) v)->price > price->price))
          price = v;
    }
  if (price == NULL)
    return FALSE;
  if (usd_per_hour)
    *usd_per_hour = price->price;
  if (time)
    *time = price->time;
  return TRUE;
}

gboolean
scaler_ledger_note_changed (ScalerLedger *self,
                            const char   *key,
                            const char   *text)
{
  const char *old;

  g_return_val_if_fail (self != NULL, TRUE);
  g_return_val_if_fail (key != NULL && text != NULL, TRUE);

  old = g_hash_table_lookup (self->notes, key);
  if (g_strcmp0 (old, text) == 0)
    return FALSE;
  g_hash_table_insert (self->notes, g_strdup (key), g_strdup (text));
  return TRUE;
}

/* ---- instances ---- */

const ScalerLedgerInstance *
scaler_ledger_get_instance (const ScalerLedger *self,
                            const char         *instance_id)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (instance_id == NULL)
    return NULL;
  return g_hash_table_lookup (self->instances, instance_id);
}

GPtrArray *
scaler_ledger_list_instances (const ScalerLedger *self)
{
  g_return_val_if_fail (self != NULL, g_ptr_array_new ());

  return list_values (self->instances);
}

/* A new instance of the fleet, first seen @now. */
static ScalerLedgerInstance *
instance_add (ScalerLedger *self,
              const char   *instance_id,
              const char   *resource,
              gint64        now)
{
  ScalerLedgerInstance *instance = g_new0 (ScalerLedgerInstance, 1);

  instance->instance_id = g_strdup (instance_id);
  instance->resource = g_strdup (resource);
  instance->first_seen = now;
  g_hash_table_insert (self->instances, instance->instance_id, instance);
  return instance;
}

void
scaler_ledger_mark_gone (ScalerLedger *self,
                         const char   *instance_id,
                         gint64        now)
{
  ScalerLedgerInstance *instance;

  g_return_if_fail (self != NULL);
  g_return_if_fail (instance_id != NULL);

  instance = g_hash_table_lookup (self->instances, instance_id);
  if (instance == NULL)
    {
      instance = instance_add (self, instance_id, NULL, now);
      instance->last_seen = now;
    }
  if (instance->gone_since == 0)
    instance->gone_since = now;
}

/* ---- reconcile ---- */

static void
add_message (GPtrArray  *messages,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
add_message (GPtrArray  *messages,
             const char *format,
             ...)
{
  va_list args;

  if (messages == NULL)
    return;
  va_start (args, format);
  g_ptr_array_add (messages, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Launches in flight: resolved once their instance shows up (by client
 * token or id), forgotten when answered but never seen. */
static void
observe_launches (ScalerLedger       *self,
                  const ScalerConfig *config,
                  GHashTable         *fleet,
                  GHashTable         *tokens,
                  gint64              now,
                  GPtrArray          *messages)
{
  g_autoptr(GPtrArray) launches = scaler_ledger_list_launches (self);
  gint64 spin_up = scaler_usec_of_min (config->max_spin_up_time_min);

  for (guint i = 0; i < launches->len; i++)
    {
      ScalerLedgerLaunch *launch = g_ptr_array_index (launches, i);
      ScalerInstance *instance = g_hash_table_lookup (tokens, launch->client_token);

      if (instance == NULL && launch->instance_id != NULL)
        instance = g_hash_table_lookup (fleet, launch->instance_id);

      if (instance != NULL)
        {
          if (!g_hash_table_contains (self->instances, instance->instance_id))
            instance_add (self, instance->instance_id, instance->resource ? instance->resource : launch->resource,
                          now);
          if (launch->instance_id == NULL)
            add_message (messages, "Launch %s (%s) resolved: instance %s is in the fleet",
                         launch->client_token, launch->resource, instance->instance_id);
          scaler_ledger_remove_launch (self, launch->client_token);
        }
      else if (launch->instance_id != NULL && now - launch->last_attempt > MAX (spin_up, 0))
        {
          add_message (messages,
                       "Launch %s (%s): instance %s never showed up in the fleet; forgetting it "
                       "(it will be adopted if it appears)",
                       launch->client_token, launch->resource, launch->instance_id);
          scaler_ledger_remove_launch (self, launch->client_token);
        }
    }
}

/* Instances of the snapshot: adopt what we did not launch, note where they
 * run and when they went. */
static void
observe_fleet (ScalerLedger         *self,
               const ScalerSnapshot *snapshot,
               gint64                now,
               GPtrArray            *messages)
{
  for (guint i = 0; i < snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (snapshot->instances, i);
      ScalerLedgerInstance *known = g_hash_table_lookup (self->instances, instance->instance_id);

      if (known == NULL)
        {
          known = instance_add (self, instance->instance_id, instance->resource, now);
          known->adopted = TRUE;
          add_message (messages,
                       "Adopted instance %s (resource %s, %s): tagged for this autoscaler but not "
                       "launched by this run; it follows the same rules",
                       instance->instance_id, instance->resource ? instance->resource : "unknown",
                       scaler_instance_state_to_string (instance->state));
        }
      known->last_seen = now;
      /* EC2 leaves the subnet out of terminated instances: keep it. */
      if (instance->subnet_id != NULL)
        scaler_set_str (&known->subnet_id, instance->subnet_id);
      if (!scaler_instance_state_is_live (instance->state) && known->gone_since == 0
          && (instance->state == SCALER_INSTANCE_STATE_SHUTTING_DOWN
              || instance->state == SCALER_INSTANCE_STATE_TERMINATED))
        known->gone_since = now;
    }
}

/* Instances missing from the fleet: gone now, forgotten after a day. */
static void
observe_vanished (ScalerLedger *self,
                  GHashTable   *fleet,
                  gint64        now,
                  GPtrArray    *messages)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ScalerLedgerInstance *known = value;

      if (g_hash_table_contains (fleet, key))
        continue;
      if (known->gone_since == 0)
        {
          known->gone_since = now;
          add_message (messages, "Instance %s is gone from the fleet", known->instance_id);
        }
      else if (now - known->gone_since > GONE_KEEP_USEC)
        g_hash_table_iter_remove (&iter);
    }
}

/* Idle tracking: first seen without a task; forgotten with the worker. */
static void
observe_idle (ScalerLedger         *self,
              const ScalerSnapshot *snapshot,
              gint64                now)
{
  g_autoptr(GHashTable) workers = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < snapshot->workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (snapshot->workers, i);

      g_hash_table_add (workers, worker->id);
      if (worker->task_id != NULL)
        scaler_ledger_set_idle_since (self, worker->id, 0);
      else if (scaler_ledger_get_idle_since (self, worker->id) == 0)
        scaler_ledger_set_idle_since (self, worker->id, now);
    }
  g_hash_table_iter_init (&iter, self->idle_since);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (workers, key))
      g_hash_table_iter_remove (&iter);
}

/* The snapshot's spot prices; expired back-offs are kept (their failure
 * count makes the next one longer) until a success clears them, or for a
 * day. */
static void
observe_prices_and_backoffs (ScalerLedger         *self,
                             const ScalerSnapshot *snapshot,
                             gint64                now)
{
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; snapshot->spot_prices != NULL && i < snapshot->spot_prices->len; i++)
    {
      ScalerSpotPrice *price = g_ptr_array_index (snapshot->spot_prices, i);

      /* The time we fetched it (AWS's timestamp is the last price change). */
      scaler_ledger_set_spot_price (self, price->instance_type, price->availability_zone,
                                    price->price_usd_per_hour, now);
    }
  g_hash_table_iter_init (&iter, self->backoffs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (now - ((ScalerLedgerBackoff *) value)->until > GONE_KEEP_USEC)
      g_hash_table_iter_remove (&iter);
}

void
scaler_ledger_observe (ScalerLedger         *self,
                       const ScalerConfig   *config,
                       const ScalerSnapshot *snapshot,
                       gint64                now,
                       GPtrArray            *messages)
{
  g_autoptr(GHashTable) fleet = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) tokens = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_if_fail (self != NULL);
  g_return_if_fail (config != NULL);
  g_return_if_fail (snapshot != NULL);

  for (guint i = 0; i < snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (snapshot->instances, i);

      g_hash_table_insert (fleet, instance->instance_id, instance);
      if (instance->client_token != NULL && instance->client_token[0] != '\0')
        g_hash_table_insert (tokens, instance->client_token, instance);
    }

  observe_launches (self, config, fleet, tokens, now, messages);
  observe_fleet (self, snapshot, now, messages);
  observe_vanished (self, fleet, now, messages);
  observe_idle (self, snapshot, now);
  _scaler_ledger_observe_demand (self, config, snapshot, fleet, now);
  observe_prices_and_backoffs (self, snapshot, now);
}
