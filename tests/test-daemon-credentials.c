/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Closed-loop tests of the AWS credential chain in the built ec2-autoscalerd
 * against the fakes (tests/support/scaler-test-daemon.h): credentials from
 * credential_process that expire every few seconds while the daemon keeps
 * launching, the instance role through the fake IMDSv2 with rotation, an
 * SSO profile (first logged out, then logged in), assume-role from a source
 * profile, and a RequestExpired for a session token that leads to fresh
 * credentials instead of a clock-skew verdict. Every temporary credential
 * the fakes handed out is checked to be in no file of the run (log
 * included). The ~/.aws files live in their own temporary HOME, outside the
 * run's folder: they hold keys on purpose.
 */

#define G_LOG_DOMAIN "test-daemon-credentials"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-test-daemon.h"

#define ROLE_ARN "arn:aws:iam::123456789012:role/autoscaler"

/* ------------------------------------------------------------ helpers */

typedef struct
{
  char *dir;
  char *aws;
} Home;

static Home *
home_new (void)
{
  Home *home = g_new0 (Home, 1);
  g_autoptr(GError) error = NULL;

  home->dir = g_dir_make_tmp ("scaler-daemon-home-XXXXXX", &error);
  g_assert_no_error (error);
  home->aws = g_build_filename (home->dir, ".aws", NULL);
  g_assert_cmpint (g_mkdir_with_parents (home->aws, 0700), ==, 0);
  return home;
}

static void
home_free (Home *home)
{
  scaler_test_rm_rf (home->dir);
  g_free (home->dir);
  g_free (home->aws);
  g_free (home);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Home, home_free)

static void
home_file (Home       *home,
           const char *name,
           const char *contents)
{
  g_autofree char *path = g_build_filename (home->aws, name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

/* The run sees only @home's files, no AWS keys in its environment, the
 * fake STS and SSO portal, and no instance metadata service. */
static void
use_home (ScalerTestRun *run,
          Home          *home)
{
  ScalerFake *fake = scaler_test_fake ();

  scaler_test_run_setenv (run, "HOME", home->dir);
  scaler_test_run_setenv (run, "AWS_ACCESS_KEY_ID", NULL);
  scaler_test_run_setenv (run, "AWS_SECRET_ACCESS_KEY", NULL);
  scaler_test_run_setenv (run, "AWS_CONFIG_FILE", NULL);
  scaler_test_run_setenv (run, "AWS_SHARED_CREDENTIALS_FILE", NULL);
  scaler_test_run_setenv (run, "AWS_ENDPOINT_URL_STS", scaler_fake_get_url (fake, "sts"));
  scaler_test_run_setenv (run, "AWS_ENDPOINT_URL_SSO", scaler_fake_get_url (fake, "sso"));
  scaler_test_run_setenv (run, "AWS_EC2_METADATA_DISABLED", "true");
}

static char *
process_command (Home       *home,
                 const char *arguments)
{
  const char *dir = g_getenv ("SCALER_FAKES_DIR") != NULL ? g_getenv ("SCALER_FAKES_DIR")
                                                          : SCALER_SOURCE_DIR "/tests/fakes";
  const char *node = g_getenv ("NODE") != NULL ? g_getenv ("NODE") : "/usr/bin/node";

  return g_strdup_printf ("%s %s/credential-process.js %s %s --count-file %s/runs", node, dir,
                          scaler_fake_get_ec2_url (scaler_test_fake ()), arguments, home->dir);
}

static guint
process_runs (Home *home)
{
  g_autofree char *path = g_build_filename (home->dir, "runs", NULL);
  g_autofree char *text = NULL;
  guint runs = 0;

  if (g_file_get_contents (path, &text, NULL, NULL))
    for (const char *p = text; *p != '\0'; p++)
      runs += *p == '\n';
  return runs;
}

/* Every temporary credential of the fakes must stay out of the run's files. */
static void
add_issued_secrets (ScalerTestRun *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = scaler_fake_control (scaler_test_fake (), "GET", "/_fake/credentials/issued",
                                                    NULL, &error);
  JsonArray *issued;

  g_assert_no_error (error);
  issued = json_object_get_array_member (json_node_get_object (answer), "issued");
  for (guint i = 0; i < json_array_get_length (issued); i++)
    {
      JsonObject *one = json_array_get_object_element (issued, i);

      scaler_test_run_add_secret (run, json_object_get_string_member (one, "access_key_id"));
      scaler_test_run_add_secret (run, json_object_get_string_member (one, "secret_access_key"));
      scaler_test_run_add_secret (run, json_object_get_string_member (one, "session_token"));
    }
}

typedef struct
{
  const char *source;       /* "issue", "imds", "sso", "sts" */
  guint       sets;         /* distinct sets of that source used for EC2 calls */
  guint       completed;    /* tasks completed */
  const char *id;
} Progress;

static guint
sets_used (JsonNode   *state,
           const char *source)
{
  JsonArray *issued = scaler_test_state_array (state, "issued_credentials");
  guint used = 0;

  for (guint i = 0; i < json_array_get_length (issued); i++)
    {
      JsonObject *one = json_array_get_object_element (issued, i);

      if (g_strcmp0 (json_object_get_string_member (one, "source"), source) == 0 &&
          json_object_get_int_member (one, "ec2_calls") > 0)
        used++;
    }
  return used;
}

static gint64
auth_errors (JsonNode   *state,
             const char *code)
{
  JsonObject *errors = json_object_get_object_member (json_node_get_object (state), "auth_errors");

  return json_object_has_member (errors, code) ? json_object_get_int_member (errors, code) : 0;
}

/* Waves of two one-second tasks, each wave after the previous one's
 * instances are gone: every wave launches again. */
static gboolean
wave_done_cb (JsonNode *state,
              gpointer  data)
{
  Progress *progress = data;

  return scaler_test_count_tasks (state, "completed") >= progress->completed &&
         scaler_test_count_ours (state, progress->id, TRUE) == 0;
}

static guint launch_keys (void);

/* Waves until EC2 calls were signed with @min_sets sets of @source and
 * launches with at least two: however fast or slow the machine, the daemon
 * kept launching across credential refreshes. */
static void
run_waves (ScalerTestRun *run,
           const char    *source,
           guint          min_sets)
{
  Progress progress = { .id = run->id };

  for (guint w = 0; ; w++)
    {
      g_autoptr(JsonNode) state = NULL;

      scaler_test_enqueue (2, 1.0);
      progress.completed = 2 * (w + 1);
      state = scaler_test_wait_for (wave_done_cb, &progress, 60, "a wave of tasks done and its instances gone");
      if (sets_used (state, source) >= min_sets && launch_keys () >= 2)
        break;
      if (w >= 10)
        g_error ("after %u waves, EC2 calls used %u sets of %s credentials and launches %u keys",
                 w + 1, sets_used (state, source), source, launch_keys ());
    }
}

/* Distinct access keys that signed successful RunInstances calls. */
static guint
launch_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = scaler_fake_get_state_omit (scaler_test_fake (), "instances,workers,queues,tasks,clearml_requests",
                                                          &error);
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *requests;

  g_assert_no_error (error);
  requests = scaler_test_state_array (state, "ec2_requests");
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_strcmp0 (json_object_get_string_member (request, "action"), "RunInstances") == 0 &&
          json_object_get_int_member (request, "status") == 200)
        g_hash_table_add (keys, (gpointer) json_object_get_string_member (request, "access_key_id"));
    }
  return g_hash_table_size (keys);
}

