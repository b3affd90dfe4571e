/* SPDX-License-Identifier: GPL-3.0-or-later */

/* scaler-ec2.c: the EC2 client: endpoint, credentials, signing, retries and
 * the clock offset. Its operations are in scaler-ec2-operations.c, its test
 * connection in scaler-ec2-test-connection.c, its requests' parameters in
 * scaler-ec2-params.c. */

#define G_LOG_DOMAIN "scaler-ec2"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-aws-error.h"
#include "scaler-config.h"
#include "scaler-ec2.h"
#include "scaler-error.h"
#include "scaler-partitions.h"
#include "scaler-ec2-private.h"
#include "scaler-util.h"

/* The clock offset is replaced by the server's Date when they disagree by
 * 5 minutes or more, after an error as after a success, as the JavaScript
 * SDK v3 does (aws-sdk-js-v3 AwsSdkSigV4Signer errorHandler/successHandler
 * with isClockSkewed: >= 300000 ms; aws-sdk-js v2 lib/service.js the same).
 * EC2 itself accepts requests up to 15 minutes off. */
#define CLOCK_CORRECTION_THRESHOLD_USEC  (300 * G_USEC_PER_SEC)
#define CLOCK_PROACTIVE_THRESHOLD_USEC   (300 * G_USEC_PER_SEC)

/* --- client --- */

char *
scaler_ec2_endpoint_for_region (const char *region)
{
  g_return_val_if_fail (region != NULL, NULL);

  return scaler_partition_ec2_endpoint (region);
}

static gboolean
region_is_valid (const char *region)
{
  if (region == NULL || *region == '\0' || strlen (region) > 32)
    return FALSE;
  for (const char *p = region; *p != '\0'; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-'))
      return FALSE;

  return TRUE;
}

static gboolean
split_endpoint (const char  *endpoint,
                char       **host,
                char       **path,
                GError     **error)
{
  if (!scaler_http_split_url (endpoint, NULL, host, path, NULL))
    {
      g_autofree char *message = g_strdup_printf (_("The EC2 endpoint \"%s\" is not an http:// or https:// URL"), endpoint);

      scaler_aws_error_set (error, SCALER_AWS_ERROR_INVALID_INPUT, NULL, message, NULL, 0);
      return FALSE;
    }
  return TRUE;
}

ScalerEc2Client *
scaler_ec2_client_new (const char                 *region,
                       const char                 *endpoint,
                       const ScalerAwsCredentials *credentials,
                       GError                    **error)
{
  g_autoptr(ScalerAwsProvider) provider = NULL;

  g_return_val_if_fail (credentials != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (region_is_valid (region) &&
      (!scaler_str_is_set (credentials->access_key_id) || !scaler_str_is_set (credentials->secret_access_key)))
    {
      scaler_aws_error_set (error, SCALER_AWS_ERROR_AUTH, NULL,
                            _("The AWS access key ID or secret access key is empty"), NULL, 0);
      return NULL;
    }
  provider = scaler_aws_provider_new_static (credentials);
  return scaler_ec2_client_new_with_provider (region, endpoint, provider, error);
}

ScalerEc2Client *
scaler_ec2_client_new_with_provider (const char         *region,
                                     const char         *endpoint,
                                     ScalerAwsProvider  *provider,
                                     GError            **error)
{
  g_autoptr(ScalerEc2Client) self = NULL;

  g_return_val_if_fail (SCALER_IS_AWS_PROVIDER (provider), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!region_is_valid (region))
    {
      g_autofree char *message = g_strdup_printf (_("\"%s\" is not an AWS region name (e.g. us-east-1)"),
                                                  region != NULL ? region : "");

      scaler_aws_error_set (error, SCALER_AWS_ERROR_INVALID_INPUT, NULL, message, NULL, 0);
      return NULL;
    }

  self = g_new0 (ScalerEc2Client, 1);
  g_mutex_init (&self->mutex);
  self->region = g_strdup (region);
  self->endpoint = scaler_str_is_set (endpoint) ? g_strdup (endpoint) : scaler_ec2_endpoint_for_region (region);
  if (!split_endpoint (self->endpoint, &self->host, &self->path, error))
    return NULL;
  self->provider = g_object_ref (provider);
  self->signer = scaler_signer_new (region, "ec2");
  self->http = scaler_http_new ();
  self->retry = scaler_aws_retry_new ();
  self->attempt_ms = SCALER_EC2_DEFAULT_ATTEMPT_TIMEOUT_MS;
  self->call_ms = SCALER_EC2_DEFAULT_CALL_TIMEOUT_MS;

  return g_steal_pointer (&self);
}

void
scaler_ec2_client_free (ScalerEc2Client *self)
{
  if (self == NULL)
    return;

  g_free (self->region);
  g_free (self->endpoint);
  g_free (self->host);
  g_free (self->path);
  g_clear_object (&self->provider);
  g_free (self->key_id);
  g_clear_pointer (&self->signer, scaler_signer_free);
  g_clear_pointer (&self->http, scaler_http_free);
  g_clear_pointer (&self->retry, scaler_aws_retry_free);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

const char *
scaler_ec2_client_get_endpoint (ScalerEc2Client *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->endpoint;
}

const char *
scaler_ec2_client_get_region (ScalerEc2Client *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->region;
}

ScalerHttp *
scaler_ec2_client_get_http (ScalerEc2Client *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->http;
}

ScalerSigner *
scaler_ec2_client_get_signer (ScalerEc2Client *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->signer;
}

ScalerAwsRetry *
scaler_ec2_client_get_retry (ScalerEc2Client *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->retry;
}

void
scaler_ec2_client_set_timeouts (ScalerEc2Client *self,
                                guint            attempt_ms,
                                guint            call_ms)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  if (attempt_ms > 0)
    self->attempt_ms = attempt_ms;
  if (call_ms > 0)
    self->call_ms = call_ms;
  g_mutex_unlock (&self->mutex);
}

void
scaler_ec2_client_get_stats (ScalerEc2Client *self,
                             ScalerEc2Stats  *stats)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (stats != NULL);

  g_mutex_lock (&self->mutex);
  *stats = self->stats;
  g_mutex_unlock (&self->mutex);
}

#define STAT_ADD(self, field, n) G_STMT_START { \
    g_mutex_lock (&(self)->mutex);                \
    (self)->stats.field += (n);                   \
    g_mutex_unlock (&(self)->mutex);              \
  } G_STMT_END

