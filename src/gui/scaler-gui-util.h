/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-config.h"

G_BEGIN_DECLS

/* "a, b,c " -> ["a", "b", "c"]; empty items are dropped. Never NULL. */
GStrv       scaler_gui_split_list        (const char  *text);
/* ["a", "b"] -> "a, b" */
char       *scaler_gui_join_list         (const char * const *items);
/* "k=v, k2=v2" -> GPtrArray of ScalerTag* (scaler_tags_parse_string(), as
 * the config's JSON); NULL with a message naming the item and what is wrong
 * when an item has no '=' or an empty key. */
GPtrArray  *scaler_gui_parse_tags        (const char  *text,
                                          char       **message);
char       *scaler_gui_format_tags       (GPtrArray   *tags);
/* "4 vCPU · 16 GiB · 1 × NVIDIA T4 · $0.526/h" for a type in a region, or NULL
 * when the type is not in the bundled table. */
char       *scaler_gui_describe_type     (const char  *instance_type,
                                          const char  *region);
/* The on-demand price, or -1 when unknown. */
double      scaler_gui_type_price        (const char  *instance_type,
                                          const char  *region);

/* Shows @message under @row (an AdwPreferencesRow inside a GtkListBox), with
 * the row in the `error` style; a NULL message clears both. */
void        scaler_gui_set_row_error     (GtkWidget   *row,
                                          const char  *message);
const char *scaler_gui_get_row_error     (GtkWidget   *row);

/* A toast that shows @text as it is: toast titles are Pango markup on
 * libadwaita 1.2, and the errors of AWS and ClearML contain '<' and '&'. */
AdwToast   *scaler_gui_toast_new         (const char  *text);
/* Adds a toast of the formatted text (shown as it is) to the toast overlay
 * that is @widget or holds it; FALSE when there is none. */
gboolean    scaler_gui_add_toast         (GtkWidget   *widget,
                                          const char  *format,
                                          ...) G_GNUC_PRINTF (2, 3);
gboolean    scaler_gui_add_toast_valist  (GtkWidget   *widget,
                                          const char  *format,
                                          va_list      args) G_GNUC_PRINTF (2, 0);

/* "resources[2].ami_id" -> index 2 and field "ami_id"; FALSE otherwise. */
gboolean    scaler_gui_parse_resource_path (const char *path,
                                            guint      *index,
                                            const char **field);

G_END_DECLS
