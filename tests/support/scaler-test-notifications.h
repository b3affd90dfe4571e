/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-test-notifications.h: a stand-in freedesktop notification server
 * (org.freedesktop.Notifications: Notify, CloseNotification,
 * GetCapabilities, GetServerInformation) that a test serves on its own
 * connection to a private bus and that records every Notify; and owning or
 * releasing a bus name (a stand-in's, or the app's, to play the running
 * app). Main thread: the calls are answered while the test iterates its
 * main context.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GDBusConnection *connection;
  guint            registration;
  guint32          last_id;
  GPtrArray       *calls;          /* GVariant*: Notify's parameters (susssasa{sv}i), oldest first */
} ScalerTestNotifications;

/* Serves the notification server on @connection and owns its name. */
ScalerTestNotifications *scaler_test_notifications_new     (GDBusConnection         *connection);
/* Whether one notification's summary or body contains @needle. */
gboolean                 scaler_test_notifications_contain (ScalerTestNotifications *notifications,
                                                            const char              *needle);
/* Releases the name and stops serving. */
void                     scaler_test_notifications_free    (ScalerTestNotifications *notifications);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerTestNotifications, scaler_test_notifications_free)

/* RequestName (do not queue); asserts that @connection became the owner. */
void                     scaler_test_own_name              (GDBusConnection         *connection,
                                                            const char              *name);
/* ReleaseName; asserts that @connection owned it. */
void                     scaler_test_release_name          (GDBusConnection         *connection,
                                                            const char              *name);

G_END_DECLS
