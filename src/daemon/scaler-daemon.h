/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-daemon.h: the run mode of ec2-autoscalerd (docs/design.md, "ec2-autoscalerd"). */

#pragma once

#include <glib.h>

#include "scaler-engine.h"

G_BEGIN_DECLS

/* Exit codes of the run mode (data/ec2-autoscalerd.1, EXIT STATUS). */
#define SCALER_DAEMON_EXIT_OK             0
#define SCALER_DAEMON_EXIT_INVALID_CONFIG 1
#define SCALER_DAEMON_EXIT_CYCLE_FAILED   1
#define SCALER_DAEMON_EXIT_SETUP_FAILED   1

/* Runs CONFIG until SIGINT/SIGTERM, or one full cycle with once. state_dir
 * NULL = $XDG_STATE_HOME/ec2-autoscaler/<id>. Returns the exit code. */
int scaler_daemon_run (const char *config_path,
                       gboolean    once,
                       const char *state_dir);

/* One log line on stdout: "<UTC time> <LEVEL> [<prefix>: ]<text>", one per
 * line of @text (the journal of the service, the output of the run mode). */
void scaler_daemon_print_line (ScalerLogLevel  level,
                               const char     *prefix,
                               const char     *text);

/* One "<json.path>: <message>" line per problem on stderr (the file itself
 * for problems of the whole document), as --check prints them. */
void scaler_daemon_print_problems (const char *file,
                                   GPtrArray  *problems);

G_END_DECLS
