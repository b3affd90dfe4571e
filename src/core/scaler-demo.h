/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-demo.h: the demo autoscaler ("Try the Demo"): a config that runs on
 * the built-in simulator (config->demo), with no account and no secrets.
 * ScalerEngineRegistry builds its engine; the GUI and the service create it.
 */

#pragma once

#include "scaler-config.h"

G_BEGIN_DECLS

/* A new demo config (new id, name "Demo"): two resources (CPU, GPU spot) on
 * two queues, a small budget, moving within seconds. */
ScalerConfig *scaler_demo_config_new (void);

G_END_DECLS
