/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Secrets live only in the credentials store: after a full import / save /
 * load / edit / export / check cycle, no secret value may appear in any file
 * written under the (isolated) XDG directories, nor in any log line.
 *
 * Then the run part, as the GUI's Start does it: distinct secrets are stored
 * for a saved config through the credentials API, the config is loaded from
 * the store, the secrets are looked up, and a real engine
 * (scaler_engine_registry_build_engine) runs against the fake EC2 + ClearML servers
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
#include "support/scaler-test-util.h"

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

/* TRUE when @needle, or its base64 encoding at any of the three byte
 * alignments it could have inside a longer base64 text, is in @haystack. */
static gboolean
contains_secret (const char *haystack,
                 gsize       length,
                 const char *needle)
{
  gsize needle_len = strlen (needle);

  if (contains (haystack, length, needle))
    return TRUE;

  for (gsize shift = 0; shift < 3; shift++)
    {
      g_autofree guchar *buffer = g_malloc0 (shift + needle_len);
      g_autofree char *encoded = NULL;
      gsize start = shift == 0 ? 0 : 4;          /* skip the group mixed with unknown bytes */
      gsize end = 4 * ((shift + needle_len) / 3); /* up to the last group of secret bytes only */

      memcpy (buffer + shift, needle, needle_len);
      encoded = g_base64_encode (buffer, shift + needle_len);
      g_assert_cmpuint (end, >, start + 8);
      encoded[end] = '\0';
      if (contains (haystack, length, encoded + start))
        return TRUE;
    }

  return FALSE;
}

static void
assert_no_secret_in (const char *text,
                     gsize       length,
                     GPtrArray  *values,
                     const char *where)
{
  for (guint v = 0; v < values->len; v++)
    if (contains_secret (text, length, g_ptr_array_index (values, v)))
      g_error ("secret %u leaked into %s", v, where);
}

/* ------------------------------------------------------------ run part */

/* Distinct, recognisable secrets for the run; the fake accepts only these. */
#define RUN_AWS_ACCESS_KEY_ID     "AKIARUNLEAKTEST7Q2Z"
#define RUN_AWS_SECRET_ACCESS_KEY "runLeakAwsSecret/Never+In4Files0rLogs9xYz"
#define RUN_CLEARML_ACCESS_KEY    "RUNLEAKCLEARMLKEY8K3"
#define RUN_CLEARML_SECRET_KEY    "run-leak-clearml-secret-5f0d2a71c9"
#define RUN_GIT_PASSWORD          "run-leak-git-password-77b1e3"

typedef struct
{
  guint     cycles;
  guint     ok_cycles;
  guint     launched;
  GString  *lines;    /* every engine log-line text */
} RunCounters;

static void
cycle_finished_cb (ScalerEngine      *engine,
                   ScalerCycleResult *result,
                   RunCounters       *counters)
{
  counters->cycles++;
  if (result->ok)
    counters->ok_cycles++;
  counters->launched += result->launched;
  for (guint i = 0; i < result->log_lines->len; i++)
    {
      ScalerLogLine *line = g_ptr_array_index (result->log_lines, i);

      g_string_append_printf (counters->lines, "cycle %u: %s\n", result->cycle, line->text);
    }
}

