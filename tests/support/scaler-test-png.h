/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-test-png.h: a widget (the main window, say) rendered offscreen to
 * a PNG, for the screenshots (build-aux/screenshot runs
 * tests/scaler-screenshots.c) and the GUI tests that look at pixels. It
 * works under Xvfb.
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Renders @widget, presented and drawn, to the PNG @path. */
gboolean scaler_test_save_png (GtkWidget   *widget,
                               const char  *path,
                               GError     **error);

G_END_DECLS
