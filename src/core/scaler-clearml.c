/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-clearml.c: the ClearML API client: login and tokens, the calls the
 * engine makes, paging. What it reads from the answers is parsed in
 * scaler-clearml-parse.c; its test connection is
 * scaler-clearml-test-connection.c. */

#define G_LOG_DOMAIN "scaler-clearml"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "scaler-clearml.h"
#include "scaler-clearml-private.h"
#include "scaler-json.h"
#include "scaler-http.h"
#include "scaler-queue-source.h"
#include "scaler-util.h"

#define PAGE_SIZE         500
#define MAX_PAGES         10000
#define VERSION_NUM_ENTRIES     SCALER_CLEARML_API_VERSION (2, 15)
#define VERSION_WORKER_PATTERN  SCALER_CLEARML_API_VERSION (2, 30)

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

  base = g_strstrip (g_strdup (scaler_str_or_empty (api_server)));
  if (g_ascii_strncasecmp (base, "http://", 7) == 0)
    rest = base + 7;
  else if (g_ascii_strncasecmp (base, "https://", 8) == 0)
    rest = base + 8;
  else
    {
      g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_REQUEST,
                   _("The ClearML API server “%s” is not an http:// or https:// URL"),
                   scaler_str_or_empty (api_server));
      return NULL;
    }
  for (const char *p = base; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || *p == '?' || *p == '#' || *p == 0x7f)
      {
        g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_REQUEST,
                     _("The ClearML API server URL “%s” contains a space, a control "
                       "character, '?' or '#'; expected e.g. https://api.clear.ml"),
                     scaler_str_or_empty (api_server));
        return NULL;
      }
  len = strlen (base);
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  if (rest[0] == '\0' || rest[0] == '/' || base + len <= rest)
    {
      g_set_error (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_REQUEST,
                   _("The ClearML API server URL “%s” has no host name"), scaler_str_or_empty (api_server));
      return NULL;
    }

  self = g_new0 (ScalerClearmlClient, 1);
  g_mutex_init (&self->mutex);
  self->http = scaler_http_new ();
  self->base_url = g_steal_pointer (&base);
  self->access_key = g_strdup (scaler_str_or_empty (access_key));
  self->secret_key = g_strdup (scaler_str_or_empty (secret_key));
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

gboolean
_scaler_clearml_login_locked (ScalerClearmlClient *self,
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
    return _scaler_clearml_missing_field (error, "auth.login", _("a “token”"));
  scaler_secret_free (self->token);
  self->token = g_strdup (token);
  return TRUE;
}

JsonNode *
_scaler_clearml_call_locked (ScalerClearmlClient *self,
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
      if (!_scaler_clearml_login_locked (self, cancellable, error))
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
  if (!_scaler_clearml_login_locked (self, cancellable, error))
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
  data = _scaler_clearml_call_locked (self, endpoint, text, !g_str_equal (endpoint, "debug.ping"),
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

      data = _scaler_clearml_call_locked (self, "queues.get_all", body, TRUE, cancellable, error);
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
      g_autoptr(JsonNode) data = _scaler_clearml_call_locked (self, "queues.get_num_entries", body, TRUE,
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
    g_autoptr(JsonNode) data = _scaler_clearml_call_locked (self, "queues.get_by_id", body, TRUE,
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
      JsonNode *ping = _scaler_clearml_call_locked (self, "debug.ping", "{}", FALSE, cancellable, NULL);

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

  data = _scaler_clearml_call_locked (self, "workers.get_all", body, TRUE, cancellable, error);
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
  data = _scaler_clearml_call_locked (self, "users.get_current_user", "{}", TRUE, cancellable, NULL);
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
  data = _scaler_clearml_call_locked (self, "workers.get_all", body, TRUE, cancellable, NULL);
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
  data = _scaler_clearml_call_locked (self, "workers.unregister", body, TRUE, cancellable, &local_error);
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

          data = _scaler_clearml_call_locked (self, "tasks.get_all", body, TRUE, cancellable, error);
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
