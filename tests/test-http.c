/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of ScalerHttp over real sockets (tests/support/scaler-test-server). */

#include "config.h"

#include <string.h>

#include "scaler-core.h"
#include "scaler-http.h"
#include "support/scaler-test-server.h"

static void
test_roundtrip (void)
{
  g_autoptr(ScalerTestServer) server = scaler_test_server_new ();
  g_autoptr(ScalerHttp) http = scaler_http_new ();
  g_autoptr(ScalerHttpResponse) response = NULL;
  g_autoptr(ScalerTestRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("%s/some/path?x=1", scaler_test_server_get_url (server));
  const char *headers[] = { "X-Custom: one", "Content-Type: text/plain; charset=utf-8", NULL };
  const char body[] = "binary\0body";
  gsize body_len = sizeof body - 1;

  scaler_test_server_set_response (server, 201,
                                   "Content-Type: Text/XML; Charset=UTF-8\r\nX-Repeat: a\r\nX-Repeat: b\r\n",
                                   "<ok/>", 5);
  response = scaler_http_send (http, "POST", url, headers, body, body_len, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  g_assert_cmpuint (response->status, ==, 201);
  g_assert_cmpstr (response->content_type, ==, "text/xml");
  g_assert_cmpstr (scaler_http_response_get_header (response, "X-REPEAT"), ==, "a, b");
  g_assert_cmpint (ABS (scaler_http_parse_date (scaler_http_response_get_header (response, "date")) - g_get_real_time ()),
                   <, 5 * G_USEC_PER_SEC);
  g_assert_null (scaler_http_response_get_header (response, "x-missing"));
  g_assert_cmpmem (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body), "<ok/>", 5);
  g_assert_true (g_str_has_prefix (response->host, "127.0.0.1:"));

  request = scaler_test_server_get_request (server, 0);
  g_assert_nonnull (request);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, "/some/path?x=1");
  g_assert_cmpstr (g_hash_table_lookup (request->headers, "x-custom"), ==, "one");
  g_assert_cmpstr (g_hash_table_lookup (request->headers, "content-type"), ==, "text/plain; charset=utf-8");
  g_assert_null (g_hash_table_lookup (request->headers, "expect"));
  g_assert_nonnull (g_hash_table_lookup (request->headers, "user-agent"));
  g_assert_cmpmem (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body), body, body_len);
}

static void
test_host_in_messages (void)
{
  g_autoptr(ScalerTestServer) server = scaler_test_server_new ();
  g_autoptr(ScalerHttp) http = scaler_http_new ();
  g_autoptr(ScalerHttpResponse) response = NULL;
  g_autofree char *expected = g_strdup_printf ("127.0.0.1:%u", scaler_test_server_get_port (server));

  response = scaler_http_send (http, "GET", scaler_test_server_get_url (server), NULL, NULL, 0, NULL, NULL);
  g_assert_nonnull (response);
  g_assert_cmpstr (response->host, ==, expected);
  g_assert_cmpuint (g_bytes_get_size (response->body), ==, 0);
  g_assert_cmpstr (response->content_type, ==, "");
}

static void
test_keep_alive (void)
{
  g_autoptr(ScalerTestServer) server = scaler_test_server_new ();
  g_autoptr(ScalerHttp) http = scaler_http_new ();

  scaler_test_server_set_response (server, 200, NULL, "hello", 5);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ScalerHttpResponse) response =
        scaler_http_send (http, "GET", scaler_test_server_get_url (server), NULL, NULL, 0, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (response->status, ==, 200);
    }
  g_assert_cmpuint (scaler_test_server_get_n_requests (server), ==, 3);
  g_assert_cmpuint (scaler_test_server_get_n_connections (server), ==, 1);
}

