/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-chain-remote.c: the sources of the AWS credential chain that
 * ask a service: web identity (STS), the SSO portal, the container
 * credentials endpoint and the instance metadata service, and the endpoints
 * they use. The chain itself and the local sources are in scaler-aws-chain.c.
 */

#define G_LOG_DOMAIN "scaler-aws-chain"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "scaler-aws-chain.h"
#include "scaler-aws-chain-private.h"
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

char *
_scaler_aws_chain_session_name (const char *configured)
{
  if (configured != NULL && *configured != '\0')
    return g_strdup (configured);
  return g_strdup_printf ("ec2-autoscaler-%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
}

char *
_scaler_aws_chain_sts_endpoint (Chain   *chain,
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

ScalerAwsCredentials *
_scaler_aws_chain_web_identity_keys (Chain       *chain,
                                     const char  *profile_name,
                                     gboolean     no_environment,
                                     GError     **error)
{
  GHashTable *profile = scaler_aws_files_get_profile (chain->files, profile_name);
  const char *token_file = web_identity_setting (chain, profile, no_environment, "AWS_WEB_IDENTITY_TOKEN_FILE",
                                                 "web_identity_token_file");
  const char *role_arn = web_identity_setting (chain, profile, no_environment, "AWS_ROLE_ARN", "role_arn");
  g_autofree char *name = _scaler_aws_chain_session_name (web_identity_setting (chain, profile, no_environment,
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
  endpoint = _scaler_aws_chain_sts_endpoint (chain, error);
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
      _scaler_aws_chain_explain (error, _("check that the token in the file is current and that the role trusts its identity provider"),
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
  if ((object = scaler_json_parse_object (parser, contents, length)) != NULL)
    {
      token = scaler_json_member_string (object, "accessToken");
      expires = scaler_json_member_string (object, "expiresAt");
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

ScalerAwsCredentials *
_scaler_aws_chain_sso_keys (Chain       *chain,
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
          _scaler_aws_chain_explain (error, _("check that your SSO user may use this account and role (“aws sso list-account-roles”)"),
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

ScalerAwsCredentials *
_scaler_aws_chain_container_keys (Chain   *chain,
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
      _scaler_aws_chain_looked (chain, _("container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set)"));
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
      _scaler_aws_chain_explain (error, _("check AWS_CONTAINER_CREDENTIALS_* and the authorization token of this container"),
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
ScalerAwsCredentials *
_scaler_aws_chain_instance_role_keys (Chain     *chain,
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
        _scaler_aws_chain_looked (chain, _("the EC2 instance role (AWS_EC2_METADATA_DISABLED=true)"));
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
          _scaler_aws_chain_explain (error, _("check that an IAM role is attached to this instance and that the instance metadata "
                                              "service is enabled"), _("EC2 instance role: "));
        }
      else
        _scaler_aws_chain_looked (chain, _("the EC2 instance role (%s)"), local_error->message);
      return NULL;
    }
  set_source (credentials, g_strdup_printf (_("the EC2 instance role \"%s\" (instance metadata at %s)"),
                                            role, endpoint));
  return credentials;
}
