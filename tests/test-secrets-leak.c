/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Secrets live only in the credentials store: after a full import / save /
 * load / edit / export / check cycle, no secret value may appear in any file
 * written under the (isolated) XDG directories, nor in any log line.
 *
 * Then the run part, as the GUI's Start does it: distinct secrets are stored
 * for a saved config through the credentials API, the config is loaded from
 * the store, the secrets are looked up, and a real engine
 * (scaler_engine_new_for_config) runs against the fake EC2 + ClearML servers
 * (tests/fakes, real HTTP), which accept exactly those credentials, until it
 * has launched an instance; then it stops (on_stop terminate_all). Every file
 * under the isolated XDG dirs and the engine's state dir, every log line
 * (G_MESSAGES_DEBUG=all) and every engine log-line text is searched for each
 * secret, verbatim and base64-encoded. The ClearML keys and the git password
 * travel in the instance's user-data by design (README, "Credentials inside
 * user-data"); the AWS keys must not. */

#define G_LOG_DOMAIN "test-secrets-leak"

#include "config.h"

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-fake.h"

static GMutex log_lock;
static GString *log_text;

static GLogWriterOutput
record_writer (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length < 0)
        g_string_append_printf (log_text, "%s=%s\n", fields[i].key, (const char *) fields[i].value);
      else
        {
          g_string_append_printf (log_text, "%s=", fields[i].key);
          g_string_append_len (log_text, fields[i].value, fields[i].length);
          g_string_append_c (log_text, '\n');
        }
    }
  g_mutex_unlock (&log_lock);

  /* Keep the default behaviour (fatal warnings in tests, debug output). */
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
collect_files (const char *path,
               GPtrArray  *files)
{
  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          collect_files (child, files);
        }
    }
  else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_ptr_array_add (files, g_strdup (path));
}

static gboolean
contains (const char *haystack,
          gsize       length,
          const char *needle)
{
  return g_strstr_len (haystack, length, needle) != NULL;
}

