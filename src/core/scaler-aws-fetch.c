/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-fetch.c: credential_process, STS, the SSO portal, container
 * credentials and IMDSv2 (see scaler-aws-fetch.h). Wire formats and retry
 * rules follow boto/botocore: botocore/credentials.py (ProcessProvider,
 * AssumeRoleCredentialFetcher, SSOCredentialFetcher, ContainerProvider) and
 * botocore/utils.py (IMDSFetcher, InstanceMetadataFetcher,
 * ContainerMetadataFetcher).
 */

#define G_LOG_DOMAIN "scaler-aws-fetch"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "scaler-aws-error.h"
#include "scaler-aws-fetch.h"
#include "scaler-aws-files.h"
#include "scaler-aws-retry.h"
#include "scaler-error.h"
#include "scaler-http.h"
#include "scaler-json.h"
#include "scaler-aws-sigv4.h"
#include "scaler-ec2-xml.h"
#include "scaler-util.h"

#define MAX_ANSWER_BYTES        SCALER_AWS_MAX_ANSWER_BYTES
#define MAX_STDERR_SHOWN        300
#define STS_ATTEMPTS            3
#define STS_TIMEOUT_MS          10000
#define SSO_TIMEOUT_MS          10000
/* botocore/utils.py ContainerMetadataFetcher: TIMEOUT_SECONDS = 2,
 * RETRY_ATTEMPTS = 3, SLEEP_TIME = 1. */
#define CONTAINER_TIMEOUT_MS    2000
#define CONTAINER_ATTEMPTS      3
#define CONTAINER_SLEEP_USEC    G_USEC_PER_SEC
/* botocore/utils.py IMDSFetcher._TOKEN_TTL */
#define IMDS_TOKEN_TTL          "21600"

/* --- credential_process --- */

/* The first MAX_STDERR_SHOWN bytes of stderr, on one line. */
static char *
stderr_excerpt (GBytes *bytes)
{
  gsize length = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &length) : NULL;
  g_autofree char *text = NULL;

  if (data == NULL || length == 0)
    return g_strdup (_("(nothing on stderr)"));
  text = g_utf8_make_valid (data, (gssize) MIN (length, MAX_STDERR_SHOWN));
  for (char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      *p = ' ';
  g_strstrip (text);
  return *text != '\0' ? g_strdup (text) : g_strdup (_("(nothing on stderr)"));
}

ScalerAwsCredentials *
scaler_aws_process_run (const char    *command,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) argv = NULL;
  ScalerAwsCredentials *credentials;

  g_return_val_if_fail (command != NULL, NULL);

  argv = scaler_aws_shlex_split (command, &local_error);
  if (argv == NULL || argv[0] == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                   _("credential_process is not a command line: %s"),
                   local_error != NULL ? local_error->message : _("it is empty"));
      return NULL;
    }
  /* stdin is inherited, as botocore's Popen does. */
  process = g_subprocess_newv ((const char * const *) argv,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &local_error);
  if (process == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   _("cannot run credential_process %s: %s"), argv[0], local_error->message);
      return NULL;
    }
  if (!g_subprocess_communicate (process, NULL, cancellable, &out, &err, &local_error))
    {
      g_subprocess_force_exit (process);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_autofree char *excerpt = stderr_excerpt (err);

      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   g_subprocess_get_if_exited (process)
                   ? _("credential_process %s exited with status %d: %s")
                   : _("credential_process %s was killed by signal %d: %s"),
                   argv[0],
                   g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                        : g_subprocess_get_term_sig (process),
                   excerpt);
      return NULL;
    }

  credentials = scaler_aws_credentials_parse_json (SCALER_AWS_JSON_PROCESS, g_bytes_get_data (out, NULL),
                                                   g_bytes_get_size (out), error);
  {
    gsize size = 0;
    gpointer data = (gpointer) g_bytes_get_data (out, &size);

    if (data != NULL)
      explicit_bzero (data, size);
  }
  return credentials;
}

/* --- HTTP helpers --- */

static ScalerHttp *
http_new (guint timeout_ms)
{
  ScalerHttp *http = scaler_http_new ();

  scaler_http_set_timeouts (http, timeout_ms, timeout_ms);
  scaler_http_set_max_response_size (http, MAX_ANSWER_BYTES);
  return http;
}

static void
set_transport_error (GError      **error,
                     const char   *what,
                     GError       *cause)
{
  g_autofree char *message = g_strdup_printf ("%s: %s", what, cause->message);

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_error_copy (cause));
  else
    scaler_aws_error_set (error, SCALER_AWS_ERROR_NETWORK, NULL, message, NULL, 0);
}

