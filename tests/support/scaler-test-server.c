/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-test-server"

#include "config.h"

#include <string.h>

#include "scaler-test-server.h"

struct _ScalerTestServer
{
  GSocket      *listener;
  GCancellable *cancellable;
  GThread      *accept_thread;
  char         *url;
  guint16       port;

  GMutex        mutex;
  GPtrArray    *threads;      /* connection threads */
  GPtrArray    *sockets;      /* open connections */
  GPtrArray    *requests;     /* ScalerTestRequest* */
  guint         n_connections;
  ScalerTestServerMode mode;
  guint         status;
  char         *headers;
  GBytes       *body;
};

typedef struct
{
  ScalerTestServer *server;
  GSocket          *socket;
} Connection;

void
scaler_test_request_free (ScalerTestRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->headers, g_hash_table_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

static gboolean
send_all (GSocket      *socket,
          const char   *data,
          gsize         len,
          GCancellable *cancellable)
{
  while (len > 0)
    {
      gssize n = g_socket_send (socket, data, len, cancellable, NULL);

      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }

  return TRUE;
}

/* Reads one request; NULL when the peer closed or on error. */
static ScalerTestRequest *
read_request (GSocket      *socket,
              GByteArray   *buffer,
              GCancellable *cancellable)
{
  ScalerTestRequest *request;
  g_auto(GStrv) lines = NULL;
  g_autofree char *head = NULL;
  char *end = NULL;
  gsize head_len;
  gsize content_length = 0;
  const char *cl;

  for (;;)
    {
      char chunk[16384];
      gssize n;

      if (buffer->len >= 4)
        {
          end = g_strstr_len ((const char *) buffer->data, buffer->len, "\r\n\r\n");
          if (end != NULL)
            break;
        }
      n = g_socket_receive (socket, chunk, sizeof chunk, cancellable, NULL);
      if (n <= 0)
        return NULL;
      g_byte_array_append (buffer, (const guint8 *) chunk, (guint) n);
    }

  head_len = (gsize) (end - (const char *) buffer->data);
  head = g_strndup ((const char *) buffer->data, head_len);
  lines = g_strsplit (head, "\r\n", -1);

  request = g_new0 (ScalerTestRequest, 1);
  request->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  {
    g_auto(GStrv) parts = g_strsplit (lines[0], " ", 3);

    request->method = g_strdup (parts[0] != NULL ? parts[0] : "");
    request->path = g_strdup (parts[0] != NULL && parts[1] != NULL ? parts[1] : "");
  }
  for (guint i = 1; lines[i] != NULL; i++)
    {
      char *colon = strchr (lines[i], ':');
      g_autofree char *name = NULL;
      const char *old;

      if (colon == NULL)
        continue;
      name = g_ascii_strdown (lines[i], colon - lines[i]);
      old = g_hash_table_lookup (request->headers, name);
      if (old != NULL)
        g_hash_table_replace (request->headers, g_steal_pointer (&name),
                              g_strdup_printf ("%s, %s", old, g_strstrip (colon + 1)));
      else
        g_hash_table_replace (request->headers, g_steal_pointer (&name), g_strdup (g_strstrip (colon + 1)));
    }

  cl = g_hash_table_lookup (request->headers, "content-length");
  if (cl != NULL)
    content_length = (gsize) g_ascii_strtoull (cl, NULL, 10);

  g_byte_array_remove_range (buffer, 0, (guint) head_len + 4);
  while (buffer->len < content_length)
    {
      char chunk[16384];
      gssize n = g_socket_receive (socket, chunk, sizeof chunk, cancellable, NULL);

      if (n <= 0)
        {
          scaler_test_request_free (request);
          return NULL;
        }
      g_byte_array_append (buffer, (const guint8 *) chunk, (guint) n);
    }
  request->body = g_bytes_new (buffer->data, content_length);
  g_byte_array_remove_range (buffer, 0, (guint) content_length);

  return request;
}

static gpointer
connection_thread (gpointer data)
{
  Connection *conn = data;
  ScalerTestServer *self = conn->server;
  g_autoptr(GByteArray) buffer = g_byte_array_new ();

  for (;;)
    {
      ScalerTestRequest *request = read_request (conn->socket, buffer, self->cancellable);
      ScalerTestServerMode mode;
      guint status;
      g_autofree char *headers = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autofree char *head = NULL;
      gsize body_len;

      if (request == NULL)
        break;

      g_mutex_lock (&self->mutex);
      g_ptr_array_add (self->requests, request);
      mode = self->mode;
      status = self->status;
      headers = g_strdup (self->headers);
      body = g_bytes_ref (self->body);
      g_mutex_unlock (&self->mutex);

      if (mode == SCALER_TEST_SERVER_HANG)
        {
          char c;

          /* Wait until the client gives up or the server stops. */
          while (g_socket_receive (conn->socket, &c, 1, self->cancellable, NULL) > 0)
            ;
          break;
        }
      if (mode == SCALER_TEST_SERVER_CLOSE)
        break;

      body_len = g_bytes_get_size (body);
      {
        static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
        static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
        /* RFC 1123 in English whatever the locale. */
        g_autofree char *date = g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d GMT",
                                                 days[g_date_time_get_day_of_week (now) - 1],
                                                 g_date_time_get_day_of_month (now),
                                                 months[g_date_time_get_month (now) - 1],
                                                 g_date_time_get_year (now),
                                                 g_date_time_get_hour (now),
                                                 g_date_time_get_minute (now),
                                                 g_date_time_get_second (now));

        head = g_strdup_printf ("HTTP/1.1 %u Test\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n"
                                "Date: %s\r\n%s\r\n",
                                status, body_len, date, headers != NULL ? headers : "");
      }
      if (!send_all (conn->socket, head, strlen (head), self->cancellable))
        break;
      if (mode == SCALER_TEST_SERVER_TRUNCATE)
        {
          send_all (conn->socket, g_bytes_get_data (body, NULL), body_len / 2, self->cancellable);
          break;
        }
      if (!send_all (conn->socket, g_bytes_get_data (body, NULL), body_len, self->cancellable))
        break;
    }

  g_socket_close (conn->socket, NULL);
  g_free (conn);

  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  ScalerTestServer *self = data;

  for (;;)
    {
      GSocket *socket = g_socket_accept (self->listener, self->cancellable, NULL);
      Connection *conn;

      if (socket == NULL)
        break;
      conn = g_new0 (Connection, 1);
      conn->server = self;
      conn->socket = socket;
      g_mutex_lock (&self->mutex);
      self->n_connections++;
      g_ptr_array_add (self->sockets, socket);
      g_ptr_array_add (self->threads, g_thread_new ("test-conn", connection_thread, conn));
      g_mutex_unlock (&self->mutex);
    }

  return NULL;
}

