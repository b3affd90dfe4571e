/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Widget test: the resource list editor adds, duplicates, removes and
 * reorders resources, and its rows follow the model; the row editor refuses
 * an invalid field on the exact row and applies a valid one in place. */

#include "config.h"

#include <adwaita.h>

#include "scaler-gui-resources.h"
#include "scaler-gui-util.h"
#include "scaler-resource-dialog.h"
#include "scaler-resource-editor.h"
#include "scaler-resource-object.h"
#include "support/scaler-test-util.h"

static ScalerResource *
make_resource (const char *name,
               const char *queue,
               const char *type,
               gboolean    spot)
{
  ScalerResource *r = scaler_resource_new ();

  g_free (r->name);
  r->name = g_strdup (name);
  g_free (r->queue);
  r->queue = g_strdup (queue);
  g_free (r->instance_type);
  r->instance_type = g_strdup (type);
  g_free (r->ami_id);
  r->ami_id = g_strdup ("ami-0123456789abcdef0");
  r->max_instances = 2;
  r->is_spot = spot;

  return r;
}

static char *
model_names (ScalerResourceEditor *editor)
{
  GListModel *model = scaler_resource_editor_get_model (editor);
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ScalerResourceObject) item = g_list_model_get_item (model, i);

      if (i > 0)
        g_string_append_c (str, ',');
      g_string_append (str, scaler_resource_object_get_resource (item)->name);
    }

  return g_string_free (str, FALSE);
}

/* The titles of the rows, as the user sees them, and the add row at the end. */
static char *
row_names (ScalerResourceEditor *editor)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; ; i++)
    {
      GtkWidget *row = scaler_resource_editor_get_row (editor, i);

      if (row == NULL)
        break;
      if (i > 0)
        g_string_append_c (str, ',');
      if (ADW_IS_ACTION_ROW (row))
        g_string_append (str, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
      else
        g_string_append (str, gtk_widget_get_name (row));
    }

  return g_string_free (str, FALSE);
}

#define assert_names(editor, expected_model, expected_rows) \
  G_STMT_START { \
    g_autofree char *names_m = model_names (editor); \
    g_autofree char *names_r = row_names (editor); \
    g_assert_cmpstr (names_m, ==, expected_model); \
    g_assert_cmpstr (names_r, ==, expected_rows); \
  } G_STMT_END

static GtkWidget *
new_editor_window (ScalerResourceEditor **editor)
{
  GtkWidget *window = gtk_window_new ();

  *editor = SCALER_RESOURCE_EDITOR (scaler_resource_editor_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (*editor));
  gtk_window_present (GTK_WINDOW (window));
  scaler_test_spin (20);

  return window;
}

/* An editor in a presented window. */
typedef struct
{
  GtkWidget            *window;
  ScalerResourceEditor *editor;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->window = new_editor_window (&f->editor);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  scaler_test_spin (10);
}

static void
append_three (Fixture *f)
{
  scaler_resource_editor_append (f->editor, make_resource ("cpu", "default", "c5.xlarge", FALSE));
  scaler_resource_editor_append (f->editor, make_resource ("gpu", "gpu", "g4dn.xlarge", TRUE));
  scaler_resource_editor_append (f->editor, make_resource ("big", "gpu", "p3.2xlarge", FALSE));
  assert_names (f->editor, "cpu,gpu,big", "cpu,gpu,big,add-resource");
}

/* The state the reordering cases start from: cpu,big,cpu-2,gpu (duplicated
 * twice, one copy removed, the last row moved up twice). */
static void
arrange_four (Fixture *f)
{
  append_three (f);
  scaler_resource_editor_duplicate (f->editor, 0);
  scaler_resource_editor_duplicate (f->editor, 0);
  scaler_resource_editor_remove (f->editor, 1);
  scaler_resource_editor_move (f->editor, 3, -2);
  assert_names (f->editor, "cpu,big,cpu-2,gpu", "cpu,big,cpu-2,gpu,add-resource");
}

