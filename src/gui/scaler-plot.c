/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-plot"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "scaler-plot.h"

typedef struct
{
  ScalerSeries    *series;
  char            *label;
  ScalerPlotColor  color;
  ScalerPlotStyle  style;
  gboolean         fill;
  gulong           changed_id;
} PlotSeries;

struct _ScalerPlot
{
  GtkWidget       parent_instance;

  char           *title;
  char           *limit_label;
  GArray         *series;        /* of PlotSeries */
  GTimeSpan       window;
  gint64          end_time;
  double          limit;
  ScalerPlotUnit  unit;

  gboolean        has_hover;
  double          hover_x;
  guint           n_draws;
};

G_DEFINE_FINAL_TYPE (ScalerPlot, scaler_plot, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_WINDOW,
  PROP_LIMIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
scaler_set_str (char       **dest,
                const char  *src)
{
  if (g_strcmp0 (*dest, src) == 0)
    return FALSE;
  g_free (*dest);
  *dest = g_strdup (src);
  return TRUE;
}

static void
plot_series_clear (gpointer data)
{
  PlotSeries *ps = data;

  g_clear_signal_handler (&ps->changed_id, ps->series);
  g_clear_object (&ps->series);
  g_clear_pointer (&ps->label, g_free);
}

static gboolean
lookup_color (GtkStyleContext *context,
              const char      *name,
              GdkRGBA         *color)
{
  return gtk_style_context_lookup_color (context, name, color);
}

void
scaler_plot_colors_from_widget (GtkWidget        *widget,
                                ScalerPlotColors *colors)
{
  static const struct {
    const char *names[2];
    GdkRGBA     fallback;
  } roles[] = {
    [SCALER_PLOT_COLOR_ACCENT]  = { { "accent_bg_color", "blue_3" },      { 0.21, 0.52, 0.89, 1 } },
    [SCALER_PLOT_COLOR_SUCCESS] = { { "success_color", "green_4" },       { 0.15, 0.64, 0.41, 1 } },
    [SCALER_PLOT_COLOR_WARNING] = { { "orange_3", "warning_color" },      { 1.00, 0.47, 0.00, 1 } },
    [SCALER_PLOT_COLOR_ERROR]   = { { "error_color", "red_3" },           { 0.75, 0.11, 0.16, 1 } },
    [SCALER_PLOT_COLOR_PURPLE]  = { { "purple_2", "purple_3" },           { 0.75, 0.38, 0.80, 1 } },
    [SCALER_PLOT_COLOR_NEUTRAL] = { { "window_fg_color", "theme_fg_color" }, { 0.5, 0.5, 0.5, 1 } },
  };
  GtkStyleContext *context;
  gboolean dark;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (colors != NULL);

  /* GtkStyleContext is the 4.8 way (gtk_widget_get_color is 4.10); this
   * helper is the only place that touches it. */
  context = gtk_widget_get_style_context (widget);
  dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  gtk_style_context_get_color (context, &colors->fg);
  colors->grid = colors->fg;
  colors->grid.alpha = dark ? 0.12 : 0.10;

  if (!lookup_color (context, "popover_bg_color", &colors->popover_bg))
    colors->popover_bg = dark ? (GdkRGBA) { 0.22, 0.22, 0.22, 1 } : (GdkRGBA) { 1, 1, 1, 1 };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      if (!lookup_color (context, roles[i].names[0], &colors->roles[i]) &&
          !lookup_color (context, roles[i].names[1], &colors->roles[i]))
        colors->roles[i] = roles[i].fallback;
    }
  colors->roles[SCALER_PLOT_COLOR_NEUTRAL].alpha = 0.55;
}

