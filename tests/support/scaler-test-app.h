/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-test-app.h: the application and its window in the app's tests,
 * against the service of a ScalerTestService (scaler-test-service.h).
 */

#pragma once

#include <adwaita.h>

#include "scaler-application.h"
#include "scaler-machine-row.h"
#include "scaler-sidebar-row.h"
#include "scaler-test-config.h"
#include "scaler-test-service.h"
#include "scaler-window.h"

G_BEGIN_DECLS

/* A registered application that never becomes a remote instance of another
 * test's (NON_UNIQUE), its machines connecting. */
ScalerApplication *scaler_test_app_new            (void);
/* Waits (30 s) until @machine is connected; g_error with its error if not. */
void               scaler_test_wait_connected     (ScalerMachine     *machine);
/* A window for @app, presented and drawn; unref with scaler_test_window_close(). */
ScalerWindow      *scaler_test_window_new         (ScalerApplication *app);
void               scaler_test_window_close       (ScalerWindow      *window);
GtkListBox        *scaler_test_sidebar            (ScalerWindow      *window);
/* The sidebar row of an autoscaler (by id, on any machine), or NULL. */
ScalerSidebarRow  *scaler_test_row_for_id         (ScalerWindow      *window,
                                                   const char        *id);
/* The header row of @machine, or NULL. */
ScalerMachineRow  *scaler_test_header_for         (ScalerWindow      *window,
                                                   ScalerMachine     *machine);
/* Autoscaler rows only (headers are not counted). */
guint              scaler_test_n_autoscaler_rows  (ScalerWindow      *window);
/* Waits (10 s) until @widget is mapped, then (10 s) until its frame clock
 * painted a frame after a redraw was queued. */
void               scaler_test_wait_drawn         (GtkWidget         *widget);
/* Activates a window action with a string target. */
void               scaler_test_activate           (ScalerWindow      *window,
                                                   const char        *action,
                                                   const char        *target);
/* GTK 4.8 sometimes warns "Trying to snapshot GtkGizmo … without a current
 * allocation" when a scroll bar's adjustment moves while a frame is drawn on
 * a loaded machine (the next frame is correct). The app's widgets follow a
 * live service, so this can happen in any window test: that one warning is
 * dropped, every other warning stays fatal. GTK logs structured, so this
 * needs a log writer (g_test_log_set_fatal_handler does not see it). Call
 * before gtk_test_init(). */
void               scaler_test_tolerate_allocation_warning (void);
/* GTK for a test: the warning above tolerated, gtk_test_init(), adw_init()
 * and the app's resources. */
void               scaler_test_gtk_init           (int               *argc,
                                                   char            ***argv);
/* The start of most app tests: a session of their own (a private bus, the
 * built service running on it, used by this process), credentials in memory
 * (hermetic: no keyring), then scaler_test_gtk_init(). */
ScalerTestService *scaler_test_app_init           (int               *argc,
                                                   char            ***argv);
/* A proxy of the test's own on the session's bus (another client). */
ScalerDbusAutoscaler *scaler_test_proxy_for       (ScalerTestService *session,
                                                   const char        *id);
ScalerDbusManager    *scaler_test_manager_proxy   (ScalerTestService *session);

G_END_DECLS
