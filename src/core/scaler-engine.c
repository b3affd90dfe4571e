/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-engine.c: one running autoscaler (see scaler-engine.h). */

#define G_LOG_DOMAIN "scaler-engine"

#include "config.h"

#include "scaler-bootstrap.h"
#include "scaler-clearml-source.h"
#include "scaler-cycle.h"
#include "scaler-ec2-cloud.h"
#include "scaler-engine.h"
#include "scaler-error.h"
#include "scaler-ledger.h"
#include "scaler-sim.h"

/* The demo runs the simulator this many times faster than real time. */
#define DEMO_SPEED 60.0

struct _ScalerEngine
{
  GObject             parent_instance;

  ScalerConfig       *config;
  ScalerCloud        *cloud;
  ScalerQueueSource  *queues;
  char               *state_dir;
  char               *ledger_path;
  ScalerLedger       *ledger;          /* NULL until loaded, and while a cycle owns it */

  ScalerHistory      *history;
  ScalerCycleResult  *last_result;
  ScalerEngineState   state;
  char               *error_message;

  GMainContext       *context;
  GSource            *timer;
  GCancellable       *cycle_cancellable;
  gboolean            cycle_running;
  guint               cycle_count;
  GPtrArray          *next_waiters;    /* GTask*: want the next cycle's result */
  GPtrArray          *current_waiters; /* GTask*: want the running cycle's result */
  gboolean            terminate_idle;
  GPtrArray          *terminate_ids;   /* char* */

  ScalerNowFunc       now_func;
  gpointer            now_data;
  GDestroyNotify      now_destroy;
  double              time_scale;
  ScalerPriceFunc     price_func;
  gpointer            price_data;
  gboolean            autorun;
  gboolean            started;

  ScalerUserDataFunc  user_data_func;
  gpointer            user_data_data;
  GDestroyNotify      user_data_destroy;

  GTask              *stop_task;
  GCancellable       *stop_cancellable;
  GSource            *stop_timer;
  double              stop_timeout;

  GMutex              cloud_lock;      /* one cloud user at a time: cycle or console */
};

G_DEFINE_FINAL_TYPE (ScalerEngine, scaler_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  PROP_CONFIG,
  PROP_HISTORY,
  N_PROPS
};

enum {
  CYCLE_FINISHED,
  LOG_LINE,
  STATE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  ScalerCycleContext  ctx;
  ScalerConfig       *config;
  ScalerCloud        *cloud;
  ScalerQueueSource  *queues;
  ScalerLedger       *ledger;
  char               *ledger_path;
  char               *config_id;
  GStrv               terminate_ids;
  gboolean            on_stop_mode;
  ScalerOnStop        on_stop;
  char               *load_warning;
  char               *load_error;
  GMutex             *cloud_lock;
} CycleData;

static void start_cycle (ScalerEngine *self,
                         gboolean      on_stop_mode);

/* ---- enums ---- */

GType
scaler_engine_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { SCALER_ENGINE_STATE_STOPPED, "SCALER_ENGINE_STATE_STOPPED", "stopped" },
        { SCALER_ENGINE_STATE_STARTING, "SCALER_ENGINE_STATE_STARTING", "starting" },
        { SCALER_ENGINE_STATE_RUNNING, "SCALER_ENGINE_STATE_RUNNING", "running" },
        { SCALER_ENGINE_STATE_STOPPING, "SCALER_ENGINE_STATE_STOPPING", "stopping" },
        { SCALER_ENGINE_STATE_ERROR, "SCALER_ENGINE_STATE_ERROR", "error" },
        { 0, NULL, NULL }
      };
      GType type = g_enum_register_static (g_intern_static_string ("ScalerEngineState"), values);

      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

