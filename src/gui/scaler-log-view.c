/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-log-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "scaler-gui-util.h"
#include "scaler-log-view.h"

#define N_LEVELS (SCALER_LOG_LEVEL_ERROR + 1)
#define MAX_HIGHLIGHTS 5000

struct _ScalerLogView
{
  GtkWidget             parent_instance;

  /* Template children */
  GtkWidget            *toolbar;
  GtkToggleButton      *search_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkLabel             *match_label;
  GtkScrolledWindow    *scroller;
  GtkTextView          *text_view;

  GtkTextBuffer        *buffer;
  GtkTextMark          *end_mark;
  GtkTextTag           *level_tags[N_LEVELS];
  GtkTextTag           *time_tag;
  GtkTextTag           *match_tag;
  GtkAdjustment        *vadjustment;
  GtkFileChooserNative *save_dialog;

  char                 *search_text;
  guint                 n_matches;
  guint                 max_lines;
  guint                 follow_source;
  guint                 following : 1;
  guint                 scrolling : 1;
  guint                 user_dragging : 1;
  guint                 show_timestamps : 1;
};

G_DEFINE_FINAL_TYPE (ScalerLogView, scaler_log_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MAX_LINES,
  PROP_SHOW_TIMESTAMPS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
scaler_log_view_toast (ScalerLogView *self,
                       const char    *text)
{
  scaler_gui_add_toast (GTK_WIDGET (self), "%s", text);
}

static void
scaler_log_view_update_colors (ScalerLogView *self)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self->text_view));
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GdkRGBA fg, dim, error, warning, match;

  gtk_style_context_get_color (context, &fg);
  dim = fg;
  dim.alpha = 0.55;
  if (!gtk_style_context_lookup_color (context, "error_color", &error))
    error = dark ? (GdkRGBA) { 1.0, 0.48, 0.39, 1 } : (GdkRGBA) { 0.75, 0.11, 0.16, 1 };
  /* warning_color is yellow in the dark style and dark amber in the light one. */
  if (!gtk_style_context_lookup_color (context, "warning_color", &warning))
    warning = dark ? (GdkRGBA) { 0.97, 0.89, 0.36, 1 } : (GdkRGBA) { 0.61, 0.43, 0.01, 1 };
  if (!gtk_style_context_lookup_color (context, "accent_bg_color", &match))
    match = (GdkRGBA) { 0.21, 0.52, 0.89, 1 };
  match.alpha = 0.35;

  g_object_set (self->level_tags[SCALER_LOG_LEVEL_ERROR], "foreground-rgba", &error, NULL);
  g_object_set (self->level_tags[SCALER_LOG_LEVEL_WARNING], "foreground-rgba", &warning, NULL);
  g_object_set (self->level_tags[SCALER_LOG_LEVEL_DEBUG], "foreground-rgba", &dim, NULL);
  g_object_set (self->time_tag, "foreground-rgba", &dim, NULL);
  g_object_set (self->match_tag, "background-rgba", &match, NULL);
}

static gboolean
adjustment_at_bottom (GtkAdjustment *adj)
{
  return gtk_adjustment_get_value (adj) >=
         gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) - 4.0;
}

/* Following the tail is decided by what the user does, not by every value
 * change: GtkTextView moves the adjustment itself while it validates its
 * layout (it keeps the first visible line in place), which must not count as
 * "scrolled up". The user leaves the tail by scrolling up (wheel, touchpad,
 * keys, dragging the scroll bar, jumping to a search match) and comes back by
 * reaching the bottom again. */
static void
scaler_log_view_value_changed_cb (ScalerLogView *self,
                                  GtkAdjustment *adj)
{
  g_assert (SCALER_IS_LOG_VIEW (self));

  if (self->scrolling)
    return;
  if (adjustment_at_bottom (adj))
    self->following = TRUE;
  else if (self->user_dragging)
    self->following = FALSE;
}

static gboolean
scaler_log_view_follow_cb (gpointer data)
{
  ScalerLogView *self = data;
  GtkAdjustment *adj = self->vadjustment;

  self->follow_source = 0;
  if (adj != NULL && self->following && !adjustment_at_bottom (adj))
    {
      self->scrolling = TRUE;
      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
      self->scrolling = FALSE;
    }

  return G_SOURCE_REMOVE;
}

