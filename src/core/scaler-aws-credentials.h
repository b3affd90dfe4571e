/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-credentials.h: AWS credentials for the "environment" source.
 *
 * Lookup order of scaler_aws_credentials_new_from_environment():
 *   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ optional AWS_SESSION_TOKEN);
 *      only one of the two set is an error naming the missing one.
 *   2. The shared files for the profile AWS_PROFILE (or "default"):
 *      credentials file AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
 *      (sections "[name]"), config file AWS_CONFIG_FILE or ~/.aws/config
 *      (sections "[profile name]", and "[default]"). Keys aws_access_key_id,
 *      aws_secret_access_key, aws_session_token; the credentials file wins over
 *      the config file, key by key. "region" from the config profile is
 *      informational (the saved config decides the region).
 * Nothing here logs or prints a secret.
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
};

ScalerAwsCredentials *scaler_aws_credentials_new      (const char                 *access_key_id,
                                                       const char                 *secret_access_key,
                                                       const char                 *session_token);
ScalerAwsCredentials *scaler_aws_credentials_copy     (const ScalerAwsCredentials *self);
/* Overwrites the secret bytes before freeing them. */
void                  scaler_aws_credentials_free     (ScalerAwsCredentials       *self);

/* Environment variables, then the profile (see above). SCALER_ERROR_CREDENTIALS_MISSING
 * names what is missing; SCALER_ERROR_PARSE for a broken file. */
ScalerAwsCredentials *scaler_aws_credentials_new_from_environment (GError        **error);

/* One profile from explicit files (either path nullable = not used). */
ScalerAwsCredentials *scaler_aws_credentials_new_from_profile (const char     *profile,
                                                               const char     *credentials_file,
                                                               const char     *config_file,
                                                               GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerAwsCredentials, scaler_aws_credentials_free)

G_END_DECLS
