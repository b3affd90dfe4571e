/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the SigV4 signer: known keys, a fixed EC2 POST whose signature
 * @smithy/signature-v4 and libcurl's CURLOPT_AWS_SIGV4 both give (libcurl is
 * also a second oracle here), the key
 * cache, clock handling and session tokens. The AWS suite itself runs through
 * the sigv4-vectors runner. */

#include "config.h"

#include <string.h>

#include <curl/curl.h>

#include "scaler-core.h"
#include "scaler-aws-sigv4.h"
#include "support/scaler-test-server.h"

#define AK "AKIDEXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
#define FORM_CT "application/x-www-form-urlencoded; charset=utf-8"
/* 2015-08-30T12:36:00Z */
#define VECTOR_TIME (G_GINT64_CONSTANT (1440938160) * G_USEC_PER_SEC)

static char *
hex (const guint8 *data,
     gsize         len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", data[i]);

  return g_string_free (s, FALSE);
}

static void
test_known_keys (void)
{
  static const struct { const char *service; const char *key; } cases[] = {
    { "iam", "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9" },
    { "service", "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75" },
    { "ec2", "f683de3415e2edd5bd3ecba80fa9f855f4018470ccc66c03bb658895fef3aed2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint8 key[32];
      g_autofree char *h = NULL;
      g_autoptr(ScalerSigner) signer = scaler_signer_new ("us-east-1", cases[i].service);
      g_autofree char *h2 = NULL;

      scaler_sigv4_derive_key (SK, "20150830", "us-east-1", cases[i].service, key);
      h = hex (key, 32);
      g_assert_cmpstr (h, ==, cases[i].key);

      memset (key, 0, sizeof key);
      scaler_signer_get_signing_key (signer, SK, "20150830", key);
      h2 = hex (key, 32);
      g_assert_cmpstr (h2, ==, cases[i].key);
    }
}

static ScalerSigv4Request *
ec2_request (const char *host,
             const char *body)
{
  ScalerSigv4Request *request = scaler_sigv4_request_new ("POST", "/", NULL);

  scaler_sigv4_request_add_header (request, "Content-Type", FORM_CT);
  scaler_sigv4_request_add_header (request, "Host", host);
  scaler_sigv4_request_set_payload (request, body, strlen (body));

  return request;
}

static void
test_fixed_ec2_vector (void)
{
  g_autoptr(ScalerSigner) signer = scaler_signer_new ("us-east-1", "ec2");
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, NULL);
  g_autoptr(ScalerSigv4Request) request = ec2_request ("ec2.us-east-1.amazonaws.com",
                                                       "Action=DescribeInstances&Version=2016-11-15");
  g_autoptr(ScalerSigv4Result) result = NULL;
  g_autoptr(GError) error = NULL;

  result = scaler_signer_sign (signer, creds, request, VECTOR_TIME, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->amz_date, ==, "20150830T123600Z");
  g_assert_cmpstr (result->credential_scope, ==, "20150830/us-east-1/ec2/aws4_request");
  g_assert_cmpstr (result->signed_headers, ==, "content-type;host;x-amz-date");
  g_assert_cmpstr (result->signature, ==, "16bec6625521eb1b2a944bb8409fdd5a54007d61862cf7074d07d2e75a3a4950");
  g_assert_cmpstr (result->authorization, ==,
                   "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, "
                   "SignedHeaders=content-type;host;x-amz-date, "
                   "Signature=16bec6625521eb1b2a944bb8409fdd5a54007d61862cf7074d07d2e75a3a4950");
  g_assert_true (g_str_has_prefix (result->canonical_request, "POST\n/\n\ncontent-type:" FORM_CT "\nhost:ec2.us-east-1.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"));
  g_assert_true (g_str_has_prefix (result->string_to_sign, "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/ec2/aws4_request\n"));

  /* The signer added X-Amz-Date and Authorization, nothing else. */
  g_assert_cmpuint (g_strv_length (result->extra_headers), ==, 2);
  g_assert_cmpstr (result->extra_headers[0], ==, "X-Amz-Date: 20150830T123600Z");
  g_assert_true (g_str_has_prefix (result->extra_headers[1], "Authorization: AWS4-HMAC-SHA256 "));
}

