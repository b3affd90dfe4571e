/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-window-actions.c: what the user does to autoscalers and servers
 * from the main window. Every action is a call to a background service;
 * the sidebar and the dashboard follow from the service's signals. */

#define G_LOG_DOMAIN "scaler-window"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-config-import.h"
#include "scaler-demo.h"
#include "scaler-move.h"
#include "scaler-server-dialog.h"
#include "scaler-window-private.h"
#include "scaler-wizard.h"

static ScalerClientAutoscaler *
lookup_parameter (ScalerWindow *self,
                  GVariant     *parameter)
{
  ScalerClientAutoscaler *autoscaler = _scaler_window_lookup (self, g_variant_get_string (parameter, NULL));

  if (autoscaler == NULL)
    _scaler_window_toast (self, _("That autoscaler is gone (deleted, or its service is not reachable)"));
  return autoscaler;
}

static gboolean
is_local (ScalerClientAutoscaler *autoscaler)
{
  ScalerMachine *machine = scaler_client_autoscaler_get_machine (autoscaler);

  return machine == NULL || scaler_machine_is_local (machine);
}

/* ---- calls with a toast for their outcome ---- */

typedef struct
{
  ScalerWindow *self;
  char         *failure;   /* "Could not start “%s”": the name is in it */
  char         *success;   /* nullable */
  char         *select;    /* nullable: select this key on success */
} Call;

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_free (call->failure);
  g_free (call->success);
  g_free (call->select);
  g_free (call);
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = scaler_client_autoscaler_call_finish (SCALER_CLIENT_AUTOSCALER (object), result, &error);

  g_assert (G_IS_ASYNC_RESULT (result));

  if (reply == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _scaler_window_toast (call->self, "%s: %s", call->failure, error->message);
  else if (reply != NULL && call->success != NULL)
    _scaler_window_toast (call->self, "%s", call->success);
  call_free (call);
}

static void
call (ScalerWindow           *self,
      ScalerClientAutoscaler *autoscaler,
      const char             *method,
      GVariant               *parameters,
      char                   *failure,
      char                   *success)
{
  Call *data = g_new0 (Call, 1);

  data->self = g_object_ref (self);
  data->failure = failure;
  data->success = success;
  scaler_client_autoscaler_call (autoscaler, method, parameters, -1, NULL, call_cb, data);
}

/* Start or Stop, with a toast for the outcome. */
static void
start_or_stop (ScalerWindow           *self,
               ScalerClientAutoscaler *autoscaler,
               gboolean                start)
{
  const char *name = scaler_client_autoscaler_get_name (autoscaler);

  if (start)
    call (self, autoscaler, "Start", NULL, g_strdup_printf (_("Could not start “%s”"), name),
          g_strdup_printf (_("Started “%s”"), name));
  else
    call (self, autoscaler, "Stop", NULL, g_strdup_printf (_("Could not stop “%s”"), name),
          g_strdup_printf (_("Stopped “%s”"), name));
}

static void
start_or_stop_parameter (ScalerWindow *self,
                         GVariant     *parameter,
                         gboolean      start)
{
  ScalerClientAutoscaler *autoscaler = lookup_parameter (self, parameter);

  if (autoscaler != NULL)
    start_or_stop (self, autoscaler, start);
}

static void
scaler_window_start_autoscaler_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  start_or_stop_parameter (SCALER_WINDOW (widget), parameter, TRUE);
}

static void
scaler_window_stop_autoscaler_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  start_or_stop_parameter (SCALER_WINDOW (widget), parameter, FALSE);
}

static void
scaler_window_toggle_selected_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerClientAutoscaler *autoscaler = _scaler_window_get_selected (self);

  g_assert (SCALER_IS_WINDOW (widget));

  if (autoscaler == NULL)
    return;
  start_or_stop (self, autoscaler, !scaler_client_autoscaler_is_active (autoscaler));
}

/* ---- the wizard ---- */

