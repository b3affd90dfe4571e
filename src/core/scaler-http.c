/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-http"

#include "config.h"

#include <string.h>

#include <curl/curl.h>
#include <glib/gi18n-lib.h>

#include "scaler-http.h"
#include "scaler-util.h"

struct _ScalerHttp
{
  GMutex  mutex;
  CURLM  *multi;
  CURL   *easy;
  char   *ca_file;
  char   *user_agent;
  guint   connect_ms;
  guint   total_ms;
  gsize   max_response_size;
};

typedef struct
{
  ScalerHttp   *self;
  GByteArray   *body;
  GHashTable   *headers;
  GCancellable *cancellable;
  gboolean      too_large;
} Transfer;

static void
ensure_curl_global_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      CURLcode rc = curl_global_init (CURL_GLOBAL_DEFAULT);

      if (rc != CURLE_OK)
        g_critical ("curl_global_init failed: %s", curl_easy_strerror (rc));
      g_once_init_leave (&initialized, 1);
    }
}

static size_t
write_cb (char   *ptr,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  Transfer *transfer = user_data;
  size_t n = size * nmemb;

  if (transfer->body->len + n > transfer->self->max_response_size)
    {
      transfer->too_large = TRUE;
      return 0;
    }
  g_byte_array_append (transfer->body, (const guint8 *) ptr, n);

  return n;
}

static size_t
header_cb (char   *buffer,
           size_t  size,
           size_t  nitems,
           void   *user_data)
{
  Transfer *transfer = user_data;
  size_t n = size * nitems;
  g_autofree char *line = g_strndup (buffer, n);
  char *colon;
  g_autofree char *name = NULL;
  const char *old;

  /* A new status line (after "100 Continue" or an interim answer) starts a
   * fresh set of headers. */
  if (g_str_has_prefix (line, "HTTP/"))
    {
      g_hash_table_remove_all (transfer->headers);
      return n;
    }

  colon = strchr (line, ':');
  if (colon == NULL)
    return n;
  *colon = '\0';
  name = g_ascii_strdown (g_strstrip (line), -1);
  g_strstrip (colon + 1);
  if (*name == '\0')
    return n;

  old = g_hash_table_lookup (transfer->headers, name);
  if (old != NULL)
    g_hash_table_replace (transfer->headers, g_steal_pointer (&name),
                          g_strdup_printf ("%s, %s", old, colon + 1));
  else
    g_hash_table_replace (transfer->headers, g_steal_pointer (&name), g_strdup (colon + 1));

  return n;
}

static int
xferinfo_cb (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  Transfer *transfer = user_data;

  if (transfer->cancellable != NULL && g_cancellable_is_cancelled (transfer->cancellable))
    return 1;

  /* A Content-Length above the limit fails early. */
  if (dltotal > 0 && (guint64) dltotal > transfer->self->max_response_size)
    {
      transfer->too_large = TRUE;
      return 1;
    }

  return 0;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  CURLM *multi = user_data;

  /* curl_multi_wakeup is thread-safe: it interrupts curl_multi_poll. */
  curl_multi_wakeup (multi);
}

static char *
url_host (const char *url)
{
  CURLU *u = curl_url ();
  char *host = NULL;
  char *port = NULL;
  char *result;

  if (curl_url_set (u, CURLUPART_URL, url, 0) != CURLUE_OK ||
      curl_url_get (u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
    {
      curl_url_cleanup (u);
      return g_strdup (url);
    }
  if (curl_url_get (u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port != NULL)
    result = g_strdup_printf ("%s:%s", host, port);
  else
    result = g_strdup (host);
  curl_free (host);
  curl_free (port);
  curl_url_cleanup (u);

  return result;
}

static void
set_transport_error (GError     **error,
                     CURLcode     rc,
                     const char  *errbuf,
                     const char  *host,
                     guint        total_ms)
{
  const char *detail = (errbuf != NULL && *errbuf != '\0') ? errbuf : curl_easy_strerror (rc);

  switch ((int) rc)
    {
    case CURLE_OPERATION_TIMEDOUT:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   _("No answer from %s within the time limit (%u ms): %s"),
                   host, total_ms, detail);
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND,
                   _("Could not resolve the host name of %s (no network or DNS problem): %s"),
                   host, detail);
      break;
    case CURLE_COULDNT_RESOLVE_PROXY:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND,
                   _("Could not resolve the proxy host used for %s: %s"), host, detail);
      break;
    case CURLE_COULDNT_CONNECT:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                   _("Could not connect to %s (endpoint unreachable): %s"), host, detail);
      break;
    case CURLE_PARTIAL_FILE:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                   _("The answer from %s was cut off before its announced end: %s"),
                   host, detail);
      break;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                   _("The connection to %s was closed before the whole answer arrived: %s"),
                   host, detail);
      break;
