/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The dashboard follows a real engine running on the simulator (manual
 * virtual clock): tables, summary, plot series, state, actions, attention;
 * and it lets go of engines and finalizes cleanly. Under Xvfb. */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "scaler-dashboard.h"
#include "scaler-dashboard-row.h"
#include "scaler-policy.h"
#include "scaler-sim.h"

#define START ((gint64) 1800000000 * G_USEC_PER_SEC)

typedef struct
{
  GtkWindow       *window;
  ScalerDashboard *dashboard;
  ScalerSim       *sim;
  ScalerEngine    *engine;
  ScalerConfig    *config;
} Fixture;

static ScalerConfig *
make_config (void)
{
  ScalerConfig *config = scaler_config_new ();
  ScalerResource *resource = scaler_resource_new ();

  g_free (config->name);
  config->name = g_strdup ("Test pool");
  g_free (config->workers_prefix);
  config->workers_prefix = g_strdup ("dyn");
  config->hourly_budget_usd = 25.0;
  g_free (resource->name);
  resource->name = g_strdup ("cpu");
  g_free (resource->queue);
  resource->queue = g_strdup ("default");
  g_free (resource->instance_type);
  resource->instance_type = g_strdup ("m5.large");
  resource->max_instances = 4;
  g_ptr_array_add (config->resources, resource);

  return config;
}

static void
spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->config = make_config ();
  f->sim = scaler_sim_new (7, START);
  scaler_sim_set_delays (f->sim, 2, 1, 0.5);
  f->engine = scaler_engine_new (f->config, SCALER_CLOUD (f->sim), SCALER_QUEUE_SOURCE (f->sim), NULL);
  scaler_engine_set_clock (f->engine, scaler_sim_now, g_object_ref (f->sim), g_object_unref);
  scaler_engine_set_autorun (f->engine, FALSE);

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
  spin ();
  g_assert_finalize_object (f->dashboard);
  g_assert_finalize_object (f->engine);
  g_assert_finalize_object (f->sim);
  scaler_config_unref (f->config);
}

static void
run_cycle_cb (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  ScalerCycleResult **out = user_data;

  *out = scaler_engine_run_cycle_finish (SCALER_ENGINE (object), res, NULL);
  g_assert_nonnull (*out);
}

