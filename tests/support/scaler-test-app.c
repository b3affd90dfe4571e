/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The application and its window in the app's tests (see scaler-test-app.h). */

#define G_LOG_DOMAIN "scaler-test-app"

#include "config.h"

#include <string.h>

#include "scaler-dbus-error.h"
#include "scaler-gui-resources.h"
#include "scaler-test-app.h"

ScalerApplication *
scaler_test_app_new (void)
{
  ScalerApplication *app = scaler_application_new ();

  /* Tests run in parallel on the same display: never become a remote
   * instance of another test's application. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_assert_false (g_application_get_is_remote (G_APPLICATION (app)));
  return app;
}

void
scaler_test_wait_connected (ScalerMachine *machine)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (scaler_machine_get_status (machine) != SCALER_MACHINE_CONNECTED && g_get_monotonic_time () < deadline)
    {
      if (scaler_machine_get_status (machine) == SCALER_MACHINE_UNREACHABLE &&
          scaler_machine_get_error (machine) != NULL)
        g_error ("%s is unreachable: %s",
                 scaler_machine_get_address (machine) ? scaler_machine_get_address (machine) : "this computer",
                 scaler_machine_get_error (machine));
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
  g_assert_cmpint (scaler_machine_get_status (machine), ==, SCALER_MACHINE_CONNECTED);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  g_assert (GDK_IS_FRAME_CLOCK (clock));

  *painted = TRUE;
}

void
scaler_test_wait_drawn (GtkWidget *widget)
{
  GdkFrameClock *clock;
  gboolean painted = FALSE;
  gulong handler;

  scaler_test_wait (gtk_widget_get_mapped (widget), 10, "the widget to be mapped");
  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  scaler_test_wait (painted, 10, "a frame of the widget to be painted");
  g_signal_handler_disconnect (clock, handler);
}

ScalerWindow *
scaler_test_window_new (ScalerApplication *app)
{
  ScalerWindow *window = scaler_window_new (app);

  g_object_ref_sink (window);
  gtk_window_present (GTK_WINDOW (window));
  scaler_test_wait_drawn (GTK_WIDGET (window));
  scaler_test_spin (30);
  return window;
}

void
scaler_test_window_close (ScalerWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  scaler_test_spin (10);
  g_object_unref (window);
}

GtkListBox *
scaler_test_sidebar (ScalerWindow *window)
{
  return GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), SCALER_TYPE_WINDOW, "sidebar_list"));
}

ScalerSidebarRow *
scaler_test_row_for_id (ScalerWindow *window,
                        const char   *id)
{
  GtkListBoxRow *row;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (scaler_test_sidebar (window), i)) != NULL; i++)
    if (SCALER_IS_SIDEBAR_ROW (row) &&
        g_strcmp0 (scaler_client_autoscaler_get_id (scaler_sidebar_row_get_autoscaler (SCALER_SIDEBAR_ROW (row))),
                   id) == 0)
      return SCALER_SIDEBAR_ROW (row);
  return NULL;
}

ScalerMachineRow *
scaler_test_header_for (ScalerWindow  *window,
                        ScalerMachine *machine)
{
  GtkListBoxRow *row;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (scaler_test_sidebar (window), i)) != NULL; i++)
    if (SCALER_IS_MACHINE_ROW (row) && scaler_machine_row_get_machine (SCALER_MACHINE_ROW (row)) == machine)
      return SCALER_MACHINE_ROW (row);
  return NULL;
}

guint
scaler_test_n_autoscaler_rows (ScalerWindow *window)
{
  GtkListBoxRow *row;
  guint n = 0;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (scaler_test_sidebar (window), i)) != NULL; i++)
    if (SCALER_IS_SIDEBAR_ROW (row))
      n++;
  return n;
}

void
scaler_test_activate (ScalerWindow *window,
                      const char   *action,
                      const char   *target)
{
  g_autoptr(GVariant) parameter = target != NULL ? g_variant_ref_sink (g_variant_new_string (target)) : NULL;

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (window), action, parameter));
}

ScalerDbusAutoscaler *
scaler_test_proxy_for (ScalerTestService *session,
                       const char        *id)
{
  g_autofree char *path = scaler_dbus_autoscaler_path (id);
  g_autoptr(GError) error = NULL;
  ScalerDbusAutoscaler *proxy;

  proxy = scaler_dbus_autoscaler_proxy_new_sync (session->connection, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                                 SCALER_DBUS_NAME, path, NULL, &error);
  g_assert_no_error (error);
  return proxy;
}

ScalerDbusManager *
scaler_test_manager_proxy (ScalerTestService *session)
{
  g_autoptr(GError) error = NULL;
  ScalerDbusManager *proxy;

  proxy = scaler_dbus_manager_proxy_new_sync (session->connection, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                              SCALER_DBUS_NAME, SCALER_DBUS_MANAGER_PATH, NULL, &error);
  g_assert_no_error (error);
  return proxy;
}

static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  if ((log_level & G_LOG_LEVEL_WARNING) != 0)
    for (gsize i = 0; i < n_fields; i++)
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0 &&
          strstr (fields[i].value, "without a current allocation") != NULL)
        return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
scaler_test_tolerate_allocation_warning (void)
{
  g_log_set_writer_func (log_writer, NULL, NULL);
}

void
scaler_test_gtk_init (int    *argc,
                      char ***argv)
{
  scaler_test_tolerate_allocation_warning ();
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  g_resources_register (scaler_gui_get_resource ());
}

ScalerTestService *
scaler_test_app_init (int    *argc,
                      char ***argv)
{
  ScalerTestService *session = scaler_test_service_new ();

  scaler_test_service_use (session);
  scaler_test_service_start (session);
  g_setenv ("SCALER_CREDENTIALS", "memory", TRUE);
  scaler_test_gtk_init (argc, argv);
  return session;
}