static void
scaler_plot_series_changed_cb (ScalerPlot *self)
{
  g_assert (SCALER_IS_PLOT (self));

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
scaler_plot_motion_cb (ScalerPlot               *self,
                       double                    x,
                       double                    y,
                       GtkEventControllerMotion *controller)
{
  g_assert (SCALER_IS_PLOT (self));

  self->has_hover = TRUE;
  self->hover_x = x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
scaler_plot_leave_cb (ScalerPlot               *self,
                      GtkEventControllerMotion *controller)
{
  g_assert (SCALER_IS_PLOT (self));

  self->has_hover = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gint64
scaler_plot_get_effective_end_time (ScalerPlot *self)
{
  gint64 end = 0;

  g_return_val_if_fail (SCALER_IS_PLOT (self), 0);

  if (self->end_time != 0)
    return self->end_time;

  for (guint i = 0; i < self->series->len; i++)
    {
      ScalerSeries *series = g_array_index (self->series, PlotSeries, i).series;
      guint n = scaler_series_get_n_samples (series);
      gint64 t;

      if (n == 0)
        continue;
      scaler_series_get_sample (series, n - 1, &t, NULL);
      end = MAX (end, t);
    }

  return end != 0 ? end : g_get_real_time ();
}

static void
scaler_plot_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  ScalerPlot *self = SCALER_PLOT (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autofree ScalerPlotLine *lines = NULL;
  ScalerPlotColors colors;
  ScalerPlotModel model;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  self->n_draws++;
  scaler_plot_colors_from_widget (widget, &colors);

  lines = g_new0 (ScalerPlotLine, MAX (1, self->series->len));
  for (guint i = 0; i < self->series->len; i++)
    {
      const PlotSeries *ps = &g_array_index (self->series, PlotSeries, i);

      lines[i].series = ps->series;
      lines[i].label = ps->label;
      lines[i].color = colors.roles[ps->color];
      lines[i].style = ps->style;
      lines[i].fill = ps->fill;
    }

  scaler_plot_model_init (&model);
  model.title = self->title;
  model.lines = lines;
  model.n_lines = self->series->len;
  model.end_time = scaler_plot_get_effective_end_time (self);
  model.window = self->window;
  model.unit = self->unit;
  model.min_y_max = self->unit == SCALER_PLOT_UNIT_COUNT ? 4.0 : 1.0;
  model.has_limit = self->limit > 0.0;
  model.limit = self->limit;
  model.limit_label = self->limit_label;
  model.fg = colors.fg;
  model.grid = colors.grid;
  model.bg = (GdkRGBA) { 0, 0, 0, 0 };
  model.limit_color = colors.roles[SCALER_PLOT_COLOR_ERROR];
  model.popover_bg = colors.popover_bg;
  model.has_hover = self->has_hover;
  model.hover_x = self->hover_x;
  model.empty_text = _("No data yet");
  model.font = pango_context_get_font_description (gtk_widget_get_pango_context (widget));
  /* The cairo node is recorded, then replayed at the surface's scale. */
  model.scale = gtk_widget_get_scale_factor (widget);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  scaler_plot_render (cr, &model, width, height);
  cairo_destroy (cr);
}

static void
scaler_plot_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 240;
    }
  else
    {
      *minimum = 140;
      *natural = 180;
    }
}

static void
scaler_plot_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (scaler_plot_parent_class)->css_changed (widget, change);
  gtk_widget_queue_draw (widget);
}

static void
scaler_plot_dispose (GObject *object)
{
  ScalerPlot *self = SCALER_PLOT (object);

  if (self->series != NULL)
    g_array_set_size (self->series, 0);

  G_OBJECT_CLASS (scaler_plot_parent_class)->dispose (object);
}

static void
scaler_plot_finalize (GObject *object)
{
  ScalerPlot *self = SCALER_PLOT (object);

  g_clear_pointer (&self->series, g_array_unref);
  g_free (self->title);
  g_free (self->limit_label);

  G_OBJECT_CLASS (scaler_plot_parent_class)->finalize (object);
}

