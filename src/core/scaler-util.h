/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-util.h: small helpers with one copy for all of libscaler-core and
 * its users (the service, the app, the tests). */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sets *@str_pointer to a copy of @new_str (which may be NULL, or point into
 * the old string) and frees the old one. Returns TRUE when the text changed,
 * so a setter can notify only then. GLib 2.76 has g_set_str. */
gboolean scaler_set_str       (char       **str_pointer,
                               const char  *new_str);

/* TRUE when @str is neither NULL nor "". */
static inline gboolean
scaler_str_is_set (const char *str)
{
  return str != NULL && *str != '\0';
}

/* @str, or "" for NULL. */
static inline const char *
scaler_str_or_empty (const char *str)
{
  return str != NULL ? str : "";
}

/* Minutes and microseconds: one spelling for every file. */
#define SCALER_USEC_PER_MIN (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

/* @min minutes in microseconds, truncated toward zero. Computed as
 * (min x 60) x 10^6, in that order: the policy's thresholds have always
 * been, and min x (60 x 10^6) differs by 1 usec for values such as 0.03. */
static inline gint64
scaler_usec_of_min (double min)
{
  return (gint64) (min * 60.0 * G_USEC_PER_SEC);
}

/* @usec microseconds in minutes. */
static inline double
scaler_min_of_usec (gint64 usec)
{
  return (double) usec / SCALER_USEC_PER_MIN;
}

/* Overwrites @secret with zeros, then frees it. NULL is fine. For
 * g_clear_pointer and as a GDestroyNotify. */
void     scaler_secret_free   (char        *secret);

/* Sets @error (@domain, @code) to "WHERE.KEY: PROBLEM", or "KEY: PROBLEM"
 * when @where is "", and returns FALSE: for readers that name the member
 * they refuse. */
gboolean scaler_set_member_error (GError     **error,
                                  GQuark       domain,
                                  gint         code,
                                  const char  *where,
                                  const char  *key,
                                  const char  *format,
                                  ...) G_GNUC_PRINTF (6, 7);

/* Replaces @path with @length bytes of @contents (-1: a NUL-terminated
 * string) so that a crash or a power cut leaves the old file or the new one,
 * never a mix: a temp file in the same folder (mode 0600), fsync, rename over
 * @path, fsync of the folder. Creates the folder (mode 0700) when missing.
 * With @fd_out, the new file stays open for writing at its end and its
 * descriptor is returned there (the caller closes it). On failure:
 * SCALER_ERROR_IO naming the file and the reason; @path is as it was (unless
 * only the folder's sync failed: then the new file is in place) and no temp
 * file is left behind. */
gboolean scaler_file_replace  (const char  *path,
                               const char  *contents,
                               gssize       length,
                               int         *fd_out,
                               GError     **error);

G_END_DECLS
