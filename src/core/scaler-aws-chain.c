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
#include "scaler-json.h"

#define IMDS_IPV4_ENDPOINT       "http://169.254.169.254/"
#define IMDS_IPV6_ENDPOINT       "http://[fd00:ec2::254]/"
/* botocore/utils.py ContainerMetadataFetcher. */
#define CONTAINER_HOST           "169.254.170.2"

typedef struct
{
  ScalerAwsFiles *files;
  char           *profile;      /* effective profile */
  gboolean        pinned;       /* like "aws --profile": no environment keys */
  const char     *region;
  GCancellable   *cancellable;
  GPtrArray      *visited;      /* profiles on the assume-role path */
  GPtrArray      *looked;       /* what was tried, for "no credentials" */
} Chain;

static ScalerAwsCredentials *profile_sources (Chain       *chain,
                                              const char  *profile,
                                              gboolean     no_environment,
                                              GError     **error);
static ScalerAwsCredentials *assume_role_of  (Chain       *chain,
                                              const char  *profile,
                                              GError     **error);

/* --- small helpers --- */

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : NULL;
}

static const char *
lookup (GHashTable *table,
        const char *key)
{
  return table != NULL ? g_hash_table_lookup (table, key) : NULL;
}

/* botocore.utils.ensure_boolean for strings. */
static gboolean
is_true (const char *value)
{
  return value != NULL && g_ascii_strcasecmp (value, "true") == 0;
}

static void
looked (Chain      *chain,
        const char *format,
        ...) G_GNUC_PRINTF (2, 3);

static void
looked (Chain      *chain,
        const char *format,
        ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (chain->looked, g_strdup_vprintf (format, args));
  va_end (args);
}

/* "<prefix><message>; <advice>", keeping the error's domain and code (a
 * cancellation stays as it is). */
static void
explain (GError     **error,
         const char  *advice,
         const char  *format,
         ...) G_GNUC_PRINTF (3, 4);

static void
explain (GError     **error,
         const char  *advice,
         const char  *format,
         ...)
{
  g_autofree char *prefix = NULL;
  va_list args;
  char *message;

  if (error == NULL || *error == NULL || g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  va_start (args, format);
  prefix = g_strdup_vprintf (format, args);
  va_end (args);
  message = advice != NULL ? g_strdup_printf ("%s%s; %s", prefix, (*error)->message, advice)
                           : g_strdup_printf ("%s%s", prefix, (*error)->message);
  g_free ((*error)->message);
  (*error)->message = message;
}

static void
set_source (ScalerAwsCredentials *credentials,
            char                 *source)
{
  g_free (credentials->source);
  credentials->source = source;
}

/* "<credentials file> and <config file>", for messages. */
static char *
files_text (Chain *chain)
{
  const char *config = scaler_aws_files_get_config_path (chain->files);
  const char *credentials = scaler_aws_files_get_credentials_path (chain->files);

  return g_strdup_printf (_("%s and %s"), credentials != NULL ? credentials : _("(no credentials file)"),
                          config != NULL ? config : _("(no config file)"));
}

/* --- endpoints --- */

/* The configured endpoint of @service (botocore configprovider.py
 * ConfiguredEndpointProvider: service variable, AWS_ENDPOINT_URL, the
 * profile's services section, the profile's endpoint_url). */
static char *
configured_endpoint (Chain       *chain,
                     const char  *service,
                     GError     **error)
{
  GHashTable *profile = scaler_aws_files_get_profile (chain->files, chain->profile);
  g_autofree char *upper = g_ascii_strup (service, -1);
  g_autofree char *variable = g_strconcat ("AWS_ENDPOINT_URL_", upper, NULL);
  const char *services_name = lookup (profile, "services");

  if (is_true (g_getenv ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
      is_true (lookup (profile, "ignore_configured_endpoint_urls")))
    return NULL;
  if (env (variable) != NULL)
    return g_strdup (env (variable));
  if (env ("AWS_ENDPOINT_URL") != NULL)
    return g_strdup (env ("AWS_ENDPOINT_URL"));
  if (services_name != NULL)
    {
      GHashTable *services = scaler_aws_files_get_services (chain->files, services_name);
      g_autoptr(GHashTable) nested = NULL;

      if (services == NULL)
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                       _("AWS profile \"%s\" names the services section \"%s\", which is not in %s"),
                       chain->profile, services_name, scaler_aws_files_get_config_path (chain->files));
          return NULL;
        }
      nested = scaler_aws_ini_parse_nested (lookup (services, service));
      if (lookup (nested, "endpoint_url") != NULL)
        return g_strdup (lookup (nested, "endpoint_url"));
    }
  return g_strdup (lookup (profile, "endpoint_url"));
}

