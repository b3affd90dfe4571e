/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-wizard"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-aws-chain.h"
#include "scaler-error.h"
#include "scaler-gui-util.h"
#include "scaler-machine.h"
#include "scaler-prices.h"
#include "scaler-resource-editor.h"
#include "scaler-wizard.h"
#include "scaler-connection-check.h"

struct _ScalerWizard
{
  AdwWindow             parent_instance;

  ScalerMachine        *machine;       /* where it is created or updated */
  ScalerCredentials    *credentials;   /* this computer's keyring; NULL on a server */
  ScalerConfig         *base;          /* id and fields the form does not show */
  gboolean              editing;
  gboolean              loading;
  gboolean              saving;
  gboolean              dirty;         /* edited since loaded */
  gboolean              closing;       /* discard confirmed, or saved */
  gboolean              valid;
  char                 *import_notice; /* what an import did not carry over */
  guint                 validate_source;
  GCancellable         *cancellable;
  GtkStringList        *regions;
  GtkStringList        *aws_profiles;  /* AWS_PROFILE_KEYRING, AWS_PROFILE_CHAIN, then profile names */
  GPtrArray            *step_buttons;
  GHashTable           *error_steps;   /* step index -> TRUE */
  GHashTable           *shown_errors;  /* GtkWidget* -> message (owned) */

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkWidget            *cancel_button;
  GtkWidget            *back_button;
  GtkWidget            *next_button;
  GtkWidget            *create_button;
  GtkBox               *steps_box;
  GtkStack             *stack;
  AdwEntryRow          *name_row;
  AdwComboRow          *region_row;
  AdwEntryRow          *prefix_row;
  AdwEntryRow          *tags_row;
  AdwActionRow         *polling_row;
  GtkSpinButton        *polling_spin;
  AdwActionRow         *idle_row;
  GtkSpinButton        *idle_spin;
  AdwComboRow          *idle_policy_row;
  AdwActionRow         *boot_row;
  GtkSpinButton        *boot_spin;
  AdwActionRow         *budget_row;
  GtkSpinButton        *budget_spin;
  AdwComboRow          *on_stop_row;
  AdwComboRow          *aws_profile_row;
  AdwPreferencesGroup  *aws_keys_group;
  AdwEntryRow          *aws_key_row;
  AdwPasswordEntryRow  *aws_secret_row;
  AdwPasswordEntryRow  *aws_token_row;
  AdwActionRow         *aws_test_row;
  GtkImage             *aws_test_icon;
  GtkSpinner           *aws_test_spinner;
  AdwEntryRow          *api_row;
  AdwEntryRow          *web_row;
  AdwEntryRow          *files_row;
  AdwEntryRow          *clearml_key_row;
  AdwPasswordEntryRow  *clearml_secret_row;
  AdwActionRow         *clearml_test_row;
  GtkImage             *clearml_test_icon;
  GtkSpinner           *clearml_test_spinner;
  AdwEntryRow          *git_user_row;
  AdwPasswordEntryRow  *git_password_row;
  ScalerResourceEditor *resource_editor;
  GtkLabel             *resources_error_label;
  AdwEntryRow          *docker_row;
  GtkFrame             *init_frame;
  GtkTextBuffer        *init_buffer;
  GtkFrame             *conf_frame;
  GtkTextBuffer        *conf_buffer;
  AdwActionRow         *review_name_row;
  AdwActionRow         *review_region_row;
  AdwActionRow         *review_resources_row;
  AdwActionRow         *review_credentials_row;
  AdwActionRow         *review_cost_row;
  GtkLabel             *review_cost_label;
  AdwActionRow         *review_budget_row;
  AdwPreferencesGroup  *review_problems_group;
  GtkListBox           *review_problems_list;
  AdwPreferencesGroup  *import_group;
  AdwActionRow         *import_row;
};