static void
wizard_saved_cb (ScalerWindow *self,
                 const char   *id,
                 ScalerWizard *wizard)
{
  ScalerMachine *machine = g_object_get_data (G_OBJECT (wizard), "scaler-machine");
  g_autofree char *key = NULL;
  ScalerClientAutoscaler *autoscaler;

  g_assert (SCALER_IS_WINDOW (self));
  g_assert (SCALER_IS_WIZARD (wizard));

  if (machine == NULL)
    return;
  autoscaler = scaler_machine_find (machine, id);
  if (autoscaler == NULL)
    return;
  key = scaler_client_autoscaler_dup_key (autoscaler);
  _scaler_window_select_later (self, key);

  /* A running autoscaler applies the new configuration from its next cycle. */
  if (scaler_wizard_is_editing (wizard) && scaler_client_autoscaler_is_active (autoscaler))
    _scaler_window_toast (self, _("Saved “%s”: it applies from the next cycle"),
                          scaler_client_autoscaler_get_name (autoscaler));
  else
    _scaler_window_toast (self, scaler_wizard_is_editing (wizard) ? _("Saved “%s”") : _("Created “%s”"),
                          scaler_client_autoscaler_get_name (autoscaler));
}

static void
present_wizard (ScalerWindow  *self,
                ScalerMachine *machine,
                ScalerWizard  *wizard)
{
  g_object_set_data_full (G_OBJECT (wizard), "scaler-machine", g_object_ref (machine), g_object_unref);
  g_signal_connect_object (wizard, "saved", G_CALLBACK (wizard_saved_cb), self, G_CONNECT_SWAPPED);
  _scaler_window_present_dialog (self, GTK_WINDOW (wizard));
}

static gboolean
require_connected (ScalerWindow  *self,
                   ScalerMachine *machine)
{
  if (machine != NULL && scaler_machine_get_status (machine) == SCALER_MACHINE_CONNECTED)
    return TRUE;
  _scaler_window_toast (self, _("The background service is not reachable: %s"),
                        machine != NULL && scaler_machine_get_error (machine) != NULL
                        ? scaler_machine_get_error (machine) : _("not connected yet"));
  return FALSE;
}

static void
open_wizard (ScalerWindow  *self,
             ScalerMachine *machine,
             ScalerConfig  *config)
{
  ScalerCredentials *credentials;

  if (self->application == NULL || !require_connected (self, machine))
    return;
  /* This computer's secrets are in its keyring; a server keeps its own. */
  credentials = scaler_machine_is_local (machine) ? scaler_application_get_credentials (self->application) : NULL;
  present_wizard (self, machine, scaler_wizard_new (machine, credentials, config));
}

static void
scaler_window_new_autoscaler_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);

  g_assert (SCALER_IS_WINDOW (widget));

  open_wizard (self, _scaler_window_get_local_machine (self), NULL);
}

static void
edit_autoscaler (ScalerWindow           *self,
                 ScalerClientAutoscaler *autoscaler)
{
  if (autoscaler == NULL || scaler_client_autoscaler_is_broken (autoscaler))
    return;
  open_wizard (self, scaler_client_autoscaler_get_machine (autoscaler), scaler_client_autoscaler_get_config (autoscaler));
}

static void
scaler_window_edit_autoscaler_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);

  g_assert (SCALER_IS_WINDOW (widget));

  edit_autoscaler (self, lookup_parameter (self, parameter));
}

static void
scaler_window_edit_selected_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);

  g_assert (SCALER_IS_WINDOW (widget));

  edit_autoscaler (self, _scaler_window_get_selected (self));
}

/* ---- Duplicate, Export, Show File, Test Connection ---- */

static void
duplicated_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ScalerWindow) self = user_data;
  ScalerClientAutoscaler *autoscaler = SCALER_CLIENT_AUTOSCALER (object);
  ScalerMachine *machine = scaler_client_autoscaler_get_machine (autoscaler);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = scaler_client_autoscaler_call_finish (autoscaler, result, &error);
  ScalerClientAutoscaler *copy;
  const char *path;

  g_assert (SCALER_IS_WINDOW (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (reply == NULL)
    {
      _scaler_window_toast (self, _("Could not duplicate: %s"), error->message);
      return;
    }
  g_variant_get (reply, "(&o)", &path);
  copy = machine != NULL ? scaler_machine_find_by_path (machine, path) : NULL;
  if (copy != NULL)
    {
      g_autofree char *key = scaler_client_autoscaler_dup_key (copy);

      _scaler_window_select_later (self, key);
      _scaler_window_toast (self, _("Created “%s”"), scaler_client_autoscaler_get_name (copy));
    }
}

static void
scaler_window_duplicate_autoscaler_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerClientAutoscaler *autoscaler = lookup_parameter (self, parameter);

  g_assert (SCALER_IS_WINDOW (widget));

  /* The service copies the file and the secrets. */
  if (autoscaler != NULL)
    scaler_client_autoscaler_call (autoscaler, "Duplicate", NULL, -1, NULL, duplicated_cb, g_object_ref (self));
}