/* https://<prefix>.<region>.<dns suffix>/, with the EC2 client's suffix. */
static char *
regional_endpoint (const char *prefix,
                   const char *region)
{
  g_autofree char *ec2 = scaler_ec2_endpoint_for_region (region);
  const char *rest = strstr (ec2, "://ec2.");

  if (rest == NULL)
    return g_strdup_printf ("https://%s.%s.amazonaws.com/", prefix, region);
  return g_strdup_printf ("https://%s.%s", prefix, rest + strlen ("://ec2."));
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

      explain (error, _("run the credential_process command by hand to see why"),
               _("AWS profile \"%s\" (%s): "), profile, where);
      return NULL;
    }
  set_source (credentials, g_strdup_printf (_("credential_process of AWS profile \"%s\""), profile));
  return credentials;
}

/* --- 3. web identity --- */

static const char *
web_identity_setting (Chain       *chain,
                      GHashTable  *profile,
                      gboolean     no_environment,
                      const char  *variable,
                      const char  *key)
{
  /* botocore AssumeRoleWithWebIdentityProvider._get_config: a variable
   * that is set wins over the profile. */
  if (!no_environment && g_getenv (variable) != NULL)
    return g_getenv (variable);
  return lookup (profile, key);
}

static char *
session_name (const char *configured)
{
  if (configured != NULL && *configured != '\0')
    return g_strdup (configured);
  return g_strdup_printf ("ec2-autoscaler-%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
}

static char *
sts_endpoint (Chain   *chain,
              GError **error)
{
  g_autoptr(GError) local_error = NULL;
  char *endpoint = configured_endpoint (chain, "sts", &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return endpoint != NULL ? endpoint : regional_endpoint ("sts", chain->region);
}

static ScalerAwsCredentials *
web_identity_keys (Chain       *chain,
                   const char  *profile_name,
                   gboolean     no_environment,
                   GError     **error)
{
  GHashTable *profile = scaler_aws_files_get_profile (chain->files, profile_name);
  const char *token_file = web_identity_setting (chain, profile, no_environment, "AWS_WEB_IDENTITY_TOKEN_FILE",
                                                 "web_identity_token_file");
  const char *role_arn = web_identity_setting (chain, profile, no_environment, "AWS_ROLE_ARN", "role_arn");
  g_autofree char *name = session_name (web_identity_setting (chain, profile, no_environment,
                                                              "AWS_ROLE_SESSION_NAME", "role_session_name"));
  g_autofree char *token = NULL;
  g_autofree char *endpoint = NULL;
  g_autoptr(GError) local_error = NULL;
  ScalerAwsStsRequest request = { 0 };
  ScalerAwsCredentials *credentials;
  gsize length = 0;

  if (token_file == NULL || *token_file == '\0')
    return NULL;
  if (role_arn == NULL || *role_arn == '\0')
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                   _("A web identity token file is set (%s) but no role: set AWS_ROLE_ARN, "
                     "or role_arn in AWS profile \"%s\""), token_file, profile_name);
      return NULL;
    }
  if (!g_file_get_contents (token_file, &token, &length, &local_error))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   _("Cannot read the web identity token file for role %s: %s"), role_arn, local_error->message);
      return NULL;
    }
  endpoint = sts_endpoint (chain, error);
  if (endpoint == NULL)
    return NULL;

  request.endpoint = endpoint;
  request.region = chain->region;
  request.role_arn = role_arn;
  request.role_session_name = name;
  request.web_identity_token = token;
  credentials = scaler_aws_sts_assume_role (&request, NULL, chain->cancellable, error);
  explicit_bzero (token, length);
  if (credentials == NULL)
    {
      explain (error, _("check that the token in the file is current and that the role trusts its identity provider"),
               _("Web identity (token file %s, role %s): "), token_file, role_arn);
      return NULL;
    }
  set_source (credentials, g_strdup_printf (_("role %s through the web identity token in %s"), role_arn, token_file));
  return credentials;
}