/* Corrects the signer's clock from the Date header. With @skew_error the
 * server told us the clock is off, so any disagreement is corrected;
 * otherwise only a skew of minutes. Returns whether the offset changed. */
static gboolean
maybe_correct_clock (ScalerEc2Client          *self,
                     const ScalerHttpResponse *response,
                     gboolean                  skew_error)
{
  gint64 server = scaler_http_parse_date (scaler_http_response_get_header (response, "date"));
  gint64 local = g_get_real_time ();
  gint64 offset = scaler_signer_get_clock_offset (self->signer);
  gint64 diff;

  if (server == 0)
    return FALSE;

  diff = server - (local + offset);
  if (ABS (diff) <= (skew_error ? CLOCK_CORRECTION_THRESHOLD_USEC : CLOCK_PROACTIVE_THRESHOLD_USEC))
    return FALSE;

  g_debug ("Correcting the clock offset from %" G_GINT64_FORMAT " s to %" G_GINT64_FORMAT " s (server Date)",
           offset / G_USEC_PER_SEC, (server - local) / G_USEC_PER_SEC);
  scaler_signer_set_clock_offset (self->signer, server - local);
  STAT_ADD (self, clock_corrections, 1);

  return TRUE;
}

static gboolean
is_clock_skew_code (const char *code)
{
  return g_strcmp0 (code, "RequestExpired") == 0 ||
         g_strcmp0 (code, "RequestTimeTooSkewed") == 0 ||
         g_strcmp0 (code, "RequestInTheFuture") == 0;
}

static gboolean
is_auth_skew_candidate (const char *code)
{
  return g_strcmp0 (code, "AuthFailure") == 0 ||
         g_strcmp0 (code, "SignatureDoesNotMatch") == 0 ||
         g_strcmp0 (code, "InvalidSignatureException") == 0;
}