static void
bzero_bytes (GBytes *bytes)
{
  gsize size = 0;
  gpointer data = bytes != NULL ? (gpointer) g_bytes_get_data (bytes, &size) : NULL;

  if (data != NULL)
    explicit_bzero (data, size);
}

/* --- STS --- */

static char *
sts_body (const ScalerAwsStsRequest *request)
{
  GString *body = g_string_new (NULL);
  struct { const char *key; const char *value; } params[] = {
    { "Action", request->web_identity_token != NULL ? "AssumeRoleWithWebIdentity" : "AssumeRole" },
    { "Version", SCALER_STS_API_VERSION },
    { "RoleArn", request->role_arn },
    { "RoleSessionName", request->role_session_name },
    { "ExternalId", request->web_identity_token == NULL ? request->external_id : NULL },
    { "WebIdentityToken", request->web_identity_token },
  };
  char duration[16];

  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    {
      if (params[i].value == NULL)
        continue;
      if (body->len > 0)
        g_string_append_c (body, '&');
      g_string_append (body, params[i].key);
      g_string_append_c (body, '=');
      scaler_http_append_uri_encoded (body, params[i].value, -1, FALSE);
    }
  if (request->duration_seconds > 0)
    {
      g_snprintf (duration, sizeof duration, "%d", request->duration_seconds);
      g_string_append (body, "&DurationSeconds=");
      g_string_append (body, duration);
    }
  return g_string_free (body, FALSE);
}

/* Headers of one attempt (signed afresh each time). */
static GPtrArray *
sts_headers (const ScalerAwsStsRequest  *request,
             const ScalerAwsCredentials *source,
             const char                 *host,
             const char                 *path,
             const char                 *body,
             GError                    **error)
{
  GPtrArray *headers = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (headers, g_strdup ("Content-Type: application/x-www-form-urlencoded; charset=utf-8"));
  g_ptr_array_add (headers, g_strconcat ("Host: ", host, NULL));
  if (request->web_identity_token == NULL)
    {
      g_autoptr(ScalerSigner) signer = scaler_signer_new (request->region, "sts");
      g_autoptr(ScalerSigv4Request) sign = scaler_sigv4_request_new ("POST", path, NULL);
      g_autoptr(ScalerSigv4Result) result = NULL;

      scaler_sigv4_request_add_header (sign, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
      scaler_sigv4_request_add_header (sign, "Host", host);
      scaler_sigv4_request_set_payload (sign, body, strlen (body));
      result = scaler_signer_sign (signer, source, sign, 0, error);
      if (result == NULL)
        {
          g_ptr_array_unref (headers);
          return NULL;
        }
      for (guint i = 0; result->extra_headers[i] != NULL; i++)
        g_ptr_array_add (headers, g_strdup (result->extra_headers[i]));
    }
  g_ptr_array_add (headers, g_strdup ("Accept: text/xml"));
  g_ptr_array_add (headers, NULL);
  return headers;
}

/* One attempt; *retry says whether another may help. */
static ScalerAwsCredentials *
sts_attempt (ScalerHttp                 *http,
             const ScalerAwsStsRequest  *request,
             const ScalerAwsCredentials *source,
             const char                 *body,
             gboolean                   *retry,
             gboolean                   *throttled,
             GCancellable               *cancellable,
             GError                    **error)
{
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) headers = NULL;
  g_autoptr(ScalerHttpResponse) response = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  ScalerAwsCredentials *credentials;
  const char *action = request->web_identity_token != NULL ? "AssumeRoleWithWebIdentity" : "AssumeRole";

  *retry = FALSE;
  *throttled = FALSE;
  if (!scaler_http_split_url (request->endpoint, NULL, &host, &path, &local_error))
    {
      scaler_aws_error_set (error, SCALER_AWS_ERROR_INVALID_INPUT, NULL, local_error->message, NULL, 0);
      return NULL;
    }
  headers = sts_headers (request, source, host, path, body, error);
  if (headers == NULL)
    return NULL;
  response = scaler_http_send (http, "POST", request->endpoint, (const char * const *) headers->pdata,
                               body, strlen (body), cancellable, &local_error);
  if (response == NULL)
    {
      *retry = scaler_http_error_is_transient (local_error);
      set_transport_error (error, request->endpoint, local_error);
      return NULL;
    }

  credentials = scaler_aws_sts_parse_response (g_bytes_get_data (response->body, NULL),
                                               g_bytes_get_size (response->body), &code, &message, &local_error);
  bzero_bytes (response->body);
  if (credentials != NULL && response->status == 200)
    return credentials;
  g_clear_pointer (&credentials, scaler_aws_credentials_free);
  if (code != NULL)
    {
      ScalerAwsErrorClass error_class = scaler_aws_error_classify (code, response->status);
      g_autofree char *text = g_strdup_printf (_("STS %s answered %s: %s"), action, code, message);

      *throttled = error_class == SCALER_AWS_ERROR_THROTTLED;
      *retry = *throttled || response->status >= 500;
      scaler_aws_error_set (error, error_class == SCALER_AWS_ERROR_FAILED ? SCALER_AWS_ERROR_AUTH : error_class,
                            code, text, NULL, response->status);
      return NULL;
    }
  {
    g_autofree char *text = g_strdup_printf (_("%s answered %s with HTTP %u and no STS answer (%s)"),
                                             request->endpoint, action, response->status, local_error->message);

    *retry = response->status >= 500;
    scaler_aws_error_set (error, SCALER_AWS_ERROR_SERVER, NULL, text, NULL, response->status);
  }
  return NULL;
}