static void
assert_log_lacks (ScalerTestRun *run,
                  const char    *needle)
{
  g_autofree char *log = scaler_test_run_log (run);

  if (strstr (log, needle) != NULL)
    g_error ("the daemon log contains \"%s\":\n%s", needle, log);
}

/* -------------------------------------------------------------- tests */

/* credential_process hands out sets that EC2 accepts for 6 s: the daemon
 * fetches new ones before they expire and keeps launching with them. */
static void
test_credential_process_expiring (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(Home) home = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *command = NULL;
  g_autofree char *config = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]"), 0.01, 0.02 };

  if (!scaler_test_require_fake ())
    return;
  home = home_new ();
  command = process_command (home, "--lifetime 6");
  config = g_strdup_printf ("[profile proc]\ncredential_process = %s\n", command);
  home_file (home, "config", config);
  options.aws_profile = "proc";
  run = scaler_test_run_new (&options);
  use_home (run, home);
  scaler_test_run_spawn (run, NULL);

  run_waves (run, "issue", 3);
  state = scaler_test_state ();
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "RunInstances"), >=, 4);
  /* Launches were signed with more than one set, and at least three sets
   * were used: fetched again before they expired, never refused. */
  g_assert_cmpuint (launch_keys (), >=, 2);
  g_assert_cmpuint (sets_used (state, "issue"), >=, 3);
  g_assert_cmpuint (process_runs (home), >=, 3);
  g_assert_cmpint (auth_errors (state, "RequestExpired"), ==, 0);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  assert_log_lacks (run, "clock");
  add_issued_secrets (run);
}

/* No keys anywhere but the instance role, whose credentials IMDS rotates
 * every 2.4 s (they live 6 s). */
