/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-sigv4.h: AWS Signature Version 4, as the AWS SigV4 test suite
 * (tests/data/sigv4-vectors) and @smithy/signature-v4 define it.
 *
 * A ScalerSigner signs for one (region, service). It keeps a clock offset
 * (server time - local time) for skew correction and caches derived signing
 * keys per (secret, date, region, service); all of it is thread-safe, so one
 * signer may be shared by threads.
 *
 * The signer signs EVERY header of the request it is given (the caller passes
 * only the headers it wants signed: host, content-type, x-amz-date ...; never
 * User-Agent, Accept or anything libcurl or a proxy may rewrite). When the
 * request has no X-Amz-Date header the signer adds one, and when the
 * credentials carry a session token and the request has no
 * X-Amz-Security-Token header, it adds (and signs) one. Both added headers are
 * in the result's extra_headers, together with Authorization: send them all.
 *
 * Time: one clock read per signature. amz_date and the credential-scope date
 * are formatted from the same instant.
 */

#pragma once

#include <glib.h>

#include "scaler-types.h"
#include "scaler-aws-credentials.h"

G_BEGIN_DECLS

#define SCALER_SIGV4_ALGORITHM   "AWS4-HMAC-SHA256"
#define SCALER_SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct _ScalerSigv4Request ScalerSigv4Request;

typedef struct
{
  char  *amz_date;           /* "20150830T123600Z" */
  char  *credential_scope;   /* "20150830/us-east-1/ec2/aws4_request" */
  char  *canonical_request;
  char  *string_to_sign;
  char  *signed_headers;     /* "content-type;host;x-amz-date" */
  char  *signature;          /* lower-case hex */
  char  *authorization;      /* value of the Authorization header */
  GStrv  extra_headers;      /* "Name: value" lines to send: X-Amz-Date and
                              * X-Amz-Security-Token if added, Authorization */
} ScalerSigv4Result;

/* The request to sign. @path is the raw (unencoded) absolute path ("" = "/");
 * @query the raw query string without '?', nullable. */
ScalerSigv4Request *scaler_sigv4_request_new        (const char          *method,
                                                     const char          *path,
                                                     const char          *query);
void                scaler_sigv4_request_free       (ScalerSigv4Request  *request);
/* Headers in the order they are sent; repeated names are allowed. */
void                scaler_sigv4_request_add_header (ScalerSigv4Request  *request,
                                                     const char          *name,
                                                     const char          *value);
/* The exact body bytes (copied). No payload = empty body. */
void                scaler_sigv4_request_set_payload (ScalerSigv4Request *request,
                                                     const void          *payload,
                                                     gsize                length);

ScalerSigner       *scaler_signer_new               (const char          *region,
                                                     const char          *service);
void                scaler_signer_free              (ScalerSigner        *self);
const char         *scaler_signer_get_region        (ScalerSigner        *self);
const char         *scaler_signer_get_service       (ScalerSigner        *self);
/* Offset added to the local clock, microseconds (server - local). */
void                scaler_signer_set_clock_offset  (ScalerSigner        *self,
                                                     gint64               offset_usec);
gint64              scaler_signer_get_clock_offset  (ScalerSigner        *self);
/* The local clock plus the offset, usec since the epoch. */
gint64              scaler_signer_now               (ScalerSigner        *self);

/*
 * Signs @request. @time_usec is the signing time in usec since the epoch, or
 * 0 to read the clock once (plus the clock offset). If the request already
 * has an X-Amz-Date header, its value decides the date and @time_usec is
 * ignored. Returns NULL only for unusable input (no Host header, bad
 * X-Amz-Date), with SCALER_ERROR_FAILED.
 */
ScalerSigv4Result  *scaler_signer_sign              (ScalerSigner               *self,
                                                     const ScalerAwsCredentials *credentials,
                                                     const ScalerSigv4Request   *request,
                                                     gint64                      time_usec,
                                                     GError                    **error);
void                scaler_sigv4_result_free        (ScalerSigv4Result   *result);

/* The signing key (32 raw bytes into @out), cached per (secret, date, region,
 * service). @datestamp is "YYYYMMDD". */
void                scaler_signer_get_signing_key   (ScalerSigner        *self,
                                                     const char          *secret_access_key,
                                                     const char          *datestamp,
                                                     guint8               out[32]);
/* How many signing keys were derived (not served from the cache); for tests. */
guint               scaler_signer_get_key_derivations (ScalerSigner      *self);

/* Uncached derivation: HMAC-SHA256 chained from "AWS4" + secret over the
 * date, the region, the service and "aws4_request" (botocore/auth.py
 * SigV4Auth.signature). */
void                scaler_sigv4_derive_key         (const char          *secret_access_key,
                                                     const char          *datestamp,
                                                     const char          *region,
                                                     const char          *service,
                                                     guint8               out[32]);
/* Lower-case hex SHA-256 of @data. */
char               *scaler_sigv4_sha256_hex         (const void          *data,
                                                     gsize                length);
/* "YYYYMMDDTHHMMSSZ" for @time_usec. */
char               *scaler_sigv4_format_amz_date    (gint64               time_usec);

/* Pieces of the canonical request, exposed for tests. */
char               *scaler_sigv4_canonical_path     (const char          *path,
                                                     gboolean             normalize);
char               *scaler_sigv4_canonical_query    (const char          *query);

/* The steps of scaler_signer_sign() after the canonical headers, each
 * checked on its own by the AWS test suite (tests/sigv4-vectors.c: from the
 * suite's .creq to its .sts, from its .sts to its .authz).
 * Step 2: method, path, query, headers (each line ending in '\n'), signed
 * header names and the payload's hex SHA-256, one per line. */
char               *scaler_sigv4_canonical_request  (const char          *method,
                                                     const char          *canonical_path,
                                                     const char          *canonical_query,
                                                     const char          *canonical_headers,
                                                     const char          *signed_headers,
                                                     const char          *payload_hash);
/* Step 3: the algorithm, the date, the scope and the canonical request's
 * hex SHA-256, one per line. */
char               *scaler_sigv4_string_to_sign     (const char          *amz_date,
                                                     const char          *credential_scope,
                                                     const char          *canonical_request);
/* Step 4: the hex HMAC-SHA256 of the string to sign with the signing key,
 * and the Authorization header value that carries it. */
char               *scaler_sigv4_signature          (const guint8         signing_key[32],
                                                     const char          *string_to_sign);
char               *scaler_sigv4_authorization      (const char          *access_key_id,
                                                     const char          *credential_scope,
                                                     const char          *signed_headers,
                                                     const char          *signature);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerSigv4Request, scaler_sigv4_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerSigv4Result, scaler_sigv4_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerSigner, scaler_signer_free)

G_END_DECLS