static void
export_response_cb (ScalerWindow         *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  const char *key = g_object_get_data (G_OBJECT (chooser), "autoscaler-key");
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_WINDOW (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = g_file_get_path (file);
      if (path == NULL || !scaler_window_export_instance (self, key, path, &error))
        _scaler_window_toast (self, _("Could not export: %s"), error ? error->message : _("not a local file"));
      else
        _scaler_window_toast (self, _("Exported to %s (without secrets)"), path);
    }

  g_clear_object (&self->export_chooser);
}

static void
scaler_window_export_autoscaler_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerClientAutoscaler *autoscaler = lookup_parameter (self, parameter);
  g_autofree char *name = NULL;

  g_assert (SCALER_IS_WINDOW (widget));

  if (autoscaler == NULL || scaler_client_autoscaler_is_broken (autoscaler))
    return;

  g_clear_object (&self->export_chooser);
  self->export_chooser = gtk_file_chooser_native_new (_("Export Autoscaler"), GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_SAVE,
                                                      _("_Export"), _("_Cancel"));
  name = g_strdup_printf ("%s.json", scaler_client_autoscaler_get_name (autoscaler));
  g_strdelimit (name, "/\\", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->export_chooser), name);
  g_object_set_data_full (G_OBJECT (self->export_chooser), "autoscaler-key",
                          g_strdup (g_variant_get_string (parameter, NULL)), g_free);
  g_signal_connect_object (self->export_chooser, "response", G_CALLBACK (export_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->export_chooser));
}

static void
scaler_window_show_file_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerClientAutoscaler *autoscaler = lookup_parameter (self, parameter);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) parent = NULL;
  g_autofree char *uri = NULL;

  g_assert (SCALER_IS_WINDOW (widget));

  if (autoscaler == NULL || !is_local (autoscaler))
    return;

  file = g_file_new_for_path (scaler_client_autoscaler_get_config_path (autoscaler));
  parent = g_file_get_parent (file);
  uri = g_file_get_uri (parent ? parent : file);
  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

static void
tested_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ScalerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = scaler_client_autoscaler_call_finish (SCALER_CLIENT_AUTOSCALER (object), result, &error);
  g_autoptr(GVariant) verdicts = NULL;
  const char *aws = "", *clearml = "";
  gboolean aws_ok = FALSE, clearml_ok = FALSE;
  g_autofree char *body = NULL;
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  g_assert (SCALER_IS_WINDOW (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (reply == NULL)
    {
      _scaler_window_toast (self, _("Could not test the connection: %s"), error->message);
      return;
    }
  verdicts = g_variant_get_child_value (reply, 0);
  g_variant_lookup (verdicts, "aws-ok", "b", &aws_ok);
  g_variant_lookup (verdicts, "aws-message", "&s", &aws);
  g_variant_lookup (verdicts, "clearml-ok", "b", &clearml_ok);
  g_variant_lookup (verdicts, "clearml-message", "&s", &clearml);
  heading = g_strdup_printf (aws_ok && clearml_ok ? _("“%s” Can Connect") : _("“%s” Cannot Connect"),
                             scaler_client_autoscaler_get_name (SCALER_CLIENT_AUTOSCALER (object)));
  /* TRANSLATORS: ✓ or ✗, then what the check of each service said */
  body = g_strdup_printf (_("AWS: %s %s\n\nClearML: %s %s"), aws_ok ? "✓" : "✗", aws, clearml_ok ? "✓" : "✗", clearml);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  _scaler_window_present_dialog (self, GTK_WINDOW (dialog));
}

static void
scaler_window_test_connection_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerClientAutoscaler *autoscaler = lookup_parameter (self, parameter);

  g_assert (SCALER_IS_WINDOW (widget));

  /* From the machine the autoscaler runs on, with its saved secrets. */
  if (autoscaler != NULL)
    scaler_client_autoscaler_call (autoscaler, "TestConnection", NULL, 90000, NULL, tested_cb, g_object_ref (self));
}

