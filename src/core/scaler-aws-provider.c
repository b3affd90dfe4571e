/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-provider.c: cached AWS credentials, refreshed in botocore's
 * advisory and mandatory windows (see scaler-aws-provider.h). The locking
 * follows RefreshableCredentials._refresh in boto/botocore
 * botocore/credentials.py: a try-lock in the advisory window, a blocking
 * lock in the mandatory one.
 */

#define G_LOG_DOMAIN "scaler-aws-provider"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-aws-provider.h"
#include "scaler-error.h"

struct _ScalerAwsProvider
{
  GObject               parent_instance;

  char                 *description;
  ScalerAwsResolveFunc  resolve;        /* NULL: static */
  gpointer              resolve_data;
  GDestroyNotify        resolve_destroy;

  GMutex                refresh_lock;   /* held while resolve runs */
  GMutex                lock;           /* protects the fields below */
  ScalerAwsCredentials *current;        /* nullable */
  gint64                lifetime;       /* expiration - fetch time */
  guint                 fetches;
  ScalerAwsClockFunc    clock;
  gpointer              clock_data;
};

G_DEFINE_FINAL_TYPE (ScalerAwsProvider, scaler_aws_provider, G_TYPE_OBJECT)

typedef enum
{
  WINDOW_ADVISORY,
  WINDOW_MANDATORY,
} Window;

static gint64
real_clock (gpointer user_data)
{
  return g_get_real_time ();
}

void
scaler_aws_refresh_windows (gint64  lifetime,
                            gint64 *advisory,
                            gint64 *mandatory)
{
  lifetime = MAX (lifetime, 0);
  if (advisory != NULL)
    *advisory = MIN (SCALER_AWS_ADVISORY_REFRESH_USEC, lifetime / 2);
  if (mandatory != NULL)
    *mandatory = MIN (SCALER_AWS_MANDATORY_REFRESH_USEC, lifetime / 3);
}

gboolean
scaler_aws_credentials_equal (const ScalerAwsCredentials *a,
                              const ScalerAwsCredentials *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strcmp0 (a->access_key_id, b->access_key_id) == 0 &&
         g_strcmp0 (a->session_token, b->session_token) == 0 &&
         g_strcmp0 (a->secret_access_key, b->secret_access_key) == 0;
}

/* With self->lock held. */
static gboolean
needs_refresh_locked (ScalerAwsProvider *self,
                      Window             window)
{
  gint64 advisory, mandatory;

  if (self->current == NULL)
    return TRUE;
  if (self->resolve == NULL || self->current->expiration == 0)
    return FALSE;
  scaler_aws_refresh_windows (self->lifetime, &advisory, &mandatory);
  return self->current->expiration - self->clock (self->clock_data) <
         (window == WINDOW_ADVISORY ? advisory : mandatory);
}

static gboolean
needs_refresh (ScalerAwsProvider *self,
               Window             window)
{
  gboolean needed;

  g_mutex_lock (&self->lock);
  needed = needs_refresh_locked (self, window);
  g_mutex_unlock (&self->lock);
  return needed;
}

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S UTC") : g_strdup ("?");
}

/* Stores @fresh, or says why not. */
static gboolean
accept_fresh (ScalerAwsProvider     *self,
              ScalerAwsCredentials  *fresh,
              GError               **error)
{
  gint64 now = self->clock (self->clock_data);
  g_autofree char *until = fresh->expiration != 0 ? format_time (fresh->expiration) : g_strdup (_("no expiry"));

  if (fresh->expiration != 0 && fresh->expiration <= now)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   _("AWS credentials from %s had already expired (at %s) when they were fetched: "
                     "renew them at their source"),
                   fresh->source != NULL ? fresh->source : self->description, until);
      scaler_aws_credentials_free (fresh);
      return FALSE;
    }

  g_debug ("AWS credentials from %s (key %.4s...), valid until %s",
           fresh->source != NULL ? fresh->source : self->description,
           fresh->access_key_id, until);
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->current, scaler_aws_credentials_free);
  self->current = fresh;
  self->lifetime = fresh->expiration != 0 ? fresh->expiration - now : 0;
  self->fetches++;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* With self->refresh_lock held. */
