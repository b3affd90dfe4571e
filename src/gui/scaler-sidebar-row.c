/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-sidebar-row"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-machine.h"
#include "scaler-sidebar-row.h"

struct _ScalerSidebarRow
{
  GtkListBoxRow           parent_instance;

  GSignalGroup           *signals;   /* of the autoscaler */
  const char             *state;

  /* Template children */
  GtkImage               *state_icon;
  GtkLabel               *name_label;
  GtkLabel               *status_label;
  GtkButton              *toggle_button;
  GtkMenuButton          *menu_button;
};

G_DEFINE_FINAL_TYPE (ScalerSidebarRow, scaler_sidebar_row, GTK_TYPE_LIST_BOX_ROW)

static const char * const state_classes[] = {
  "state-stopped", "state-starting", "state-running", "state-stopping", "state-error", "state-broken",
};

char *
scaler_sidebar_describe (ScalerClientAutoscaler  *autoscaler,
                         const char             **state)
{
  const char *service_state = scaler_client_autoscaler_get_state (autoscaler);
  const char *error = scaler_client_autoscaler_get_error (autoscaler);
  ScalerConfig *config = scaler_client_autoscaler_get_config (autoscaler);

  if (config == NULL)
    {
      *state = "broken";
      return g_strdup_printf (_("Cannot be read: %s"), error[0] != '\0' ? error : _("unknown error"));
    }
  if (g_strcmp0 (service_state, "starting") == 0)
    {
      *state = "starting";
      return g_strdup (_("Starting…"));
    }
  if (g_strcmp0 (service_state, "stopping") == 0)
    {
      *state = "stopping";
      return g_strdup (_("Stopping…"));
    }
  if (g_strcmp0 (service_state, "failed") == 0)
    {
      *state = "error";
      return g_strdup (error[0] != '\0' ? error : _("Error"));
    }
  if (g_strcmp0 (service_state, "running") == 0)
    {
      *state = "running";
      if (scaler_client_autoscaler_get_cycle (autoscaler) == 0)
        return g_strdup (_("Running"));
      /* Translators: e.g. "3 running, 1 idle" (instances, idle workers). */
      return g_strdup_printf (_("%u running, %u idle"), scaler_client_autoscaler_get_instances (autoscaler),
                              scaler_client_autoscaler_get_idle_workers (autoscaler));
    }
  *state = "stopped";
  return g_strdup (config->demo ? _("Stopped · Demo") : _("Stopped"));
}

static const char *
state_label (const char *state)
{
  if (g_str_equal (state, "starting"))
    return _("Starting");
  if (g_str_equal (state, "running"))
    return _("Running");
  if (g_str_equal (state, "stopping"))
    return _("Stopping");
  if (g_str_equal (state, "error"))
    return _("Error");
  if (g_str_equal (state, "broken"))
    return _("Cannot be read");

  return _("Stopped");
}

static void
set_target (GtkActionable *actionable,
            const char    *action,
            const char    *key)
{
  gtk_actionable_set_action_target (actionable, "s", key);
  gtk_actionable_set_action_name (actionable, action);
}

static void
update (ScalerSidebarRow *self)
{
  ScalerClientAutoscaler *autoscaler = g_signal_group_dup_target (self->signals);
  g_autofree char *status = NULL;
  g_autofree char *key = NULL;
  g_autofree char *klass = NULL;
  const char *state = "stopped";
  gboolean broken, active;

  if (autoscaler == NULL)
    return;

  key = scaler_client_autoscaler_dup_key (autoscaler);
  broken = scaler_client_autoscaler_is_broken (autoscaler);
  active = scaler_client_autoscaler_is_active (autoscaler);
  status = scaler_sidebar_describe (autoscaler, &state);
  self->state = state;

  gtk_label_set_text (self->name_label, scaler_client_autoscaler_get_name (autoscaler));
  gtk_label_set_text (self->status_label, status);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), status);

  for (guint i = 0; i < G_N_ELEMENTS (state_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), state_classes[i]);
  klass = g_strconcat ("state-", state, NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), klass);
  gtk_image_set_from_icon_name (self->state_icon,
                                broken ? "dialog-error-symbolic" :
                                g_str_equal (state, "error") ? "dialog-warning-symbolic" :
                                "media-record-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_icon), state_label (state));

  if (broken || g_str_equal (state, "error"))
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");

  gtk_widget_set_visible (GTK_WIDGET (self->toggle_button), !broken);
  gtk_button_set_icon_name (self->toggle_button,
                            active ? "media-playback-stop-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->toggle_button), active ? _("Stop") : _("Start"));
  set_target (GTK_ACTIONABLE (self->toggle_button), active ? "win.stop-autoscaler" : "win.start-autoscaler", key);

  g_object_unref (autoscaler);
}

static void
add_item (GMenu      *menu,
          const char *label,
          const char *action,
          const char *key)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target (item, action, "s", key);
  g_menu_append_item (menu, item);
}