static ScalerCycleResult *
run_cycle (Fixture *f)
{
  ScalerCycleResult *result = NULL;

  scaler_engine_run_cycle_async (f->engine, NULL, run_cycle_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  spin ();

  return result;
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

static void
test_updates_from_engine (Fixture       *f,
                          gconstpointer  data)
{
  GListModel *resources = scaler_dashboard_get_resources_model (f->dashboard);
  GListModel *instances = scaler_dashboard_get_instances_model (f->dashboard);
  ScalerPlot *workers = scaler_dashboard_get_plot (f->dashboard, SCALER_DASHBOARD_PLOT_WORKERS);
  ScalerPlot *usage = scaler_dashboard_get_plot (f->dashboard, SCALER_DASHBOARD_PLOT_USAGE);
  ScalerPlot *cost = scaler_dashboard_get_plot (f->dashboard, SCALER_DASHBOARD_PLOT_COST);
  g_autoptr(ScalerCycleResult) r1 = NULL;
  g_autoptr(ScalerCycleResult) r2 = NULL;
  g_autoptr(ScalerCycleResult) r3 = NULL;
  g_autoptr(ScalerDashboardRow) kept = NULL;
  g_autofree char *log = NULL;
  g_autofree char *kept_uptime = NULL;
  gboolean busy_seen = FALSE;
  guint draws;

  /* Without an engine: no rows, plots empty. */
  g_assert_cmpuint (g_list_model_get_n_items (resources), ==, 0);
  g_assert_cmpuint (scaler_plot_get_n_series (workers), ==, 1);   /* pending only */

  scaler_dashboard_set_engine (f->dashboard, f->engine);
  g_assert_true (scaler_dashboard_get_engine (f->dashboard) == f->engine);
  /* Before the first cycle the configured resources are listed, idle. */
  g_assert_cmpuint (g_list_model_get_n_items (resources), ==, 1);
  g_assert_cmpstr (scaler_dashboard_row_get_cell (row_at (resources, 0), 4), ==, "0 / 4");
  g_assert_cmpuint (scaler_plot_get_n_series (workers), ==, 3);   /* busy, idle, pending */
  g_assert_cmpuint (scaler_plot_get_n_series (usage), ==, 1);
  g_assert_cmpuint (scaler_plot_get_n_series (cost), ==, 1);
  g_assert_cmpfloat (scaler_plot_get_limit (usage), ==, 4.0);    /* max instances */
  g_assert_cmpfloat (scaler_plot_get_limit (cost), ==, 25.0);    /* the budget */
  g_assert_cmpstr (scaler_dashboard_get_state_text (f->dashboard), ==, "Stopped");

  /* Cycle 1: three tasks wait, so instances are launched. */
  scaler_sim_enqueue (f->sim, "default", 3, 30.0);
  r1 = run_cycle (f);
  g_assert_true (r1->ok);
  g_assert_cmpuint (r1->launched, >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (resources), ==, 1);
  g_assert_cmpstr (scaler_dashboard_row_get_cell (row_at (resources, 0), 0), ==, "cpu");
  g_assert_cmpstr (scaler_dashboard_row_get_cell (row_at (resources, 0), 1), ==, "default");
  g_assert_cmpuint (g_list_model_get_n_items (instances), ==, r1->instances->len);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_WORKERS, 0), ==, 1);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_USAGE, 0), ==, 1);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_COST, 0), ==, 1);

  /* Cycle 2, five virtual minutes later: the instances booted and took tasks. */
  scaler_sim_advance (f->sim, 5 * G_TIME_SPAN_MINUTE);
  r2 = run_cycle (f);
  g_assert_true (r2->ok);
  g_assert_cmpuint (r2->instances->len, >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (instances), ==, r2->instances->len);
  for (guint i = 0; i < g_list_model_get_n_items (instances); i++)
    {
      ScalerDashboardRow *row = row_at (instances, i);

      g_assert_true (g_str_has_prefix (scaler_dashboard_row_get_key (row), "i-"));
      g_assert_cmpstr (scaler_dashboard_row_get_cell (row, 0), ==, scaler_dashboard_row_get_key (row));
      g_assert_cmpstr (scaler_dashboard_row_get_cell (row, 2), ==, "m5.large");
      g_assert_cmpstr (scaler_dashboard_row_get_cell (row, 4), ==, "On-demand");
      if (g_str_has_prefix (scaler_dashboard_row_get_cell (row, 6), "Busy with"))
        busy_seen = TRUE;
    }
  g_assert_true (busy_seen);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_WORKERS, 0), ==, 2);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_USAGE, 0), ==, 2);
  g_assert_cmpfloat (r2->busy_workers, >, 0);

  /* Cycle 3 with the same fleet: rows are updated in place, not replaced. */
  kept = g_list_model_get_item (instances, 0);
  kept_uptime = g_strdup (scaler_dashboard_row_get_cell (kept, 7));
  draws = scaler_plot_get_n_draws (workers);
  scaler_sim_advance (f->sim, 10 * G_TIME_SPAN_MINUTE);
  r3 = run_cycle (f);
  g_assert_cmpuint (r3->instances->len, ==, r2->instances->len);
  g_assert_true (row_at (instances, 0) == kept);
  g_assert_cmpstr (scaler_dashboard_row_get_cell (kept, 7), !=, kept_uptime);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_WORKERS, 0), ==, 3);

  /* The plot redraws when its series change. */
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (scaler_plot_get_n_draws (workers) == draws && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
    g_assert_cmpuint (scaler_plot_get_n_draws (workers), >, draws);
  }

  /* The console got the engine's lines. */
  log = scaler_log_view_dup_text (scaler_dashboard_get_log_view (f->dashboard));
  g_assert_cmpuint (scaler_log_view_get_n_lines (scaler_dashboard_get_log_view (f->dashboard)), >, 0);

  /* The window selector is an action with the hours as target. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.window", "i", 24));
  g_assert_cmpint (scaler_dashboard_get_window_hours (f->dashboard), ==, 24);
  g_assert_cmpint (scaler_plot_get_window (workers), ==, 24 * G_TIME_SPAN_HOUR);

  /* Letting go of the engine empties everything and drops every reference
   * (the teardown asserts the engine finalizes). */
  scaler_dashboard_set_engine (f->dashboard, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (resources), ==, 0);   /* no config set: nothing */
  g_assert_cmpuint (g_list_model_get_n_items (instances), ==, 0);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_USAGE, 0), ==, 0);

  /* Setting it again shows the last known data at once. */
  scaler_dashboard_set_engine (f->dashboard, f->engine);
  g_assert_cmpuint (g_list_model_get_n_items (instances), ==, r3->instances->len);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_USAGE, 0), ==, 3);
  g_assert_cmpuint (n_samples (f->dashboard, SCALER_DASHBOARD_PLOT_WORKERS, 0), ==, 3);
  scaler_dashboard_set_engine (f->dashboard, NULL);
}

