/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-service-notify.h: the background service's own desktop
 * notifications.
 *
 * The app turns the service's Event signals (scaler-events.h) into desktop
 * notifications while it runs. With its window closed, the normal case for
 * a service, nobody would hear that a budget is reached or an instance was
 * lost: then the service shows the event itself, through the freedesktop
 * notification server on its session bus (org.freedesktop.Notifications,
 * Notify, asynchronous), with the app's title and body, the app's icon and
 * desktop entry (so the shell groups it with the app), urgency critical for
 * budget-reached and failed, normal for the others. A later event of the
 * same kind and autoscaler replaces the earlier notification, as the app's
 * do.
 *
 * "The app runs" is: its application id (APP_ID, which GApplication owns on
 * the session bus) has an owner; then the app notifies and the service does
 * not. Without a notification server (a headless server) the first failure
 * is a debug line and nothing else happens. Main thread only.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SCALER_TYPE_SERVICE_NOTIFIER (scaler_service_notifier_get_type ())
G_DECLARE_FINAL_TYPE (ScalerServiceNotifier, scaler_service_notifier, SCALER, SERVICE_NOTIFIER, GObject)

/* Watches the app's name on @connection (the service's session bus). */
ScalerServiceNotifier *scaler_service_notifier_new   (GDBusConnection       *connection);
/* Shows the Event signals of @object's Autoscaler interface (an object of
 * scaler-service-autoscaler.h) for as long as both live. */
void                   scaler_service_notifier_watch (ScalerServiceNotifier *self,
                                                      GDBusObject           *object);

G_END_DECLS
