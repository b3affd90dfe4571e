/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-clearml-parse.c: the pure parsers of the ClearML client: the
 * envelope of every answer ({meta, data}, or whatever a proxy sent instead),
 * the lists it reads, times, versions and queue-name patterns. No network:
 * this is what tests/fuzz/fuzz-clearml-json.c exercises. */

#define G_LOG_DOMAIN "scaler-clearml"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "scaler-clearml.h"
#include "scaler-clearml-private.h"
#include "scaler-json.h"
#include "scaler-queue-source.h"
#include "scaler-util.h"

#define MAX_JSON_DEPTH    128

G_DEFINE_QUARK (scaler-clearml-error-quark, scaler_clearml_error)

/* ---- plain data ---- */

void
scaler_clearml_meta_clear (ScalerClearmlMeta *meta)
{
  if (meta == NULL)
    return;
  g_clear_pointer (&meta->result_msg, g_free);
  meta->result_code = 0;
  meta->result_subcode = 0;
  meta->api_version = 0;
}

void
scaler_clearml_queue_free (ScalerClearmlQueue *queue)
{
  if (queue == NULL)
    return;
  g_free (queue->id);
  g_free (queue->name);
  g_free (queue);
}

void
scaler_clearml_task_free (ScalerClearmlTask *task)
{
  if (task == NULL)
    return;
  g_free (task->id);
  g_free (task->name);
  g_free (task->status);
  g_free (task->queue_id);
  g_free (task->last_worker);
  g_free (task);
}

/* ---- pure parsers ---- */

guint
scaler_clearml_parse_version (const char *text)
{
  guint64 major, minor;
  const char *p = text;
  char *end = NULL;

  if (p == NULL)
    return 0;
  if (*p == 'v' || *p == 'V')
    p++;
  if (!g_ascii_isdigit (*p))
    return 0;
  major = g_ascii_strtoull (p, &end, 10);
  if (end == p || major > 1000)
    return 0;
  if (*end == '\0')
    return SCALER_CLEARML_API_VERSION ((guint) major, 0);
  if (*end != '.' || !g_ascii_isdigit (end[1]))
    return 0;
  p = end + 1;
  minor = g_ascii_strtoull (p, &end, 10);
  if (*end != '\0' || minor > 999)
    return 0;
  return SCALER_CLEARML_API_VERSION ((guint) major, (guint) minor);
}