static const char *
describe_body (const ScalerHttpResponse *response)
{
  if (g_bytes_get_size (response->body) == 0)
    return _("an empty body");
  if (g_str_has_prefix (response->content_type, "text/html"))
    return _("an HTML page (from a proxy, load balancer or captive portal?)");
  if (strstr (response->content_type, "xml") == NULL && *response->content_type != '\0')
    return _("a body that is not XML");

  return _("a body that is not a valid EC2 answer");
}

typedef struct
{
  ScalerAwsErrorClass error_class;
  gboolean            retryable;
  gboolean            throttling;
  gint64              hint_usec;
  ScalerAwsCredentials *expired;      /* the temporary credentials AWS said expired */
} Outcome;

/* The keys to sign with. A failure names the credential source. */
static ScalerAwsCredentials *
current_credentials (ScalerEc2Client  *self,
                     Outcome          *outcome,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  ScalerAwsCredentials *credentials;

  credentials = scaler_aws_provider_get (self->provider, cancellable, &local_error);
  if (credentials == NULL)
    {
      if (local_error->domain == SCALER_AWS_ERROR || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          outcome->error_class = local_error->domain == SCALER_AWS_ERROR ? local_error->code : SCALER_AWS_ERROR_FAILED;
          g_propagate_error (error, g_steal_pointer (&local_error));
        }
      else
        {
          outcome->error_class = SCALER_AWS_ERROR_AUTH;
          scaler_aws_error_set (error, SCALER_AWS_ERROR_AUTH, NULL, local_error->message, NULL, 0);
        }
      return NULL;
    }
  g_mutex_lock (&self->mutex);
  scaler_set_str (&self->key_id, credentials->access_key_id);
  g_mutex_unlock (&self->mutex);
  return credentials;
}

/* aws/aws-sdk-go aws/request/retryer.go credsExpiredCodes: ExpiredToken,
 * ExpiredTokenException and RequestExpired ("EC2 Only"): with temporary
 * credentials (a session token) and a clock that the Date header shows to
 * be right, the credentials expired. Sets the error and marks the outcome
 * so that the call fetches new credentials and tries once more. */
static gboolean
credentials_expired (ScalerEc2Client            *self,
                     const char                 *code,
                     const ScalerAwsCredentials *credentials,
                     const ScalerEc2Response    *parsed,
                     guint                       status,
                     Outcome                    *outcome,
                     GError                    **error)
{
  g_autofree char *message = NULL;

  if ((g_strcmp0 (code, "RequestExpired") != 0 && g_strcmp0 (code, "ExpiredToken") != 0 &&
       g_strcmp0 (code, "ExpiredTokenException") != 0) || !scaler_str_is_set (credentials->session_token))
    return FALSE;

  outcome->error_class = SCALER_AWS_ERROR_AUTH;
  outcome->expired = scaler_aws_credentials_copy (credentials);
  message = g_strdup_printf (scaler_aws_provider_is_static (self->provider)
                             ? _("The temporary credentials expired (AWS said: %s): get a new access key, "
                                 "secret and session token and enter them again")
                             : _("The temporary credentials expired (they came from %s), and no newer ones came "
                                 "from there (AWS said: %s)"),
                             scaler_aws_provider_is_static (self->provider)
                             ? (scaler_str_is_set (parsed->error_message) ? parsed->error_message : code)
                             : (credentials->source != NULL ? credentials->source
                                                            : scaler_aws_provider_get_description (self->provider)),
                             scaler_str_is_set (parsed->error_message) ? parsed->error_message : code);
  scaler_aws_error_set (error, SCALER_AWS_ERROR_AUTH, code, message, parsed->request_id, status);
  return TRUE;
}

/* After an expired-credentials answer: TRUE when the provider now has
 * other credentials to try. */
static gboolean
renew_credentials (ScalerEc2Client             *self,
                   const ScalerAwsCredentials  *expired,
                   GCancellable                *cancellable,
                   GError                     **error)
{
  g_autoptr(ScalerAwsCredentials) fresh = NULL;
  Outcome outcome = { 0 };

  if (!scaler_aws_provider_invalidate (self->provider, expired))
    return FALSE;
  fresh = current_credentials (self, &outcome, cancellable, error);
  if (fresh == NULL)
    return FALSE;
  g_debug ("Temporary AWS credentials expired; fetched new ones from %s",
           fresh->source != NULL ? fresh->source : scaler_aws_provider_get_description (self->provider));
  return !scaler_aws_credentials_equal (fresh, expired);
}

