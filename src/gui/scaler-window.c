/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-window"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-dashboard.h"
#include "scaler-gui-util.h"
#include "scaler-machine-row.h"
#include "scaler-sidebar-row.h"
#include "scaler-window-private.h"

G_DEFINE_FINAL_TYPE (ScalerWindow, scaler_window, ADW_TYPE_APPLICATION_WINDOW)

void
_scaler_window_toast (ScalerWindow *self,
                      const char   *format,
                      ...)
{
  va_list args;

  va_start (args, format);
  scaler_gui_add_toast_valist (GTK_WIDGET (self->toast_overlay), format, args);
  va_end (args);
}

void
_scaler_window_present_dialog (ScalerWindow *self,
                               GtkWindow    *dialog)
{
  gtk_window_set_transient_for (dialog, GTK_WINDOW (self));
  gtk_window_set_modal (dialog, TRUE);
  gtk_window_set_destroy_with_parent (dialog, TRUE);
  g_set_weak_pointer (&self->dialog, dialog);
  gtk_window_present (dialog);
}

ScalerClientAutoscaler *
_scaler_window_lookup (ScalerWindow *self,
                       const char   *key)
{
  if (self->application == NULL)
    return NULL;
  return scaler_application_lookup (self->application, key);
}

ScalerClientAutoscaler *
_scaler_window_get_selected (ScalerWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->sidebar_list);

  if (row == NULL || !SCALER_IS_SIDEBAR_ROW (row))
    return NULL;
  return scaler_sidebar_row_get_autoscaler (SCALER_SIDEBAR_ROW (row));
}

ScalerMachine *
_scaler_window_get_local_machine (ScalerWindow *self)
{
  return self->application != NULL ? scaler_application_get_local_machine (self->application) : NULL;
}

/* ---- the content ---- */

static gboolean
dashboard_toast_cb (ScalerWindow *self,
                    const char   *title)
{
  g_assert (SCALER_IS_WINDOW (self));

  _scaler_window_toast (self, "%s", title);
  return TRUE;
}

static ScalerDashboard *
ensure_dashboard (ScalerWindow *self)
{
  ScalerDashboard *dashboard = SCALER_DASHBOARD (adw_bin_get_child (self->dashboard_bin));

  if (dashboard == NULL)
    {
      dashboard = SCALER_DASHBOARD (scaler_dashboard_new ());
      g_signal_connect_object (dashboard, "toast", G_CALLBACK (dashboard_toast_cb), self, G_CONNECT_SWAPPED);
      adw_bin_set_child (self->dashboard_bin, GTK_WIDGET (dashboard));
    }
  return dashboard;
}

/* Nothing selected: this computer's service is connecting, unreachable, or
 * has no autoscalers. */
static void
show_machine_state (ScalerWindow *self)
{
  ScalerMachine *machine = _scaler_window_get_local_machine (self);
  ScalerMachineStatus status = machine != NULL ? scaler_machine_get_status (machine) : SCALER_MACHINE_CONNECTED;

  adw_window_title_set_title (self->content_title, _("EC2 Autoscaler"));
  adw_window_title_set_subtitle (self->content_title, NULL);
  gtk_widget_set_visible (self->toggle_button, FALSE);
  gtk_widget_set_visible (self->edit_button, FALSE);

  if (status == SCALER_MACHINE_CONNECTING)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "connecting");
      return;
    }
  if (status == SCALER_MACHINE_UNREACHABLE && scaler_machine_get_error (machine) == NULL)
    {
      /* Not asked yet: the application connects it at startup. */
      gtk_stack_set_visible_child_name (self->content_stack, "connecting");
      return;
    }
  if (status == SCALER_MACHINE_UNREACHABLE)
    {
      adw_status_page_set_description (self->unreachable_page, scaler_machine_get_error (machine));
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->retry_button), "s", "");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->retry_button), "win.retry-machine");
      gtk_stack_set_visible_child_name (self->content_stack, "unreachable");
      return;
    }
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
}

