/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A private bus and the built background service for the app's tests (see
 * scaler-test-session.h).
 */

#define G_LOG_DOMAIN "scaler-test-session"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "scaler-config.h"
#include "scaler-dbus-error.h"
#include "scaler-demo.h"
#include "scaler-test-session.h"

/* The static credentials of the fakes (tests/fakes), as scaler-test-daemon.h. */
#define TEST_AWS_KEY_ID     "AKIDEXAMPLE"
#define TEST_AWS_SECRET     "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TEST_CLEARML_KEY    "FAKEKEY"
#define TEST_CLEARML_SECRET "FAKESECRET"

static void
child_setup (gpointer data)
{
  /* Die with the test: an aborted test never leaks a bus or a service. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
write_bus_config (ScalerTestSession *session,
                  const char        *service_dir)
{
  g_autofree char *path = g_build_filename (session->dir, "bus.conf", NULL);
  g_autofree char *config = NULL;

  config = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
                            "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                            "<busconfig><type>session</type><keep_umask/>"
                            "<listen>unix:path=%s</listen><auth>EXTERNAL</auth>%s%s%s"
                            "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
                            "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n",
                            session->bus_socket,
                            service_dir ? "<servicedir>" : "", service_dir ? service_dir : "",
                            service_dir ? "</servicedir>" : "");
  g_assert_true (g_file_set_contents (path, config, -1, NULL));
}

static void
write_service_file (const char *service_dir)
{
  g_autofree char *path = g_build_filename (service_dir, SCALER_DBUS_NAME ".service", NULL);
  g_autofree char *text = g_strdup_printf ("[D-BUS Service]\nName=%s\nExec=%s --service\n",
                                           SCALER_DBUS_NAME, g_getenv ("SCALER_DAEMON"));

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static char **
service_environ (ScalerTestSession *session)
{
  char **envp = g_get_environ ();

  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", session->config_home, TRUE);
  envp = g_environ_setenv (envp, "XDG_STATE_HOME", session->state_home, TRUE);
  envp = g_environ_setenv (envp, "XDG_RUNTIME_DIR", session->runtime_dir, TRUE);
  envp = g_environ_setenv (envp, "DBUS_SESSION_BUS_ADDRESS", session->bus_address, TRUE);
  envp = g_environ_setenv (envp, "AWS_ACCESS_KEY_ID", TEST_AWS_KEY_ID, TRUE);
  envp = g_environ_setenv (envp, "AWS_SECRET_ACCESS_KEY", TEST_AWS_SECRET, TRUE);
  envp = g_environ_unsetenv (envp, "AWS_SESSION_TOKEN");
  envp = g_environ_unsetenv (envp, "AWS_PROFILE");
  envp = g_environ_setenv (envp, "CLEARML_API_ACCESS_KEY", TEST_CLEARML_KEY, TRUE);
  envp = g_environ_setenv (envp, "CLEARML_API_SECRET_KEY", TEST_CLEARML_SECRET, TRUE);
  return envp;
}

static gboolean
name_has_owner (ScalerTestSession *session)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (session->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner", g_variant_new ("(s)", SCALER_DBUS_NAME),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

ScalerTestSession *
scaler_test_session_new (gboolean activatable)
{
  ScalerTestSession *session = g_new0 (ScalerTestSession, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *service_dir = NULL;
  const char *argv[4] = { "dbus-daemon", "--nofork", NULL, NULL };
  gint64 deadline;

  g_assert_nonnull (g_getenv ("SCALER_DAEMON"));
  session->dir = g_dir_make_tmp ("scaler-session-XXXXXX", &error);
  g_assert_no_error (error);
  session->config_home = scaler_test_make_dir (session->dir, "config");
  session->state_home = scaler_test_make_dir (session->dir, "state");
  session->runtime_dir = scaler_test_make_dir (session->dir, "run");
  session->config_dir = g_build_filename (session->config_home, "ec2-autoscaler", NULL);
  session->bus_socket = g_build_filename (session->runtime_dir, "bus", NULL);
  session->bus_address = g_strdup_printf ("unix:path=%s", session->bus_socket);
  session->log_path = g_build_filename (session->dir, "service.log", NULL);
  session->envp = service_environ (session);
  if (activatable)
    {
      service_dir = scaler_test_make_dir (session->dir, "services");
      write_service_file (service_dir);
    }
  write_bus_config (session, service_dir);

  /* Started with the service's environment: an activated service gets the
   * bus's environment. */
  config_path = g_build_filename (session->dir, "bus.conf", NULL);
  argv[2] = g_strdup_printf ("--config-file=%s", config_path);
  g_assert_true (g_spawn_async (NULL, (char **) argv, session->envp,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_DO_NOT_REAP_CHILD,
                                child_setup, NULL, &session->bus_pid, &error));
  g_assert_no_error (error);
  g_free ((char *) argv[2]);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (session->connection == NULL && g_get_monotonic_time () < deadline)
    {
      g_clear_error (&error);
      if (g_file_test (session->bus_socket, G_FILE_TEST_EXISTS))
        session->connection = g_dbus_connection_new_for_address_sync (session->bus_address,
                                                                      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                                      G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                                      NULL, NULL, &error);
      if (session->connection == NULL)
        g_usleep (20000);
    }
  g_assert_no_error (error);
  g_assert_nonnull (session->connection);
  g_dbus_connection_set_exit_on_close (session->connection, FALSE);
  return session;
}

