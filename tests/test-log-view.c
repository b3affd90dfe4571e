/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The console pane: level tags, the line cap, follow-the-tail vs scrolled up,
 * search, save; in a real window under Xvfb. */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "scaler-log-view.h"
#include "support/scaler-test-util.h"

static void
wait_mapped (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!gtk_widget_get_mapped (widget) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_mapped (widget));
}

/* Lets the text view lay out (validation is incremental, in idles and on
 * frame clock ticks) until the adjustment stops moving. */
static void
settle (GtkAdjustment *adj)
{
  double last_upper = -1, last_value = -1;
  guint stable = 0;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (stable < 5 && g_get_monotonic_time () < deadline)
    {
      g_usleep (10000);
      scaler_test_drain ();
      if (gtk_adjustment_get_upper (adj) == last_upper && gtk_adjustment_get_value (adj) == last_value)
        stable++;
      else
        stable = 0;
      last_upper = gtk_adjustment_get_upper (adj);
      last_value = gtk_adjustment_get_value (adj);
    }
}

static GtkWindow *
window_with_log (ScalerLogView **out_view)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *view = scaler_log_view_new ();

  gtk_window_set_default_size (window, 600, 300);
  gtk_window_set_child (window, view);
  gtk_window_present (window);
  wait_mapped (view);
  *out_view = SCALER_LOG_VIEW (view);

  return window;
}

static gboolean
line_has_tag (ScalerLogView *view,
              int            line,
              const char    *tag_name)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (scaler_log_view_get_text_view (view));
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
  GtkTextIter iter;

  g_assert_nonnull (tag);
  gtk_text_buffer_get_iter_at_line (buffer, &iter, line);
  /* Past the timestamp: the message starts after "HH:MM:SS  ". */
  gtk_text_iter_forward_chars (&iter, 12);

  return gtk_text_iter_has_tag (&iter, tag);
}

static void
test_levels (void)
{
  ScalerLogView *view;
  GtkWindow *window = window_with_log (&view);
  g_autofree char *text = NULL;
  GtkTextBuffer *buffer;
  GtkTextTag *error_tag, *debug_tag, *info_tag;
  GdkRGBA *error_fg = NULL, *debug_fg = NULL;
  gboolean error_set = FALSE, debug_set = FALSE, info_set = TRUE;

  scaler_log_view_append (view, SCALER_LOG_LEVEL_ERROR, "launch failed: InsufficientInstanceCapacity");
  scaler_log_view_append (view, SCALER_LOG_LEVEL_WARNING, "spot price above on-demand");
  scaler_log_view_append (view, SCALER_LOG_LEVEL_INFO, "cycle 3: nothing to do");
  scaler_log_view_append (view, SCALER_LOG_LEVEL_DEBUG, "DescribeInstances took 120 ms");

  g_assert_cmpuint (scaler_log_view_get_n_lines (view), ==, 4);
  g_assert_true (line_has_tag (view, 0, "error"));
  g_assert_false (line_has_tag (view, 0, "warning"));
  g_assert_true (line_has_tag (view, 1, "warning"));
  g_assert_true (line_has_tag (view, 2, "info"));
  g_assert_true (line_has_tag (view, 3, "debug"));
  g_assert_false (line_has_tag (view, 3, "error"));

  text = scaler_log_view_dup_text (view);
  g_assert_nonnull (strstr (text, "launch failed: InsufficientInstanceCapacity\n"));
  g_assert_nonnull (strstr (text, "DescribeInstances took 120 ms\n"));

  /* Error and debug have a colour; info keeps the default foreground. */
  buffer = gtk_text_view_get_buffer (scaler_log_view_get_text_view (view));
  error_tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "error");
  debug_tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "debug");
  info_tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "info");
  g_object_get (error_tag, "foreground-rgba", &error_fg, "foreground-set", &error_set, NULL);
  g_object_get (debug_tag, "foreground-rgba", &debug_fg, "foreground-set", &debug_set, NULL);
  g_object_get (info_tag, "foreground-set", &info_set, NULL);
  g_assert_true (error_set);
  g_assert_true (debug_set);
  g_assert_false (info_set);
  g_assert_cmpfloat (error_fg->red, >, error_fg->blue + 0.3);   /* red-ish */
  g_assert_cmpfloat (debug_fg->alpha, <, 0.8);                  /* dim */
  gdk_rgba_free (error_fg);
  gdk_rgba_free (debug_fg);

  /* Timestamps can be turned off; a time given is printed as local time. */
  scaler_log_view_clear (view);
  scaler_log_view_set_show_timestamps (view, FALSE);
  scaler_log_view_append (view, SCALER_LOG_LEVEL_INFO, "plain");
  g_clear_pointer (&text, g_free);
  text = scaler_log_view_dup_text (view);
  g_assert_cmpstr (text, ==, "plain\n");

  gtk_window_destroy (window);
}

