/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The dashboard follows an autoscaler of the background service (the built
 * ec2-autoscalerd --service on a private bus, running the demo on its
 * simulator): history, console backlog and last cycle at once, then the
 * service's cycles; tables, summary, plot series, state, and the actions
 * over the bus; it lets go of autoscalers and finalizes cleanly. Under
 * Xvfb. */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "scaler-cycle-variant.h"
#include "scaler-dashboard.h"
#include "scaler-dashboard-row.h"
#include "scaler-gui-resources.h"
#include "support/scaler-test-app.h"
#include "support/scaler-test-png.h"

static ScalerTestService *session;

typedef struct
{
  GtkWindow       *window;
  ScalerDashboard *dashboard;
  ScalerMachine   *machine;
  char            *id;
} Fixture;

/* A demo autoscaler in the service, created by the test (another client). */
static ScalerClientAutoscaler *
create (Fixture    *f,
        const char *json)
{
  g_autoptr(ScalerDbusManager) manager = scaler_test_manager_proxy (session);
  g_autoptr(ScalerConfig) config = scaler_config_new_from_json (json, -1, NULL);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  scaler_dbus_manager_call_create_sync (manager, json, G_DBUS_CALL_FLAGS_NONE, 20000, &path, NULL, &error);
  g_assert_no_error (error);
  g_free (f->id);
  f->id = g_strdup (config->id);
  scaler_test_wait (scaler_machine_find (f->machine, f->id) != NULL, 20, "the app to see it");
  return scaler_machine_find (f->machine, f->id);
}

static ScalerClientAutoscaler *
create_demo (Fixture *f)
{
  g_autofree char *json = scaler_test_demo_json (NULL, "Test pool");

  return create (f, json);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->machine = scaler_machine_new_local ();
  scaler_machine_connect (f->machine);
  scaler_test_wait_connected (f->machine);

  f->window = GTK_WINDOW (gtk_window_new ());
  f->dashboard = SCALER_DASHBOARD (scaler_dashboard_new ());
  g_object_ref (f->dashboard);
  /* 1180 x 760 is the app's default window; the content pane is narrower. */
  gtk_window_set_default_size (f->window, 920,
                               g_getenv ("SCALER_SCREENSHOT_HEIGHT") ? atoi (g_getenv ("SCALER_SCREENSHOT_HEIGHT")) : 760);
  gtk_window_set_child (f->window, GTK_WIDGET (f->dashboard));
  gtk_window_present (f->window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (f->dashboard)))
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (f->window);
  scaler_test_drain ();
  g_assert_finalize_object (f->dashboard);
  g_clear_object (&f->machine);
  g_free (f->id);
  scaler_test_service_delete_all (session);
}

static ScalerDashboardRow *
row_at (GListModel *model,
        guint       i)
{
  ScalerDashboardRow *row = g_list_model_get_item (model, i);

  g_object_unref (row);   /* the model keeps it alive */
  return row;
}

static guint
n_samples (ScalerDashboard     *dashboard,
           ScalerDashboardPlot  which,
           guint                series)
{
  ScalerPlot *plot = scaler_dashboard_get_plot (dashboard, which);

  return scaler_series_get_n_samples (scaler_plot_get_series (plot, series));
}

static guint
history_samples (ScalerClientAutoscaler *autoscaler)
{
  ScalerHistory *history = scaler_client_autoscaler_get_history (autoscaler);

  return history != NULL ? scaler_series_get_n_samples (scaler_history_get_idle_workers (history)) : 0;
}

