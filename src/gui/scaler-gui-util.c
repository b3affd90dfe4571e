/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-gui-util"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "scaler-gui-util.h"
#include "scaler-prices.h"

#define ERROR_ROW_KEY "scaler-error-row"

GStrv
scaler_gui_split_list (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = NULL;

  if (text == NULL)
    return g_strv_builder_end (builder);

  parts = g_strsplit_set (text, ",;\n", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

char *
scaler_gui_join_list (const char * const *items)
{
  if (items == NULL)
    return g_strdup ("");

  return g_strjoinv (", ", (char **) items);
}

/* The config's own parser (scaler_tags_parse_string()), with a message that
 * names the item and what is wrong with it. */
GPtrArray *
scaler_gui_parse_tags (const char  *text,
                       char       **message)
{
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_tag_free);
  g_autofree char *bad_item = NULL;

  scaler_tags_parse_string (text, tags, &bad_item);
  if (bad_item == NULL)
    return g_steal_pointer (&tags);

  if (message != NULL && strchr (bad_item, '=') == NULL)
    *message = g_strdup_printf (_("“%s” has no “=”: write tags as key=value, separated by commas"), bad_item);
  else if (message != NULL)
    *message = g_strdup_printf (_("“%s” has an empty key: write tags as key=value"), bad_item);

  return NULL;
}

char *
scaler_gui_format_tags (GPtrArray *tags)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; tags != NULL && i < tags->len; i++)
    {
      const ScalerTag *tag = g_ptr_array_index (tags, i);

      if (str->len > 0)
        g_string_append (str, ", ");
      g_string_append_printf (str, "%s=%s", tag->key, tag->value ? tag->value : "");
    }

  return g_string_free (str, FALSE);
}

double
scaler_gui_type_price (const char *instance_type,
                       const char *region)
{
  double price = -1;

  if (instance_type == NULL || region == NULL)
    return -1;

  if (!scaler_price_table_get_price (scaler_price_table_get_default (), instance_type, region, &price))
    return -1;

  return price;
}

char *
scaler_gui_describe_type (const char *instance_type,
                          const char *region)
{
  const ScalerInstanceTypeInfo *info;
  GString *str;
  double price;

  if (instance_type == NULL || instance_type[0] == '\0')
    return NULL;

  info = scaler_price_table_lookup (scaler_price_table_get_default (), instance_type);
  if (info == NULL)
    return NULL;

  str = g_string_new (NULL);
  g_string_append_printf (str, _("%u vCPU · %g GiB"), info->vcpu, info->memory_gib);
  if (info->gpu_count > 0)
    g_string_append_printf (str, " · %u × %s", info->gpu_count,
                            info->gpu_model ? info->gpu_model : _("GPU"));

  price = scaler_gui_type_price (instance_type, region);
  if (price >= 0)
    g_string_append_printf (str, _(" · $%.3f/h"), price);
  else
    g_string_append_printf (str, _(" · no price in %s"), region ? region : "?");

  return g_string_free (str, FALSE);
}

void
scaler_gui_set_row_error (GtkWidget  *row,
                          const char *message)
{
  GtkWidget *error_row;
  GtkWidget *label;
  GtkWidget *list;

  g_return_if_fail (GTK_IS_WIDGET (row));

  error_row = g_object_get_data (G_OBJECT (row), ERROR_ROW_KEY);

  if (message == NULL || message[0] == '\0')
    {
      gtk_widget_remove_css_class (row, "error");
      if (error_row != NULL)
        {
          list = gtk_widget_get_parent (error_row);
          if (GTK_IS_LIST_BOX (list))
            gtk_list_box_remove (GTK_LIST_BOX (list), error_row);
          g_object_set_data (G_OBJECT (row), ERROR_ROW_KEY, NULL);
        }
      return;
    }

  gtk_widget_add_css_class (row, "error");

  if (error_row != NULL)
    {
      label = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (error_row));
      gtk_label_set_text (GTK_LABEL (label), message);
      return;
    }

  list = gtk_widget_get_parent (row);
  if (!GTK_IS_LIST_BOX (list) || !GTK_IS_LIST_BOX_ROW (row))
    {
      gtk_widget_set_tooltip_text (row, message);
      return;
    }

  label = g_object_new (GTK_TYPE_LABEL,
                        "label", message,
                        "wrap", TRUE,
                        "wrap-mode", PANGO_WRAP_WORD_CHAR,
                        "xalign", 0.0f,
                        "margin-start", 12,
                        "margin-end", 12,
                        "margin-top", 6,
                        "margin-bottom", 6,
                        NULL);
  gtk_widget_add_css_class (label, "caption");
  error_row = g_object_new (GTK_TYPE_LIST_BOX_ROW,
                            "child", label,
                            "activatable", FALSE,
                            "selectable", FALSE,
                            "focusable", FALSE,
                            NULL);
  gtk_widget_add_css_class (error_row, "row-error-message");
  gtk_list_box_insert (GTK_LIST_BOX (list), error_row,
                       gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) + 1);
  g_object_set_data (G_OBJECT (row), ERROR_ROW_KEY, error_row);
}

AdwToast *
scaler_gui_toast_new (const char *text)
{
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  /* Toast titles are Pango markup on libadwaita 1.2. */
  escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

gboolean
scaler_gui_add_toast_valist (GtkWidget  *widget,
                             const char *format,
                             va_list     args)
{
  g_autofree char *text = NULL;
  GtkWidget *overlay;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (format != NULL, FALSE);

  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    return FALSE;

  text = g_strdup_vprintf (format, args);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), scaler_gui_toast_new (text));

  return TRUE;
}

gboolean
scaler_gui_add_toast (GtkWidget  *widget,
                      const char *format,
                      ...)
{
  va_list args;
  gboolean added;

  va_start (args, format);
  added = scaler_gui_add_toast_valist (widget, format, args);
  va_end (args);

  return added;
}

const char *
scaler_gui_get_row_error (GtkWidget *row)
{
  GtkWidget *error_row;

  g_return_val_if_fail (GTK_IS_WIDGET (row), NULL);

  if (!gtk_widget_has_css_class (row, "error"))
    return NULL;

  error_row = g_object_get_data (G_OBJECT (row), ERROR_ROW_KEY);
  if (error_row == NULL)
    return gtk_widget_get_tooltip_text (row);

  return gtk_label_get_text (GTK_LABEL (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (error_row))));
}

gboolean
scaler_gui_parse_resource_path (const char  *path,
                                guint       *index,
                                const char **field)
{
  char *end = NULL;
  guint64 n;

  if (path == NULL || !g_str_has_prefix (path, "resources["))
    return FALSE;

  n = g_ascii_strtoull (path + strlen ("resources["), &end, 10);
  if (end == NULL || *end != ']' || end == path + strlen ("resources["))
    return FALSE;

  *index = (guint) n;
  if (field != NULL)
    *field = end[1] == '.' ? end + 2 : "";

  return TRUE;
}
