/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-screenshots OUTDIR: renders each main screen of the app offscreen
 * into OUTDIR/<screen>.png and OUTDIR/<screen>-dark.png. Run it through
 * build-aux/screenshot (Xvfb, a private D-Bus, memory credentials and temp
 * XDG directories: it never touches the user's data). The app is a view of
 * the background service: this tool starts the built ec2-autoscalerd
 * --service on a private bus for "This Computer", and a second one for a
 * server, reached through systemd-stdio-bridge as SSH would. */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "scaler-dashboard.h"
#include "scaler-gui-resources.h"
#include "scaler-resource-dialog.h"
#include "scaler-resource-editor.h"
#include "scaler-util.h"
#include "scaler-window.h"
#include "scaler-wizard.h"
#include "support/scaler-test-app.h"
#include "support/scaler-test-png.h"

static const char *outdir;
static guint failures;

static void
wait_ms (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

static void
save (GtkWidget  *widget,
      const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  g_autofree char *path = g_build_filename (outdir, file, NULL);
  g_autoptr(GError) error = NULL;

  if (!scaler_test_save_png (widget, path, &error))
    {
      g_printerr ("%s: %s\n", path, error->message);
      failures++;
      return;
    }

  g_print ("%s\n", path);
}

/* Light, then dark: the same screen in both styles. */
static void
capture (GtkWidget  *widget,
         const char *name)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *dark = g_strdup_printf ("%s-dark", name);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  wait_ms (400);
  save (widget, name);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_ms (400);
  save (widget, dark);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  wait_ms (100);
}

static ScalerResource *
resource (const char *name,
          const char *queue,
          const char *type,
          guint       max,
          gboolean    spot,
          const char *zone)
{
  ScalerResource *r = scaler_resource_new ();

  g_free (r->name);
  r->name = g_strdup (name);
  g_free (r->queue);
  r->queue = g_strdup (queue);
  g_free (r->instance_type);
  r->instance_type = g_strdup (type);
  r->max_instances = max;
  r->is_spot = spot;
  g_free (r->ami_id);
  r->ami_id = g_strdup ("ami-0a1b2c3d4e5f67890");
  g_free (r->key_name);
  r->key_name = g_strdup ("ml-team");
  g_strfreev (r->security_group_ids);
  r->security_group_ids = g_strsplit ("sg-0123456789abcdef0", ",", -1);
  g_strfreev (r->availability_zones);
  r->availability_zones = g_strsplit (zone, ",", -1);
  r->ebs_volume_size = 200;
  g_ptr_array_add (r->tags, scaler_tag_new ("purpose", "training"));

  return r;
}

static ScalerConfig *
sample_config (void)
{
  ScalerConfig *config = scaler_config_new ();

  g_free (config->name);
  config->name = g_strdup ("GPU Training Pool");
  g_free (config->aws_region);
  config->aws_region = g_strdup ("us-east-1");
  g_ptr_array_add (config->aws_tags, scaler_tag_new ("team", "ml"));
  g_ptr_array_add (config->aws_tags, scaler_tag_new ("project", "vision"));
  config->hourly_budget_usd = 12;
  config->on_stop = SCALER_ON_STOP_TERMINATE_IDLE;
  config->max_idle_time_min = 10;
  config->polling_interval_time_min = 0.5;
  g_free (config->git_user);
  config->git_user = g_strdup ("ci-bot");
  g_free (config->default_docker_image);
  config->default_docker_image = g_strdup ("nvidia/cuda:12.4.1-runtime-ubuntu22.04");
  g_free (config->extra_vm_bash_script);
  config->extra_vm_bash_script = g_strdup ("#!/bin/bash\n"
                                           "# Warm the pip cache from S3 before the agent starts.\n"
                                           "aws s3 sync s3://ml-team-cache/pip /root/.cache/pip --quiet\n"
                                           "nvidia-smi --persistence-mode=1\n");
  g_free (config->extra_clearml_conf);
  config->extra_clearml_conf = g_strdup ("agent {\n"
                                         "    default_docker.arguments: [\"--ipc=host\"]\n"
                                         "    cuda_version: 12.4\n"
                                         "}\n");
  g_ptr_array_add (config->resources, resource ("gpu-t4", "gpu", "g4dn.xlarge", 4, TRUE, "us-east-1b,us-east-1c"));
  g_ptr_array_add (config->resources, resource ("gpu-a10", "gpu-large", "g5.2xlarge", 2, FALSE, "us-east-1a"));
  g_ptr_array_add (config->resources, resource ("cpu-batch", "default", "c6i.2xlarge", 8, TRUE, ""));

  return config;
}

static ScalerSecrets *
sample_secrets (void)
{
  ScalerSecrets *secrets = scaler_secrets_new ();

  secrets->aws_access_key_id = g_strdup ("AKIAIOSFODNN7EXAMPLE");
  secrets->aws_secret_access_key = g_strdup ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  secrets->clearml_access_key = g_strdup ("7Q3ZK1XH0P2M5N8R4T6W");
  secrets->clearml_secret_key = g_strdup ("sample-clearml-secret-key-value");
  secrets->git_password = g_strdup ("ghp_sampletokenvalue");

  return secrets;
}

/* A server of the sidebar: a second service, on a bus of its own, with two
 * demo autoscalers, one of them running. It calls itself "gpu-server" when
 * the tool may give it a host name of its own (a UTS namespace, as root). */
static ScalerTestService *
start_server (void)
{
  ScalerTestService *server = scaler_test_service_new ();
  g_autoptr(ScalerDbusManager) manager = NULL;
  g_autofree char *nightly = scaler_test_demo_json (NULL, "Nightly Training");
  g_autofree char *eval = scaler_test_demo_json (NULL, "Evaluation");
  g_autofree char *path = NULL;
  g_autofree char *unshare = g_find_program_in_path ("unshare");

  server->quiet = TRUE;
  if (unshare != NULL && geteuid () == 0)
    {
      const char *wrapper[] = { "unshare", "--uts", "sh", "-c", "hostname gpu-server && exec \"$0\" \"$@\"", NULL };

      server->wrapper = g_strdupv ((char **) wrapper);
    }
  scaler_test_service_start (server);
  manager = scaler_test_manager_proxy (server);
  scaler_dbus_manager_call_create_sync (manager, nightly, G_DBUS_CALL_FLAGS_NONE, 20000, &path, NULL, NULL);
  {
    g_autoptr(ScalerDbusAutoscaler) proxy = NULL;
    g_autoptr(GError) error = NULL;

    proxy = scaler_dbus_autoscaler_proxy_new_sync (server->connection, G_DBUS_PROXY_FLAGS_NONE,
                                                   "io.github.ec2autoscaler.Autoscaler.Daemon", path, NULL, &error);
    if (proxy != NULL)
      scaler_dbus_autoscaler_call_start_sync (proxy, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, NULL);
  }
  scaler_dbus_manager_call_create_sync (manager, eval, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, NULL, NULL);
  return server;
}

/* The notification sent the first time the window closes while autoscalers
 * run, drawn as a notification card with the same title and body (a
 * desktop's notification bubble cannot be captured from inside the app). */
static void
capture_notice (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *icon = gtk_image_new_from_icon_name (APP_ID);
  GtkWidget *app_name = gtk_label_new (_("EC2 Autoscaler"));
  GtkWidget *title, *body;
  const char *title_text, *body_text;

  scaler_application_get_background_notice (&title_text, &body_text);
  title = gtk_label_new (title_text);
  body = gtk_label_new (body_text);
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 48);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_label_set_xalign (GTK_LABEL (app_name), 0);
  gtk_widget_add_css_class (app_name, "caption");
  gtk_widget_add_css_class (app_name, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (body), 0);
  gtk_label_set_wrap (GTK_LABEL (body), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (body), 52);
  gtk_box_append (GTK_BOX (texts), app_name);
  gtk_box_append (GTK_BOX (texts), title);
  gtk_box_append (GTK_BOX (texts), body);
  gtk_box_append (GTK_BOX (card), icon);
  gtk_box_append (GTK_BOX (card), texts);
  gtk_widget_add_css_class (card, "card");
  gtk_widget_set_margin_top (card, 18);
  gtk_widget_set_margin_bottom (card, 18);
  gtk_widget_set_margin_start (card, 18);
  gtk_widget_set_margin_end (card, 18);
  {
    GtkWidget *inner = gtk_widget_get_first_child (card);

    gtk_widget_set_margin_start (inner, 14);
    gtk_widget_set_margin_top (inner, 14);
    gtk_widget_set_margin_end (gtk_widget_get_last_child (card), 14);
    gtk_widget_set_margin_top (gtk_widget_get_last_child (card), 12);
    gtk_widget_set_margin_bottom (gtk_widget_get_last_child (card), 14);
  }
  gtk_window_set_child (GTK_WINDOW (window), card);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_present (GTK_WINDOW (window));
  wait_ms (600);
  capture (window, "background-notice");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* What the screens share. */
typedef struct
{
  ScalerTestService *local;
  ScalerApplication *app;
  ScalerMachine     *machine;
  ScalerWindow      *window;
  ScalerWizard      *wizard;
  ScalerConfig      *config;
  guint              seconds;
} Screens;

/* The empty state: no saved autoscalers yet. */
static void
capture_empty_state (Screens *s)
{
  s->window = scaler_window_new (s->app);
  gtk_window_set_default_size (GTK_WINDOW (s->window), 1180, 760);
  gtk_window_present (GTK_WINDOW (s->window));
  scaler_test_wait_connected (s->machine);
  wait_ms (800);
  capture (GTK_WIDGET (s->window), "empty-state");
}

/* Every step of the wizard, filled in with realistic values. */
static void
capture_wizard_steps (Screens *s)
{
  static const char * const steps[] = { "general", "aws", "clearml", "git", "resources", "agent", "review" };
  g_autoptr(ScalerSecrets) secrets = sample_secrets ();

  s->config = sample_config ();
  s->wizard = scaler_wizard_new (s->machine, scaler_application_get_credentials (s->app), NULL);
  scaler_wizard_load_config (s->wizard, s->config);
  scaler_wizard_set_secrets (s->wizard, secrets);
  gtk_window_set_transient_for (GTK_WINDOW (s->wizard), GTK_WINDOW (s->window));
  gtk_window_present (GTK_WINDOW (s->wizard));
  wait_ms (500);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *name = g_strdup_printf ("wizard-%s", steps[i]);

      scaler_wizard_set_step (s->wizard, steps[i]);
      wait_ms (600);
      capture (GTK_WIDGET (s->wizard), name);
    }
}