G_DEFINE_FINAL_TYPE (ScalerWizard, scaler_wizard, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const step_names[] = {
  "general", "aws", "clearml", "git", "resources", "agent", "review",
};

enum {
  STEP_GENERAL,
  STEP_AWS,
  STEP_CLEARML,
  STEP_GIT,
  STEP_RESOURCES,
  STEP_AGENT,
  STEP_REVIEW,
  N_STEPS
};

/* Which row shows the problems of which config path, and on which step. A
 * path matches an entry when it equals the prefix or continues it with '.'
 * or '['. */
static const struct {
  const char *prefix;
  gsize       offset;
  guint       step;
} path_map[] = {
  { "name", G_STRUCT_OFFSET (ScalerWizard, name_row), STEP_GENERAL },
  { "aws.region", G_STRUCT_OFFSET (ScalerWizard, region_row), STEP_GENERAL },
  { "aws.endpoint", G_STRUCT_OFFSET (ScalerWizard, region_row), STEP_GENERAL },
  { "aws.tags", G_STRUCT_OFFSET (ScalerWizard, tags_row), STEP_GENERAL },
  { "workers_prefix", G_STRUCT_OFFSET (ScalerWizard, prefix_row), STEP_GENERAL },
  { "polling_interval_time_min", G_STRUCT_OFFSET (ScalerWizard, polling_row), STEP_GENERAL },
  { "max_idle_time_min", G_STRUCT_OFFSET (ScalerWizard, idle_row), STEP_GENERAL },
  { "idle_policy", G_STRUCT_OFFSET (ScalerWizard, idle_policy_row), STEP_GENERAL },
  { "max_spin_up_time_min", G_STRUCT_OFFSET (ScalerWizard, boot_row), STEP_GENERAL },
  { "hourly_budget_usd", G_STRUCT_OFFSET (ScalerWizard, budget_row), STEP_GENERAL },
  { "on_stop", G_STRUCT_OFFSET (ScalerWizard, on_stop_row), STEP_GENERAL },
  { "secrets.aws_access_key_id", G_STRUCT_OFFSET (ScalerWizard, aws_key_row), STEP_AWS },
  { "secrets.aws_secret_access_key", G_STRUCT_OFFSET (ScalerWizard, aws_secret_row), STEP_AWS },
  { "secrets.aws_session_token", G_STRUCT_OFFSET (ScalerWizard, aws_token_row), STEP_AWS },
  { "aws.credentials", G_STRUCT_OFFSET (ScalerWizard, aws_profile_row), STEP_AWS },
  { "aws.profile", G_STRUCT_OFFSET (ScalerWizard, aws_profile_row), STEP_AWS },
  { "clearml.api_server", G_STRUCT_OFFSET (ScalerWizard, api_row), STEP_CLEARML },
  { "clearml.web_server", G_STRUCT_OFFSET (ScalerWizard, web_row), STEP_CLEARML },
  { "clearml.files_server", G_STRUCT_OFFSET (ScalerWizard, files_row), STEP_CLEARML },
  { "clearml.credentials", G_STRUCT_OFFSET (ScalerWizard, clearml_key_row), STEP_CLEARML },
  { "secrets.clearml_access_key", G_STRUCT_OFFSET (ScalerWizard, clearml_key_row), STEP_CLEARML },
  { "secrets.clearml_secret_key", G_STRUCT_OFFSET (ScalerWizard, clearml_secret_row), STEP_CLEARML },
  { "git_user", G_STRUCT_OFFSET (ScalerWizard, git_user_row), STEP_GIT },
  { "default_docker_image", G_STRUCT_OFFSET (ScalerWizard, docker_row), STEP_AGENT },
  { "extra_vm_bash_script", G_STRUCT_OFFSET (ScalerWizard, init_frame), STEP_AGENT },
  { "extra_clearml_conf", G_STRUCT_OFFSET (ScalerWizard, conf_frame), STEP_AGENT },
};

static AdwToast *
wizard_toast_new (const char *format,
                  ...) G_GNUC_PRINTF (1, 2);

/* Toast titles are Pango markup on libadwaita 1.2: escape error messages. */
static AdwToast *
wizard_toast_new (const char *format,
                  ...)
{
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

static gboolean
path_has_prefix (const char *path,
                 const char *prefix)
{
  gsize len = strlen (prefix);

  return strncmp (path, prefix, len) == 0 &&
         (path[len] == '\0' || path[len] == '.' || path[len] == '[');
}

static GtkWidget *
widget_for_path (ScalerWizard *self,
                 const char   *path,
                 guint        *step)
{
  guint index;

  if (path_has_prefix (path, "resources"))
    {
      if (step != NULL)
        *step = STEP_RESOURCES;
      if (scaler_gui_parse_resource_path (path, &index, NULL))
        return scaler_resource_editor_get_row (self->resource_editor, index);
      return GTK_WIDGET (self->resources_error_label);
    }

  for (guint i = 0; i < G_N_ELEMENTS (path_map); i++)
    if (path_has_prefix (path, path_map[i].prefix))
      {
        if (step != NULL)
          *step = path_map[i].step;
        return G_STRUCT_MEMBER (GtkWidget *, self, path_map[i].offset);
      }

  if (step != NULL)
    *step = STEP_REVIEW;

  return NULL;
}

static guint
current_step (ScalerWizard *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  for (guint i = 0; i < N_STEPS; i++)
    if (g_strcmp0 (name, step_names[i]) == 0)
      return i;

  return 0;
}

static char *
text_buffer_get_all (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static char *
entry_text (gpointer row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static const char *
selected_region (ScalerWizard *self)
{
  guint selected = adw_combo_row_get_selected (self->region_row);

  if (selected == GTK_INVALID_LIST_POSITION)
    return "";

  return gtk_string_list_get_string (self->regions, selected);
}

/* The first two entries of the AWS profile list; the rest are profile names. */
enum {
  AWS_PROFILE_KEYRING,
  AWS_PROFILE_CHAIN,
  AWS_PROFILE_FIRST_NAME,
};

/* "AWS Profile": keys in the keyring, the standard AWS chain, or the chain
 * pinned to one profile (aws.credentials "environment" + aws.profile). */
static void
set_aws_credentials (ScalerWizard *self,
                     ScalerConfig *config)
{
  guint selected = adw_combo_row_get_selected (self->aws_profile_row);

  g_clear_pointer (&config->aws_profile, g_free);
  if (selected == AWS_PROFILE_KEYRING || selected == GTK_INVALID_LIST_POSITION)
    {
      config->aws_credentials = SCALER_CREDENTIALS_SOURCE_KEYRING;
      return;
    }
  config->aws_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  if (selected >= AWS_PROFILE_FIRST_NAME)
    config->aws_profile = g_strdup (gtk_string_list_get_string (self->aws_profiles, selected));
}

static guint
aws_profile_index (ScalerWizard *self,
                   const char   *profile)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->aws_profiles));

  for (guint i = AWS_PROFILE_FIRST_NAME; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->aws_profiles, i), profile) == 0)
      return i;
  gtk_string_list_append (self->aws_profiles, profile);
  return n;
}

static ScalerConfig *
build_config (ScalerWizard  *self,
              char         **tags_message)
{
  ScalerConfig *config = scaler_config_copy (self->base);
  GPtrArray *tags;

  g_free (config->name);
  config->name = entry_text (self->name_row);
  g_free (config->aws_region);
  config->aws_region = g_strdup (selected_region (self));
  set_aws_credentials (self, config);
  g_free (config->workers_prefix);
  config->workers_prefix = entry_text (self->prefix_row);

  tags = scaler_gui_parse_tags (gtk_editable_get_text (GTK_EDITABLE (self->tags_row)), tags_message);
  if (tags != NULL)
    {
      g_ptr_array_unref (config->aws_tags);
      config->aws_tags = tags;
    }

  config->polling_interval_time_min = gtk_spin_button_get_value (self->polling_spin);
  config->max_idle_time_min = gtk_spin_button_get_value (self->idle_spin);
  /* The rows of idle_policy_row follow ScalerIdlePolicy. */
  config->idle_policy = adw_combo_row_get_selected (self->idle_policy_row) == 1 ? SCALER_IDLE_POLICY_FIXED
                                                                               : SCALER_IDLE_POLICY_ADAPTIVE;
  config->max_spin_up_time_min = gtk_spin_button_get_value (self->boot_spin);
  config->hourly_budget_usd = gtk_spin_button_get_value (self->budget_spin);
  switch (adw_combo_row_get_selected (self->on_stop_row))
    {
    case 1: config->on_stop = SCALER_ON_STOP_TERMINATE_IDLE; break;
    case 2: config->on_stop = SCALER_ON_STOP_TERMINATE_ALL; break;
    default: config->on_stop = SCALER_ON_STOP_KEEP; break;
    }

  g_free (config->clearml_api_server);
  config->clearml_api_server = entry_text (self->api_row);
  g_free (config->clearml_web_server);
  config->clearml_web_server = entry_text (self->web_row);
  g_free (config->clearml_files_server);
  config->clearml_files_server = entry_text (self->files_row);
  g_free (config->git_user);
  config->git_user = entry_text (self->git_user_row);
  g_free (config->default_docker_image);
  config->default_docker_image = entry_text (self->docker_row);
  g_free (config->extra_vm_bash_script);
  config->extra_vm_bash_script = text_buffer_get_all (self->init_buffer);
  g_free (config->extra_clearml_conf);
  config->extra_clearml_conf = text_buffer_get_all (self->conf_buffer);

  g_ptr_array_unref (config->resources);
  config->resources = scaler_resource_editor_dup_resources (self->resource_editor);

  return config;
}

/* Empty fields are NULL (left alone) for a new autoscaler and "" (cleared)
 * when editing, so that emptying a field removes the secret. */
