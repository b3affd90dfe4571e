/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-application"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "scaler-application.h"
#include "scaler-background-portal.h"
#include "scaler-credentials-memory.h"
#include "scaler-credentials-secret.h"
#include "scaler-gui-resources.h"
#include "scaler-preferences-window.h"
#include "scaler-window.h"

struct _ScalerApplication
{
  AdwApplication     parent_instance;

  GSettings         *settings;
  ScalerCredentials *credentials;
  GListStore        *machines;      /* ScalerMachine: this computer, then servers */
  gboolean           portal_asked;
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

  g_assert (SCALER_IS_APPLICATION (self));

  /* Closing the windows lets each one save its state; the autoscalers keep
   * running in the service. */
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

  g_assert (SCALER_IS_APPLICATION (self));

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

  g_assert (SCALER_IS_APPLICATION (self));

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

  g_assert (SCALER_IS_APPLICATION (self));

  g_application_activate (G_APPLICATION (self));
  window = scaler_application_get_main_window (self);
  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.new-autoscaler", NULL);
}

/* ---- the services ---- */

/* An Event of a service: what a person should hear about even with no
 * window in front (budget reached, a failed launch, a lost instance). */
static void
machine_event_cb (ScalerMachine          *machine,
                  ScalerClientAutoscaler *autoscaler,
                  const char             *kind,
                  const char             *title,
                  const char             *body,
                  ScalerApplication      *self)
{
  g_autoptr(GNotification) notification = g_notification_new (title);
  g_autofree char *key = scaler_client_autoscaler_dup_key (autoscaler);
  g_autofree char *id = g_strdup_printf ("event-%s-%s", kind, key);
  g_autofree char *text = NULL;

  g_assert (SCALER_IS_MACHINE (machine));
  g_assert (SCALER_IS_CLIENT_AUTOSCALER (autoscaler));
  g_assert (SCALER_IS_APPLICATION (self));

  /* On a server, say which. */
  if (!scaler_machine_is_local (machine))
    text = g_strdup_printf (_("%s (on %s)"), body, scaler_machine_get_title (machine));
  g_notification_set_body (notification, text != NULL ? text : body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.show-autoscaler", "s", key);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
portal_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert (G_IS_ASYNC_RESULT (result));

  if (!scaler_background_portal_request_finish (result, &error))
    g_message ("The service will not start at login: %s", error->message);
  else
    g_debug ("The Background portal starts the service at login");
}

/* Inside flatpak there is no systemd user unit of ours: the Background
 * portal starts the service at login instead. */
static void
local_status_cb (ScalerMachine     *machine,
                 GParamSpec        *pspec,
                 ScalerApplication *self)
{
  GDBusConnection *connection = scaler_machine_get_connection (machine);

  g_assert (SCALER_IS_MACHINE (machine));
  g_assert (SCALER_IS_APPLICATION (self));

  if (self->portal_asked || scaler_machine_get_status (machine) != SCALER_MACHINE_CONNECTED ||
      connection == NULL || !scaler_background_portal_in_flatpak ())
    return;
  self->portal_asked = TRUE;
  scaler_background_portal_request_async (connection, "",
                                          _("Runs your autoscalers in the background, also after you log in "
                                            "again, until you stop them."),
                                          NULL, portal_cb, NULL);
}

static void
add_machine (ScalerApplication *self,
             ScalerMachine     *machine)
{
  g_signal_connect (machine, "event", G_CALLBACK (machine_event_cb), self);
  if (scaler_machine_is_local (machine))
    g_signal_connect (machine, "notify::status", G_CALLBACK (local_status_cb), self);
  g_list_store_append (self->machines, machine);
}

static void
connect_machines (ScalerApplication *self)
{
  g_autoptr(ScalerMachine) local = scaler_machine_new_local ();
  g_auto(GStrv) servers = g_settings_get_strv (self->settings, "servers");

  add_machine (self, local);
  for (guint i = 0; servers[i] != NULL; i++)
    if (scaler_application_find_machine (self, servers[i]) == NULL)
      {
        g_autoptr(ScalerMachine) server = scaler_machine_new_remote (servers[i]);

        add_machine (self, server);
      }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->machines)); i++)
    {
      g_autoptr(ScalerMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->machines), i);

      scaler_machine_connect (machine);
    }
}

