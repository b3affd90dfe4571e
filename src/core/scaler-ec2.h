/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-ec2.h: the EC2 Query API client (Version=2016-11-15, POST form
 * bodies signed with SigV4), with the AWS standard retry mode.
 *
 * Every call:
 *   - encodes the parameters per RFC 3986 into a POST body with
 *     "Content-Type: application/x-www-form-urlencoded; charset=utf-8";
 *   - signs content-type, host, x-amz-date (and x-amz-security-token) afresh
 *     on EVERY attempt, with the signer's clock offset;
 *   - retries throttling (500 ms base), 5xx / InternalError / Unavailable /
 *     RequestTimeout and network errors (100 ms base), full jitter after a
 *     20 s cap, a retry-after hint adding at most 5 s, 3 attempts, paid from
 *     the client's retry quota (scaler-aws-retry.h, the JavaScript SDK v3's
 *     standard mode);
 *   - gets its keys from a ScalerAwsProvider before every attempt (static
 *     keys, or the AWS chain, refreshed before they expire);
 *   - corrects the clock from the answer's Date header when it is off by 5
 *     minutes or more (after any answer, as the SDKs do; EC2 accepts 15),
 *     and retries an error that a correction explains (RequestExpired /
 *     RequestTimeTooSkewed / RequestInTheFuture, AuthFailure /
 *     SignatureDoesNotMatch) once, re-signed;
 *   - with temporary credentials, RequestExpired (when the Date shows no
 *     skew) and ExpiredToken mean they expired: new ones are fetched and the
 *     call is tried once more; the error says "temporary ... credentials
 *     expired" when no new ones come;
 *   - never retries capacity, quota, auth, invalid input or not-found errors.
 *     Capacity errors (InsufficientInstanceCapacity, ... at HTTP 500) are
 *     NOT retried on purpose, although both SDKs retry every 500/502/503/504
 *     (botocore retries/standard.py and data/_retry.json; smithy-typescript
 *     TRANSIENT_ERROR_STATUS_CODES): the same zone rarely has capacity a
 *     second later, and the engine moves on to the next zone or market at
 *     once instead (scaler-cycle.c);
 *   - is bounded by a per-attempt timeout and an overall call timeout;
 *   - fails with SCALER_AWS_ERROR (class = code; AWS Code, RequestID and HTTP
 *     status as extended data), or G_IO_ERROR_CANCELLED when cancelled
 *     (also during a backoff sleep).
 * Malformed, truncated, HTML, empty or oversized answers are
 * SCALER_AWS_ERROR_SERVER (retried when the HTTP status is 5xx or the body was
 * cut off). Nothing here logs parameters, user-data or secrets.
 *
 * Threads: a ScalerEc2Client may be called from any thread; calls are
 * serialized on its HTTP handle (one request at a time), and the signer and
 * retry quota are thread-safe.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"
#include "scaler-aws-credentials.h"
#include "scaler-aws-provider.h"
#include "scaler-aws-retry.h"
#include "scaler-cloud.h"
#include "scaler-http.h"
#include "scaler-aws-sigv4.h"
#include "scaler-ec2-xml.h"

G_BEGIN_DECLS

#define SCALER_EC2_API_VERSION            "2016-11-15"
#define SCALER_EC2_CONTENT_TYPE           "application/x-www-form-urlencoded; charset=utf-8"
#define SCALER_EC2_TERMINATE_BATCH        50
#define SCALER_EC2_PAGE_SIZE              1000
#define SCALER_EC2_MAX_USER_DATA          16384
#define SCALER_EC2_DEFAULT_ATTEMPT_TIMEOUT_MS 20000
#define SCALER_EC2_DEFAULT_CALL_TIMEOUT_MS    60000

/* --- parameters --- */

typedef struct _ScalerEc2Params ScalerEc2Params;

/* Starts with Action=@action and Version=2016-11-15. */
ScalerEc2Params *scaler_ec2_params_new          (const char            *action);
void             scaler_ec2_params_free         (ScalerEc2Params       *params);
void             scaler_ec2_params_add          (ScalerEc2Params       *params,
                                                 const char            *key,
                                                 const char            *value);
void             scaler_ec2_params_addf         (ScalerEc2Params       *params,
                                                 const char            *key,
                                                 const char            *format,
                                                 ...) G_GNUC_PRINTF (3, 4);
/* Value of @key, NULL if absent (tests). */
const char      *scaler_ec2_params_get          (const ScalerEc2Params *params,
                                                 const char            *key);
const char      *scaler_ec2_params_get_action   (const ScalerEc2Params *params);
/* "Action=...&Version=...&..." in insertion order, RFC 3986 encoded. */
char            *scaler_ec2_params_encode       (const ScalerEc2Params *params);

/* Every parameter of a RunInstances for @spec (docs/design.md, "Instances it
 * launches"); NULL + SCALER_AWS_ERROR_INVALID_INPUT when the spec cannot be
 * launched (no AMI, no type, user-data above 16384 bytes ...). */
ScalerEc2Params *scaler_ec2_run_instances_params (const ScalerLaunchSpec *spec,
                                                  gboolean                dry_run,
                                                  GError                **error);

/* --- client --- */

typedef struct
{
  guint  calls;              /* scaler_ec2_client_call() invocations */
  guint  attempts;           /* HTTP requests sent */
  guint  retries;            /* attempts after the first */
  guint  clock_corrections;  /* clock offset changes from a Date header */
  gint64 slept_usec;         /* total backoff asked for */
} ScalerEc2Stats;

typedef struct
{
  const char         *name;     /* e.g. "tag:ec2-autoscaler:instance", "instance-state-name" */
  const char * const *values;   /* NULL-terminated, OR-ed */
} ScalerEc2Filter;

