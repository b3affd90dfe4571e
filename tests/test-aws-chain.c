/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The AWS credential chain against the fake credential endpoints (STS, SSO
 * portal, IMDSv2, container; tests/fakes) over real HTTP, and against the
 * AWS SDK itself: for each source, the same profile files, variables and
 * endpoints are given to @aws-sdk/credential-providers
 * (tests/fakes/sdk-credentials.js) and to our C chain, and both must come
 * back with the same keys. Then what only the C side does: refresh, the EC2
 * client's retry after RequestExpired, and the errors of each source. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-fake.h"
#include "support/scaler-test-util.h"

#define AK "AKIDEXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define ROLE_ARN "arn:aws:iam::123456789012:role/scaler"

static ScalerFake *fake;

static const char * const variables[] = {
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED",
  "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", "AWS_REGION", "AWS_DEFAULT_REGION",
  "AWS_CREDENTIAL_EXPIRATION",
};

typedef struct
{
  char *home;
  char *aws;
  char *old_home;
} Fixture;

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (scaler_fake_reset (fake, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    g_unsetenv (variables[i]);
  f->home = g_dir_make_tmp ("scaler-aws-chain-XXXXXX", &error);
  g_assert_no_error (error);
  f->aws = g_build_filename (f->home, ".aws", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->aws, 0700), ==, 0);
  f->old_home = g_strdup (g_getenv ("HOME"));
  g_setenv ("HOME", f->home, TRUE);
  g_setenv ("AWS_ENDPOINT_URL_STS", scaler_fake_get_url (fake, "sts"), TRUE);
  g_setenv ("AWS_ENDPOINT_URL_SSO", scaler_fake_get_url (fake, "sso"), TRUE);
  g_setenv ("AWS_REGION", "us-east-1", TRUE);
  /* No test may reach a real metadata service; IMDS tests point at the fake. */
  g_setenv ("AWS_EC2_METADATA_DISABLED", "true", TRUE);
  g_setenv ("NODE_NO_WARNINGS", "1", TRUE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  scaler_test_rm_rf (f->home);
  if (f->old_home != NULL)
    g_setenv ("HOME", f->old_home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    g_unsetenv (variables[i]);
  g_free (f->home);
  g_free (f->aws);
  g_free (f->old_home);
}

static void
aws_file (Fixture    *f,
          const char *name,
          const char *contents)
{
  g_autofree char *path = g_build_filename (f->aws, name, NULL);

  write_file (path, contents);
}

static void
fake_post (const char *path,
           const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = scaler_fake_control (fake, "POST", path, json, &error);

  g_assert_no_error (error);
  json_node_unref (node);
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  g_assert_nonnull (text);
  if (strstr (text, needle) == NULL)
    g_error ("expected \"%s\" in: %s", needle, text);
}

/* ------------------------------------------------------- the SDK side */

static char *
fakes_dir (void)
{
  const char *dir = g_getenv ("SCALER_FAKES_DIR");

  return g_strdup (dir != NULL ? dir : SCALER_SOURCE_DIR "/tests/fakes");
}

/* Credentials the AWS SDK resolves for @source with this process's
 * environment. */
static ScalerAwsCredentials *
sdk_resolve (const char *source,
             const char *profile)
{
  g_autofree char *dir = fakes_dir ();
  g_autofree char *script = g_build_filename (dir, "sdk-credentials.js", NULL);
  const char *node = g_getenv ("NODE") != NULL ? g_getenv ("NODE") : "node";
  const char *argv[] = { node, script, source, profile != NULL ? "--profile" : NULL, profile, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  ScalerAwsCredentials *creds;
  const char *expiration;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (process, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_error ("the AWS SDK (%s) failed: %.*s", source, (int) g_bytes_get_size (err),
             (const char *) g_bytes_get_data (err, NULL));
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (out, NULL), (gssize) g_bytes_get_size (out),
                                             &error));
  object = json_node_get_object (json_parser_get_root (parser));
  creds = scaler_aws_credentials_new (json_object_get_string_member (object, "accessKeyId"),
                                      json_object_get_string_member (object, "secretAccessKey"),
                                      json_object_get_string_member_with_default (object, "sessionToken", NULL));
  expiration = json_object_get_string_member_with_default (object, "expiration", NULL);
  creds->expiration = expiration != NULL ? scaler_aws_parse_time (expiration) : 0;
  return creds;
}

static ScalerAwsCredentials *
c_resolve (const char  *profile,
           GError     **error)
{
  return scaler_aws_chain_resolve (profile, "us-east-1", NULL, error);
}

/* Both sides, same keys (expiry to the second). */
static ScalerAwsCredentials *
cross_check (const char *sdk_source,
             const char *profile)
{
  g_autoptr(ScalerAwsCredentials) sdk = sdk_resolve (sdk_source, profile);
  g_autoptr(GError) error = NULL;
  ScalerAwsCredentials *ours = c_resolve (profile, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ours);
  g_assert_cmpstr (ours->access_key_id, ==, sdk->access_key_id);
  g_assert_cmpstr (ours->secret_access_key, ==, sdk->secret_access_key);
  g_assert_cmpstr (ours->session_token, ==, sdk->session_token);
  g_assert_cmpint (ours->expiration / G_USEC_PER_SEC, ==, sdk->expiration / G_USEC_PER_SEC);
  return ours;
}

/* The fake EC2 accepts them (DescribeInstances, signed with them). */
static void
assert_ec2_accepts (const ScalerAwsCredentials *creds)
{
  g_autoptr(ScalerEc2Client) client = NULL;
  g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("DescribeInstances");
  g_autoptr(ScalerEc2Response) response = NULL;
  g_autoptr(GError) error = NULL;

  client = scaler_ec2_client_new ("us-east-1", scaler_fake_get_ec2_url (fake), creds, &error);
  g_assert_no_error (error);
  response = scaler_ec2_client_call (client, params, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
}

/* The "request" the fake recorded for the credentials with @key. */
static JsonObject *
issued_request (JsonNode   *state,
                const char *key)
{
  JsonArray *issued = json_object_get_array_member (json_node_get_object (state), "issued_credentials");

  for (guint i = 0; i < json_array_get_length (issued); i++)
    {
      JsonObject *one = json_array_get_object_element (issued, i);

      if (g_strcmp0 (json_object_get_string_member (one, "access_key_id"), key) == 0)
        return json_object_get_object_member (one, "request");
    }
  g_error ("the fake never issued %s", key);
  return NULL;
}

/* ------------------------------------------------------ cross-checks */

static void
test_sdk_static_profile (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) creds = NULL;

  aws_file (f, "credentials", "[default]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other\n"
                              "[ci]\naws_access_key_id = " AK "\naws_secret_access_key = " SK "\n");
  aws_file (f, "config", "[profile ci]\nregion = us-east-1\n");
  creds = cross_check ("chain", "ci");
  g_assert_null (creds->session_token);
  assert_ec2_accepts (creds);
}

static void
test_sdk_credential_process (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) issued = scaler_fake_control (fake, "POST", "/_fake/credentials/issue",
                                                    "{\"lifetime_s\": 3600}", &error);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *json = NULL;
  g_autofree char *path = g_build_filename (f->home, "process-output.json", NULL);
  g_autofree char *config = NULL;
  g_autoptr(ScalerAwsCredentials) creds = NULL;

  g_assert_no_error (error);
  json_generator_set_root (generator, issued);
  json = json_generator_to_data (generator, NULL);
  write_file (path, json);
  config = g_strdup_printf ("[profile proc]\ncredential_process = /bin/cat %s\n", path);
  aws_file (f, "config", config);
  creds = cross_check ("chain", "proc");
  g_assert_nonnull (creds->session_token);
  g_assert_cmpint (creds->expiration, >, g_get_real_time ());
  assert_ec2_accepts (creds);
}

static void
test_sdk_assume_role (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) creds = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *request;

  /* STS checks the external id of this role. */
  fake_post ("/_fake/config", "{\"credential_services\":{\"sts\":{\"roles\":{\"" ROLE_ARN "\":{\"external_id\":\"ext-42\"}}}}}");
  aws_file (f, "credentials", "[base]\naws_access_key_id = " AK "\naws_secret_access_key = " SK "\n");
  aws_file (f, "config", "[profile base]\nregion = us-east-1\n"
                         "[profile deploy]\nrole_arn = " ROLE_ARN "\nsource_profile = base\n"
                         "external_id = ext-42\nrole_session_name = cross-check\nduration_seconds = 900\n");
  creds = cross_check ("chain", "deploy");
  assert_ec2_accepts (creds);

  /* One AssumeRole per side, signed with the source profile's keys
   * (the fake STS verifies SigV4), with every parameter. */
  state = scaler_fake_get_state_omit (fake, "instances,workers,queues,tasks,ec2_requests,clearml_requests", &error);
  g_assert_no_error (error);
  g_assert_cmpint (scaler_fake_get_request_count (fake, "sts", "AssumeRole"), ==, 2);
  request = issued_request (state, creds->access_key_id);
  g_assert_cmpstr (json_object_get_string_member (request, "role_arn"), ==, ROLE_ARN);
  g_assert_cmpstr (json_object_get_string_member (request, "role_session_name"), ==, "cross-check");
  g_assert_cmpstr (json_object_get_string_member (request, "external_id"), ==, "ext-42");
  g_assert_cmpint (json_object_get_int_member (request, "duration_seconds"), ==, 900);
  g_assert_cmpstr (json_object_get_string_member (request, "source_access_key_id"), ==, AK);
  assert_contains (creds->source, ROLE_ARN);
}

