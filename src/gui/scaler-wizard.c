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
#include "scaler-wizard-private.h"

G_DEFINE_FINAL_TYPE (ScalerWizard, scaler_wizard, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const step_names[] = {
  "general", "aws", "clearml", "git", "resources", "agent", "review",
};

static guint
current_step (ScalerWizard *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  for (guint i = 0; i < N_STEPS; i++)
    if (g_strcmp0 (name, step_names[i]) == 0)
      return i;

  return 0;
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

void
_scaler_wizard_update_buttons (ScalerWizard *self)
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

static gboolean
validate_idle_cb (gpointer user_data)
{
  ScalerWizard *self = user_data;

  g_assert (SCALER_IS_WIZARD (self));

  self->validate_source = 0;
  _scaler_wizard_validate_now (self);

  return G_SOURCE_REMOVE;
}

static void
scaler_wizard_changed_cb (ScalerWizard *self)
{
  g_assert (SCALER_IS_WIZARD (self));

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

  g_assert (SCALER_IS_WIZARD (self));

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

  g_assert (G_IS_TASK (task));

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

  g_assert (G_IS_ASYNC_RESULT (result));

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
  g_assert (SCALER_IS_WIZARD (self));

  scaler_resource_editor_set_region (self->resource_editor, _scaler_wizard_selected_region (self));
  scaler_wizard_changed_cb (self);
}

static void
scaler_wizard_step_changed_cb (ScalerWizard *self)
{
  static const char *subtitles[N_STEPS];
  guint step = current_step (self);
  g_autofree char *subtitle = NULL;

  g_assert (SCALER_IS_WIZARD (self));

  subtitles[STEP_GENERAL] = _("General");
  subtitles[STEP_AWS] = _("AWS");
  subtitles[STEP_CLEARML] = _("ClearML");
  subtitles[STEP_GIT] = _("Git");
  subtitles[STEP_RESOURCES] = _("Resources");
  subtitles[STEP_AGENT] = _("Agent");
  subtitles[STEP_REVIEW] = _("Review");

  subtitle = g_strdup_printf (_("Step %u of %u: %s"), step + 1, N_STEPS, subtitles[step]);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  _scaler_wizard_update_buttons (self);
}

static void
scaler_wizard_problem_activated_cb (ScalerWizard  *self,
                                    GtkListBoxRow *row)
{
  guint step = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "step"));

  g_assert (SCALER_IS_WIZARD (self));

  if (step > 0)
    gtk_stack_set_visible_child_name (self->stack, step_names[step - 1]);
}

static void
step_button_clicked_cb (GtkButton    *button,
                        ScalerWizard *self)
{
  g_assert (SCALER_IS_WIZARD (self));

  gtk_stack_set_visible_child_name (self->stack, g_object_get_data (G_OBJECT (button), "step"));
}

static void
scaler_wizard_back_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  ScalerWizard *self = SCALER_WIZARD (widget);
  guint step = current_step (self);

  g_assert (SCALER_IS_WIZARD (widget));

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

  g_assert (SCALER_IS_WIZARD (widget));

  if (step + 1 < N_STEPS)
    gtk_stack_set_visible_child_name (self->stack, step_names[step + 1]);
}

void
_scaler_wizard_saved (ScalerWizard *self,
                      const char   *id)
{
  self->saving = FALSE;
  self->closing = TRUE;
  g_signal_emit (self, signals[SAVED], 0, id);
  gtk_window_close (GTK_WINDOW (self));
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

  g_assert (SCALER_IS_WIZARD (widget));

  if (self->saving)
    return;

  _scaler_wizard_validate_now (self);
  if (!self->valid)
    {
      for (guint i = 0; i < N_STEPS; i++)
        if (g_hash_table_contains (self->error_steps, GUINT_TO_POINTER (i)))
          {
            gtk_stack_set_visible_child_name (self->stack, step_names[i]);
            break;
          }
      scaler_gui_add_toast (GTK_WIDGET (self->toast_overlay), "%s", _("Some fields need attention"));
      return;
    }

  problems = _scaler_wizard_collect_problems (self, &config);
  secrets = _scaler_wizard_build_secrets (self);
  _scaler_wizard_save (self, config, secrets);
}

static void
scaler_connection_check_aws_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  _scaler_wizard_start_test (SCALER_WIZARD (widget), SCALER_CONNECTION_CHECK_AWS);
}

static void
scaler_connection_check_clearml_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  _scaler_wizard_start_test (SCALER_WIZARD (widget), SCALER_CONNECTION_CHECK_CLEARML);
}

static void
lookup_secrets_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ScalerWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerSecrets) secrets = NULL;

  g_assert (SCALER_IS_WIZARD (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  secrets = scaler_credentials_lookup_secrets_finish (SCALER_CREDENTIALS (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (secrets == NULL)
    {
      if (error != NULL)
        scaler_gui_add_toast (GTK_WIDGET (self->toast_overlay),
                              _("Could not read the secrets from the keyring: %s"), error->message);
      _scaler_wizard_validate_now (self);
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

  g_assert (SCALER_IS_WIZARD (widget));

  gtk_widget_set_visible (GTK_WIDGET (self->import_group), FALSE);
}

static void
discard_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     ScalerWizard     *self)
{
  g_assert (SCALER_IS_WIZARD (self));

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
bind_template (GtkWidgetClass *widget_class)
{
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

  bind_template (widget_class);
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
  _scaler_wizard_validate_now (self);
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
  _scaler_wizard_validate_now (self);

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
  _scaler_wizard_validate_now (self);
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
  _scaler_wizard_validate_now (self);
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

  _scaler_wizard_validate_now (self);
  for (guint i = 0; i < N_STEPS; i++)
    if (g_strcmp0 (step, step_names[i]) == 0)
      return g_hash_table_contains (self->error_steps, GUINT_TO_POINTER (i));

  return FALSE;
}

gboolean
scaler_wizard_is_valid (ScalerWizard *self)
{
  g_return_val_if_fail (SCALER_IS_WIZARD (self), FALSE);

  _scaler_wizard_validate_now (self);

  return self->valid;
}

ScalerConfig *
scaler_wizard_dup_config (ScalerWizard *self)
{
  g_return_val_if_fail (SCALER_IS_WIZARD (self), NULL);

  return _scaler_wizard_build_config (self, NULL);
}

GtkWidget *
scaler_wizard_get_path_widget (ScalerWizard *self,
                               const char   *path)
{
  g_return_val_if_fail (SCALER_IS_WIZARD (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return _scaler_wizard_widget_for_path (self, path, NULL);
}

const char *
scaler_wizard_get_path_error (ScalerWizard *self,
                              const char   *path)
{
  GtkWidget *widget;

  g_return_val_if_fail (SCALER_IS_WIZARD (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  _scaler_wizard_validate_now (self);
  widget = _scaler_wizard_widget_for_path (self, path, NULL);
  if (widget == NULL)
    return NULL;

  /* Resource rows show their message as the subtitle. */
  if (ADW_IS_ACTION_ROW (widget) && _scaler_wizard_path_has_prefix (path, "resources"))
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
      scaler_gui_add_toast (GTK_WIDGET (self->toast_overlay),
                            g_dngettext (GETTEXT_PACKAGE,
                                         "Imported with %u note: see the top of General",
                                         "Imported with %u notes: see the top of General",
                                         n_notes),
                            n_notes);
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
