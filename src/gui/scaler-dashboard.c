/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-dashboard"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-dashboard.h"
#include "scaler-dashboard-row.h"
#include "scaler-policy.h"

/* Columns of the two tables (cell indexes of ScalerDashboardRow). */
enum {
  RES_NAME,
  RES_QUEUE,
  RES_TYPE,
  RES_MARKET,
  RES_RUNNING,
  RES_PENDING,
  RES_STATUS,
  N_RES_COLUMNS
};

enum {
  INST_ID,
  INST_RESOURCE,
  INST_TYPE,
  INST_ZONE,
  INST_MARKET,
  INST_STATE,
  INST_WORKER,
  INST_UPTIME,
  INST_COST,
  N_INST_COLUMNS
};

/* Cell flags. */
enum {
  CELL_NUMERIC   = 1 << 0,
  CELL_MONOSPACE = 1 << 1,
  CELL_STATUS    = 1 << 2,
  CELL_EXPAND    = 1 << 3,
  CELL_DIM       = 1 << 4,
};

struct _ScalerDashboard
{
  GtkWidget      parent_instance;

  /* Template children */
  GtkPaned      *paned;
  GtkLabel      *title_label;
  GtkLabel      *state_label;
  GtkLabel      *subtitle_label;
  GtkButton     *terminate_idle_button;
  GtkButton     *start_stop_button;
  GtkRevealer   *error_revealer;
  GtkLabel      *error_label;
  GtkLabel      *instances_value;
  GtkLabel      *instances_detail;
  GtkLabel      *workers_value;
  GtkLabel      *workers_detail;
  GtkLabel      *pending_value;
  GtkLabel      *pending_detail;
  GtkLabel      *cost_value;
  GtkLabel      *cost_detail;
  ScalerPlot    *workers_plot;
  ScalerPlot    *usage_plot;
  ScalerPlot    *cost_plot;
  GtkStack      *resources_stack;
  GtkStack      *instances_stack;
  GtkColumnView *resources_view;
  GtkColumnView *instances_view;
  ScalerLogView *log_view;

  ScalerClientAutoscaler *autoscaler;
  GSignalGroup  *signals;          /* of the autoscaler */
  ScalerConfig  *config;
  GListStore    *resources_store;
  GListStore    *instances_store;
  /* Derived from the history: live instances and pending tasks, summed. */
  ScalerSeries  *running_series;
  ScalerSeries  *pending_series;
  GCancellable  *cancellable;

  const char    *state_text;
  const char    *state_class;
  int            window_hours;
  gboolean       have_result;      /* the tables show a result of the service */
  gboolean       filled;           /* history, backlog and last result shown */
};

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

static void scaler_dashboard_update_header (ScalerDashboard *self);

/* --- small formatting helpers ------------------------------------------- */

static char *
format_clock (gint64 usec)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (utc);

  return g_date_time_format (local, "%H:%M");
}

static char *
format_duration (double seconds)
{
  guint64 s = seconds > 0 ? (guint64) seconds : 0;
  guint64 d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60;

  if (d > 0)
    /* TRANSLATORS: an uptime, days and hours */
    return g_strdup_printf (_("%u d %u h"), (guint) d, (guint) h);
  if (h > 0)
    /* TRANSLATORS: an uptime, hours and minutes */
    return g_strdup_printf (_("%u h %02u min"), (guint) h, (guint) m);
  /* TRANSLATORS: an uptime in minutes */
  return g_strdup_printf (_("%u min"), (guint) m);
}

static const char *
instance_state_text (ScalerInstanceState state)
{
  switch (state)
    {
    case SCALER_INSTANCE_STATE_PENDING:       return _("Pending");
    case SCALER_INSTANCE_STATE_RUNNING:       return _("Running");
    case SCALER_INSTANCE_STATE_SHUTTING_DOWN: return _("Shutting down");
    case SCALER_INSTANCE_STATE_TERMINATED:    return _("Terminated");
    case SCALER_INSTANCE_STATE_STOPPING:      return _("Stopping");
    case SCALER_INSTANCE_STATE_STOPPED:       return _("Stopped");
    case SCALER_INSTANCE_STATE_UNKNOWN:
    default:                                  return _("Unknown");
    }
}

