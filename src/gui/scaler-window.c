/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-window"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-config-import.h"
#include "scaler-demo.h"
#include "scaler-dashboard.h"
#include "scaler-sidebar-row.h"
#include "scaler-window.h"
#include "scaler-wizard.h"

struct _ScalerWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  ScalerApplication    *application;   /* weak */
  ScalerAutoscalerStore  *store;
  GSignalGroup         *engine_signals; /* the selected instance's engine */
  GSignalGroup         *saved_signals;  /* the selected instance (in-place edits) */
  GHashTable           *watched;        /* engines watched for notifications */
  GHashTable           *notified;       /* instance id -> monotonic s of the last alert */
  GtkWindow            *dialog;         /* weak: wizard or confirmation */
  GtkFileChooserNative *export_chooser;
  GtkFileChooserNative *import_chooser;
  gboolean              restoring;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar_list;
  GtkStack             *content_stack;
  AdwStatusPage        *empty_page;
  GtkWidget            *demo_button;
  AdwWindowTitle       *content_title;
  GtkWidget            *toggle_button;
  GtkWidget            *edit_button;
  AdwBin               *dashboard_bin;
  AdwStatusPage        *broken_page;
  GtkWidget            *broken_show_button;
  GtkWidget            *broken_delete_button;
};

G_DEFINE_FINAL_TYPE (ScalerWindow, scaler_window, ADW_TYPE_APPLICATION_WINDOW)

#define NOTIFY_INTERVAL_S 300

static ScalerAutoscaler *
selected_instance (ScalerWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->sidebar_list);

  if (row == NULL || !SCALER_IS_SIDEBAR_ROW (row))
    return NULL;

  return scaler_sidebar_row_get_instance (SCALER_SIDEBAR_ROW (row));
}

static ScalerEngine *
engine_for (ScalerWindow *self,
            const char   *id)
{
  if (self->application == NULL)
    return NULL;

  return scaler_application_get_engine (self->application, id);
}

static void
toast (ScalerWindow *self,
       const char   *format,
       ...) G_GNUC_PRINTF (2, 3);

static void
toast (ScalerWindow *self,
       const char   *format,
       ...)
{
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;
  AdwToast *t;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  /* Toast titles are Pango markup on libadwaita 1.2. */
  escaped = g_markup_escape_text (text, -1);
  t = adw_toast_new (escaped);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

/* A desktop notification, only while the window is not focused: in front
 * of the user, the dashboard and the toasts already say it. */
static void
notify_attention (ScalerWindow *self,
                  const char   *id,
                  const char   *title,
                  const char   *body)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *notification_id = NULL;
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  gint64 now = g_get_monotonic_time ();
  gint64 last;

  if (app == NULL || gtk_window_is_active (GTK_WINDOW (self)))
    return;

  /* At most one alert per autoscaler every few minutes: a failing cycle
   * repeats its error every poll. */
  last = GPOINTER_TO_SIZE (g_hash_table_lookup (self->notified, id ? id : "")) * G_USEC_PER_SEC;
  if (last != 0 && now - last < NOTIFY_INTERVAL_S * G_USEC_PER_SEC)
    return;
  g_hash_table_insert (self->notified, g_strdup (id ? id : ""),
                       GSIZE_TO_POINTER (MAX (1, now / G_USEC_PER_SEC)));

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  notification_id = g_strdup_printf ("instance-%s", id ? id : "");
  g_application_send_notification (app, notification_id, notification);
}

static void start_instance (ScalerWindow *self,
                            const char   *id);
static void stop_instance  (ScalerWindow *self,
                            const char   *id);

static gboolean
dashboard_start_requested_cb (ScalerWindow *self)
{
  ScalerAutoscaler *saved = selected_instance (self);

  if (saved != NULL)
    start_instance (self, scaler_autoscaler_get_id (saved));

  return TRUE;
}

static gboolean
dashboard_stop_requested_cb (ScalerWindow *self)
{
  ScalerAutoscaler *saved = selected_instance (self);

  if (saved != NULL)
    stop_instance (self, scaler_autoscaler_get_id (saved));

  return TRUE;
}

static gboolean
dashboard_toast_cb (ScalerWindow *self,
                    const char   *title)
{
  toast (self, "%s", title);

  return TRUE;
}