static gboolean
handled_cb (ScalerDashboard *dashboard,
            gpointer         user_data)
{
  guint *count = user_data;

  (*count)++;
  return TRUE;
}

static void
attention_cb (ScalerDashboard *dashboard,
              const char      *title,
              const char      *body,
              gpointer         user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup_printf ("%s|%s", title, body));
}

static void
wait_state (Fixture           *f,
            ScalerEngineState  state)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (scaler_engine_get_state (f->engine) != state && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (scaler_engine_get_state (f->engine), ==, state);
  spin ();
}

static void
test_start_stop_attention (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  guint start_requests = 0;
  gulong handler;

  scaler_dashboard_set_engine (f->dashboard, f->engine);
  g_signal_connect (f->dashboard, "attention-needed", G_CALLBACK (attention_cb), seen);

  /* A handler that takes the request: the dashboard does not start the engine. */
  handler = g_signal_connect (f->dashboard, "start-requested", G_CALLBACK (handled_cb), &start_requests);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.start", NULL));
  g_assert_cmpuint (start_requests, ==, 1);
  g_assert_cmpint (scaler_engine_get_state (f->engine), ==, SCALER_ENGINE_STATE_STOPPED);
  g_signal_handler_disconnect (f->dashboard, handler);

  /* The queue service fails: the engine goes to ERROR; the header says so
   * and the dashboard asks for attention once. */
  scaler_sim_fail_queue_next (f->sim, 1000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.start", NULL));
  wait_state (f, SCALER_ENGINE_STATE_ERROR);
  g_assert_cmpstr (scaler_dashboard_get_state_text (f->dashboard), ==, "Error");
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (seen, 0), "Test pool"));

  /* Stop goes through the engine; the header follows its state. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.stop", NULL));
  wait_state (f, SCALER_ENGINE_STATE_STOPPED);
  g_assert_cmpstr (scaler_dashboard_get_state_text (f->dashboard), ==, "Stopped");
  g_assert_cmpuint (seen->len, ==, 1);

  scaler_dashboard_set_engine (f->dashboard, NULL);
}

static void
count_cycle_cb (guint *cycles)
{
  (*cycles)++;
}

static void
wait_cycles (guint *cycles,
             guint  n)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (*cycles < n && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_cmpuint (*cycles, >=, n);
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

static void
test_instance_actions (Fixture       *f,
                       gconstpointer  data)
{
  GListModel *instances = scaler_dashboard_get_instances_model (f->dashboard);
  g_autoptr(GPtrArray) toasts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *boot_title = NULL;
  GdkContentProvider *content;
  GValue value = G_VALUE_INIT;
  GtkWindow *boot_log, *dialog;
  GtkTextView *text_view;
  gboolean gone = TRUE;
  guint terminate_cycles = 0;
  gulong terminate_handler;

  scaler_dashboard_set_engine (f->dashboard, f->engine);
  g_signal_connect (f->dashboard, "toast", G_CALLBACK (toast_cb), toasts);
  scaler_sim_enqueue (f->sim, "default", 2, 60.0);
  scaler_cycle_result_unref (run_cycle (f));
  scaler_sim_advance (f->sim, 5 * G_TIME_SPAN_MINUTE);
  scaler_cycle_result_unref (run_cycle (f));
  g_assert_cmpuint (g_list_model_get_n_items (instances), >, 0);
  id = g_strdup (scaler_dashboard_row_get_key (row_at (instances, 0)));
  g_assert_cmpstr (scaler_dashboard_row_get_cell (row_at (instances, 0), 5), ==, "Running");

  /* Copy id: the clipboard holds it, and a toast says so. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.copy-id", "s", id));
  content = gdk_clipboard_get_content (gtk_widget_get_clipboard (GTK_WIDGET (f->dashboard)));
  g_assert_nonnull (content);
  g_value_init (&value, G_TYPE_STRING);
  g_assert_true (gdk_content_provider_get_value (content, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_value_get_string (&value), ==, id);
  g_value_unset (&value);
  g_assert_cmpuint (toasts->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (toasts, 0), id));

  /* Boot log: a window whose text view fills with the console output. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.show-boot-log", "s", id));
  boot_title = g_strdup_printf ("Boot Log of %s", id);
  boot_log = find_toplevel (ADW_TYPE_WINDOW, boot_title);
  g_assert_nonnull (boot_log);
  text_view = GTK_TEXT_VIEW (find_descendant (GTK_WIDGET (boot_log), GTK_TYPE_TEXT_VIEW));
  g_assert_nonnull (text_view);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    g_autofree char *expected = g_strdup_printf ("cloud-init: running user-data for %s", id);
    g_autofree char *text = NULL;

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

  /* Terminate: only while the engine runs. */
  gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.terminate-instance", "s", id);
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  {
    guint cycles = 0;
    gulong handler = g_signal_connect_swapped (f->engine, "cycle-finished", G_CALLBACK (count_cycle_cb), &cycles);

    scaler_engine_start (f->engine);
    wait_cycles (&cycles, 1);
    g_signal_handler_disconnect (f->engine, handler);
  }

  /* It asks first (destructive response), then the engine does it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.terminate-instance", "s", id));
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL);
  g_assert_nonnull (dialog);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "terminate"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "cancel");
  terminate_cycles = 0;
  terminate_handler = g_signal_connect_swapped (f->engine, "cycle-finished",
                                                G_CALLBACK (count_cycle_cb), &terminate_cycles);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "terminate");
  spin ();
  g_assert_cmpuint (toasts->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (toasts, 1), "Terminating"));
  if (find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL) != NULL)
    gtk_window_destroy (find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));

  /* The request starts a cycle at once; wait for it. */
  wait_cycles (&terminate_cycles, 1);
  g_signal_handler_disconnect (f->engine, terminate_handler);
  spin ();
  for (guint i = 0; i < g_list_model_get_n_items (instances); i++)
    {
      ScalerDashboardRow *row = row_at (instances, i);

      if (g_strcmp0 (scaler_dashboard_row_get_key (row), id) == 0 &&
          g_strcmp0 (scaler_dashboard_row_get_cell (row, 5), "Running") == 0)
        gone = FALSE;
    }
  g_assert_true (gone);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dashboard), "dashboard.stop", NULL));
  wait_state (f, SCALER_ENGINE_STATE_STOPPED);
  scaler_dashboard_set_engine (f->dashboard, NULL);
}

