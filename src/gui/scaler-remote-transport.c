/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-remote-transport"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gi18n.h>

#include "scaler-remote-transport.h"

/* The stderr of the command kept for error messages. */
#define STDERR_KEEP 4096
/* After the D-Bus handshake failed: how long the command may take to exit
 * (and say why on stderr) before it is killed. */
#define EXIT_GRACE_MS 3000

typedef struct
{
  GSubprocess  *process;
  GString      *stderr_text;
  GCancellable *cancellable;     /* stops the stderr reader */
  gboolean      exited;
  gboolean      eof;             /* stderr was read to its end */
  int           status;          /* exit status, or -signal */
} Transport;

static void
transport_free (Transport *transport)
{
  g_cancellable_cancel (transport->cancellable);
  if (transport->process != NULL && !transport->exited)
    g_subprocess_force_exit (transport->process);
  g_clear_object (&transport->process);
  g_clear_object (&transport->cancellable);
  g_string_free (transport->stderr_text, TRUE);
  g_free (transport);
}

/* ---- parsing ---- */

static gboolean
valid_user (const char *user)
{
  if (user[0] == '\0' || user[0] == '-')
    return FALSE;
  for (const char *p = user; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
valid_host (const char *host)
{
  gsize length = strlen (host);

  if (length == 0 || length > 253 || host[0] == '-' || host[0] == '.')
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
valid_ipv6 (const char *host)
{
  if (host[0] == '\0')
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) && *p != ':' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
parse_port (const char  *text,
            guint       *port,
            GError     **error)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The port “%s” is not a number from 1 to 65535"), text);
      return FALSE;
    }
  *port = (guint) value;
  return TRUE;
}

/* Splits "host[:port]" or "[v6]:port" after the user part. */
static gboolean
parse_host_port (const char  *rest,
                 char       **host,
                 guint       *port,
                 GError     **error)
{
  const char *colon;

  if (rest[0] == '[')
    {
      const char *close = strchr (rest, ']');

      if (close == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The IPv6 address has no closing “]”"));
          return FALSE;
        }
      *host = g_strndup (rest + 1, close - rest - 1);
      if (!valid_ipv6 (*host))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not an IPv6 address"), *host);
          return FALSE;
        }
      if (close[1] == '\0')
        return TRUE;
      if (close[1] != ':')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Expected “:port” after the IPv6 address"));
          return FALSE;
        }
      return parse_port (close + 2, port, error);
    }

  colon = strchr (rest, ':');
  *host = colon != NULL ? g_strndup (rest, colon - rest) : g_strdup (rest);
  if (!valid_host (*host))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   (*host)[0] == '\0' ? _("The host name is missing; expected [user@]host[:port]")
                                      : _("“%s” is not a host name; expected letters, digits, dots and hyphens"),
                   *host);
      return FALSE;
    }
  return colon == NULL || parse_port (colon + 1, port, error);
}

gboolean
scaler_remote_address_parse (const char  *address,
                             char       **user,
                             char       **host,
                             guint       *port,
                             GError     **error)
{
  g_autofree char *the_user = NULL;
  g_autofree char *the_host = NULL;
  const char *at;
  guint the_port = 0;

  g_return_val_if_fail (address != NULL, FALSE);

  at = strchr (address, '@');
  if (at != NULL)
    {
      the_user = g_strndup (address, at - address);
      if (strchr (at + 1, '@') != NULL || !valid_user (the_user))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a user name; expected letters, digits, dots, hyphens and underscores before a single “@”"),
                       the_user);
          return FALSE;
        }
    }
  if (!parse_host_port (at != NULL ? at + 1 : address, &the_host, &the_port, error))
    return FALSE;

  if (user != NULL)
    *user = g_steal_pointer (&the_user);
  if (host != NULL)
    *host = g_steal_pointer (&the_host);
  if (port != NULL)
    *port = the_port;
  return TRUE;
}

char **
scaler_remote_transport_build_argv (const char  *template_,
                                    const char  *address,
                                    GError     **error)
{
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *destination = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  guint port = 0;

  g_return_val_if_fail (address != NULL, NULL);

  if (!scaler_remote_address_parse (address, &user, &host, &port, error))
    return NULL;
  if (template_ == NULL)
    template_ = g_getenv ("SCALER_CONNECT_COMMAND");
  if (template_ == NULL || template_[0] == '\0')
    template_ = SCALER_REMOTE_DEFAULT_COMMAND;
  if (!g_shell_parse_argv (template_, NULL, &words, error))
    return NULL;

  destination = user != NULL ? g_strdup_printf ("%s@%s", user, host) : g_strdup (host);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_str_equal (words[i], "{destination}"))
        g_strv_builder_add (argv, destination);
      else if (g_str_equal (words[i], "{port-option}"))
        {
          if (port != 0)
            {
              g_autofree char *number = g_strdup_printf ("%u", port);

              g_strv_builder_add (argv, "-p");
              g_strv_builder_add (argv, number);
            }
        }
      else
        g_strv_builder_add (argv, words[i]);
    }

  return g_strv_builder_end (argv);
}

/* ---- what went wrong ---- */

