/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-client-autoscaler"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-client-autoscaler.h"
#include "scaler-cycle-variant.h"
#include "scaler-machine.h"

struct _ScalerClientAutoscaler
{
  GObject               parent_instance;

  GWeakRef              machine;
  ScalerDbusAutoscaler *proxy;
  GCancellable         *cancellable;

  /* Mirrors of the properties, compared on PropertiesChanged. */
  char                 *id;
  char                 *name;
  char                 *state;
  char                 *error;
  char                 *desired_state;
  char                 *config_json;
  char                 *config_path;
  ScalerConfig         *config;
  gboolean              demo;
  guint                 instances;
  double                cost_per_hour;
  guint                 idle_workers;
  guint                 busy_workers;
  guint                 pending_tasks;
  guint                 cycle;

  /* After load(): */
  gboolean              load_started;
  guint                 pending_loads;   /* history, snapshot, log */
  gboolean              history_in_flight;
  gboolean              log_in_flight;
  ScalerHistory        *history;
  ScalerCycleResult    *last_result;
  GQueue                log;             /* ScalerClientLogLine* */
};

G_DEFINE_FINAL_TYPE (ScalerClientAutoscaler, scaler_client_autoscaler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_STATE,
  PROP_ERROR,
  PROP_DESIRED_STATE,
  PROP_CONFIG,
  PROP_DEMO,
  PROP_INSTANCES,
  PROP_COST_PER_HOUR,
  PROP_IDLE_WORKERS,
  PROP_BUSY_WORKERS,
  PROP_PENDING_TASKS,
  PROP_CYCLE,
  PROP_LOADED,
  N_PROPS
};