void
scaler_test_session_use (ScalerTestSession *session)
{
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", session->bus_address, TRUE);
  g_setenv ("XDG_CONFIG_HOME", session->config_home, TRUE);
  g_setenv ("XDG_STATE_HOME", session->state_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", session->runtime_dir, TRUE);
}

void
scaler_test_session_start_service (ScalerTestSession *session)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  int fd;

  g_assert_cmpint (session->service_pid, ==, 0);
  if (session->wrapper != NULL)
    g_strv_builder_addv (builder, (const char **) session->wrapper);
  g_strv_builder_add (builder, g_getenv ("SCALER_DAEMON"));
  g_strv_builder_add (builder, "--service");
  argv = g_strv_builder_end (builder);
  fd = g_open (session->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (g_spawn_async_with_fds (NULL, argv, session->envp, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                         child_setup, NULL, &session->service_pid, -1, fd, fd, &error));
  g_assert_no_error (error);
  close (fd);

  while (!name_has_owner (session) && g_get_monotonic_time () < deadline)
    g_usleep (20000);
  if (!name_has_owner (session))
    {
      g_autofree char *log = scaler_test_session_log (session);

      g_error ("The service did not take its name within 30 s; its log:\n%s", log);
    }
}

GPid
scaler_test_session_service_pid (ScalerTestSession *session)
{
  g_autoptr(GVariant) reply = NULL;
  guint32 pid = 0;

  reply = g_dbus_connection_call_sync (session->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", SCALER_DBUS_NAME), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(u)", &pid);
  return (GPid) pid;
}

void
scaler_test_session_stop_service (ScalerTestSession *session,
                                  int                signum)
{
  GPid pid = session->service_pid != 0 ? session->service_pid : scaler_test_session_service_pid (session);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (kill (pid, signum), ==, 0);
  if (session->service_pid != 0)
    {
      int status;

      while (waitpid (session->service_pid, &status, WNOHANG) == 0 && g_get_monotonic_time () < deadline)
        g_usleep (20000);
      session->service_pid = 0;
    }
  while (name_has_owner (session) && g_get_monotonic_time () < deadline)
    g_usleep (20000);
  g_assert_false (name_has_owner (session));
}

void
scaler_test_session_write_config (ScalerTestSession *session,
                                  const char        *id,
                                  const char        *json)
{
  g_autofree char *name = g_strdup_printf ("%s.json", id);
  g_autofree char *path = g_build_filename (session->config_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (session->config_dir, 0700), ==, 0);
  g_file_set_contents_full (path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
}

char *
scaler_test_session_log (ScalerTestSession *session)
{
  char *log = NULL;

  if (!g_file_get_contents (session->log_path, &log, NULL, NULL))
    log = g_strdup ("");
  return log;
}

char *
scaler_test_session_connect_command (ScalerTestSession *session)
{
  g_autofree char *quoted = g_shell_quote (session->bus_address);

  return g_strdup_printf ("systemd-stdio-bridge --bus-path=%s", quoted);
}

/* ---- what the service exports ---- */

GPtrArray *
scaler_test_session_list_ids (ScalerTestSession *session)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GError) error = NULL;
  GVariantIter iter;
  GVariant *interfaces;
  const char *path;

  reply = g_dbus_connection_call_sync (session->connection, SCALER_DBUS_NAME, SCALER_DBUS_ROOT_PATH,
                                       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
                                       G_VARIANT_TYPE ("(a{oa{sa{sv}}})"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 20000,
                                       NULL, &error);
  if (reply == NULL)
    return ids;
  objects = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) properties = g_variant_lookup_value (interfaces, "io.github.ec2autoscaler.Autoscaler1.Autoscaler",
                                                               G_VARIANT_TYPE_VARDICT);
      const char *id = NULL;

      if (properties != NULL && g_variant_lookup (properties, "Id", "&s", &id))
        g_ptr_array_add (ids, g_strdup (id));
      g_variant_unref (interfaces);
    }
  return ids;
}

void
scaler_test_session_wait_n (ScalerTestSession *session,
                            guint              n)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint found = G_MAXUINT;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GPtrArray) ids = scaler_test_session_list_ids (session);

      found = ids->len;
      if (found == n)
        return;
      g_usleep (20000);
    }
  g_error ("The service exports %u autoscalers, not %u", found, n);
}