/* GTK 4.8 sometimes warns "Trying to snapshot GtkGizmo … without a current
 * allocation" when a scroll bar's adjustment moves while a frame is being
 * drawn on a heavily loaded machine (the next frame is correct). Only while
 * the screenshot test runs, which draws many frames under load, is that one
 * warning dropped; every other warning stays fatal. GTK logs structured, so
 * this needs a log writer (g_test_log_set_fatal_handler does not see it). */
static gboolean in_screenshot_test;

static GLogWriterOutput
test_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (in_screenshot_test && (log_level & G_LOG_LEVEL_WARNING) != 0)
    for (gsize i = 0; i < n_fields; i++)
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0 &&
          strstr (fields[i].value, "without a current allocation") != NULL)
        return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* A few virtual hours of a demo-like workload, then the window rendered to
 * PNG in light and dark (into SCALER_SCREENSHOT_DIR when set, for a human
 * look; a temporary directory otherwise). */
static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  ScalerSimWorkload steady = { "default", SCALER_SIM_ARRIVAL_STEADY, 6.0, 1, 12.0, 0.5 };
  ScalerSimWorkload bursty = { "default", SCALER_SIM_ARRIVAL_BURSTY, 10.0, 6, 8.0, 0.5 };
  const char *env_dir = g_getenv ("SCALER_SCREENSHOT_DIR");
  g_autofree char *tmp_dir = env_dir ? NULL : g_dir_make_tmp ("scaler-shot-XXXXXX", NULL);
  const char *dir = env_dir ? env_dir : tmp_dir;
  g_autofree char *light = g_build_filename (dir, "dashboard-test.png", NULL);
  g_autofree char *dark = g_build_filename (dir, "dashboard-test-dark.png", NULL);
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  guint cycles = g_getenv ("SCALER_SCREENSHOT_CYCLES") ? (guint) atoi (g_getenv ("SCALER_SCREENSHOT_CYCLES"))
                 : g_getenv ("SCALER_SCREENSHOT_DIR") ? 240 : 60;

  in_screenshot_test = TRUE;

  /* The application loads style.css by itself; a bare test does not. */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, RESOURCE_BASE_PATH "/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  scaler_sim_add_workload (f->sim, &steady);
  scaler_sim_add_workload (f->sim, &bursty);
  scaler_sim_enqueue (f->sim, "default", 3, 10.0);
  scaler_dashboard_set_engine (f->dashboard, f->engine);

  for (guint i = 0; i < cycles; i++)
    {
      ScalerCycleResult *result = run_cycle (f);

      scaler_cycle_result_unref (result);
      scaler_sim_advance (f->sim, G_TIME_SPAN_MINUTE);
    }
  scaler_dashboard_set_window_hours (f->dashboard, 6);
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (5000);
      spin ();
    }

  g_assert_true (scaler_dashboard_save_png (GTK_WIDGET (f->window), light, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_filename (light, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gtk_widget_get_width (GTK_WIDGET (f->window)));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (5000);
      spin ();
    }
  g_assert_true (scaler_dashboard_save_png (GTK_WIDGET (f->window), dark, &error));
  g_assert_no_error (error);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  if (tmp_dir != NULL)
    {
      g_unlink (light);
      g_unlink (dark);
      g_rmdir (tmp_dir);
    }
  scaler_dashboard_set_engine (f->dashboard, NULL);
  spin ();
  in_screenshot_test = FALSE;
}

