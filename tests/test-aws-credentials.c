/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of the AWS credentials that need no server: the shared files
 * parsed as botocore parses them, the offline parts of the standard chain
 * (environment, profiles, credential_process, the errors of every source),
 * the refresh windows and locking of ScalerAwsProvider, and
 * scaler_secrets_new_from_environment(). The sources that talk to STS, SSO,
 * IMDS and container endpoints are tested against the fakes, and against
 * the AWS SDK, in test-aws-chain.c. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "scaler-core.h"
#include "support/scaler-test-util.h"

static const char * const variables[] = {
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
  "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO",
  "CLEARML_API_ACCESS_KEY", "CLEARML_API_SECRET_KEY", "CLEARML_AUTOSCALER_GIT_PASSWORD",
};

typedef struct
{
  char *dir;
  char *credentials;
  char *config;
  char *old_home;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    g_unsetenv (variables[i]);
  f->dir = g_dir_make_tmp ("scaler-aws-credentials-XXXXXX", &error);
  g_assert_no_error (error);
  f->credentials = g_build_filename (f->dir, "credentials", NULL);
  f->config = g_build_filename (f->dir, "config", NULL);
  f->old_home = g_strdup (g_getenv ("HOME"));
  /* An empty HOME: ~/.aws of the machine running the tests is never read,
   * and no test may reach the real instance metadata service. */
  g_setenv ("HOME", f->dir, TRUE);
  g_setenv ("AWS_EC2_METADATA_DISABLED", "true", TRUE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  scaler_test_rm_rf (f->dir);
  if (f->old_home != NULL)
    g_setenv ("HOME", f->old_home, TRUE);
  g_free (f->old_home);
  g_free (f->dir);
  g_free (f->credentials);
  g_free (f->config);
  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    g_unsetenv (variables[i]);
  g_unsetenv ("AWS_EC2_METADATA_DISABLED");
}

static void
write_file (const char *path,
            const char *contents)
{
  GError *error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
use_files (Fixture    *f,
           const char *config,
           const char *credentials)
{
  if (config != NULL)
    write_file (f->config, config);
  if (credentials != NULL)
    write_file (f->credentials, credentials);
  g_setenv ("AWS_CONFIG_FILE", f->config, TRUE);
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", f->credentials, TRUE);
}

static ScalerAwsCredentials *
resolve (const char  *profile,
         GError     **error)
{
  return scaler_aws_chain_resolve (profile, "us-east-1", NULL, error);
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  g_assert_nonnull (text);
  if (strstr (text, needle) == NULL)
    g_error ("expected \"%s\" in: %s", needle, text);
}

static void
assert_message (const GError *error,
                const char   *needle)
{
  g_assert_nonnull (error);
  assert_contains (error->message, needle);
}

/* ---------------------------------------------------------- INI parser */

static ScalerAwsIni *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  ScalerAwsIni *ini = scaler_aws_ini_parse (text, strlen (text), "test.ini", &error);

  g_assert_no_error (error);
  g_assert_nonnull (ini);
  return ini;
}

static void
parse_fails (const char *text,
             const char *needle)
{
  g_autoptr(GError) error = NULL;
  ScalerAwsIni *ini = scaler_aws_ini_parse (text, strlen (text), "test.ini", &error);

  g_assert_null (ini);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
  assert_message (error, "test.ini");
  assert_message (error, needle);
}

static void
test_ini_syntax (void)
{
  g_autoptr(ScalerAwsIni) ini = NULL;
  g_auto(GStrv) sections = NULL;
  GHashTable *a;
  GHashTable *b;

  ini = parse_ok ("# comment\n"
                  "; another\n"
                  "[a]\n"
                  "Key1 = one\n"
                  "key2: two\n"
                  "key3 =three=3 # not a comment\n"
                  "key4\t:\t four:4 \n"
                  "  # an indented comment\n"
                  "empty =\n"
                  "multi = first\n"
                  "  second\n"
                  "\n"
                  "  third\n"
                  "[b ]\r\n"
                  "x=1\r\n"
                  "[c]d] trailing\r"
                  "y=2\r");
  sections = scaler_aws_ini_dup_sections (ini);
  g_assert_cmpuint (g_strv_length (sections), ==, 3);
  g_assert_cmpstr (sections[0], ==, "a");
  /* Names are kept as written; the last ']' closes the header. */
  g_assert_cmpstr (sections[1], ==, "b ");
  g_assert_cmpstr (sections[2], ==, "c]d");

  a = scaler_aws_ini_get_section (ini, "a");
  g_assert_cmpstr (g_hash_table_lookup (a, "key1"), ==, "one");
  g_assert_null (g_hash_table_lookup (a, "Key1"));
  g_assert_cmpstr (g_hash_table_lookup (a, "key2"), ==, "two");
  g_assert_cmpstr (g_hash_table_lookup (a, "key3"), ==, "three=3 # not a comment");
  g_assert_cmpstr (g_hash_table_lookup (a, "key4"), ==, "four:4");
  g_assert_cmpstr (g_hash_table_lookup (a, "empty"), ==, "");
  g_assert_cmpstr (g_hash_table_lookup (a, "multi"), ==, "first\nsecond\n\nthird");
  b = scaler_aws_ini_get_section (ini, "b ");
  g_assert_cmpstr (g_hash_table_lookup (b, "x"), ==, "1");
  g_assert_cmpstr (g_hash_table_lookup (scaler_aws_ini_get_section (ini, "c]d"), "y"), ==, "2");
  g_assert_null (scaler_aws_ini_get_section (ini, "b"));
}

static void
test_ini_nested_and_defaults (void)
{
  g_autoptr(ScalerAwsIni) ini = NULL;
  g_autoptr(GHashTable) nested = NULL;
  GHashTable *p;

  ini = parse_ok ("[DEFAULT]\n"
                  "region = eu-west-1\n"
                  "[p]\n"
                  "s3 =\n"
                  "  max_concurrent_requests = 10\n"
                  "\n"
                  "  Addressing_Style = path\n"
                  "region = us-west-2\n"
                  "[q]\n");
  p = scaler_aws_ini_get_section (ini, "p");
  g_assert_cmpstr (g_hash_table_lookup (p, "region"), ==, "us-west-2");
  nested = scaler_aws_ini_parse_nested (g_hash_table_lookup (p, "s3"));
  g_assert_nonnull (nested);
  g_assert_cmpstr (g_hash_table_lookup (nested, "max_concurrent_requests"), ==, "10");
  /* Nested keys keep their case (botocore's _parse_nested). */
  g_assert_cmpstr (g_hash_table_lookup (nested, "Addressing_Style"), ==, "path");
  g_assert_null (scaler_aws_ini_parse_nested ("plain"));
  /* [DEFAULT] is not a section but gives every section its keys. */
  g_assert_cmpstr (g_hash_table_lookup (scaler_aws_ini_get_section (ini, "q"), "region"), ==, "eu-west-1");
  g_assert_null (scaler_aws_ini_get_section (ini, "DEFAULT"));
}

static void
test_ini_errors (void)
{
  parse_fails ("key = value\n[a]\n", "before the first [section]");
  parse_fails ("[a]\nx = 1\n[a]\n", "appears twice");
  parse_fails ("[a]\nx = 1\nX = 2\n", "appears twice");
  parse_fails ("[a]\njust words\n", "line 2");
  parse_fails ("[a]\n= value\n", "empty");
  parse_fails ("[]\n", "line 1");
  parse_fails ("\xef\xbb\xbf[a]\n", "byte-order mark");
  parse_fails ("[a]\nx = \xff\n", "not UTF-8");
  parse_fails ("[a]\ns3 =\n  no equals here\n", "nested");
  /* Errors are found everywhere, not only in the profile asked for. */
  parse_fails ("[good]\nx = 1\n[bad]\noops\n", "line 4");
}

static void
test_expand_path (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;
  g_autofree char *e = NULL;
  g_autofree char *expected = NULL;

  g_setenv ("SCALER_TEST_DIR", "/srv/aws", TRUE);
  g_unsetenv ("SCALER_TEST_UNSET");
  a = scaler_aws_expand_path ("$SCALER_TEST_DIR/config");
  g_assert_cmpstr (a, ==, "/srv/aws/config");
  b = scaler_aws_expand_path ("${SCALER_TEST_DIR}x/$SCALER_TEST_UNSET/${SCALER_TEST_UNSET}/$");
  g_assert_cmpstr (b, ==, "/srv/awsx/$SCALER_TEST_UNSET/${SCALER_TEST_UNSET}/$");
  c = scaler_aws_expand_path ("~/.aws/config");
  expected = g_build_filename (f->dir, ".aws", "config", NULL);
  g_assert_cmpstr (c, ==, expected);
  d = scaler_aws_expand_path ("~no-such-user-scaler/x");
  g_assert_cmpstr (d, ==, "~no-such-user-scaler/x");
  /* Variables first, then ~ (os.path.expandvars, then expanduser). */
  g_setenv ("SCALER_TEST_DIR", "~/via-variable", TRUE);
  e = scaler_aws_expand_path ("$SCALER_TEST_DIR");
  g_assert_true (g_str_has_prefix (e, f->dir));
  g_unsetenv ("SCALER_TEST_DIR");
}

static void
test_shlex (void)
{
  struct { const char *text; const char *joined; } cases[] = {
    { "profile   x", "profile|x" },
    { "profile \"x y\"", "profile|x y" },
    { "profile 'a\"b'", "profile|a\"b" },
    { "a\\ b c", "a b|c" },
    { "\"a\\\"b\\\\c\\d\"", "a\"b\\c\\d" },
    { "x '' y", "x||y" },
    { "  ", "" },
  };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) bad = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) parts = scaler_aws_shlex_split (cases[i].text, &error);
      g_autofree char *joined = NULL;

      g_assert_no_error (error);
      joined = g_strjoinv ("|", parts);
      g_assert_cmpstr (joined, ==, cases[i].joined);
    }
  bad = scaler_aws_shlex_split ("a 'b", &error);
  g_assert_null (bad);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
}