/* ---- Delete ---- */

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    ScalerWindow     *self)
{
  const char *key = g_object_get_data (G_OBJECT (dialog), "autoscaler-key");
  ScalerClientAutoscaler *autoscaler;
  const char *name;

  g_assert (SCALER_IS_WINDOW (self));

  if (g_strcmp0 (response, "delete") != 0 || (autoscaler = _scaler_window_lookup (self, key)) == NULL)
    return;

  /* The service stops it first (honouring on_stop), then removes the file
   * and the secrets. */
  name = scaler_client_autoscaler_get_name (autoscaler);
  call (self, autoscaler, "Delete", NULL, g_strdup_printf (_("Could not delete “%s”"), name),
        g_strdup_printf (_("Deleted “%s”"), name));
}

static void
scaler_window_delete_autoscaler_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerClientAutoscaler *autoscaler = lookup_parameter (self, parameter);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  g_assert (SCALER_IS_WINDOW (widget));

  if (autoscaler == NULL)
    return;

  heading = g_strdup_printf (_("Delete “%s”?"), scaler_client_autoscaler_get_name (autoscaler));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("Its configuration file and the secrets it keeps are removed. "
                                                         "A running autoscaler is stopped first; what happens to its instances follows its “When Stopped” setting.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "autoscaler-key", g_strdup (g_variant_get_string (parameter, NULL)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  _scaler_window_present_dialog (self, GTK_WINDOW (dialog));
}

/* ---- Try the Demo ---- */

static void
demo_created_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ScalerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  ScalerClientAutoscaler *demo = scaler_machine_create_finish (SCALER_MACHINE (object), result, &error);

  g_assert (SCALER_IS_WINDOW (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (demo == NULL)
    {
      _scaler_window_toast (self, _("Could not create the demo: %s"), error->message);
      return;
    }
  _scaler_window_select_later (self, scaler_client_autoscaler_get_id (demo));
  start_or_stop (self, demo, TRUE);
}

void
scaler_window_try_demo (ScalerWindow *self)
{
  ScalerMachine *machine;
  GListModel *autoscalers;

  g_return_if_fail (SCALER_IS_WINDOW (self));

  machine = _scaler_window_get_local_machine (self);
  if (!require_connected (self, machine))
    return;

  /* Reuse an existing demo rather than piling them up. */
  autoscalers = scaler_machine_get_autoscalers (machine);
  for (guint i = 0; i < g_list_model_get_n_items (autoscalers); i++)
    {
      g_autoptr(ScalerClientAutoscaler) item = g_list_model_get_item (autoscalers, i);

      if (scaler_client_autoscaler_get_demo (item))
        {
          _scaler_window_select_later (self, scaler_client_autoscaler_get_id (item));
          if (!scaler_client_autoscaler_is_active (item))
            start_or_stop (self, item, TRUE);
          return;
        }
    }

  /* It runs in the service too, on the built-in simulator. */
  {
    g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
    g_autofree char *json = scaler_config_to_json (config);

    scaler_machine_create_async (machine, json, NULL, demo_created_cb, g_object_ref (self));
  }
}

static void
scaler_window_try_demo_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  scaler_window_try_demo (SCALER_WINDOW (widget));
}

/* ---- Export and Import ---- */

gboolean
scaler_window_export_instance (ScalerWindow  *self,
                               const char    *key,
                               const char    *path,
                               GError       **error)
{
  ScalerClientAutoscaler *autoscaler;

  g_return_val_if_fail (SCALER_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  autoscaler = _scaler_window_lookup (self, key);
  if (autoscaler == NULL || scaler_client_autoscaler_is_broken (autoscaler))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no readable autoscaler with the id %s"), key);
      return FALSE;
    }

  return scaler_config_export (scaler_client_autoscaler_get_config (autoscaler), path, error);
}

gboolean
scaler_window_import_clearml (ScalerWindow *self,
                              const char   *path)
{
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GPtrArray) report = NULL;
  g_autoptr(GError) error = NULL;
  ScalerMachine *machine;

  g_return_val_if_fail (SCALER_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  machine = _scaler_window_get_local_machine (self);
  if (self->application == NULL || machine == NULL)
    return FALSE;

  config = scaler_config_import_clearml_file (path, &secrets, &report, &error);
  if (config == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);
      g_autofree char *body = NULL;
      AdwMessageDialog *dialog;

      /* Bodies are plain text (body-use-markup is off). */
      body = g_strdup_printf ("%s\n\n%s", display, error->message);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                           _("Could Not Import the ClearML Configuration"),
                                                           body));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      adw_message_dialog_set_default_response (dialog, "close");
      adw_message_dialog_set_close_response (dialog, "close");
      _scaler_window_present_dialog (self, GTK_WINDOW (dialog));
      return FALSE;
    }

  if (!require_connected (self, machine))
    return FALSE;
  present_wizard (self, machine,
                  scaler_wizard_new_for_import (machine, scaler_application_get_credentials (self->application),
                                                config, secrets, report));
  return TRUE;
}