static void
test_append_shows_type_queue_price (Fixture       *f,
                                    gconstpointer  data)
{
  GtkWidget *row;

  assert_names (f->editor, "", "add-resource");
  append_three (f);

  /* The spot badge and the type, queue and price in the subtitle. */
  row = scaler_resource_editor_get_row (f->editor, 1);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "g4dn.xlarge"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "“gpu”"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "$"));
}

/* Duplicate gets a unique name and lands right after the original. */
static void
test_duplicate_after_original (Fixture       *f,
                               gconstpointer  data)
{
  append_three (f);
  scaler_resource_editor_duplicate (f->editor, 0);
  assert_names (f->editor, "cpu,cpu-2,gpu,big", "cpu,cpu-2,gpu,big,add-resource");
  scaler_resource_editor_duplicate (f->editor, 0);
  assert_names (f->editor, "cpu,cpu-3,cpu-2,gpu,big", "cpu,cpu-3,cpu-2,gpu,big,add-resource");

  scaler_resource_editor_remove (f->editor, 1);
  assert_names (f->editor, "cpu,cpu-2,gpu,big", "cpu,cpu-2,gpu,big,add-resource");
}

static void
test_move (Fixture       *f,
           gconstpointer  data)
{
  arrange_four (f);
  /* Out of range moves do nothing. */
  scaler_resource_editor_move (f->editor, 0, -1);
  scaler_resource_editor_move (f->editor, 3, 1);
  assert_names (f->editor, "cpu,big,cpu-2,gpu", "cpu,big,cpu-2,gpu,add-resource");
}

/* The row buttons do the same: "move up" on the last row; the first row
 * cannot move up, the last cannot move down. */
static void
test_row_buttons (Fixture       *f,
                  gconstpointer  data)
{
  GtkWidget *row;
  GtkWidget *button;

  arrange_four (f);
  row = scaler_resource_editor_get_row (f->editor, 3);
  button = g_object_get_data (G_OBJECT (row), "up-button");
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_false (gtk_widget_get_sensitive (g_object_get_data (G_OBJECT (row), "down-button")));
  g_signal_emit_by_name (button, "clicked");
  assert_names (f->editor, "cpu,big,gpu,cpu-2", "cpu,big,gpu,cpu-2,add-resource");
  row = scaler_resource_editor_get_row (f->editor, 0);
  g_assert_false (gtk_widget_get_sensitive (g_object_get_data (G_OBJECT (row), "up-button")));
}

static GtkDropTarget *
drop_target_of (GtkWidget *row)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (row);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}

/* Drag and drop: dropping the last row's item on the first row moves it
 * to the top. */
static void
test_drag_and_drop (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ScalerResourceObject) dragged = NULL;
  GtkDropTarget *target;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  arrange_four (f);
  scaler_resource_editor_move (f->editor, 3, -1);
  assert_names (f->editor, "cpu,big,gpu,cpu-2", "cpu,big,gpu,cpu-2,add-resource");

  dragged = g_list_model_get_item (scaler_resource_editor_get_model (f->editor), 3);
  target = drop_target_of (scaler_resource_editor_get_row (f->editor, 0));
  g_assert_nonnull (target);
  g_value_init (&value, SCALER_TYPE_RESOURCE_OBJECT);
  g_value_set_object (&value, dragged);
  g_signal_emit_by_name (target, "drop", &value, 1.0, 1.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
  assert_names (f->editor, "cpu-2,cpu,big,gpu", "cpu-2,cpu,big,gpu,add-resource");
  scaler_resource_editor_move (f->editor, 0, 3);
  assert_names (f->editor, "cpu,big,gpu,cpu-2", "cpu,big,gpu,cpu-2,add-resource");
}

/* The editor hands out copies in order. */
static void
test_dup_resources_in_order (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) resources = NULL;

  arrange_four (f);
  scaler_resource_editor_move (f->editor, 3, -1);
  resources = scaler_resource_editor_dup_resources (f->editor);
  g_assert_cmpuint (resources->len, ==, 4);
  g_assert_cmpstr (((ScalerResource *) g_ptr_array_index (resources, 2))->instance_type, ==, "g4dn.xlarge");
  g_assert_true (((ScalerResource *) g_ptr_array_index (resources, 2))->is_spot);
}