static void
scaler_log_view_adjustment_changed_cb (ScalerLogView *self,
                                       GtkAdjustment *adj)
{
  g_assert (SCALER_IS_LOG_VIEW (self));

  /* The text view changes the adjustment while it lays out and draws; moving
   * the value right then would queue an allocation of the scroll bar in the
   * middle of a frame (GTK warns that it snapshots a child without an
   * allocation). Follow the tail once the frame is done instead. */
  if (self->following && !adjustment_at_bottom (adj) && self->follow_source == 0)
    self->follow_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, scaler_log_view_follow_cb, self, NULL);
}

static gboolean
scaler_log_view_scroll_cb (ScalerLogView            *self,
                           double                    dx,
                           double                    dy,
                           GtkEventControllerScroll *controller)
{
  g_assert (SCALER_IS_LOG_VIEW (self));

  if (dy < 0)
    self->following = FALSE;

  return GDK_EVENT_PROPAGATE;
}

static gboolean
scaler_log_view_key_pressed_cb (ScalerLogView         *self,
                                guint                  keyval,
                                guint                  keycode,
                                GdkModifierType        state,
                                GtkEventControllerKey *controller)
{
  g_assert (SCALER_IS_LOG_VIEW (self));

  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      self->following = FALSE;
      break;
    default:
      break;
    }

  return GDK_EVENT_PROPAGATE;
}

/* Legacy controller in the capture phase: it still sees the release after the
 * scroll bar's own drag gesture has claimed the sequence. */
static gboolean
scaler_log_view_scrollbar_event_cb (ScalerLogView            *self,
                                    GdkEvent                 *event,
                                    GtkEventControllerLegacy *controller)
{
  g_assert (SCALER_IS_LOG_VIEW (self));

  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
    case GDK_TOUCH_BEGIN:
      self->user_dragging = TRUE;
      break;
    case GDK_BUTTON_RELEASE:
    case GDK_TOUCH_END:
    case GDK_TOUCH_CANCEL:
      self->user_dragging = FALSE;
      self->following = adjustment_at_bottom (self->vadjustment);
      break;
    default:
      break;
    }

  return GDK_EVENT_PROPAGATE;
}

static void
scaler_log_view_update_match_label (ScalerLogView *self)
{
  g_autofree char *text = NULL;

  if (self->search_text == NULL || self->search_text[0] == '\0')
    text = g_strdup ("");
  else if (self->n_matches == 0)
    text = g_strdup (_("No matches"));
  else if (self->n_matches >= MAX_HIGHLIGHTS)
    text = g_strdup_printf (_("%u+ matches"), self->n_matches);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u match", "%u matches", self->n_matches),
                            self->n_matches);
  gtk_label_set_text (self->match_label, text);
}

/* Tags the matches in [start, end); returns how many. */
static guint
highlight_range (ScalerLogView     *self,
                 const GtkTextIter *start,
                 const GtkTextIter *end,
                 guint              budget)
{
  GtkTextIter iter = *start;
  GtkTextIter match_start, match_end;
  guint n = 0;

  if (self->search_text == NULL || self->search_text[0] == '\0')
    return 0;

  while (n < budget &&
         gtk_text_iter_forward_search (&iter, self->search_text,
                                       GTK_TEXT_SEARCH_CASE_INSENSITIVE | GTK_TEXT_SEARCH_TEXT_ONLY,
                                       &match_start, &match_end, end))
    {
      gtk_text_buffer_apply_tag (self->buffer, self->match_tag, &match_start, &match_end);
      iter = match_end;
      n++;
    }

  return n;
}