static const char *
config_name (ScalerDashboard *self)
{
  ScalerConfig *config = scaler_dashboard_get_config (self);

  if (config != NULL && config->name != NULL && config->name[0] != '\0')
    return config->name;

  return _("Autoscaler");
}

static guint
config_max_instances (ScalerConfig *config)
{
  guint total = 0;

  if (config == NULL)
    return 0;
  for (guint i = 0; i < config->resources->len; i++)
    total += ((ScalerResource *) g_ptr_array_index (config->resources, i))->max_instances;

  return total;
}

/* --- toasts and notifications -------------------------------------------- */

static void
scaler_dashboard_toast (ScalerDashboard *self,
                        const char      *title)
{
  gboolean handled = FALSE;

  g_signal_emit (self, signals[TOAST], 0, title, &handled);
  if (!handled)
    {
      GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

      if (overlay != NULL)
        adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (title));
    }
}

/* --- tables ---------------------------------------------------------------- */

static void
cell_update (GtkLabel           *label,
             ScalerDashboardRow *row)
{
  guint data = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (label), "scaler-cell"));
  guint column = data & 0xff;
  guint flags = data >> 8;
  const char *text = scaler_dashboard_row_get_cell (row, column);

  gtk_label_set_text (label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), text[0] != '\0' ? text : NULL);

  if (flags & CELL_STATUS)
    {
      static const char *styles[] = { "error", "warning", "success", "accent" };
      const char *style = scaler_dashboard_row_get_style (row);

      for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
        {
          if (g_strcmp0 (style, styles[i]) == 0)
            gtk_widget_add_css_class (GTK_WIDGET (label), styles[i]);
          else
            gtk_widget_remove_css_class (GTK_WIDGET (label), styles[i]);
        }
    }
}

static void
cell_notify_cb (ScalerDashboardRow *row,
                GParamSpec         *pspec,
                GtkLabel           *label)
{
  cell_update (label, row);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  guint flags = GPOINTER_TO_UINT (user_data) >> 8;
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), (flags & CELL_NUMERIC) ? 1.0 : 0.0);
  if (flags & (CELL_EXPAND | CELL_STATUS))
    {
      /* Room for "Idle since 12:34" / "Busy with <task>"; longer texts
       * ellipsize and show in full in the tooltip. */
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 16);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
    }
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (flags & CELL_NUMERIC)
    gtk_widget_add_css_class (label, "numeric");
  if (flags & CELL_MONOSPACE)
    gtk_widget_add_css_class (label, "monospace");
  if (flags & CELL_DIM)
    gtk_widget_add_css_class (label, "dim-label");
  g_object_set_data (G_OBJECT (label), "scaler-cell", user_data);
  gtk_list_item_set_child (item, label);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  ScalerDashboardRow *row = gtk_list_item_get_item (item);
  gulong id;

  cell_update (GTK_LABEL (label), row);
  id = g_signal_connect_object (row, "notify::cells", G_CALLBACK (cell_notify_cb), label, 0);
  g_object_set_data (G_OBJECT (label), "scaler-cell-handler", GUINT_TO_POINTER ((guint) id));
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  ScalerDashboardRow *row = gtk_list_item_get_item (item);
  gulong id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (label), "scaler-cell-handler"));

  if (id != 0 && row != NULL)
    g_signal_handler_disconnect (row, id);
  g_object_set_data (G_OBJECT (label), "scaler-cell-handler", NULL);
}

static GtkColumnViewColumn *
add_column (GtkColumnView *view,
            const char    *title,
            guint          column,
            guint          flags,
            int            fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  gpointer data = GUINT_TO_POINTER (column | (flags << 8));
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), data);
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), data);
  g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), data);

  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_expand (col, (flags & CELL_EXPAND) != 0);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (col, fixed_width);
  gtk_column_view_append_column (view, col);
  g_object_unref (col);

  return col;
}

