/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-desired-state.h: what the user asked of an autoscaler last, running
 * or stopped, kept in its state directory (ScalerEngineRegistry's rule) as
 * the file "desired-state" ("running" or "stopped" and a newline), never in
 * its config. The background service resumes the running ones at start.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SCALER_DESIRED_STATE_STOPPED,
  SCALER_DESIRED_STATE_RUNNING,
} ScalerDesiredState;

#define SCALER_DESIRED_STATE_FILE "desired-state"

/* "stopped", "running". */
const char         *scaler_desired_state_to_string (ScalerDesiredState  state);
/* STOPPED when there is no file (a config never seen before), or when it
 * holds anything else (logged). */
ScalerDesiredState  scaler_desired_state_read      (const char         *state_dir);
/* Durably: temp file, fsync, rename, fsync of the directory (created 0700
 * when missing). */
gboolean            scaler_desired_state_write     (const char         *state_dir,
                                                    ScalerDesiredState  state,
                                                    GError            **error);

G_END_DECLS
