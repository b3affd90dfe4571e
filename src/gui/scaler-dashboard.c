/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-dashboard"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-dashboard-private.h"
#include "scaler-dashboard-row.h"
#include "scaler-gui-util.h"

G_DEFINE_FINAL_TYPE (ScalerDashboard, scaler_dashboard, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_AUTOSCALER,
  PROP_WINDOW_HOURS,
  N_PROPS
};

enum {
  TOAST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* --- toasts and notifications -------------------------------------------- */

static void
scaler_dashboard_toast (ScalerDashboard *self,
                        const char      *title)
{
  gboolean handled = FALSE;

  g_signal_emit (self, signals[TOAST], 0, title, &handled);
  if (!handled)
    scaler_gui_add_toast (GTK_WIDGET (self), "%s", title);
}

/* --- derived series -------------------------------------------------------- */

static double
sum_series_at (GPtrArray  *all,
               const char *prefix,
               gint64      t)
{
  double sum = 0.0;

  for (guint i = 0; i < all->len; i++)
    {
      ScalerSeries *series = g_ptr_array_index (all, i);
      guint idx;
      gint64 st;
      double v;

      if (!g_str_has_prefix (scaler_series_get_name (series), prefix))
        continue;
      idx = scaler_series_lower_bound (series, t);
      if (idx >= scaler_series_get_n_samples (series))
        continue;
      scaler_series_get_sample (series, idx, &st, &v);
      if (st == t)
        sum += v;
    }

  return sum;
}

static void
rebuild_derived_series (ScalerDashboard *self,
                        ScalerHistory   *history)
{
  guint capacity = history ? scaler_history_get_capacity (history) : 16;
  ScalerSeries *idle;
  GPtrArray *all;

  g_clear_object (&self->running_series);
  g_clear_object (&self->pending_series);
  self->running_series = scaler_series_new ("running-instances", capacity);
  self->pending_series = scaler_series_new ("pending-tasks", capacity);

  if (history == NULL)
    return;

  idle = scaler_history_get_idle_workers (history);
  all = scaler_history_list_series (history);
  for (guint i = 0; i < scaler_series_get_n_samples (idle); i++)
    {
      gint64 t;

      scaler_series_get_sample (idle, i, &t, NULL);
      scaler_series_append (self->running_series, t, sum_series_at (all, "instances:", t));
      scaler_series_append (self->pending_series, t, sum_series_at (all, "pending:", t));
    }
}

static void
setup_plots (ScalerDashboard *self)
{
  ScalerHistory *history = self->autoscaler ? scaler_client_autoscaler_get_history (self->autoscaler) : NULL;

  scaler_plot_remove_all_series (self->workers_plot);
  scaler_plot_remove_all_series (self->usage_plot);
  scaler_plot_remove_all_series (self->cost_plot);

  rebuild_derived_series (self, history);

  if (history != NULL)
    {
      scaler_plot_add_series (self->workers_plot, scaler_history_get_busy_workers (history),
                              _("Busy"), SCALER_PLOT_COLOR_ACCENT, SCALER_PLOT_STYLE_STEP, TRUE);
      scaler_plot_add_series (self->workers_plot, scaler_history_get_idle_workers (history),
                              _("Idle"), SCALER_PLOT_COLOR_WARNING, SCALER_PLOT_STYLE_STEP, FALSE);
    }
  scaler_plot_add_series (self->workers_plot, self->pending_series,
                          _("Pending"), SCALER_PLOT_COLOR_PURPLE, SCALER_PLOT_STYLE_STEP, FALSE);
  scaler_plot_add_series (self->usage_plot, self->running_series,
                          _("Instances"), SCALER_PLOT_COLOR_ACCENT, SCALER_PLOT_STYLE_STEP, TRUE);
  if (history != NULL)
    scaler_plot_add_series (self->cost_plot, scaler_history_get_usd_per_hour (history),
                            _("Cost"), SCALER_PLOT_COLOR_SUCCESS, SCALER_PLOT_STYLE_STEP, TRUE);
}

static void
update_limits (ScalerDashboard *self)
{
  ScalerConfig *config = scaler_dashboard_get_config (self);
  guint max = _scaler_dashboard_config_max_instances (config);
  g_autofree char *max_label = NULL;
  g_autofree char *budget_label = NULL;

  if (max > 0)
    /* TRANSLATORS: legend of the cap line in the Usage plot */
    max_label = g_strdup_printf (_("Max %u"), max);
  scaler_plot_set_limit (self->usage_plot, max, max_label);

  if (config != NULL && config->hourly_budget_usd > 0)
    /* TRANSLATORS: legend of the budget line in the Cost plot */
    budget_label = g_strdup_printf (_("Budget $%.2f/h"), config->hourly_budget_usd);
  scaler_plot_set_limit (self->cost_plot, config ? config->hourly_budget_usd : 0.0, budget_label);
}

/* --- the autoscaler's signals ------------------------------------------------ */

static void
scaler_dashboard_cycle_finished_cb (ScalerDashboard   *self,
                                    ScalerCycleResult *result)
{
  g_assert (SCALER_IS_DASHBOARD (self));

  if (self->filled)
    scaler_dashboard_apply_result (self, result);
}

/* Lines carry the autoscaler's clock, like the plots (a demo's simulator
 * runs ahead of the wall clock). */
static void
scaler_dashboard_log_line_cb (ScalerDashboard *self,
                              gint64           time,
                              ScalerLogLevel   level,
                              const char      *text)
{
  g_assert (SCALER_IS_DASHBOARD (self));

  if (self->filled)
    scaler_log_view_append_full (self->log_view, time, level, text);
}

static void
scaler_dashboard_state_changed_cb (ScalerDashboard *self)
{
  g_assert (SCALER_IS_DASHBOARD (self));

  _scaler_dashboard_update_header (self);
}

static void
append_log_line (const ScalerClientLogLine *line,
                 gpointer                   user_data)
{
  ScalerDashboard *self = user_data;

  scaler_log_view_append_full (self->log_view, line->time, line->level, line->text);
}

/* Once the history, the backlog and the last cycle arrived: all at once. */
static void
fill (ScalerDashboard *self)
{
  ScalerCycleResult *last;

  if (self->autoscaler == NULL || self->filled || !scaler_client_autoscaler_is_loaded (self->autoscaler))
    return;
  self->filled = TRUE;
  setup_plots (self);
  update_limits (self);
  scaler_log_view_clear (self->log_view);
  scaler_client_autoscaler_foreach_log_line (self->autoscaler, append_log_line, self);
  last = scaler_client_autoscaler_get_last_result (self->autoscaler);
  if (last != NULL)
    scaler_dashboard_apply_result (self, last);
  _scaler_dashboard_show_configured_resources (self);
  _scaler_dashboard_update_header (self);
}

static void
scaler_dashboard_config_changed_cb (ScalerDashboard *self)
{
  g_assert (SCALER_IS_DASHBOARD (self));

  update_limits (self);
  _scaler_dashboard_show_configured_resources (self);
  _scaler_dashboard_update_header (self);
}

/* --- actions --------------------------------------------------------------- */

/* A method of the autoscaler; its error becomes a toast "@failure: error"
 * ("Could not start: ..."), its success the toast @success (nullable). */
typedef struct
{
  ScalerDashboard *self;
  char            *failure;
  char            *success;
} CallData;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = scaler_client_autoscaler_call_finish (SCALER_CLIENT_AUTOSCALER (object), result, &error);
  g_autofree char *title = NULL;