static GtkWidget *
action_button (const char *icon_name,
               const char *tooltip,
               const char *action_name)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_tooltip_text (button, tooltip);
  /* The target (the instance id) is set on bind; the parameter type must
   * match from the start. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (""));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);

  return button;
}

static void
actions_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *terminate;

  gtk_widget_set_halign (box, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (box), action_button ("edit-copy-symbolic", _("Copy Instance ID"), "dashboard.copy-id"));
  gtk_box_append (GTK_BOX (box), action_button ("utilities-terminal-symbolic", _("Show Boot Log"), "dashboard.show-boot-log"));
  terminate = action_button ("user-trash-symbolic", _("Terminate Instance…"), "dashboard.terminate-instance");
  gtk_widget_add_css_class (terminate, "error");
  gtk_box_append (GTK_BOX (box), terminate);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
actions_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  ScalerDashboardRow *row = gtk_list_item_get_item (item);
  const char *id = scaler_dashboard_row_get_key (row);

  for (GtkWidget *child = gtk_widget_get_first_child (gtk_list_item_get_child (item));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (child), g_variant_new_string (id));
}

static void
setup_tables (ScalerDashboard *self)
{
  GtkListItemFactory *factory;
  GtkColumnViewColumn *col;

  add_column (self->resources_view, _("Resource"), RES_NAME, 0, -1);
  add_column (self->resources_view, _("Queue"), RES_QUEUE, 0, -1);
  add_column (self->resources_view, _("EC2 Type"), RES_TYPE, CELL_MONOSPACE, -1);
  add_column (self->resources_view, _("Market"), RES_MARKET, 0, -1);
  add_column (self->resources_view, _("Running"), RES_RUNNING, CELL_NUMERIC, -1);
  add_column (self->resources_view, _("Pending Tasks"), RES_PENDING, CELL_NUMERIC, -1);
  add_column (self->resources_view, _("Status"), RES_STATUS, CELL_STATUS | CELL_EXPAND, -1);

  add_column (self->instances_view, _("Instance"), INST_ID, CELL_MONOSPACE, -1);
  add_column (self->instances_view, _("Resource"), INST_RESOURCE, 0, -1);
  add_column (self->instances_view, _("Type"), INST_TYPE, CELL_MONOSPACE, -1);
  add_column (self->instances_view, _("Zone"), INST_ZONE, 0, -1);
  add_column (self->instances_view, _("State"), INST_STATE, 0, -1);
  add_column (self->instances_view, _("Worker"), INST_WORKER, CELL_STATUS | CELL_EXPAND, -1);
  add_column (self->instances_view, _("Uptime"), INST_UPTIME, CELL_NUMERIC, -1);
  add_column (self->instances_view, _("Cost"), INST_COST, CELL_NUMERIC, -1);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (actions_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (actions_bind_cb), NULL);
  col = gtk_column_view_column_new (NULL, factory);
  gtk_column_view_append_column (self->instances_view, col);
  g_object_unref (col);

  gtk_column_view_set_model (self->resources_view,
                             GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->resources_store)))));
  gtk_column_view_set_model (self->instances_view,
                             GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->instances_store)))));
}

/* Updates rows in place when the keys are unchanged (cells refresh through
 * notify::cells), otherwise replaces the list. rows: ScalerDashboardRow*. */
static void
sync_store (GListStore *store,
            GPtrArray  *rows)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
  gboolean same = n == rows->len;

  for (guint i = 0; same && i < n; i++)
    {
      g_autoptr(ScalerDashboardRow) old = g_list_model_get_item (G_LIST_MODEL (store), i);

      same = g_strcmp0 (scaler_dashboard_row_get_key (old),
                        scaler_dashboard_row_get_key (g_ptr_array_index (rows, i))) == 0;
    }

  if (same)
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(ScalerDashboardRow) old = g_list_model_get_item (G_LIST_MODEL (store), i);
          ScalerDashboardRow *row = g_ptr_array_index (rows, i);
          g_auto(GStrv) cells = g_new0 (char *, scaler_dashboard_row_get_n_cells (row) + 1);

          for (guint c = 0; c < scaler_dashboard_row_get_n_cells (row); c++)
            cells[c] = g_strdup (scaler_dashboard_row_get_cell (row, c));
          scaler_dashboard_row_set_cells (old, g_steal_pointer (&cells), scaler_dashboard_row_get_style (row));
        }
    }
  else
    g_list_store_splice (store, 0, n, rows->pdata, rows->len);
}

