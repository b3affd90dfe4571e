/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-window"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-window.h"

struct _ScalerWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar_list;
  GtkStack             *content_stack;
  AdwStatusPage        *empty_page;
};

G_DEFINE_FINAL_TYPE (ScalerWindow, scaler_window, ADW_TYPE_APPLICATION_WINDOW)

static void
scaler_window_back_cb (ScalerWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
scaler_window_new_instance_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);

  /* The creation wizard (issue 7) replaces this message. */
  scaler_window_add_toast (self, _("Creating autoscalers is not available in this build yet"));
}

static void
scaler_window_dispose (GObject *object)
{
  ScalerWindow *self = SCALER_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (scaler_window_parent_class)->dispose (object);
}

static void
scaler_window_class_init (ScalerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scaler_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, scaler_window_back_cb);

  gtk_widget_class_install_action (widget_class, "win.new-instance", NULL,
                                   scaler_window_new_instance_action);
}

static void
scaler_window_init (ScalerWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (BASE_APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  if (g_strcmp0 (PROFILE, "Devel") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

ScalerWindow *
scaler_window_new (ScalerApplication *application)
{
  return g_object_new (SCALER_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

void
scaler_window_add_toast (ScalerWindow *self,
                         const char   *title)
{
  g_return_if_fail (SCALER_IS_WINDOW (self));
  g_return_if_fail (title != NULL);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}