static void
import_response_cb (ScalerWindow         *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  g_assert (SCALER_IS_WINDOW (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = g_file_get_path (file);
      if (path == NULL)
        _scaler_window_toast (self, _("Could not import: not a local file"));
      else
        scaler_window_import_clearml (self, path);
    }

  g_clear_object (&self->import_chooser);
}

static void
scaler_window_import_clearml_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  GtkFileFilter *filter;

  g_assert (SCALER_IS_WINDOW (widget));

  g_clear_object (&self->import_chooser);
  self->import_chooser = gtk_file_chooser_native_new (_("Import ClearML Configuration"), GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_OPEN,
                                                      _("_Import"), _("_Cancel"));

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("ClearML Configurations (YAML, JSON)"));
  gtk_file_filter_add_suffix (filter, "yaml");
  gtk_file_filter_add_suffix (filter, "yml");
  gtk_file_filter_add_suffix (filter, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->import_chooser), filter);
  g_object_unref (filter);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All Files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->import_chooser), filter);
  g_object_unref (filter);

  g_signal_connect_object (self->import_chooser, "response", G_CALLBACK (import_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->import_chooser));
}

/* ---- Stop All ---- */

/* What stopping every running autoscaler of @machine does to instances,
 * from their "When Stopped" settings. */
static char *
describe_stop_all (ScalerMachine *machine,
                   guint         *n_running)
{
  GListModel *autoscalers = scaler_machine_get_autoscalers (machine);
  guint counts[3] = { 0, 0, 0 };
  g_autoptr(GString) text = g_string_new (NULL);

  *n_running = 0;
  for (guint i = 0; i < g_list_model_get_n_items (autoscalers); i++)
    {
      g_autoptr(ScalerClientAutoscaler) autoscaler = g_list_model_get_item (autoscalers, i);
      ScalerConfig *config = scaler_client_autoscaler_get_config (autoscaler);

      if (!scaler_client_autoscaler_is_active (autoscaler) || config == NULL)
        continue;
      (*n_running)++;
      counts[MIN ((guint) config->on_stop, 2)]++;
    }
  /* One autoscaler: "It …" reads better than "1 …". */
  if (*n_running == 1)
    return g_strdup (counts[SCALER_ON_STOP_KEEP] > 0
                     ? _("It keeps its instances running (they cost money until you terminate them).")
                     : counts[SCALER_ON_STOP_TERMINATE_IDLE] > 0
                     ? _("It terminates its idle instances and keeps the busy ones.")
                     : _("It terminates all of its instances, busy ones included."));
  if (counts[SCALER_ON_STOP_KEEP] > 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                               "%u keeps its instances running (they cost money until you terminate them).",
                                               "%u keep their instances running (they cost money until you terminate them).",
                                               counts[SCALER_ON_STOP_KEEP]),
                            counts[SCALER_ON_STOP_KEEP]);
  if (counts[SCALER_ON_STOP_TERMINATE_IDLE] > 0)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u terminates its idle instances and keeps the busy ones.",
                                                 "%u terminate their idle instances and keep the busy ones.",
                                                 counts[SCALER_ON_STOP_TERMINATE_IDLE]),
                              counts[SCALER_ON_STOP_TERMINATE_IDLE]);
    }
  if (counts[SCALER_ON_STOP_TERMINATE_ALL] > 0)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u terminates all of its instances, busy ones included.",
                                                 "%u terminate all of their instances, busy ones included.",
                                                 counts[SCALER_ON_STOP_TERMINATE_ALL]),
                              counts[SCALER_ON_STOP_TERMINATE_ALL]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
stopped_all_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ScalerWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_WINDOW (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (!scaler_machine_stop_all_finish (SCALER_MACHINE (object), result, &error))
    _scaler_window_toast (self, _("Could not stop the autoscalers: %s"), error->message);
  else
    _scaler_window_toast (self, _("Stopping every autoscaler on %s"), scaler_machine_get_title (SCALER_MACHINE (object)));
}