static gboolean
read_digits (const char **p,
             guint        n,
             int         *out)
{
  int v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static gint64
days_from_civil (gint64 y,
                 int    m,
                 int    d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* YYYY-MM-DD, a real day of the proleptic Gregorian calendar. */
static gboolean
read_date (const char **p,
           int         *year,
           int         *month,
           int         *day)
{
  static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int max;

  if (!read_digits (p, 4, year) || *(*p)++ != '-' ||
      !read_digits (p, 2, month) || *(*p)++ != '-' ||
      !read_digits (p, 2, day))
    return FALSE;
  if (*month < 1 || *month > 12 || *day < 1 || *year < 1)
    return FALSE;
  max = mdays[*month - 1];
  if (*month == 2 && (*year % 4 == 0 && (*year % 100 != 0 || *year % 400 == 0)))
    max = 29;
  return *day <= max;
}

/* HH:MM[:SS[.fraction]]; a leap second counts as :59. */
static gboolean
read_time_of_day (const char **p,
                  int         *seconds,
                  gint64      *usec)
{
  int hour, minute, second = 0;

  if (!read_digits (p, 2, &hour) || *(*p)++ != ':' || !read_digits (p, 2, &minute))
    return FALSE;
  if (**p == ':')
    {
      (*p)++;
      if (!read_digits (p, 2, &second))
        return FALSE;
      if (**p == '.' || **p == ',')
        {
          gint64 scale = 100000;

          (*p)++;
          if (!g_ascii_isdigit (**p))
            return FALSE;
          for (; g_ascii_isdigit (**p); (*p)++)
            {
              *usec += (**p - '0') * scale;
              scale /= 10;
            }
        }
    }
  if (hour > 23 || minute > 59 || second > 60)
    return FALSE;
  *seconds = hour * 3600 + minute * 60 + MIN (second, 59);   /* a leap second: close enough */
  return TRUE;
}

/* Z, or +HH[:MM] / -HHMM, or nothing (UTC), as seconds east of UTC. */
static gboolean
read_zone (const char **p,
           int         *offset_sec)
{
  int sign, oh, om = 0;

  if (**p == 'Z' || **p == 'z')
    {
      (*p)++;
      return TRUE;
    }
  if (**p != '+' && **p != '-')
    return TRUE;

  sign = **p == '-' ? -1 : 1;
  (*p)++;
  if (!read_digits (p, 2, &oh))
    return FALSE;
  if (**p == ':')
    {
      (*p)++;
      if (!read_digits (p, 2, &om))
        return FALSE;
    }
  else if (g_ascii_isdigit (**p) && !read_digits (p, 2, &om))
    return FALSE;
  if (oh > 23 || om > 59)
    return FALSE;
  *offset_sec = sign * (oh * 3600 + om * 60);
  return TRUE;
}

gboolean
scaler_clearml_parse_time (const char *text,
                           gint64     *out_usec)
{
  const char *p = text;
  int year, month, day;
  int seconds = 0;
  gint64 usec = 0;
  int offset_sec = 0;

  g_return_val_if_fail (out_usec != NULL, FALSE);

  if (p == NULL || !read_date (&p, &year, &month, &day))
    return FALSE;

  if (*p == 'T' || *p == 't' || *p == ' ')
    {
      p++;
      if (!read_time_of_day (&p, &seconds, &usec) || !read_zone (&p, &offset_sec))
        return FALSE;
    }

  if (*p != '\0')
    return FALSE;

  *out_usec = (days_from_civil (year, month, day) * 86400 + seconds - offset_sec) * G_USEC_PER_SEC + usec;
  return TRUE;
}

char *
scaler_clearml_exact_name_regex (const char *name)
{
  GString *out = g_string_new ("^");

  for (const char *p = scaler_str_or_empty (name); *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      /* Escaping punctuation is valid in Python's re (and in the JS of the
       * fake); letters, digits, '_' and non-ASCII are literal. */
      if (c < 0x80 && (g_ascii_ispunct (c) || c == ' ') && c != '_')
        g_string_append_c (out, '\\');
      g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '$');
  return g_string_free (out, FALSE);
}

static gboolean
looks_like_html (const char *content_type,
                 const char *body,
                 gsize       len)
{
  gsize i = 0;

  if (content_type != NULL && (strstr (content_type, "html") != NULL ||
                               strstr (content_type, "xml") != NULL))
    return TRUE;
  while (i < len && g_ascii_isspace (body[i]))
    i++;
  return i < len && body[i] == '<';
}

static gboolean
is_xml (const char *content_type,
        const char *body,
        gsize       len)
{
  gsize i = 0;

  if (content_type != NULL && strstr (content_type, "xml") != NULL &&
      strstr (content_type, "html") == NULL)
    return TRUE;
  while (i < len && g_ascii_isspace (body[i]))
    i++;
  return len - i >= 5 && strncmp (body + i, "<?xml", 5) == 0;
}

/* The <title> of an HTML page, for messages (at most 80 chars, one line). */
static char *
html_title (const char *body,
            gsize       len)
{
  g_autofree char *text = g_strndup (body, MIN (len, 65536));
  g_autofree char *lower = g_ascii_strdown (text, -1);
  const char *start = strstr (lower, "<title>");
  const char *end;
  GString *out;

  if (start == NULL)
    return NULL;
  start += strlen ("<title>");
  end = strstr (start, "</title>");
  if (end == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (const char *p = text + (start - lower); p < text + (end - lower) && out->len < 80; p++)
    g_string_append_c (out, g_ascii_isspace (*p) || (guchar) *p < 0x20 ? ' ' : *p);
  g_strstrip (out->str);
  if (!g_utf8_validate (out->str, -1, NULL) || out->str[0] == '\0')
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* A short, printable version of a server message. */
static char *
clean_message (const char *msg)
{
  g_autofree char *valid = NULL;
  GString *out;

  if (msg == NULL || msg[0] == '\0')
    return g_strdup (_("no message"));
  valid = g_utf8_make_valid (msg, -1);
  out = g_string_new (NULL);
  for (const char *p = valid; *p != '\0' && out->len < 500; p++)
    g_string_append_c (out, (guchar) *p < 0x20 ? ' ' : *p);
  return g_string_free (out, FALSE);
}

/* 401 is authentication (errors.conf 401/20-31: missing, malformed or invalid
 * credentials, invalid token); 403 is authorisation (403/10 routing_error,
 * 20 role_not_allowed, 21 no_write_permission: clearml-server
 * apiserver/apierrors/errors.conf:131-136), where logging in again is no use. */
static ScalerClearmlError
classify (guint code,
          guint subcode,
          const char *msg)
{
  if (code == 401)
    return SCALER_CLEARML_ERROR_AUTH;
  if (code == 403)
    return SCALER_CLEARML_ERROR_PERMISSION;
  if (code == 404)
    {
      if (msg != NULL && strstr (msg, "Unable to find endpoint") != NULL)
        return SCALER_CLEARML_ERROR_UNSUPPORTED;
      return SCALER_CLEARML_ERROR_NOT_FOUND;
    }
  if (code == 400 && (subcode == 701 || subcode == 101 || subcode == 1001 ||
                      subcode == 1004 || subcode == 10))
    return SCALER_CLEARML_ERROR_NOT_FOUND;
  if (code == 429 || code >= 500)
    return SCALER_CLEARML_ERROR_SERVER;
  return SCALER_CLEARML_ERROR_BAD_REQUEST;
}

/* Errors of an answer that is no ClearML answer are server errors when the
 * HTTP status says so, else bad responses. */
static ScalerClearmlError
not_clearml_error (guint http_status)
{
  return http_status >= 500 ? SCALER_CLEARML_ERROR_SERVER : SCALER_CLEARML_ERROR_BAD_RESPONSE;
}

/* An empty body, an XML document or an HTML page: FALSE with @error saying
 * which, and what that usually means. */
static gboolean
reject_non_json_body (const char  *endpoint,
                      guint        http_status,
                      const char  *content_type,
                      const char  *body,
                      gsize        body_len,
                      GError     **error)
{
  if (body_len == 0)
    {
      g_set_error (error, SCALER_CLEARML_ERROR, not_clearml_error (http_status),
                   _("ClearML %s: the server sent an empty answer (HTTP %u) instead of a ClearML API answer"),
                   endpoint, http_status);
      return FALSE;
    }

  if (looks_like_html (content_type, body, body_len) && is_xml (content_type, body, body_len))
    {
      g_set_error (error, SCALER_CLEARML_ERROR, not_clearml_error (http_status),
                   _("ClearML %s: the server sent an XML document (HTTP %u) instead of a ClearML "
                     "API answer; is api_server the ClearML API address and not another service?"),
                   endpoint, http_status);
      return FALSE;
    }

  if (looks_like_html (content_type, body, body_len))
    {
      g_autofree char *title = html_title (body, body_len);
      g_autofree char *what = title ? g_strdup_printf (" “%s”", title) : g_strdup ("");

      if (http_status == 502 || http_status == 503 || http_status == 504)
        g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_SERVER,
                     _("ClearML %s: HTTP %u from a proxy (an HTML page%s instead of a ClearML "
                       "answer): the ClearML API server behind it is down or unreachable"),
                     endpoint, http_status, what);
      else
        g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE,
                     _("ClearML %s: the server sent an HTML page%s (HTTP %u) instead of a ClearML "
                       "API answer; is api_server the API address (e.g. port 8008, or "
                       "https://api.clear.ml) rather than the web app?"),
                     endpoint, what, http_status);
      return FALSE;
    }

  return TRUE;
}

/* Loads the body into @parser; FALSE with @error when it is not JSON. */
static gboolean
parse_json_body (JsonParser  *parser,
                 const char  *endpoint,
                 guint        http_status,
                 const char  *body,
                 gsize        body_len,
                 GError     **error)
{
  g_autoptr(GError) json_error = NULL;

  if (!scaler_json_check_depth (body, body_len, MAX_JSON_DEPTH, NULL))
    {
      g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE,
                   _("ClearML %s: the answer (HTTP %u) is nested more than %d levels deep; "
                     "not a ClearML answer"), endpoint, http_status, MAX_JSON_DEPTH);
      return FALSE;
    }

  if (memchr (body, '\0', body_len) != NULL ||
      !g_utf8_validate (body, body_len, NULL) ||
      !json_parser_load_from_data (parser, body, body_len, &json_error))
    {
      g_set_error (error, SCALER_CLEARML_ERROR, not_clearml_error (http_status),
                   _("ClearML %s: the answer (HTTP %u, %zu bytes) is not valid JSON: %s"),
                   endpoint, http_status, (size_t) body_len,
                   json_error ? json_error->message : _("invalid text encoding"));
      return FALSE;
    }

  return TRUE;
}

/* meta: result code (the HTTP status when missing or absurd), subcode,
 * message and the API version. */
static void
parse_meta (JsonObject        *meta_obj,
            guint              http_status,
            ScalerClearmlMeta *meta)
{
  JsonObject *endpoint_obj = scaler_json_member_object (meta_obj, "endpoint");
  gint64 code = 0, subcode = 0;
  guint version = 0;

  if (!scaler_json_member_int64 (meta_obj, "result_code", &code) || code <= 0 || code > 999)
    code = http_status;
  if (!scaler_json_member_int64 (meta_obj, "result_subcode", &subcode) || subcode < 0 || subcode > G_MAXINT)
    subcode = 0;
  /* The server sends these two only (clearml-server
   * apiserver/service_repo/apicall.py:634-646); strings from API 2.1 on. */
  if (endpoint_obj != NULL)
    {
      const char *names[] = { "requested_version", "actual_version" };

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        version = MAX (version, scaler_clearml_parse_version (scaler_json_member_string (endpoint_obj, names[i])));
    }

  scaler_clearml_meta_clear (meta);
  meta->result_code = (guint) code;
  meta->result_subcode = (guint) subcode;
  meta->result_msg = g_strdup (scaler_json_member_string (meta_obj, "result_msg"));
  meta->api_version = version;
}

/* FALSE, with @error, when the result code or the HTTP status is not a
 * success. */
static gboolean
check_result (const char               *endpoint,
              guint                     http_status,
              const ScalerClearmlMeta  *meta,
              GError                  **error)
{
  guint effective = meta->result_code != 200 ? meta->result_code : http_status;
  g_autofree char *clean = NULL;

  if (meta->result_code == 200 && http_status < 300)
    return TRUE;

  clean = clean_message (meta->result_msg);
  g_set_error (error, SCALER_CLEARML_ERROR, classify (effective, meta->result_subcode, meta->result_msg),
               _("ClearML %s failed: %s (HTTP %u, result %u/%u)"),
               endpoint, clean, http_status, effective, meta->result_subcode);
  return FALSE;
}

JsonNode *
scaler_clearml_parse_envelope (const char        *endpoint,
                               guint              http_status,
                               const char        *content_type,
                               const char        *body,
                               gsize              body_len,
                               ScalerClearmlMeta *meta,
                               GError           **error)
{
  g_autoptr(JsonParser) parser = NULL;
  ScalerClearmlMeta parsed = { 0, };
  JsonObject *root, *meta_obj;
  gboolean ok;

  endpoint = scaler_str_or_empty (endpoint);
  if (body == NULL)
    body_len = 0;

  if (!reject_non_json_body (endpoint, http_status, content_type, body, body_len, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!parse_json_body (parser, endpoint, http_status, body, body_len, error))
    return NULL;
  root = scaler_json_node_object (json_parser_get_root (parser));
  meta_obj = scaler_json_member_object (root, "meta");
  if (meta_obj == NULL)
    {
      g_set_error (error, SCALER_CLEARML_ERROR, not_clearml_error (http_status),
                   _("ClearML %s: the answer (HTTP %u) is JSON but not a ClearML envelope "
                     "(expected an object with “meta” and “data”)"), endpoint, http_status);
      return NULL;
    }

  parse_meta (meta_obj, http_status, &parsed);
  ok = check_result (endpoint, http_status, &parsed, error);
  if (meta != NULL)
    {
      scaler_clearml_meta_clear (meta);
      *meta = parsed;
    }
  else
    scaler_clearml_meta_clear (&parsed);
  if (!ok)
    return NULL;

  if (scaler_json_member_object (root, "data") == NULL)
    {
      g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE,
                   _("ClearML %s: the answer has no “data” object"), endpoint);
      return NULL;
    }

  return json_node_copy (json_object_get_member (root, "data"));
}

gboolean
_scaler_clearml_missing_field (GError    **error,
                               const char *endpoint,
                               const char *what)
{
  g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE,
               _("ClearML %s: the answer lacks %s"), endpoint, what);
  return FALSE;
}