static void
show_broken (ScalerWindow           *self,
             ScalerClientAutoscaler *autoscaler)
{
  ScalerMachine *machine = scaler_client_autoscaler_get_machine (autoscaler);
  g_autofree char *key = scaler_client_autoscaler_dup_key (autoscaler);
  g_autofree char *description = NULL;

  description = g_strdup_printf (_("%s\n\n%s\n\nThe file is left as it is."),
                                 scaler_client_autoscaler_get_config_path (autoscaler),
                                 scaler_client_autoscaler_get_error (autoscaler));
  adw_status_page_set_description (self->broken_page, description);
  gtk_widget_set_visible (self->toggle_button, FALSE);
  gtk_widget_set_visible (self->edit_button, FALSE);
  /* Only a file of this computer can be shown in a file manager. */
  gtk_widget_set_visible (self->broken_show_button, machine == NULL || scaler_machine_is_local (machine));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->broken_show_button), "s", key);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->broken_show_button), "win.show-autoscaler-file");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->broken_delete_button), "s", key);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->broken_delete_button), "win.delete-autoscaler");
  gtk_stack_set_visible_child_name (self->content_stack, "broken");
}

void
_scaler_window_update_content (ScalerWindow *self)
{
  ScalerClientAutoscaler *autoscaler = _scaler_window_get_selected (self);
  ScalerDashboard *dashboard = ensure_dashboard (self);
  g_autofree char *status = NULL;
  g_autofree char *subtitle = NULL;
  ScalerMachine *machine;
  const char *state = "stopped";
  gboolean active;

  if (autoscaler == NULL)
    {
      scaler_dashboard_set_autoscaler (dashboard, NULL);
      show_machine_state (self);
      return;
    }

  machine = scaler_client_autoscaler_get_machine (autoscaler);
  status = scaler_sidebar_describe (autoscaler, &state);
  if (machine != NULL && !scaler_machine_is_local (machine))
    /* TRANSLATORS: the state of an autoscaler, then the server it runs on */
    subtitle = g_strdup_printf (_("%s · on %s"), status, scaler_machine_get_title (machine));
  adw_window_title_set_title (self->content_title, scaler_client_autoscaler_get_name (autoscaler));
  adw_window_title_set_subtitle (self->content_title, subtitle != NULL ? subtitle : status);

  if (scaler_client_autoscaler_is_broken (autoscaler))
    {
      scaler_dashboard_set_autoscaler (dashboard, NULL);
      show_broken (self, autoscaler);
      return;
    }

  scaler_dashboard_set_autoscaler (dashboard, autoscaler);
  /* The dashboard's own header has start and stop. */
  active = scaler_client_autoscaler_is_active (autoscaler);
  gtk_widget_set_visible (self->toggle_button, FALSE);
  gtk_widget_set_visible (self->edit_button, TRUE);
  gtk_button_set_label (GTK_BUTTON (self->toggle_button), active ? _("_Stop") : _("_Start"));
  gtk_stack_set_visible_child_name (self->content_stack, "dashboard");
}

/* ---- the sidebar ---- */

static gpointer
machine_section (gpointer item,
                 gpointer user_data)
{
  ScalerMachine *machine = item;
  GListStore *header = g_list_store_new (SCALER_TYPE_MACHINE);
  GListStore *parts = g_list_store_new (G_TYPE_LIST_MODEL);

  g_list_store_append (header, machine);
  g_list_store_append (parts, header);
  g_list_store_append (parts, scaler_machine_get_autoscalers (machine));
  g_object_unref (header);
  g_object_unref (machine);

  /* The header row, then the machine's autoscalers. */
  return gtk_flatten_list_model_new (G_LIST_MODEL (parts));
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  if (SCALER_IS_MACHINE (item))
    return scaler_machine_row_new (item);
  return scaler_sidebar_row_new (item);
}

static GtkListBoxRow *
row_for_key (ScalerWindow *self,
             const char   *key)
{
  if (key == NULL || key[0] == '\0')
    return NULL;

  for (guint i = 0; ; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->sidebar_list, i);
      g_autofree char *row_key = NULL;

      if (row == NULL)
        return NULL;
      if (!SCALER_IS_SIDEBAR_ROW (row))
        continue;
      row_key = scaler_client_autoscaler_dup_key (scaler_sidebar_row_get_autoscaler (SCALER_SIDEBAR_ROW (row)));
      if (g_strcmp0 (row_key, key) == 0)
        return row;
    }
}

static GtkListBoxRow *
first_autoscaler_row (ScalerWindow *self)
{
  for (guint i = 0; ; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->sidebar_list, i);

      if (row == NULL || SCALER_IS_SIDEBAR_ROW (row))
        return row;
    }
}

static void
select_row (ScalerWindow  *self,
            GtkListBoxRow *row)
{
  self->restoring = TRUE;
  gtk_list_box_select_row (self->sidebar_list, row);
  self->restoring = FALSE;
}

