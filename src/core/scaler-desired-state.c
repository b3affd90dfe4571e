/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-desired-state.c: running or stopped, on disk (see scaler-desired-state.h). */

#define G_LOG_DOMAIN "scaler-desired-state"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "scaler-config-private.h"
#include "scaler-desired-state.h"
#include "scaler-error.h"

const char *
scaler_desired_state_to_string (ScalerDesiredState state)
{
  return state == SCALER_DESIRED_STATE_RUNNING ? "running" : "stopped";
}

ScalerDesiredState
scaler_desired_state_read (const char *state_dir)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;

  g_return_val_if_fail (state_dir != NULL, SCALER_DESIRED_STATE_STOPPED);

  path = g_build_filename (state_dir, SCALER_DESIRED_STATE_FILE, NULL);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return SCALER_DESIRED_STATE_STOPPED;
  g_strstrip (contents);
  if (g_str_equal (contents, "running"))
    return SCALER_DESIRED_STATE_RUNNING;
  if (!g_str_equal (contents, "stopped"))
    g_message ("%s holds neither “running” nor “stopped”; taken as stopped", path);
  return SCALER_DESIRED_STATE_STOPPED;
}

gboolean
scaler_desired_state_write (const char          *state_dir,
                            ScalerDesiredState   state,
                            GError             **error)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  int fd;

  g_return_val_if_fail (state_dir != NULL, FALSE);

  path = g_build_filename (state_dir, SCALER_DESIRED_STATE_FILE, NULL);
  text = g_strconcat (scaler_desired_state_to_string (state), "\n", NULL);
  if (!_scaler_write_file_atomic (path, text, -1, error))
    return FALSE;

  /* The rename itself must survive a power cut too. */
  fd = g_open (state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0 || fsync (fd) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, _("Cannot sync the folder %s: %s"), state_dir,
                   g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);
  return TRUE;
}
