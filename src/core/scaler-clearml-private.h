/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-clearml-private.h: what the ClearML client (scaler-clearml.c) and
 * its parsers (scaler-clearml-parse.c) share. Not a contract. */

#pragma once

#include "scaler-clearml.h"
#include "scaler-http.h"

G_BEGIN_DECLS

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

/* One call, logging in first (or again, once, when the token expired) when
 * @needs_auth; with self->mutex held. */
JsonNode *_scaler_clearml_call_locked   (ScalerClearmlClient  *self,
                                         const char           *endpoint,
                                         const char           *body,
                                         gboolean              needs_auth,
                                         GCancellable         *cancellable,
                                         GError              **error);
/* auth.login, keeping the token (or noting that the server has no
 * auth.login: Basic auth then); with self->mutex held. */
gboolean  _scaler_clearml_login_locked  (ScalerClearmlClient  *self,
                                         GCancellable         *cancellable,
                                         GError              **error);

/* SCALER_CLEARML_ERROR_BAD_RESPONSE: "ClearML <endpoint>: the answer lacks
 * <what>". Returns FALSE. */
gboolean  _scaler_clearml_missing_field (GError              **error,
                                         const char           *endpoint,
                                         const char           *what);

G_END_DECLS
