/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ScalerError:
 * General errors of libscaler-core. Errors of the AWS client live in their own
 * domain (SCALER_AWS_ERROR, scaler-aws-error.h), errors of the ClearML client in
 * SCALER_CLEARML_ERROR (scaler-clearml.h).
 */
typedef enum
{
  SCALER_ERROR_FAILED,
  SCALER_ERROR_INVALID_CONFIG,      /* the config does not validate */
  SCALER_ERROR_PARSE,               /* malformed input (JSON, YAML, XML, ...) */
  SCALER_ERROR_CREDENTIALS_MISSING, /* a required secret is not available */
  SCALER_ERROR_IO,                  /* a file could not be read or written */
  SCALER_ERROR_TOO_LARGE,           /* e.g. user-data above EC2's 16 KB limit */
} ScalerError;

#define SCALER_ERROR (scaler_error_quark ())

GQuark scaler_error_quark (void);

G_END_DECLS
