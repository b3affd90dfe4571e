/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-dashboard-row"

#include "config.h"

#include "scaler-dashboard-row.h"

struct _ScalerDashboardRow
{
  GObject  parent_instance;

  char    *key;
  GStrv    cells;
  char    *style;
};

G_DEFINE_FINAL_TYPE (ScalerDashboardRow, scaler_dashboard_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CELLS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
scaler_dashboard_row_finalize (GObject *object)
{
  ScalerDashboardRow *self = SCALER_DASHBOARD_ROW (object);

  g_free (self->key);
  g_strfreev (self->cells);
  g_free (self->style);

  G_OBJECT_CLASS (scaler_dashboard_row_parent_class)->finalize (object);
}

static void
scaler_dashboard_row_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ScalerDashboardRow *self = SCALER_DASHBOARD_ROW (object);

  switch (prop_id)
    {
    case PROP_CELLS:
      g_value_set_boxed (value, self->cells);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_dashboard_row_class_init (ScalerDashboardRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scaler_dashboard_row_finalize;
  object_class->get_property = scaler_dashboard_row_get_property;

  properties[PROP_CELLS] =
    g_param_spec_boxed ("cells", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
scaler_dashboard_row_init (ScalerDashboardRow *self)
{
}

ScalerDashboardRow *
scaler_dashboard_row_new (const char *key)
{
  ScalerDashboardRow *self = g_object_new (SCALER_TYPE_DASHBOARD_ROW, NULL);

  self->key = g_strdup (key ? key : "");

  return self;
}

const char *
scaler_dashboard_row_get_key (ScalerDashboardRow *self)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD_ROW (self), NULL);

  return self->key;
}

const char *
scaler_dashboard_row_get_cell (ScalerDashboardRow *self,
                               guint               column)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD_ROW (self), "");

  if (self->cells == NULL || column >= g_strv_length (self->cells))
    return "";

  return self->cells[column];
}

guint
scaler_dashboard_row_get_n_cells (ScalerDashboardRow *self)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD_ROW (self), 0);

  return self->cells ? g_strv_length (self->cells) : 0;
}

const char *
scaler_dashboard_row_get_style (ScalerDashboardRow *self)
{
  g_return_val_if_fail (SCALER_IS_DASHBOARD_ROW (self), NULL);

  return self->style;
}

void
scaler_dashboard_row_set_cells (ScalerDashboardRow *self,
                                GStrv               cells,
                                const char         *style)
{
  g_return_if_fail (SCALER_IS_DASHBOARD_ROW (self));

  if (self->cells != NULL && cells != NULL &&
      g_strv_equal ((const char * const *) self->cells, (const char * const *) cells) &&
      g_strcmp0 (self->style, style) == 0)
    {
      g_strfreev (cells);
      return;
    }

  g_strfreev (self->cells);
  self->cells = cells;
  g_free (self->style);
  self->style = g_strdup (style);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CELLS]);
}