GType
scaler_log_level_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { SCALER_LOG_LEVEL_DEBUG, "SCALER_LOG_LEVEL_DEBUG", "debug" },
        { SCALER_LOG_LEVEL_INFO, "SCALER_LOG_LEVEL_INFO", "info" },
        { SCALER_LOG_LEVEL_WARNING, "SCALER_LOG_LEVEL_WARNING", "warning" },
        { SCALER_LOG_LEVEL_ERROR, "SCALER_LOG_LEVEL_ERROR", "error" },
        { 0, NULL, NULL }
      };
      GType type = g_enum_register_static (g_intern_static_string ("ScalerLogLevel"), values);

      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

const char *
scaler_engine_state_to_string (ScalerEngineState state)
{
  switch (state)
    {
    case SCALER_ENGINE_STATE_STOPPED: return "stopped";
    case SCALER_ENGINE_STATE_STARTING: return "starting";
    case SCALER_ENGINE_STATE_RUNNING: return "running";
    case SCALER_ENGINE_STATE_STOPPING: return "stopping";
    case SCALER_ENGINE_STATE_ERROR: return "error";
    default: return "unknown";
    }
}

/* ---- helpers ---- */

static void
emit_log (ScalerEngine   *self,
          ScalerLogLevel  level,
          const char     *format,
          ...) G_GNUC_PRINTF (3, 4);

static void
emit_log (ScalerEngine   *self,
          ScalerLogLevel  level,
          const char     *format,
          ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_signal_emit (self, signals[LOG_LINE], 0, level, text);
}

static void
set_state (ScalerEngine      *self,
           ScalerEngineState  state,
           const char        *error_message)
{
  gboolean changed = FALSE;

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      changed = TRUE;
    }
  if (g_strcmp0 (self->error_message, error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
      changed = TRUE;
    }
  if (changed)
    g_signal_emit (self, signals[STATE_CHANGED], 0);
}

static void
cycle_data_free (CycleData *data)
{
  g_clear_pointer (&data->config, scaler_config_unref);
  g_clear_object (&data->cloud);
  g_clear_object (&data->queues);
  g_clear_pointer (&data->ledger, scaler_ledger_free);
  g_free (data->ledger_path);
  g_free (data->config_id);
  g_strfreev (data->terminate_ids);
  g_free (data->load_warning);
  g_free (data->load_error);
  g_free (data);
}

static void
cycle_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CycleData *data = task_data;
  ScalerCycleResult *result;

  if (data->ledger == NULL)
    {
      g_autoptr(GError) error = NULL;

      if (data->ledger_path != NULL)
        data->ledger = scaler_ledger_load (data->ledger_path, data->config_id, &data->load_warning, &error);
      if (data->ledger == NULL)
        {
          if (error != NULL)
            data->load_error = g_strdup_printf ("Could not read the ledger: %s; starting from the tagged fleet",
                                                error->message);
          data->ledger = scaler_ledger_new (data->config_id);
        }
    }
  data->ctx.ledger = data->ledger;

  g_mutex_lock (data->cloud_lock);
  if (data->on_stop_mode)
    result = scaler_cycle_on_stop (&data->ctx, data->on_stop, cancellable);
  else
    result = scaler_cycle_run (&data->ctx, cancellable);
  g_mutex_unlock (data->cloud_lock);

  g_task_return_pointer (task, result, (GDestroyNotify) scaler_cycle_result_unref);
}

static gboolean
timer_cb (gpointer user_data)
{
  ScalerEngine *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  if (self->started && !self->cycle_running)
    start_cycle (self, FALSE);
  return G_SOURCE_REMOVE;
}

static void
arm_timer (ScalerEngine *self,
           gint64        delay_usec)
{
  double ms = (double) delay_usec / 1000.0 / MAX (self->time_scale, 1e-6);

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  self->timer = g_timeout_source_new ((guint) CLAMP (ms, 1.0, (double) G_MAXUINT));
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_set_name (self->timer, "[scaler] engine cycle timer");
  g_source_attach (self->timer, self->context);
}

static void
disarm_timer (ScalerEngine *self)
{
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
}

static void
finish_stop (ScalerEngine *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->stop_task);

  if (self->stop_timer != NULL)
    {
      g_source_destroy (self->stop_timer);
      g_clear_pointer (&self->stop_timer, g_source_unref);
    }
  g_clear_object (&self->stop_cancellable);
  set_state (self, SCALER_ENGINE_STATE_STOPPED, NULL);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