static void
test_sdk_credential_source (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) from_env = NULL;
  g_autoptr(ScalerAwsCredentials) from_imds = NULL;

  aws_file (f, "config", "[profile envrole]\nrole_arn = " ROLE_ARN "\ncredential_source = Environment\n"
                         "role_session_name = env-source\n"
                         "[profile imdsrole]\nrole_arn = " ROLE_ARN "\ncredential_source = Ec2InstanceMetadata\n"
                         "role_session_name = imds-source\n");
  g_setenv ("AWS_ACCESS_KEY_ID", AK, TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", SK, TRUE);
  from_env = cross_check ("chain", "envrole");
  g_unsetenv ("AWS_ACCESS_KEY_ID");
  g_unsetenv ("AWS_SECRET_ACCESS_KEY");

  g_unsetenv ("AWS_EC2_METADATA_DISABLED");
  g_setenv ("AWS_EC2_METADATA_SERVICE_ENDPOINT", scaler_fake_get_url (fake, "imds"), TRUE);
  from_imds = cross_check ("chain", "imdsrole");
  g_assert_cmpstr (from_env->access_key_id, !=, from_imds->access_key_id);
  assert_ec2_accepts (from_imds);
  /* The instance role was fetched with an IMDSv2 token. */
  g_assert_cmpint (scaler_fake_get_request_count (fake, "imds", "PUT token"), >=, 2);
}

