/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-test-daemon.h: closed-loop harness for tests that run the built
 * ec2-autoscalerd ($SCALER_DAEMON) against the fake AWS + ClearML
 * (tests/fakes, see scaler-fake.h) over real HTTP.
 *
 * One fake per test process (fast agents: boot, register and report within a
 * second), reset before each test by scaler_test_require_fake(). A
 * ScalerTestRun is one temporary folder with a config (aws.endpoint and
 * clearml.api_server pointing at the fake), a state directory and the
 * daemon's log; the daemon dies with the test process (PR_SET_PDEATHSIG).
 * scaler_test_run_free() ends a daemon still running (SIGTERM), fails the
 * test on a sanitizer report of the daemon's, checks that no secret
 * reached any file of the folder (log included), prints the log when the
 * test failed, and removes the folder.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "scaler-fake.h"
#include "scaler-test-util.h"

G_BEGIN_DECLS

/* The static credentials every run gets in its environment (as "environment"). */
#define SCALER_TEST_AWS_KEY_ID     "AKIDEXAMPLE"
#define SCALER_TEST_AWS_SECRET     "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SCALER_TEST_CLEARML_KEY    "FAKEKEY"
#define SCALER_TEST_CLEARML_SECRET "FAKESECRET"

/* A resource array with one on-demand or spot t3.micro resource "cpu" on
 * queue "default"; zones is a JSON array text. */
#define SCALER_TEST_RESOURCE_CPU(max, spot, zones) \
  "[{\"name\":\"cpu\",\"queue\":\"default\",\"max_instances\":" #max ",\"instance_type\":\"t3.micro\"," \
  "\"availability_zones\":" zones ",\"subnet_ids\":[],\"ami_id\":\"ami-0123456789abcdef0\"," \
  "\"ebs_device_name\":\"/dev/sda1\",\"ebs_volume_size\":8,\"ebs_volume_type\":\"gp3\"," \
  "\"security_group_ids\":[],\"is_spot\":" spot ",\"spot_fallback_on_demand\":true,\"tags\":{\"team\":\"ml\"}}]"

typedef struct
{
  const char *resources;      /* JSON array text */
  double      polling;        /* minutes; 0: 0.01 */
  double      idle;           /* minutes; 0: 0.05 */
  double      spin_up;        /* minutes; 0: 0.15 */
  double      budget;         /* USD/h; 0: none */
  const char *on_stop;        /* NULL: "keep" */
  const char *extra;          /* NULL, or more top-level members: "\"k\":v,\"k2\":v2" */
  const char *aws_credentials;     /* NULL: "environment" */
  const char *aws_profile;         /* NULL: no aws.profile */
  const char *clearml_credentials; /* NULL: "environment" */
  const char *name;           /* NULL: "closed loop" */
  const char *workers_prefix; /* NULL: "dyn" (give each config of one fake its own) */
} ScalerTestRunOptions;

/* The saved-config JSON of @options with @id, aws.endpoint and
 * clearml.api_server on the fake. */
char          *scaler_test_config_json       (const ScalerTestRunOptions *options,
                                              const char                 *id);
/* This process's environment with the static test credentials set (AWS_*
 * and CLEARML_*), AWS_SESSION_TOKEN and AWS_PROFILE unset, and
 * G_MESSAGES_DEBUG=all. */
char         **scaler_test_environ           (void);
/* Under -Db_sanitize, a child's sanitizer reports (ASan, LeakSanitizer,
 * UBSan) go to files <dir>/SCALER_TEST_SANITIZER_LOG.<pid> instead of its
 * stderr, where an exit status the test expects (1 for a bad config, say)
 * could hide them: @envp with log_path set. Runs and services set it on
 * their folder and check it when freed. */
#define SCALER_TEST_SANITIZER_LOG "sanitizer"
char         **scaler_test_sanitizer_environ (char       **envp,
                                              const char  *dir);
/* Marks the test failed, with each report as a message, when @dir holds
 * sanitizer reports (and removes them: each is reported once); @what names
 * the process. TRUE when it holds none. Waiting for a run's or a service's
 * exit checks, and so does freeing it. */
gboolean       scaler_test_check_sanitizer_reports (const char *dir,
                                                    const char *what);
/* Ends a child still running at the end of a test: SIGTERM (its shutdown
 * path and its leak check run), SIGKILL after @grace_s; reaps it. */
void           scaler_test_end_process       (GPid        pid,
                                              double      grace_s);