complete_waiters (GPtrArray         *waiters,
                  ScalerCycleResult *result,
                  const char        *error_message)
{
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (result != NULL)
        g_task_return_pointer (task, scaler_cycle_result_ref (result),
                               (GDestroyNotify) scaler_cycle_result_unref);
      else
        g_task_return_new_error (task, SCALER_ERROR, SCALER_ERROR_FAILED, "%s",
                                 error_message ? error_message : "The cycle did not run");
    }
  g_ptr_array_set_size (waiters, 0);
}

static void
cycle_done_cb (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  ScalerEngine *self = SCALER_ENGINE (object);
  CycleData *data = g_task_get_task_data (G_TASK (res));
  g_autoptr(ScalerCycleResult) result = g_task_propagate_pointer (G_TASK (res), NULL);
  gboolean on_stop_mode = data->on_stop_mode;

  self->cycle_running = FALSE;
  g_clear_object (&self->cycle_cancellable);
  self->ledger = g_steal_pointer (&data->ledger);

  if (data->load_warning != NULL)
    emit_log (self, SCALER_LOG_LEVEL_WARNING, "%s", data->load_warning);
  if (data->load_error != NULL)
    emit_log (self, SCALER_LOG_LEVEL_ERROR, "%s", data->load_error);

  if (result != NULL)
    {
      g_clear_pointer (&self->last_result, scaler_cycle_result_unref);
      self->last_result = scaler_cycle_result_ref (result);
      if (!on_stop_mode)
        scaler_history_add_result (self->history, result);
      for (guint i = 0; i < result->log_lines->len; i++)
        {
          ScalerLogLine *line = g_ptr_array_index (result->log_lines, i);

          g_signal_emit (self, signals[LOG_LINE], 0, line->level, line->text);
        }
      g_signal_emit (self, signals[CYCLE_FINISHED], 0, result);
    }

  complete_waiters (self->current_waiters, result, NULL);

  if (self->stop_task != NULL)
    {
      if (!on_stop_mode && self->config->on_stop != SCALER_ON_STOP_KEEP)
        start_cycle (self, TRUE);
      else
        {
          if (!on_stop_mode)
            emit_log (self, SCALER_LOG_LEVEL_INFO, "Stopped; on_stop is \"keep\": the instances keep running");
          finish_stop (self);
        }
      return;
    }

  /* Nobody holds the engine any more but this cycle: do not run on alone. */
  if (G_OBJECT (self)->ref_count <= 1)
    self->started = FALSE;

  if (result != NULL && self->started)
    {
      if (result->ok)
        set_state (self, SCALER_ENGINE_STATE_RUNNING, NULL);
      else
        set_state (self, SCALER_ENGINE_STATE_ERROR, result->error_message);
    }

  if (self->next_waiters->len > 0
      || (self->started && (self->terminate_idle || self->terminate_ids->len > 0)))
    start_cycle (self, FALSE);
  else if (self->started && self->autorun)
    arm_timer (self, result ? result->next_cycle_delay
                            : scaler_cycle_delay (self->config, 0));
}