/* --- 4. SSO --- */

static const char * const sso_required[] = { "sso_role_name", "sso_account_id", "sso_start_url", "sso_region" };

/* botocore SSOProvider._load_sso_config: the profile's SSO settings with
 * its sso-session merged in; NULL when the profile is not an SSO one. */
static GHashTable *
sso_settings (Chain       *chain,
              const char  *profile_name,
              GError     **error)
{
  GHashTable *profile = scaler_aws_files_get_profile (chain->files, profile_name);
  const char *session_name;
  g_autoptr(GHashTable) settings = NULL;
  g_autoptr(GString) missing = g_string_new (NULL);

  if (lookup (profile, "sso_role_name") == NULL && lookup (profile, "sso_account_id") == NULL)
    return NULL;

  settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (sso_required); i++)
    if (lookup (profile, sso_required[i]) != NULL)
      g_hash_table_insert (settings, g_strdup (sso_required[i]), g_strdup (lookup (profile, sso_required[i])));
  session_name = lookup (profile, "sso_session");
  if (session_name != NULL)
    {
      GHashTable *session = scaler_aws_files_get_sso_session (chain->files, session_name);
      GHashTableIter iter;
      gpointer key, value;

      if (session == NULL)
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                       _("AWS profile \"%s\" uses sso_session \"%s\", but %s has no [sso-session %s] section"),
                       profile_name, session_name, scaler_aws_files_get_config_path (chain->files), session_name);
          return NULL;
        }
      g_hash_table_iter_init (&iter, session);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          const char *mine = lookup (profile, key);

          if (mine != NULL && strcmp (mine, value) != 0)
            {
              g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                           _("AWS profile \"%s\" and its sso-session \"%s\" disagree on %s (%s vs %s)"),
                           profile_name, session_name, (const char *) key, mine, (const char *) value);
              return NULL;
            }
          g_hash_table_replace (settings, g_strdup (key), g_strdup (value));
        }
      g_hash_table_replace (settings, g_strdup ("sso_session"), g_strdup (session_name));
    }
  for (guint i = 0; i < G_N_ELEMENTS (sso_required); i++)
    if (!g_hash_table_contains (settings, sso_required[i]))
      g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "", sso_required[i]);
  if (missing->len > 0)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                   _("AWS profile \"%s\" is set up for SSO but lacks %s: run “aws configure sso --profile %s”"),
                   profile_name, missing->str, profile_name);
      return NULL;
    }
  return g_steal_pointer (&settings);
}

static void
sso_login_error (GError     **error,
                 const char  *profile_name,
                 const char  *why)
{
  g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
               _("AWS SSO login of profile \"%s\": %s; run “aws sso login --profile %s”"),
               profile_name, why, profile_name);
}