static void
write_sso_token (Fixture    *f,
                 const char *id,
                 const char *token,
                 const char *expires)
{
  g_autofree char *dir = g_build_filename (f->aws, "sso", "cache", NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, id, -1);
  g_autofree char *name = g_strconcat (hash, ".json", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *json = g_strdup_printf ("{\"startUrl\":\"https://corp.awsapps.com/start\",\"region\":\"us-east-1\","
                                           "\"accessToken\":\"%s\",\"expiresAt\":\"%s\"}", token, expires);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  write_file (path, json);
}

static void
test_sdk_sso (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) session = NULL;
  g_autoptr(ScalerAwsCredentials) legacy = NULL;
  g_autoptr(ScalerAwsCredentials) none = NULL;
  g_autoptr(GError) error = NULL;

  aws_file (f, "config", "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n"
                         "region = us-east-1\n"
                         "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
                         "[profile old]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n"
                         "sso_account_id = 210987654321\nsso_role_name = ReadOnly\nregion = us-east-1\n");
  /* sso_session: the cache file is sha1(session name); legacy: sha1(start url). */
  write_sso_token (f, "corp", "fake-sso-access-token", "2099-01-01T00:00:00Z");
  write_sso_token (f, "https://legacy.awsapps.com/start", "fake-sso-access-token", "2099-01-01T00:00:00Z");
  session = cross_check ("chain", "dev");
  legacy = cross_check ("chain", "old");
  g_assert_cmpstr (session->access_key_id, !=, legacy->access_key_id);
  assert_ec2_accepts (session);
  assert_contains (session->source, "account 123456789012, role Admin");

  /* A token the portal does not know: run aws sso login. */
  write_sso_token (f, "corp", "revoked-token", "2099-01-01T00:00:00Z");
  none = c_resolve ("dev", &error);
  g_assert_null (none);
  assert_contains (error->message, "aws sso login --profile dev");
  g_assert_null (strstr (error->message, "revoked-token"));
}