static void
call (ScalerClientAutoscaler *autoscaler,
      const char             *method)
{
  g_autoptr(ScalerDbusAutoscaler) proxy = scaler_test_proxy_for (session, scaler_client_autoscaler_get_id (autoscaler));
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_proxy_call_sync (G_DBUS_PROXY (proxy), method, NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
  g_assert_no_error (error);
}

/* Stopped, then started from the dashboard: the configured resources
 * first, then the service's cycles in the tables, summary, plots and log;
 * letting go empties it, and coming back shows the data at once. */
static void
test_follows_service (Fixture       *f,
                      gconstpointer  data)
{
  GListModel *resources = scaler_dashboard_get_resources_model (f->dashboard);
  GListModel *instances = scaler_dashboard_get_instances_model (f->dashboard);
  ScalerPlot *workers = scaler_dashboard_get_plot (f->dashboard, SCALER_DASHBOARD_PLOT_WORKERS);
  ScalerPlot *usage = scaler_dashboard_get_plot (f->dashboard, SCALER_DASHBOARD_PLOT_USAGE);
  ScalerPlot *cost = scaler_dashboard_get_plot (f->dashboard, SCALER_DASHBOARD_PLOT_COST);
  ScalerClientAutoscaler *demo;
  ScalerCycleResult *last;
  guint draws, samples;

  /* Without an autoscaler: no rows, plots empty. */
  g_assert_cmpuint (g_list_model_get_n_items (resources), ==, 0);
  g_assert_cmpuint (scaler_plot_get_n_series (workers), ==, 1);   /* pending only */

  demo = create_demo (f);
  scaler_dashboard_set_autoscaler (f->dashboard, demo);
  g_assert_true (scaler_dashboard_get_autoscaler (f->dashboard) == demo);
  /* Before the first cycle the configured resources are listed, idle. */
  g_assert_cmpuint (g_list_model_get_n_items (resources), ==, 2);
  g_assert_cmpstr (scaler_dashboard_row_get_cell (row_at (resources, 0), 0), ==, "cpu-pool");
  g_assert_cmpstr (scaler_dashboard_row_get_cell (row_at (resources, 0), 4), ==, "0 / 6");
  g_assert_cmpfloat (scaler_plot_get_limit (usage), ==, 9.0);    /* max instances */
  g_assert_cmpfloat (scaler_plot_get_limit (cost), ==, 6.0);     /* the budget */
  g_assert_cmpstr (scaler_dashboard_get_state_text (f->dashboard), ==, "Stopped");
  scaler_test_wait (scaler_client_autoscaler_is_loaded (demo), 20, "the history");
  g_assert_cmpuint (scaler_plot_get_n_series (workers), ==, 3);   /* busy, idle, pending */
  g_assert_cmpuint (scaler_plot_get_n_series (usage), ==, 1);
  g_assert_cmpuint (scaler_plot_get_n_series (cost), ==, 1);

  /* Start goes over the bus; the header follows the service's state. */
  draws = scaler_plot_get_n_draws (workers);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.start", NULL));
  scaler_test_wait (g_strcmp0 (scaler_dashboard_get_state_text (f->dashboard), "Running") == 0, 30, "Running");
  scaler_test_wait (scaler_client_autoscaler_get_cycle (demo) >= 3, 60, "three cycles");
  scaler_test_drain ();

  /* One sample per cycle in every plot, as in the service's history. */
  samples = history_samples (demo);
  g_assert_cmpuint (samples, >=, 3);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_WORKERS, 0), ==, samples);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_USAGE, 0), ==, samples);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_COST, 0), ==, samples);
  last = scaler_client_autoscaler_get_last_result (demo);
  g_assert_nonnull (last);
  g_assert_cmpuint (g_list_model_get_n_items (instances), ==, last->instances->len);
  g_assert_cmpuint (g_list_model_get_n_items (resources), ==, last->resources->len);
  scaler_test_wait (scaler_plot_get_n_draws (workers) > draws, 10, "a redraw");
  /* The console got the service's lines. */
  g_assert_cmpuint (scaler_log_view_get_n_lines (scaler_dashboard_get_log_view (f->dashboard)), >, 0);

  /* The window selector is an action with the hours as target. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.window", "i", 24));
  g_assert_cmpint (scaler_dashboard_get_window_hours (f->dashboard), ==, 24);
  g_assert_cmpint (scaler_plot_get_window (workers), ==, 24 * G_TIME_SPAN_HOUR);

  /* Letting go empties everything. */
  scaler_dashboard_set_autoscaler (f->dashboard, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (resources), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (instances), ==, 0);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_USAGE, 0), ==, 0);

  /* Coming back shows the last known data at once (no round trip). */
  scaler_dashboard_set_autoscaler (f->dashboard, demo);
  last = scaler_client_autoscaler_get_last_result (demo);
  g_assert_cmpuint (g_list_model_get_n_items (instances), ==, last->instances->len);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_USAGE, 0), ==, history_samples (demo));
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_WORKERS, 0), ==, history_samples (demo));

  /* Stop goes over the bus too. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.stop", NULL));
  scaler_test_wait (g_strcmp0 (scaler_dashboard_get_state_text (f->dashboard), "Stopped") == 0, 30, "Stopped");
  scaler_dashboard_set_autoscaler (f->dashboard, NULL);
}

/* A client that comes later (a window opened again) gets the plots'
 * history in one call: everything the service kept, then the new cycles. */
