/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Harness: the built background service on a private bus (see
 * scaler-test-service.h).
 */

#define G_LOG_DOMAIN "scaler-test-service"

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "scaler-dbus-error.h"
#include "scaler-test-service.h"

#define BUS_NAME  SCALER_DBUS_NAME
#define ROOT_PATH SCALER_DBUS_ROOT_PATH

/* The activation file of the built service, in a folder of its own: its
 * <servicedir> element. */
static char *
write_activation_file (ScalerTestService *svc)
{
  g_autofree char *dir = scaler_test_make_dir (svc->dir, "services");
  g_autofree char *path = g_build_filename (dir, BUS_NAME ".service", NULL);
  g_autofree char *text = g_strdup_printf ("[D-BUS Service]\nName=%s\nExec=%s --service\n",
                                           BUS_NAME, g_getenv ("SCALER_DAEMON"));

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_strdup_printf ("<servicedir>%s</servicedir>", dir);
}

/* A session bus listening on <runtime>/bus (a fixed path, which
 * systemd-stdio-bridge reaches too); no service directories unless
 * @activatable. */
static char *
write_bus_config (ScalerTestService *svc,
                  gboolean           activatable)
{
  g_autofree char *path = g_build_filename (svc->dir, "bus.conf", NULL);
  g_autofree char *services = activatable ? write_activation_file (svc) : g_strdup ("");
  g_autofree char *config = NULL;

  config = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
                            "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                            "<busconfig><type>session</type><keep_umask/>"
                            "<listen>unix:path=%s</listen><auth>EXTERNAL</auth>%s"
                            "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
                            "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n",
                            svc->bus_socket, services);
  g_assert_true (g_file_set_contents (path, config, -1, NULL));
  return g_strconcat ("--config-file=", path, NULL);
}

/* A dbus-daemon of our own, started with the service's environment (which
 * an activated service inherits), and the test's connection to it. */
static void
start_bus (ScalerTestService *svc,
           gboolean           activatable)
{
  g_autofree char *config_arg = write_bus_config (svc, activatable);
  const char *argv[] = { "dbus-daemon", "--nofork", config_arg, NULL };
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  g_assert_true (g_spawn_async (NULL, (char **) argv, svc->envp,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_DO_NOT_REAP_CHILD,
                                scaler_test_child_setup, NULL, &svc->bus_pid, &error));
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (svc->connection == NULL && g_get_monotonic_time () < deadline)
    {
      g_clear_error (&error);
      if (g_file_test (svc->bus_socket, G_FILE_TEST_EXISTS))
        svc->connection = g_dbus_connection_new_for_address_sync (svc->bus_address,
                                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                                  NULL, NULL, &error);
      if (svc->connection == NULL)
        g_usleep (20000);
    }
  g_assert_no_error (error);
  g_assert_nonnull (svc->connection);
  g_dbus_connection_set_exit_on_close (svc->connection, FALSE);
}

ScalerTestService *
scaler_test_service_new (void)
{
  return scaler_test_service_new_full (FALSE);
}

ScalerTestService *
scaler_test_service_new_full (gboolean activatable)
{
  ScalerTestService *svc = g_new0 (ScalerTestService, 1);
  g_autofree char *data_home = NULL;

  g_assert_nonnull (g_getenv ("SCALER_DAEMON"));
  svc->dir = scaler_test_make_tmp_dir ("scaler-service-XXXXXX");
  svc->config_home = scaler_test_make_dir (svc->dir, "config");
  svc->state_home = scaler_test_make_dir (svc->dir, "state");
  svc->runtime_dir = scaler_test_make_dir (svc->dir, "run");
  data_home = scaler_test_make_dir (svc->dir, "data");
  svc->config_dir = g_build_filename (svc->config_home, "ec2-autoscaler", NULL);
  svc->state_root = g_build_filename (svc->state_home, "ec2-autoscaler", NULL);
  svc->secrets_dir = g_build_filename (svc->config_dir, "secrets", NULL);
  svc->log_path = g_build_filename (svc->dir, "service.log", NULL);
  svc->bus_socket = g_build_filename (svc->runtime_dir, "bus", NULL);
  svc->bus_address = g_strdup_printf ("unix:path=%s", svc->bus_socket);

  svc->envp = scaler_test_environ ();
  svc->envp = scaler_test_sanitizer_environ (svc->envp, svc->dir);
  scaler_test_service_setenv (svc, "XDG_CONFIG_HOME", svc->config_home);
  scaler_test_service_setenv (svc, "XDG_STATE_HOME", svc->state_home);
  scaler_test_service_setenv (svc, "XDG_RUNTIME_DIR", svc->runtime_dir);
  scaler_test_service_setenv (svc, "XDG_DATA_HOME", data_home);
  scaler_test_service_setenv (svc, "DBUS_SESSION_BUS_ADDRESS", svc->bus_address);
  start_bus (svc, activatable);

  svc->secrets = g_ptr_array_new_with_free_func (g_free);
  scaler_test_service_add_secret (svc, SCALER_TEST_AWS_SECRET);
  scaler_test_service_add_secret (svc, SCALER_TEST_CLEARML_SECRET);
  scaler_test_service_add_secret (svc, SCALER_TEST_AWS_KEY_ID);
  return svc;
}