static void
stop_all_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      ScalerWindow     *self)
{
  ScalerMachine *machine = g_object_get_data (G_OBJECT (dialog), "scaler-machine");

  g_assert (SCALER_IS_WINDOW (self));

  if (g_strcmp0 (response, "stop") == 0 && machine != NULL)
    scaler_machine_stop_all_async (machine, NULL, stopped_all_cb, g_object_ref (self));
}

static void
confirm_stop_all (ScalerWindow  *self,
                  ScalerMachine *machine)
{
  g_autofree char *consequences = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  guint n_running = 0;

  if (!require_connected (self, machine))
    return;
  consequences = describe_stop_all (machine, &n_running);
  if (n_running == 0)
    {
      _scaler_window_toast (self, _("No autoscaler runs on %s"), scaler_machine_get_title (machine));
      return;
    }
  heading = scaler_machine_is_local (machine)
            ? g_strdup (_("Stop All Autoscalers?"))
            : g_strdup_printf (_("Stop All Autoscalers on %s?"), scaler_machine_get_title (machine));
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u autoscaler runs on %s. Once stopped, nothing launches or terminates "
                                       "instances for it until you start it again. %s",
                                       "%u autoscalers run on %s. Once stopped, nothing launches or terminates "
                                       "instances for them until you start them again. %s",
                                       n_running),
                          n_running,
                          scaler_machine_is_local (machine) ? _("this computer") : scaler_machine_get_title (machine),
                          consequences);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "stop", _("_Stop All"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "scaler-machine", g_object_ref (machine), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (stop_all_response_cb), self, 0);
  _scaler_window_present_dialog (self, GTK_WINDOW (dialog));
}

static void
scaler_window_stop_all_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);

  g_assert (SCALER_IS_WINDOW (widget));

  confirm_stop_all (self, _scaler_window_get_local_machine (self));
}

static ScalerMachine *
machine_parameter (ScalerWindow *self,
                   GVariant     *parameter)
{
  return self->application != NULL
         ? scaler_application_find_machine (self->application, g_variant_get_string (parameter, NULL))
         : NULL;
}

static void
scaler_window_stop_all_on_machine_action (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerMachine *machine = machine_parameter (self, parameter);

  g_assert (SCALER_IS_WINDOW (widget));

  if (machine != NULL)
    confirm_stop_all (self, machine);
}

/* ---- servers ---- */

static void
retry_machine (ScalerMachine *machine)
{
  if (machine != NULL)
    scaler_machine_connect (machine);
}

static void
scaler_window_retry_machine_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  retry_machine (machine_parameter (SCALER_WINDOW (widget), parameter));
}

static void
server_added_cb (ScalerWindow  *self,
                 ScalerMachine *machine)
{
  g_assert (SCALER_IS_WINDOW (self));
  g_assert (SCALER_IS_MACHINE (machine));

  _scaler_window_toast (self, _("Added %s"), scaler_machine_get_title (machine));
}

static void
scaler_window_add_server_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerServerDialog *dialog;

  g_assert (SCALER_IS_WINDOW (widget));

  if (self->application == NULL)
    return;
  dialog = scaler_server_dialog_new (self->application);
  g_signal_connect_object (dialog, "added", G_CALLBACK (server_added_cb), self, G_CONNECT_SWAPPED);
  _scaler_window_present_dialog (self, GTK_WINDOW (dialog));
}

static void
scaler_window_remove_server_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerMachine *machine = machine_parameter (self, parameter);
  g_autofree char *title = NULL;

  g_assert (SCALER_IS_WINDOW (widget));

  if (machine == NULL || scaler_machine_is_local (machine))
    return;
  /* Its autoscalers keep running there: this only forgets the server. */
  title = g_strdup (scaler_machine_get_title (machine));
  scaler_application_remove_server (self->application, machine);
  _scaler_window_toast (self, _("Removed %s; its autoscalers keep running there"), title);
}

/* ---- Move to Server ---- */

