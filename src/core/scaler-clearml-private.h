/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-clearml-private.h: what the ClearML client (scaler-clearml.c) and
 * its parsers (scaler-clearml-parse.c) share. Not a contract. */

#pragma once

#include "scaler-clearml.h"

G_BEGIN_DECLS

/* SCALER_CLEARML_ERROR_BAD_RESPONSE: "ClearML <endpoint>: the answer lacks
 * <what>". Returns FALSE. */
gboolean _scaler_clearml_missing_field (GError     **error,
                                        const char  *endpoint,
                                        const char  *what);

G_END_DECLS