void
scaler_test_service_use (ScalerTestService *svc)
{
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", svc->bus_address, TRUE);
  g_setenv ("XDG_CONFIG_HOME", svc->config_home, TRUE);
  g_setenv ("XDG_STATE_HOME", svc->state_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", svc->runtime_dir, TRUE);
}

char *
scaler_test_service_connect_command (ScalerTestService *svc)
{
  g_autofree char *quoted = g_shell_quote (svc->bus_address);

  return g_strdup_printf ("systemd-stdio-bridge --bus-path=%s", quoted);
}

static gboolean
name_has_owner (GDBusConnection *connection,
                const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner", g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

void
scaler_test_service_add_keyring (ScalerTestService *svc)
{
  const char *argv[] = { "gnome-keyring-daemon", "--unlock", "--components=secrets", NULL };
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  GPid pid;
  int in = -1, status = 0;

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, svc->envp,
                                           G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD
                                           | G_SPAWN_STDOUT_TO_DEV_NULL,
                                           NULL, NULL, &pid, &in, NULL, NULL, &error));
  g_assert_no_error (error);
  /* The password of a fresh login keyring, then EOF. */
  g_assert_cmpint (write (in, "scaler-test-keyring", strlen ("scaler-test-keyring")), >, 0);
  close (in);
  /* It forks its daemon and returns before the daemon owns the name. */
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!name_has_owner (svc->connection, "org.freedesktop.secrets"))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("gnome-keyring-daemon did not come up on the private bus");
      g_usleep (20000);
    }
}

void
scaler_test_service_setenv (ScalerTestService *svc,
                            const char        *name,
                            const char        *value)
{
  if (value != NULL)
    svc->envp = g_environ_setenv (svc->envp, name, value, TRUE);
  else
    svc->envp = g_environ_unsetenv (svc->envp, name);
}

void
scaler_test_service_add_secret (ScalerTestService *svc,
                                const char        *secret)
{
  g_ptr_array_add (svc->secrets, g_strdup (secret));
}

char *
scaler_test_service_config_path (ScalerTestService *svc,
                                 const char        *id)
{
  g_autofree char *name = g_strconcat (id, ".json", NULL);

  return g_build_filename (svc->config_dir, name, NULL);
}

void
scaler_test_service_write_json (ScalerTestService *svc,
                                const char        *id,
                                const char        *json)
{
  g_autofree char *path = scaler_test_service_config_path (svc, id);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (svc->config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents_full (path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error));
  g_assert_no_error (error);
}

void
scaler_test_service_write_config (ScalerTestService          *svc,
                                  const char                 *id,
                                  const ScalerTestRunOptions *options)
{
  g_autofree char *json = scaler_test_config_json (options, id);

  scaler_test_service_write_json (svc, id, json);
}

char *
scaler_test_service_secrets_path (ScalerTestService *svc,
                                  const char        *id)
{
  g_autofree char *name = g_strdup_printf ("%s.secrets", id);

  return g_build_filename (svc->secrets_dir, name, NULL);
}