static void
moved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ScalerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  ScalerClientAutoscaler *copy = scaler_move_autoscaler_finish (result, &error);
  AdwMessageDialog *dialog;

  g_assert (SCALER_IS_WINDOW (self));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (copy != NULL)
    {
      g_autofree char *key = scaler_client_autoscaler_dup_key (copy);

      _scaler_window_select_later (self, key);
      _scaler_window_toast (self, _("“%s” is on %s now"), scaler_client_autoscaler_get_name (copy),
                            scaler_machine_get_title (scaler_client_autoscaler_get_machine (copy)));
      return;
    }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Move the Autoscaler"),
                                                       error->message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  _scaler_window_present_dialog (self, GTK_WINDOW (dialog));
}

static ScalerMachine *
chosen_server (AdwMessageDialog *dialog)
{
  GtkDropDown *servers = g_object_get_data (G_OBJECT (dialog), "servers");
  GPtrArray *machines = g_object_get_data (G_OBJECT (dialog), "server-machines");
  guint position = gtk_drop_down_get_selected (servers);

  if (position == GTK_INVALID_LIST_POSITION || position >= machines->len)
    return NULL;
  return g_ptr_array_index (machines, position);
}

/* Where the chosen server keeps secrets: said next to the choice. */
static void
update_secrets_hint (AdwMessageDialog *dialog)
{
  GtkLabel *hint = g_object_get_data (G_OBJECT (dialog), "secrets-hint");
  ScalerMachine *server = chosen_server (dialog);

  if (hint == NULL)
    return;
  if (server != NULL && scaler_machine_get_has_keyring (server))
    gtk_label_set_text (hint, _("They are sent over SSH and kept in the keyring of your user on the server."));
  else
    gtk_label_set_text (hint, _("They are sent over SSH. The server has no keyring: they are kept in a file only "
                                "your user can read (mode 0600) under ~/.config/ec2-autoscaler/ there."));
}

static void
move_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  ScalerWindow     *self)
{
  const char *key = g_object_get_data (G_OBJECT (dialog), "autoscaler-key");
  GtkCheckButton *send = g_object_get_data (G_OBJECT (dialog), "send-secrets");
  ScalerClientAutoscaler *autoscaler;
  ScalerMachine *server;
  ScalerCredentials *credentials = NULL;

  g_assert (SCALER_IS_WINDOW (self));

  if (g_strcmp0 (response, "move") != 0 || self->application == NULL)
    return;
  autoscaler = _scaler_window_lookup (self, key);
  server = chosen_server (dialog);
  if (autoscaler == NULL || server == NULL)
    return;
  /* Secrets cross only when the user agreed. */
  if (send != NULL && gtk_check_button_get_active (send))
    credentials = scaler_application_get_credentials (self->application);
  _scaler_window_toast (self, _("Moving “%s” to %s…"), scaler_client_autoscaler_get_name (autoscaler),
                        scaler_machine_get_title (server));
  scaler_move_autoscaler_async (autoscaler, server, credentials, NULL, moved_cb, g_object_ref (self));
}

static GtkWidget *
build_move_choices (AdwMessageDialog       *dialog,
                    ScalerApplication      *application,
                    ScalerClientAutoscaler *autoscaler)
{
  GListModel *machines = scaler_application_get_machines (application);
  GtkStringList *names = gtk_string_list_new (NULL);
  GPtrArray *connected = g_ptr_array_new_with_free_func (g_object_unref);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *servers;
  ScalerConfig *config = scaler_client_autoscaler_get_config (autoscaler);

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr(ScalerMachine) machine = g_list_model_get_item (machines, i);
      const char *title = scaler_machine_get_title (machine);
      const char *address = scaler_machine_get_address (machine);
      g_autofree char *label = NULL;

      if (scaler_machine_is_local (machine) || scaler_machine_get_status (machine) != SCALER_MACHINE_CONNECTED)
        continue;
      /* TRANSLATORS: a server's host name, then the address it was added as */
      label = g_strcmp0 (title, address) == 0 ? g_strdup (title) : g_strdup_printf (_("%s (%s)"), title, address);
      gtk_string_list_append (names, label);
      g_ptr_array_add (connected, g_object_ref (machine));
    }
  g_object_set_data_full (G_OBJECT (dialog), "server-machines", connected, (GDestroyNotify) g_ptr_array_unref);
  servers = gtk_drop_down_new (G_LIST_MODEL (names), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (servers), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Server"), -1);
  g_object_set_data (G_OBJECT (dialog), "servers", servers);
  gtk_box_append (GTK_BOX (box), servers);

  /* Secrets are only asked for when the keyring holds them. */
  if (config != NULL && !config->demo &&
      (config->aws_credentials == SCALER_CREDENTIALS_SOURCE_KEYRING ||
       config->clearml_credentials == SCALER_CREDENTIALS_SOURCE_KEYRING))
    {
      GtkWidget *send = gtk_check_button_new_with_mnemonic (_("Also send its _secrets (AWS and ClearML keys, git password)"));
      GtkWidget *hint = gtk_label_new (NULL);

      gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
      gtk_label_set_xalign (GTK_LABEL (hint), 0);
      gtk_widget_add_css_class (hint, "caption");
      gtk_widget_add_css_class (hint, "dim-label");
      gtk_box_append (GTK_BOX (box), send);
      gtk_box_append (GTK_BOX (box), hint);
      g_object_set_data (G_OBJECT (dialog), "send-secrets", send);
      g_object_set_data (G_OBJECT (dialog), "secrets-hint", hint);
    }
  g_signal_connect_swapped (servers, "notify::selected", G_CALLBACK (update_secrets_hint), dialog);
  return box;
}

