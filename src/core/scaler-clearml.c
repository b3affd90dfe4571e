/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-clearml"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "scaler-clearml.h"
#include "scaler-json.h"
#include "scaler-http.h"
#include "scaler-queue-source.h"
#include "scaler-util.h"

#define PAGE_SIZE         500
#define MAX_PAGES         10000
#define MAX_JSON_DEPTH    128
#define VERSION_NUM_ENTRIES     SCALER_CLEARML_API_VERSION (2, 15)
#define VERSION_WORKER_PATTERN  SCALER_CLEARML_API_VERSION (2, 30)

struct _ScalerClearmlClient
{
  GMutex      mutex;
  ScalerHttp *http;
  char       *base_url;
  char       *access_key;
  char       *secret_key;
  char       *token;              /* nullable */
  guint       pinned_version;     /* from a "/v2.NN" api_server, 0 if none */
  guint       api_version;        /* learnt, 0 if not yet */
  gboolean    use_token;
  gboolean    login_unsupported;  /* auth.login missing: Basic auth */
  gboolean    no_num_entries;     /* get_num_entries missing: get_by_id */
  char       *user_id;            /* users.get_current_user, once needed */
  char       *user_name;
  gboolean    unregister_not_own; /* reported once; no more look-ups */
};

G_DEFINE_QUARK (scaler-clearml-error-quark, scaler_clearml_error)

static const char *
nonnull (const char *s)
{
  return s != NULL ? s : "";
}

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

gboolean
scaler_clearml_parse_time (const char *text,
                           gint64     *out_usec)
{
  const char *p = text;
  int year, month, day, hour = 0, minute = 0, second = 0;
  gint64 usec = 0;
  int offset_sec = 0;
  gint64 total;

  g_return_val_if_fail (out_usec != NULL, FALSE);

  if (p == NULL)
    return FALSE;
  if (!read_digits (&p, 4, &year) || *p++ != '-' ||
      !read_digits (&p, 2, &month) || *p++ != '-' ||
      !read_digits (&p, 2, &day))
    return FALSE;
  if (month < 1 || month > 12 || day < 1 || year < 1)
    return FALSE;
  {
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int max = mdays[month - 1];

    if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
      max = 29;
    if (day > max)
      return FALSE;
  }

  if (*p == 'T' || *p == 't' || *p == ' ')
    {
      p++;
      if (!read_digits (&p, 2, &hour) || *p++ != ':' || !read_digits (&p, 2, &minute))
        return FALSE;
      if (*p == ':')
        {
          p++;
          if (!read_digits (&p, 2, &second))
            return FALSE;
          if (*p == '.' || *p == ',')
            {
              gint64 scale = 100000;

              p++;
              if (!g_ascii_isdigit (*p))
                return FALSE;
              for (; g_ascii_isdigit (*p); p++)
                {
                  usec += (*p - '0') * scale;
                  scale /= 10;
                }
            }
        }
      if (hour > 23 || minute > 59 || second > 60)
        return FALSE;
      if (second == 60)
        second = 59;   /* a leap second: close enough */

      if (*p == 'Z' || *p == 'z')
        p++;
      else if (*p == '+' || *p == '-')
        {
          int sign = *p == '-' ? -1 : 1;
          int oh, om = 0;

          p++;
          if (!read_digits (&p, 2, &oh))
            return FALSE;
          if (*p == ':')
            {
              p++;
              if (!read_digits (&p, 2, &om))
                return FALSE;
            }
          else if (g_ascii_isdigit (*p) && !read_digits (&p, 2, &om))
            return FALSE;
          if (oh > 23 || om > 59)
            return FALSE;
          offset_sec = sign * (oh * 3600 + om * 60);
        }
    }

  if (*p != '\0')
    return FALSE;

  total = days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
          offset_sec;
  *out_usec = total * G_USEC_PER_SEC + usec;
  return TRUE;
}

