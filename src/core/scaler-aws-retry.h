/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-retry.h: the AWS SDK "standard" retry mode, as
 * the JavaScript SDK v3 implements it (smithy-lang/smithy-typescript,
 * packages/core/src/submodules/retry/util-retry/: StandardRetryStrategy.ts,
 * DefaultRetryBackoffStrategy.ts, constants.ts, retries-2026-config.ts with
 * SMITHY_NEW_RETRIES_2026 unset, the default):
 *
 * - at most 3 attempts per call (configurable);
 * - full-jitter exponential backoff, the jitter applied after the cap:
 *   delay = random[0,1) * min(20 s, 2^retry * base), base 100 ms, or 500 ms
 *   when the error is throttling (DefaultRetryBackoffStrategy.ts:20);
 * - a retry-after hint (x-amz-retry-after in ms, or retry-after in seconds
 *   or an HTTP date) raises the delay, but to at most the computed delay
 *   + 5 s: delay = max(d, min(hint, d + 5 s)) (StandardRetryStrategy.ts:
 *   103-108; botocore retries/standard.py ExponentialBackoff.delay_amount
 *   does the same with x-amz-retry-after);
 * - a retry quota (token bucket) per client: 500 tokens; a retry costs 5
 *   after a throttling error and 10 after any other retried error (HTTP 5xx,
 *   network errors and timeouts, clock-skew corrections: the SDK's TRANSIENT
 *   class; StandardRetryStrategy.ts:192-194 with RETRY_COST 5 and
 *   TIMEOUT_RETRY_COST 10). botocore differs (10 only for timeouts), so we
 *   follow one SDK, the JavaScript one. When the bucket cannot pay, the
 *   error is returned at once. A call that succeeds on its first attempt
 *   refunds 1 token, a call that succeeds after retries refunds the cost of
 *   its last retry; never above 500.
 *
 * A ScalerAwsRetry is thread-safe. The sleep and random functions can be
 * replaced so that tests run fast and deterministically.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SCALER_AWS_RETRY_MAX_ATTEMPTS      3
#define SCALER_AWS_RETRY_BASE_MS           100
#define SCALER_AWS_RETRY_THROTTLE_BASE_MS  500
#define SCALER_AWS_RETRY_MAX_DELAY_MS      20000
#define SCALER_AWS_RETRY_INITIAL_TOKENS    500
/* Hints raise the delay to at most the computed delay plus this. */
#define SCALER_AWS_RETRY_HINT_EXTRA_MS     5000
#define SCALER_AWS_RETRY_THROTTLING_COST   5
#define SCALER_AWS_RETRY_TRANSIENT_COST    10
#define SCALER_AWS_RETRY_NO_RETRY_REFUND   1

typedef struct _ScalerAwsRetry ScalerAwsRetry;

/* Sleeps @usec; returns FALSE (and sets @error to G_IO_ERROR_CANCELLED) when
 * @cancellable fires first. */
typedef gboolean (*ScalerAwsSleepFunc)  (gint64         usec,
                                         GCancellable  *cancellable,
                                         gpointer       user_data,
                                         GError       **error);
/* A number in [0, 1). */
typedef double   (*ScalerAwsRandomFunc) (gpointer       user_data);

ScalerAwsRetry *scaler_aws_retry_new              (void);
void            scaler_aws_retry_free             (ScalerAwsRetry      *self);

void            scaler_aws_retry_set_max_attempts (ScalerAwsRetry      *self,
                                                   guint                max_attempts);
guint           scaler_aws_retry_get_max_attempts (ScalerAwsRetry      *self);
/* NULL restores the default (a cancellable wait / g_random_double). */
void            scaler_aws_retry_set_sleep_func   (ScalerAwsRetry      *self,
                                                   ScalerAwsSleepFunc   func,
                                                   gpointer             user_data);
void            scaler_aws_retry_set_random_func  (ScalerAwsRetry      *self,
                                                   ScalerAwsRandomFunc  func,
                                                   gpointer             user_data);

/* Tokens left in the retry quota. */
guint           scaler_aws_retry_get_quota        (ScalerAwsRetry      *self);
void            scaler_aws_retry_set_quota        (ScalerAwsRetry      *self,
                                                   guint                tokens);
/* Takes the cost of one retry from the quota (5 after a throttling error,
 * else 10); FALSE if it cannot pay. */
gboolean        scaler_aws_retry_acquire          (ScalerAwsRetry      *self,
                                                   gboolean             throttling,
                                                   guint               *cost);
/* After a successful call: @last_retry_cost is 0 for a first-attempt success. */
void            scaler_aws_retry_release          (ScalerAwsRetry      *self,
                                                   guint                last_retry_cost);

/* The delay before retry number @retry_index (0 for the first retry), in
 * microseconds, with the random function; @hint_usec is the retry-after hint
 * (0 = none), which can raise the delay by at most 5 s. */
gint64          scaler_aws_retry_compute_delay    (ScalerAwsRetry      *self,
                                                   guint                retry_index,
                                                   gboolean             throttling,
                                                   gint64               hint_usec);
/* Sleeps with the sleep function. */
gboolean        scaler_aws_retry_sleep            (ScalerAwsRetry      *self,
                                                   gint64               usec,
                                                   GCancellable        *cancellable,
                                                   GError             **error);

/* The retry-after hint of a response, usec from @now_usec (0 = none):
 * x-amz-retry-after (ms) wins over retry-after (seconds or an HTTP date). */
gint64          scaler_aws_retry_parse_hint       (const char          *x_amz_retry_after,
                                                   const char          *retry_after,
                                                   gint64               now_usec);

/* The default sleep: waits on the cancellable's file descriptor (returns at
 * once when cancelled), no busy loop. */
gboolean        scaler_aws_sleep_cancellable      (gint64               usec,
                                                   GCancellable        *cancellable,
                                                   gpointer             user_data,
                                                   GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerAwsRetry, scaler_aws_retry_free)

G_END_DECLS