static ScalerDashboardRow *
resource_row_new (const ScalerResourceRow *r,
                  gint64                   now)
{
  ScalerDashboardRow *row = scaler_dashboard_row_new (r->resource);
  GStrv cells = g_new0 (char *, N_RES_COLUMNS + 1);
  const char *style = NULL;

  cells[RES_NAME] = g_strdup (r->resource ? r->resource : "");
  cells[RES_QUEUE] = g_strdup (r->queue ? r->queue : "");
  cells[RES_TYPE] = g_strdup (r->instance_type ? r->instance_type : "");
  cells[RES_MARKET] = g_strdup (r->spot ? _("Spot") : _("On-demand"));
  /* TRANSLATORS: running instances of the maximum, e.g. "2 / 4" */
  cells[RES_RUNNING] = g_strdup_printf (_("%u / %u"), r->running, r->max_instances);
  cells[RES_PENDING] = g_strdup_printf ("%u", r->pending);

  if (r->backoff_until > now)
    {
      g_autofree char *until = format_clock (r->backoff_until);

      if (r->backoff_reason != NULL && r->backoff_reason[0] != '\0')
        /* TRANSLATORS: launches paused after failures: time, then the AWS reason */
        cells[RES_STATUS] = g_strdup_printf (_("Backing off until %s: %s"), until, r->backoff_reason);
      else
        cells[RES_STATUS] = g_strdup_printf (_("Backing off until %s"), until);
      style = "warning";
    }
  else if (r->booting > 0)
    {
      cells[RES_STATUS] = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u booting", "%u booting", r->booting),
                                           r->booting);
      style = "accent";
    }
  else if (r->running >= r->max_instances && r->pending > 0)
    {
      cells[RES_STATUS] = g_strdup (_("At maximum"));
      style = "warning";
    }
  else
    {
      cells[RES_STATUS] = g_strdup (_("OK"));
      style = "success";
    }

  scaler_dashboard_row_set_cells (row, cells, style);

  return row;
}

static ScalerDashboardRow *
instance_row_new (const ScalerInstanceRow *r)
{
  ScalerDashboardRow *row = scaler_dashboard_row_new (r->instance_id);
  GStrv cells = g_new0 (char *, N_INST_COLUMNS + 1);
  const char *style = NULL;

  cells[INST_ID] = g_strdup (r->instance_id ? r->instance_id : "");
  cells[INST_RESOURCE] = g_strdup (r->resource ? r->resource : "–");
  /* The market shares the type's cell (the table must fit a 900 px pane):
   * on-demand is the plain case, spot is marked. */
  if (r->spot)
    /* TRANSLATORS: an instance type bought on the spot market, e.g. "g4dn.xlarge · spot" */
    cells[INST_TYPE] = g_strdup_printf (_("%s · spot"), r->instance_type ? r->instance_type : "");
  else
    cells[INST_TYPE] = g_strdup (r->instance_type ? r->instance_type : "");
  cells[INST_ZONE] = g_strdup (r->availability_zone ? r->availability_zone : "–");
  cells[INST_MARKET] = g_strdup (r->spot ? _("Spot") : _("On-demand"));
  cells[INST_STATE] = g_strdup (instance_state_text (r->state));

  switch (r->worker_state)
    {
    case SCALER_WORKER_STATE_IDLE:
      if (r->idle_since > 0)
        {
          g_autofree char *since = format_clock (r->idle_since);

          /* TRANSLATORS: the worker has had no task since this time */
          cells[INST_WORKER] = g_strdup_printf (_("Idle since %s"), since);
        }
      else
        cells[INST_WORKER] = g_strdup (_("Idle"));
      style = "warning";
      break;

    case SCALER_WORKER_STATE_BUSY:
      {
        const char *task = r->task_name ? r->task_name : r->task_id;

        if (task != NULL && task[0] != '\0')
          /* TRANSLATORS: the worker runs this task */
          cells[INST_WORKER] = g_strdup_printf (_("Busy with %s"), task);
        else
          cells[INST_WORKER] = g_strdup (_("Busy"));
        style = "success";
      }
      break;

    case SCALER_WORKER_STATE_NONE:
    default:
      if (r->state == SCALER_INSTANCE_STATE_PENDING || r->state == SCALER_INSTANCE_STATE_RUNNING)
        {
          cells[INST_WORKER] = g_strdup (_("Booting"));
          style = "accent";
        }
      else
        cells[INST_WORKER] = g_strdup ("–");
      break;
    }

  cells[INST_UPTIME] = format_duration (r->uptime_s);
  cells[INST_COST] = g_strdup_printf ("$%.2f", r->cost_usd);

  scaler_dashboard_row_set_cells (row, cells, style);

  return row;
}

