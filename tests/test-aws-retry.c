/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the AWS error classification and of the standard retry mode's
 * pieces: backoff formula, cap, retry-after hints, the quota bucket and the
 * cancellable sleep. */

#include "config.h"

#include "scaler-core.h"
#include "scaler-aws-retry.h"

static void
test_classify (void)
{
  static const struct { const char *code; guint status; ScalerAwsErrorClass expected; } cases[] = {
    { "RequestLimitExceeded", 503, SCALER_AWS_ERROR_THROTTLED },
    { "Throttling", 400, SCALER_AWS_ERROR_THROTTLED },
    { "EC2ThrottledException", 400, SCALER_AWS_ERROR_THROTTLED },
    { NULL, 429, SCALER_AWS_ERROR_THROTTLED },
    /* Decided on the code, not the status: capacity comes as a 500. */
    { "InsufficientInstanceCapacity", 500, SCALER_AWS_ERROR_CAPACITY },
    { "Unsupported", 400, SCALER_AWS_ERROR_CAPACITY },
    /* Server-side capacity codes (EC2 API reference, server error codes). */
    { "InsufficientVolumeCapacity", 500, SCALER_AWS_ERROR_CAPACITY },
    { "InsufficientCapacityOnOutpost", 503, SCALER_AWS_ERROR_CAPACITY },
    /* A feature, market or parameter the type or AMI does not support:
     * another zone does not help. */
    { "UnsupportedOperation", 400, SCALER_AWS_ERROR_INVALID_INPUT },
    { "SpotMaxPriceTooLow", 400, SCALER_AWS_ERROR_CAPACITY },
    { "InsufficientFreeAddressesInSubnet", 400, SCALER_AWS_ERROR_CAPACITY },
    { "VcpuLimitExceeded", 400, SCALER_AWS_ERROR_QUOTA },
    { "InstanceLimitExceeded", 400, SCALER_AWS_ERROR_QUOTA },
    { "MaxSpotInstanceCountExceeded", 400, SCALER_AWS_ERROR_QUOTA },
    { "AuthFailure", 401, SCALER_AWS_ERROR_AUTH },
    { "UnauthorizedOperation", 403, SCALER_AWS_ERROR_AUTH },
    { "SignatureDoesNotMatch", 403, SCALER_AWS_ERROR_AUTH },
    { "InvalidClientTokenId", 403, SCALER_AWS_ERROR_AUTH },
    { "OptInRequired", 401, SCALER_AWS_ERROR_AUTH },
    { NULL, 403, SCALER_AWS_ERROR_AUTH },
    { "RequestExpired", 400, SCALER_AWS_ERROR_CLOCK_SKEW },
    { "RequestTimeTooSkewed", 403, SCALER_AWS_ERROR_CLOCK_SKEW },
    { "InvalidParameterValue", 400, SCALER_AWS_ERROR_INVALID_INPUT },
    { "InvalidAMIID.NotFound", 400, SCALER_AWS_ERROR_INVALID_INPUT },
    { "InvalidAMIID.Malformed", 400, SCALER_AWS_ERROR_INVALID_INPUT },
    { "InvalidGroup.NotFound", 400, SCALER_AWS_ERROR_INVALID_INPUT },
    { "MissingParameter", 400, SCALER_AWS_ERROR_INVALID_INPUT },
    { "IdempotentParameterMismatch", 400, SCALER_AWS_ERROR_INVALID_INPUT },
    { "InvalidInstanceID.NotFound", 400, SCALER_AWS_ERROR_NOT_FOUND },
    { "InternalError", 500, SCALER_AWS_ERROR_SERVER },
    { "Unavailable", 503, SCALER_AWS_ERROR_SERVER },
    { "RequestTimeout", 400, SCALER_AWS_ERROR_SERVER },
    { "SomethingNew", 502, SCALER_AWS_ERROR_SERVER },
    { NULL, 504, SCALER_AWS_ERROR_SERVER },
    { "SomethingNew", 400, SCALER_AWS_ERROR_FAILED },
    { NULL, 0, SCALER_AWS_ERROR_FAILED },
    { "", 418, SCALER_AWS_ERROR_FAILED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ScalerAwsErrorClass got = scaler_aws_error_classify (cases[i].code, cases[i].status);

      if (got != cases[i].expected)
        g_error ("%s/%u: expected %s, got %s", cases[i].code, cases[i].status,
                 scaler_aws_error_class_to_string (cases[i].expected),
                 scaler_aws_error_class_to_string (got));
    }
}

static double
fixed_random (gpointer user_data)
{
  return *(double *) user_data;
}

static void
test_backoff (void)
{
  g_autoptr(ScalerAwsRetry) retry = scaler_aws_retry_new ();
  double r = 0.5;

  scaler_aws_retry_set_random_func (retry, fixed_random, &r);
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 0, FALSE, 0), ==, 50000);
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 1, FALSE, 0), ==, 100000);
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 2, FALSE, 0), ==, 200000);
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 0, TRUE, 0), ==, 250000);
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 3, TRUE, 0), ==, 2000000);
  /* The 20 s cap, and the jitter after it: r * min(2^i * base, cap)
   * (smithy-typescript DefaultRetryBackoffStrategy.ts:20). */
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 10, TRUE, 0), ==, 10000000);
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 1000, FALSE, 0), ==, 10000000);
  /* Index 6 is where the two orders differ: min(cap, r*2^6*b) would be
   * 0.5 * 32 s = 16 s, r*min(2^6*b, cap) is 0.5 * 20 s = 10 s. */
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 6, TRUE, 0), ==, 10000000);
  /* A retry-after hint raises the delay, by at most 5 s
   * (StandardRetryStrategy.ts:103-108, botocore standard.py:415-422). */
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 0, FALSE, 3000000), ==, 3000000);
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 0, FALSE, 60000000), ==, 5050000);
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 10, TRUE, 60000000), ==, 15000000);
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 0, FALSE, 10), ==, 50000);

  /* Full jitter: 0 is possible, and then a hint gives at most 5 s. */
  r = 0.0;
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 5, TRUE, 0), ==, 0);
  g_assert_cmpint (scaler_aws_retry_compute_delay (retry, 5, TRUE, 20000000), ==, 5000000);

  /* Default random stays within [0, cap]. */
  scaler_aws_retry_set_random_func (retry, NULL, NULL);
  for (guint i = 0; i < 100; i++)
    {
      gint64 d = scaler_aws_retry_compute_delay (retry, 1, FALSE, 0);

      g_assert_cmpint (d, >=, 0);
      g_assert_cmpint (d, <, 200000);
    }
}