void
scaler_test_service_set_desired (ScalerTestService *svc,
                                 const char        *id,
                                 const char        *desired)
{
  g_autofree char *dir = g_build_filename (svc->state_root, id, NULL);
  g_autofree char *path = g_build_filename (dir, "desired-state", NULL);
  g_autofree char *text = g_strconcat (desired, "\n", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

GPid
scaler_test_service_spawn (ScalerTestService *svc)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid;
  int fd;

  g_assert_nonnull (g_getenv ("SCALER_DAEMON"));
  if (svc->wrapper != NULL)
    g_strv_builder_addv (builder, (const char **) svc->wrapper);
  g_strv_builder_add (builder, g_getenv ("SCALER_DAEMON"));
  g_strv_builder_add (builder, "--service");
  argv = g_strv_builder_end (builder);
  fd = g_open (svc->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (g_spawn_async_with_fds (NULL, argv, svc->envp, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                         scaler_test_child_setup, NULL, &pid, -1, fd, fd, &error));
  g_assert_no_error (error);
  close (fd);
  return pid;
}

void
scaler_test_service_start (ScalerTestService *svc)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  int status;

  g_assert_false (svc->running);
  svc->pid = scaler_test_service_spawn (svc);
  svc->running = TRUE;
  while (!name_has_owner (svc->connection, BUS_NAME))
    {
      if (waitpid (svc->pid, &status, WNOHANG) == svc->pid)
        {
          g_autofree char *log = scaler_test_service_log (svc);

          svc->running = FALSE;
          g_error ("the service exited (status %d) before it owned its name:\n%s", status, log);
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *log = scaler_test_service_log (svc);

          g_error ("the service did not own %s within 30 s; its log:\n%s", BUS_NAME, log);
        }
      g_usleep (20000);
    }
}

int
scaler_test_service_wait_pid (ScalerTestService *svc,
                              GPid               pid,
                              double             timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);
  int status = 0;

  while (waitpid (pid, &status, WNOHANG) != pid)
    {
      if (g_get_monotonic_time () > deadline)
        {
          kill (pid, SIGKILL);
          waitpid (pid, &status, 0);
          g_error ("the service did not exit within %.1f s", timeout_s);
        }
      g_usleep (10000);
    }
  g_spawn_close_pid (pid);
  if (pid == svc->pid)
    svc->running = FALSE;
  /* Shown before the test looks at the exit code (86 after a report). */
  scaler_test_check_sanitizer_reports (svc->dir, "the service");
  return WIFEXITED (status) ? WEXITSTATUS (status) : -WTERMSIG (status);
}

int
scaler_test_service_stop (ScalerTestService *svc)
{
  gint64 start = g_get_monotonic_time ();
  int code;

  g_assert_true (svc->running);
  kill (svc->pid, SIGTERM);
  code = scaler_test_service_wait_pid (svc, svc->pid, 6);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  return code;
}

void
scaler_test_service_kill9 (ScalerTestService *svc)
{
  gint64 deadline;

  g_assert_true (svc->running);
  kill (svc->pid, SIGKILL);
  g_assert_cmpint (scaler_test_service_wait_pid (svc, svc->pid, 5), ==, -SIGKILL);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (name_has_owner (svc->connection, BUS_NAME))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the bus name stayed taken after kill -9");
      g_usleep (20000);
    }
}

GPid
scaler_test_service_owner_pid (ScalerTestService *svc)
{
  g_autoptr(GVariant) reply = NULL;
  guint32 pid = 0;

  reply = g_dbus_connection_call_sync (svc->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", BUS_NAME), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(u)", &pid);
  return (GPid) pid;
}

void
scaler_test_service_signal (ScalerTestService *svc,
                            int                signum)
{
  GPid pid = svc->running ? svc->pid : scaler_test_service_owner_pid (svc);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (kill (pid, signum), ==, 0);
  if (svc->running)
    scaler_test_service_wait_pid (svc, svc->pid, 20);
  while (name_has_owner (svc->connection, BUS_NAME) && g_get_monotonic_time () < deadline)
    g_usleep (20000);
  g_assert_false (name_has_owner (svc->connection, BUS_NAME));
}

char *
scaler_test_service_log (ScalerTestService *svc)
{
  char *contents = NULL;

  g_file_get_contents (svc->log_path, &contents, NULL, NULL);
  return contents != NULL ? contents : g_strdup ("");
}

static void
ping_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);
  gboolean *done = user_data;

  *done = TRUE;
}

/* Replies come in order, and their callbacks run in order: once the answer
 * to a call made now is in, so is every earlier one's. */