static void
test_trim_cap (void)
{
  ScalerLogView *view;
  GtkWindow *window = window_with_log (&view);
  g_autofree char *text = NULL;

  g_assert_cmpuint (scaler_log_view_get_max_lines (view), ==, SCALER_LOG_VIEW_DEFAULT_MAX_LINES);
  scaler_log_view_set_max_lines (view, 100);
  for (guint i = 0; i < 250; i++)
    {
      g_autofree char *line = g_strdup_printf ("line %u", i);

      scaler_log_view_append (view, SCALER_LOG_LEVEL_INFO, line);
      g_assert_cmpuint (scaler_log_view_get_n_lines (view), <=, 100);
    }
  g_assert_cmpuint (scaler_log_view_get_n_lines (view), ==, 100);

  /* The oldest went first: 150..249 remain. */
  text = scaler_log_view_dup_text (view);
  g_assert_null (strstr (text, "line 149\n"));
  g_assert_nonnull (strstr (text, "line 150\n"));
  g_assert_nonnull (strstr (text, "line 249\n"));

  /* Lowering the cap trims at once. */
  scaler_log_view_set_max_lines (view, 10);
  g_assert_cmpuint (scaler_log_view_get_n_lines (view), ==, 10);

  gtk_window_destroy (window);
}

static void
append_many (ScalerLogView *view,
             guint          n,
             const char    *prefix)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *line = g_strdup_printf ("%s %u", prefix, i);

      scaler_log_view_append (view, SCALER_LOG_LEVEL_INFO, line);
    }
}

static void
user_scrolls_up (ScalerLogView *view)
{
  GtkWidget *scroller = gtk_widget_get_parent (GTK_WIDGET (scaler_log_view_get_text_view (view)));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (scroller);
  gboolean found = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (controller), "log-view-follow-scroll") == 0)
        {
          gboolean handled = FALSE;

          g_signal_emit_by_name (controller, "scroll", 0.0, -3.0, &handled);
          found = TRUE;
        }
    }
  g_assert_true (found);
}

static void
test_follow_tail (void)
{
  ScalerLogView *view;
  GtkWindow *window = window_with_log (&view);
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (scaler_log_view_get_text_view (view)));

  /* At the bottom: the view follows new lines. */
  append_many (view, 200, "first");
  settle (adj);
  g_assert_true (scaler_log_view_get_following (view));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, gtk_adjustment_get_page_size (adj) * 3);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), >=,
                     gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) - 4);

  /* The user scrolls up (the wheel event reaches the view's scroll
   * controller, then the scrolled window moves): new lines do not move the view. */
  user_scrolls_up (view);
  gtk_adjustment_set_value (adj, 100);
  settle (adj);
  g_assert_false (scaler_log_view_get_following (view));
  append_many (view, 100, "second");
  settle (adj);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), ==, 100);
  g_assert_false (scaler_log_view_get_following (view));

  /* Back at the bottom: following again. */
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  g_assert_true (scaler_log_view_get_following (view));
  append_many (view, 100, "third");
  settle (adj);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), >=,
                     gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) - 4);

  gtk_window_destroy (window);
}

static void
test_search (void)
{
  ScalerLogView *view;
  GtkWindow *window = window_with_log (&view);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (scaler_log_view_get_text_view (view));
  GtkTextIter start, end;
  g_autofree char *selected = NULL;
  int first_line;

  scaler_log_view_set_show_timestamps (view, FALSE);
  scaler_log_view_append (view, SCALER_LOG_LEVEL_INFO, "launched i-0abc on gpu");
  scaler_log_view_append (view, SCALER_LOG_LEVEL_INFO, "nothing to do");
  scaler_log_view_append (view, SCALER_LOG_LEVEL_ERROR, "Launch of i-0def failed");
  scaler_log_view_append (view, SCALER_LOG_LEVEL_INFO, "terminated i-0abc");

  /* Case-insensitive, every match counted, the first selected. */
  g_assert_cmpuint (scaler_log_view_search (view, "LAUNCH"), ==, 2);
  g_assert_true (gtk_text_buffer_get_selection_bounds (buffer, &start, &end));
  selected = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (selected, ==, "launch");
  first_line = gtk_text_iter_get_line (&start);
  g_assert_cmpint (first_line, ==, 0);

  /* Next goes to line 2, next again wraps to line 0, previous wraps back. */
  g_assert_true (scaler_log_view_search_next (view));
  gtk_text_buffer_get_selection_bounds (buffer, &start, &end);
  g_assert_cmpint (gtk_text_iter_get_line (&start), ==, 2);
  g_assert_true (scaler_log_view_search_next (view));
  gtk_text_buffer_get_selection_bounds (buffer, &start, &end);
  g_assert_cmpint (gtk_text_iter_get_line (&start), ==, 0);
  g_assert_true (scaler_log_view_search_previous (view));
  gtk_text_buffer_get_selection_bounds (buffer, &start, &end);
  g_assert_cmpint (gtk_text_iter_get_line (&start), ==, 2);

  /* New lines are highlighted as they arrive. */
  scaler_log_view_append (view, SCALER_LOG_LEVEL_INFO, "launched i-0fed");
  {
    GtkTextTag *match = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "search-match");
    GtkTextIter iter;

    gtk_text_buffer_get_iter_at_line (buffer, &iter, 4);
    g_assert_true (gtk_text_iter_has_tag (&iter, match));
    gtk_text_buffer_get_iter_at_line (buffer, &iter, 1);
    g_assert_false (gtk_text_iter_has_tag (&iter, match));
  }

  g_assert_cmpuint (scaler_log_view_search (view, "i-0abc"), ==, 2);
  g_assert_cmpuint (scaler_log_view_search (view, "no such text"), ==, 0);
  g_assert_false (scaler_log_view_search_next (view));
  g_assert_cmpuint (scaler_log_view_search (view, ""), ==, 0);

  gtk_window_destroy (window);
}

