/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-classify.c: scaler_aws_error_classify() (declared in
 * scaler-aws-error.h): the class of an AWS error Code, which is what the
 * engine acts on. Codes are those of the EC2 API Reference ("Error codes")
 * and the AWS SDKs' throttling and transient lists (aws-sdk-js-v3
 * packages/service-error-classification/src/constants.ts); the decision is
 * made on the Code, and only an unknown Code falls back to the HTTP status.
 */

#define G_LOG_DOMAIN "scaler-aws-classify"

#include "config.h"

#include <string.h>

#include "scaler-aws-error.h"

static const char * const throttled_codes[] = {
  "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
  "TooManyRequestsException", "ProvisionedThroughputExceededException",
  "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
  "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
  "EC2ThrottledException",
};

/* Capacity: another zone (or market) may work. "Unsupported" is "this type
 * is not offered in this zone"; "UnsupportedOperation" (a feature, market or
 * parameter the type or AMI does not support) is invalid input below, as
 * another zone does not change it. InsufficientVolumeCapacity and
 * InsufficientCapacityOnOutpost are in the EC2 API reference's server error
 * table next to InsufficientInstanceCapacity. */
static const char * const capacity_codes[] = {
  "InsufficientInstanceCapacity", "InsufficientHostCapacity", "InsufficientCapacity",
  "InsufficientReservedInstanceCapacity", "InsufficientCapacityOnHost",
  "InsufficientFreeAddressesInSubnet", "InsufficientAddressCapacity",
  "InsufficientVolumeCapacity", "InsufficientCapacityOnOutpost",
  "Unsupported", "SpotMaxPriceTooLow",
  "InsufficientInstanceCapacityException",
};

static const char * const quota_codes[] = {
  "VcpuLimitExceeded", "InstanceLimitExceeded", "MaxSpotInstanceCountExceeded",
  "ResourceLimitExceeded", "VolumeLimitExceeded", "MaxIOPSLimitExceeded",
  "AddressLimitExceeded", "InsufficientVcpuLimit",
};

static const char * const auth_codes[] = {
  "AuthFailure", "UnauthorizedOperation", "SignatureDoesNotMatch", "InvalidClientTokenId",
  "IncompleteSignature", "MissingAuthenticationToken", "InvalidSignatureException",
  "AccessDenied", "AccessDeniedException", "ExpiredToken", "ExpiredTokenException",
  "InvalidToken", "UnrecognizedClientException", "OptInRequired", "Blocked",
  "PendingVerification", "UnauthorizedAccess", "MissingAuthenticationTokenException",
  "InvalidAccessKeyId", "AuthFailure.ServiceLinkedRoleCreationNotPermitted",
};

static const char * const clock_skew_codes[] = {
  "RequestExpired", "RequestInTheFuture", "RequestTimeTooSkewed",
};

static const char * const server_codes[] = {
  "InternalError", "InternalFailure", "InternalServerError", "Unavailable",
  "ServiceUnavailable", "ServiceUnavailableException", "RequestTimeout",
  "RequestTimeoutException", "TimeoutError", "ServerInternal", "InternalServiceError",
};

static const char * const not_found_codes[] = {
  "InvalidInstanceID.NotFound", "InvalidReservationID.NotFound",
  "InvalidSpotInstanceRequestID.NotFound", "InvalidVolume.NotFound",
  "InvalidNetworkInterfaceID.NotFound",
};

static gboolean
in_list (const char         *code,
         const char * const *list,
         gsize               n)
{
  for (gsize i = 0; i < n; i++)
    if (strcmp (code, list[i]) == 0)
      return TRUE;

  return FALSE;
}

#define IN(code, list) in_list ((code), (list), G_N_ELEMENTS (list))

ScalerAwsErrorClass
scaler_aws_error_classify (const char *aws_code,
                           guint       http_status)
{
  if (aws_code != NULL && *aws_code != '\0')
    {
      if (IN (aws_code, throttled_codes))
        return SCALER_AWS_ERROR_THROTTLED;
      if (IN (aws_code, capacity_codes))
        return SCALER_AWS_ERROR_CAPACITY;
      if (IN (aws_code, quota_codes))
        return SCALER_AWS_ERROR_QUOTA;
      if (IN (aws_code, clock_skew_codes))
        return SCALER_AWS_ERROR_CLOCK_SKEW;
      if (IN (aws_code, auth_codes))
        return SCALER_AWS_ERROR_AUTH;
      if (IN (aws_code, server_codes))
        return SCALER_AWS_ERROR_SERVER;
      if (IN (aws_code, not_found_codes))
        return SCALER_AWS_ERROR_NOT_FOUND;

      /* Everything else that names a bad parameter or a missing configured
       * object (AMI, security group, key pair, subnet, profile) is an input
       * problem: the request will not succeed unchanged. */
      if (g_str_has_prefix (aws_code, "Invalid") ||
          g_str_has_suffix (aws_code, ".Malformed") ||
          g_str_has_prefix (aws_code, "Missing") ||
          strcmp (aws_code, "IdempotentParameterMismatch") == 0 ||
          strcmp (aws_code, "TagLimitExceeded") == 0 ||
          strcmp (aws_code, "ValidationError") == 0 ||
          strcmp (aws_code, "MalformedQueryString") == 0 ||
          strcmp (aws_code, "NoSuchVersion") == 0 ||
          strcmp (aws_code, "IncorrectInstanceState") == 0 ||
          strcmp (aws_code, "IncorrectState") == 0 ||
          strcmp (aws_code, "UnsupportedOperation") == 0 ||
          strcmp (aws_code, "UnknownParameter") == 0)
        return SCALER_AWS_ERROR_INVALID_INPUT;
      if (g_str_has_suffix (aws_code, ".NotFound"))
        return SCALER_AWS_ERROR_NOT_FOUND;
    }

  /* Unknown (or no) code: the HTTP status decides. */
  if (http_status == 429)
    return SCALER_AWS_ERROR_THROTTLED;
  if (http_status >= 500 && http_status <= 599)
    return SCALER_AWS_ERROR_SERVER;
  if (http_status == 401 || http_status == 403)
    return SCALER_AWS_ERROR_AUTH;
  if (http_status == 404 && (aws_code == NULL || *aws_code == '\0'))
    return SCALER_AWS_ERROR_SERVER;

  return SCALER_AWS_ERROR_FAILED;
}
