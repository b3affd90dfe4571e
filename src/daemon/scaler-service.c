/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-service.c: ec2-autoscalerd --service (see scaler-service.h).
 *
 * Shape after gnome-online-accounts' daemon: the name is owned with
 * g_bus_own_name(); a second copy loses it at once and exits; the objects
 * live in a GDBusObjectManagerServer. */

#define G_LOG_DOMAIN "ec2-autoscalerd"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "scaler-daemon.h"
#include "scaler-service.h"
#include "scaler-service-autoscaler.h"
#include "scaler-service-notify.h"

/* After SIGTERM the engines get this long to cancel, wait and honour
 * on_stop; the process exits 0 at HARD_EXIT_MS whatever happens. */
#define STOP_TIMEOUT_S   3.0
#define HARD_EXIT_MS     4500
/* File changes are picked up this long after the last event. */
#define DEBOUNCE_MS      300

typedef struct
{
  GMainLoop                *loop;
  GDBusConnection          *connection;
  guint                     owner_id;
  gboolean                  bus_acquired;
  gboolean                  name_acquired;
  int                       exit_code;

  GDBusObjectManagerServer *manager;
  ScalerDbusManager        *manager_iface;
  ScalerServiceContext      ctx;
  GHashTable               *autoscalers;   /* ScalerAutoscaler* (item) -> ScalerServiceAutoscaler* */
  ScalerServiceNotifier    *notifier;      /* Events as desktop notifications while the app does not run */

  GFileMonitor             *monitor;
  guint                     debounce;
} Service;

static void
say (ScalerLogLevel  level,
     const char     *format,
     ...) G_GNUC_PRINTF (2, 3);

static void
say (ScalerLogLevel  level,
     const char     *format,
     ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  scaler_daemon_print_line (level, NULL, text);
}

/* ---- the autoscaler objects follow the store ---- */

static void
add_autoscaler (Service          *service,
                ScalerAutoscaler *item)
{
  ScalerServiceAutoscaler *autoscaler = scaler_service_autoscaler_new (&service->ctx, item);

  g_hash_table_insert (service->autoscalers, g_object_ref (item), autoscaler);
  g_dbus_object_manager_server_export_uniquely (service->manager, scaler_service_autoscaler_get_object (autoscaler));
  scaler_service_notifier_watch (service->notifier, G_DBUS_OBJECT (scaler_service_autoscaler_get_object (autoscaler)));
  if (service->name_acquired)
    scaler_service_autoscaler_resume (autoscaler);
}

/* Objects for new items, none for items that went. */
static void
sync_autoscalers (Service *service)
{
  GListModel *model = G_LIST_MODEL (service->ctx.store);
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ScalerAutoscaler) item = g_list_model_get_item (model, i);

      g_hash_table_add (present, item);
      if (!g_hash_table_contains (service->autoscalers, item))
        add_autoscaler (service, item);
    }

  g_hash_table_iter_init (&iter, service->autoscalers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (present, key))
      {
        ScalerServiceAutoscaler *autoscaler = value;
        GDBusObject *object = G_DBUS_OBJECT (scaler_service_autoscaler_get_object (autoscaler));

        scaler_service_autoscaler_retire (autoscaler);
        g_dbus_object_manager_server_unexport (service->manager, g_dbus_object_get_object_path (object));
        g_hash_table_iter_remove (&iter);
      }
}

static void
store_items_changed_cb (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        Service    *service)
{
  g_assert (G_IS_LIST_MODEL (model));

  sync_autoscalers (service);
}

static gboolean
debounce_cb (gpointer user_data)
{
  Service *service = user_data;
  g_autoptr(GError) error = NULL;

  service->debounce = 0;
  if (!service->ctx.stopping && !scaler_autoscaler_store_refresh (service->ctx.store, &error))
    say (SCALER_LOG_LEVEL_WARNING, "%s", error->message);
  return G_SOURCE_REMOVE;
}

static void
directory_changed_cb (GFileMonitor      *monitor,
                      GFile             *file,
                      GFile             *other,
                      GFileMonitorEvent  event,
                      Service           *service)
{
  g_assert (G_IS_FILE_MONITOR (monitor));

  if (service->debounce != 0)
    g_source_remove (service->debounce);
  service->debounce = g_timeout_add (DEBOUNCE_MS, debounce_cb, service);
}

