/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Tests of the ClearML client (scaler-clearml.c) and ScalerClearmlSource:
 * the pure parsers, then real HTTP against the fake ClearML server
 * (tests/fakes, through tests/support/scaler-fake.h): queues and pending
 * counts on both API-version paths, workers with and without
 * worker_pattern, unregister, tasks, the token flow, wrong credentials, bad
 * answers, "test connection", and an end-to-end run of a generated bootstrap
 * in a fake EC2 instance. Every fake-backed test ends by checking that
 * queues.get_next_task was never called.
 */

#define G_LOG_DOMAIN "test-clearml"

#include "config.h"

#include <string.h>

#include "scaler-core.h"
#include "scaler-fake.h"
#include "support/scaler-test-config.h"

#define KEY    "FAKEKEY"
#define SECRET "FAKESECRET"

static ScalerFake *fake;

/* ---------------------------------------------------------------- helpers */

static gboolean
require_fake (void)
{
  g_autoptr(GError) error = NULL;

  if (fake != NULL)
    {
      g_assert_true (scaler_fake_reset (fake, &error));
      g_assert_no_error (error);
      return TRUE;
    }
  if (!scaler_fake_require ())
    return FALSE;
  fake = scaler_fake_start (&error);
  g_assert_no_error (error);
  return TRUE;
}

static void
control (const char *path,
         const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = scaler_fake_control (fake, "POST", path, json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (answer);
}

static void
set_fake_version (const char *version)
{
  g_autofree char *json = g_strdup_printf ("{\"clearml_api_version\": \"%s\"}", version);

  control ("/_fake/config", json);
}

static void
add_fault (const char *endpoint,
           const char *kind,
           guint       count)
{
  g_autofree char *json = g_strdup_printf ("{\"service\": \"clearml\", \"action\": \"%s\", "
                                           "\"kind\": \"%s\", \"count\": %u}",
                                           endpoint, kind, count);
  control ("/_fake/fault", json);
}

/* Enqueues @count tasks on @queue (created if missing); returns the first task id. */
static char *
enqueue (const char *queue,
         guint       count,
         double      duration_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  JsonArray *ids;

  answer = scaler_fake_controlf (fake, "/_fake/enqueue", &error,
                                 "{\"queue\": \"%s\", \"count\": %u, \"duration_s\": %g}",
                                 queue, count, duration_s);
  g_assert_no_error (error);
  ids = json_object_get_array_member (json_node_get_object (answer), "task_ids");
  if (json_array_get_length (ids) == 0)
    return NULL;
  return g_strdup (json_array_get_string_element (ids, 0));
}

static ScalerClearmlClient *
new_client_for (const char *url,
                const char *key,
                const char *secret)
{
  g_autoptr(GError) error = NULL;
  ScalerClearmlClient *client = scaler_clearml_client_new (url, key, secret, &error);

  g_assert_no_error (error);
  scaler_http_set_timeouts (scaler_clearml_client_get_http (client), 2000, 5000);
  return client;
}

static ScalerClearmlClient *
new_client (void)
{
  return new_client_for (scaler_fake_get_clearml_url (fake), KEY, SECRET);
}

static gint64
request_count (const char *endpoint)
{
  return scaler_fake_get_request_count (fake, "clearml", endpoint);
}

static JsonObject *
state_object (JsonNode **holder)
{
  g_autoptr(GError) error = NULL;

  *holder = scaler_fake_get_state (fake, &error);
  g_assert_no_error (error);
  return json_node_get_object (*holder);
}

static void
assert_no_get_next_task (void)
{
  g_autoptr(JsonNode) state = NULL;
  JsonObject *o = state_object (&state);

  g_assert_cmpint (json_object_get_int_member (o, "get_next_task_calls"), ==, 0);
  g_assert_cmpint (request_count ("queues.get_next_task"), ==, 0);
}

/* The body of the last logged request to @endpoint (NULL if none). */
static JsonObject *
last_request_body (JsonNode  **holder,
                   const char *endpoint)
{
  JsonObject *state = state_object (holder);
  JsonArray *log = json_object_get_array_member (state, "clearml_requests");

  for (guint i = json_array_get_length (log); i > 0; i--)
    {
      JsonObject *entry = json_array_get_object_element (log, i - 1);
      JsonNode *ep = json_object_get_member (entry, "endpoint");

      if (ep != NULL && JSON_NODE_HOLDS_VALUE (ep) &&
          g_strcmp0 (json_node_get_string (ep), endpoint) == 0)
        {
          JsonNode *body = json_object_get_member (entry, "body");
          return body != NULL && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
        }
    }
  return NULL;
}

static ScalerConfig *
make_config (const char *api_server)
{
  ScalerConfig *config = scaler_test_config_new (&(ScalerTestConfigOptions) {
    .workers_prefix = "e2e",
    .resource = "res1",
    .queue = "e2e-queue",
    .instance_type = "t3.micro",
  });

  g_free (config->clearml_api_server);
  config->clearml_api_server = g_strdup (api_server);
  return config;
}

static ScalerSecrets *
make_secrets (const char *key,
              const char *secret)
{
  ScalerSecrets *secrets = scaler_secrets_new ();

  secrets->clearml_access_key = g_strdup (key);
  secrets->clearml_secret_key = g_strdup (secret);
  return secrets;
}

/* ------------------------------------------------------------ pure parsers */

static void
test_parse_time (void)
{
  /* 2025-01-03T08:41:03Z */
  const gint64 base = G_GINT64_CONSTANT (1735893663) * G_USEC_PER_SEC;
  struct { const char *text; gint64 expected; } good[] = {
    { "2025-01-03T08:41:03.010000+00:00", base + 10000 },
    { "2025-01-03T08:41:03.010000", base + 10000 },           /* no offset = UTC */
    { "2025-01-03T08:41:03Z", base },
    { "2025-01-03T08:41:03", base },
    { "2025-01-03 08:41:03.5", base + 500000 },
    { "2025-01-03T08:41:03.1234567+00:00", base + 123456 },   /* truncated to usec */
    { "2025-01-03T10:41:03+02:00", base },
    { "2025-01-03T10:41:03+0200", base },
    { "2025-01-03T10:41:03+02", base },
    { "2025-01-03T03:11:03-05:30", base },
    { "2025-01-03T08:41Z", base - 3 * G_USEC_PER_SEC },
    { "1970-01-01T00:00:00Z", 0 },
    { "2024-02-29T00:00:00Z", G_GINT64_CONSTANT (1709164800) * G_USEC_PER_SEC },
  };
  const char *bad[] = {
    "", "2025", "2025-01-03T", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
    "2025-01-03T25:00:00Z", "2025-01-03T08:41:03+", "2025-01-03T08:41:03.Z",
    "2025-01-03T08:41:03 junk", "03/01/2025", "2025-01-03T08:41:03+24:00", NULL
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      gint64 t = -1;

      if (!scaler_clearml_parse_time (good[i].text, &t))
        g_error ("could not parse %s", good[i].text);
      g_assert_cmpint (t, ==, good[i].expected);
    }
  for (guint i = 0; bad[i] != NULL; i++)
    {
      gint64 t = 42;

      if (scaler_clearml_parse_time (bad[i], &t))
        g_error ("parsed the bad time “%s”", bad[i]);
      g_assert_cmpint (t, ==, 42);
    }
  g_assert_false (scaler_clearml_parse_time (NULL, &(gint64){ 0 }));
}

static void
test_parse_misc (void)
{
  g_autofree char *re1 = scaler_clearml_exact_name_regex ("gpu.large (a|b)*+?[x]{2}^$\\_é");

  g_assert_cmpuint (scaler_clearml_parse_version ("2.31"), ==, 2031);
  g_assert_cmpuint (scaler_clearml_parse_version ("v2.4"), ==, 2004);
  g_assert_cmpuint (scaler_clearml_parse_version ("1"), ==, 1000);
  g_assert_cmpuint (scaler_clearml_parse_version ("2."), ==, 0);
  g_assert_cmpuint (scaler_clearml_parse_version ("x"), ==, 0);
  g_assert_cmpuint (scaler_clearml_parse_version (NULL), ==, 0);
  g_assert_cmpstr (re1, ==, "^gpu\\.large\\ \\(a\\|b\\)\\*\\+\\?\\[x\\]\\{2\\}\\^\\$\\\\_é$");
}

static JsonNode *
envelope (guint       status,
          const char *content_type,
          const char *body,
          GError    **error)
{
  return scaler_clearml_parse_envelope ("x.y", status, content_type, body, body ? strlen (body) : 0,
                                        NULL, error);
}

static void
test_parse_envelope (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) data = NULL;
  ScalerClearmlMeta meta = { 0, };
  const char *ok = "{\"meta\": {\"result_code\": 200, \"result_subcode\": 0, \"result_msg\": \"OK\","
                   " \"endpoint\": {\"name\": \"x.y\", \"requested_version\": \"2.31\","
                   " \"actual_version\": \"2.4\"}}, \"data\": {\"num\": 3}}";
  guint n = 0;

  data = scaler_clearml_parse_envelope ("x.y", 200, "application/json", ok, strlen (ok), &meta, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (meta.api_version, ==, 2031);
  g_assert_cmpstr (meta.result_msg, ==, "OK");
  g_assert_true (scaler_clearml_parse_num_entries (data, &n, &error));
  g_assert_cmpuint (n, ==, 3);
  scaler_clearml_meta_clear (&meta);
  g_clear_pointer (&data, json_node_unref);

  /* Errors carry the result code, subcode and message. */
  data = envelope (400, "application/json",
                   "{\"meta\": {\"result_code\": 400, \"result_subcode\": 701, "
                   "\"result_msg\": \"Invalid queue id: id=q\"}, \"data\": {}}", &error);
  g_assert_null (data);
  g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Invalid queue id: id=q (HTTP 400, result 400/701)"));
  g_clear_error (&error);

  data = envelope (404, NULL, "{\"meta\": {\"result_code\": 404, \"result_subcode\": 0, \"result_msg\":"
                   " \"Unable to find endpoint for name x.y and version 2.4\"}, \"data\": {}}", &error);
  g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* Wrong types never crash, they are bad answers. */
  data = envelope (200, NULL, "{\"meta\": {\"result_code\": \"200\"}, \"data\": []}", &error);
  g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE);
  g_clear_error (&error);
  data = envelope (200, NULL, "[1, 2]", &error);
  g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "not a ClearML envelope"));
  g_clear_error (&error);
  data = envelope (200, NULL, "{\"meta\": {}, \"data\": {\"x\": 1}} trailing", &error);
  g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "not valid JSON"));
  g_clear_error (&error);
  {
    g_autofree char *deep = g_strnfill (100000, '[');
    data = envelope (200, NULL, deep, &error);
    g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE);
    g_clear_error (&error);
  }

  /* Absent and null alike. */
  data = envelope (200, NULL, "{\"meta\": {\"result_code\": 200}, \"data\": {\"workers\": ["
                   "{\"id\": \"p:r:t:i-1\", \"task\": null, \"register_time\": null, \"queues\": null},"
                   "{\"id\": \"p:r:t:i-2\"}]}}", &error);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) workers = scaler_clearml_parse_workers (data, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (workers->len, ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        ScalerWorker *w = g_ptr_array_index (workers, i);
        g_assert_null (w->task_id);
        g_assert_cmpint (w->register_time, ==, 0);
        g_assert_nonnull (w->queues);
        g_assert_null (w->queues[0]);
      }
  }
  g_clear_pointer (&data, json_node_unref);

  data = envelope (200, NULL, "{\"meta\": {\"result_code\": 200}, \"data\": {\"workers\": [{\"task\": {}}]}}",
                   &error);
  g_assert_no_error (error);
  g_assert_null (scaler_clearml_parse_workers (data, &error));
  g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "the id of worker 0"));
  g_clear_error (&error);
  g_assert_null (scaler_clearml_parse_queues (data, &error));
  g_assert_nonnull (strstr (error->message, "“queues” list"));
  g_clear_error (&error);
  g_assert_false (scaler_clearml_parse_queue_entries (data, &n, &error));
  g_clear_error (&error);
  g_clear_pointer (&data, json_node_unref);
}