char *
scaler_clearml_exact_name_regex (const char *name)
{
  GString *out = g_string_new ("^");

  for (const char *p = nonnull (name); *p != '\0'; p++)
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
  g_autoptr(GError) json_error = NULL;
  JsonObject *root, *meta_obj, *endpoint_obj, *data;
  gint64 code = 0, subcode = 0;
  const char *msg;
  guint version = 0;

  endpoint = nonnull (endpoint);
  if (body == NULL)
    body_len = 0;

  if (body_len == 0)
    {
      g_set_error (error, SCALER_CLEARML_ERROR,
                   http_status >= 500 ? SCALER_CLEARML_ERROR_SERVER : SCALER_CLEARML_ERROR_BAD_RESPONSE,
                   _("ClearML %s: the server sent an empty answer (HTTP %u) instead of a ClearML API answer"),
                   endpoint, http_status);
      return NULL;
    }

  if (looks_like_html (content_type, body, body_len) && is_xml (content_type, body, body_len))
    {
      g_set_error (error, SCALER_CLEARML_ERROR,
                   http_status >= 500 ? SCALER_CLEARML_ERROR_SERVER : SCALER_CLEARML_ERROR_BAD_RESPONSE,
                   _("ClearML %s: the server sent an XML document (HTTP %u) instead of a ClearML "
                     "API answer; is api_server the ClearML API address and not another service?"),
                   endpoint, http_status);
      return NULL;
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
      return NULL;
    }

  if (!scaler_json_check_depth (body, body_len, MAX_JSON_DEPTH, NULL))
    {
      g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE,
                   _("ClearML %s: the answer (HTTP %u) is nested more than %d levels deep; "
                     "not a ClearML answer"), endpoint, http_status, MAX_JSON_DEPTH);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (memchr (body, '\0', body_len) != NULL ||
      !g_utf8_validate (body, body_len, NULL) ||
      !json_parser_load_from_data (parser, body, body_len, &json_error))
    {
      g_set_error (error, SCALER_CLEARML_ERROR,
                   http_status >= 500 ? SCALER_CLEARML_ERROR_SERVER : SCALER_CLEARML_ERROR_BAD_RESPONSE,
                   _("ClearML %s: the answer (HTTP %u, %zu bytes) is not valid JSON: %s"),
                   endpoint, http_status, (size_t) body_len,
                   json_error ? json_error->message : _("invalid text encoding"));
      return NULL;
    }

  root = scaler_json_node_object (json_parser_get_root (parser));
  meta_obj = scaler_json_member_object (root, "meta");
  if (meta_obj == NULL)
    {
      g_set_error (error, SCALER_CLEARML_ERROR,
                   http_status >= 500 ? SCALER_CLEARML_ERROR_SERVER : SCALER_CLEARML_ERROR_BAD_RESPONSE,
                   _("ClearML %s: the answer (HTTP %u) is JSON but not a ClearML envelope "
                     "(expected an object with “meta” and “data”)"), endpoint, http_status);
      return NULL;
    }

  if (!scaler_json_member_int64 (meta_obj, "result_code", &code) || code <= 0 || code > 999)
    code = http_status;
  if (!scaler_json_member_int64 (meta_obj, "result_subcode", &subcode) || subcode < 0 || subcode > G_MAXINT)
    subcode = 0;
  msg = scaler_json_member_string (meta_obj, "result_msg");
  endpoint_obj = scaler_json_member_object (meta_obj, "endpoint");
  /* The server sends these two only (clearml-server
   * apiserver/service_repo/apicall.py:634-646); strings from API 2.1 on. */
  if (endpoint_obj != NULL)
    {
      const char *names[] = { "requested_version", "actual_version" };

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        version = MAX (version, scaler_clearml_parse_version (scaler_json_member_string (endpoint_obj, names[i])));
    }

  if (meta != NULL)
    {
      scaler_clearml_meta_clear (meta);
      meta->result_code = (guint) code;
      meta->result_subcode = (guint) subcode;
      meta->result_msg = g_strdup (msg);
      meta->api_version = version;
    }

  if (code != 200 || http_status >= 300)
    {
      guint effective = code != 200 ? (guint) code : http_status;
      g_autofree char *clean = clean_message (msg);

      g_set_error (error, SCALER_CLEARML_ERROR, classify (effective, (guint) subcode, msg),
                   _("ClearML %s failed: %s (HTTP %u, result %u/%u)"),
                   endpoint, clean, http_status, effective, (guint) subcode);
      return NULL;
    }

  data = scaler_json_member_object (root, "data");
  if (data == NULL)
    {
      g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE,
                   _("ClearML %s: the answer has no “data” object"), endpoint);
      return NULL;
    }

  return json_node_copy (json_object_get_member (root, "data"));
}

static gboolean
missing_field (GError    **error,
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
      missing_field (error, "queues.get_all", _("the “queues” list"));
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
          missing_field (error, "queues.get_all", what);
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
      missing_field (error, "workers.get_all", _("the “workers” list"));
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
          missing_field (error, "workers.get_all", what);
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
      missing_field (error, "tasks.get_all", _("the “tasks” list"));
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
          missing_field (error, "tasks.get_all", what);
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
    return missing_field (error, "queues.get_num_entries", _("a count “num” (a whole number >= 0)"));
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
    return missing_field (error, "queues.get_by_id", _("the “queue” object"));
  entries = scaler_json_member (queue, "entries");
  if (entries != NULL && JSON_NODE_HOLDS_NULL (entries))
    entries = NULL;
  if (entries != NULL && !JSON_NODE_HOLDS_ARRAY (entries))
    return missing_field (error, "queues.get_by_id", _("an “entries” list"));
  *out_count = entries != NULL ? json_array_get_length (json_node_get_array (entries)) : 0;
  return TRUE;
}