static void
test_budget_attention (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ScalerCycleResult) r1 = NULL;
  g_autoptr(ScalerCycleResult) r2 = NULL;
  g_autoptr(ScalerCycleResult) r3 = NULL;
  g_autoptr(ScalerConfig) tight = scaler_config_copy (f->config);
  double price = 0;

  /* Room for two m5.large on-demand, not three; five long tasks wait. */
  g_assert_true (scaler_price_table_default_price ("m5.large", tight->aws_region, &price, NULL));
  tight->hourly_budget_usd = price * 2.5;
  g_clear_object (&f->engine);
  f->engine = scaler_engine_new (tight, SCALER_CLOUD (f->sim), SCALER_QUEUE_SOURCE (f->sim), NULL);
  scaler_engine_set_clock (f->engine, scaler_sim_now, g_object_ref (f->sim), g_object_unref);
  scaler_engine_set_autorun (f->engine, FALSE);
  scaler_dashboard_set_engine (f->dashboard, f->engine);
  g_signal_connect (f->dashboard, "attention-needed", G_CALLBACK (attention_cb), seen);

  scaler_sim_enqueue (f->sim, "default", 5, 120.0);
  r1 = run_cycle (f);
  g_assert_cmpuint (r1->launched, ==, 2);
  g_assert_cmpuint (seen->len, ==, 0);           /* still booting for them */

  scaler_sim_advance (f->sim, 5 * G_TIME_SPAN_MINUTE);
  r2 = run_cycle (f);
  g_assert_cmpuint (r2->launched, ==, 0);
  g_assert_cmpuint (seen->len, ==, 1);           /* blocked by the budget */
  g_assert_nonnull (strstr (g_ptr_array_index (seen, 0), "budget"));

  scaler_sim_advance (f->sim, 5 * G_TIME_SPAN_MINUTE);
  r3 = run_cycle (f);
  g_assert_cmpuint (seen->len, ==, 1);           /* once, not every cycle */

  scaler_dashboard_set_engine (f->dashboard, NULL);
}

