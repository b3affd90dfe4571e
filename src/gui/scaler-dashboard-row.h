/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-dashboard-row.h: one row of a dashboard table (resources, instances).
 *
 * A tiny GObject holding a key (resource name, instance id) and the row's cell
 * texts. The dashboard updates rows in place (set_cells notifies "cells"), so
 * bound cells refresh without the list being rebuilt.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SCALER_TYPE_DASHBOARD_ROW (scaler_dashboard_row_get_type ())

G_DECLARE_FINAL_TYPE (ScalerDashboardRow, scaler_dashboard_row, SCALER, DASHBOARD_ROW, GObject)

ScalerDashboardRow *scaler_dashboard_row_new       (const char         *key);
const char         *scaler_dashboard_row_get_key   (ScalerDashboardRow *self);
/* Cell i, "" when out of range. */
const char         *scaler_dashboard_row_get_cell  (ScalerDashboardRow *self,
                                                    guint               column);
guint               scaler_dashboard_row_get_n_cells (ScalerDashboardRow *self);
/* A style for the row's status cell ("error", "warning", "success", NULL). */
const char         *scaler_dashboard_row_get_style (ScalerDashboardRow *self);
/* Takes cells; emits notify::cells only when something changed. */
void                scaler_dashboard_row_set_cells (ScalerDashboardRow *self,
                                                    GStrv               cells,
                                                    const char         *style);

G_END_DECLS