/* ---- the client ---- */

ScalerClearmlClient *
scaler_clearml_client_new (const char  *api_server,
                           const char  *access_key,
                           const char  *secret_key,
                           GError     **error)
{
  ScalerClearmlClient *self;
  g_autofree char *base = NULL;
  const char *rest;
  const char *last_slash;
  gsize len;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  base = g_strstrip (g_strdup (nonnull (api_server)));
  if (g_ascii_strncasecmp (base, "http://", 7) == 0)
    rest = base + 7;
  else if (g_ascii_strncasecmp (base, "https://", 8) == 0)
    rest = base + 8;
  else
    {
      g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_REQUEST,
                   _("The ClearML API server “%s” is not an http:// or https:// URL"),
                   nonnull (api_server));
      return NULL;
    }
  for (const char *p = base; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || *p == '?' || *p == '#' || *p == 0x7f)
      {
        g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_REQUEST,
                     _("The ClearML API server URL “%s” contains a space, a control "
                       "character, '?' or '#'; expected e.g. https://api.clear.ml"),
                     nonnull (api_server));
        return NULL;
      }
  len = strlen (base);
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  if (rest[0] == '\0' || rest[0] == '/' || base + len <= rest)
    {
      g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_REQUEST,
                   _("The ClearML API server URL “%s” has no host name"), nonnull (api_server));
      return NULL;
    }

  self = g_new0 (ScalerClearmlClient, 1);
  g_mutex_init (&self->mutex);
  self->http = scaler_http_new ();
  self->base_url = g_steal_pointer (&base);
  self->access_key = g_strdup (nonnull (access_key));
  self->secret_key = g_strdup (nonnull (secret_key));
  self->use_token = TRUE;

  /* A pinned version: ".../v2.20" as the last path segment. */
  last_slash = strrchr (rest, '/');
  if (last_slash != NULL && (last_slash[1] == 'v' || last_slash[1] == 'V'))
    self->pinned_version = scaler_clearml_parse_version (last_slash + 1);

  return self;
}

void
scaler_clearml_client_free (ScalerClearmlClient *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->http, scaler_http_free);
  g_free (self->base_url);
  scaler_secret_free (self->access_key);
  scaler_secret_free (self->secret_key);
  scaler_secret_free (self->token);
  g_free (self->user_id);
  g_free (self->user_name);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

void
scaler_clearml_client_set_use_token (ScalerClearmlClient *self,
                                     gboolean             use_token)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->use_token = !!use_token;
  g_mutex_unlock (&self->mutex);
}

ScalerHttp *
scaler_clearml_client_get_http (ScalerClearmlClient *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->http;
}

const char *
scaler_clearml_client_get_base_url (ScalerClearmlClient *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->base_url;
}

guint
scaler_clearml_client_get_api_version (ScalerClearmlClient *self)
{
  guint v;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  v = self->api_version;
  g_mutex_unlock (&self->mutex);
  return v;
}

static guint
effective_version (ScalerClearmlClient *self)
{
  if (self->api_version != 0)
    return self->api_version;
  if (self->pinned_version != 0)
    return self->pinned_version;
  return SCALER_CLEARML_API_MIN_VERSION;
}

static char *
basic_header (ScalerClearmlClient *self)
{
  g_autofree char *pair = g_strconcat (self->access_key, ":", self->secret_key, NULL);
  g_autofree char *b64 = g_base64_encode ((const guchar *) pair, strlen (pair));
  char *header = g_strconcat ("Authorization: Basic ", b64, NULL);

  memset (pair, 0, strlen (pair));
  memset (b64, 0, strlen (b64));
  return header;
}

typedef enum
{
  AUTH_NONE,
  AUTH_BASIC,
  AUTH_BEARER,
} AuthKind;

/* One HTTP exchange, no retry. */
static JsonNode *
exchange_locked (ScalerClearmlClient *self,
                 const char          *endpoint,
                 const char          *body,
                 AuthKind             auth,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autofree char *url = g_strconcat (self->base_url, "/", endpoint, NULL);
  g_autofree char *auth_header = NULL;
  g_autoptr(ScalerHttpResponse) response = NULL;
  g_autoptr(GError) local_error = NULL;
  ScalerClearmlMeta meta = { 0, };
  const char *headers[4];
  guint n = 0;
  JsonNode *data;
  gsize len = 0;
  const char *bytes;

  headers[n++] = "Content-Type: application/json";
  headers[n++] = "Accept: application/json";
  if (auth == AUTH_BASIC)
    auth_header = basic_header (self);
  else if (auth == AUTH_BEARER)
    auth_header = g_strconcat ("Authorization: Bearer ", self->token, NULL);
  if (auth_header != NULL)
    headers[n++] = auth_header;
  headers[n] = NULL;

  response = scaler_http_send (self->http, "POST", url, headers, body, strlen (body),
                               cancellable, &local_error);
  if (auth_header != NULL)
    memset (auth_header, 0, strlen (auth_header));
  if (response == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_NETWORK,
                     _("ClearML %s: no answer from the server: %s"), endpoint,
                     local_error->message);
      return NULL;
    }

  bytes = g_bytes_get_data (response->body, &len);
  data = scaler_clearml_parse_envelope (endpoint, response->status, response->content_type,
                                        bytes, len, &meta, error);
  if (meta.api_version != 0 && meta.api_version != self->api_version)
    {
      g_debug ("ClearML API version %u.%u (from %s)", meta.api_version / 1000,
               meta.api_version % 1000, endpoint);
      self->api_version = meta.api_version;
    }
  scaler_clearml_meta_clear (&meta);
  return data;
}