static void
test_session_token (void)
{
  g_autoptr(ScalerSigner) signer = scaler_signer_new ("us-east-1", "ec2");
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, TOKEN);
  g_autoptr(ScalerSigv4Request) request = ec2_request ("ec2.us-east-1.amazonaws.com",
                                                       "Action=DescribeInstances&Version=2016-11-15");
  g_autoptr(ScalerSigv4Result) result = NULL;

  result = scaler_signer_sign (signer, creds, request, VECTOR_TIME, NULL);
  g_assert_nonnull (result);
  g_assert_cmpstr (result->signed_headers, ==, "content-type;host;x-amz-date;x-amz-security-token");
  g_assert_nonnull (strstr (result->canonical_request, "\nx-amz-security-token:" TOKEN "\n"));
  g_assert_cmpuint (g_strv_length (result->extra_headers), ==, 3);
  g_assert_cmpstr (result->extra_headers[1], ==, "X-Amz-Security-Token: " TOKEN);
}

static void
test_one_clock_read (void)
{
  g_autoptr(ScalerSigner) signer = scaler_signer_new ("eu-west-1", "ec2");
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, NULL);
  g_autoptr(ScalerSigv4Request) request = ec2_request ("ec2.eu-west-1.amazonaws.com", "Action=X");
  g_autoptr(ScalerSigv4Result) before = NULL;
  g_autoptr(ScalerSigv4Result) after = NULL;
  /* 2015-08-30T23:59:59.999999Z and one microsecond later. */
  gint64 t = G_GINT64_CONSTANT (1440979199) * G_USEC_PER_SEC + 999999;

  before = scaler_signer_sign (signer, creds, request, t, NULL);
  after = scaler_signer_sign (signer, creds, request, t + 1, NULL);
  g_assert_cmpstr (before->amz_date, ==, "20150830T235959Z");
  g_assert_cmpstr (before->credential_scope, ==, "20150830/eu-west-1/ec2/aws4_request");
  g_assert_cmpstr (after->amz_date, ==, "20150831T000000Z");
  g_assert_cmpstr (after->credential_scope, ==, "20150831/eu-west-1/ec2/aws4_request");
}

static void
test_clock_offset (void)
{
  g_autoptr(ScalerSigner) signer = scaler_signer_new ("us-east-1", "ec2");
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, NULL);
  g_autoptr(ScalerSigv4Request) request = ec2_request ("ec2.us-east-1.amazonaws.com", "Action=X");
  g_autoptr(ScalerSigv4Result) result = NULL;
  g_autofree char *expected_lo = NULL;
  g_autofree char *expected_hi = NULL;
  gint64 offset = G_GINT64_CONSTANT (7200) * G_USEC_PER_SEC;
  gint64 lo, hi;

  scaler_signer_set_clock_offset (signer, offset);
  g_assert_cmpint (scaler_signer_get_clock_offset (signer), ==, offset);
  lo = g_get_real_time () + offset;
  result = scaler_signer_sign (signer, creds, request, 0, NULL);
  hi = g_get_real_time () + offset;
  expected_lo = scaler_sigv4_format_amz_date (lo);
  expected_hi = scaler_sigv4_format_amz_date (hi);
  g_assert_true (strcmp (result->amz_date, expected_lo) >= 0);
  g_assert_true (strcmp (result->amz_date, expected_hi) <= 0);
}

static void
test_key_cache (void)
{
  g_autoptr(ScalerSigner) signer = scaler_signer_new ("us-east-1", "ec2");
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, NULL);
  g_autoptr(ScalerAwsCredentials) other = scaler_aws_credentials_new (AK, "another-secret", NULL);
  g_autoptr(ScalerSigv4Request) request = ec2_request ("ec2.us-east-1.amazonaws.com", "Action=X");

  for (guint i = 0; i < 5; i++)
    scaler_sigv4_result_free (scaler_signer_sign (signer, creds, request, VECTOR_TIME + i * G_USEC_PER_SEC, NULL));
  g_assert_cmpuint (scaler_signer_get_key_derivations (signer), ==, 1);

  /* Another day, another secret: new keys. */
  scaler_sigv4_result_free (scaler_signer_sign (signer, creds, request, VECTOR_TIME + (gint64) G_USEC_PER_SEC * 86400, NULL));
  g_assert_cmpuint (scaler_signer_get_key_derivations (signer), ==, 2);
  scaler_sigv4_result_free (scaler_signer_sign (signer, other, request, VECTOR_TIME, NULL));
  g_assert_cmpuint (scaler_signer_get_key_derivations (signer), ==, 3);
  scaler_sigv4_result_free (scaler_signer_sign (signer, creds, request, VECTOR_TIME, NULL));
  g_assert_cmpuint (scaler_signer_get_key_derivations (signer), ==, 3);
}

