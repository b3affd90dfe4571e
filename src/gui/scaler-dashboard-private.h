/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-dashboard-private.h: the dashboard is split over
 * scaler-dashboard.c (the widget, its plots, the autoscaler's signals,
 * the actions and the public API), scaler-dashboard-header.c (title, state,
 * buttons, error banner and the summary cards), scaler-dashboard-tables.c
 * (the resource and instance tables) and scaler-dashboard-boot-log.c (an
 * instance's console output in a window of its own).
 */

#pragma once

#include <adwaita.h>

#include "scaler-dashboard.h"
#include "scaler-policy.h"

G_BEGIN_DECLS

struct _ScalerDashboard
{
  GtkWidget      parent_instance;

  /* Template children */
  GtkPaned      *paned;
  GtkLabel      *title_label;
  GtkLabel      *state_label;
  GtkLabel      *subtitle_label;
  GtkButton     *terminate_idle_button;
  GtkButton     *start_stop_button;
  GtkRevealer   *error_revealer;
  GtkLabel      *error_label;
  GtkLabel      *instances_value;
  GtkLabel      *instances_detail;
  GtkLabel      *workers_value;
  GtkLabel      *workers_detail;
  GtkLabel      *pending_value;
  GtkLabel      *pending_detail;
  GtkLabel      *cost_value;
  GtkLabel      *cost_detail;
  ScalerPlot    *workers_plot;
  ScalerPlot    *usage_plot;
  ScalerPlot    *cost_plot;
  GtkStack      *resources_stack;
  GtkStack      *instances_stack;
  GtkColumnView *resources_view;
  GtkColumnView *instances_view;
  ScalerLogView *log_view;

  ScalerClientAutoscaler *autoscaler;
  GSignalGroup  *signals;          /* of the autoscaler */
  ScalerConfig  *config;
  GListStore    *resources_store;
  GListStore    *instances_store;
  /* Derived from the history: live instances and pending tasks, summed. */
  ScalerSeries  *running_series;
  ScalerSeries  *pending_series;
  GCancellable  *cancellable;

  const char    *state_text;
  const char    *state_class;
  int            window_hours;
  gboolean       have_result;      /* the tables show a result of the service */
  gboolean       filled;           /* history, backlog and last result shown */
};

/* scaler-dashboard-header.c */
void     _scaler_dashboard_update_header              (ScalerDashboard   *self);
void     _scaler_dashboard_clear_summary              (ScalerDashboard   *self);
void     _scaler_dashboard_update_summary             (ScalerDashboard   *self,
                                                       ScalerCycleResult *result);
/* The sum of the resources' max_instances; 0 without a config. */
guint    _scaler_dashboard_config_max_instances       (ScalerConfig      *config);

/* scaler-dashboard-tables.c */
void     _scaler_dashboard_setup_tables               (ScalerDashboard   *self);
/* Before the first result: the configured resources, nothing running. */
void     _scaler_dashboard_show_configured_resources  (ScalerDashboard   *self);
/* The tables of a cycle's result. */
void     _scaler_dashboard_update_tables              (ScalerDashboard   *self,
                                                       ScalerCycleResult *result);

/* scaler-dashboard-boot-log.c */
void     _scaler_dashboard_show_boot_log              (ScalerDashboard   *self,
                                                       const char        *instance_id);

G_END_DECLS
