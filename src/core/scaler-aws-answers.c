/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-answers.c: what the credential sources answer, parsed (see
 * scaler-aws-fetch.h): the JSON of credential_process, the container and
 * instance metadata endpoints and the SSO portal, and STS's XML. Pure: no
 * network; tests/fuzz/fuzz-aws-answers.c runs them on arbitrary bytes. The
 * formats follow boto/botocore botocore/credentials.py (ProcessProvider,
 * SSOCredentialFetcher, AssumeRoleCredentialFetcher) and botocore/utils.py
 * (InstanceMetadataFetcher, ContainerMetadataFetcher).
 */

#define G_LOG_DOMAIN "scaler-aws-fetch"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "scaler-aws-error.h"
#include "scaler-aws-fetch.h"
#include "scaler-error.h"
#include "scaler-json.h"
#include "scaler-ec2-xml.h"
#include "scaler-util.h"

#define MAX_PROCESS_OUTPUT      (1024 * 1024)
#define MAX_ANSWER_BYTES        SCALER_AWS_MAX_ANSWER_BYTES

/* --- JSON --- */

gint64
scaler_aws_parse_time (const char *text)
{
  g_autofree char *copy = NULL;

  if (text == NULL || *text == '\0')
    return 0;
  copy = g_strstrip (g_strdup (text));
  /* Old AWS CLI SSO caches end in "UTC". */
  if (g_str_has_suffix (copy, "UTC"))
    {
      copy[strlen (copy) - 3] = '\0';
      g_strstrip (copy);
      {
        char *z = g_strconcat (copy, "Z", NULL);

        g_free (copy);
        copy = z;
      }
    }
  return scaler_ec2_parse_timestamp (copy);
}

static JsonObject *
parse_object (JsonParser  *parser,
              const char  *data,
              gsize        length,
              const char  *what,
              GError     **error)
{
  JsonObject *object;

  if (length > MAX_PROCESS_OUTPUT)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("%s is larger than 1 MiB"), what);
      return NULL;
    }
  object = scaler_json_parse_object (parser, data, length);
  if (object == NULL)
    /* The text may hold secrets: never quote it. */
    g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("%s is not a JSON object"), what);
  return object;
}

static ScalerAwsCredentials *
credentials_from (const char  *what,
                  const char  *key,
                  const char  *secret,
                  const char  *token,
                  const char  *missing,
                  GError     **error)
{
  if (missing != NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("%s has no \"%s\""), what, missing);
      return NULL;
    }
  if (*key == '\0' || *secret == '\0')
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("%s has an empty key"), what);
      return NULL;
    }
  return scaler_aws_credentials_new (key, secret, token);
}

/* Version 1 (botocore ProcessProvider._retrieve_credentials_using). */
static ScalerAwsCredentials *
parse_process (JsonObject  *object,
               GError     **error)
{
  const char *what = _("The output of credential_process");
  const char *key = scaler_json_member_string (object, "AccessKeyId");
  const char *secret = scaler_json_member_string (object, "SecretAccessKey");
  const char *expiration = scaler_json_member_string (object, "Expiration");
  ScalerAwsCredentials *credentials;
  double version = 0;

  if (!scaler_json_member_double (object, "Version", &version) || version != 1)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("%s has no \"Version\": 1 (the only version there is)"), what);
      return NULL;
    }
  credentials = credentials_from (what, key, secret, scaler_json_member_string (object, "SessionToken"),
                                  key == NULL ? "AccessKeyId" : secret == NULL ? "SecretAccessKey" : NULL, error);
  if (credentials != NULL && expiration != NULL)
    {
      credentials->expiration = scaler_aws_parse_time (expiration);
      if (credentials->expiration == 0)
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                       _("%s has an \"Expiration\" that is not an ISO 8601 time (expected e.g. 2026-01-01T00:00:00Z)"),
                       what);
          g_clear_pointer (&credentials, scaler_aws_credentials_free);
        }
    }
  return credentials;
}

/* Container and IMDS answers (botocore InstanceMetadataFetcher
 * _REQUIRED_CREDENTIAL_FIELDS; ContainerProvider._create_fetcher). */