/* The row editor of one resource, and its instance types. */
static void
capture_resource_editor (Screens *s)
{
  GtkWidget *dialog;
  GtkWidget *search;

  scaler_wizard_set_step (s->wizard, "resources");
  wait_ms (400);
  dialog = scaler_resource_editor_edit (SCALER_RESOURCE_EDITOR (scaler_wizard_get_resource_editor (s->wizard)), 0);
  wait_ms (600);
  capture (dialog, "resource-editor");
  scaler_resource_dialog_show_types ((gpointer) dialog);
  search = GTK_WIDGET (gtk_widget_get_template_child (dialog, scaler_resource_dialog_get_type (), "type_search"));
  gtk_editable_set_text (GTK_EDITABLE (search), "g5");
  wait_ms (600);
  capture (dialog, "resource-editor-types");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* What invalid input looks like: the message under the row, the step
 * marked, Create insensitive. */
static void
capture_invalid_input (Screens *s)
{
  g_autoptr(ScalerConfig) bad = scaler_config_copy (s->config);
  ScalerResource *first = g_ptr_array_index (bad->resources, 0);

  scaler_set_str (&bad->workers_prefix, "gpu:pool");
  scaler_set_str (&first->ami_id, "ami-12");
  scaler_set_str (&first->queue, "q");
  scaler_wizard_load_config (s->wizard, bad);
  scaler_wizard_set_step (s->wizard, "general");
  wait_ms (600);
  capture (GTK_WIDGET (s->wizard), "wizard-general-errors");
  scaler_wizard_set_step (s->wizard, "resources");
  wait_ms (600);
  capture (GTK_WIDGET (s->wizard), "wizard-resources-errors");
}

/* Create it for real, so the sidebar has more than the demo. */
static void
create_sample (Screens *s)
{
  scaler_wizard_load_config (s->wizard, s->config);
  g_object_add_weak_pointer (G_OBJECT (s->wizard), (gpointer *) &s->wizard);
  gtk_widget_activate_action (GTK_WIDGET (s->wizard), "wizard.create", NULL);
  for (guint i = 0; i < 50 && s->wizard != NULL; i++)
    wait_ms (100);
  if (s->wizard != NULL)
    {
      g_printerr ("The wizard did not create the sample autoscaler\n");
      failures++;
      gtk_window_destroy (GTK_WINDOW (s->wizard));
    }
  wait_ms (200);
}

/* Import ClearML Configuration…: the wizard filled from a ClearML
 * autoscaler's YAML, saying what was not carried over. */
static void
capture_import (Screens *s)
{
  GtkWindow *imported;

  if (!scaler_window_import_clearml (s->window, SCALER_SOURCE_DIR "/tests/data/clearml/wizard.yaml"))
    {
      g_printerr ("The sample ClearML configuration did not import\n");
      failures++;
      return;
    }
  imported = scaler_window_get_dialog (s->window);
  wait_ms (600);
  capture (GTK_WIDGET (imported), "wizard-import");
  gtk_window_destroy (imported);
  wait_ms (200);
}

/* The demo, running on the simulator in the service for a while; then
 * narrow: the leaflet folds to the content, with a back button. */
static void
capture_demo (Screens *s)
{
  scaler_window_try_demo (s->window);
  wait_ms (s->seconds * 1000);
  capture (GTK_WIDGET (s->window), "dashboard-demo");

  gtk_window_set_default_size (GTK_WINDOW (s->window), 420, 760);
  wait_ms (800);
  capture (GTK_WIDGET (s->window), "dashboard-narrow");
  gtk_window_set_default_size (GTK_WINDOW (s->window), 1180, 760);
  wait_ms (800);
}

/* A server in the sidebar, reached as over SSH (the bridge is what ssh
 * runs on the server), under "This Computer". */
static void
capture_server (Screens *s)
{
  g_autoptr(ScalerTestService) server = start_server ();
  g_autofree char *connect = scaler_test_service_connect_command (server);
  ScalerMachine *remote;

  g_setenv ("SCALER_CONNECT_COMMAND", connect, TRUE);
  remote = scaler_application_add_server (s->app, "ml@gpu-server");
  scaler_test_wait_connected (remote);
  wait_ms (s->seconds * 500);
  capture (GTK_WIDGET (s->window), "sidebar-server");
  scaler_application_remove_server (s->app, remote);
}

/* The service cannot be reached: it stopped, and nothing restarts it. */
static void
capture_unreachable (Screens *s)
{
  GListModel *autoscalers = scaler_machine_get_autoscalers (s->machine);

  for (guint i = 0; i < g_list_model_get_n_items (autoscalers); i++)
    {
      g_autoptr(ScalerClientAutoscaler) autoscaler = g_list_model_get_item (autoscalers, i);

      scaler_client_autoscaler_call (autoscaler, "Stop", NULL, -1, NULL, NULL, NULL);
    }
  wait_ms (1500);
  scaler_test_service_signal (s->local, SIGTERM);
  scaler_machine_disconnect (s->machine);
  scaler_machine_connect (s->machine);
  scaler_test_wait (scaler_machine_get_status (s->machine) == SCALER_MACHINE_UNREACHABLE, 40, "unreachable");
  wait_ms (800);
  capture (GTK_WIDGET (s->window), "service-unreachable");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ScalerTestService) local = NULL;
  g_autoptr(ScalerApplication) app = NULL;
  Screens s = { 0 };

  if (argc != 2)
    {
      g_printerr ("Usage: %s OUTDIR\n", argv[0]);
      return 2;
    }
  outdir = argv[1];
  g_mkdir_with_parents (outdir, 0755);

  /* This computer's service, on a bus of its own. */
  local = scaler_test_service_new ();
  local->quiet = TRUE;
  scaler_test_service_use (local);
  scaler_test_service_start (local);

  gtk_init ();
  adw_init ();

  app = scaler_application_new ();
  /* Never become a remote instance of another application. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, NULL))
    return 1;

  s.local = local;
  s.app = app;
  s.machine = scaler_application_get_local_machine (app);
  s.seconds = g_getenv ("SCALER_SCREENSHOT_SECONDS") ? atoi (g_getenv ("SCALER_SCREENSHOT_SECONDS")) : 40;
  capture_empty_state (&s);
  capture_wizard_steps (&s);
  capture_resource_editor (&s);
  capture_invalid_input (&s);
  create_sample (&s);
  capture_import (&s);
  capture_demo (&s);
  capture_server (&s);
  /* The notification after the window closes. */
  capture_notice ();
  capture_unreachable (&s);

  gtk_window_destroy (GTK_WINDOW (s.window));
  wait_ms (100);
  g_clear_pointer (&s.config, scaler_config_unref);

  return failures == 0 ? 0 : 1;
}
