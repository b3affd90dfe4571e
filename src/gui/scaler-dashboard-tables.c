/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The dashboard's two tables: the resources (with their queues) and the
 * instances, one ScalerDashboardRow per line, updated in place.
 */

#define G_LOG_DOMAIN "scaler-dashboard"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-dashboard-private.h"
#include "scaler-dashboard-row.h"

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

/* --- formatting ------------------------------------------------------------ */

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

/* --- cells ------------------------------------------------------------------ */

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
  g_assert (SCALER_IS_DASHBOARD_ROW (row));

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

void
_scaler_dashboard_setup_tables (ScalerDashboard *self)
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

void
_scaler_dashboard_show_configured_resources (ScalerDashboard *self)
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

void
_scaler_dashboard_update_tables (ScalerDashboard   *self,
                                 ScalerCycleResult *result)
{
  g_autoptr(GPtrArray) rows = NULL;

  /* Resources and queues. */
  rows = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < result->resources->len; i++)
    g_ptr_array_add (rows, resource_row_new (g_ptr_array_index (result->resources, i), result->time));
  sync_store (self->resources_store, rows);
  gtk_stack_set_visible_child_name (self->resources_stack, rows->len > 0 ? "table" : "empty");
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Instances. */
  rows = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < result->instances->len; i++)
    g_ptr_array_add (rows, instance_row_new (g_ptr_array_index (result->instances, i)));
  sync_store (self->instances_store, rows);
  gtk_stack_set_visible_child_name (self->instances_stack, rows->len > 0 ? "table" : "empty");
}
