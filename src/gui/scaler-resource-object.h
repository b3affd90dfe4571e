/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "scaler-config.h"

G_BEGIN_DECLS

#define SCALER_TYPE_RESOURCE_OBJECT (scaler_resource_object_get_type ())

G_DECLARE_FINAL_TYPE (ScalerResourceObject, scaler_resource_object, SCALER, RESOURCE_OBJECT, GObject)

/* A GObject around one ScalerResource, so that resources can live in a
 * GListStore. The wrapped resource is owned by the object and replaced as a
 * whole; the "resource" property is notified on every change. */
ScalerResourceObject *scaler_resource_object_new          (ScalerResource       *resource);
const ScalerResource *scaler_resource_object_get_resource (ScalerResourceObject *self);
ScalerResource       *scaler_resource_object_dup_resource (ScalerResourceObject *self);
void                  scaler_resource_object_set_resource (ScalerResourceObject *self,
                                                           ScalerResource       *resource);

G_END_DECLS
