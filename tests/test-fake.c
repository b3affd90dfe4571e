/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Tests of the fake-cloud harness (tests/support/scaler-fake.h): start, control API,
 * state, stop, restart, and real SigV4 checks over libcurl.
 */

#define G_LOG_DOMAIN "test-fake"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <curl/curl.h>

#include "support/scaler-fake.h"

#define AK "AKIDEXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static ScalerFake *
start_fake (void)
{
  g_autoptr(GError) error = NULL;
  ScalerFake *fake = scaler_fake_start (&error);

  g_assert_no_error (error);
  g_assert_nonnull (fake);
  return fake;
}

typedef struct
{
  long     status;
  GString *body;
  char    *date;
} Answer;

static void
answer_clear (Answer *answer)
{
  if (answer->body != NULL)
    g_string_free (answer->body, TRUE);
  g_free (answer->date);
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

static size_t
header_cb (char   *data,
           size_t  size,
           size_t  nmemb,
           void   *user_data)
{
  Answer *answer = user_data;
  gsize len = size * nmemb;

  if (len > 5 && g_ascii_strncasecmp (data, "date:", 5) == 0)
    {
      g_free (answer->date);
      answer->date = g_strstrip (g_strndup (data + 5, len - 5));
    }
  return len;
}

/* POSTs a form body to the fake EC2 endpoint, signed by libcurl's own SigV4. */
static Answer
ec2_post (ScalerFake *fake,
          const char *access_key,
          const char *secret,
          const char *body)
{
  Answer answer = { 0, g_string_new (NULL), NULL };
  g_autofree char *userpwd = g_strdup_printf ("%s:%s", access_key, secret);
  struct curl_slist *headers = NULL;
  CURL *curl = curl_easy_init ();
  CURLcode rc;

  g_assert_nonnull (curl);
  headers = curl_slist_append (headers, "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
  curl_easy_setopt (curl, CURLOPT_URL, scaler_fake_get_ec2_url (fake));
  curl_easy_setopt (curl, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:ec2");
  curl_easy_setopt (curl, CURLOPT_USERPWD, userpwd);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long) strlen (body));
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, answer.body);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, &answer);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 30L);
  rc = curl_easy_perform (curl);
  g_assert_cmpint (rc, ==, CURLE_OK);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  return answer;
}

static JsonObject *
object_member (JsonNode   *node,
               const char *name)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_assert_true (json_object_has_member (json_node_get_object (node), name));
  return json_object_get_object_member (json_node_get_object (node), name);
}

static JsonArray *
array_member (JsonNode   *node,
              const char *name)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_assert_true (json_object_has_member (json_node_get_object (node), name));
  return json_object_get_array_member (json_node_get_object (node), name);
}

static void
test_start_stop (void)
{
  g_autoptr(ScalerFake) fake = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) health = NULL;

  if (!scaler_fake_require ())
    return;
  fake = start_fake ();
  g_assert_true (g_str_has_prefix (scaler_fake_get_ec2_url (fake), "http://127.0.0.1:"));
  g_assert_true (g_str_has_prefix (scaler_fake_get_clearml_url (fake), "http://127.0.0.1:"));
  g_assert_cmpstr (scaler_fake_get_ec2_url (fake), !=, scaler_fake_get_clearml_url (fake));
  g_assert_cmpint (scaler_fake_get_pid (fake), >, 0);

  health = scaler_fake_control (fake, "GET", "/_fake/health", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (health), "ok"));
}