static void
test_url (void)
{
  struct { const char *in; const char *base; } good[] = {
    { "https://api.clear.ml", "https://api.clear.ml" },
    { "https://api.clear.ml/", "https://api.clear.ml" },
    { "  http://host:8008//  ", "http://host:8008" },
    { "https://host/clearml/api/", "https://host/clearml/api" },
    { "http://127.0.0.1:1/v2.20/", "http://127.0.0.1:1/v2.20" },
  };
  const char *bad[] = { "", "api.clear.ml", "ftp://x", "https://", "https:///path",
                        "https://host/a b", "https://host/?x=1", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ScalerClearmlClient) client = scaler_clearml_client_new (good[i].in, "k", "s", &error);

      g_assert_no_error (error);
      g_assert_cmpstr (scaler_clearml_client_get_base_url (client), ==, good[i].base);
    }
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ScalerClearmlClient) client = scaler_clearml_client_new (bad[i], "k", "s", &error);

      g_assert_null (client);
      g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_REQUEST);
    }
}

/* ------------------------------------------------------- against the fake */

static void
check_pending (gboolean new_server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSecrets) secrets = make_secrets (KEY, SECRET);
  g_autoptr(ScalerClearmlSource) source = NULL;
  const char *queues[] = { "gpu", "a.c", "no-such-queue", "cpu", "gpu (x)", NULL };
  guint counts[5] = { 99, 99, 99, 99, 99 };
  g_autofree char *t1 = NULL;

  if (!require_fake ())
    return;
  if (!new_server)
    set_fake_version ("2.14");
  t1 = enqueue ("gpu", 3, 60);
  g_free (enqueue ("cpu", 0, 60));
  g_free (enqueue ("a.c", 1, 60));
  g_free (enqueue ("abc", 5, 60));      /* "a.c" as a regex would match it */
  g_free (enqueue ("gpu-big", 7, 60));  /* "gpu" unanchored would match it */
  g_free (enqueue ("gpu (x)", 2, 60));

  config = make_config (scaler_fake_get_clearml_url (fake));
  source = scaler_clearml_source_new (config, secrets, &error);
  g_assert_no_error (error);
  g_assert_true (scaler_queue_source_get_pending (SCALER_QUEUE_SOURCE (source), queues, counts,
                                                  NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts[0], ==, 3);
  g_assert_cmpuint (counts[1], ==, 1);
  g_assert_cmpuint (counts[2], ==, 0);
  g_assert_cmpuint (counts[3], ==, 0);
  g_assert_cmpuint (counts[4], ==, 2);

  if (new_server)
    {
      g_assert_cmpint (request_count ("queues.get_num_entries"), ==, 4);
      g_assert_cmpint (request_count ("queues.get_by_id"), ==, 0);
      g_assert_cmpuint (scaler_clearml_client_get_api_version (
                          scaler_clearml_source_get_client (source)), ==, 2031);
    }
  else
    {
      g_assert_cmpint (request_count ("queues.get_num_entries"), ==, 0);
      g_assert_cmpint (request_count ("queues.get_by_id"), ==, 4);
      g_assert_cmpuint (scaler_clearml_client_get_api_version (
                          scaler_clearml_source_get_client (source)), ==, 2014);
    }
  /* One queues.get_all, restricted by name with only_fields. */
  g_assert_cmpint (request_count ("queues.get_all"), ==, 1);
  {
    g_autoptr(JsonNode) holder = NULL;
    JsonObject *body = last_request_body (&holder, "queues.get_all");

    g_assert_nonnull (body);
    g_assert_cmpstr (json_object_get_string_member (body, "name"), ==,
                     "^(?:gpu|a\\.c|no\\-such\\-queue|cpu|gpu\\ \\(x\\))$");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "only_fields")), ==, 2);
  }

  /* Reading never took a task off a queue. */
  {
    g_autoptr(JsonNode) holder = NULL;
    JsonObject *state = state_object (&holder);
    JsonArray *tasks = json_object_get_array_member (state, "tasks");

    for (guint i = 0; i < json_array_get_length (tasks); i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tasks, i), "status"),
                       ==, "queued");
  }
  assert_no_get_next_task ();
}

