/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-service-autoscaler.c: one saved autoscaler on the bus (see
 * scaler-service-autoscaler.h). Its methods are in
 * scaler-service-autoscaler-methods.c. */

#define G_LOG_DOMAIN "scaler-service"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-daemon.h"
#include "scaler-service-autoscaler-private.h"

G_DEFINE_FINAL_TYPE (ScalerServiceAutoscaler, scaler_service_autoscaler, G_TYPE_OBJECT)

static void bind_engine (ScalerServiceAutoscaler *self,
                         ScalerEngine            *engine);

/* ---- the console ---- */

typedef struct
{
  gint64          time;
  ScalerLogLevel  level;
  char           *text;
} LogEntry;

static void
log_entry_free (LogEntry *entry)
{
  g_free (entry->text);
  g_free (entry);
}

/* One console line: the backlog, the Log signal and stdout (the journal). */
static void
add_line (ScalerServiceAutoscaler *self,
          gint64                   time,
          ScalerLogLevel           level,
          const char              *text)
{
  LogEntry *entry = g_new0 (LogEntry, 1);

  entry->time = time;
  entry->level = level;
  entry->text = g_utf8_make_valid (text, -1);
  g_queue_push_tail (&self->log, entry);
  while (self->log.length > SCALER_SERVICE_LOG_LINES)
    log_entry_free (g_queue_pop_head (&self->log));

  scaler_dbus_autoscaler_emit_log (self->iface, entry->time, scaler_log_level_to_nick (level), entry->text);
  if (level != SCALER_LOG_LEVEL_DEBUG || self->ctx->show_debug)
    scaler_daemon_print_line (level, scaler_autoscaler_get_name (self->item), entry->text);
}

void
_scaler_service_autoscaler_log (ScalerServiceAutoscaler *self,
                                ScalerLogLevel           level,
                                const char              *format,
                                ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  add_line (self, self->engine != NULL ? scaler_engine_get_time (self->engine) : g_get_real_time (), level, text);
}

GVariant *
_scaler_service_autoscaler_dup_log (ScalerServiceAutoscaler *self,
                                    guint                    max_lines)
{
  GVariantBuilder builder;
  guint skip = max_lines > 0 && self->log.length > max_lines ? self->log.length - max_lines : 0;

  g_variant_builder_init (&builder, G_VARIANT_TYPE (SCALER_LOG_VARIANT_TYPE));
  for (GList *l = self->log.head; l != NULL; l = l->next)
    {
      LogEntry *entry = l->data;

      if (skip > 0)
        {
          skip--;
          continue;
        }
      g_variant_builder_add_value (&builder, scaler_log_line_to_variant (entry->time, entry->level, entry->text));
    }
  return g_variant_builder_end (&builder);
}

/* ---- State and Error ---- */

static const char *
engine_state_name (ScalerEngineState state)
{
  switch (state)
    {
    case SCALER_ENGINE_STATE_STARTING: return "starting";
    case SCALER_ENGINE_STATE_RUNNING: return "running";
    case SCALER_ENGINE_STATE_STOPPING: return "stopping";
    case SCALER_ENGINE_STATE_ERROR: return "failed";
    case SCALER_ENGINE_STATE_STOPPED:
    default: return "stopped";
    }
}

/* The State and Error the interface shows now (see the XML). */
static const char *
current_state (ScalerServiceAutoscaler  *self,
               char                    **error)
{
  const char *load_error = scaler_autoscaler_get_load_error (self->item);

  if (self->engine != NULL)
    {
      ScalerEngineState state = scaler_engine_get_state (self->engine);
      gboolean active = state != SCALER_ENGINE_STATE_STOPPED && state != SCALER_ENGINE_STATE_STOPPING;

      if (load_error != NULL && active)
        {
          *error = g_strdup_printf (_("The configuration file does not load: %s. The autoscaler keeps "
                                      "running on the last configuration that loaded."), load_error);
          return "failed";
        }
      *error = g_strdup (scaler_engine_get_error_message (self->engine));
      return engine_state_name (state);
    }
  if (load_error != NULL)
    {
      *error = g_strdup (load_error);
      return "failed";
    }
  if (self->start_error != NULL)
    {
      *error = g_strdup (self->start_error);
      return "failed";
    }
  *error = NULL;
  return self->starting ? "starting" : "stopped";
}