/* https://ec2.<region>.<dnsSuffix>/, the suffix of the region's AWS
 * partition (scaler-partitions.h): amazonaws.com, amazonaws.com.cn,
 * amazonaws.eu, c2s.ic.gov, ... */
char            *scaler_ec2_endpoint_for_region (const char            *region);

/* @endpoint: NULL for the region's endpoint, or a URL such as
 * "http://127.0.0.1:PORT". SCALER_AWS_ERROR_INVALID_INPUT for a bad region or
 * endpoint. */
ScalerEc2Client *scaler_ec2_client_new          (const char                 *region,
                                                 const char                 *endpoint,
                                                 const ScalerAwsCredentials *credentials,
                                                 GError                    **error);
/* The same with credentials from @provider (scaler-aws-provider.h): the
 * client asks it for keys before every attempt, and after an answer that
 * says temporary credentials expired (ExpiredToken, ExpiredTokenException,
 * or RequestExpired with a session token while the Date header shows the
 * clock is right) it fetches new ones and tries once more; if none come,
 * the error (class AUTH) says "temporary credentials expired", not that the
 * clock is off. */
ScalerEc2Client *scaler_ec2_client_new_with_provider (const char            *region,
                                                      const char            *endpoint,
                                                      ScalerAwsProvider     *provider,
                                                      GError               **error);
void             scaler_ec2_client_free         (ScalerEc2Client       *self);

const char      *scaler_ec2_client_get_endpoint (ScalerEc2Client       *self);
const char      *scaler_ec2_client_get_region   (ScalerEc2Client       *self);
ScalerHttp      *scaler_ec2_client_get_http     (ScalerEc2Client       *self);
ScalerSigner    *scaler_ec2_client_get_signer   (ScalerEc2Client       *self);
ScalerAwsRetry  *scaler_ec2_client_get_retry    (ScalerEc2Client       *self);
/* Per attempt and per call (all attempts and sleeps); 0 keeps a value. */
void             scaler_ec2_client_set_timeouts (ScalerEc2Client       *self,
                                                 guint                  attempt_ms,
                                                 guint                  call_ms);
void             scaler_ec2_client_get_stats    (ScalerEc2Client       *self,
                                                 ScalerEc2Stats        *stats);

/* One API call with retries. Returns the parsed success answer. */
ScalerEc2Response *scaler_ec2_client_call       (ScalerEc2Client       *self,
                                                 const ScalerEc2Params *params,
                                                 GCancellable          *cancellable,
                                                 GError               **error);

/* --- operations --- */

/* RunInstances of one instance; the instance as EC2 returned it. */
ScalerInstance  *scaler_ec2_run_instance        (ScalerEc2Client        *self,
                                                 const ScalerLaunchSpec *spec,
                                                 GCancellable           *cancellable,
                                                 GError                **error);
/* DescribeInstances with filters (AND-ed), every page (MaxResults=1000).
 * ScalerInstance*. */
GPtrArray       *scaler_ec2_describe_instances  (ScalerEc2Client        *self,
                                                 const ScalerEc2Filter  *filters,
                                                 guint                   n_filters,
                                                 GCancellable           *cancellable,
                                                 GError                **error);
/* DescribeInstances by id (InstanceId.N, 100 per call): every state, the
 * terminated too while EC2 lists them (about an hour). An id EC2 does not
 * know (InvalidInstanceID.NotFound: gone long ago, or launched a moment ago
 * and not visible yet) is left out. ScalerInstance*. */
GPtrArray       *scaler_ec2_describe_instance_ids (ScalerEc2Client      *self,
                                                   const char * const   *instance_ids,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
/* TerminateInstances in batches of 50. An id EC2 does not know
 * (InvalidInstanceID.NotFound: terminated long ago, or never existed) is not
 * a failure: it is dropped from its batch, the rest of the batch is sent
 * again, and the id is reported in @not_found. @changes (nullable) receives
 * the ScalerEc2StateChange* of every terminated id. */
gboolean         scaler_ec2_terminate_instances (ScalerEc2Client        *self,
                                                 const char * const     *instance_ids,
                                                 GPtrArray             **changes,
                                                 GStrv                  *not_found,
                                                 GCancellable           *cancellable,
                                                 GError                **error);
/* Latest Linux/UNIX spot price per (type, zone) of the region
 * (DescribeSpotPriceHistory, StartTime = now, every page). ScalerSpotPrice*. */
GPtrArray       *scaler_ec2_get_spot_prices     (ScalerEc2Client        *self,
                                                 const char * const     *instance_types,
                                                 GCancellable           *cancellable,
                                                 GError                **error);
/* GetConsoleOutput, base64-decoded; "" when there is none yet. Latest=true
 * first, then without it when EC2 refuses (Xen instance types). */
char            *scaler_ec2_get_console_output  (ScalerEc2Client        *self,
                                                 const char             *instance_id,
                                                 GCancellable           *cancellable,
                                                 GError                **error);

/*
 * "Test connection": DryRun DescribeInstances, then (when @config has a
 * resource) a DryRun RunInstances of its first resource with the launch
 * tags. Returns TRUE when both say DryRunOperation (credentials and
 * permissions are good). *verdict (nullable) always gets one sentence a user
 * understands: good, wrong access key, wrong secret, missing permission
 * ec2:XYZ, clock skew, no network / DNS, endpoint unreachable, ... On FALSE,
 * @error holds the underlying error (G_IO_ERROR_CANCELLED when cancelled).
 */
gboolean         scaler_ec2_test_connection     (ScalerEc2Client        *self,
                                                 const ScalerConfig     *config,
                                                 char                  **verdict,
                                                 GCancellable           *cancellable,
                                                 GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerEc2Params, scaler_ec2_params_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerEc2Client, scaler_ec2_client_free)

G_END_DECLS
