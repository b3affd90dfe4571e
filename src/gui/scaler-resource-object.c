/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-resource-object"

#include "config.h"

#include "scaler-resource-object.h"

struct _ScalerResourceObject
{
  GObject         parent_instance;

  ScalerResource *resource;
};

G_DEFINE_FINAL_TYPE (ScalerResourceObject, scaler_resource_object, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
scaler_resource_object_finalize (GObject *object)
{
  ScalerResourceObject *self = SCALER_RESOURCE_OBJECT (object);

  g_clear_pointer (&self->resource, scaler_resource_free);

  G_OBJECT_CLASS (scaler_resource_object_parent_class)->finalize (object);
}

static void
scaler_resource_object_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  ScalerResourceObject *self = SCALER_RESOURCE_OBJECT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->resource->name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_resource_object_class_init (ScalerResourceObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scaler_resource_object_finalize;
  object_class->get_property = scaler_resource_object_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
scaler_resource_object_init (ScalerResourceObject *self)
{
}

/**
 * scaler_resource_object_new:
 * @resource: (transfer full): the resource to wrap
 */
ScalerResourceObject *
scaler_resource_object_new (ScalerResource *resource)
{
  ScalerResourceObject *self;

  g_return_val_if_fail (resource != NULL, NULL);

  self = g_object_new (SCALER_TYPE_RESOURCE_OBJECT, NULL);
  self->resource = resource;

  return self;
}

const ScalerResource *
scaler_resource_object_get_resource (ScalerResourceObject *self)
{
  g_return_val_if_fail (SCALER_IS_RESOURCE_OBJECT (self), NULL);

  return self->resource;
}

ScalerResource *
scaler_resource_object_dup_resource (ScalerResourceObject *self)
{
  g_return_val_if_fail (SCALER_IS_RESOURCE_OBJECT (self), NULL);

  return scaler_resource_copy (self->resource);
}

/**
 * scaler_resource_object_set_resource:
 * @resource: (transfer full): the new value
 */
void
scaler_resource_object_set_resource (ScalerResourceObject *self,
                                     ScalerResource       *resource)
{
  g_return_if_fail (SCALER_IS_RESOURCE_OBJECT (self));
  g_return_if_fail (resource != NULL);

  g_clear_pointer (&self->resource, scaler_resource_free);
  self->resource = resource;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}
