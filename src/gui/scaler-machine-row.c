/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-machine-row"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-machine-row.h"

struct _ScalerMachineRow
{
  GtkListBoxRow  parent_instance;

  GSignalGroup  *signals;   /* of the machine */

  /* Template children */
  GtkImage      *icon;
  GtkLabel      *title_label;
  GtkLabel      *status_label;
  GtkSpinner    *spinner;
  GtkButton     *retry_button;
  GtkMenuButton *menu_button;
};

G_DEFINE_FINAL_TYPE (ScalerMachineRow, scaler_machine_row, GTK_TYPE_LIST_BOX_ROW)

static GMenuModel *
build_menu (const char *address)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenuItem) stop = g_menu_item_new (_("_Stop All on This Server…"), NULL);
  g_autoptr(GMenuItem) remove = g_menu_item_new (_("_Remove Server"), NULL);

  g_menu_item_set_action_and_target (stop, "win.stop-all-on-machine", "s", address);
  g_menu_item_set_action_and_target (remove, "win.remove-server", "s", address);
  g_menu_append_item (menu, stop);
  g_menu_append_item (menu, remove);
  return G_MENU_MODEL (menu);
}

static void
update (ScalerMachineRow *self)
{
  g_autoptr(ScalerMachine) machine = g_signal_group_dup_target (self->signals);
  const char *address, *status = NULL;
  ScalerMachineStatus machine_status;

  if (machine == NULL)
    return;

  address = scaler_machine_get_address (machine);
  machine_status = scaler_machine_get_status (machine);
  gtk_label_set_text (self->title_label, scaler_machine_get_title (machine));
  gtk_image_set_from_icon_name (self->icon, address == NULL ? "computer-symbolic" : "network-server-symbolic");
  /* The address the user typed, when the host calls itself otherwise. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), address);

  if (machine_status == SCALER_MACHINE_CONNECTING)
    status = _("Connecting…");
  else if (machine_status == SCALER_MACHINE_UNREACHABLE && address == NULL)
    /* The content page says why, at length. */
    status = _("Not connected");
  else if (machine_status == SCALER_MACHINE_UNREACHABLE)
    status = scaler_machine_get_error (machine) != NULL ? scaler_machine_get_error (machine) : _("Not connected");
  gtk_label_set_text (self->status_label, status != NULL ? status : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label),
                               machine_status == SCALER_MACHINE_UNREACHABLE && scaler_machine_get_error (machine)
                               ? scaler_machine_get_error (machine) : status);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL);
  if (machine_status == SCALER_MACHINE_UNREACHABLE)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), machine_status == SCALER_MACHINE_CONNECTING);
  gtk_spinner_set_spinning (self->spinner, machine_status == SCALER_MACHINE_CONNECTING);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), machine_status == SCALER_MACHINE_UNREACHABLE);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->retry_button), "s", address != NULL ? address : "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->retry_button), "win.retry-machine");

  gtk_widget_set_visible (GTK_WIDGET (self->menu_button), address != NULL);
  if (address != NULL && gtk_menu_button_get_menu_model (self->menu_button) == NULL)
    {
      g_autoptr(GMenuModel) menu = build_menu (address);

      gtk_menu_button_set_menu_model (self->menu_button, menu);
    }
}

static void
scaler_machine_row_dispose (GObject *object)
{
  ScalerMachineRow *self = SCALER_MACHINE_ROW (object);

  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);
  g_clear_object (&self->signals);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_MACHINE_ROW);

  G_OBJECT_CLASS (scaler_machine_row_parent_class)->dispose (object);
}

static void
scaler_machine_row_class_init (ScalerMachineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scaler_machine_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-machine-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerMachineRow, icon);
  gtk_widget_class_bind_template_child (widget_class, ScalerMachineRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerMachineRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerMachineRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, ScalerMachineRow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerMachineRow, menu_button);
}

static void
scaler_machine_row_init (ScalerMachineRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->signals = g_signal_group_new (SCALER_TYPE_MACHINE);
  g_signal_group_connect_swapped (self->signals, "notify::status", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->signals, "notify::error", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->signals, "notify::title", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->signals, "bind", G_CALLBACK (update), self);
}

GtkWidget *
scaler_machine_row_new (ScalerMachine *machine)
{
  ScalerMachineRow *self;

  g_return_val_if_fail (SCALER_IS_MACHINE (machine), NULL);

  self = g_object_new (SCALER_TYPE_MACHINE_ROW, NULL);
  g_signal_group_set_target (self->signals, machine);
  return GTK_WIDGET (self);
}

ScalerMachine *
scaler_machine_row_get_machine (ScalerMachineRow *self)
{
  g_autoptr(ScalerMachine) machine = NULL;

  g_return_val_if_fail (SCALER_IS_MACHINE_ROW (self), NULL);

  /* The application's list keeps it while the row exists. */
  machine = g_signal_group_dup_target (self->signals);
  return machine;
}

const char *
scaler_machine_row_get_title (ScalerMachineRow *self)
{
  g_return_val_if_fail (SCALER_IS_MACHINE_ROW (self), NULL);
  return gtk_label_get_text (self->title_label);
}

const char *
scaler_machine_row_get_status (ScalerMachineRow *self)
{
  g_return_val_if_fail (SCALER_IS_MACHINE_ROW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->status_label)) ? gtk_label_get_text (self->status_label) : NULL;
}
