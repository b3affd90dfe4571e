/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-application"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-application.h"
#include "scaler-credentials-memory.h"
#include "scaler-credentials-secret.h"
#include "scaler-gui-resources.h"
#include "scaler-preferences-window.h"
#include "scaler-window.h"

struct _ScalerApplication
{
  AdwApplication       parent_instance;

  GSettings           *settings;
  ScalerAutoscalerStore *store;
  ScalerCredentials   *credentials;
  GHashTable          *engines;    /* instance id -> ScalerEngine */
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
  scaler_application_stop_all (self, 15.0);

  G_APPLICATION_CLASS (scaler_application_parent_class)->shutdown (app);
}

static void
scaler_application_dispose (GObject *object)
{
  ScalerApplication *self = SCALER_APPLICATION (object);

  g_clear_pointer (&self->engines, g_hash_table_unref);
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
scaler_application_init (ScalerApplication *self)
{
  self->store = scaler_autoscaler_store_new (NULL);
  self->engines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  /* Secrets only ever go to the keyring; tests and screenshots use memory. */
  if (g_strcmp0 (g_getenv ("SCALER_CREDENTIALS"), "memory") == 0)
    self->credentials = scaler_credentials_memory_new ();
  else
    self->credentials = scaler_credentials_secret_new ();

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

  if (instance_id == NULL)
    return NULL;

  return g_hash_table_lookup (self->engines, instance_id);
}

guint
scaler_application_get_n_engines (ScalerApplication *self)
{
  g_return_val_if_fail (SCALER_IS_APPLICATION (self), 0);

  return g_hash_table_size (self->engines);
}

static char *
engine_state_dir (const char *instance_id)
{
  return g_build_filename (g_get_user_state_dir (), "ec2-autoscaler", instance_id, NULL);
}

static gboolean
start_engine (ScalerApplication    *self,
              ScalerConfig         *config,
              const ScalerSecrets  *secrets,
              GError              **error)
{
  g_autofree char *state_dir = engine_state_dir (config->id);
  ScalerEngine *engine;

  if (g_hash_table_contains (self->engines, config->id))
    return TRUE;

  engine = scaler_engine_new_for_config (config, secrets, state_dir, error);
  if (engine == NULL)
    return FALSE;

  g_hash_table_insert (self->engines, g_strdup (config->id), engine);
  scaler_engine_start (engine);
  g_signal_emit (self, signals[ENGINE_CHANGED], 0, config->id);

  return TRUE;
}

static void
start_lookup_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScalerApplication *self = g_task_get_source_object (task);
  ScalerConfig *config = g_task_get_task_data (task);
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;

  secrets = scaler_credentials_lookup_secrets_finish (SCALER_CREDENTIALS (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (secrets == NULL)
    secrets = scaler_secrets_new ();

  if (!start_engine (self, config, secrets, &error))
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
  g_autoptr(GError) error = NULL;
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

  if (g_hash_table_contains (self->engines, instance_id))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* The demo runs on the simulator: no account, no secrets. */
  if (config->demo)
    {
      if (!start_engine (self, config, NULL, &error))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  g_task_set_task_data (task, scaler_config_ref (config), (GDestroyNotify) scaler_config_unref);
  scaler_credentials_lookup_secrets_async (self->credentials, instance_id, cancellable,
                                           start_lookup_cb, g_steal_pointer (&task));
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
stop_engine_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScalerApplication *self = g_task_get_source_object (task);
  const char *id = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = scaler_engine_stop_finish (SCALER_ENGINE (object), result, &error);

  /* Forget the engine either way: a failed stop was logged by the engine. */
  if (self->engines != NULL && g_hash_table_lookup (self->engines, id) == (gpointer) object)
    {
      g_hash_table_remove (self->engines, id);
      g_signal_emit (self, signals[ENGINE_CHANGED], 0, id);
    }

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
stop_instance_with_timeout (ScalerApplication   *self,
                            const char          *instance_id,
                            double               timeout_s,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ScalerEngine *engine;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_application_stop_autoscaler_async);
  g_task_set_task_data (task, g_strdup (instance_id), g_free);

  engine = g_hash_table_lookup (self->engines, instance_id);
  if (engine == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  scaler_engine_stop_async (engine, timeout_s, cancellable, stop_engine_cb, g_steal_pointer (&task));
}

void
scaler_application_stop_autoscaler_async (ScalerApplication   *self,
                                        const char          *instance_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (SCALER_IS_APPLICATION (self));
  g_return_if_fail (instance_id != NULL);

  stop_instance_with_timeout (self, instance_id, 20.0, cancellable, callback, user_data);
}

gboolean
scaler_application_stop_autoscaler_finish (ScalerApplication  *self,
                                         GAsyncResult       *result,
                                         GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
stop_all_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  guint *pending = user_data;

  scaler_application_stop_autoscaler_finish (SCALER_APPLICATION (object), result, NULL);
  (*pending)--;
}

void
scaler_application_stop_all (ScalerApplication *self,
                             double             timeout_s)
{
  g_autofree char **ids = NULL;
  guint n_ids = 0;
  guint *pending;
  gint64 deadline;

  g_return_if_fail (SCALER_IS_APPLICATION (self));

  if (self->engines == NULL || g_hash_table_size (self->engines) == 0)
    return;

  /* The counter outlives a timeout: late callbacks still decrement it. */
  pending = g_new0 (guint, 1);
  ids = (char **) g_hash_table_get_keys_as_array (self->engines, &n_ids);
  *pending = n_ids;
  for (guint i = 0; i < n_ids; i++)
    {
      g_autofree char *id = g_strdup (ids[i]);

      /* The engines honour on_stop within a little less than our bound. */
      stop_instance_with_timeout (self, id, MAX (1.0, timeout_s - 2.0), NULL, stop_all_cb, pending);
    }

  deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);
  while (*pending > 0 && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);

  if (*pending > 0)
    g_message ("%u autoscaler(s) did not stop within %.0f s", *pending, timeout_s);
  else
    g_free (pending);
}

ScalerConfig *
scaler_application_new_demo_config (void)
{
  ScalerConfig *config = scaler_config_new ();
  ScalerResource *cpu = scaler_resource_new ();
  ScalerResource *gpu = scaler_resource_new ();

  config->demo = TRUE;
  g_free (config->name);
  config->name = g_strdup (_("Demo"));
  g_free (config->workers_prefix);
  config->workers_prefix = g_strdup ("demo_worker");
  config->hourly_budget_usd = 6.0;
  config->polling_interval_time_min = 1;
  config->max_idle_time_min = 5;
  config->max_spin_up_time_min = 10;
  g_ptr_array_add (config->aws_tags, scaler_tag_new ("team", "ml"));

  g_free (cpu->name);
  cpu->name = g_strdup ("cpu-pool");
  g_free (cpu->queue);
  cpu->queue = g_strdup ("default");
  cpu->max_instances = 6;
  g_free (cpu->instance_type);
  cpu->instance_type = g_strdup ("c5.xlarge");
  g_free (cpu->ami_id);
  cpu->ami_id = g_strdup ("ami-0123456789abcdef0");
  g_ptr_array_add (config->resources, cpu);

  g_free (gpu->name);
  gpu->name = g_strdup ("gpu-t4");
  g_free (gpu->queue);
  gpu->queue = g_strdup ("gpu");
  gpu->max_instances = 3;
  g_free (gpu->instance_type);
  gpu->instance_type = g_strdup ("g4dn.xlarge");
  g_free (gpu->ami_id);
  gpu->ami_id = g_strdup ("ami-0fedcba9876543210");
  gpu->is_spot = TRUE;
  g_ptr_array_add (config->resources, gpu);

  return config;
}
