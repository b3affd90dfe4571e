/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-events.c: what a person should hear about (see scaler-events.h). */

#define G_LOG_DOMAIN "scaler-events"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "scaler-cloud.h"
#include "scaler-events.h"
#include "scaler-policy.h"
#include "scaler-util.h"

struct _ScalerEventWatch
{
  gboolean    budget_notified;
  gboolean    failed;
  gboolean    seen_fleet;       /* live is meaningful */
  GHashTable *live;             /* instance id -> resource name (or "") */
  GHashTable *terminated;       /* instance ids we terminated */
  GHashTable *backoff_until;    /* resource -> gint64* */
};

static const char * const kind_names[] = {
  [SCALER_EVENT_BUDGET_REACHED] = "budget-reached",
  [SCALER_EVENT_LAUNCH_FAILED] = "launch-failed",
  [SCALER_EVENT_INSTANCE_LOST] = "instance-lost",
  [SCALER_EVENT_BOOTSTRAP_FAILED] = "bootstrap-failed",
  [SCALER_EVENT_FAILED] = "failed",
};

const char *
scaler_event_kind_to_string (ScalerEventKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), "failed");
  return kind_names[kind];
}

void
scaler_event_free (ScalerEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->title);
  g_free (event->body);
  g_free (event);
}

static ScalerEvent *
event_new_take (ScalerEventKind  kind,
                char            *title,
                char            *body)
{
  ScalerEvent *event = g_new0 (ScalerEvent, 1);

  event->kind = kind;
  event->title = title;
  event->body = body != NULL ? body : g_strdup ("");
  return event;
}

ScalerEventWatch *
scaler_event_watch_new (void)
{
  ScalerEventWatch *self = g_new0 (ScalerEventWatch, 1);

  self->live = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->terminated = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->backoff_until = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
scaler_event_watch_free (ScalerEventWatch *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->live);
  g_hash_table_unref (self->terminated);
  g_hash_table_unref (self->backoff_until);
  g_free (self);
}

void
scaler_event_watch_reset (ScalerEventWatch *self)
{
  g_return_if_fail (self != NULL);

  self->budget_notified = FALSE;
  self->failed = FALSE;
  self->seen_fleet = FALSE;
  g_hash_table_remove_all (self->live);
  g_hash_table_remove_all (self->terminated);
  g_hash_table_remove_all (self->backoff_until);
}

static guint
pending_tasks (const ScalerCycleResult *result)
{
  guint pending = 0;

  for (guint i = 0; i < result->queues->len; i++)
    pending += ((const ScalerQueueRow *) g_ptr_array_index (result->queues, i))->pending;
  return pending;
}

/* Budget reached: tasks wait, nothing is booting for them, and one more
 * instance (at the cheapest price in the fleet) would not fit. Once, until
 * the cost drops again. */
static ScalerEvent *
check_budget (ScalerEventWatch        *self,
              const ScalerConfig      *config,
              const ScalerCycleResult *result)
{
  double cheapest = G_MAXDOUBLE;
  guint booting = 0;
  guint pending = pending_tasks (result);
  gboolean blocked;

  if (config->hourly_budget_usd <= 0)
    return NULL;
  for (guint i = 0; i < result->instances->len; i++)
    {
      const ScalerInstanceRow *row = g_ptr_array_index (result->instances, i);

      if (row->usd_per_hour > 0)
        cheapest = MIN (cheapest, row->usd_per_hour);
    }
  for (guint i = 0; i < result->resources->len; i++)
    booting += ((const ScalerResourceRow *) g_ptr_array_index (result->resources, i))->booting;

  blocked = pending > 0 && booting == 0 &&
            (result->usd_per_hour >= config->hourly_budget_usd - 1e-9 ||
             (cheapest < G_MAXDOUBLE && result->usd_per_hour + cheapest > config->hourly_budget_usd + 1e-9));
  if (blocked && !self->budget_notified)
    {
      self->budget_notified = TRUE;
      return event_new_take (SCALER_EVENT_BUDGET_REACHED,
                             g_strdup_printf (_("“%s” reached its budget"), config->name),
                             g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "The fleet costs $%.2f/h of its $%.2f/h budget; %u task waits.",
                                                           "The fleet costs $%.2f/h of its $%.2f/h budget; %u tasks wait.",
                                                           pending),
                                              result->usd_per_hour, config->hourly_budget_usd, pending));
    }
  if (!blocked && result->usd_per_hour < config->hourly_budget_usd * 0.9)
    self->budget_notified = FALSE;
  return NULL;
}

/* Instances that never registered a worker: one event per cycle. */
static ScalerEvent *
check_boot_timeouts (const ScalerConfig      *config,
                     const ScalerCycleResult *result)
{
  const ScalerAction *first = NULL;
  guint n_failed = 0;

  for (guint i = 0; result->actions != NULL && i < result->actions->len; i++)
    {
      const ScalerAction *action = g_ptr_array_index (result->actions, i);

      if (action->kind == SCALER_ACTION_TERMINATE && action->code == SCALER_REASON_BOOT_TIMEOUT)
        {
          if (first == NULL)
            first = action;
          n_failed++;
        }
    }
  if (first == NULL)
    return NULL;
  return event_new_take (SCALER_EVENT_BOOTSTRAP_FAILED,
                         g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                       "%u instance of “%s” failed to boot",
                                                       "%u instances of “%s” failed to boot",
                                                       n_failed),
                                          n_failed, config->name),
                         g_strdup (first->reason ? first->reason : first->instance_id));
}

