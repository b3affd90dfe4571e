/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-engine.c: one running autoscaler (see scaler-engine.h). */

#define G_LOG_DOMAIN "scaler-engine"

#include "config.h"

#include "scaler-cycle.h"
#include "scaler-engine.h"
#include "scaler-error.h"
#include "scaler-ledger.h"
#include "scaler-policy.h"

/* Ownership rules (scaler-engine.h has the public side):
 * - The engine runs only while its owner holds it. A cycle in flight holds
 *   the engine through a GWeakRef only: when the last reference goes, dispose
 *   cancels the cycle, its result is dropped and nothing runs on alone. To
 *   honour on_stop, stop the engine before dropping it.
 * - The cycle's worker thread never touches the engine: it works on its own
 *   references to the config, the seams and the ledger (CycleData).
 * - One cloud user at a time (the cycle, or a console-output request): the
 *   lock is a ref-counted box shared by the engine and every task, so it
 *   outlives the engine when a worker still holds it.
 * - Stop keeps the engine alive (its GTask holds it) until on_stop is done. */

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

  GMutex             *cloud_lock;      /* g_atomic_rc_box: shared with the tasks (see above) */
  gint64              log_time;        /* of the line being emitted (log-line) */
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
  GMutex             *cloud_lock;      /* a reference to the engine's box */
  GWeakRef            engine;          /* never a strong reference: see above */
} CycleData;

static void start_cycle (ScalerEngine *self,
                         gboolean      on_stop_mode);

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
  self->log_time = scaler_engine_get_time (self);
  g_signal_emit (self, signals[LOG_LINE], 0, level, text);
}

static void
cloud_lock_release (GMutex *lock)
{
  g_atomic_rc_box_release_full (lock, (GDestroyNotify) g_mutex_clear);
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
  g_clear_pointer (&data->cloud_lock, cloud_lock_release);
  g_weak_ref_clear (&data->engine);
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

  g_assert (G_IS_TASK (task));

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

  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (data->cloud_lock);

    if (data->on_stop_mode)
      result = scaler_cycle_on_stop (&data->ctx, data->on_stop, cancellable);
    else
      result = scaler_cycle_run (&data->ctx, cancellable);
  }

  g_task_return_pointer (task, result, (GDestroyNotify) scaler_cycle_result_unref);
}

static gboolean
timer_cb (gpointer user_data)
{
  ScalerEngine *self = user_data;

  g_assert (SCALER_IS_ENGINE (self));

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
emit_result_lines (ScalerEngine      *self,
                   ScalerCycleResult *result)
{
  for (guint i = 0; i < result->log_lines->len; i++)
    {
      ScalerLogLine *line = g_ptr_array_index (result->log_lines, i);

      self->log_time = line->time;
      g_signal_emit (self, signals[LOG_LINE], 0, line->level, line->text);
    }
}

static void
cycle_done_cb (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  CycleData *data = g_task_get_task_data (G_TASK (res));
  g_autoptr(ScalerEngine) self = g_weak_ref_get (&data->engine);
  g_autoptr(ScalerCycleResult) result = g_task_propagate_pointer (G_TASK (res), NULL);
  gboolean on_stop_mode = data->on_stop_mode;

  g_assert (self == NULL || SCALER_IS_ENGINE (self));

  /* The owner let go of the engine during the cycle: nothing runs on. The
   * cycle saved the ledger as it went. */
  if (self == NULL)
    return;

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
      emit_result_lines (self, result);
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
                            : scaler_policy_next_cycle_delay (self->config, 0));
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
  data->cloud_lock = g_atomic_rc_box_acquire (self->cloud_lock);
  g_weak_ref_init (&data->engine, self);

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

  /* No source object: the task must not keep the engine alive. */
  task = g_task_new (NULL, self->cycle_cancellable, cycle_done_cb, NULL);
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
  g_clear_pointer (&self->cloud_lock, cloud_lock_release);

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
  self->cloud_lock = g_atomic_rc_box_new0 (GMutex);
  g_mutex_init (self->cloud_lock);
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

void
scaler_engine_set_user_data_func (ScalerEngine       *self,
                                  ScalerUserDataFunc  func,
                                  gpointer            user_data,
                                  GDestroyNotify      destroy)
{
  g_return_if_fail (SCALER_IS_ENGINE (self));

  if (self->user_data_destroy)
    self->user_data_destroy (self->user_data_data);
  self->user_data_func = func;
  self->user_data_data = user_data;
  self->user_data_destroy = destroy;
}

void
scaler_engine_set_history (ScalerEngine  *self,
                           ScalerHistory *history)
{
  g_return_if_fail (SCALER_IS_ENGINE (self));
  g_return_if_fail (SCALER_IS_HISTORY (history));

  if (g_set_object (&self->history, history))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

void
scaler_engine_set_config (ScalerEngine *self,
                          ScalerConfig *config)
{
  g_return_if_fail (SCALER_IS_ENGINE (self));
  g_return_if_fail (config != NULL);
  g_return_if_fail (g_strcmp0 (config->id, self->config->id) == 0);

  if (config == self->config)
    return;
  scaler_config_ref (config);
  g_clear_pointer (&self->config, scaler_config_unref);
  self->config = config;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
}

void
scaler_engine_set_seams (ScalerEngine      *self,
                         ScalerCloud       *cloud,
                         ScalerQueueSource *queues)
{
  g_return_if_fail (SCALER_IS_ENGINE (self));
  g_return_if_fail (SCALER_IS_CLOUD (cloud));
  g_return_if_fail (SCALER_IS_QUEUE_SOURCE (queues));

  g_set_object (&self->cloud, cloud);
  g_set_object (&self->queues, queues);
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

gint64
scaler_engine_get_time (ScalerEngine *self)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), 0);
  return self->now_func != NULL ? self->now_func (self->now_data) : g_get_real_time ();
}

gint64
scaler_engine_get_log_line_time (ScalerEngine *self)
{
  g_return_val_if_fail (SCALER_IS_ENGINE (self), 0);
  return self->log_time;
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

  g_assert (SCALER_IS_ENGINE (self));

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
  g_clear_pointer (&data->cloud_lock, cloud_lock_release);
  g_free (data);
}

static void
console_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ConsoleData *data = task_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (data->cloud_lock);
  GError *error = NULL;
  char *output;

  g_assert (G_IS_TASK (task));

  output = scaler_cloud_get_console_output (data->cloud, data->instance_id, cancellable, &error);
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
  data->cloud_lock = g_atomic_rc_box_acquire (self->cloud_lock);
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