static void
scaler_log_view_trim (ScalerLogView *self)
{
  int lines = gtk_text_buffer_get_line_count (self->buffer) - 1;

  if (lines > (int) self->max_lines)
    {
      GtkTextIter start, cut;

      gtk_text_buffer_get_start_iter (self->buffer, &start);
      gtk_text_buffer_get_iter_at_line (self->buffer, &cut, lines - (int) self->max_lines);
      if (self->n_matches > 0)
        {
          /* Keep the count honest: matches that scroll out are gone. */
          GtkTextIter iter = start;

          while (gtk_text_iter_forward_to_tag_toggle (&iter, self->match_tag) &&
                 gtk_text_iter_compare (&iter, &cut) < 0)
            {
              if (gtk_text_iter_starts_tag (&iter, self->match_tag) && self->n_matches > 0)
                self->n_matches--;
            }
          scaler_log_view_update_match_label (self);
        }
      gtk_text_buffer_delete (self->buffer, &start, &cut);
    }
}

static gboolean
select_match (ScalerLogView *self,
              gboolean       forward)
{
  GtkTextIter sel_start, sel_end, match_start, match_end, wrap;
  gboolean found;
  GtkTextSearchFlags flags = GTK_TEXT_SEARCH_CASE_INSENSITIVE | GTK_TEXT_SEARCH_TEXT_ONLY;

  if (self->search_text == NULL || self->search_text[0] == '\0')
    return FALSE;

  gtk_text_buffer_get_selection_bounds (self->buffer, &sel_start, &sel_end);
  if (forward)
    {
      found = gtk_text_iter_forward_search (&sel_end, self->search_text, flags, &match_start, &match_end, NULL);
      if (!found)
        {
          gtk_text_buffer_get_start_iter (self->buffer, &wrap);
          found = gtk_text_iter_forward_search (&wrap, self->search_text, flags, &match_start, &match_end, NULL);
        }
    }
  else
    {
      found = gtk_text_iter_backward_search (&sel_start, self->search_text, flags, &match_start, &match_end, NULL);
      if (!found)
        {
          gtk_text_buffer_get_end_iter (self->buffer, &wrap);
          found = gtk_text_iter_backward_search (&wrap, self->search_text, flags, &match_start, &match_end, NULL);
        }
    }

  if (!found)
    return FALSE;

  self->following = FALSE;
  gtk_text_buffer_select_range (self->buffer, &match_start, &match_end);
  gtk_text_view_scroll_to_mark (self->text_view, gtk_text_buffer_get_insert (self->buffer),
                                0.1, FALSE, 0.0, 0.5);

  return TRUE;
}

static void
scaler_log_view_search_changed_cb (ScalerLogView  *self,
                                   GtkSearchEntry *entry)
{
  g_assert (SCALER_IS_LOG_VIEW (self));

  scaler_log_view_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
scaler_log_view_search_next_cb (ScalerLogView *self)
{
  g_assert (SCALER_IS_LOG_VIEW (self));

  scaler_log_view_search_next (self);
}

static void
scaler_log_view_search_previous_cb (ScalerLogView *self)
{
  g_assert (SCALER_IS_LOG_VIEW (self));

  scaler_log_view_search_previous (self);
}

static void
scaler_log_view_search_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  ScalerLogView *self = SCALER_LOG_VIEW (widget);

  g_assert (SCALER_IS_LOG_VIEW (widget));

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
scaler_log_view_copy_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ScalerLogView *self = SCALER_LOG_VIEW (widget);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  g_assert (SCALER_IS_LOG_VIEW (widget));

  if (!gtk_text_buffer_get_selection_bounds (self->buffer, &start, &end))
    gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  text = gtk_text_buffer_get_text (self->buffer, &start, &end, FALSE);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  scaler_log_view_toast (self, _("Log copied to the clipboard"));
}