static ScalerAwsCredentials *
parse_metadata (JsonObject  *object,
                GError     **error)
{
  const char *what = _("The credentials answer");
  const char *fields[] = { "AccessKeyId", "SecretAccessKey", "Token", "Expiration" };
  const char *missing = NULL;
  ScalerAwsCredentials *credentials;

  for (guint i = 0; i < G_N_ELEMENTS (fields) && missing == NULL; i++)
    if (scaler_json_member_string (object, fields[i]) == NULL)
      missing = fields[i];
  if (missing != NULL && scaler_json_member_string (object, "Code") != NULL)
    {
      /* IMDS answers 200 with {"Code": ..., "Message": ...} when the role
       * cannot be used (e.g. EC2 is not a trusted entity of the role). */
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING, _("%s is an error: %s: %s"), what,
                   scaler_json_member_string (object, "Code"),
                   scaler_json_member_string (object, "Message") != NULL ? scaler_json_member_string (object, "Message") : "");
      return NULL;
    }
  credentials = credentials_from (what, scaler_json_member_string (object, "AccessKeyId"), scaler_json_member_string (object, "SecretAccessKey"),
                                  scaler_json_member_string (object, "Token"), missing, error);
  if (credentials != NULL)
    {
      credentials->expiration = scaler_aws_parse_time (scaler_json_member_string (object, "Expiration"));
      if (credentials->expiration == 0)
        {
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                       _("%s has an \"Expiration\" that is not an ISO 8601 time"), what);
          g_clear_pointer (&credentials, scaler_aws_credentials_free);
        }
    }
  return credentials;
}

/* botocore SSOCredentialFetcher._get_credentials: expiration in ms. */
static ScalerAwsCredentials *
parse_sso (JsonObject  *object,
           GError     **error)
{
  const char *what = _("The SSO portal's answer");
  JsonObject *role = scaler_json_member_object (object, "roleCredentials");
  const char *fields[] = { "accessKeyId", "secretAccessKey", "sessionToken" };
  const char *missing = NULL;
  ScalerAwsCredentials *credentials;
  double expiration = 0;

  if (role == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("%s has no \"roleCredentials\""), what);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (fields) && missing == NULL; i++)
    if (scaler_json_member_string (role, fields[i]) == NULL)
      missing = fields[i];
  if (missing == NULL && (!scaler_json_member_double (role, "expiration", &expiration) || expiration <= 0))
    missing = "expiration";
  credentials = credentials_from (what, scaler_json_member_string (role, "accessKeyId"), scaler_json_member_string (role, "secretAccessKey"),
                                  scaler_json_member_string (role, "sessionToken"), missing, error);
  if (credentials != NULL)
    credentials->expiration = (gint64) expiration * 1000;
  return credentials;
}

ScalerAwsCredentials *
scaler_aws_credentials_parse_json (ScalerAwsJsonKind   kind,
                                   const char         *data,
                                   gsize               length,
                                   GError            **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  const char *what = kind == SCALER_AWS_JSON_PROCESS ? _("The output of credential_process")
                     : kind == SCALER_AWS_JSON_SSO ? _("The SSO portal's answer")
                     : _("The credentials answer");

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  object = parse_object (parser, data != NULL ? data : "", length, what, error);
  if (object == NULL)
    return NULL;
  switch (kind)
    {
    case SCALER_AWS_JSON_PROCESS:
      return parse_process (object, error);
    case SCALER_AWS_JSON_SSO:
      return parse_sso (object, error);
    case SCALER_AWS_JSON_METADATA:
    default:
      return parse_metadata (object, error);
    }
}

/* --- STS --- */

typedef struct
{
  GString *text;
  GString *path;
  char    *root;
  char    *key;
  char    *secret;
  char    *token;
  char    *expiration;
  char    *code;
  char    *message;
} StsParse;

static void
sts_start (GMarkupParseContext  *context,
           const char           *element,
           const char          **names,
           const char          **values,
           gpointer              user_data,
           GError              **error)
{
  StsParse *parse = user_data;

  if (parse->root == NULL)
    parse->root = g_strdup (element);
  if (g_markup_parse_context_get_element_stack (context) != NULL &&
      g_slist_length ((GSList *) g_markup_parse_context_get_element_stack (context)) > 16)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "nested too deep");
      return;
    }
  g_string_append_c (parse->path, '/');
  g_string_append (parse->path, element);
  g_string_truncate (parse->text, 0);
}

