/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-fake"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <curl/curl.h>

#include "scaler-fake.h"

/* Where the fakes are when $SCALER_FAKES_DIR is not set: tests/support/meson.build
 * defines SCALER_FAKES_DIR; a test that compiles this file as an extra source
 * (core_tests += {'x': ['support/scaler-fake.c']}) has SCALER_SOURCE_DIR. */
#if defined (SCALER_FAKES_DIR)
# define FAKES_DIR_DEFAULT SCALER_FAKES_DIR
#elif defined (SCALER_SOURCE_DIR)
# define FAKES_DIR_DEFAULT SCALER_SOURCE_DIR "/tests/fakes"
#else
# define FAKES_DIR_DEFAULT "tests/fakes"
#endif

#define READY_TIMEOUT_MS 20000
#define STOP_TIMEOUT_MS  5000

struct _ScalerFake
{
  GSubprocess  *process;
  GOutputStream *stdin_pipe;
  char         *ec2_url;
  char         *clearml_url;
  GHashTable   *urls;          /* listener name -> URL (ec2, clearml, sts, sso, imds, container) */
  GPid          pid;
  CURL         *curl;
};

static const char *
fakes_dir (void)
{
  const char *dir = g_getenv ("SCALER_FAKES_DIR");

  return dir != NULL && *dir != '\0' ? dir : FAKES_DIR_DEFAULT;
}

static char *
find_node (void)
{
  const char *env = g_getenv ("NODE");

  if (env != NULL && *env != '\0')
    return g_file_test (env, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (env) : NULL;
  return g_find_program_in_path ("node");
}

gboolean
scaler_fake_available (char **reason)
{
  g_autofree char *node = find_node ();
  g_autofree char *script = g_build_filename (fakes_dir (), "fake-cloud.js", NULL);
  g_autofree char *modules = g_build_filename (fakes_dir (), "node_modules", "@smithy",
                                               "signature-v4", NULL);
  char *why = NULL;

  if (node == NULL)
    why = g_strdup ("node (Node.js 20) was not found: install nodejs or set $NODE");
  else if (!g_file_test (script, G_FILE_TEST_IS_REGULAR))
    why = g_strdup_printf ("the fakes are missing: %s does not exist (set $SCALER_FAKES_DIR)",
                           script);
  else if (!g_file_test (modules, G_FILE_TEST_IS_DIR))
    why = g_strdup_printf ("the fakes' dependencies are not installed: run "
                           "'npm ci --no-audit --no-fund' in %s", fakes_dir ());

  if (reason != NULL)
    *reason = why;
  else
    g_free (why);
  return why == NULL;
}

/* build-aux/test sets $SCALER_TEST_TMP; CI sets CI=true. */
static gboolean
fakes_are_required (void)
{
  return g_strcmp0 (g_getenv ("CI"), "true") == 0 || g_getenv ("SCALER_TEST_TMP") != NULL;
}

gboolean
scaler_fake_require (void)
{
  g_autofree char *reason = NULL;
  g_autofree char *message = NULL;

  if (scaler_fake_available (&reason))
    return TRUE;
  message = g_strdup_printf ("The fake AWS and ClearML servers cannot run: %s "
                             "(build-aux/deps.sh all installs node and the npm packages of tests/fakes)",
                             reason);
  if (fakes_are_required ())
    g_test_fail_printf ("%s", message);
  else
    g_test_skip (message);
  return FALSE;
}

static void
fakes_missing_case (void)
{
  g_assert_false (scaler_fake_require ());
}

gboolean
scaler_fake_require_program (const char *path)
{
  g_return_val_if_fail (path != NULL, FALSE);

  if (scaler_fake_available (NULL))
    return TRUE;
  g_test_add_func (path, fakes_missing_case);
  return FALSE;
}

static void
ensure_curl (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&once, 1);
    }
}