static void
dashboard_attention_cb (ScalerWindow *self,
                        const char   *title,
                        const char   *body)
{
  ScalerAutoscaler *saved = selected_instance (self);

  notify_attention (self, saved ? scaler_autoscaler_get_id (saved) : NULL, title, body);
}

/* The dashboard page follows the selected instance: its config, and its
 * engine while one runs. */
static void
scaler_window_dashboard_update (ScalerWindow        *self,
                                ScalerAutoscaler *saved,
                                ScalerEngine        *engine)
{
  ScalerDashboard *dashboard = SCALER_DASHBOARD (adw_bin_get_child (self->dashboard_bin));

  if (dashboard == NULL)
    {
      dashboard = SCALER_DASHBOARD (scaler_dashboard_new ());
      g_signal_connect_object (dashboard, "start-requested", G_CALLBACK (dashboard_start_requested_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (dashboard, "stop-requested", G_CALLBACK (dashboard_stop_requested_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (dashboard, "toast", G_CALLBACK (dashboard_toast_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (dashboard, "attention-needed", G_CALLBACK (dashboard_attention_cb), self, G_CONNECT_SWAPPED);
      adw_bin_set_child (self->dashboard_bin, GTK_WIDGET (dashboard));
    }

  if (saved == NULL || scaler_autoscaler_is_broken (saved))
    {
      scaler_dashboard_set_engine (dashboard, NULL);
      return;
    }

  scaler_dashboard_set_config (dashboard, scaler_autoscaler_get_config (saved));
  if (scaler_dashboard_get_engine (dashboard) != engine)
    scaler_dashboard_set_engine (dashboard, engine);
}

static void
update_content (ScalerWindow *self)
{
  ScalerAutoscaler *saved = selected_instance (self);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  ScalerEngine *engine;
  g_autofree char *status = NULL;
  const char *state = "stopped";

  if (saved == NULL)
    {
      adw_window_title_set_title (self->content_title, _("EC2 Autoscaler"));
      adw_window_title_set_subtitle (self->content_title, NULL);
      gtk_widget_set_visible (self->toggle_button, FALSE);
      gtk_widget_set_visible (self->edit_button, FALSE);
      if (n_items == 0)
        adw_status_page_set_title (self->empty_page, _("No Autoscalers"));
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
      return;
    }

  engine = engine_for (self, scaler_autoscaler_get_id (saved));
  status = scaler_instance_describe (saved, engine, &state);
  adw_window_title_set_title (self->content_title, scaler_autoscaler_get_name (saved));
  adw_window_title_set_subtitle (self->content_title, status);

  if (scaler_autoscaler_is_broken (saved))
    {
      g_autofree char *description = g_strdup_printf (_("%s\n\n%s\n\nThe file is left as it is."),
                                                      scaler_autoscaler_get_path (saved),
                                                      scaler_autoscaler_get_load_error (saved));

      adw_status_page_set_description (self->broken_page, description);
      gtk_widget_set_visible (self->toggle_button, FALSE);
      gtk_widget_set_visible (self->edit_button, FALSE);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->broken_show_button), "s",
                                        scaler_autoscaler_get_id (saved));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->broken_show_button), "win.show-autoscaler-file");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->broken_delete_button), "s",
                                        scaler_autoscaler_get_id (saved));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->broken_delete_button), "win.delete-autoscaler");
      gtk_stack_set_visible_child_name (self->content_stack, "broken");
      return;
    }

  /* The dashboard's own header has start and stop. */
  gtk_widget_set_visible (self->toggle_button, FALSE);
  gtk_widget_set_visible (self->edit_button, TRUE);
  gtk_widget_remove_css_class (self->toggle_button, "suggested-action");
  gtk_widget_remove_css_class (self->toggle_button, "destructive-action");
  if (engine != NULL)
    {
      gtk_button_set_label (GTK_BUTTON (self->toggle_button), _("_Stop"));
      gtk_widget_add_css_class (self->toggle_button, "destructive-action");
    }
  else
    {
      gtk_button_set_label (GTK_BUTTON (self->toggle_button), _("_Start"));
      gtk_widget_add_css_class (self->toggle_button, "suggested-action");
    }

  gtk_stack_set_visible_child_name (self->content_stack, "dashboard");
}

static void
update_dashboard (ScalerWindow *self)
{
  ScalerAutoscaler *saved = selected_instance (self);
  const char *id = saved ? scaler_autoscaler_get_id (saved) : NULL;

  g_signal_group_set_target (self->engine_signals, engine_for (self, id));
  g_signal_group_set_target (self->saved_signals, saved);
  scaler_window_dashboard_update (self, saved, engine_for (self, id));
  update_content (self);
}

