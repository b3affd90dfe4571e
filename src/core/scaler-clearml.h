/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-clearml.h: a blocking client of the ClearML REST API (the calls an
 * autoscaler needs), over ScalerHttp (libcurl) and json-glib.
 *
 * Requests are `POST <api_server>/<service>.<action>` with a JSON object body.
 * The api_server may carry a path ("https://host/clearml-api/") and may end
 * with '/'; a "/v2.NN" last segment pins the API version of every call.
 * Every answer is the {meta, data} envelope; HTTP status and
 * meta.result_code/result_subcode/result_msg are turned into a GError of the
 * SCALER_CLEARML_ERROR domain whose message names the endpoint and carries
 * them ("... (HTTP 401, result 401/22)"). Cancellation is reported as
 * G_IO_ERROR_CANCELLED, as by ScalerHttp.
 *
 * Authentication: by default the token flow. `auth.login` with Basic auth
 * returns a token sent as `Authorization: Bearer`; on a 401 the client logs
 * in again ONCE and retries the call once. A 403 (forbidden: role not
 * allowed, no write permission) is SCALER_CLEARML_ERROR_PERMISSION and never
 * triggers a login. A server without auth.login falls back to Basic auth on
 * every call.
 *
 * API version: learnt from the first envelope that carries
 * meta.endpoint (the higher of requested_version and actual_version; an
 * unversioned path is answered with requested_version = the server's maximum,
 * a pinned "/v2.NN" path with that version). Until known, the client assumes
 * 2.4 (the oldest level it supports). It decides:
 *   - pending counts: `queues.get_num_entries` (>= 2.15) or
 *     `queues.get_by_id` + len(entries) (older; also after a 404 "endpoint
 *     not found" from get_num_entries);
 *   - `workers.get_all` with `worker_pattern` (>= 2.30); the prefix filter is
 *     applied client-side in every case.
 * The client NEVER calls `queues.get_next_task`: it would take a task off its
 * queue.
 *
 * Threads: one call at a time per client (an internal mutex guards the HTTP
 * handle, the token and the version); it may be called from any thread, but
 * never touches a GMainContext.
 *
 * Times: ISO-8601 strings with or without an offset (none = UTC), with or
 * without fractional seconds, are returned as microseconds since the epoch.
 * Absent and null fields are treated alike.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "scaler-types.h"

G_BEGIN_DECLS

#define SCALER_CLEARML_ERROR (scaler_clearml_error_quark ())

typedef enum
{
  SCALER_CLEARML_ERROR_AUTH,          /* 401: wrong key/secret, bad token */
  SCALER_CLEARML_ERROR_NOT_FOUND,     /* unknown queue/task/worker id, other 404 */
  SCALER_CLEARML_ERROR_BAD_REQUEST,   /* other 4xx: the request was rejected */
  SCALER_CLEARML_ERROR_SERVER,        /* 5xx, 429, a proxy's 502/503/504 page */
  SCALER_CLEARML_ERROR_BAD_RESPONSE,  /* HTML page, invalid JSON, empty body, missing fields, no envelope */
  SCALER_CLEARML_ERROR_NETWORK,       /* no answer: unreachable, timeout, reset, TLS */
  SCALER_CLEARML_ERROR_UNSUPPORTED,   /* the server has no such endpoint (too old) */
  SCALER_CLEARML_ERROR_PERMISSION,    /* 403: the user may not do this; also an
                                       * unregister that cannot remove another
                                       * user's worker */
} ScalerClearmlError;

GQuark scaler_clearml_error_quark (void);

/* The oldest and newest API levels the client knows. */
#define SCALER_CLEARML_API_MIN_VERSION   SCALER_CLEARML_API_VERSION (2, 4)
#define SCALER_CLEARML_API_VERSION(major, minor) ((major) * 1000 + (minor))

/* meta of an envelope. */
typedef struct
{
  guint  result_code;
  guint  result_subcode;
  char  *result_msg;         /* nullable */
  guint  api_version;        /* SCALER_CLEARML_API_VERSION, 0 if not given */
} ScalerClearmlMeta;

typedef struct
{
  char *id;
  char *name;
} ScalerClearmlQueue;

typedef struct
{
  char   *id;
  char   *name;              /* nullable */
  char   *status;            /* "queued", "in_progress", ... nullable */
  char   *queue_id;          /* execution.queue, nullable */
  char   *last_worker;       /* nullable */
  gint64  last_update;       /* usec, 0 if unknown */
} ScalerClearmlTask;

typedef enum
{
  SCALER_CLEARML_VERDICT_OK,
  SCALER_CLEARML_VERDICT_UNREACHABLE,     /* no answer at all */
  SCALER_CLEARML_VERDICT_NOT_CLEARML,     /* an answer, but not the ClearML API (HTML, ...) */
  SCALER_CLEARML_VERDICT_BAD_CREDENTIALS, /* missing, or rejected key/secret */
  SCALER_CLEARML_VERDICT_SERVER_ERROR,    /* the API answered with an error */
} ScalerClearmlVerdict;

/* A client for @api_server (http:// or https://). NULL + SCALER_CLEARML_ERROR_BAD_REQUEST
 * for an unusable URL. The key/secret are copied (and wiped when freed). */
ScalerClearmlClient *scaler_clearml_client_new            (const char          *api_server,
                                                           const char          *access_key,
                                                           const char          *secret_key,
                                                           GError             **error);
void                 scaler_clearml_client_free           (ScalerClearmlClient *self);
/* TRUE (default): auth.login + Bearer token; FALSE: Basic auth on every call. */
void                 scaler_clearml_client_set_use_token  (ScalerClearmlClient *self,
                                                           gboolean             use_token);
/* The transport, e.g. to set timeouts or a CA file before the first call. */
ScalerHttp          *scaler_clearml_client_get_http       (ScalerClearmlClient *self);
/* "<scheme>://<host>[:port][/path]" without a trailing '/'. */
const char          *scaler_clearml_client_get_base_url   (ScalerClearmlClient *self);
/* The API level learnt so far (SCALER_CLEARML_API_VERSION), 0 if none yet. */
guint                scaler_clearml_client_get_api_version (ScalerClearmlClient *self);

/* One call: @body is a JSON object (NULL = {}). Returns the envelope's data
 * object. Authenticates as described above. */
JsonNode            *scaler_clearml_client_call           (ScalerClearmlClient *self,
                                                           const char          *endpoint,
                                                           JsonNode            *body,
                                                           GCancellable        *cancellable,
                                                           GError             **error);

/* queues.get_all for exactly these names (anchored, escaped regex; every page).
 * ScalerClearmlQueue*, in server order; names that do not exist are absent. */
GPtrArray           *scaler_clearml_client_get_queues     (ScalerClearmlClient *self,
                                                           const char * const  *names,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
/* Pending entries of the queue with this id (get_num_entries or get_by_id). */
gboolean             scaler_clearml_client_get_pending    (ScalerClearmlClient *self,
                                                           const char          *queue_id,
                                                           guint               *out_count,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
/* workers.get_all, restricted to ids starting with "<prefix>:" (prefix NULL = all).
 * ScalerWorker*. */
GPtrArray           *scaler_clearml_client_get_workers    (ScalerClearmlClient *self,
                                                           const char          *prefix,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
/* workers.unregister; an unknown worker is not an error. The server removes
 * only the caller's own workers (its key is worker_<company>_<user>_<id>,
 * clearml-server apiserver/bll/workers/__init__.py:111-123) and answers 200
 * even when nothing was removed (auto_unregister). So the client looks the
 * worker up afterwards: when it is still listed and belongs to another user
 * (workers.get_all's user.id against users.get_current_user), the call fails
 * ONCE per client with SCALER_CLEARML_ERROR_PERMISSION, a message naming both
 * users; later calls are sent but no longer checked. A worker listed again
 * under the same user was re-registered by its still-live agent (the server
 * auto-registers on a status report): not an error. */
gboolean             scaler_clearml_client_unregister_worker (ScalerClearmlClient *self,
                                                           const char          *worker_id,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
/* tasks.get_all by ids (any number; sent 500 at a time) and/or statuses
 * (either may be NULL). ScalerClearmlTask*. */
GPtrArray           *scaler_clearml_client_get_tasks      (ScalerClearmlClient *self,
                                                           const char * const  *ids,
                                                           const char * const  *statuses,
                                                           GCancellable        *cancellable,
                                                           GError             **error);

/* "Test connection": debug.ping (no auth); then the credentials, with a call
 * that needs them (auth.login; in Basic mode, or without auth.login,
 * workers.get_all); then server.info for the version (it needs no
 * authentication: clearml-server apiserver/schema/services/server.conf:44-46).
 * Returns a sentence for people, e.g.
 * "Connected to ClearML server 2.0.0 (API 2.31)" or "Wrong access key or
 * secret key: ...", and sets @verdict. Never fails: a cancelled test reports
 * UNREACHABLE with "Cancelled". */
char                *scaler_clearml_client_test_connection (ScalerClearmlClient  *self,
                                                            ScalerClearmlVerdict *verdict,
                                                            GCancellable         *cancellable);

/* The same in a thread (GTask), for the GUI. @callback runs on the calling
 * thread's default main context. */
void                 scaler_clearml_test_connection_async  (const char          *api_server,
                                                            const char          *access_key,
                                                            const char          *secret_key,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
char                *scaler_clearml_test_connection_finish (GAsyncResult         *result,
                                                            ScalerClearmlVerdict *verdict);

/* Parsers (pure; also used by the fuzz target). All of them accept any bytes
 * / any JSON and fail with SCALER_CLEARML_ERROR_BAD_RESPONSE or the error of
 * the envelope. @endpoint only names the call in messages. */
JsonNode            *scaler_clearml_parse_envelope        (const char          *endpoint,
                                                           guint                http_status,
                                                           const char          *content_type,
                                                           const char          *body,
                                                           gsize                body_len,
                                                           ScalerClearmlMeta   *meta,
                                                           GError             **error);
GPtrArray           *scaler_clearml_parse_queues          (JsonNode            *data,
                                                           GError             **error);
GPtrArray           *scaler_clearml_parse_workers         (JsonNode            *data,
                                                           GError             **error);
GPtrArray           *scaler_clearml_parse_tasks           (JsonNode            *data,
                                                           GError             **error);
/* queues.get_num_entries ({num}) or queues.get_by_id ({queue: {entries}}). */
gboolean             scaler_clearml_parse_num_entries     (JsonNode            *data,
                                                           guint               *out_count,
                                                           GError             **error);
gboolean             scaler_clearml_parse_queue_entries   (JsonNode            *data,
                                                           guint               *out_count,
                                                           GError             **error);
/* ISO-8601 "2025-01-03T08:41:03.010000+00:00" (offset optional = UTC, 'Z',
 * +HH, +HHMM, +HH:MM; fraction optional, any number of digits, truncated to
 * microseconds; 'T' or ' ' between date and time) -> usec since the epoch. */
gboolean             scaler_clearml_parse_time            (const char          *text,
                                                           gint64              *out_usec);
/* "2.31" -> SCALER_CLEARML_API_VERSION (2, 31); 0 if malformed. */
guint                scaler_clearml_parse_version         (const char          *text);
/* A Python regex that matches exactly @name ("^...$", metacharacters escaped). */
char                *scaler_clearml_exact_name_regex      (const char          *name);

void                 scaler_clearml_meta_clear            (ScalerClearmlMeta   *meta);
void                 scaler_clearml_queue_free            (ScalerClearmlQueue  *queue);
void                 scaler_clearml_task_free             (ScalerClearmlTask   *task);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerClearmlClient, scaler_clearml_client_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerClearmlQueue, scaler_clearml_queue_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerClearmlTask, scaler_clearml_task_free)

G_END_DECLS