/* The access token that "aws sso login" cached (botocore SSOTokenLoader). */
static char *
sso_cached_token (const char  *profile_name,
                  GHashTable  *settings,
                  GError     **error)
{
  const char *session = g_hash_table_lookup (settings, "sso_session");
  const char *id = session != NULL ? session : g_hash_table_lookup (settings, "sso_start_url");
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, id, -1);
  g_autofree char *name = g_strconcat (hash, ".json", NULL);
  g_autofree char *dir = scaler_aws_expand_path ("~/.aws/sso/cache");
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonObject *object;
  const char *token;
  const char *expires;
  gsize length = 0;
  char *result = NULL;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    {
      g_autofree char *why = g_strdup_printf (_("there is no cached SSO token (%s)"), path);

      sso_login_error (error, profile_name, why);
      return NULL;
    }
  if (scaler_json_check_depth (contents, length, SCALER_JSON_MAX_DEPTH, NULL) &&
      json_parser_load_from_data (parser, contents, (gssize) length, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      object = json_node_get_object (root);
      token = json_object_get_string_member_with_default (object, "accessToken", NULL);
      expires = json_object_get_string_member_with_default (object, "expiresAt", NULL);
      if (token == NULL || expires == NULL || scaler_aws_parse_time (expires) == 0)
        sso_login_error (error, profile_name, _("the cached SSO token is incomplete"));
      else if (scaler_aws_parse_time (expires) <= g_get_real_time ())
        {
          g_autofree char *why = g_strdup_printf (_("the SSO session expired at %s"), expires);

          sso_login_error (error, profile_name, why);
        }
      else
        result = g_strdup (token);
    }
  else
    sso_login_error (error, profile_name, _("the cached SSO token is not JSON"));
  explicit_bzero (contents, length);
  return result;
}

static ScalerAwsCredentials *
sso_keys (Chain       *chain,
          const char  *profile_name,
          GError     **error)
{
  g_autoptr(GHashTable) settings = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *endpoint = NULL;
  ScalerAwsCredentials *credentials;
  const char *account;
  const char *role;

  settings = sso_settings (chain, profile_name, error);
  if (settings == NULL)
    return NULL;
  token = sso_cached_token (profile_name, settings, error);
  if (token == NULL)
    return NULL;
  endpoint = configured_endpoint (chain, "sso", error);
  if (endpoint == NULL && error != NULL && *error != NULL)
    return NULL;
  if (endpoint == NULL)
    endpoint = regional_endpoint ("portal.sso", g_hash_table_lookup (settings, "sso_region"));

  account = g_hash_table_lookup (settings, "sso_account_id");
  role = g_hash_table_lookup (settings, "sso_role_name");
  credentials = scaler_aws_sso_get_role_credentials (endpoint, account, role, token, chain->cancellable, &local_error);
  explicit_bzero (token, strlen (token));
  if (credentials == NULL)
    {
      if (g_strcmp0 (scaler_aws_error_get_aws_code (local_error), "UnauthorizedException") == 0)
        sso_login_error (error, profile_name, _("the SSO portal says the session has expired or is invalid"));
      else
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          explain (error, _("check that your SSO user may use this account and role (“aws sso list-account-roles”)"),
                   _("AWS SSO (profile \"%s\", account %s, role %s): "), profile_name, account, role);
        }
      return NULL;
    }
  set_source (credentials, g_strdup_printf (_("AWS SSO (profile \"%s\", account %s, role %s)"),
                                            profile_name, account, role));
  return credentials;
}

/* --- 8. container credentials --- */

static gboolean
container_host_allowed (const char *url)
{
  static const char * const hosts[] = { CONTAINER_HOST, "169.254.170.23", "[fd00:ec2::23]", "localhost", NULL };
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *name = NULL;
  GInetAddress *address;
  gboolean loopback;

  if (!scaler_http_split_url (url, &scheme, &host, NULL, NULL))
    return FALSE;
  if (strcmp (scheme, "https") == 0)
    return TRUE;
  /* Host without the port. */
  if (host[0] == '[')
    name = g_strndup (host, strcspn (host, "]") + 1);
  else
    name = g_strndup (host, strcspn (host, ":"));
  if (g_strv_contains (hosts, name))
    return TRUE;
  if (name[0] == '[')
    {
      char *inner = g_strndup (name + 1, strlen (name) - 2);

      g_free (name);
      name = inner;
    }
  address = g_inet_address_new_from_string (name);
  loopback = address != NULL && g_inet_address_get_is_loopback (address);
  g_clear_object (&address);
  return loopback;
}