static void
test_timeout (void)
{
  g_autoptr(ScalerTestServer) server = scaler_test_server_new ();
  g_autoptr(ScalerHttp) http = scaler_http_new ();
  g_autoptr(GError) error = NULL;
  ScalerHttpResponse *response;
  gint64 start;
  guint connect_ms, total_ms;

  scaler_test_server_set_mode (server, SCALER_TEST_SERVER_HANG);
  scaler_http_set_timeouts (http, 1000, 300);
  scaler_http_get_timeouts (http, &connect_ms, &total_ms);
  g_assert_cmpuint (connect_ms, ==, 1000);
  g_assert_cmpuint (total_ms, ==, 300);

  start = g_get_monotonic_time ();
  response = scaler_http_send (http, "GET", scaler_test_server_get_url (server), NULL, NULL, 0, NULL, &error);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (scaler_http_error_is_transient (error));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (150 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel (void)
{
  g_autoptr(ScalerTestServer) server = scaler_test_server_new ();
  g_autoptr(ScalerHttp) http = scaler_http_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerHttpResponse) ok = NULL;
  ScalerHttpResponse *response;
  GThread *thread;
  gint64 start;

  scaler_test_server_set_mode (server, SCALER_TEST_SERVER_HANG);
  scaler_http_set_timeouts (http, 0, 30000);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  response = scaler_http_send (http, "POST", scaler_test_server_get_url (server), NULL, "x", 1, cancellable, &error);
  g_thread_join (thread);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (scaler_http_error_is_transient (error));
  /* Prompt: well under libcurl's one-second progress interval. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 900 * 1000);

  /* An already cancelled cancellable sends nothing. */
  g_clear_error (&error);
  g_assert_cmpuint (scaler_test_server_get_n_requests (server), ==, 1);
  response = scaler_http_send (http, "GET", scaler_test_server_get_url (server), NULL, NULL, 0, cancellable, &error);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (scaler_test_server_get_n_requests (server), ==, 1);

  /* The same handle still works afterwards. */
  scaler_test_server_set_mode (server, SCALER_TEST_SERVER_ANSWER);
  ok = scaler_http_send (http, "GET", scaler_test_server_get_url (server), NULL, NULL, 0, NULL, NULL);
  g_assert_nonnull (ok);
  g_assert_cmpuint (ok->status, ==, 200);
}

static void
test_too_large (void)
{
  g_autoptr(ScalerTestServer) server = scaler_test_server_new ();
  g_autoptr(ScalerHttp) http = scaler_http_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_malloc0 (100000);
  ScalerHttpResponse *response;

  memset (big, 'a', 99999);
  scaler_test_server_set_response (server, 200, NULL, big, 99999);
  scaler_http_set_max_response_size (http, 1000);
  response = scaler_http_send (http, "GET", scaler_test_server_get_url (server), NULL, NULL, 0, NULL, &error);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "1000"));
}

static void
test_truncated_and_closed (void)
{
  g_autoptr(ScalerTestServer) server = scaler_test_server_new ();
  g_autoptr(ScalerHttp) http = scaler_http_new ();
  g_autoptr(GError) error = NULL;
  ScalerHttpResponse *response;

  scaler_test_server_set_response (server, 200, NULL, "0123456789abcdef", 16);
  scaler_test_server_set_mode (server, SCALER_TEST_SERVER_TRUNCATE);
  response = scaler_http_send (http, "GET", scaler_test_server_get_url (server), NULL, NULL, 0, NULL, &error);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
  g_assert_true (scaler_http_error_is_transient (error));
  g_clear_error (&error);

  scaler_test_server_set_mode (server, SCALER_TEST_SERVER_CLOSE);
  response = scaler_http_send (http, "GET", scaler_test_server_get_url (server), NULL, NULL, 0, NULL, &error);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_true (scaler_http_error_is_transient (error));
}

static void
test_refused (void)
{
  g_autoptr(ScalerHttp) http = scaler_http_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  ScalerHttpResponse *response;

  {
    /* A port that was just free. */
    g_autoptr(ScalerTestServer) server = scaler_test_server_new ();

    url = g_strdup (scaler_test_server_get_url (server));
  }
  response = scaler_http_send (http, "GET", url, NULL, NULL, 0, NULL, &error);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, "unreachable"));
}

static void
test_bad_host_and_url (void)
{
  g_autoptr(ScalerHttp) http = scaler_http_new ();
  g_autoptr(GError) error = NULL;
  ScalerHttpResponse *response;

  scaler_http_set_timeouts (http, 3000, 5000);
  /* .invalid never resolves (RFC 2606). */
  response = scaler_http_send (http, "GET", "http://ec2.no-such-host.invalid/", NULL, NULL, 0, NULL, &error);
  g_assert_null (response);
  g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND) ||
                 g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_clear_error (&error);

  response = scaler_http_send (http, "GET", "ftp://127.0.0.1/", NULL, NULL, 0, NULL, &error);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