static void
test_sdk_web_identity (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *token = g_build_filename (f->home, "token", NULL);
  g_autofree char *config = g_strdup_printf ("[profile web]\nweb_identity_token_file = %s\n"
                                             "role_arn = arn:aws:iam::123456789012:role/web\n"
                                             "role_session_name = web-profile\n", token);
  g_autoptr(ScalerAwsCredentials) from_env = NULL;
  g_autoptr(ScalerAwsCredentials) from_profile = NULL;

  write_file (token, "fake-web-identity-token");
  /* As on EKS: the variables, no profile. */
  g_setenv ("AWS_WEB_IDENTITY_TOKEN_FILE", token, TRUE);
  g_setenv ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web", TRUE);
  g_setenv ("AWS_ROLE_SESSION_NAME", "web-env", TRUE);
  from_env = cross_check ("chain", NULL);
  assert_ec2_accepts (from_env);
  g_unsetenv ("AWS_WEB_IDENTITY_TOKEN_FILE");
  g_unsetenv ("AWS_ROLE_ARN");
  g_unsetenv ("AWS_ROLE_SESSION_NAME");

  aws_file (f, "config", config);
  from_profile = cross_check ("chain", "web");
  g_assert_cmpstr (from_env->access_key_id, !=, from_profile->access_key_id);
  g_assert_cmpint (scaler_fake_get_request_count (fake, "sts", "AssumeRoleWithWebIdentity"), ==, 4);
}

static void
test_sdk_container (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *url = g_strconcat (scaler_fake_get_url (fake, "container"), "/v2/credentials/fake", NULL);
  g_autofree char *token = g_build_filename (f->home, "container-token", NULL);
  g_autoptr(ScalerAwsCredentials) creds = NULL;
  g_autoptr(ScalerAwsCredentials) none = NULL;
  g_autoptr(GError) error = NULL;

  fake_post ("/_fake/config", "{\"credential_services\":{\"container\":{\"authorization\":\"Bearer pod-identity\"}}}");
  write_file (token, "Bearer pod-identity");
  g_setenv ("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, TRUE);
  g_setenv ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token, TRUE);
  creds = cross_check ("chain", NULL);
  assert_ec2_accepts (creds);
  assert_contains (creds->source, "container credentials");

  /* The wrong token: the endpoint's answer, after botocore's three attempts. */
  write_file (token, "Bearer wrong");
  none = c_resolve (NULL, &error);
  g_assert_null (none);
  assert_contains (error->message, "HTTP 403");
  assert_contains (error->message, "Container credentials");
  g_assert_null (strstr (error->message, "Bearer"));
}

static void
test_sdk_instance_role (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) creds = NULL;

  g_unsetenv ("AWS_EC2_METADATA_DISABLED");
  g_setenv ("AWS_EC2_METADATA_SERVICE_ENDPOINT", scaler_fake_get_url (fake, "imds"), TRUE);
  creds = cross_check ("chain", NULL);
  assert_ec2_accepts (creds);
  assert_contains (creds->source, "ec2-autoscaler-instance-role");
  /* IMDSv2: a token for every fetch, then the role, then its credentials. */
  g_assert_cmpint (scaler_fake_get_request_count (fake, "imds", "PUT token"), ==, 2);
  g_assert_cmpint (scaler_fake_get_request_count (fake, "imds", "GET role"), ==, 2);
  g_assert_cmpint (scaler_fake_get_request_count (fake, "imds", "GET credentials"), ==, 2);
}

/* ------------------------------------------------ the C side alone */

static void
test_instance_role_rotation (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(ScalerAwsProvider) provider = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  /* Sets that live 3 s, a new one after 1.2 s: three distinct sets must
   * come through the provider's refresh alone. */
  fake_post ("/_fake/config", "{\"credential_services\":{\"imds\":{\"lifetime_s\":3}}}");
  g_unsetenv ("AWS_EC2_METADATA_DISABLED");
  g_setenv ("AWS_EC2_METADATA_SERVICE_ENDPOINT", scaler_fake_get_url (fake, "imds"), TRUE);
  provider = scaler_aws_chain_new (NULL, "us-east-1");
  while (g_hash_table_size (seen) < 3)
    {
      g_autoptr(ScalerAwsCredentials) creds = scaler_aws_provider_get (provider, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (creds->expiration, >, g_get_real_time ());
      g_hash_table_add (seen, g_strdup (creds->access_key_id));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100000);
    }
  g_assert_cmpuint (scaler_aws_provider_get_fetches (provider), >=, 3);
}

