/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-http.h: blocking HTTP(S) over libcurl, shared by the EC2 and the
 * ClearML clients.
 *
 * A ScalerHttp owns one reused CURL easy handle inside one CURLM handle, so
 * connections are kept alive between requests to the same host.
 *
 * Threads: a ScalerHttp may be used from any thread, but it runs ONE request
 * at a time: scaler_http_send() holds an internal mutex for the whole
 * transfer, so concurrent callers simply wait for each other. For parallel
 * requests create one ScalerHttp per thread. Nothing here touches a
 * GMainContext; no signal is emitted.
 *
 * Security: TLS peer and host verification are always on. There is no switch
 * to turn them off; scaler_http_set_ca_file() may point at an extra CA bundle
 * (a company proxy's CA). Proxies come from the environment (http_proxy,
 * https_proxy, no_proxy ...), which libcurl reads by itself; nothing here
 * overrides that. Redirects are not followed. Request bodies and headers are
 * never logged (they may carry secrets or user-data).
 *
 * Cancellation: the GCancellable wakes the transfer up at once (no polling
 * delay) and the call fails with G_IO_ERROR_CANCELLED.
 *
 * Errors of scaler_http_send() (transport only: any HTTP status, 200 or 503,
 * is a successful send whose status the caller inspects):
 *   G_IO_ERROR_CANCELLED            the cancellable was cancelled
 *   G_IO_ERROR_TIMED_OUT            connect or total timeout reached
 *   G_IO_ERROR_HOST_NOT_FOUND       DNS could not resolve the host (or proxy)
 *   G_IO_ERROR_CONNECTION_REFUSED   could not connect (refused, unreachable)
 *   G_IO_ERROR_CONNECTION_CLOSED    connection reset / closed without an answer
 *   G_IO_ERROR_PARTIAL_INPUT        the answer was cut off before its announced
 *                                   end (truncated body)
 *   G_IO_ERROR_MESSAGE_TOO_LARGE    answer larger than the max response size
 *   G_IO_ERROR_PROXY_FAILED         the proxy refused or failed
 *   G_IO_ERROR_NOT_SUPPORTED        bad URL or unsupported scheme
 *   G_TLS_ERROR_BAD_CERTIFICATE     the server certificate did not verify
 *   G_TLS_ERROR_HANDSHAKE           other TLS failures
 *   G_IO_ERROR_FAILED               anything else
 * The message always names the host and says what went wrong in words.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"

G_BEGIN_DECLS

#define SCALER_HTTP_DEFAULT_CONNECT_TIMEOUT_MS  10000
#define SCALER_HTTP_DEFAULT_TOTAL_TIMEOUT_MS    60000
#define SCALER_HTTP_DEFAULT_MAX_RESPONSE_SIZE   (64 * 1024 * 1024)

typedef struct
{
  guint       status;        /* HTTP status code, e.g. 200 */
  GHashTable *headers;       /* lower-cased name -> value (repeated headers joined with ", ") */
  GBytes     *body;          /* never NULL (may be empty) */
  char       *content_type;  /* lower-cased media type without parameters, e.g. "text/xml"; "" if none */
  char       *host;          /* host[:port] the answer came from, for messages */
} ScalerHttpResponse;

/* A new client with the default timeouts and size limit. */
ScalerHttp         *scaler_http_new                  (void);
void                scaler_http_free                 (ScalerHttp          *self);

/* Extra CA bundle (PEM file) used instead of the system store; NULL = system. */
void                scaler_http_set_ca_file          (ScalerHttp          *self,
                                                      const char          *ca_file);
/* 0 keeps the current value. total_ms bounds the whole request. */
void                scaler_http_set_timeouts         (ScalerHttp          *self,
                                                      guint                connect_ms,
                                                      guint                total_ms);
void                scaler_http_get_timeouts         (ScalerHttp          *self,
                                                      guint               *connect_ms,
                                                      guint               *total_ms);
/* Bodies above this size fail with G_IO_ERROR_MESSAGE_TOO_LARGE. */
void                scaler_http_set_max_response_size (ScalerHttp         *self,
                                                      gsize                max_bytes);
/* Sent as User-Agent (default "ec2-autoscaler/VERSION"). */
void                scaler_http_set_user_agent       (ScalerHttp          *self,
                                                      const char          *user_agent);

/*
 * Sends one request and waits for the whole answer.
 * @method: "GET", "POST", "PUT", "DELETE", ...
 * @url: absolute http:// or https:// URL.
 * @headers: NULL-terminated "Name: value" strings, sent exactly as given
 *   (nullable). libcurl adds Host, Content-Length, Accept-Encoding and
 *   User-Agent; "Expect:" is suppressed.
 * @body/@body_len: request body (nullable / 0 for none). Sent byte-exact.
 * Returns the response (free with scaler_http_response_free) or NULL + error.
 */
ScalerHttpResponse *scaler_http_send                 (ScalerHttp          *self,
                                                      const char          *method,
                                                      const char          *url,
                                                      const char * const  *headers,
                                                      const void          *body,
                                                      gsize                body_len,
                                                      GCancellable        *cancellable,
                                                      GError             **error);

/* Case-insensitive header lookup; NULL if absent. */
const char         *scaler_http_response_get_header  (const ScalerHttpResponse *response,
                                                      const char               *name);
void                scaler_http_response_free        (ScalerHttpResponse  *response);

/* TRUE for transport errors worth retrying (timeouts, resets, refused or
 * unresolved hosts); FALSE for cancellation, TLS, too large, bad URL. */
gboolean            scaler_http_error_is_transient   (const GError        *error);

/* Appends @value percent-encoded per RFC 3986 (unreserved A-Z a-z 0-9 - _ . ~
 * kept, everything else %XX upper-case hex, space = %20). With @keep_slash,
 * '/' is kept (URI paths). Used for form bodies and SigV4. */
void                scaler_http_append_uri_encoded   (GString             *out,
                                                      const char          *value,
                                                      gssize               length,
                                                      gboolean             keep_slash);

/* Parses an RFC 1123 / RFC 850 / asctime HTTP date ("Sun, 06 Nov 1994
 * 08:49:37 GMT") to microseconds since the epoch; 0 if unparsable. */
gint64              scaler_http_parse_date           (const char          *value);

/* Splits an http:// or https:// URL into its lower-case scheme, the Host
 * header value (host[:port], IPv6 in brackets) and the path ("/" when
 * empty); each out-parameter is nullable. G_IO_ERROR_INVALID_ARGUMENT for
 * anything else. */
gboolean            scaler_http_split_url            (const char          *url,
                                                      char               **scheme,
                                                      char               **host,
                                                      char               **path,
                                                      GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerHttp, scaler_http_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerHttpResponse, scaler_http_response_free)

G_END_DECLS