static gboolean
login_locked (ScalerClearmlClient *self,
              GCancellable        *cancellable,
              GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) data = NULL;
  const char *token;

  data = exchange_locked (self, "auth.login", "{}", AUTH_BASIC, cancellable, &local_error);
  if (data == NULL)
    {
      if (g_error_matches (local_error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_UNSUPPORTED))
        {
          g_debug ("auth.login is not available; using Basic auth on every call");
          self->login_unsupported = TRUE;
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  token = scaler_json_member_string (scaler_json_node_object (data), "token");
  if (token == NULL || token[0] == '\0' || strpbrk (token, "\r\n") != NULL)
    return missing_field (error, "auth.login", _("a “token”"));
  scaler_secret_free (self->token);
  self->token = g_strdup (token);
  return TRUE;
}

static JsonNode *
call_locked (ScalerClearmlClient *self,
             const char          *endpoint,
             const char          *body,
             gboolean             needs_auth,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean fresh_login = FALSE;
  JsonNode *data;

  if (!needs_auth)
    return exchange_locked (self, endpoint, body, AUTH_NONE, cancellable, error);

  if (self->access_key[0] == '\0' || self->secret_key[0] == '\0')
    {
      g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_AUTH,
                   _("ClearML %s: no ClearML access key and secret key are set"), endpoint);
      return NULL;
    }

  if (!self->use_token || self->login_unsupported)
    return exchange_locked (self, endpoint, body, AUTH_BASIC, cancellable, error);

  if (self->token == NULL)
    {
      if (!login_locked (self, cancellable, error))
        return NULL;
      fresh_login = TRUE;
      if (self->login_unsupported)
        return exchange_locked (self, endpoint, body, AUTH_BASIC, cancellable, error);
    }

  data = exchange_locked (self, endpoint, body, AUTH_BEARER, cancellable, &local_error);
  if (data != NULL)
    return data;
  if (fresh_login ||
      !g_error_matches (local_error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_AUTH))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* The token expired or was revoked: log in again, once, and retry once. */
  g_debug ("ClearML %s: %s; logging in again", endpoint, local_error->message);
  g_clear_pointer (&self->token, scaler_secret_free);
  if (!login_locked (self, cancellable, error))
    return NULL;
  if (self->login_unsupported)
    return exchange_locked (self, endpoint, body, AUTH_BASIC, cancellable, error);
  return exchange_locked (self, endpoint, body, AUTH_BEARER, cancellable, error);
}

static char *
node_to_string (JsonNode *body)
{
  g_autoptr(JsonGenerator) gen = NULL;

  if (body == NULL)
    return g_strdup ("{}");
  gen = json_generator_new ();
  json_generator_set_root (gen, body);
  return json_generator_to_data (gen, NULL);
}

JsonNode *
scaler_clearml_client_call (ScalerClearmlClient *self,
                            const char          *endpoint,
                            JsonNode            *body,
                            GCancellable        *cancellable,
                            GError             **error)
{
  g_autofree char *text = NULL;
  JsonNode *data;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (endpoint != NULL, NULL);
  g_return_val_if_fail (body == NULL || JSON_NODE_HOLDS_OBJECT (body), NULL);
  /* Destructive: it takes a task off its queue (see the header). */
  g_return_val_if_fail (!g_str_equal (endpoint, "queues.get_next_task"), NULL);

  text = node_to_string (body);
  g_mutex_lock (&self->mutex);
  data = call_locked (self, endpoint, text, !g_str_equal (endpoint, "debug.ping"),
                      cancellable, error);
  g_mutex_unlock (&self->mutex);
  return data;
}

static void
builder_add_strv (JsonBuilder        *b,
                  const char         *name,
                  const char * const *values,
                  guint               from,
                  guint               to)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = from; i < to; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

static char *
builder_to_string (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);

  return node_to_string (root);
}

