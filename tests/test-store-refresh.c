/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of scaler_autoscaler_store_refresh() and _overwrite(): the
 * directory changed under the store (the service watches it). */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "support/scaler-test-util.h"

/* A demo config named @name under @id, written as a file. */
static void
write_config (const char *dir,
              const char *id,
              const char *name,
              guint       max_instances)
{
  g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
  g_autofree char *json = NULL;
  g_autofree char *file = g_strconcat (id, ".json", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);

  g_free (config->id);
  config->id = g_strdup (id);
  g_free (config->name);
  config->name = g_strdup (name);
  ((ScalerResource *) g_ptr_array_index (config->resources, 0))->max_instances = max_instances;
  json = scaler_config_to_json (config);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
}

typedef struct
{
  guint removed;
  guint added;
  guint notified;
} Counts;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Counts     *counts)
{
  counts->removed += removed;
  counts->added += added;
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           Counts     *counts)
{
  counts->notified++;
}

#define ID_A "0a0f3c9e-1d2a-4c8e-9f00-0123456789ab"
#define ID_B "0b0f3c9e-1d2a-4c8e-9f00-0123456789ab"
#define ID_C "0c0f3c9e-1d2a-4c8e-9f00-0123456789ab"

static void
test_refresh (void)
{
  g_autofree char *dir = scaler_test_make_tmp_dir ("scaler-refresh-XXXXXX");
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *path_a = g_build_filename (dir, ID_A ".json", NULL);
  g_autofree char *path_b = g_build_filename (dir, ID_B ".json", NULL);
  ScalerAutoscaler *a;
  Counts counts = { 0 };

  write_config (dir, ID_A, "alpha", 1);
  write_config (dir, ID_B, "beta", 1);
  g_assert_true (scaler_autoscaler_store_load (store, &error));
  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), &counts);
  a = scaler_autoscaler_store_find (store, ID_A);
  g_assert_nonnull (scaler_autoscaler_store_find (store, ID_B));
  g_signal_connect (a, "notify::config", G_CALLBACK (notify_cb), &counts);

  /* Nothing changed: nothing happens. */
  g_assert_true (scaler_autoscaler_store_refresh (store, &error));
  g_assert_cmpuint (counts.removed + counts.added + counts.notified, ==, 0);

  /* A changed file: the same item, its config notified. */
  write_config (dir, ID_A, "alpha", 3);
  g_assert_true (scaler_autoscaler_store_refresh (store, &error));
  g_assert_true (scaler_autoscaler_store_find (store, ID_A) == a);
  g_assert_cmpuint (counts.notified, ==, 1);
  g_assert_cmpuint (((ScalerResource *) g_ptr_array_index (scaler_autoscaler_get_config (a)->resources, 0))->max_instances,
                    ==, 3);
  g_assert_cmpuint (counts.removed + counts.added, ==, 0);

  /* Broken: the same item, load-error set, config gone; fixed again. */
  g_assert_true (g_file_set_contents (path_a, "{\"version\": 1, ", -1, NULL));
  g_assert_true (scaler_autoscaler_store_refresh (store, &error));
  g_assert_true (scaler_autoscaler_store_find (store, ID_A) == a);
  g_assert_nonnull (scaler_autoscaler_get_load_error (a));
  g_assert_null (scaler_autoscaler_get_config (a));
  write_config (dir, ID_A, "alpha", 2);
  g_assert_true (scaler_autoscaler_store_refresh (store, &error));
  g_assert_null (scaler_autoscaler_get_load_error (a));
  g_assert_nonnull (scaler_autoscaler_get_config (a));

  /* Added and removed files. */
  write_config (dir, ID_C, "gamma", 1);
  g_assert_cmpint (g_unlink (path_b), ==, 0);
  g_assert_true (scaler_autoscaler_store_refresh (store, &error));
  g_assert_null (scaler_autoscaler_store_find (store, ID_B));
  g_assert_nonnull (scaler_autoscaler_store_find (store, ID_C));
  g_assert_cmpuint (counts.removed, ==, 1);
  g_assert_cmpuint (counts.added, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);

  /* A file that now holds another id: a removal and an addition. */
  write_config (dir, ID_B, "beta", 1);
  g_assert_cmpint (g_rename (path_b, path_a), ==, 0);
  g_assert_true (scaler_autoscaler_store_refresh (store, &error));
  g_assert_null (scaler_autoscaler_store_find (store, ID_A));
  g_assert_nonnull (scaler_autoscaler_store_find (store, ID_B));
  scaler_test_rm_rf (dir);
}

static void
test_overwrite_broken (void)
{
  g_autofree char *dir = scaler_test_make_tmp_dir ("scaler-refresh-XXXXXX");
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (dir);
  g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (dir, ID_A ".json", NULL);
  ScalerAutoscaler *item;

  /* A broken file whose id can still be read. */
  g_assert_true (g_file_set_contents (file, "{\"version\":1,\"id\":\"" ID_A "\",\"typo\":1}", -1, NULL));
  g_assert_true (scaler_autoscaler_store_load (store, &error));
  item = scaler_autoscaler_store_find (store, ID_A);
  g_assert_nonnull (item);
  g_assert_true (scaler_autoscaler_is_broken (item));

  g_free (config->id);
  config->id = g_strdup (ID_A);
  /* update() leaves a broken file alone; overwrite() replaces it. */
  g_assert_false (scaler_autoscaler_store_update (store, config, &error));
  g_clear_error (&error);
  g_assert_true (scaler_autoscaler_store_overwrite (store, config, &error));
  g_assert_no_error (error);
  g_assert_false (scaler_autoscaler_is_broken (item));
  g_assert_cmpstr (scaler_autoscaler_get_name (item), ==, "Demo");
  scaler_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/store-refresh/refresh", test_refresh);
  g_test_add_func ("/scaler/store-refresh/overwrite-broken", test_overwrite_broken);

  return g_test_run ();
}
