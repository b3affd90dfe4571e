/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-application.h"
#include "scaler-dashboard.h"

G_BEGIN_DECLS

#define SCALER_TYPE_WINDOW (scaler_window_get_type ())

G_DECLARE_FINAL_TYPE (ScalerWindow, scaler_window, SCALER, WINDOW, AdwApplicationWindow)

/* The main window: a view of the application's machines (this computer's
 * background service, then each server): their autoscalers in the sidebar,
 * grouped under a header per machine, and the selected one's dashboard.
 * Autoscalers are named by their key (scaler_client_autoscaler_dup_key():
 * the id on this computer, "<server>/<id>" on a server). */
ScalerWindow *scaler_window_new             (ScalerApplication *application);
/* @title is shown as it is (not markup). */
void          scaler_window_add_toast       (ScalerWindow      *self,
                                             const char        *title);
/* The id of the selected autoscaler, or NULL. */
const char   *scaler_window_get_selected_id (ScalerWindow      *self);
/* (nullable) (transfer none) */
ScalerClientAutoscaler *scaler_window_get_selected (ScalerWindow *self);
/* Selects the sidebar row of an autoscaler; FALSE if there is none. */
gboolean      scaler_window_select_instance (ScalerWindow      *self,
                                             const char        *key);
/* The open wizard, confirmation or server dialog, if any (tests, screenshots). */
GtkWindow    *scaler_window_get_dialog      (ScalerWindow      *self);
ScalerDashboard *scaler_window_get_dashboard (ScalerWindow     *self);
/* The page the content shows: "connecting", "unreachable", "empty",
 * "dashboard" or "broken". */
const char   *scaler_window_get_content_page (ScalerWindow     *self);
/* Creates the demo autoscaler on this computer's service (or reuses it),
 * selects it and starts it. */
void          scaler_window_try_demo        (ScalerWindow      *self);
/* What Export… writes: the saved JSON of the autoscaler, never its secrets. */
gboolean      scaler_window_export_instance (ScalerWindow      *self,
                                             const char        *key,
                                             const char        *path,
                                             GError           **error);

/* What Import ClearML Configuration… does with the chosen file: imports it
 * and opens a new-autoscaler wizard filled with it (nothing is stored before
 * Create), or shows a dialog with what is wrong. FALSE on failure. */
gboolean      scaler_window_import_clearml  (ScalerWindow      *self,
                                             const char        *path);

G_END_DECLS
