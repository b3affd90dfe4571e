/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-machine.h"

G_BEGIN_DECLS

#define SCALER_TYPE_MACHINE_ROW (scaler_machine_row_get_type ())

G_DECLARE_FINAL_TYPE (ScalerMachineRow, scaler_machine_row, SCALER, MACHINE_ROW, GtkListBoxRow)

/* The header of a machine's group in the sidebar: "This Computer" or the
 * server's host name, and while it is not connected, why (with Retry).
 * A server's row has a menu: Stop All on this server, Remove Server. Not
 * selectable. Follows @machine through a GSignalGroup. */
GtkWidget     *scaler_machine_row_new         (ScalerMachine    *machine);
ScalerMachine *scaler_machine_row_get_machine (ScalerMachineRow *self);
const char    *scaler_machine_row_get_title   (ScalerMachineRow *self);
/* The status line ("Connecting…", the error), or NULL when connected. */
const char    *scaler_machine_row_get_status  (ScalerMachineRow *self);

G_END_DECLS
