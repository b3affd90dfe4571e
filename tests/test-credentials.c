/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of ScalerCredentials through the in-memory backend: the per-kind API,
 * the whole-instance helpers, isolation between instances, asynchrony. */

#include "config.h"

#include "scaler-core.h"
#include "support/scaler-test-util.h"

#define ID_A "11111111-1111-4111-8111-111111111111"
#define ID_B "22222222-2222-4222-8222-222222222222"

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
store (ScalerCredentials *credentials,
       const char        *id,
       ScalerSecretKind   kind,
       const char        *secret)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  scaler_credentials_store_async (credentials, id, kind, secret, NULL, result_cb, &result);
  /* Never delivered before the call returns. */
  g_assert_null (result);
  g_assert_true (scaler_credentials_store_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static char *
lookup (ScalerCredentials *credentials,
        const char        *id,
        ScalerSecretKind   kind)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  scaler_credentials_lookup_async (credentials, id, kind, NULL, result_cb, &result);
  g_assert_null (result);
  secret = scaler_credentials_lookup_finish (credentials, scaler_test_wait_result (&result), &error);
  g_assert_no_error (error);

  return secret;
}

static void
clear (ScalerCredentials *credentials,
       const char        *id,
       ScalerSecretKind   kind)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  scaler_credentials_clear_async (credentials, id, kind, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_clear_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
test_kind_names (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < SCALER_N_SECRET_KINDS; i++)
    {
      const char *name = scaler_secret_kind_to_string (i);
      ScalerSecretKind kind = 99;

      g_assert_nonnull (name);
      g_assert_false (g_hash_table_contains (seen, name));
      g_hash_table_add (seen, (gpointer) name);
      g_assert_true (scaler_secret_kind_from_string (name, &kind));
      g_assert_cmpint (kind, ==, i);
    }
  g_assert_cmpstr (scaler_secret_kind_to_string (SCALER_SECRET_AWS_SECRET_ACCESS_KEY), ==, "aws-secret-access-key");
  g_assert_false (scaler_secret_kind_from_string ("password", NULL));
  g_assert_false (scaler_secret_kind_from_string (NULL, NULL));
}

