/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-config.h"

G_BEGIN_DECLS

#define SCALER_TYPE_RESOURCE_DIALOG (scaler_resource_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ScalerResourceDialog, scaler_resource_dialog, SCALER, RESOURCE_DIALOG, AdwWindow)

/* Edits a copy of @resource; "applied" is emitted (then the window closes)
 * when the user applies a valid resource. */
ScalerResourceDialog *scaler_resource_dialog_new          (const ScalerResource *resource,
                                                           const char           *region,
                                                           gboolean              is_new);
ScalerResource       *scaler_resource_dialog_dup_resource (ScalerResourceDialog *self);
gboolean              scaler_resource_dialog_is_valid     (ScalerResourceDialog *self);
/* The row that shows problems of a resource field ("ami_id", "queue", ...). */
GtkWidget            *scaler_resource_dialog_get_field_row (ScalerResourceDialog *self,
                                                            const char           *field);
void                  scaler_resource_dialog_show_types   (ScalerResourceDialog *self);

G_END_DECLS