/* Problems of the config land on the row of their resource. */
static void
test_problems_on_their_row (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_config_problem_free);
  ScalerConfigProblem *p = g_new0 (ScalerConfigProblem, 1);
  GtkWidget *row;

  arrange_four (f);
  p->severity = SCALER_PROBLEM_ERROR;
  p->path = g_strdup ("resources[1].ami_id");
  p->message = g_strdup ("“ami-x” is not an AMI id");
  g_ptr_array_add (problems, p);
  scaler_resource_editor_set_problems (f->editor, problems);

  row = scaler_resource_editor_get_row (f->editor, 1);
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "“ami-x” is not an AMI id");
  g_assert_false (gtk_widget_has_css_class (scaler_resource_editor_get_row (f->editor, 0), "error"));

  scaler_resource_editor_set_problems (f->editor, NULL);
  g_assert_false (gtk_widget_has_css_class (row, "error"));
}

static void
test_row_editor (void)
{
  ScalerResourceEditor *editor;
  GtkWidget *window = new_editor_window (&editor);
  ScalerResourceDialog *dialog;
  GtkWidget *ami_row;
  GtkWidget *queue_row;
  g_autoptr(ScalerResourceObject) item = NULL;
  const ScalerResource *r;

  scaler_resource_editor_set_region (editor, "us-east-1");
  scaler_resource_editor_append (editor, make_resource ("cpu", "default", "c5.xlarge", FALSE));
  scaler_resource_editor_append (editor, make_resource ("gpu", "gpu", "g4dn.xlarge", TRUE));

  dialog = SCALER_RESOURCE_DIALOG (scaler_resource_editor_edit (editor, 1));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  scaler_test_spin (20);
  g_assert_true (scaler_resource_dialog_is_valid (dialog));

  /* A bad AMI: the AMI row shows why, and Apply is refused. */
  ami_row = scaler_resource_dialog_get_field_row (dialog, "ami_id");
  gtk_editable_set_text (GTK_EDITABLE (ami_row), "ami-nothex");
  g_assert_false (scaler_resource_dialog_is_valid (dialog));
  g_assert_true (gtk_widget_has_css_class (ami_row, "error"));
  g_assert_nonnull (strstr (scaler_gui_get_row_error (ami_row), "ami-nothex"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "resource.apply", NULL);
  scaler_test_spin (20);
  g_assert_nonnull (dialog);

  /* A two-letter queue name is flagged on the queue row. */
  queue_row = scaler_resource_dialog_get_field_row (dialog, "queue");
  gtk_editable_set_text (GTK_EDITABLE (queue_row), "ab");
  g_assert_true (gtk_widget_has_css_class (queue_row, "error"));

  gtk_editable_set_text (GTK_EDITABLE (queue_row), "gpu-large");
  gtk_editable_set_text (GTK_EDITABLE (ami_row), "ami-0fedcba9876543210");
  g_assert_false (gtk_widget_has_css_class (ami_row, "error"));
  g_assert_false (gtk_widget_has_css_class (queue_row, "error"));
  g_assert_true (scaler_resource_dialog_is_valid (dialog));

  gtk_widget_activate_action (GTK_WIDGET (dialog), "resource.apply", NULL);
  scaler_test_spin (20);
  g_assert_null (dialog);

  /* Applied in place: same position, new values, the other row untouched. */
  assert_names (editor, "cpu,gpu", "cpu,gpu,add-resource");
  item = g_list_model_get_item (scaler_resource_editor_get_model (editor), 1);
  r = scaler_resource_object_get_resource (item);
  g_assert_cmpstr (r->queue, ==, "gpu-large");
  g_assert_cmpstr (r->ami_id, ==, "ami-0fedcba9876543210");
  g_assert_true (r->is_spot);

  gtk_window_destroy (GTK_WINDOW (window));
  scaler_test_spin (10);
}

/* The $/h of the region, shown as a label inside the row. */
static gboolean
has_price_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), "$") &&
      g_str_has_suffix (gtk_label_get_text (GTK_LABEL (widget)), "/h"))
    return TRUE;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (has_price_label (c))
      return TRUE;

  return FALSE;
}

