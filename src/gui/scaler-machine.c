/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-machine"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "scaler-dbus-error.h"
#include "scaler-machine.h"
#include "scaler-remote-transport.h"

/* StartServiceByName: activation may take a while on a cold start. */
#define START_SERVICE_TIMEOUT_MS 25000
/* After Create returned, the new object is in the object manager already
 * (the service exports it first); this covers a reordering anyway. */
#define CREATED_WAIT_S 10.0

struct _ScalerMachine
{
  GObject               parent_instance;

  char                 *address;        /* NULL: this computer */
  char                 *hostname;
  ScalerMachineStatus   status;
  char                 *error;
  gboolean              has_keyring;

  GDBusConnection      *connection;
  gulong                closed_handler;
  GDBusObjectManager   *manager;
  ScalerDbusManager    *manager_iface;
  GListStore           *autoscalers;    /* ScalerClientAutoscaler */
  GCancellable         *cancellable;    /* of the connection attempt */
  guint                 timeout_id;
  guint                 watch_id;       /* the name, while unreachable */
  GPtrArray            *waits;          /* Wait* */
};

G_DEFINE_FINAL_TYPE (ScalerMachine, scaler_machine, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (ScalerMachineStatus, scaler_machine_status,
                    G_DEFINE_ENUM_VALUE (SCALER_MACHINE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (SCALER_MACHINE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (SCALER_MACHINE_UNREACHABLE, "unreachable"))

enum {
  PROP_0,
  PROP_TITLE,
  PROP_HOSTNAME,
  PROP_STATUS,
  PROP_ERROR,
  PROP_HAS_KEYRING,
  N_PROPS
};

enum {
  EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void connect_manager (ScalerMachine *self);

/* ---- waiting for an autoscaler to appear ---- */

typedef struct
{
  GTask *task;
  char  *id;
  char  *path;
  guint  timeout_id;
} Wait;

static void
wait_free (Wait *wait)
{
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  g_clear_object (&wait->task);
  g_free (wait->id);
  g_free (wait->path);
  g_free (wait);
}

static gboolean
wait_matches (Wait                   *wait,
              ScalerClientAutoscaler *autoscaler)
{
  const char *path = g_dbus_proxy_get_object_path (G_DBUS_PROXY (scaler_client_autoscaler_get_proxy (autoscaler)));

  return (wait->id != NULL && g_strcmp0 (wait->id, scaler_client_autoscaler_get_id (autoscaler)) == 0) ||
         (wait->path != NULL && g_strcmp0 (wait->path, path) == 0);
}

static void
check_waits (ScalerMachine          *self,
             ScalerClientAutoscaler *autoscaler)
{
  for (guint i = 0; i < self->waits->len; )
    {
      Wait *wait = g_ptr_array_index (self->waits, i);

      if (wait_matches (wait, autoscaler))
        {
          g_task_return_pointer (wait->task, g_object_ref (autoscaler), g_object_unref);
          g_ptr_array_remove_index (self->waits, i);
        }
      else
        i++;
    }
}

static gboolean
wait_timeout_cb (gpointer user_data)
{
  Wait *wait = user_data;
  ScalerMachine *self = g_task_get_source_object (wait->task);

  wait->timeout_id = 0;
  g_task_return_new_error (wait->task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           _("The service did not show the autoscaler %s in time"),
                           wait->id != NULL ? wait->id : wait->path);
  g_ptr_array_remove (self->waits, wait);
  return G_SOURCE_REMOVE;
}

static void
add_wait (ScalerMachine *self,
          GTask         *task,
          const char    *id,
          const char    *path,
          double         timeout_s)
{
  Wait *wait = g_new0 (Wait, 1);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->autoscalers));

  wait->task = g_object_ref (task);
  wait->id = g_strdup (id);
  wait->path = g_strdup (path);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ScalerClientAutoscaler) autoscaler = g_list_model_get_item (G_LIST_MODEL (self->autoscalers), i);

      if (wait_matches (wait, autoscaler))
        {
          g_task_return_pointer (task, g_object_ref (autoscaler), g_object_unref);
          wait_free (wait);
          return;
        }
    }
  wait->timeout_id = g_timeout_add ((guint) (timeout_s * 1000), wait_timeout_cb, wait);
  g_ptr_array_add (self->waits, wait);
}