/* Before the first result: the configured resources, nothing running. */
static void
show_configured_resources (ScalerDashboard *self)
{
  ScalerConfig *config = scaler_dashboard_get_config (self);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->have_result)
    return;

  for (guint i = 0; config != NULL && i < config->resources->len; i++)
    {
      const ScalerResource *r = g_ptr_array_index (config->resources, i);
      ScalerDashboardRow *row = scaler_dashboard_row_new (r->name);
      GStrv cells = g_new0 (char *, N_RES_COLUMNS + 1);

      cells[RES_NAME] = g_strdup (r->name);
      cells[RES_QUEUE] = g_strdup (r->queue);
      cells[RES_TYPE] = g_strdup (r->instance_type);
      cells[RES_MARKET] = g_strdup (r->is_spot ? _("Spot") : _("On-demand"));
      cells[RES_RUNNING] = g_strdup_printf (_("%u / %u"), 0, r->max_instances);
      cells[RES_PENDING] = g_strdup ("–");
      cells[RES_STATUS] = g_strdup (_("Not polled yet"));
      scaler_dashboard_row_set_cells (row, cells, NULL);
      g_ptr_array_add (rows, row);
    }

  sync_store (self->resources_store, rows);
  gtk_stack_set_visible_child_name (self->resources_stack, rows->len > 0 ? "table" : "empty");
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
  guint max = config_max_instances (config);
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

/* --- summary --------------------------------------------------------------- */

static void
clear_summary (ScalerDashboard *self)
{
  gtk_label_set_text (self->instances_value, "–");
  gtk_label_set_text (self->instances_detail, _("No data yet"));
  gtk_label_set_text (self->workers_value, "–");
  gtk_label_set_text (self->workers_detail, "");
  gtk_label_set_text (self->pending_value, "–");
  gtk_label_set_text (self->pending_detail, "");
  gtk_label_set_text (self->cost_value, "–");
  gtk_label_set_text (self->cost_detail, "");
}