GPtrArray *
scaler_clearml_client_get_queues (ScalerClearmlClient *self,
                                  const char * const  *names,
                                  GCancellable        *cancellable,
                                  GError             **error)
{
  static const char * const fields[] = { "id", "name", NULL };
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(GString) regex = NULL;
  guint n_names;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (names != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_clearml_queue_free);
  n_names = g_strv_length ((GStrv) names);
  if (n_names == 0)
    return g_steal_pointer (&out);

  /* ^(?:a|b)$ with every name escaped: the server's "name" is a regex. */
  regex = g_string_new ("^(?:");
  for (guint i = 0; i < n_names; i++)
    {
      g_autofree char *one = scaler_clearml_exact_name_regex (names[i]);

      if (i > 0)
        g_string_append_c (regex, '|');
      g_string_append_len (regex, one + 1, strlen (one) - 2);
    }
  g_string_append (regex, ")$");

  g_mutex_lock (&self->mutex);
  for (guint page = 0; page < MAX_PAGES; page++)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autofree char *body = NULL;
      g_autoptr(JsonNode) data = NULL;
      g_autoptr(GPtrArray) queues = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, regex->str);
      builder_add_strv (b, "only_fields", fields, 0, 2);
      json_builder_set_member_name (b, "page");
      json_builder_add_int_value (b, page);
      json_builder_set_member_name (b, "page_size");
      json_builder_add_int_value (b, PAGE_SIZE);
      json_builder_end_object (b);
      body = builder_to_string (b);

      data = call_locked (self, "queues.get_all", body, TRUE, cancellable, error);
      if (data == NULL || (queues = scaler_clearml_parse_queues (data, error)) == NULL)
        {
          g_mutex_unlock (&self->mutex);
          return NULL;
        }
      for (guint i = 0; i < queues->len; i++)
        {
          ScalerClearmlQueue *q = g_ptr_array_index (queues, i);

          /* Exact names only ("$" also matches before a final newline). */
          if (g_strv_contains (names, q->name))
            g_ptr_array_add (out, g_steal_pointer (&queues->pdata[i]));
        }
      if (queues->len < PAGE_SIZE)
        break;
    }
  g_mutex_unlock (&self->mutex);

  return g_steal_pointer (&out);
}

static char *
queue_body (const char *queue_id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "queue");
  json_builder_add_string_value (b, queue_id);
  json_builder_end_object (b);
  return builder_to_string (b);
}

gboolean
scaler_clearml_client_get_pending (ScalerClearmlClient *self,
                                   const char          *queue_id,
                                   guint               *out_count,
                                   GCancellable        *cancellable,
                                   GError             **error)
{
  g_autofree char *body = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (queue_id != NULL, FALSE);
  g_return_val_if_fail (out_count != NULL, FALSE);

  body = queue_body (queue_id);
  g_mutex_lock (&self->mutex);

  if (!self->no_num_entries && effective_version (self) >= VERSION_NUM_ENTRIES)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonNode) data = call_locked (self, "queues.get_num_entries", body, TRUE,
                                              cancellable, &local_error);

      if (data != NULL)
        {
          ok = scaler_clearml_parse_num_entries (data, out_count, error);
          goto out;
        }
      if (!g_error_matches (local_error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_UNSUPPORTED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto out;
        }
      g_debug ("queues.get_num_entries is not available; using queues.get_by_id");
      self->no_num_entries = TRUE;
    }

  {
    g_autoptr(JsonNode) data = call_locked (self, "queues.get_by_id", body, TRUE,
                                            cancellable, error);

    if (data != NULL)
      ok = scaler_clearml_parse_queue_entries (data, out_count, error);
  }

out:
  g_mutex_unlock (&self->mutex);
  return ok;
}

GPtrArray *
scaler_clearml_client_get_workers (ScalerClearmlClient *self,
                                   const char          *prefix,
                                   GCancellable        *cancellable,
                                   GError             **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *body = NULL;
  g_autofree char *with_colon = NULL;
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(GPtrArray) workers = NULL;
  GPtrArray *out;

  g_return_val_if_fail (self != NULL, NULL);

  if (prefix != NULL)
    with_colon = g_strconcat (prefix, ":", NULL);

  g_mutex_lock (&self->mutex);
  /* Learn the version first if nothing was called yet: the pattern needs 2.30. */
  if (self->api_version == 0 && self->pinned_version == 0 && prefix != NULL)
    {
      JsonNode *ping = call_locked (self, "debug.ping", "{}", FALSE, cancellable, NULL);

      g_clear_pointer (&ping, json_node_unref);
    }

  json_builder_begin_object (b);
  if (with_colon != NULL && effective_version (self) >= VERSION_WORKER_PATTERN &&
      strpbrk (with_colon, "*?[]\\") == NULL)
    {
      g_autofree char *pattern = g_strconcat (with_colon, "*", NULL);

      json_builder_set_member_name (b, "worker_pattern");
      json_builder_add_string_value (b, pattern);
    }
  json_builder_end_object (b);
  body = builder_to_string (b);

  data = call_locked (self, "workers.get_all", body, TRUE, cancellable, error);
  g_mutex_unlock (&self->mutex);
  if (data == NULL || (workers = scaler_clearml_parse_workers (data, error)) == NULL)
    return NULL;

  /* The prefix filter, always (older servers ignore worker_pattern). */
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_worker_free);
  for (guint i = 0; i < workers->len; i++)
    {
      ScalerWorker *w = g_ptr_array_index (workers, i);

      if (with_colon == NULL || g_str_has_prefix (w->id, with_colon))
        g_ptr_array_add (out, g_steal_pointer (&workers->pdata[i]));
    }
  return out;
}