static void
scaler_window_row_selected_cb (ScalerWindow  *self,
                               GtkListBoxRow *row)
{
  ScalerAutoscaler *saved = selected_instance (self);

  if (saved != NULL && !self->restoring)
    g_settings_set_string (self->settings, "last-autoscaler", scaler_autoscaler_get_id (saved));

  update_dashboard (self);

  if (row != NULL && adw_leaflet_get_folded (self->leaflet) && !self->restoring)
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  ScalerWindow *self = user_data;

  return scaler_sidebar_row_new (item, self->application);
}

static GtkListBoxRow *
row_for_id (ScalerWindow *self,
            const char   *id)
{
  for (guint i = 0; ; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->sidebar_list, i);

      if (row == NULL)
        return NULL;
      if (SCALER_IS_SIDEBAR_ROW (row) &&
          g_strcmp0 (scaler_autoscaler_get_id (scaler_sidebar_row_get_instance (SCALER_SIDEBAR_ROW (row))), id) == 0)
        return row;
    }
}

static void
store_items_changed_cb (ScalerWindow *self)
{
  /* Keep something selected: the remembered instance, else the first. */
  if (gtk_list_box_get_selected_row (self->sidebar_list) == NULL)
    {
      g_autofree char *last = g_settings_get_string (self->settings, "last-autoscaler");
      GtkListBoxRow *row = row_for_id (self, last);

      if (row == NULL)
        row = gtk_list_box_get_row_at_index (self->sidebar_list, 0);
      if (row != NULL)
        {
          self->restoring = TRUE;
          gtk_list_box_select_row (self->sidebar_list, row);
          self->restoring = FALSE;
        }
    }

  update_content (self);
}

/* "state-changed" comes once the state and its error message are both set. */
static void
engine_state_cb (ScalerWindow *self,
                 ScalerEngine *engine)
{
  ScalerConfig *config = scaler_engine_get_config (engine);

  if (scaler_engine_get_state (engine) == SCALER_ENGINE_STATE_ERROR)
    {
      g_autofree char *title = g_strdup_printf (_("%s needs attention"), config->name);
      const char *message = scaler_engine_get_error_message (engine);

      notify_attention (self, config->id, title, message ? message : _("The last cycle failed"));
    }

  update_content (self);
}

static void
engine_log_cb (ScalerWindow  *self,
               ScalerLogLevel level,
               const char    *text,
               ScalerEngine  *engine)
{
  ScalerConfig *config;
  g_autofree char *title = NULL;

  if (level < SCALER_LOG_LEVEL_ERROR)
    return;

  config = scaler_engine_get_config (engine);
  title = g_strdup_printf (_("%s needs attention"), config->name);
  notify_attention (self, config->id, title, text);
}