static char *
process_config (Fixture    *f,
                const char *profile,
                const char *arguments)
{
  g_autofree char *dir = fakes_dir ();
  const char *node = g_getenv ("NODE") != NULL ? g_getenv ("NODE") : "/usr/bin/node";
  g_autofree char *count = g_build_filename (f->home, "runs", NULL);

  return g_strdup_printf ("[profile %s]\ncredential_process = %s %s/credential-process.js %s %s --count-file %s\n",
                          profile, node, dir, scaler_fake_get_ec2_url (fake), arguments, count);
}

static guint
process_runs (Fixture *f)
{
  g_autofree char *count = g_build_filename (f->home, "runs", NULL);
  g_autofree char *text = NULL;
  guint runs = 0;

  if (!g_file_get_contents (count, &text, NULL, NULL))
    return 0;
  for (const char *p = text; *p != '\0'; p++)
    runs += *p == '\n';
  return runs;
}

static gint64
request_expired_count (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = scaler_fake_get_state_omit (fake, "instances,workers,queues,tasks,ec2_requests,clearml_requests",
                                                          &error);
  JsonObject *errors;

  g_assert_no_error (error);
  errors = json_object_get_object_member (json_node_get_object (state), "auth_errors");
  return json_object_has_member (errors, "RequestExpired") ? json_object_get_int_member (errors, "RequestExpired") : 0;
}

/* Credentials that say they last an hour but EC2 refuses after 5 s: EC2
 * answers RequestExpired, the client fetches new ones and succeeds; no
 * clock correction, no retry counted. */
static void
test_request_expired_refreshes (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *config = process_config (f, "short", "--lifetime 5 --expiration 3600");
  g_autoptr(ScalerAwsProvider) provider = NULL;
  g_autoptr(ScalerEc2Client) client = NULL;
  g_autoptr(GError) error = NULL;
  ScalerEc2Stats stats;
  guint runs = 0;
  gint64 expired = 0;

  aws_file (f, "config", config);
  provider = scaler_aws_chain_new ("short", "us-east-1");
  client = scaler_ec2_client_new_with_provider ("us-east-1", scaler_fake_get_ec2_url (fake), provider, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("DescribeInstances");
      g_autoptr(ScalerEc2Response) response = scaler_ec2_client_call (client, params, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (response);
      if (i == 0)
        {
          runs = process_runs (f);
          expired = request_expired_count ();
          g_assert_cmpuint (runs, >=, 1);
          /* Past the 5 s the fake EC2 gives them: the next call is refused once. */
          g_usleep (6 * G_USEC_PER_SEC);
        }
    }
  g_assert_cmpuint (process_runs (f), ==, runs + 1);
  g_assert_cmpint (request_expired_count (), ==, expired + 1);
  scaler_ec2_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.clock_corrections, ==, 0);
  g_assert_cmpuint (stats.retries, ==, 0);
}

/* Static keys with a session token that expired (the keyring's): no
 * refresh possible, and the verdict blames the credentials, not the clock. */
static void
test_static_token_expired (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new ("ASIAEXPIREDSTATIC", "expired-secret",
                                                                      "expired-session-token");
  g_autoptr(ScalerEc2Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verdict = NULL;
  ScalerEc2Stats stats;

  fake_post ("/_fake/config", "{\"credentials\":[{\"access_key_id\":\"ASIAEXPIREDSTATIC\","
                              "\"secret_access_key\":\"expired-secret\",\"session_token\":\"expired-session-token\","
                              "\"expiration\":\"2020-01-01T00:00:00Z\"}]}");
  client = scaler_ec2_client_new ("us-east-1", scaler_fake_get_ec2_url (fake), creds, &error);
  g_assert_no_error (error);
  g_assert_false (scaler_ec2_test_connection (client, NULL, &verdict, NULL, &error));
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_AUTH);
  g_assert_cmpstr (scaler_aws_error_get_aws_code (error), ==, "RequestExpired");
  assert_contains (verdict, "temporary credentials expired");
  assert_contains (verdict, "session token");
  g_assert_null (strstr (verdict, "clock"));
  scaler_ec2_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.clock_corrections, ==, 0);
}

