/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-background-portal.h: inside flatpak, the app asks the Background
 * portal (org.freedesktop.portal.Background.RequestBackground) to start
 * `ec2-autoscalerd --service` at login, so that autoscalers that were
 * running resume after a reboot. Outside flatpak the systemd user unit does
 * that, and nothing is asked.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Whether this process runs inside flatpak (/.flatpak-info exists; tests
 * may name another file in SCALER_TEST_FLATPAK_INFO). */
gboolean scaler_background_portal_in_flatpak   (void);

/* RequestBackground on @connection (the session bus) with autostart and
 * the service's command line; @parent_window: "" or an exported window
 * handle. Finish: TRUE when the portal allowed it, FALSE with an error
 * saying why not (the user refused, no portal). */
void     scaler_background_portal_request_async  (GDBusConnection     *connection,
                                                  const char          *parent_window,
                                                  const char          *reason,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean scaler_background_portal_request_finish (GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