  g_assert (G_IS_ASYNC_RESULT (result));

  if (reply == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* TRANSLATORS: what could not be done, then the service's error */
    title = g_strdup_printf (_("%s: %s"), data->failure, error->message);
  else if (reply != NULL && data->success != NULL)
    title = g_strdup (data->success);
  if (title != NULL)
    scaler_dashboard_toast (data->self, title);
  g_object_unref (data->self);
  g_free (data->failure);
  g_free (data->success);
  g_free (data);
}

static void
call_method (ScalerDashboard *self,
             const char      *method,
             GVariant        *parameters,
             const char      *failure,
             const char      *success)
{
  CallData *data;

  if (self->autoscaler == NULL)
    {
      if (parameters != NULL)
        g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }
  data = g_new0 (CallData, 1);
  data->self = g_object_ref (self);
  data->failure = g_strdup (failure);
  data->success = g_strdup (success);
  scaler_client_autoscaler_call (self->autoscaler, method, parameters, -1, self->cancellable, call_done_cb, data);
}

static void
scaler_dashboard_start_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  call_method (SCALER_DASHBOARD (widget), "Start", NULL, _("Could not start"), NULL);
}

static void
scaler_dashboard_stop_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  call_method (SCALER_DASHBOARD (widget), "Stop", NULL, _("Could not stop cleanly"), NULL);
}