/* After an answer that said the credentials in @outcome expired: TRUE when
 * there are new ones to try; otherwise FALSE, with *attempt_error replaced
 * by why no new ones came, if that failed. */
static gboolean
renew_after_expiry (ScalerEc2Client  *self,
                    Outcome          *outcome,
                    GCancellable     *cancellable,
                    GError          **attempt_error)
{
  g_autoptr(ScalerAwsCredentials) expired = g_steal_pointer (&outcome->expired);
  g_autoptr(GError) renew_error = NULL;

  if (renew_credentials (self, expired, cancellable, &renew_error))
    return TRUE;
  if (renew_error != NULL)
    {
      g_clear_error (attempt_error);
      g_propagate_error (attempt_error, g_steal_pointer (&renew_error));
    }
  return FALSE;
}

/* The server's retry hint (x-amz-retry-after in ms, or Retry-After). */
static gint64
retry_hint (const ScalerHttpResponse *response)
{
  return scaler_aws_retry_parse_hint (scaler_http_response_get_header (response, "x-amz-retry-after"),
                                      scaler_http_response_get_header (response, "retry-after"),
                                      g_get_real_time ());
}

/* Signs @body with @credentials (a fresh signature and date on every
 * attempt) and sends it. NULL with *outcome and *error filled when no
 * answer came. */
static ScalerHttpResponse *
sign_and_send (ScalerEc2Client             *self,
               const char                  *action,
               const ScalerAwsCredentials  *credentials,
               const char                  *body,
               gsize                        body_len,
               guint                        timeout_ms,
               GCancellable                *cancellable,
               Outcome                     *outcome,
               GError                     **error)
{
  g_autoptr(ScalerSigv4Request) request = NULL;
  g_autoptr(ScalerSigv4Result) signature = NULL;
  g_autoptr(ScalerHttpResponse) response = NULL;
  g_autoptr(GPtrArray) headers = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *host_header = NULL;
  gint64 start = g_get_monotonic_time ();

  request = scaler_sigv4_request_new ("POST", self->path, NULL);
  scaler_sigv4_request_add_header (request, "Content-Type", SCALER_EC2_CONTENT_TYPE);
  scaler_sigv4_request_add_header (request, "Host", self->host);
  scaler_sigv4_request_set_payload (request, body, body_len);
  signature = scaler_signer_sign (self->signer, credentials, request, 0, &local_error);
  if (signature == NULL)
    {
      scaler_aws_error_set (error, SCALER_AWS_ERROR_FAILED, NULL, local_error->message, NULL, 0);
      return NULL;
    }

  headers = g_ptr_array_new ();
  host_header = g_strconcat ("Host: ", self->host, NULL);
  g_ptr_array_add (headers, (gpointer) "Content-Type: " SCALER_EC2_CONTENT_TYPE);
  g_ptr_array_add (headers, host_header);
  for (guint i = 0; signature->extra_headers[i] != NULL; i++)
    g_ptr_array_add (headers, signature->extra_headers[i]);
  g_ptr_array_add (headers, (gpointer) "Accept: text/xml");
  g_ptr_array_add (headers, NULL);

  scaler_http_set_timeouts (self->http, MIN (timeout_ms, SCALER_HTTP_DEFAULT_CONNECT_TIMEOUT_MS), timeout_ms);
  STAT_ADD (self, attempts, 1);
  response = scaler_http_send (self->http, "POST", self->endpoint,
                               (const char * const *) headers->pdata,
                               body, body_len, cancellable, &local_error);
  if (response != NULL)
    {
      g_debug ("%s: HTTP %u in %" G_GINT64_FORMAT " ms", action, response->status,
               (g_get_monotonic_time () - start) / 1000);
      return g_steal_pointer (&response);
    }

  g_debug ("%s: no answer after %" G_GINT64_FORMAT " ms: %s", action,
           (g_get_monotonic_time () - start) / 1000, local_error->message);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
    outcome->error_class = SCALER_AWS_ERROR_SERVER;
  else
    outcome->error_class = SCALER_AWS_ERROR_NETWORK;
  outcome->retryable = scaler_http_error_is_transient (local_error);
  scaler_aws_error_set (error, outcome->error_class, NULL, local_error->message, NULL, 0);
  return NULL;
}

