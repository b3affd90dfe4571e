/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of ScalerAutoscalerStore: files on disk (atomic, 0600, no leftovers),
 * broken files kept and reported, in-place updates, duplicate/rename/delete. */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "scaler-core.h"
#include "support/scaler-test-util.h"
#include "support/scaler-test-config.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("scaler-store-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static ScalerConfig *
make_config (const char *name)
{
  return scaler_test_config_new (&(ScalerTestConfigOptions) {
    .name = name,
    .ami_id = "ami-0123456789abcdef0",
  });
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

static GStrv
list_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_strv_builder_add (builder, name);

  return g_strv_builder_end (builder);
}

static void
assert_mode_0600 (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static guint items_changed_count;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  items_changed_count++;
}

static void
test_default_directory (void)
{
  g_autofree char *dir = scaler_autoscaler_store_dup_default_directory ();
  g_autofree char *expected = g_build_filename (g_get_user_config_dir (), "ec2-autoscaler", NULL);
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (NULL);

  g_assert_cmpstr (dir, ==, expected);
  g_assert_cmpstr (scaler_autoscaler_store_get_directory (store), ==, expected);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (store)) == SCALER_TYPE_AUTOSCALER);
}

static void
test_add_and_load (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (fixture->dir, "nested", "ec2-autoscaler", NULL);
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (dir);
  g_autoptr(ScalerAutoscalerStore) again = NULL;
  g_autoptr(ScalerConfig) beta = make_config ("Beta");
  g_autoptr(ScalerConfig) alpha = make_config ("Alpha");
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerAutoscaler) first = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) names = NULL;
  ScalerAutoscaler *item;
  GStatBuf st;

  /* A missing directory is an empty store. */
  g_assert_true (scaler_autoscaler_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), NULL);
  items_changed_count = 0;
  item = scaler_autoscaler_store_add (store, beta, &error);
  g_assert_no_error (error);
  g_assert_nonnull (item);
  g_assert_cmpuint (items_changed_count, ==, 1);
  item = scaler_autoscaler_store_add (store, alpha, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);

  /* Sorted by name. */
  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_cmpstr (scaler_autoscaler_get_name (first), ==, "Alpha");
  g_assert_true (first == item);

  path = g_strdup_printf ("%s/%s.json", dir, alpha->id);
  g_assert_cmpstr (scaler_autoscaler_get_path (item), ==, path);
  g_assert_cmpstr (scaler_autoscaler_get_id (item), ==, alpha->id);
  g_assert_true (scaler_autoscaler_get_config (item) == alpha);
  g_assert_null (scaler_autoscaler_get_load_error (item));
  g_assert_false (scaler_autoscaler_is_broken (item));
  contents = read_file (path);
  expected = scaler_config_to_json (alpha);
  g_assert_cmpstr (contents, ==, expected);
  assert_mode_0600 (path);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* Nothing but the two files: no temp files left behind. */
  names = list_dir (dir);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_true (g_str_has_suffix (names[i], ".json"));

  /* The same id twice is refused. */
  g_assert_null (scaler_autoscaler_store_add (store, alpha, &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
  g_clear_error (&error);

  /* A second store reads them back. */
  again = scaler_autoscaler_store_new (dir);
  g_assert_true (scaler_autoscaler_store_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);
  item = scaler_autoscaler_store_find (again, beta->id);
  g_assert_nonnull (item);
  {
    g_autofree char *a = scaler_config_to_json (scaler_autoscaler_get_config (item));
    g_autofree char *b = scaler_config_to_json (beta);

    g_assert_cmpstr (a, ==, b);
  }
  g_assert_null (scaler_autoscaler_store_find (again, "no-such-id"));
}

static void
test_add_invalid_refused (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (fixture->dir);
  g_autoptr(ScalerConfig) config = make_config ("Broken");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);

  g_free (resource->ami_id);
  resource->ami_id = g_strdup ("ami-nothex");
  config->max_idle_time_min = 0;

  g_assert_null (scaler_autoscaler_store_add (store, config, &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "resources[0].ami_id: "));
  g_assert_nonnull (strstr (error->message, "max_idle_time_min: "));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  names = list_dir (fixture->dir);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
}