static void
test_control_and_state (void)
{
  g_autoptr(ScalerFake) fake = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) enqueued = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(JsonNode) bad = NULL;
  g_autoptr(JsonNode) config = NULL;
  JsonArray *instances;
  JsonArray *queues;
  JsonObject *inst;
  JsonObject *tags;
  const char *id;

  if (!scaler_fake_require ())
    return;
  fake = start_fake ();

  config = scaler_fake_controlf (fake, "/_fake/config", &error,
                                 "{\"boot_delay_s\": %d, \"never_register_resources\": [\"%s\"]}",
                                 0, "broken");
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (object_member (config, "config"), "boot_delay_s"), ==, 0);

  created = scaler_fake_controlf (fake, "/_fake/instances", &error,
                                  "{\"instance_type\": \"g4dn.xlarge\", \"count\": %d, "
                                  "\"tags\": {\"ec2-autoscaler:instance\": \"cfg\", \"Name\": \"a&b\"}}", 3);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (array_member (created, "instance_ids")), ==, 3);
  id = json_array_get_string_element (array_member (created, "instance_ids"), 0);
  g_assert_true (g_str_has_prefix (id, "i-"));

  enqueued = scaler_fake_controlf (fake, "/_fake/enqueue", &error,
                                   "{\"queue\": \"gpu\", \"count\": %d, \"duration_s\": 5}", 2);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (array_member (enqueued, "task_ids")), ==, 2);

  state = scaler_fake_get_state (fake, &error);
  g_assert_no_error (error);
  instances = array_member (state, "instances");
  g_assert_cmpuint (json_array_get_length (instances), ==, 3);
  inst = json_array_get_object_element (instances, 0);
  g_assert_cmpstr (json_object_get_string_member (inst, "instance_id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (inst, "state"), ==, "running");
  g_assert_cmpstr (json_object_get_string_member (inst, "instance_type"), ==, "g4dn.xlarge");
  tags = json_object_get_object_member (inst, "tags");
  g_assert_cmpstr (json_object_get_string_member (tags, "Name"), ==, "a&b");
  queues = array_member (state, "queues");
  g_assert_cmpuint (json_array_get_length (queues), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_array_get_object_element (queues, 0), "entries")), ==, 2);

  /* A bad control request is an error naming the field. */
  bad = scaler_fake_controlf (fake, "/_fake/config", &error, "{\"boot_delay\": %d}", 1);
  g_assert_null (bad);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "config.boot_delay: unknown key"));
  g_assert_nonnull (strstr (error->message, "HTTP 400"));
  g_clear_error (&error);

  /* Reset empties the world. */
  g_assert_true (scaler_fake_reset (fake, &error));
  g_assert_no_error (error);
  g_clear_pointer (&state, json_node_unref);
  state = scaler_fake_get_state (fake, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (array_member (state, "instances")), ==, 0);
  g_assert_cmpuint (json_array_get_length (array_member (state, "queues")), ==, 0);
}

static void
test_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerFake) second = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerFake *first;
  GPid pid;

  if (!scaler_fake_require ())
    return;
  first = start_fake ();
  pid = scaler_fake_get_pid (first);
  created = scaler_fake_controlf (first, "/_fake/instances", &error, "{\"count\": %d}", 2);
  g_assert_no_error (error);
  scaler_fake_stop (first);

  /* The child is gone (reaped by the wait in stop). */
  g_assert_cmpint (kill (pid, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);

  /* A fresh process starts with an empty world. */
  second = start_fake ();
  g_assert_cmpint (scaler_fake_get_pid (second), !=, pid);
  state = scaler_fake_get_state (second, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (array_member (state, "instances")), ==, 0);
}

static void
test_start_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerFake) fake = NULL;
  g_autoptr(JsonNode) state = NULL;
  ScalerFake *broken;

  if (!scaler_fake_require ())
    return;
  fake = scaler_fake_start_with_config ("{\"region\": \"eu-west-1\", \"boot_delay_s\": 0}", &error);
  g_assert_no_error (error);
  state = scaler_fake_get_state_omit (fake, "instances,ec2_requests,clearml_requests", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (object_member (state, "config"), "region"), ==, "eu-west-1");

  /* A bad start-up config makes the start fail with a clear error. */
  broken = scaler_fake_start_with_config ("{\"regoin\": \"x\"}", &error);
  g_assert_null (broken);
  g_assert_nonnull (error);
  g_test_message ("expected start failure: %s", error->message);
}