static void
start_cycle (ScalerEngine *self,
             gboolean      on_stop_mode)
{
  g_autoptr(GTask) task = NULL;
  CycleData *data;
  GStrvBuilder *builder;

  g_assert (!self->cycle_running);

  disarm_timer (self);

  data = g_new0 (CycleData, 1);
  data->config = scaler_config_ref (self->config);
  data->cloud = g_object_ref (self->cloud);
  data->queues = g_object_ref (self->queues);
  data->ledger = g_steal_pointer (&self->ledger);
  data->ledger_path = g_strdup (self->ledger_path);
  data->config_id = g_strdup (self->config->id);
  data->on_stop_mode = on_stop_mode;
  data->on_stop = self->config->on_stop;
  data->cloud_lock = &self->cloud_lock;

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->terminate_ids->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->terminate_ids, i));
  data->terminate_ids = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  g_ptr_array_set_size (self->terminate_ids, 0);

  data->ctx.config = data->config;
  data->ctx.cloud = data->cloud;
  data->ctx.queues = data->queues;
  data->ctx.ledger_path = data->ledger_path;
  data->ctx.now_func = self->now_func;
  data->ctx.now_data = self->now_data;
  data->ctx.env.on_demand_price = self->price_func;
  data->ctx.env.price_user_data = self->price_data;
  data->ctx.env.terminate_idle_now = self->terminate_idle;
  data->ctx.user_data_func = self->user_data_func;
  data->ctx.user_data_data = self->user_data_data;
  data->ctx.terminate_ids = (const char * const *) data->terminate_ids;
  data->ctx.cycle = ++self->cycle_count;
  self->terminate_idle = FALSE;

  self->cycle_running = TRUE;
  g_ptr_array_extend_and_steal (self->current_waiters, self->next_waiters);
  self->next_waiters = g_ptr_array_new_with_free_func (g_object_unref);

  if (on_stop_mode)
    self->cycle_cancellable = g_object_ref (self->stop_cancellable);
  else
    self->cycle_cancellable = g_cancellable_new ();

  task = g_task_new (self, self->cycle_cancellable, cycle_done_cb, NULL);
  g_task_set_source_tag (task, start_cycle);
  g_task_set_name (task, "[scaler] cycle");
  g_task_set_task_data (task, data, (GDestroyNotify) cycle_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  /* A cancelled cycle still returns its (partial) result. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, cycle_thread);
}

/* ---- GObject ---- */

static void
scaler_engine_dispose (GObject *object)
{
  ScalerEngine *self = SCALER_ENGINE (object);

  self->started = FALSE;
  disarm_timer (self);
  if (self->cycle_cancellable != NULL)
    g_cancellable_cancel (self->cycle_cancellable);
  if (self->stop_timer != NULL)
    {
      g_source_destroy (self->stop_timer);
      g_clear_pointer (&self->stop_timer, g_source_unref);
    }

  G_OBJECT_CLASS (scaler_engine_parent_class)->dispose (object);
}

static void
scaler_engine_finalize (GObject *object)
{
  ScalerEngine *self = SCALER_ENGINE (object);

  g_clear_pointer (&self->config, scaler_config_unref);
  g_clear_object (&self->cloud);
  g_clear_object (&self->queues);
  g_free (self->state_dir);
  g_free (self->ledger_path);
  g_clear_pointer (&self->ledger, scaler_ledger_free);
  g_clear_object (&self->history);
  g_clear_pointer (&self->last_result, scaler_cycle_result_unref);
  g_free (self->error_message);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cycle_cancellable);
  g_ptr_array_unref (self->next_waiters);
  g_ptr_array_unref (self->current_waiters);
  g_ptr_array_unref (self->terminate_ids);
  if (self->now_destroy)
    self->now_destroy (self->now_data);
  if (self->user_data_destroy)
    self->user_data_destroy (self->user_data_data);
  g_clear_object (&self->stop_cancellable);
  g_mutex_clear (&self->cloud_lock);

  G_OBJECT_CLASS (scaler_engine_parent_class)->finalize (object);
}