#if CURL_AT_LEAST_VERSION (7, 73, 0)
    case CURLE_PROXY:
#endif
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                   _("The proxy failed while connecting to %s: %s"), host, detail);
      break;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Invalid URL for %s: %s"), host, detail);
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   _("The TLS certificate of %s could not be verified: %s"), host, detail);
      break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE,
                   _("The TLS connection to %s failed: %s"), host, detail);
      break;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The request to %s failed: %s"), host, detail);
      break;
    }
}

ScalerHttp *
scaler_http_new (void)
{
  ScalerHttp *self;

  ensure_curl_global_init ();

  self = g_new0 (ScalerHttp, 1);
  g_mutex_init (&self->mutex);
  self->multi = curl_multi_init ();
  self->easy = curl_easy_init ();
  self->connect_ms = SCALER_HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
  self->total_ms = SCALER_HTTP_DEFAULT_TOTAL_TIMEOUT_MS;
  self->max_response_size = SCALER_HTTP_DEFAULT_MAX_RESPONSE_SIZE;
  self->user_agent = g_strdup ("ec2-autoscaler/" PACKAGE_VERSION);

  if (self->multi == NULL || self->easy == NULL)
    g_error ("Out of memory: could not create a libcurl handle");

  return self;
}

void
scaler_http_free (ScalerHttp *self)
{
  if (self == NULL)
    return;

  curl_easy_cleanup (self->easy);
  curl_multi_cleanup (self->multi);
  g_free (self->ca_file);
  g_free (self->user_agent);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

void
scaler_http_set_ca_file (ScalerHttp *self,
                         const char *ca_file)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  scaler_set_str (&self->ca_file, ca_file != NULL && *ca_file != '\0' ? ca_file : NULL);
  g_mutex_unlock (&self->mutex);
}

void
scaler_http_set_timeouts (ScalerHttp *self,
                          guint       connect_ms,
                          guint       total_ms)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  if (connect_ms > 0)
    self->connect_ms = connect_ms;
  if (total_ms > 0)
    self->total_ms = total_ms;
  g_mutex_unlock (&self->mutex);
}

void
scaler_http_get_timeouts (ScalerHttp *self,
                          guint      *connect_ms,
                          guint      *total_ms)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  if (connect_ms != NULL)
    *connect_ms = self->connect_ms;
  if (total_ms != NULL)
    *total_ms = self->total_ms;
  g_mutex_unlock (&self->mutex);
}

void
scaler_http_set_max_response_size (ScalerHttp *self,
                                   gsize       max_bytes)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (max_bytes > 0);

  g_mutex_lock (&self->mutex);
  self->max_response_size = max_bytes;
  g_mutex_unlock (&self->mutex);
}

void
scaler_http_set_user_agent (ScalerHttp *self,
                            const char *user_agent)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  scaler_set_str (&self->user_agent, user_agent);
  g_mutex_unlock (&self->mutex);
}

/* Phase 1: the easy handle for one request (the handle is reused, so that
 * connections are kept alive between requests). Returns the header list, to
 * be freed after the transfer. */
