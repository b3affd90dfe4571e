/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-aws-chain-private.h: what the AWS credential chain
 * (scaler-aws-chain.c) and its remote sources (scaler-aws-chain-remote.c)
 * share: one resolution's state and small helpers. Not a contract. */

#pragma once

#include <gio/gio.h>

#include "scaler-aws-credentials.h"
#include "scaler-aws-files.h"

G_BEGIN_DECLS

/* One resolution of the chain. */
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

/* An environment variable, NULL when unset or empty. */
static inline const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : NULL;
}

static inline const char *
lookup (GHashTable *table,
        const char *key)
{
  return table != NULL ? g_hash_table_lookup (table, key) : NULL;
}

/* botocore.utils.ensure_boolean for strings. */
static inline gboolean
is_true (const char *value)
{
  return value != NULL && g_ascii_strcasecmp (value, "true") == 0;
}

/* Takes @source. */
static inline void
set_source (ScalerAwsCredentials *credentials,
            char                 *source)
{
  g_free (credentials->source);
  credentials->source = source;
}

/* Notes what was tried, for the "no credentials" message. */
static inline void _scaler_aws_chain_looked (Chain      *chain,
                                             const char *format,
                                             ...) G_GNUC_PRINTF (2, 3);

static inline void
_scaler_aws_chain_looked (Chain      *chain,
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
static inline void _scaler_aws_chain_explain (GError     **error,
                                              const char  *advice,
                                              const char  *format,
                                              ...) G_GNUC_PRINTF (3, 4);

static inline void
_scaler_aws_chain_explain (GError     **error,
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

/* A role session name: the configured one, or ec2-autoscaler-<time>. */
char *_scaler_aws_chain_session_name (const char  *configured);
/* The STS endpoint: a configured one, or the regional one. */
char *_scaler_aws_chain_sts_endpoint (Chain       *chain,
                                      GError     **error);

/* The remote sources. Each returns credentials, or NULL without an error
 * when it does not apply (the chain goes on), or NULL with an error that
 * stops the chain. */
ScalerAwsCredentials *_scaler_aws_chain_web_identity_keys  (Chain       *chain,
                                                            const char  *profile_name,
                                                            gboolean     no_environment,
                                                            GError     **error);
ScalerAwsCredentials *_scaler_aws_chain_sso_keys           (Chain       *chain,
                                                            const char  *profile_name,
                                                            GError     **error);
ScalerAwsCredentials *_scaler_aws_chain_container_keys     (Chain       *chain,
                                                            GError     **error);
/* @required: the instance role was asked for (credential_source): a
 * failure is an error; otherwise it only ends the chain empty-handed. */
ScalerAwsCredentials *_scaler_aws_chain_instance_role_keys (Chain       *chain,
                                                            gboolean     required,
                                                            GError     **error);

G_END_DECLS