static void
scaler_engine_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ScalerEngine *self = SCALER_ENGINE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case PROP_CONFIG:
      g_value_set_boxed (value, self->config);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_engine_class_init (ScalerEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = scaler_engine_dispose;
  object_class->finalize = scaler_engine_finalize;
  object_class->get_property = scaler_engine_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SCALER_TYPE_ENGINE_STATE, SCALER_ENGINE_STATE_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONFIG] =
    g_param_spec_boxed ("config", NULL, NULL, SCALER_TYPE_CONFIG,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, SCALER_TYPE_HISTORY,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CYCLE_FINISHED] =
    g_signal_new ("cycle-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SCALER_TYPE_CYCLE_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[LOG_LINE] =
    g_signal_new ("log-line",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SCALER_TYPE_LOG_LEVEL, G_TYPE_STRING);
  signals[STATE_CHANGED] =
    g_signal_new ("state-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
scaler_engine_init (ScalerEngine *self)
{
  g_mutex_init (&self->cloud_lock);
  self->context = g_main_context_ref_thread_default ();
  self->next_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->current_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->terminate_ids = g_ptr_array_new_with_free_func (g_free);
  self->time_scale = 1.0;
  self->autorun = TRUE;
}

/* ---- public API ---- */

ScalerEngine *
scaler_engine_new (ScalerConfig      *config,
                   ScalerCloud       *cloud,
                   ScalerQueueSource *queues,
                   const char        *state_dir)
{
  ScalerEngine *self;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (SCALER_IS_CLOUD (cloud), NULL);
  g_return_val_if_fail (SCALER_IS_QUEUE_SOURCE (queues), NULL);

  self = g_object_new (SCALER_TYPE_ENGINE, NULL);
  self->config = scaler_config_ref (config);
  self->cloud = g_object_ref (cloud);
  self->queues = g_object_ref (queues);
  self->state_dir = g_strdup (state_dir);
  if (state_dir != NULL)
    self->ledger_path = g_build_filename (state_dir, SCALER_LEDGER_FILE, NULL);
  self->history = scaler_history_new (scaler_history_capacity_for_interval (config->polling_interval_time_min));
  return self;
}

typedef struct
{
  ScalerSecrets *secrets;
} UserDataClosure;

static void
user_data_closure_free (gpointer data)
{
  UserDataClosure *closure = data;

  g_clear_pointer (&closure->secrets, scaler_secrets_free);
  g_free (closure);
}

static char *
bootstrap_user_data (const ScalerConfig   *config,
                     const ScalerResource *resource,
                     gpointer              user_data,
                     GError              **error)
{
  UserDataClosure *closure = user_data;

  return scaler_bootstrap_generate (config, resource, closure->secrets, error);
}

ScalerEngine *
scaler_engine_new_for_config (ScalerConfig        *config,
                              const ScalerSecrets *secrets,
                              const char          *state_dir,
                              GError             **error)
{
  g_return_val_if_fail (config != NULL, NULL);

  if (config->demo)
    {
      g_autoptr(ScalerSim) sim = scaler_sim_new_demo (config, DEMO_SPEED);
      ScalerEngine *self = scaler_engine_new (config, SCALER_CLOUD (sim), SCALER_QUEUE_SOURCE (sim), state_dir);

      scaler_engine_set_clock (self, scaler_sim_now, g_object_ref (sim), g_object_unref);
      scaler_engine_set_time_scale (self, DEMO_SPEED);
      return self;
    }

  {
    g_autoptr(GObject) cloud = NULL;
    g_autoptr(GObject) queues = NULL;
    ScalerEngine *self;
    UserDataClosure *closure;

    cloud = (GObject *) scaler_ec2_cloud_new (config, secrets, error);
    if (cloud == NULL)
      return NULL;
    queues = (GObject *) scaler_clearml_source_new (config, secrets, error);
    if (queues == NULL)
      return NULL;
    self = scaler_engine_new (config, SCALER_CLOUD (cloud), SCALER_QUEUE_SOURCE (queues), state_dir);
    closure = g_new0 (UserDataClosure, 1);
    closure->secrets = secrets ? scaler_secrets_copy (secrets) : NULL;
    self->user_data_func = bootstrap_user_data;
    self->user_data_data = closure;
    self->user_data_destroy = user_data_closure_free;
    return self;
  }
}

void
scaler_engine_set_clock (ScalerEngine   *self,
                         ScalerNowFunc   now_func,
                         gpointer        user_data,
                         GDestroyNotify  destroy)
{
  g_return_if_fail (SCALER_IS_ENGINE (self));
  g_return_if_fail (!self->cycle_running);

  if (self->now_destroy)
    self->now_destroy (self->now_data);
  self->now_func = now_func;
  self->now_data = user_data;
  self->now_destroy = destroy;
}

void
scaler_engine_set_time_scale (ScalerEngine *self,
                              double        clock_seconds_per_second)
{
  g_return_if_fail (SCALER_IS_ENGINE (self));
  g_return_if_fail (clock_seconds_per_second > 0);
  self->time_scale = clock_seconds_per_second;
}

void
scaler_engine_set_price_func (ScalerEngine    *self,
                              ScalerPriceFunc  func,
                              gpointer         user_data)
{
  g_return_if_fail (SCALER_IS_ENGINE (self));
  self->price_func = func;
  self->price_data = user_data;
}

void
scaler_engine_set_autorun (ScalerEngine *self,
                           gboolean      autorun)
{
  g_return_if_fail (SCALER_IS_ENGINE (self));
  self->autorun = !!autorun;
}

ScalerConfig *
scaler_engine_get_config (ScalerEngine *self)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), NULL);
  return self->config;
}

