/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A stand-in notification server on a private bus (see
 * scaler-test-notifications.h). */

#define G_LOG_DOMAIN "scaler-test-notifications"

#include "config.h"

#include <string.h>

#include "scaler-test-notifications.h"

#define NOTIFICATIONS_NAME "org.freedesktop.Notifications"

/* The interface of the Desktop Notifications Specification 1.2. */
static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "<arg type='a{sv}' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/></method>"
  "<signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "<signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "</interface></node>";

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *object_path,
                         const char            *interface_name,
                         const char            *method_name,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  ScalerTestNotifications *notifications = user_data;

  g_assert (G_IS_DBUS_CONNECTION (connection));

  if (g_str_equal (method_name, "Notify"))
    {
      guint32 replaces = 0;

      /* As a real server: the id of the notification replaced, else a new one. */
      g_variant_get_child (parameters, 1, "u", &replaces);
      g_ptr_array_add (notifications->calls, g_variant_ref (parameters));
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u)", replaces != 0 ? replaces : ++notifications->last_id));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "test", "test", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

ScalerTestNotifications *
scaler_test_notifications_new (GDBusConnection *connection)
{
  static const GDBusInterfaceVTable vtable = { notifications_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  ScalerTestNotifications *notifications = g_new0 (ScalerTestNotifications, 1);

  notifications->connection = g_object_ref (connection);
  notifications->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  notifications->registration = g_dbus_connection_register_object (connection, "/org/freedesktop/Notifications",
                                                                   info->interfaces[0], &vtable, notifications,
                                                                   NULL, NULL);
  g_assert_cmpuint (notifications->registration, >, 0);
  scaler_test_own_name (connection, NOTIFICATIONS_NAME);
  return notifications;
}

gboolean
scaler_test_notifications_contain (ScalerTestNotifications *notifications,
                                   const char              *needle)
{
  for (guint i = 0; i < notifications->calls->len; i++)
    {
      GVariant *call = g_ptr_array_index (notifications->calls, i);
      const char *summary = NULL, *body = NULL;

      g_variant_get_child (call, 3, "&s", &summary);
      g_variant_get_child (call, 4, "&s", &body);
      if (strstr (summary, needle) != NULL || strstr (body, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

void
scaler_test_notifications_free (ScalerTestNotifications *notifications)
{
  if (notifications == NULL)
    return;
  /* A connection closed at the end of a test took the name with it. */
  if (!g_dbus_connection_is_closed (notifications->connection))
    {
      scaler_test_release_name (notifications->connection, NOTIFICATIONS_NAME);
      g_dbus_connection_unregister_object (notifications->connection, notifications->registration);
    }
  g_object_unref (notifications->connection);
  g_ptr_array_unref (notifications->calls);
  g_free (notifications);
}

static guint32
call_bus (GDBusConnection *connection,
          const char      *method,
          GVariant        *parameters)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 result = 0;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", method, parameters,
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  return result;
}

void
scaler_test_own_name (GDBusConnection *connection,
                      const char      *name)
{
  /* DBUS_NAME_FLAG_DO_NOT_QUEUE; DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER */
  g_assert_cmpuint (call_bus (connection, "RequestName", g_variant_new ("(su)", name, 4)), ==, 1);
}

void
scaler_test_release_name (GDBusConnection *connection,
                          const char      *name)
{
  /* DBUS_RELEASE_NAME_REPLY_RELEASED */
  g_assert_cmpuint (call_bus (connection, "ReleaseName", g_variant_new ("(s)", name)), ==, 1);
}
