/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-sidebar-row"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-sidebar-row.h"

struct _ScalerSidebarRow
{
  GtkListBoxRow        parent_instance;

  ScalerAutoscaler *saved;
  ScalerApplication   *application;   /* weak */
  GSignalGroup        *engine_signals;
  const char          *state;

  /* Template children */
  GtkImage            *state_icon;
  GtkLabel            *name_label;
  GtkLabel            *status_label;
  GtkButton           *toggle_button;
  GtkMenuButton       *menu_button;
};

G_DEFINE_FINAL_TYPE (ScalerSidebarRow, scaler_sidebar_row, GTK_TYPE_LIST_BOX_ROW)

static const char * const state_classes[] = {
  "state-stopped", "state-starting", "state-running", "state-stopping", "state-error", "state-broken",
};

char *
scaler_instance_describe (ScalerAutoscaler *saved,
                          ScalerEngine        *engine,
                          const char         **state)
{
  ScalerConfig *config = scaler_autoscaler_get_config (saved);
  ScalerCycleResult *result;
  const char *error_message;

  if (config == NULL)
    {
      *state = "broken";
      return g_strdup_printf (_("Cannot be read: %s"), scaler_autoscaler_get_load_error (saved));
    }

  if (engine == NULL)
    {
      *state = "stopped";
      return g_strdup (config->demo ? _("Stopped · Demo") : _("Stopped"));
    }

  switch (scaler_engine_get_state (engine))
    {
    case SCALER_ENGINE_STATE_STARTING:
      *state = "starting";
      return g_strdup (_("Starting…"));

    case SCALER_ENGINE_STATE_STOPPING:
      *state = "stopping";
      return g_strdup (_("Stopping…"));

    case SCALER_ENGINE_STATE_ERROR:
      *state = "error";
      error_message = scaler_engine_get_error_message (engine);
      return g_strdup (error_message ? error_message : _("Error"));

    case SCALER_ENGINE_STATE_STOPPED:
      *state = "stopped";
      return g_strdup (_("Stopped"));

    case SCALER_ENGINE_STATE_RUNNING:
    default:
      break;
    }

  *state = "running";
  result = scaler_engine_get_last_result (engine);
  if (result == NULL)
    return g_strdup (_("Running"));

  {
    guint live = 0;

    /* Live instances, booting included: the same count as the dashboard. */
    for (guint i = 0; result->resources != NULL && i < result->resources->len; i++)
      live += ((const ScalerResourceRow *) g_ptr_array_index (result->resources, i))->running;

    /* Translators: e.g. "3 running, 1 idle" (instances, idle workers). */
    return g_strdup_printf (_("%u running, %u idle"), live, result->idle_workers);
  }
}

static const char *
state_label (const char *state)
{
  if (g_str_equal (state, "starting"))
    return _("Starting");
  if (g_str_equal (state, "running"))
    return _("Running");
  if (g_str_equal (state, "stopping"))
    return _("Stopping");
  if (g_str_equal (state, "error"))
    return _("Error");
  if (g_str_equal (state, "broken"))
    return _("Cannot be read");

  return _("Stopped");
}

static ScalerEngine *
current_engine (ScalerSidebarRow *self)
{
  if (self->application == NULL)
    return NULL;

  return scaler_application_get_engine (self->application, scaler_autoscaler_get_id (self->saved));
}

static void
update (ScalerSidebarRow *self)
{
  ScalerEngine *engine = current_engine (self);
  g_autofree char *status = NULL;
  const char *state = "stopped";
  const char *id = scaler_autoscaler_get_id (self->saved);
  gboolean broken = scaler_autoscaler_is_broken (self->saved);
  gboolean running = engine != NULL;

  status = scaler_instance_describe (self->saved, engine, &state);
  self->state = state;

  gtk_label_set_text (self->name_label, scaler_autoscaler_get_name (self->saved));
  gtk_label_set_text (self->status_label, status);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), status);

  for (guint i = 0; i < G_N_ELEMENTS (state_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), state_classes[i]);
  {
    g_autofree char *klass = g_strconcat ("state-", state, NULL);

    gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), klass);
  }
  gtk_image_set_from_icon_name (self->state_icon,
                                broken ? "dialog-error-symbolic" :
                                g_str_equal (state, "error") ? "dialog-warning-symbolic" :
                                "media-record-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_icon), state_label (state));

  if (broken || g_str_equal (state, "error"))
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");

  gtk_widget_set_visible (GTK_WIDGET (self->toggle_button), !broken);
  gtk_button_set_icon_name (self->toggle_button,
                            running ? "media-playback-stop-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->toggle_button), running ? _("Stop") : _("Start"));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->toggle_button), "s", id);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->toggle_button),
                                  running ? "win.stop-autoscaler" : "win.start-autoscaler");
}