static void
scaler_log_view_save_response_cb (ScalerLogView        *self,
                                  int                   response,
                                  GtkFileChooserNative *dialog)
{
  g_assert (SCALER_IS_LOG_VIEW (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;

      if (file != NULL && !scaler_log_view_save_to_file (self, file, &error))
        {
          g_autofree char *message = g_strdup_printf (_("Could not save the log: %s"), error->message);

          scaler_log_view_append (self, SCALER_LOG_LEVEL_ERROR, message);
          scaler_log_view_toast (self, message);
        }
      else if (file != NULL)
        scaler_log_view_toast (self, _("Log saved"));
    }

  g_clear_object (&self->save_dialog);
}

static void
scaler_log_view_save_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ScalerLogView *self = SCALER_LOG_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "ec2-autoscaler-%Y%m%d-%H%M%S.log");

  g_assert (SCALER_IS_LOG_VIEW (widget));

  if (self->save_dialog != NULL)
    return;

  /* GTK 4.8 has no GtkFileDialog; the native chooser must be kept alive
   * until it responds. */
  self->save_dialog = gtk_file_chooser_native_new (_("Save Log"),
                                                   GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                   GTK_FILE_CHOOSER_ACTION_SAVE,
                                                   _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->save_dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->save_dialog), name);
  g_signal_connect_object (self->save_dialog, "response",
                           G_CALLBACK (scaler_log_view_save_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->save_dialog));
}

static void
scaler_log_view_clear_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  scaler_log_view_clear (SCALER_LOG_VIEW (widget));
}

static void
scaler_log_view_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (scaler_log_view_parent_class)->css_changed (widget, change);
  scaler_log_view_update_colors (SCALER_LOG_VIEW (widget));
}

static void
scaler_log_view_dispose (GObject *object)
{
  ScalerLogView *self = SCALER_LOG_VIEW (object);

  if (self->save_dialog != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->save_dialog));
      g_clear_object (&self->save_dialog);
    }
  g_clear_handle_id (&self->follow_source, g_source_remove);
  if (self->vadjustment != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->vadjustment, self);
      g_clear_object (&self->vadjustment);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_LOG_VIEW);
  self->buffer = NULL;

  G_OBJECT_CLASS (scaler_log_view_parent_class)->dispose (object);
}

static void
scaler_log_view_finalize (GObject *object)
{
  ScalerLogView *self = SCALER_LOG_VIEW (object);

  g_free (self->search_text);

  G_OBJECT_CLASS (scaler_log_view_parent_class)->finalize (object);
}

static void
scaler_log_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ScalerLogView *self = SCALER_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_MAX_LINES:
      g_value_set_uint (value, self->max_lines);
      break;
    case PROP_SHOW_TIMESTAMPS:
      g_value_set_boolean (value, self->show_timestamps);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_log_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ScalerLogView *self = SCALER_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_MAX_LINES:
      scaler_log_view_set_max_lines (self, g_value_get_uint (value));
      break;
    case PROP_SHOW_TIMESTAMPS:
      scaler_log_view_set_show_timestamps (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_log_view_class_init (ScalerLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scaler_log_view_dispose;
  object_class->finalize = scaler_log_view_finalize;
  object_class->get_property = scaler_log_view_get_property;
  object_class->set_property = scaler_log_view_set_property;

  widget_class->css_changed = scaler_log_view_css_changed;

  properties[PROP_MAX_LINES] =
    g_param_spec_uint ("max-lines", NULL, NULL,
                       1, G_MAXINT, SCALER_LOG_VIEW_DEFAULT_MAX_LINES,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_TIMESTAMPS] =
    g_param_spec_boolean ("show-timestamps", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerLogView, toolbar);
  gtk_widget_class_bind_template_child (widget_class, ScalerLogView, search_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerLogView, search_bar);
  gtk_widget_class_bind_template_child (widget_class, ScalerLogView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ScalerLogView, match_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerLogView, scroller);
  gtk_widget_class_bind_template_child (widget_class, ScalerLogView, text_view);
  gtk_widget_class_bind_template_callback (widget_class, scaler_log_view_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_log_view_search_next_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_log_view_search_previous_cb);

  gtk_widget_class_install_action (widget_class, "log.search", NULL, scaler_log_view_search_action);
  gtk_widget_class_install_action (widget_class, "log.copy", NULL, scaler_log_view_copy_action);
  gtk_widget_class_install_action (widget_class, "log.save", NULL, scaler_log_view_save_action);
  gtk_widget_class_install_action (widget_class, "log.clear", NULL, scaler_log_view_clear_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "log.search", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "logview");
}

static void
scaler_log_view_init (ScalerLogView *self)
{
  GtkEventController *controller;
  GtkTextIter end;

  self->max_lines = SCALER_LOG_VIEW_DEFAULT_MAX_LINES;
  self->following = TRUE;
  self->show_timestamps = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  self->buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_end_iter (self->buffer, &end);
  self->end_mark = gtk_text_buffer_create_mark (self->buffer, "log-end", &end, FALSE);

  self->level_tags[SCALER_LOG_LEVEL_DEBUG] = gtk_text_buffer_create_tag (self->buffer, "debug", NULL);
  self->level_tags[SCALER_LOG_LEVEL_INFO] = gtk_text_buffer_create_tag (self->buffer, "info", NULL);
  self->level_tags[SCALER_LOG_LEVEL_WARNING] = gtk_text_buffer_create_tag (self->buffer, "warning", NULL);
  self->level_tags[SCALER_LOG_LEVEL_ERROR] =
    gtk_text_buffer_create_tag (self->buffer, "error", "weight", PANGO_WEIGHT_BOLD, NULL);
  self->time_tag = gtk_text_buffer_create_tag (self->buffer, "time", NULL);
  self->match_tag = gtk_text_buffer_create_tag (self->buffer, "search-match", NULL);
  scaler_log_view_update_colors (self);

  self->vadjustment = g_object_ref (gtk_scrolled_window_get_vadjustment (self->scroller));
  g_signal_connect_object (self->vadjustment, "value-changed",
                           G_CALLBACK (scaler_log_view_value_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->vadjustment, "changed",
                           G_CALLBACK (scaler_log_view_adjustment_changed_cb), self, G_CONNECT_SWAPPED);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_name (controller, "log-view-follow-scroll");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (scaler_log_view_scroll_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), controller);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (controller, "log-view-follow-key");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (scaler_log_view_key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), controller);

  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "event", G_CALLBACK (scaler_log_view_scrollbar_event_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (gtk_scrolled_window_get_vscrollbar (self->scroller), controller);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self->text_view));

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (scaler_log_view_update_colors), self, G_CONNECT_SWAPPED);
}