static ScalerSecrets *
build_secrets (ScalerWizard *self)
{
  ScalerSecrets *secrets = scaler_secrets_new ();
  gboolean aws_keys = adw_combo_row_get_selected (self->aws_profile_row) == AWS_PROFILE_KEYRING;
  const struct {
    gpointer row;
    char **field;
    gboolean aws;
  } fields[] = {
    { self->aws_key_row, &secrets->aws_access_key_id, TRUE },
    { self->aws_secret_row, &secrets->aws_secret_access_key, TRUE },
    { self->aws_token_row, &secrets->aws_session_token, TRUE },
    { self->clearml_key_row, &secrets->clearml_access_key, FALSE },
    { self->clearml_secret_row, &secrets->clearml_secret_key, FALSE },
    { self->git_password_row, &secrets->git_password, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *text = NULL;

      /* The keys of an AWS profile are not the wizard's to store. */
      if (fields[i].aws && !aws_keys)
        continue;
      text = entry_text (fields[i].row);

      g_free (*fields[i].field);
      if (text[0] != '\0' || self->editing)
        *fields[i].field = g_steal_pointer (&text);
      else
        *fields[i].field = NULL;
    }

  return secrets;
}

static void
add_problem (GPtrArray  *problems,
             const char *path,
             const char *message)
{
  ScalerConfigProblem *p = g_new0 (ScalerConfigProblem, 1);

  p->severity = SCALER_PROBLEM_ERROR;
  p->path = g_strdup (path);
  p->message = g_strdup (message);
  g_ptr_array_add (problems, p);
}

/* Editing an autoscaler of a server: its secrets stay there. */
static gboolean
secrets_kept_elsewhere (ScalerWizard *self)
{
  return self->editing && self->credentials == NULL;
}

static GPtrArray *
collect_problems (ScalerWizard  *self,
                  ScalerConfig **config_out)
{
  g_autofree char *tags_message = NULL;
  g_autoptr(ScalerConfig) config = build_config (self, &tags_message);
  GPtrArray *problems = scaler_config_validate (config);

  if (problems == NULL)
    problems = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_config_problem_free);

  if (tags_message != NULL)
    add_problem (problems, "aws.tags", tags_message);

  /* The keys of a demo, or of a config that reads them from the
   * environment, are not asked for; nor those an autoscaler on a server
   * keeps there (they never come back over the bus). */
  if (secrets_kept_elsewhere (self))
    ;
  else if (!config->demo && config->aws_credentials == SCALER_CREDENTIALS_SOURCE_KEYRING)
    {
      if (gtk_editable_get_text (GTK_EDITABLE (self->aws_key_row))[0] == '\0')
        add_problem (problems, "secrets.aws_access_key_id",
                     _("The access key id is empty; expected the id of an AWS access key, such as AKIAIOSFODNN7EXAMPLE"));
      if (gtk_editable_get_text (GTK_EDITABLE (self->aws_secret_row))[0] == '\0')
        add_problem (problems, "secrets.aws_secret_access_key",
                     _("The secret access key is empty; it is shown once when the access key is created"));
    }
  if (!secrets_kept_elsewhere (self) && !config->demo &&
      config->clearml_credentials == SCALER_CREDENTIALS_SOURCE_KEYRING)
    {
      if (gtk_editable_get_text (GTK_EDITABLE (self->clearml_key_row))[0] == '\0')
        add_problem (problems, "secrets.clearml_access_key",
                     _("The access key is empty; create one in the ClearML web app under Settings → Workspace"));
      if (gtk_editable_get_text (GTK_EDITABLE (self->clearml_secret_row))[0] == '\0')
        add_problem (problems, "secrets.clearml_secret_key",
                     _("The secret key is empty; it is shown with the access key when it is created"));
    }

  if (config_out != NULL)
    *config_out = g_steal_pointer (&config);

  return problems;
}

static void
show_error (ScalerWizard *self,
            GtkWidget    *widget,
            const char   *message)
{
  if (widget == GTK_WIDGET (self->resources_error_label))
    {
      gtk_label_set_text (self->resources_error_label, message ? message : "");
      gtk_widget_set_visible (widget, message != NULL);
    }
  else if (GTK_IS_FRAME (widget))
    {
      if (message != NULL)
        gtk_widget_add_css_class (widget, "error");
      else
        gtk_widget_remove_css_class (widget, "error");
      gtk_widget_set_tooltip_text (widget, message);
    }
  else if (GTK_IS_LIST_BOX_ROW (widget) &&
           GTK_WIDGET (self->resource_editor) == gtk_widget_get_ancestor (widget, SCALER_TYPE_RESOURCE_EDITOR))
    {
      /* The resource editor styles its own rows, which it recreates: they
       * are not remembered here. */
      return;
    }
  else
    scaler_gui_set_row_error (widget, message);

  if (message != NULL)
    g_hash_table_insert (self->shown_errors, widget, g_strdup (message));
}

static void
update_buttons (ScalerWizard *self)
{
  guint step = current_step (self);

  gtk_widget_set_visible (self->cancel_button, step == 0);
  gtk_widget_set_visible (self->back_button, step > 0);
  gtk_widget_set_visible (self->next_button, step + 1 < N_STEPS);
  gtk_widget_set_visible (self->create_button, step + 1 == N_STEPS || self->editing);
  if (self->editing)
    {
      gtk_widget_remove_css_class (self->next_button, "suggested-action");
      if (step + 1 < N_STEPS)
        gtk_widget_add_css_class (self->next_button, "flat");
    }

  for (guint i = 0; i < self->step_buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->step_buttons, i);
      GtkWidget *icon = g_object_get_data (G_OBJECT (button), "icon");
      gboolean error = g_hash_table_contains (self->error_steps, GUINT_TO_POINTER (i));

      if (i == step)
        gtk_widget_add_css_class (button, "current");
      else
        gtk_widget_remove_css_class (button, "current");
      if (error)
        gtk_widget_add_css_class (button, "error");
      else
        gtk_widget_remove_css_class (button, "error");
      gtk_widget_set_visible (icon, error);
    }
}

static void
set_summary (AdwActionRow *row,
             const char   *value)
{
  adw_action_row_set_subtitle (row, value);
}

