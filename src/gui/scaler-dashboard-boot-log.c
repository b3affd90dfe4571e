/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An instance's boot log (EC2 console output, fetched by the service) in a
 * window of its own: a spinner while it loads, then the text or the reason
 * there is none.
 */

#define G_LOG_DOMAIN "scaler-dashboard"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-dashboard-private.h"

typedef struct
{
  GtkWidget     *window;
  GtkStack      *stack;
  GtkTextView   *text_view;
  AdwStatusPage *error_page;
  GCancellable  *cancellable;
} BootLog;

static void
boot_log_free (BootLog *log)
{
  /* The window may outlive the request: it must not call back into it. */
  g_signal_handlers_disconnect_by_data (log->window, log);
  g_clear_object (&log->window);
  g_clear_object (&log->cancellable);
  g_free (log);
}

static void
boot_log_destroy_cb (GtkWidget *window,
                     BootLog   *log)
{
  g_assert (GTK_IS_WINDOW (window));

  g_cancellable_cancel (log->cancellable);
}

static void
boot_log_show_text (BootLog    *log,
                    const char *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (log->text_view);
  GtkTextIter end;

  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_stack_set_visible_child_name (log->stack, "text");
  gtk_text_view_scroll_to_iter (log->text_view, &end, 0.0, FALSE, 0, 1);
}

static void
boot_log_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  BootLog *log = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *text = NULL;

  g_assert (SCALER_IS_CLIENT_AUTOSCALER (object));

  reply = scaler_client_autoscaler_call_finish (SCALER_CLIENT_AUTOSCALER (object), result, &error);
  if (reply != NULL)
    g_variant_get (reply, "(&s)", &text);

  if (g_cancellable_is_cancelled (log->cancellable))
    {
      boot_log_free (log);
      return;
    }

  if (text == NULL)
    {
      adw_status_page_set_description (log->error_page, error ? error->message : _("Unknown error"));
      gtk_stack_set_visible_child_name (log->stack, "error");
    }
  else if (text[0] == '\0')
    {
      adw_status_page_set_title (log->error_page, _("No Output Yet"));
      adw_status_page_set_description (log->error_page,
                                       _("EC2 makes the console output available a few minutes after boot."));
      gtk_stack_set_visible_child_name (log->stack, "error");
    }
  else
    boot_log_show_text (log, text);

  boot_log_free (log);
}

static GtkWidget *
loading_page_new (void)
{
  GtkWidget *spinner = gtk_spinner_new ();

  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);

  return spinner;
}

static GtkWidget *
text_view_new (void)
{
  GtkWidget *text_view = gtk_text_view_new ();

  gtk_text_view_set_monospace (GTK_TEXT_VIEW (text_view), TRUE);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (text_view), 12);

  return text_view;
}

/* The window: a header, then a stack of "loading", "text" and "error". */
static BootLog *
boot_log_new (GtkWidget  *parent,
              const char *instance_id)
{
  GtkRoot *root = gtk_widget_get_root (parent);
  g_autofree char *title = g_strdup_printf (_("Boot Log of %s"), instance_id);
  BootLog *log = g_new0 (BootLog, 1);
  GtkWidget *box, *header, *stack, *scroller;

  log->window = g_object_ref (adw_window_new ());
  gtk_window_set_title (GTK_WINDOW (log->window), title);
  gtk_window_set_default_size (GTK_WINDOW (log->window), 760, 520);
  gtk_window_set_modal (GTK_WINDOW (log->window), TRUE);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (log->window), GTK_WINDOW (root));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new (_("Boot Log"), instance_id));
  gtk_box_append (GTK_BOX (box), header);

  stack = gtk_stack_new ();
  gtk_widget_set_vexpand (stack, TRUE);
  gtk_stack_add_named (GTK_STACK (stack), loading_page_new (), "loading");

  scroller = gtk_scrolled_window_new ();
  log->text_view = GTK_TEXT_VIEW (text_view_new ());
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (log->text_view));
  gtk_stack_add_named (GTK_STACK (stack), scroller, "text");

  log->error_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (log->error_page, "dialog-warning-symbolic");
  adw_status_page_set_title (log->error_page, _("Could Not Get the Boot Log"));
  gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (log->error_page), "error");
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "loading");
  gtk_box_append (GTK_BOX (box), stack);
  log->stack = GTK_STACK (stack);

  adw_window_set_content (ADW_WINDOW (log->window), box);
  log->cancellable = g_cancellable_new ();
  g_signal_connect (log->window, "destroy", G_CALLBACK (boot_log_destroy_cb), log);

  return log;
}

void
_scaler_dashboard_show_boot_log (ScalerDashboard *self,
                                 const char      *instance_id)
{
  BootLog *log;

  g_assert (SCALER_IS_DASHBOARD (self));
  g_assert (instance_id != NULL);

  if (self->autoscaler == NULL)
    return;

  log = boot_log_new (GTK_WIDGET (self), instance_id);
  gtk_window_present (GTK_WINDOW (log->window));
  scaler_client_autoscaler_call (self->autoscaler, "GetConsoleOutput", g_variant_new ("(s)", instance_id), -1,
                                 log->cancellable, boot_log_done_cb, log);
}