/* Credentials fetched again in the advisory window: with sets that live
 * 6 s, every call over 10 s succeeds without a single RequestExpired. */
static void
test_refresh_before_expiry (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *config = process_config (f, "rotating", "--lifetime 6");
  g_autoptr(ScalerAwsProvider) provider = NULL;
  g_autoptr(ScalerEc2Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  JsonObject *auth_errors;

  aws_file (f, "config", config);
  provider = scaler_aws_chain_new ("rotating", "us-east-1");
  client = scaler_ec2_client_new_with_provider ("us-east-1", scaler_fake_get_ec2_url (fake), provider, &error);
  g_assert_no_error (error);
  while (g_get_monotonic_time () < end)
    {
      g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("DescribeInstances");
      g_autoptr(ScalerEc2Response) response = scaler_ec2_client_call (client, params, NULL, &error);

      g_assert_no_error (error);
      g_usleep (200000);
    }
  g_assert_cmpuint (process_runs (f), >=, 3);
  state = scaler_fake_get_state_omit (fake, "instances,workers,queues,tasks,ec2_requests,clearml_requests", &error);
  auth_errors = json_object_get_object_member (json_node_get_object (state), "auth_errors");
  g_assert_false (json_object_has_member (auth_errors, "RequestExpired"));
}

static void
test_sts_errors (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;

  fake_post ("/_fake/config", "{\"credential_services\":{\"sts\":{\"roles\":{\"" ROLE_ARN "\":{\"external_id\":\"right\"}}}}}");
  aws_file (f, "credentials", "[base]\naws_access_key_id = " AK "\naws_secret_access_key = " SK "\n"
                              "[wrongkey]\naws_access_key_id = AKIAUNKNOWN\naws_secret_access_key = nope\n");
  aws_file (f, "config", "[profile deploy]\nrole_arn = " ROLE_ARN "\nsource_profile = base\nexternal_id = wrong\n"
                         "[profile badsource]\nrole_arn = " ROLE_ARN "\nsource_profile = wrongkey\nexternal_id = right\n"
                         "[profile chained]\nrole_arn = arn:aws:iam::123456789012:role/second\nsource_profile = good\n"
                         "[profile good]\nrole_arn = " ROLE_ARN "\nsource_profile = base\nexternal_id = right\n");

  creds = c_resolve ("deploy", &error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_AUTH);
  g_assert_cmpstr (scaler_aws_error_get_aws_code (error), ==, "AccessDenied");
  assert_contains (error->message, "AssumeRole of " ROLE_ARN " for AWS profile \"deploy\"");
  g_clear_error (&error);

  creds = c_resolve ("badsource", &error);
  g_assert_null (creds);
  g_assert_cmpstr (scaler_aws_error_get_aws_code (error), ==, "InvalidClientTokenId");
  g_clear_error (&error);

  /* Role chaining: a role assumed with another role's credentials. */
  fake_post ("/_fake/config", "{\"credential_services\":{\"sts\":{\"roles\":null}}}");
  creds = c_resolve ("chained", &error);
  g_assert_no_error (error);
  assert_ec2_accepts (creds);
  g_assert_cmpint (scaler_fake_get_request_count (fake, "sts", "AssumeRole"), ==, 4);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (!scaler_fake_require_program ("/scaler/aws-chain/fakes"))
    return g_test_run ();
  fake = scaler_fake_start (&error);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add ("/scaler/aws-chain/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("sdk-static-profile", test_sdk_static_profile);
  ADD ("sdk-credential-process", test_sdk_credential_process);
  ADD ("sdk-assume-role", test_sdk_assume_role);
  ADD ("sdk-credential-source", test_sdk_credential_source);
  ADD ("sdk-sso", test_sdk_sso);
  ADD ("sdk-web-identity", test_sdk_web_identity);
  ADD ("sdk-container", test_sdk_container);
  ADD ("sdk-instance-role", test_sdk_instance_role);
  ADD ("instance-role-rotation", test_instance_role_rotation);
  ADD ("request-expired-refreshes", test_request_expired_refreshes);
  ADD ("static-token-expired", test_static_token_expired);
  ADD ("refresh-before-expiry", test_refresh_before_expiry);
  ADD ("sts-errors", test_sts_errors);
#undef ADD

  status = g_test_run ();
  scaler_fake_stop (fake);
  return status;
}