void
_scaler_service_autoscaler_update_state (ScalerServiceAutoscaler *self)
{
  g_autofree char *error = NULL;
  const char *state = current_state (self, &error);
  gboolean failed = g_str_equal (state, "failed");
  g_autoptr(ScalerEvent) event = NULL;

  if (g_strcmp0 (scaler_dbus_autoscaler_get_error (self->iface), error ? error : "") != 0)
    scaler_dbus_autoscaler_set_error (self->iface, error ? error : "");
  if (g_strcmp0 (scaler_dbus_autoscaler_get_state (self->iface), state) != 0)
    {
      scaler_dbus_autoscaler_set_state (self->iface, state);
      /* Every transition is seen, even one that lasts less than an idle
       * (a stop with on_stop "keep" goes through "stopping" at once). */
      g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self->iface));
    }

  event = scaler_event_watch_state (self->events, scaler_autoscaler_get_name (self->item), failed, error);
  if (event != NULL)
    scaler_dbus_autoscaler_emit_event (self->iface, scaler_event_kind_to_string (event->kind),
                                       event->title, event->body);
}

/* ---- the engine ---- */

static void
engine_state_changed_cb (ScalerEngine            *engine,
                         ScalerServiceAutoscaler *self)
{
  g_assert (SCALER_IS_ENGINE (engine));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  _scaler_service_autoscaler_update_state (self);
}

static void
engine_log_line_cb (ScalerEngine            *engine,
                    ScalerLogLevel           level,
                    const char              *text,
                    ScalerServiceAutoscaler *self)
{
  g_assert (SCALER_IS_ENGINE (engine));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  add_line (self, scaler_engine_get_log_line_time (engine), level, text);
}

static guint
count_instances (ScalerCycleResult *result)
{
  guint n = 0;

  for (guint i = 0; i < result->instances->len; i++)
    if (((ScalerInstanceRow *) g_ptr_array_index (result->instances, i))->state != SCALER_INSTANCE_STATE_TERMINATED)
      n++;
  return n;
}

static void
set_counters (ScalerServiceAutoscaler *self,
              ScalerCycleResult       *result)
{
  guint pending = 0;

  for (guint i = 0; i < result->queues->len; i++)
    pending += ((ScalerQueueRow *) g_ptr_array_index (result->queues, i))->pending;

  g_object_freeze_notify (G_OBJECT (self->iface));
  scaler_dbus_autoscaler_set_instances (self->iface, count_instances (result));
  scaler_dbus_autoscaler_set_cost_per_hour (self->iface, result->usd_per_hour);
  scaler_dbus_autoscaler_set_idle_workers (self->iface, result->idle_workers);
  scaler_dbus_autoscaler_set_busy_workers (self->iface, result->busy_workers);
  scaler_dbus_autoscaler_set_pending_tasks (self->iface, pending);
  scaler_dbus_autoscaler_set_cycle (self->iface, result->cycle);
  scaler_dbus_autoscaler_set_last_cycle_time (self->iface, result->time);
  g_object_thaw_notify (G_OBJECT (self->iface));
}

static void
engine_cycle_finished_cb (ScalerEngine            *engine,
                          ScalerCycleResult       *result,
                          ScalerServiceAutoscaler *self)
{
  g_autoptr(GPtrArray) events = NULL;

  g_assert (SCALER_IS_ENGINE (engine));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  g_clear_pointer (&self->last_result, scaler_cycle_result_unref);
  self->last_result = scaler_cycle_result_ref (result);
  set_counters (self, result);
  /* The properties reach the clients before the signal that explains them. */
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self->iface));
  scaler_dbus_autoscaler_emit_cycle_finished (self->iface, scaler_cycle_result_to_variant (result));

  events = scaler_event_watch_observe (self->events, scaler_engine_get_config (engine), result);
  for (guint i = 0; i < events->len; i++)
    {
      ScalerEvent *event = g_ptr_array_index (events, i);

      scaler_dbus_autoscaler_emit_event (self->iface, scaler_event_kind_to_string (event->kind),
                                         event->title, event->body);
    }
}

static gboolean
restart_idle_cb (gpointer user_data)
{
  ScalerServiceAutoscaler *self = user_data;

  self->restart_idle = 0;
  _scaler_service_autoscaler_start (self);
  return G_SOURCE_REMOVE;
}