static void
update_review (ScalerWizard *self,
               ScalerConfig *config,
               GPtrArray    *problems)
{
  g_autofree char *resources = NULL;
  g_autofree char *cost = NULL;
  g_autofree char *budget = NULL;
  g_auto(GStrv) queues = scaler_config_dup_queues (config);
  g_autoptr(GString) unknown = g_string_new (NULL);
  double worst = 0;
  GtkWidget *child;
  guint n_errors = 0;
  guint max_total = 0;

  set_summary (self->review_name_row, config->name[0] ? config->name : _("(not set)"));
  set_summary (self->review_region_row, config->aws_region);

  for (guint i = 0; i < config->resources->len; i++)
    {
      const ScalerResource *r = g_ptr_array_index (config->resources, i);
      double price = scaler_gui_type_price (r->instance_type, config->aws_region);

      max_total += r->max_instances;
      if (price >= 0)
        worst += price * r->max_instances;
      else
        {
          if (unknown->len > 0)
            g_string_append (unknown, ", ");
          g_string_append (unknown, r->instance_type[0] ? r->instance_type : r->name);
        }
    }

  if (config->resources->len == 0)
    resources = g_strdup (_("None yet"));
  else
    {
      g_autofree char *queue_list = g_strjoinv (", ", queues);

      resources = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u resource, up to %u instances, serving %s",
                                                "%u resources, up to %u instances, serving %s",
                                                config->resources->len),
                                   config->resources->len, max_total, queue_list);
    }
  set_summary (self->review_resources_row, resources);
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

  if (unknown->len > 0)
    cost = g_strdup_printf (_("$%.2f per hour, plus %s (no price in the bundled table)"), worst, unknown->str);
  else
    cost = g_strdup_printf (_("$%.2f per hour at %u instances"), worst, max_total);
  set_summary (self->review_cost_row, cost);
  {
    g_autofree char *figure = g_strdup_printf ("$%.2f/h", worst);

    gtk_label_set_text (self->review_cost_label, figure);
  }

  gtk_widget_remove_css_class (GTK_WIDGET (self->review_budget_row), "budget-over");
  gtk_widget_remove_css_class (GTK_WIDGET (self->review_budget_row), "budget-ok");
  if (config->hourly_budget_usd <= 0)
    budget = g_strdup (_("No budget: the maximum instance counts are the only limit"));
  else if (worst > config->hourly_budget_usd)
    {
      budget = g_strdup_printf (_("$%.2f per hour: the worst case exceeds it, so launches stop at the budget"),
                                config->hourly_budget_usd);
      gtk_widget_add_css_class (GTK_WIDGET (self->review_budget_row), "budget-over");
    }
  else
    {
      budget = g_strdup_printf (_("$%.2f per hour: the worst case stays within it"), config->hourly_budget_usd);
      gtk_widget_add_css_class (GTK_WIDGET (self->review_budget_row), "budget-ok");
    }
  set_summary (self->review_budget_row, budget);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->review_problems_list))) != NULL)
    gtk_list_box_remove (self->review_problems_list, child);

  for (guint i = 0; i < problems->len; i++)
    {
      const ScalerConfigProblem *p = g_ptr_array_index (problems, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon;
      guint step = STEP_REVIEW;

      widget_for_path (self, p->path, &step);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), p->message);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), p->path);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      icon = gtk_image_new_from_icon_name (p->severity == SCALER_PROBLEM_ERROR
                                           ? "dialog-error-symbolic" : "dialog-warning-symbolic");
      gtk_widget_add_css_class (icon, p->severity == SCALER_PROBLEM_ERROR ? "error" : "warning");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      if (step != STEP_REVIEW)
        {
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
          g_object_set_data (G_OBJECT (row), "step", GUINT_TO_POINTER (step + 1));
        }
      gtk_list_box_append (self->review_problems_list, row);
      if (p->severity == SCALER_PROBLEM_ERROR)
        n_errors++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->review_problems_group), problems->len > 0);
  adw_preferences_group_set_description (self->review_problems_group,
                                         n_errors > 0 ? _("Fix these before saving the autoscaler.")
                                                      : _("Warnings do not prevent saving."));
}

static void
validate_now (ScalerWizard *self)
{
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GHashTable) messages = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer widget;

  g_clear_handle_id (&self->validate_source, g_source_remove);

  problems = collect_problems (self, &config);

  self->valid = !scaler_config_problems_have_errors (problems);
  g_hash_table_remove_all (self->error_steps);

  /* First error per widget wins; warnings are only listed on the review. */
  for (guint i = 0; i < problems->len; i++)
    {
      const ScalerConfigProblem *p = g_ptr_array_index (problems, i);
      GtkWidget *w;
      guint step = STEP_REVIEW;

      if (p->severity != SCALER_PROBLEM_ERROR)
        continue;

      w = widget_for_path (self, p->path, &step);
      g_hash_table_add (self->error_steps, GUINT_TO_POINTER (step));
      if (w != NULL && !g_hash_table_contains (messages, w))
        g_hash_table_insert (messages, w, p->message);
    }

  /* Clear what is no longer wrong, then show what is. */
  g_hash_table_iter_init (&iter, self->shown_errors);
  while (g_hash_table_iter_next (&iter, &widget, NULL))
    if (!g_hash_table_contains (messages, widget))
      show_error (self, widget, NULL);
  g_hash_table_remove_all (self->shown_errors);

  g_hash_table_iter_init (&iter, messages);
  while (g_hash_table_iter_next (&iter, &widget, NULL))
    show_error (self, widget, g_hash_table_lookup (messages, widget));

  scaler_resource_editor_set_problems (self->resource_editor, problems);
  update_review (self, config, problems);
  update_buttons (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.create", self->valid && !self->saving);
}

static gboolean
validate_idle_cb (gpointer user_data)
{
  ScalerWizard *self = user_data;

  self->validate_source = 0;
  validate_now (self);

  return G_SOURCE_REMOVE;
}

static void
scaler_wizard_changed_cb (ScalerWizard *self)
{
  if (self->loading)
    return;

  self->dirty = TRUE;

  /* Validate once per burst of typing, right after the main loop is idle. */
  if (self->validate_source == 0)
    self->validate_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, validate_idle_cb, self, NULL);
}

static void
scaler_wizard_aws_profile_changed_cb (ScalerWizard *self)
{
  guint selected = adw_combo_row_get_selected (self->aws_profile_row);

  /* The access key rows are for keys kept in the keyring only. */
  gtk_widget_set_visible (GTK_WIDGET (self->aws_keys_group), selected == AWS_PROFILE_KEYRING);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->aws_profile_row),
                               selected == AWS_PROFILE_KEYRING
                               ? _("The access key below, kept in the GNOME keyring")
                               : selected == AWS_PROFILE_CHAIN
                               ? _("AWS_PROFILE, the environment's keys, or the instance role, as the AWS CLI finds them")
                               : _("This profile of the AWS files, as “aws --profile” uses it"));
  scaler_wizard_changed_cb (self);
}

/* Profiles of ~/.aws/config and ~/.aws/credentials, read in a thread. */
static void
list_profiles_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GError *error = NULL;
  GStrv profiles = scaler_aws_list_profiles (&error);

  if (profiles == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, profiles, (GDestroyNotify) g_strfreev);
}

static void
weak_ref_free (GWeakRef *weak)
{
  g_weak_ref_clear (weak);
  g_free (weak);
}

/* The job holds only a weak reference: closing the wizard never waits for it. */
static void
list_profiles_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(ScalerWizard) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) profiles = g_task_propagate_pointer (G_TASK (result), &error);

  weak_ref_free (weak);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->aws_profiles == NULL)
    return;
  if (profiles == NULL)
    {
      /* A broken AWS file: say so where the profiles are picked. */
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->aws_profile_row), error->message);
      return;
    }
  for (guint i = 0; profiles[i] != NULL; i++)
    aws_profile_index (self, profiles[i]);
}

