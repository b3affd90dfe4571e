/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-error"

#include "config.h"

#include "scaler-error.h"

G_DEFINE_QUARK (scaler-error-quark, scaler_error)