GPtrArray *
scaler_clearml_parse_queues (JsonNode  *data,
                             GError   **error)
{
  JsonArray *list = scaler_json_member_array (scaler_json_node_object (data), "queues");
  g_autoptr(GPtrArray) out = NULL;

  if (list == NULL)
    {
      _scaler_clearml_missing_field (error, "queues.get_all", _("the “queues” list"));
      return NULL;
    }
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_clearml_queue_free);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *q = scaler_json_array_object (list, i);
      const char *id = scaler_json_member_string (q, "id");
      const char *name = scaler_json_member_string (q, "name");
      ScalerClearmlQueue *queue;

      if (id == NULL || name == NULL)
        {
          g_autofree char *what = g_strdup_printf (_("the id or name of queue %u"), i);
          _scaler_clearml_missing_field (error, "queues.get_all", what);
          return NULL;
        }
      queue = g_new0 (ScalerClearmlQueue, 1);
      queue->id = g_strdup (id);
      queue->name = g_strdup (name);
      g_ptr_array_add (out, queue);
    }
  return g_steal_pointer (&out);
}

static gint64
member_time (JsonObject *o,
             const char *name)
{
  gint64 t = 0;

  if (!scaler_clearml_parse_time (scaler_json_member_string (o, name), &t))
    return 0;
  return t;
}

