/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-service-autoscaler.h: one saved autoscaler on the bus
 * (io.github.ec2autoscaler.Autoscaler1.Autoscaler), inside the background
 * service (scaler-service.h).
 *
 * It follows its store item (the config file) and its engine (from the
 * ScalerEngineRegistry, which builds and runs it), and keeps, under its
 * state directory, the desired state and the plots' history; in memory, the
 * console's backlog and the last cycle. It turns the engine's signals into
 * properties (PropertiesChanged), Log, CycleFinished and Event, and answers
 * the interface's methods. Main thread only.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-core.h"
#include "scaler-dbus-generated.h"

G_BEGIN_DECLS

/* Shared by the service's autoscalers; owned by the service, outlives them. */
typedef struct
{
  ScalerEngineRegistry  *registry;
  ScalerAutoscalerStore *store;
  ScalerCredentials     *keyring;    /* nullable: no Secret Service in the session */
  ScalerCredentials     *file;       /* 0600 files: a fallback, and where secrets go without a keyring */
  gboolean               stopping;   /* SIGTERM: engines stop, desired states stay, nothing starts */
  gboolean               show_debug; /* debug lines on stdout too */
} ScalerServiceContext;

#define SCALER_TYPE_SERVICE_AUTOSCALER (scaler_service_autoscaler_get_type ())
G_DECLARE_FINAL_TYPE (ScalerServiceAutoscaler, scaler_service_autoscaler, SCALER, SERVICE_AUTOSCALER, GObject)

ScalerServiceAutoscaler *scaler_service_autoscaler_new        (ScalerServiceContext    *ctx,
                                                               ScalerAutoscaler        *item);
ScalerAutoscaler        *scaler_service_autoscaler_get_item   (ScalerServiceAutoscaler *self);
/* The object to export (one interface: Autoscaler). */
GDBusObjectSkeleton     *scaler_service_autoscaler_get_object (ScalerServiceAutoscaler *self);
/* Starts the engine when the desired state is running (the service's
 * start, and a file that appeared). */
void                     scaler_service_autoscaler_resume     (ScalerServiceAutoscaler *self);
/* Its file went away, or it was deleted: it stops (honouring on_stop);
 * the desired state stays as it is. */
void                     scaler_service_autoscaler_retire     (ScalerServiceAutoscaler *self);
/* Sets and durably records the desired state (StopAll, Start, Stop). */
gboolean                 scaler_service_autoscaler_set_desired (ScalerServiceAutoscaler *self,
                                                                ScalerDesiredState       desired,
                                                                GError                 **error);
/* Writes the history samples still in memory. */
void                     scaler_service_autoscaler_flush      (ScalerServiceAutoscaler *self);

G_END_DECLS
