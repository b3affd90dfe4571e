/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Background portal, as documented by xdg-desktop-portal
 * (doc-org.freedesktop.portal.Background: RequestBackground (s parent_window,
 * a{sv} options) -> o handle, answered by Request::Response (u, a{sv})). */

#define G_LOG_DOMAIN "scaler-background-portal"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-background-portal.h"

#define PORTAL_NAME      "org.freedesktop.portal.Desktop"
#define PORTAL_PATH      "/org/freedesktop/portal/desktop"
#define BACKGROUND_IFACE "org.freedesktop.portal.Background"
#define REQUEST_IFACE    "org.freedesktop.portal.Request"
/* The portal may show a dialog: the user has time to answer. */
#define CALL_TIMEOUT_MS  30000

gboolean
scaler_background_portal_in_flatpak (void)
{
  const char *path = g_getenv ("SCALER_TEST_FLATPAK_INFO");

  return g_file_test (path != NULL ? path : "/.flatpak-info", G_FILE_TEST_EXISTS);
}

typedef struct
{
  GDBusConnection *connection;
  guint            response_id;
} Request;

static void
request_free (Request *request)
{
  if (request->response_id != 0)
    g_dbus_connection_signal_unsubscribe (request->connection, request->response_id);
  g_clear_object (&request->connection);
  g_free (request);
}

static void
response_cb (GDBusConnection *connection,
             const char      *sender,
             const char      *path,
             const char      *interface,
             const char      *signal,
             GVariant        *parameters,
             gpointer         user_data)
{
  GTask *task = user_data;
  g_autoptr(GVariant) results = NULL;
  gboolean autostart = FALSE;
  guint32 response = 2;

  g_assert (G_IS_TASK (task));

  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_variant_lookup (results, "autostart", "b", &autostart);
  if (response == 0 && autostart)
    g_task_return_boolean (task, TRUE);
  else if (response == 1)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             _("Starting the service at login was not allowed"));
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The Background portal did not allow starting the service at login"));
  g_object_unref (task);
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  g_assert (G_IS_TASK (task));
  g_assert (G_IS_ASYNC_RESULT (result));

  /* A reply means the Response signal comes (subscribed before), and
   * response_cb drops the first reference. Without one, it never comes. */
  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
    }
  g_object_unref (task);
}

void
scaler_background_portal_request_async (GDBusConnection     *connection,
                                        const char          *parent_window,
                                        const char          *reason,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  static const char * const commandline[] = { "ec2-autoscalerd", "--service", NULL };
  g_autofree char *token = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *handle = NULL;
  GVariantBuilder options;
  Request *request;
  GTask *task;

  g_return_if_fail (G_IS_DBUS_CONNECTION (connection));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_background_portal_request_async);

  /* The handle is known in advance: subscribe before calling, so that the
   * Response cannot come first (the Request documentation's advice). */
  token = g_strdup_printf ("ec2autoscaler%u", g_random_int ());
  sender = g_strdup (g_dbus_connection_get_unique_name (connection) + 1);
  g_strdelimit (sender, ".", '_');
  handle = g_strdup_printf (PORTAL_PATH "/request/%s/%s", sender, token);
  request = g_new0 (Request, 1);
  request->connection = g_object_ref (connection);
  request->response_id = g_dbus_connection_signal_subscribe (connection, PORTAL_NAME, REQUEST_IFACE, "Response",
                                                             handle, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                             response_cb, task, NULL);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason", g_variant_new_string (reason));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (commandline, -1));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));
  g_dbus_connection_call (connection, PORTAL_NAME, PORTAL_PATH, BACKGROUND_IFACE, "RequestBackground",
                          g_variant_new ("(sa{sv})", parent_window != NULL ? parent_window : "", &options),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, cancellable,
                          call_cb, g_object_ref (task));
}

gboolean
scaler_background_portal_request_finish (GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