/* users.get_current_user, once: the user this client logs in as. */
static void
learn_current_user_locked (ScalerClearmlClient *self,
                           GCancellable        *cancellable)
{
  g_autoptr(JsonNode) data = NULL;
  JsonObject *user;

  if (self->user_id != NULL)
    return;
  data = call_locked (self, "users.get_current_user", "{}", TRUE, cancellable, NULL);
  user = scaler_json_member_object (scaler_json_node_object (data), "user");
  if (scaler_json_member_string (user, "id") == NULL)
    return;
  self->user_id = g_strdup (scaler_json_member_string (user, "id"));
  self->user_name = g_strdup (scaler_json_member_string (user, "name"));
}

/* Whether workers.get_all still lists @worker_id, and its user (nullable). */
static gboolean
find_worker_user_locked (ScalerClearmlClient *self,
                         const char          *worker_id,
                         char               **user_id,
                         char               **user_name,
                         GCancellable        *cancellable)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) data = NULL;
  JsonArray *list;

  json_builder_begin_object (b);
  if (effective_version (self) >= VERSION_WORKER_PATTERN && strpbrk (worker_id, "*?[]\\") == NULL)
    {
      json_builder_set_member_name (b, "worker_pattern");
      json_builder_add_string_value (b, worker_id);
    }
  json_builder_end_object (b);
  body = builder_to_string (b);
  data = call_locked (self, "workers.get_all", body, TRUE, cancellable, NULL);
  list = scaler_json_member_array (scaler_json_node_object (data), "workers");
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *w = scaler_json_array_object (list, i);
      JsonObject *user = scaler_json_member_object (w, "user");

      if (g_strcmp0 (scaler_json_member_string (w, "id"), worker_id) != 0)
        continue;
      *user_id = g_strdup (scaler_json_member_string (user, "id"));
      *user_name = g_strdup (scaler_json_member_string (user, "name"));
      return TRUE;
    }
  return FALSE;
}

/* After a workers.unregister that answered 200: did it remove anything? */
static gboolean
check_unregistered_locked (ScalerClearmlClient *self,
                           const char          *worker_id,
                           GCancellable        *cancellable,
                           GError             **error)
{
  g_autofree char *owner_id = NULL;
  g_autofree char *owner_name = NULL;

  if (!find_worker_user_locked (self, worker_id, &owner_id, &owner_name, cancellable))
    return TRUE;
  learn_current_user_locked (self, cancellable);
  if (owner_id == NULL || self->user_id == NULL || g_str_equal (owner_id, self->user_id))
    {
      g_debug ("ClearML worker %s is listed again after workers.unregister; its agent "
               "probably reported once more", worker_id);
      return TRUE;
    }

  self->unregister_not_own = TRUE;
  g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_PERMISSION,
               _("ClearML workers.unregister left worker %s in place: it belongs to the ClearML "
                 "user “%s” and the autoscaler logs in as “%s”, and ClearML lets a user remove "
                 "only its own workers. Give the agents a key of the autoscaler’s user (see "
                 "“Credentials inside user-data” in the README); until then dead workers stay "
                 "listed for up to 10 minutes. (Reported once.)"),
               worker_id, owner_name != NULL ? owner_name : owner_id,
               self->user_name != NULL ? self->user_name : self->user_id);
  return FALSE;
}

gboolean
scaler_clearml_client_unregister_worker (ScalerClearmlClient *self,
                                         const char          *worker_id,
                                         GCancellable        *cancellable,
                                         GError             **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (worker_id != NULL, FALSE);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "worker");
  json_builder_add_string_value (b, worker_id);
  json_builder_end_object (b);
  body = builder_to_string (b);

  g_mutex_lock (&self->mutex);
  data = call_locked (self, "workers.unregister", body, TRUE, cancellable, &local_error);
  /* "Worker not registered" (400/1004 when auto_unregister is off) is what
   * another user's worker gets there. */
  if (data == NULL && g_error_matches (local_error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_NOT_FOUND))
    g_clear_error (&local_error);
  if (local_error == NULL && !self->unregister_not_own)
    ok = check_unregistered_locked (self, worker_id, cancellable, error);
  g_mutex_unlock (&self->mutex);
  if (local_error == NULL)
    return ok;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