GtkWidget *
scaler_log_view_new (void)
{
  return g_object_new (SCALER_TYPE_LOG_VIEW, NULL);
}

void
scaler_log_view_append (ScalerLogView  *self,
                        ScalerLogLevel  level,
                        const char     *text)
{
  scaler_log_view_append_full (self, 0, level, text);
}

void
scaler_log_view_append_full (ScalerLogView  *self,
                             gint64          time,
                             ScalerLogLevel  level,
                             const char     *text)
{
  GtkTextIter iter;
  int first_line;

  g_return_if_fail (SCALER_IS_LOG_VIEW (self));
  g_return_if_fail (text != NULL);

  if ((guint) level >= N_LEVELS)
    level = SCALER_LOG_LEVEL_INFO;

  first_line = gtk_text_buffer_get_line_count (self->buffer) - 1;
  gtk_text_buffer_get_iter_at_mark (self->buffer, &iter, self->end_mark);

  if (self->show_timestamps)
    {
      g_autoptr(GDateTime) dt = NULL;
      g_autofree char *stamp = NULL;

      if (time == 0)
        dt = g_date_time_new_now_local ();
      else
        {
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time / G_USEC_PER_SEC);

          dt = utc ? g_date_time_to_local (utc) : g_date_time_new_now_local ();
        }
      stamp = g_date_time_format (dt, "%H:%M:%S  ");
      gtk_text_buffer_insert_with_tags (self->buffer, &iter, stamp, -1, self->time_tag, NULL);
    }

  gtk_text_buffer_insert_with_tags (self->buffer, &iter, text, -1, self->level_tags[level], NULL);
  gtk_text_buffer_insert (self->buffer, &iter, "\n", 1);

  if (self->search_text != NULL && self->n_matches < MAX_HIGHLIGHTS)
    {
      GtkTextIter start;

      gtk_text_buffer_get_iter_at_line (self->buffer, &start, first_line);
      self->n_matches += highlight_range (self, &start, &iter, MAX_HIGHLIGHTS - self->n_matches);
      scaler_log_view_update_match_label (self);
    }

  scaler_log_view_trim (self);
}

