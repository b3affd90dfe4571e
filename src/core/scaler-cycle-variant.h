/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-cycle-variant.h: cycle results, history and log lines as GVariant,
 * exactly as the D-Bus API carries them (data/io.github.ec2autoscaler.Autoscaler1.xml):
 *
 *   CycleFinished / GetSnapshot   a{sv}     (scaler_cycle_result_to_variant)
 *   GetHistory                    a(saxad)  (scaler_history_to_variant)
 *   GetLog                        a(xss)    (scaler_log_line_to_variant)
 *
 * The readers take what arrives over the bus (possibly from another machine):
 * a value of the wrong type, a non-finite number or an unsorted series is an
 * error naming where it is, never a crash; unknown keys are ignored, absent
 * keys take their defaults (empty strings, zeros). Pure functions, any thread.
 */

#pragma once

#include <gio/gio.h>

#include "scaler-engine.h"
#include "scaler-history.h"

G_BEGIN_DECLS

#define SCALER_CYCLE_VARIANT_TYPE   "a{sv}"
#define SCALER_HISTORY_VARIANT_TYPE "a(saxad)"
#define SCALER_LOG_VARIANT_TYPE     "a(xss)"

/* "debug", "info", "warning", "error" (the log lines of the bus). */
const char        *scaler_log_level_to_nick            (ScalerLogLevel      level);
/* FALSE for any other string. */
gboolean           scaler_log_level_from_nick          (const char         *nick,
                                                        ScalerLogLevel     *level);

/* (transfer floating): the a{sv} of CycleFinished. Actions and log lines are
 * not part of it. */
GVariant          *scaler_cycle_result_to_variant      (const ScalerCycleResult *result);
/* A result rebuilt from an a{sv} (instances_by_state recounted from its
 * rows; no actions, no log lines), or NULL with G_IO_ERROR_INVALID_DATA. */
ScalerCycleResult *scaler_cycle_result_new_from_variant (GVariant          *snapshot,
                                                         GError           **error);

/* (transfer floating): every series of @history with its samples at or
 * after @since (0: all), oldest first, in the history's order. */
GVariant          *scaler_history_to_variant           (ScalerHistory      *history,
                                                        gint64              since);
/* Appends the samples of an a(saxad) to @history (series created as
 * needed). All or nothing: on G_IO_ERROR_INVALID_DATA (arrays of different
 * lengths, times going back, a name used twice, a non-finite value) nothing
 * was added. */
gboolean           scaler_history_add_from_variant     (ScalerHistory      *history,
                                                        GVariant           *series,
                                                        GError            **error);

/* (transfer floating): one (x unix_usec, s level, s message) of GetLog. */
GVariant          *scaler_log_line_to_variant          (gint64              time,
                                                        ScalerLogLevel      level,
                                                        const char         *message);

G_END_DECLS