static void
scaler_application_show_autoscaler_action (GSimpleAction *action,
                                           GVariant      *parameter,
                                           gpointer       user_data)
{
  ScalerApplication *self = user_data;
  GtkWindow *window;

  g_assert (SCALER_IS_APPLICATION (self));

  g_application_activate (G_APPLICATION (self));
  window = scaler_application_get_main_window (self);
  if (window != NULL)
    scaler_window_select_instance (SCALER_WINDOW (window), g_variant_get_string (parameter, NULL));
}

static const GActionEntry app_actions[] = {
  { "quit", scaler_application_quit_action },
  { "about", scaler_application_about_action },
  { "preferences", scaler_application_preferences_action },
  { "new-autoscaler", scaler_application_new_autoscaler_action },
  { "show-autoscaler", scaler_application_show_autoscaler_action, "s" },
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
   * before AdwApplication loads style.css: it finds only registered ones. */
  g_resources_register (scaler_gui_get_resource ());

  G_APPLICATION_CLASS (scaler_application_parent_class)->startup (app);

  /* Created here, not in init: `--version` must work without the schema. */
  self->settings = g_settings_new (BASE_APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-autoscaler", new_accels);

  connect_machines (self);

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

  if (self->machines != NULL)
    {
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->machines)); i++)
        {
          g_autoptr(ScalerMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->machines), i);

          g_signal_handlers_disconnect_by_data (machine, self);
        }
    }
  g_clear_object (&self->machines);
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
}

static void
scaler_application_init (ScalerApplication *self)
{
  /* Secrets of this computer go to its keyring, where its service (same
   * session) reads them; tests and screenshots use memory. */
  if (g_strcmp0 (g_getenv ("SCALER_CREDENTIALS"), "memory") == 0)
    self->credentials = scaler_credentials_memory_new ();
  else
    self->credentials = scaler_credentials_secret_new ();
  self->machines = g_list_store_new (SCALER_TYPE_MACHINE);

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

ScalerCredentials *
scaler_application_get_credentials (ScalerApplication *self)
{
  g_return_val_if_fail (SCALER_IS_APPLICATION (self), NULL);

  return self->credentials;
}

GListModel *
scaler_application_get_machines (ScalerApplication *self)
{
  g_return_val_if_fail (SCALER_IS_APPLICATION (self), NULL);

  return G_LIST_MODEL (self->machines);
}

ScalerMachine *
scaler_application_get_local_machine (ScalerApplication *self)
{
  g_return_val_if_fail (SCALER_IS_APPLICATION (self), NULL);

  return scaler_application_find_machine (self, NULL);
}

ScalerMachine *
scaler_application_find_machine (ScalerApplication *self,
                                 const char        *address)
{
  GListModel *machines;

  g_return_val_if_fail (SCALER_IS_APPLICATION (self), NULL);

  if (address != NULL && address[0] == '\0')
    address = NULL;
  machines = G_LIST_MODEL (self->machines);
  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr(ScalerMachine) machine = g_list_model_get_item (machines, i);

      if (g_strcmp0 (scaler_machine_get_address (machine), address) == 0)
        return machine;   /* the list keeps it */
    }
  return NULL;
}

static void
save_servers (ScalerApplication *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) servers = NULL;
  GListModel *machines = G_LIST_MODEL (self->machines);

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr(ScalerMachine) machine = g_list_model_get_item (machines, i);

      if (!scaler_machine_is_local (machine))
        g_strv_builder_add (builder, scaler_machine_get_address (machine));
    }
  servers = g_strv_builder_end (builder);
  if (self->settings != NULL)
    g_settings_set_strv (self->settings, "servers", (const char * const *) servers);
}

