/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-fake.h: starts the fake EC2 + ClearML servers (tests/fakes/fake-cloud.js,
 * Node 20) for a test, and talks to their control API (/_fake/...).
 *
 * The contract of the fakes (endpoints, control API, fault kinds, state JSON) is
 * tests/fakes/README.md. The fakes directory comes from $SCALER_FAKES_DIR (set by
 * tests/meson.build), else the source tree path compiled in; node comes from $NODE,
 * else PATH. Set SCALER_FAKE_VERBOSE=1 to see the fake's request log on stderr.
 *
 * The child gets a stdin pipe: if the test process dies, the pipe closes and the
 * fake exits by itself, so no server is ever leaked.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _ScalerFake ScalerFake;

/* TRUE when node and tests/fakes/node_modules are present. When FALSE and @reason
 * is not NULL, *reason is set to a message saying what is missing and how to fix
 * it (free with g_free). */
gboolean    scaler_fake_available        (char       **reason);
/* The one rule of every test that needs the fakes: TRUE when they can run.
 * When they cannot, the running test fails under CI=true or build-aux/test
 * (which sets $SCALER_TEST_TMP), and is skipped when run by hand: both with
 * what is missing and that `build-aux/deps.sh all` installs it. */
gboolean    scaler_fake_require          (void);
/* For a program all of whose cases need the fakes, before g_test_run(): TRUE
 * when they can run; otherwise registers the one case @path, which fails or
 * skips by the rule above, and the program registers nothing else. */
gboolean    scaler_fake_require_program  (const char  *path);

/* Spawns the fake and waits (up to 20 s) for its ready line. */
ScalerFake *scaler_fake_start            (GError     **error);
/* Same, with a start-up config (the JSON of POST /_fake/config; it is also what
 * POST /_fake/reset returns to). @config_json may be NULL. */
ScalerFake *scaler_fake_start_with_config (const char  *config_json,
                                           GError     **error);

/* "http://127.0.0.1:PORT" of each listener. */
const char *scaler_fake_get_ec2_url      (ScalerFake  *self);
const char *scaler_fake_get_clearml_url  (ScalerFake  *self);
/* "http://127.0.0.1:PORT" of any listener by name: "ec2", "clearml", and
 * the credential endpoints "sts", "sso", "imds", "container" (README,
 * "Credential endpoints"); NULL for an unknown name. */
const char *scaler_fake_get_url          (ScalerFake  *self,
                                          const char  *listener);
/* Process id of the node child (for tests of the harness itself). */
GPid        scaler_fake_get_pid          (ScalerFake  *self);

/* One control call, e.g. ("POST", "/_fake/config", "{\"boot_delay_s\":0}").
 * Returns the parsed JSON answer (free with json_node_unref), or NULL with an
 * error that carries the HTTP status and the fake's {"error": ...} message. */
JsonNode   *scaler_fake_control          (ScalerFake  *self,
                                          const char  *method,
                                          const char  *path,
                                          const char  *json_body,
                                          GError     **error);
/* POST with a printf-style body. */
JsonNode   *scaler_fake_controlf         (ScalerFake  *self,
                                          const char  *path,
                                          GError     **error,
                                          const char  *format,
                                          ...) G_GNUC_PRINTF (4, 5);
/* GET /_fake/state (see README for the shape); @omit may be NULL or a comma list
 * such as "ec2_requests,clearml_requests". */
JsonNode   *scaler_fake_get_state        (ScalerFake  *self,
                                          GError     **error);
JsonNode   *scaler_fake_get_state_omit   (ScalerFake  *self,
                                          const char  *omit,
                                          GError     **error);
/* POST /_fake/reset. */
gboolean    scaler_fake_reset            (ScalerFake  *self,
                                          GError     **error);
/* state.requests.<service>.<action>, 0 when never called or on error
 * (service: "ec2" or "clearml"). */
gint64      scaler_fake_get_request_count (ScalerFake *self,
                                           const char *service,
                                           const char *action);

/* SIGTERM, wait for the exit (SIGKILL after 5 s), free. NULL is ignored. */
void        scaler_fake_stop             (ScalerFake  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerFake, scaler_fake_stop)

G_END_DECLS
