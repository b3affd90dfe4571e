/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Widgets rendered offscreen to a PNG (see scaler-test-png.h). */

#define G_LOG_DOMAIN "scaler-test-png"

#include "config.h"

#include "scaler-test-png.h"

typedef struct
{
  GtkWidget     *widget;
  GskRenderNode *node;
  int            width;
  int            height;
  gboolean       done;
} PaintCapture;

static void
paint_capture_snapshot (PaintCapture *capture)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (capture->widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  capture->width = gtk_widget_get_width (capture->widget);
  capture->height = gtk_widget_get_height (capture->widget);
  gdk_paintable_snapshot (paintable, snapshot, capture->width, capture->height);
  capture->node = gtk_snapshot_free_to_node (snapshot);
  capture->done = TRUE;
}

static void
paint_capture_cb (GdkFrameClock *clock,
                  PaintCapture  *capture)
{
  if (!capture->done)
    paint_capture_snapshot (capture);
}

static gboolean
paint_capture_timeout_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
scaler_test_save_png (GtkWidget   *widget,
                      const char  *path,
                      GError     **error)
{
  g_autoptr(GskRenderer) renderer = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  PaintCapture capture = { widget, NULL, 0, 0, FALSE };
  int width, height;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (gtk_widget_get_width (widget) <= 0 || gtk_widget_get_height (widget) <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The widget has no size yet: present it and let it draw first");
      return FALSE;
    }

  /* Snapshot in the paint phase of a frame, right after GTK's own layout:
   * at any other moment a child may have a resize queued and no current
   * allocation (which GTK warns about). Unmapped widgets have no frame
   * clock; they are snapshotted as they are. */
  if (gtk_widget_get_mapped (widget) && gtk_widget_get_frame_clock (widget) != NULL)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
      gboolean timed_out = FALSE;
      guint timeout_id;
      gulong handler;

      handler = g_signal_connect_after (clock, "paint", G_CALLBACK (paint_capture_cb), &capture);
      timeout_id = g_timeout_add_seconds (5, paint_capture_timeout_cb, &timed_out);
      gtk_widget_queue_draw (widget);
      while (!capture.done && !timed_out)
        g_main_context_iteration (NULL, TRUE);
      g_signal_handler_disconnect (clock, handler);
      if (!timed_out)
        g_source_remove (timeout_id);
    }
  if (!capture.done)
    paint_capture_snapshot (&capture);

  node = g_steal_pointer (&capture.node);
  width = capture.width;
  height = capture.height;
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The widget drew nothing");
      return FALSE;
    }

  renderer = gsk_cairo_renderer_new ();
  if (!gsk_renderer_realize (renderer, NULL, error))
    return FALSE;
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);

  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s", path);
      return FALSE;
    }

  return TRUE;
}