static void
fail_waits (ScalerMachine *self)
{
  g_autoptr(GPtrArray) waits = g_steal_pointer (&self->waits);

  self->waits = g_ptr_array_new_with_free_func ((GDestroyNotify) wait_free);
  for (guint i = 0; i < waits->len; i++)
    {
      Wait *wait = g_ptr_array_index (waits, i);

      g_task_return_new_error (wait->task, G_IO_ERROR, G_IO_ERROR_CLOSED, "%s",
                               self->error != NULL ? self->error : _("The service is gone"));
    }
}

/* ---- status ---- */

static void
set_status (ScalerMachine       *self,
            ScalerMachineStatus  status,
            const char          *error)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->error, error) != 0)
    {
      g_free (self->error);
      self->error = g_strdup (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_hostname (ScalerMachine *self,
              const char    *hostname)
{
  if (hostname != NULL && hostname[0] == '\0')
    hostname = NULL;
  if (g_strcmp0 (self->hostname, hostname) == 0)
    return;
  g_free (self->hostname);
  self->hostname = g_strdup (hostname);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOSTNAME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static void
manager_properties_changed_cb (ScalerMachine *self)
{
  gboolean has_keyring = scaler_dbus_manager_get_has_keyring (self->manager_iface);

  g_assert (SCALER_IS_MACHINE (self));

  set_hostname (self, scaler_dbus_manager_get_hostname (self->manager_iface));
  if (self->has_keyring != has_keyring)
    {
      self->has_keyring = has_keyring;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_KEYRING]);
    }
}

/* ---- the objects ---- */

static void
autoscaler_event_cb (ScalerClientAutoscaler *autoscaler,
                     const char             *kind,
                     const char             *title,
                     const char             *body,
                     ScalerMachine          *self)
{
  g_assert (SCALER_IS_CLIENT_AUTOSCALER (autoscaler));
  g_assert (SCALER_IS_MACHINE (self));

  g_signal_emit (self, signals[EVENT], 0, autoscaler, kind, title, body);
}

static ScalerClientAutoscaler *
wrap_object (ScalerMachine *self,
             GDBusObject   *object)
{
  g_autoptr(ScalerDbusAutoscaler) proxy = scaler_dbus_object_get_autoscaler (SCALER_DBUS_OBJECT (object));
  ScalerClientAutoscaler *autoscaler;

  if (proxy == NULL)
    return NULL;
  autoscaler = scaler_client_autoscaler_new (self, proxy);
  g_signal_connect_object (autoscaler, "event", G_CALLBACK (autoscaler_event_cb), self, 0);
  return autoscaler;
}

static void
take_manager_iface (ScalerMachine *self,
                    GDBusObject   *object)
{
  g_autoptr(ScalerDbusManager) iface = scaler_dbus_object_get_manager (SCALER_DBUS_OBJECT (object));

  if (iface == NULL)
    return;
  if (self->manager_iface != NULL)
    g_signal_handlers_disconnect_by_data (self->manager_iface, self);
  g_set_object (&self->manager_iface, iface);
  g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (iface), SCALER_CLIENT_CALL_TIMEOUT_MS);
  g_signal_connect_swapped (iface, "g-properties-changed", G_CALLBACK (manager_properties_changed_cb), self);
  manager_properties_changed_cb (self);
}