static void
test_pending_new_server (void)
{
  check_pending (TRUE);
}

static void
test_pending_old_server (void)
{
  check_pending (FALSE);
}

static void
test_pending_fallback_on_404 (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queues = NULL;
  const char *names[] = { "gpu", NULL };
  guint count = 0;

  if (!require_fake ())
    return;
  g_free (enqueue ("gpu", 2, 60));
  /* The API says 2.31 but get_num_entries is missing (a proxy, a fork). */
  client = new_client ();
  queues = scaler_clearml_client_get_queues (client, names, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queues->len, ==, 1);
  control ("/_fake/fault", "{\"service\": \"clearml\", \"action\": \"queues.get_num_entries\", "
           "\"kind\": \"error\", \"status\": 404, \"message\": \"Unable to find endpoint for name "
           "queues.get_num_entries and version 2.31\"}");
  for (guint round = 0; round < 2; round++)
    {
      g_assert_true (scaler_clearml_client_get_pending (
                       client, ((ScalerClearmlQueue *) g_ptr_array_index (queues, 0))->id, &count,
                       NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (count, ==, 2);
    }
  /* One failed try, then get_by_id only. */
  g_assert_cmpint (request_count ("queues.get_num_entries"), ==, 1);
  g_assert_cmpint (request_count ("queues.get_by_id"), ==, 2);
  assert_no_get_next_task ();
}

static void
test_pinned_version_url (void)
{
  g_autofree char *url = NULL;
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) workers = NULL;
  g_autoptr(GPtrArray) queues = NULL;
  const char *names[] = { "gpu", NULL };
  guint count = 0;

  if (!require_fake ())
    return;
  g_free (enqueue ("gpu", 4, 60));
  control ("/_fake/workers", "{\"id\": \"dyn:r:t3.micro:i-1\", \"queue\": \"gpu\"}");
  control ("/_fake/workers", "{\"id\": \"other:r:t3.micro:i-2\", \"queue\": \"gpu\"}");

  /* A "/v2.13/" api_server: every call at 2.13, so the old paths. */
  url = g_strdup_printf ("%s/v2.13/", scaler_fake_get_clearml_url (fake));
  client = new_client_for (url, KEY, SECRET);
  queues = scaler_clearml_client_get_queues (client, names, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (scaler_clearml_client_get_pending (
                   client, ((ScalerClearmlQueue *) g_ptr_array_index (queues, 0))->id, &count,
                   NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 4);
  g_assert_cmpint (request_count ("queues.get_by_id"), ==, 1);
  g_assert_cmpint (request_count ("queues.get_num_entries"), ==, 0);

  workers = scaler_clearml_client_get_workers (client, "dyn", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (workers->len, ==, 1);
  {
    g_autoptr(JsonNode) holder = NULL;
    JsonObject *body = last_request_body (&holder, "workers.get_all");

    g_assert_nonnull (body);
    g_assert_false (json_object_has_member (body, "worker_pattern"));
  }
  {
    g_autoptr(JsonNode) holder = NULL;
    JsonObject *state = state_object (&holder);
    JsonArray *log = json_object_get_array_member (state, "clearml_requests");
    JsonObject *last = json_array_get_object_element (log, json_array_get_length (log) - 1);

    g_assert_cmpstr (json_object_get_string_member (last, "version"), ==, "2.13");
  }
  assert_no_get_next_task ();
}

static void
test_queue_paging (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queues = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (!require_fake ())
    return;
  client = new_client ();
  /* 620 queues through the real API (queues.create), all requested at once. */
  for (guint i = 0; i < 620; i++)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) body = NULL;
      g_autoptr(JsonNode) data = NULL;
      char *name = g_strdup_printf ("queue-%04u", i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name);
      json_builder_end_object (b);
      body = json_builder_get_root (b);
      data = scaler_clearml_client_call (client, "queues.create", body, NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (names, name);
    }
  g_ptr_array_add (names, NULL);

  queues = scaler_clearml_client_get_queues (client, (const char * const *) names->pdata, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queues->len, ==, 620);
  g_assert_cmpint (request_count ("queues.get_all"), ==, 2);
  for (guint i = 0; i < 620; i++)
    g_assert_cmpstr (((ScalerClearmlQueue *) g_ptr_array_index (queues, i))->name, ==,
                     g_ptr_array_index (names, i));
  assert_no_get_next_task ();
}

static ScalerWorker *
find_worker (GPtrArray  *workers,
             const char *id)
{
  for (guint i = 0; i < workers->len; i++)
    {
      ScalerWorker *w = g_ptr_array_index (workers, i);

      if (g_str_equal (w->id, id))
        return w;
    }
  return NULL;
}

static void
check_workers (const char *version,
               gboolean    expect_pattern)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSecrets) secrets = make_secrets (KEY, SECRET);
  g_autoptr(ScalerClearmlSource) source = NULL;
  g_autoptr(GPtrArray) workers = NULL;
  ScalerWorker *busy, *idle;
  gint64 now = g_get_real_time ();

  if (!require_fake ())
    return;
  set_fake_version (version);
  g_free (enqueue ("gpu", 0, 60));
  control ("/_fake/workers", "{\"id\": \"dyn:res:t3.micro:i-0000000000000001\", \"queue\": \"gpu\","
           " \"task_name\": \"train resnet\", \"busy_s\": 600}");
  control ("/_fake/workers", "{\"id\": \"dyn:res:t3.micro:i-0000000000000002\", \"queue\": \"gpu\","
           " \"last_activity_age_s\": 120}");
  control ("/_fake/workers", "{\"id\": \"dynx:res:t3.micro:i-0000000000000003\", \"queue\": \"gpu\"}");
  control ("/_fake/workers", "{\"id\": \"other:res:t3.micro:i-0000000000000004\"}");
  control ("/_fake/workers", "{\"id\": \"dyn\"}");

  config = make_config (scaler_fake_get_clearml_url (fake));
  source = scaler_clearml_source_new (config, secrets, &error);
  g_assert_no_error (error);
  workers = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (source), "dyn", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (workers->len, ==, 2);

  busy = find_worker (workers, "dyn:res:t3.micro:i-0000000000000001");
  idle = find_worker (workers, "dyn:res:t3.micro:i-0000000000000002");
  g_assert_nonnull (busy);
  g_assert_nonnull (idle);
  g_assert_nonnull (busy->task_id);
  g_assert_cmpstr (busy->task_name, ==, "train resnet");
  g_assert_null (idle->task_id);
  g_assert_null (idle->task_name);
  g_assert_cmpstr (busy->queues[0], ==, "gpu");
  g_assert_null (busy->queues[1]);
  /* Times from the server's ISO strings, in usec (the fake's clock is real time). */
  g_assert_cmpint (busy->register_time, >, now - 30 * G_USEC_PER_SEC);
  g_assert_cmpint (busy->register_time, <, now + 30 * G_USEC_PER_SEC);
  g_assert_cmpint (idle->last_activity_time, >, now - 150 * G_USEC_PER_SEC);
  g_assert_cmpint (idle->last_activity_time, <, now - 90 * G_USEC_PER_SEC);

  {
    g_autoptr(JsonNode) holder = NULL;
    JsonObject *body = last_request_body (&holder, "workers.get_all");

    g_assert_nonnull (body);
    if (expect_pattern)
      g_assert_cmpstr (json_object_get_string_member (body, "worker_pattern"), ==, "dyn:*");
    else
      g_assert_false (json_object_has_member (body, "worker_pattern"));
  }
  assert_no_get_next_task ();
}

static void
test_workers_pattern (void)
{
  check_workers ("2.31", TRUE);
}

static void
test_workers_fallback (void)
{
  check_workers ("2.29", FALSE);
}

static void
test_unregister (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSecrets) secrets = make_secrets (KEY, SECRET);
  g_autoptr(ScalerClearmlSource) source = NULL;
  g_autoptr(GPtrArray) workers = NULL;

  if (!require_fake ())
    return;
  control ("/_fake/workers", "{\"id\": \"dyn:res:t3.micro:i-0000000000000001\"}");
  control ("/_fake/workers", "{\"id\": \"dyn:res:t3.micro:i-0000000000000002\"}");
  config = make_config (scaler_fake_get_clearml_url (fake));
  source = scaler_clearml_source_new (config, secrets, &error);
  g_assert_no_error (error);

  g_assert_true (scaler_queue_source_unregister_worker (SCALER_QUEUE_SOURCE (source),
                                                        "dyn:res:t3.micro:i-0000000000000001",
                                                        NULL, &error));
  g_assert_no_error (error);
  /* Unknown: not an error. */
  g_assert_true (scaler_queue_source_unregister_worker (SCALER_QUEUE_SOURCE (source),
                                                        "dyn:res:t3.micro:i-ffffffffffffffff",
                                                        NULL, &error));
  g_assert_no_error (error);

  workers = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (source), "dyn", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (workers->len, ==, 1);
  g_assert_cmpstr (((ScalerWorker *) g_ptr_array_index (workers, 0))->id, ==,
                   "dyn:res:t3.micro:i-0000000000000002");
  {
    g_autoptr(JsonNode) holder = NULL;
    JsonObject *body = last_request_body (&holder, "workers.unregister");
    g_assert_cmpstr (json_object_get_string_member (body, "worker"), ==,
                     "dyn:res:t3.micro:i-ffffffffffffffff");
  }
  assert_no_get_next_task ();
}

