/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-ec2-cloud.h: the ScalerCloud seam (scaler-cloud.h) on real EC2.
 *
 * - list_instances: DescribeInstances filtered on tag:ec2-autoscaler:instance
 *   = config id and instance-state-name pending, running, shutting-down,
 *   stopping, stopped (every page); instances whose tag does not match
 *   exactly are dropped (never touch another config's instances);
 * - launch: one RunInstances (scaler_ec2_run_instances_params) with the
 *   spec's ClientToken, so a retry after a lost answer cannot launch twice;
 * - terminate: TerminateInstances in batches of 50; unknown ids are not errors;
 * - get_spot_prices: latest Linux/UNIX price per (type, zone);
 * - get_console_output: GetConsoleOutput, decoded.
 * Endpoint: config->aws_endpoint when set, else https://ec2.<region>.amazonaws.com/.
 *
 * Threads: the methods block; they may be called from any thread, also
 * concurrently (requests are serialized on one HTTP connection). The config
 * is kept by reference and never modified.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-cloud.h"
#include "scaler-config.h"
#include "scaler-ec2.h"

G_BEGIN_DECLS

#define SCALER_TYPE_EC2_CLOUD (scaler_ec2_cloud_get_type ())
G_DECLARE_FINAL_TYPE (ScalerEc2Cloud, scaler_ec2_cloud, SCALER, EC2_CLOUD, GObject)

/* Credentials: with aws.credentials "environment", the standard AWS chain
 * (scaler-aws-chain.h, with config->aws_profile), fetched on first use and
 * refreshed before it expires (never here: no I/O happens in this call);
 * with "keyring", the static keys of @secrets (+ session token).
 * SCALER_ERROR_CREDENTIALS_MISSING when a keyring config's @secrets has no
 * AWS key pair; SCALER_AWS_ERROR_INVALID_INPUT for a bad region or endpoint. */
ScalerEc2Cloud  *scaler_ec2_cloud_new         (const ScalerConfig  *config,
                                               const ScalerSecrets *secrets,
                                               GError             **error);
ScalerEc2Client *scaler_ec2_cloud_get_client  (ScalerEc2Cloud      *self);

G_END_DECLS