static void
update_summary (ScalerDashboard   *self,
                ScalerCycleResult *result)
{
  ScalerConfig *config = scaler_dashboard_get_config (self);
  guint running = 0, booting = 0, pending = 0;
  g_autofree char *s = NULL;

  for (guint i = 0; i < result->resources->len; i++)
    {
      const ScalerResourceRow *r = g_ptr_array_index (result->resources, i);

      running += r->running;
      booting += r->booting;
    }
  for (guint i = 0; i < result->queues->len; i++)
    pending += ((const ScalerQueueRow *) g_ptr_array_index (result->queues, i))->pending;

  s = g_strdup_printf (_("%u / %u"), running, config_max_instances (config));
  gtk_label_set_text (self->instances_value, s);
  g_free (s);
  s = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u booting", "%u booting", booting), booting);
  gtk_label_set_text (self->instances_detail, s);
  g_free (s);

  s = g_strdup_printf ("%u", result->busy_workers + result->idle_workers);
  gtk_label_set_text (self->workers_value, s);
  g_free (s);
  /* TRANSLATORS: worker counts, e.g. "2 busy, 1 idle" */
  s = g_strdup_printf (_("%u busy, %u idle"), result->busy_workers, result->idle_workers);
  gtk_label_set_text (self->workers_detail, s);
  g_free (s);

  s = g_strdup_printf ("%u", pending);
  gtk_label_set_text (self->pending_value, s);
  g_free (s);
  s = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "in %u queue", "in %u queues", result->queues->len),
                       result->queues->len);
  gtk_label_set_text (self->pending_detail, s);
  g_free (s);

  s = g_strdup_printf (_("$%.2f/h"), result->usd_per_hour);
  gtk_label_set_text (self->cost_value, s);
  g_free (s);
  if (config != NULL && config->hourly_budget_usd > 0)
    s = g_strdup_printf (_("of $%.2f/h budget"), config->hourly_budget_usd);
  else
    s = g_strdup (_("No budget set"));
  gtk_label_set_text (self->cost_detail, s);
}

/* --- the autoscaler's signals ------------------------------------------------ */

static void
scaler_dashboard_cycle_finished_cb (ScalerDashboard   *self,
                                    ScalerCycleResult *result)
{
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
  if (self->filled)
    scaler_log_view_append_full (self->log_view, time, level, text);
}

static void
scaler_dashboard_state_changed_cb (ScalerDashboard *self)
{
  scaler_dashboard_update_header (self);
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
  show_configured_resources (self);
  scaler_dashboard_update_header (self);
}

static void
scaler_dashboard_config_changed_cb (ScalerDashboard *self)
{
  update_limits (self);
  show_configured_resources (self);
  scaler_dashboard_update_header (self);
}

static const char *
service_state (ScalerDashboard *self)
{
  return self->autoscaler != NULL ? scaler_client_autoscaler_get_state (self->autoscaler) : "stopped";
}

static void
scaler_dashboard_update_header (ScalerDashboard *self)
{
  ScalerConfig *config = scaler_dashboard_get_config (self);
  const char *state = service_state (self);
  const char *error = self->autoscaler ? scaler_client_autoscaler_get_error (self->autoscaler) : NULL;
  gboolean failed = g_str_equal (state, "failed");
  gboolean stopped = g_str_equal (state, "stopped");
  gboolean can_start, can_stop, active;
  g_autoptr(GString) subtitle = g_string_new (NULL);

  gtk_label_set_text (self->title_label, config_name (self));

  if (g_str_equal (state, "starting"))
    {
      self->state_text = _("Starting");
      self->state_class = "starting";
    }
  else if (g_str_equal (state, "running"))
    {
      self->state_text = _("Running");
      self->state_class = "running";
    }
  else if (g_str_equal (state, "stopping"))
    {
      self->state_text = _("Stopping");
      self->state_class = "starting";
    }
  else if (failed)
    {
      self->state_text = _("Error");
      self->state_class = "error";
    }
  else
    {
      self->state_text = _("Stopped");
      self->state_class = "stopped";
    }
  gtk_label_set_text (self->state_label, self->state_text);
  {
    const char *classes[] = { "state-pill", self->state_class, NULL };

    gtk_widget_set_css_classes (GTK_WIDGET (self->state_label), classes);
  }

  /* Failed while it should run: the engine keeps retrying, Stop stops it. */
  active = self->autoscaler != NULL && scaler_client_autoscaler_is_active (self->autoscaler);
  can_start = self->autoscaler != NULL && !active && config != NULL;
  can_stop = self->autoscaler != NULL && active;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.start", can_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.stop", can_stop);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.terminate-idle", can_stop && !stopped);
  /* The service terminates only while it runs (it checks again itself). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.terminate-instance", can_stop && !stopped);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.show-boot-log", self->autoscaler != NULL);

  if (!active)
    {
      gtk_button_set_label (self->start_stop_button, _("Start"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->start_stop_button), "dashboard.start");
      gtk_widget_add_css_class (GTK_WIDGET (self->start_stop_button), "suggested-action");
    }
  else
    {
      gtk_button_set_label (self->start_stop_button, _("Stop"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->start_stop_button), "dashboard.stop");
      gtk_widget_remove_css_class (GTK_WIDGET (self->start_stop_button), "suggested-action");
    }

  if (config != NULL)
    {
      if (config->demo)
        g_string_append (subtitle, _("Built-in simulator"));
      else
        g_string_append (subtitle, config->aws_region);
      g_string_append (subtitle, " · ");
      g_string_append_printf (subtitle,
                              g_dngettext (GETTEXT_PACKAGE, "%u resource", "%u resources", config->resources->len),
                              config->resources->len);
      g_string_append (subtitle, " · ");
      if (config->polling_interval_time_min >= 1.0)
        g_string_append_printf (subtitle, _("polls every %g min"), config->polling_interval_time_min);
      else
        g_string_append_printf (subtitle, _("polls every %g s"), config->polling_interval_time_min * 60.0);
    }
  gtk_label_set_text (self->subtitle_label, subtitle->str);
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), subtitle->len > 0);

  /* The error banner (the service sends the notification: an Event). */
  if (failed)
    {
      const char *message = error != NULL && error[0] != '\0' ? error : _("The last cycle failed; retrying.");

      gtk_label_set_text (self->error_label, message);
      /* Hidden, not just unrevealed: no double spacing in the page box. */
      gtk_widget_set_visible (GTK_WIDGET (self->error_revealer), TRUE);
      gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
    }
  else
    {
      gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->error_revealer), FALSE);
    }
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

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), id);
  scaler_dashboard_toast (self, title);
}