static void
sidebar_changed_cb (ScalerWindow *self)
{
  GtkListBoxRow *row;

  g_assert (SCALER_IS_WINDOW (self));

  /* An autoscaler the window waits for (just created, moved, duplicated). */
  if (self->pending_key != NULL && (row = row_for_key (self, self->pending_key)) != NULL)
    {
      g_clear_pointer (&self->pending_key, g_free);
      gtk_list_box_select_row (self->sidebar_list, row);
    }

  /* Keep something selected: the remembered autoscaler, else the first. */
  if (gtk_list_box_get_selected_row (self->sidebar_list) == NULL)
    {
      g_autofree char *last = g_settings_get_string (self->settings, "last-autoscaler");

      row = row_for_key (self, last);
      if (row == NULL && (row = first_autoscaler_row (self)) != NULL)
        {
          g_autofree char *key = NULL;

          /* The remembered one is gone: the first row is what is shown now,
           * and what a restart shows (it may be clicked without a change). */
          key = scaler_client_autoscaler_dup_key (scaler_sidebar_row_get_autoscaler (SCALER_SIDEBAR_ROW (row)));
          g_settings_set_string (self->settings, "last-autoscaler", key);
        }
      if (row != NULL)
        select_row (self, row);
    }

  _scaler_window_update_content (self);
}

static void
selected_changed_cb (ScalerWindow *self)
{
  g_assert (SCALER_IS_WINDOW (self));

  _scaler_window_update_content (self);
}

static void
scaler_window_row_selected_cb (ScalerWindow  *self,
                               GtkListBoxRow *row)
{
  ScalerClientAutoscaler *autoscaler = _scaler_window_get_selected (self);

  g_assert (SCALER_IS_WINDOW (self));

  if (autoscaler != NULL && !self->restoring)
    {
      g_autofree char *key = scaler_client_autoscaler_dup_key (autoscaler);

      g_settings_set_string (self->settings, "last-autoscaler", key);
    }

  /* The header follows the selected autoscaler's state. */
  g_signal_group_set_target (self->selected_signals, autoscaler);
  _scaler_window_update_content (self);

  if (row != NULL && adw_leaflet_get_folded (self->leaflet) && !self->restoring)
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

void
_scaler_window_select_later (ScalerWindow *self,
                             const char   *key)
{
  GtkListBoxRow *row = row_for_key (self, key);

  g_clear_pointer (&self->pending_key, g_free);
  /* Remembered even when it is selected already (the first row). */
  g_settings_set_string (self->settings, "last-autoscaler", key);
  if (row != NULL)
    gtk_list_box_select_row (self->sidebar_list, row);
  else
    self->pending_key = g_strdup (key);
}

static void
scaler_window_back_cb (ScalerWindow *self)
{
  g_assert (SCALER_IS_WINDOW (self));

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* ---- GObject ---- */

static gboolean
scaler_window_close_request (GtkWindow *window)
{
  ScalerWindow *self = SCALER_WINDOW (window);

  /* The autoscalers keep running in the service; the first time, say so. */
  if (self->application != NULL)
    scaler_application_window_closed (self->application);

  return GTK_WINDOW_CLASS (scaler_window_parent_class)->close_request (window);
}

static void
scaler_window_dispose (GObject *object)
{
  ScalerWindow *self = SCALER_WINDOW (object);

  if (self->sidebar_list != NULL)
    gtk_list_box_bind_model (self->sidebar_list, NULL, NULL, NULL, NULL);
  if (self->sidebar_model != NULL)
    g_signal_handlers_disconnect_by_data (self->sidebar_model, self);
  g_clear_object (&self->sidebar_model);
  if (self->local_signals != NULL)
    g_signal_group_set_target (self->local_signals, NULL);
  g_clear_object (&self->local_signals);
  if (self->selected_signals != NULL)
    g_signal_group_set_target (self->selected_signals, NULL);
  g_clear_object (&self->selected_signals);
  g_clear_weak_pointer (&self->dialog);
  g_clear_object (&self->export_chooser);
  g_clear_object (&self->import_chooser);
  g_clear_pointer (&self->pending_key, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (scaler_window_parent_class)->dispose (object);
}

/* The application is not known yet in constructed(): GtkWindow applies the
 * "application" property late. */
static void
scaler_window_set_up (ScalerWindow      *self,
                      ScalerApplication *app)
{
  GListModel *machines;

  g_set_weak_pointer (&self->application, app);
  machines = scaler_application_get_machines (app);
  self->sidebar_model = G_LIST_MODEL (gtk_flatten_list_model_new (
    G_LIST_MODEL (gtk_map_list_model_new (g_object_ref (machines), machine_section, NULL, NULL))));
  gtk_list_box_bind_model (self->sidebar_list, self->sidebar_model, create_row_cb, self, NULL);
  g_signal_connect_object (self->sidebar_model, "items-changed", G_CALLBACK (sidebar_changed_cb),
                           self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_group_set_target (self->local_signals, scaler_application_get_local_machine (app));
  sidebar_changed_cb (self);
}

static void
scaler_window_class_init (ScalerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = scaler_window_dispose;
  window_class->close_request = scaler_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, demo_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, toggle_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, dashboard_bin);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, broken_page);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, broken_show_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, broken_delete_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, unreachable_page);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, scaler_window_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_window_row_selected_cb);

  _scaler_window_install_actions (widget_class);

  g_type_ensure (SCALER_TYPE_SIDEBAR_ROW);
  g_type_ensure (SCALER_TYPE_MACHINE_ROW);
  g_type_ensure (SCALER_TYPE_DASHBOARD);
}