GPtrArray *
scaler_clearml_client_get_tasks (ScalerClearmlClient *self,
                                 const char * const  *ids,
                                 const char * const  *statuses,
                                 GCancellable        *cancellable,
                                 GError             **error)
{
  static const char * const fields[] = {
    "id", "name", "status", "execution.queue", "last_worker", "last_update", NULL
  };
  g_autoptr(GPtrArray) out = NULL;
  guint n_ids = ids ? g_strv_length ((GStrv) ids) : 0;
  guint chunk = 0;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_clearml_task_free);
  if (ids != NULL && n_ids == 0)
    return g_steal_pointer (&out);

  g_mutex_lock (&self->mutex);
  do
    {
      guint from = chunk * PAGE_SIZE;
      guint to = MIN (n_ids, from + PAGE_SIZE);

      for (guint page = 0; page < MAX_PAGES; page++)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();
          g_autofree char *body = NULL;
          g_autoptr(JsonNode) data = NULL;
          g_autoptr(GPtrArray) tasks = NULL;

          json_builder_begin_object (b);
          if (ids != NULL)
            builder_add_strv (b, "id", ids, from, to);
          if (statuses != NULL)
            builder_add_strv (b, "status", statuses, 0, g_strv_length ((GStrv) statuses));
          builder_add_strv (b, "only_fields", fields, 0, G_N_ELEMENTS (fields) - 1);
          json_builder_set_member_name (b, "page");
          json_builder_add_int_value (b, page);
          json_builder_set_member_name (b, "page_size");
          json_builder_add_int_value (b, PAGE_SIZE);
          json_builder_end_object (b);
          body = builder_to_string (b);

          data = call_locked (self, "tasks.get_all", body, TRUE, cancellable, error);
          if (data == NULL || (tasks = scaler_clearml_parse_tasks (data, error)) == NULL)
            {
              g_mutex_unlock (&self->mutex);
              return NULL;
            }
          for (guint i = 0; i < tasks->len; i++)
            g_ptr_array_add (out, g_steal_pointer (&tasks->pdata[i]));
          if (tasks->len < PAGE_SIZE)
            break;
        }
      chunk++;
    }
  while (chunk * PAGE_SIZE < n_ids);
  g_mutex_unlock (&self->mutex);

  return g_steal_pointer (&out);
}

/* ---- test connection ---- */

/* A call that needs the credentials: auth.login in token mode; in Basic mode
 * (or without auth.login) workers.get_all, of the last second only. */
static gboolean
check_credentials_locked (ScalerClearmlClient *self,
                          GCancellable        *cancellable,
                          GError             **error)
{
  g_autoptr(JsonNode) workers = NULL;

  if (self->use_token && !self->login_unsupported)
    {
      if (!login_locked (self, cancellable, error))
        return FALSE;
      if (!self->login_unsupported)
        return TRUE;
    }
  workers = call_locked (self, "workers.get_all", "{\"last_seen\": 1}", TRUE, cancellable, error);
  return workers != NULL;
}

static char *
describe_failure (ScalerClearmlClient  *self,
                  const GError         *error,
                  ScalerClearmlVerdict *verdict)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      *verdict = SCALER_CLEARML_VERDICT_UNREACHABLE;
      return g_strdup (_("Cancelled"));
    }
  if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_AUTH))
    {
      *verdict = SCALER_CLEARML_VERDICT_BAD_CREDENTIALS;
      return g_strdup_printf (_("Wrong access key or secret key: %s"), error->message);
    }
  if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_PERMISSION))
    {
      *verdict = SCALER_CLEARML_VERDICT_BAD_CREDENTIALS;
      return g_strdup_printf (_("The key works but its user is not allowed to do this: %s"),
                              error->message);
    }
  if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_NETWORK))
    {
      *verdict = SCALER_CLEARML_VERDICT_UNREACHABLE;
      return g_strdup_printf (_("Server unreachable: %s"), error->message);
    }
  if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE))
    {
      *verdict = SCALER_CLEARML_VERDICT_NOT_CLEARML;
      return g_strdup_printf (_("Not a ClearML API server at %s: %s"), self->base_url, error->message);
    }
  *verdict = SCALER_CLEARML_VERDICT_SERVER_ERROR;
  return g_strdup_printf (_("The server answered with an error: %s"), error->message);
}