static void
test_instance_role_rotation (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(Home) home = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]"), 0.01, 0.02 };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/config", "{\"credential_services\":{\"imds\":{\"lifetime_s\":6}}}");
  home = home_new ();
  run = scaler_test_run_new (&options);
  use_home (run, home);
  scaler_test_run_setenv (run, "AWS_EC2_METADATA_DISABLED", NULL);
  scaler_test_run_setenv (run, "AWS_EC2_METADATA_SERVICE_ENDPOINT", scaler_fake_get_url (scaler_test_fake (), "imds"));
  scaler_test_run_spawn (run, NULL);

  run_waves (run, "imds", 3);
  state = scaler_test_state ();
  g_assert_cmpuint (sets_used (state, "imds"), >=, 3);
  g_assert_cmpuint (launch_keys (), >=, 2);
  g_assert_cmpint (scaler_test_request_count (state, "imds", "PUT token"), >=, 3);
  g_assert_cmpint (auth_errors (state, "RequestExpired"), ==, 0);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  scaler_test_run_assert_log_contains (run, "EC2 instance role \"ec2-autoscaler-instance-role\"");
  add_issued_secrets (run);
}

typedef struct
{
  ScalerTestRun *run;
  const char    *needle;
} LogWatch;

static gboolean
log_has_cb (JsonNode *state,
            gpointer  data)
{
  LogWatch *watch = data;
  g_autofree char *log = scaler_test_run_log (watch->run);

  return strstr (log, watch->needle) != NULL;
}

static gboolean
completed_cb (JsonNode *state,
              gpointer  data)
{
  return scaler_test_count_tasks (state, "completed") >= GPOINTER_TO_UINT (data);
}

static void
write_sso_token (Home       *home,
                 const char *session,
                 const char *expires)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, session, -1);
  g_autofree char *name = g_strdup_printf ("sso/cache/%s.json", hash);
  g_autofree char *json = g_strdup_printf ("{\"startUrl\":\"https://corp.awsapps.com/start\",\"region\":\"us-east-1\","
                                           "\"accessToken\":\"fake-sso-access-token\",\"expiresAt\":\"%s\"}", expires);

  home_file (home, name, json);
}

/* An SSO profile: while the SSO login has expired the daemon says to run
 * "aws sso login --profile dev" and launches nothing; once logged in, it
 * launches with the portal's role credentials. */
static void
test_sso_profile (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(Home) home = NULL;
  g_autoptr(JsonNode) waiting = NULL;
  g_autoptr(JsonNode) done = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]") };
  LogWatch watch;

  if (!scaler_test_require_fake ())
    return;
  home = home_new ();
  home_file (home, "config", "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n"
                             "sso_role_name = Autoscaler\nregion = us-east-1\n"
                             "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
                             "sso_region = us-east-1\nsso_registration_scopes = sso:account:access\n");
  write_sso_token (home, "corp", "2020-01-01T00:00:00Z");
  scaler_test_enqueue (1, 1.0);
  options.aws_profile = "dev";
  run = scaler_test_run_new (&options);
  use_home (run, home);
  scaler_test_run_add_secret (run, "fake-sso-access-token");
  scaler_test_run_spawn (run, NULL);

  watch.run = run;
  watch.needle = "aws sso login --profile dev";
  waiting = scaler_test_wait_for (log_has_cb, &watch, 30, "the daemon asking for an SSO login");
  g_assert_cmpint (scaler_test_request_count (waiting, "ec2", "RunInstances"), ==, 0);
  g_assert_cmpint (scaler_test_request_count (waiting, "sso", "GetRoleCredentials"), ==, 0);

  /* "aws sso login" done: the next cycle fetches and launches. */
  write_sso_token (home, "corp", "2099-01-01T00:00:00Z");
  done = scaler_test_wait_for (completed_cb, GUINT_TO_POINTER (1), 60, "the task completed after the SSO login");
  g_assert_cmpint (scaler_test_request_count (done, "sso", "GetRoleCredentials"), >=, 1);
  g_assert_cmpuint (sets_used (done, "sso"), >=, 1);
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  add_issued_secrets (run);
}

/* role_arn + source_profile: the source profile's static keys sign
 * AssumeRole (with the external id STS requires), the role's short-lived
 * credentials sign every EC2 call and are assumed again before they expire. */