static void
app_engine_changed_cb (ScalerWindow *self,
                       const char   *id)
{
  ScalerEngine *engine = engine_for (self, id);

  if (engine != NULL && !g_hash_table_contains (self->watched, engine))
    {
      g_hash_table_add (self->watched, engine);
      g_object_weak_ref (G_OBJECT (engine), (GWeakNotify) g_hash_table_remove, self->watched);
      g_signal_connect_object (engine, "state-changed", G_CALLBACK (engine_state_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (engine, "log-line", G_CALLBACK (engine_log_cb), self, G_CONNECT_SWAPPED);
    }

  {
    ScalerAutoscaler *saved = selected_instance (self);

    if (saved != NULL && g_strcmp0 (scaler_autoscaler_get_id (saved), id) == 0)
      update_dashboard (self);
  }
}

static void
scaler_window_back_cb (ScalerWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
present_dialog (ScalerWindow *self,
                GtkWindow    *dialog)
{
  gtk_window_set_transient_for (dialog, GTK_WINDOW (self));
  gtk_window_set_modal (dialog, TRUE);
  gtk_window_set_destroy_with_parent (dialog, TRUE);
  g_set_weak_pointer (&self->dialog, dialog);
  gtk_window_present (dialog);
}

static void
wizard_saved_cb (ScalerWindow *self,
                 const char   *id,
                 ScalerWizard *wizard)
{
  ScalerAutoscaler *saved = scaler_autoscaler_store_find (self->store, id);

  scaler_window_select_instance (self, id);
  if (saved == NULL)
    return;

  /* A running engine keeps the config it started with. */
  if (scaler_wizard_is_editing (wizard) && engine_for (self, id) != NULL)
    toast (self, _("Saved “%s”: stop and start it to apply the changes"),
           scaler_autoscaler_get_name (saved));
  else
    toast (self, scaler_wizard_is_editing (wizard) ? _("Saved “%s”") : _("Created “%s”"),
           scaler_autoscaler_get_name (saved));
}

static void
open_wizard (ScalerWindow *self,
             ScalerConfig *config)
{
  ScalerWizard *wizard;

  if (self->application == NULL)
    return;

  wizard = scaler_wizard_new (self->store,
                              scaler_application_get_credentials (self->application),
                              config);
  g_signal_connect_object (wizard, "saved", G_CALLBACK (wizard_saved_cb), self, G_CONNECT_SWAPPED);
  present_dialog (self, GTK_WINDOW (wizard));
}

static void
scaler_window_new_autoscaler_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  open_wizard (SCALER_WINDOW (widget), NULL);
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ScalerWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!scaler_application_start_autoscaler_finish (SCALER_APPLICATION (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, _("Could not start: %s"), error->message);
      return;
    }

  toast (self, "%s", _("Started"));
  update_dashboard (self);
}

static void
start_instance (ScalerWindow *self,
                const char   *id)
{
  if (self->application == NULL)
    return;

  scaler_application_start_autoscaler_async (self->application, id, NULL, start_cb, g_object_ref (self));
}

static void
stop_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ScalerWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!scaler_application_stop_autoscaler_finish (SCALER_APPLICATION (object), result, &error))
    toast (self, _("Stopped with an error: %s"), error->message);
  else
    toast (self, "%s", _("Stopped"));
  update_dashboard (self);
}

static void
stop_instance (ScalerWindow *self,
               const char   *id)
{
  if (self->application == NULL)
    return;

  scaler_application_stop_autoscaler_async (self->application, id, NULL, stop_cb, g_object_ref (self));
}

static void
scaler_window_start_autoscaler_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  start_instance (SCALER_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
scaler_window_stop_autoscaler_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  stop_instance (SCALER_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
scaler_window_toggle_selected_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerAutoscaler *saved = selected_instance (self);
  const char *id;

  if (saved == NULL)
    return;

  id = scaler_autoscaler_get_id (saved);
  if (engine_for (self, id) != NULL)
    stop_instance (self, id);
  else
    start_instance (self, id);
}

static void
edit_instance (ScalerWindow *self,
               const char   *id)
{
  ScalerAutoscaler *saved = scaler_autoscaler_store_find (self->store, id);

  if (saved == NULL || scaler_autoscaler_is_broken (saved))
    return;

  open_wizard (self, scaler_autoscaler_get_config (saved));
}

static void
scaler_window_edit_autoscaler_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  edit_instance (SCALER_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
scaler_window_edit_selected_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerAutoscaler *saved = selected_instance (self);

  if (saved != NULL)
    edit_instance (self, scaler_autoscaler_get_id (saved));
}

static void
duplicate_store_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(ScalerWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!scaler_credentials_store_secrets_finish (SCALER_CREDENTIALS (object), result, &error))
    toast (self, _("The copy has no secrets: %s"), error->message);
}

static void
duplicate_lookup_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(ScalerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerSecrets) secrets = NULL;
  const char *new_id = g_object_get_data (G_OBJECT (self), "duplicate-id");

  secrets = scaler_credentials_lookup_secrets_finish (SCALER_CREDENTIALS (object), result, &error);
  if (secrets == NULL || new_id == NULL)
    {
      if (error != NULL)
        toast (self, _("The copy has no secrets: %s"), error->message);
      return;
    }

  scaler_credentials_store_secrets_async (SCALER_CREDENTIALS (object), new_id, secrets, NULL,
                                          duplicate_store_cb, g_object_ref (self));
}

