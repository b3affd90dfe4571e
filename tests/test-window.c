/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Widget test: the main window is created, shown, destroyed and finalized,
 * against a background service (with no autoscalers) on a private bus. */

#include "config.h"

#include <signal.h>

#include <adwaita.h>

#include "scaler-gui-resources.h"
#include "scaler-preferences-window.h"
#include "scaler-wizard.h"
#include "support/scaler-test-app.h"

/* One application per process: GApplication exports its object path once. */
static ScalerApplication *app;

static void
test_window_lifecycle (void)
{
  ScalerWindow *window;
  GtkWidget *empty;

  window = scaler_window_new (app);
  g_object_ref_sink (window);
  gtk_window_present (GTK_WINDOW (window));
  scaler_test_wait_drawn (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  scaler_test_wait_connected (scaler_application_get_local_machine (app));
  scaler_test_spin (20);

  /* The empty state is what a new user sees, with its button wired to an action. */
  g_assert_cmpstr (scaler_window_get_content_page (window), ==, "empty");
  empty = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), SCALER_TYPE_WINDOW, "empty_page"));
  g_assert_true (ADW_IS_STATUS_PAGE (empty));
  g_assert_true (gtk_widget_get_visible (empty));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (empty)), ==, "No Autoscalers");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-autoscaler", NULL));
  scaler_test_wait_drawn (GTK_WIDGET (window));
  /* It opens the creation wizard, modal over the window. */
  {
    GtkWindow *dialog = scaler_window_get_dialog (window);

    g_assert_true (SCALER_IS_WIZARD (dialog));
    g_assert_false (scaler_wizard_is_editing (SCALER_WIZARD (dialog)));
    g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (window));
    g_assert_true (gtk_window_get_modal (dialog));
    gtk_window_destroy (dialog);
  }

  /* The second way in: the demo, wired to its action. */
  {
    GtkWidget *demo = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), SCALER_TYPE_WINDOW, "demo_button"));

    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (demo)), ==, "win.try-demo");
    g_assert_true (gtk_widget_is_sensitive (demo));
  }

  /* The size comes from GSettings (memory backend in tests). */
  {
    int width = 0, height = 0;

    gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
    g_assert_cmpint (width, ==, 1180);
    g_assert_cmpint (height, ==, 760);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* No service, and none can be started (not installed: no D-Bus activation
 * file): the window says so with the reason and Retry, instead of an empty
 * sidebar; Retry while it is still down says so again; once a service runs,
 * the window is back. */
static ScalerTestService *session;

static void
test_window_unreachable (void)
{
  ScalerMachine *local = scaler_application_get_local_machine (app);
  ScalerWindow *window;
  AdwStatusPage *page;

  scaler_test_wait_connected (local);
  window = scaler_test_window_new (app);
  scaler_test_service_signal (session, SIGTERM);
  scaler_test_wait (scaler_machine_get_status (local) == SCALER_MACHINE_UNREACHABLE, 20, "unreachable");

  /* Retry: the bus cannot start it; the page says why. */
  scaler_test_activate (window, "win.retry-machine", "");
  scaler_test_wait (scaler_machine_get_status (local) == SCALER_MACHINE_UNREACHABLE &&
                    strstr (scaler_machine_get_error (local), "could not be started") != NULL, 40, "the reason");
  scaler_test_spin (10);
  g_assert_cmpstr (scaler_window_get_content_page (window), ==, "unreachable");
  page = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (window), SCALER_TYPE_WINDOW, "unreachable_page"));
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "could not be started"));
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "build-aux/run"));
  g_assert_nonnull (scaler_machine_row_get_status (scaler_test_header_for (window, local)));

  /* Someone starts it (build-aux/run, systemd): the window is back. */
  scaler_test_service_start (session);
  scaler_test_activate (window, "win.retry-machine", "");
  scaler_test_wait (scaler_machine_get_status (local) == SCALER_MACHINE_CONNECTED, 40, "connected");
  scaler_test_spin (10);
  g_assert_cmpstr (scaler_window_get_content_page (window), ==, "empty");
  scaler_test_window_close (window);
}

static void
test_preferences_color_scheme (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.ec2autoscaler.Autoscaler");
  ScalerPreferencesWindow *prefs = scaler_preferences_window_new (settings);
  AdwComboRow *row;

  g_object_ref_sink (prefs);
  row = ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (prefs),
                                                      SCALER_TYPE_PREFERENCES_WINDOW,
                                                      "color_scheme_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  adw_combo_row_set_selected (row, 2);
  {
    g_autofree char *nick = g_settings_get_string (settings, "color-scheme");
    g_assert_cmpstr (nick, ==, "dark");
  }
  g_settings_set_string (settings, "color-scheme", "light");
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1);
  g_settings_reset (settings, "color-scheme");

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  session = scaler_test_app_init (&argc, &argv);
  app = scaler_test_app_new ();

  g_test_add_func ("/scaler/window/lifecycle", test_window_lifecycle);
  g_test_add_func ("/scaler/window/preferences-color-scheme", test_preferences_color_scheme);
  g_test_add_func ("/scaler/window/unreachable", test_window_unreachable);

  status = g_test_run ();
  g_clear_object (&app);
  scaler_test_service_free (session);
  return status;
}