static void
scaler_window_init (ScalerWindow *self)
{
  static const char * const followed[] = {
    "notify::name", "notify::state", "notify::error", "notify::desired-state", "notify::config",
    "notify::instances", "notify::idle-workers",
  };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->local_signals = g_signal_group_new (SCALER_TYPE_MACHINE);
  g_signal_group_connect_swapped (self->local_signals, "notify::status", G_CALLBACK (selected_changed_cb), self);
  g_signal_group_connect_swapped (self->local_signals, "notify::error", G_CALLBACK (selected_changed_cb), self);
  self->selected_signals = g_signal_group_new (SCALER_TYPE_CLIENT_AUTOSCALER);
  for (guint i = 0; i < G_N_ELEMENTS (followed); i++)
    g_signal_group_connect_swapped (self->selected_signals, followed[i], G_CALLBACK (selected_changed_cb), self);

  self->settings = g_settings_new (BASE_APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  if (g_strcmp0 (PROFILE, "Devel") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

/* ---- public API ---- */

ScalerWindow *
scaler_window_new (ScalerApplication *application)
{
  ScalerWindow *self;

  g_return_val_if_fail (SCALER_IS_APPLICATION (application), NULL);

  self = g_object_new (SCALER_TYPE_WINDOW,
                       "application", application,
                       NULL);
  scaler_window_set_up (self, application);

  return self;
}

void
scaler_window_add_toast (ScalerWindow *self,
                         const char   *title)
{
  g_return_if_fail (SCALER_IS_WINDOW (self));
  g_return_if_fail (title != NULL);

  scaler_gui_add_toast (GTK_WIDGET (self->toast_overlay), "%s", title);
}

const char *
scaler_window_get_selected_id (ScalerWindow *self)
{
  ScalerClientAutoscaler *autoscaler;

  g_return_val_if_fail (SCALER_IS_WINDOW (self), NULL);

  autoscaler = _scaler_window_get_selected (self);
  return autoscaler != NULL ? scaler_client_autoscaler_get_id (autoscaler) : NULL;
}

ScalerClientAutoscaler *
scaler_window_get_selected (ScalerWindow *self)
{
  g_return_val_if_fail (SCALER_IS_WINDOW (self), NULL);

  return _scaler_window_get_selected (self);
}

gboolean
scaler_window_select_instance (ScalerWindow *self,
                               const char   *key)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (SCALER_IS_WINDOW (self), FALSE);

  row = row_for_key (self, key);
  if (row == NULL)
    return FALSE;

  gtk_list_box_select_row (self->sidebar_list, row);

  return TRUE;
}

GtkWindow *
scaler_window_get_dialog (ScalerWindow *self)
{
  g_return_val_if_fail (SCALER_IS_WINDOW (self), NULL);

  return self->dialog;
}

ScalerDashboard *
scaler_window_get_dashboard (ScalerWindow *self)
{
  g_return_val_if_fail (SCALER_IS_WINDOW (self), NULL);

  return ensure_dashboard (self);
}

const char *
scaler_window_get_content_page (ScalerWindow *self)
{
  g_return_val_if_fail (SCALER_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->content_stack);
}