ScalerAwsCredentials *
scaler_aws_sts_assume_role (const ScalerAwsStsRequest  *request,
                            const ScalerAwsCredentials *source,
                            GCancellable               *cancellable,
                            GError                    **error)
{
  g_autoptr(ScalerHttp) http = http_new (STS_TIMEOUT_MS);
  g_autoptr(ScalerAwsRetry) retry = scaler_aws_retry_new ();
  g_autofree char *body = NULL;

  g_return_val_if_fail (request != NULL && request->endpoint != NULL && request->role_arn != NULL, NULL);
  g_return_val_if_fail (request->web_identity_token != NULL || source != NULL, NULL);

  body = sts_body (request);
  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean again = FALSE;
      gboolean throttled = FALSE;
      ScalerAwsCredentials *credentials;

      credentials = sts_attempt (http, request, source, body, &again, &throttled, cancellable, &local_error);
      if (credentials != NULL)
        {
          explicit_bzero (body, strlen (body));
          return credentials;
        }
      if (!again || attempt + 1 >= STS_ATTEMPTS ||
          !scaler_aws_retry_sleep (retry, scaler_aws_retry_compute_delay (retry, attempt, throttled, 0),
                                   cancellable, NULL))
        {
          explicit_bzero (body, strlen (body));
          if (!g_cancellable_set_error_if_cancelled (cancellable, error))
            g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_debug ("STS: attempt %u failed (%s), retrying", attempt + 1, local_error->message);
    }
}

/* --- SSO portal --- */

/* restJson errors: x-amzn-ErrorType "Code:uri", or the body's __type. */
static char *
rest_json_error_code (ScalerHttpResponse *response,
                      JsonObject         *body)
{
  const char *header = scaler_http_response_get_header (response, "x-amzn-errortype");
  const char *type = header != NULL ? header : scaler_json_member_string (body, "__type");
  const char *hash;

  if (type == NULL)
    return NULL;
  hash = strrchr (type, '#');
  if (hash != NULL)
    type = hash + 1;
  return g_strndup (type, strcspn (type, ":"));
}

ScalerAwsCredentials *
scaler_aws_sso_get_role_credentials (const char    *endpoint,
                                     const char    *account_id,
                                     const char    *role_name,
                                     const char    *access_token,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  g_autoptr(ScalerHttp) http = http_new (SSO_TIMEOUT_MS);
  g_autoptr(ScalerHttpResponse) response = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) url = g_string_new (endpoint);
  g_autofree char *token_header = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *code = NULL;
  JsonObject *body;
  const char *headers[3];

  g_return_val_if_fail (endpoint != NULL && account_id != NULL && role_name != NULL && access_token != NULL, NULL);

  while (url->len > 0 && url->str[url->len - 1] == '/')
    g_string_truncate (url, url->len - 1);
  g_string_append (url, "/federation/credentials?account_id=");
  scaler_http_append_uri_encoded (url, account_id, -1, FALSE);
  g_string_append (url, "&role_name=");
  scaler_http_append_uri_encoded (url, role_name, -1, FALSE);

  token_header = g_strconcat ("x-amz-sso_bearer_token: ", access_token, NULL);
  headers[0] = token_header;
  headers[1] = "Accept: application/json";
  headers[2] = NULL;
  response = scaler_http_send (http, "GET", url->str, headers, NULL, 0, cancellable, &local_error);
  explicit_bzero (token_header, strlen (token_header));
  if (response == NULL)
    {
      set_transport_error (error, endpoint, local_error);
      return NULL;
    }
  if (response->status == 200)
    {
      ScalerAwsCredentials *credentials;

      credentials = scaler_aws_credentials_parse_json (SCALER_AWS_JSON_SSO, g_bytes_get_data (response->body, NULL),
                                                       g_bytes_get_size (response->body), error);
      bzero_bytes (response->body);
      return credentials;
    }

  body = scaler_json_parse_object (parser, g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body));
  code = rest_json_error_code (response, body);
  {
    const char *message = scaler_json_member_string (body, "message") != NULL ? scaler_json_member_string (body, "message")
                                                                 : scaler_json_member_string (body, "Message");
    g_autofree char *text = g_strdup_printf (_("the SSO portal %s answered GetRoleCredentials with HTTP %u %s%s%s"),
                                             endpoint, response->status, code != NULL ? code : "",
                                             message != NULL ? ": " : "", message != NULL ? message : "");
    ScalerAwsErrorClass error_class = response->status >= 500 ? SCALER_AWS_ERROR_SERVER
                                      : response->status == 429 ? SCALER_AWS_ERROR_THROTTLED
                                      : SCALER_AWS_ERROR_AUTH;

    scaler_aws_error_set (error, error_class, code, text, NULL, response->status);
  }
  return NULL;
}

