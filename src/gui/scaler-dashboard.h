/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-dashboard.h: the live view of one autoscaler.
 *
 * A self-contained widget for the main window's content stack: a header with
 * the state, start/stop and "Terminate idle now"; summary figures; three plots
 * (Workers, Usage, Cost with the budget line) with a time-window selector; the
 * Resources and Queues table; the Instances table (copy id, boot log,
 * terminate with confirmation); and the console (ScalerLogView) below the
 * plots in a GtkPaned.
 *
 * How the window uses it:
 *
 *   dashboard = scaler_dashboard_new ();
 *   scaler_dashboard_set_autoscaler (dashboard, autoscaler);  // the selected one
 *   g_signal_connect (dashboard, "toast", ...);                // optional
 *
 * It follows a ScalerClientAutoscaler (the service's object, see
 * scaler-client-autoscaler.h): it asks it to load its history, console
 * backlog and last cycle, shows them at once when they arrived, then follows
 * its CycleFinished, Log and properties. Nothing runs in the app: Start,
 * Stop, Terminate Idle Now, Terminate Instance and the boot log are calls
 * to the service.
 *
 * Actions on the widget (buttons refer to them by name):
 *   dashboard.start, dashboard.stop, dashboard.terminate-idle,
 *   dashboard.window (int: hours shown by the plots: 1, 6, 24, 168),
 *   dashboard.copy-id (s), dashboard.show-boot-log (s),
 *   dashboard.terminate-instance (s: asks for confirmation first).
 *
 * The outcome of an action is reported through "toast" (title, a boolean
 * true-handled signal) so the window can show it in its AdwToastOverlay (if
 * nobody handles "toast", the dashboard adds it to the nearest
 * AdwToastOverlay ancestor itself). Notifications come from the service's
 * Event signal, through the application, not from here.
 */

#pragma once

#include <adwaita.h>

#include "scaler-client-autoscaler.h"
#include "scaler-config.h"
#include "scaler-log-view.h"
#include "scaler-plot.h"

G_BEGIN_DECLS

typedef enum
{
  SCALER_DASHBOARD_PLOT_WORKERS,
  SCALER_DASHBOARD_PLOT_USAGE,
  SCALER_DASHBOARD_PLOT_COST,
} ScalerDashboardPlot;

#define SCALER_TYPE_DASHBOARD (scaler_dashboard_get_type ())

G_DECLARE_FINAL_TYPE (ScalerDashboard, scaler_dashboard, SCALER, DASHBOARD, GtkWidget)

GtkWidget     *scaler_dashboard_new                (void);

/* Nullable. Follows the autoscaler's signals (GSignalGroup); replacing it
 * drops the old one's data from the plots and tables. */
ScalerClientAutoscaler *scaler_dashboard_get_autoscaler (ScalerDashboard        *self);
void           scaler_dashboard_set_autoscaler     (ScalerDashboard        *self,
                                                    ScalerClientAutoscaler *autoscaler);
/* Nullable. The name, region, caps and budget shown; when NULL the
 * autoscaler's config is used. */
ScalerConfig  *scaler_dashboard_get_config         (ScalerDashboard     *self);
void           scaler_dashboard_set_config         (ScalerDashboard     *self,
                                                    ScalerConfig        *config);

/* Hours shown by the plots (1, 6, 24 or 168). */
int            scaler_dashboard_get_window_hours   (ScalerDashboard     *self);
void           scaler_dashboard_set_window_hours   (ScalerDashboard     *self,
                                                    int                  hours);

/* Folds one cycle result into the tables, the summary and the derived series
 * (what CycleFinished does; public for tests and replays). */
void           scaler_dashboard_apply_result       (ScalerDashboard     *self,
                                                    ScalerCycleResult   *result);

/* For tests and the screenshot tool. */
ScalerPlot    *scaler_dashboard_get_plot           (ScalerDashboard     *self,
                                                    ScalerDashboardPlot  plot);
ScalerLogView *scaler_dashboard_get_log_view       (ScalerDashboard     *self);
/* Of ScalerDashboardRow (scaler-dashboard-row.h). */
GListModel    *scaler_dashboard_get_resources_model(ScalerDashboard     *self);
GListModel    *scaler_dashboard_get_instances_model(ScalerDashboard     *self);
/* The state shown in the header ("Running", ...). */
const char    *scaler_dashboard_get_state_text     (ScalerDashboard     *self);

G_END_DECLS