static void
test_signature (void)
{
  g_autoptr(ScalerFake) fake = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) state = NULL;
  Answer good;
  Answer bad;
  Answer unknown;
  const char *id;

  if (!scaler_fake_require ())
    return;
  fake = start_fake ();
  created = scaler_fake_controlf (fake, "/_fake/instances", &error, "{\"count\": %d}", 1);
  g_assert_no_error (error);
  id = json_array_get_string_element (array_member (created, "instance_ids"), 0);

  good = ec2_post (fake, AK, SK, "Action=DescribeInstances&Version=2016-11-15");
  g_assert_cmpint (good.status, ==, 200);
  g_assert_true (g_str_has_prefix (good.body->str, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  g_assert_nonnull (strstr (good.body->str, "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"));
  g_assert_nonnull (strstr (good.body->str, id));
  g_assert_nonnull (good.date);
  g_assert_true (g_str_has_suffix (good.date, "GMT"));

  bad = ec2_post (fake, AK, "not-the-secret", "Action=DescribeInstances&Version=2016-11-15");
  g_assert_cmpint (bad.status, ==, 403);
  g_assert_nonnull (strstr (bad.body->str, "<Code>SignatureDoesNotMatch</Code>"));
  g_assert_nonnull (strstr (bad.body->str, "<RequestID>"));

  unknown = ec2_post (fake, "AKIDUNKNOWN", SK, "Action=DescribeInstances&Version=2016-11-15");
  g_assert_cmpint (unknown.status, ==, 401);
  g_assert_nonnull (strstr (unknown.body->str, "<Code>AuthFailure</Code>"));

  state = scaler_fake_get_state_omit (fake, "instances", &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (state), "signature_failures"), ==, 1);
  g_assert_cmpint (scaler_fake_get_request_count (fake, "ec2", "DescribeInstances"), ==, 3);

  answer_clear (&good);
  answer_clear (&bad);
  answer_clear (&unknown);
}

static void
test_clock_offset (void)
{
  g_autoptr(ScalerFake) fake = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) config = NULL;
  Answer skewed;
  gint64 server_s;
  gint64 now_s;
  g_autoptr(GDateTime) parsed = NULL;
  g_autofree char *iso = NULL;

  if (!scaler_fake_require ())
    return;
  fake = start_fake ();
  config = scaler_fake_controlf (fake, "/_fake/config", &error, "{\"clock_offset_s\": %d}", 900);
  g_assert_no_error (error);

  skewed = ec2_post (fake, AK, SK, "Action=DescribeInstances&Version=2016-11-15");
  g_assert_cmpint (skewed.status, ==, 400);
  g_assert_nonnull (strstr (skewed.body->str, "<Code>RequestExpired</Code>"));

  /* The Date header carries the fake's clock: about 900 s ahead. */
  g_assert_nonnull (skewed.date);
  {
    /* "Sun, 29 Nov 2026 23:12:49 GMT" -> ISO 8601 for GDateTime. */
    static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    char mon[4] = { 0 };
    int day, year, hh, mm, ss, m;

    g_assert_cmpint (sscanf (skewed.date, "%*3s, %d %3s %d %d:%d:%d GMT", &day, mon, &year, &hh, &mm, &ss), ==, 6);
    for (m = 0; m < 12 && strcmp (months[m], mon) != 0; m++)
      ;
    g_assert_cmpint (m, <, 12);
    iso = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ", year, m + 1, day, hh, mm, ss);
  }
  parsed = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (parsed);
  server_s = g_date_time_to_unix (parsed);
  now_s = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (server_s - now_s, >=, 890);
  g_assert_cmpint (server_s - now_s, <=, 910);
  answer_clear (&skewed);
}

static void
test_clearml_listener (void)
{
  g_autoptr(ScalerFake) fake = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *url = NULL;
  CURL *curl;
  long status = 0;

  if (!scaler_fake_require ())
    return;
  fake = start_fake ();
  url = g_strconcat (scaler_fake_get_clearml_url (fake), "/debug.ping", NULL);
  curl = curl_easy_init ();
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDS, "{}");
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
  g_assert_cmpint (curl_easy_perform (curl), ==, CURLE_OK);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (curl);
  g_assert_cmpint (status, ==, 200);
  g_assert_nonnull (strstr (body->str, "\"result_code\":200"));
  g_assert_nonnull (strstr (body->str, "\"msg\":\"ClearML server\""));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);

  g_test_add_func ("/scaler/fake/start-stop", test_start_stop);
  g_test_add_func ("/scaler/fake/control-state", test_control_and_state);
  g_test_add_func ("/scaler/fake/restart", test_restart);
  g_test_add_func ("/scaler/fake/start-config", test_start_config);
  g_test_add_func ("/scaler/fake/signature", test_signature);
  g_test_add_func ("/scaler/fake/clock-offset", test_clock_offset);
  g_test_add_func ("/scaler/fake/clearml", test_clearml_listener);

  return g_test_run ();
}
