/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-config.h"
#include "scaler-credentials.h"
#include "scaler-machine.h"

G_BEGIN_DECLS

#define SCALER_TYPE_WIZARD (scaler_wizard_get_type ())

G_DECLARE_FINAL_TYPE (ScalerWizard, scaler_wizard, SCALER, WIZARD, AdwWindow)

/* @machine: the service the autoscaler is created on (Manager.Create) or
 * updated on (Update). @credentials: this computer's keyring, where the
 * secrets go before the configuration is sent (the service of this computer
 * shares the session and reads them there); NULL for a server, whose
 * autoscalers keep their secrets there (the secret rows are then not used
 * when editing). @config: (nullable): the config to edit, or NULL to create
 * a new autoscaler. "saved" (id) is emitted once the service has it; then
 * the window closes. */
ScalerWizard *scaler_wizard_new             (ScalerMachine       *machine,
                                             ScalerCredentials   *credentials,
                                             ScalerConfig        *config);
gboolean      scaler_wizard_is_editing      (ScalerWizard        *self);
/* The step names: general, aws, clearml, git, resources, agent, review. */
void          scaler_wizard_set_step        (ScalerWizard        *self,
                                             const char          *step);
const char   *scaler_wizard_get_step        (ScalerWizard        *self);
gboolean      scaler_wizard_step_has_errors (ScalerWizard        *self,
                                             const char          *step);
/* Whether the config (and the required secrets) have no errors: Create is
 * sensitive exactly then. Validates now rather than at the next idle. */
gboolean      scaler_wizard_is_valid        (ScalerWizard        *self);
/* The config the form describes (a new copy; never contains secrets). */
ScalerConfig *scaler_wizard_dup_config      (ScalerWizard        *self);
/* The widget that shows the problems of a config path (e.g. "aws.region" or
 * "resources[0].ami_id": the resource's row), or NULL. */
GtkWidget    *scaler_wizard_get_path_widget (ScalerWizard        *self,
                                             const char          *path);
/* The message shown on that widget, or NULL when it shows none. */
const char   *scaler_wizard_get_path_error  (ScalerWizard        *self,
                                             const char          *path);
GtkWidget    *scaler_wizard_get_resource_editor (ScalerWizard    *self);
/* Fills the form (new autoscalers only): used by the screenshots and tests. */
void          scaler_wizard_set_secrets     (ScalerWizard        *self,
                                             const ScalerSecrets *secrets);
void          scaler_wizard_load_config     (ScalerWizard        *self,
                                             const ScalerConfig  *config);
/* A new autoscaler filled from an imported ClearML configuration
 * (scaler_config_import_clearml*): @secrets and @report (translated strings)
 * are nullable. The form says what the import did not carry over; nothing is
 * stored before Create. */
ScalerWizard *scaler_wizard_new_for_import  (ScalerMachine       *machine,
                                             ScalerCredentials   *credentials,
                                             const ScalerConfig  *config,
                                             const ScalerSecrets *secrets,
                                             GPtrArray           *report);
/* The "not carried over" text shown on the General step, or NULL when none
 * is shown (not imported, nothing to report, or dismissed). */
const char   *scaler_wizard_get_import_notice (ScalerWizard      *self);

G_END_DECLS