static void
scaler_dashboard_terminate_idle_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  call_method (SCALER_DASHBOARD (widget), "TerminateIdleNow", NULL,
               _("Could not terminate idle instances"), _("Idle instances are being terminated"));
}

static void
scaler_dashboard_copy_id_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  ScalerDashboard *self = SCALER_DASHBOARD (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autofree char *title = g_strdup_printf (_("Copied “%s”"), id);

  g_assert (SCALER_IS_DASHBOARD (widget));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), id);
  scaler_dashboard_toast (self, title);
}

static void
scaler_dashboard_show_boot_log_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  _scaler_dashboard_show_boot_log (SCALER_DASHBOARD (widget), g_variant_get_string (parameter, NULL));
}

static void
terminate_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       ScalerDashboard  *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "instance-id");
  g_autofree char *failure = NULL;
  g_autofree char *success = NULL;

  g_assert (SCALER_IS_DASHBOARD (self));

  if (g_strcmp0 (response, "terminate") != 0 || self->autoscaler == NULL)
    return;

  failure = g_strdup_printf (_("Could not terminate %s"), id);
  success = g_strdup_printf (_("Terminating %s"), id);
  call_method (self, "TerminateInstance", g_variant_new ("(s)", id), failure, success);
}

static void
scaler_dashboard_terminate_instance_action (GtkWidget  *widget,
                                            const char *action_name,
                                            GVariant   *parameter)
{
  ScalerDashboard *self = SCALER_DASHBOARD (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  g_assert (SCALER_IS_DASHBOARD (widget));

  if (self->autoscaler == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Terminate Instance?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Instance %s will be terminated. A task running on it is lost; "
                                    "if tasks are still pending, the autoscaler may launch a new instance."),
                                  id);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "terminate", _("_Terminate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "terminate",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "instance-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (terminate_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- GObject ---------------------------------------------------------------- */

static void
scaler_dashboard_dispose (GObject *object)
{
  ScalerDashboard *self = SCALER_DASHBOARD (object);

  g_cancellable_cancel (self->cancellable);
  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_DASHBOARD);

  g_clear_object (&self->signals);
  g_clear_object (&self->autoscaler);
  g_clear_pointer (&self->config, scaler_config_unref);
  g_clear_object (&self->resources_store);
  g_clear_object (&self->instances_store);
  g_clear_object (&self->running_series);
  g_clear_object (&self->pending_series);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (scaler_dashboard_parent_class)->dispose (object);
}

static void
scaler_dashboard_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ScalerDashboard *self = SCALER_DASHBOARD (object);

  switch (prop_id)
    {
    case PROP_AUTOSCALER:
      g_value_set_object (value, self->autoscaler);
      break;
    case PROP_WINDOW_HOURS:
      g_value_set_int (value, self->window_hours);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_dashboard_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ScalerDashboard *self = SCALER_DASHBOARD (object);

  switch (prop_id)
    {
    case PROP_AUTOSCALER:
      scaler_dashboard_set_autoscaler (self, g_value_get_object (value));
      break;
    case PROP_WINDOW_HOURS:
      scaler_dashboard_set_window_hours (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_dashboard_class_init (ScalerDashboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scaler_dashboard_dispose;
  object_class->get_property = scaler_dashboard_get_property;
  object_class->set_property = scaler_dashboard_set_property;

  properties[PROP_AUTOSCALER] =
    g_param_spec_object ("autoscaler", NULL, NULL, SCALER_TYPE_CLIENT_AUTOSCALER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOW_HOURS] =
    g_param_spec_int ("window-hours", NULL, NULL, 1, 24 * 365, 1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* gboolean toast (title): the result of a user action. */
  signals[TOAST] =
    g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 1, G_TYPE_STRING);

  g_type_ensure (SCALER_TYPE_PLOT);
  g_type_ensure (SCALER_TYPE_LOG_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-dashboard.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, paned);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, title_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, state_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, terminate_idle_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, start_stop_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, error_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, instances_value);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, instances_detail);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, workers_value);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, workers_detail);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, pending_value);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, pending_detail);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, cost_value);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, cost_detail);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, workers_plot);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, usage_plot);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, cost_plot);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, resources_stack);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, instances_stack);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, resources_view);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, instances_view);
  gtk_widget_class_bind_template_child (widget_class, ScalerDashboard, log_view);

  gtk_widget_class_install_action (widget_class, "dashboard.start", NULL, scaler_dashboard_start_action);
  gtk_widget_class_install_action (widget_class, "dashboard.stop", NULL, scaler_dashboard_stop_action);
  gtk_widget_class_install_action (widget_class, "dashboard.terminate-idle", NULL,
                                   scaler_dashboard_terminate_idle_action);
  gtk_widget_class_install_property_action (widget_class, "dashboard.window", "window-hours");
  gtk_widget_class_install_action (widget_class, "dashboard.copy-id", "s", scaler_dashboard_copy_id_action);
  gtk_widget_class_install_action (widget_class, "dashboard.show-boot-log", "s",
                                   scaler_dashboard_show_boot_log_action);
  gtk_widget_class_install_action (widget_class, "dashboard.terminate-instance", "s",
                                   scaler_dashboard_terminate_instance_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "dashboard");
}