static void
test_broken_files_kept (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (fixture->dir);
  g_autoptr(ScalerAutoscalerStore) again = NULL;
  g_autoptr(ScalerConfig) good = make_config ("Good");
  g_autoptr(GError) error = NULL;
  g_autofree char *corrupt = g_build_filename (fixture->dir, "corrupt.json", NULL);
  g_autofree char *invalid = g_build_filename (fixture->dir, "invalid.json", NULL);
  g_autofree char *unreadable = g_build_filename (fixture->dir, "unreadable.json", NULL);
  g_autofree char *other = g_build_filename (fixture->dir, "notes.txt", NULL);
  const char *corrupt_text = "{ \"version\": 1, \"name\": \"half-written";
  g_autofree char *invalid_text = NULL;
  g_autofree char *after = NULL;
  ScalerAutoscaler *item;
  guint n_broken = 0;
  GStatBuf before_st, after_st;

  g_assert_nonnull (scaler_autoscaler_store_add (store, good, &error));
  g_assert_no_error (error);

  /* Truncated JSON, valid JSON that does not validate, and a directory. */
  g_assert_true (g_file_set_contents (corrupt, corrupt_text, -1, NULL));
  {
    g_autoptr(ScalerConfig) bad = make_config ("Bad region");

    g_free (bad->aws_region);
    bad->aws_region = g_strdup ("moon-1");
    invalid_text = scaler_config_to_json (bad);
    g_assert_true (g_file_set_contents (invalid, invalid_text, -1, NULL));
  }
  g_assert_cmpint (g_mkdir (unreadable, 0700), ==, 0);
  g_assert_true (g_file_set_contents (other, "not a config", -1, NULL));
  g_assert_cmpint (g_stat (corrupt, &before_st), ==, 0);

  again = scaler_autoscaler_store_new (fixture->dir);
  g_assert_true (scaler_autoscaler_store_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 4);

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(ScalerAutoscaler) it = g_list_model_get_item (G_LIST_MODEL (again), i);

      if (scaler_autoscaler_is_broken (it))
        {
          n_broken++;
          g_assert_null (scaler_autoscaler_get_config (it));
          g_assert_nonnull (scaler_autoscaler_get_load_error (it));
        }
    }
  g_assert_cmpuint (n_broken, ==, 3);

  /* The good one still loads. */
  item = scaler_autoscaler_store_find (again, good->id);
  g_assert_nonnull (item);
  g_assert_false (scaler_autoscaler_is_broken (item));

  /* The broken ones say why, with the path of the problem. */
  item = scaler_autoscaler_store_find (again, "corrupt");
  g_assert_nonnull (item);
  g_assert_nonnull (strstr (scaler_autoscaler_get_load_error (item), "Malformed JSON"));
  g_assert_cmpstr (scaler_autoscaler_get_name (item), ==, "corrupt.json");
  item = scaler_autoscaler_store_find (again, "unreadable");
  g_assert_nonnull (item);
  g_assert_nonnull (strstr (scaler_autoscaler_get_load_error (item), "Cannot read"));
  {
    g_autoptr(ScalerConfig) bad = scaler_config_new_from_json (invalid_text, -1, NULL);

    item = scaler_autoscaler_store_find (again, bad->id);
    g_assert_nonnull (item);
    g_assert_nonnull (strstr (scaler_autoscaler_get_load_error (item), "aws.region"));

    /* Updating a broken item is refused and its file stays as it was. */
    g_free (bad->aws_region);
    bad->aws_region = g_strdup ("us-east-1");
    g_assert_false (scaler_autoscaler_store_update (again, bad, &error));
    g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
    g_clear_error (&error);
    g_assert_null (scaler_autoscaler_store_duplicate (again, bad->id, &error));
    g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
    g_clear_error (&error);
    g_assert_false (scaler_autoscaler_store_rename (again, bad->id, "x", &error));
    g_clear_error (&error);
    /* Not even through add() with the same id. */
    g_assert_null (scaler_autoscaler_store_add (again, bad, &error));
    g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
    g_clear_error (&error);
    after = read_file (invalid);
    g_assert_cmpstr (after, ==, invalid_text);
    g_clear_pointer (&after, g_free);
  }

  /* Loading again changes nothing on disk. */
  g_assert_true (scaler_autoscaler_store_load (again, &error));
  after = read_file (corrupt);
  g_assert_cmpstr (after, ==, corrupt_text);
  g_assert_cmpint (g_stat (corrupt, &after_st), ==, 0);
  g_assert_cmpint (before_st.st_ino, ==, after_st.st_ino);
  g_assert_cmpint (before_st.st_mtime, ==, after_st.st_mtime);
  g_assert_true (g_file_test (unreadable, G_FILE_TEST_IS_DIR));
}