static void
scaler_window_duplicate_autoscaler_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;
  ScalerAutoscaler *copy;
  ScalerCredentials *credentials;

  copy = scaler_autoscaler_store_duplicate (self->store, id, &error);
  if (copy == NULL)
    {
      toast (self, _("Could not duplicate: %s"), error->message);
      return;
    }

  /* The store copies the file; the secrets are copied here. */
  credentials = scaler_application_get_credentials (self->application);
  g_object_set_data_full (G_OBJECT (self), "duplicate-id",
                          g_strdup (scaler_autoscaler_get_id (copy)), g_free);
  scaler_credentials_lookup_secrets_async (credentials, id, NULL, duplicate_lookup_cb, g_object_ref (self));

  scaler_window_select_instance (self, scaler_autoscaler_get_id (copy));
  toast (self, _("Created “%s”"), scaler_autoscaler_get_name (copy));
}

static void
export_response_cb (ScalerWindow         *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  const char *id = g_object_get_data (G_OBJECT (chooser), "instance-id");
  ScalerAutoscaler *saved = scaler_autoscaler_store_find (self->store, id);
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT && saved != NULL && !scaler_autoscaler_is_broken (saved))
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = g_file_get_path (file);
      if (path == NULL || !scaler_window_export_instance (self, id, path, &error))
        toast (self, _("Could not export: %s"), error ? error->message : _("not a local file"));
      else
        toast (self, _("Exported to %s (without secrets)"), path);
    }

  g_clear_object (&self->export_chooser);
}

static void
scaler_window_export_autoscaler_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  ScalerAutoscaler *saved = scaler_autoscaler_store_find (self->store, id);
  g_autofree char *name = NULL;

  if (saved == NULL || scaler_autoscaler_is_broken (saved))
    return;

  g_clear_object (&self->export_chooser);
  self->export_chooser = gtk_file_chooser_native_new (_("Export Autoscaler"), GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_SAVE,
                                                      _("_Export"), _("_Cancel"));
  name = g_strdup_printf ("%s.json", scaler_autoscaler_get_name (saved));
  g_strdelimit (name, "/\\", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->export_chooser), name);
  g_object_set_data_full (G_OBJECT (self->export_chooser), "instance-id", g_strdup (id), g_free);
  g_signal_connect_object (self->export_chooser, "response", G_CALLBACK (export_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->export_chooser));
}

static void
import_response_cb (ScalerWindow         *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = g_file_get_path (file);
      if (path == NULL)
        toast (self, _("Could not import: not a local file"));
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

static void
scaler_window_show_file_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  ScalerAutoscaler *saved = scaler_autoscaler_store_find (self->store, g_variant_get_string (parameter, NULL));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) parent = NULL;
  g_autofree char *uri = NULL;

  if (saved == NULL)
    return;

  file = g_file_new_for_path (scaler_autoscaler_get_path (saved));
  parent = g_file_get_parent (file);
  uri = g_file_get_uri (parent ? parent : file);
  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

static void
delete_finish_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ScalerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_object_steal_data (G_OBJECT (self), "deleting-name");

  if (!scaler_autoscaler_store_delete_finish (SCALER_AUTOSCALER_STORE (object), result, &error))
    toast (self, _("Could not delete: %s"), error->message);
  else
    toast (self, _("Deleted “%s”"), name ? name : "");
}

static void
delete_after_stop_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ScalerWindow) self = user_data;
  g_autofree char *id = g_object_steal_data (G_OBJECT (self), "deleting-id");

  scaler_application_stop_autoscaler_finish (SCALER_APPLICATION (object), result, NULL);
  scaler_autoscaler_store_delete_async (self->store, id,
                                      scaler_application_get_credentials (SCALER_APPLICATION (object)),
                                      NULL, delete_finish_cb, g_object_ref (self));
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    ScalerWindow     *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "instance-id");
  ScalerAutoscaler *saved;

  if (g_strcmp0 (response, "delete") != 0 || self->application == NULL)
    return;

  saved = scaler_autoscaler_store_find (self->store, id);
  if (saved == NULL)
    return;

  g_object_set_data_full (G_OBJECT (self), "deleting-name",
                          g_strdup (scaler_autoscaler_get_name (saved)), g_free);
  g_object_set_data_full (G_OBJECT (self), "deleting-id", g_strdup (id), g_free);

  /* A running engine stops first (honouring on_stop), then the file and
   * the keyring secrets go. */
  scaler_application_stop_autoscaler_async (self->application, id, NULL,
                                          delete_after_stop_cb, g_object_ref (self));
}