static void
test_save_and_clear (void)
{
  ScalerLogView *view;
  GtkWindow *window = window_with_log (&view);
  g_autofree char *dir = g_dir_make_tmp ("scaler-log-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.log", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *missing = g_build_filename (dir, "no", "such", "dir", "x.log", NULL);

  scaler_log_view_set_show_timestamps (view, FALSE);
  scaler_log_view_append (view, SCALER_LOG_LEVEL_INFO, "one");
  scaler_log_view_append (view, SCALER_LOG_LEVEL_WARNING, "two");

  g_assert_true (scaler_log_view_save_to_file (view, file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "one\ntwo\n");

  /* A directory that does not exist: a clear error, nothing written. */
  bad = g_file_new_for_path (missing);
  g_assert_false (scaler_log_view_save_to_file (view, bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  /* The actions are there for the buttons; clear empties the log. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.clear", NULL));
  g_assert_cmpuint (scaler_log_view_get_n_lines (view), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.copy", NULL));
  gtk_window_destroy (window);

  g_unlink (path);
  g_rmdir (dir);
}

#define SAVE_DIALOG_CHILD "SCALER_TEST_LOG_VIEW_SAVE_DIALOG"

/* Save opens a file chooser (kept alive until it responds); closing the
 * view closes it too. */
static void
save_dialog (void)
{
  ScalerLogView *view;
  GtkWindow *window = window_with_log (&view);
  guint before = g_list_model_get_n_items (gtk_window_get_toplevels ());

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.save", NULL));
  for (guint i = 0; i < 5; i++)
    scaler_test_drain ();
  g_assert_cmpuint (g_list_model_get_n_items (gtk_window_get_toplevels ()), >, before);
  gtk_window_destroy (window);
  for (guint i = 0; i < 5; i++)
    scaler_test_drain ();
  g_assert_cmpuint (g_list_model_get_n_items (gtk_window_get_toplevels ()), <, before);
}

/* The chooser runs in a child process of its own: GTK 4.8's file chooser
 * leaks (the path bar's GFileInfos on GIO worker threads, libcloudproviders,
 * GtkTreeView paths) in static functions of stripped libraries, which no
 * LeakSanitizer suppression can name. The child runs with leak detection
 * off under -Db_sanitize (AddressSanitizer and UBSan still check it). */
static void
test_save_dialog (void)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *asan = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { exe, "-p", "/scaler/log-view/save-dialog", NULL };
  const char *old;
  int status = -1;

  if (g_getenv (SAVE_DIALOG_CHILD) != NULL)
    {
      save_dialog ();
      return;
    }

  g_assert_nonnull (exe);
  old = g_environ_getenv (envp, "ASAN_OPTIONS");
  asan = g_strconcat (old != NULL ? old : "", old != NULL ? ":" : "", "detect_leaks=0", NULL);
  envp = g_environ_setenv (envp, "ASAN_OPTIONS", asan, TRUE);
  envp = g_environ_setenv (envp, SAVE_DIALOG_CHILD, "1", TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("child stdout:\n%s\nchild stderr:\n%s", out, err);
      g_test_fail_printf ("the file chooser case failed in its child process: %s", error->message);
    }
  /* The child ran the case, not a test list without it. */
  g_assert_nonnull (strstr (out, "save-dialog"));
}

static void
test_finalize (void)
{
  GtkWidget *view = scaler_log_view_new ();

  g_object_ref_sink (view);
  scaler_log_view_append (SCALER_LOG_VIEW (view), SCALER_LOG_LEVEL_INFO, "x");
  g_assert_finalize_object (view);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/scaler/log-view/levels", test_levels);
  g_test_add_func ("/scaler/log-view/trim-cap", test_trim_cap);
  g_test_add_func ("/scaler/log-view/follow-tail", test_follow_tail);
  g_test_add_func ("/scaler/log-view/search", test_search);
  g_test_add_func ("/scaler/log-view/save-and-clear", test_save_and_clear);
  g_test_add_func ("/scaler/log-view/save-dialog", test_save_dialog);
  g_test_add_func ("/scaler/log-view/finalize", test_finalize);

  return g_test_run ();
}