static void
test_store_lookup_clear (void)
{
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  g_autofree char *secret = NULL;

  g_assert_null (lookup (credentials, ID_A, SCALER_SECRET_AWS_SECRET_ACCESS_KEY));

  store (credentials, ID_A, SCALER_SECRET_AWS_SECRET_ACCESS_KEY, "wJalrXUtnFEMI/K7MDENG");
  secret = lookup (credentials, ID_A, SCALER_SECRET_AWS_SECRET_ACCESS_KEY);
  g_assert_cmpstr (secret, ==, "wJalrXUtnFEMI/K7MDENG");
  g_clear_pointer (&secret, g_free);

  /* Another kind and another instance are separate. */
  g_assert_null (lookup (credentials, ID_A, SCALER_SECRET_AWS_ACCESS_KEY_ID));
  g_assert_null (lookup (credentials, ID_B, SCALER_SECRET_AWS_SECRET_ACCESS_KEY));

  /* Store replaces. */
  store (credentials, ID_A, SCALER_SECRET_AWS_SECRET_ACCESS_KEY, "second");
  secret = lookup (credentials, ID_A, SCALER_SECRET_AWS_SECRET_ACCESS_KEY);
  g_assert_cmpstr (secret, ==, "second");
  g_assert_cmpuint (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)), ==, 1);

  clear (credentials, ID_A, SCALER_SECRET_AWS_SECRET_ACCESS_KEY);
  g_assert_null (lookup (credentials, ID_A, SCALER_SECRET_AWS_SECRET_ACCESS_KEY));
  /* Clearing what is not there is fine. */
  clear (credentials, ID_A, SCALER_SECRET_AWS_SECRET_ACCESS_KEY);
  g_assert_cmpuint (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)), ==, 0);
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
store_all (ScalerCredentials   *credentials,
           const char          *id,
           const ScalerSecrets *secrets)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  scaler_credentials_store_secrets_async (credentials, id, secrets, NULL, result_cb, &result);
  g_assert_null (result);
  g_assert_true (scaler_credentials_store_secrets_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
test_secrets_helpers (void)
{
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  g_autoptr(ScalerSecrets) in = scaler_secrets_new ();
  g_autoptr(ScalerSecrets) other = scaler_secrets_new ();
  g_autoptr(ScalerSecrets) out = NULL;
  g_autoptr(ScalerSecrets) update = scaler_secrets_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  in->aws_access_key_id = g_strdup ("AKIAEXAMPLEA");
  in->aws_secret_access_key = g_strdup ("secret-a");
  in->aws_session_token = g_strdup ("token-a");
  in->clearml_access_key = g_strdup ("clearml-a");
  in->clearml_secret_key = g_strdup ("clearml-secret-a");
  in->git_password = g_strdup ("git-a");
  store_all (credentials, ID_A, in);
  other->aws_secret_access_key = g_strdup ("secret-b");
  store_all (credentials, ID_B, other);

  out = lookup_all (credentials, ID_A);
  for (guint k = 0; k < SCALER_N_SECRET_KINDS; k++)
    g_assert_cmpstr (*scaler_secrets_get_field (out, k), ==, *scaler_secrets_get_field (in, k));
  g_clear_pointer (&out, scaler_secrets_free);

  /* NULL leaves a secret alone, "" clears it. */
  update->aws_secret_access_key = g_strdup ("secret-a2");
  update->aws_session_token = g_strdup ("");
  store_all (credentials, ID_A, update);
  out = lookup_all (credentials, ID_A);
  g_assert_cmpstr (out->aws_access_key_id, ==, "AKIAEXAMPLEA");
  g_assert_cmpstr (out->aws_secret_access_key, ==, "secret-a2");
  g_assert_null (out->aws_session_token);
  g_assert_cmpstr (out->git_password, ==, "git-a");
  g_clear_pointer (&out, scaler_secrets_free);

  /* clear_all touches one instance only. */
  scaler_credentials_clear_all_async (credentials, ID_A, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_clear_all_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
  out = lookup_all (credentials, ID_A);
  for (guint k = 0; k < SCALER_N_SECRET_KINDS; k++)
    g_assert_null (*scaler_secrets_get_field (out, k));
  g_clear_pointer (&out, scaler_secrets_free);
  out = lookup_all (credentials, ID_B);
  g_assert_cmpstr (out->aws_secret_access_key, ==, "secret-b");
  g_assert_cmpuint (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)), ==, 1);
}

static void
test_empty_secrets (void)
{
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  g_autoptr(ScalerSecrets) nothing = scaler_secrets_new ();

  /* All NULL: completes (asynchronously) and stores nothing. */
  store_all (credentials, ID_A, nothing);
  g_assert_cmpuint (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)), ==, 0);
}

static void
test_cancelled (void)
{
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  scaler_credentials_store_async (credentials, ID_A, SCALER_SECRET_GIT_PASSWORD, "pw", cancellable,
                                  result_cb, &result);
  g_assert_false (scaler_credentials_store_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)), ==, 0);
}

static void
test_secret_schema (void)
{
  const SecretSchema *schema = scaler_credentials_secret_get_schema ();

  g_assert_cmpstr (schema->name, ==, "io.github.ec2autoscaler.Autoscaler");
  g_assert_cmpstr (schema->attributes[0].name, ==, "instance-id");
  g_assert_cmpstr (schema->attributes[1].name, ==, "kind");
  g_assert_null (schema->attributes[2].name);
  g_assert_cmpint (schema->flags, ==, SECRET_SCHEMA_NONE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/credentials/kind-names", test_kind_names);
  g_test_add_func ("/scaler/credentials/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/scaler/credentials/secrets-helpers", test_secrets_helpers);
  g_test_add_func ("/scaler/credentials/empty-secrets", test_empty_secrets);
  g_test_add_func ("/scaler/credentials/cancelled", test_cancelled);
  g_test_add_func ("/scaler/credentials/secret-schema", test_secret_schema);

  return g_test_run ();
}