static struct curl_slist *
configure_easy (ScalerHttp          *self,
                Transfer            *transfer,
                char                *errbuf,
                const char          *method,
                const char          *url,
                const char * const  *headers,
                const void          *body,
                gsize                body_len)
{
  CURL *easy = self->easy;
  struct curl_slist *list = NULL;

  curl_easy_reset (easy);
  curl_easy_setopt (easy, CURLOPT_URL, url);
#if CURL_AT_LEAST_VERSION (7, 85, 0)
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, (long) self->connect_ms);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) self->total_ms);
  /* Verification is always on; there is deliberately no way to turn it off. */
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (self->ca_file != NULL)
    curl_easy_setopt (easy, CURLOPT_CAINFO, self->ca_file);
  curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt (easy, CURLOPT_USERAGENT, self->user_agent);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, transfer);
  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, transfer);
  curl_easy_setopt (easy, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
  curl_easy_setopt (easy, CURLOPT_XFERINFODATA, transfer);
  curl_easy_setopt (easy, CURLOPT_NOPROGRESS, 0L);

  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    list = curl_slist_append (list, headers[i]);
  list = curl_slist_append (list, "Expect:");
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, list);

  if (g_ascii_strcasecmp (method, "GET") == 0 && body_len == 0)
    curl_easy_setopt (easy, CURLOPT_HTTPGET, 1L);
  else if (g_ascii_strcasecmp (method, "HEAD") == 0)
    curl_easy_setopt (easy, CURLOPT_NOBODY, 1L);
  else
    {
      curl_easy_setopt (easy, CURLOPT_POST, 1L);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body_len);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDS, body != NULL ? body : "");
      if (g_ascii_strcasecmp (method, "POST") != 0)
        curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, method);
    }

  return list;
}

/* Phase 2: runs the transfer to its end, or until @cancellable fires (which
 * wakes curl_multi_poll up). */
static CURLcode
perform (ScalerHttp   *self,
         char         *errbuf,
         GCancellable *cancellable)
{
  CURLcode result = CURLE_OK;
  gboolean done = FALSE;
  gulong handler_id = 0;
  int running = 0;

  if (cancellable != NULL)
    handler_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self->multi, NULL);

  curl_multi_add_handle (self->multi, self->easy);
  while (!done)
    {
      CURLMsg *msg;
      int left = 0;
      CURLMcode mc;

      mc = curl_multi_perform (self->multi, &running);
      while ((msg = curl_multi_info_read (self->multi, &left)) != NULL)
        {
          if (msg->msg == CURLMSG_DONE && msg->easy_handle == self->easy)
            {
              result = msg->data.result;
              done = TRUE;
            }
        }
      if (done)
        break;
      if (mc != CURLM_OK)
        {
          result = CURLE_FAILED_INIT;
          g_strlcpy (errbuf, curl_multi_strerror (mc), CURL_ERROR_SIZE);
          break;
        }
      if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
        {
          result = CURLE_ABORTED_BY_CALLBACK;
          break;
        }
      curl_multi_poll (self->multi, NULL, 0, 1000, NULL);
    }
  /* Removing an unfinished transfer closes its connection. */
  curl_multi_remove_handle (self->multi, self->easy);

  if (handler_id != 0)
    g_cancellable_disconnect (cancellable, handler_id);
  return result;
}

/* Phase 3: the answer of a finished transfer; takes its body and headers. */
static ScalerHttpResponse *
response_new (ScalerHttp  *self,
              Transfer    *transfer,
              char       **host)
{
  ScalerHttpResponse *response = g_new0 (ScalerHttpResponse, 1);
  char *content_type = NULL;
  long status = 0;

  curl_easy_getinfo (self->easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo (self->easy, CURLINFO_CONTENT_TYPE, &content_type);

  response->status = (guint) status;
  response->headers = g_steal_pointer (&transfer->headers);
  response->body = g_byte_array_free_to_bytes (g_steal_pointer (&transfer->body));
  response->host = g_steal_pointer (host);
  if (content_type != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (content_type, -1);
      char *semi = strchr (lower, ';');

      if (semi != NULL)
        *semi = '\0';
      response->content_type = g_strdup (g_strstrip (lower));
    }
  else
    response->content_type = g_strdup ("");

  return response;
}

static ScalerHttpResponse *
send_locked (ScalerHttp          *self,
             const char          *method,
             const char          *url,
             const char * const  *headers,
             const void          *body,
             gsize                body_len,
             GCancellable        *cancellable,
             GError             **error)
{
  char errbuf[CURL_ERROR_SIZE] = { 0 };
  g_autofree char *host = url_host (url);
  Transfer transfer = { 0 };
  ScalerHttpResponse *response = NULL;
  struct curl_slist *list;
  CURLcode result;

  transfer.self = self;
  transfer.body = g_byte_array_new ();
  transfer.headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  transfer.cancellable = cancellable;

  list = configure_easy (self, &transfer, errbuf, method, url, headers, body, body_len);
  result = perform (self, errbuf, cancellable);
  curl_slist_free_all (list);
  curl_easy_setopt (self->easy, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt (self->easy, CURLOPT_ERRORBUFFER, NULL);

  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                 _("The request to %s was cancelled"), host);
  else if (transfer.too_large)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                 _("The answer from %s is larger than the limit of %zu bytes"),
                 host, (size_t) self->max_response_size);
  else if (result != CURLE_OK)
    set_transport_error (error, result, errbuf, host, self->total_ms);
  else
    response = response_new (self, &transfer, &host);

  if (transfer.body != NULL)
    g_byte_array_unref (transfer.body);
  g_clear_pointer (&transfer.headers, g_hash_table_unref);
  return response;
}

