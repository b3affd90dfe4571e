/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-aws-credentials"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-aws-credentials.h"
#include "scaler-config.h"
#include "scaler-error.h"

static void
secret_clear (char **secret)
{
  if (*secret != NULL)
    {
      explicit_bzero (*secret, strlen (*secret));
      g_clear_pointer (secret, g_free);
    }
}

ScalerAwsCredentials *
scaler_aws_credentials_new (const char *access_key_id,
                            const char *secret_access_key,
                            const char *session_token)
{
  ScalerAwsCredentials *self;

  g_return_val_if_fail (access_key_id != NULL, NULL);
  g_return_val_if_fail (secret_access_key != NULL, NULL);

  self = g_new0 (ScalerAwsCredentials, 1);
  self->access_key_id = g_strdup (access_key_id);
  self->secret_access_key = g_strdup (secret_access_key);
  self->session_token = (session_token != NULL && *session_token != '\0') ? g_strdup (session_token) : NULL;

  return self;
}

ScalerAwsCredentials *
scaler_aws_credentials_copy (const ScalerAwsCredentials *self)
{
  ScalerAwsCredentials *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = scaler_aws_credentials_new (self->access_key_id, self->secret_access_key, self->session_token);
  copy->source = g_strdup (self->source);
  copy->region = g_strdup (self->region);

  return copy;
}

void
scaler_aws_credentials_free (ScalerAwsCredentials *self)
{
  if (self == NULL)
    return;

  secret_clear (&self->access_key_id);
  secret_clear (&self->secret_access_key);
  secret_clear (&self->session_token);
  g_free (self->source);
  g_free (self->region);
  g_free (self);
}

/* --- shared files (~/.aws/credentials, ~/.aws/config) --- */

/* Reads the keys of one section of an AWS INI file into @values (only keys not
 * already there: the first file read wins). Returns whether the section
 * exists. Nested sub-sections (indented lines) are skipped. */
static gboolean
read_profile_section (const char  *path,
                      const char  *section,
                      GHashTable  *values,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_section = FALSE;
  gboolean found = FALSE;
  int key_indent = -1;   /* indentation of the last key of the section */

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return FALSE;
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO,
                   _("Could not read the AWS file %s: %s"), path, local_error->message);
      return FALSE;
    }

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      int indent = 0;
      gboolean continuation;
      char *eq;
      g_autofree char *key = NULL;

      while (line[indent] == ' ' || line[indent] == '\t')
        indent++;
      /* As in Python's configparser: a line indented deeper than the key
       * before it continues that key (nested "s3 =" settings), and is
       * skipped here. */
      continuation = key_indent >= 0 && indent > key_indent;
      g_strstrip (line);
      if (*line == '\0' || *line == '#' || *line == ';')
        continue;
      if (*line == '[' && !continuation)
        {
          char *end = strrchr (line, ']');
          g_autofree char *name = NULL;

          if (end == NULL)
            {
              g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                           _("%s, line %u: a section header must end with \"]\""), path, i + 1);
              return FALSE;
            }
          name = g_strndup (line + 1, (gsize) (end - line - 1));
          g_strstrip (name);
          in_section = strcmp (name, section) == 0;
          found = found || in_section;
          key_indent = -1;
          continue;
        }
      if (continuation)
        continue;
      key_indent = indent;
      if (!in_section)
        continue;
      eq = strchr (line, '=');
      if (eq == NULL)
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                       _("%s, line %u: expected \"key = value\""), path, i + 1);
          return FALSE;
        }
      *eq = '\0';
      key = g_ascii_strdown (g_strstrip (line), -1);
      if (!g_hash_table_contains (values, key))
        g_hash_table_insert (values, g_steal_pointer (&key), g_strdup (g_strstrip (eq + 1)));
    }

  return found;
}

static void
secret_value_free (gpointer data)
{
  char *value = data;

  secret_clear (&value);
}

