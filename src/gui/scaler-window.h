/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-application.h"

G_BEGIN_DECLS

#define SCALER_TYPE_WINDOW (scaler_window_get_type ())

G_DECLARE_FINAL_TYPE (ScalerWindow, scaler_window, SCALER, WINDOW, AdwApplicationWindow)

ScalerWindow *scaler_window_new        (ScalerApplication *application);
void          scaler_window_add_toast  (ScalerWindow      *self,
                                        const char        *title);

G_END_DECLS