static gboolean
find_by_path (ScalerMachine *self,
              const char    *path,
              guint         *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->autoscalers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ScalerClientAutoscaler) autoscaler = g_list_model_get_item (G_LIST_MODEL (self->autoscalers), i);
      GDBusProxy *proxy = G_DBUS_PROXY (scaler_client_autoscaler_get_proxy (autoscaler));

      if (g_strcmp0 (g_dbus_proxy_get_object_path (proxy), path) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
object_added_cb (GDBusObjectManager *manager,
                 GDBusObject        *object,
                 ScalerMachine      *self)
{
  g_autoptr(ScalerClientAutoscaler) autoscaler = NULL;
  guint position;

  g_assert (SCALER_IS_MACHINE (self));

  take_manager_iface (self, object);
  if (find_by_path (self, g_dbus_object_get_object_path (object), &position))
    return;
  autoscaler = wrap_object (self, object);
  if (autoscaler == NULL)
    return;
  g_list_store_append (self->autoscalers, autoscaler);
  check_waits (self, autoscaler);
}

static void
object_removed_cb (GDBusObjectManager *manager,
                   GDBusObject        *object,
                   ScalerMachine      *self)
{
  guint position;

  g_assert (SCALER_IS_MACHINE (self));

  if (find_by_path (self, g_dbus_object_get_object_path (object), &position))
    g_list_store_remove (self->autoscalers, position);
}

static int
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  ScalerClientAutoscaler *x = *(ScalerClientAutoscaler **) a;
  ScalerClientAutoscaler *y = *(ScalerClientAutoscaler **) b;
  g_autofree char *kx = g_utf8_collate_key (scaler_client_autoscaler_get_name (x), -1);
  g_autofree char *ky = g_utf8_collate_key (scaler_client_autoscaler_get_name (y), -1);
  int order = strcmp (kx, ky);

  return order != 0 ? order : g_strcmp0 (scaler_client_autoscaler_get_id (x), scaler_client_autoscaler_get_id (y));
}

static void
populate (ScalerMachine *self)
{
  g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects (self->manager);
  g_autoptr(GPtrArray) wrapped = g_ptr_array_new_with_free_func (g_object_unref);

  for (GList *l = objects; l != NULL; l = l->next)
    {
      ScalerClientAutoscaler *autoscaler;

      take_manager_iface (self, l->data);
      autoscaler = wrap_object (self, l->data);
      if (autoscaler != NULL)
        g_ptr_array_add (wrapped, autoscaler);
    }
  g_ptr_array_sort (wrapped, compare_by_name);
  g_list_store_splice (self->autoscalers, 0, g_list_model_get_n_items (G_LIST_MODEL (self->autoscalers)),
                       wrapped->pdata, wrapped->len);
}

/* ---- losing it ---- */

static void
release_manager (ScalerMachine *self)
{
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  if (self->manager_iface != NULL)
    g_signal_handlers_disconnect_by_data (self->manager_iface, self);
  g_clear_object (&self->manager_iface);
}

static void
drop_manager (ScalerMachine *self)
{
  release_manager (self);
  g_list_store_remove_all (self->autoscalers);
}

static void
drop_connection (ScalerMachine *self)
{
  if (self->connection != NULL && self->closed_handler != 0)
    g_signal_handler_disconnect (self->connection, self->closed_handler);
  self->closed_handler = 0;
  /* A remote connection ends its ssh when it closes. */
  if (self->connection != NULL && self->address != NULL && !g_dbus_connection_is_closed (self->connection))
    g_dbus_connection_close (self->connection, NULL, NULL, NULL);
  g_clear_object (&self->connection);
}

static void
name_appeared_cb (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  ScalerMachine *self = user_data;

  g_assert (SCALER_IS_MACHINE (self));

  g_debug ("%s is back (%s): reconnecting", name, owner);
  scaler_machine_connect (self);
}

static void
unreachable (ScalerMachine *self,
             const char    *message)
{
  g_debug ("%s unreachable: %s", self->address ? self->address : "this computer", message);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  drop_manager (self);
  set_status (self, SCALER_MACHINE_UNREACHABLE, message);
  fail_waits (self);

  /* This computer: come back by itself when the service does (systemd
   * restarting it, or someone starting it by hand). */
  if (self->address == NULL && self->connection != NULL && self->watch_id == 0 &&
      !g_dbus_connection_is_closed (self->connection))
    self->watch_id = g_bus_watch_name_on_connection (self->connection, SCALER_DBUS_NAME,
                                                     G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                     name_appeared_cb, NULL, self, NULL);
}