void
scaler_test_session_delete_all (ScalerTestSession *session)
{
  g_autoptr(GPtrArray) ids = scaler_test_session_list_ids (session);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *path = scaler_dbus_autoscaler_path (g_ptr_array_index (ids, i));
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) error = NULL;

      reply = g_dbus_connection_call_sync (session->connection, SCALER_DBUS_NAME, path,
                                           "io.github.ec2autoscaler.Autoscaler1.Autoscaler", "Delete", NULL, NULL,
                                           G_DBUS_CALL_FLAGS_NO_AUTO_START, 60000, NULL, &error);
      if (reply == NULL)
        g_test_message ("Delete %s: %s", (char *) g_ptr_array_index (ids, i), error->message);
    }
  scaler_test_session_wait_n (session, 0);
}

char *
scaler_test_session_secrets_path (ScalerTestSession *session,
                                  const char        *id)
{
  g_autofree char *name = g_strdup_printf ("%s.secrets", id);

  return g_build_filename (session->config_dir, "secrets", name, NULL);
}

/* ---- the notification server ---- */

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
  ScalerTestSession *session = user_data;

  if (g_str_equal (method_name, "Notify"))
    {
      const char *summary = NULL, *body = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (session->notifications, g_strdup_printf ("%s\n%s", summary, body));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", session->notifications->len));
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

static void
own_name (ScalerTestSession *session,
          const char        *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 result = 0;

  reply = g_dbus_connection_call_sync (session->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName", g_variant_new ("(su)", name, 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1);
}

void
scaler_test_session_watch_notifications (ScalerTestSession *session)
{
  static const GDBusInterfaceVTable vtable = { notifications_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);

  session->notifications = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpuint (g_dbus_connection_register_object (session->connection, "/org/freedesktop/Notifications",
                                                       info->interfaces[0], &vtable, session, NULL, NULL), >, 0);
  own_name (session, "org.freedesktop.Notifications");
}

gboolean
scaler_test_session_notified (ScalerTestSession *session,
                              const char        *needle)
{
  for (guint i = 0; session->notifications != NULL && i < session->notifications->len; i++)
    if (strstr (g_ptr_array_index (session->notifications, i), needle) != NULL)
      return TRUE;
  return FALSE;
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
  ScalerTestSession *session = user_data;
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
  g_ptr_array_add (session->portal_requests, g_strdup_printf ("%s\n%s%s", reason, joined,
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
scaler_test_session_watch_portal (ScalerTestSession *session)
{
  static const GDBusInterfaceVTable vtable = { portal_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (portal_xml, NULL);

  session->portal_requests = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpuint (g_dbus_connection_register_object (session->connection, "/org/freedesktop/portal/desktop",
                                                       info->interfaces[0], &vtable, session, NULL, NULL), >, 0);
  own_name (session, "org.freedesktop.portal.Desktop");
}

/* ---- configurations ---- */

char *
scaler_test_demo_json (const char *id,
                       const char *name)
{
  g_autoptr(ScalerConfig) config = scaler_demo_config_new ();

  if (id != NULL)
    {
      g_free (config->id);
      config->id = g_strdup (id);
    }
  if (name != NULL)
    {
      g_free (config->name);
      config->name = g_strdup (name);
    }
  return scaler_config_to_json (config);
}

static void
kill_and_reap (GPid pid)
{
  int status;

  if (pid <= 0)
    return;
  kill (pid, SIGKILL);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
}

void
scaler_test_session_free (ScalerTestSession *session)
{
  GPid activated = 0;

  if (session->service_pid == 0 && session->connection != NULL)
    activated = scaler_test_session_service_pid (session);
  if (!session->quiet && g_test_failed ())
    {
      g_autofree char *log = scaler_test_session_log (session);

      g_printerr ("# The service's log (%s):\n%s\n", session->dir, log);
    }
  kill_and_reap (session->service_pid);
  if (activated > 0)
    kill (activated, SIGKILL);
  if (session->connection != NULL)
    g_dbus_connection_close_sync (session->connection, NULL, NULL);
  g_clear_object (&session->connection);
  kill_and_reap (session->bus_pid);
  scaler_test_rm_rf (session->dir);
  g_clear_pointer (&session->notifications, g_ptr_array_unref);
  g_clear_pointer (&session->portal_requests, g_ptr_array_unref);
  g_strfreev (session->envp);
  g_strfreev (session->wrapper);
  g_free (session->dir);
  g_free (session->config_home);
  g_free (session->state_home);
  g_free (session->runtime_dir);
  g_free (session->config_dir);
  g_free (session->bus_socket);
  g_free (session->bus_address);
  g_free (session->log_path);
  g_free (session);
}