ScalerCloud *
scaler_engine_get_cloud (ScalerEngine *self)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), NULL);
  return self->cloud;
}

ScalerQueueSource *
scaler_engine_get_queues (ScalerEngine *self)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), NULL);
  return self->queues;
}

ScalerHistory *
scaler_engine_get_history (ScalerEngine *self)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), NULL);
  return self->history;
}

ScalerEngineState
scaler_engine_get_state (ScalerEngine *self)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), SCALER_ENGINE_STATE_STOPPED);
  return self->state;
}

const char *
scaler_engine_get_error_message (ScalerEngine *self)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), NULL);
  return self->error_message;
}

ScalerCycleResult *
scaler_engine_get_last_result (ScalerEngine *self)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), NULL);
  return self->last_result;
}

gboolean
scaler_engine_is_cycle_running (ScalerEngine *self)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), FALSE);
  return self->cycle_running;
}

const char *
scaler_engine_get_state_dir (ScalerEngine *self)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), NULL);
  return self->state_dir;
}

void
scaler_engine_start (ScalerEngine *self)
{
  g_return_if_fail (SCALER_IS_ENGINE (self));

  if (self->started || self->stop_task != NULL)
    return;
  self->started = TRUE;
  set_state (self, SCALER_ENGINE_STATE_STARTING, NULL);
  emit_log (self, SCALER_LOG_LEVEL_INFO, "Starting \"%s\" (%s, polling every %g min%s)",
            self->config->name, self->config->id, self->config->polling_interval_time_min,
            self->config->demo ? ", simulated demo" : "");
  if (!self->cycle_running)
    start_cycle (self, FALSE);
}

static gboolean
stop_timeout_cb (gpointer user_data)
{
  ScalerEngine *self = user_data;

  g_clear_pointer (&self->stop_timer, g_source_unref);
  if (self->stop_cancellable != NULL)
    g_cancellable_cancel (self->stop_cancellable);
  if (self->cycle_cancellable != NULL)
    g_cancellable_cancel (self->cycle_cancellable);
  return G_SOURCE_REMOVE;
}

void
scaler_engine_stop_async (ScalerEngine        *self,
                          double               timeout_s,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SCALER_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_engine_stop_async);

  if (self->stop_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "The engine is already stopping");
      return;
    }
  if (!self->started && !self->cycle_running)
    {
      set_state (self, SCALER_ENGINE_STATE_STOPPED, NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }

  self->started = FALSE;
  disarm_timer (self);
  self->stop_task = g_steal_pointer (&task);
  self->stop_timeout = timeout_s > 0 ? timeout_s : 20.0;
  self->stop_cancellable = g_cancellable_new ();
  self->stop_timer = g_timeout_source_new ((guint) (self->stop_timeout * 1000));
  g_source_set_callback (self->stop_timer, stop_timeout_cb, self, NULL);
  g_source_attach (self->stop_timer, self->context);
  set_state (self, SCALER_ENGINE_STATE_STOPPING, NULL);
  emit_log (self, SCALER_LOG_LEVEL_INFO, "Stopping (on_stop: %s)", scaler_on_stop_to_string (self->config->on_stop));

  if (self->cycle_running)
    g_cancellable_cancel (self->cycle_cancellable);
  else if (self->config->on_stop != SCALER_ON_STOP_KEEP)
    start_cycle (self, TRUE);
  else
    {
      emit_log (self, SCALER_LOG_LEVEL_INFO, "Stopped; on_stop is \"keep\": the instances keep running");
      finish_stop (self);
    }
}

