/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-log-view.h: the console pane (a monospace, read-only GtkTextView with
 * a search bar and copy / save / clear actions).
 *
 * Main thread only. Each line gets a tag per level (error, warning, info,
 * debug) whose colours follow the light/dark style. The buffer is capped to
 * max-lines (default 10 000): the oldest lines go first, so memory stays
 * bounded. The view follows the tail only while it is scrolled to the bottom.
 *
 * Actions (installed on the class, for buttons and shortcuts):
 *   log.search (Ctrl+F), log.copy, log.save, log.clear
 */

#pragma once

#include <gtk/gtk.h>

#include "scaler-engine.h"

G_BEGIN_DECLS

#define SCALER_LOG_VIEW_DEFAULT_MAX_LINES 10000

#define SCALER_TYPE_LOG_VIEW (scaler_log_view_get_type ())

G_DECLARE_FINAL_TYPE (ScalerLogView, scaler_log_view, SCALER, LOG_VIEW, GtkWidget)

GtkWidget     *scaler_log_view_new           (void);

/* Appends one line (a trailing newline is added; text may hold several). A
 * time of 0 means "now"; times are usec since the epoch. */
void           scaler_log_view_append        (ScalerLogView  *self,
                                              ScalerLogLevel  level,
                                              const char     *text);
void           scaler_log_view_append_full   (ScalerLogView  *self,
                                              gint64          time,
                                              ScalerLogLevel  level,
                                              const char     *text);
void           scaler_log_view_clear         (ScalerLogView  *self);

guint          scaler_log_view_get_max_lines (ScalerLogView  *self);
void           scaler_log_view_set_max_lines (ScalerLogView  *self,
                                              guint           max_lines);
guint          scaler_log_view_get_n_lines   (ScalerLogView  *self);
gboolean       scaler_log_view_get_show_timestamps (ScalerLogView *self);
void           scaler_log_view_set_show_timestamps (ScalerLogView *self,
                                                    gboolean       show_timestamps);
/* Whether new lines scroll the view (it was at the bottom). */
gboolean       scaler_log_view_get_following (ScalerLogView  *self);

GtkTextView   *scaler_log_view_get_text_view (ScalerLogView  *self);
/* The whole log as text. */
char          *scaler_log_view_dup_text      (ScalerLogView  *self);

/* Highlights every match of text (case-insensitive) and selects the first at
 * or after the cursor; returns the number of matches (0 clears). */
guint          scaler_log_view_search        (ScalerLogView  *self,
                                              const char     *text);
/* Moves the selection to the next / previous match, wrapping around. */
gboolean       scaler_log_view_search_next   (ScalerLogView  *self);
gboolean       scaler_log_view_search_previous (ScalerLogView *self);

/* Writes the log atomically (temporary file + rename). */
gboolean       scaler_log_view_save_to_file  (ScalerLogView  *self,
                                              GFile          *file,
                                              GError        **error);

G_END_DECLS
