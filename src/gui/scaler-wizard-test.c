/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The wizard's Test Connection rows: a one-off check in a thread over copies
 * of the form (scaler-connection-check.c), its verdict on the row.
 */

#define G_LOG_DOMAIN "scaler-wizard"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-gui-util.h"
#include "scaler-wizard-private.h"

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

  g_assert (SCALER_IS_WIZARD (object));
  g_assert (G_IS_ASYNC_RESULT (result));

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
      scaler_gui_add_toast (GTK_WIDGET (self->toast_overlay), "%s",
                            kind == SCALER_CONNECTION_CHECK_AWS ? _("AWS connection failed")
                                                                : _("ClearML connection failed"));
    }
  else
    {
      adw_action_row_set_subtitle (row, verdict);
      gtk_image_set_from_icon_name (icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (row), "success");
      scaler_gui_add_toast (GTK_WIDGET (self->toast_overlay), "%s",
                            kind == SCALER_CONNECTION_CHECK_AWS ? _("AWS connection works")
                                                                : _("ClearML connection works"));
    }
}

void
_scaler_wizard_start_test (ScalerWizard              *self,
                           ScalerConnectionCheckKind  kind)
{
  g_autoptr(ScalerConfig) config = _scaler_wizard_build_config (self, NULL);
  g_autoptr(ScalerSecrets) secrets = _scaler_wizard_build_secrets (self);
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
