/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The dashboard's header (name, state, Start/Stop, the error banner) and its
 * summary cards (instances, workers, pending tasks, cost).
 */

#define G_LOG_DOMAIN "scaler-dashboard"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-dashboard-private.h"

static const char *
config_name (ScalerDashboard *self)
{
  ScalerConfig *config = scaler_dashboard_get_config (self);

  if (config != NULL && config->name != NULL && config->name[0] != '\0')
    return config->name;

  return _("Autoscaler");
}

guint
_scaler_dashboard_config_max_instances (ScalerConfig *config)
{
  guint total = 0;

  if (config == NULL)
    return 0;
  for (guint i = 0; i < config->resources->len; i++)
    total += ((ScalerResource *) g_ptr_array_index (config->resources, i))->max_instances;

  return total;
}

/* --- header --------------------------------------------------------------- */

static const char *
service_state (ScalerDashboard *self)
{
  return self->autoscaler != NULL ? scaler_client_autoscaler_get_state (self->autoscaler) : "stopped";
}

/* The state pill: its text (also scaler_dashboard_get_state_text()) and style. */
static void
update_state_pill (ScalerDashboard *self,
                   const char      *state)
{
  const char *classes[] = { "state-pill", NULL, NULL };

  if (g_str_equal (state, "starting"))
    {
      self->state_text = _("Starting");
      self->state_class = "starting";
    }
  else if (g_str_equal (state, "running"))
    {
      self->state_text = _("Running");
      self->state_class = "running";
    }
  else if (g_str_equal (state, "stopping"))
    {
      self->state_text = _("Stopping");
      self->state_class = "starting";
    }
  else if (g_str_equal (state, "failed"))
    {
      self->state_text = _("Error");
      self->state_class = "error";
    }
  else
    {
      self->state_text = _("Stopped");
      self->state_class = "stopped";
    }
  gtk_label_set_text (self->state_label, self->state_text);
  classes[1] = self->state_class;
  gtk_widget_set_css_classes (GTK_WIDGET (self->state_label), classes);
}

/* Which actions apply, and the Start/Stop button. */
static void
update_actions (ScalerDashboard *self,
                ScalerConfig    *config,
                gboolean         stopped)
{
  /* Failed while it should run: the engine keeps retrying, Stop stops it. */
  gboolean active = self->autoscaler != NULL && scaler_client_autoscaler_is_active (self->autoscaler);
  gboolean can_start = self->autoscaler != NULL && !active && config != NULL;
  gboolean can_stop = self->autoscaler != NULL && active;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.start", can_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.stop", can_stop);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.terminate-idle", can_stop && !stopped);
  /* The service terminates only while it runs (it checks again itself). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.terminate-instance", can_stop && !stopped);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.show-boot-log", self->autoscaler != NULL);

  if (!active)
    {
      gtk_button_set_label (self->start_stop_button, _("Start"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->start_stop_button), "dashboard.start");
      gtk_widget_add_css_class (GTK_WIDGET (self->start_stop_button), "suggested-action");
    }
  else
    {
      gtk_button_set_label (self->start_stop_button, _("Stop"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->start_stop_button), "dashboard.stop");
      gtk_widget_remove_css_class (GTK_WIDGET (self->start_stop_button), "suggested-action");
    }
}

/* "eu-west-1 · 2 resources · polls every 1 min"; hidden without a config. */
static void
update_subtitle (ScalerDashboard *self,
                 ScalerConfig    *config)
{
  g_autoptr(GString) subtitle = g_string_new (NULL);

  if (config != NULL)
    {
      if (config->demo)
        g_string_append (subtitle, _("Built-in simulator"));
      else
        g_string_append (subtitle, config->aws_region);
      g_string_append (subtitle, " · ");
      g_string_append_printf (subtitle,
                              g_dngettext (GETTEXT_PACKAGE, "%u resource", "%u resources", config->resources->len),
                              config->resources->len);
      g_string_append (subtitle, " · ");
      if (config->polling_interval_time_min >= 1.0)
        g_string_append_printf (subtitle, _("polls every %g min"), config->polling_interval_time_min);
      else
        g_string_append_printf (subtitle, _("polls every %g s"), config->polling_interval_time_min * 60.0);
    }
  gtk_label_set_text (self->subtitle_label, subtitle->str);
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), subtitle->len > 0);
}

