/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SCALER_TYPE_APPLICATION (scaler_application_get_type ())

G_DECLARE_FINAL_TYPE (ScalerApplication, scaler_application, SCALER, APPLICATION, AdwApplication)

ScalerApplication *scaler_application_new          (void);
GSettings         *scaler_application_get_settings (ScalerApplication *self);

G_END_DECLS