static guint notify_config_count;
static guint notify_name_count;

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  if (g_str_equal (pspec->name, "config"))
    notify_config_count++;
  else if (g_str_equal (pspec->name, "name"))
    notify_name_count++;
}

static void
test_update_in_place (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (fixture->dir);
  g_autoptr(ScalerConfig) config = make_config ("Pool");
  g_autoptr(ScalerConfig) edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerAutoscaler) at0 = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) names = NULL;
  ScalerAutoscaler *item;
  int old_fd;
  char buffer[64] = { 0 };
  g_autofree char *old_text = NULL;
  GStatBuf before, after;

  item = scaler_autoscaler_store_add (store, config, &error);
  g_assert_no_error (error);
  path = g_strdup (scaler_autoscaler_get_path (item));
  old_text = read_file (path);
  g_assert_cmpint (g_stat (path, &before), ==, 0);
  /* A reader that opened the old file keeps seeing the complete old file. */
  old_fd = open (path, O_RDONLY);
  g_assert_cmpint (old_fd, >=, 0);

  g_signal_connect (item, "notify", G_CALLBACK (notify_cb), NULL);
  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), NULL);
  notify_config_count = notify_name_count = items_changed_count = 0;

  edited = scaler_config_copy (config);
  edited->max_idle_time_min = 3.5;
  g_assert_true (scaler_autoscaler_store_update (store, edited, &error));
  g_assert_no_error (error);

  /* Same object, new config, notified; the model did not remove/insert. */
  g_assert_true (scaler_autoscaler_store_find (store, config->id) == item);
  at0 = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (at0 == item);
  g_assert_true (scaler_autoscaler_get_config (item) == edited);
  g_assert_cmpuint (notify_config_count, ==, 1);
  g_assert_cmpuint (notify_name_count, ==, 0);
  g_assert_cmpuint (items_changed_count, ==, 0);

  contents = read_file (path);
  g_assert_nonnull (strstr (contents, "\"max_idle_time_min\" : 3.5"));
  assert_mode_0600 (path);

  /* Replaced by rename, not rewritten in place. */
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpint (before.st_ino, !=, after.st_ino);
  g_assert_cmpint (read (old_fd, buffer, sizeof buffer - 1), >, 0);
  g_assert_true (g_str_has_prefix (old_text, buffer));
  close (old_fd);

  names = list_dir (fixture->dir);
  g_assert_cmpuint (g_strv_length (names), ==, 1);

  /* Rename: in place too, and "name" is notified. */
  g_assert_true (scaler_autoscaler_store_rename (store, config->id, "Renamed pool", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (scaler_autoscaler_get_name (item), ==, "Renamed pool");
  g_assert_cmpuint (notify_name_count, ==, 1);
  g_assert_cmpuint (notify_config_count, ==, 2);
  g_assert_cmpuint (items_changed_count, ==, 0);
  g_clear_pointer (&contents, g_free);
  contents = read_file (path);
  g_assert_nonnull (strstr (contents, "\"name\" : \"Renamed pool\""));
  /* The rename kept the edit. */
  g_assert_nonnull (strstr (contents, "\"max_idle_time_min\" : 3.5"));

  /* An invalid update is refused; the item and the file stay. */
  {
    g_autoptr(ScalerConfig) bad = scaler_config_copy (scaler_autoscaler_get_config (item));
    g_autofree char *before_text = read_file (path);
    g_autofree char *after_text = NULL;

    g_free (bad->workers_prefix);
    bad->workers_prefix = g_strdup ("a:b");
    g_assert_false (scaler_autoscaler_store_update (store, bad, &error));
    g_assert_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG);
    g_assert_nonnull (strstr (error->message, "workers_prefix"));
    g_clear_error (&error);
    after_text = read_file (path);
    g_assert_cmpstr (before_text, ==, after_text);
    g_assert_cmpstr (scaler_autoscaler_get_config (item)->workers_prefix, ==, "dynamic_worker");
  }

  /* Unknown id. */
  {
    g_autoptr(ScalerConfig) stranger = make_config ("Stranger");

    g_assert_false (scaler_autoscaler_store_update (store, stranger, &error));
    g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
  }
}

