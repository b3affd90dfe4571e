/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-application.h"
#include "scaler-autoscaler-store.h"

G_BEGIN_DECLS

#define SCALER_TYPE_SIDEBAR_ROW (scaler_sidebar_row_get_type ())

G_DECLARE_FINAL_TYPE (ScalerSidebarRow, scaler_sidebar_row, SCALER, SIDEBAR_ROW, GtkListBoxRow)

/* A sidebar row: follows @saved (in-place edits) and the engine the
 * application runs for it. Keeps no state of its own. */
GtkWidget           *scaler_sidebar_row_new          (ScalerAutoscaler *saved,
                                                       ScalerApplication   *application);
ScalerAutoscaler *scaler_sidebar_row_get_instance (ScalerSidebarRow   *self);
const char          *scaler_sidebar_row_get_title    (ScalerSidebarRow   *self);
const char          *scaler_sidebar_row_get_status   (ScalerSidebarRow   *self);
/* "stopped", "starting", "running", "stopping", "error" or "broken". */
const char          *scaler_sidebar_row_get_state    (ScalerSidebarRow   *self);

/* Words for a state and a result, shared with the window's header. */
char                *scaler_instance_describe         (ScalerAutoscaler *saved,
                                                       ScalerEngine        *engine,
                                                       const char         **state);

G_END_DECLS