/* For g_spawn_*: the child dies with the test (PR_SET_PDEATHSIG). */
void           scaler_test_child_setup       (gpointer data);
/* g_error when a file under @path (but @except, a file or folder, nullable)
 * contains one of @secrets. */
void           scaler_test_assert_no_secrets_in_tree (const char *path,
                                                      GPtrArray  *secrets,
                                                      const char *except);

typedef struct
{
  char      *dir;
  char      *config_path;
  char      *state_dir;
  char      *log_path;
  char      *id;
  GPid       pid;
  gboolean   running;
  char     **envp;            /* the environment of the next spawn */
  GPtrArray *secrets;         /* strings that must never reach a file */
} ScalerTestRun;

/* The fake of this test process, started on first use (with fast agents, or
 * @config_json when not NULL) and reset on every later call. FALSE when
 * $SCALER_DAEMON is not set (the test failed) or the fakes cannot run (the
 * test failed or skipped by scaler_fake_require()). */
gboolean       scaler_test_require_fake      (void);
gboolean       scaler_test_require_fake_with_config (const char *config_json);
ScalerFake    *scaler_test_fake              (void);
/* Stops the fake (end of main). */
void           scaler_test_fake_shutdown     (void);

/* POST a control call; asserts it succeeded. */
void           scaler_test_control           (const char *path,
                                              const char *json);
/* GET /_fake/state without the per-request log. */
JsonNode      *scaler_test_state             (void);
/* Enqueues @count tasks of @duration_s seconds on queue "default". */
void           scaler_test_enqueue           (guint       count,
                                              double      duration_s);

/* The folder and its config; the environment is scaler_test_environ(). */
ScalerTestRun *scaler_test_run_new           (const ScalerTestRunOptions *options);
/* Changes the environment of the next spawn (@value NULL: unset). */
void           scaler_test_run_setenv        (ScalerTestRun *run,
                                              const char    *name,
                                              const char    *value);
/* One more string that must never appear in a file of the run's folder. */
void           scaler_test_run_add_secret    (ScalerTestRun *run,
                                              const char    *secret);
/* Starts the daemon on the run's config (+ one extra argument, nullable). */
void           scaler_test_run_spawn         (ScalerTestRun *run,
                                              const char    *extra);
/* Waits for the exit: the exit status, or -signal if killed. g_error after
 * @timeout_s. */
int            scaler_test_run_wait          (ScalerTestRun *run,
                                              double         timeout_s);
/* SIGTERM, then the exit code, which must come within 5 s. */
int            scaler_test_run_stop          (ScalerTestRun *run);
char          *scaler_test_run_log           (ScalerTestRun *run);
void           scaler_test_run_assert_log_contains (ScalerTestRun *run,
                                                    const char    *needle);
/* Waits (up to @timeout_s) until the log contains @needle: a cycle's lines
 * are written after its requests reached the fake. */
void           scaler_test_run_wait_log      (ScalerTestRun *run,
                                              const char    *needle,
                                              double         timeout_s);
void           scaler_test_run_free          (ScalerTestRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerTestRun, scaler_test_run_free)

/* On a /_fake/state answer: */
JsonArray     *scaler_test_state_array       (JsonNode   *state,
                                              const char *name);
/* Instances carrying the ec2-autoscaler:instance tag @config_id; live
 * (pending or running) only, or all. */
guint          scaler_test_count_ours        (JsonNode   *state,
                                              const char *config_id,
                                              gboolean    live_only);
guint          scaler_test_count_tasks       (JsonNode   *state,
                                              const char *status);
gint64         scaler_test_request_count     (JsonNode   *state,
                                              const char *service,
                                              const char *action);

typedef gboolean (*ScalerTestPredicate) (JsonNode *state, gpointer data);
/* Polls /_fake/state until @predicate holds (returns that state), or
 * g_error after @timeout_s naming @what. */
JsonNode      *scaler_test_wait_for          (ScalerTestPredicate predicate,
                                              gpointer            data,
                                              double              timeout_s,
                                              const char         *what);
/* Waits until the fake has answered (or is answering) @action of @service
 * at least @min times; returns that state. */
JsonNode      *scaler_test_wait_requests     (const char *service,
                                              const char *action,
                                              gint64      min,
                                              double      timeout_s,
                                              const char *what);
/* Waits until @live live and @total tagged instances of @id exist and
 * @completed tasks are completed (G_MAXUINT: any). */
JsonNode      *scaler_test_wait_expect       (const char *id,
                                              guint       live,
                                              guint       total,
                                              guint       completed,
                                              double      timeout_s,
                                              const char *what);

G_END_DECLS