static void
test_duplicate_rename_delete (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (fixture->dir);
  g_autoptr(ScalerConfig) config = make_config ("Pool");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  ScalerAutoscaler *copy;
  ScalerConfig *copy_config;
  g_autofree char *copy_path = NULL;
  g_autofree char *copy_id = NULL;

  g_assert_nonnull (scaler_autoscaler_store_add (store, config, &error));
  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), NULL);
  items_changed_count = 0;

  copy = scaler_autoscaler_store_duplicate (store, config->id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  g_assert_cmpuint (items_changed_count, ==, 1);
  copy_config = scaler_autoscaler_get_config (copy);
  g_assert_cmpstr (copy_config->name, ==, "Pool (copy)");
  g_assert_cmpstr (copy_config->id, !=, config->id);
  g_assert_true (g_uuid_string_is_valid (copy_config->id));
  g_assert_cmpstr (((ScalerResource *) g_ptr_array_index (copy_config->resources, 0))->ami_id, ==,
                   "ami-0123456789abcdef0");
  copy_path = g_strdup (scaler_autoscaler_get_path (copy));
  copy_id = g_strdup (copy_config->id);
  g_assert_true (g_file_test (copy_path, G_FILE_TEST_IS_REGULAR));
  assert_mode_0600 (copy_path);
  /* The original is unchanged. */
  g_assert_cmpstr (scaler_autoscaler_get_name (scaler_autoscaler_store_find (store, config->id)), ==, "Pool");

  g_assert_true (scaler_autoscaler_store_delete (store, copy_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (items_changed_count, ==, 2);
  g_assert_false (g_file_test (copy_path, G_FILE_TEST_EXISTS));
  g_assert_null (scaler_autoscaler_store_find (store, copy_id));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  g_assert_false (scaler_autoscaler_store_delete (store, copy_id, &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_false (scaler_autoscaler_store_rename (store, config->id, "", &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG);
  g_clear_error (&error);

  names = list_dir (fixture->dir);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_delete_clears_secrets (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (fixture->dir);
  g_autoptr(ScalerCredentials) credentials = scaler_credentials_memory_new ();
  g_autoptr(ScalerConfig) a = make_config ("A");
  g_autoptr(ScalerConfig) b = make_config ("B");
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  g_autoptr(ScalerSecrets) left = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_assert_nonnull (scaler_autoscaler_store_add (store, a, &error));
  g_assert_nonnull (scaler_autoscaler_store_add (store, b, &error));
  path = g_strdup (scaler_autoscaler_get_path (scaler_autoscaler_store_find (store, a->id)));

  secrets->aws_access_key_id = g_strdup ("AKIADELETEME");
  secrets->aws_secret_access_key = g_strdup ("delete-me-secret");
  secrets->git_password = g_strdup ("delete-me-git");
  scaler_credentials_store_secrets_async (credentials, a->id, secrets, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_secrets_finish (credentials, scaler_test_wait_result (&result), NULL));
  g_clear_object (&result);
  scaler_credentials_store_secrets_async (credentials, b->id, secrets, NULL, result_cb, &result);
  g_assert_true (scaler_credentials_store_secrets_finish (credentials, scaler_test_wait_result (&result), NULL));
  g_clear_object (&result);
  g_assert_cmpuint (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)), ==, 6);

  scaler_autoscaler_store_delete_async (store, a->id, credentials, NULL, result_cb, &result);
  g_assert_true (scaler_autoscaler_store_delete_finish (store, scaler_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_null (scaler_autoscaler_store_find (store, a->id));
  g_assert_cmpuint (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)), ==, 3);
  scaler_credentials_lookup_secrets_async (credentials, b->id, NULL, result_cb, &result);
  left = scaler_credentials_lookup_secrets_finish (credentials, scaler_test_wait_result (&result), NULL);
  g_assert_cmpstr (left->aws_secret_access_key, ==, "delete-me-secret");
  g_clear_object (&result);

  /* Unknown id: an error, and nothing cleared. */
  scaler_autoscaler_store_delete_async (store, a->id, credentials, NULL, result_cb, &result);
  g_assert_false (scaler_autoscaler_store_delete_finish (store, scaler_test_wait_result (&result), &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_FAILED);
  g_assert_cmpuint (scaler_credentials_memory_get_n_items (SCALER_CREDENTIALS_MEMORY (credentials)), ==, 3);
}

static void
test_delete_broken (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (fixture->dir);
  g_autofree char *corrupt = g_build_filename (fixture->dir, "junk.json", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (corrupt, "]]]", -1, NULL));
  g_assert_true (scaler_autoscaler_store_load (store, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  /* Explicitly deleting a broken item is the user's choice. */
  g_assert_true (scaler_autoscaler_store_delete (store, "junk", &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (corrupt, G_FILE_TEST_EXISTS));
}

static void
test_duplicate_ids_on_disk (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (fixture->dir);
  g_autoptr(ScalerConfig) config = make_config ("Twin");
  g_autofree char *json = scaler_config_to_json (config);
  g_autofree char *first = g_strdup_printf ("%s/%s.json", fixture->dir, config->id);
  g_autofree char *second = g_build_filename (fixture->dir, "zz-copied-by-hand.json", NULL);
  g_autoptr(GError) error = NULL;
  ScalerAutoscaler *item;

  g_assert_true (g_file_set_contents (first, json, -1, NULL));
  g_assert_true (g_file_set_contents (second, json, -1, NULL));
  g_assert_true (scaler_autoscaler_store_load (store, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  item = scaler_autoscaler_store_find (store, config->id);
  g_assert_cmpstr (scaler_autoscaler_get_path (item), ==, first);
  g_assert_false (scaler_autoscaler_is_broken (item));
  item = scaler_autoscaler_store_find (store, "zz-copied-by-hand");
  g_assert_nonnull (item);
  g_assert_true (scaler_autoscaler_is_broken (item));
}

static void
test_properties (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ScalerAutoscalerStore) store = scaler_autoscaler_store_new (fixture->dir);
  g_autoptr(ScalerConfig) config = make_config ("Props");
  g_autoptr(ScalerConfig) got = NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *load_error = NULL;
  g_autofree char *directory = NULL;
  ScalerAutoscaler *item = scaler_autoscaler_store_add (store, config, NULL);

  g_object_get (item, "id", &id, "name", &name, "config", &got, "path", &path,
                "load-error", &load_error, NULL);
  g_assert_cmpstr (id, ==, config->id);
  g_assert_cmpstr (name, ==, "Props");
  g_assert_true (got == config);
  g_assert_true (g_str_has_suffix (path, ".json"));
  g_assert_null (load_error);
  g_object_get (store, "directory", &directory, NULL);
  g_assert_cmpstr (directory, ==, fixture->dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/store/default-directory", test_default_directory);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/scaler/store/add-and-load", test_add_and_load);
  ADD ("/scaler/store/add-invalid-refused", test_add_invalid_refused);
  ADD ("/scaler/store/broken-files-kept", test_broken_files_kept);
  ADD ("/scaler/store/update-in-place", test_update_in_place);
  ADD ("/scaler/store/duplicate-rename-delete", test_duplicate_rename_delete);
  ADD ("/scaler/store/delete-clears-secrets", test_delete_clears_secrets);
  ADD ("/scaler/store/delete-broken", test_delete_broken);
  ADD ("/scaler/store/duplicate-ids-on-disk", test_duplicate_ids_on_disk);
  ADD ("/scaler/store/properties", test_properties);
#undef ADD

  return g_test_run ();
}