static void
take_text (char     **field,
           GString   *text)
{
  scaler_secret_free (*field);
  *field = g_strdup (text->str);
}

static void
sts_end (GMarkupParseContext  *context,
         const char           *element,
         gpointer              user_data,
         GError              **error)
{
  StsParse *parse = user_data;
  const char *path = parse->path->str;

  if (strstr (path, "Result/Credentials/") != NULL)
    {
      if (strcmp (element, "AccessKeyId") == 0)
        take_text (&parse->key, parse->text);
      else if (strcmp (element, "SecretAccessKey") == 0)
        take_text (&parse->secret, parse->text);
      else if (strcmp (element, "SessionToken") == 0)
        take_text (&parse->token, parse->text);
      else if (strcmp (element, "Expiration") == 0)
        take_text (&parse->expiration, parse->text);
    }
  else if (g_str_has_prefix (path, "/ErrorResponse/Error/"))
    {
      if (strcmp (element, "Code") == 0)
        take_text (&parse->code, parse->text);
      else if (strcmp (element, "Message") == 0)
        take_text (&parse->message, parse->text);
    }
  g_string_truncate (parse->path, parse->path->len - strlen (element) - 1);
  explicit_bzero (parse->text->str, parse->text->len);
  g_string_truncate (parse->text, 0);
}

static void
sts_text (GMarkupParseContext  *context,
          const char           *text,
          gsize                 length,
          gpointer              user_data,
          GError              **error)
{
  StsParse *parse = user_data;

  if (parse->text->len + length > MAX_ANSWER_BYTES)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "too long");
      return;
    }
  g_string_append_len (parse->text, text, (gssize) length);
}

static void
sts_parse_clear (StsParse *parse)
{
  scaler_secret_free (parse->key);
  scaler_secret_free (parse->secret);
  scaler_secret_free (parse->token);
  g_free (parse->expiration);
  g_free (parse->code);
  g_free (parse->message);
  g_free (parse->root);
  explicit_bzero (parse->text->str, parse->text->len);
  g_string_free (parse->text, TRUE);
  g_string_free (parse->path, TRUE);
}

ScalerAwsCredentials *
scaler_aws_sts_parse_response (const char  *data,
                               gsize        length,
                               char       **error_code,
                               char       **error_message,
                               GError     **error)
{
  static const GMarkupParser parser = { sts_start, sts_end, sts_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  StsParse parse = { g_string_new (NULL), g_string_new (NULL) };
  ScalerAwsCredentials *credentials = NULL;
  gboolean ok;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (error_code != NULL)
    *error_code = NULL;
  if (error_message != NULL)
    *error_message = NULL;

  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, &parse, NULL);
  ok = length > 0 && length <= MAX_ANSWER_BYTES && g_utf8_validate_len (data, length, NULL) &&
       g_markup_parse_context_parse (context, data, (gssize) length, NULL) &&
       g_markup_parse_context_end_parse (context, NULL);

  if (ok && g_strcmp0 (parse.root, "ErrorResponse") == 0 && parse.code != NULL)
    {
      if (error_code != NULL)
        *error_code = g_strdup (parse.code);
      if (error_message != NULL)
        *error_message = g_strdup (parse.message != NULL ? parse.message : "");
    }
  else if (ok && parse.root != NULL && g_str_has_prefix (parse.root, "AssumeRole") &&
           g_str_has_suffix (parse.root, "Response") && parse.key != NULL && parse.secret != NULL &&
           parse.token != NULL && *parse.key != '\0' && *parse.secret != '\0')
    {
      credentials = scaler_aws_credentials_new (parse.key, parse.secret, parse.token);
      credentials->expiration = scaler_aws_parse_time (parse.expiration);
      if (credentials->expiration == 0)
        {
          g_clear_pointer (&credentials, scaler_aws_credentials_free);
          g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                       _("The STS answer has no valid Expiration"));
        }
    }
  else
    g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                 _("The answer is not an STS AssumeRole answer (no Credentials with AccessKeyId, "
                   "SecretAccessKey and SessionToken)"));

  sts_parse_clear (&parse);
  return credentials;
}