/* --- container credentials --- */

static ScalerAwsCredentials *
container_attempt (ScalerHttp    *http,
                   const char    *url,
                   const char    *authorization,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(ScalerHttpResponse) response = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *auth_header = NULL;
  const char *headers[3] = { "Accept: application/json", NULL, NULL };
  ScalerAwsCredentials *credentials;

  if (authorization != NULL)
    headers[1] = auth_header = g_strconcat ("Authorization: ", authorization, NULL);
  response = scaler_http_send (http, "GET", url, headers, NULL, 0, cancellable, &local_error);
  if (auth_header != NULL)
    explicit_bzero (auth_header, strlen (auth_header));
  if (response == NULL)
    {
      set_transport_error (error, url, local_error);
      return NULL;
    }
  if (response->status != 200)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      JsonObject *body = scaler_json_parse_object (parser, g_bytes_get_data (response->body, NULL),
                                                   g_bytes_get_size (response->body));
      const char *code = scaler_json_member_string (body, "Code");
      const char *message = scaler_json_member_string (body, "Message");
      g_autofree char *text = g_strdup_printf (_("%s answered HTTP %u%s%s%s%s"), url, response->status,
                                               code != NULL ? " " : "", code != NULL ? code : "",
                                               message != NULL ? ": " : "", message != NULL ? message : "");

      scaler_aws_error_set (error, response->status >= 500 ? SCALER_AWS_ERROR_SERVER : SCALER_AWS_ERROR_AUTH,
                            code, text, NULL, response->status);
      return NULL;
    }
  credentials = scaler_aws_credentials_parse_json (SCALER_AWS_JSON_METADATA, g_bytes_get_data (response->body, NULL),
                                                   g_bytes_get_size (response->body), error);
  bzero_bytes (response->body);
  return credentials;
}

ScalerAwsCredentials *
scaler_aws_container_fetch (const char    *url,
                            const char    *authorization,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(ScalerHttp) http = http_new (CONTAINER_TIMEOUT_MS);

  g_return_val_if_fail (url != NULL, NULL);

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      ScalerAwsCredentials *credentials = container_attempt (http, url, authorization, cancellable, &local_error);

      if (credentials != NULL)
        return credentials;
      /* botocore retries every MetadataRetrievalError: errors, non-200, bad JSON. */
      if (attempt >= CONTAINER_ATTEMPTS || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          !scaler_aws_sleep_cancellable (CONTAINER_SLEEP_USEC, cancellable, NULL, NULL))
        {
          if (local_error->domain == G_IO_ERROR || !g_cancellable_set_error_if_cancelled (cancellable, error))
            g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_debug ("Container credentials: attempt %u failed (%s)", attempt, local_error->message);
    }
}

/* --- IMDSv2 --- */

static char *
imds_url (const ScalerAwsImdsOptions *options,
          const char                 *path)
{
  return g_strconcat (options->endpoint, g_str_has_suffix (options->endpoint, "/") ? "" : "/", path, NULL);
}

/* PUT latest/api/token (IMDSFetcher._fetch_metadata_token): the token, or
 * NULL without an error when IMDSv1 should be tried. */
