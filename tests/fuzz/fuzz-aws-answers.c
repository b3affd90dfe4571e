/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the answers of the AWS credential sources (scaler-aws-fetch.h)
 * on arbitrary bytes: the STS Query XML (AssumeRole, errors) and the JSON of
 * credential_process, IMDS / container endpoints and the SSO portal. Whatever
 * parses must be usable credentials: a key and a secret, and an expiry where
 * the format requires one.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "scaler-aws-fetch.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check (ScalerAwsCredentials *creds,
       GError               *error,
       gboolean              needs_expiry)
{
  if (creds == NULL)
    {
      g_assert (error != NULL && error->message != NULL);
      return;
    }
  g_assert (error == NULL);
  g_assert (creds->access_key_id != NULL && *creds->access_key_id != '\0');
  g_assert (creds->secret_access_key != NULL && *creds->secret_access_key != '\0');
  g_assert (!needs_expiry || creds->expiration != 0);
  scaler_aws_credentials_free (creds);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const ScalerAwsJsonKind kinds[] = { SCALER_AWS_JSON_PROCESS, SCALER_AWS_JSON_METADATA, SCALER_AWS_JSON_SSO };
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  GError *error = NULL;
  ScalerAwsCredentials *creds;

  if (size > 1024 * 1024)
    return 0;

  creds = scaler_aws_sts_parse_response ((const char *) data, size, &code, &message, &error);
  if (creds == NULL && error == NULL)
    g_assert (code != NULL && message != NULL);
  else
    check (creds, error, TRUE);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      creds = scaler_aws_credentials_parse_json (kinds[i], (const char *) data, size, &error);
      check (creds, error, kinds[i] != SCALER_AWS_JSON_PROCESS);
      g_clear_error (&error);
    }
  return 0;
}