/* 403 is a permission error: its own code, no new login; only 401 logs in
 * again. */
static void
test_forbidden (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_fake ())
    return;
  client = new_client ();
  {
    g_autoptr(GPtrArray) workers = scaler_clearml_client_get_workers (client, "dyn", NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (request_count ("auth.login"), ==, 1);

  control ("/_fake/fault", "{\"service\": \"clearml\", \"action\": \"workers.unregister\", \"kind\": \"error\", "
                           "\"status\": 403, \"subcode\": 21, \"message\": \"forbidden (modification not allowed)\"}");
  g_assert_false (scaler_clearml_client_unregister_worker (client, "dyn:res:t3.micro:i-1", NULL, &error));
  g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_PERMISSION);
  g_assert_nonnull (strstr (error->message, "403/21"));
  g_assert_nonnull (strstr (error->message, "modification not allowed"));
  g_clear_error (&error);
  g_assert_cmpint (request_count ("auth.login"), ==, 1);
  g_assert_cmpint (request_count ("workers.unregister"), ==, 1);

  /* A 401 on the same call: one new login and a retry that works. */
  add_fault ("workers.unregister", "auth", 1);
  g_assert_true (scaler_clearml_client_unregister_worker (client, "dyn:res:t3.micro:i-1", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (request_count ("auth.login"), ==, 2);
  g_assert_cmpint (request_count ("workers.unregister"), ==, 3);
  assert_no_get_next_task ();
}

/* workers.unregister removes only the caller's own workers and says 200 either
 * way: the client notices, once, and names both users. */
static void
test_unregister_not_own (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) workers = NULL;

  if (!require_fake ())
    return;
  control ("/_fake/config", "{\"clearml_users\": [{\"key\": \"AGENTKEY\", \"secret\": \"AGENTSECRET\", \"name\": \"agents\"}]}");
  control ("/_fake/workers", "{\"id\": \"dyn:res:t3.micro:i-0000000000000001\", \"user\": \"agents\"}");
  control ("/_fake/workers", "{\"id\": \"dyn:res:t3.micro:i-0000000000000002\", \"user\": \"agents\"}");
  control ("/_fake/workers", "{\"id\": \"dyn:res:t3.micro:i-0000000000000003\"}");
  client = new_client ();

  /* Our own worker: removed, no complaint. */
  g_assert_true (scaler_clearml_client_unregister_worker (client, "dyn:res:t3.micro:i-0000000000000003", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (request_count ("users.get_current_user"), ==, 0);

  /* Another user's: still there, and said so once. */
  g_assert_false (scaler_clearml_client_unregister_worker (client, "dyn:res:t3.micro:i-0000000000000001", NULL, &error));
  g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_PERMISSION);
  g_assert_nonnull (strstr (error->message, "dyn:res:t3.micro:i-0000000000000001"));
  g_assert_nonnull (strstr (error->message, "“agents”"));
  g_assert_nonnull (strstr (error->message, "“autoscaler”"));
  g_assert_nonnull (strstr (error->message, "only its own workers"));
  g_assert_null (strstr (error->message, "AGENTSECRET"));
  g_clear_error (&error);
  g_assert_true (scaler_clearml_client_unregister_worker (client, "dyn:res:t3.micro:i-0000000000000002", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (request_count ("users.get_current_user"), ==, 1);

  workers = scaler_clearml_client_get_workers (client, "dyn", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (workers->len, ==, 2);
  assert_no_get_next_task ();
}

/* Listed again after an unregister, by the same user (its live agent
 * reported once more): not an error. */
static void
test_unregister_relisted (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_fake ())
    return;
  control ("/_fake/workers", "{\"id\": \"dyn:res:t3.micro:i-0000000000000001\"}");
  client = new_client ();
  /* A 200 that removed nothing. */
  add_fault ("workers.unregister", "missing_fields", 1);
  g_assert_true (scaler_clearml_client_unregister_worker (client, "dyn:res:t3.micro:i-0000000000000001", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (request_count ("users.get_current_user"), ==, 1);
  assert_no_get_next_task ();
}

static void
test_tasks (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GPtrArray) queued = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  const char *ids[3];
  const char *statuses[] = { "queued", NULL };

  if (!require_fake ())
    return;
  t1 = enqueue ("gpu", 1, 60);
  t2 = enqueue ("cpu", 1, 60);
  ids[0] = t1;
  ids[1] = "no-such-task";
  ids[2] = NULL;
  client = new_client ();
  tasks = scaler_clearml_client_get_tasks (client, ids, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tasks->len, ==, 1);
  {
    ScalerClearmlTask *t = g_ptr_array_index (tasks, 0);
    g_assert_cmpstr (t->id, ==, t1);
    g_assert_cmpstr (t->status, ==, "queued");
    g_assert_nonnull (t->queue_id);
    g_assert_null (t->last_worker);
    g_assert_cmpint (t->last_update, >, 0);
  }
  queued = scaler_clearml_client_get_tasks (client, NULL, statuses, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queued->len, ==, 2);
  {
    g_autoptr(JsonNode) holder = NULL;
    JsonObject *body = last_request_body (&holder, "tasks.get_all");
    g_assert_true (json_object_has_member (body, "only_fields"));
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (body, "status"), 0),
                     ==, "queued");
  }
  assert_no_get_next_task ();
}

static void
test_token_flow (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_fake ())
    return;
  client = new_client ();

  /* One login, then the token for every call. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GPtrArray) workers = scaler_clearml_client_get_workers (client, "dyn", NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (workers);
    }
  g_assert_cmpint (request_count ("auth.login"), ==, 1);
  g_assert_cmpint (request_count ("workers.get_all"), ==, 3);

  /* Every token expires: 401 -> one new login -> success. */
  control ("/_fake/expire-tokens", "{}");
  {
    g_autoptr(GPtrArray) workers = scaler_clearml_client_get_workers (client, "dyn", NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (workers);
  }
  g_assert_cmpint (request_count ("auth.login"), ==, 2);
  g_assert_cmpint (request_count ("workers.get_all"), ==, 5);

  /* The token_expired fault (401/30 on this very request). */
  add_fault ("workers.get_all", "token_expired", 1);
  {
    g_autoptr(GPtrArray) workers = scaler_clearml_client_get_workers (client, "dyn", NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (workers);
  }
  g_assert_cmpint (request_count ("auth.login"), ==, 3);

  /* 401 twice in a row: one re-login only, then a clear AUTH error. */
  add_fault ("workers.get_all", "auth", 2);
  {
    g_autoptr(GPtrArray) workers = scaler_clearml_client_get_workers (client, "dyn", NULL, &error);
    g_assert_null (workers);
    g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_AUTH);
    g_assert_nonnull (strstr (error->message, "workers.get_all"));
    g_assert_nonnull (strstr (error->message, "401/22"));
    g_clear_error (&error);
  }
  g_assert_cmpint (request_count ("auth.login"), ==, 4);

  /* Basic auth mode: no login at all. */
  scaler_clearml_client_set_use_token (client, FALSE);
  {
    g_autoptr(GPtrArray) workers = scaler_clearml_client_get_workers (client, "dyn", NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (workers);
  }
  g_assert_cmpint (request_count ("auth.login"), ==, 4);
  assert_no_get_next_task ();
}

static void
test_wrong_credentials (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSecrets) secrets = make_secrets (KEY, "not-the-secret");
  g_autoptr(ScalerSecrets) empty = make_secrets ("", "");
  g_autoptr(ScalerClearmlSource) source = NULL;
  g_autoptr(ScalerClearmlSource) none = NULL;
  g_autoptr(GPtrArray) workers = NULL;

  if (!require_fake ())
    return;
  config = make_config (scaler_fake_get_clearml_url (fake));
  source = scaler_clearml_source_new (config, secrets, &error);
  g_assert_no_error (error);
  workers = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (source), "dyn", NULL, &error);
  g_assert_null (workers);
  g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "auth.login"));
  g_assert_nonnull (strstr (error->message, "invalid credentials"));
  g_assert_nonnull (strstr (error->message, "401/22"));
  g_assert_null (strstr (error->message, "not-the-secret"));
  g_clear_error (&error);

  none = scaler_clearml_source_new (config, empty, &error);
  g_assert_null (none);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
  assert_no_get_next_task ();
}

