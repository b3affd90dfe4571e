/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-chain.c: the standard AWS credential chain (see
 * scaler-aws-chain.h). Each source returns credentials, or NULL without an
 * error when it does not apply (the chain goes on), or NULL with an error
 * that stops the chain, as a botocore provider's load() returns None or
 * raises (boto/botocore botocore/credentials.py).
 */

#define G_LOG_DOMAIN "scaler-aws-chain"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "scaler-aws-chain.h"
#include "scaler-aws-error.h"
#include "scaler-aws-fetch.h"
#include "scaler-aws-files.h"
#include "scaler-ec2.h"
#include "scaler-error.h"
#include "scaler-aws-chain-private.h"
#include "scaler-json.h"



static ScalerAwsCredentials *profile_sources (Chain       *chain,
                                              const char  *profile,
                                              gboolean     no_environment,
                                              GError     **error);
static ScalerAwsCredentials *assume_role_of  (Chain       *chain,
                                              const char  *profile,
                                              GError     **error);

/* --- small helpers --- */

/* "<credentials file> and <config file>", for messages. */
static char *
files_text (Chain *chain)
{
  const char *config = scaler_aws_files_get_config_path (chain->files);
  const char *credentials = scaler_aws_files_get_credentials_path (chain->files);

  return g_strdup_printf (_("%s and %s"), credentials != NULL ? credentials : _("(no credentials file)"),
                          config != NULL ? config : _("(no config file)"));
}

/* --- 1. the environment --- */

static ScalerAwsCredentials *
environment_keys (GError **error)
{
  const char *key = env ("AWS_ACCESS_KEY_ID");
  const char *secret = env ("AWS_SECRET_ACCESS_KEY");
  const char *token = env ("AWS_SECURITY_TOKEN") != NULL ? env ("AWS_SECURITY_TOKEN") : env ("AWS_SESSION_TOKEN");
  const char *expiration = env ("AWS_CREDENTIAL_EXPIRATION");
  ScalerAwsCredentials *credentials;

  /* botocore EnvProvider: only AWS_ACCESS_KEY_ID decides. */
  if (key == NULL)
    return NULL;
  if (secret == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   _("AWS credentials are incomplete: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; "
                     "set both (and AWS_SESSION_TOKEN for temporary keys), or unset AWS_ACCESS_KEY_ID"));
      return NULL;
    }
  credentials = scaler_aws_credentials_new (key, secret, token);
  set_source (credentials, g_strdup (_("the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")));
  if (expiration != NULL)
    {
      credentials->expiration = scaler_aws_parse_time (expiration);
      if (credentials->expiration == 0)
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                       _("AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time (expected e.g. 2026-01-01T00:00:00Z)"));
          g_clear_pointer (&credentials, scaler_aws_credentials_free);
        }
    }
  return credentials;
}

/* --- 5 and 7. static keys of one file --- */

static ScalerAwsCredentials *
file_keys (Chain       *chain,
           const char  *profile,
           gboolean     credentials_file,
           GError     **error)
{
  GHashTable *table = credentials_file
                      ? scaler_aws_files_get_credentials_profile (chain->files, profile)
                      : scaler_aws_files_get_config_profile (chain->files, profile);
  const char *path = credentials_file ? scaler_aws_files_get_credentials_path (chain->files)
                                      : scaler_aws_files_get_config_path (chain->files);
  const char *key = lookup (table, "aws_access_key_id");
  const char *secret = lookup (table, "aws_secret_access_key");
  const char *token = lookup (table, "aws_security_token") != NULL ? lookup (table, "aws_security_token")
                                                                   : lookup (table, "aws_session_token");
  ScalerAwsCredentials *credentials;

  /* botocore SharedCredentialProvider / ConfigProvider: only
   * aws_access_key_id decides, key and secret from this one section. */
  if (key == NULL)
    return NULL;
  if (secret == NULL || *key == '\0' || *secret == '\0')
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   _("AWS profile \"%s\" in %s has aws_access_key_id but no aws_secret_access_key: "
                     "add it, or run “aws configure --profile %s”"), profile, path, profile);
      return NULL;
    }
  credentials = scaler_aws_credentials_new (key, secret, token);
  set_source (credentials, g_strdup_printf (_("AWS profile \"%s\" in %s"), profile, path));
  return credentials;
}

/* --- 6. credential_process --- */

static ScalerAwsCredentials *
process_keys (Chain       *chain,
              const char  *profile,
              GError     **error)
{
  const char *command = lookup (scaler_aws_files_get_profile (chain->files, profile), "credential_process");
  ScalerAwsCredentials *credentials;

  if (command == NULL)
    return NULL;
  credentials = scaler_aws_process_run (command, chain->cancellable, error);
  if (credentials == NULL)
    {
      g_autofree char *where = files_text (chain);

      _scaler_aws_chain_explain (error, _("run the credential_process command by hand to see why"),
                                 _("AWS profile \"%s\" (%s): "), profile, where);
      return NULL;
    }
  set_source (credentials, g_strdup_printf (_("credential_process of AWS profile \"%s\""), profile));
  return credentials;
}