static void
settle (GDBusConnection *connection)
{
  gboolean done = FALSE;

  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "GetId", NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, ping_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

GDBusObjectManager *
scaler_test_service_object_manager (ScalerTestService *svc)
{
  g_autoptr(GError) error = NULL;
  GDBusObjectManager *manager;

  manager = scaler_dbus_object_manager_client_new_sync (svc->connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                        BUS_NAME, ROOT_PATH, NULL, &error);
  g_assert_no_error (error);
  /* The client subscribes to the service's signals when the answer to its
   * AddMatch is dispatched: until then, PropertiesChanged would be missed
   * (an app's main loop runs anyway; a test must wait for it). */
  settle (svc->connection);
  return manager;
}

ScalerDbusManager *
scaler_test_service_manager (ScalerTestService *svc)
{
  g_autoptr(GError) error = NULL;
  ScalerDbusManager *manager;

  manager = scaler_dbus_manager_proxy_new_sync (svc->connection, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME,
                                                ROOT_PATH "/Manager", NULL, &error);
  g_assert_no_error (error);
  return manager;
}

ScalerDbusAutoscaler *
scaler_test_service_autoscaler (GDBusObjectManager *manager,
                                const char         *id)
{
  g_autofree char *path = scaler_dbus_autoscaler_path (id);

  return scaler_test_service_autoscaler_at (manager, path);
}

ScalerDbusAutoscaler *
scaler_test_service_autoscaler_at (GDBusObjectManager *manager,
                                   const char         *path)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  for (;;)
    {
      GDBusInterface *iface = g_dbus_object_manager_get_interface (manager, path,
                                                                   "io.github.ec2autoscaler.Autoscaler1.Autoscaler");

      if (iface != NULL)
        return SCALER_DBUS_AUTOSCALER (iface);
      if (g_get_monotonic_time () > deadline)
        g_error ("%s did not appear within 20 s", path);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

typedef struct
{
  ScalerDbusAutoscaler *proxy;
  const char           *state;
} StateWait;

static gboolean
state_is (gpointer data)
{
  StateWait *wait = data;

  return g_strcmp0 (scaler_dbus_autoscaler_get_state (wait->proxy), wait->state) == 0;
}

void
scaler_test_service_wait_state (ScalerDbusAutoscaler *proxy,
                                const char           *state,
                                double                timeout_s)
{
  StateWait wait = { proxy, state };
  g_autofree char *what = g_strdup_printf ("%s to be %s (it is %s)",
                                           scaler_dbus_autoscaler_get_name (proxy), state,
                                           scaler_dbus_autoscaler_get_state (proxy));

  scaler_test_wait_until (state_is, &wait, timeout_s, what);
}

GPtrArray *
scaler_test_service_list_ids (ScalerTestService *svc)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  GVariantIter iter;
  GVariant *interfaces;
  const char *path;

  reply = g_dbus_connection_call_sync (svc->connection, BUS_NAME, ROOT_PATH,
                                       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
                                       G_VARIANT_TYPE ("(a{oa{sa{sv}}})"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 20000,
                                       NULL, NULL);
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
scaler_test_service_wait_n (ScalerTestService *svc,
                            guint              n)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint found = G_MAXUINT;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GPtrArray) ids = scaler_test_service_list_ids (svc);

      found = ids->len;
      if (found == n)
        return;
      g_usleep (20000);
    }
  g_error ("The service exports %u autoscalers, not %u", found, n);
}

void
scaler_test_service_delete_all (ScalerTestService *svc)
{
  g_autoptr(GPtrArray) ids = scaler_test_service_list_ids (svc);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *path = scaler_dbus_autoscaler_path (g_ptr_array_index (ids, i));
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) error = NULL;

      reply = g_dbus_connection_call_sync (svc->connection, BUS_NAME, path,
                                           "io.github.ec2autoscaler.Autoscaler1.Autoscaler", "Delete", NULL, NULL,
                                           G_DBUS_CALL_FLAGS_NO_AUTO_START, 60000, NULL, &error);
      if (reply == NULL)
        g_test_message ("Delete %s: %s", (char *) g_ptr_array_index (ids, i), error->message);
    }
  scaler_test_service_wait_n (svc, 0);
}

/* Ends what still runs: the service the test started (SIGTERM: its
 * shutdown and leak check run), one the bus activated (SIGKILL: not our
 * child), then the bus. */
static void
end_processes (ScalerTestService *svc)
{
  GPid activated = 0;

  if (!svc->running && svc->connection != NULL)
    activated = scaler_test_service_owner_pid (svc);
  if (svc->running)
    {
      scaler_test_end_process (svc->pid, 10);
      svc->running = FALSE;
    }
  if (activated > 0)
    kill (activated, SIGKILL);
  if (svc->connection != NULL)
    g_dbus_connection_close_sync (svc->connection, NULL, NULL);
  g_clear_object (&svc->connection);
  if (svc->bus_pid != 0)
    scaler_test_end_process (svc->bus_pid, 5);
}

void
scaler_test_service_free (ScalerTestService *svc)
{
  end_processes (svc);
  scaler_test_check_sanitizer_reports (svc->dir, "the service");
  if (!svc->quiet && (g_test_failed () || g_test_verbose ()))
    {
      g_autofree char *log = scaler_test_service_log (svc);

      g_test_message ("service log (%s):\n%s", svc->dir, log);
    }
  scaler_test_assert_no_secrets_in_tree (svc->dir, svc->secrets, svc->secrets_dir);
  scaler_test_rm_rf (svc->dir);
  g_clear_pointer (&svc->notifications, scaler_test_notifications_free);
  g_clear_pointer (&svc->portal_requests, g_ptr_array_unref);
  g_free (svc->dir);
  g_free (svc->config_home);
  g_free (svc->state_home);
  g_free (svc->runtime_dir);
  g_free (svc->config_dir);
  g_free (svc->state_root);
  g_free (svc->secrets_dir);
  g_free (svc->log_path);
  g_free (svc->bus_socket);
  g_free (svc->bus_address);
  g_strfreev (svc->envp);
  g_strfreev (svc->wrapper);
  g_ptr_array_unref (svc->secrets);
  g_free (svc);
}