static void
test_bad_answers (void)
{
  /* A reset on a kept-alive connection is retried once by libcurl on a
   * fresh one (safe: nothing was answered), so that fault is queued twice. */
  struct {
    const char *kind;
    int         code;
    const char *words;
  } cases[] = {
    { "html", SCALER_CLEARML_ERROR_BAD_RESPONSE, "HTML page “Sign in” (HTTP 200)" },
    { "proxy502", SCALER_CLEARML_ERROR_SERVER, "HTTP 502 from a proxy" },
    { "malformed", SCALER_CLEARML_ERROR_BAD_RESPONSE, "is not valid JSON" },
    { "missing_fields", SCALER_CLEARML_ERROR_BAD_RESPONSE, "lacks the “workers” list" },
    { "empty", SCALER_CLEARML_ERROR_BAD_RESPONSE, "empty answer (HTTP 200)" },
    { "server", SCALER_CLEARML_ERROR_SERVER, "General server error (HTTP 500, result 500/0)" },
    { "throttle", SCALER_CLEARML_ERROR_SERVER, "HTTP 429" },
    { "unavailable", SCALER_CLEARML_ERROR_SERVER, "HTTP 503" },
    { "truncated", SCALER_CLEARML_ERROR_NETWORK, "no answer from the server" },
    { "reset", SCALER_CLEARML_ERROR_NETWORK, "no answer from the server" },
    { "hang", SCALER_CLEARML_ERROR_NETWORK, "no answer from the server" },
  };
  g_autoptr(ScalerClearmlClient) client = NULL;

  if (!require_fake ())
    return;
  client = new_client ();
  scaler_http_set_timeouts (scaler_clearml_client_get_http (client), 1000, 1500);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) workers = NULL;

      add_fault ("workers.get_all", cases[i].kind, g_str_equal (cases[i].kind, "reset") ? 2 : 1);
      workers = scaler_clearml_client_get_workers (client, "dyn", NULL, &error);
      g_assert_null (workers);
      if (!g_error_matches (error, SCALER_CLEARML_ERROR, cases[i].code) ||
          strstr (error->message, cases[i].words) == NULL ||
          strstr (error->message, "workers.get_all") == NULL)
        g_error ("fault %s: unexpected error %s/%d: %s", cases[i].kind,
                 g_quark_to_string (error->domain), error->code, error->message);
      g_test_message ("%s -> %s", cases[i].kind, error->message);

      /* The next call works again. */
      g_clear_error (&error);
      g_clear_pointer (&workers, g_ptr_array_unref);
      workers = scaler_clearml_client_get_workers (client, "dyn", NULL, &error);
      g_assert_no_error (error);
    }

  /* A fault on auth.login: a clear error too. */
  {
    g_autoptr(ScalerClearmlClient) fresh = new_client ();
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) workers = NULL;

    add_fault ("auth.login", "html", 1);
    workers = scaler_clearml_client_get_workers (fresh, "dyn", NULL, &error);
    g_assert_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE);
    g_assert_nonnull (strstr (error->message, "auth.login"));
  }
  assert_no_get_next_task ();
}