/* --- 2. assume role --- */

static gboolean
has_static_keys (GHashTable *profile)
{
  return lookup (profile, "aws_access_key_id") != NULL || lookup (profile, "aws_secret_access_key") != NULL;
}

static gboolean
has_assume_role (GHashTable *profile)
{
  return lookup (profile, "role_arn") != NULL && lookup (profile, "web_identity_token_file") == NULL;
}

/* credential_source (botocore CanonicalNameCredentialSourcer: the names are
 * case-insensitive). */
static ScalerAwsCredentials *
named_source_keys (Chain       *chain,
                   const char  *profile_name,
                   const char  *source,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  ScalerAwsCredentials *credentials;

  if (g_ascii_strcasecmp (source, "Environment") == 0)
    credentials = environment_keys (&local_error);
  else if (g_ascii_strcasecmp (source, "Ec2InstanceMetadata") == 0)
    credentials = _scaler_aws_chain_instance_role_keys (chain, TRUE, &local_error);
  else if (g_ascii_strcasecmp (source, "EcsContainer") == 0)
    credentials = _scaler_aws_chain_container_keys (chain, &local_error);
  else
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                   _("AWS profile \"%s\" has credential_source = %s; expected Environment, Ec2InstanceMetadata "
                     "or EcsContainer"), profile_name, source);
      return NULL;
    }
  if (credentials == NULL && local_error == NULL)
    g_set_error (&local_error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                 g_ascii_strcasecmp (source, "Environment") == 0
                 ? _("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
                 : _("no credentials were found there"));
  if (credentials == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      _scaler_aws_chain_explain (error, NULL, _("credential_source %s of AWS profile \"%s\": "), source, profile_name);
    }
  return credentials;
}

/* botocore AssumeRoleProvider._validate_source_profile and
 * _resolve_credentials_from_profile. */
static ScalerAwsCredentials *
source_profile_keys (Chain       *chain,
                     const char  *parent,
                     const char  *source,
                     GError     **error)
{
  GHashTable *profile = scaler_aws_files_get_profile (chain->files, source);
  gboolean visited = FALSE;
  ScalerAwsCredentials *credentials;

  if (profile == NULL)
    {
      g_autofree char *where = files_text (chain);

      g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                   _("AWS profile \"%s\" has source_profile = %s, but there is no profile \"%s\" in %s"),
                   parent, source, source, where);
      return NULL;
    }
  for (guint i = 0; i < chain->visited->len; i++)
    visited = visited || strcmp (g_ptr_array_index (chain->visited, i), source) == 0;
  if (visited && (strcmp (source, parent) != 0 || !has_static_keys (profile)))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                   _("The source_profile settings of AWS profile \"%s\" loop (through profile \"%s\"): "
                     "one profile in the chain must have its own keys"), parent, source);
      return NULL;
    }
  g_ptr_array_add (chain->visited, g_strdup (source));

  if (has_static_keys (profile) || !has_assume_role (profile))
    {
      credentials = profile_sources (chain, source, TRUE, error);
      if (credentials == NULL && (error == NULL || *error == NULL))
        g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                     _("AWS profile \"%s\" has source_profile = %s, but profile \"%s\" has no credentials: "
                       "give it keys (“aws configure --profile %s”), credential_process or SSO settings"),
                     parent, source, source, source);
      return credentials;
    }
  return assume_role_of (chain, source, error);
}

static gboolean
role_settings_ok (Chain       *chain,
                  const char  *profile_name,
                  GHashTable  *profile,
                  GError     **error)
{
  const char *source_profile = lookup (profile, "source_profile");
  const char *credential_source = lookup (profile, "credential_source");

  if (source_profile != NULL && credential_source != NULL)
    g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                 _("AWS profile \"%s\" has both source_profile and credential_source; keep one"), profile_name);
  else if (source_profile == NULL && credential_source == NULL)
    g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                 _("AWS profile \"%s\" has role_arn but neither source_profile nor credential_source: "
                   "add one, so the role can be assumed with some credentials"), profile_name);
  else if (lookup (profile, "mfa_serial") != NULL)
    g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                 _("AWS profile \"%s\" needs an MFA code (mfa_serial) to assume %s, and an unattended autoscaler "
                   "cannot type one: use a role without MFA, or a profile with credential_process or SSO"),
                 profile_name, lookup (profile, "role_arn"));
  else
    return TRUE;
  return FALSE;
}