typedef struct
{
  GtkWidget     *window;
  GtkStack      *stack;
  GtkTextView   *text_view;
  AdwStatusPage *error_page;
  GCancellable  *cancellable;
} BootLog;

static void
boot_log_free (BootLog *log)
{
  /* The window may outlive the request: it must not call back into it. */
  g_signal_handlers_disconnect_by_data (log->window, log);
  g_clear_object (&log->window);
  g_clear_object (&log->cancellable);
  g_free (log);
}

static void
boot_log_destroy_cb (GtkWidget *window,
                     BootLog   *log)
{
  g_cancellable_cancel (log->cancellable);
}

static void
boot_log_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  BootLog *log = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = scaler_client_autoscaler_call_finish (SCALER_CLIENT_AUTOSCALER (object), result, &error);
  const char *text = NULL;

  if (reply != NULL)
    g_variant_get (reply, "(&s)", &text);

  if (g_cancellable_is_cancelled (log->cancellable))
    {
      boot_log_free (log);
      return;
    }

  if (text == NULL)
    {
      adw_status_page_set_description (log->error_page, error ? error->message : _("Unknown error"));
      gtk_stack_set_visible_child_name (log->stack, "error");
    }
  else if (text[0] == '\0')
    {
      adw_status_page_set_title (log->error_page, _("No Output Yet"));
      adw_status_page_set_description (log->error_page,
                                       _("EC2 makes the console output available a few minutes after boot."));
      gtk_stack_set_visible_child_name (log->stack, "error");
    }
  else
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (log->text_view);
      GtkTextIter end;

      gtk_text_buffer_set_text (buffer, text, -1);
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_stack_set_visible_child_name (log->stack, "text");
      gtk_text_view_scroll_to_iter (log->text_view, &end, 0.0, FALSE, 0, 1);
    }

  boot_log_free (log);
}

