/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-core.h: one include for users of libscaler-core. */

#pragma once

#include "scaler-types.h"
#include "scaler-error.h"
#include "scaler-config.h"
#include "scaler-config-import.h"
#include "scaler-prices.h"
#include "scaler-credentials.h"
#include "scaler-credentials-memory.h"
#include "scaler-credentials-secret.h"
#include "scaler-instance-store.h"
#include "scaler-cloud.h"
#include "scaler-queue-source.h"
#include "scaler-aws-error.h"
#include "scaler-http.h"
#include "scaler-aws-credentials.h"
#include "scaler-aws-retry.h"
#include "scaler-sigv4.h"
#include "scaler-xml.h"
#include "scaler-ec2.h"
#include "scaler-ec2-cloud.h"
#include "scaler-bootstrap.h"
#include "scaler-clearml.h"
#include "scaler-clearml-source.h"
#include "scaler-series.h"