static void
name_owner_cb (ScalerMachine *self)
{
  g_autofree char *owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (self->manager));

  g_assert (SCALER_IS_MACHINE (self));

  /* Dropped at once: GDBusObjectManagerClient would fetch the objects of a
   * new owner with a blocking call on this thread (glib
   * gio/gdbusobjectmanagerclient.c, on_notify_g_name_owner():
   * g_dbus_proxy_call_sync ("GetManagedObjects"), "TODO: do this async!");
   * a new manager fetches them in a thread (its async initable). */
  if (owner == NULL)
    unreachable (self, self->address == NULL
                       ? _("The background service stopped. Autoscalers that were running on this computer are "
                           "not running now; they resume when the service starts again.")
                       : _("The service on the server stopped."));
}

static void
connection_closed_cb (GDBusConnection *connection,
                      gboolean         remote_peer_vanished,
                      GError          *error,
                      ScalerMachine   *self)
{
  g_autofree char *stderr_text = scaler_remote_transport_dup_stderr (connection);
  g_autofree char *message = NULL;

  g_assert (SCALER_IS_MACHINE (self));

  if (self->address != NULL)
    message = g_strdup_printf (_("The connection to %s was lost%s%s"), self->address,
                               stderr_text != NULL && stderr_text[0] != '\0' ? ": " : "",
                               stderr_text != NULL ? g_strstrip (stderr_text) : "");
  else
    message = g_strdup (_("The session bus connection was lost"));
  drop_connection (self);
  unreachable (self, message);
}

/* ---- connecting ---- */

static gboolean
connect_timeout_cb (gpointer user_data)
{
  ScalerMachine *self = user_data;
  g_autofree char *message = NULL;

  g_assert (SCALER_IS_MACHINE (self));

  self->timeout_id = 0;
  message = g_strdup_printf (_("The service on %s did not answer within %.0f seconds"),
                             self->address ? self->address : _("this computer"), SCALER_MACHINE_CONNECT_TIMEOUT_S);
  unreachable (self, message);
  return G_SOURCE_REMOVE;
}

static void
manager_new_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ScalerMachine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusObjectManager) manager = scaler_dbus_object_manager_client_new_finish (result, &error);
  g_autofree char *owner = NULL;

  g_assert (SCALER_IS_MACHINE (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (manager == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        unreachable (self, scaler_client_error_strip (error)->message);
      return;
    }
  owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (manager));
  if (owner == NULL)
    {
      unreachable (self, _("The background service started, then stopped at once; its log (journalctl --user "
                           "-u ec2-autoscalerd) says why"));
      return;
    }

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->manager = g_steal_pointer (&manager);
  g_signal_connect (self->manager, "object-added", G_CALLBACK (object_added_cb), self);
  g_signal_connect (self->manager, "object-removed", G_CALLBACK (object_removed_cb), self);
  g_signal_connect_swapped (self->manager, "notify::name-owner", G_CALLBACK (name_owner_cb), self);
  populate (self);
  set_status (self, SCALER_MACHINE_CONNECTED, NULL);
}

static void
connect_manager (ScalerMachine *self)
{
  scaler_dbus_object_manager_client_new (self->connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
                                         SCALER_DBUS_NAME, SCALER_DBUS_ROOT_PATH, self->cancellable,
                                         manager_new_cb, g_object_ref (self));
}

static char *
activation_failure (ScalerMachine *self,
                    const GError  *error)
{
  /* No D-Bus activation file for the name: the common case, said plainly. */
  if (self->address == NULL && g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN))
    return g_strdup (_("The background service is not running and could not be started: it is not installed "
                       "for this session. From a build tree, build-aux/run starts it; once installed, D-Bus "
                       "starts it when needed."));
  if (self->address == NULL)
    return g_strdup_printf (_("The background service is not running and could not be started: %s. From a build "
                              "tree, build-aux/run starts it; once installed, D-Bus starts it when needed."),
                            error->message);
  return g_strdup_printf (_("EC2 Autoscaler's service is not running on %s and could not be started there (%s). "
                            "Install EC2 Autoscaler on the server, then run “systemctl --user enable --now "
                            "ec2-autoscalerd.service” there."),
                          self->address, error->message);
}

