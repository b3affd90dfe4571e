/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-test-util.h: the small helpers every test shares: temporary
 * folders, the files of tests/data, and waiting on the main context with a
 * timeout (never a sleep that assumes a speed).
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A new folder in the temporary directory from @tmpl ("scaler-foo-XXXXXX");
 * asserts it was made. */
char         *scaler_test_make_tmp_dir    (const char *tmpl);
/* <@parent>/<@name>, made with its parents (0700); asserts it was made. */
char         *scaler_test_make_dir        (const char *parent,
                                           const char *name);
/* rm -rf: symbolic links are removed, never followed. */
void          scaler_test_rm_rf           (const char *path);
/* SCALER_SOURCE_DIR/tests/data/<first>/<...>, NULL-terminated. */
char         *scaler_test_data_path       (const char *first,
                                           ...) G_GNUC_NULL_TERMINATED;

/* Iterates the default main context @n times without blocking. */
void          scaler_test_spin            (guint       n);
/* Iterates the default main context until nothing is pending. */
void          scaler_test_drain           (void);
/* Iterates the default main context (blocking) until *@slot is set by an
 * async callback; returns it. */
GAsyncResult *scaler_test_wait_result     (GAsyncResult **slot);

/* Iterates the default main context until @condition holds, or g_error
 * after @timeout_s naming @what. */
typedef gboolean (*ScalerTestCondition) (gpointer data);
void          scaler_test_wait_until      (ScalerTestCondition condition,
                                           gpointer            data,
                                           double              timeout_s,
                                           const char         *what);

/* The same for an expression: iterates the default main context until
 * @condition holds, or g_error after @timeout_s naming @what. */
#define scaler_test_wait(condition, timeout_s, what) \
  G_STMT_START { \
    gint64 scaler_wait_deadline = g_get_monotonic_time () + (gint64) ((timeout_s) * G_USEC_PER_SEC); \
    while (!(condition) && g_get_monotonic_time () < scaler_wait_deadline) \
      if (!g_main_context_iteration (NULL, FALSE)) \
        g_usleep (2000); \
    if (!(condition)) \
      g_error ("Timed out after %g s waiting for %s", (double) (timeout_s), (what)); \
  } G_STMT_END

G_END_DECLS