static void
test_no_secret_anywhere (void)
{
  g_autofree char *source = g_build_filename (SCALER_SOURCE_DIR, "tests", "data", "clearml", "wizard.yaml", NULL);
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(ScalerSecrets) looked_up = NULL;
  g_autoptr(GPtrArray) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  g_autoptr(ScalerInstanceStore) store = NULL;
  g_autoptr(ScalerInstanceStore) reloaded = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  g_autofree char *export_path = NULL;
  ScalerSavedInstance *item;
  ScalerSavedInstance *copy;
  const char *roots[4];

  /* Isolated by G_TEST_OPTION_ISOLATE_DIRS: these are fresh temp folders. */
  roots[0] = g_get_user_config_dir ();
  roots[1] = g_get_user_data_dir ();
  roots[2] = g_get_user_cache_dir ();
  roots[3] = g_get_home_dir ();

  /* 1. Import a ClearML config that carries secrets. */
  config = scaler_config_import_clearml_file (source, &secrets, &report, &error);
  g_assert_no_error (error);
  /* ClearML server keys come from the keyring as well. */
  secrets->clearml_access_key = g_strdup ("CLEARMLACCESSKEYLEAKTEST");
  secrets->clearml_secret_key = g_strdup ("clearml-secret-key-that-must-not-leak-42");
  for (guint k = 0; k < SCALER_N_SECRET_KINDS; k++)
    {
      const char *value = *scaler_secrets_get_field (secrets, k);

      g_assert_nonnull (value);
      g_assert_cmpuint (strlen (value), >=, 12);
      g_ptr_array_add (values, (gpointer) value);
    }
  for (guint i = 0; i < report->len; i++)
    g_message ("import report: %s", (const char *) g_ptr_array_index (report, i));

  /* 2. Save it and its secrets. */
  store = scaler_instance_store_new (NULL);
  g_assert_true (scaler_instance_store_load (store, &error));
  item = scaler_instance_store_add (store, config, &error);
  g_assert_no_error (error);
  g_assert_nonnull (item);
  g_assert_true (g_str_has_prefix (scaler_saved_instance_get_path (item), g_get_user_config_dir ()));
  scaler_credentials_store_secrets_async (credentials, config->id, secrets, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_secrets_finish (credentials, wait_for (&result), &error));
  g_clear_object (&result);

  /* 3. Edit, rename, duplicate, export, and a refused invalid save whose
   *    error is logged. */
  {
    g_autoptr(ScalerConfig) edited = scaler_config_copy (config);

    edited->hourly_budget_usd = 12;
    g_assert_true (scaler_instance_store_update (store, edited, &error));
    g_assert_true (scaler_instance_store_rename (store, config->id, "Leak test", &error));
    g_assert_no_error (error);
  }
  copy = scaler_instance_store_duplicate (store, config->id, &error);
  g_assert_no_error (error);
  scaler_credentials_store_secrets_async (credentials, scaler_saved_instance_get_id (copy), secrets,
                                          NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_secrets_finish (credentials, wait_for (&result), &error));
  g_clear_object (&result);
  export_path = g_build_filename (g_get_user_data_dir (), "export", "leak-test.json", NULL);
  g_assert_true (scaler_config_export (config, export_path, &error));
  g_assert_no_error (error);
  {
    g_autoptr(ScalerConfig) bad = scaler_config_copy (config);

    g_free (bad->workers_prefix);
    bad->workers_prefix = g_strdup ("bad:prefix");
    g_assert_false (scaler_instance_store_update (store, bad, &error));
    g_message ("refused: %s", error->message);
    g_clear_error (&error);
  }

  /* 4. Load everything back, with the secrets. */
  reloaded = scaler_instance_store_new (NULL);
  g_assert_true (scaler_instance_store_load (reloaded, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 2);
  scaler_credentials_lookup_secrets_async (credentials, config->id, NULL, result_cb, &result);
  looked_up = scaler_credentials_lookup_secrets_finish (credentials, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  for (guint k = 0; k < SCALER_N_SECRET_KINDS; k++)
    g_assert_cmpstr (*scaler_secrets_get_field (looked_up, k), ==, *scaler_secrets_get_field (secrets, k));

  /* 5. The headless checker reads the saved file. */
  {
    g_autofree char *daemon = g_build_filename (SCALER_BUILD_DIR, "src", "daemon", "ec2-autoscalerd", NULL);
    g_autoptr(GSubprocess) process = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                daemon, "--check", scaler_saved_instance_get_path (item), NULL);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error));
    g_message ("check stdout: %s stderr: %s", out, err);
  }

  /* 6. Delete one instance (file and secrets). */
  scaler_instance_store_delete_async (store, scaler_saved_instance_get_id (copy), credentials, NULL,
                                      result_cb, &result);
  g_assert_true (scaler_instance_store_delete_finish (store, wait_for (&result), &error));
  g_clear_object (&result);

  /* Now look everywhere. */
  for (guint r = 0; r < G_N_ELEMENTS (roots); r++)
    collect_files (roots[r], files);
  g_assert_cmpuint (files->len, >=, 2);  /* the saved instance and the export */

  for (guint f = 0; f < files->len; f++)
    {
      const char *path = g_ptr_array_index (files, f);
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      for (guint v = 0; v < values->len; v++)
        if (contains (contents, length, g_ptr_array_index (values, v)))
          g_error ("secret %u leaked into %s", v, path);
    }

  g_mutex_lock (&log_lock);
  g_assert_cmpuint (log_text->len, >, 0);
  for (guint v = 0; v < values->len; v++)
    if (contains (log_text->str, log_text->len, g_ptr_array_index (values, v)))
      g_error ("secret %u leaked into the log", v);
  /* The scan itself works: the log does hold what was logged. */
  g_assert_nonnull (strstr (log_text->str, "workers_prefix"));
  g_mutex_unlock (&log_lock);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  log_text = g_string_new (NULL);
  g_log_set_writer_func (record_writer, NULL, NULL);

  g_test_add_func ("/scaler/secrets-leak/no-secret-anywhere", test_no_secret_anywhere);

  return g_test_run ();
}