ScalerHttpResponse *
scaler_http_send (ScalerHttp          *self,
                  const char          *method,
                  const char          *url,
                  const char * const  *headers,
                  const void          *body,
                  gsize                body_len,
                  GCancellable        *cancellable,
                  GError             **error)
{
  ScalerHttpResponse *response;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (body != NULL || body_len == 0, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  g_mutex_lock (&self->mutex);
  response = send_locked (self, method, url, headers, body, body_len, cancellable, error);
  g_mutex_unlock (&self->mutex);

  return response;
}

const char *
scaler_http_response_get_header (const ScalerHttpResponse *response,
                                 const char               *name)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  lower = g_ascii_strdown (name, -1);

  return g_hash_table_lookup (response->headers, lower);
}

void
scaler_http_response_free (ScalerHttpResponse *response)
{
  if (response == NULL)
    return;

  g_clear_pointer (&response->headers, g_hash_table_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response->content_type);
  g_free (response->host);
  g_free (response);
}

gboolean
scaler_http_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != G_IO_ERROR)
    return FALSE;

  switch (error->code)
    {
    case G_IO_ERROR_TIMED_OUT:
    case G_IO_ERROR_HOST_NOT_FOUND:
    case G_IO_ERROR_CONNECTION_REFUSED:
    case G_IO_ERROR_CONNECTION_CLOSED:
    case G_IO_ERROR_PARTIAL_INPUT:
    case G_IO_ERROR_PROXY_FAILED:
      return TRUE;
    default:
      return FALSE;
    }
}

void
scaler_http_append_uri_encoded (GString    *out,
                                const char *value,
                                gssize      length,
                                gboolean    keep_slash)
{
  static const char hex[] = "0123456789ABCDEF";
  gsize len;

  g_return_if_fail (out != NULL);

  if (value == NULL)
    return;
  len = length < 0 ? strlen (value) : (gsize) length;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) value[i];

      if (g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == '~' ||
          (keep_slash && c == '/'))
        g_string_append_c (out, (char) c);
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xF]);
        }
    }
}

gint64
scaler_http_parse_date (const char *value)
{
  time_t t;

  if (value == NULL || *value == '\0')
    return 0;

  t = curl_getdate (value, NULL);
  if (t == (time_t) -1 || t <= 0)
    return 0;

  return (gint64) t * G_USEC_PER_SEC;
}

gboolean
scaler_http_split_url (const char  *url,
                       char       **scheme,
                       char       **host,
                       char       **path,
                       GError     **error)
{
  CURLU *u = curl_url ();
  char *s = NULL;
  char *h = NULL;
  char *port = NULL;
  char *p = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (url != NULL, FALSE);

  if (curl_url_set (u, CURLUPART_URL, url, 0) != CURLUE_OK ||
      curl_url_get (u, CURLUPART_SCHEME, &s, 0) != CURLUE_OK ||
      curl_url_get (u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
      (g_ascii_strcasecmp (s, "http") != 0 && g_ascii_strcasecmp (s, "https") != 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("\"%s\" is not an http:// or https:// URL"), url);
      goto out;
    }
  if (scheme != NULL)
    *scheme = g_ascii_strdown (s, -1);
  if (host != NULL)
    {
      if (curl_url_get (u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port != NULL)
        *host = g_strdup_printf ("%s:%s", h, port);
      else
        *host = g_strdup (h);
    }
  if (path != NULL)
    {
      if (curl_url_get (u, CURLUPART_PATH, &p, 0) == CURLUE_OK && p != NULL && *p != '\0')
        *path = g_strdup (p);
      else
        *path = g_strdup ("/");
    }
  ok = TRUE;

out:
  curl_free (s);
  curl_free (h);
  curl_free (port);
  curl_free (p);
  curl_url_cleanup (u);

  return ok;
}
