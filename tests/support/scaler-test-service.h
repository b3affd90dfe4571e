/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-test-service.h: the one way a test starts the built background
 * service (ec2-autoscalerd --service, $SCALER_DAEMON): as a separate
 * process on a private dbus-daemon that the test starts, with the fake AWS
 * + ClearML credentials in its environment (scaler-test-daemon.h).
 *
 * A ScalerTestService is one temporary folder with XDG_CONFIG_HOME,
 * XDG_STATE_HOME, XDG_DATA_HOME and XDG_RUNTIME_DIR for the service, its
 * own bus (listening on <runtime>/bus; its config lists no service
 * directories unless the bus is made activatable, then the bus starts the
 * service on demand; no keyring unless scaler_test_service_add_keyring()
 * starts one), the service's log, and the test's connection to that bus.
 * Every process dies with the test (PR_SET_PDEATHSIG).
 *
 * The app's tests also run on it: scaler_test_service_use() points this
 * process at the bus and folders (before gtk_test_init), and stand-ins on
 * the bus record what the app asks of the desktop (the notification server
 * and the Background portal). A second service is a server:
 * scaler_test_service_connect_command() is the command that reaches its bus.
 *
 * scaler_test_service_free() ends what still runs (SIGTERM, so the
 * service's shutdown and leak check run), fails the test on a sanitizer
 * report of the service's, checks that no secret reached any file of the
 * folder (log included) but the secrets file of a machine without a
 * keyring, prints the log when the test failed, and removes the folder.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-dbus-generated.h"
#include "scaler-test-daemon.h"
#include "scaler-test-notifications.h"

G_BEGIN_DECLS

typedef struct
{
  char            *dir;
  char            *config_home;      /* XDG_CONFIG_HOME */
  char            *state_home;       /* XDG_STATE_HOME */
  char            *runtime_dir;      /* XDG_RUNTIME_DIR */
  char            *config_dir;       /* <config_home>/ec2-autoscaler: the saved configs */
  char            *state_root;       /* <state_home>/ec2-autoscaler */
  char            *secrets_dir;      /* <config_dir>/secrets: the file backend */
  char            *log_path;         /* the service's stdout and stderr */
  char            *bus_socket;
  char            *bus_address;
  GPid             bus_pid;
  GPid             pid;              /* the service, when the test started it */
  gboolean         running;
  char           **envp;             /* of the next spawn: scaler_test_environ() + the folder + the bus */
  GPtrArray       *secrets;          /* strings that must never reach a file */
  GDBusConnection *connection;       /* the test's, to the private bus */
  char           **wrapper;          /* nullable: argv run before the service's own */
  gboolean         quiet;            /* the log is never printed (tools, benchmarks) */
  ScalerTestNotifications *notifications; /* once watched: every Notify call */
  GPtrArray       *portal_requests;  /* "reason\ncommandline", once watched */
} ScalerTestService;

/* The folder, the bus and the connection; nothing spawned yet. */
ScalerTestService *scaler_test_service_new        (void);
/* With @activatable, the bus starts the built service on the first call to
 * its name (D-Bus activation; the bus's environment is the service's). */
ScalerTestService *scaler_test_service_new_full   (gboolean           activatable);
/* Starts gnome-keyring-daemon on the service's bus (unlocked, its files in
 * the folder) and waits until it answers. */
void               scaler_test_service_add_keyring (ScalerTestService *svc);
/* This process uses the service's bus and folders: DBUS_SESSION_BUS_ADDRESS
 * and the XDG folders (call once, before anything connects to the session
 * bus). */
void               scaler_test_service_use        (ScalerTestService *svc);
/* "systemd-stdio-bridge --bus-path=unix:path=<this bus>", for
 * SCALER_CONNECT_COMMAND. */
char              *scaler_test_service_connect_command (ScalerTestService *svc);
void               scaler_test_service_setenv     (ScalerTestService *svc,
                                                   const char        *name,
                                                   const char        *value);
/* One more string that must never appear in a file of the folder. */
void               scaler_test_service_add_secret (ScalerTestService *svc,
                                                   const char        *secret);
/* Writes <config_dir>/<id>.json (atomically, as an editor would). */
void               scaler_test_service_write_config (ScalerTestService          *svc,
                                                     const char                 *id,
                                                     const ScalerTestRunOptions *options);
/* The same with the JSON text. */
void               scaler_test_service_write_json (ScalerTestService *svc,
                                                   const char        *id,
                                                   const char        *json);
char              *scaler_test_service_config_path (ScalerTestService *svc,
                                                    const char        *id);
/* <secrets_dir>/<id>.secrets: the 0600 file of a service without a keyring. */
char              *scaler_test_service_secrets_path (ScalerTestService *svc,
                                                     const char        *id);
/* Writes <state_root>/<id>/desired-state. */
void               scaler_test_service_set_desired (ScalerTestService *svc,
                                                    const char        *id,
                                                    const char        *desired);

/* Spawns the service (after the wrapper, if any) and waits (30 s) until it
 * owns its name. */
void               scaler_test_service_start      (ScalerTestService *svc);
/* Spawns without waiting (a second copy, say): its pid. */
GPid               scaler_test_service_spawn      (ScalerTestService *svc);
/* Waits for @pid to exit: its status, or -signal if killed; g_error after
 * @timeout_s. */
int                scaler_test_service_wait_pid   (ScalerTestService *svc,
                                                   GPid               pid,
                                                   double             timeout_s);
/* SIGTERM; the exit code, which must come within 5 s. */
int                scaler_test_service_stop       (ScalerTestService *svc);
/* SIGKILL, and waits for the name to be free. */
void               scaler_test_service_kill9      (ScalerTestService *svc);
/* Sends @signum to the service (the test's child, or the name's owner when
 * the bus started it) and waits (20 s) until the name is free. */
void               scaler_test_service_signal     (ScalerTestService *svc,
                                                   int                signum);
/* The pid owning the service's name, 0 when none. */
GPid               scaler_test_service_owner_pid  (ScalerTestService *svc);
char              *scaler_test_service_log        (ScalerTestService *svc);

/* A client of the service's objects (sync, on the test's connection). */
GDBusObjectManager *scaler_test_service_object_manager (ScalerTestService *svc);
ScalerDbusManager  *scaler_test_service_manager   (ScalerTestService *svc);
/* The Autoscaler proxy of @id, waiting (20 s) for it to appear in
 * @manager. */
ScalerDbusAutoscaler *scaler_test_service_autoscaler (GDBusObjectManager *manager,
                                                      const char         *id);
/* The same, by object path. */
ScalerDbusAutoscaler *scaler_test_service_autoscaler_at (GDBusObjectManager *manager,
                                                         const char         *path);

/* Waits until the proxy's cached State is @state. */
void               scaler_test_service_wait_state (ScalerDbusAutoscaler *proxy,
                                                   const char           *state,
                                                   double                timeout_s);

/* The ids of the autoscalers the service exports (GetManagedObjects, sync:
 * the test is another client). */
GPtrArray         *scaler_test_service_list_ids   (ScalerTestService *svc);
/* Waits (30 s) until the service exports @n autoscalers. */
void               scaler_test_service_wait_n     (ScalerTestService *svc,
                                                   guint              n);
/* Deletes every autoscaler (Delete, as another client would) and waits
 * until none is left: the fixtures' teardown. */
void               scaler_test_service_delete_all (ScalerTestService *svc);

/* Stand-ins on the service's bus (scaler-test-desktop.c). */
void               scaler_test_service_watch_notifications (ScalerTestService *svc);
void               scaler_test_service_watch_portal (ScalerTestService *svc);
/* Whether one notification's summary or body contains @needle. */
gboolean           scaler_test_service_notified   (ScalerTestService *svc,
                                                   const char        *needle);

void               scaler_test_service_free       (ScalerTestService *svc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerTestService, scaler_test_service_free)

G_END_DECLS