static void
test_cancel (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) workers = NULL;

  if (!require_fake ())
    return;
  client = new_client ();
  g_cancellable_cancel (cancellable);
  workers = scaler_clearml_client_get_workers (client, "dyn", cancellable, &error);
  g_assert_null (workers);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_connection_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  char **out = user_data;
  ScalerClearmlVerdict verdict = 99;

  out[0] = scaler_clearml_test_connection_finish (result, &verdict);
  out[1] = g_strdup_printf ("%d", verdict);
}

/* Test Connection of @client: its message, with the verdict checked. */
static char *
test_connection_of (ScalerClearmlClient  *client,
                    ScalerClearmlVerdict  expected)
{
  ScalerClearmlVerdict verdict = 99;
  char *msg = scaler_clearml_client_test_connection (client, &verdict, NULL);

  g_assert_cmpint (verdict, ==, expected);
  return msg;
}

static void
test_connection_ok (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autofree char *msg = NULL;

  if (!require_fake ())
    return;
  client = new_client ();
  msg = test_connection_of (client, SCALER_CLEARML_VERDICT_OK);
  g_assert_cmpstr (msg, ==, "Connected to ClearML server 2.0.0 (API 2.31)");
  assert_no_get_next_task ();
}

/* Wrong keys; the credentials are checked by a call that needs them,
 * before server.info (which needs none): the order of the calls. */
static void
test_connection_wrong_keys (void)
{
  g_autoptr(ScalerClearmlClient) good = NULL;
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autofree char *good_msg = NULL;
  g_autofree char *msg = NULL;
  g_autoptr(JsonNode) holder = NULL;
  g_autoptr(GString) order = g_string_new (NULL);
  JsonArray *log;

  if (!require_fake ())
    return;
  good = new_client ();
  good_msg = test_connection_of (good, SCALER_CLEARML_VERDICT_OK);
  client = new_client_for (scaler_fake_get_clearml_url (fake), KEY, "wrong");
  msg = test_connection_of (client, SCALER_CLEARML_VERDICT_BAD_CREDENTIALS);
  g_assert_true (g_str_has_prefix (msg, "Wrong access key or secret key"));

  log = json_object_get_array_member (state_object (&holder), "clearml_requests");
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);

      g_string_append_printf (order, "%s %" G_GINT64_FORMAT ", ",
                              json_object_get_string_member_with_default (entry, "endpoint", "?"),
                              json_object_get_int_member_with_default (entry, "status", 0));
    }
  g_assert_cmpstr (order->str, ==,
                   "debug.ping 200, auth.login 200, server.info 200, "
                   "debug.ping 200, auth.login 401, ");
  assert_no_get_next_task ();
}

/* Basic mode: wrong keys are found by workers.get_all; right ones pass. */
static void
test_connection_basic_mode (void)
{
  g_autoptr(ScalerClearmlClient) wrong = NULL;
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autofree char *wrong_msg = NULL;
  g_autofree char *msg = NULL;

  if (!require_fake ())
    return;
  wrong = new_client_for (scaler_fake_get_clearml_url (fake), KEY, "wrong");
  scaler_clearml_client_set_use_token (wrong, FALSE);
  wrong_msg = test_connection_of (wrong, SCALER_CLEARML_VERDICT_BAD_CREDENTIALS);
  g_assert_true (g_str_has_prefix (wrong_msg, "Wrong access key or secret key"));
  g_assert_nonnull (strstr (wrong_msg, "workers.get_all"));

  client = new_client ();
  scaler_clearml_client_set_use_token (client, FALSE);
  msg = test_connection_of (client, SCALER_CLEARML_VERDICT_OK);
  g_assert_cmpstr (msg, ==, "Connected to ClearML server 2.0.0 (API 2.31)");
  assert_no_get_next_task ();
}

/* A key whose user may not log in (403): its own message. */
static void
test_connection_forbidden (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autofree char *msg = NULL;

  if (!require_fake ())
    return;
  client = new_client ();
  control ("/_fake/fault", "{\"service\": \"clearml\", \"action\": \"auth.login\", \"kind\": \"error\", "
                           "\"status\": 403, \"subcode\": 20, \"message\": \"forbidden (not allowed for role)\"}");
  msg = test_connection_of (client, SCALER_CLEARML_VERDICT_BAD_CREDENTIALS);
  g_assert_true (g_str_has_prefix (msg, "The key works but its user is not allowed to do this"));
  g_assert_nonnull (strstr (msg, "403/20"));
  assert_no_get_next_task ();
}

static void
test_connection_no_keys (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autofree char *msg = NULL;

  if (!require_fake ())
    return;
  client = new_client_for (scaler_fake_get_clearml_url (fake), "", "");
  msg = test_connection_of (client, SCALER_CLEARML_VERDICT_BAD_CREDENTIALS);
  g_assert_cmpstr (msg, ==, "The server is a ClearML server, but no access key and secret key are set");
  assert_no_get_next_task ();
}

/* An HTML page, and the EC2 listener of the fake (an answer, but no
 * ClearML envelope): not ClearML. */
static void
test_connection_not_clearml (void)
{
  g_autoptr(ScalerClearmlClient) client = NULL;
  g_autoptr(ScalerClearmlClient) ec2 = NULL;
  g_autofree char *msg = NULL;
  g_autofree char *ec2_msg = NULL;

  if (!require_fake ())
    return;
  client = new_client ();
  add_fault ("debug.ping", "html", 1);
  msg = test_connection_of (client, SCALER_CLEARML_VERDICT_NOT_CLEARML);
  g_assert_true (g_str_has_prefix (msg, "Not a ClearML API server at "));
  g_assert_nonnull (strstr (msg, "HTML page"));

  ec2 = new_client_for (scaler_fake_get_ec2_url (fake), KEY, SECRET);
  ec2_msg = test_connection_of (ec2, SCALER_CLEARML_VERDICT_NOT_CLEARML);
  g_assert_nonnull (strstr (ec2_msg, "XML document (HTTP 401)"));
  assert_no_get_next_task ();
}