static char *
last_line (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (int i = (int) g_strv_length (lines) - 1; i >= 0; i--)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0')
        return g_strdup (lines[i]);
    }
  return NULL;
}

char *
scaler_remote_transport_describe_failure (const char *address,
                                          int         status,
                                          const char *stderr_text)
{
  g_autofree char *line = last_line (stderr_text);
  const char *text = stderr_text != NULL ? stderr_text : "";

  if (strstr (text, "Permission denied") != NULL)
    return g_strdup_printf (_("%s asked for a password, and EC2 Autoscaler never types one. Let it log in with "
                              "your SSH key: “ssh-copy-id %s” copies the key to the server; with a passphrase, "
                              "add the key to your SSH agent first (ssh-add)."),
                            address, address);
  if (strstr (text, "REMOTE HOST IDENTIFICATION HAS CHANGED") != NULL)
    return g_strdup_printf (_("The host key of %s has changed since you last connected. Check with the server's "
                              "administrator, then fix ~/.ssh/known_hosts (ssh-keygen -R)."),
                            address);
  if (strstr (text, "Host key verification failed") != NULL)
    return g_strdup_printf (_("The host key of %s is not known yet. Connect once in a terminal (ssh %s) to check "
                              "and accept it, then try again."),
                            address, address);
  if (strstr (text, "Could not resolve hostname") != NULL)
    return g_strdup_printf (_("No host is called %s: %s"), address, line);
  if (strstr (text, "Connection refused") != NULL || strstr (text, "timed out") != NULL ||
      strstr (text, "No route to host") != NULL || strstr (text, "Network is unreachable") != NULL)
    return g_strdup_printf (_("Cannot connect to %s over SSH: %s"), address, line);
  if (status == 127 || strstr (text, "systemd-stdio-bridge: command not found") != NULL ||
      strstr (text, "systemd-stdio-bridge: not found") != NULL)
    return g_strdup_printf (_("%s has no systemd-stdio-bridge (part of systemd); EC2 Autoscaler needs it to reach "
                              "the service there."),
                            address);
  if (status == 1 && line == NULL)
    return g_strdup_printf (_("The bridge on %s could not reach your D-Bus user session there. Is your user "
                              "logged in there, or lingering (loginctl enable-linger)?"),
                            address);
  if (line != NULL)
    return g_strdup_printf (_("Could not connect to %s: %s"), address, line);
  if (status < -1)
    return g_strdup_printf (_("Could not connect to %s: the connection command was killed by signal %d"),
                            address, -status);
  return g_strdup_printf (_("Could not connect to %s: the connection command exited with status %d"),
                          address, status);
}

/* ---- the subprocess ---- */

static void
read_stderr (Transport *transport);

static void
stderr_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Transport *transport = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);

  g_assert (G_IS_ASYNC_RESULT (result));

  /* Cancelled: the transport is gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      transport->eof = TRUE;
      return;
    }
  g_string_append_len (transport->stderr_text, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (transport->stderr_text->len > STDERR_KEEP)
    g_string_erase (transport->stderr_text, 0, transport->stderr_text->len - STDERR_KEEP);
  read_stderr (transport);
}

static void
read_stderr (Transport *transport)
{
  g_input_stream_read_bytes_async (g_subprocess_get_stderr_pipe (transport->process), 1024, G_PRIORITY_DEFAULT,
                                   transport->cancellable, stderr_read_cb, transport);
}

static void
process_exited_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GSubprocess *process = G_SUBPROCESS (object);
  Transport *transport = user_data;

  g_assert (G_IS_ASYNC_RESULT (result));

  if (!g_subprocess_wait_finish (process, result, NULL))
    return;   /* cancelled: the transport is gone */
  transport->exited = TRUE;
  transport->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                           : -g_subprocess_get_term_sig (process);
}

static void
ignore_sigpipe_once (void)
{
  static gsize done = 0;

  /* GDBus writes into the command's stdin: a command that died must give
   * an error, not end the application. */
  if (g_once_init_enter (&done))
    {
      signal (SIGPIPE, SIG_IGN);
      g_once_init_leave (&done, 1);
    }
}

/* ---- connecting ---- */

typedef struct
{
  char            *address;
  Transport       *transport;   /* until handed to the connection */
  GCancellable    *cancellable; /* ours: the caller's, or the timeout */
  GCancellable    *caller;
  gulong           caller_handler;
  guint            timeout_id;
  guint            grace_id;
  gboolean         timed_out;
  GDBusConnection *connection;
  GError          *dbus_error;
} Connect;

static void
connect_free (Connect *data)
{
  g_clear_handle_id (&data->timeout_id, g_source_remove);
  g_clear_handle_id (&data->grace_id, g_source_remove);
  g_clear_pointer (&data->transport, transport_free);
  if (data->caller != NULL)
    g_cancellable_disconnect (data->caller, data->caller_handler);
  g_clear_object (&data->caller);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->connection);
  g_clear_error (&data->dbus_error);
  g_free (data->address);
  g_free (data);
}