static void
scaler_window_move_to_server_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerClientAutoscaler *autoscaler = lookup_parameter (self, parameter);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *choices;

  g_assert (SCALER_IS_WINDOW (widget));

  if (autoscaler == NULL || !is_local (autoscaler) || scaler_client_autoscaler_is_broken (autoscaler))
    return;

  heading = g_strdup_printf (_("Move “%s” to a Server?"), scaler_client_autoscaler_get_name (autoscaler));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("Its configuration is copied to the server and, if it runs "
                                                         "here, started there. Once the server reports it running, "
                                                         "this computer's copy is stopped (its instances keep "
                                                         "running, for the server to manage) and removed.")));
  choices = build_move_choices (dialog, self->application, autoscaler);
  adw_message_dialog_set_extra_child (dialog, choices);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "move", _("_Move"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "move", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "move");
  adw_message_dialog_set_close_response (dialog, "cancel");
  if (((GPtrArray *) g_object_get_data (G_OBJECT (dialog), "server-machines"))->len == 0)
    {
      adw_message_dialog_set_body (dialog, _("There is no connected server. Add one with Add Server… in the main "
                                             "menu first."));
      adw_message_dialog_set_response_enabled (dialog, "move", FALSE);
    }
  update_secrets_hint (dialog);
  g_object_set_data_full (G_OBJECT (dialog), "autoscaler-key", g_strdup (g_variant_get_string (parameter, NULL)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (move_response_cb), self, 0);
  _scaler_window_present_dialog (self, GTK_WINDOW (dialog));
}

void
_scaler_window_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.new-autoscaler", NULL, scaler_window_new_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.try-demo", NULL, scaler_window_try_demo_action);
  gtk_widget_class_install_action (widget_class, "win.import-clearml", NULL, scaler_window_import_clearml_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-selected", NULL, scaler_window_toggle_selected_action);
  gtk_widget_class_install_action (widget_class, "win.edit-selected", NULL, scaler_window_edit_selected_action);
  gtk_widget_class_install_action (widget_class, "win.start-autoscaler", "s", scaler_window_start_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.stop-autoscaler", "s", scaler_window_stop_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.edit-autoscaler", "s", scaler_window_edit_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.duplicate-autoscaler", "s",
                                   scaler_window_duplicate_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.export-autoscaler", "s", scaler_window_export_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.delete-autoscaler", "s", scaler_window_delete_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.show-autoscaler-file", "s", scaler_window_show_file_action);
  gtk_widget_class_install_action (widget_class, "win.test-connection", "s", scaler_window_test_connection_action);
  gtk_widget_class_install_action (widget_class, "win.move-to-server", "s", scaler_window_move_to_server_action);
  gtk_widget_class_install_action (widget_class, "win.stop-all", NULL, scaler_window_stop_all_action);
  gtk_widget_class_install_action (widget_class, "win.stop-all-on-machine", "s",
                                   scaler_window_stop_all_on_machine_action);
  gtk_widget_class_install_action (widget_class, "win.add-server", NULL, scaler_window_add_server_action);
  gtk_widget_class_install_action (widget_class, "win.remove-server", "s", scaler_window_remove_server_action);
  gtk_widget_class_install_action (widget_class, "win.retry-machine", "s", scaler_window_retry_machine_action);
}