GPtrArray *
scaler_clearml_parse_workers (JsonNode  *data,
                              GError   **error)
{
  JsonArray *list = scaler_json_member_array (scaler_json_node_object (data), "workers");
  g_autoptr(GPtrArray) out = NULL;

  if (list == NULL)
    {
      _scaler_clearml_missing_field (error, "workers.get_all", _("the “workers” list"));
      return NULL;
    }
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_worker_free);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *w = scaler_json_array_object (list, i);
      const char *id = scaler_json_member_string (w, "id");
      JsonObject *task = scaler_json_member_object (w, "task");
      JsonArray *queues = scaler_json_member_array (w, "queues");
      g_autoptr(ScalerWorker) worker = NULL;
      g_autoptr(GPtrArray) names = g_ptr_array_new ();

      if (id == NULL || id[0] == '\0')
        {
          g_autofree char *what = g_strdup_printf (_("the id of worker %u"), i);
          _scaler_clearml_missing_field (error, "workers.get_all", what);
          return NULL;
        }
      worker = scaler_worker_new ();
      worker->id = g_strdup (id);
      if (task != NULL && scaler_json_member_string (task, "id") != NULL)
        {
          worker->task_id = g_strdup (scaler_json_member_string (task, "id"));
          worker->task_name = g_strdup (scaler_json_member_string (task, "name"));
        }
      worker->register_time = member_time (w, "register_time");
      worker->last_activity_time = MAX (member_time (w, "last_activity_time"),
                                        member_time (w, "last_report_time"));
      for (guint j = 0; queues != NULL && j < json_array_get_length (queues); j++)
        {
          const char *name = scaler_json_member_string (scaler_json_array_object (queues, j), "name");

          if (name != NULL)
            g_ptr_array_add (names, g_strdup (name));
        }
      g_ptr_array_add (names, NULL);
      g_strfreev (worker->queues);
      worker->queues = (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
      g_ptr_array_add (out, g_steal_pointer (&worker));
    }
  return g_steal_pointer (&out);
}