gboolean
scaler_engine_stop_finish (ScalerEngine  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
scaler_engine_run_cycle_async (ScalerEngine        *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SCALER_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_engine_run_cycle_async);
  if (self->stop_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "The engine is stopping");
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (self->next_waiters, task);
  if (!self->cycle_running)
    start_cycle (self, FALSE);
}

ScalerCycleResult *
scaler_engine_run_cycle_finish (ScalerEngine  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
scaler_engine_terminate_idle_now (ScalerEngine *self)
{
  g_return_if_fail (SCALER_IS_ENGINE (self));

  self->terminate_idle = TRUE;
  emit_log (self, SCALER_LOG_LEVEL_INFO, "Terminate idle now: idle workers go in the next cycle");
  if (self->started && !self->cycle_running)
    start_cycle (self, FALSE);
}

gboolean
scaler_engine_terminate_instance (ScalerEngine  *self,
                                  const char    *instance_id,
                                  GError       **error)
{
  gboolean found = FALSE;

  g_return_val_if_fail (SCALER_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (instance_id != NULL, FALSE);

  for (guint i = 0; self->last_result != NULL && i < self->last_result->instances->len && !found; i++)
    {
      ScalerInstanceRow *row = g_ptr_array_index (self->last_result->instances, i);

      found = g_strcmp0 (row->instance_id, instance_id) == 0;
    }
  if (!found)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED,
                   "%s is not an instance of this autoscaler's tagged fleet", instance_id);
      return FALSE;
    }
  if (!self->started)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED,
                   "The autoscaler is not running: start it to terminate %s", instance_id);
      return FALSE;
    }
  g_ptr_array_add (self->terminate_ids, g_strdup (instance_id));
  emit_log (self, SCALER_LOG_LEVEL_INFO, "Termination of %s requested", instance_id);
  if (!self->cycle_running)
    start_cycle (self, FALSE);
  return TRUE;
}

typedef struct
{
  ScalerCloud *cloud;
  char        *instance_id;
  GMutex      *cloud_lock;
} ConsoleData;

static void
console_data_free (ConsoleData *data)
{
  g_clear_object (&data->cloud);
  g_free (data->instance_id);
  g_free (data);
}

static void
console_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ConsoleData *data = task_data;
  GError *error = NULL;
  char *output;

  g_mutex_lock (data->cloud_lock);
  output = scaler_cloud_get_console_output (data->cloud, data->instance_id, cancellable, &error);
  g_mutex_unlock (data->cloud_lock);
  if (output == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, output, g_free);
}

void
scaler_engine_get_console_output_async (ScalerEngine        *self,
                                        const char          *instance_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ConsoleData *data;
  gboolean found = FALSE;

  g_return_if_fail (SCALER_IS_ENGINE (self));
  g_return_if_fail (instance_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_engine_get_console_output_async);
  for (guint i = 0; self->last_result != NULL && i < self->last_result->instances->len && !found; i++)
    found = g_strcmp0 (((ScalerInstanceRow *) g_ptr_array_index (self->last_result->instances, i))->instance_id,
                       instance_id) == 0;
  if (!found)
    {
      g_task_return_new_error (task, SCALER_ERROR, SCALER_ERROR_FAILED,
                               "%s is not an instance of this autoscaler's tagged fleet", instance_id);
      return;
    }
  data = g_new0 (ConsoleData, 1);
  data->cloud = g_object_ref (self->cloud);
  data->instance_id = g_strdup (instance_id);
  data->cloud_lock = &self->cloud_lock;
  g_task_set_task_data (task, data, (GDestroyNotify) console_data_free);
  g_task_run_in_thread (task, console_thread);
}

char *
scaler_engine_get_console_output_finish (ScalerEngine  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