/* A port nobody listens on. */
static void
test_connection_unreachable (void)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;
  g_autofree char *msg = NULL;
  g_autoptr(ScalerClearmlClient) client = NULL;

  if (!require_fake ())
    return;
  g_assert_true (g_socket_bind (sock, any, TRUE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (sock, NULL);
  client = new_client_for (url, KEY, SECRET);
  msg = test_connection_of (client, SCALER_CLEARML_VERDICT_UNREACHABLE);
  g_assert_true (g_str_has_prefix (msg, "Server unreachable: "));
  assert_no_get_next_task ();
}

/* The GTask variant. */
static void
test_connection_async (void)
{
  char *out[2] = { NULL, NULL };

  if (!require_fake ())
    return;
  scaler_clearml_test_connection_async (scaler_fake_get_clearml_url (fake), KEY, SECRET, NULL,
                                        test_connection_cb, out);
  while (out[0] == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (out[0], ==, "Connected to ClearML server 2.0.0 (API 2.31)");
  g_assert_cmpstr (out[1], ==, "0");
  g_free (out[0]);
  g_free (out[1]);
  assert_no_get_next_task ();
}

/* Launches one fake instance running @user_data; returns its id. */
typedef char *(*LaunchFunc) (const ScalerConfig   *config,
                             const ScalerResource *resource,
                             const char           *user_data);

static char *
launch_by_control (const ScalerConfig   *config,
                   const ScalerResource *resource,
                   const char           *user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "instance_type");
  json_builder_add_string_value (b, resource->instance_type);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, "pending");
  json_builder_set_member_name (b, "user_data");
  json_builder_add_string_value (b, user_data);
  json_builder_set_member_name (b, "tags");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ec2-autoscaler:resource");
  json_builder_add_string_value (b, resource->name);
  json_builder_end_object (b);
  json_builder_end_object (b);
  request = json_builder_get_root (b);
  json_generator_set_root (gen, request);
  body = json_generator_to_data (gen, NULL);
  answer = scaler_fake_control (fake, "POST", "/_fake/instances", body, &error);
  g_assert_no_error (error);
  return g_strdup (json_array_get_string_element (
    json_object_get_array_member (json_node_get_object (answer), "instance_ids"), 0));
}

/* Through the real EC2 client: RunInstances with the user-data in base64. */
static char *
launch_by_ec2 (const ScalerConfig   *config,
               const ScalerResource *resource,
               const char           *user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) copy = scaler_config_copy (config);
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  g_autoptr(ScalerEc2Cloud) cloud = NULL;
  g_autoptr(ScalerInstance) instance = NULL;
  g_autofree char *token = g_uuid_string_random ();
  ScalerLaunchSpec spec = { 0, };

  g_free (copy->aws_endpoint);
  copy->aws_endpoint = g_strdup (scaler_fake_get_ec2_url (fake));
  secrets->aws_access_key_id = g_strdup ("AKIDEXAMPLE");
  secrets->aws_secret_access_key = g_strdup ("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  cloud = scaler_ec2_cloud_new (copy, secrets, &error);
  g_assert_no_error (error);
  spec.config = copy;
  spec.resource = g_ptr_array_index (copy->resources, 0);
  spec.spot = FALSE;
  spec.client_token = token;
  spec.user_data = user_data;
  instance = scaler_cloud_launch (SCALER_CLOUD (cloud), &spec, NULL, &error);
  g_assert_no_error (error);
  return g_strdup (instance->instance_id);
}

/* A generated bootstrap in a fake EC2 instance: the right worker on the right
 * queue, and it takes a task from that queue. */
static void
check_end_to_end (LaunchFunc launch)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSecrets) secrets = make_secrets (KEY, SECRET);
  g_autoptr(ScalerClearmlSource) source = NULL;
  g_autofree char *user_data = NULL;
  g_autofree char *task_id = NULL;
  g_autofree char *expected_id = NULL;
  g_autofree char *instance_id = NULL;
  ScalerResource *resource;
  ScalerWorker *worker = NULL;
  g_autoptr(GPtrArray) workers = NULL;
  gint64 deadline;
  gboolean done = FALSE;

  if (!require_fake ())
    return;
  control ("/_fake/config", "{\"boot_delay_s\": 0.2, \"register_delay_s\": 0.2, \"report_interval_s\": 0.2}");

  config = make_config (scaler_fake_get_clearml_url (fake));
  resource = g_ptr_array_index (config->resources, 0);
  g_free (config->default_docker_image);
  config->default_docker_image = g_strdup ("nvidia/cuda:12.4.1-runtime-ubuntu22.04");
  g_free (resource->ami_id);
  resource->ami_id = g_strdup ("ami-0123456789abcdef0");
  user_data = scaler_bootstrap_generate (config, resource, secrets, &error);
  g_assert_no_error (error);

  /* A decoy: another queue with work, that this worker must not touch. */
  g_free (enqueue ("e2e-other", 2, 60));

  instance_id = launch (config, resource, user_data);
  expected_id = scaler_worker_id_build ("e2e", "res1", "t3.micro", instance_id);

  source = scaler_clearml_source_new (config, secrets, &error);
  g_assert_no_error (error);

  /* The queue does not exist yet when the instance launches: by the time the
   * agent looks it up it does (if not, the agent exits and the bootstrap
   * starts it again after a back-off, as on a real instance). */
  task_id = enqueue ("e2e-queue", 1, 0.5);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (worker == NULL && g_get_monotonic_time () < deadline)
    {
      g_clear_pointer (&workers, g_ptr_array_unref);
      workers = scaler_queue_source_list_workers (SCALER_QUEUE_SOURCE (source), "e2e", NULL, &error);
      g_assert_no_error (error);
      worker = workers->len > 0 ? g_ptr_array_index (workers, 0) : NULL;
      if (worker == NULL)
        g_usleep (100 * 1000);
    }
  g_assert_nonnull (worker);
  g_assert_cmpuint (workers->len, ==, 1);
  g_assert_cmpstr (worker->id, ==, expected_id);
  g_assert_cmpstr (worker->queues[0], ==, "e2e-queue");
  g_assert_null (worker->queues[1]);

  /* The task on that queue gets taken by that worker, and finishes. */
  while (!done && g_get_monotonic_time () < deadline)
    {
      const char *ids[] = { task_id, NULL };
      g_autoptr(GPtrArray) tasks =
        scaler_clearml_client_get_tasks (scaler_clearml_source_get_client (source), ids, NULL,
                                         NULL, &error);
      ScalerClearmlTask *t;

      g_assert_no_error (error);
      g_assert_cmpuint (tasks->len, ==, 1);
      t = g_ptr_array_index (tasks, 0);
      if (g_strcmp0 (t->status, "completed") == 0)
        {
          g_assert_cmpstr (t->last_worker, ==, expected_id);
          done = TRUE;
        }
      else
        g_usleep (100 * 1000);
    }
  g_assert_true (done);

  /* The decoy queue kept its tasks. */
  {
    const char *names[] = { "e2e-other", "e2e-queue", NULL };
    guint counts[2] = { 0, 99 };

    g_assert_true (scaler_queue_source_get_pending (SCALER_QUEUE_SOURCE (source), names, counts,
                                                    NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (counts[0], ==, 2);
    g_assert_cmpuint (counts[1], ==, 0);
  }
  assert_no_get_next_task ();
}

static void
test_end_to_end (void)
{
  check_end_to_end (launch_by_control);
}

static JsonObject *
find_instance (JsonNode  **holder,
               const char *instance_id)
{
  JsonArray *instances = json_object_get_array_member (state_object (holder), "instances");

  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *instance = json_array_get_object_element (instances, i);

      if (g_strcmp0 (json_object_get_string_member (instance, "instance_id"), instance_id) == 0)
        return instance;
    }
  return NULL;
}

