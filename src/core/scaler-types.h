/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-types.h: forward declarations of every type of libscaler-core. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Configuration (scaler-config.h) */
typedef struct _ScalerConfig        ScalerConfig;
typedef struct _ScalerResource      ScalerResource;
typedef struct _ScalerTag           ScalerTag;
typedef struct _ScalerSecrets       ScalerSecrets;
typedef struct _ScalerConfigProblem ScalerConfigProblem;

/* Saved autoscalers and credentials */
typedef struct _ScalerAutoscalerStore ScalerAutoscalerStore;
typedef struct _ScalerAutoscaler ScalerAutoscaler;
typedef struct _ScalerCredentials   ScalerCredentials;

/* Prices (scaler-prices.h) */
typedef struct _ScalerPriceTable    ScalerPriceTable;
typedef struct _ScalerInstanceTypeInfo ScalerInstanceTypeInfo;

/* The two seams (scaler-cloud.h, scaler-queue-source.h) */
typedef struct _ScalerCloud         ScalerCloud;
typedef struct _ScalerInstance      ScalerInstance;
typedef struct _ScalerLaunchSpec    ScalerLaunchSpec;
typedef struct _ScalerQueueSource   ScalerQueueSource;
typedef struct _ScalerWorker        ScalerWorker;

/* AWS (scaler-aws-sigv4.h, scaler-http.h, scaler-ec2.h) */
typedef struct _ScalerAwsCredentials ScalerAwsCredentials;
typedef struct _ScalerSigner        ScalerSigner;
typedef struct _ScalerHttp          ScalerHttp;
typedef struct _ScalerEc2Client     ScalerEc2Client;

/* ClearML (scaler-clearml.h) */
typedef struct _ScalerClearmlClient ScalerClearmlClient;

/* Scaling (scaler-policy.h, scaler-engine.h, scaler-history.h, scaler-sim.h) */
typedef struct _ScalerSnapshot      ScalerSnapshot;
typedef struct _ScalerLedger        ScalerLedger;
typedef struct _ScalerPlan          ScalerPlan;
typedef struct _ScalerEngine        ScalerEngine;
typedef struct _ScalerCycleResult   ScalerCycleResult;
typedef struct _ScalerHistory       ScalerHistory;
typedef struct _ScalerSeries        ScalerSeries;
typedef struct _ScalerSim           ScalerSim;

G_END_DECLS