enum {
  LOG_LINE,
  CYCLE_FINISHED,
  LOADED,
  EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

GError *
scaler_client_error_strip (GError *error)
{
  if (error != NULL && g_dbus_error_is_remote_error (error))
    g_dbus_error_strip_remote_error (error);
  return error;
}

static void
log_line_free (ScalerClientLogLine *line)
{
  g_free (line->text);
  g_free (line);
}

/* ---- properties ---- */

static void
set_string (ScalerClientAutoscaler  *self,
            char                   **field,
            const char              *value,
            guint                    prop)
{
  if (value == NULL)
    value = "";
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  if (prop != PROP_0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

#define SET_NUMBER(self, field, value, prop) \
  G_STMT_START { \
    if ((self)->field != (value)) \
      { \
        (self)->field = (value); \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
      } \
  } G_STMT_END

/* The configuration as the app can read it. A newer service may write keys
 * this version does not know: the lenient parser keeps what it knows. */
static void
set_config_json (ScalerClientAutoscaler *self,
                 const char             *json)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (self->config_json, json ? json : "") == 0)
    return;
  g_free (self->config_json);
  self->config_json = g_strdup (json ? json : "");
  g_clear_pointer (&self->config, scaler_config_unref);
  if (self->config_json[0] != '\0')
    {
      self->config = scaler_config_new_from_json (self->config_json, -1, &error);
      if (self->config == NULL)
        g_warning ("The configuration of %s cannot be read here: %s", self->id, error->message);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
}

static void
sync_properties (ScalerClientAutoscaler *self)
{
  ScalerDbusAutoscaler *p = self->proxy;

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->id, scaler_dbus_autoscaler_get_id (p), PROP_0);
  set_string (self, &self->name, scaler_dbus_autoscaler_get_name (p), PROP_NAME);
  set_string (self, &self->error, scaler_dbus_autoscaler_get_error (p), PROP_ERROR);
  set_string (self, &self->desired_state, scaler_dbus_autoscaler_get_desired_state (p), PROP_DESIRED_STATE);
  set_string (self, &self->config_path, scaler_dbus_autoscaler_get_config_path (p), PROP_0);
  set_config_json (self, scaler_dbus_autoscaler_get_config (p));
  SET_NUMBER (self, demo, scaler_dbus_autoscaler_get_demo (p), PROP_DEMO);
  SET_NUMBER (self, instances, scaler_dbus_autoscaler_get_instances (p), PROP_INSTANCES);
  SET_NUMBER (self, cost_per_hour, scaler_dbus_autoscaler_get_cost_per_hour (p), PROP_COST_PER_HOUR);
  SET_NUMBER (self, idle_workers, scaler_dbus_autoscaler_get_idle_workers (p), PROP_IDLE_WORKERS);
  SET_NUMBER (self, busy_workers, scaler_dbus_autoscaler_get_busy_workers (p), PROP_BUSY_WORKERS);
  SET_NUMBER (self, pending_tasks, scaler_dbus_autoscaler_get_pending_tasks (p), PROP_PENDING_TASKS);
  SET_NUMBER (self, cycle, scaler_dbus_autoscaler_get_cycle (p), PROP_CYCLE);
  /* Last: a handler of notify::state sees the error and config of that state. */
  set_string (self, &self->state, scaler_dbus_autoscaler_get_state (p), PROP_STATE);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
properties_changed_cb (ScalerClientAutoscaler *self)
{
  g_assert (SCALER_IS_CLIENT_AUTOSCALER (self));

  sync_properties (self);
}

/* ---- the console ---- */

static void
add_log_line (ScalerClientAutoscaler *self,
              gint64                  time,
              ScalerLogLevel          level,
              const char             *text)
{
  ScalerClientLogLine *line = g_new0 (ScalerClientLogLine, 1);

  line->time = time;
  line->level = level;
  line->text = g_strdup (text);
  g_queue_push_tail (&self->log, line);
  while (self->log.length > SCALER_CLIENT_LOG_LINES)
    log_line_free (g_queue_pop_head (&self->log));
}

static void
log_cb (ScalerClientAutoscaler *self,
        gint64                  time,
        const char             *level_nick,
        const char             *message)
{
  ScalerLogLevel level = SCALER_LOG_LEVEL_INFO;

  g_assert (SCALER_IS_CLIENT_AUTOSCALER (self));

  /* Lines that came before the GetLog reply are in the backlog already: a
   * connection delivers messages in the order the service sent them. */
  if (!self->load_started || self->log_in_flight)
    return;
  scaler_log_level_from_nick (level_nick, &level);
  add_log_line (self, time, level, message);
  g_signal_emit (self, signals[LOG_LINE], 0, time, level, message);
}

/* ---- cycles and history ---- */

static void
add_to_history (ScalerClientAutoscaler *self,
                ScalerCycleResult      *result)
{
  ScalerSeries *idle;
  guint n;
  gint64 last = 0;

  if (self->history == NULL)
    return;
  idle = scaler_history_get_idle_workers (self->history);
  n = scaler_series_get_n_samples (idle);
  if (n > 0)
    scaler_series_get_sample (idle, n - 1, &last, NULL);
  if (n == 0 || result->time > last)
    scaler_history_add_result (self->history, result);
}

static void
cycle_finished_cb (ScalerClientAutoscaler *self,
                   GVariant               *snapshot)
{
  g_autoptr(ScalerCycleResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_CLIENT_AUTOSCALER (self));

  result = scaler_cycle_result_new_from_variant (snapshot, &error);
  if (result == NULL)
    {
      g_warning ("A cycle of %s could not be read: %s", self->id, error->message);
      return;
    }
  g_clear_pointer (&self->last_result, scaler_cycle_result_unref);
  self->last_result = scaler_cycle_result_ref (result);
  /* A cycle before the GetHistory reply is in that reply already. */
  if (!self->history_in_flight)
    add_to_history (self, result);
  g_signal_emit (self, signals[CYCLE_FINISHED], 0, result);
}

static void
event_cb (ScalerClientAutoscaler *self,
          const char             *kind,
          const char             *title,
          const char             *body)
{
  g_assert (SCALER_IS_CLIENT_AUTOSCALER (self));

  g_signal_emit (self, signals[EVENT], 0, kind, title, body);
}

/* ---- loading ---- */

static void
load_done (ScalerClientAutoscaler *self)
{
  g_assert (self->pending_loads > 0);
  if (--self->pending_loads > 0)
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
  g_signal_emit (self, signals[LOADED], 0);
}

/* After a load call failed: TRUE when it was cancelled (the autoscaler is
 * going away); otherwise the failure is logged and the load goes on without
 * that part. */
static gboolean
load_call_cancelled (ScalerClientAutoscaler *self,
                     GError                 *error,
                     const char             *what)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return TRUE;
  g_message ("%s of %s could not be read: %s", what, self->id, scaler_client_error_strip (error)->message);

  return FALSE;
}

static void
history_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ScalerClientAutoscaler) self = user_data;
  g_autoptr(GVariant) series = NULL;
  g_autoptr(GError) error = NULL;
  guint capacity;

  g_assert (SCALER_IS_CLIENT_AUTOSCALER (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (!scaler_dbus_autoscaler_call_get_history_finish (SCALER_DBUS_AUTOSCALER (object), &series, result, &error) &&
      load_call_cancelled (self, error, "The history"))
    return;
  self->history_in_flight = FALSE;
  capacity = scaler_history_capacity_for_interval (self->config != NULL ? self->config->polling_interval_time_min : 0);
  self->history = scaler_history_new (capacity);
  if (series != NULL && !scaler_history_add_from_variant (self->history, series, &error))
    g_message ("The history of %s could not be read: %s", self->id, error->message);
  load_done (self);
}

static void
snapshot_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ScalerClientAutoscaler) self = user_data;
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_CLIENT_AUTOSCALER (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (!scaler_dbus_autoscaler_call_get_snapshot_finish (SCALER_DBUS_AUTOSCALER (object), &snapshot, result, &error) &&
      load_call_cancelled (self, error, "The last cycle"))
    return;
  /* An empty dictionary: no cycle yet. A CycleFinished that came first wins. */
  if (snapshot != NULL && g_variant_n_children (snapshot) > 0 && self->last_result == NULL)
    {
      self->last_result = scaler_cycle_result_new_from_variant (snapshot, &error);
      if (self->last_result == NULL)
        g_message ("The last cycle of %s could not be read: %s", self->id, error->message);
    }
  load_done (self);
}