static void
test_hints (void)
{
  gint64 now = G_GINT64_CONSTANT (1440938160) * G_USEC_PER_SEC;   /* Sun, 30 Aug 2015 12:36:00 GMT */

  g_assert_cmpint (scaler_aws_retry_parse_hint ("1500", NULL, now), ==, 1500000);
  g_assert_cmpint (scaler_aws_retry_parse_hint ("1500", "9", now), ==, 1500000);
  g_assert_cmpint (scaler_aws_retry_parse_hint (NULL, "3", now), ==, 3000000);
  g_assert_cmpint (scaler_aws_retry_parse_hint (NULL, "Sun, 30 Aug 2015 12:36:05 GMT", now), ==, 5000000);
  g_assert_cmpint (scaler_aws_retry_parse_hint (NULL, "Sun, 30 Aug 2015 12:35:00 GMT", now), ==, 0);
  g_assert_cmpint (scaler_aws_retry_parse_hint (NULL, "99999", now), ==, 20000000);
  g_assert_cmpint (scaler_aws_retry_parse_hint ("abc", "soon", now), ==, 0);
  g_assert_cmpint (scaler_aws_retry_parse_hint (NULL, NULL, now), ==, 0);
}

static void
test_quota (void)
{
  g_autoptr(ScalerAwsRetry) retry = scaler_aws_retry_new ();
  guint cost = 0;

  g_assert_cmpuint (scaler_aws_retry_get_quota (retry), ==, 500);
  /* The JavaScript SDK v3's costs: 5 after throttling, 10 after a transient
   * error (5xx, network, timeout). */
  g_assert_true (scaler_aws_retry_acquire (retry, TRUE, &cost));
  g_assert_cmpuint (cost, ==, 5);
  g_assert_true (scaler_aws_retry_acquire (retry, FALSE, &cost));
  g_assert_cmpuint (cost, ==, 10);
  g_assert_cmpuint (scaler_aws_retry_get_quota (retry), ==, 485);
  /* Success after retries refunds the last retry's cost; a first-attempt
   * success refunds 1; never above 500. */
  scaler_aws_retry_release (retry, 10);
  g_assert_cmpuint (scaler_aws_retry_get_quota (retry), ==, 495);
  scaler_aws_retry_release (retry, 0);
  g_assert_cmpuint (scaler_aws_retry_get_quota (retry), ==, 496);
  for (guint i = 0; i < 10; i++)
    scaler_aws_retry_release (retry, 0);
  g_assert_cmpuint (scaler_aws_retry_get_quota (retry), ==, 500);

  scaler_aws_retry_set_quota (retry, 7);
  g_assert_false (scaler_aws_retry_acquire (retry, FALSE, &cost));
  g_assert_cmpuint (cost, ==, 0);
  g_assert_true (scaler_aws_retry_acquire (retry, TRUE, &cost));
  g_assert_false (scaler_aws_retry_acquire (retry, TRUE, &cost));
  g_assert_cmpuint (scaler_aws_retry_get_quota (retry), ==, 2);

  g_assert_cmpuint (scaler_aws_retry_get_max_attempts (retry), ==, 3);
  scaler_aws_retry_set_max_attempts (retry, 5);
  g_assert_cmpuint (scaler_aws_retry_get_max_attempts (retry), ==, 5);
}

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (100 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancellable_sleep (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 start;

  /* Uncancelled: sleeps the whole time. */
  start = g_get_monotonic_time ();
  g_assert_true (scaler_aws_sleep_cancellable (50000, cancellable, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 50000);
  g_assert_true (scaler_aws_sleep_cancellable (20000, NULL, NULL, &error));

  /* Cancelled from another thread: wakes up at once. */
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  g_assert_false (scaler_aws_sleep_cancellable (10 * G_USEC_PER_SEC, cancellable, NULL, &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* Already cancelled: no sleep at all. */
  g_assert_false (scaler_aws_sleep_cancellable (10 * G_USEC_PER_SEC, cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/aws-retry/classify", test_classify);
  g_test_add_func ("/scaler/aws-retry/backoff", test_backoff);
  g_test_add_func ("/scaler/aws-retry/hints", test_hints);
  g_test_add_func ("/scaler/aws-retry/quota", test_quota);
  g_test_add_func ("/scaler/aws-retry/cancellable-sleep", test_cancellable_sleep);

  return g_test_run ();
}
