/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-chain.h: the standard AWS credential chain, for the
 * "environment" credentials source, in the AWS CLI's order (boto/botocore
 * botocore/credentials.py create_credential_resolver):
 *
 *   1. the environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, with
 *      AWS_SECURITY_TOKEN or AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION
 *      (skipped when a profile is pinned, as "aws --profile NAME" skips it);
 *   2. role_arn in the profile (not with web_identity_token_file): STS
 *      AssumeRole with source_profile's credentials or those of
 *      credential_source (Environment, Ec2InstanceMetadata, EcsContainer),
 *      with external_id, role_session_name and duration_seconds; mfa_serial
 *      is refused (nobody can type a code for an unattended autoscaler);
 *   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
 *      (+ AWS_ROLE_SESSION_NAME), or the profile's web_identity_token_file +
 *      role_arn: STS AssumeRoleWithWebIdentity;
 *   4. SSO: sso_account_id + sso_role_name with sso_session (and its
 *      [sso-session] section) or the legacy sso_start_url + sso_region: the
 *      token cached by "aws sso login" in ~/.aws/sso/cache/<sha1>.json, then
 *      the portal's GetRoleCredentials;
 *   5. aws_access_key_id + aws_secret_access_key (+ aws_security_token or
 *      aws_session_token) of the profile in the credentials file;
 *   6. credential_process of the profile (JSON "Version": 1);
 *   7. aws_access_key_id + aws_secret_access_key of the profile in the
 *      config file;
 *   8. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
 *      _FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE);
 *   9. the EC2 instance role through IMDSv2, unless
 *      AWS_EC2_METADATA_DISABLED=true.
 * The profile: the pinned one (the config's aws.profile), else
 * AWS_DEFAULT_PROFILE, else AWS_PROFILE, else "default"; a named profile
 * that exists in neither file is an error. Files and their syntax:
 * scaler-aws-files.h.
 *
 * Endpoints, as botocore and the JS SDK v3 resolve them: STS and the SSO
 * portal take AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_SSO, then
 * AWS_ENDPOINT_URL, then the profile's [services] section and endpoint_url
 * (none of them with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), else
 * https://sts.<region>.amazonaws.com and
 * https://portal.sso.<sso_region>.amazonaws.com. STS is signed for the
 * client's region (the region botocore's nested STS client gets). IMDS:
 * AWS_EC2_METADATA_SERVICE_ENDPOINT or the profile's
 * ec2_metadata_service_endpoint, else AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE
 * (IPv4 169.254.169.254 / IPv6 fd00:ec2::254); AWS_METADATA_SERVICE_TIMEOUT
 * and _NUM_ATTEMPTS; AWS_EC2_METADATA_V1_DISABLED. Containers: the full URI
 * must be https, a loopback address or a known container host.
 * (AWS_ENDPOINT_URL and endpoint_url do not move the EC2 endpoint: that is
 * the config's aws.endpoint.)
 *
 * Every error names the source that failed and says what to run. Nothing is
 * written to disk (no ~/.aws/cli/cache), and no secret is logged.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-aws-provider.h"

G_BEGIN_DECLS

/* A provider that resolves the chain when first asked (never while being
 * created: no file, process or network here) and again before the
 * credentials expire. @profile: pinned profile, or NULL. @region: the
 * client's region (STS; NULL or "": us-east-1). */
ScalerAwsProvider    *scaler_aws_chain_new              (const char    *profile,
                                                         const char    *region);
/* One resolution of the chain, without cache. */
ScalerAwsCredentials *scaler_aws_chain_resolve          (const char    *profile,
                                                         const char    *region,
                                                         GCancellable  *cancellable,
                                                         GError       **error);
/* Offline checks (no process, no network): both files parse and the
 * profile exists. For a daemon's start. */
gboolean              scaler_aws_chain_check            (const char    *profile,
                                                         GError       **error);
/* The profile the chain would use; *pinned (nullable) says whether the
 * environment's keys are skipped. */
char                 *scaler_aws_chain_get_profile_name (const char    *profile,
                                                         gboolean      *pinned);
/* Every profile of the shared files (sorted), for a profile picker. */
GStrv                 scaler_aws_list_profiles          (GError       **error);

G_END_DECLS