static void
log_backlog_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ScalerClientAutoscaler) self = user_data;
  g_autoptr(GVariant) lines = NULL;
  g_autoptr(GError) error = NULL;
  GVariantIter iter;
  const char *nick, *text;
  gint64 time;

  g_assert (SCALER_IS_CLIENT_AUTOSCALER (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (!scaler_dbus_autoscaler_call_get_log_finish (SCALER_DBUS_AUTOSCALER (object), &lines, result, &error) &&
      load_call_cancelled (self, error, "The console"))
    return;
  self->log_in_flight = FALSE;
  if (lines != NULL)
    {
      g_variant_iter_init (&iter, lines);
      while (g_variant_iter_next (&iter, "(x&s&s)", &time, &nick, &text))
        {
          ScalerLogLevel level = SCALER_LOG_LEVEL_INFO;

          scaler_log_level_from_nick (nick, &level);
          add_log_line (self, time, level, text);
        }
    }
  load_done (self);
}

/* ---- GObject ---- */

static void
scaler_client_autoscaler_dispose (GObject *object)
{
  ScalerClientAutoscaler *self = SCALER_CLIENT_AUTOSCALER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->proxy != NULL)
    g_signal_handlers_disconnect_by_data (self->proxy, self);
  g_clear_object (&self->proxy);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (scaler_client_autoscaler_parent_class)->dispose (object);
}

static void
scaler_client_autoscaler_finalize (GObject *object)
{
  ScalerClientAutoscaler *self = SCALER_CLIENT_AUTOSCALER (object);

  g_weak_ref_clear (&self->machine);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->config, scaler_config_unref);
  g_clear_pointer (&self->last_result, scaler_cycle_result_unref);
  g_queue_clear_full (&self->log, (GDestroyNotify) log_line_free);
  g_free (self->id);
  g_free (self->name);
  g_free (self->state);
  g_free (self->error);
  g_free (self->desired_state);
  g_free (self->config_json);
  g_free (self->config_path);

  G_OBJECT_CLASS (scaler_client_autoscaler_parent_class)->finalize (object);
}