ScalerTestServer *
scaler_test_server_new (void)
{
  ScalerTestServer *self = g_new0 (ScalerTestServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&self->mutex);
  self->threads = g_ptr_array_new ();
  self->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_test_request_free);
  self->cancellable = g_cancellable_new ();
  self->status = 200;
  self->body = g_bytes_new_static ("", 0);

  self->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (self->listener, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (self->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (self->listener, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  self->url = g_strdup_printf ("http://127.0.0.1:%u", self->port);

  self->accept_thread = g_thread_new ("test-accept", accept_thread, self);

  return self;
}

void
scaler_test_server_free (ScalerTestServer *self)
{
  if (self == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_thread_join (self->accept_thread);
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->sockets->len; i++)
    g_socket_shutdown (g_ptr_array_index (self->sockets, i), TRUE, TRUE, NULL);
  g_mutex_unlock (&self->mutex);
  for (guint i = 0; i < self->threads->len; i++)
    g_thread_join (g_ptr_array_index (self->threads, i));

  g_socket_close (self->listener, NULL);
  g_object_unref (self->listener);
  g_object_unref (self->cancellable);
  g_ptr_array_unref (self->threads);
  g_ptr_array_unref (self->sockets);
  g_ptr_array_unref (self->requests);
  g_bytes_unref (self->body);
  g_free (self->headers);
  g_free (self->url);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

const char *
scaler_test_server_get_url (ScalerTestServer *self)
{
  return self->url;
}

guint16
scaler_test_server_get_port (ScalerTestServer *self)
{
  return self->port;
}

void
scaler_test_server_set_response (ScalerTestServer *self,
                                 guint             status,
                                 const char       *headers,
                                 const char       *body,
                                 gsize             body_len)
{
  g_mutex_lock (&self->mutex);
  self->status = status;
  g_free (self->headers);
  self->headers = g_strdup (headers);
  g_bytes_unref (self->body);
  self->body = g_bytes_new (body, body_len);
  g_mutex_unlock (&self->mutex);
}

void
scaler_test_server_set_mode (ScalerTestServer     *self,
                             ScalerTestServerMode  mode)
{
  g_mutex_lock (&self->mutex);
  self->mode = mode;
  g_mutex_unlock (&self->mutex);
}

guint
scaler_test_server_get_n_requests (ScalerTestServer *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->requests->len;
  g_mutex_unlock (&self->mutex);

  return n;
}

guint
scaler_test_server_get_n_connections (ScalerTestServer *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->n_connections;
  g_mutex_unlock (&self->mutex);

  return n;
}

ScalerTestRequest *
scaler_test_server_get_request (ScalerTestServer *self,
                                guint             n)
{
  ScalerTestRequest *copy = NULL;

  g_mutex_lock (&self->mutex);
  if (n < self->requests->len)
    {
      const ScalerTestRequest *r = g_ptr_array_index (self->requests, n);
      GHashTableIter iter;
      gpointer key, value;

      copy = g_new0 (ScalerTestRequest, 1);
      copy->method = g_strdup (r->method);
      copy->path = g_strdup (r->path);
      copy->body = g_bytes_ref (r->body);
      copy->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_iter_init (&iter, r->headers);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy->headers, g_strdup (key), g_strdup (value));
    }
  g_mutex_unlock (&self->mutex);

  return copy;
}
