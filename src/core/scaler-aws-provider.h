/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-provider.h: where an AWS client gets its keys, and when they
 * are fetched again.
 *
 * A ScalerAwsProvider hands out a copy of the current credentials. Static
 * ones (the keyring's keys, with an optional session token) never change.
 * Any other provider is a resolve function (the AWS chain of
 * scaler-aws-chain.h, or a test's) whose result is cached and fetched again
 * before it expires, with botocore's two windows (boto/botocore
 * botocore/credentials.py, RefreshableCredentials,
 * _DEFAULT_ADVISORY_REFRESH_TIMEOUT = 15 min and
 * _DEFAULT_MANDATORY_REFRESH_TIMEOUT = 10 min):
 *   - advisory: when less than that is left, one caller fetches new ones
 *     while the others keep using the current ones; if the fetch fails, the
 *     current ones stay in use (a message is logged);
 *   - mandatory: when less than that is left, every caller waits for new
 *     ones, and a failure is an error.
 * Both windows are scaled to the lifetime the credentials had when they were
 * fetched (scaler_aws_refresh_windows): advisory = min (15 min, lifetime / 2)
 * and mandatory = min (10 min, lifetime / 3). Credentials of an hour or more
 * get botocore's windows exactly; the 15-minute minimum of STS gets 7.5 / 5
 * minutes instead of a fetch before every request; test credentials that
 * live six seconds are fetched again after three.
 *
 * scaler_aws_provider_get() may block (HTTP, a process): call it from a
 * worker thread, never from the main loop. Every method is thread-safe; one
 * fetch runs at a time. scaler_aws_provider_invalidate() is for an answer
 * that says the credentials expired (RequestExpired, ExpiredToken): the next
 * get fetches new ones. Nothing here logs a secret.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-aws-credentials.h"

G_BEGIN_DECLS

#define SCALER_AWS_ADVISORY_REFRESH_USEC  (15 * 60 * G_USEC_PER_SEC)
#define SCALER_AWS_MANDATORY_REFRESH_USEC (10 * 60 * G_USEC_PER_SEC)

#define SCALER_TYPE_AWS_PROVIDER (scaler_aws_provider_get_type ())
G_DECLARE_FINAL_TYPE (ScalerAwsProvider, scaler_aws_provider, SCALER, AWS_PROVIDER, GObject)

/* Returns fresh credentials (their expiration set when they expire), or NULL
 * with an error that names the source and says what to do. */
typedef ScalerAwsCredentials *(*ScalerAwsResolveFunc) (gpointer       user_data,
                                                       GCancellable  *cancellable,
                                                       GError       **error);
/* Microseconds since the epoch (tests replace g_get_real_time). */
typedef gint64                (*ScalerAwsClockFunc)   (gpointer       user_data);

ScalerAwsProvider    *scaler_aws_provider_new_static      (const ScalerAwsCredentials *credentials);
/* @description names the source in messages, e.g. "the AWS credential chain". */
ScalerAwsProvider    *scaler_aws_provider_new             (const char                 *description,
                                                           ScalerAwsResolveFunc        resolve,
                                                           gpointer                    user_data,
                                                           GDestroyNotify              destroy);

/* A copy of the current credentials, fetched first when needed. */
ScalerAwsCredentials *scaler_aws_provider_get             (ScalerAwsProvider          *self,
                                                           GCancellable               *cancellable,
                                                           GError                    **error);
/* AWS said @used expired: forget them if they are still the current ones.
 * FALSE when nothing new can come (static credentials). */
gboolean              scaler_aws_provider_invalidate      (ScalerAwsProvider          *self,
                                                           const ScalerAwsCredentials *used);
gboolean              scaler_aws_provider_is_static       (ScalerAwsProvider          *self);
const char           *scaler_aws_provider_get_description (ScalerAwsProvider          *self);
/* How many times the resolve function ran successfully. */
guint                 scaler_aws_provider_get_fetches     (ScalerAwsProvider          *self);
void                  scaler_aws_provider_set_clock       (ScalerAwsProvider          *self,
                                                           ScalerAwsClockFunc          clock,
                                                           gpointer                    user_data);

/* The advisory and mandatory windows for credentials that had @lifetime
 * usec left when they were fetched (see above). */
void                  scaler_aws_refresh_windows          (gint64                      lifetime,
                                                           gint64                     *advisory,
                                                           gint64                     *mandatory);
/* Same access key id and session token. */
gboolean              scaler_aws_credentials_equal        (const ScalerAwsCredentials *a,
                                                           const ScalerAwsCredentials *b);

G_END_DECLS