typedef struct
{
  ScalerSigner *signer;
  ScalerAwsCredentials *creds;
  guint mismatches;
} ThreadData;

static gpointer
sign_many (gpointer data)
{
  ThreadData *td = data;
  g_autoptr(ScalerSigv4Request) request = ec2_request ("ec2.us-east-1.amazonaws.com",
                                                       "Action=DescribeInstances&Version=2016-11-15");

  for (guint i = 0; i < 300; i++)
    {
      /* Alternate days so the cache is both hit and filled concurrently. */
      gint64 t = VECTOR_TIME + (gint64) (i % 3) * 86400 * G_USEC_PER_SEC;
      g_autoptr(ScalerSigv4Result) result = scaler_signer_sign (td->signer, td->creds, request, t, NULL);

      if (i % 3 == 0 && strcmp (result->signature, "16bec6625521eb1b2a944bb8409fdd5a54007d61862cf7074d07d2e75a3a4950") != 0)
        g_atomic_int_inc (&td->mismatches);
    }

  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(ScalerSigner) signer = scaler_signer_new ("us-east-1", "ec2");
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, NULL);
  ThreadData td = { signer, creds, 0 };
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("sign", sign_many, &td);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (td.mismatches, ==, 0);
}

static void
test_bad_input (void)
{
  g_autoptr(ScalerSigner) signer = scaler_signer_new ("us-east-1", "ec2");
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, NULL);
  g_autoptr(ScalerSigv4Request) no_host = scaler_sigv4_request_new ("GET", "/", NULL);
  g_autoptr(ScalerSigv4Request) bad_date = scaler_sigv4_request_new ("GET", "/", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (scaler_signer_sign (signer, creds, no_host, VECTOR_TIME, &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Host"));
  g_clear_error (&error);

  scaler_sigv4_request_add_header (bad_date, "Host", "h");
  scaler_sigv4_request_add_header (bad_date, "X-Amz-Date", "yesterday");
  g_assert_null (scaler_signer_sign (signer, creds, bad_date, VECTOR_TIME, &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "X-Amz-Date"));
}

static void
test_canonical_pieces (void)
{
  static const struct { const char *in; const char *out; } paths[] = {
    { "/", "/" }, { "", "/" }, { "//", "/" }, { "/./", "/" }, { "/example/..", "/" },
    { "//example//", "/example/" }, { "/a/b/../c/./d", "/a/c/d" }, { "/a b", "/a%20b" },
    { "/../..", "/" }, { "/a/.", "/a/" },
  };
  static const struct { const char *in; const char *out; } queries[] = {
    { "", "" }, { "b=2&a=1", "a=1&b=2" }, { "a=2&a=1", "a=1&a=2" }, { "Param1&param1=x", "Param1=&param1=x" },
    { "x=a%20b&y=a+b", "x=a%20b&y=a%2Bb" }, { "&&k=v&", "k=v" }, { "k=%zz", "k=%25zz" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *p = scaler_sigv4_canonical_path (paths[i].in, TRUE);

      g_assert_cmpstr (p, ==, paths[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *q = scaler_sigv4_canonical_query (queries[i].in);

      g_assert_cmpstr (q, ==, queries[i].out);
    }
  {
    /* S3 style: no normalisation. */
    g_autofree char *p = scaler_sigv4_canonical_path ("//a//b", FALSE);

    g_assert_cmpstr (p, ==, "//a//b");
  }
  {
    g_autofree char *h = scaler_sigv4_sha256_hex ("", 0);

    g_assert_cmpstr (h, ==, SCALER_SIGV4_EMPTY_SHA256);
  }
}

/* libcurl signs the same request (CURLOPT_AWS_SIGV4); the test server records
 * what curl sent; we sign with curl's X-Amz-Date and must produce exactly
 * curl's Authorization header. */
static void
compare_with_curl (const char *body,
                   const char *token)
{
  g_autoptr(ScalerTestServer) server = scaler_test_server_new ();
  g_autoptr(ScalerTestRequest) sent = NULL;
  g_autoptr(ScalerSigner) signer = scaler_signer_new ("us-east-1", "ec2");
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, token);
  g_autoptr(ScalerSigv4Request) request = NULL;
  g_autoptr(ScalerSigv4Result) result = NULL;
  g_autofree char *connect_to = g_strdup_printf ("ec2.us-east-1.amazonaws.com:80:127.0.0.1:%u",
                                                 scaler_test_server_get_port (server));
  g_autofree char *token_header = NULL;
  struct curl_slist *connect_list = NULL;
  struct curl_slist *headers = NULL;
  const char *amz_date;
  CURL *curl;
  CURLcode rc;

  curl_global_init (CURL_GLOBAL_DEFAULT);
  curl = curl_easy_init ();
  connect_list = curl_slist_append (NULL, connect_to);
  headers = curl_slist_append (NULL, "Content-Type: " FORM_CT);
  if (token != NULL)
    {
      token_header = g_strconcat ("X-Amz-Security-Token: ", token, NULL);
      headers = curl_slist_append (headers, token_header);
    }
  curl_easy_setopt (curl, CURLOPT_URL, "http://ec2.us-east-1.amazonaws.com/");
  curl_easy_setopt (curl, CURLOPT_CONNECT_TO, connect_list);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long) strlen (body));
  curl_easy_setopt (curl, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:ec2");
  curl_easy_setopt (curl, CURLOPT_USERPWD, AK ":" SK);
  curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 10L);
  rc = curl_easy_perform (curl);
  curl_easy_cleanup (curl);
  curl_slist_free_all (connect_list);
  curl_slist_free_all (headers);
  g_assert_cmpint (rc, ==, CURLE_OK);

  sent = scaler_test_server_get_request (server, 0);
  g_assert_nonnull (sent);
  amz_date = g_hash_table_lookup (sent->headers, "x-amz-date");
  g_assert_nonnull (amz_date);
  g_assert_cmpmem (g_bytes_get_data (sent->body, NULL), g_bytes_get_size (sent->body), body, strlen (body));

  request = ec2_request ("ec2.us-east-1.amazonaws.com", body);
  scaler_sigv4_request_add_header (request, "X-Amz-Date", amz_date);
  result = scaler_signer_sign (signer, creds, request, 0, NULL);
  g_assert_nonnull (result);
  g_assert_cmpstr (result->authorization, ==, g_hash_table_lookup (sent->headers, "authorization"));
}

static void
test_curl_oracle (void)
{
  compare_with_curl ("Action=DescribeInstances&Version=2016-11-15", NULL);
  compare_with_curl ("Action=RunInstances&Version=2016-11-15&ImageId=ami-0123456789abcdef0"
                     "&UserData=IyEvYmluL2Jhc2gKZWNobyAiaGkgdGhlcmUiCg%3D%3D"
                     "&TagSpecification.1.Tag.1.Value=a%20b%2Bc~%2A", NULL);
  compare_with_curl ("Action=DescribeInstances&Version=2016-11-15", TOKEN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/sigv4/known-keys", test_known_keys);
  g_test_add_func ("/scaler/sigv4/fixed-ec2-vector", test_fixed_ec2_vector);
  g_test_add_func ("/scaler/sigv4/session-token", test_session_token);
  g_test_add_func ("/scaler/sigv4/one-clock-read", test_one_clock_read);
  g_test_add_func ("/scaler/sigv4/clock-offset", test_clock_offset);
  g_test_add_func ("/scaler/sigv4/key-cache", test_key_cache);
  g_test_add_func ("/scaler/sigv4/threads", test_threads);
  g_test_add_func ("/scaler/sigv4/bad-input", test_bad_input);
  g_test_add_func ("/scaler/sigv4/canonical-pieces", test_canonical_pieces);
  g_test_add_func ("/scaler/sigv4/curl-oracle", test_curl_oracle);

  return g_test_run ();
}
