/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-error.h: the AWS error domain.
 *
 * CONTRACT: the GError code is the CLASS of the error, which is what the engine
 * acts on. The AWS details (Code such as "InsufficientInstanceCapacity",
 * RequestID, HTTP status) travel with the GError as extended error data
 * (G_DEFINE_EXTENDED_ERROR) and are read with the getters below. The simulated
 * cloud raises the same errors so the policy cannot tell them apart.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SCALER_AWS_ERROR_FAILED,         /* anything not classified below */
  SCALER_AWS_ERROR_THROTTLED,      /* RequestLimitExceeded, Throttling, 429, ... */
  SCALER_AWS_ERROR_CAPACITY,       /* InsufficientInstanceCapacity, Unsupported (zone/market), ... */
  SCALER_AWS_ERROR_QUOTA,          /* VcpuLimitExceeded, InstanceLimitExceeded, MaxSpotInstanceCountExceeded */
  SCALER_AWS_ERROR_AUTH,           /* AuthFailure, UnauthorizedOperation, SignatureDoesNotMatch, ... */
  SCALER_AWS_ERROR_INVALID_INPUT,  /* InvalidParameterValue, InvalidAMIID.*, ... */
  SCALER_AWS_ERROR_NOT_FOUND,      /* InvalidInstanceID.NotFound, ... */
  SCALER_AWS_ERROR_SERVER,         /* 5xx, InternalError, Unavailable, bad/HTML/truncated bodies */
  SCALER_AWS_ERROR_NETWORK,        /* connect/DNS/timeout/TLS: no answer from AWS */
  SCALER_AWS_ERROR_CLOCK_SKEW,     /* RequestExpired / RequestTimeTooSkewed after correction */
} ScalerAwsErrorClass;

#define SCALER_AWS_ERROR (scaler_aws_error_quark ())

GQuark      scaler_aws_error_quark           (void);

/* Sets *error (if error != NULL) with class, AWS code, message, request id and
 * HTTP status (0 if there was no HTTP answer). The GError message is
 * "<Code>: <Message>" in words a user can act on. */
void        scaler_aws_error_set             (GError            **error,
                                              ScalerAwsErrorClass  error_class,
                                              const char          *aws_code,
                                              const char          *message,
                                              const char          *request_id,
                                              guint                http_status);

/* Details of a SCALER_AWS_ERROR GError; NULL/0 for other errors. */
const char *scaler_aws_error_get_aws_code    (const GError       *error);
const char *scaler_aws_error_get_request_id  (const GError       *error);
guint       scaler_aws_error_get_http_status (const GError       *error);

/* The class of an AWS error Code (and HTTP status when the code is unknown). */
ScalerAwsErrorClass scaler_aws_error_classify (const char        *aws_code,
                                               guint              http_status);

const char *scaler_aws_error_class_to_string (ScalerAwsErrorClass error_class);

G_END_DECLS
