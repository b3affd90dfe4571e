/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-resource-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-gui-util.h"
#include "scaler-resource-dialog.h"
#include "scaler-resource-editor.h"
#include "scaler-resource-object.h"

struct _ScalerResourceEditor
{
  AdwBin               parent_instance;

  GListStore          *store;        /* of ScalerResourceObject */
  GListStore          *add_store;    /* one sentinel: the "Add Resource" row */
  GtkFlattenListModel *rows_model;
  char                *region;
  GHashTable          *problems;     /* position -> message */

  /* Template children */
  AdwPreferencesGroup *group;
  GtkListBox          *list;
};

G_DEFINE_FINAL_TYPE (ScalerResourceEditor, scaler_resource_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_REGION,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
find_item (ScalerResourceEditor *self,
           gpointer              item,
           guint                *position)
{
  return g_list_store_find (self->store, item, position);
}

static char *
describe_resource (ScalerResourceEditor *self,
                   const ScalerResource *r)
{
  double price = scaler_gui_type_price (r->instance_type, self->region);
  g_autofree char *queue = g_strdup_printf (_("queue “%s”"), r->queue);
  g_autofree char *max = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "up to %u instance", "up to %u instances", r->max_instances), r->max_instances);

  if (price >= 0)
    return g_strdup_printf ("%s · %s · %s · $%.3f/h", r->instance_type, queue, max, price);

  return g_strdup_printf ("%s · %s · %s", r->instance_type, queue, max);
}

static void
apply_row_problem (ScalerResourceEditor *self,
                   GtkWidget            *row,
                   guint                 position)
{
  ScalerResourceObject *item = g_object_get_data (G_OBJECT (row), "item");
  const char *message = g_hash_table_lookup (self->problems, GUINT_TO_POINTER (position));
  g_autofree char *subtitle = NULL;
  GtkWidget *icon = g_object_get_data (G_OBJECT (row), "error-icon");

  if (item == NULL)
    return;

  if (message != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), message);
      gtk_widget_set_tooltip_text (row, message);
    }
  else
    {
      subtitle = describe_resource (self, scaler_resource_object_get_resource (item));
      gtk_widget_remove_css_class (row, "error");
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_tooltip_text (row, NULL);
    }

  if (icon != NULL)
    gtk_widget_set_visible (icon, message != NULL);
}

static void
row_button_cb (GtkButton            *button,
               ScalerResourceEditor *self)
{
  gpointer item = g_object_get_data (G_OBJECT (button), "item");
  const char *op = g_object_get_data (G_OBJECT (button), "op");
  guint position;

  g_assert (SCALER_IS_RESOURCE_EDITOR (self));

  if (!find_item (self, item, &position))
    return;

  if (g_str_equal (op, "up"))
    scaler_resource_editor_move (self, position, -1);
  else if (g_str_equal (op, "down"))
    scaler_resource_editor_move (self, position, 1);
  else if (g_str_equal (op, "duplicate"))
    scaler_resource_editor_duplicate (self, position);
  else if (g_str_equal (op, "remove"))
    scaler_resource_editor_remove (self, position);
}

static GtkWidget *
row_button (ScalerResourceEditor *self,
            gpointer              item,
            const char           *op,
            const char           *icon_name,
            const char           *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  g_object_set_data (G_OBJECT (button), "item", item);
  g_object_set_data (G_OBJECT (button), "op", (gpointer) op);
  gtk_widget_set_name (button, op);
  g_signal_connect_object (button, "clicked", G_CALLBACK (row_button_cb), self, 0);

  return button;
}

/* Drag and drop: a row carries its item; dropping it on another row moves
 * it to that row's position. */
static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 GtkWidget     *row)
{
  GValue value = G_VALUE_INIT;
  GdkContentProvider *provider;

  g_value_init (&value, SCALER_TYPE_RESOURCE_OBJECT);
  g_value_set_object (&value, g_object_get_data (G_OBJECT (row), "item"));
  provider = gdk_content_provider_new_for_value (&value);
  g_value_unset (&value);

  return provider;
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               GtkWidget     *row)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (row);

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