typedef struct
{
  GMainLoop *loop;
  char      *line;
  GError    *error;
  gboolean   timed_out;
} ReadyWait;

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadyWait *wait = user_data;

  g_assert (G_IS_DATA_INPUT_STREAM (source));

  wait->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                          result, NULL, &wait->error);
  g_main_loop_quit (wait->loop);
}

static gboolean
timeout_cb (gpointer user_data)
{
  ReadyWait *wait = user_data;

  wait->timed_out = TRUE;
  g_main_loop_quit (wait->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
parse_ready_line (ScalerFake  *self,
                  const char  *line,
                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj;

  if (!json_parser_load_from_data (parser, line, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "fake-cloud: expected the JSON ready line, got '%s'", line);
      return FALSE;
    }
  obj = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (obj, "ec2") || !json_object_has_member (obj, "clearml"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "fake-cloud: the ready line lacks \"ec2\"/\"clearml\": '%s'", line);
      return FALSE;
    }
  self->ec2_url = g_strdup (json_object_get_string_member (obj, "ec2"));
  self->clearml_url = g_strdup (json_object_get_string_member (obj, "clearml"));
  self->urls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  {
    g_autoptr(GList) members = json_object_get_members (obj);

    for (GList *l = members; l != NULL; l = l->next)
      {
        JsonNode *node = json_object_get_member (obj, l->data);

        if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
          g_hash_table_insert (self->urls, g_strdup (l->data), g_strdup (json_node_get_string (node)));
      }
  }
  return self->ec2_url != NULL && self->clearml_url != NULL;
}

/* Phase 1: node fake-cloud.js [--config JSON] [--quiet], with pipes. */
static gboolean
spawn_fake (ScalerFake  *self,
            const char  *config_json,
            GError     **error)
{
  g_autofree char *node = find_node ();
  g_autofree char *script = g_build_filename (fakes_dir (), "fake-cloud.js", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  const char *pid_str;

  g_ptr_array_add (argv, node);
  g_ptr_array_add (argv, script);
  if (config_json != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--config");
      g_ptr_array_add (argv, (gpointer) config_json);
    }
  if (g_getenv ("SCALER_FAKE_VERBOSE") == NULL)
    g_ptr_array_add (argv, (gpointer) "--quiet");
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  self->process = g_subprocess_launcher_spawnv (launcher,
                                                (const char * const *) argv->pdata,
                                                error);
  if (self->process == NULL)
    {
      g_prefix_error (error, "fake-cloud: cannot start %s: ", node);
      return FALSE;
    }
  self->stdin_pipe = g_object_ref (g_subprocess_get_stdin_pipe (self->process));
  pid_str = g_subprocess_get_identifier (self->process);
  self->pid = pid_str != NULL ? (GPid) g_ascii_strtoll (pid_str, NULL, 10) : 0;
  return TRUE;
}

/* Phase 2: the ready line, read on a private main context with a timeout.
 * Fills @wait (its line, or its error, or timed_out). */
static void
read_ready_line (ScalerFake *self,
                 ReadyWait  *wait)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSource) timeout = NULL;

  g_main_context_push_thread_default (context);
  wait->loop = loop;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, cancellable,
                                       read_line_cb, wait);
  timeout = g_timeout_source_new (READY_TIMEOUT_MS);
  g_source_set_callback (timeout, timeout_cb, wait, NULL);
  g_source_attach (timeout, context);
  g_main_loop_run (loop);
  g_source_destroy (timeout);
  if (wait->timed_out)
    {
      g_cancellable_cancel (cancellable);
      /* Let the cancelled read finish before the context goes away. */
      while (wait->line == NULL && wait->error == NULL)
        g_main_context_iteration (context, TRUE);
    }
  g_main_context_pop_thread_default (context);
}

/* Phase 3: what the ready line says (the listeners' URLs), or why there
 * is none. */