static gboolean
refresh_locked (ScalerAwsProvider  *self,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  ScalerAwsCredentials *fresh;
  gboolean mandatory;

  if (!needs_refresh (self, WINDOW_ADVISORY))
    return TRUE;
  mandatory = needs_refresh (self, WINDOW_MANDATORY);

  fresh = self->resolve (self->resolve_data, cancellable, &local_error);
  if (fresh != NULL && accept_fresh (self, fresh, &local_error))
    return TRUE;

  if (mandatory || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_message ("Refreshing the AWS credentials failed; the current ones stay in use until they are "
             "nearly expired: %s", local_error->message);
  return TRUE;
}

ScalerAwsCredentials *
scaler_aws_provider_get (ScalerAwsProvider  *self,
                         GCancellable       *cancellable,
                         GError            **error)
{
  ScalerAwsCredentials *copy = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (SCALER_IS_AWS_PROVIDER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->resolve != NULL && needs_refresh (self, WINDOW_ADVISORY))
    {
      if (g_mutex_trylock (&self->refresh_lock))
        {
          ok = refresh_locked (self, cancellable, error);
          g_mutex_unlock (&self->refresh_lock);
        }
      else if (needs_refresh (self, WINDOW_MANDATORY))
        {
          /* Another thread fetches: wait for it, then fetch only if it
           * failed. */
          g_mutex_lock (&self->refresh_lock);
          ok = refresh_locked (self, cancellable, error);
          g_mutex_unlock (&self->refresh_lock);
        }
    }
  if (!ok)
    return NULL;

  g_mutex_lock (&self->lock);
  if (self->current != NULL)
    copy = scaler_aws_credentials_copy (self->current);
  g_mutex_unlock (&self->lock);
  if (copy == NULL)
    g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                 _("No AWS credentials from %s yet"), self->description);

  return copy;
}

gboolean
scaler_aws_provider_invalidate (ScalerAwsProvider          *self,
                                const ScalerAwsCredentials *used)
{
  g_return_val_if_fail (SCALER_IS_AWS_PROVIDER (self), FALSE);

  if (self->resolve == NULL)
    return FALSE;

  g_mutex_lock (&self->lock);
  if (used == NULL || scaler_aws_credentials_equal (self->current, used))
    g_clear_pointer (&self->current, scaler_aws_credentials_free);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

gboolean
scaler_aws_provider_is_static (ScalerAwsProvider *self)
{
  g_return_val_if_fail (SCALER_IS_AWS_PROVIDER (self), TRUE);
  return self->resolve == NULL;
}

const char *
scaler_aws_provider_get_description (ScalerAwsProvider *self)
{
  g_return_val_if_fail (SCALER_IS_AWS_PROVIDER (self), NULL);
  return self->description;
}

guint
scaler_aws_provider_get_fetches (ScalerAwsProvider *self)
{
  guint fetches;

  g_return_val_if_fail (SCALER_IS_AWS_PROVIDER (self), 0);

  g_mutex_lock (&self->lock);
  fetches = self->fetches;
  g_mutex_unlock (&self->lock);
  return fetches;
}

void
scaler_aws_provider_set_clock (ScalerAwsProvider  *self,
                               ScalerAwsClockFunc  clock,
                               gpointer            user_data)
{
  g_return_if_fail (SCALER_IS_AWS_PROVIDER (self));

  g_mutex_lock (&self->lock);
  self->clock = clock != NULL ? clock : real_clock;
  self->clock_data = clock != NULL ? user_data : NULL;
  g_mutex_unlock (&self->lock);
}

static void
scaler_aws_provider_finalize (GObject *object)
{
  ScalerAwsProvider *self = SCALER_AWS_PROVIDER (object);

  if (self->resolve_destroy != NULL)
    self->resolve_destroy (self->resolve_data);
  g_clear_pointer (&self->current, scaler_aws_credentials_free);
  g_free (self->description);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->refresh_lock);

  G_OBJECT_CLASS (scaler_aws_provider_parent_class)->finalize (object);
}

static void
scaler_aws_provider_class_init (ScalerAwsProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = scaler_aws_provider_finalize;
}

static void
scaler_aws_provider_init (ScalerAwsProvider *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->refresh_lock);
  self->clock = real_clock;
}

ScalerAwsProvider *
scaler_aws_provider_new_static (const ScalerAwsCredentials *credentials)
{
  ScalerAwsProvider *self;

  g_return_val_if_fail (credentials != NULL, NULL);

  self = g_object_new (SCALER_TYPE_AWS_PROVIDER, NULL);
  self->description = g_strdup (credentials->source != NULL ? credentials->source : _("the given AWS keys"));
  self->current = scaler_aws_credentials_copy (credentials);
  self->current->expiration = 0;
  return self;
}

ScalerAwsProvider *
scaler_aws_provider_new (const char           *description,
                         ScalerAwsResolveFunc  resolve,
                         gpointer              user_data,
                         GDestroyNotify        destroy)
{
  ScalerAwsProvider *self;

  g_return_val_if_fail (description != NULL, NULL);
  g_return_val_if_fail (resolve != NULL, NULL);

  self = g_object_new (SCALER_TYPE_AWS_PROVIDER, NULL);
  self->description = g_strdup (description);
  self->resolve = resolve;
  self->resolve_data = user_data;
  self->resolve_destroy = destroy;
  return self;
}