/* A resource whose back-off moved later this cycle: a launch just failed. */
static ScalerEvent *
check_launches (ScalerEventWatch        *self,
                const ScalerConfig      *config,
                const ScalerCycleResult *result)
{
  g_autoptr(GString) body = g_string_new (NULL);

  for (guint i = 0; i < result->resources->len; i++)
    {
      const ScalerResourceRow *row = g_ptr_array_index (result->resources, i);
      gint64 *before = g_hash_table_lookup (self->backoff_until, row->resource);

      if (row->backoff_until > result->time && (before == NULL || row->backoff_until > *before))
        {
          if (body->len > 0)
            g_string_append_c (body, '\n');
          /* TRANSLATORS: a resource name, then why its launch failed */
          g_string_append_printf (body, _("%s: %s; it tries again in %.0f min"), row->resource,
                                  row->backoff_reason ? row->backoff_reason : _("the launch failed"),
                                  scaler_min_of_usec (row->backoff_until - result->time));
        }
      if (before == NULL)
        {
          before = g_new (gint64, 1);
          g_hash_table_insert (self->backoff_until, g_strdup (row->resource), before);
        }
      *before = row->backoff_until;
    }
  if (body->len == 0)
    return NULL;
  return event_new_take (SCALER_EVENT_LAUNCH_FAILED,
                         g_strdup_printf (_("“%s” could not launch an instance"), config->name),
                         g_string_free (g_steal_pointer (&body), FALSE));
}

/* Live instances of the last complete view that are gone or no longer live,
 * and that we did not terminate. */
static ScalerEvent *
check_lost (ScalerEventWatch        *self,
            const ScalerConfig      *config,
            const ScalerCycleResult *result)
{
  g_autoptr(GHashTable) now_live = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) lost = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer id;
  g_autofree char *list = NULL;

  for (guint i = 0; result->actions != NULL && i < result->actions->len; i++)
    {
      const ScalerAction *action = g_ptr_array_index (result->actions, i);

      if (action->kind == SCALER_ACTION_TERMINATE && action->instance_id != NULL)
        g_hash_table_add (self->terminated, g_strdup (action->instance_id));
    }
  /* A cycle that could not see the fleet says nothing about it. */
  if (!result->ok)
    return NULL;

  for (guint i = 0; i < result->instances->len; i++)
    {
      const ScalerInstanceRow *row = g_ptr_array_index (result->instances, i);

      if (scaler_instance_state_is_live (row->state))
        g_hash_table_insert (now_live, g_strdup (row->instance_id), g_strdup (row->resource ? row->resource : ""));
    }
  g_hash_table_iter_init (&iter, self->live);
  while (self->seen_fleet && g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (now_live, id) && !g_hash_table_remove (self->terminated, id))
      g_ptr_array_add (lost, id);

  g_ptr_array_add (lost, NULL);
  list = g_strjoinv (", ", (char **) lost->pdata);
  g_ptr_array_set_size (lost, lost->len - 1);
  g_hash_table_unref (self->live);
  self->live = g_steal_pointer (&now_live);
  self->seen_fleet = TRUE;
  if (lost->len == 0)
    return NULL;
  return event_new_take (SCALER_EVENT_INSTANCE_LOST,
                         g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                       "%u instance of “%s” went away",
                                                       "%u instances of “%s” went away",
                                                       lost->len),
                                          lost->len, config->name),
                         g_strdup_printf (_("%s stopped or was terminated outside the autoscaler (a spot "
                                            "interruption, or someone else); a task it ran goes back to "
                                            "its queue only if ClearML requeues it."), list));
}

GPtrArray *
scaler_event_watch_observe (ScalerEventWatch        *self,
                            const ScalerConfig      *config,
                            const ScalerCycleResult *result)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_event_free);
  ScalerEvent *event;

  g_return_val_if_fail (self != NULL, events);
  g_return_val_if_fail (config != NULL, events);
  g_return_val_if_fail (result != NULL, events);

  if ((event = check_budget (self, config, result)) != NULL)
    g_ptr_array_add (events, event);
  if ((event = check_launches (self, config, result)) != NULL)
    g_ptr_array_add (events, event);
  if ((event = check_lost (self, config, result)) != NULL)
    g_ptr_array_add (events, event);
  if ((event = check_boot_timeouts (config, result)) != NULL)
    g_ptr_array_add (events, event);
  return events;
}

ScalerEvent *
scaler_event_watch_state (ScalerEventWatch *self,
                          const char       *name,
                          gboolean          failed,
                          const char       *message)
{
  gboolean entered;

  g_return_val_if_fail (self != NULL, NULL);

  entered = failed && !self->failed;
  self->failed = failed;
  if (!entered)
    return NULL;
  return event_new_take (SCALER_EVENT_FAILED,
                         g_strdup_printf (_("“%s” has a problem"), name != NULL ? name : ""),
                         g_strdup (message != NULL && *message != '\0' ? message
                                                                       : _("The last cycle failed; retrying.")));
}