static void
scaler_wizard_region_changed_cb (ScalerWizard *self)
{
  scaler_resource_editor_set_region (self->resource_editor, selected_region (self));
  scaler_wizard_changed_cb (self);
}

static void
scaler_wizard_step_changed_cb (ScalerWizard *self)
{
  static const char *subtitles[N_STEPS];
  guint step = current_step (self);
  g_autofree char *subtitle = NULL;

  subtitles[STEP_GENERAL] = _("General");
  subtitles[STEP_AWS] = _("AWS");
  subtitles[STEP_CLEARML] = _("ClearML");
  subtitles[STEP_GIT] = _("Git");
  subtitles[STEP_RESOURCES] = _("Resources");
  subtitles[STEP_AGENT] = _("Agent");
  subtitles[STEP_REVIEW] = _("Review");

  subtitle = g_strdup_printf (_("Step %u of %u: %s"), step + 1, N_STEPS, subtitles[step]);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  update_buttons (self);
}

static void
scaler_wizard_problem_activated_cb (ScalerWizard  *self,
                                    GtkListBoxRow *row)
{
  guint step = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "step"));

  if (step > 0)
    gtk_stack_set_visible_child_name (self->stack, step_names[step - 1]);
}

static void
step_button_clicked_cb (GtkButton    *button,
                        ScalerWizard *self)
{
  gtk_stack_set_visible_child_name (self->stack, g_object_get_data (G_OBJECT (button), "step"));
}

static void
scaler_wizard_back_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  ScalerWizard *self = SCALER_WIZARD (widget);
  guint step = current_step (self);

  if (step > 0)
    gtk_stack_set_visible_child_name (self->stack, step_names[step - 1]);
}

static void
scaler_wizard_next_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  ScalerWizard *self = SCALER_WIZARD (widget);
  guint step = current_step (self);

  if (step + 1 < N_STEPS)
    gtk_stack_set_visible_child_name (self->stack, step_names[step + 1]);
}

/* Saving, on this computer: the secrets to the keyring first (nothing is
 * written when that fails), then the configuration to the service (Create or
 * Update). On a server: the configuration only. */
static void
saved (ScalerWizard *self,
       const char   *id)
{
  self->saving = FALSE;
  self->closing = TRUE;
  g_signal_emit (self, signals[SAVED], 0, id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
save_failed (ScalerWizard *self,
             const GError *error)
{
  self->saving = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  adw_toast_overlay_add_toast (self->toast_overlay,
                               wizard_toast_new (_("Could not save the autoscaler: %s"), error->message));
  validate_now (self);
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ScalerWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  ScalerClientAutoscaler *autoscaler = scaler_machine_create_finish (SCALER_MACHINE (object), result, &error);

  if (autoscaler == NULL)
    save_failed (self, error);
  else
    saved (self, scaler_client_autoscaler_get_id (autoscaler));
}

static void
updated_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ScalerWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = scaler_client_autoscaler_call_finish (SCALER_CLIENT_AUTOSCALER (object), result, &error);

  if (reply == NULL)
    save_failed (self, error);
  else
    saved (self, self->base->id);
}

static void
save_config (ScalerWizard *self)
{
  g_autoptr(ScalerConfig) config = g_object_steal_data (G_OBJECT (self), "saving-config");
  g_autofree char *json = scaler_config_to_json (config);

  if (self->editing)
    {
      ScalerClientAutoscaler *target = scaler_machine_find (self->machine, config->id);
      g_autoptr(GError) error = NULL;

      if (target == NULL)
        {
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("The autoscaler is not on %s any more (deleted by someone else?)"),
                       scaler_machine_get_title (self->machine));
          save_failed (self, error);
          return;
        }
      scaler_client_autoscaler_call (target, "Update", g_variant_new ("(s)", json), -1, self->cancellable,
                                     updated_cb, g_object_ref (self));
    }
  else
    scaler_machine_create_async (self->machine, json, self->cancellable, created_cb, g_object_ref (self));
}

static void
store_secrets_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ScalerWizard) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!scaler_credentials_store_secrets_finish (SCALER_CREDENTIALS (object), result, &error))
    {
      self->saving = FALSE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   wizard_toast_new (_("Could not store the secrets in the keyring: %s"), error->message));
      validate_now (self);
      return;
    }

  save_config (self);
}

static void
scaler_wizard_create_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ScalerWizard *self = SCALER_WIZARD (widget);
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(ScalerSecrets) secrets = NULL;

  if (self->saving)
    return;

  validate_now (self);
  if (!self->valid)
    {
      for (guint i = 0; i < N_STEPS; i++)
        if (g_hash_table_contains (self->error_steps, GUINT_TO_POINTER (i)))
          {
            gtk_stack_set_visible_child_name (self->stack, step_names[i]);
            break;
          }
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Some fields need attention")));
      return;
    }

  problems = collect_problems (self, &config);
  secrets = build_secrets (self);
  self->saving = TRUE;
  gtk_widget_action_set_enabled (widget, "wizard.create", FALSE);
  g_object_set_data_full (G_OBJECT (self), "saving-config", g_steal_pointer (&config),
                          (GDestroyNotify) scaler_config_unref);
  if (self->credentials == NULL)
    {
      save_config (self);
      return;
    }
  scaler_credentials_store_secrets_async (self->credentials,
                                          self->base->id,
                                          secrets,
                                          self->cancellable,
                                          store_secrets_cb,
                                          g_object_ref (self));
}