static void
scaler_window_delete_autoscaler_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  ScalerWindow *self = SCALER_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  ScalerAutoscaler *saved = scaler_autoscaler_store_find (self->store, id);
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;

  if (saved == NULL)
    return;

  heading = g_strdup_printf (_("Delete “%s”?"), scaler_autoscaler_get_name (saved));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("Its configuration file and the secrets it keeps in the keyring are removed. "
                                                         "A running autoscaler is stopped first; what happens to its instances follows its “When Stopped” setting.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "instance-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  present_dialog (self, GTK_WINDOW (dialog));
}

static void
scaler_window_try_demo_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  scaler_window_try_demo (SCALER_WINDOW (widget));
}

static void
scaler_window_dispose (GObject *object)
{
  ScalerWindow *self = SCALER_WINDOW (object);

  if (self->sidebar_list != NULL)
    gtk_list_box_bind_model (self->sidebar_list, NULL, NULL, NULL, NULL);
  if (self->engine_signals != NULL)
    g_signal_group_set_target (self->engine_signals, NULL);
  g_clear_object (&self->engine_signals);
  if (self->saved_signals != NULL)
    g_signal_group_set_target (self->saved_signals, NULL);
  g_clear_object (&self->saved_signals);
  if (self->watched != NULL)
    {
      GHashTableIter iter;
      gpointer engine;

      g_hash_table_iter_init (&iter, self->watched);
      while (g_hash_table_iter_next (&iter, &engine, NULL))
        g_object_weak_unref (engine, (GWeakNotify) g_hash_table_remove, self->watched);
      g_clear_pointer (&self->watched, g_hash_table_unref);
    }
  g_clear_pointer (&self->notified, g_hash_table_unref);
  g_clear_weak_pointer (&self->dialog);
  g_clear_object (&self->export_chooser);
  g_clear_object (&self->import_chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_WINDOW);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (scaler_window_parent_class)->dispose (object);
}

/* The application is not known yet in constructed(): GtkWindow applies the
 * "application" property late. */
