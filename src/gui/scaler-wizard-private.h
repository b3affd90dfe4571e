/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-wizard-private.h: the wizard is split over scaler-wizard.c (the
 * window, its steps, loading a config), scaler-wizard-validate.c (what the
 * form says, as a config and secrets, and which row shows which problem),
 * scaler-wizard-review.c (the last step), scaler-wizard-save.c (keyring,
 * then service) and scaler-wizard-test.c (Test Connection).
 */

#pragma once

#include "scaler-connection-check.h"
#include "scaler-resource-editor.h"
#include "scaler-wizard.h"

G_BEGIN_DECLS
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

/* The first two entries of the AWS profile list; the rest are profile names. */
enum {
  AWS_PROFILE_KEYRING,
  AWS_PROFILE_CHAIN,
  AWS_PROFILE_FIRST_NAME,
};

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

/* scaler-wizard.c */
void          _scaler_wizard_update_buttons   (ScalerWizard  *self);
/* Saved as @id: emits "saved" and closes the wizard. */
void          _scaler_wizard_saved            (ScalerWizard  *self,
                                               const char    *id);

/* scaler-wizard-save.c */
void          _scaler_wizard_save             (ScalerWizard  *self,
                                               ScalerConfig  *config,
                                               ScalerSecrets *secrets);

/* scaler-wizard-test.c */
void          _scaler_wizard_start_test       (ScalerWizard              *self,
                                               ScalerConnectionCheckKind  kind);

/* scaler-wizard-validate.c */
const char   *_scaler_wizard_selected_region  (ScalerWizard  *self);
/* The config the form describes; *tags_message says what is wrong with the
 * tags, if anything (the config then keeps the loaded tags). */
ScalerConfig *_scaler_wizard_build_config     (ScalerWizard  *self,
                                               char         **tags_message);
ScalerSecrets *_scaler_wizard_build_secrets   (ScalerWizard  *self);
/* Every problem of the form (ScalerConfigProblem*), never NULL. */
GPtrArray    *_scaler_wizard_collect_problems (ScalerWizard  *self,
                                               ScalerConfig **config_out);
/* TRUE when @path is @prefix or continues it with '.' or '['. */
gboolean      _scaler_wizard_path_has_prefix  (const char    *path,
                                               const char    *prefix);
/* The row that shows the problems of a config path, and its step. */
GtkWidget    *_scaler_wizard_widget_for_path  (ScalerWizard  *self,
                                               const char    *path,
                                               guint         *step);
/* Validates now: marks rows and steps, fills the review. */
void          _scaler_wizard_validate_now     (ScalerWizard  *self);

/* scaler-wizard-review.c */
void          _scaler_wizard_update_review    (ScalerWizard  *self,
                                               ScalerConfig  *config,
                                               GPtrArray     *problems);

G_END_DECLS
