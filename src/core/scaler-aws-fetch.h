/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-fetch.h: the ends of the AWS credential chain that talk to
 * something: a credential_process, STS (AssumeRole, AssumeRoleWithWebIdentity),
 * the SSO portal (GetRoleCredentials), the container credentials endpoint and
 * the EC2 instance metadata service (IMDSv2). scaler-aws-chain.c decides
 * which one to use and with what; these only fetch (scaler-aws-fetch.c) and
 * parse (scaler-aws-answers.c, no network), following the
 * wire formats of botocore and the AWS SDKs (sources cited at each function).
 *
 * Every function blocks (run it on a worker thread) and honours
 * @cancellable (G_IO_ERROR_CANCELLED). Failures to reach a service are
 * SCALER_AWS_ERROR_NETWORK (or _SERVER / _THROTTLED); answers that refuse
 * are SCALER_AWS_ERROR_AUTH with the service's code and message; malformed
 * answers are SCALER_ERROR_PARSE. Messages never contain a secret (no key,
 * token or body is echoed).
 */

#pragma once

#include <gio/gio.h>

#include "scaler-aws-credentials.h"

G_BEGIN_DECLS

#define SCALER_STS_API_VERSION "2011-06-15"
/* The largest answer of STS, the SSO portal, the container endpoint or
 * IMDS that is read (and parsed) at all. */
#define SCALER_AWS_MAX_ANSWER_BYTES (256 * 1024)

typedef enum
{
  SCALER_AWS_JSON_PROCESS,    /* credential_process: Version 1, AccessKeyId, SecretAccessKey, SessionToken?, Expiration? */
  SCALER_AWS_JSON_METADATA,   /* container / IMDS: AccessKeyId, SecretAccessKey, Token, Expiration */
  SCALER_AWS_JSON_SSO,        /* SSO portal: roleCredentials {accessKeyId, secretAccessKey, sessionToken, expiration ms} */
} ScalerAwsJsonKind;

/* Credentials from a JSON answer of @kind (expiration set when given). */
ScalerAwsCredentials *scaler_aws_credentials_parse_json (ScalerAwsJsonKind   kind,
                                                         const char         *data,
                                                         gsize               length,
                                                         GError            **error);

/* An ISO 8601 time as botocore's dateutil accepts it from credential
 * sources ("2026-01-01T00:00:00Z", "+00:00", "...UTC"); 0 if unparsable. */
gint64                scaler_aws_parse_time             (const char         *text);

/* credential_process: @command split like a shell (no shell runs it). */
ScalerAwsCredentials *scaler_aws_process_run            (const char         *command,
                                                         GCancellable       *cancellable,
                                                         GError            **error);

typedef struct
{
  const char *endpoint;            /* e.g. "https://sts.us-east-1.amazonaws.com" */
  const char *region;              /* signing region */
  const char *role_arn;
  const char *role_session_name;
  const char *external_id;         /* nullable */
  int         duration_seconds;    /* 0: not sent (STS default, 1 h) */
  const char *web_identity_token;  /* set: AssumeRoleWithWebIdentity, unsigned */
} ScalerAwsStsRequest;

/* AssumeRole signed with @source (SigV4, service "sts"), or
 * AssumeRoleWithWebIdentity when request->web_identity_token is set. */
ScalerAwsCredentials *scaler_aws_sts_assume_role        (const ScalerAwsStsRequest  *request,
                                                         const ScalerAwsCredentials *source,
                                                         GCancellable               *cancellable,
                                                         GError                    **error);
/* The STS Query XML answer: credentials, or NULL with *error_code and
 * *error_message set for an <ErrorResponse> (both NULL and @error set when
 * it is not an STS answer). */
ScalerAwsCredentials *scaler_aws_sts_parse_response     (const char         *data,
                                                         gsize               length,
                                                         char              **error_code,
                                                         char              **error_message,
                                                         GError            **error);

/* GET <endpoint>/federation/credentials?account_id=&role_name= with the
 * x-amz-sso_bearer_token header. */
ScalerAwsCredentials *scaler_aws_sso_get_role_credentials (const char       *endpoint,
                                                           const char       *account_id,
                                                           const char       *role_name,
                                                           const char       *access_token,
                                                           GCancellable     *cancellable,
                                                           GError          **error);

/* GET @url (Authorization: @authorization when not NULL), three attempts one
 * second apart, as botocore's ContainerMetadataFetcher. */
ScalerAwsCredentials *scaler_aws_container_fetch        (const char         *url,
                                                         const char         *authorization,
                                                         GCancellable       *cancellable,
                                                         GError            **error);

typedef struct
{
  const char *endpoint;       /* e.g. "http://169.254.169.254/" */
  guint       timeout_ms;     /* per request */
  guint       attempts;       /* per request */
  gboolean    v1_disabled;    /* no fallback to IMDSv1 without a token */
} ScalerAwsImdsOptions;

/* IMDSv2: PUT latest/api/token, GET latest/meta-data/iam/security-credentials/
 * (the role), then .../<role>. *role_name (nullable) gets the role. */
ScalerAwsCredentials *scaler_aws_imds_fetch             (const ScalerAwsImdsOptions *options,
                                                         char                      **role_name,
                                                         GCancellable               *cancellable,
                                                         GError                    **error);

G_END_DECLS