/* Test connection (one-off GTask in a thread over copies of the form). */
static void
test_finished_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ScalerWizard *self = SCALER_WIZARD (object);
  ScalerConnectionCheckKind kind = GPOINTER_TO_UINT (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *verdict = scaler_connection_check_finish (result, &error);
  AdwActionRow *row = kind == SCALER_CONNECTION_CHECK_AWS ? self->aws_test_row : self->clearml_test_row;
  GtkImage *icon = kind == SCALER_CONNECTION_CHECK_AWS ? self->aws_test_icon : self->clearml_test_icon;
  GtkSpinner *spinner = kind == SCALER_CONNECTION_CHECK_AWS ? self->aws_test_spinner : self->clearml_test_spinner;

  /* After close the widgets are gone: the job was cancelled then. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->cancellable))
    return;

  gtk_spinner_stop (spinner);
  gtk_widget_set_visible (GTK_WIDGET (spinner), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self),
                                 kind == SCALER_CONNECTION_CHECK_AWS ? "wizard.test-aws" : "wizard.test-clearml",
                                 TRUE);

  gtk_widget_remove_css_class (GTK_WIDGET (row), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  if (error != NULL)
    {
      adw_action_row_set_subtitle (row, error->message);
      gtk_image_set_from_icon_name (icon, "dialog-error-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (kind == SCALER_CONNECTION_CHECK_AWS ? _("AWS connection failed")
                                                                                 : _("ClearML connection failed")));
    }
  else
    {
      adw_action_row_set_subtitle (row, verdict);
      gtk_image_set_from_icon_name (icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (row), "success");
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (kind == SCALER_CONNECTION_CHECK_AWS ? _("AWS connection works")
                                                                                 : _("ClearML connection works")));
    }
}

static void
start_test (ScalerWizard         *self,
            ScalerConnectionCheckKind  kind)
{
  g_autoptr(ScalerConfig) config = build_config (self, NULL);
  g_autoptr(ScalerSecrets) secrets = build_secrets (self);
  AdwActionRow *row = kind == SCALER_CONNECTION_CHECK_AWS ? self->aws_test_row : self->clearml_test_row;
  GtkSpinner *spinner = kind == SCALER_CONNECTION_CHECK_AWS ? self->aws_test_spinner : self->clearml_test_spinner;

  gtk_widget_remove_css_class (GTK_WIDGET (row), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  adw_action_row_set_subtitle (row, _("Connecting…"));
  gtk_widget_set_visible (GTK_WIDGET (spinner), TRUE);
  gtk_spinner_start (spinner);
  gtk_widget_action_set_enabled (GTK_WIDGET (self),
                                 kind == SCALER_CONNECTION_CHECK_AWS ? "wizard.test-aws" : "wizard.test-clearml",
                                 FALSE);

  scaler_connection_check_async (G_OBJECT (self), kind, config, secrets, self->cancellable,
                            test_finished_cb, GUINT_TO_POINTER (kind));
}

static void
scaler_connection_check_aws_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  start_test (SCALER_WIZARD (widget), SCALER_CONNECTION_CHECK_AWS);
}

static void
scaler_connection_check_clearml_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  start_test (SCALER_WIZARD (widget), SCALER_CONNECTION_CHECK_CLEARML);
}

static void
lookup_secrets_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ScalerWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerSecrets) secrets = NULL;

  secrets = scaler_credentials_lookup_secrets_finish (SCALER_CREDENTIALS (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (secrets == NULL)
    {
      if (error != NULL)
        adw_toast_overlay_add_toast (self->toast_overlay,
                                     wizard_toast_new (_("Could not read the secrets from the keyring: %s"), error->message));
      validate_now (self);
      return;
    }

  scaler_wizard_set_secrets (self, secrets);
}

static void
scaler_wizard_dismiss_import_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  ScalerWizard *self = SCALER_WIZARD (widget);

  gtk_widget_set_visible (GTK_WIDGET (self->import_group), FALSE);
}

static void
discard_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     ScalerWizard     *self)
{
  if (g_strcmp0 (response, "discard") != 0)
    return;

  self->closing = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
scaler_wizard_close_request (GtkWindow *window)
{
  ScalerWizard *self = SCALER_WIZARD (window);

  /* Typing into a wizard for minutes and losing it to Escape hurts: ask. */
  if (self->dirty && !self->closing && !self->saving)
    {
      AdwMessageDialog *dialog;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window,
                                                           self->editing ? _("Discard the Changes?")
                                                                         : _("Discard the New Autoscaler?"),
                                                           _("What you entered in this window is lost.")));
      adw_message_dialog_add_responses (dialog,
                                        "keep", _("_Keep Editing"),
                                        "discard", _("_Discard"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "keep");
      adw_message_dialog_set_close_response (dialog, "keep");
      gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
      g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;
    }

  /* Abandon tests and lookups in flight; their callbacks see CANCELLED. */
  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (scaler_wizard_parent_class)->close_request (window);
}

static void
scaler_wizard_dispose (GObject *object)
{
  ScalerWizard *self = SCALER_WIZARD (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->validate_source, g_source_remove);
  if (self->shown_errors != NULL)
    g_hash_table_remove_all (self->shown_errors);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_WIZARD);
  g_clear_object (&self->machine);
  g_clear_object (&self->credentials);
  g_clear_object (&self->regions);
  g_clear_object (&self->aws_profiles);

  G_OBJECT_CLASS (scaler_wizard_parent_class)->dispose (object);
}

static void
scaler_wizard_finalize (GObject *object)
{
  ScalerWizard *self = SCALER_WIZARD (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->base, scaler_config_unref);
  g_clear_pointer (&self->import_notice, g_free);
  g_clear_pointer (&self->step_buttons, g_ptr_array_unref);
  g_clear_pointer (&self->error_steps, g_hash_table_unref);
  g_clear_pointer (&self->shown_errors, g_hash_table_unref);

  G_OBJECT_CLASS (scaler_wizard_parent_class)->finalize (object);
}

static void
scaler_wizard_class_init (ScalerWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = scaler_wizard_dispose;
  object_class->finalize = scaler_wizard_finalize;
  window_class->close_request = scaler_wizard_close_request;

  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-wizard.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, ScalerWizard, name)
  CHILD (toast_overlay);
  CHILD (window_title);
  CHILD (cancel_button);
  CHILD (back_button);
  CHILD (next_button);
  CHILD (create_button);
  CHILD (steps_box);
  CHILD (stack);
  CHILD (name_row);
  CHILD (region_row);
  CHILD (prefix_row);
  CHILD (tags_row);
  CHILD (polling_row);
  CHILD (polling_spin);
  CHILD (idle_row);
  CHILD (idle_spin);
  CHILD (idle_policy_row);
  CHILD (boot_row);
  CHILD (boot_spin);
  CHILD (budget_row);
  CHILD (budget_spin);
  CHILD (on_stop_row);
  CHILD (aws_profile_row);
  CHILD (aws_keys_group);
  CHILD (aws_key_row);
  CHILD (aws_secret_row);
  CHILD (aws_token_row);
  CHILD (aws_test_row);
  CHILD (aws_test_icon);
  CHILD (aws_test_spinner);
  CHILD (api_row);
  CHILD (web_row);
  CHILD (files_row);
  CHILD (clearml_key_row);
  CHILD (clearml_secret_row);
  CHILD (clearml_test_row);
  CHILD (clearml_test_icon);
  CHILD (clearml_test_spinner);
  CHILD (git_user_row);
  CHILD (git_password_row);
  CHILD (resource_editor);
  CHILD (resources_error_label);
  CHILD (docker_row);
  CHILD (init_frame);
  CHILD (init_buffer);
  CHILD (conf_frame);
  CHILD (conf_buffer);
  CHILD (review_name_row);
  CHILD (review_region_row);
  CHILD (review_resources_row);
  CHILD (review_credentials_row);
  CHILD (review_cost_row);
  CHILD (review_cost_label);
  CHILD (review_budget_row);
  CHILD (review_problems_group);
  CHILD (review_problems_list);
  CHILD (import_group);
  CHILD (import_row);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, scaler_wizard_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_wizard_region_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_wizard_aws_profile_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_wizard_step_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_wizard_problem_activated_cb);

  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, scaler_wizard_back_action);
  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, scaler_wizard_next_action);
  gtk_widget_class_install_action (widget_class, "wizard.create", NULL, scaler_wizard_create_action);
  gtk_widget_class_install_action (widget_class, "wizard.test-aws", NULL, scaler_connection_check_aws_action);
  gtk_widget_class_install_action (widget_class, "wizard.test-clearml", NULL, scaler_connection_check_clearml_action);
  gtk_widget_class_install_action (widget_class, "wizard.dismiss-import", NULL, scaler_wizard_dismiss_import_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  g_type_ensure (SCALER_TYPE_RESOURCE_EDITOR);
}

