/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-events.h: what a person should hear about, decided from an
 * autoscaler's cycles (the Event signal of the service, the notifications of
 * the app):
 *
 *   budget-reached    tasks wait, nothing boots, and one more instance would
 *                     not fit the hourly budget (once, until the cost drops
 *                     below 90 % of the budget again);
 *   launch-failed     a resource started backing off after a failed launch
 *                     (capacity, quota or another refusal);
 *   instance-lost     a live instance of its fleet stopped or went away
 *                     without the autoscaler terminating it (a spot
 *                     interruption, someone else);
 *   bootstrap-failed  instances terminated because their worker never
 *                     registered within max_spin_up_time_min;
 *   failed            the autoscaler entered the failed state (once per
 *                     entry).
 *
 * One ScalerEventWatch per autoscaler keeps what it needs of the previous
 * cycles. Main thread (or any single thread); titles and bodies are
 * translated.
 */

#pragma once

#include <glib.h>

#include "scaler-config.h"
#include "scaler-engine.h"

G_BEGIN_DECLS

typedef enum
{
  SCALER_EVENT_BUDGET_REACHED,
  SCALER_EVENT_LAUNCH_FAILED,
  SCALER_EVENT_INSTANCE_LOST,
  SCALER_EVENT_BOOTSTRAP_FAILED,
  SCALER_EVENT_FAILED,
} ScalerEventKind;

typedef struct
{
  ScalerEventKind  kind;
  char            *title;   /* a short sentence for a notification's title */
  char            *body;    /* what happened and what to do */
} ScalerEvent;

/* "budget-reached", "launch-failed", "instance-lost", "bootstrap-failed", "failed". */
const char       *scaler_event_kind_to_string (ScalerEventKind  kind);
void              scaler_event_free           (ScalerEvent     *event);

typedef struct _ScalerEventWatch ScalerEventWatch;

ScalerEventWatch *scaler_event_watch_new      (void);
void              scaler_event_watch_free     (ScalerEventWatch *self);
/* Forgets the past (a new engine, a restart). */
void              scaler_event_watch_reset    (ScalerEventWatch *self);
/* The events of one finished cycle of @config (ScalerEvent*, maybe none). */
GPtrArray        *scaler_event_watch_observe  (ScalerEventWatch        *self,
                                               const ScalerConfig      *config,
                                               const ScalerCycleResult *result);
/* The state changed: a "failed" event when it is the entry into failed
 * (@failed TRUE after FALSE), else NULL. @name: the autoscaler's name. */
ScalerEvent      *scaler_event_watch_state    (ScalerEventWatch        *self,
                                               const char              *name,
                                               gboolean                 failed,
                                               const char              *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerEvent, scaler_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerEventWatch, scaler_event_watch_free)

G_END_DECLS