static void
test_history_for_late_client (Fixture       *f,
                              gconstpointer  data)
{
  ScalerClientAutoscaler *demo = create_demo (f);
  g_autoptr(ScalerMachine) late = NULL;
  ScalerClientAutoscaler *seen;
  guint cycles;

  call (demo, "Start");
  scaler_test_wait (scaler_client_autoscaler_get_cycle (demo) >= 4, 60, "four cycles");
  cycles = scaler_client_autoscaler_get_cycle (demo);

  late = scaler_machine_new_local ();
  scaler_machine_connect (late);
  scaler_test_wait_connected (late);
  seen = scaler_machine_find (late, f->id);
  g_assert_nonnull (seen);
  scaler_dashboard_set_autoscaler (f->dashboard, seen);
  scaler_test_wait (scaler_client_autoscaler_is_loaded (seen), 20, "the history");
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_WORKERS, 0), >=, cycles);
  g_assert_cmpuint (scaler_log_view_get_n_lines (scaler_dashboard_get_log_view (f->dashboard)), >, 0);

  /* And it keeps following. */
  cycles = n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_WORKERS, 0);
  scaler_test_wait (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_WORKERS, 0) > cycles, 30, "a new sample");
  scaler_dashboard_set_autoscaler (f->dashboard, NULL);
  call (demo, "Stop");
}

/* Two results of the same fleet: rows are updated in place, not replaced. */
static void
test_rows_update_in_place (Fixture       *f,
                           gconstpointer  data)
{
  GListModel *instances = scaler_dashboard_get_instances_model (f->dashboard);
  ScalerClientAutoscaler *demo = create_demo (f);
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(ScalerCycleResult) later = NULL;
  g_autoptr(ScalerDashboardRow) kept = NULL;
  g_autofree char *kept_uptime = NULL;
  ScalerCycleResult *last;

  call (demo, "Start");
  scaler_dashboard_set_autoscaler (f->dashboard, demo);
  scaler_test_wait (scaler_client_autoscaler_get_last_result (demo) != NULL &&
                    scaler_client_autoscaler_get_last_result (demo)->instances->len > 0, 60, "instances");
  call (demo, "Stop");
  scaler_test_wait (g_strcmp0 (scaler_client_autoscaler_get_state (demo), "stopped") == 0, 30, "stopped");
  scaler_test_drain ();
  last = scaler_client_autoscaler_get_last_result (demo);
  scaler_dashboard_apply_result (f->dashboard, last);

  /* The same fleet ten minutes later, as the service would send it. */
  variant = g_variant_ref_sink (scaler_cycle_result_to_variant (last));
  later = scaler_cycle_result_new_from_variant (variant, NULL);
  g_assert_nonnull (later);
  later->time += 10 * G_TIME_SPAN_MINUTE;
  for (guint i = 0; i < later->instances->len; i++)
    ((ScalerInstanceRow *) g_ptr_array_index (later->instances, i))->uptime_s += 600;

  kept = g_list_model_get_item (instances, 0);
  kept_uptime = g_strdup (scaler_dashboard_row_get_cell (kept, 7));
  scaler_dashboard_apply_result (f->dashboard, later);
  g_assert_cmpuint (g_list_model_get_n_items (instances), ==, later->instances->len);
  g_assert_true (row_at (instances, 0) == kept);
  g_assert_cmpstr (scaler_dashboard_row_get_cell (kept, 7), !=, kept_uptime);
  scaler_dashboard_set_autoscaler (f->dashboard, NULL);
}

/* An autoscaler whose servers do not answer: the header says Error and the
 * banner says why; Stop stops it. */
