/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Stand-ins for the desktop on a service's private bus: the notification
 * server and the Background portal, recording what the app asks (see
 * scaler-test-service.h).
 */

#define G_LOG_DOMAIN "scaler-test-desktop"

#include "config.h"

#include <string.h>

#include "scaler-test-notifications.h"
#include "scaler-test-service.h"

/* ---- the notification server (scaler-test-notifications.h) ---- */

void
scaler_test_service_watch_notifications (ScalerTestService *svc)
{
  svc->notifications = scaler_test_notifications_new (svc->connection);
}

gboolean
scaler_test_service_notified (ScalerTestService *svc,
                              const char        *needle)
{
  return svc->notifications != NULL && scaler_test_notifications_contain (svc->notifications, needle);
}

/* ---- the Background portal ---- */

static const char portal_xml[] =
  "<node><interface name='org.freedesktop.portal.Background'>"
  "<method name='RequestBackground'><arg type='s' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='o' direction='out'/></method>"
  "</interface></node>";

static void
portal_method_cb (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  ScalerTestService *svc = user_data;
  g_autoptr(GVariant) options = g_variant_get_child_value (parameters, 1);
  g_autofree const char **commandline = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *sender_part = g_strdup (sender + 1);
  g_autofree char *handle = NULL;
  const char *reason = "", *token = "t";
  gboolean autostart = FALSE;
  GVariantBuilder results;

  g_variant_lookup (options, "reason", "&s", &reason);
  g_variant_lookup (options, "handle_token", "&s", &token);
  g_variant_lookup (options, "autostart", "b", &autostart);
  g_variant_lookup (options, "commandline", "^a&s", &commandline);
  joined = commandline != NULL ? g_strjoinv (" ", (char **) commandline) : g_strdup ("");
  g_ptr_array_add (svc->portal_requests, g_strdup_printf ("%s\n%s%s", reason, joined,
                                                              autostart ? "\nautostart" : ""));

  g_strdelimit (sender_part, ".", '_');
  handle = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", sender_part, token);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", handle));

  g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&results, "{sv}", "background", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&results, "{sv}", "autostart", g_variant_new_boolean (autostart));
  g_dbus_connection_emit_signal (connection, sender, handle, "org.freedesktop.portal.Request", "Response",
                                 g_variant_new ("(ua{sv})", 0, &results), NULL);
}

void
scaler_test_service_watch_portal (ScalerTestService *svc)
{
  static const GDBusInterfaceVTable vtable = { portal_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (portal_xml, NULL);

  svc->portal_requests = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpuint (g_dbus_connection_register_object (svc->connection, "/org/freedesktop/portal/desktop",
                                                       info->interfaces[0], &vtable, svc, NULL, NULL), >, 0);
  scaler_test_own_name (svc->connection, "org.freedesktop.portal.Desktop");
}
