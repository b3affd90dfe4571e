/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SCALER_TYPE_PREFERENCES_WINDOW (scaler_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (ScalerPreferencesWindow, scaler_preferences_window, SCALER, PREFERENCES_WINDOW, AdwPreferencesWindow)

ScalerPreferencesWindow *scaler_preferences_window_new (GSettings *settings);

G_END_DECLS