static void
scaler_client_autoscaler_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  ScalerClientAutoscaler *self = SCALER_CLIENT_AUTOSCALER (object);

  switch (prop_id)
    {
    case PROP_NAME:          g_value_set_string (value, self->name); break;
    case PROP_STATE:         g_value_set_string (value, self->state); break;
    case PROP_ERROR:         g_value_set_string (value, self->error); break;
    case PROP_DESIRED_STATE: g_value_set_string (value, self->desired_state); break;
    case PROP_CONFIG:        g_value_set_boxed (value, self->config); break;
    case PROP_DEMO:          g_value_set_boolean (value, self->demo); break;
    case PROP_INSTANCES:     g_value_set_uint (value, self->instances); break;
    case PROP_COST_PER_HOUR: g_value_set_double (value, self->cost_per_hour); break;
    case PROP_IDLE_WORKERS:  g_value_set_uint (value, self->idle_workers); break;
    case PROP_BUSY_WORKERS:  g_value_set_uint (value, self->busy_workers); break;
    case PROP_PENDING_TASKS: g_value_set_uint (value, self->pending_tasks); break;
    case PROP_CYCLE:         g_value_set_uint (value, self->cycle); break;
    case PROP_LOADED:        g_value_set_boolean (value, scaler_client_autoscaler_is_loaded (self)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_client_autoscaler_class_init (ScalerClientAutoscalerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = scaler_client_autoscaler_dispose;
  object_class->finalize = scaler_client_autoscaler_finalize;
  object_class->get_property = scaler_client_autoscaler_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, NULL, flags);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  properties[PROP_DESIRED_STATE] = g_param_spec_string ("desired-state", NULL, NULL, NULL, flags);
  properties[PROP_CONFIG] = g_param_spec_boxed ("config", NULL, NULL, SCALER_TYPE_CONFIG, flags);
  properties[PROP_DEMO] = g_param_spec_boolean ("demo", NULL, NULL, FALSE, flags);
  properties[PROP_INSTANCES] = g_param_spec_uint ("instances", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_COST_PER_HOUR] = g_param_spec_double ("cost-per-hour", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_IDLE_WORKERS] = g_param_spec_uint ("idle-workers", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_BUSY_WORKERS] = g_param_spec_uint ("busy-workers", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PENDING_TASKS] = g_param_spec_uint ("pending-tasks", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_CYCLE] = g_param_spec_uint ("cycle", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[LOG_LINE] = g_signal_new ("log-line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 3, G_TYPE_INT64, SCALER_TYPE_LOG_LEVEL, G_TYPE_STRING);
  signals[CYCLE_FINISHED] = g_signal_new ("cycle-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1,
                                          SCALER_TYPE_CYCLE_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 0);
  signals[EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
scaler_client_autoscaler_init (ScalerClientAutoscaler *self)
{
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->log);
  g_weak_ref_init (&self->machine, NULL);
}

/* ---- public API ---- */

ScalerClientAutoscaler *
scaler_client_autoscaler_new (ScalerMachine        *machine,
                              ScalerDbusAutoscaler *proxy)
{
  ScalerClientAutoscaler *self;

  g_return_val_if_fail (SCALER_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (SCALER_DBUS_IS_AUTOSCALER_PROXY (proxy), NULL);

  self = g_object_new (SCALER_TYPE_CLIENT_AUTOSCALER, NULL);
  g_weak_ref_set (&self->machine, machine);
  self->proxy = g_object_ref (proxy);
  g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (proxy), SCALER_CLIENT_CALL_TIMEOUT_MS);
  g_signal_connect_swapped (proxy, "g-properties-changed", G_CALLBACK (properties_changed_cb), self);
  g_signal_connect_swapped (proxy, "log", G_CALLBACK (log_cb), self);
  g_signal_connect_swapped (proxy, "cycle-finished", G_CALLBACK (cycle_finished_cb), self);
  g_signal_connect_swapped (proxy, "event", G_CALLBACK (event_cb), self);
  sync_properties (self);

  return self;
}

ScalerMachine *
scaler_client_autoscaler_get_machine (ScalerClientAutoscaler *self)
{
  g_autoptr(ScalerMachine) machine = NULL;

  g_return_val_if_fail (SCALER_IS_CLIENT_AUTOSCALER (self), NULL);

  /* The machine owns its autoscalers: a borrowed pointer is safe while the
   * caller holds this one (the machine only drops them when it goes). */
  machine = g_weak_ref_get (&self->machine);
  return machine;
}

ScalerDbusAutoscaler *
scaler_client_autoscaler_get_proxy (ScalerClientAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_CLIENT_AUTOSCALER (self), NULL);
  return self->proxy;
}

char *
scaler_client_autoscaler_dup_key (ScalerClientAutoscaler *self)
{
  ScalerMachine *machine;

  g_return_val_if_fail (SCALER_IS_CLIENT_AUTOSCALER (self), NULL);

  machine = scaler_client_autoscaler_get_machine (self);
  if (machine == NULL || scaler_machine_is_local (machine))
    return g_strdup (self->id);
  return g_strdup_printf ("%s/%s", scaler_machine_get_address (machine), self->id);
}

#define GETTER(type, name, field) \
  type \
  scaler_client_autoscaler_get_##name (ScalerClientAutoscaler *self) \
  { \
    g_return_val_if_fail (SCALER_IS_CLIENT_AUTOSCALER (self), 0); \
    return self->field; \
  }

GETTER (const char *, id, id)
GETTER (const char *, name, name)
GETTER (const char *, state, state)
GETTER (const char *, error, error)
GETTER (const char *, desired_state, desired_state)
GETTER (ScalerConfig *, config, config)
GETTER (const char *, config_json, config_json)
GETTER (const char *, config_path, config_path)
GETTER (gboolean, demo, demo)
GETTER (guint, instances, instances)
GETTER (double, cost_per_hour, cost_per_hour)
GETTER (guint, idle_workers, idle_workers)
GETTER (guint, busy_workers, busy_workers)
GETTER (guint, pending_tasks, pending_tasks)
GETTER (guint, cycle, cycle)
GETTER (ScalerHistory *, history, history)
GETTER (ScalerCycleResult *, last_result, last_result)

#undef GETTER

gboolean
scaler_client_autoscaler_is_broken (ScalerClientAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_CLIENT_AUTOSCALER (self), FALSE);
  return self->config == NULL;
}

gboolean
scaler_client_autoscaler_is_active (ScalerClientAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_CLIENT_AUTOSCALER (self), FALSE);

  return g_strcmp0 (self->desired_state, "running") == 0 ||
         g_strcmp0 (self->state, "starting") == 0 ||
         g_strcmp0 (self->state, "running") == 0 ||
         g_strcmp0 (self->state, "stopping") == 0;
}

void
scaler_client_autoscaler_load (ScalerClientAutoscaler *self)
{
  g_return_if_fail (SCALER_IS_CLIENT_AUTOSCALER (self));

  if (self->load_started)
    return;
  self->load_started = TRUE;
  self->pending_loads = 3;
  self->history_in_flight = TRUE;
  self->log_in_flight = TRUE;

  /* Three calls in flight at once, answered in order by the service. */
  scaler_dbus_autoscaler_call_get_history (self->proxy, 0, G_DBUS_CALL_FLAGS_NONE, SCALER_CLIENT_HISTORY_TIMEOUT_MS,
                                           self->cancellable, history_cb, g_object_ref (self));
  scaler_dbus_autoscaler_call_get_snapshot (self->proxy, G_DBUS_CALL_FLAGS_NONE, SCALER_CLIENT_CALL_TIMEOUT_MS,
                                            self->cancellable, snapshot_cb, g_object_ref (self));
  scaler_dbus_autoscaler_call_get_log (self->proxy, 0, G_DBUS_CALL_FLAGS_NONE, SCALER_CLIENT_CALL_TIMEOUT_MS,
                                       self->cancellable, log_backlog_cb, g_object_ref (self));
}

gboolean
scaler_client_autoscaler_is_loaded (ScalerClientAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_CLIENT_AUTOSCALER (self), FALSE);
  return self->load_started && self->pending_loads == 0;
}