static void
scaler_plot_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ScalerPlot *self = SCALER_PLOT (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_WINDOW:
      g_value_set_int64 (value, self->window);
      break;
    case PROP_LIMIT:
      g_value_set_double (value, self->limit);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_plot_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ScalerPlot *self = SCALER_PLOT (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      scaler_plot_set_title (self, g_value_get_string (value));
      break;
    case PROP_WINDOW:
      scaler_plot_set_window (self, g_value_get_int64 (value));
      break;
    case PROP_LIMIT:
      scaler_plot_set_limit (self, g_value_get_double (value), self->limit_label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_plot_class_init (ScalerPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scaler_plot_dispose;
  object_class->finalize = scaler_plot_finalize;
  object_class->get_property = scaler_plot_get_property;
  object_class->set_property = scaler_plot_set_property;

  widget_class->snapshot = scaler_plot_snapshot;
  widget_class->measure = scaler_plot_measure;
  widget_class->css_changed = scaler_plot_css_changed;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOW] =
    g_param_spec_int64 ("window", NULL, NULL,
                        G_TIME_SPAN_MINUTE, 365 * G_TIME_SPAN_DAY, G_TIME_SPAN_HOUR,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIMIT] =
    g_param_spec_double ("limit", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "plot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
scaler_plot_init (ScalerPlot *self)
{
  GtkEventController *motion;

  self->series = g_array_new (FALSE, TRUE, sizeof (PlotSeries));
  g_array_set_clear_func (self->series, plot_series_clear);
  self->window = G_TIME_SPAN_HOUR;
  self->unit = SCALER_PLOT_UNIT_COUNT;

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_object (motion, "enter", G_CALLBACK (scaler_plot_motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "motion", G_CALLBACK (scaler_plot_motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "leave", G_CALLBACK (scaler_plot_leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
}

GtkWidget *
scaler_plot_new (void)
{
  return g_object_new (SCALER_TYPE_PLOT, NULL);
}

const char *
scaler_plot_get_title (ScalerPlot *self)
{
  g_return_val_if_fail (SCALER_IS_PLOT (self), NULL);

  return self->title;
}

void
scaler_plot_set_title (ScalerPlot *self,
                       const char *title)
{
  g_return_if_fail (SCALER_IS_PLOT (self));

  if (scaler_set_str (&self->title, title))
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title ? title : "",
                                      -1);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
}

ScalerPlotUnit
scaler_plot_get_unit (ScalerPlot *self)
{
  g_return_val_if_fail (SCALER_IS_PLOT (self), SCALER_PLOT_UNIT_COUNT);

  return self->unit;
}

void
scaler_plot_set_unit (ScalerPlot     *self,
                      ScalerPlotUnit  unit)
{
  g_return_if_fail (SCALER_IS_PLOT (self));

  if (self->unit != unit)
    {
      self->unit = unit;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

GTimeSpan
scaler_plot_get_window (ScalerPlot *self)
{
  g_return_val_if_fail (SCALER_IS_PLOT (self), 0);

  return self->window;
}

void
scaler_plot_set_window (ScalerPlot *self,
                        GTimeSpan   window)
{
  g_return_if_fail (SCALER_IS_PLOT (self));
  g_return_if_fail (window > 0);

  if (self->window != window)
    {
      self->window = window;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW]);
    }
}

void
scaler_plot_set_end_time (ScalerPlot *self,
                          gint64      end_time)
{
  g_return_if_fail (SCALER_IS_PLOT (self));

  if (self->end_time != end_time)
    {
      self->end_time = end_time;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

void
scaler_plot_set_limit (ScalerPlot *self,
                       double      limit,
                       const char *label)
{
  gboolean changed;

  g_return_if_fail (SCALER_IS_PLOT (self));

  if (!(limit > 0.0))
    limit = 0.0;

  changed = scaler_set_str (&self->limit_label, label);
  if (self->limit != limit)
    {
      self->limit = limit;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT]);
      changed = TRUE;
    }
  if (changed)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
scaler_plot_get_limit (ScalerPlot *self)
{
  g_return_val_if_fail (SCALER_IS_PLOT (self), 0.0);

  return self->limit;
}

void
scaler_plot_add_series (ScalerPlot      *self,
                        ScalerSeries    *series,
                        const char      *label,
                        ScalerPlotColor  color,
                        ScalerPlotStyle  style,
                        gboolean         fill)
{
  PlotSeries ps = { 0 };

  g_return_if_fail (SCALER_IS_PLOT (self));
  g_return_if_fail (SCALER_IS_SERIES (series));
  g_return_if_fail (color <= SCALER_PLOT_COLOR_NEUTRAL);

  ps.series = g_object_ref (series);
  ps.label = g_strdup (label);
  ps.color = color;
  ps.style = style;
  ps.fill = fill;
  ps.changed_id = g_signal_connect_object (series, "changed",
                                           G_CALLBACK (scaler_plot_series_changed_cb),
                                           self, G_CONNECT_SWAPPED);
  g_array_append_val (self->series, ps);

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
scaler_plot_remove_all_series (ScalerPlot *self)
{
  g_return_if_fail (SCALER_IS_PLOT (self));

  if (self->series->len == 0)
    return;

  g_array_set_size (self->series, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
scaler_plot_get_n_series (ScalerPlot *self)
{
  g_return_val_if_fail (SCALER_IS_PLOT (self), 0);

  return self->series->len;
}

ScalerSeries *
scaler_plot_get_series (ScalerPlot *self,
                        guint       index)
{
  g_return_val_if_fail (SCALER_IS_PLOT (self), NULL);
  g_return_val_if_fail (index < self->series->len, NULL);

  return g_array_index (self->series, PlotSeries, index).series;
}

guint
scaler_plot_get_n_draws (ScalerPlot *self)
{
  g_return_val_if_fail (SCALER_IS_PLOT (self), 0);

  return self->n_draws;
}
