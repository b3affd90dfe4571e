/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The wizard's last step: what the autoscaler will be, what it may cost at
 * worst, and every problem of the form, each a link to its step.
 */

#define G_LOG_DOMAIN "scaler-wizard"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-gui-util.h"
#include "scaler-wizard-private.h"

/* The worst case of the resources' types at their maximum counts. */
typedef struct
{
  double   usd_per_hour;  /* of the types with a price */
  guint    max_total;     /* instances */
  GString *unknown;       /* types without a price, "a, b" */
} WorstCase;

static void
worst_case_init (WorstCase          *worst,
                 const ScalerConfig *config)
{
  worst->usd_per_hour = 0;
  worst->max_total = 0;
  worst->unknown = g_string_new (NULL);

  for (guint i = 0; i < config->resources->len; i++)
    {
      const ScalerResource *r = g_ptr_array_index (config->resources, i);
      double price = scaler_gui_type_price (r->instance_type, config->aws_region);

      worst->max_total += r->max_instances;
      if (price >= 0)
        worst->usd_per_hour += price * r->max_instances;
      else
        {
          if (worst->unknown->len > 0)
            g_string_append (worst->unknown, ", ");
          g_string_append (worst->unknown, r->instance_type[0] ? r->instance_type : r->name);
        }
    }
}

static void
set_summary (AdwActionRow *row,
             const char   *value)
{
  adw_action_row_set_subtitle (row, value);
}

static void
update_resources (ScalerWizard       *self,
                  const ScalerConfig *config,
                  const WorstCase    *worst)
{
  g_auto(GStrv) queues = NULL;
  g_autofree char *queue_list = NULL;
  g_autofree char *resources = NULL;

  if (config->resources->len == 0)
    {
      set_summary (self->review_resources_row, _("None yet"));
      return;
    }

  queues = scaler_config_dup_queues (config);
  queue_list = g_strjoinv (", ", queues);
  resources = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u resource, up to %u instances, serving %s",
                                            "%u resources, up to %u instances, serving %s",
                                            config->resources->len),
                               config->resources->len, worst->max_total, queue_list);
  set_summary (self->review_resources_row, resources);
}

static void
update_credentials (ScalerWizard       *self,
                    const ScalerConfig *config)
{
  if (config->demo)
    set_summary (self->review_credentials_row, _("None needed: the demo runs on the built-in simulator"));
  else if (config->aws_credentials == SCALER_CREDENTIALS_SOURCE_ENVIRONMENT)
    {
      g_autofree char *aws = config->aws_profile != NULL
                             ? g_strdup_printf (_("AWS: profile “%s” of the AWS files"), config->aws_profile)
                             : g_strdup (_("AWS: the standard AWS credential chain"));
      g_autofree char *summary = g_strdup_printf (_("%s; ClearML and Git secrets go to the GNOME keyring"), aws);

      set_summary (self->review_credentials_row, summary);
    }
  else
    set_summary (self->review_credentials_row, _("AWS, ClearML and Git secrets go to the GNOME keyring"));
}

static void
update_cost (ScalerWizard       *self,
             const ScalerConfig *config,
             const WorstCase    *worst)
{
  g_autofree char *cost = NULL;
  g_autofree char *figure = g_strdup_printf ("$%.2f/h", worst->usd_per_hour);
  g_autofree char *budget = NULL;
  GtkWidget *budget_row = GTK_WIDGET (self->review_budget_row);

  if (worst->unknown->len > 0)
    cost = g_strdup_printf (_("$%.2f per hour, plus %s (no price in the bundled table)"),
                            worst->usd_per_hour, worst->unknown->str);
  else
    cost = g_strdup_printf (_("$%.2f per hour at %u instances"), worst->usd_per_hour, worst->max_total);
  set_summary (self->review_cost_row, cost);
  gtk_label_set_text (self->review_cost_label, figure);

  gtk_widget_remove_css_class (budget_row, "budget-over");
  gtk_widget_remove_css_class (budget_row, "budget-ok");
  if (config->hourly_budget_usd <= 0)
    budget = g_strdup (_("No budget: the maximum instance counts are the only limit"));
  else if (worst->usd_per_hour > config->hourly_budget_usd)
    {
      budget = g_strdup_printf (_("$%.2f per hour: the worst case exceeds it, so launches stop at the budget"),
                                config->hourly_budget_usd);
      gtk_widget_add_css_class (budget_row, "budget-over");
    }
  else
    {
      budget = g_strdup_printf (_("$%.2f per hour: the worst case stays within it"), config->hourly_budget_usd);
      gtk_widget_add_css_class (budget_row, "budget-ok");
    }
  set_summary (self->review_budget_row, budget);
}

/* One row per problem; activating it goes to the step that shows it. */
static GtkWidget *
problem_row_new (ScalerWizard              *self,
                 const ScalerConfigProblem *p)
{
  GtkWidget *row = adw_action_row_new ();
  gboolean error = p->severity == SCALER_PROBLEM_ERROR;
  GtkWidget *icon = gtk_image_new_from_icon_name (error ? "dialog-error-symbolic" : "dialog-warning-symbolic");
  guint step = STEP_REVIEW;

  _scaler_wizard_widget_for_path (self, p->path, &step);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), p->message);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), p->path);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (icon, error ? "error" : "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  if (step != STEP_REVIEW)
    {
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data (G_OBJECT (row), "step", GUINT_TO_POINTER (step + 1));
    }

  return row;
}

static void
update_problems (ScalerWizard *self,
                 GPtrArray    *problems)
{
  GtkWidget *child;
  guint n_errors = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->review_problems_list))) != NULL)
    gtk_list_box_remove (self->review_problems_list, child);

  for (guint i = 0; i < problems->len; i++)
    {
      const ScalerConfigProblem *p = g_ptr_array_index (problems, i);

      gtk_list_box_append (self->review_problems_list, problem_row_new (self, p));
      if (p->severity == SCALER_PROBLEM_ERROR)
        n_errors++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->review_problems_group), problems->len > 0);
  adw_preferences_group_set_description (self->review_problems_group,
                                         n_errors > 0 ? _("Fix these before saving the autoscaler.")
                                                      : _("Warnings do not prevent saving."));
}

void
_scaler_wizard_update_review (ScalerWizard *self,
                              ScalerConfig *config,
                              GPtrArray    *problems)
{
  WorstCase worst;

  g_assert (SCALER_IS_WIZARD (self));
  g_assert (config != NULL);
  g_assert (problems != NULL);

  worst_case_init (&worst, config);
  set_summary (self->review_name_row, config->name[0] ? config->name : _("(not set)"));
  set_summary (self->review_region_row, config->aws_region);
  update_resources (self, config, &worst);
  update_credentials (self, config);
  update_cost (self, config, &worst);
  update_problems (self, problems);
  g_string_free (worst.unknown, TRUE);
}
