/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-client-autoscaler.h"

G_BEGIN_DECLS

#define SCALER_TYPE_SIDEBAR_ROW (scaler_sidebar_row_get_type ())

G_DECLARE_FINAL_TYPE (ScalerSidebarRow, scaler_sidebar_row, SCALER, SIDEBAR_ROW, GtkListBoxRow)

/* A sidebar row: follows @autoscaler (the service's properties, updated in
 * place) through a GSignalGroup, as gnome-text-editor's sidebar rows follow
 * their document. Keeps no state of its own; its buttons and menu refer to
 * window actions by name, with the autoscaler's key as target. */
GtkWidget              *scaler_sidebar_row_new            (ScalerClientAutoscaler *autoscaler);
ScalerClientAutoscaler *scaler_sidebar_row_get_autoscaler (ScalerSidebarRow       *self);
const char             *scaler_sidebar_row_get_title      (ScalerSidebarRow       *self);
const char             *scaler_sidebar_row_get_status     (ScalerSidebarRow       *self);
/* "stopped", "starting", "running", "stopping", "error" or "broken". */
const char             *scaler_sidebar_row_get_state      (ScalerSidebarRow       *self);

/* Words for the state of an autoscaler, shared with the window's header;
 * @state gets one of the states above. */
char                   *scaler_sidebar_describe           (ScalerClientAutoscaler *autoscaler,
                                                           const char            **state);

G_END_DECLS
