/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-dbus-error.c: the service's D-Bus errors (see scaler-dbus-error.h). */

#define G_LOG_DOMAIN "scaler-dbus"

#include "config.h"

#include "scaler-dbus-error.h"

static const GDBusErrorEntry entries[] = {
  { SCALER_DBUS_ERROR_INVALID_CONFIG, "io.github.ec2autoscaler.Autoscaler1.Error.InvalidConfig" },
  { SCALER_DBUS_ERROR_NOT_FOUND, "io.github.ec2autoscaler.Autoscaler1.Error.NotFound" },
  { SCALER_DBUS_ERROR_FAILED, "io.github.ec2autoscaler.Autoscaler1.Error.Failed" },
};

GQuark
scaler_dbus_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("scaler-dbus-error-quark", &quark, entries, G_N_ELEMENTS (entries));
  return (GQuark) quark;
}

/* Registered before main() runs, in every program that links the core: a
 * client gets these codes back from its very first call. */
static void register_error_domain (void) __attribute__ ((constructor));

static void
register_error_domain (void)
{
  scaler_dbus_error_quark ();
}

char *
scaler_dbus_autoscaler_path (const char *id)
{
  g_autofree char *element = NULL;

  g_return_val_if_fail (id != NULL, NULL);

  if (g_uuid_string_is_valid (id))
    element = g_strdelimit (g_strdup (id), "-", '_');
  else
    {
      g_autofree char *escaped = g_dbus_escape_object_path (id);

      element = g_strconcat ("file_", escaped, NULL);
    }
  return g_strconcat (SCALER_DBUS_ROOT_PATH "/autoscalers/", element, NULL);
}
