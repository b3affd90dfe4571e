/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-dbus-error.h: the D-Bus errors of the background service's API
 * (data/io.github.ec2autoscaler.Autoscaler1.xml) as a GError domain, so that
 * the service returns them by name and clients get them back as these codes
 * (g_dbus_error_strip_remote_error() gives the message alone). The domain
 * is registered when the program starts.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SCALER_DBUS_NAME        "io.github.ec2autoscaler.Autoscaler.Daemon"
#define SCALER_DBUS_ROOT_PATH   "/io/github/ec2autoscaler/Autoscaler"
#define SCALER_DBUS_MANAGER_PATH SCALER_DBUS_ROOT_PATH "/Manager"

typedef enum
{
  SCALER_DBUS_ERROR_INVALID_CONFIG,  /* io.github.ec2autoscaler.Autoscaler1.Error.InvalidConfig */
  SCALER_DBUS_ERROR_NOT_FOUND,       /* io.github.ec2autoscaler.Autoscaler1.Error.NotFound */
  SCALER_DBUS_ERROR_FAILED,          /* io.github.ec2autoscaler.Autoscaler1.Error.Failed */
} ScalerDbusError;

#define SCALER_DBUS_ERROR (scaler_dbus_error_quark ())
GQuark scaler_dbus_error_quark (void);

/* The object path of an autoscaler: a UUID with '-' turned into '_'
 * (data/io.github.ec2autoscaler.Autoscaler1.xml); any other id (a file that does not load) escaped with
 * g_dbus_escape_object_path() under "file_". */
char  *scaler_dbus_autoscaler_path (const char *id);

G_END_DECLS