static void
start_service_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ScalerMachine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  g_assert (SCALER_IS_MACHINE (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (reply == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = activation_failure (self, scaler_client_error_strip (error));
      unreachable (self, message);
      return;
    }
  connect_manager (self);
}

/* dbus-daemon answers StartServiceByName with ServiceUnknown for a name
 * without a .service file even while someone owns it (a service started by
 * hand, or from a build tree): dbus bus/activation.c,
 * bus_activation_activate_service(), looks the file up
 * (activation_find_entry) before it checks whether the name is active. So
 * ask for an owner first. */
static void
has_owner_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ScalerMachine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  gboolean has_owner = FALSE;

  g_assert (SCALER_IS_MACHINE (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (reply == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  if (has_owner)
    {
      connect_manager (self);
      return;
    }
  /* Starts the service when none runs (D-Bus activation), and says clearly
   * when it cannot. */
  g_dbus_connection_call (G_DBUS_CONNECTION (object), "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "StartServiceByName", g_variant_new ("(su)", SCALER_DBUS_NAME, 0),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, START_SERVICE_TIMEOUT_MS,
                          self->cancellable, start_service_cb, g_object_ref (self));
}

static void
got_connection (ScalerMachine   *self,
                GDBusConnection *connection)
{
  if (self->connection != connection)
    {
      drop_connection (self);
      self->connection = g_object_ref (connection);
      self->closed_handler = g_signal_connect (connection, "closed", G_CALLBACK (connection_closed_cb), self);
    }
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "NameHasOwner", g_variant_new ("(s)", SCALER_DBUS_NAME), G_VARIANT_TYPE ("(b)"),
                          G_DBUS_CALL_FLAGS_NONE, START_SERVICE_TIMEOUT_MS, self->cancellable, has_owner_cb,
                          g_object_ref (self));
}

static void
session_bus_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ScalerMachine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = g_bus_get_finish (result, &error);

  g_assert (SCALER_IS_MACHINE (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (connection == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("There is no session bus to reach the background service: %s"), error->message);
      unreachable (self, message);
      return;
    }
  got_connection (self, connection);
}

static void
remote_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ScalerMachine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = scaler_remote_transport_connect_finish (result, &error);

  g_assert (SCALER_IS_MACHINE (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        unreachable (self, error->message);
      return;
    }
  got_connection (self, connection);
}

/* ---- GObject ---- */

static void
scaler_machine_dispose (GObject *object)
{
  ScalerMachine *self = SCALER_MACHINE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->watch_id != 0)
    g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  /* No items-changed from here: whoever showed the list is being finalized. */
  release_manager (self);
  drop_connection (self);
  g_clear_pointer (&self->waits, g_ptr_array_unref);
  g_clear_object (&self->autoscalers);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (scaler_machine_parent_class)->dispose (object);
}

static void
scaler_machine_finalize (GObject *object)
{
  ScalerMachine *self = SCALER_MACHINE (object);

  g_free (self->address);
  g_free (self->hostname);
  g_free (self->error);

  G_OBJECT_CLASS (scaler_machine_parent_class)->finalize (object);
}

static void
scaler_machine_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ScalerMachine *self = SCALER_MACHINE (object);

  switch (prop_id)
    {
    case PROP_TITLE:       g_value_set_string (value, scaler_machine_get_title (self)); break;
    case PROP_HOSTNAME:    g_value_set_string (value, self->hostname); break;
    case PROP_STATUS:      g_value_set_enum (value, self->status); break;
    case PROP_ERROR:       g_value_set_string (value, self->error); break;
    case PROP_HAS_KEYRING: g_value_set_boolean (value, self->has_keyring); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_machine_class_init (ScalerMachineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = scaler_machine_dispose;
  object_class->finalize = scaler_machine_finalize;
  object_class->get_property = scaler_machine_get_property;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_HOSTNAME] = g_param_spec_string ("hostname", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] = g_param_spec_enum ("status", NULL, NULL, SCALER_TYPE_MACHINE_STATUS,
                                               SCALER_MACHINE_UNREACHABLE, flags);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  properties[PROP_HAS_KEYRING] = g_param_spec_boolean ("has-keyring", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 4, SCALER_TYPE_CLIENT_AUTOSCALER,
                                 G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
scaler_machine_init (ScalerMachine *self)
{
  self->status = SCALER_MACHINE_UNREACHABLE;
  self->autoscalers = g_list_store_new (SCALER_TYPE_CLIENT_AUTOSCALER);
  self->waits = g_ptr_array_new_with_free_func ((GDestroyNotify) wait_free);
}

/* ---- public API ---- */

ScalerMachine *
scaler_machine_new_local (void)
{
  return g_object_new (SCALER_TYPE_MACHINE, NULL);
}

ScalerMachine *
scaler_machine_new_remote (const char *address)
{
  ScalerMachine *self;

  g_return_val_if_fail (address != NULL && address[0] != '\0', NULL);

  self = g_object_new (SCALER_TYPE_MACHINE, NULL);
  self->address = g_strdup (address);
  return self;
}

gboolean
scaler_machine_is_local (ScalerMachine *self)
{
  g_return_val_if_fail (SCALER_IS_MACHINE (self), FALSE);
  return self->address == NULL;
}

const char *
scaler_machine_get_address (ScalerMachine *self)
{
  g_return_val_if_fail (SCALER_IS_MACHINE (self), NULL);
  return self->address;
}

const char *
scaler_machine_get_title (ScalerMachine *self)
{
  g_return_val_if_fail (SCALER_IS_MACHINE (self), NULL);

  if (self->address == NULL)
    return _("This Computer");
  return self->hostname != NULL ? self->hostname : self->address;
}

const char *
scaler_machine_get_hostname (ScalerMachine *self)
{
  g_return_val_if_fail (SCALER_IS_MACHINE (self), NULL);
  return self->hostname;
}

ScalerMachineStatus
scaler_machine_get_status (ScalerMachine *self)
{
  g_return_val_if_fail (SCALER_IS_MACHINE (self), SCALER_MACHINE_UNREACHABLE);
  return self->status;
}

const char *
scaler_machine_get_error (ScalerMachine *self)
{
  g_return_val_if_fail (SCALER_IS_MACHINE (self), NULL);
  return self->error;
}

gboolean
scaler_machine_get_has_keyring (ScalerMachine *self)
{
  g_return_val_if_fail (SCALER_IS_MACHINE (self), FALSE);
  return self->has_keyring;
}

GDBusConnection *
scaler_machine_get_connection (ScalerMachine *self)
{
  g_return_val_if_fail (SCALER_IS_MACHINE (self), NULL);
  return self->connection;
}

GListModel *
scaler_machine_get_autoscalers (ScalerMachine *self)
{
  g_return_val_if_fail (SCALER_IS_MACHINE (self), NULL);
  return G_LIST_MODEL (self->autoscalers);
}

ScalerClientAutoscaler *
scaler_machine_find (ScalerMachine *self,
                     const char    *id)
{
  guint n;

  g_return_val_if_fail (SCALER_IS_MACHINE (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->autoscalers));
  for (guint i = 0; id != NULL && i < n; i++)
    {
      g_autoptr(ScalerClientAutoscaler) autoscaler = g_list_model_get_item (G_LIST_MODEL (self->autoscalers), i);

      if (g_strcmp0 (scaler_client_autoscaler_get_id (autoscaler), id) == 0)
        return autoscaler;   /* the store keeps it */
    }
  return NULL;
}

ScalerClientAutoscaler *
scaler_machine_find_by_path (ScalerMachine *self,
                             const char    *path)
{
  g_autoptr(ScalerClientAutoscaler) autoscaler = NULL;
  guint position;

  g_return_val_if_fail (SCALER_IS_MACHINE (self), NULL);

  if (path == NULL || !find_by_path (self, path, &position))
    return NULL;
  autoscaler = g_list_model_get_item (G_LIST_MODEL (self->autoscalers), position);
  return autoscaler;   /* the store keeps it */
}

void
scaler_machine_connect (ScalerMachine *self)
{
  g_return_if_fail (SCALER_IS_MACHINE (self));

  if (self->status == SCALER_MACHINE_CONNECTED || self->status == SCALER_MACHINE_CONNECTING)
    return;

  if (self->watch_id != 0)
    g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_status (self, SCALER_MACHINE_CONNECTING, NULL);
  self->timeout_id = g_timeout_add_seconds ((guint) SCALER_MACHINE_CONNECT_TIMEOUT_S, connect_timeout_cb, self);

  if (self->connection != NULL && !g_dbus_connection_is_closed (self->connection))
    got_connection (self, self->connection);
  else if (self->address == NULL)
    g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, session_bus_cb, g_object_ref (self));
  else
    scaler_remote_transport_connect_async (self->address, SCALER_MACHINE_CONNECT_TIMEOUT_S - 1, self->cancellable,
                                           remote_cb, g_object_ref (self));
}

void
scaler_machine_disconnect (ScalerMachine *self)
{
  g_return_if_fail (SCALER_IS_MACHINE (self));

  if (self->watch_id != 0)
    g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  drop_connection (self);
  unreachable (self, _("Disconnected"));
}

static GTask *
manager_task (ScalerMachine       *self,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (self->manager_iface == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s",
                               self->error != NULL ? self->error : _("Not connected to the service"));
      g_clear_object (&task);
    }
  return task;
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScalerMachine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_assert (G_IS_ASYNC_RESULT (result));

  if (!scaler_dbus_manager_call_create_finish (SCALER_DBUS_MANAGER (object), &path, result, &error))
    {
      g_task_return_error (task, scaler_client_error_strip (g_steal_pointer (&error)));
      return;
    }
  add_wait (self, task, NULL, path, CREATED_WAIT_S);
}

void
scaler_machine_create_async (ScalerMachine       *self,
                             const char          *config_json,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SCALER_IS_MACHINE (self));
  g_return_if_fail (config_json != NULL);

  task = manager_task (self, scaler_machine_create_async, cancellable, callback, user_data);
  if (task != NULL)
    scaler_dbus_manager_call_create (self->manager_iface, config_json, G_DBUS_CALL_FLAGS_NONE,
                                     SCALER_CLIENT_CALL_TIMEOUT_MS, cancellable, create_cb, task);
}