static void
scaler_dashboard_show_boot_log_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  ScalerDashboard *self = SCALER_DASHBOARD (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *title = g_strdup_printf (_("Boot Log of %s"), id);
  GtkWidget *window, *box, *header, *stack, *scroller, *text_view, *spinner, *error_page;
  BootLog *log;

  if (self->autoscaler == NULL)
    return;

  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 520);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new (_("Boot Log"), id));
  gtk_box_append (GTK_BOX (box), header);

  stack = gtk_stack_new ();
  gtk_widget_set_vexpand (stack, TRUE);
  spinner = gtk_spinner_new ();
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_stack_add_named (GTK_STACK (stack), spinner, "loading");

  scroller = gtk_scrolled_window_new ();
  text_view = gtk_text_view_new ();
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (text_view), TRUE);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), text_view);
  gtk_stack_add_named (GTK_STACK (stack), scroller, "text");

  error_page = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (error_page), "dialog-warning-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (error_page), _("Could Not Get the Boot Log"));
  gtk_stack_add_named (GTK_STACK (stack), error_page, "error");
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "loading");
  gtk_box_append (GTK_BOX (box), stack);

  adw_window_set_content (ADW_WINDOW (window), box);

  log = g_new0 (BootLog, 1);
  log->window = g_object_ref (window);
  log->stack = GTK_STACK (stack);
  log->text_view = GTK_TEXT_VIEW (text_view);
  log->error_page = ADW_STATUS_PAGE (error_page);
  log->cancellable = g_cancellable_new ();
  g_signal_connect (window, "destroy", G_CALLBACK (boot_log_destroy_cb), log);

  gtk_window_present (GTK_WINDOW (window));
  scaler_client_autoscaler_call (self->autoscaler, "GetConsoleOutput", g_variant_new ("(s)", id), -1,
                                 log->cancellable, boot_log_done_cb, log);
}

static void
terminate_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       ScalerDashboard  *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "instance-id");
  g_autofree char *failure = NULL;
  g_autofree char *success = NULL;

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

  setup_tables (self);
  setup_plots (self);
  update_limits (self);
  clear_summary (self);
  scaler_dashboard_update_header (self);
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
  clear_summary (self);
  setup_plots (self);
  update_limits (self);
  show_configured_resources (self);

  /* Its history, backlog and last cycle: at once when the service sent
   * them already, else when they arrive ("loaded"). */
  if (autoscaler != NULL)
    {
      scaler_client_autoscaler_load (autoscaler);
      fill (self);
    }

  scaler_dashboard_update_header (self);
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
  show_configured_resources (self);
  scaler_dashboard_update_header (self);
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

void
scaler_dashboard_apply_result (ScalerDashboard   *self,
                               ScalerCycleResult *result)
{
  g_autoptr(GPtrArray) rows = NULL;
  guint running = 0, pending = 0;

  g_return_if_fail (SCALER_IS_DASHBOARD (self));
  g_return_if_fail (result != NULL);

  self->have_result = TRUE;

  /* Resources and queues. */
  rows = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < result->resources->len; i++)
    {
      const ScalerResourceRow *r = g_ptr_array_index (result->resources, i);

      running += r->running;
      g_ptr_array_add (rows, resource_row_new (r, result->time));
    }
  sync_store (self->resources_store, rows);
  gtk_stack_set_visible_child_name (self->resources_stack, rows->len > 0 ? "table" : "empty");
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Instances. */
  rows = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < result->instances->len; i++)
    g_ptr_array_add (rows, instance_row_new (g_ptr_array_index (result->instances, i)));
  sync_store (self->instances_store, rows);
  gtk_stack_set_visible_child_name (self->instances_stack, rows->len > 0 ? "table" : "empty");

  for (guint i = 0; i < result->queues->len; i++)
    pending += ((const ScalerQueueRow *) g_ptr_array_index (result->queues, i))->pending;

  /* Derived series: one sample per cycle, like the history. */
  {
    guint n = scaler_series_get_n_samples (self->running_series);
    gint64 last_t = 0;

    if (n > 0)
      scaler_series_get_sample (self->running_series, n - 1, &last_t, NULL);
    if (n == 0 || result->time > last_t)
      {
        scaler_series_append (self->running_series, result->time, running);
        scaler_series_append (self->pending_series, result->time, pending);
      }
  }

  update_summary (self, result);
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