static GMenuModel *
build_menu (ScalerSidebarRow *self)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();
  g_autoptr(GMenu) danger = g_menu_new ();
  const char *id = scaler_autoscaler_get_id (self->saved);
  g_autoptr(GMenuItem) item = NULL;

#define ADD(m, label, action) \
  G_STMT_START { \
    g_autoptr(GMenuItem) it = g_menu_item_new (label, NULL); \
    g_menu_item_set_action_and_target (it, action, "s", id); \
    g_menu_append_item (m, it); \
  } G_STMT_END

  if (scaler_autoscaler_is_broken (self->saved))
    {
      ADD (section, _("_Show File"), "win.show-autoscaler-file");
    }
  else
    {
      ADD (section, _("_Edit…"), "win.edit-autoscaler");
      ADD (section, _("D_uplicate"), "win.duplicate-autoscaler");
      ADD (section, _("E_xport…"), "win.export-autoscaler");
    }
  ADD (danger, _("_Delete…"), "win.delete-autoscaler");
#undef ADD

  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (danger));

  return G_MENU_MODEL (menu);
}

static void
saved_changed_cb (ScalerSidebarRow *self)
{
  g_autoptr(GMenuModel) menu = build_menu (self);

  gtk_menu_button_set_menu_model (self->menu_button, menu);
  update (self);
}

static void
engine_changed_cb (ScalerSidebarRow *self,
                   const char        *instance_id)
{
  if (g_strcmp0 (instance_id, scaler_autoscaler_get_id (self->saved)) != 0)
    return;

  g_signal_group_set_target (self->engine_signals, current_engine (self));
  update (self);
}

static void
scaler_sidebar_row_dispose (GObject *object)
{
  ScalerSidebarRow *self = SCALER_SIDEBAR_ROW (object);

  if (self->engine_signals != NULL)
    g_signal_group_set_target (self->engine_signals, NULL);
  g_clear_object (&self->engine_signals);
  g_clear_weak_pointer (&self->application);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_SIDEBAR_ROW);
  g_clear_object (&self->saved);

  G_OBJECT_CLASS (scaler_sidebar_row_parent_class)->dispose (object);
}

static void
scaler_sidebar_row_class_init (ScalerSidebarRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scaler_sidebar_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-sidebar-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerSidebarRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, ScalerSidebarRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerSidebarRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerSidebarRow, toggle_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerSidebarRow, menu_button);
}

static void
scaler_sidebar_row_init (ScalerSidebarRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->engine_signals = g_signal_group_new (SCALER_TYPE_ENGINE);
  g_signal_group_connect_swapped (self->engine_signals, "notify::state", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::error-message", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->engine_signals, "cycle-finished", G_CALLBACK (update), self);
}

GtkWidget *
scaler_sidebar_row_new (ScalerAutoscaler *saved,
                         ScalerApplication   *application)
{
  ScalerSidebarRow *self;

  g_return_val_if_fail (SCALER_IS_AUTOSCALER (saved), NULL);
  g_return_val_if_fail (application == NULL || SCALER_IS_APPLICATION (application), NULL);

  self = g_object_new (SCALER_TYPE_SIDEBAR_ROW, NULL);
  self->saved = g_object_ref (saved);
  g_set_weak_pointer (&self->application, application);

  g_signal_connect_object (saved, "notify::config", G_CALLBACK (saved_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (saved, "notify::name", G_CALLBACK (saved_changed_cb), self, G_CONNECT_SWAPPED);
  if (application != NULL)
    {
      g_signal_connect_object (application, "engine-changed", G_CALLBACK (engine_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_group_set_target (self->engine_signals, current_engine (self));
    }

  saved_changed_cb (self);

  return GTK_WIDGET (self);
}

ScalerAutoscaler *
scaler_sidebar_row_get_instance (ScalerSidebarRow *self)
{
  g_return_val_if_fail (SCALER_IS_SIDEBAR_ROW (self), NULL);

  return self->saved;
}

const char *
scaler_sidebar_row_get_title (ScalerSidebarRow *self)
{
  g_return_val_if_fail (SCALER_IS_SIDEBAR_ROW (self), NULL);

  return gtk_label_get_text (self->name_label);
}

const char *
scaler_sidebar_row_get_status (ScalerSidebarRow *self)
{
  g_return_val_if_fail (SCALER_IS_SIDEBAR_ROW (self), NULL);

  return gtk_label_get_text (self->status_label);
}

const char *
scaler_sidebar_row_get_state (ScalerSidebarRow *self)
{
  g_return_val_if_fail (SCALER_IS_SIDEBAR_ROW (self), NULL);

  return self->state;
}
