/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Integration test of ScalerCredentialsSecret against a real
 * gnome-keyring-daemon on a private D-Bus session (build-aux/test starts it
 * and sets SCALER_KEYRING_READY=1). */

#include "config.h"

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "support/scaler-test-util.h"

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
keyring_available (void)
{
  if (g_strcmp0 (g_getenv ("SCALER_KEYRING_READY"), "1") == 0)
    return TRUE;

  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    g_error ("No keyring: SCALER_KEYRING_READY is not 1. In CI this test must run inside "
             "build-aux/test, which starts gnome-keyring-daemon --unlock on a private D-Bus session.");

  g_test_skip ("SCALER_KEYRING_READY is not set: run through build-aux/test for the real keyring");
  return FALSE;
}

static ScalerSecrets *
lookup_all (ScalerCredentials *credentials,
            const char        *id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ScalerSecrets *secrets;

  scaler_credentials_lookup_secrets_async (credentials, id, NULL, result_cb, &result);
  secrets = scaler_credentials_lookup_secrets_finish (credentials, scaler_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (secrets);

  return secrets;
}

static void
test_store_lookup_clear (void)
{
  g_autoptr(ScalerCredentials) credentials = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *secret = NULL;

  if (!keyring_available ())
    return;

  credentials = scaler_credentials_secret_new ();

  scaler_credentials_lookup_async (credentials, id, SCALER_SECRET_AWS_SECRET_ACCESS_KEY, NULL, result_cb, &result);
  secret = scaler_credentials_lookup_finish (credentials, scaler_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_null (secret);
  g_clear_object (&result);

  scaler_credentials_store_async (credentials, id, SCALER_SECRET_AWS_SECRET_ACCESS_KEY,
                                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  scaler_credentials_lookup_async (credentials, id, SCALER_SECRET_AWS_SECRET_ACCESS_KEY, NULL, result_cb, &result);
  secret = scaler_credentials_lookup_finish (credentials, scaler_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  g_clear_pointer (&secret, g_free);
  g_clear_object (&result);

  /* Replacing keeps one item. */
  scaler_credentials_store_async (credentials, id, SCALER_SECRET_AWS_SECRET_ACCESS_KEY,
                                  "rotated-secret", NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_finish (credentials, scaler_test_wait_result (&result), &error));
  g_clear_object (&result);
  {
    g_autolist(SecretRetrievable) items = NULL;

    /* Asynchronous: libsecret 0.20's synchronous search leaks in its
     * private main context. */
    secret_password_search (scaler_credentials_secret_get_schema (), SECRET_SEARCH_ALL, NULL,
                            result_cb, &result,
                            "instance-id", id, NULL);
    items = secret_password_search_finish (scaler_test_wait_result (&result), &error);
    g_clear_object (&result);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_length (items), ==, 1);
    {
      g_autofree char *label = secret_retrievable_get_label (items->data);
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (items->data);
      g_autofree char *expected = g_strdup_printf ("EC2 Autoscaler: aws-secret-access-key for %s", id);

      g_assert_cmpstr (label, ==, expected);
      g_assert_cmpstr (g_hash_table_lookup (attributes, "instance-id"), ==, id);
      g_assert_cmpstr (g_hash_table_lookup (attributes, "kind"), ==, "aws-secret-access-key");
      g_assert_cmpstr (g_hash_table_lookup (attributes, "xdg:schema"), ==, "io.github.ec2autoscaler.Autoscaler");
    }
  }

  scaler_credentials_clear_async (credentials, id, SCALER_SECRET_AWS_SECRET_ACCESS_KEY, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_clear_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  scaler_credentials_lookup_async (credentials, id, SCALER_SECRET_AWS_SECRET_ACCESS_KEY, NULL, result_cb, &result);
  secret = scaler_credentials_lookup_finish (credentials, scaler_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_null (secret);
  g_clear_object (&result);

  /* Clearing again: nothing there, still a success. */
  scaler_credentials_clear_async (credentials, id, SCALER_SECRET_AWS_SECRET_ACCESS_KEY, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_clear_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
test_two_instances (void)
{
  g_autoptr(ScalerCredentials) credentials = NULL;
  g_autoptr(ScalerSecrets) a = scaler_secrets_new ();
  g_autoptr(ScalerSecrets) b = scaler_secrets_new ();
  g_autoptr(ScalerSecrets) got = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id_a = g_uuid_string_random ();
  g_autofree char *id_b = g_uuid_string_random ();

  if (!keyring_available ())
    return;

  credentials = scaler_credentials_secret_new ();

  a->aws_access_key_id = g_strdup ("AKIAINSTANCEA");
  a->aws_secret_access_key = g_strdup ("secret-of-a");
  a->aws_session_token = g_strdup ("token-of-a");
  a->clearml_access_key = g_strdup ("clearml-key-a");
  a->clearml_secret_key = g_strdup ("clearml-secret-a");
  a->git_password = g_strdup ("git-a");
  b->aws_access_key_id = g_strdup ("AKIAINSTANCEB");
  b->aws_secret_access_key = g_strdup ("secret-of-b");

  scaler_credentials_store_secrets_async (credentials, id_a, a, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_secrets_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  scaler_credentials_store_secrets_async (credentials, id_b, b, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_secrets_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  got = lookup_all (credentials, id_a);
  for (guint k = 0; k < SCALER_N_SECRET_KINDS; k++)
    g_assert_cmpstr (*scaler_secrets_get_field (got, k), ==, *scaler_secrets_get_field (a, k));
  g_clear_pointer (&got, scaler_secrets_free);

  got = lookup_all (credentials, id_b);
  g_assert_cmpstr (got->aws_access_key_id, ==, "AKIAINSTANCEB");
  g_assert_cmpstr (got->aws_secret_access_key, ==, "secret-of-b");
  g_assert_null (got->aws_session_token);
  g_assert_null (got->git_password);
  g_clear_pointer (&got, scaler_secrets_free);

  /* Clearing A leaves B. */
  scaler_credentials_clear_all_async (credentials, id_a, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_clear_all_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  got = lookup_all (credentials, id_a);
  for (guint k = 0; k < SCALER_N_SECRET_KINDS; k++)
    g_assert_null (*scaler_secrets_get_field (got, k));
  g_clear_pointer (&got, scaler_secrets_free);
  got = lookup_all (credentials, id_b);
  g_assert_cmpstr (got->aws_secret_access_key, ==, "secret-of-b");
  g_clear_pointer (&got, scaler_secrets_free);

  scaler_credentials_clear_all_async (credentials, id_b, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_clear_all_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
test_store_delete_clears_keyring (void)
{
  g_autoptr(ScalerCredentials) credentials = NULL;
  g_autoptr(ScalerAutoscalerStore) store = NULL;
  g_autoptr(ScalerConfig) config = scaler_config_new ();
  ScalerResource *resource = scaler_resource_new ();
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  g_autoptr(ScalerSecrets) got = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  if (!keyring_available ())
    {
      scaler_resource_free (resource);
      return;
    }

  dir = g_dir_make_tmp ("scaler-keyring-XXXXXX", NULL);
  store = scaler_autoscaler_store_new (dir);
  credentials = scaler_credentials_secret_new ();
  g_free (config->name);
  config->name = g_strdup ("Keyring");
  g_free (resource->name);
  resource->name = g_strdup ("cpu");
  g_free (resource->queue);
  resource->queue = g_strdup ("default");
  g_free (resource->instance_type);
  resource->instance_type = g_strdup ("t3.micro");
  g_free (resource->ami_id);
  resource->ami_id = g_strdup ("ami-12345678");
  g_ptr_array_add (config->resources, resource);
  g_assert_nonnull (scaler_autoscaler_store_add (store, config, &error));
  g_assert_no_error (error);

  secrets->clearml_secret_key = g_strdup ("clearml-secret-to-delete");
  scaler_credentials_store_secrets_async (credentials, config->id, secrets, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_secrets_finish (credentials, scaler_test_wait_result (&result), &error));
  g_clear_object (&result);

  scaler_autoscaler_store_delete_async (store, config->id, credentials, NULL, result_cb, &result);
  g_assert_true (scaler_autoscaler_store_delete_finish (store, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  got = lookup_all (credentials, config->id);
  g_assert_null (got->clearml_secret_key);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/keyring/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/scaler/keyring/two-instances", test_two_instances);
  g_test_add_func ("/scaler/keyring/store-delete-clears-keyring", test_store_delete_clears_keyring);

  return g_test_run ();
}