/* An EC2 error answer: its class, whether to retry (after correcting the
 * clock, for a skew), or expired credentials. Fills *outcome and *error. */
static void
classify_error_answer (ScalerEc2Client             *self,
                       const ScalerHttpResponse    *response,
                       const ScalerEc2Response     *parsed,
                       const ScalerAwsCredentials  *credentials,
                       Outcome                     *outcome,
                       GError                     **error)
{
  const char *code = parsed->error_code;
  gboolean corrected = FALSE;

  outcome->error_class = scaler_aws_error_classify (code, response->status);
  if (is_clock_skew_code (code))
    corrected = maybe_correct_clock (self, response, TRUE);
  /* RequestExpired with a session token, and a clock the Date header
   * shows to be right: the credentials expired. */
  if (!corrected && credentials_expired (self, code, credentials, parsed, response->status, outcome, error))
    return;
  if (is_clock_skew_code (code))
    outcome->retryable = corrected;
  else if (is_auth_skew_candidate (code))
    {
      /* Only a clock off by minutes explains an auth failure. */
      corrected = maybe_correct_clock (self, response, FALSE);
      outcome->retryable = corrected;
    }
  else
    {
      maybe_correct_clock (self, response, FALSE);
      outcome->retryable = outcome->error_class == SCALER_AWS_ERROR_THROTTLED ||
                           (outcome->error_class == SCALER_AWS_ERROR_SERVER &&
                            (response->status >= 500 ||
                             g_strcmp0 (code, "RequestTimeout") == 0 ||
                             g_strcmp0 (code, "RequestTimeoutException") == 0));
    }
  outcome->throttling = outcome->error_class == SCALER_AWS_ERROR_THROTTLED;
  outcome->hint_usec = retry_hint (response);
  scaler_aws_error_set (error, outcome->error_class, code,
                        scaler_str_is_set (parsed->error_message) ? parsed->error_message : NULL,
                        parsed->request_id, response->status);
}

/* No usable EC2 answer: HTML from a proxy, empty, malformed, truncated... */
static void
classify_unusable_answer (const ScalerHttpResponse  *response,
                          const char                *action,
                          const GError              *parse_error,
                          Outcome                   *outcome,
                          GError                   **error)
{
  g_autofree char *message = NULL;

  if (response->status >= 200 && response->status < 300)
    outcome->error_class = SCALER_AWS_ERROR_SERVER;
  else
    outcome->error_class = scaler_aws_error_classify (NULL, response->status);
  if (outcome->error_class == SCALER_AWS_ERROR_FAILED)
    outcome->error_class = SCALER_AWS_ERROR_SERVER;
  outcome->retryable = response->status >= 500 || response->status == 429;
  outcome->throttling = response->status == 429;
  outcome->hint_usec = retry_hint (response);
  message = g_strdup_printf (_("%s answered %s with HTTP %u and %s (%s)"),
                             response->host, action, response->status, describe_body (response),
                             parse_error != NULL ? parse_error->message : _("an unexpected answer"));
  scaler_aws_error_set (error, outcome->error_class, NULL, message, NULL, response->status);
}

