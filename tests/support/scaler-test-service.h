/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-test-service.h: harness for tests that run the built background
 * service (ec2-autoscalerd --service, $SCALER_DAEMON) as a separate process
 * on a private dbus-daemon that the test starts, against the fake AWS +
 * ClearML (scaler-test-daemon.h).
 *
 * A ScalerTestService is one temporary folder with XDG_CONFIG_HOME,
 * XDG_STATE_HOME and XDG_RUNTIME_DIR for the service, its own bus (its
 * config lists no service directories: nothing is activated on it, so it
 * has no keyring unless scaler_test_service_add_keyring() starts one), the
 * service's log, and the test's connection to that bus. Every process dies
 * with the test (PR_SET_PDEATHSIG). scaler_test_service_free() ends what
 * still runs (SIGTERM, so the service's shutdown and leak check run), fails
 * the test on a sanitizer report of the service's, checks that no secret reached any file of the folder (log
 * included) but the secrets file of a machine without a keyring, prints the
 * log when the test failed, and removes the folder.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-dbus-generated.h"
#include "scaler-test-daemon.h"

G_BEGIN_DECLS

typedef struct
{
  char            *dir;
  char            *config_dir;       /* <XDG_CONFIG_HOME>/ec2-autoscaler: the saved configs */
  char            *state_root;       /* <XDG_STATE_HOME>/ec2-autoscaler */
  char            *secrets_dir;      /* <config_dir>/secrets: the file backend */
  char            *log_path;
  char            *bus_address;
  GPid             bus_pid;
  GPid             pid;              /* the service */
  gboolean         running;
  char           **envp;             /* of the next spawn: scaler_test_environ() + the folder + the bus */
  GPtrArray       *secrets;          /* strings that must never reach a file */
  GDBusConnection *connection;       /* the test's, to the private bus */
} ScalerTestService;

/* The folder, the bus and the connection; nothing spawned yet. */
ScalerTestService *scaler_test_service_new        (void);
/* With @activatable, the bus starts the built service on the first call to
 * its name (D-Bus activation; the bus's environment is the service's). */
ScalerTestService *scaler_test_service_new_full   (gboolean           activatable);
/* Starts gnome-keyring-daemon on the service's bus (unlocked, its files in
 * the folder) and waits until it answers. */
void               scaler_test_service_add_keyring (ScalerTestService *svc);
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
char              *scaler_test_service_config_path (ScalerTestService *svc,
                                                    const char        *id);
/* Writes <state_root>/<id>/desired-state. */
void               scaler_test_service_set_desired (ScalerTestService *svc,
                                                    const char        *id,
                                                    const char        *desired);

/* Spawns the service and waits (20 s) until it owns its name. */
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

void               scaler_test_service_free       (ScalerTestService *svc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerTestService, scaler_test_service_free)

G_END_DECLS