static char *
imds_token (ScalerHttp                 *http,
            const ScalerAwsImdsOptions *options,
            GCancellable               *cancellable,
            GError                    **error)
{
  g_autofree char *url = imds_url (options, "latest/api/token");
  const char *headers[] = { "x-aws-ec2-metadata-token-ttl-seconds: " IMDS_TOKEN_TTL, NULL };

  for (guint attempt = 0; attempt < MAX (options->attempts, 1); attempt++)
    {
      g_autoptr(ScalerHttpResponse) response = NULL;
      g_autoptr(GError) local_error = NULL;

      response = scaler_http_send (http, "PUT", url, headers, NULL, 0, cancellable, &local_error);
      if (response == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            return NULL;
          g_debug ("IMDS token: %s", local_error->message);
          continue;
        }
      if (response->status == 200)
        return g_strndup (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body));
      if (response->status == 403 || response->status == 404 || response->status == 405)
        return NULL;
      if (response->status == 400)
        {
          g_autofree char *text = g_strdup_printf (_("the EC2 instance metadata service at %s refused the token "
                                                     "request (HTTP 400)"), options->endpoint);

          scaler_aws_error_set (error, SCALER_AWS_ERROR_AUTH, NULL, text, NULL, 400);
          return NULL;
        }
    }
  return NULL;
}

/* GET with the token; retried while not 200 or empty (IMDSFetcher._get_request). */
static GBytes *
imds_get (ScalerHttp                 *http,
          const ScalerAwsImdsOptions *options,
          const char                 *path,
          const char                 *token,
          GCancellable               *cancellable,
          GError                    **error)
{
  g_autofree char *url = imds_url (options, path);
  g_autofree char *token_header = token != NULL ? g_strconcat ("x-aws-ec2-metadata-token: ", token, NULL) : NULL;
  const char *headers[] = { token_header, NULL };
  g_autofree char *last = NULL;

  for (guint attempt = 0; attempt < MAX (options->attempts, 1); attempt++)
    {
      g_autoptr(ScalerHttpResponse) response = NULL;
      g_autoptr(GError) local_error = NULL;

      response = scaler_http_send (http, "GET", url, headers, NULL, 0, cancellable, &local_error);
      if (response == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          g_free (last);
          last = g_strdup (local_error->message);
          continue;
        }
      if (response->status == 200 && g_bytes_get_size (response->body) > 0)
        return g_bytes_ref (response->body);
      g_free (last);
      last = g_strdup_printf (_("HTTP %u"), response->status);
    }

  {
    g_autofree char *text = g_strdup_printf (_("the EC2 instance metadata service at %s did not answer GET %s: %s"),
                                             options->endpoint, path, last != NULL ? last : "?");

    scaler_aws_error_set (error, SCALER_AWS_ERROR_NETWORK, NULL, text, NULL, 0);
  }
  return NULL;
}

ScalerAwsCredentials *
scaler_aws_imds_fetch (const ScalerAwsImdsOptions  *options,
                       char                       **role_name,
                       GCancellable                *cancellable,
                       GError                     **error)
{
  static const char role_path[] = "latest/meta-data/iam/security-credentials/";
  g_autoptr(ScalerHttp) http = http_new (MAX (options->timeout_ms, 1));
  g_autoptr(GError) local_error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *role = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) roles = NULL;
  g_autoptr(GBytes) answer = NULL;
  ScalerAwsCredentials *credentials;

  g_return_val_if_fail (options != NULL && options->endpoint != NULL, NULL);

  token = imds_token (http, options, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (token == NULL && options->v1_disabled)
    {
      g_autofree char *text = g_strdup_printf (_("the EC2 instance metadata service at %s gave no IMDSv2 token, "
                                                 "and IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED)"),
                                               options->endpoint);

      scaler_aws_error_set (error, SCALER_AWS_ERROR_NETWORK, NULL, text, NULL, 0);
      return NULL;
    }

  roles = imds_get (http, options, role_path, token, cancellable, error);
  if (roles == NULL)
    return NULL;
  role = g_strndup (g_bytes_get_data (roles, NULL), g_bytes_get_size (roles));
  role[strcspn (role, "\r\n")] = '\0';
  g_strstrip (role);
  if (*role == '\0' || strchr (role, '/') != NULL || !g_utf8_validate (role, -1, NULL))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("the EC2 instance metadata service named no usable IAM role"));
      return NULL;
    }

  path = g_strconcat (role_path, role, NULL);
  answer = imds_get (http, options, path, token, cancellable, error);
  if (token != NULL)
    explicit_bzero (token, strlen (token));
  if (answer == NULL)
    return NULL;
  credentials = scaler_aws_credentials_parse_json (SCALER_AWS_JSON_METADATA, g_bytes_get_data (answer, NULL),
                                                   g_bytes_get_size (answer), error);
  bzero_bytes (answer);
  if (credentials != NULL && role_name != NULL)
    *role_name = g_steal_pointer (&role);
  return credentials;
}