static gboolean
drop_cb (GtkDropTarget        *target,
         const GValue         *value,
         double                x,
         double                y,
         ScalerResourceEditor *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  gpointer dragged = g_value_get_object (value);
  guint from, to;

  g_assert (SCALER_IS_RESOURCE_EDITOR (self));

  if (!find_item (self, dragged, &from) ||
      !find_item (self, g_object_get_data (G_OBJECT (row), "item"), &to))
    return FALSE;

  scaler_resource_editor_move (self, from, (int) to - (int) from);

  return TRUE;
}

/* The last row: "Add Resource". */
static GtkWidget *
add_row_new (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("list-add-symbolic"));
  gtk_box_append (GTK_BOX (box), gtk_label_new_with_mnemonic (_("_Add Resource")));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_add_css_class (row, "add-row");
  gtk_widget_set_name (row, "add-resource");

  return row;
}

/* A resource row is dragged by itself and takes drops of other rows. */
static void
add_drag_and_drop (ScalerResourceEditor *self,
                   GtkWidget            *row)
{
  GtkDragSource *source = gtk_drag_source_new ();
  GtkDropTarget *target = gtk_drop_target_new (SCALER_TYPE_RESOURCE_OBJECT, GDK_ACTION_MOVE);

  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect_object (source, "prepare", G_CALLBACK (drag_prepare_cb), row, 0);
  g_signal_connect_object (source, "drag-begin", G_CALLBACK (drag_begin_cb), row, 0);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (source));
  g_signal_connect_object (target, "drop", G_CALLBACK (drop_cb), self, 0);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (target));
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  ScalerResourceEditor *self = user_data;
  const ScalerResource *r;
  GtkWidget *row;
  GtkWidget *badge;
  GtkWidget *icon;
  GtkWidget *box;
  GtkWidget *button;
  guint position = 0;

  g_assert (SCALER_IS_RESOURCE_EDITOR (self));

  if (!SCALER_IS_RESOURCE_OBJECT (item))
    return add_row_new ();

  r = scaler_resource_object_get_resource (item);
  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), r->name[0] ? r->name : _("Unnamed"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "item", g_object_ref (item), g_object_unref);

  icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gtk_widget_add_css_class (icon, "error");
  gtk_widget_set_visible (icon, FALSE);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  g_object_set_data (G_OBJECT (row), "error-icon", icon);

  if (r->is_spot)
    {
      badge = gtk_label_new (_("Spot"));
      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (badge, "badge");
      gtk_widget_add_css_class (badge, "spot-badge");
      gtk_widget_set_name (badge, "spot-badge");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
    }

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  button = row_button (self, item, "up", "go-up-symbolic", _("Move Up"));
  g_object_set_data (G_OBJECT (row), "up-button", button);
  gtk_box_append (GTK_BOX (box), button);
  button = row_button (self, item, "down", "go-down-symbolic", _("Move Down"));
  g_object_set_data (G_OBJECT (row), "down-button", button);
  gtk_box_append (GTK_BOX (box), button);
  gtk_box_append (GTK_BOX (box), row_button (self, item, "duplicate", "edit-copy-symbolic", _("Duplicate")));
  gtk_box_append (GTK_BOX (box), row_button (self, item, "remove", "user-trash-symbolic", _("Remove")));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);

  add_drag_and_drop (self, row);

  find_item (self, item, &position);
  apply_row_problem (self, row, position);

  return row;
}

static void
update_move_buttons (ScalerResourceEditor *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint i = 0; i < n; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, i);
      GtkWidget *up, *down;

      if (row == NULL)
        continue;

      up = g_object_get_data (G_OBJECT (row), "up-button");
      down = g_object_get_data (G_OBJECT (row), "down-button");
      if (up != NULL)
        gtk_widget_set_sensitive (up, i > 0);
      if (down != NULL)
        gtk_widget_set_sensitive (down, i + 1 < n);
    }
}

