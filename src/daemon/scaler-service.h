/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-service.h: ec2-autoscalerd --service, the background service
 * (docs/design.md, "The background service and its D-Bus API").
 *
 * It owns io.github.ec2autoscaler.Autoscaler.Daemon on the session bus, and
 * exports at /io/github/ec2autoscaler/Autoscaler an object manager with the
 * Manager object and one object per saved autoscaler
 * (scaler-service-autoscaler.h). It watches the configuration directory and
 * resumes the autoscalers whose desired state is running. Engines are built
 * and run by the composition root, ScalerEngineRegistry.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs until SIGINT/SIGTERM (exit 0, engines stopped honouring on_stop,
 * desired states kept), or until the bus goes away. A second service on the
 * same bus exits 0 at once, saying the name is taken. 1 when the bus cannot
 * be reached. */
int scaler_service_run (void);

G_END_DECLS
