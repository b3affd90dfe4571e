/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-test-server.h: a tiny HTTP/1.1 server on 127.0.0.1 for unit tests of
 * the HTTP layer (real sockets, real libcurl). It records every request and
 * answers with a canned response, or misbehaves on purpose (hang, close,
 * truncate). It runs in its own thread; connections are kept alive.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  SCALER_TEST_SERVER_ANSWER,     /* send the canned response */
  SCALER_TEST_SERVER_HANG,       /* read the request, never answer */
  SCALER_TEST_SERVER_CLOSE,      /* read the request, close without answer */
  SCALER_TEST_SERVER_TRUNCATE,   /* announce the full Content-Length, send half, close */
} ScalerTestServerMode;

typedef struct
{
  char       *method;
  char       *path;
  GHashTable *headers;   /* lower-cased name -> value (repeats joined with ", ") */
  GBytes     *body;
} ScalerTestRequest;

typedef struct _ScalerTestServer ScalerTestServer;

ScalerTestServer *scaler_test_server_new            (void);
void              scaler_test_server_free           (ScalerTestServer *self);
/* "http://127.0.0.1:PORT" */
const char       *scaler_test_server_get_url        (ScalerTestServer *self);
guint16           scaler_test_server_get_port       (ScalerTestServer *self);
/* The answer for the next requests: status, extra header lines
 * ("Name: value\r\n" each, may be NULL), body. */
void              scaler_test_server_set_response   (ScalerTestServer *self,
                                                     guint             status,
                                                     const char       *headers,
                                                     const char       *body,
                                                     gsize             body_len);
void              scaler_test_server_set_mode       (ScalerTestServer *self,
                                                     ScalerTestServerMode mode);
/* Number of requests / accepted connections so far. */
guint             scaler_test_server_get_n_requests (ScalerTestServer *self);
guint             scaler_test_server_get_n_connections (ScalerTestServer *self);
/* A copy of the n-th recorded request (0-based); free with scaler_test_request_free. */
ScalerTestRequest *scaler_test_server_get_request   (ScalerTestServer *self,
                                                     guint             n);
void              scaler_test_request_free          (ScalerTestRequest *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerTestServer, scaler_test_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerTestRequest, scaler_test_request_free)

G_END_DECLS