static void
scaler_dashboard_init (ScalerDashboard *self)
{
  self->window_hours = 1;
  self->cancellable = g_cancellable_new ();
  self->resources_store = g_list_store_new (SCALER_TYPE_DASHBOARD_ROW);
  self->instances_store = g_list_store_new (SCALER_TYPE_DASHBOARD_ROW);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->signals = g_signal_group_new (SCALER_TYPE_CLIENT_AUTOSCALER);
  g_signal_group_connect_swapped (self->signals, "cycle-finished", G_CALLBACK (scaler_dashboard_cycle_finished_cb), self);
  g_signal_group_connect_swapped (self->signals, "log-line", G_CALLBACK (scaler_dashboard_log_line_cb), self);
  g_signal_group_connect_swapped (self->signals, "notify::state", G_CALLBACK (scaler_dashboard_state_changed_cb), self);
  g_signal_group_connect_swapped (self->signals, "notify::error", G_CALLBACK (scaler_dashboard_state_changed_cb), self);
  g_signal_group_connect_swapped (self->signals, "notify::desired-state",
                                  G_CALLBACK (scaler_dashboard_state_changed_cb), self);
  g_signal_group_connect_swapped (self->signals, "notify::config", G_CALLBACK (scaler_dashboard_config_changed_cb), self);
  g_signal_group_connect_swapped (self->signals, "loaded", G_CALLBACK (fill), self);

  scaler_plot_set_unit (self->cost_plot, SCALER_PLOT_UNIT_USD_PER_HOUR);

  _scaler_dashboard_setup_tables (self);
  setup_plots (self);
  update_limits (self);
  _scaler_dashboard_clear_summary (self);
  _scaler_dashboard_update_header (self);
}

/* --- public API ------------------------------------------------------------ */

GtkWidget *
scaler_dashboard_new (void)
{
  return g_object_new (SCALER_TYPE_DASHBOARD, NULL);
}

ScalerClientAutoscaler *
scaler_dashboard_get_autoscaler (ScalerDashboard *self)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD (self), NULL);

  return self->autoscaler;
}

void
scaler_dashboard_set_autoscaler (ScalerDashboard        *self,
                                 ScalerClientAutoscaler *autoscaler)
{
  g_return_if_fail (SCALER_IS_DASHBOARD (self));
  g_return_if_fail (autoscaler == NULL || SCALER_IS_CLIENT_AUTOSCALER (autoscaler));

  if (self->autoscaler == autoscaler)
    return;

  g_set_object (&self->autoscaler, autoscaler);
  g_signal_group_set_target (self->signals, autoscaler);
  self->filled = FALSE;
  self->have_result = FALSE;

  /* The previous autoscaler's rows, log and series go. */
  g_list_store_remove_all (self->resources_store);
  g_list_store_remove_all (self->instances_store);
  gtk_stack_set_visible_child_name (self->resources_stack, "empty");
  gtk_stack_set_visible_child_name (self->instances_stack, "empty");
  scaler_log_view_clear (self->log_view);
  _scaler_dashboard_clear_summary (self);
  setup_plots (self);
  update_limits (self);
  _scaler_dashboard_show_configured_resources (self);

  /* Its history, backlog and last cycle: at once when the service sent
   * them already, else when they arrive ("loaded"). */
  if (autoscaler != NULL)
    {
      scaler_client_autoscaler_load (autoscaler);
      fill (self);
    }

  _scaler_dashboard_update_header (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTOSCALER]);
}

