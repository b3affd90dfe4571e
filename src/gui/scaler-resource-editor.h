/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-config.h"

G_BEGIN_DECLS

#define SCALER_TYPE_RESOURCE_EDITOR (scaler_resource_editor_get_type ())

G_DECLARE_FINAL_TYPE (ScalerResourceEditor, scaler_resource_editor, SCALER, RESOURCE_EDITOR, AdwBin)

GtkWidget  *scaler_resource_editor_new           (void);
/* A GListStore of ScalerResourceObject, in config order. */
GListModel *scaler_resource_editor_get_model     (ScalerResourceEditor *self);
/* Replaces every item: resources is a GPtrArray of ScalerResource* (copied). */
void        scaler_resource_editor_set_resources (ScalerResourceEditor *self,
                                                  GPtrArray            *resources);
/* A new GPtrArray of ScalerResource* (owned, with a free func). */
GPtrArray  *scaler_resource_editor_dup_resources (ScalerResourceEditor *self);
void        scaler_resource_editor_set_region    (ScalerResourceEditor *self,
                                                  const char           *region);
const char *scaler_resource_editor_get_region    (ScalerResourceEditor *self);

/* The list operations behind the row buttons. */
void        scaler_resource_editor_append        (ScalerResourceEditor *self,
                                                  ScalerResource       *resource);
void        scaler_resource_editor_duplicate     (ScalerResourceEditor *self,
                                                  guint                 position);
void        scaler_resource_editor_remove        (ScalerResourceEditor *self,
                                                  guint                 position);
void        scaler_resource_editor_move          (ScalerResourceEditor *self,
                                                  guint                 position,
                                                  int                   delta);
/* Opens the row editor for a position (G_MAXUINT: a new resource). */
GtkWidget  *scaler_resource_editor_edit          (ScalerResourceEditor *self,
                                                  guint                 position);

/* Validation problems of the whole config: those under resources[N] are shown
 * on row N (error style and message). */
void        scaler_resource_editor_set_problems  (ScalerResourceEditor *self,
                                                  GPtrArray            *problems);
/* The row of a position (the last row is "Add Resource"). */
GtkWidget  *scaler_resource_editor_get_row       (ScalerResourceEditor *self,
                                                  guint                 position);

G_END_DECLS