char *
scaler_clearml_client_test_connection (ScalerClearmlClient  *self,
                                       ScalerClearmlVerdict *verdict,
                                       GCancellable         *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ping = NULL;
  g_autoptr(JsonNode) info = NULL;
  const char *server_version = NULL;
  ScalerClearmlVerdict v;
  char *message;
  guint api;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->token, scaler_secret_free);

  ping = call_locked (self, "debug.ping", "{}", FALSE, cancellable, &error);
  if (ping == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          v = SCALER_CLEARML_VERDICT_UNREACHABLE;
          message = g_strdup (_("Cancelled"));
        }
      else if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_NETWORK))
        {
          v = SCALER_CLEARML_VERDICT_UNREACHABLE;
          message = g_strdup_printf (_("Server unreachable: %s"), error->message);
        }
      else if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_SERVER))
        {
          v = SCALER_CLEARML_VERDICT_SERVER_ERROR;
          message = g_strdup_printf (_("The server answered with an error: %s"), error->message);
        }
      else
        {
          v = SCALER_CLEARML_VERDICT_NOT_CLEARML;
          message = g_strdup_printf (_("Not a ClearML API server at %s: %s"),
                                     self->base_url, error->message);
        }
      goto out;
    }

  if (self->access_key[0] == '\0' || self->secret_key[0] == '\0')
    {
      v = SCALER_CLEARML_VERDICT_BAD_CREDENTIALS;
      message = g_strdup (_("The server is a ClearML server, but no access key and secret key are set"));
      goto out;
    }

  if (!check_credentials_locked (self, cancellable, &error))
    {
      message = describe_failure (self, error, &v);
      goto out;
    }

  /* server.info needs no authentication; an old server may lack it (404). */
  info = call_locked (self, "server.info", "{}", TRUE, cancellable, &error);
  if (info == NULL &&
      !g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_UNSUPPORTED) &&
      !g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_NOT_FOUND))
    {
      message = describe_failure (self, error, &v);
      goto out;
    }
  server_version = scaler_json_member_string (scaler_json_node_object (info), "version");

  v = SCALER_CLEARML_VERDICT_OK;
  api = MAX (self->api_version, scaler_clearml_parse_version (
               scaler_json_member_string (scaler_json_node_object (info), "api_version")));
  if (server_version != NULL && api != 0)
    message = g_strdup_printf (_("Connected to ClearML server %s (API %u.%u)"),
                               server_version, api / 1000, api % 1000);
  else if (api != 0)
    message = g_strdup_printf (_("Connected to the ClearML server (API %u.%u)"),
                               api / 1000, api % 1000);
  else
    message = g_strdup (_("Connected to the ClearML server"));

out:
  g_mutex_unlock (&self->mutex);
  if (verdict != NULL)
    *verdict = v;
  return message;
}

typedef struct
{
  char *api_server;
  char *access_key;
  char *secret_key;
} TestData;

typedef struct
{
  char                 *message;
  ScalerClearmlVerdict  verdict;
} TestResult;

static void
test_data_free (TestData *data)
{
  g_free (data->api_server);
  scaler_secret_free (data->access_key);
  scaler_secret_free (data->secret_key);
  g_free (data);
}

static void
test_result_free (TestResult *result)
{
  g_free (result->message);
  g_free (result);
}

static void
test_connection_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  TestData *data = task_data;
  TestResult *result = g_new0 (TestResult, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerClearmlClient) client = NULL;

  client = scaler_clearml_client_new (data->api_server, data->access_key, data->secret_key,
                                      &error);
  if (client == NULL)
    {
      result->verdict = SCALER_CLEARML_VERDICT_UNREACHABLE;
      result->message = g_strdup (error->message);
    }
  else
    result->message = scaler_clearml_client_test_connection (client, &result->verdict,
                                                             cancellable);
  g_task_return_pointer (task, result, (GDestroyNotify) test_result_free);
}

void
scaler_clearml_test_connection_async (const char          *api_server,
                                      const char          *access_key,
                                      const char          *secret_key,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TestData *data;

  g_return_if_fail (api_server != NULL);

  data = g_new0 (TestData, 1);
  data->api_server = g_strdup (api_server);
  data->access_key = g_strdup (nonnull (access_key));
  data->secret_key = g_strdup (nonnull (secret_key));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_clearml_test_connection_async);
  g_task_set_task_data (task, data, (GDestroyNotify) test_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, test_connection_thread);
}

char *
scaler_clearml_test_connection_finish (GAsyncResult         *result,
                                       ScalerClearmlVerdict *verdict)
{
  TestResult *r;
  char *message;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  r = g_task_propagate_pointer (G_TASK (result), NULL);
  if (r == NULL)
    {
      if (verdict != NULL)
        *verdict = SCALER_CLEARML_VERDICT_UNREACHABLE;
      return g_strdup (_("Cancelled"));
    }
  if (verdict != NULL)
    *verdict = r->verdict;
  message = g_steal_pointer (&r->message);
  test_result_free (r);
  return message;
}