static void
caller_cancelled_cb (GCancellable *caller,
                     GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

static void
connection_closed_cb (GDBusConnection *connection,
                      gboolean         remote_peer_vanished,
                      GError          *error,
                      Transport       *transport)
{
  if (!transport->exited)
    g_subprocess_force_exit (transport->process);
}

static gboolean
timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Connect *data = g_task_get_task_data (task);

  g_assert (G_IS_TASK (task));

  data->timeout_id = 0;
  data->timed_out = TRUE;
  g_cancellable_cancel (data->cancellable);
  if (data->transport != NULL && !data->transport->exited)
    g_subprocess_force_exit (data->transport->process);
  return G_SOURCE_REMOVE;
}

/* The handshake failed: say why, once the command said it (or after a grace). */
static void
return_failure (GTask *task)
{
  Connect *data = g_task_get_task_data (task);
  Transport *transport = data->transport;
  g_autofree char *message = NULL;

  g_clear_handle_id (&data->grace_id, g_source_remove);
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
      g_object_unref (task);
      return;
    }
  if (data->timed_out)
    message = g_strdup_printf (_("%s did not answer within the time allowed; check the address and the network"),
                               data->address);
  else if (transport->exited || transport->stderr_text->len > 0)
    message = scaler_remote_transport_describe_failure (data->address, transport->exited ? transport->status : -1,
                                                        transport->stderr_text->str);
  else
    message = g_strdup_printf (_("Could not connect to %s: %s"), data->address,
                               data->dbus_error != NULL ? data->dbus_error->message : _("unknown error"));
  g_debug ("connecting to %s failed (%s); stderr: %s", data->address,
           data->dbus_error != NULL ? data->dbus_error->message : "-", transport->stderr_text->str);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", message);
  g_object_unref (task);
}

static gboolean
wait_for_exit_cb (gpointer user_data)
{
  GTask *task = user_data;
  Connect *data = g_task_get_task_data (task);
  Transport *transport = data->transport;
  gint64 started = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "scaler-failed-at"));

  g_assert (G_IS_TASK (task));

  if ((transport->exited && transport->eof) || g_get_monotonic_time () / 1000 - started > EXIT_GRACE_MS)
    {
      data->grace_id = 0;
      return_failure (task);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
connection_new_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Connect *data = g_task_get_task_data (task);
  Transport *transport;

  g_assert (G_IS_TASK (task));
  g_assert (G_IS_ASYNC_RESULT (result));

  data->connection = g_dbus_connection_new_finish (result, &data->dbus_error);
  g_clear_handle_id (&data->timeout_id, g_source_remove);
  if (data->connection == NULL)
    {
      g_object_set_data (G_OBJECT (task), "scaler-failed-at", GSIZE_TO_POINTER (g_get_monotonic_time () / 1000));
      data->grace_id = g_timeout_add (50, wait_for_exit_cb, task);
      return;
    }

  /* The process lives as long as the connection. */
  transport = g_steal_pointer (&data->transport);
  g_signal_connect (data->connection, "closed", G_CALLBACK (connection_closed_cb), transport);
  g_object_set_data_full (G_OBJECT (data->connection), "scaler-remote-transport", transport,
                          (GDestroyNotify) transport_free);
  g_task_return_pointer (task, g_steal_pointer (&data->connection), g_object_unref);
  g_object_unref (task);
}

void
scaler_remote_transport_connect_async (const char          *address,
                                       double               timeout_s,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task;
  Connect *data;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  Transport *transport;

  g_return_if_fail (address != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_remote_transport_connect_async);
  ignore_sigpipe_once ();

  argv = scaler_remote_transport_build_argv (NULL, address, &error);
  if (argv == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  transport = g_new0 (Transport, 1);
  transport->stderr_text = g_string_new (NULL);
  transport->cancellable = g_cancellable_new ();
  transport->process = g_subprocess_newv ((const char * const *) argv,
                                          G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                          G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                          &error);
  if (transport->process == NULL)
    {
      transport_free (transport);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not run %s: %s"), argv[0], error->message);
      g_object_unref (task);
      return;
    }
  g_subprocess_wait_async (transport->process, transport->cancellable, process_exited_cb, transport);
  read_stderr (transport);

  data = g_new0 (Connect, 1);
  data->address = g_strdup (address);
  data->transport = transport;
  data->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->caller = g_object_ref (cancellable);
      data->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                    data->cancellable, NULL);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) connect_free);
  data->timeout_id = g_timeout_add ((guint) (MAX (timeout_s, 1.0) * 1000), timeout_cb, task);

  stream = g_simple_io_stream_new (g_subprocess_get_stdout_pipe (transport->process),
                                   g_subprocess_get_stdin_pipe (transport->process));
  g_dbus_connection_new (stream, NULL,
                         G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                         G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                         NULL, data->cancellable, connection_new_cb, task);
}

GDBusConnection *
scaler_remote_transport_connect_finish (GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
scaler_remote_transport_dup_stderr (GDBusConnection *connection)
{
  Transport *transport;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);

  transport = g_object_get_data (G_OBJECT (connection), "scaler-remote-transport");
  return transport != NULL ? g_strdup (transport->stderr_text->str) : NULL;
}