static void
scaler_wizard_init (ScalerWizard *self)
{
  const char * const *regions = scaler_regions_list ();
  GtkSelectionModel *pages;

  self->cancellable = g_cancellable_new ();
  self->step_buttons = g_ptr_array_new ();
  self->error_steps = g_hash_table_new (NULL, NULL);
  self->shown_errors = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->loading = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->regions = gtk_string_list_new (regions);
  adw_combo_row_set_model (self->region_row, G_LIST_MODEL (self->regions));

  {
    const char * const aws_choices[] = { _("None: the access key below"), _("Standard AWS chain"), NULL };
    g_autoptr(GTask) task = NULL;
    GWeakRef *weak = g_new0 (GWeakRef, 1);

    self->aws_profiles = gtk_string_list_new (aws_choices);
    adw_combo_row_set_model (self->aws_profile_row, G_LIST_MODEL (self->aws_profiles));
    g_weak_ref_init (weak, self);
    task = g_task_new (NULL, self->cancellable, list_profiles_cb, weak);
    g_task_run_in_thread (task, list_profiles_thread);
  }

  /* The step bar: one flat button per page, marked while it has errors. */
  pages = gtk_stack_get_pages (self->stack);
  for (guint i = 0; i < N_STEPS; i++)
    {
      g_autoptr(GObject) page = g_list_model_get_item (G_LIST_MODEL (pages), i);
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");
      g_autofree char *label = g_strdup_printf ("%u  %s", i + 1, gtk_stack_page_get_title (GTK_STACK_PAGE (page)));

      gtk_box_append (GTK_BOX (box), gtk_label_new (label));
      gtk_widget_set_visible (icon, FALSE);
      gtk_box_append (GTK_BOX (box), icon);
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "wizard-step");
      g_object_set_data (G_OBJECT (button), "step", (gpointer) step_names[i]);
      g_object_set_data (G_OBJECT (button), "icon", icon);
      g_signal_connect_object (button, "clicked", G_CALLBACK (step_button_clicked_cb), self, 0);
      gtk_box_append (self->steps_box, button);
      g_ptr_array_add (self->step_buttons, button);
    }
  g_object_unref (pages);
}

/* An autoscaler of a server keeps its secrets there: the rows that would
 * show them are not used (nothing is sent; moving it again, or editing it
 * on the server, changes them). */
static void
keep_secrets_elsewhere (ScalerWizard *self)
{
  GtkWidget *rows[] = {
    GTK_WIDGET (self->aws_key_row), GTK_WIDGET (self->aws_secret_row), GTK_WIDGET (self->aws_token_row),
    GTK_WIDGET (self->clearml_key_row), GTK_WIDGET (self->clearml_secret_row), GTK_WIDGET (self->git_password_row),
  };
  g_autofree char *tip = g_strdup_printf (_("Kept on %s: secrets never come back over the network"),
                                          scaler_machine_get_title (self->machine));

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      gtk_widget_set_sensitive (rows[i], FALSE);
      gtk_widget_set_tooltip_text (rows[i], tip);
    }
  validate_now (self);
}

ScalerWizard *
scaler_wizard_new (ScalerMachine       *machine,
                   ScalerCredentials   *credentials,
                   ScalerConfig        *config)
{
  ScalerWizard *self;
  g_autoptr(ScalerConfig) fresh = NULL;

  g_return_val_if_fail (SCALER_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (credentials == NULL || SCALER_IS_CREDENTIALS (credentials), NULL);

  self = g_object_new (SCALER_TYPE_WIZARD, NULL);
  self->machine = g_object_ref (machine);
  self->credentials = credentials != NULL ? g_object_ref (credentials) : NULL;
  self->editing = config != NULL;

  if (config == NULL)
    {
      fresh = scaler_config_new ();
      config = fresh;
    }

  scaler_wizard_load_config (self, config);

  if (self->editing)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Edit Autoscaler"));
      adw_window_title_set_title (self->window_title, _("Edit Autoscaler"));
      gtk_button_set_label (GTK_BUTTON (self->create_button), _("_Save"));
      if (credentials != NULL)
        scaler_credentials_lookup_secrets_async (credentials, config->id, self->cancellable,
                                                 lookup_secrets_cb, g_object_ref (self));
      else
        keep_secrets_elsewhere (self);
    }

  scaler_wizard_step_changed_cb (self);
  validate_now (self);

  return self;
}