static void
watch_directory (Service *service)
{
  g_autoptr(GFile) directory = g_file_new_for_path (scaler_autoscaler_store_get_directory (service->ctx.store));
  g_autoptr(GError) error = NULL;

  service->monitor = g_file_monitor_directory (directory, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (service->monitor == NULL)
    {
      say (SCALER_LOG_LEVEL_WARNING, _("Changes to %s are not followed: %s"),
           scaler_autoscaler_store_get_directory (service->ctx.store), error->message);
      return;
    }
  g_signal_connect (service->monitor, "changed", G_CALLBACK (directory_changed_cb), service);
}

/* ---- Manager ---- */

static gboolean
handle_create (ScalerDbusManager     *iface,
               GDBusMethodInvocation *invocation,
               const char            *config_json,
               Service               *service)
{
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_assert (SCALER_DBUS_IS_MANAGER (iface));

  config = scaler_config_load (config_json, -1, NULL, &error);
  if (config == NULL || scaler_autoscaler_store_add (service->ctx.store, config, &error) == NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, SCALER_DBUS_ERROR,
                                                     g_error_matches (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG)
                                                     ? SCALER_DBUS_ERROR_INVALID_CONFIG : SCALER_DBUS_ERROR_FAILED,
                                                     error->message);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  /* The store's items-changed exported it already. */
  path = scaler_dbus_autoscaler_path (config->id);
  scaler_dbus_manager_complete_create (iface, invocation, path);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_validate (ScalerDbusManager     *iface,
                 GDBusMethodInvocation *invocation,
                 const char            *config_json,
                 Service               *service)
{
  g_autoptr(GPtrArray) problems = scaler_config_validate_json (config_json, -1);
  GVariantBuilder builder;

  g_assert (SCALER_DBUS_IS_MANAGER (iface));

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sss)"));
  for (guint i = 0; i < problems->len; i++)
    {
      ScalerConfigProblem *problem = g_ptr_array_index (problems, i);

      g_variant_builder_add (&builder, "(sss)", problem->path,
                             problem->severity == SCALER_PROBLEM_WARNING ? "warning" : "error", problem->message);
    }
  scaler_dbus_manager_complete_validate (iface, invocation, g_variant_builder_end (&builder));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_stop_all (ScalerDbusManager     *iface,
                 GDBusMethodInvocation *invocation,
                 Service               *service)
{
  GHashTableIter iter;
  gpointer value;

  g_assert (SCALER_DBUS_IS_MANAGER (iface));

  g_hash_table_iter_init (&iter, service->autoscalers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_autoptr(GError) error = NULL;

      /* A file that does not load has no desired state to write. */
      if (!scaler_service_autoscaler_set_desired (value, SCALER_DESIRED_STATE_STOPPED, &error)
          && !g_error_matches (error, SCALER_DBUS_ERROR, SCALER_DBUS_ERROR_FAILED))
        say (SCALER_LOG_LEVEL_WARNING, "%s", error->message);
    }
  scaler_engine_registry_stop_all_async (service->ctx.registry, 20.0, NULL, NULL, NULL);
  scaler_dbus_manager_complete_stop_all (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
export_manager (Service         *service,
                GDBusConnection *connection)
{
  g_autoptr(ScalerDbusObjectSkeleton) object = scaler_dbus_object_skeleton_new (SCALER_DBUS_MANAGER_PATH);
  g_autofree char *state_root = scaler_engine_registry_dup_state_root ();
  g_autofree char *config_dir = scaler_autoscaler_store_dup_default_directory ();

  service->manager = g_dbus_object_manager_server_new (SCALER_DBUS_ROOT_PATH);
  service->manager_iface = scaler_dbus_manager_skeleton_new ();
  scaler_dbus_manager_set_version (service->manager_iface, PACKAGE_VERSION);
  scaler_dbus_manager_set_hostname (service->manager_iface, g_get_host_name ());
  scaler_dbus_manager_set_config_directory (service->manager_iface, config_dir);
  scaler_dbus_manager_set_state_directory (service->manager_iface, state_root);
  g_signal_connect (service->manager_iface, "handle-create", G_CALLBACK (handle_create), service);
  g_signal_connect (service->manager_iface, "handle-validate", G_CALLBACK (handle_validate), service);
  g_signal_connect (service->manager_iface, "handle-stop-all", G_CALLBACK (handle_stop_all), service);
  scaler_dbus_object_skeleton_set_manager (object, service->manager_iface);
  g_dbus_object_manager_server_export (service->manager, G_DBUS_OBJECT_SKELETON (object));
  g_dbus_object_manager_server_set_connection (service->manager, connection);
}

/* ---- start-up ---- */

/* Whether a Secret Service answers on the bus, or can be started there. */
static gboolean
bus_has_keyring (GDBusConnection *connection)
{
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GVariant) activatable = NULL;
  g_autofree const char **names = NULL;
  gboolean has_owner = FALSE;

  owner = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (owner != NULL)
    g_variant_get (owner, "(b)", &has_owner);
  if (has_owner)
    return TRUE;
  activatable = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                             "org.freedesktop.DBus", "ListActivatableNames", NULL,
                                             G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (activatable == NULL)
    return FALSE;
  g_variant_get (activatable, "(^a&s)", &names);
  return names != NULL && g_strv_contains (names, "org.freedesktop.secrets");
}

static void
load_autoscalers (Service *service)
{
  g_autoptr(GError) error = NULL;
  const char *directory = scaler_autoscaler_store_get_directory (service->ctx.store);

  /* Created, so that it can be watched before the first autoscaler. */
  if (g_mkdir_with_parents (directory, 0700) != 0)
    say (SCALER_LOG_LEVEL_WARNING, _("Cannot create %s: %s"), directory, g_strerror (errno));
  if (!scaler_autoscaler_store_load (service->ctx.store, &error))
    say (SCALER_LOG_LEVEL_ERROR, "%s", error->message);
  g_signal_connect (service->ctx.store, "items-changed", G_CALLBACK (store_items_changed_cb), service);
  sync_autoscalers (service);
  watch_directory (service);
}

static void
bus_acquired_cb (GDBusConnection *connection,
                 const char      *name,
                 gpointer         user_data)
{
  Service *service = user_data;

  g_assert (G_IS_DBUS_CONNECTION (connection));

  service->bus_acquired = TRUE;
  service->connection = g_object_ref (connection);
  /* A bus that goes away (the session ends) is a shutdown like SIGTERM,
   * honouring on_stop, not a signal of GDBus's own. */
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  /* The Manager first: a client that sees the name finds the object manager. */
  export_manager (service, connection);
  service->notifier = scaler_service_notifier_new (connection);
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  Service *service = user_data;
  gboolean has_keyring = bus_has_keyring (connection);
  GHashTableIter iter;
  gpointer value;

  g_assert (G_IS_DBUS_CONNECTION (connection));

  service->name_acquired = TRUE;
  service->ctx.keyring = has_keyring ? scaler_credentials_secret_new () : NULL;
  service->ctx.file = scaler_credentials_file_new (NULL);
  service->ctx.registry = scaler_engine_registry_new (service->ctx.keyring, service->ctx.file);
  service->ctx.store = scaler_autoscaler_store_new (NULL);
  scaler_dbus_manager_set_has_keyring (service->manager_iface, has_keyring);

  load_autoscalers (service);
  say (SCALER_LOG_LEVEL_INFO, "ec2-autoscalerd %s: service %s with %u autoscaler(s) from %s; secrets in %s",
       PACKAGE_VERSION, name, g_hash_table_size (service->autoscalers),
       scaler_autoscaler_store_get_directory (service->ctx.store),
       has_keyring ? "the keyring" : scaler_credentials_file_get_directory (SCALER_CREDENTIALS_FILE (service->ctx.file)));

  g_hash_table_iter_init (&iter, service->autoscalers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    scaler_service_autoscaler_resume (value);
}

/* ---- shutting down ---- */

static void
flush_all (Service *service)
{
  GHashTableIter iter;
  gpointer value;

  if (service->autoscalers == NULL)
    return;
  g_hash_table_iter_init (&iter, service->autoscalers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    scaler_service_autoscaler_flush (value);
}

/* Hard exits: _exit, after flushing, so that no atexit handler races a
 * worker thread still inside libcurl or OpenSSL. */
static gboolean
hard_exit_cb (gpointer user_data)
{
  Service *service = user_data;

  say (SCALER_LOG_LEVEL_WARNING, _("A request did not give up in time; exiting anyway"));
  flush_all (service);
  fflush (NULL);
  _exit (0);
  return G_SOURCE_REMOVE;
}

static void
stopped_all_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Service *service = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_ENGINE_REGISTRY (object));

  if (!scaler_engine_registry_stop_all_finish (SCALER_ENGINE_REGISTRY (object), result, &error))
    say (SCALER_LOG_LEVEL_WARNING, "%s", error->message);
  say (SCALER_LOG_LEVEL_INFO, _("Stopped"));
  g_main_loop_quit (service->loop);
}

/* SIGTERM, SIGINT, or the bus went away: the engines stop honouring
 * on_stop; desired states stay for the next start. */
static void
shut_down (Service *service)
{
  if (service->ctx.stopping)
    {
      say (SCALER_LOG_LEVEL_WARNING, _("Second signal: exiting now"));
      flush_all (service);
      fflush (NULL);
      _exit (0);
    }
  service->ctx.stopping = TRUE;
  g_timeout_add (HARD_EXIT_MS, hard_exit_cb, service);
  g_clear_object (&service->monitor);
  flush_all (service);
  if (service->ctx.registry == NULL)
    {
      g_main_loop_quit (service->loop);
      return;
    }
  say (SCALER_LOG_LEVEL_INFO, _("Stopping every autoscaler (each honours its on_stop)"));
  scaler_engine_registry_stop_all_async (service->ctx.registry, STOP_TIMEOUT_S, NULL, stopped_all_cb, service);
}

static gboolean
signal_cb (gpointer user_data)
{
  shut_down (user_data);
  return G_SOURCE_CONTINUE;
}

static void
name_lost_cb (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  Service *service = user_data;

  g_assert (connection == NULL || G_IS_DBUS_CONNECTION (connection));

  if (service->name_acquired)
    {
      say (SCALER_LOG_LEVEL_WARNING, _("Lost the bus name %s"), name);
      shut_down (service);
      return;
    }
  if (connection == NULL || !service->bus_acquired)
    {
      g_printerr (_("%s: cannot reach the session bus (is DBUS_SESSION_BUS_ADDRESS set?)\n"), g_get_prgname ());
      service->exit_code = 1;
    }
  else
    g_printerr (_("%s: the name %s is taken: another service already runs on this bus\n"), g_get_prgname (), name);
  g_main_loop_quit (service->loop);
}

static void
service_clear (Service *service)
{
  if (service->debounce != 0)
    g_source_remove (service->debounce);
  g_clear_object (&service->monitor);
  flush_all (service);
  if (service->ctx.store != NULL)
    g_signal_handlers_disconnect_by_data (service->ctx.store, service);
  g_clear_pointer (&service->autoscalers, g_hash_table_unref);
  g_clear_object (&service->notifier);
  g_clear_object (&service->manager);
  g_clear_object (&service->manager_iface);
  g_clear_object (&service->ctx.registry);
  g_clear_object (&service->ctx.store);
  g_clear_object (&service->ctx.keyring);
  g_clear_object (&service->ctx.file);
  g_clear_object (&service->connection);
  g_clear_pointer (&service->loop, g_main_loop_unref);
}

int
scaler_service_run (void)
{
  Service service = { 0 };
  guint sigint, sigterm;

  service.loop = g_main_loop_new (NULL, FALSE);
  service.autoscalers = g_hash_table_new_full (NULL, NULL, g_object_unref, g_object_unref);
  service.ctx.show_debug = g_getenv ("G_MESSAGES_DEBUG") != NULL;
  sigint = g_unix_signal_add (SIGINT, signal_cb, &service);
  sigterm = g_unix_signal_add (SIGTERM, signal_cb, &service);

  service.owner_id = g_bus_own_name (G_BUS_TYPE_SESSION, SCALER_DBUS_NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                     bus_acquired_cb, name_acquired_cb, name_lost_cb, &service, NULL);
  g_main_loop_run (service.loop);

  g_bus_unown_name (service.owner_id);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  service_clear (&service);
  return service.exit_code;
}