static void
store_items_changed_cb (ScalerResourceEditor *self)
{
  g_assert (SCALER_IS_RESOURCE_EDITOR (self));

  update_move_buttons (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
dialog_applied_cb (ScalerResourceDialog *dialog,
                   ScalerResourceEditor *self)
{
  ScalerResourceObject *item = g_object_get_data (G_OBJECT (dialog), "item");
  g_autoptr(ScalerResource) resource = scaler_resource_dialog_dup_resource (dialog);
  guint position;

  g_assert (SCALER_IS_RESOURCE_DIALOG (dialog));
  g_assert (SCALER_IS_RESOURCE_EDITOR (self));

  if (item == NULL)
    {
      scaler_resource_editor_append (self, g_steal_pointer (&resource));
      return;
    }

  if (find_item (self, item, &position))
    {
      g_autoptr(ScalerResourceObject) replacement = scaler_resource_object_new (g_steal_pointer (&resource));

      g_list_store_splice (self->store, position, 1, (gpointer *) &replacement, 1);
    }
}

static void
scaler_resource_editor_row_activated_cb (ScalerResourceEditor *self,
                                         GtkListBoxRow        *row)
{
  ScalerResourceObject *item = g_object_get_data (G_OBJECT (row), "item");
  guint position = G_MAXUINT;

  g_assert (SCALER_IS_RESOURCE_EDITOR (self));

  if (item != NULL && !find_item (self, item, &position))
    return;

  scaler_resource_editor_edit (self, position);
}

static void
scaler_resource_editor_dispose (GObject *object)
{
  ScalerResourceEditor *self = SCALER_RESOURCE_EDITOR (object);

  if (self->list != NULL)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  /* AdwBin unparents its child itself: drop it before the template does. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_RESOURCE_EDITOR);
  g_clear_object (&self->rows_model);
  g_clear_object (&self->add_store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (scaler_resource_editor_parent_class)->dispose (object);
}

static void
scaler_resource_editor_finalize (GObject *object)
{
  ScalerResourceEditor *self = SCALER_RESOURCE_EDITOR (object);

  g_clear_pointer (&self->problems, g_hash_table_unref);
  g_free (self->region);

  G_OBJECT_CLASS (scaler_resource_editor_parent_class)->finalize (object);
}

static void
scaler_resource_editor_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  ScalerResourceEditor *self = SCALER_RESOURCE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_REGION:
      g_value_set_string (value, self->region);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_resource_editor_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  ScalerResourceEditor *self = SCALER_RESOURCE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_REGION:
      scaler_resource_editor_set_region (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_resource_editor_class_init (ScalerResourceEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scaler_resource_editor_dispose;
  object_class->finalize = scaler_resource_editor_finalize;
  object_class->get_property = scaler_resource_editor_get_property;
  object_class->set_property = scaler_resource_editor_set_property;

  properties[PROP_REGION] =
    g_param_spec_string ("region", NULL, NULL, "us-east-1",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-resource-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceEditor, group);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceEditor, list);
  gtk_widget_class_bind_template_callback (widget_class, scaler_resource_editor_row_activated_cb);
}

static void
scaler_resource_editor_init (ScalerResourceEditor *self)
{
  g_autoptr(GListStore) models = g_list_store_new (G_TYPE_LIST_MODEL);
  g_autoptr(GtkStringObject) sentinel = gtk_string_object_new ("add");

  gtk_widget_init_template (GTK_WIDGET (self));

  self->region = g_strdup ("us-east-1");
  self->problems = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->store = g_list_store_new (SCALER_TYPE_RESOURCE_OBJECT);
  self->add_store = g_list_store_new (G_TYPE_OBJECT);
  g_list_store_append (self->add_store, sentinel);
  g_list_store_append (models, self->store);
  g_list_store_append (models, self->add_store);
  self->rows_model = gtk_flatten_list_model_new (G_LIST_MODEL (g_steal_pointer (&models)));

  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->rows_model), create_row_cb, self, NULL);
  g_signal_connect_object (self->store, "items-changed", G_CALLBACK (store_items_changed_cb),
                           self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
}

GtkWidget *
scaler_resource_editor_new (void)
{
  return g_object_new (SCALER_TYPE_RESOURCE_EDITOR, NULL);
}

GListModel *
scaler_resource_editor_get_model (ScalerResourceEditor *self)
{
  g_return_val_if_fail (SCALER_IS_RESOURCE_EDITOR (self), NULL);

  return G_LIST_MODEL (self->store);
}

void
scaler_resource_editor_set_resources (ScalerResourceEditor *self,
                                      GPtrArray            *resources)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (SCALER_IS_RESOURCE_EDITOR (self));

  for (guint i = 0; resources != NULL && i < resources->len; i++)
    g_ptr_array_add (items, scaler_resource_object_new (scaler_resource_copy (g_ptr_array_index (resources, i))));

  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
}

GPtrArray *
scaler_resource_editor_dup_resources (ScalerResourceEditor *self)
{
  GPtrArray *resources = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_resource_free);
  guint n;

  g_return_val_if_fail (SCALER_IS_RESOURCE_EDITOR (self), resources);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ScalerResourceObject) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      g_ptr_array_add (resources, scaler_resource_object_dup_resource (item));
    }

  return resources;
}

void
scaler_resource_editor_set_region (ScalerResourceEditor *self,
                                   const char           *region)
{
  guint n;

  g_return_if_fail (SCALER_IS_RESOURCE_EDITOR (self));

  if (region == NULL)
    region = "";
  if (g_strcmp0 (self->region, region) == 0)
    return;

  g_free (self->region);
  self->region = g_strdup (region);

  /* The prices in the subtitles depend on the region. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, i);

      if (row != NULL)
        apply_row_problem (self, GTK_WIDGET (row), i);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGION]);
}

const char *
scaler_resource_editor_get_region (ScalerResourceEditor *self)
{
  g_return_val_if_fail (SCALER_IS_RESOURCE_EDITOR (self), NULL);

  return self->region;
}

/**
 * scaler_resource_editor_append:
 * @resource: (transfer full):
 */
void
scaler_resource_editor_append (ScalerResourceEditor *self,
                               ScalerResource       *resource)
{
  g_autoptr(ScalerResourceObject) item = NULL;

  g_return_if_fail (SCALER_IS_RESOURCE_EDITOR (self));
  g_return_if_fail (resource != NULL);

  item = scaler_resource_object_new (resource);
  g_list_store_append (self->store, item);
}

static char *
unique_name (ScalerResourceEditor *self,
             const char           *base)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint suffix = 2; ; suffix++)
    {
      g_autofree char *candidate = g_strdup_printf ("%s-%u", base, suffix);
      gboolean taken = FALSE;

      for (guint i = 0; i < n && !taken; i++)
        {
          g_autoptr(ScalerResourceObject) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

          taken = g_strcmp0 (scaler_resource_object_get_resource (item)->name, candidate) == 0;
        }

      if (!taken)
        return g_steal_pointer (&candidate);
    }
}

void
scaler_resource_editor_duplicate (ScalerResourceEditor *self,
                                  guint                 position)
{
  g_autoptr(ScalerResourceObject) item = NULL;
  g_autoptr(ScalerResourceObject) copy = NULL;
  ScalerResource *resource;

  g_return_if_fail (SCALER_IS_RESOURCE_EDITOR (self));

  item = g_list_model_get_item (G_LIST_MODEL (self->store), position);
  g_return_if_fail (item != NULL);

  resource = scaler_resource_object_dup_resource (item);
  g_free (resource->name);
  resource->name = unique_name (self, scaler_resource_object_get_resource (item)->name);
  copy = scaler_resource_object_new (resource);
  g_list_store_insert (self->store, position + 1, copy);
}

void
scaler_resource_editor_remove (ScalerResourceEditor *self,
                               guint                 position)
{
  g_return_if_fail (SCALER_IS_RESOURCE_EDITOR (self));
  g_return_if_fail (position < g_list_model_get_n_items (G_LIST_MODEL (self->store)));

  g_list_store_remove (self->store, position);
}

void
scaler_resource_editor_move (ScalerResourceEditor *self,
                             guint                 position,
                             int                   delta)
{
  g_autoptr(ScalerResourceObject) item = NULL;
  guint n;
  int target;

  g_return_if_fail (SCALER_IS_RESOURCE_EDITOR (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  g_return_if_fail (position < n);

  target = (int) position + delta;
  if (target < 0 || target >= (int) n || delta == 0)
    return;

  item = g_list_model_get_item (G_LIST_MODEL (self->store), position);
  g_list_store_remove (self->store, position);
  g_list_store_insert (self->store, target, item);
}

GtkWidget *
scaler_resource_editor_edit (ScalerResourceEditor *self,
                             guint                 position)
{
  g_autoptr(ScalerResourceObject) item = NULL;
  g_autoptr(ScalerResource) fresh = NULL;
  const ScalerResource *resource;
  ScalerResourceDialog *dialog;
  GtkRoot *root;

  g_return_val_if_fail (SCALER_IS_RESOURCE_EDITOR (self), NULL);

  if (position != G_MAXUINT)
    item = g_list_model_get_item (G_LIST_MODEL (self->store), position);

  if (item != NULL)
    resource = scaler_resource_object_get_resource (item);
  else
    {
      g_autofree char *name = NULL;

      fresh = scaler_resource_new ();
      name = g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0
             ? g_strdup ("default") : unique_name (self, "resource");
      g_free (fresh->name);
      fresh->name = g_steal_pointer (&name);
      /* Sensible starting points; the AMI is always the user's. */
      g_free (fresh->queue);
      fresh->queue = g_strdup ("default");
      g_free (fresh->instance_type);
      fresh->instance_type = g_strdup ("t3.large");
      resource = fresh;
    }

  dialog = scaler_resource_dialog_new (resource, self->region, item == NULL);
  if (item != NULL)
    g_object_set_data_full (G_OBJECT (dialog), "item", g_object_ref (item), g_object_unref);
  g_signal_connect_object (dialog, "applied", G_CALLBACK (dialog_applied_cb), self, 0);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (dialog));

  return GTK_WIDGET (dialog);
}

void
scaler_resource_editor_set_problems (ScalerResourceEditor *self,
                                     GPtrArray            *problems)
{
  guint n;

  g_return_if_fail (SCALER_IS_RESOURCE_EDITOR (self));

  g_hash_table_remove_all (self->problems);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const ScalerConfigProblem *p = g_ptr_array_index (problems, i);
      const char *field = NULL;
      guint index;

      if (p->severity != SCALER_PROBLEM_ERROR)
        continue;
      if (!scaler_gui_parse_resource_path (p->path, &index, &field))
        continue;
      if (!g_hash_table_contains (self->problems, GUINT_TO_POINTER (index)))
        g_hash_table_insert (self->problems, GUINT_TO_POINTER (index), g_strdup (p->message));
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, i);

      if (row != NULL)
        apply_row_problem (self, GTK_WIDGET (row), i);
    }
}

GtkWidget *
scaler_resource_editor_get_row (ScalerResourceEditor *self,
                                guint                 position)
{
  g_return_val_if_fail (SCALER_IS_RESOURCE_EDITOR (self), NULL);

  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->list, position));
}