static void
bind_engine (ScalerServiceAutoscaler *self,
             ScalerEngine            *engine)
{
  if (engine == self->engine)
    return;
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_set_object (&self->engine, engine);
  if (engine != NULL)
    {
      scaler_event_watch_reset (self->events);
      g_signal_connect (engine, "state-changed", G_CALLBACK (engine_state_changed_cb), self);
      g_signal_connect (engine, "log-line", G_CALLBACK (engine_log_line_cb), self);
      g_signal_connect (engine, "cycle-finished", G_CALLBACK (engine_cycle_finished_cb), self);
    }
  /* Gone while it should run (a stop that raced a start): start again,
   * once whoever else is starting it had its turn. */
  else if (self->desired == SCALER_DESIRED_STATE_RUNNING && self->restart_idle == 0)
    self->restart_idle = g_idle_add (restart_idle_cb, self);
  _scaler_service_autoscaler_update_state (self);
}

static void
engine_changed_cb (ScalerEngineRegistry    *registry,
                   const char              *id,
                   ScalerServiceAutoscaler *self)
{
  g_assert (SCALER_IS_ENGINE_REGISTRY (registry));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (g_strcmp0 (id, self->id) == 0)
    bind_engine (self, scaler_engine_registry_get_engine (registry, id));
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ScalerServiceAutoscaler) self = user_data;
  g_autoptr(GError) error = NULL;
  ScalerEngine *engine;

  g_assert (SCALER_IS_ENGINE_REGISTRY (object));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  self->starting = FALSE;
  engine = scaler_engine_registry_start_finish (SCALER_ENGINE_REGISTRY (object), result, &error);
  if (engine == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_free (self->start_error);
      self->start_error = g_strdup (error->message);
      _scaler_service_autoscaler_log (self, SCALER_LOG_LEVEL_ERROR, _("Could not start: %s"), error->message);
    }
  /* The file changed while the secrets were looked up. */
  if (engine != NULL && self->config != scaler_engine_get_config (engine))
    _scaler_service_autoscaler_apply_config (self);
  _scaler_service_autoscaler_update_state (self);
}

void
_scaler_service_autoscaler_start (ScalerServiceAutoscaler *self)
{
  if (self->ctx->stopping || self->retired || self->config == NULL || self->starting
      || self->desired != SCALER_DESIRED_STATE_RUNNING
      || scaler_engine_registry_get_engine (self->ctx->registry, self->id) != NULL)
    return;

  self->starting = TRUE;
  g_clear_pointer (&self->start_error, g_free);
  _scaler_service_autoscaler_update_state (self);
  scaler_engine_registry_start_async (self->ctx->registry, self->config, self->state_dir, self->history,
                                      NULL, start_cb, g_object_ref (self));
}

static void
apply_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ScalerServiceAutoscaler) self = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_ENGINE_REGISTRY (object));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (!scaler_engine_registry_apply_config_finish (SCALER_ENGINE_REGISTRY (object), result, &error))
    _scaler_service_autoscaler_log (self, SCALER_LOG_LEVEL_ERROR,
                                    _("The new configuration could not be applied: %s"), error->message);
}

void
_scaler_service_autoscaler_apply_config (ScalerServiceAutoscaler *self)
{
  if (self->config == NULL)
    return;
  scaler_engine_registry_apply_config_async (self->ctx->registry, self->config, NULL, apply_cb, g_object_ref (self));
}

static void
stop_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ScalerServiceAutoscaler) self = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_ENGINE_REGISTRY (object));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (!scaler_engine_registry_stop_finish (SCALER_ENGINE_REGISTRY (object), result, &error))
    _scaler_service_autoscaler_log (self, SCALER_LOG_LEVEL_WARNING, _("The stop did not finish cleanly: %s"),
                                    error->message);
  _scaler_service_autoscaler_update_state (self);
}

void
_scaler_service_autoscaler_stop (ScalerServiceAutoscaler *self)
{
  g_clear_pointer (&self->start_error, g_free);
  scaler_engine_registry_stop_async (self->ctx->registry, self->id, 20.0, NULL, stop_cb, g_object_ref (self));
  _scaler_service_autoscaler_update_state (self);
}

/* ---- the config file ---- */

static void
set_config_properties (ScalerServiceAutoscaler *self)
{
  g_autofree char *json = self->config != NULL ? scaler_config_to_json (self->config) : NULL;

  g_object_freeze_notify (G_OBJECT (self->iface));
  scaler_dbus_autoscaler_set_name (self->iface, scaler_autoscaler_get_name (self->item));
  scaler_dbus_autoscaler_set_config (self->iface, json ? json : "");
  scaler_dbus_autoscaler_set_config_path (self->iface, scaler_autoscaler_get_path (self->item));
  scaler_dbus_autoscaler_set_demo (self->iface, self->config != NULL && self->config->demo);
  g_object_thaw_notify (G_OBJECT (self->iface));
}