GPtrArray *
scaler_clearml_parse_tasks (JsonNode  *data,
                            GError   **error)
{
  JsonArray *list = scaler_json_member_array (scaler_json_node_object (data), "tasks");
  g_autoptr(GPtrArray) out = NULL;

  if (list == NULL)
    {
      _scaler_clearml_missing_field (error, "tasks.get_all", _("the “tasks” list"));
      return NULL;
    }
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_clearml_task_free);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *t = scaler_json_array_object (list, i);
      const char *id = scaler_json_member_string (t, "id");
      ScalerClearmlTask *task;

      if (id == NULL)
        {
          g_autofree char *what = g_strdup_printf (_("the id of task %u"), i);
          _scaler_clearml_missing_field (error, "tasks.get_all", what);
          return NULL;
        }
      task = g_new0 (ScalerClearmlTask, 1);
      task->id = g_strdup (id);
      task->name = g_strdup (scaler_json_member_string (t, "name"));
      task->status = g_strdup (scaler_json_member_string (t, "status"));
      task->queue_id = g_strdup (scaler_json_member_string (scaler_json_member_object (t, "execution"), "queue"));
      task->last_worker = g_strdup (scaler_json_member_string (t, "last_worker"));
      task->last_update = member_time (t, "last_update");
      g_ptr_array_add (out, task);
    }
  return g_steal_pointer (&out);
}

