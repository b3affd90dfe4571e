/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-preferences-window.h"

struct _ScalerPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  /* Template children */
  AdwComboRow          *color_scheme_row;
  GtkSpinButton        *polling_spin;
};

G_DEFINE_FINAL_TYPE (ScalerPreferencesWindow, scaler_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Combo row positions, in the order of the template's string list. */
static const char * const color_scheme_nicks[] = { "default", "light", "dark" };

static gboolean
color_scheme_to_selected (GValue   *value,
                          GVariant *variant,
                          gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (color_scheme_nicks); i++)
    if (g_strcmp0 (nick, color_scheme_nicks[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
selected_to_color_scheme (const GValue       *value,
                          const GVariantType *expected_type,
                          gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (color_scheme_nicks))
    selected = 0;

  return g_variant_new_string (color_scheme_nicks[selected]);
}

static void
scaler_preferences_window_constructed (GObject *object)
{
  ScalerPreferencesWindow *self = SCALER_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (scaler_preferences_window_parent_class)->constructed (object);

  g_settings_bind_with_mapping (self->settings, "color-scheme",
                                self->color_scheme_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                color_scheme_to_selected, selected_to_color_scheme,
                                NULL, NULL);
  g_settings_bind (self->settings, "default-polling-interval",
                   self->polling_spin, "value", G_SETTINGS_BIND_DEFAULT);
}

static void
scaler_preferences_window_dispose (GObject *object)
{
  ScalerPreferencesWindow *self = SCALER_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (scaler_preferences_window_parent_class)->dispose (object);
}

static void
scaler_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  ScalerPreferencesWindow *self = SCALER_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_preferences_window_class_init (ScalerPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = scaler_preferences_window_constructed;
  object_class->dispose = scaler_preferences_window_dispose;
  object_class->set_property = scaler_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/scaler-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerPreferencesWindow, polling_spin);
}

static void
scaler_preferences_window_init (ScalerPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ScalerPreferencesWindow *
scaler_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (SCALER_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}