static void
test_assume_role (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(Home) home = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]"), 0.01, 0.02 };

  if (!scaler_test_require_fake ())
    return;
  scaler_test_control ("/_fake/config", "{\"credential_services\":{\"sts\":{\"lifetime_s\":6,"
                                        "\"roles\":{\"" ROLE_ARN "\":{\"external_id\":\"tenant-7\"}}}}}");
  home = home_new ();
  home_file (home, "credentials", "[base]\naws_access_key_id = " SCALER_TEST_AWS_KEY_ID "\n"
                                  "aws_secret_access_key = " SCALER_TEST_AWS_SECRET "\n");
  home_file (home, "config", "[profile deploy]\nrole_arn = " ROLE_ARN "\nsource_profile = base\n"
                             "external_id = tenant-7\nrole_session_name = autoscaler\nduration_seconds = 900\n");
  options.aws_profile = "deploy";
  run = scaler_test_run_new (&options);
  use_home (run, home);
  scaler_test_run_spawn (run, NULL);

  run_waves (run, "sts", 2);
  state = scaler_test_state ();
  g_assert_cmpint (scaler_test_request_count (state, "sts", "AssumeRole"), >=, 2);
  g_assert_cmpuint (sets_used (state, "sts"), >=, 2);
  g_assert_cmpint (auth_errors (state, "RequestExpired"), ==, 0);
  /* The source keys never signed an EC2 call: only the role's did. */
  g_assert_cmpuint (launch_keys (), >=, 1);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) full = scaler_fake_get_state_omit (scaler_test_fake (), "instances,workers,queues,tasks,clearml_requests",
                                                          &error);
    JsonArray *requests = scaler_test_state_array (full, "ec2_requests");

    for (guint i = 0; i < json_array_get_length (requests); i++)
      g_assert_cmpstr (json_object_get_string_member_with_default (json_array_get_object_element (requests, i),
                                                                   "access_key_id", "ASIA"),
                       !=, SCALER_TEST_AWS_KEY_ID);
  }
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  add_issued_secrets (run);
}

typedef struct
{
  Home       *home;
  const char *id;
} ExpiredWatch;

static gboolean
refreshed_cb (JsonNode *state,
              gpointer  data)
{
  ExpiredWatch *watch = data;

  return scaler_test_count_tasks (state, "completed") >= 2 && auth_errors (state, "RequestExpired") >= 1 &&
         process_runs (watch->home) >= 2;
}

/* The process says its credentials last an hour, but EC2 refuses them after
 * 3 s with RequestExpired: the daemon fetches new ones and goes on; the log
 * never speaks of the clock. */
static void
test_request_expired_refreshes (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(Home) home = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *command = NULL;
  g_autofree char *config = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]") };
  ExpiredWatch watch;

  if (!scaler_test_require_fake ())
    return;
  home = home_new ();
  command = process_command (home, "--lifetime 3 --expiration 3600");
  config = g_strdup_printf ("[profile lying]\ncredential_process = %s\n", command);
  home_file (home, "config", config);
  scaler_test_enqueue (2, 4.0);
  options.aws_profile = "lying";
  run = scaler_test_run_new (&options);
  use_home (run, home);
  scaler_test_run_spawn (run, NULL);

  watch.home = home;
  watch.id = run->id;
  state = scaler_test_wait_for (refreshed_cb, &watch, 60, "tasks done through an expired-credential refresh");
  g_assert_cmpint (scaler_test_run_stop (run), ==, 0);
  scaler_test_run_assert_log_contains (run, "Temporary AWS credentials expired; fetched new ones");
  assert_log_lacks (run, "clock");
  assert_log_lacks (run, "no newer ones came from there");
  add_issued_secrets (run);
}

/* A broken ~/.aws/config stops the daemon at start, naming the file and
 * line, before any API call. */
static void
test_broken_files_refused (void)
{
  g_autoptr(ScalerTestRun) run = NULL;
  g_autoptr(Home) home = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *log = NULL;
  ScalerTestRunOptions options = { SCALER_TEST_RESOURCE_CPU (2, "false", "[]") };

  if (!scaler_test_require_fake ())
    return;
  home = home_new ();
  home_file (home, "config", "[profile dev]\nregion = us-east-1\nthis line is broken\n");
  options.aws_profile = "dev";
  run = scaler_test_run_new (&options);
  use_home (run, home);
  scaler_test_run_spawn (run, NULL);
  g_assert_cmpint (scaler_test_run_wait (run, 20), ==, 1);
  log = scaler_test_run_log (run);
  g_assert_nonnull (strstr (log, "line 3"));
  g_assert_nonnull (strstr (log, home->aws));
  state = scaler_test_state ();
  g_assert_cmpint (scaler_test_request_count (state, "ec2", "DescribeInstances"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/daemon-credentials/credential-process-expiring", test_credential_process_expiring);
  g_test_add_func ("/scaler/daemon-credentials/instance-role-rotation", test_instance_role_rotation);
  g_test_add_func ("/scaler/daemon-credentials/sso-profile", test_sso_profile);
  g_test_add_func ("/scaler/daemon-credentials/assume-role", test_assume_role);
  g_test_add_func ("/scaler/daemon-credentials/request-expired-refreshes", test_request_expired_refreshes);
  g_test_add_func ("/scaler/daemon-credentials/broken-files-refused", test_broken_files_refused);

  status = g_test_run ();
  scaler_test_fake_shutdown ();
  return status;
}