/* The error banner (the service sends the notification: an Event). */
static void
update_error_banner (ScalerDashboard *self,
                     gboolean         failed)
{
  const char *error = self->autoscaler ? scaler_client_autoscaler_get_error (self->autoscaler) : NULL;

  if (failed)
    {
      const char *message = error != NULL && error[0] != '\0' ? error : _("The last cycle failed; retrying.");

      gtk_label_set_text (self->error_label, message);
      /* Hidden, not just unrevealed: no double spacing in the page box. */
      gtk_widget_set_visible (GTK_WIDGET (self->error_revealer), TRUE);
      gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
    }
  else
    {
      gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->error_revealer), FALSE);
    }
}

void
_scaler_dashboard_update_header (ScalerDashboard *self)
{
  ScalerConfig *config = scaler_dashboard_get_config (self);
  const char *state = service_state (self);

  g_assert (SCALER_IS_DASHBOARD (self));

  gtk_label_set_text (self->title_label, config_name (self));
  update_state_pill (self, state);
  update_actions (self, config, g_str_equal (state, "stopped"));
  update_subtitle (self, config);
  update_error_banner (self, g_str_equal (state, "failed"));
}

/* --- summary --------------------------------------------------------------- */

void
_scaler_dashboard_clear_summary (ScalerDashboard *self)
{
  gtk_label_set_text (self->instances_value, "–");
  gtk_label_set_text (self->instances_detail, _("No data yet"));
  gtk_label_set_text (self->workers_value, "–");
  gtk_label_set_text (self->workers_detail, "");
  gtk_label_set_text (self->pending_value, "–");
  gtk_label_set_text (self->pending_detail, "");
  gtk_label_set_text (self->cost_value, "–");
  gtk_label_set_text (self->cost_detail, "");
}

void
_scaler_dashboard_update_summary (ScalerDashboard   *self,
                                  ScalerCycleResult *result)
{
  ScalerConfig *config = scaler_dashboard_get_config (self);
  guint running = 0, booting = 0, pending = 0;
  g_autofree char *s = NULL;

  for (guint i = 0; i < result->resources->len; i++)
    {
      const ScalerResourceRow *r = g_ptr_array_index (result->resources, i);

      running += r->running;
      booting += r->booting;
    }
  for (guint i = 0; i < result->queues->len; i++)
    pending += ((const ScalerQueueRow *) g_ptr_array_index (result->queues, i))->pending;

  s = g_strdup_printf (_("%u / %u"), running, _scaler_dashboard_config_max_instances (config));
  gtk_label_set_text (self->instances_value, s);
  g_free (s);
  s = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u booting", "%u booting", booting), booting);
  gtk_label_set_text (self->instances_detail, s);
  g_free (s);

  s = g_strdup_printf ("%u", result->busy_workers + result->idle_workers);
  gtk_label_set_text (self->workers_value, s);
  g_free (s);
  /* TRANSLATORS: worker counts, e.g. "2 busy, 1 idle" */
  s = g_strdup_printf (_("%u busy, %u idle"), result->busy_workers, result->idle_workers);
  gtk_label_set_text (self->workers_detail, s);
  g_free (s);

  s = g_strdup_printf ("%u", pending);
  gtk_label_set_text (self->pending_value, s);
  g_free (s);
  s = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "in %u queue", "in %u queues", result->queues->len),
                       result->queues->len);
  gtk_label_set_text (self->pending_detail, s);
  g_free (s);

  s = g_strdup_printf (_("$%.2f/h"), result->usd_per_hour);
  gtk_label_set_text (self->cost_value, s);
  g_free (s);
  if (config != NULL && config->hourly_budget_usd > 0)
    s = g_strdup_printf (_("of $%.2f/h budget"), config->hourly_budget_usd);
  else
    s = g_strdup (_("No budget set"));
  gtk_label_set_text (self->cost_detail, s);
}