static ScalerAwsCredentials *
assume_role_of (Chain       *chain,
                const char  *profile_name,
                GError     **error)
{
  GHashTable *profile = scaler_aws_files_get_profile (chain->files, profile_name);
  const char *role_arn = lookup (profile, "role_arn");
  const char *duration = lookup (profile, "duration_seconds");
  g_autoptr(ScalerAwsCredentials) source = NULL;
  g_autofree char *name = _scaler_aws_chain_session_name (lookup (profile, "role_session_name"));
  g_autofree char *endpoint = NULL;
  ScalerAwsStsRequest request = { 0 };
  ScalerAwsCredentials *credentials;
  gint64 seconds = 0;

  if (!role_settings_ok (chain, profile_name, profile, error))
    return NULL;
  source = lookup (profile, "credential_source") != NULL
           ? named_source_keys (chain, profile_name, lookup (profile, "credential_source"), error)
           : source_profile_keys (chain, profile_name, lookup (profile, "source_profile"), error);
  if (source == NULL)
    return NULL;
  endpoint = _scaler_aws_chain_sts_endpoint (chain, error);
  if (endpoint == NULL)
    return NULL;

  /* botocore ignores a duration_seconds that is not an integer. */
  if (duration != NULL && g_ascii_string_to_signed (duration, 10, 1, G_MAXINT, &seconds, NULL))
    request.duration_seconds = (int) seconds;
  request.endpoint = endpoint;
  request.region = chain->region;
  request.role_arn = role_arn;
  request.role_session_name = name;
  request.external_id = lookup (profile, "external_id");
  credentials = scaler_aws_sts_assume_role (&request, source, chain->cancellable, error);
  if (credentials == NULL)
    {
      g_autofree char *advice = g_strdup_printf (_("check the role's trust policy and external_id; "
                                                   "“aws sts get-caller-identity --profile %s” shows the same"),
                                                 profile_name);

      _scaler_aws_chain_explain (error, advice, _("AssumeRole of %s for AWS profile \"%s\" (with %s): "), role_arn, profile_name,
                                 source->source != NULL ? source->source : "?");
      return NULL;
    }
  set_source (credentials, g_strdup_printf (_("role %s of AWS profile \"%s\""), role_arn, profile_name));
  return credentials;
}

/* --- the chain --- */

/* botocore ProfileProviderBuilder.providers: web identity, SSO, the
 * credentials file, credential_process, the config file. */
static ScalerAwsCredentials *
profile_sources (Chain       *chain,
                 const char  *profile,
                 gboolean     no_environment,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  ScalerAwsCredentials *credentials;

  if ((credentials = _scaler_aws_chain_web_identity_keys (chain, profile, no_environment, &local_error)) != NULL ||
      local_error != NULL ||
      (credentials = _scaler_aws_chain_sso_keys (chain, profile, &local_error)) != NULL || local_error != NULL ||
      (credentials = file_keys (chain, profile, TRUE, &local_error)) != NULL || local_error != NULL ||
      (credentials = process_keys (chain, profile, &local_error)) != NULL || local_error != NULL ||
      (credentials = file_keys (chain, profile, FALSE, &local_error)) != NULL || local_error != NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return credentials;
    }
  {
    g_autofree char *where = files_text (chain);

    _scaler_aws_chain_looked (chain, _("AWS profile \"%s\" in %s (no keys, role_arn, credential_process, SSO or web identity "
                                       "settings)"), profile, where);
  }
  return NULL;
}

static void
nothing_found (Chain   *chain,
               GError **error)
{
  g_autoptr(GString) text = g_string_new (_("No AWS credentials found; looked at: "));

  for (guint i = 0; i < chain->looked->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? "; " : "", (const char *) g_ptr_array_index (chain->looked, i));
  g_string_append (text, _(". Run “aws configure” (keys), “aws configure sso” and “aws sso login” (SSO), or set "
                           "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or choose another AWS profile"));
  g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING, text->str);
}

char *
scaler_aws_chain_get_profile_name (const char *profile,
                                   gboolean   *pinned)
{
  const char *variable;

  if (pinned != NULL)
    *pinned = profile != NULL && *profile != '\0';
  if (profile != NULL && *profile != '\0')
    return g_strdup (profile);
  /* botocore configprovider.py: 'profile' is AWS_DEFAULT_PROFILE, then
   * AWS_PROFILE; the first one set wins, and "" means "default". */
  variable = g_getenv ("AWS_DEFAULT_PROFILE") != NULL ? g_getenv ("AWS_DEFAULT_PROFILE") : g_getenv ("AWS_PROFILE");
  return g_strdup (variable != NULL && *variable != '\0' ? variable : "default");
}

