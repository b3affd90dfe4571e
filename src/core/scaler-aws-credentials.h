/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-credentials.h: one set of AWS credentials (access key id,
 * secret, optional session token and expiry) and where it came from.
 * Where credentials are fetched and refreshed: scaler-aws-provider.h (the
 * keyring's static keys) and scaler-aws-chain.h (the "environment" source:
 * the standard AWS chain). Nothing here logs or prints a secret.
 */

#pragma once

#include <glib.h>

#include "scaler-types.h"

G_BEGIN_DECLS

struct _ScalerAwsCredentials
{
  char *access_key_id;
  char *secret_access_key;
  char *session_token;   /* nullable */
  char *source;          /* where they came from, e.g. "environment variables" (no secrets) */
  char *region;          /* nullable: region of the profile (informational) */
  gint64 expiration;     /* usec since the epoch when temporary credentials expire; 0 = never */
};

ScalerAwsCredentials *scaler_aws_credentials_new      (const char                 *access_key_id,
                                                       const char                 *secret_access_key,
                                                       const char                 *session_token);
ScalerAwsCredentials *scaler_aws_credentials_copy     (const ScalerAwsCredentials *self);
/* Overwrites the secret bytes before freeing them. */
void                  scaler_aws_credentials_free     (ScalerAwsCredentials       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerAwsCredentials, scaler_aws_credentials_free)

G_END_DECLS
