/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the wizard's form says (a config and its secrets), what is wrong with
 * it, and which row shows which problem.
 */

#define G_LOG_DOMAIN "scaler-wizard"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-gui-util.h"
#include "scaler-resource-editor.h"
#include "scaler-wizard-private.h"

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

gboolean
_scaler_wizard_path_has_prefix (const char *path,
                                const char *prefix)
{
  gsize len = strlen (prefix);

  return strncmp (path, prefix, len) == 0 &&
         (path[len] == '\0' || path[len] == '.' || path[len] == '[');
}

GtkWidget *
_scaler_wizard_widget_for_path (ScalerWizard *self,
                                const char   *path,
                                guint        *step)
{
  guint index;

  if (_scaler_wizard_path_has_prefix (path, "resources"))
    {
      if (step != NULL)
        *step = STEP_RESOURCES;
      if (scaler_gui_parse_resource_path (path, &index, NULL))
        return scaler_resource_editor_get_row (self->resource_editor, index);
      return GTK_WIDGET (self->resources_error_label);
    }

  for (guint i = 0; i < G_N_ELEMENTS (path_map); i++)
    if (_scaler_wizard_path_has_prefix (path, path_map[i].prefix))
      {
        if (step != NULL)
          *step = path_map[i].step;
        return G_STRUCT_MEMBER (GtkWidget *, self, path_map[i].offset);
      }

  if (step != NULL)
    *step = STEP_REVIEW;

  return NULL;
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

const char *
_scaler_wizard_selected_region (ScalerWizard *self)
{
  guint selected = adw_combo_row_get_selected (self->region_row);

  if (selected == GTK_INVALID_LIST_POSITION)
    return "";

  return gtk_string_list_get_string (self->regions, selected);
}

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

ScalerConfig *
_scaler_wizard_build_config (ScalerWizard  *self,
                             char         **tags_message)
{
  ScalerConfig *config = scaler_config_copy (self->base);
  GPtrArray *tags;

  g_free (config->name);
  config->name = entry_text (self->name_row);
  g_free (config->aws_region);
  config->aws_region = g_strdup (_scaler_wizard_selected_region (self));
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
ScalerSecrets *
_scaler_wizard_build_secrets (ScalerWizard *self)
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

GPtrArray *
_scaler_wizard_collect_problems (ScalerWizard  *self,
                                 ScalerConfig **config_out)
{
  g_autofree char *tags_message = NULL;
  g_autoptr(ScalerConfig) config = _scaler_wizard_build_config (self, &tags_message);
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

void
_scaler_wizard_validate_now (ScalerWizard *self)
{
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GHashTable) messages = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer widget;

  g_clear_handle_id (&self->validate_source, g_source_remove);

  problems = _scaler_wizard_collect_problems (self, &config);

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

      w = _scaler_wizard_widget_for_path (self, p->path, &step);
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
  _scaler_wizard_update_review (self, config, problems);
  _scaler_wizard_update_buttons (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.create", self->valid && !self->saving);
}

