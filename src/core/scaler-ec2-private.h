/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-ec2-private.h: the EC2 client's struct and internals, shared by
 * scaler-ec2.c, scaler-ec2-operations.c and scaler-ec2-test-connection.c
 * (as gnome-text-editor's editor-window-private.h). Not a contract. */

#pragma once

#include "scaler-ec2.h"

G_BEGIN_DECLS

/* Pages of one paginated call, at the most (a server that never stops). */
#define SCALER_EC2_MAX_PAGES 10000

struct _ScalerEc2Client
{
  char                 *region;
  char                 *endpoint;   /* full URL */
  char                 *host;       /* Host header value */
  char                 *path;       /* request path, usually "/" */
  ScalerAwsProvider    *provider;   /* where the signer gets its keys */
  ScalerSigner         *signer;
  ScalerHttp           *http;
  ScalerAwsRetry       *retry;

  GMutex                mutex;      /* protects the fields below */
  char                 *key_id;     /* access key id of the last request, for verdicts */
  guint                 attempt_ms;
  guint                 call_ms;
  ScalerEc2Stats        stats;
};

/* What an auth-class error means and what to do, in words (NULL when the
 * error message says it well enough). @resource: the launch's resource, or
 * NULL; @fallback: the permission the call needs. */
char *_scaler_ec2_explain_auth_error (ScalerEc2Client      *self,
                                      const GError         *error,
                                      const ScalerResource *resource,
                                      const char           *fallback);

G_END_DECLS
