/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-window-private.h: the main window is split over scaler-window.c
 * (layout, sidebar, content, selection) and scaler-window-actions.c (what
 * the user does to autoscalers and servers, all of it over the bus).
 */

#pragma once

#include "scaler-window.h"

G_BEGIN_DECLS

struct _ScalerWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  ScalerApplication    *application;   /* weak */
  GListModel           *sidebar_model; /* machines' headers and autoscalers, flattened */
  GSignalGroup         *local_signals; /* this computer's machine */
  GSignalGroup         *selected_signals; /* the selected autoscaler */
  GtkWindow            *dialog;        /* weak: wizard, confirmation, server dialog */
  GtkFileChooserNative *export_chooser;
  GtkFileChooserNative *import_chooser;
  char                 *pending_key;   /* select this autoscaler when it shows up */
  gboolean              restoring;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar_list;
  GtkStack             *content_stack;
  AdwStatusPage        *empty_page;
  GtkWidget            *demo_button;
  AdwWindowTitle       *content_title;
  GtkWidget            *toggle_button;
  GtkWidget            *edit_button;
  AdwBin               *dashboard_bin;
  AdwStatusPage        *broken_page;
  GtkWidget            *broken_show_button;
  GtkWidget            *broken_delete_button;
  AdwStatusPage        *unreachable_page;
  GtkWidget            *retry_button;
};

void                    _scaler_window_toast          (ScalerWindow *self,
                                                       const char   *format,
                                                       ...) G_GNUC_PRINTF (2, 3);
void                    _scaler_window_present_dialog (ScalerWindow *self,
                                                       GtkWindow    *dialog);
/* (nullable) (transfer none) */
ScalerClientAutoscaler *_scaler_window_lookup         (ScalerWindow *self,
                                                       const char   *key);
ScalerClientAutoscaler *_scaler_window_get_selected   (ScalerWindow *self);
/* This computer's machine; NULL once the application is gone. */
ScalerMachine          *_scaler_window_get_local_machine (ScalerWindow *self);
/* Selects @key now, or as soon as it shows up in the sidebar. */
void                    _scaler_window_select_later   (ScalerWindow *self,
                                                       const char   *key);
void                    _scaler_window_update_content (ScalerWindow *self);
void                    _scaler_window_install_actions (GtkWidgetClass *widget_class);

G_END_DECLS