/* The real agent exits when its queue does not exist (clearml-agent
 * commands/base.py:380-390); the bootstrap restarts it with back-off, then
 * shuts the instance down, which terminates it. */
static void
test_agent_missing_queue (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSecrets) secrets = make_secrets (KEY, SECRET);
  g_autofree char *user_data = NULL;
  g_autofree char *instance_id = NULL;
  ScalerResource *resource;
  gint64 deadline;
  gboolean done = FALSE;

  if (!require_fake ())
    return;
  control ("/_fake/config", "{\"boot_delay_s\": 0.2, \"register_delay_s\": 0.1, \"shutdown_delay_s\": 0.2}");
  config = make_config (scaler_fake_get_clearml_url (fake));
  resource = g_ptr_array_index (config->resources, 0);
  g_free (resource->ami_id);
  resource->ami_id = g_strdup ("ami-0123456789abcdef0");
  g_free (resource->queue);
  resource->queue = g_strdup ("no-such-queue");
  user_data = scaler_bootstrap_generate (config, resource, secrets, &error);
  g_assert_no_error (error);
  instance_id = launch_by_ec2 (config, resource, user_data);

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!done && g_get_monotonic_time () < deadline)
    {
      g_autoptr(JsonNode) holder = NULL;
      JsonObject *instance = find_instance (&holder, instance_id);
      const char *state = json_object_get_string_member (instance, "state");

      if (g_strcmp0 (state, "shutting-down") == 0 || g_strcmp0 (state, "terminated") == 0)
        {
          JsonObject *agent = json_object_get_object_member (instance, "agent");
          JsonArray *exits = json_object_get_array_member (agent, "exits");

          g_assert_cmpstr (json_object_get_string_member (instance, "state_reason"), ==,
                           "Client.InstanceInitiatedShutdown");
          g_assert_cmpuint (json_array_get_length (exits), ==, SCALER_BOOTSTRAP_AGENT_ATTEMPTS);
          for (guint i = 0; i < json_array_get_length (exits); i++)
            {
              JsonObject *exit = json_array_get_object_element (exits, i);

              g_assert_cmpint (json_object_get_int_member (exit, "status"), ==, 1);
              g_assert_nonnull (strstr (json_object_get_string_member (exit, "message"),
                                        "Could not find queue with name/id \"no-such-queue\""));
            }
          g_assert_true (json_object_get_boolean_member (agent, "shutdown"));
          done = TRUE;
        }
      else
        g_usleep (100 * 1000);
    }
  g_assert_true (done);
  assert_no_get_next_task ();
}

static void
test_end_to_end_ec2 (void)
{
  check_end_to_end (launch_by_ec2);
}

/* Calls from several threads (one at a time per the seam, but on different
 * threads) share the client safely. */
static gpointer
thread_list_workers (gpointer data)
{
  ScalerQueueSource *source = data;

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) workers = scaler_queue_source_list_workers (source, "dyn", NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (workers->len, ==, 1);
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSecrets) secrets = make_secrets (KEY, SECRET);
  g_autoptr(ScalerClearmlSource) source = NULL;
  GThread *threads[4];

  if (!require_fake ())
    return;
  control ("/_fake/workers", "{\"id\": \"dyn:res:t3.micro:i-0000000000000001\"}");
  config = make_config (scaler_fake_get_clearml_url (fake));
  source = scaler_clearml_source_new (config, secrets, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("clearml-test", thread_list_workers, source);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (request_count ("auth.login"), ==, 1);
  g_assert_cmpint (request_count ("workers.get_all"), ==, 40);
  assert_no_get_next_task ();
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/clearml/parse-time", test_parse_time);
  g_test_add_func ("/scaler/clearml/parse-misc", test_parse_misc);
  g_test_add_func ("/scaler/clearml/parse-envelope", test_parse_envelope);
  g_test_add_func ("/scaler/clearml/url", test_url);
  g_test_add_func ("/scaler/clearml/pending-new-server", test_pending_new_server);
  g_test_add_func ("/scaler/clearml/pending-old-server", test_pending_old_server);
  g_test_add_func ("/scaler/clearml/pending-fallback-on-404", test_pending_fallback_on_404);
  g_test_add_func ("/scaler/clearml/pinned-version-url", test_pinned_version_url);
  g_test_add_func ("/scaler/clearml/queue-paging", test_queue_paging);
  g_test_add_func ("/scaler/clearml/workers-pattern", test_workers_pattern);
  g_test_add_func ("/scaler/clearml/workers-fallback", test_workers_fallback);
  g_test_add_func ("/scaler/clearml/unregister", test_unregister);
  g_test_add_func ("/scaler/clearml/unregister-not-own", test_unregister_not_own);
  g_test_add_func ("/scaler/clearml/unregister-relisted", test_unregister_relisted);
  g_test_add_func ("/scaler/clearml/forbidden", test_forbidden);
  g_test_add_func ("/scaler/clearml/tasks", test_tasks);
  g_test_add_func ("/scaler/clearml/token-flow", test_token_flow);
  g_test_add_func ("/scaler/clearml/wrong-credentials", test_wrong_credentials);
  g_test_add_func ("/scaler/clearml/bad-answers", test_bad_answers);
  g_test_add_func ("/scaler/clearml/cancel", test_cancel);
  g_test_add_func ("/scaler/clearml/test-connection/ok", test_connection_ok);
  g_test_add_func ("/scaler/clearml/test-connection/wrong-keys", test_connection_wrong_keys);
  g_test_add_func ("/scaler/clearml/test-connection/basic-mode", test_connection_basic_mode);
  g_test_add_func ("/scaler/clearml/test-connection/forbidden", test_connection_forbidden);
  g_test_add_func ("/scaler/clearml/test-connection/no-keys", test_connection_no_keys);
  g_test_add_func ("/scaler/clearml/test-connection/not-clearml", test_connection_not_clearml);
  g_test_add_func ("/scaler/clearml/test-connection/unreachable", test_connection_unreachable);
  g_test_add_func ("/scaler/clearml/test-connection/async", test_connection_async);
  g_test_add_func ("/scaler/clearml/threads", test_threads);
  g_test_add_func ("/scaler/clearml/end-to-end", test_end_to_end);
  g_test_add_func ("/scaler/clearml/end-to-end-ec2", test_end_to_end_ec2);
  g_test_add_func ("/scaler/clearml/agent-missing-queue", test_agent_missing_queue);

  ret = g_test_run ();
  g_clear_pointer (&fake, scaler_fake_stop);
  return ret;
}