ScalerAwsCredentials *
scaler_aws_credentials_new_from_profile (const char  *profile,
                                         const char  *credentials_file,
                                         const char  *config_file,
                                         GError     **error)
{
  g_autoptr(GHashTable) values = NULL;
  g_autofree char *config_section = NULL;
  gboolean found = FALSE;
  const char *ak;
  const char *sk;
  ScalerAwsCredentials *creds;
  GError *local_error = NULL;

  g_return_val_if_fail (profile != NULL && *profile != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, secret_value_free);

  if (credentials_file != NULL)
    {
      found |= read_profile_section (credentials_file, profile, values, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
    }
  if (config_file != NULL)
    {
      config_section = strcmp (profile, "default") == 0
                       ? g_strdup ("default")
                       : g_strdup_printf ("profile %s", profile);
      found |= read_profile_section (config_file, config_section, values, &local_error);
      if (local_error == NULL && strcmp (profile, "default") == 0)
        found |= read_profile_section (config_file, "profile default", values, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
    }

  if (!found)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   _("AWS profile \"%s\" not found: there is no [%s] section in %s and no [%s] section in %s"),
                   profile, profile, credentials_file != NULL ? credentials_file : _("(no credentials file)"),
                   config_section != NULL ? config_section : profile,
                   config_file != NULL ? config_file : _("(no config file)"));
      return NULL;
    }

  ak = g_hash_table_lookup (values, "aws_access_key_id");
  sk = g_hash_table_lookup (values, "aws_secret_access_key");
  if ((ak == NULL || *ak == '\0') && (sk == NULL || *sk == '\0'))
    {
      const char *kind = NULL;

      if (g_hash_table_contains (values, "role_arn"))
        kind = "role_arn";
      else if (g_hash_table_contains (values, "sso_start_url") || g_hash_table_contains (values, "sso_session"))
        kind = "sso";
      else if (g_hash_table_contains (values, "credential_process"))
        kind = "credential_process";
      if (kind != NULL)
        g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                     _("AWS profile \"%s\" uses %s, which is not supported: give it aws_access_key_id and aws_secret_access_key"),
                     profile, kind);
      else
        g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                     _("AWS profile \"%s\" has no aws_access_key_id and no aws_secret_access_key"), profile);
      return NULL;
    }
  if (ak == NULL || *ak == '\0' || sk == NULL || *sk == '\0')
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   _("AWS profile \"%s\" has no %s"), profile,
                   (ak == NULL || *ak == '\0') ? "aws_access_key_id" : "aws_secret_access_key");
      return NULL;
    }

  creds = scaler_aws_credentials_new (ak, sk, g_hash_table_lookup (values, "aws_session_token"));
  creds->source = g_strdup_printf ("AWS profile \"%s\"", profile);
  creds->region = g_strdup (g_hash_table_lookup (values, "region"));

  return creds;
}

static char *
aws_file_path (const char *variable,
               const char *name)
{
  const char *value = g_getenv (variable);
  const char *home;

  if (value != NULL && *value != '\0')
    {
      if (g_str_has_prefix (value, "~/"))
        {
          home = g_getenv ("HOME");
          return g_build_filename (home != NULL ? home : g_get_home_dir (), value + 2, NULL);
        }
      return g_strdup (value);
    }

  /* $HOME is read each time (g_get_home_dir() caches it). */
  home = g_getenv ("HOME");
  if (home == NULL || *home == '\0')
    home = g_get_home_dir ();

  return g_build_filename (home, ".aws", name, NULL);
}

static gboolean
env_is_set (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0';
}

