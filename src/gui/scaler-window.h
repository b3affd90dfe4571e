/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-application.h"

G_BEGIN_DECLS

#define SCALER_TYPE_WINDOW (scaler_window_get_type ())

G_DECLARE_FINAL_TYPE (ScalerWindow, scaler_window, SCALER, WINDOW, AdwApplicationWindow)

ScalerWindow *scaler_window_new             (ScalerApplication *application);
void          scaler_window_add_toast       (ScalerWindow      *self,
                                             const char        *title);
/* The id of the selected autoscaler, or NULL. */
const char   *scaler_window_get_selected_id (ScalerWindow      *self);
/* Selects the sidebar row of an autoscaler; FALSE if there is none. */
gboolean      scaler_window_select_instance (ScalerWindow      *self,
                                             const char        *instance_id);
/* The open wizard or confirmation dialog, if any (tests, screenshots). */
GtkWindow    *scaler_window_get_dialog      (ScalerWindow      *self);
/* Creates the demo autoscaler (or reuses it), selects it and starts it. */
void          scaler_window_try_demo        (ScalerWindow      *self);
/* What Export… writes: the saved JSON of the instance, never its secrets. */
gboolean      scaler_window_export_instance (ScalerWindow      *self,
                                             const char        *instance_id,
                                             const char        *path,
                                             GError           **error);

/* What Import ClearML Configuration… does with the chosen file: imports it
 * and opens a new-autoscaler wizard filled with it (nothing is stored before
 * Create), or shows a dialog with what is wrong. FALSE on failure. */
gboolean      scaler_window_import_clearml  (ScalerWindow      *self,
                                             const char        *path);

G_END_DECLS