ScalerMachine *
scaler_application_add_server (ScalerApplication *self,
                               const char        *address)
{
  ScalerMachine *machine;

  g_return_val_if_fail (SCALER_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (address != NULL && address[0] != '\0', NULL);

  machine = scaler_application_find_machine (self, address);
  if (machine == NULL)
    {
      g_autoptr(ScalerMachine) added = scaler_machine_new_remote (address);

      add_machine (self, added);
      machine = added;
      save_servers (self);
    }
  scaler_machine_connect (machine);
  return machine;
}

void
scaler_application_adopt_server (ScalerApplication *self,
                                 ScalerMachine     *machine)
{
  g_return_if_fail (SCALER_IS_APPLICATION (self));
  g_return_if_fail (SCALER_IS_MACHINE (machine));
  g_return_if_fail (!scaler_machine_is_local (machine));

  if (scaler_application_find_machine (self, scaler_machine_get_address (machine)) != NULL)
    return;
  add_machine (self, machine);
  save_servers (self);
}

void
scaler_application_remove_server (ScalerApplication *self,
                                  ScalerMachine     *machine)
{
  guint position;

  g_return_if_fail (SCALER_IS_APPLICATION (self));
  g_return_if_fail (SCALER_IS_MACHINE (machine));
  g_return_if_fail (!scaler_machine_is_local (machine));

  if (!g_list_store_find (self->machines, machine, &position))
    return;
  g_signal_handlers_disconnect_by_data (machine, self);
  scaler_machine_disconnect (machine);
  g_list_store_remove (self->machines, position);
  save_servers (self);
}

ScalerClientAutoscaler *
scaler_application_lookup (ScalerApplication *self,
                           const char        *key)
{
  g_autofree char *address = NULL;
  const char *slash;
  ScalerMachine *machine;

  g_return_val_if_fail (SCALER_IS_APPLICATION (self), NULL);

  if (key == NULL)
    return NULL;
  /* A file name (the id of a file that does not load) has no '/'. */
  slash = strrchr (key, '/');
  if (slash != NULL)
    address = g_strndup (key, slash - key);
  machine = scaler_application_find_machine (self, address);
  return machine != NULL ? scaler_machine_find (machine, slash != NULL ? slash + 1 : key) : NULL;
}

void
scaler_application_get_background_notice (const char **title,
                                          const char **body)
{
  if (title != NULL)
    *title = _("Autoscalers Keep Running");
  if (body != NULL)
    *body = _("Your autoscalers keep running in the background service with the window closed: they go on launching "
              "and terminating instances. To stop them, open EC2 Autoscaler and choose Stop All Autoscalers in "
              "the main menu.");
}

void
scaler_application_window_closed (ScalerApplication *self)
{
  ScalerMachine *local;
  GListModel *autoscalers;
  gboolean active = FALSE;

  g_return_if_fail (SCALER_IS_APPLICATION (self));

  local = scaler_application_get_local_machine (self);
  if (self->settings == NULL || local == NULL ||
      g_settings_get_boolean (self->settings, "background-notice-shown"))
    return;

  autoscalers = scaler_machine_get_autoscalers (local);
  for (guint i = 0; i < g_list_model_get_n_items (autoscalers) && !active; i++)
    {
      g_autoptr(ScalerClientAutoscaler) autoscaler = g_list_model_get_item (autoscalers, i);

      active = scaler_client_autoscaler_is_active (autoscaler);
    }
  if (!active)
    return;

  {
    g_autoptr(GNotification) notification = NULL;
    const char *title, *body;

    scaler_application_get_background_notice (&title, &body);
    notification = g_notification_new (title);
    g_notification_set_body (notification, body);
    g_application_send_notification (G_APPLICATION (self), "background-notice", notification);
    g_settings_set_boolean (self->settings, "background-notice-shown", TRUE);
  }
}