void
scaler_wizard_load_config (ScalerWizard       *self,
                           const ScalerConfig *config)
{
  g_autofree char *tags = NULL;
  guint region_index = GTK_INVALID_LIST_POSITION;
  guint n;

  g_return_if_fail (SCALER_IS_WIZARD (self));
  g_return_if_fail (config != NULL);

  self->loading = TRUE;
  g_clear_pointer (&self->base, scaler_config_unref);
  self->base = scaler_config_copy (config);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), config->name);

  /* A region the list does not know stays visible, and is flagged. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->regions));
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->regions, i), config->aws_region) == 0)
      region_index = i;
  if (region_index == GTK_INVALID_LIST_POSITION)
    {
      gtk_string_list_append (self->regions, config->aws_region);
      region_index = n;
    }
  adw_combo_row_set_selected (self->region_row, region_index);
  scaler_resource_editor_set_region (self->resource_editor, config->aws_region);

  if (config->aws_credentials != SCALER_CREDENTIALS_SOURCE_ENVIRONMENT)
    adw_combo_row_set_selected (self->aws_profile_row, AWS_PROFILE_KEYRING);
  else if (config->aws_profile == NULL)
    adw_combo_row_set_selected (self->aws_profile_row, AWS_PROFILE_CHAIN);
  else
    adw_combo_row_set_selected (self->aws_profile_row, aws_profile_index (self, config->aws_profile));
  scaler_wizard_aws_profile_changed_cb (self);

  gtk_editable_set_text (GTK_EDITABLE (self->prefix_row), config->workers_prefix);
  tags = scaler_gui_format_tags (config->aws_tags);
  gtk_editable_set_text (GTK_EDITABLE (self->tags_row), tags);
  gtk_spin_button_set_value (self->polling_spin, config->polling_interval_time_min);
  gtk_spin_button_set_value (self->idle_spin, config->max_idle_time_min);
  adw_combo_row_set_selected (self->idle_policy_row, config->idle_policy == SCALER_IDLE_POLICY_FIXED ? 1 : 0);
  gtk_spin_button_set_value (self->boot_spin, config->max_spin_up_time_min);
  gtk_spin_button_set_value (self->budget_spin, config->hourly_budget_usd);
  adw_combo_row_set_selected (self->on_stop_row,
                              config->on_stop == SCALER_ON_STOP_TERMINATE_ALL ? 2 :
                              config->on_stop == SCALER_ON_STOP_TERMINATE_IDLE ? 1 : 0);
  gtk_editable_set_text (GTK_EDITABLE (self->api_row), config->clearml_api_server);
  gtk_editable_set_text (GTK_EDITABLE (self->web_row), config->clearml_web_server);
  gtk_editable_set_text (GTK_EDITABLE (self->files_row), config->clearml_files_server);
  gtk_editable_set_text (GTK_EDITABLE (self->git_user_row), config->git_user);
  gtk_editable_set_text (GTK_EDITABLE (self->docker_row), config->default_docker_image);
  gtk_text_buffer_set_text (self->init_buffer, config->extra_vm_bash_script, -1);
  gtk_text_buffer_set_text (self->conf_buffer, config->extra_clearml_conf, -1);
  scaler_resource_editor_set_resources (self->resource_editor, config->resources);

  self->loading = FALSE;
  self->dirty = FALSE;
  validate_now (self);
}

void
scaler_wizard_set_secrets (ScalerWizard        *self,
                           const ScalerSecrets *secrets)
{
  g_return_if_fail (SCALER_IS_WIZARD (self));
  g_return_if_fail (secrets != NULL);

  self->loading = TRUE;
#define SET(row, value) gtk_editable_set_text (GTK_EDITABLE (self->row), (value) ? (value) : "")
  SET (aws_key_row, secrets->aws_access_key_id);
  SET (aws_secret_row, secrets->aws_secret_access_key);
  SET (aws_token_row, secrets->aws_session_token);
  SET (clearml_key_row, secrets->clearml_access_key);
  SET (clearml_secret_row, secrets->clearml_secret_key);
  SET (git_password_row, secrets->git_password);
#undef SET
  self->loading = FALSE;
  validate_now (self);
}

gboolean
scaler_wizard_is_editing (ScalerWizard *self)
{
  g_return_val_if_fail (SCALER_IS_WIZARD (self), FALSE);

  return self->editing;
}

void
scaler_wizard_set_step (ScalerWizard *self,
                        const char   *step)
{
  g_return_if_fail (SCALER_IS_WIZARD (self));
  g_return_if_fail (step != NULL);

  gtk_stack_set_visible_child_name (self->stack, step);
}

const char *
scaler_wizard_get_step (ScalerWizard *self)
{
  g_return_val_if_fail (SCALER_IS_WIZARD (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
scaler_wizard_step_has_errors (ScalerWizard *self,
                               const char   *step)
{
  g_return_val_if_fail (SCALER_IS_WIZARD (self), FALSE);

  validate_now (self);
  for (guint i = 0; i < N_STEPS; i++)
    if (g_strcmp0 (step, step_names[i]) == 0)
      return g_hash_table_contains (self->error_steps, GUINT_TO_POINTER (i));

  return FALSE;
}

gboolean
scaler_wizard_is_valid (ScalerWizard *self)
{
  g_return_val_if_fail (SCALER_IS_WIZARD (self), FALSE);

  validate_now (self);

  return self->valid;
}

ScalerConfig *
scaler_wizard_dup_config (ScalerWizard *self)
{
  g_return_val_if_fail (SCALER_IS_WIZARD (self), NULL);

  return build_config (self, NULL);
}

GtkWidget *
scaler_wizard_get_path_widget (ScalerWizard *self,
                               const char   *path)
{
  g_return_val_if_fail (SCALER_IS_WIZARD (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return widget_for_path (self, path, NULL);
}

const char *
scaler_wizard_get_path_error (ScalerWizard *self,
                              const char   *path)
{
  GtkWidget *widget;

  g_return_val_if_fail (SCALER_IS_WIZARD (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  validate_now (self);
  widget = widget_for_path (self, path, NULL);
  if (widget == NULL)
    return NULL;

  /* Resource rows show their message as the subtitle. */
  if (ADW_IS_ACTION_ROW (widget) && path_has_prefix (path, "resources"))
    return gtk_widget_has_css_class (widget, "error") ? adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)) : NULL;

  return g_hash_table_lookup (self->shown_errors, widget);
}

GtkWidget *
scaler_wizard_get_resource_editor (ScalerWizard *self)
{
  g_return_val_if_fail (SCALER_IS_WIZARD (self), NULL);

  return GTK_WIDGET (self->resource_editor);
}

/* Creates a wizard for a new autoscaler, filled from an imported ClearML
 * configuration. Nothing is stored before the user presses Create. */
ScalerWizard *
scaler_wizard_new_for_import (ScalerMachine       *machine,
                              ScalerCredentials   *credentials,
                              const ScalerConfig  *config,
                              const ScalerSecrets *secrets,
                              GPtrArray           *report)
{
  ScalerWizard *self;

  g_return_val_if_fail (SCALER_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (SCALER_IS_CREDENTIALS (credentials), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = scaler_wizard_new (machine, credentials, NULL);
  scaler_wizard_load_config (self, config);
  if (secrets != NULL)
    scaler_wizard_set_secrets (self, secrets);

  if (report != NULL && report->len > 0)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *escaped = NULL;
      g_autofree char *subtitle = NULL;
      guint n_notes = 0;

      /* One line per note; a resource imported twice (for two queues)
       * repeats its notes, which are shown once. */
      for (guint i = 0; i < report->len; i++)
        {
          const char *note = g_ptr_array_index (report, i);
          gboolean seen = FALSE;

          for (guint j = 0; j < i && !seen; j++)
            seen = g_strcmp0 (note, g_ptr_array_index (report, j)) == 0;
          if (seen)
            continue;
          g_string_append_printf (text, "\n• %s", note);
          n_notes++;
        }
      escaped = g_markup_escape_text (text->str, -1);
      /* Row subtitles are Pango markup. */
      self->import_notice = g_strdup_printf (_("Not carried over or changed:%s"), text->str);
      subtitle = g_strdup_printf (_("Not carried over or changed:%s"), escaped);
      adw_action_row_set_subtitle (self->import_row, subtitle);
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   wizard_toast_new (g_dngettext (GETTEXT_PACKAGE,
                                                                  "Imported with %u note: see the top of General",
                                                                  "Imported with %u notes: see the top of General",
                                                                  n_notes),
                                                     n_notes));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->import_group), TRUE);

  /* Closing would lose the import: ask first, as after typing. */
  self->dirty = TRUE;

  return self;
}

const char *
scaler_wizard_get_import_notice (ScalerWizard *self)
{
  g_return_val_if_fail (SCALER_IS_WIZARD (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->import_group)))
    return NULL;

  return self->import_notice;
}
