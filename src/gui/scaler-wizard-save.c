/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Saving what the wizard describes. On this computer: the secrets to the
 * keyring first (nothing is written when that fails), then the configuration
 * to the service (Create or Update). On a server: the configuration only.
 */

#define G_LOG_DOMAIN "scaler-wizard"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-gui-util.h"
#include "scaler-wizard-private.h"

static void
save_failed (ScalerWizard *self,
             const GError *error)
{
  self->saving = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  scaler_gui_add_toast (GTK_WIDGET (self->toast_overlay),
                        _("Could not save the autoscaler: %s"), error->message);
  _scaler_wizard_validate_now (self);
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ScalerWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  ScalerClientAutoscaler *autoscaler = scaler_machine_create_finish (SCALER_MACHINE (object), result, &error);

  g_assert (SCALER_IS_WIZARD (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (autoscaler == NULL)
    save_failed (self, error);
  else
    _scaler_wizard_saved (self, scaler_client_autoscaler_get_id (autoscaler));
}

static void
updated_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ScalerWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = scaler_client_autoscaler_call_finish (SCALER_CLIENT_AUTOSCALER (object), result, &error);

  g_assert (SCALER_IS_WIZARD (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (reply == NULL)
    save_failed (self, error);
  else
    _scaler_wizard_saved (self, self->base->id);
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

  g_assert (SCALER_IS_WIZARD (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (!scaler_credentials_store_secrets_finish (SCALER_CREDENTIALS (object), result, &error))
    {
      self->saving = FALSE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      scaler_gui_add_toast (GTK_WIDGET (self->toast_overlay),
                            _("Could not store the secrets in the keyring: %s"), error->message);
      _scaler_wizard_validate_now (self);
      return;
    }

  save_config (self);
}

void
_scaler_wizard_save (ScalerWizard  *self,
                     ScalerConfig  *config,
                     ScalerSecrets *secrets)
{
  g_assert (SCALER_IS_WIZARD (self));
  g_assert (!self->saving);

  self->saving = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.create", FALSE);
  g_object_set_data_full (G_OBJECT (self), "saving-config", scaler_config_ref (config),
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