static gboolean
chain_init (Chain         *chain,
            const char    *profile,
            const char    *region,
            GCancellable  *cancellable,
            GError       **error)
{
  memset (chain, 0, sizeof *chain);
  chain->profile = scaler_aws_chain_get_profile_name (profile, &chain->pinned);
  /* STS needs a region to sign for; botocore's global default is us-east-1. */
  chain->region = region != NULL && *region != '\0' ? region : "us-east-1";
  chain->cancellable = cancellable;
  chain->visited = g_ptr_array_new_with_free_func (g_free);
  chain->looked = g_ptr_array_new_with_free_func (g_free);
  chain->files = scaler_aws_files_load (error);
  if (chain->files == NULL)
    return FALSE;
  /* botocore Session.get_scoped_config: ProfileNotFound. */
  if (strcmp (chain->profile, "default") != 0 && scaler_aws_files_get_profile (chain->files, chain->profile) == NULL)
    {
      g_autofree char *where = files_text (chain);

      g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                   _("The AWS profile \"%s\" (%s) is in neither %s: pick another one, or run "
                     "“aws configure --profile %s”"),
                   chain->profile, chain->pinned ? _("chosen in the autoscaler's settings")
                                                 : g_getenv ("AWS_DEFAULT_PROFILE") != NULL ? "AWS_DEFAULT_PROFILE"
                                                                                            : "AWS_PROFILE",
                   where, chain->profile);
      return FALSE;
    }
  return TRUE;
}

static void
chain_clear (Chain *chain)
{
  g_clear_pointer (&chain->files, scaler_aws_files_unref);
  g_clear_pointer (&chain->visited, g_ptr_array_unref);
  g_clear_pointer (&chain->looked, g_ptr_array_unref);
  g_clear_pointer (&chain->profile, g_free);
}

static ScalerAwsCredentials *
chain_run (Chain   *chain,
           GError **error)
{
  g_autoptr(GError) local_error = NULL;
  ScalerAwsCredentials *credentials = NULL;

  g_ptr_array_add (chain->visited, g_strdup (chain->profile));
  if (!chain->pinned)
    {
      credentials = environment_keys (&local_error);
      if (credentials == NULL && local_error == NULL)
        _scaler_aws_chain_looked (chain, _("the environment (AWS_ACCESS_KEY_ID is not set)"));
    }
  if (credentials == NULL && local_error == NULL &&
      has_assume_role (scaler_aws_files_get_profile (chain->files, chain->profile)))
    credentials = assume_role_of (chain, chain->profile, &local_error);
  if (credentials == NULL && local_error == NULL)
    credentials = profile_sources (chain, chain->profile, chain->pinned, &local_error);
  if (credentials == NULL && local_error == NULL)
    credentials = _scaler_aws_chain_container_keys (chain, &local_error);
  if (credentials == NULL && local_error == NULL)
    credentials = _scaler_aws_chain_instance_role_keys (chain, FALSE, &local_error);
  if (credentials == NULL && local_error == NULL)
    nothing_found (chain, &local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return credentials;
}

ScalerAwsCredentials *
scaler_aws_chain_resolve (const char    *profile,
                          const char    *region,
                          GCancellable  *cancellable,
                          GError       **error)
{
  Chain chain;
  ScalerAwsCredentials *credentials = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (chain_init (&chain, profile, region, cancellable, error))
    credentials = chain_run (&chain, error);
  chain_clear (&chain);
  return credentials;
}

gboolean
scaler_aws_chain_check (const char  *profile,
                        GError     **error)
{
  Chain chain;
  gboolean ok;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = chain_init (&chain, profile, "us-east-1", NULL, error);
  chain_clear (&chain);
  return ok;
}

GStrv
scaler_aws_list_profiles (GError **error)
{
  g_autoptr(ScalerAwsFiles) files = scaler_aws_files_load (error);

  return files != NULL ? scaler_aws_files_list_profiles (files) : NULL;
}

/* --- the provider --- */

typedef struct
{
  char *profile;
  char *region;
} ChainClosure;

static void
chain_closure_free (gpointer data)
{
  ChainClosure *closure = data;

  g_free (closure->profile);
  g_free (closure->region);
  g_free (closure);
}

static ScalerAwsCredentials *
chain_resolve_cb (gpointer       user_data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  ChainClosure *closure = user_data;

  return scaler_aws_chain_resolve (closure->profile, closure->region, cancellable, error);
}

ScalerAwsProvider *
scaler_aws_chain_new (const char *profile,
                      const char *region)
{
  ChainClosure *closure;
  g_autofree char *description = NULL;

  closure = g_new0 (ChainClosure, 1);
  closure->profile = profile != NULL && *profile != '\0' ? g_strdup (profile) : NULL;
  closure->region = g_strdup (region);
  description = closure->profile != NULL
                ? g_strdup_printf (_("the AWS credential chain (profile \"%s\")"), closure->profile)
                : g_strdup (_("the AWS credential chain"));
  return scaler_aws_provider_new (description, chain_resolve_cb, closure, chain_closure_free);
}