static char *
container_authorization (GError **error)
{
  const char *file = g_getenv ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  g_autoptr(GError) local_error = NULL;
  char *token = NULL;

  if (file != NULL)
    {
      if (!g_file_get_contents (file, &token, NULL, &local_error))
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                       _("Cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %s"), local_error->message);
          return NULL;
        }
    }
  else if (g_getenv ("AWS_CONTAINER_AUTHORIZATION_TOKEN") != NULL)
    token = g_strdup (g_getenv ("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
  else
    return NULL;

  /* botocore ContainerProvider._validate_auth_token. */
  if (strpbrk (token, "\r\n") != NULL)
    {
      explicit_bzero (token, strlen (token));
      g_free (token);
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   _("The container authorization token (%s) contains a line break, which is not allowed "
                     "in an HTTP header: remove it"),
                   file != NULL ? file : "AWS_CONTAINER_AUTHORIZATION_TOKEN");
      return NULL;
    }
  return token;
}

static ScalerAwsCredentials *
container_keys (Chain   *chain,
                GError **error)
{
  const char *relative = g_getenv ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const char *full = g_getenv ("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  g_autofree char *url = NULL;
  g_autofree char *authorization = NULL;
  g_autoptr(GError) local_error = NULL;
  ScalerAwsCredentials *credentials;

  if (relative == NULL && full == NULL)
    {
      looked (chain, _("container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set)"));
      return NULL;
    }
  url = relative != NULL ? g_strconcat ("http://" CONTAINER_HOST, relative, NULL) : g_strdup (full);
  if (relative == NULL && !container_host_allowed (url))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                   _("AWS_CONTAINER_CREDENTIALS_FULL_URI %s is neither https nor a loopback address nor a "
                     "container host (169.254.170.2, 169.254.170.23, fd00:ec2::23, localhost)"), url);
      return NULL;
    }
  authorization = container_authorization (&local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  credentials = scaler_aws_container_fetch (url, authorization, chain->cancellable, error);
  if (authorization != NULL)
    explicit_bzero (authorization, strlen (authorization));
  if (credentials == NULL)
    {
      explain (error, _("check AWS_CONTAINER_CREDENTIALS_* and the authorization token of this container"),
               _("Container credentials (%s): "), url);
      return NULL;
    }
  set_source (credentials, g_strdup_printf (_("container credentials (%s)"), url));
  return credentials;
}

/* --- 9. the EC2 instance role --- */

static const char *
imds_setting (Chain      *chain,
              const char *variable,
              const char *key)
{
  if (g_getenv (variable) != NULL)
    return g_getenv (variable);
  return lookup (scaler_aws_files_get_profile (chain->files, chain->profile), key);
}

static guint
imds_number (Chain      *chain,
             const char *variable,
             const char *key,
             guint       fallback)
{
  const char *text = imds_setting (chain, variable, key);
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, 3600, &value, NULL))
    return fallback;
  return (guint) value;
}

static gboolean
imds_endpoint (Chain       *chain,
               char       **endpoint,
               GError     **error)
{
  const char *custom = imds_setting (chain, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint");
  const char *mode = imds_setting (chain, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                                   "ec2_metadata_service_endpoint_mode");

  /* botocore utils.resolve_imds_endpoint_mode and IMDSFetcher._select_base_url. */
  if (custom != NULL && *custom != '\0')
    {
      *endpoint = g_strdup (custom);
      return TRUE;
    }
  if (mode != NULL && g_ascii_strcasecmp (mode, "ipv4") != 0 && g_ascii_strcasecmp (mode, "ipv6") != 0)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                   _("The EC2 metadata endpoint mode \"%s\" is neither IPv4 nor IPv6 "
                     "(AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE / ec2_metadata_service_endpoint_mode)"), mode);
      return FALSE;
    }
  if ((mode != NULL && g_ascii_strcasecmp (mode, "ipv6") == 0) ||
      (mode == NULL && is_true (imds_setting (chain, "AWS_IMDS_USE_IPV6", "imds_use_ipv6"))))
    *endpoint = g_strdup (IMDS_IPV6_ENDPOINT);
  else
    *endpoint = g_strdup (IMDS_IPV4_ENDPOINT);
  return TRUE;
}