guint
scaler_client_autoscaler_get_n_log_lines (ScalerClientAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_CLIENT_AUTOSCALER (self), 0);
  return self->log.length;
}

void
scaler_client_autoscaler_foreach_log_line (ScalerClientAutoscaler *self,
                                           ScalerClientLogFunc     func,
                                           gpointer                user_data)
{
  g_return_if_fail (SCALER_IS_CLIENT_AUTOSCALER (self));
  g_return_if_fail (func != NULL);

  for (GList *l = self->log.head; l != NULL; l = l->next)
    func (l->data, user_data);
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (object), result, &error);

  g_assert (G_IS_ASYNC_RESULT (result));

  if (reply == NULL)
    g_task_return_error (task, scaler_client_error_strip (g_steal_pointer (&error)));
  else
    g_task_return_pointer (task, reply, (GDestroyNotify) g_variant_unref);
}

void
scaler_client_autoscaler_call (ScalerClientAutoscaler *self,
                               const char             *method,
                               GVariant               *parameters,
                               int                     timeout_ms,
                               GCancellable           *cancellable,
                               GAsyncReadyCallback     callback,
                               gpointer                user_data)
{
  GTask *task;

  g_return_if_fail (SCALER_IS_CLIENT_AUTOSCALER (self));
  g_return_if_fail (method != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_client_autoscaler_call);
  g_task_set_task_data (task, g_strdup (method), g_free);
  g_dbus_proxy_call (G_DBUS_PROXY (self->proxy), method, parameters, G_DBUS_CALL_FLAGS_NONE,
                     timeout_ms > 0 ? timeout_ms : SCALER_CLIENT_CALL_TIMEOUT_MS, cancellable, call_cb, task);
}

GVariant *
scaler_client_autoscaler_call_finish (ScalerClientAutoscaler  *self,
                                      GAsyncResult            *result,
                                      GError                 **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