static void
scaler_window_set_up (ScalerWindow      *self,
                      ScalerApplication *app)
{
  if (app != NULL)
    {
      g_set_weak_pointer (&self->application, app);
      self->store = g_object_ref (scaler_application_get_store (self->application));
      g_signal_connect_object (app, "engine-changed", G_CALLBACK (app_engine_changed_cb), self, G_CONNECT_SWAPPED);
    }
  else
    self->store = scaler_autoscaler_store_new (NULL);

  gtk_list_box_bind_model (self->sidebar_list, G_LIST_MODEL (self->store), create_row_cb, self, NULL);
  g_signal_connect_object (self->store, "items-changed", G_CALLBACK (store_items_changed_cb),
                           self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  store_items_changed_cb (self);
  update_dashboard (self);
}

static void
scaler_window_class_init (ScalerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scaler_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, demo_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, toggle_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, dashboard_bin);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, broken_page);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, broken_show_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerWindow, broken_delete_button);
  gtk_widget_class_bind_template_callback (widget_class, scaler_window_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_window_row_selected_cb);

  gtk_widget_class_install_action (widget_class, "win.new-autoscaler", NULL, scaler_window_new_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.try-demo", NULL, scaler_window_try_demo_action);
  gtk_widget_class_install_action (widget_class, "win.import-clearml", NULL, scaler_window_import_clearml_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-selected", NULL, scaler_window_toggle_selected_action);
  gtk_widget_class_install_action (widget_class, "win.edit-selected", NULL, scaler_window_edit_selected_action);
  gtk_widget_class_install_action (widget_class, "win.start-autoscaler", "s", scaler_window_start_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.stop-autoscaler", "s", scaler_window_stop_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.edit-autoscaler", "s", scaler_window_edit_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.duplicate-autoscaler", "s", scaler_window_duplicate_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.export-autoscaler", "s", scaler_window_export_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.delete-autoscaler", "s", scaler_window_delete_autoscaler_action);
  gtk_widget_class_install_action (widget_class, "win.show-autoscaler-file", "s", scaler_window_show_file_action);

  g_type_ensure (SCALER_TYPE_SIDEBAR_ROW);
  g_type_ensure (SCALER_TYPE_DASHBOARD);
}

static void
scaler_window_init (ScalerWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  {
    GtkWidget *placeholder = gtk_label_new (_("No autoscalers yet"));

    gtk_widget_add_css_class (placeholder, "dim-label");
    gtk_widget_add_css_class (placeholder, "sidebar-placeholder");
    gtk_list_box_set_placeholder (self->sidebar_list, placeholder);
  }

  self->watched = g_hash_table_new (NULL, NULL);
  self->notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->engine_signals = g_signal_group_new (SCALER_TYPE_ENGINE);
  g_signal_group_connect_swapped (self->engine_signals, "notify::state", G_CALLBACK (update_content), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::error-message", G_CALLBACK (update_content), self);
  g_signal_group_connect_swapped (self->engine_signals, "cycle-finished", G_CALLBACK (update_content), self);
  self->saved_signals = g_signal_group_new (SCALER_TYPE_AUTOSCALER);
  g_signal_group_connect_swapped (self->saved_signals, "notify::config", G_CALLBACK (update_dashboard), self);

  self->settings = g_settings_new (BASE_APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  if (g_strcmp0 (PROFILE, "Devel") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

ScalerWindow *
scaler_window_new (ScalerApplication *application)
{
  ScalerWindow *self;

  g_return_val_if_fail (application == NULL || SCALER_IS_APPLICATION (application), NULL);

  self = g_object_new (SCALER_TYPE_WINDOW,
                       "application", application,
                       NULL);
  scaler_window_set_up (self, application);

  return self;
}

void
scaler_window_add_toast (ScalerWindow *self,
                         const char   *title)
{
  g_return_if_fail (SCALER_IS_WINDOW (self));
  g_return_if_fail (title != NULL);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

const char *
scaler_window_get_selected_id (ScalerWindow *self)
{
  ScalerAutoscaler *saved;

  g_return_val_if_fail (SCALER_IS_WINDOW (self), NULL);

  saved = selected_instance (self);

  return saved ? scaler_autoscaler_get_id (saved) : NULL;
}

gboolean
scaler_window_select_instance (ScalerWindow *self,
                               const char   *instance_id)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (SCALER_IS_WINDOW (self), FALSE);

  row = row_for_id (self, instance_id);
  if (row == NULL)
    return FALSE;

  gtk_list_box_select_row (self->sidebar_list, row);

  return TRUE;
}

GtkWindow *
scaler_window_get_dialog (ScalerWindow *self)
{
  g_return_val_if_fail (SCALER_IS_WINDOW (self), NULL);

  return self->dialog;
}

void
scaler_window_try_demo (ScalerWindow *self)
{
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  ScalerAutoscaler *saved = NULL;
  guint n;

  g_return_if_fail (SCALER_IS_WINDOW (self));

  /* Reuse an existing demo rather than piling them up. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n && saved == NULL; i++)
    {
      g_autoptr(ScalerAutoscaler) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      ScalerConfig *c = scaler_autoscaler_get_config (item);

      if (c != NULL && c->demo)
        saved = item;
    }

  if (saved == NULL)
    {
      config = scaler_demo_config_new ();
      saved = scaler_autoscaler_store_add (self->store, config, &error);
      if (saved == NULL)
        {
          toast (self, _("Could not create the demo: %s"), error->message);
          return;
        }
    }

  scaler_window_select_instance (self, scaler_autoscaler_get_id (saved));
  start_instance (self, scaler_autoscaler_get_id (saved));
}

gboolean
scaler_window_export_instance (ScalerWindow  *self,
                               const char    *instance_id,
                               const char    *path,
                               GError       **error)
{
  ScalerAutoscaler *saved;

  g_return_val_if_fail (SCALER_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (instance_id != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  saved = scaler_autoscaler_store_find (self->store, instance_id);
  if (saved == NULL || scaler_autoscaler_is_broken (saved))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no readable autoscaler with the id %s"), instance_id);
      return FALSE;
    }

  return scaler_config_export (scaler_autoscaler_get_config (saved), path, error);
}

gboolean
scaler_window_import_clearml (ScalerWindow *self,
                              const char   *path)
{
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GPtrArray) report = NULL;
  g_autoptr(GError) error = NULL;
  ScalerWizard *wizard;

  g_return_val_if_fail (SCALER_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->application == NULL)
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
      present_dialog (self, GTK_WINDOW (dialog));
      return FALSE;
    }

  wizard = scaler_wizard_new_for_import (self->store,
                                         scaler_application_get_credentials (self->application),
                                         config, secrets, report);
  g_signal_connect_object (wizard, "saved", G_CALLBACK (wizard_saved_cb), self, G_CONNECT_SWAPPED);
  present_dialog (self, GTK_WINDOW (wizard));

  return TRUE;
}
