/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-desired-state.c: running or stopped, on disk (see scaler-desired-state.h). */

#define G_LOG_DOMAIN "scaler-desired-state"

#include "config.h"

#include "scaler-desired-state.h"
#include "scaler-util.h"

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

  g_return_val_if_fail (state_dir != NULL, FALSE);

  path = g_build_filename (state_dir, SCALER_DESIRED_STATE_FILE, NULL);
  text = g_strconcat (scaler_desired_state_to_string (state), "\n", NULL);
  return scaler_file_replace (path, text, -1, NULL, error);
}