/* ------------------------------------------------------ profile map */

static void
test_profile_map (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ScalerAwsFiles) files = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  GHashTable *merged;

  use_files (f,
             "[default]\nregion = eu-west-1\n"
             "[profile   spaced]\nregion = us-west-1\n"
             "[profile \"two words\"]\nregion = us-west-2\n"
             "[profile dev]\nregion = ca-central-1\nrole_arn = arn:aws:iam::123456789012:role/r\n"
             "[sso-session corp]\nsso_region = eu-central-1\n"
             "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n"
             "[preview]\nthis = is not a profile\n"
             "[profile]\nnor = this\n",
             "[dev]\nrole_arn = arn:aws:iam::123456789012:role/other\naws_access_key_id = AKIA\n"
             "[profile creds]\nx = 1\n");
  files = scaler_aws_files_load (&error);
  g_assert_no_error (error);

  g_assert_cmpstr (g_hash_table_lookup (scaler_aws_files_get_profile (files, "spaced"), "region"), ==, "us-west-1");
  g_assert_cmpstr (g_hash_table_lookup (scaler_aws_files_get_profile (files, "two words"), "region"), ==, "us-west-2");
  /* full_config: the credentials file updates the config's profile key by key. */
  merged = scaler_aws_files_get_profile (files, "dev");
  g_assert_cmpstr (g_hash_table_lookup (merged, "region"), ==, "ca-central-1");
  g_assert_cmpstr (g_hash_table_lookup (merged, "role_arn"), ==, "arn:aws:iam::123456789012:role/other");
  g_assert_cmpstr (g_hash_table_lookup (merged, "aws_access_key_id"), ==, "AKIA");
  /* ... but each file keeps its own view (static keys come from one file). */
  g_assert_null (g_hash_table_lookup (scaler_aws_files_get_config_profile (files, "dev"), "aws_access_key_id"));
  g_assert_nonnull (scaler_aws_files_get_sso_session (files, "corp"));
  g_assert_nonnull (scaler_aws_files_get_services (files, "local"));
  g_assert_null (scaler_aws_files_get_profile (files, "preview"));
  /* In the credentials file every section is a profile, "profile x" too. */
  g_assert_nonnull (scaler_aws_files_get_profile (files, "profile creds"));

  names = scaler_aws_files_list_profiles (files);
  {
    g_autofree char *joined = g_strjoinv ("|", names);

    g_assert_cmpstr (joined, ==, "default|dev|profile creds|spaced|two words");
  }
}