static void
test_type_chooser (void)
{
  g_autoptr(ScalerResource) resource = make_resource ("gpu", "gpu", "g4dn.xlarge", TRUE);
  ScalerResourceDialog *dialog = scaler_resource_dialog_new (resource, "us-east-1", FALSE);
  g_autoptr(ScalerResource) chosen = NULL;
  GtkWidget *search;
  GtkWidget *list;
  guint visible = 0;
  guint total = 0;

  g_object_ref_sink (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  scaler_resource_dialog_show_types (dialog);
  scaler_test_spin (20);

  search = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (dialog), SCALER_TYPE_RESOURCE_DIALOG, "type_search");
  list = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (dialog), SCALER_TYPE_RESOURCE_DIALOG, "type_list");
  gtk_editable_set_text (GTK_EDITABLE (search), "p3.2x");
  gtk_list_box_invalidate_filter (GTK_LIST_BOX (list));
  scaler_test_spin (20);

  for (GtkWidget *child = gtk_widget_get_first_child (list); child; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && g_object_get_data (G_OBJECT (child), "type"))
      {
        total++;
        if (gtk_widget_get_child_visible (child))
          {
            visible++;
            g_assert_true (g_str_has_prefix (g_object_get_data (G_OBJECT (child), "type"), "p3.2x"));
            /* vCPUs, memory, GPUs and the price in the region. */
            g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child)), "vCPU"));
            g_assert_true (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child)), "GPU") ||
                              strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child)), "V100"));
            g_assert_true (has_price_label (child));
          }
      }
  g_assert_cmpuint (total, >, 50);
  g_assert_cmpuint (visible, ==, 1);

  g_signal_emit_by_name (search, "activate");
  chosen = scaler_resource_dialog_dup_resource (dialog);
  g_assert_cmpstr (chosen->instance_type, ==, "p3.2xlarge");

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

/* The IOPS and throughput rows show only for the volume types that take
 * them; io1 without IOPS is refused on the IOPS row; the hop limit and the
 * public IP choice round-trip. The fixture: the dialog of an m5.large
 * resource with its rows. */
typedef struct
{
  ScalerResource       *resource;
  ScalerResourceDialog *dialog;
  GtkWidget            *type_row, *iops_row, *throughput_row, *size_row, *ip_row, *hop_row;
  GtkWidget            *iops_spin, *throughput_spin, *hop_spin, *size_spin;
} VolumeFixture;

static GtkWidget *
dialog_child (ScalerResourceDialog *dialog,
              const char           *name)
{
  return (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (dialog), SCALER_TYPE_RESOURCE_DIALOG, name);
}

static void
volume_set_up (VolumeFixture *f,
               gconstpointer  data)
{
  f->resource = make_resource ("db", "default", "m5.large", FALSE);
  f->dialog = scaler_resource_dialog_new (f->resource, "us-east-1", FALSE);
  g_object_ref_sink (f->dialog);
  gtk_window_present (GTK_WINDOW (f->dialog));
  scaler_test_spin (20);
  f->type_row = scaler_resource_dialog_get_field_row (f->dialog, "ebs_volume_type");
  f->iops_row = scaler_resource_dialog_get_field_row (f->dialog, "ebs_iops");
  f->throughput_row = scaler_resource_dialog_get_field_row (f->dialog, "ebs_throughput");
  f->size_row = scaler_resource_dialog_get_field_row (f->dialog, "ebs_volume_size");
  f->ip_row = scaler_resource_dialog_get_field_row (f->dialog, "associate_public_ip");
  f->hop_row = scaler_resource_dialog_get_field_row (f->dialog, "metadata_hop_limit");
  f->iops_spin = dialog_child (f->dialog, "ebs_iops_spin");
  f->throughput_spin = dialog_child (f->dialog, "ebs_throughput_spin");
  f->hop_spin = dialog_child (f->dialog, "hop_limit_spin");
  f->size_spin = dialog_child (f->dialog, "ebs_size_spin");
  g_assert_true (f->iops_row != f->throughput_row && f->iops_row != f->type_row && f->hop_row != f->ip_row);
}