ScalerAwsCredentials *
scaler_aws_credentials_new_from_environment (GError **error)
{
  const char *ak = g_getenv ("AWS_ACCESS_KEY_ID");
  const char *sk = g_getenv ("AWS_SECRET_ACCESS_KEY");
  const char *profile = g_getenv ("AWS_PROFILE");
  g_autofree char *credentials_file = NULL;
  g_autofree char *config_file = NULL;
  g_autoptr(GError) local_error = NULL;
  ScalerAwsCredentials *creds;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (env_is_set ("AWS_ACCESS_KEY_ID") && env_is_set ("AWS_SECRET_ACCESS_KEY"))
    {
      creds = scaler_aws_credentials_new (ak, sk, g_getenv ("AWS_SESSION_TOKEN"));
      creds->source = g_strdup ("environment variables");
      return creds;
    }
  if (env_is_set ("AWS_ACCESS_KEY_ID") != env_is_set ("AWS_SECRET_ACCESS_KEY"))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   _("AWS credentials are incomplete: %s is set but %s is not"),
                   env_is_set ("AWS_ACCESS_KEY_ID") ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                   env_is_set ("AWS_ACCESS_KEY_ID") ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
      return NULL;
    }

  credentials_file = aws_file_path ("AWS_SHARED_CREDENTIALS_FILE", "credentials");
  config_file = aws_file_path ("AWS_CONFIG_FILE", "config");

  creds = scaler_aws_credentials_new_from_profile (profile != NULL && *profile != '\0' ? profile : "default",
                                                   credentials_file, config_file, &local_error);
  if (creds != NULL)
    return creds;

  /* An explicit AWS_PROFILE that does not work, or a broken file: say so. */
  if ((profile != NULL && *profile != '\0') ||
      !g_error_matches (local_error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING) ||
      !g_str_has_prefix (local_error->message, "AWS profile \"default\" not found"))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
               _("No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                 "(and AWS_SESSION_TOKEN for temporary keys), or AWS_PROFILE with a profile in %s"),
               credentials_file);
  return NULL;
}

ScalerSecrets *
scaler_secrets_new_from_environment (GError **error)
{
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(ScalerAwsCredentials) aws = NULL;
  g_autoptr(GError) aws_error = NULL;
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  const char *clearml_key = g_getenv ("CLEARML_API_ACCESS_KEY");
  const char *clearml_secret = g_getenv ("CLEARML_API_SECRET_KEY");
  const char *git_password = g_getenv ("CLEARML_AUTOSCALER_GIT_PASSWORD");

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  aws = scaler_aws_credentials_new_from_environment (&aws_error);
  if (!env_is_set ("CLEARML_API_ACCESS_KEY"))
    g_ptr_array_add (missing, (gpointer) "CLEARML_API_ACCESS_KEY");
  if (!env_is_set ("CLEARML_API_SECRET_KEY"))
    g_ptr_array_add (missing, (gpointer) "CLEARML_API_SECRET_KEY");

  if (aws == NULL || missing->len > 0)
    {
      g_autoptr(GString) message = g_string_new (NULL);

      if (aws == NULL)
        g_string_append (message, aws_error->message);
      if (missing->len > 0)
        {
          g_autofree char *names = NULL;

          g_ptr_array_add (missing, NULL);
          names = g_strjoinv (" and ", (char **) missing->pdata);
          if (message->len > 0)
            g_string_append (message, "; ");
          g_string_append_printf (message, _("ClearML credentials are missing: set %s"), names);
        }
      if (aws_error != NULL && !g_error_matches (aws_error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING))
        g_set_error_literal (error, aws_error->domain, aws_error->code, message->str);
      else
        g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING, message->str);
      return NULL;
    }

  secrets = scaler_secrets_new ();
  secrets->aws_access_key_id = g_strdup (aws->access_key_id);
  secrets->aws_secret_access_key = g_strdup (aws->secret_access_key);
  secrets->aws_session_token = g_strdup (aws->session_token);
  secrets->clearml_access_key = g_strdup (clearml_key);
  secrets->clearml_secret_key = g_strdup (clearml_secret);
  secrets->git_password = (git_password != NULL && *git_password != '\0') ? g_strdup (git_password) : NULL;

  return g_steal_pointer (&secrets);
}
