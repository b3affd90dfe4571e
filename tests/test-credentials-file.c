/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of scaler-credentials-file.c (secrets in 0600 files, for a machine
 * without a keyring) and scaler-desired-state.c (running or stopped, on
 * disk). */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-credentials-file.h"
#include "scaler-desired-state.h"
#include "support/scaler-test-util.h"

#define ID "0b0f3c9e-1d2a-4c8e-9f00-0123456789ab"
#define OTHER_ID "1b0f3c9e-1d2a-4c8e-9f00-0123456789ab"

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static ScalerSecrets *
lookup (ScalerCredentials *credentials,
        const char        *id,
        GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  scaler_credentials_lookup_secrets_async (credentials, id, NULL, result_cb, &result);
  return scaler_credentials_lookup_secrets_finish (credentials, scaler_test_wait_result (&result), error);
}

static gboolean
store (ScalerCredentials   *credentials,
       const char          *id,
       const ScalerSecrets *secrets,
       GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  scaler_credentials_store_secrets_async (credentials, id, secrets, NULL, result_cb, &result);
  return scaler_credentials_store_secrets_finish (credentials, scaler_test_wait_result (&result), error);
}

static void
test_round_trip (void)
{
  g_autofree char *root = scaler_test_make_tmp_dir ("scaler-credfile-XXXXXX");
  g_autofree char *dir = g_build_filename (root, "secrets", NULL);
  g_autofree char *file = g_build_filename (dir, ID ".secrets", NULL);
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_file_new (dir);
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  g_autoptr(ScalerSecrets) back = NULL;
  g_autoptr(ScalerSecrets) cleared = NULL;
  g_autoptr(ScalerSecrets) other = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_cmpstr (scaler_credentials_file_get_directory (SCALER_CREDENTIALS_FILE (credentials)), ==, dir);
  secrets->aws_access_key_id = g_strdup ("AKIDFILE");
  secrets->aws_secret_access_key = g_strdup ("a=b;c\\nd #not a comment");
  secrets->git_password = g_strdup ("pässwörd");
  g_assert_true (store (credentials, ID, secrets, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  back = lookup (credentials, ID, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->aws_access_key_id, ==, "AKIDFILE");
  g_assert_cmpstr (back->aws_secret_access_key, ==, "a=b;c\\nd #not a comment");
  g_assert_cmpstr (back->git_password, ==, "pässwörd");
  g_assert_null (back->clearml_access_key);

  /* Another autoscaler has none. */
  other = lookup (credentials, OTHER_ID, &error);
  g_assert_no_error (error);
  g_assert_null (other->aws_access_key_id);

  /* Clearing every kind removes the file. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    scaler_credentials_clear_all_async (credentials, ID, NULL, result_cb, &result);
    g_assert_true (scaler_credentials_clear_all_finish (credentials, scaler_test_wait_result (&result), &error));
    g_assert_no_error (error);
  }
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  cleared = lookup (credentials, ID, &error);
  g_assert_no_error (error);
  g_assert_null (cleared->aws_access_key_id);
  scaler_test_rm_rf (root);
}

static void
test_refuses_bad_ids_and_files (void)
{
  g_autofree char *root = scaler_test_make_tmp_dir ("scaler-credfile-XXXXXX");
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_file_new (root);
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  g_autoptr(ScalerSecrets) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (root, ID ".secrets", NULL);

  /* An id that is not a UUID could name a path outside the folder. */
  secrets->git_password = g_strdup ("x");
  g_assert_false (store (credentials, "../../escape", secrets, &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
  g_clear_error (&error);

  /* A file that is not a key file: an error, not a crash, nothing lost. */
  g_assert_true (g_file_set_contents (file, "[secrets\ngarbage", -1, NULL));
  back = lookup (credentials, ID, &error);
  g_assert_null (back);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
  scaler_test_rm_rf (root);
}

static void
test_desired_state (void)
{
  g_autofree char *root = scaler_test_make_tmp_dir ("scaler-credfile-XXXXXX");
  g_autofree char *dir = g_build_filename (root, "state", "id", NULL);
  g_autofree char *file = g_build_filename (dir, SCALER_DESIRED_STATE_FILE, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  /* Never seen: stopped. */
  g_assert_cmpint (scaler_desired_state_read (dir), ==, SCALER_DESIRED_STATE_STOPPED);
  g_assert_true (scaler_desired_state_write (dir, SCALER_DESIRED_STATE_RUNNING, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "running\n");
  g_assert_cmpint (scaler_desired_state_read (dir), ==, SCALER_DESIRED_STATE_RUNNING);
  g_assert_true (scaler_desired_state_write (dir, SCALER_DESIRED_STATE_STOPPED, &error));
  g_assert_cmpint (scaler_desired_state_read (dir), ==, SCALER_DESIRED_STATE_STOPPED);
  /* Anything else: stopped (never a surprise start). */
  g_assert_true (g_file_set_contents (file, "runni", -1, NULL));
  g_assert_cmpint (scaler_desired_state_read (dir), ==, SCALER_DESIRED_STATE_STOPPED);
  scaler_test_rm_rf (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/credentials-file/round-trip", test_round_trip);
  g_test_add_func ("/scaler/credentials-file/refuses-bad-ids-and-files", test_refuses_bad_ids_and_files);
  g_test_add_func ("/scaler/credentials-file/desired-state", test_desired_state);

  return g_test_run ();
}