/* One attempt. Returns the answer, or NULL with *outcome and *error filled. */
static ScalerEc2Response *
attempt_once (ScalerEc2Client  *self,
              const char       *action,
              const char       *body,
              gsize             body_len,
              guint             timeout_ms,
              GCancellable     *cancellable,
              Outcome          *outcome,
              GError          **error)
{
  g_autoptr(ScalerHttpResponse) response = NULL;
  g_autoptr(ScalerEc2Response) parsed = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(ScalerAwsCredentials) credentials = NULL;

  memset (outcome, 0, sizeof *outcome);

  /* The provider's current keys (fetched again first when they are about
   * to expire). */
  credentials = current_credentials (self, outcome, cancellable, error);
  if (credentials == NULL)
    return NULL;
  response = sign_and_send (self, action, credentials, body, body_len, timeout_ms, cancellable, outcome, error);
  if (response == NULL)
    return NULL;

  parsed = scaler_ec2_response_parse (g_bytes_get_data (response->body, NULL),
                                      g_bytes_get_size (response->body), &parse_error);
  if (response->status >= 200 && response->status < 300 && parsed != NULL && !scaler_ec2_response_is_error (parsed))
    {
      maybe_correct_clock (self, response, FALSE);
      return g_steal_pointer (&parsed);
    }

  if (parsed != NULL && scaler_ec2_response_is_error (parsed))
    classify_error_answer (self, response, parsed, credentials, outcome, error);
  else
    classify_unusable_answer (response, action, parse_error, outcome, error);
  return NULL;
}

/* After a failed attempt that may be retried: TRUE, with the delay before
 * the next one, when the retry quota and the call's deadline allow it. */
static gboolean
plan_retry (ScalerEc2Client *self,
            const char      *action,
            guint            attempt,
            const Outcome   *outcome,
            gint64           deadline,
            guint           *last_cost,
            gint64          *delay)
{
  guint cost = 0;

  if (!scaler_aws_retry_acquire (self->retry, outcome->throttling, &cost))
    {
      g_debug ("%s: retry quota exhausted, not retrying", action);
      return FALSE;
    }
  *last_cost = cost;

  *delay = scaler_aws_retry_compute_delay (self->retry, attempt - 1, outcome->throttling, outcome->hint_usec);
  if (g_get_monotonic_time () + *delay >= deadline)
    {
      g_debug ("%s: no time left for another attempt", action);
      return FALSE;
    }
  return TRUE;
}

ScalerEc2Response *
scaler_ec2_client_call (ScalerEc2Client       *self,
                        const ScalerEc2Params *params,
                        GCancellable          *cancellable,
                        GError               **error)
{
  g_autofree char *body = NULL;
  const char *action;
  guint max_attempts;
  guint attempt_ms;
  guint call_ms;
  guint last_cost = 0;
  gboolean renewed = FALSE;
  gint64 deadline;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  action = scaler_ec2_params_get_action (params);
  body = scaler_ec2_params_encode (params);
  max_attempts = scaler_aws_retry_get_max_attempts (self->retry);

  g_mutex_lock (&self->mutex);
  attempt_ms = self->attempt_ms;
  call_ms = self->call_ms;
  self->stats.calls++;
  g_mutex_unlock (&self->mutex);

  deadline = g_get_monotonic_time () + (gint64) call_ms * 1000;

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) attempt_error = NULL;
      ScalerEc2Response *response;
      Outcome outcome;
      gint64 left = deadline - g_get_monotonic_time ();
      guint timeout_ms = (guint) MAX (1, MIN ((gint64) attempt_ms, left / 1000));
      gint64 delay = 0;

      response = attempt_once (self, action, body, strlen (body), timeout_ms, cancellable, &outcome, &attempt_error);
      if (response != NULL)
        {
          scaler_aws_retry_release (self->retry, attempt > 1 ? last_cost : 0);
          return response;
        }
      if (outcome.expired != NULL)
        {
          /* Temporary credentials expired: new ones, then once more (not
           * counted as an attempt: nothing was wrong with the request). */
          if (!renewed && renew_after_expiry (self, &outcome, cancellable, &attempt_error))
            {
              renewed = TRUE;
              attempt--;
              continue;
            }
          g_clear_pointer (&outcome.expired, scaler_aws_credentials_free);
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return NULL;
        }
      if (g_error_matches (attempt_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          !outcome.retryable || attempt >= max_attempts ||
          !plan_retry (self, action, attempt, &outcome, deadline, &last_cost, &delay))
        {
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return NULL;
        }
      STAT_ADD (self, slept_usec, delay);
      STAT_ADD (self, retries, 1);
      g_debug ("%s: attempt %u failed (%s), retrying in %" G_GINT64_FORMAT " ms",
               action, attempt, attempt_error->message, delay / 1000);
      if (!scaler_aws_retry_sleep (self->retry, delay, cancellable, error))
        return NULL;
    }
}