static void
test_file_paths (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ScalerAwsFiles) files = NULL;
  g_autoptr(ScalerAwsCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *aws = g_build_filename (f->dir, ".aws", NULL);
  g_autofree char *home_credentials = g_build_filename (aws, "credentials", NULL);
  g_autofree char *alt = g_build_filename (f->dir, "alt", NULL);

  /* ~/.aws/credentials of $HOME, read when nothing else is set. */
  g_assert_cmpint (g_mkdir (aws, 0700), ==, 0);
  write_file (home_credentials, "[default]\naws_access_key_id = AKIAHOME\naws_secret_access_key = homesecret\n");
  creds = resolve (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIAHOME");
  g_clear_pointer (&creds, scaler_aws_credentials_free);

  /* $VAR in AWS_SHARED_CREDENTIALS_FILE (os.path.expandvars). */
  write_file (alt, "[default]\naws_access_key_id = AKIAALT\naws_secret_access_key = altsecret\n");
  g_setenv ("SCALER_TEST_DIR", f->dir, TRUE);
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", "${SCALER_TEST_DIR}/alt", TRUE);
  creds = resolve (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIAALT");
  g_clear_pointer (&creds, scaler_aws_credentials_free);
  g_unsetenv ("SCALER_TEST_DIR");

  /* Set but empty: no file at all, as botocore. */
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", "", TRUE);
  files = scaler_aws_files_load (&error);
  g_assert_no_error (error);
  g_assert_null (scaler_aws_files_get_profile (files, "default"));
}

/* ------------------------------------------------------------ chain */

static void
test_environment_keys (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("AWS_ACCESS_KEY_ID", "AKIAENV", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "envsecret", TRUE);
  g_setenv ("AWS_SESSION_TOKEN", "envtoken", TRUE);
  g_setenv ("AWS_CREDENTIAL_EXPIRATION", "2099-01-01T00:00:00Z", TRUE);
  /* Variables win over a profile, even one named by AWS_PROFILE. */
  use_files (f, "", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = filesecret\n"
                    "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = devsecret\n");
  g_setenv ("AWS_PROFILE", "dev", TRUE);

  creds = resolve (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIAENV");
  g_assert_cmpstr (creds->secret_access_key, ==, "envsecret");
  g_assert_cmpstr (creds->session_token, ==, "envtoken");
  g_assert_cmpint (creds->expiration, ==, (gint64) 4070908800 * G_USEC_PER_SEC);
  assert_contains (creds->source, "AWS_ACCESS_KEY_ID");
  g_clear_pointer (&creds, scaler_aws_credentials_free);

  /* botocore reads AWS_SECURITY_TOKEN first. */
  g_setenv ("AWS_SECURITY_TOKEN", "securitytoken", TRUE);
  creds = resolve (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->session_token, ==, "securitytoken");
  g_clear_pointer (&creds, scaler_aws_credentials_free);

  /* A pinned profile skips the environment, as "aws --profile dev" does. */
  creds = resolve ("dev", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIADEV");
  g_assert_null (creds->session_token);
}

static void
test_environment_incomplete (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerAwsCredentials) creds = NULL;

  g_setenv ("AWS_ACCESS_KEY_ID", "AKIAENV", TRUE);
  creds = resolve (NULL, &error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  assert_message (error, "AWS_SECRET_ACCESS_KEY is not");
  /* The message never contains the key itself. */
  g_assert_null (strstr (error->message, "AKIAENV"));
  g_clear_error (&error);

  g_setenv ("AWS_SECRET_ACCESS_KEY", "s", TRUE);
  g_setenv ("AWS_CREDENTIAL_EXPIRATION", "tomorrow", TRUE);
  creds = resolve (NULL, &error);
  g_assert_null (creds);
  assert_message (error, "AWS_CREDENTIAL_EXPIRATION");
}

static void
test_profile_selection (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;
  gboolean pinned = TRUE;
  g_autofree char *name = NULL;

  use_files (f, "[profile onlyconfig]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = configsecret\n"
                "aws_security_token = configtoken\naws_session_token = ignored\n",
             "[default]\naws_access_key_id=AKIADEFAULT\naws_secret_access_key=defaultsecret\n"
             "[a]\naws_access_key_id: AKIAA\naws_secret_access_key: asecret\n"
             "[b]\naws_access_key_id = AKIAB\naws_secret_access_key = bsecret\n");

  creds = resolve (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIADEFAULT");
  g_clear_pointer (&creds, scaler_aws_credentials_free);

  /* AWS_DEFAULT_PROFILE wins over AWS_PROFILE (botocore configprovider.py). */
  g_setenv ("AWS_PROFILE", "b", TRUE);
  g_setenv ("AWS_DEFAULT_PROFILE", "a", TRUE);
  name = scaler_aws_chain_get_profile_name (NULL, &pinned);
  g_assert_cmpstr (name, ==, "a");
  g_assert_false (pinned);
  creds = resolve (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIAA");
  g_clear_pointer (&creds, scaler_aws_credentials_free);
  g_unsetenv ("AWS_DEFAULT_PROFILE");
  creds = resolve (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIAB");
  g_clear_pointer (&creds, scaler_aws_credentials_free);

  /* Static keys of the config file; aws_security_token first. */
  creds = resolve ("onlyconfig", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIACONFIG");
  g_assert_cmpstr (creds->session_token, ==, "configtoken");
  assert_contains (creds->source, f->config);
  g_clear_pointer (&creds, scaler_aws_credentials_free);

  /* A named profile that is nowhere is an error, even with other keys around. */
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIAENV", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "envsecret", TRUE);
  g_setenv ("AWS_PROFILE", "missing", TRUE);
  creds = resolve (NULL, &error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG);
  assert_message (error, "\"missing\"");
  assert_message (error, "AWS_PROFILE");
  assert_message (error, "aws configure --profile missing");
  g_assert_false (scaler_aws_chain_check (NULL, NULL));
  g_clear_error (&error);
  g_assert_false (scaler_aws_chain_check ("missing-too", &error));
  assert_message (error, "autoscaler's settings");
}

/* Finding 19b: botocore takes key and secret from one profile of one file,
 * and role_arn comes before any static key. */
static void
test_profile_precedence (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;

  use_files (f, "[profile split]\naws_secret_access_key = secret-in-config\n"
                "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\n"
                "mfa_serial = arn:aws:iam::123456789012:mfa/me\n"
                "[profile both]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = configsecret\n",
             "[split]\naws_access_key_id = AKIASPLIT\n"
             "[role]\naws_access_key_id = AKIAROLEKEYS\naws_secret_access_key = rolesecret\n"
             "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = basesecret\n"
             "[both]\naws_access_key_id = AKIACREDS\naws_secret_access_key = credssecret\n");

  creds = resolve ("split", &error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  assert_message (error, "no aws_secret_access_key");
  assert_message (error, f->credentials);
  g_clear_error (&error);

  /* Keys in the credentials file, role_arn in the config: the role is
   * assumed (here it needs MFA, which is refused), the keys are not used. */
  creds = resolve ("role", &error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG);
  assert_message (error, "MFA");
  assert_message (error, "arn:aws:iam::123456789012:role/admin");
  g_clear_error (&error);

  /* The credentials file comes before the config file. */
  creds = resolve ("both", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIACREDS");
}

static void
test_role_settings (Fixture       *f,
                    gconstpointer  data)
{
  struct { const char *profile; const char *needle; } cases[] = {
    { "nosource", "neither source_profile nor credential_source" },
    { "twosources", "both source_profile and credential_source" },
    { "badsource", "expected Environment, Ec2InstanceMetadata or EcsContainer" },
    { "missingsource", "no profile \"nowhere\"" },
    { "loop1", "loop" },
    { "emptysource", "has no credentials" },
    { "envsource", "credential_source environment of AWS profile \"envsource\": AWS_ACCESS_KEY_ID" },
    { "imdssource", "AWS_EC2_METADATA_DISABLED" },
    { "webnorole", "no role" },
    { "webnofile", "Cannot read the web identity token file" },
    { "ssohalf", "lacks sso_start_url, sso_region" },
    { "ssonosession", "no [sso-session gone] section" },
    { "ssoconflict", "disagree on sso_region" },
    { "ssologin", "aws sso login --profile ssologin" },
    { "badservices", "services section \"nothere\"" },
  };

  use_files (f,
             "[profile nosource]\nrole_arn = arn:aws:iam::1:role/r\n"
             "[profile twosources]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = x\ncredential_source = Environment\n"
             "[profile badsource]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Boto2Config\n"
             "[profile missingsource]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = nowhere\n"
             "[profile loop1]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = loop2\n"
             "[profile loop2]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = loop1\n"
             "[profile emptysource]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = empty\n"
             "[profile empty]\nregion = eu-west-1\n"
             "[profile envsource]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = environment\n"
             "[profile imdssource]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Ec2InstanceMetadata\n"
             "[profile webnorole]\nweb_identity_token_file = /nonexistent/token\n"
             "[profile webnofile]\nweb_identity_token_file = /nonexistent/token\nrole_arn = arn:aws:iam::1:role/w\n"
             "[profile ssohalf]\nsso_account_id = 123456789012\nsso_role_name = Admin\n"
             "[profile ssonosession]\nsso_account_id = 123456789012\nsso_role_name = Admin\nsso_session = gone\n"
             "[profile ssoconflict]\nsso_account_id = 123456789012\nsso_role_name = Admin\nsso_session = corp\n"
             "sso_region = us-west-2\n"
             "[profile ssologin]\nsso_account_id = 123456789012\nsso_role_name = Admin\nsso_session = corp\n"
             "[sso-session corp]\nsso_region = eu-central-1\nsso_start_url = https://corp.awsapps.com/start\n"
             "[profile badservices]\nservices = nothere\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n",
             "");
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIAENVSOURCE", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "envsource", TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ScalerAwsCredentials) creds = NULL;

      if (strcmp (cases[i].profile, "envsource") == 0)
        g_unsetenv ("AWS_ACCESS_KEY_ID");
      creds = resolve (cases[i].profile, &error);
      g_assert_null (creds);
      assert_message (error, cases[i].needle);
      g_setenv ("AWS_ACCESS_KEY_ID", "AKIAENVSOURCE", TRUE);
    }
}

static void
test_sso_token_cache (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->dir, ".aws", "sso", "cache", NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, "https://legacy.awsapps.com/start", -1);
  g_autofree char *name = g_strconcat (hash, ".json", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerAwsCredentials) creds = NULL;

  use_files (f, "[profile legacy]\nsso_account_id = 123456789012\nsso_role_name = Admin\n"
                "sso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n", "");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  /* The legacy form's cache file is sha1(start url).json: expired. */
  write_file (path, "{\"accessToken\":\"secret-sso-token\",\"expiresAt\":\"2020-01-01T00:00:00UTC\"}");
  creds = resolve ("legacy", &error);
  g_assert_null (creds);
  assert_message (error, "expired at 2020-01-01T00:00:00UTC");
  assert_message (error, "aws sso login --profile legacy");
  g_assert_null (strstr (error->message, "secret-sso-token"));
  g_clear_error (&error);

  write_file (path, "{\"expiresAt\":\"2099-01-01T00:00:00Z\"}");
  creds = resolve ("legacy", &error);
  g_assert_null (creds);
  assert_message (error, "incomplete");
  g_clear_error (&error);

  write_file (path, "not json");
  creds = resolve ("legacy", &error);
  g_assert_null (creds);
  assert_message (error, "not JSON");
}

static void
test_container_settings (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *token_file = g_build_filename (f->dir, "token", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerAwsCredentials) creds = NULL;

  g_setenv ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds", TRUE);
  creds = resolve (NULL, &error);
  g_assert_null (creds);
  assert_message (error, "neither https nor a loopback address");
  g_clear_error (&error);

  /* botocore refuses a token with a line break (it goes into a header). */
  g_setenv ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds", TRUE);
  write_file (token_file, "token-with-newline\n");
  g_setenv ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file, TRUE);
  creds = resolve (NULL, &error);
  g_assert_null (creds);
  assert_message (error, "line break");
  g_assert_null (strstr (error->message, "token-with-newline"));
}

static void
test_nothing_found (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerAwsCredentials) creds = NULL;

  use_files (f, "[default]\nregion = eu-west-1\n", "");
  creds = resolve (NULL, &error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  assert_message (error, "No AWS credentials found");
  assert_message (error, "AWS_ACCESS_KEY_ID is not set");
  assert_message (error, "AWS profile \"default\"");
  assert_message (error, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  assert_message (error, "AWS_EC2_METADATA_DISABLED=true");
  assert_message (error, "aws configure");

  /* A broken file stops the chain with its line. */
  write_file (f->credentials, "[default]\naws_access_key_id\n");
  g_clear_error (&error);
  creds = resolve (NULL, &error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
  assert_message (error, "line 2");
}

/* ------------------------------------------------ credential_process */

static char *
write_script (Fixture    *f,
              const char *name,
              const char *body)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autofree char *text = g_strconcat ("#!/bin/sh\n", body, NULL);

  write_file (path, text);
  g_assert_cmpint (g_chmod (path, 0700), ==, 0);
  return g_steal_pointer (&path);
}

static void
test_credential_process (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *good = write_script (f, "good.sh",
                                        "printf '%s' '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", "
                                        "\"SecretAccessKey\": \"procsecret\", \"SessionToken\": \"proctoken\", "
                                        "\"Expiration\": \"2099-01-01T00:00:00+00:00\"}'\n"
                                        "echo \"$1\" > \"$2\"\n");
  g_autofree char *marker = g_build_filename (f->dir, "argument", NULL);
  g_autofree char *bad = write_script (f, "bad.sh", "echo 'token expired, log in again' >&2\nexit 3\n");
  g_autofree char *v2 = write_script (f, "v2.sh", "echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\"}'\n");
  g_autofree char *nojson = write_script (f, "nojson.sh", "echo 'AKIA-LEAK secret-leak'\n");
  g_autofree char *config = g_strdup_printf ("[profile good]\ncredential_process = %s 'two words' %s\n"
                                             "[profile bad]\ncredential_process = %s\n"
                                             "[profile v2]\ncredential_process = %s\n"
                                             "[profile nojson]\ncredential_process = %s\n"
                                             "[profile missing]\ncredential_process = /nonexistent/helper --x\n",
                                             good, marker, bad, v2, nojson);
  g_autoptr(ScalerAwsCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *argument = NULL;

  use_files (f, config, "");
  creds = resolve ("good", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIAPROC");
  g_assert_cmpstr (creds->session_token, ==, "proctoken");
  g_assert_cmpint (creds->expiration, ==, (gint64) 4070908800 * G_USEC_PER_SEC);
  assert_contains (creds->source, "credential_process of AWS profile \"good\"");
  /* Split like a shell, without a shell. */
  g_assert_true (g_file_get_contents (marker, &argument, NULL, NULL));
  g_assert_cmpstr (argument, ==, "two words\n");

  {
    struct { const char *profile; const char *needle; } cases[] = {
      { "bad", "exited with status 3: token expired, log in again" },
      { "v2", "\"Version\": 1" },
      { "nojson", "not a JSON object" },
      { "missing", "cannot run credential_process /nonexistent/helper" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(GError) case_error = NULL;
        g_autoptr(ScalerAwsCredentials) none = resolve (cases[i].profile, &case_error);

        g_assert_null (none);
        assert_message (case_error, cases[i].needle);
        assert_message (case_error, "run the credential_process command by hand");
        g_assert_null (strstr (case_error->message, "secret-leak"));
      }
  }
}

/* ------------------------------------------------ JSON and XML answers */

static void
test_parse_answers (void)
{
  static const char sts_ok[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
    "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId>"
    "</AssumedRoleUser><Credentials><AccessKeyId>ASIASTS</AccessKeyId><SecretAccessKey>stssecret</SecretAccessKey>"
    "<SessionToken>ststoken</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
    "</AssumeRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleResponse>";
  static const char sts_error[] =
    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
    "<Code>AccessDenied</Code><Message>not allowed</Message></Error><RequestId>r-2</RequestId></ErrorResponse>";
  g_autoptr(ScalerAwsCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;

  creds = scaler_aws_sts_parse_response (sts_ok, strlen (sts_ok), &code, &message, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "ASIASTS");
  g_assert_cmpstr (creds->session_token, ==, "ststoken");
  g_assert_cmpint (creds->expiration, ==, (gint64) 4070908800 * G_USEC_PER_SEC);
  g_clear_pointer (&creds, scaler_aws_credentials_free);

  creds = scaler_aws_sts_parse_response (sts_error, strlen (sts_error), &code, &message, &error);
  g_assert_null (creds);
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, "AccessDenied");
  g_assert_cmpstr (message, ==, "not allowed");

  creds = scaler_aws_sts_parse_response ("<html>", 6, NULL, NULL, &error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
  g_clear_error (&error);

  {
    static const char sso[] = "{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO\",\"secretAccessKey\":\"s\","
                              "\"sessionToken\":\"t\",\"expiration\":4070908800000}}";

    creds = scaler_aws_credentials_parse_json (SCALER_AWS_JSON_SSO, sso, strlen (sso), &error);
  }
  g_assert_no_error (error);
  g_assert_cmpint (creds->expiration, ==, (gint64) 4070908800 * G_USEC_PER_SEC);
  g_clear_pointer (&creds, scaler_aws_credentials_free);

  {
    static const char imds_error[] = "{\"Code\":\"AssumeRoleUnauthorizedAccess\",\"Message\":\"EC2 cannot assume the role\"}";

    creds = scaler_aws_credentials_parse_json (SCALER_AWS_JSON_METADATA, imds_error, strlen (imds_error), &error);
    g_assert_null (creds);
    assert_message (error, "AssumeRoleUnauthorizedAccess");
    g_clear_error (&error);
  }
  g_assert_cmpint (scaler_aws_parse_time ("2099-01-01T00:00:00UTC"), ==, (gint64) 4070908800 * G_USEC_PER_SEC);
  g_assert_cmpint (scaler_aws_parse_time ("2099-01-01T01:00:00+01:00"), ==, (gint64) 4070908800 * G_USEC_PER_SEC);
  g_assert_cmpint (scaler_aws_parse_time ("soon"), ==, 0);
}

/* ------------------------------------------------------------ provider */

typedef struct
{
  gint64  now;
  gint64  lifetime;
  guint   calls;
  gboolean fail;
  gint    delay_ms;
  GMutex  mutex;
} FakeSource;

static gint64
fake_clock (gpointer user_data)
{
  FakeSource *source = user_data;
  gint64 now;

  g_mutex_lock (&source->mutex);
  now = source->now;
  g_mutex_unlock (&source->mutex);
  return now;
}

static ScalerAwsCredentials *
fake_resolve (gpointer       user_data,
              GCancellable  *cancellable,
              GError       **error)
{
  FakeSource *source = user_data;
  ScalerAwsCredentials *creds;
  g_autofree char *key = NULL;
  guint calls;

  if (source->delay_ms > 0)
    g_usleep (source->delay_ms * 1000);
  g_mutex_lock (&source->mutex);
  calls = ++source->calls;
  g_mutex_unlock (&source->mutex);
  if (source->fail)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING, "fake source down");
      return NULL;
    }
  key = g_strdup_printf ("ASIA%u", calls);
  creds = scaler_aws_credentials_new (key, "secret", "token");
  creds->expiration = fake_clock (source) + source->lifetime;
  creds->source = g_strdup ("the fake source");
  return creds;
}

static void
test_refresh_windows (void)
{
  gint64 advisory, mandatory;

  /* An hour or more: botocore's 15 and 10 minutes. */
  scaler_aws_refresh_windows ((gint64) 3600 * G_USEC_PER_SEC, &advisory, &mandatory);
  g_assert_cmpint (advisory, ==, SCALER_AWS_ADVISORY_REFRESH_USEC);
  g_assert_cmpint (mandatory, ==, SCALER_AWS_MANDATORY_REFRESH_USEC);
  /* STS's minimum of 15 minutes: 7.5 and 5. */
  scaler_aws_refresh_windows ((gint64) 900 * G_USEC_PER_SEC, &advisory, &mandatory);
  g_assert_cmpint (advisory, ==, (gint64) 450 * G_USEC_PER_SEC);
  g_assert_cmpint (mandatory, ==, (gint64) 300 * G_USEC_PER_SEC);
  /* Six seconds: 3 and 2. */
  scaler_aws_refresh_windows (6 * G_USEC_PER_SEC, &advisory, &mandatory);
  g_assert_cmpint (advisory, ==, 3 * G_USEC_PER_SEC);
  g_assert_cmpint (mandatory, ==, 2 * G_USEC_PER_SEC);
}

static void
test_provider_refresh (void)
{
  FakeSource source = { .now = (gint64) 1000000 * G_USEC_PER_SEC, .lifetime = (gint64) 3600 * G_USEC_PER_SEC };
  g_autoptr(ScalerAwsProvider) provider = NULL;
  g_autoptr(ScalerAwsCredentials) a = NULL;
  g_autoptr(ScalerAwsCredentials) b = NULL;
  g_autoptr(ScalerAwsCredentials) c = NULL;
  g_autoptr(ScalerAwsCredentials) d = NULL;
  g_autoptr(ScalerAwsCredentials) e = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&source.mutex);
  provider = scaler_aws_provider_new ("the fake chain", fake_resolve, &source, NULL);
  scaler_aws_provider_set_clock (provider, fake_clock, &source);
  g_assert_false (scaler_aws_provider_is_static (provider));

  a = scaler_aws_provider_get (provider, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a->access_key_id, ==, "ASIA1");
  /* Cached until the advisory window (15 min before expiry). */
  source.now += (gint64) 44 * 60 * G_USEC_PER_SEC;
  b = scaler_aws_provider_get (provider, NULL, &error);
  g_assert_cmpstr (b->access_key_id, ==, "ASIA1");
  g_assert_cmpuint (source.calls, ==, 1);
  /* In the advisory window a failed fetch keeps the current ones. */
  source.now += (gint64) 2 * 60 * G_USEC_PER_SEC;
  source.fail = TRUE;
  c = scaler_aws_provider_get (provider, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->access_key_id, ==, "ASIA1");
  g_assert_cmpuint (source.calls, ==, 2);
  /* In the mandatory window it is an error. */
  source.now += (gint64) 5 * 60 * G_USEC_PER_SEC;
  d = scaler_aws_provider_get (provider, NULL, &error);
  g_assert_null (d);
  assert_message (error, "fake source down");
  g_clear_error (&error);
  source.fail = FALSE;
  d = scaler_aws_provider_get (provider, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->access_key_id, ==, "ASIA4");
  g_assert_cmpuint (scaler_aws_provider_get_fetches (provider), ==, 2);

  /* AWS said they expired: the next get fetches, whatever the clock says. */
  g_assert_true (scaler_aws_provider_invalidate (provider, d));
  e = scaler_aws_provider_get (provider, NULL, &error);
  g_assert_cmpstr (e->access_key_id, ==, "ASIA5");
  /* Invalidating credentials that are no longer current changes nothing. */
  g_assert_true (scaler_aws_provider_invalidate (provider, d));
  g_clear_pointer (&e, scaler_aws_credentials_free);
  e = scaler_aws_provider_get (provider, NULL, &error);
  g_assert_cmpstr (e->access_key_id, ==, "ASIA5");

  /* Credentials that arrive expired are refused. */
  g_clear_object (&provider);
  source.lifetime = -1;
  provider = scaler_aws_provider_new ("the fake chain", fake_resolve, &source, NULL);
  scaler_aws_provider_set_clock (provider, fake_clock, &source);
  g_assert_null (scaler_aws_provider_get (provider, NULL, &error));
  assert_message (error, "had already expired");
  g_mutex_clear (&source.mutex);
}

static void
test_provider_static (void)
{
  g_autoptr(ScalerAwsCredentials) keys = scaler_aws_credentials_new ("AKIASTATIC", "s", "t");
  g_autoptr(ScalerAwsProvider) provider = NULL;
  g_autoptr(ScalerAwsCredentials) got = NULL;

  keys->expiration = 1;   /* ignored: static keys are never fetched again */
  provider = scaler_aws_provider_new_static (keys);
  g_assert_true (scaler_aws_provider_is_static (provider));
  got = scaler_aws_provider_get (provider, NULL, NULL);
  g_assert_cmpstr (got->access_key_id, ==, "AKIASTATIC");
  g_assert_cmpint (got->expiration, ==, 0);
  g_assert_false (scaler_aws_provider_invalidate (provider, got));
  g_clear_pointer (&got, scaler_aws_credentials_free);
  got = scaler_aws_provider_get (provider, NULL, NULL);
  g_assert_cmpstr (got->session_token, ==, "t");
}

static gpointer
get_thread (gpointer data)
{
  ScalerAwsProvider *provider = data;
  ScalerAwsCredentials *creds = scaler_aws_provider_get (provider, NULL, NULL);

  g_assert_nonnull (creds);
  return creds;
}

/* Many threads at once: one fetch, everyone gets the same keys. */
static void
test_provider_threads (void)
{
  FakeSource source = { .now = g_get_real_time (), .lifetime = (gint64) 3600 * G_USEC_PER_SEC, .delay_ms = 50 };
  g_autoptr(ScalerAwsProvider) provider = NULL;
  GThread *threads[8];

  g_mutex_init (&source.mutex);
  provider = scaler_aws_provider_new ("the fake chain", fake_resolve, &source, NULL);
  scaler_aws_provider_set_clock (provider, fake_clock, &source);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("get", get_thread, provider);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_autoptr(ScalerAwsCredentials) creds = g_thread_join (threads[i]);

      g_assert_cmpstr (creds->access_key_id, ==, "ASIA1");
    }
  g_assert_cmpuint (source.calls, ==, 1);
  g_mutex_clear (&source.mutex);
}

/* ------------------------------------------------------------ secrets */

static void
test_secrets_from_environment (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;

  secrets = scaler_secrets_new_from_environment (&error);
  g_assert_null (secrets);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  /* Every missing variable is named; AWS keys are not required here. */
  assert_message (error, "CLEARML_API_ACCESS_KEY");
  assert_message (error, "CLEARML_API_SECRET_KEY");
  g_assert_null (strstr (error->message, "AWS_"));
  g_clear_error (&error);

  g_setenv ("AWS_ACCESS_KEY_ID", "AKIAENV", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "envsecret", TRUE);
  g_setenv ("CLEARML_API_ACCESS_KEY", "clearmlkey", TRUE);
  g_setenv ("CLEARML_API_SECRET_KEY", "clearmlsecret", TRUE);
  g_setenv ("CLEARML_AUTOSCALER_GIT_PASSWORD", "gitpass", TRUE);
  secrets = scaler_secrets_new_from_environment (&error);
  g_assert_no_error (error);
  g_assert_null (secrets->aws_access_key_id);
  g_assert_null (secrets->aws_secret_access_key);
  g_assert_cmpstr (secrets->clearml_access_key, ==, "clearmlkey");
  g_assert_cmpstr (secrets->clearml_secret_key, ==, "clearmlsecret");
  g_assert_cmpstr (secrets->git_password, ==, "gitpass");
}

static void
test_copy_and_free (void)
{
  g_autoptr(ScalerAwsCredentials) a = scaler_aws_credentials_new ("AK", "SK", "");
  g_autoptr(ScalerAwsCredentials) b = NULL;

  /* An empty token means none. */
  g_assert_null (a->session_token);
  a->region = g_strdup ("eu-west-1");
  a->expiration = 42;
  b = scaler_aws_credentials_copy (a);
  g_assert_cmpstr (b->access_key_id, ==, "AK");
  g_assert_cmpstr (b->secret_access_key, ==, "SK");
  g_assert_cmpstr (b->region, ==, "eu-west-1");
  g_assert_cmpint (b->expiration, ==, 42);
  g_assert_true (scaler_aws_credentials_equal (a, b));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/aws-credentials/ini-syntax", test_ini_syntax);
  g_test_add_func ("/scaler/aws-credentials/ini-nested-and-defaults", test_ini_nested_and_defaults);
  g_test_add_func ("/scaler/aws-credentials/ini-errors", test_ini_errors);
  g_test_add_func ("/scaler/aws-credentials/shlex", test_shlex);
  g_test_add_func ("/scaler/aws-credentials/parse-answers", test_parse_answers);
  g_test_add_func ("/scaler/aws-credentials/refresh-windows", test_refresh_windows);
  g_test_add_func ("/scaler/aws-credentials/provider-refresh", test_provider_refresh);
  g_test_add_func ("/scaler/aws-credentials/provider-static", test_provider_static);
  g_test_add_func ("/scaler/aws-credentials/copy-and-free", test_copy_and_free);
#define ADD(path, func) \
  g_test_add ("/scaler/aws-credentials/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("expand-path", test_expand_path);
  ADD ("profile-map", test_profile_map);
  ADD ("file-paths", test_file_paths);
  ADD ("environment-keys", test_environment_keys);
  ADD ("environment-incomplete", test_environment_incomplete);
  ADD ("profile-selection", test_profile_selection);
  ADD ("profile-precedence", test_profile_precedence);
  ADD ("role-settings", test_role_settings);
  ADD ("sso-token-cache", test_sso_token_cache);
  ADD ("container-settings", test_container_settings);
  ADD ("nothing-found", test_nothing_found);
  ADD ("credential-process", test_credential_process);
  ADD ("secrets-from-environment", test_secrets_from_environment);
#undef ADD
  /* Last: it starts threads, after which g_setenv() is not safe. */
  g_test_add_func ("/scaler/aws-credentials/provider-threads", test_provider_threads);

  return g_test_run ();
}
