/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-credentials-secret.h: ScalerCredentials in the Secret Service
 * (gnome-keyring) through libsecret.
 *
 * Items use the schema "io.github.ec2autoscaler.Autoscaler" (the app id) with
 * the attributes "instance-id" (config UUID) and "kind"
 * (scaler_secret_kind_to_string()), in the default collection, labelled
 * "EC2 Autoscaler: <kind> for <instance id>".
 */

#pragma once

#include <libsecret/secret.h>

#include "scaler-credentials.h"

G_BEGIN_DECLS

#define SCALER_TYPE_CREDENTIALS_SECRET (scaler_credentials_secret_get_type ())

G_DECLARE_FINAL_TYPE (ScalerCredentialsSecret, scaler_credentials_secret, SCALER, CREDENTIALS_SECRET, ScalerCredentials)

ScalerCredentials  *scaler_credentials_secret_new        (void);
const SecretSchema *scaler_credentials_secret_get_schema (void);

G_END_DECLS
