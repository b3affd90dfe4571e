/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-core.h: one include for users of libscaler-core. */

#pragma once

#include "scaler-types.h"
#include "scaler-error.h"
#include "scaler-config.h"
#include "scaler-cloud.h"
#include "scaler-queue-source.h"
#include "scaler-aws-error.h"
#include "scaler-series.h"
