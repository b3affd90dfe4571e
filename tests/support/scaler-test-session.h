/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-test-session.h: a machine for the app's tests. One temporary
 * folder (XDG_CONFIG_HOME, XDG_STATE_HOME and XDG_RUNTIME_DIR of the
 * service), a private dbus-daemon (no service directories, unless the
 * session is made activatable: then a .service file starts the built
 * ec2-autoscalerd --service on demand), and the built service
 * ($SCALER_DAEMON) spawned on it, as a separate process that dies with the
 * test (PR_SET_PDEATHSIG). The fake AWS / ClearML credentials are in the
 * service's environment (as "environment").
 *
 * scaler_test_session_use() points this process at the session's bus and
 * folders (before gtk_test_init, so that the app's GApplication,
 * notifications and "This Computer" use it). A second session is a server:
 * scaler_test_session_connect_command() is the command that reaches its bus
 * (systemd-stdio-bridge --bus-path=...), for SCALER_CONNECT_COMMAND.
 *
 * Stand-ins on a session's bus record what the app asks of the desktop:
 * the notification server (org.freedesktop.Notifications) and the
 * Background portal (org.freedesktop.portal.Desktop).
 */

#pragma once

#include <gio/gio.h>

#include "scaler-test-util.h"

G_BEGIN_DECLS

typedef struct
{
  char            *dir;
  char            *config_home;
  char            *state_home;
  char            *runtime_dir;
  char            *config_dir;      /* <config_home>/ec2-autoscaler */
  char            *bus_socket;
  char            *bus_address;
  char            *log_path;        /* the service's stdout and stderr */
  GPid             bus_pid;
  GPid             service_pid;     /* 0: not running (or activated by the bus) */
  char           **envp;            /* the service's environment */
  GDBusConnection *connection;      /* the test's own, to this bus */
  GPtrArray       *notifications;   /* "summary\nbody", once watched */
  GPtrArray       *portal_requests; /* "reason\ncommandline", once watched */
  char           **wrapper;         /* nullable: argv run before the service's own */
  gboolean         quiet;           /* the log is not printed at the end (tools, benchmarks) */
} ScalerTestSession;

/* The folder and the bus; the service is not started. @activatable: the
 * bus starts the service on demand (D-Bus activation). */
ScalerTestSession *scaler_test_session_new           (gboolean           activatable);
/* This process uses the session: DBUS_SESSION_BUS_ADDRESS and the XDG
 * folders (call once, before anything connects to the session bus). */
void               scaler_test_session_use           (ScalerTestSession *session);
/* Spawns the service and waits (30 s) until it owns its name. */
void               scaler_test_session_start_service (ScalerTestSession *session);
/* Sends @signum to the service (by its pid, or the name's owner when the
 * bus started it) and waits (20 s) until the name is free. */
void               scaler_test_session_stop_service  (ScalerTestSession *session,
                                                      int                signum);
/* The pid owning the service's name, 0 when none. */
GPid               scaler_test_session_service_pid   (ScalerTestSession *session);
/* Writes <config_dir>/<id>.json as an editor would (atomically). */
void               scaler_test_session_write_config  (ScalerTestSession *session,
                                                      const char        *id,
                                                      const char        *json);
char              *scaler_test_session_log           (ScalerTestSession *session);
/* "systemd-stdio-bridge --bus-path=unix:path=<this bus>". */
char              *scaler_test_session_connect_command (ScalerTestSession *session);

/* The ids of the autoscalers the service exports (GetManagedObjects, sync:
 * the test is another client). */
GPtrArray         *scaler_test_session_list_ids      (ScalerTestSession *session);
/* Waits (30 s) until the service exports @n autoscalers. */
void               scaler_test_session_wait_n        (ScalerTestSession *session,
                                                      guint              n);
/* Deletes every autoscaler (Delete, as another client would) and waits
 * until none is left: the fixtures' teardown. */
void               scaler_test_session_delete_all    (ScalerTestSession *session);
/* <config_dir>/secrets/<id>.secrets: the 0600 file of a service without a
 * keyring. */
char              *scaler_test_session_secrets_path  (ScalerTestSession *session,
                                                      const char        *id);

/* Stand-ins, on this session's bus. */
void               scaler_test_session_watch_notifications (ScalerTestSession *session);
void               scaler_test_session_watch_portal  (ScalerTestSession *session);
/* Whether one notification's summary or body contains @needle. */
gboolean           scaler_test_session_notified      (ScalerTestSession *session,
                                                      const char        *needle);

/* A demo configuration (the simulator; no credentials) named @name, with
 * @id (NULL: a new UUID), as JSON. */
char              *scaler_test_demo_json             (const char        *id,
                                                      const char        *name);

void               scaler_test_session_free          (ScalerTestSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerTestSession, scaler_test_session_free)

G_END_DECLS