ScalerConfig *
scaler_dashboard_get_config (ScalerDashboard *self)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD (self), NULL);

  if (self->config != NULL)
    return self->config;
  if (self->autoscaler != NULL)
    return scaler_client_autoscaler_get_config (self->autoscaler);

  return NULL;
}

void
scaler_dashboard_set_config (ScalerDashboard *self,
                             ScalerConfig    *config)
{
  g_return_if_fail (SCALER_IS_DASHBOARD (self));

  if (self->config == config)
    return;

  g_clear_pointer (&self->config, scaler_config_unref);
  if (config != NULL)
    self->config = scaler_config_ref (config);

  update_limits (self);
  _scaler_dashboard_show_configured_resources (self);
  _scaler_dashboard_update_header (self);
}

int
scaler_dashboard_get_window_hours (ScalerDashboard *self)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD (self), 1);

  return self->window_hours;
}

void
scaler_dashboard_set_window_hours (ScalerDashboard *self,
                                   int              hours)
{
  g_return_if_fail (SCALER_IS_DASHBOARD (self));
  g_return_if_fail (hours > 0);

  if (self->window_hours == hours)
    return;

  self->window_hours = hours;
  scaler_plot_set_window (self->workers_plot, hours * G_TIME_SPAN_HOUR);
  scaler_plot_set_window (self->usage_plot, hours * G_TIME_SPAN_HOUR);
  scaler_plot_set_window (self->cost_plot, hours * G_TIME_SPAN_HOUR);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_HOURS]);
}

/* Derived series: one sample per cycle, like the history. */
static void
append_derived_samples (ScalerDashboard   *self,
                        ScalerCycleResult *result)
{
  guint n = scaler_series_get_n_samples (self->running_series);
  guint running = 0, pending = 0;
  gint64 last_t = 0;

  for (guint i = 0; i < result->resources->len; i++)
    running += ((const ScalerResourceRow *) g_ptr_array_index (result->resources, i))->running;
  for (guint i = 0; i < result->queues->len; i++)
    pending += ((const ScalerQueueRow *) g_ptr_array_index (result->queues, i))->pending;

  if (n > 0)
    scaler_series_get_sample (self->running_series, n - 1, &last_t, NULL);
  if (n == 0 || result->time > last_t)
    {
      scaler_series_append (self->running_series, result->time, running);
      scaler_series_append (self->pending_series, result->time, pending);
    }
}

void
scaler_dashboard_apply_result (ScalerDashboard   *self,
                               ScalerCycleResult *result)
{
  g_return_if_fail (SCALER_IS_DASHBOARD (self));
  g_return_if_fail (result != NULL);

  self->have_result = TRUE;
  _scaler_dashboard_update_tables (self, result);
  append_derived_samples (self, result);
  _scaler_dashboard_update_summary (self, result);
}

ScalerPlot *
scaler_dashboard_get_plot (ScalerDashboard     *self,
                           ScalerDashboardPlot  plot)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD (self), NULL);

  switch (plot)
    {
    case SCALER_DASHBOARD_PLOT_WORKERS: return self->workers_plot;
    case SCALER_DASHBOARD_PLOT_USAGE:   return self->usage_plot;
    case SCALER_DASHBOARD_PLOT_COST:    return self->cost_plot;
    default:                            g_return_val_if_reached (NULL);
    }
}

ScalerLogView *
scaler_dashboard_get_log_view (ScalerDashboard *self)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD (self), NULL);

  return self->log_view;
}

GListModel *
scaler_dashboard_get_resources_model (ScalerDashboard *self)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD (self), NULL);

  return G_LIST_MODEL (self->resources_store);
}

GListModel *
scaler_dashboard_get_instances_model (ScalerDashboard *self)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD (self), NULL);

  return G_LIST_MODEL (self->instances_store);
}

const char *
scaler_dashboard_get_state_text (ScalerDashboard *self)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD (self), NULL);

  return self->state_text;
}
