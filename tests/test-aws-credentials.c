/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the "environment" credentials: variables, profiles in temporary
 * ~/.aws files, and scaler_secrets_new_from_environment(). */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "scaler-core.h"
#include "scaler-aws-credentials.h"

static const char * const variables[] = {
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
  "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "CLEARML_API_ACCESS_KEY",
  "CLEARML_API_SECRET_KEY", "CLEARML_AUTOSCALER_GIT_PASSWORD",
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
  /* An empty HOME: ~/.aws of the machine running the tests is never read. */
  g_setenv ("HOME", f->dir, TRUE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_unlink (f->credentials);
  g_unlink (f->config);
  {
    g_autofree char *aws = g_build_filename (f->dir, ".aws", NULL);
    g_autofree char *c = g_build_filename (aws, "credentials", NULL);

    g_unlink (c);
    g_rmdir (aws);
  }
  g_rmdir (f->dir);
  if (f->old_home != NULL)
    g_setenv ("HOME", f->old_home, TRUE);
  g_free (f->old_home);
  g_free (f->dir);
  g_free (f->credentials);
  g_free (f->config);
  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    g_unsetenv (variables[i]);
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
test_environment_keys (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("AWS_ACCESS_KEY_ID", "AKIAENV", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "envsecret", TRUE);
  g_setenv ("AWS_SESSION_TOKEN", "envtoken", TRUE);
  /* Variables win over a profile. */
  write_file (f->credentials, "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = filesecret\n");
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", f->credentials, TRUE);

  creds = scaler_aws_credentials_new_from_environment (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIAENV");
  g_assert_cmpstr (creds->secret_access_key, ==, "envsecret");
  g_assert_cmpstr (creds->session_token, ==, "envtoken");
  g_assert_cmpstr (creds->source, ==, "environment variables");
}

static void
test_environment_incomplete (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ScalerAwsCredentials *creds;

  g_setenv ("AWS_ACCESS_KEY_ID", "AKIAENV", TRUE);
  creds = scaler_aws_credentials_new_from_environment (&error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  g_assert_nonnull (strstr (error->message, "AWS_SECRET_ACCESS_KEY is not"));
  /* The message never contains the key itself. */
  g_assert_null (strstr (error->message, "AKIAENV"));
}

static void
test_profiles (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(ScalerAwsCredentials) dev = NULL;
  g_autoptr(ScalerAwsCredentials) cfg = NULL;
  g_autoptr(ScalerAwsCredentials) def = NULL;
  g_autoptr(GError) error = NULL;

  write_file (f->credentials,
              "# comment\n"
              "; another comment\n"
              "[default]\n"
              "aws_access_key_id=AKIADEFAULT\n"
              "aws_secret_access_key=defaultsecret\n"
              "\n"
              "[dev]\n"
              "  aws_access_key_id   =   AKIADEV  \n"
              "aws_secret_access_key = dev/secret+with=chars\n"
              "aws_session_token = devtoken\n");
  write_file (f->config,
              "[default]\n"
              "region = eu-west-1\n"
              "[profile dev]\n"
              "region = us-west-2\n"
              "aws_access_key_id = AKIAIGNORED\n"
              "s3 =\n"
              "  max_concurrent_requests = 10\n"
              "[profile onlyconfig]\n"
              "aws_access_key_id = AKIACONFIG\n"
              "aws_secret_access_key = configsecret\n");
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", f->credentials, TRUE);
  g_setenv ("AWS_CONFIG_FILE", f->config, TRUE);

  g_setenv ("AWS_PROFILE", "dev", TRUE);
  dev = scaler_aws_credentials_new_from_environment (&error);
  g_assert_no_error (error);
  /* The credentials file wins over the config file, key by key. */
  g_assert_cmpstr (dev->access_key_id, ==, "AKIADEV");
  g_assert_cmpstr (dev->secret_access_key, ==, "dev/secret+with=chars");
  g_assert_cmpstr (dev->session_token, ==, "devtoken");
  g_assert_cmpstr (dev->region, ==, "us-west-2");
  g_assert_cmpstr (dev->source, ==, "AWS profile \"dev\"");

  g_setenv ("AWS_PROFILE", "onlyconfig", TRUE);
  cfg = scaler_aws_credentials_new_from_environment (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (cfg->access_key_id, ==, "AKIACONFIG");
  g_assert_null (cfg->session_token);

  g_unsetenv ("AWS_PROFILE");
  def = scaler_aws_credentials_new_from_environment (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (def->access_key_id, ==, "AKIADEFAULT");
  g_assert_cmpstr (def->region, ==, "eu-west-1");
}

static void
test_home_default_files (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *aws = g_build_filename (f->dir, ".aws", NULL);
  g_autofree char *path = g_build_filename (aws, "credentials", NULL);
  g_autoptr(ScalerAwsCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (aws, 0700), ==, 0);
  write_file (path, "[default]\naws_access_key_id = AKIAHOME\naws_secret_access_key = homesecret\n");
  creds = scaler_aws_credentials_new_from_environment (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->access_key_id, ==, "AKIAHOME");
}

static void
test_profile_errors (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ScalerAwsCredentials *creds;

  write_file (f->credentials,
              "[halfkey]\naws_access_key_id = AKIAHALF\n"
              "[role]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = default\n");
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", f->credentials, TRUE);
  g_setenv ("AWS_CONFIG_FILE", f->config, TRUE);

  g_setenv ("AWS_PROFILE", "missing", TRUE);
  creds = scaler_aws_credentials_new_from_environment (&error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  g_assert_nonnull (strstr (error->message, "\"missing\" not found"));
  g_assert_nonnull (strstr (error->message, f->credentials));
  g_clear_error (&error);

  g_setenv ("AWS_PROFILE", "halfkey", TRUE);
  creds = scaler_aws_credentials_new_from_environment (&error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  g_assert_nonnull (strstr (error->message, "aws_secret_access_key"));
  g_clear_error (&error);

  g_setenv ("AWS_PROFILE", "role", TRUE);
  creds = scaler_aws_credentials_new_from_environment (&error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  g_assert_nonnull (strstr (error->message, "role_arn"));
  g_clear_error (&error);

  write_file (f->credentials, "[broken\naws_access_key_id = x\n");
  creds = scaler_aws_credentials_new_from_environment (&error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "line 1"));
  g_clear_error (&error);

  /* Nothing at all. */
  g_unsetenv ("AWS_PROFILE");
  g_unlink (f->credentials);
  creds = scaler_aws_credentials_new_from_environment (&error);
  g_assert_null (creds);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  g_assert_nonnull (strstr (error->message, "AWS_ACCESS_KEY_ID"));
  g_assert_nonnull (strstr (error->message, "AWS_PROFILE"));
}

static void
test_secrets_from_environment (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", f->credentials, TRUE);
  secrets = scaler_secrets_new_from_environment (&error);
  g_assert_null (secrets);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  /* Every missing variable is named. */
  g_assert_nonnull (strstr (error->message, "AWS_ACCESS_KEY_ID"));
  g_assert_nonnull (strstr (error->message, "CLEARML_API_ACCESS_KEY"));
  g_assert_nonnull (strstr (error->message, "CLEARML_API_SECRET_KEY"));
  g_clear_error (&error);

  g_setenv ("AWS_ACCESS_KEY_ID", "AKIAENV", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "envsecret", TRUE);
  g_setenv ("CLEARML_API_ACCESS_KEY", "clearmlkey", TRUE);
  secrets = scaler_secrets_new_from_environment (&error);
  g_assert_null (secrets);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  g_assert_nonnull (strstr (error->message, "CLEARML_API_SECRET_KEY"));
  g_assert_null (strstr (error->message, "CLEARML_API_ACCESS_KEY"));
  g_assert_null (strstr (error->message, "AWS_"));
  g_clear_error (&error);

  g_setenv ("CLEARML_API_SECRET_KEY", "clearmlsecret", TRUE);
  g_setenv ("CLEARML_AUTOSCALER_GIT_PASSWORD", "gitpass", TRUE);
  secrets = scaler_secrets_new_from_environment (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (secrets->aws_access_key_id, ==, "AKIAENV");
  g_assert_cmpstr (secrets->aws_secret_access_key, ==, "envsecret");
  g_assert_null (secrets->aws_session_token);
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
  b = scaler_aws_credentials_copy (a);
  g_assert_cmpstr (b->access_key_id, ==, "AK");
  g_assert_cmpstr (b->secret_access_key, ==, "SK");
  g_assert_cmpstr (b->region, ==, "eu-west-1");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/scaler/aws-credentials/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("environment-keys", test_environment_keys);
  ADD ("environment-incomplete", test_environment_incomplete);
  ADD ("profiles", test_profiles);
  ADD ("home-default-files", test_home_default_files);
  ADD ("profile-errors", test_profile_errors);
  ADD ("secrets-from-environment", test_secrets_from_environment);
#undef ADD
  g_test_add_func ("/scaler/aws-credentials/copy-and-free", test_copy_and_free);

  return g_test_run ();
}
