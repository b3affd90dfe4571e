/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-server-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-gui-util.h"
#include "scaler-remote-transport.h"
#include "scaler-server-dialog.h"

struct _ScalerServerDialog
{
  AdwWindow          parent_instance;

  ScalerApplication *application;   /* weak */
  ScalerMachine     *machine;       /* being connected */
  char              *error;

  /* Template children */
  AdwEntryRow       *address_row;
  AdwActionRow      *status_row;
  GtkStack          *status_icon_stack;
  GtkSpinner        *spinner;
  GtkWidget         *add_button;
};

G_DEFINE_FINAL_TYPE (ScalerServerDialog, scaler_server_dialog, ADW_TYPE_WINDOW)

enum {
  ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_status (ScalerServerDialog *self,
             const char         *error)
{
  g_autofree char *escaped = NULL;

  g_free (self->error);
  self->error = g_strdup (error);
  gtk_widget_set_visible (GTK_WIDGET (self->status_row), TRUE);
  gtk_spinner_set_spinning (self->spinner, error == NULL);
  gtk_stack_set_visible_child_name (self->status_icon_stack, error == NULL ? "spinner" : "error");
  /* Row titles are Pango markup. */
  escaped = g_markup_escape_text (error != NULL ? error : _("Connecting…"), -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), escaped);
}

static void
drop_machine (ScalerServerDialog *self)
{
  if (self->machine == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->machine, self);
  scaler_machine_disconnect (self->machine);
  g_clear_object (&self->machine);
}

static void
status_cb (ScalerMachine      *machine,
           GParamSpec         *pspec,
           ScalerServerDialog *self)
{
  g_autoptr(ScalerMachine) added = NULL;

  g_assert (SCALER_IS_MACHINE (machine));
  g_assert (SCALER_IS_SERVER_DIALOG (self));

  switch (scaler_machine_get_status (machine))
    {
    case SCALER_MACHINE_CONNECTED:
      added = g_object_ref (machine);
      g_signal_handlers_disconnect_by_data (machine, self);
      g_clear_object (&self->machine);
      if (self->application != NULL)
        scaler_application_adopt_server (self->application, added);
      g_signal_emit (self, signals[ADDED], 0, added);
      gtk_window_close (GTK_WINDOW (self));
      break;

    case SCALER_MACHINE_UNREACHABLE:
      show_status (self, scaler_machine_get_error (machine));
      drop_machine (self);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "server.add", TRUE);
      break;

    case SCALER_MACHINE_CONNECTING:
    default:
      break;
    }
}

static void
scaler_server_dialog_add_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  ScalerServerDialog *self = SCALER_SERVER_DIALOG (widget);
  g_autofree char *address = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->address_row))));
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_SERVER_DIALOG (widget));

  if (self->machine != NULL)
    return;
  if (!scaler_remote_address_parse (address, NULL, NULL, NULL, &error))
    {
      show_status (self, error->message);
      return;
    }
  if (self->application != NULL && scaler_application_find_machine (self->application, address) != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("%s is in the sidebar already"), address);

      show_status (self, message);
      return;
    }

  show_status (self, NULL);
  gtk_widget_action_set_enabled (widget, "server.add", FALSE);
  self->machine = scaler_machine_new_remote (address);
  g_signal_connect (self->machine, "notify::status", G_CALLBACK (status_cb), self);
  scaler_machine_connect (self->machine);
}

static void
scaler_server_dialog_changed_cb (ScalerServerDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_strstrip (g_strdup (text));
  gboolean valid = scaler_remote_address_parse (address, NULL, NULL, NULL, &error);

  g_assert (SCALER_IS_SERVER_DIALOG (self));

  /* Say what is wrong while typing, once there is something to judge. */
  scaler_gui_set_row_error (GTK_WIDGET (self->address_row), valid || address[0] == '\0' ? NULL : error->message);
  if (self->machine == NULL)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "server.add", valid);
}

static void
scaler_server_dialog_activated_cb (ScalerServerDialog *self)
{
  g_assert (SCALER_IS_SERVER_DIALOG (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "server.add", NULL);
}

static void
scaler_server_dialog_dispose (GObject *object)
{
  ScalerServerDialog *self = SCALER_SERVER_DIALOG (object);

  drop_machine (self);
  g_clear_weak_pointer (&self->application);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_SERVER_DIALOG);

  G_OBJECT_CLASS (scaler_server_dialog_parent_class)->dispose (object);
}

static void
scaler_server_dialog_finalize (GObject *object)
{
  ScalerServerDialog *self = SCALER_SERVER_DIALOG (object);

  g_free (self->error);

  G_OBJECT_CLASS (scaler_server_dialog_parent_class)->finalize (object);
}

static void
scaler_server_dialog_class_init (ScalerServerDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scaler_server_dialog_dispose;
  object_class->finalize = scaler_server_dialog_finalize;

  signals[ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, SCALER_TYPE_MACHINE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-server-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerServerDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerServerDialog, status_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerServerDialog, status_icon_stack);
  gtk_widget_class_bind_template_child (widget_class, ScalerServerDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ScalerServerDialog, add_button);
  gtk_widget_class_bind_template_callback (widget_class, scaler_server_dialog_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_server_dialog_activated_cb);

  gtk_widget_class_install_action (widget_class, "server.add", NULL, scaler_server_dialog_add_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
scaler_server_dialog_init (ScalerServerDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "server.add", FALSE);
}

ScalerServerDialog *
scaler_server_dialog_new (ScalerApplication *application)
{
  ScalerServerDialog *self;

  g_return_val_if_fail (SCALER_IS_APPLICATION (application), NULL);

  self = g_object_new (SCALER_TYPE_SERVER_DIALOG, NULL);
  g_set_weak_pointer (&self->application, application);
  return self;
}

const char *
scaler_server_dialog_get_error (ScalerServerDialog *self)
{
  g_return_val_if_fail (SCALER_IS_SERVER_DIALOG (self), NULL);

  return self->error;
}
