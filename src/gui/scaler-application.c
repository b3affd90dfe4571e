/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-application"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-application.h"
#include "scaler-credentials-memory.h"
#include "scaler-credentials-secret.h"
#include "scaler-engine-registry.h"
#include "scaler-gui-resources.h"
#include "scaler-preferences-window.h"
#include "scaler-window.h"

struct _ScalerApplication
{
  AdwApplication       parent_instance;

  GSettings           *settings;
  ScalerAutoscalerStore *store;
  ScalerCredentials   *credentials;
  ScalerEngineRegistry *engines;
};

G_DEFINE_FINAL_TYPE (ScalerApplication, scaler_application, ADW_TYPE_APPLICATION)

enum {
  ENGINE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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
scaler_application_new_autoscaler_action (GSimpleAction *action,
                                        GVariant      *parameter,
                                        gpointer       user_data)
{
  ScalerApplication *self = user_data;
  GtkWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = scaler_application_get_main_window (self);
  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.new-autoscaler", NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", scaler_application_quit_action },
  { "about", scaler_application_about_action },
  { "preferences", scaler_application_preferences_action },
  { "new-autoscaler", scaler_application_new_autoscaler_action },
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

  /* Created here, not in init: `--version` must work without the schema. */
  self->settings = g_settings_new (BASE_APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-autoscaler", new_accels);

  /* A corrupt file becomes a broken item with its error; it is never
   * overwritten. Only an unreadable directory fails the whole load. */
  {
    g_autoptr(GError) error = NULL;

    if (!scaler_autoscaler_store_load (self->store, &error))
      g_message ("Could not read the saved autoscalers in %s: %s",
                 scaler_autoscaler_store_get_directory (self->store), error->message);
  }

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
scaler_application_shutdown (GApplication *app)
{
  ScalerApplication *self = SCALER_APPLICATION (app);

  /* Engines stop cleanly (on_stop is honoured), but quitting never hangs. */
  scaler_engine_registry_stop_all (self->engines, 15.0);

  G_APPLICATION_CLASS (scaler_application_parent_class)->shutdown (app);
}

static void
scaler_application_dispose (GObject *object)
{
  ScalerApplication *self = SCALER_APPLICATION (object);

  if (self->engines != NULL)
    g_signal_handlers_disconnect_by_data (self->engines, self);
  g_clear_object (&self->engines);
  g_clear_object (&self->store);
  g_clear_object (&self->credentials);
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
  app_class->shutdown = scaler_application_shutdown;

  signals[ENGINE_CHANGED] = g_signal_new ("engine-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
engine_changed_cb (ScalerEngineRegistry *registry,
                   const char           *id,
                   ScalerApplication    *self)
{
  g_signal_emit (self, signals[ENGINE_CHANGED], 0, id);
}

static void
scaler_application_init (ScalerApplication *self)
{
  self->store = scaler_autoscaler_store_new (NULL);

  /* Secrets only ever go to the keyring; tests and screenshots use memory. */
  if (g_strcmp0 (g_getenv ("SCALER_CREDENTIALS"), "memory") == 0)
    self->credentials = scaler_credentials_memory_new ();
  else
    self->credentials = scaler_credentials_secret_new ();
  self->engines = scaler_engine_registry_new (self->credentials, NULL);
  g_signal_connect (self->engines, "engine-changed", G_CALLBACK (engine_changed_cb), self);

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

ScalerAutoscalerStore *
scaler_application_get_store (ScalerApplication *self)
{
  g_return_val_if_fail (SCALER_IS_APPLICATION (self), NULL);

  return self->store;
}

ScalerCredentials *
scaler_application_get_credentials (ScalerApplication *self)
{
  g_return_val_if_fail (SCALER_IS_APPLICATION (self), NULL);

  return self->credentials;
}

ScalerEngine *
scaler_application_get_engine (ScalerApplication *self,
                               const char        *instance_id)
{
  g_return_val_if_fail (SCALER_IS_APPLICATION (self), NULL);

  return scaler_engine_registry_get_engine (self->engines, instance_id);
}

guint
scaler_application_get_n_engines (ScalerApplication *self)
{
  g_return_val_if_fail (SCALER_IS_APPLICATION (self), 0);

  return scaler_engine_registry_get_n_engines (self->engines);
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (scaler_engine_registry_start_finish (SCALER_ENGINE_REGISTRY (object), result, &error) == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
scaler_application_start_autoscaler_async (ScalerApplication   *self,
                                           const char          *instance_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ScalerAutoscaler *saved;
  ScalerConfig *config;

  g_return_if_fail (SCALER_IS_APPLICATION (self));
  g_return_if_fail (instance_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_application_start_autoscaler_async);

  saved = scaler_autoscaler_store_find (self->store, instance_id);
  if (saved == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("There is no autoscaler with the id %s"), instance_id);
      return;
    }

  config = scaler_autoscaler_get_config (saved);
  if (config == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The file of “%s” could not be read: %s"),
                               scaler_autoscaler_get_name (saved),
                               scaler_autoscaler_get_load_error (saved));
      return;
    }

  scaler_engine_registry_start_async (self->engines, config, NULL, NULL, cancellable,
                                      start_cb, g_steal_pointer (&task));
}

gboolean
scaler_application_start_autoscaler_finish (ScalerApplication  *self,
                                            GAsyncResult       *result,
                                            GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
stop_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!scaler_engine_registry_stop_finish (SCALER_ENGINE_REGISTRY (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
scaler_application_stop_autoscaler_async (ScalerApplication   *self,
                                          const char          *instance_id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SCALER_IS_APPLICATION (self));
  g_return_if_fail (instance_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_application_stop_autoscaler_async);
  scaler_engine_registry_stop_async (self->engines, instance_id, 20.0, cancellable,
                                     stop_cb, g_steal_pointer (&task));
}

gboolean
scaler_application_stop_autoscaler_finish (ScalerApplication  *self,
                                           GAsyncResult       *result,
                                           GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
scaler_application_stop_all (ScalerApplication *self,
                             double             timeout_s)
{
  g_return_if_fail (SCALER_IS_APPLICATION (self));

  scaler_engine_registry_stop_all (self->engines, timeout_s);
}
