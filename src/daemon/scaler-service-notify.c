/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-service-notify.c: the service's own desktop notifications (see
 * scaler-service-notify.h).
 *
 * The call is the one GLib's freedesktop backend of GNotification makes for
 * the app (GNOME/glib gio/gfdonotificationbackend.c, call_notify()): Notify
 * (susssasa{sv}i) -> (u), hints "desktop-entry" (a string) and "urgency" (a
 * byte: 0 low, 1 normal, 2 critical), no timeout of our own (-1). */

#define G_LOG_DOMAIN "scaler-service-notify"

#include "config.h"

#include "scaler-dbus-generated.h"
#include "scaler-service-notify.h"

#define NOTIFICATIONS_NAME "org.freedesktop.Notifications"
#define NOTIFICATIONS_PATH "/org/freedesktop/Notifications"
/* Not translated: some notification servers keep their per-application
 * settings under this name. */
#define NOTIFICATIONS_APP_NAME "EC2 Autoscaler"

enum
{
  URGENCY_NORMAL = 1,
  URGENCY_CRITICAL = 2,
};

struct _ScalerServiceNotifier
{
  GObject          parent_instance;

  GDBusConnection *connection;
  GCancellable    *cancellable;
  guint            app_watch;
  gboolean         app_runs;
  gboolean         failure_logged;
  GHashTable      *shown;        /* "<kind> <autoscaler id>" -> notification id (guint) */
};

G_DEFINE_FINAL_TYPE (ScalerServiceNotifier, scaler_service_notifier, G_TYPE_OBJECT)

typedef struct
{
  ScalerServiceNotifier *self;   /* not a reference: the call is cancelled with it */
  char                  *key;
} NotifyCall;

static void
notify_call_free (NotifyCall *call)
{
  g_free (call->key);
  g_free (call);
}

/* ---- the app ---- */

static void
app_appeared_cb (GDBusConnection *connection,
                 const char      *name,
                 const char      *owner,
                 gpointer         user_data)
{
  ScalerServiceNotifier *self = user_data;

  g_assert (SCALER_IS_SERVICE_NOTIFIER (self));

  self->app_runs = TRUE;
}

static void
app_vanished_cb (GDBusConnection *connection,
                 const char      *name,
                 gpointer         user_data)
{
  ScalerServiceNotifier *self = user_data;

  g_assert (SCALER_IS_SERVICE_NOTIFIER (self));

  self->app_runs = FALSE;
}

/* ---- Notify ---- */

static guchar
urgency_of (const char *kind)
{
  /* The app's are all the same; these two are the ones that stop work or
   * spending until someone acts. */
  if (g_str_equal (kind, "budget-reached") || g_str_equal (kind, "failed"))
    return URGENCY_CRITICAL;
  return URGENCY_NORMAL;
}

static void
notify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  NotifyCall *call = user_data;
  ScalerServiceNotifier *self = call->self;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 id = 0;

  g_assert (G_IS_DBUS_CONNECTION (object));

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      notify_call_free (call);
      return;
    }
  g_assert (SCALER_IS_SERVICE_NOTIFIER (self));
  if (reply == NULL)
    {
      /* No notification server is normal on a server: said once, quietly
       * (GLib's backend warns once, gfdonotificationbackend.c,
       * notification_sent()). */
      if (!self->failure_logged)
        g_debug ("Events are not shown as desktop notifications: %s", error->message);
      self->failure_logged = TRUE;
    }
  else
    {
      g_variant_get (reply, "(u)", &id);
      g_hash_table_insert (self->shown, g_steal_pointer (&call->key), GUINT_TO_POINTER (id));
    }
  notify_call_free (call);
}

static void
send_notify (ScalerServiceNotifier *self,
             const char            *key,
             const char            *kind,
             const char            *title,
             const char            *body)
{
  NotifyCall *call = g_new0 (NotifyCall, 1);
  guint32 replaces = GPOINTER_TO_UINT (g_hash_table_lookup (self->shown, key));
  GVariantBuilder hints;

  g_variant_builder_init (&hints, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&hints, "{sv}", "desktop-entry", g_variant_new_string (APP_ID));
  g_variant_builder_add (&hints, "{sv}", "urgency", g_variant_new_byte (urgency_of (kind)));

  call->self = self;
  call->key = g_strdup (key);
  /* The icon keeps the base id in every profile (data/meson.build). */
  g_dbus_connection_call (self->connection, NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, NOTIFICATIONS_NAME, "Notify",
                          g_variant_new ("(susss@asa{sv}i)", NOTIFICATIONS_APP_NAME, replaces, BASE_APP_ID,
                                         title, body, g_variant_new_strv (NULL, 0), &hints, -1),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                          notify_cb, call);
}

static void
autoscaler_event_cb (ScalerDbusAutoscaler  *iface,
                     const char            *kind,
                     const char            *title,
                     const char            *body,
                     ScalerServiceNotifier *self)
{
  g_autofree char *key = NULL;

  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_NOTIFIER (self));

  if (self->app_runs)
    return;
  key = g_strdup_printf ("%s %s", kind, scaler_dbus_autoscaler_get_id (iface));
  send_notify (self, key, kind, title, body);
}

/* ---- the object ---- */

void
scaler_service_notifier_watch (ScalerServiceNotifier *self,
                               GDBusObject           *object)
{
  ScalerDbusAutoscaler *iface;

  g_return_if_fail (SCALER_IS_SERVICE_NOTIFIER (self));
  g_return_if_fail (SCALER_DBUS_IS_OBJECT (object));

  iface = scaler_dbus_object_peek_autoscaler (SCALER_DBUS_OBJECT (object));
  g_return_if_fail (iface != NULL);
  g_signal_connect_object (iface, "event", G_CALLBACK (autoscaler_event_cb), self, 0);
}

static void
scaler_service_notifier_dispose (GObject *object)
{
  ScalerServiceNotifier *self = SCALER_SERVICE_NOTIFIER (object);

  if (self->app_watch != 0)
    g_bus_unwatch_name (self->app_watch);
  self->app_watch = 0;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->shown, g_hash_table_unref);

  G_OBJECT_CLASS (scaler_service_notifier_parent_class)->dispose (object);
}

static void
scaler_service_notifier_class_init (ScalerServiceNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = scaler_service_notifier_dispose;
}

static void
scaler_service_notifier_init (ScalerServiceNotifier *self)
{
  self->cancellable = g_cancellable_new ();
  self->shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

ScalerServiceNotifier *
scaler_service_notifier_new (GDBusConnection *connection)
{
  ScalerServiceNotifier *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);

  self = g_object_new (SCALER_TYPE_SERVICE_NOTIFIER, NULL);
  self->connection = g_object_ref (connection);
  /* Never started for this: the app comes when a person opens it. */
  self->app_watch = g_bus_watch_name_on_connection (connection, APP_ID, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                    app_appeared_cb, app_vanished_cb, self, NULL);
  return self;
}