static void
test_failed_state (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ScalerConfig) config = scaler_config_new ();
  ScalerResource *resource = scaler_resource_new ();
  ScalerClientAutoscaler *broken;
  GtkRevealer *banner;
  g_autofree char *json = NULL;

  g_free (config->name);
  config->name = g_strdup ("Test pool");
  config->aws_endpoint = g_strdup ("http://127.0.0.1:9");
  g_free (config->clearml_api_server);
  config->clearml_api_server = g_strdup ("http://127.0.0.1:9");
  config->aws_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  config->clearml_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  config->polling_interval_time_min = 0.02;
  g_free (resource->name);
  resource->name = g_strdup ("cpu");
  g_free (resource->queue);
  resource->queue = g_strdup ("default");
  g_free (resource->instance_type);
  resource->instance_type = g_strdup ("m5.large");
  g_free (resource->ami_id);
  resource->ami_id = g_strdup ("ami-0123456789abcdef0");
  g_ptr_array_add (config->resources, resource);
  json = scaler_config_to_json (config);
  broken = create (f, json);
  scaler_dashboard_set_autoscaler (f->dashboard, broken);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.start", NULL));
  scaler_test_wait (g_strcmp0 (scaler_dashboard_get_state_text (f->dashboard), "Error") == 0, 60, "Error");
  banner = GTK_REVEALER (gtk_widget_get_template_child (GTK_WIDGET (f->dashboard), SCALER_TYPE_DASHBOARD,
                                                        "error_revealer"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (banner)));
  g_assert_true (gtk_revealer_get_reveal_child (banner));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (banner)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.stop", NULL));
  scaler_test_wait (g_strcmp0 (scaler_dashboard_get_state_text (f->dashboard), "Stopped") == 0, 30, "Stopped");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (banner)));
  scaler_dashboard_set_autoscaler (f->dashboard, NULL);
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWindow *
find_toplevel (GType       type,
               const char *title_prefix)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      const char *title = gtk_window_get_title (window);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) &&
          (title_prefix == NULL || (title != NULL && g_str_has_prefix (title, title_prefix))))
        return window;
    }
  return NULL;
}

static gboolean
toast_cb (ScalerDashboard *dashboard,
          const char      *title,
          GPtrArray       *toasts)
{
  g_ptr_array_add (toasts, g_strdup (title));
  return TRUE;
}

