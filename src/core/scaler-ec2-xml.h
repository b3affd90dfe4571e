/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-ec2-xml.h: parser of EC2 Query API answers (the ec2 protocol of botocore
 * botocore/parsers.py EC2QueryParser, element names from
 * botocore/data/ec2/2016-11-15/service-2.json) into plain structs, with
 * GMarkup.
 *
 * One entry point for every answer kind; the root element decides what it is:
 *   <Response>                       an error body: error_code, error_message, request_id
 *   <RunInstancesResponse>           reservation_id, instances
 *   <DescribeInstancesResponse>      instances (every reservation), next_token
 *   <TerminateInstancesResponse>     state_changes
 *   <DescribeSpotPriceHistoryResponse> spot_prices, next_token
 *   <GetConsoleOutputResponse>       instance_id, console_output (base64-decoded)
 *   <XyzResponse> (anything else)    request_id, return_value
 * Unknown elements are ignored (AWS adds fields all the time); list items are
 * dispatched on their parent element; an empty <nextToken/> is absent.
 *
 * Bad input (empty, truncated, malformed, not XML, HTML, not an EC2 answer,
 * nested absurdly deep) fails with SCALER_ERROR_PARSE and a message saying
 * what is wrong; it never crashes or loops. The parser keeps no global state
 * and is safe to use from any thread.
 */

#pragma once

#include <glib.h>

#include "scaler-types.h"

G_BEGIN_DECLS

typedef struct
{
  char *instance_id;
  char *current_state;    /* "shutting-down", "terminated", ... */
  char *previous_state;
} ScalerEc2StateChange;

typedef struct
{
  char   *instance_type;
  char   *availability_zone;
  char   *product_description;   /* "Linux/UNIX", "Windows", ... */
  double  price_usd_per_hour;    /* < 0 if unparsable */
  gint64  timestamp;             /* usec since the epoch, 0 if unknown */
} ScalerEc2SpotPrice;

typedef struct
{
  char      *action;          /* root element minus "Response", e.g. "DescribeInstances"; "" for an error body */
  char      *request_id;      /* requestId or RequestID */
  char      *next_token;      /* NULL when absent or empty */

  /* Error body (<Response><Errors><Error>): the first error. */
  char      *error_code;
  char      *error_message;
  guint      n_errors;

  /* RunInstances / DescribeInstances */
  char      *reservation_id;  /* RunInstances only */
  GPtrArray *instances;       /* ScalerInstance* (never NULL) */

  /* TerminateInstances */
  GPtrArray *state_changes;   /* ScalerEc2StateChange* (never NULL) */

  /* DescribeSpotPriceHistory */
  GPtrArray *spot_prices;     /* ScalerEc2SpotPrice* (never NULL) */

  /* GetConsoleOutput */
  char      *instance_id;
  char      *console_output;  /* decoded; NULL when the answer has no <output> */

  /* Other actions (<return>true</return>) */
  gboolean   return_value;
} ScalerEc2Response;

ScalerEc2Response *scaler_ec2_response_parse     (const char         *data,
                                                  gsize               length,
                                                  GError            **error);
void               scaler_ec2_response_free      (ScalerEc2Response  *response);
gboolean           scaler_ec2_response_is_error  (const ScalerEc2Response *response);

void               scaler_ec2_state_change_free  (ScalerEc2StateChange *change);
void               scaler_ec2_spot_price_free    (ScalerEc2SpotPrice *price);

/* ISO 8601 UTC ("2025-06-01T12:00:00.000Z") to usec since the epoch; 0 if bad. */
gint64             scaler_ec2_parse_timestamp    (const char         *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerEc2Response, scaler_ec2_response_free)

G_END_DECLS
