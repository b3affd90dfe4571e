/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "scaler-client-autoscaler.h"
#include "scaler-credentials.h"
#include "scaler-machine.h"

G_BEGIN_DECLS

#define SCALER_TYPE_APPLICATION (scaler_application_get_type ())

G_DECLARE_FINAL_TYPE (ScalerApplication, scaler_application, SCALER, APPLICATION, AdwApplication)

/* The app is a view: the autoscalers run in the background service
 * (ec2-autoscalerd --service) of this computer, and of the servers the user
 * added. The application keeps one ScalerMachine per service, turns the
 * services' events into desktop notifications, and, inside flatpak, asks
 * the Background portal to start the service at login. */

ScalerApplication   *scaler_application_new              (void);
GSettings           *scaler_application_get_settings     (ScalerApplication   *self);
/* This computer's keyring (the service of this computer shares the
 * session), or memory when SCALER_CREDENTIALS=memory (tests, screenshots). */
ScalerCredentials   *scaler_application_get_credentials  (ScalerApplication   *self);

/* Of ScalerMachine: this computer first, then the servers (remembered in
 * GSettings "servers"), in the order they were added. */
GListModel          *scaler_application_get_machines     (ScalerApplication   *self);
ScalerMachine       *scaler_application_get_local_machine (ScalerApplication  *self);
/* (nullable): @address NULL or "" for this computer. */
ScalerMachine       *scaler_application_find_machine     (ScalerApplication   *self,
                                                          const char          *address);
/* Adds (and remembers) a server, connecting to it; the existing one when
 * @address is known already. */
ScalerMachine       *scaler_application_add_server       (ScalerApplication   *self,
                                                          const char          *address);
/* Adds (and remembers) a server's machine made by the caller (the Add
 * Server dialog connects it first); nothing when its address is known. */
void                 scaler_application_adopt_server     (ScalerApplication   *self,
                                                          ScalerMachine       *machine);
/* Forgets a server (its autoscalers keep running there). */
void                 scaler_application_remove_server    (ScalerApplication   *self,
                                                          ScalerMachine       *machine);
/* (nullable) (transfer none): an autoscaler by the key of
 * scaler_client_autoscaler_dup_key(). */
ScalerClientAutoscaler *scaler_application_lookup        (ScalerApplication   *self,
                                                          const char          *key);

/* The notification shown the first time the window closes while
 * autoscalers run on this computer (also drawn by the screenshot tool). */
void                 scaler_application_get_background_notice (const char   **title,
                                                               const char   **body);
/* The window closed: sends that notification once (GSettings remembers). */
void                 scaler_application_window_closed    (ScalerApplication   *self);

G_END_DECLS