void
scaler_log_view_clear (ScalerLogView *self)
{
  g_return_if_fail (SCALER_IS_LOG_VIEW (self));

  gtk_text_buffer_set_text (self->buffer, "", 0);
  self->n_matches = 0;
  self->following = TRUE;
  scaler_log_view_update_match_label (self);
}

guint
scaler_log_view_get_max_lines (ScalerLogView *self)
{
  g_return_val_if_fail (SCALER_IS_LOG_VIEW (self), 0);

  return self->max_lines;
}

void
scaler_log_view_set_max_lines (ScalerLogView *self,
                               guint          max_lines)
{
  g_return_if_fail (SCALER_IS_LOG_VIEW (self));
  g_return_if_fail (max_lines > 0);

  if (self->max_lines != max_lines)
    {
      self->max_lines = max_lines;
      scaler_log_view_trim (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_LINES]);
    }
}

guint
scaler_log_view_get_n_lines (ScalerLogView *self)
{
  g_return_val_if_fail (SCALER_IS_LOG_VIEW (self), 0);

  return (guint) gtk_text_buffer_get_line_count (self->buffer) - 1;
}

gboolean
scaler_log_view_get_show_timestamps (ScalerLogView *self)
{
  g_return_val_if_fail (SCALER_IS_LOG_VIEW (self), FALSE);

  return self->show_timestamps;
}

void
scaler_log_view_set_show_timestamps (ScalerLogView *self,
                                     gboolean       show_timestamps)
{
  g_return_if_fail (SCALER_IS_LOG_VIEW (self));

  show_timestamps = !!show_timestamps;
  if (self->show_timestamps != (guint) show_timestamps)
    {
      self->show_timestamps = show_timestamps;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_TIMESTAMPS]);
    }
}

gboolean
scaler_log_view_get_following (ScalerLogView *self)
{
  g_return_val_if_fail (SCALER_IS_LOG_VIEW (self), FALSE);

  return self->following;
}

GtkTextView *
scaler_log_view_get_text_view (ScalerLogView *self)
{
  g_return_val_if_fail (SCALER_IS_LOG_VIEW (self), NULL);

  return self->text_view;
}

char *
scaler_log_view_dup_text (ScalerLogView *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (SCALER_IS_LOG_VIEW (self), NULL);

  gtk_text_buffer_get_bounds (self->buffer, &start, &end);

  return gtk_text_buffer_get_text (self->buffer, &start, &end, FALSE);
}

guint
scaler_log_view_search (ScalerLogView *self,
                        const char    *text)
{
  GtkTextIter start, end;

  g_return_val_if_fail (SCALER_IS_LOG_VIEW (self), 0);

  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->match_tag, &start, &end);
  self->n_matches = 0;

  g_clear_pointer (&self->search_text, g_free);
  if (text != NULL && text[0] != '\0')
    {
      self->search_text = g_strdup (text);
      self->n_matches = highlight_range (self, &start, &end, MAX_HIGHLIGHTS);
      if (self->n_matches > 0)
        {
          /* Start from the top of the current selection so typing refines in place. */
          GtkTextIter sel_start, sel_end;

          gtk_text_buffer_get_selection_bounds (self->buffer, &sel_start, &sel_end);
          gtk_text_buffer_place_cursor (self->buffer, &sel_start);
          select_match (self, TRUE);
        }
    }

  scaler_log_view_update_match_label (self);

  return self->n_matches;
}

gboolean
scaler_log_view_search_next (ScalerLogView *self)
{
  g_return_val_if_fail (SCALER_IS_LOG_VIEW (self), FALSE);

  return select_match (self, TRUE);
}

gboolean
scaler_log_view_search_previous (ScalerLogView *self)
{
  g_return_val_if_fail (SCALER_IS_LOG_VIEW (self), FALSE);

  return select_match (self, FALSE);
}

gboolean
scaler_log_view_save_to_file (ScalerLogView  *self,
                              GFile          *file,
                              GError        **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (SCALER_IS_LOG_VIEW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = scaler_log_view_dup_text (self);

  /* g_file_replace_contents writes a temporary file and renames it over the
   * target, so a failed save never leaves a half-written log. */
  return g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}
