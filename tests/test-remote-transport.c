/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SSH transport's pure parts: the address a user types, the command it
 * becomes (as busctl --host builds it: "ssh -xT [-p PORT] -- HOST
 * systemd-stdio-bridge", systemd src/libsystemd/sd-bus/sd-bus.c), the
 * replaceable template, and the sentences for what went wrong. */

#include "config.h"

#include <gio/gio.h>

#include "scaler-remote-transport.h"

static void
test_parse_good (void)
{
  static const struct { const char *text, *user, *host; guint port; } cases[] = {
    { "gpu-server", NULL, "gpu-server", 0 },
    { "ml@gpu-server", "ml", "gpu-server", 0 },
    { "ml@gpu-server:2222", "ml", "gpu-server", 2222 },
    { "ci.bot_1@10.0.0.7:22", "ci.bot_1", "10.0.0.7", 22 },
    { "[::1]:2200", NULL, "::1", 2200 },
    { "ml@[fe80::1]", "ml", "fe80::1", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *user = NULL;
      g_autofree char *host = NULL;
      g_autoptr(GError) error = NULL;
      guint port = 42;

      g_assert_true (scaler_remote_address_parse (cases[i].text, &user, &host, &port, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (user, ==, cases[i].user);
      g_assert_cmpstr (host, ==, cases[i].host);
      g_assert_cmpuint (port, ==, cases[i].port);
    }
}

/* Each bad address says which part is wrong; none may become an ssh
 * option (a leading '-'). */
static void
test_parse_bad (void)
{
  static const struct { const char *text, *says; } cases[] = {
    { "", "missing" },
    { "-oProxyCommand=touch x", "not a host name" },
    { "ml@-p", "not a host name" },
    { "-x@host", "not a user name" },
    { "a@b@c", "not a user name" },
    { "host:0", "1 to 65535" },
    { "host:99999", "99999" },
    { "host:22x", "22x" },
    { "host name", "not a host name" },
    { "[::1", "closing" },
    { "[zz]:22", "not an IPv6 address" },
    { "ml@", "missing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (scaler_remote_address_parse (cases[i].text, NULL, NULL, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("“%s”: “%s” does not say “%s”", cases[i].text, error->message, cases[i].says);
    }
}

static void
test_default_command (void)
{
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) with_port = NULL;
  g_autofree char *joined = NULL;
  g_autoptr(GError) error = NULL;

  g_unsetenv ("SCALER_CONNECT_COMMAND");
  argv = scaler_remote_transport_build_argv (NULL, "ml@gpu-server", &error);
  g_assert_no_error (error);
  joined = g_strjoinv (" ", argv);
  g_assert_cmpstr (joined, ==, "ssh -x -T -o BatchMode=yes -o ConnectTimeout=20 -o ServerAliveInterval=15 "
                               "-o ServerAliveCountMax=3 -- ml@gpu-server systemd-stdio-bridge --user");
  g_free (joined);

  with_port = scaler_remote_transport_build_argv (NULL, "gpu-server:2222", &error);
  g_assert_no_error (error);
  joined = g_strjoinv (" ", with_port);
  g_assert_nonnull (strstr (joined, " -p 2222 -- gpu-server systemd-stdio-bridge --user"));
}

/* The template from the environment (what the tests use). */
static void
test_template (void)
{
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("SCALER_CONNECT_COMMAND", "systemd-stdio-bridge '--bus-path=unix:path=/tmp/a b/bus'", TRUE);
  argv = scaler_remote_transport_build_argv (NULL, "anything", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (argv), ==, 2);
  g_assert_cmpstr (argv[1], ==, "--bus-path=unix:path=/tmp/a b/bus");
  g_clear_pointer (&argv, g_strfreev);

  argv = scaler_remote_transport_build_argv ("my-ssh {port-option} {destination} x", "u@h:7", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (argv[1], ==, "-p");
  g_assert_cmpstr (argv[2], ==, "7");
  g_assert_cmpstr (argv[3], ==, "u@h");
  g_unsetenv ("SCALER_CONNECT_COMMAND");
}

/* What ssh and the bridge print, as people should read it. */
static void
test_failures (void)
{
  static const struct { int status; const char *stderr_text, *says; } cases[] = {
    { 255, "root@127.0.0.1: Permission denied (publickey,password).\n", "asked for a password" },
    { 255, "Host key verification failed.\n", "not known yet" },
    { 255, "@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n", "has changed" },
    { 255, "ssh: Could not resolve hostname nowhere: Name or service not known\n", "No host is called" },
    { 255, "ssh: connect to host 10.0.0.1 port 22: Connection refused\n", "Connection refused" },
    { 127, "bash: line 1: systemd-stdio-bridge: command not found\n", "no systemd-stdio-bridge" },
    { 1, "", "user session" },
    { 3, "something odd\n", "something odd" },
    { -9, "", "signal 9" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = scaler_remote_transport_describe_failure ("ml@gpu", cases[i].status,
                                                                           cases[i].stderr_text);

      if (strstr (message, cases[i].says) == NULL)
        g_error ("%d “%s”: “%s” does not say “%s”", cases[i].status, cases[i].stderr_text, message, cases[i].says);
      g_assert_nonnull (strstr (message, "ml@gpu"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/remote-transport/parse-good", test_parse_good);
  g_test_add_func ("/scaler/remote-transport/parse-bad", test_parse_bad);
  g_test_add_func ("/scaler/remote-transport/default-command", test_default_command);
  g_test_add_func ("/scaler/remote-transport/template", test_template);
  g_test_add_func ("/scaler/remote-transport/failures", test_failures);

  return g_test_run ();
}