/* The file was read again (store refresh, or our own Update). */
static void
item_changed_cb (ScalerAutoscaler        *item,
                 GParamSpec              *pspec,
                 ScalerServiceAutoscaler *self)
{
  ScalerConfig *config = scaler_autoscaler_get_config (item);
  const char *load_error = scaler_autoscaler_get_load_error (item);

  g_assert (SCALER_IS_AUTOSCALER (item));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (config != NULL && config != self->config)
    {
      g_autofree char *before = self->config != NULL ? scaler_config_to_json (self->config) : NULL;
      g_autofree char *after = scaler_config_to_json (config);

      g_clear_pointer (&self->config, scaler_config_unref);
      self->config = scaler_config_ref (config);
      if (self->engine != NULL && g_strcmp0 (before, after) != 0)
        {
          _scaler_service_autoscaler_log (self, SCALER_LOG_LEVEL_INFO,
                                          _("The configuration changed; it applies from the next cycle"));
          _scaler_service_autoscaler_apply_config (self);
        }
      else if (self->engine == NULL)
        _scaler_service_autoscaler_start (self);
    }
  else if (load_error != NULL && g_strcmp0 (load_error, self->logged_load_error) != 0)
    _scaler_service_autoscaler_log (self, SCALER_LOG_LEVEL_ERROR, _("The configuration file does not load: %s"),
                                    load_error);
  g_free (self->logged_load_error);
  self->logged_load_error = g_strdup (load_error);
  set_config_properties (self);
  _scaler_service_autoscaler_update_state (self);
}

/* ---- lifetime ---- */

static void
open_history (ScalerServiceAutoscaler *self)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  guint capacity = scaler_history_capacity_for_interval (self->config != NULL
                                                         ? self->config->polling_interval_time_min : 0);

  self->history = scaler_history_new (capacity);
  if (self->state_dir == NULL)
    return;
  path = g_build_filename (self->state_dir, "history", NULL);
  self->history_store = scaler_history_store_open (path, self->history, &error);
  if (self->history_store == NULL)
    g_warning ("The plots' history of %s is kept in memory only: %s", self->id, error->message);
}

static void
scaler_service_autoscaler_dispose (GObject *object)
{
  ScalerServiceAutoscaler *self = SCALER_SERVICE_AUTOSCALER (object);

  if (self->restart_idle != 0)
    g_clear_handle_id (&self->restart_idle, g_source_remove);
  if (self->ctx != NULL && self->ctx->registry != NULL)
    g_signal_handlers_disconnect_by_data (self->ctx->registry, self);
  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  if (self->history_store != NULL)
    scaler_history_store_flush (self->history_store);
  g_clear_object (&self->history_store);
  g_clear_object (&self->history);
  g_clear_object (&self->iface);
  g_clear_object (&self->object);

  G_OBJECT_CLASS (scaler_service_autoscaler_parent_class)->dispose (object);
}

static void
scaler_service_autoscaler_finalize (GObject *object)
{
  ScalerServiceAutoscaler *self = SCALER_SERVICE_AUTOSCALER (object);

  g_clear_object (&self->item);
  g_clear_pointer (&self->config, scaler_config_unref);
  g_clear_pointer (&self->last_result, scaler_cycle_result_unref);
  g_clear_pointer (&self->events, scaler_event_watch_free);
  g_queue_clear_full (&self->log, (GDestroyNotify) log_entry_free);
  g_free (self->id);
  g_free (self->state_dir);
  g_free (self->start_error);
  g_free (self->logged_load_error);

  G_OBJECT_CLASS (scaler_service_autoscaler_parent_class)->finalize (object);
}

static void
scaler_service_autoscaler_class_init (ScalerServiceAutoscalerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = scaler_service_autoscaler_dispose;
  object_class->finalize = scaler_service_autoscaler_finalize;
}

static void
scaler_service_autoscaler_init (ScalerServiceAutoscaler *self)
{
  g_queue_init (&self->log);
  self->events = scaler_event_watch_new ();
}