/* @required: the instance role was asked for (credential_source): a
 * failure is an error; otherwise it only ends the chain empty-handed. */
static ScalerAwsCredentials *
instance_role_keys (Chain     *chain,
                    gboolean   required,
                    GError   **error)
{
  g_autofree char *endpoint = NULL;
  g_autofree char *role = NULL;
  g_autoptr(GError) local_error = NULL;
  ScalerAwsImdsOptions options = { 0 };
  ScalerAwsCredentials *credentials;

  /* botocore IMDSFetcher: only "true" disables it. */
  if (is_true (g_getenv ("AWS_EC2_METADATA_DISABLED")))
    {
      if (required)
        g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                     _("The EC2 instance role is needed, but AWS_EC2_METADATA_DISABLED=true turns the "
                       "instance metadata service off"));
      else
        looked (chain, _("the EC2 instance role (AWS_EC2_METADATA_DISABLED=true)"));
      return NULL;
    }
  if (!imds_endpoint (chain, &endpoint, error))
    return NULL;
  options.endpoint = endpoint;
  options.timeout_ms = imds_number (chain, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout", 1) * 1000;
  options.attempts = imds_number (chain, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts", 1);
  options.v1_disabled = is_true (imds_setting (chain, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled"));

  credentials = scaler_aws_imds_fetch (&options, &role, chain->cancellable, &local_error);
  if (credentials == NULL)
    {
      if (required || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          explain (error, _("check that an IAM role is attached to this instance and that the instance metadata "
                            "service is enabled"), _("EC2 instance role: "));
        }
      else
        looked (chain, _("the EC2 instance role (%s)"), local_error->message);
      return NULL;
    }
  set_source (credentials, g_strdup_printf (_("the EC2 instance role \"%s\" (instance metadata at %s)"),
                                            role, endpoint));
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
    credentials = instance_role_keys (chain, TRUE, &local_error);
  else if (g_ascii_strcasecmp (source, "EcsContainer") == 0)
    credentials = container_keys (chain, &local_error);
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
      explain (error, NULL, _("credential_source %s of AWS profile \"%s\": "), source, profile_name);
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
  g_autofree char *name = session_name (lookup (profile, "role_session_name"));
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
  endpoint = sts_endpoint (chain, error);
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

      explain (error, advice, _("AssumeRole of %s for AWS profile \"%s\" (with %s): "), role_arn, profile_name,
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

  if ((credentials = web_identity_keys (chain, profile, no_environment, &local_error)) != NULL ||
      local_error != NULL ||
      (credentials = sso_keys (chain, profile, &local_error)) != NULL || local_error != NULL ||
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

    looked (chain, _("AWS profile \"%s\" in %s (no keys, role_arn, credential_process, SSO or web identity "
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
        looked (chain, _("the environment (AWS_ACCESS_KEY_ID is not set)"));
    }
  if (credentials == NULL && local_error == NULL &&
      has_assume_role (scaler_aws_files_get_profile (chain->files, chain->profile)))
    credentials = assume_role_of (chain, chain->profile, &local_error);
  if (credentials == NULL && local_error == NULL)
    credentials = profile_sources (chain, chain->profile, chain->pinned, &local_error);
  if (credentials == NULL && local_error == NULL)
    credentials = container_keys (chain, &local_error);
  if (credentials == NULL && local_error == NULL)
    credentials = instance_role_keys (chain, FALSE, &local_error);
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
