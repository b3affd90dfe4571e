/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-aws-retry"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-aws-retry.h"
#include "scaler-http.h"

struct _ScalerAwsRetry
{
  GMutex              mutex;
  guint               max_attempts;
  guint               tokens;
  ScalerAwsSleepFunc  sleep_func;
  gpointer            sleep_data;
  ScalerAwsRandomFunc random_func;
  gpointer            random_data;
};

static double
default_random (gpointer user_data)
{
  return g_random_double ();
}

gboolean
scaler_aws_sleep_cancellable (gint64         usec,
                              GCancellable  *cancellable,
                              gpointer       user_data,
                              GError       **error)
{
  GPollFD pollfd;
  gboolean have_fd;
  gint64 deadline;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (usec <= 0)
    return TRUE;

  have_fd = g_cancellable_make_pollfd (cancellable, &pollfd);
  deadline = g_get_monotonic_time () + usec;
  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      int timeout_ms;

      if (left <= 0)
        break;
      timeout_ms = (int) MIN ((left + 999) / 1000, G_MAXINT);
      if (have_fd)
        g_poll (&pollfd, 1, timeout_ms);
      else
        g_usleep ((gulong) left);
      if (g_cancellable_is_cancelled (cancellable))
        break;
    }
  if (have_fd)
    g_cancellable_release_fd (cancellable);

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

ScalerAwsRetry *
scaler_aws_retry_new (void)
{
  ScalerAwsRetry *self = g_new0 (ScalerAwsRetry, 1);

  g_mutex_init (&self->mutex);
  self->max_attempts = SCALER_AWS_RETRY_MAX_ATTEMPTS;
  self->tokens = SCALER_AWS_RETRY_INITIAL_TOKENS;
  self->sleep_func = scaler_aws_sleep_cancellable;
  self->random_func = default_random;

  return self;
}

void
scaler_aws_retry_free (ScalerAwsRetry *self)
{
  if (self == NULL)
    return;

  g_mutex_clear (&self->mutex);
  g_free (self);
}

void
scaler_aws_retry_set_max_attempts (ScalerAwsRetry *self,
                                   guint           max_attempts)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (max_attempts >= 1);

  g_mutex_lock (&self->mutex);
  self->max_attempts = max_attempts;
  g_mutex_unlock (&self->mutex);
}

guint
scaler_aws_retry_get_max_attempts (ScalerAwsRetry *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  n = self->max_attempts;
  g_mutex_unlock (&self->mutex);

  return n;
}

void
scaler_aws_retry_set_sleep_func (ScalerAwsRetry     *self,
                                 ScalerAwsSleepFunc  func,
                                 gpointer            user_data)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->sleep_func = func != NULL ? func : scaler_aws_sleep_cancellable;
  self->sleep_data = func != NULL ? user_data : NULL;
  g_mutex_unlock (&self->mutex);
}

void
scaler_aws_retry_set_random_func (ScalerAwsRetry      *self,
                                  ScalerAwsRandomFunc  func,
                                  gpointer             user_data)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->random_func = func != NULL ? func : default_random;
  self->random_data = func != NULL ? user_data : NULL;
  g_mutex_unlock (&self->mutex);
}

guint
scaler_aws_retry_get_quota (ScalerAwsRetry *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  n = self->tokens;
  g_mutex_unlock (&self->mutex);

  return n;
}

void
scaler_aws_retry_set_quota (ScalerAwsRetry *self,
                            guint           tokens)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->tokens = MIN (tokens, SCALER_AWS_RETRY_INITIAL_TOKENS);
  g_mutex_unlock (&self->mutex);
}

gboolean
scaler_aws_retry_acquire (ScalerAwsRetry *self,
                          gboolean        throttling,
                          guint          *cost)
{
  guint c = throttling ? SCALER_AWS_RETRY_THROTTLING_COST : SCALER_AWS_RETRY_TRANSIENT_COST;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  ok = self->tokens >= c;
  if (ok)
    self->tokens -= c;
  g_mutex_unlock (&self->mutex);

  if (cost != NULL)
    *cost = ok ? c : 0;

  return ok;
}

void
scaler_aws_retry_release (ScalerAwsRetry *self,
                          guint           last_retry_cost)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->tokens = MIN (SCALER_AWS_RETRY_INITIAL_TOKENS,
                      self->tokens + (last_retry_cost > 0 ? last_retry_cost : SCALER_AWS_RETRY_NO_RETRY_REFUND));
  g_mutex_unlock (&self->mutex);
}

gint64
scaler_aws_retry_compute_delay (ScalerAwsRetry *self,
                                guint           retry_index,
                                gboolean        throttling,
                                gint64          hint_usec)
{
  double base_ms = throttling ? SCALER_AWS_RETRY_THROTTLE_BASE_MS : SCALER_AWS_RETRY_BASE_MS;
  double r;
  double delay_ms;
  gint64 delay;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  r = self->random_func (self->random_data);
  g_mutex_unlock (&self->mutex);
  r = CLAMP (r, 0.0, 1.0);

  /* r * min(2^i * base, cap): the jitter after the cap. */
  delay_ms = r * MIN ((double) SCALER_AWS_RETRY_MAX_DELAY_MS, ldexp (1.0, (int) MIN (retry_index, 30)) * base_ms);
  delay = (gint64) floor (delay_ms) * 1000;
  /* A hint raises the delay, by at most 5 s. */
  if (hint_usec > delay)
    delay = MIN (hint_usec, delay + (gint64) SCALER_AWS_RETRY_HINT_EXTRA_MS * 1000);

  return delay;
}

gboolean
scaler_aws_retry_sleep (ScalerAwsRetry  *self,
                        gint64           usec,
                        GCancellable    *cancellable,
                        GError         **error)
{
  ScalerAwsSleepFunc func;
  gpointer data;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  func = self->sleep_func;
  data = self->sleep_data;
  g_mutex_unlock (&self->mutex);

  return func (usec, cancellable, data, error);
}

gint64
scaler_aws_retry_parse_hint (const char *x_amz_retry_after,
                             const char *retry_after,
                             gint64      now_usec)
{
  if (x_amz_retry_after != NULL && *x_amz_retry_after != '\0')
    {
      char *end = NULL;
      guint64 ms = g_ascii_strtoull (x_amz_retry_after, &end, 10);

      if (end != x_amz_retry_after && *end == '\0')
        return (gint64) MIN (ms, (guint64) SCALER_AWS_RETRY_MAX_DELAY_MS) * 1000;
    }
  if (retry_after != NULL && *retry_after != '\0')
    {
      char *end = NULL;
      guint64 s = g_ascii_strtoull (retry_after, &end, 10);
      gint64 when;

      if (end != retry_after && *end == '\0')
        return (gint64) MIN (s, (guint64) SCALER_AWS_RETRY_MAX_DELAY_MS / 1000) * G_USEC_PER_SEC;
      when = scaler_http_parse_date (retry_after);
      if (when > now_usec)
        return MIN (when - now_usec, (gint64) SCALER_AWS_RETRY_MAX_DELAY_MS * 1000);
    }

  return 0;
}
