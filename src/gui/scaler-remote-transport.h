/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-remote-transport.h: D-Bus to another machine's background service
 * over SSH, the way `busctl --host` reaches a remote systemd
 * (systemd src/libsystemd/sd-bus/sd-bus.c, bus_set_address_system_remote():
 * "ssh -xT [-p PORT] -- HOST systemd-stdio-bridge"; for the user's bus,
 * "systemd-stdio-bridge --user": docs/design.md, "The background service and
 * its D-Bus API").
 *
 * The command runs non-interactively (BatchMode: keys or an agent, never a
 * password prompt) and GDBus speaks over its pipes
 * (AUTHENTICATION_CLIENT | MESSAGE_BUS_CONNECTION). A failure becomes one
 * sentence saying what is wrong and what to do (a password asked for, an
 * unknown host key, no bridge or no user session on the server).
 *
 * The command is a template, replaceable through the environment variable
 * SCALER_CONNECT_COMMAND (tests use
 * "systemd-stdio-bridge --bus-path=unix:path=..." or an ssh with their own
 * keys). Whole arguments "{destination}" ([user@]host) and "{port-option}"
 * ("-p PORT", or nothing without a port) are substituted.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SCALER_REMOTE_DEFAULT_COMMAND \
  "ssh -x -T -o BatchMode=yes -o ConnectTimeout=20 -o ServerAliveInterval=15 " \
  "-o ServerAliveCountMax=3 {port-option} -- {destination} systemd-stdio-bridge --user"

/* "[user@]host[:port]" (host may be a bracketed IPv6 address). FALSE with
 * G_IO_ERROR_INVALID_ARGUMENT saying which part is wrong. Outputs are
 * nullable; *user is NULL and *port 0 when not given. */
gboolean  scaler_remote_address_parse        (const char    *address,
                                              char         **user,
                                              char         **host,
                                              guint         *port,
                                              GError       **error);
/* The argv of the connect command for @address (@template NULL: the
 * environment's SCALER_CONNECT_COMMAND, else the default). */
char    **scaler_remote_transport_build_argv (const char    *template_,
                                              const char    *address,
                                              GError       **error);
/* What went wrong, for people: from the command's exit status (-1: unknown,
 * negative: killed by that signal) and what it wrote on stderr. */
char     *scaler_remote_transport_describe_failure (const char *address,
                                                    int         status,
                                                    const char *stderr_text);

/* Runs the command and authenticates a message-bus connection over its
 * pipes, within @timeout_s. The subprocess lives as long as the connection
 * (it is killed when the connection closes or is finalized). */
void             scaler_remote_transport_connect_async  (const char          *address,
                                                         double               timeout_s,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
GDBusConnection *scaler_remote_transport_connect_finish (GAsyncResult        *result,
                                                         GError             **error);
/* The connect command's stderr so far (the last few KiB), for a connection
 * made by scaler_remote_transport_connect_async(); NULL for others. */
char            *scaler_remote_transport_dup_stderr     (GDBusConnection     *connection);

G_END_DECLS