static void
volume_tear_down (VolumeFixture *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->dialog));
  g_assert_finalize_object (f->dialog);
  scaler_resource_free (f->resource);
}

/* gp3 (the default): both optional rows, no error. */
static void
test_volume_gp3_default (VolumeFixture *f,
                         gconstpointer  data)
{
  g_assert_true (scaler_resource_dialog_is_valid (f->dialog));
  g_assert_true (gtk_widget_get_visible (f->iops_row));
  g_assert_true (gtk_widget_get_visible (f->throughput_row));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (f->hop_spin)), ==, 2);
}

/* gp2: neither applies. */
static void
test_volume_gp2 (VolumeFixture *f,
                 gconstpointer  data)
{
  adw_combo_row_set_selected (ADW_COMBO_ROW (f->type_row), 2);
  g_assert_false (gtk_widget_get_visible (f->iops_row));
  g_assert_false (gtk_widget_get_visible (f->throughput_row));
  g_assert_true (scaler_resource_dialog_is_valid (f->dialog));
}

/* io1: IOPS required, flagged on the IOPS row itself; above 50 IOPS per
 * GiB of the 100 GiB volume: still the IOPS row. */
static void
test_volume_io1_needs_iops (VolumeFixture *f,
                            gconstpointer  data)
{
  adw_combo_row_set_selected (ADW_COMBO_ROW (f->type_row), 3);
  g_assert_true (gtk_widget_get_visible (f->iops_row));
  g_assert_false (gtk_widget_get_visible (f->throughput_row));
  g_assert_false (scaler_resource_dialog_is_valid (f->dialog));
  g_assert_true (gtk_widget_has_css_class (f->iops_row, "error"));
  g_assert_nonnull (strstr (scaler_gui_get_row_error (f->iops_row), "io1 volumes need provisioned IOPS"));
  g_assert_false (gtk_widget_has_css_class (f->type_row, "error"));
  g_assert_false (gtk_widget_has_css_class (f->size_row, "error"));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (f->iops_spin), 6000);
  g_assert_true (gtk_widget_has_css_class (f->iops_row, "error"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (f->iops_spin), 4000);
  g_assert_false (gtk_widget_has_css_class (f->iops_row, "error"));
  g_assert_true (scaler_resource_dialog_is_valid (f->dialog));
}

/* st1 on the root device: the type row. */
static void
test_volume_st1_root (VolumeFixture *f,
                      gconstpointer  data)
{
  adw_combo_row_set_selected (ADW_COMBO_ROW (f->type_row), 5);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (f->size_spin), 500);
  g_assert_false (gtk_widget_get_visible (f->iops_row));
  g_assert_true (gtk_widget_has_css_class (f->type_row, "error"));
  g_assert_false (scaler_resource_dialog_is_valid (f->dialog));
}

/* io1 (100 GiB) with IOPS, a public IP and a hop limit of 3: kept, and
 * shown again by a new dialog. */
static void
test_volume_round_trip (VolumeFixture *f,
                        gconstpointer  data)
{
  g_autoptr(ScalerResource) chosen = NULL;
  g_autoptr(ScalerResource) same = NULL;
  ScalerResourceDialog *again;

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (f->size_spin), 100);
  adw_combo_row_set_selected (ADW_COMBO_ROW (f->type_row), 3);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (f->iops_spin), 4000);
  g_assert_true (scaler_resource_dialog_is_valid (f->dialog));
  adw_combo_row_set_selected (ADW_COMBO_ROW (f->ip_row), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (f->hop_spin), 3);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (f->throughput_spin), 500);   /* hidden: not kept */
  chosen = scaler_resource_dialog_dup_resource (f->dialog);
  g_assert_cmpstr (chosen->ebs_volume_type, ==, "io1");
  g_assert_cmpuint (chosen->ebs_iops, ==, 4000);
  g_assert_cmpuint (chosen->ebs_throughput, ==, 0);
  g_assert_cmpuint (chosen->metadata_hop_limit, ==, 3);
  g_assert_cmpint (chosen->associate_public_ip, ==, SCALER_PUBLIC_IP_YES);

  again = scaler_resource_dialog_new (chosen, "us-east-1", FALSE);
  g_object_ref_sink (again);
  same = scaler_resource_dialog_dup_resource (again);
  g_assert_cmpuint (same->ebs_iops, ==, 4000);
  g_assert_cmpuint (same->metadata_hop_limit, ==, 3);
  g_assert_cmpint (same->associate_public_ip, ==, SCALER_PUBLIC_IP_YES);
  gtk_window_destroy (GTK_WINDOW (again));
  g_assert_finalize_object (again);
}