static gboolean
check_ready (ScalerFake  *self,
             ReadyWait   *wait,
             GError     **error)
{
  g_autofree char *line = g_steal_pointer (&wait->line);

  if (wait->timed_out)
    {
      g_clear_error (&wait->error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "fake-cloud: no ready line within %d s", READY_TIMEOUT_MS / 1000);
      return FALSE;
    }
  if (wait->error != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&wait->error), "fake-cloud: reading the ready line: ");
      return FALSE;
    }
  if (line == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                   "fake-cloud exited before it was ready (see its stderr above)");
      return FALSE;
    }
  return parse_ready_line (self, line, error);
}

ScalerFake *
scaler_fake_start_with_config (const char  *config_json,
                               GError     **error)
{
  g_autofree char *reason = NULL;
  ReadyWait wait = { 0 };
  ScalerFake *self;

  if (!scaler_fake_available (&reason))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "fake-cloud: %s", reason);
      return NULL;
    }

  self = g_new0 (ScalerFake, 1);
  if (!spawn_fake (self, config_json, error))
    {
      scaler_fake_stop (self);
      return NULL;
    }
  read_ready_line (self, &wait);
  if (!check_ready (self, &wait, error))
    {
      scaler_fake_stop (self);
      return NULL;
    }

  ensure_curl ();
  self->curl = curl_easy_init ();
  return self;
}

ScalerFake *
scaler_fake_start (GError **error)
{
  return scaler_fake_start_with_config (NULL, error);
}

const char *
scaler_fake_get_ec2_url (ScalerFake *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->ec2_url;
}

const char *
scaler_fake_get_clearml_url (ScalerFake *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->clearml_url;
}

const char *
scaler_fake_get_url (ScalerFake *self,
                     const char *listener)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (listener != NULL, NULL);
  return self->urls != NULL ? g_hash_table_lookup (self->urls, listener) : NULL;
}

GPid
scaler_fake_get_pid (ScalerFake *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->pid;
}

static size_t
write_cb (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  g_string_append_len (user_data, data, (gssize) (size * nmemb));
  return size * nmemb;
}