static GMenuModel *
build_menu (ScalerClientAutoscaler *autoscaler)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();
  g_autoptr(GMenu) move = g_menu_new ();
  g_autoptr(GMenu) danger = g_menu_new ();
  g_autofree char *key = scaler_client_autoscaler_dup_key (autoscaler);
  ScalerMachine *machine = scaler_client_autoscaler_get_machine (autoscaler);
  gboolean local = machine == NULL || scaler_machine_is_local (machine);

  if (scaler_client_autoscaler_is_broken (autoscaler))
    {
      /* Only a file of this computer can be shown in a file manager. */
      if (local)
        add_item (section, _("_Show File"), "win.show-autoscaler-file", key);
    }
  else
    {
      add_item (section, _("_Edit…"), "win.edit-autoscaler", key);
      add_item (section, _("D_uplicate"), "win.duplicate-autoscaler", key);
      add_item (section, _("E_xport…"), "win.export-autoscaler", key);
      add_item (section, _("_Test Connection"), "win.test-connection", key);
      if (local)
        add_item (move, _("_Move to Server…"), "win.move-to-server", key);
    }
  add_item (danger, _("_Delete…"), "win.delete-autoscaler", key);

  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (move));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (danger));

  return G_MENU_MODEL (menu);
}

static void
config_changed_cb (ScalerSidebarRow *self)
{
  g_autoptr(ScalerClientAutoscaler) autoscaler = g_signal_group_dup_target (self->signals);
  g_autoptr(GMenuModel) menu = NULL;

  g_assert (SCALER_IS_SIDEBAR_ROW (self));

  if (autoscaler == NULL)
    return;
  menu = build_menu (autoscaler);
  gtk_menu_button_set_menu_model (self->menu_button, menu);
  update (self);
}

static void
scaler_sidebar_row_dispose (GObject *object)
{
  ScalerSidebarRow *self = SCALER_SIDEBAR_ROW (object);

  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);
  g_clear_object (&self->signals);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_SIDEBAR_ROW);

  G_OBJECT_CLASS (scaler_sidebar_row_parent_class)->dispose (object);
}

static void
scaler_sidebar_row_class_init (ScalerSidebarRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scaler_sidebar_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-sidebar-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerSidebarRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, ScalerSidebarRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerSidebarRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerSidebarRow, toggle_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerSidebarRow, menu_button);
}

static void
scaler_sidebar_row_init (ScalerSidebarRow *self)
{
  static const char * const followed[] = {
    "notify::name", "notify::state", "notify::error", "notify::desired-state",
    "notify::instances", "notify::idle-workers", "notify::cycle",
  };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->state = "stopped";
  self->signals = g_signal_group_new (SCALER_TYPE_CLIENT_AUTOSCALER);
  for (guint i = 0; i < G_N_ELEMENTS (followed); i++)
    g_signal_group_connect_swapped (self->signals, followed[i], G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->signals, "notify::config", G_CALLBACK (config_changed_cb), self);
  g_signal_connect_swapped (self->signals, "bind", G_CALLBACK (config_changed_cb), self);
}

GtkWidget *
scaler_sidebar_row_new (ScalerClientAutoscaler *autoscaler)
{
  ScalerSidebarRow *self;

  g_return_val_if_fail (SCALER_IS_CLIENT_AUTOSCALER (autoscaler), NULL);

  self = g_object_new (SCALER_TYPE_SIDEBAR_ROW, NULL);
  g_signal_group_set_target (self->signals, autoscaler);

  return GTK_WIDGET (self);
}

ScalerClientAutoscaler *
scaler_sidebar_row_get_autoscaler (ScalerSidebarRow *self)
{
  g_autoptr(ScalerClientAutoscaler) autoscaler = NULL;

  g_return_val_if_fail (SCALER_IS_SIDEBAR_ROW (self), NULL);

  /* The list model keeps it while the row exists. */
  autoscaler = g_signal_group_dup_target (self->signals);
  return autoscaler;
}

const char *
scaler_sidebar_row_get_title (ScalerSidebarRow *self)
{
  g_return_val_if_fail (SCALER_IS_SIDEBAR_ROW (self), NULL);

  return gtk_label_get_text (self->name_label);
}

const char *
scaler_sidebar_row_get_status (ScalerSidebarRow *self)
{
  g_return_val_if_fail (SCALER_IS_SIDEBAR_ROW (self), NULL);

  return gtk_label_get_text (self->status_label);
}

const char *
scaler_sidebar_row_get_state (ScalerSidebarRow *self)
{
  g_return_val_if_fail (SCALER_IS_SIDEBAR_ROW (self), NULL);

  return self->state;
}