static void
test_boot_timeout_attention (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ScalerCycleResult) r1 = NULL;
  g_autoptr(ScalerCycleResult) r2 = NULL;

  scaler_dashboard_set_engine (f->dashboard, f->engine);
  g_signal_connect (f->dashboard, "attention-needed", G_CALLBACK (attention_cb), seen);

  /* Two instances whose agent never registers, past the boot timeout. */
  scaler_sim_set_never_register (f->sim, "cpu", TRUE);
  scaler_sim_enqueue (f->sim, "default", 2, 60.0);
  r1 = run_cycle (f);
  g_assert_cmpuint (r1->launched, ==, 2);
  g_assert_cmpuint (seen->len, ==, 0);
  scaler_sim_advance (f->sim, (gint64) ((f->config->max_spin_up_time_min + 1) * G_TIME_SPAN_MINUTE));
  r2 = run_cycle (f);
  g_assert_cmpuint (r2->terminated, ==, 2);
  g_assert_cmpuint (seen->len, ==, 1);   /* one notification for both */
  g_assert_true (g_str_has_prefix (g_ptr_array_index (seen, 0), "2 instances of “Test pool” failed to boot|"));

  scaler_dashboard_set_engine (f->dashboard, NULL);
}

static void
test_finalize (void)
{
  GtkWidget *dashboard = scaler_dashboard_new ();
  g_autoptr(ScalerConfig) config = make_config ();

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
  g_log_set_writer_func (test_log_writer, NULL, NULL);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/scaler/dashboard/updates-from-engine", Fixture, NULL,
              fixture_setup, test_updates_from_engine, fixture_teardown);
  g_test_add ("/scaler/dashboard/start-stop-attention", Fixture, NULL,
              fixture_setup, test_start_stop_attention, fixture_teardown);
  g_test_add ("/scaler/dashboard/budget-attention", Fixture, NULL,
              fixture_setup, test_budget_attention, fixture_teardown);
  g_test_add ("/scaler/dashboard/boot-timeout-attention", Fixture, NULL,
              fixture_setup, test_boot_timeout_attention, fixture_teardown);
  g_test_add ("/scaler/dashboard/instance-actions", Fixture, NULL,
              fixture_setup, test_instance_actions, fixture_teardown);
  g_test_add ("/scaler/dashboard/screenshot", Fixture, NULL,
              fixture_setup, test_screenshot, fixture_teardown);
  g_test_add_func ("/scaler/dashboard/finalize", test_finalize);

  return g_test_run ();
}