JsonNode *
scaler_fake_control (ScalerFake  *self,
                     const char  *method,
                     const char  *path,
                     const char  *json_body,
                     GError     **error)
{
  g_autofree char *url = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  struct curl_slist *headers = NULL;
  CURLcode rc;
  long status = 0;
  JsonNode *root;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path != NULL && g_str_has_prefix (path, "/_fake/"), NULL);

  url = g_strconcat (self->ec2_url, path, NULL);
  curl_easy_reset (self->curl);
  curl_easy_setopt (self->curl, CURLOPT_URL, url);
  curl_easy_setopt (self->curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt (self->curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt (self->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (self->curl, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (self->curl, CURLOPT_WRITEDATA, answer);
  headers = curl_slist_append (headers, "Content-Type: application/json");
  headers = curl_slist_append (headers, "Expect:");
  curl_easy_setopt (self->curl, CURLOPT_HTTPHEADER, headers);
  if (json_body != NULL)
    {
      curl_easy_setopt (self->curl, CURLOPT_POSTFIELDS, json_body);
      curl_easy_setopt (self->curl, CURLOPT_POSTFIELDSIZE, (long) strlen (json_body));
    }
  else if (g_ascii_strcasecmp (method, "POST") == 0)
    {
      curl_easy_setopt (self->curl, CURLOPT_POSTFIELDS, "");
      curl_easy_setopt (self->curl, CURLOPT_POSTFIELDSIZE, 0L);
    }
  rc = curl_easy_perform (self->curl);
  curl_slist_free_all (headers);
  if (rc != CURLE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "fake control %s %s: %s",
                   method, path, curl_easy_strerror (rc));
      return NULL;
    }
  curl_easy_getinfo (self->curl, CURLINFO_RESPONSE_CODE, &status);

  if (!json_parser_load_from_data (parser, answer->str, (gssize) answer->len, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "fake control %s %s: HTTP %ld, invalid JSON answer: %s",
                   method, path, status, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (status != 200)
    {
      const char *msg = NULL;

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        msg = json_object_get_string_member_with_default (json_node_get_object (root),
                                                          "error", NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "fake control %s %s: HTTP %ld: %s",
                   method, path, status, msg != NULL ? msg : answer->str);
      return NULL;
    }
  return root != NULL ? json_node_copy (root) : json_node_new (JSON_NODE_NULL);
}

JsonNode *
scaler_fake_controlf (ScalerFake  *self,
                      const char  *path,
                      GError     **error,
                      const char  *format,
                      ...)
{
  g_autofree char *body = NULL;
  va_list args;

  va_start (args, format);
  body = g_strdup_vprintf (format, args);
  va_end (args);
  return scaler_fake_control (self, "POST", path, body, error);
}

JsonNode *
scaler_fake_get_state_omit (ScalerFake  *self,
                            const char  *omit,
                            GError     **error)
{
  g_autofree char *path = NULL;

  if (omit != NULL && *omit != '\0')
    path = g_strconcat ("/_fake/state?omit=", omit, NULL);
  else
    path = g_strdup ("/_fake/state");
  return scaler_fake_control (self, "GET", path, NULL, error);
}

JsonNode *
scaler_fake_get_state (ScalerFake  *self,
                       GError     **error)
{
  return scaler_fake_get_state_omit (self, NULL, error);
}

gboolean
scaler_fake_reset (ScalerFake  *self,
                   GError     **error)
{
  g_autoptr(JsonNode) node = scaler_fake_control (self, "POST", "/_fake/reset", "{}", error);

  return node != NULL;
}

gint64
scaler_fake_get_request_count (ScalerFake *self,
                               const char *service,
                               const char *action)
{
  g_autoptr(JsonNode) state = NULL;
  JsonObject *requests;
  JsonObject *per_service;

  g_return_val_if_fail (self != NULL, 0);

  state = scaler_fake_get_state_omit (self, "instances,workers,tasks,queues,ec2_requests,clearml_requests",
                                      NULL);
  if (state == NULL || !JSON_NODE_HOLDS_OBJECT (state))
    return 0;
  requests = json_object_get_object_member (json_node_get_object (state), "requests");
  if (requests == NULL || !json_object_has_member (requests, service))
    return 0;
  per_service = json_object_get_object_member (requests, service);
  return json_object_get_int_member_with_default (per_service, action, 0);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
stop_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
scaler_fake_stop (ScalerFake *self)
{
  if (self == NULL)
    return;

  if (self->process != NULL)
    {
      g_autoptr(GMainContext) context = g_main_context_new ();
      g_autoptr(GSource) timeout = NULL;
      gboolean done = FALSE;
      gboolean timed_out = FALSE;

      g_main_context_push_thread_default (context);
      g_subprocess_send_signal (self->process, SIGTERM);
      g_subprocess_wait_async (self->process, NULL, wait_cb, &done);
      timeout = g_timeout_source_new (STOP_TIMEOUT_MS);
      g_source_set_callback (timeout, stop_timeout_cb, &timed_out, NULL);
      g_source_attach (timeout, context);
      while (!done && !timed_out)
        g_main_context_iteration (context, TRUE);
      if (!done)
        {
          g_warning ("fake-cloud (pid %d) did not stop within %d s; killing it",
                     (int) self->pid, STOP_TIMEOUT_MS / 1000);
          g_subprocess_force_exit (self->process);
          while (!done)
            g_main_context_iteration (context, TRUE);
        }
      g_source_destroy (timeout);
      g_main_context_pop_thread_default (context);
    }

  if (self->stdin_pipe != NULL)
    g_output_stream_close (self->stdin_pipe, NULL, NULL);
  g_clear_object (&self->stdin_pipe);
  g_clear_object (&self->process);
  g_clear_pointer (&self->curl, curl_easy_cleanup);
  g_free (self->ec2_url);
  g_free (self->clearml_url);
  g_clear_pointer (&self->urls, g_hash_table_unref);
  g_free (self);
}