static void
log_line_cb (ScalerEngine   *engine,
             ScalerLogLevel  level,
             const char     *text,
             RunCounters    *counters)
{
  g_string_append_printf (counters->lines, "%s: %s\n", scaler_log_level_to_string (level), text);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The fake accepts exactly the run's credentials (the defaults are gone),
 * with one task waiting on the run's queue. */
static ScalerFake *
start_fake_for_run (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  ScalerFake *fake;

  g_assert_true (scaler_fake_available (NULL));
  fake = scaler_fake_start_with_config (
    "{\"boot_delay_s\":0.2,\"register_delay_s\":0.2,\"report_interval_s\":0.2,"
    "\"shutdown_delay_s\":0.1,"
    "\"credentials\":[{\"access_key_id\":\"" RUN_AWS_ACCESS_KEY_ID "\","
                     "\"secret_access_key\":\"" RUN_AWS_SECRET_ACCESS_KEY "\"}],"
    "\"clearml_credentials\":{\"key\":\"" RUN_CLEARML_ACCESS_KEY "\","
                            "\"secret\":\"" RUN_CLEARML_SECRET_KEY "\"}}",
    &error);
  g_assert_no_error (error);
  answer = scaler_fake_control (fake, "POST", "/_fake/enqueue",
                                "{\"queue\":\"leak-queue\",\"count\":1,\"duration_s\":30,\"name\":\"leak task\"}",
                                &error);
  g_assert_no_error (error);
  return fake;
}

/* A saved config @id whose credentials come from the keyring, and the run's
 * secrets stored for it (each added to @values). */
static void
save_config_and_secrets (ScalerFake        *fake,
                         ScalerCredentials *credentials,
                         const char        *id,
                         GPtrArray         *values)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) draft = NULL;
  g_autoptr(ScalerAutoscalerStore) store = NULL;
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *json = NULL;
  ScalerAutoscaler *item;

  json = g_strdup_printf (
    "{\"version\":1,\"id\":\"%s\",\"name\":\"leak run\","
    "\"aws\":{\"region\":\"us-east-1\",\"endpoint\":\"%s\",\"credentials\":\"keyring\",\"tags\":{\"owner\":\"tests\"}},"
    "\"clearml\":{\"api_server\":\"%s\",\"web_server\":\"%s\",\"files_server\":\"%s\",\"credentials\":\"keyring\"},"
    "\"git_user\":\"leak-user\","
    "\"max_idle_time_min\":5,\"polling_interval_time_min\":0.01,\"max_spin_up_time_min\":5,"
    "\"workers_prefix\":\"dyn\",\"hourly_budget_usd\":10,\"on_stop\":\"terminate_all\","
    "\"resources\":[{\"name\":\"cpu\",\"queue\":\"leak-queue\",\"max_instances\":1,\"instance_type\":\"t3.micro\","
    "\"availability_zones\":[\"us-east-1a\"],\"subnet_ids\":[],\"ami_id\":\"ami-0123456789abcdef0\","
    "\"ebs_device_name\":\"/dev/sda1\",\"ebs_volume_size\":8,\"ebs_volume_type\":\"gp3\","
    "\"security_group_ids\":[],\"is_spot\":false,\"spot_fallback_on_demand\":true,\"tags\":{}}]}",
    id, scaler_fake_get_ec2_url (fake), scaler_fake_get_clearml_url (fake),
    scaler_fake_get_clearml_url (fake), scaler_fake_get_clearml_url (fake));
  draft = scaler_config_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  store = scaler_autoscaler_store_new (NULL);
  g_assert_true (scaler_autoscaler_store_load (store, &error));
  item = scaler_autoscaler_store_add (store, draft, &error);
  g_assert_no_error (error);
  g_assert_nonnull (item);

  secrets->aws_access_key_id = g_strdup (RUN_AWS_ACCESS_KEY_ID);
  secrets->aws_secret_access_key = g_strdup (RUN_AWS_SECRET_ACCESS_KEY);
  secrets->clearml_access_key = g_strdup (RUN_CLEARML_ACCESS_KEY);
  secrets->clearml_secret_key = g_strdup (RUN_CLEARML_SECRET_KEY);
  secrets->git_password = g_strdup (RUN_GIT_PASSWORD);
  g_ptr_array_add (values, (gpointer) RUN_AWS_ACCESS_KEY_ID);
  g_ptr_array_add (values, (gpointer) RUN_AWS_SECRET_ACCESS_KEY);
  g_ptr_array_add (values, (gpointer) RUN_CLEARML_ACCESS_KEY);
  g_ptr_array_add (values, (gpointer) RUN_CLEARML_SECRET_KEY);
  g_ptr_array_add (values, (gpointer) RUN_GIT_PASSWORD);
  scaler_credentials_store_secrets_async (credentials, id, secrets, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_secrets_finish (credentials, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

/* Start, as the GUI does it: the saved config, then its secrets, then the
 * engine on them. */
static ScalerEngine *
build_engine_as_the_gui (ScalerCredentials *credentials,
                         const char        *id,
                         char             **state_dir_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerAutoscalerStore) reloaded = scaler_autoscaler_store_new (NULL);
  g_autoptr(ScalerSecrets) looked_up = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  ScalerAutoscaler *item;
  ScalerConfig *config;
  ScalerEngine *engine;

  g_assert_true (scaler_autoscaler_store_load (reloaded, &error));
  item = scaler_autoscaler_store_find (reloaded, id);
  g_assert_nonnull (item);
  g_assert_false (scaler_autoscaler_is_broken (item));
  config = scaler_autoscaler_get_config (item);
  g_assert_cmpint (config->aws_credentials, ==, SCALER_CREDENTIALS_SOURCE_KEYRING);
  g_assert_cmpint (config->clearml_credentials, ==, SCALER_CREDENTIALS_SOURCE_KEYRING);
  scaler_credentials_lookup_secrets_async (credentials, id, NULL, result_cb, &result);
  looked_up = scaler_credentials_lookup_secrets_finish (credentials, scaler_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (looked_up);
  g_assert_cmpstr (looked_up->aws_secret_access_key, ==, RUN_AWS_SECRET_ACCESS_KEY);
  g_assert_cmpstr (looked_up->git_password, ==, RUN_GIT_PASSWORD);

  *state_dir_out = scaler_engine_registry_dup_state_dir (id);
  engine = scaler_engine_registry_build_engine (config, looked_up, *state_dir_out, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (engine);
  /* The engine keeps its own copy of the secrets. */
  return engine;
}

/* Runs @engine until an instance was launched and two more cycles finished
 * after it, then stops it. */
static void
run_until_launched (ScalerEngine *engine,
                    RunCounters  *counters)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean timed_out = FALSE;
  guint cycles_at_launch = 0;
  guint timeout_id;

  g_signal_connect (engine, "cycle-finished", G_CALLBACK (cycle_finished_cb), counters);
  g_signal_connect (engine, "log-line", G_CALLBACK (log_line_cb), counters);
  scaler_engine_start (engine);

  timeout_id = g_timeout_add_seconds (60, timeout_cb, &timed_out);
  while (!timed_out)
    {
      if (counters->launched > 0 && cycles_at_launch == 0)
        cycles_at_launch = counters->cycles;
      if (cycles_at_launch > 0 && counters->cycles >= cycles_at_launch + 2)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  if (timed_out)
    g_error ("no launch within 60 s (%u cycles, %u ok); engine log:\n%s",
             counters->cycles, counters->ok_cycles, counters->lines->str);
  g_source_remove (timeout_id);

  scaler_engine_stop_async (engine, 20, NULL, result_cb, &result);
  g_assert_true (scaler_engine_stop_finish (engine, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (scaler_engine_get_state (engine), ==, SCALER_ENGINE_STATE_STOPPED);
  g_assert_cmpuint (counters->launched, ==, 1);
  g_assert_cmpuint (counters->ok_cycles, >=, 3);
}

/* The launch really happened on the fake, signed with the run's keys, and
 * ClearML accepted the run's keys: the one instance the engine launched
 * (and terminated). */
static JsonObject *
the_launched_instance (ScalerFake *fake,
                       JsonNode   *state)
{
  JsonObject *root = json_node_get_object (state);
  JsonObject *auth_errors = json_object_get_object_member (root, "auth_errors");
  GList *codes = json_object_get_members (auth_errors);
  JsonArray *instances;
  JsonObject *instance = NULL;

  g_assert_cmpint (scaler_fake_get_request_count (fake, "ec2", "RunInstances"), >=, 1);
  g_assert_cmpint (scaler_fake_get_request_count (fake, "ec2", "TerminateInstances"), >=, 1);
  for (GList *l = codes; l != NULL; l = l->next)
    g_assert_cmpint (json_object_get_int_member (auth_errors, l->data), ==, 0);
  g_list_free (codes);
  g_assert_cmpint (json_object_get_int_member (root, "signature_failures"), ==, 0);
  g_assert_cmpint (scaler_fake_get_request_count (fake, "clearml", "queues.get_all"), >=, 1);

  instances = json_object_get_array_member (root, "instances");
  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *candidate = json_array_get_object_element (instances, i);

      if (g_strcmp0 (json_object_get_string_member (candidate, "source"), "api") == 0)
        {
          g_assert_null (instance);
          instance = candidate;
        }
    }
  g_assert_nonnull (instance);
  g_assert_cmpstr (json_object_get_string_member (instance, "terminated_by"), ==, "api");
  return instance;
}

/* Returns the instance's decoded user-data (from the fake's state) of the
 * first launched instance. */
static char *
run_engine_cycle (ScalerCredentials *credentials,
                  GPtrArray         *values,
                  char             **state_dir_out,
                  GString          **engine_lines_out)
{
  g_autoptr(ScalerFake) fake = start_fake_for_run ();
  g_autoptr(ScalerEngine) engine = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_uuid_string_random ();
  RunCounters counters = { 0, };
  const char *user_data;

  save_config_and_secrets (fake, credentials, id, values);
  engine = build_engine_as_the_gui (credentials, id, state_dir_out);
  counters.lines = g_string_new (NULL);
  run_until_launched (engine, &counters);
  g_clear_object (&engine);

  state = scaler_fake_get_state_omit (fake, "ec2_requests,clearml_requests", &error);
  g_assert_no_error (error);
  user_data = json_object_get_string_member (the_launched_instance (fake, state), "user_data");
  g_assert_nonnull (user_data);

  /* By design (README "Credentials inside user-data"), the ClearML keys and
   * the git password are in the user-data; the AWS keys never are. */
  g_assert_nonnull (strstr (user_data, RUN_CLEARML_ACCESS_KEY));
  g_assert_nonnull (strstr (user_data, RUN_CLEARML_SECRET_KEY));
  g_assert_nonnull (strstr (user_data, RUN_GIT_PASSWORD));
  g_assert_false (contains_secret (user_data, strlen (user_data), RUN_AWS_SECRET_ACCESS_KEY));
  g_assert_false (contains_secret (user_data, strlen (user_data), RUN_AWS_ACCESS_KEY_ID));

  *engine_lines_out = counters.lines;
  return g_strdup (user_data);
}

static void
test_no_secret_anywhere (void)
{
  g_autofree char *source = scaler_test_data_path ("clearml", "wizard.yaml", NULL);
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(ScalerSecrets) looked_up = NULL;
  g_autoptr(GPtrArray) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  g_autoptr(ScalerAutoscalerStore) store = NULL;
  g_autoptr(ScalerAutoscalerStore) reloaded = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  g_autofree char *export_path = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *user_data = NULL;
  g_autoptr(GString) engine_lines = NULL;
  g_autoptr(GPtrArray) state_files = g_ptr_array_new_with_free_func (g_free);
  ScalerAutoscaler *item;
  ScalerAutoscaler *copy;
  const char *roots[6];

  /* The engine's cycle runs against the fake clouds (step 7). */
  if (!scaler_fake_require ())
    return;

  /* Isolated by G_TEST_OPTION_ISOLATE_DIRS: these are fresh temp folders. */
  roots[0] = g_get_user_config_dir ();
  roots[1] = g_get_user_data_dir ();
  roots[2] = g_get_user_cache_dir ();
  roots[3] = g_get_home_dir ();
  roots[4] = g_get_user_state_dir ();
  roots[5] = g_get_user_runtime_dir ();

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
  store = scaler_autoscaler_store_new (NULL);
  g_assert_true (scaler_autoscaler_store_load (store, &error));
  item = scaler_autoscaler_store_add (store, config, &error);
  g_assert_no_error (error);
  g_assert_nonnull (item);
  g_assert_true (g_str_has_prefix (scaler_autoscaler_get_path (item), g_get_user_config_dir ()));
  scaler_credentials_store_secrets_async (credentials, config->id, secrets, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_secrets_finish (credentials, scaler_test_wait_result (&result), &error));
  g_clear_object (&result);

  /* 3. Edit, rename, duplicate, export, and a refused invalid save whose
   *    error is logged. */
  {
    g_autoptr(ScalerConfig) edited = scaler_config_copy (config);

    edited->hourly_budget_usd = 12;
    g_assert_true (scaler_autoscaler_store_update (store, edited, &error));
    g_assert_true (scaler_autoscaler_store_rename (store, config->id, "Leak test", &error));
    g_assert_no_error (error);
  }
  copy = scaler_autoscaler_store_duplicate (store, config->id, &error);
  g_assert_no_error (error);
  scaler_credentials_store_secrets_async (credentials, scaler_autoscaler_get_id (copy), secrets,
                                          NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_secrets_finish (credentials, scaler_test_wait_result (&result), &error));
  g_clear_object (&result);
  export_path = g_build_filename (g_get_user_data_dir (), "export", "leak-test.json", NULL);
  g_assert_true (scaler_config_export (config, export_path, &error));
  g_assert_no_error (error);
  {
    g_autoptr(ScalerConfig) bad = scaler_config_copy (config);

    g_free (bad->workers_prefix);
    bad->workers_prefix = g_strdup ("bad:prefix");
    g_assert_false (scaler_autoscaler_store_update (store, bad, &error));
    g_message ("refused: %s", error->message);
    g_clear_error (&error);
  }

  /* 4. Load everything back, with the secrets. */
  reloaded = scaler_autoscaler_store_new (NULL);
  g_assert_true (scaler_autoscaler_store_load (reloaded, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 2);
  scaler_credentials_lookup_secrets_async (credentials, config->id, NULL, result_cb, &result);
  looked_up = scaler_credentials_lookup_secrets_finish (credentials, scaler_test_wait_result (&result), &error);
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
                                daemon, "--check", scaler_autoscaler_get_path (item), NULL);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error));
    g_message ("check stdout: %s stderr: %s", out, err);
    /* A good file: exit 0, nothing said (and, under the sanitizers, no report). */
    g_assert_true (g_subprocess_get_if_exited (process));
    g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
    g_assert_cmpstr (err, ==, "");
  }

  /* 6. Delete one instance (file and secrets). */
  scaler_autoscaler_store_delete_async (store, scaler_autoscaler_get_id (copy), credentials, NULL,
                                      result_cb, &result);
  g_assert_true (scaler_autoscaler_store_delete_finish (store, scaler_test_wait_result (&result), &error));
  g_clear_object (&result);

  /* 7. Run: Start with distinct secrets against the fake clouds. */
  user_data = run_engine_cycle (credentials, values, &state_dir, &engine_lines);

  /* Now look everywhere. */
  for (guint r = 0; r < G_N_ELEMENTS (roots); r++)
    {
      g_autofree char *tmp = g_strdup (g_get_tmp_dir ());

      /* Isolated: never scan (or trust) the real home. */
      g_assert_true (g_str_has_prefix (roots[r], g_getenv ("HOME")) || g_str_has_prefix (roots[r], tmp));
      collect_files (roots[r], files);
    }
  collect_files (state_dir, files);
  collect_files (state_dir, state_files);
  g_assert_cmpuint (state_files->len, >=, 1);  /* the ledger */
  g_assert_cmpuint (files->len, >=, 4);  /* the saved autoscalers, the export, the ledger */

  for (guint f = 0; f < files->len; f++)
    {
      const char *path = g_ptr_array_index (files, f);
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      assert_no_secret_in (contents, length, values, path);
    }

  /* The engine's own log lines (what the GUI shows and the daemon prints). */
  g_assert_cmpuint (engine_lines->len, >, 0);
  assert_no_secret_in (engine_lines->str, engine_lines->len, values, "the engine's log-line texts");
  g_assert_nonnull (strstr (engine_lines->str, "Starting \"leak run\""));

  g_mutex_lock (&log_lock);
  g_assert_cmpuint (log_text->len, >, 0);
  assert_no_secret_in (log_text->str, log_text->len, values, "the log");
  /* The scan itself works: the log does hold what was logged, including
   * the engine's HTTP debug lines of the run. */
  g_assert_nonnull (strstr (log_text->str, "workers_prefix"));
  g_assert_nonnull (strstr (log_text->str, "RunInstances"));
  g_mutex_unlock (&log_lock);

  /* ...and it finds a secret where there is one (the user-data carries the
   * ClearML secret by design, base64-encoded in the RunInstances request). */
  g_assert_true (contains_secret (user_data, strlen (user_data), RUN_CLEARML_SECRET_KEY));
  {
    g_autofree char *encoded = g_base64_encode ((const guchar *) user_data, strlen (user_data));

    g_assert_true (contains_secret (encoded, strlen (encoded), RUN_CLEARML_SECRET_KEY));
    g_assert_true (contains_secret (encoded, strlen (encoded), RUN_GIT_PASSWORD));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  log_text = g_string_new (NULL);
  /* Debug lines on stdout would break the TAP stream. */
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (record_writer, NULL, NULL);

  g_test_add_func ("/scaler/secrets-leak/no-secret-anywhere", test_no_secret_anywhere);

  return g_test_run ();
}
