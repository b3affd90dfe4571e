/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-application"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-application.h"
#include "scaler-gui-resources.h"
#include "scaler-preferences-window.h"
#include "scaler-window.h"

struct _ScalerApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (ScalerApplication, scaler_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { NULL }
};

static gboolean
color_scheme_get_mapping (GValue   *value,
                          GVariant *variant,
                          gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  if (g_strcmp0 (nick, "light") == 0)
    g_value_set_enum (value, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_strcmp0 (nick, "dark") == 0)
    g_value_set_enum (value, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    g_value_set_enum (value, ADW_COLOR_SCHEME_DEFAULT);

  return TRUE;
}

static GtkWindow *
scaler_application_get_main_window (ScalerApplication *self)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  for (const GList *iter = windows; iter != NULL; iter = iter->next)
    if (SCALER_IS_WINDOW (iter->data))
      return GTK_WINDOW (iter->data);

  return NULL;
}

static void
scaler_application_quit_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  ScalerApplication *self = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing the windows lets each one save its state and stop its engines. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));

  g_application_quit (G_APPLICATION (self));
}

static void
scaler_application_about_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  ScalerApplication *self = user_data;
  static const char *developers[] = { "EC2 Autoscaler developers", NULL };

  adw_show_about_window (scaler_application_get_main_window (self),
                         "application-name", _("EC2 Autoscaler"),
                         "application-icon", APP_ID,
                         "developer-name", _("EC2 Autoscaler developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Keeps AWS EC2 instances sized to the work waiting in ClearML queues, within caps and a dollar budget."),
                         "website", "https://github.com/ec2autoscaler/ec2-autoscaler",
                         "issue-url", "https://github.com/ec2autoscaler/ec2-autoscaler/issues",
                         "developers", developers,
                         "copyright", "© 2026 EC2 Autoscaler developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
scaler_application_preferences_action (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  ScalerApplication *self = user_data;
  ScalerPreferencesWindow *prefs;

  prefs = scaler_preferences_window_new (self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (prefs), scaler_application_get_main_window (self));
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
scaler_application_new_instance_action (GSimpleAction *action,
                                        GVariant      *parameter,
                                        gpointer       user_data)
{
  ScalerApplication *self = user_data;
  GtkWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = scaler_application_get_main_window (self);
  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.new-instance", NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", scaler_application_quit_action },
  { "about", scaler_application_about_action },
  { "preferences", scaler_application_preferences_action },
  { "new-instance", scaler_application_new_instance_action },
};

static int
scaler_application_handle_local_options (GApplication *app,
                                         GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("ec2-autoscaler %s\n", PACKAGE_VERSION);
      return 0;
    }

  return -1;
}

static void
scaler_application_startup (GApplication *app)
{
  ScalerApplication *self = SCALER_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *new_accels[] = { "<Control>n", NULL };

  /* The resources live in a static library: register them explicitly
   * (STYLE.md pitfall 10) before AdwApplication loads style.css. */
  g_resources_register (scaler_gui_get_resource ());

  G_APPLICATION_CLASS (scaler_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-instance", new_accels);

  g_settings_bind_with_mapping (self->settings, "color-scheme",
                                adw_style_manager_get_default (), "color-scheme",
                                G_SETTINGS_BIND_GET,
                                color_scheme_get_mapping, NULL, NULL, NULL);
}

static void
scaler_application_activate (GApplication *app)
{
  ScalerApplication *self = SCALER_APPLICATION (app);
  GtkWindow *window = scaler_application_get_main_window (self);

  if (window == NULL)
    window = GTK_WINDOW (scaler_window_new (self));

  gtk_window_present (window);
}

static void
scaler_application_dispose (GObject *object)
{
  ScalerApplication *self = SCALER_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (scaler_application_parent_class)->dispose (object);
}

static void
scaler_application_class_init (ScalerApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = scaler_application_dispose;

  app_class->handle_local_options = scaler_application_handle_local_options;
  app_class->startup = scaler_application_startup;
  app_class->activate = scaler_application_activate;
}

static void
scaler_application_init (ScalerApplication *self)
{
  self->settings = g_settings_new (BASE_APP_ID);

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

ScalerApplication *
scaler_application_new (void)
{
  return g_object_new (SCALER_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}

GSettings *
scaler_application_get_settings (ScalerApplication *self)
{
  g_return_val_if_fail (SCALER_IS_APPLICATION (self), NULL);

  return self->settings;
}