ScalerServiceAutoscaler *
scaler_service_autoscaler_new (ScalerServiceContext *ctx,
                               ScalerAutoscaler     *item)
{
  ScalerServiceAutoscaler *self;
  g_autofree char *path = NULL;

  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (SCALER_IS_AUTOSCALER (item), NULL);

  self = g_object_new (SCALER_TYPE_SERVICE_AUTOSCALER, NULL);
  self->ctx = ctx;
  self->item = g_object_ref (item);
  self->id = g_strdup (scaler_autoscaler_get_id (item));
  self->config = scaler_autoscaler_get_config (item) != NULL ? scaler_config_ref (scaler_autoscaler_get_config (item))
                                                             : NULL;
  /* Only a UUID names a state directory (a broken file's name could be "..."). */
  if (g_uuid_string_is_valid (self->id))
    self->state_dir = scaler_engine_registry_dup_state_dir (self->id);
  self->desired = self->state_dir != NULL ? scaler_desired_state_read (self->state_dir) : SCALER_DESIRED_STATE_STOPPED;
  self->logged_load_error = g_strdup (scaler_autoscaler_get_load_error (item));
  open_history (self);

  path = scaler_dbus_autoscaler_path (self->id);
  self->object = SCALER_DBUS_OBJECT_SKELETON (scaler_dbus_object_skeleton_new (path));
  self->iface = scaler_dbus_autoscaler_skeleton_new ();
  scaler_dbus_autoscaler_set_id (self->iface, self->id);
  scaler_dbus_autoscaler_set_desired_state (self->iface, scaler_desired_state_to_string (self->desired));
  scaler_dbus_autoscaler_set_state (self->iface, "stopped");
  scaler_dbus_autoscaler_set_error (self->iface, "");
  set_config_properties (self);
  _scaler_service_autoscaler_connect_methods (self);
  scaler_dbus_object_skeleton_set_autoscaler (self->object, self->iface);

  g_signal_connect (item, "notify::config", G_CALLBACK (item_changed_cb), self);
  g_signal_connect (item, "notify::load-error", G_CALLBACK (item_changed_cb), self);
  g_signal_connect (ctx->registry, "engine-changed", G_CALLBACK (engine_changed_cb), self);
  bind_engine (self, scaler_engine_registry_get_engine (ctx->registry, self->id));
  if (self->engine == NULL)
    _scaler_service_autoscaler_update_state (self);
  return self;
}

ScalerAutoscaler *
scaler_service_autoscaler_get_item (ScalerServiceAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_SERVICE_AUTOSCALER (self), NULL);
  return self->item;
}

GDBusObjectSkeleton *
scaler_service_autoscaler_get_object (ScalerServiceAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_SERVICE_AUTOSCALER (self), NULL);
  return G_DBUS_OBJECT_SKELETON (self->object);
}

void
scaler_service_autoscaler_resume (ScalerServiceAutoscaler *self)
{
  g_return_if_fail (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (self->desired == SCALER_DESIRED_STATE_RUNNING)
    {
      if (self->config == NULL)
        _scaler_service_autoscaler_log (self, SCALER_LOG_LEVEL_ERROR,
                                        _("Not resumed: the configuration file does not load"));
      _scaler_service_autoscaler_start (self);
    }
}

void
scaler_service_autoscaler_retire (ScalerServiceAutoscaler *self)
{
  g_return_if_fail (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (self->retired)
    return;
  self->retired = TRUE;
  if (self->restart_idle != 0)
    g_clear_handle_id (&self->restart_idle, g_source_remove);
  if (self->engine != NULL || self->starting)
    {
      _scaler_service_autoscaler_log (self, SCALER_LOG_LEVEL_INFO, _("The configuration file is gone: stopping"));
      scaler_engine_registry_stop_async (self->ctx->registry, self->id, 20.0, NULL, stop_cb, g_object_ref (self));
    }
  scaler_service_autoscaler_flush (self);
}

gboolean
scaler_service_autoscaler_set_desired (ScalerServiceAutoscaler  *self,
                                       ScalerDesiredState        desired,
                                       GError                  **error)
{
  g_return_val_if_fail (SCALER_IS_SERVICE_AUTOSCALER (self), FALSE);

  if (self->state_dir == NULL)
    {
      g_set_error (error, SCALER_DBUS_ERROR, SCALER_DBUS_ERROR_FAILED,
                   _("%s does not hold an autoscaler (its file does not load)"), self->id);
      return FALSE;
    }
  if (!scaler_desired_state_write (self->state_dir, desired, error))
    return FALSE;
  self->desired = desired;
  scaler_dbus_autoscaler_set_desired_state (self->iface, scaler_desired_state_to_string (desired));
  /* Clients see the new value before the method's reply. */
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self->iface));
  return TRUE;
}

void
scaler_service_autoscaler_flush (ScalerServiceAutoscaler *self)
{
  g_return_if_fail (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (self->history_store != NULL)
    scaler_history_store_flush (self->history_store);
}