ScalerClientAutoscaler *
scaler_machine_create_finish (ScalerMachine  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_autoptr(ScalerClientAutoscaler) autoscaler = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  /* The store keeps it; the caller borrows it. */
  autoscaler = g_task_propagate_pointer (G_TASK (result), error);
  return autoscaler;
}

static void
stop_all_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (G_IS_ASYNC_RESULT (result));

  if (!scaler_dbus_manager_call_stop_all_finish (SCALER_DBUS_MANAGER (object), result, &error))
    g_task_return_error (task, scaler_client_error_strip (g_steal_pointer (&error)));
  else
    g_task_return_boolean (task, TRUE);
}

void
scaler_machine_stop_all_async (ScalerMachine       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SCALER_IS_MACHINE (self));

  task = manager_task (self, scaler_machine_stop_all_async, cancellable, callback, user_data);
  if (task != NULL)
    scaler_dbus_manager_call_stop_all (self->manager_iface, G_DBUS_CALL_FLAGS_NONE, SCALER_CLIENT_CALL_TIMEOUT_MS,
                                       cancellable, stop_all_cb, task);
}

gboolean
scaler_machine_stop_all_finish (ScalerMachine  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
scaler_machine_wait_for_async (ScalerMachine       *self,
                               const char          *id,
                               double               timeout_s,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SCALER_IS_MACHINE (self));
  g_return_if_fail (id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_machine_wait_for_async);
  add_wait (self, task, id, NULL, timeout_s);
}

ScalerClientAutoscaler *
scaler_machine_wait_for_finish (ScalerMachine  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  return scaler_machine_create_finish (self, result, error);
}