/* The GPUs row is the resource's cpu_only: from the instance type by
 * default (unset), "Use GPUs" (false), "CPU Only" (true, kept through a
 * reopen). The config's validation warns about false on a type without a
 * GPU when a docker image is set (test-config-validate). */
static void
test_gpu_choice (VolumeFixture *f,
                 gconstpointer  data)
{
  GtkWidget *gpu_row = scaler_resource_dialog_get_field_row (f->dialog, "cpu_only");
  g_autoptr(ScalerResource) chosen = NULL;
  g_autoptr(ScalerResource) same = NULL;
  ScalerResourceDialog *again;

  g_assert_true (ADW_IS_COMBO_ROW (gpu_row));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (gpu_row)), ==, 0);
  g_assert_true (scaler_resource_dialog_is_valid (f->dialog));

  chosen = scaler_resource_dialog_dup_resource (f->dialog);
  g_assert_cmpint (chosen->cpu_only, ==, SCALER_CPU_ONLY_AUTO);
  g_clear_pointer (&chosen, scaler_resource_free);

  adw_combo_row_set_selected (ADW_COMBO_ROW (gpu_row), 1);   /* Use GPUs */
  chosen = scaler_resource_dialog_dup_resource (f->dialog);
  g_assert_cmpint (chosen->cpu_only, ==, SCALER_CPU_ONLY_NO);
  g_clear_pointer (&chosen, scaler_resource_free);

  adw_combo_row_set_selected (ADW_COMBO_ROW (gpu_row), 2);   /* CPU Only */
  g_assert_true (scaler_resource_dialog_is_valid (f->dialog));
  chosen = scaler_resource_dialog_dup_resource (f->dialog);
  g_assert_cmpint (chosen->cpu_only, ==, SCALER_CPU_ONLY_YES);

  again = scaler_resource_dialog_new (chosen, "us-east-1", FALSE);
  g_object_ref_sink (again);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (scaler_resource_dialog_get_field_row (again, "cpu_only"))), ==, 2);
  same = scaler_resource_dialog_dup_resource (again);
  g_assert_cmpint (same->cpu_only, ==, SCALER_CPU_ONLY_YES);
  gtk_window_destroy (GTK_WINDOW (again));
  g_assert_finalize_object (again);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (scaler_gui_get_resource ());

#define ADD(path, func) \
  g_test_add ("/scaler/resource-editor/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("append-shows-type-queue-price", test_append_shows_type_queue_price);
  ADD ("duplicate-after-original", test_duplicate_after_original);
  ADD ("move", test_move);
  ADD ("row-buttons", test_row_buttons);
  ADD ("drag-and-drop", test_drag_and_drop);
  ADD ("dup-resources-in-order", test_dup_resources_in_order);
  ADD ("problems-on-their-row", test_problems_on_their_row);
#undef ADD
  g_test_add_func ("/scaler/resource-editor/row-editor", test_row_editor);
  g_test_add_func ("/scaler/resource-editor/type-chooser", test_type_chooser);
#define ADD_VOLUME(path, func) \
  g_test_add ("/scaler/resource-editor/volume/" path, VolumeFixture, NULL, volume_set_up, func, volume_tear_down)
  ADD_VOLUME ("gp3-default", test_volume_gp3_default);
  ADD_VOLUME ("gp2", test_volume_gp2);
  ADD_VOLUME ("io1-needs-iops", test_volume_io1_needs_iops);
  ADD_VOLUME ("st1-root", test_volume_st1_root);
  ADD_VOLUME ("round-trip", test_volume_round_trip);
  ADD_VOLUME ("gpu-choice", test_gpu_choice);
#undef ADD_VOLUME

  return g_test_run ();
}