static gboolean
instance_running (GListModel *instances,
                  const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (instances); i++)
    {
      ScalerDashboardRow *row = row_at (instances, i);

      if (g_strcmp0 (scaler_dashboard_row_get_key (row), id) == 0 &&
          g_strcmp0 (scaler_dashboard_row_get_cell (row, 5), "Running") == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_toast (GPtrArray  *toasts,
           const char *needle)
{
  for (guint i = 0; i < toasts->len; i++)
    if (strstr (g_ptr_array_index (toasts, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_instance_actions (Fixture       *f,
                       gconstpointer  data)
{
  GListModel *instances = scaler_dashboard_get_instances_model (f->dashboard);
  g_autoptr(GPtrArray) toasts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *boot_title = NULL;
  ScalerClientAutoscaler *demo = create_demo (f);
  GdkContentProvider *content;
  GValue value = G_VALUE_INIT;
  GtkWindow *boot_log, *dialog;
  GtkTextView *text_view;

  scaler_dashboard_set_autoscaler (f->dashboard, demo);
  g_signal_connect (f->dashboard, "toast", G_CALLBACK (toast_cb), toasts);
  call (demo, "Start");
  /* A running instance of the simulator (booted, agent registered). */
  scaler_test_wait (g_list_model_get_n_items (instances) > 0 &&
                    g_strcmp0 (scaler_dashboard_row_get_cell (row_at (instances, 0), 5), "Running") == 0,
                    90, "a running instance");
  id = g_strdup (scaler_dashboard_row_get_key (row_at (instances, 0)));

  /* Copy id: the clipboard holds it, and a toast says so. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.copy-id", "s", id));
  content = gdk_clipboard_get_content (gtk_widget_get_clipboard (GTK_WIDGET (f->dashboard)));
  g_assert_nonnull (content);
  g_value_init (&value, G_TYPE_STRING);
  g_assert_true (gdk_content_provider_get_value (content, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_value_get_string (&value), ==, id);
  g_value_unset (&value);
  g_assert_true (has_toast (toasts, id));

  /* Boot log: a window whose text view fills with the console output,
   * which the service fetched (GetConsoleOutput). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.show-boot-log", "s", id));
  boot_title = g_strdup_printf ("Boot Log of %s", id);
  boot_log = find_toplevel (ADW_TYPE_WINDOW, boot_title);
  g_assert_nonnull (boot_log);
  text_view = GTK_TEXT_VIEW (find_descendant (GTK_WIDGET (boot_log), GTK_TYPE_TEXT_VIEW));
  g_assert_nonnull (text_view);
  {
    g_autofree char *expected = g_strdup_printf ("cloud-init: running user-data for %s", id);
    g_autofree char *text = NULL;
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while (g_get_monotonic_time () < deadline)
      {
        GtkTextIter start, end;

        g_clear_pointer (&text, g_free);
        gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (text_view), &start, &end);
        text = gtk_text_buffer_get_text (gtk_text_view_get_buffer (text_view), &start, &end, FALSE);
        if (strstr (text, expected) != NULL)
          break;
        g_main_context_iteration (NULL, TRUE);
      }
    g_assert_nonnull (strstr (text, expected));
  }
  gtk_window_destroy (boot_log);

  /* Terminate asks first (destructive response), then the service does it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.terminate-instance", "s", id));
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL);
  g_assert_nonnull (dialog);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "terminate"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "cancel");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "terminate");
  scaler_test_wait (has_toast (toasts, "Terminating"), 20, "the toast");
  if (find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL) != NULL)
    gtk_window_destroy (find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  scaler_test_wait (!instance_running (instances, id), 30, "the instance to stop running");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.stop", NULL));
  scaler_test_wait (g_strcmp0 (scaler_dashboard_get_state_text (f->dashboard), "Stopped") == 0, 30, "Stopped");
  scaler_dashboard_set_autoscaler (f->dashboard, NULL);
}

/* The demo for a while, then the window rendered to PNG in light and dark
 * (into SCALER_SCREENSHOT_DIR when set, for a human look; a temporary
 * directory otherwise). */
static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  const char *env_dir = g_getenv ("SCALER_SCREENSHOT_DIR");
  g_autofree char *tmp_dir = env_dir ? NULL : g_dir_make_tmp ("scaler-shot-XXXXXX", NULL);
  const char *dir = env_dir ? env_dir : tmp_dir;
  g_autofree char *light = g_build_filename (dir, "dashboard-test.png", NULL);
  g_autofree char *dark = g_build_filename (dir, "dashboard-test-dark.png", NULL);
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  guint cycles = g_getenv ("SCALER_SCREENSHOT_CYCLES") ? (guint) atoi (g_getenv ("SCALER_SCREENSHOT_CYCLES")) : 20;
  ScalerClientAutoscaler *demo;

  /* The application loads style.css by itself; a bare test does not. */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, RESOURCE_BASE_PATH "/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  demo = create_demo (f);
  scaler_dashboard_set_autoscaler (f->dashboard, demo);
  call (demo, "Start");
  scaler_test_wait (scaler_client_autoscaler_get_cycle (demo) >= cycles, 30 + cycles * 2, "the cycles");
  scaler_dashboard_set_window_hours (f->dashboard, 1);
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (5000);
      scaler_test_drain ();
    }

  g_assert_true (scaler_test_save_png (GTK_WIDGET (f->window), light, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_filename (light, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gtk_widget_get_width (GTK_WIDGET (f->window)));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (5000);
      scaler_test_drain ();
    }
  g_assert_true (scaler_test_save_png (GTK_WIDGET (f->window), dark, &error));
  g_assert_no_error (error);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  if (tmp_dir != NULL)
    {
      g_unlink (light);
      g_unlink (dark);
      g_rmdir (tmp_dir);
    }
  call (demo, "Stop");
  scaler_dashboard_set_autoscaler (f->dashboard, NULL);
  scaler_test_drain ();
}

static void
test_finalize (void)
{
  GtkWidget *dashboard = scaler_dashboard_new ();
  g_autoptr(ScalerConfig) config = scaler_config_new ();

  config->hourly_budget_usd = 25.0;
  g_object_ref_sink (dashboard);
  scaler_dashboard_set_config (SCALER_DASHBOARD (dashboard), config);
  g_assert_cmpfloat (scaler_plot_get_limit (scaler_dashboard_get_plot (SCALER_DASHBOARD (dashboard),
                                                                       SCALER_DASHBOARD_PLOT_COST)), ==, 25.0);
  g_assert_finalize_object (dashboard);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  session = scaler_test_app_init (&argc, &argv);

  g_test_add ("/scaler/dashboard/follows-service", Fixture, NULL,
              fixture_setup, test_follows_service, fixture_teardown);
  g_test_add ("/scaler/dashboard/history-for-late-client", Fixture, NULL,
              fixture_setup, test_history_for_late_client, fixture_teardown);
  g_test_add ("/scaler/dashboard/rows-update-in-place", Fixture, NULL,
              fixture_setup, test_rows_update_in_place, fixture_teardown);
  g_test_add ("/scaler/dashboard/failed-state", Fixture, NULL,
              fixture_setup, test_failed_state, fixture_teardown);
  g_test_add ("/scaler/dashboard/instance-actions", Fixture, NULL,
              fixture_setup, test_instance_actions, fixture_teardown);
  g_test_add ("/scaler/dashboard/screenshot", Fixture, NULL,
              fixture_setup, test_screenshot, fixture_teardown);
  g_test_add_func ("/scaler/dashboard/finalize", test_finalize);

  status = g_test_run ();
  scaler_test_service_free (session);
  return status;
}