static void
test_tls_required (void)
{
  g_autoptr(ScalerTestServer) server = scaler_test_server_new ();
  g_autoptr(ScalerHttp) http = scaler_http_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u/", scaler_test_server_get_port (server));
  ScalerHttpResponse *response;

  /* Plain HTTP behind an https:// URL: the TLS handshake fails and no
   * answer is accepted. */
  scaler_http_set_timeouts (http, 2000, 3000);
  scaler_test_server_set_mode (server, SCALER_TEST_SERVER_CLOSE);
  response = scaler_http_send (http, "GET", url, NULL, NULL, 0, NULL, &error);
  g_assert_null (response);
  g_assert_nonnull (error);
  g_assert_false (error->domain == G_IO_ERROR && error->code == G_IO_ERROR_CANCELLED);
}

static void
test_proxy_from_environment (void)
{
  g_autoptr(ScalerTestServer) proxy = scaler_test_server_new ();
  g_autoptr(ScalerHttp) http = scaler_http_new ();
  g_autoptr(ScalerHttpResponse) response = NULL;
  g_autoptr(ScalerTestRequest) request = NULL;
  g_autoptr(GError) error = NULL;

  scaler_test_server_set_response (proxy, 200, NULL, "via proxy", 9);
  g_setenv ("http_proxy", scaler_test_server_get_url (proxy), TRUE);
  response = scaler_http_send (http, "GET", "http://ec2.us-east-1.amazonaws.com/", NULL, NULL, 0, NULL, &error);
  g_unsetenv ("http_proxy");
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 200);

  /* The proxy saw an absolute-form request for the real host. */
  request = scaler_test_server_get_request (proxy, 0);
  g_assert_cmpstr (request->path, ==, "http://ec2.us-east-1.amazonaws.com/");
  g_assert_cmpstr (g_hash_table_lookup (request->headers, "host"), ==, "ec2.us-east-1.amazonaws.com");
}

static void
test_uri_encode (void)
{
  g_autoptr(GString) s = g_string_new (NULL);

  scaler_http_append_uri_encoded (s, "a b+c/d=e~f_g.h-i*\xe1\x88\xb4", -1, FALSE);
  g_assert_cmpstr (s->str, ==, "a%20b%2Bc%2Fd%3De~f_g.h-i%2A%E1%88%B4");
  g_string_truncate (s, 0);
  scaler_http_append_uri_encoded (s, "/x y/z", -1, TRUE);
  g_assert_cmpstr (s->str, ==, "/x%20y/z");
  g_string_truncate (s, 0);
  scaler_http_append_uri_encoded (s, "ab\0cd", 5, FALSE);
  g_assert_cmpstr (s->str, ==, "ab%00cd");
}

static void
test_parse_date (void)
{
  /* 2015-08-30T12:36:00Z */
  g_assert_cmpint (scaler_http_parse_date ("Sun, 30 Aug 2015 12:36:00 GMT"), ==, G_GINT64_CONSTANT (1440938160) * G_USEC_PER_SEC);
  g_assert_cmpint (scaler_http_parse_date ("garbage"), ==, 0);
  g_assert_cmpint (scaler_http_parse_date (""), ==, 0);
  g_assert_cmpint (scaler_http_parse_date (NULL), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/http/roundtrip", test_roundtrip);
  g_test_add_func ("/scaler/http/host-in-messages", test_host_in_messages);
  g_test_add_func ("/scaler/http/keep-alive", test_keep_alive);
  g_test_add_func ("/scaler/http/timeout", test_timeout);
  g_test_add_func ("/scaler/http/cancel", test_cancel);
  g_test_add_func ("/scaler/http/too-large", test_too_large);
  g_test_add_func ("/scaler/http/truncated-and-closed", test_truncated_and_closed);
  g_test_add_func ("/scaler/http/refused", test_refused);
  g_test_add_func ("/scaler/http/bad-host-and-url", test_bad_host_and_url);
  g_test_add_func ("/scaler/http/tls-required", test_tls_required);
  g_test_add_func ("/scaler/http/proxy-from-environment", test_proxy_from_environment);
  g_test_add_func ("/scaler/http/uri-encode", test_uri_encode);
  g_test_add_func ("/scaler/http/parse-date", test_parse_date);

  return g_test_run ();
}