gboolean
scaler_clearml_parse_num_entries (JsonNode  *data,
                                  guint     *out_count,
                                  GError   **error)
{
  gint64 num = -1;

  if (!scaler_json_member_int64 (scaler_json_node_object (data), "num", &num) || num < 0 || num > G_MAXUINT)
    return _scaler_clearml_missing_field (error, "queues.get_num_entries", _("a count “num” (a whole number >= 0)"));
  *out_count = (guint) num;
  return TRUE;
}

gboolean
scaler_clearml_parse_queue_entries (JsonNode  *data,
                                    guint     *out_count,
                                    GError   **error)
{
  JsonObject *queue = scaler_json_member_object (scaler_json_node_object (data), "queue");
  JsonNode *entries;

  if (queue == NULL)
    return _scaler_clearml_missing_field (error, "queues.get_by_id", _("the “queue” object"));
  entries = scaler_json_member (queue, "entries");
  if (entries != NULL && JSON_NODE_HOLDS_NULL (entries))
    entries = NULL;
  if (entries != NULL && !JSON_NODE_HOLDS_ARRAY (entries))
    return _scaler_clearml_missing_field (error, "queues.get_by_id", _("an “entries” list"));
  *out_count = entries != NULL ? json_array_get_length (json_node_get_array (entries)) : 0;
  return TRUE;
}
