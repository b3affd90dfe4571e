/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-service-autoscaler-private.h: shared by scaler-service-autoscaler.c
 * (state, engine, file) and scaler-service-autoscaler-methods.c (the D-Bus
 * methods). */

#pragma once

#include "scaler-service-autoscaler.h"

G_BEGIN_DECLS

/* Lines of the console kept for GetLog (the XML says so too). */
#define SCALER_SERVICE_LOG_LINES 5000

struct _ScalerServiceAutoscaler
{
  GObject                   parent_instance;

  ScalerServiceContext     *ctx;
  ScalerAutoscaler         *item;
  char                     *id;
  char                     *state_dir;          /* NULL when the id is not a UUID */
  ScalerConfig             *config;             /* the last one that loaded, nullable */
  char                     *logged_load_error;  /* so that a load error is logged once */
  ScalerDbusObjectSkeleton *object;
  ScalerDbusAutoscaler     *iface;
  ScalerDesiredState        desired;

  ScalerHistory            *history;            /* the engine appends to it */
  ScalerHistoryStore       *history_store;      /* nullable: then in memory only */
  GQueue                    log;                /* LogEntry*, oldest first */
  ScalerEventWatch         *events;
  ScalerCycleResult        *last_result;        /* nullable */

  ScalerEngine             *engine;             /* nullable; from the registry */
  char                     *start_error;        /* why the last start did not go on */
  gboolean                  starting;
  gboolean                  retired;
  guint                     restart_idle;
};

void      _scaler_service_autoscaler_log             (ScalerServiceAutoscaler *self,
                                                      ScalerLogLevel           level,
                                                      const char              *format,
                                                      ...) G_GNUC_PRINTF (3, 4);
GVariant *_scaler_service_autoscaler_dup_log         (ScalerServiceAutoscaler *self,
                                                      guint                    max_lines);
void      _scaler_service_autoscaler_update_state    (ScalerServiceAutoscaler *self);
/* Starts the engine if it should run and can. */
void      _scaler_service_autoscaler_start           (ScalerServiceAutoscaler *self);
/* The engine stops (honouring on_stop); the desired state is not touched. */
void      _scaler_service_autoscaler_stop            (ScalerServiceAutoscaler *self);
/* self->config (or new secrets) for the running engine, from its next cycle. */
void      _scaler_service_autoscaler_apply_config    (ScalerServiceAutoscaler *self);
void      _scaler_service_autoscaler_connect_methods (ScalerServiceAutoscaler *self);

G_END_DECLS
