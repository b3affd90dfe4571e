/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the shared helpers of libscaler-core: scaler_set_str and the
 * atomic file writer (scaler-util.h), and the JSON lookups that never warn
 * (scaler-json.h). */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scaler-core.h"
#include "scaler-json.h"
#include "scaler-util.h"

static void
test_set_str (void)
{
  g_autofree char *field = NULL;
  char *before;

  /* NULL to text, text to the same text, text to other text, back to NULL. */
  g_assert_true (scaler_set_str (&field, "a"));
  g_assert_cmpstr (field, ==, "a");
  before = field;
  g_assert_false (scaler_set_str (&field, "a"));
  g_assert_true (field == before);
  g_assert_true (scaler_set_str (&field, "b"));
  g_assert_cmpstr (field, ==, "b");
  g_assert_true (scaler_set_str (&field, NULL));
  g_assert_null (field);
  g_assert_false (scaler_set_str (&field, NULL));

  /* The new text may be a part of the old one. */
  scaler_set_str (&field, "prefix-suffix");
  g_assert_true (scaler_set_str (&field, field + strlen ("prefix-")));
  g_assert_cmpstr (field, ==, "suffix");
}

/* Each file test gets an empty folder, removed (empty again) afterwards. */
typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("scaler-util-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->dir);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (handle != NULL && g_dir_read_name (handle) != NULL)
    n++;
  return n;
}

static void
test_file_replace (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *top = g_build_filename (fixture->dir, "new", NULL);
  g_autofree char *sub = g_build_filename (top, "folder", NULL);
  g_autofree char *path = g_build_filename (sub, "file.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  struct stat st;

  /* The folder is created (0700), the file is 0600, no temp file is left. */
  g_assert_true (scaler_file_replace (path, "{\"a\": 1}\n", -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{\"a\": 1}\n");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (sub, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpuint (count_entries (sub), ==, 1);

  /* Replacing keeps one file, with exactly the new bytes (NULs included). */
  g_clear_pointer (&contents, g_free);
  g_assert_true (scaler_file_replace (path, "x\0y", 3, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, "x\0y", 3);
  g_assert_cmpuint (count_entries (sub), ==, 1);

  g_unlink (path);
  g_rmdir (sub);
  g_rmdir (top);
}

static void
test_file_replace_keeps_open (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "history", NULL);
  g_autofree char *contents = NULL;
  int fd = -1;

  /* With fd_out, writing goes on at the end of the new file. */
  g_assert_true (scaler_file_replace (path, "head", -1, &fd, NULL));
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "+tail", 5), ==, 5);
  close (fd);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "head+tail");
  g_unlink (path);
}

static void
test_file_replace_fails_cleanly (Fixture       *fixture,
                                 gconstpointer  data)
{
  const char *dir = fixture->dir;
  g_autofree char *path = g_build_filename (dir, "kept", NULL);
  g_autofree char *blocker = g_build_filename (dir, "not-a-folder", NULL);
  g_autofree char *below = g_build_filename (blocker, "file", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  /* A folder that is a file: an IO error naming it, nothing written. */
  g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
  g_assert_false (scaler_file_replace (below, "data", -1, NULL, &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, blocker));
  g_clear_error (&error);

  /* Over a folder (the rename fails, even for root): the folder stays, and
   * no temp file is left beside it. */
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  g_assert_false (scaler_file_replace (path, "data", -1, NULL, &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (count_entries (dir), ==, 2);
  g_rmdir (path);

  /* A read-only folder: the old file stays as it was, no temp file. */
  g_assert_true (scaler_file_replace (path, "old", -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
  if (access (dir, W_OK) != 0)   /* root may write anyway */
    {
      g_assert_false (scaler_file_replace (path, "new", -1, NULL, &error));
      g_assert_error (error, SCALER_ERROR, SCALER_ERROR_IO);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_assert_cmpstr (contents, ==, "old");
      g_assert_cmpuint (count_entries (dir), ==, 2);
    }
  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);

  g_unlink (path);
  g_unlink (blocker);
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *json)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_json_lookups (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o = parse_object (parser,
                                "{\"s\": \"text\", \"i\": 7, \"d\": 2.5, \"w\": 3.0, \"big\": 1e300,"
                                " \"b\": true, \"n\": null, \"o\": {\"k\": \"v\"}, \"a\": [{\"x\": 1}, 2]}");
  gint64 i = -1;
  double d = -1;
  gboolean b = FALSE;

  /* Each lookup finds its own type... */
  g_assert_cmpstr (scaler_json_member_string (o, "s"), ==, "text");
  g_assert_true (scaler_json_member_int64 (o, "i", &i));
  g_assert_cmpint (i, ==, 7);
  g_assert_true (scaler_json_member_int64 (o, "w", &i));
  g_assert_cmpint (i, ==, 3);
  g_assert_true (scaler_json_member_double (o, "d", &d));
  g_assert_cmpfloat (d, ==, 2.5);
  g_assert_true (scaler_json_member_double (o, "i", &d));
  g_assert_cmpfloat (d, ==, 7);
  g_assert_true (scaler_json_member_boolean (o, "b", &b));
  g_assert_true (b);
  g_assert_cmpstr (scaler_json_member_string (scaler_json_member_object (o, "o"), "k"), ==, "v");
  g_assert_cmpuint (json_array_get_length (scaler_json_member_array (o, "a")), ==, 2);
  g_assert_nonnull (scaler_json_array_object (scaler_json_member_array (o, "a"), 0));
  g_assert_null (scaler_json_array_object (scaler_json_member_array (o, "a"), 1));
  g_assert_true (JSON_NODE_HOLDS_NULL (scaler_json_member (o, "n")));
  g_assert_true (scaler_json_node_holds (scaler_json_member (o, "s"), G_TYPE_STRING));
  g_assert_true (scaler_json_node_is_number (scaler_json_member (o, "d")));

  /* ...and nothing else, without a warning (G_DEBUG=fatal-warnings), and
   * leaves the output alone. */
  i = 42;
  g_assert_false (scaler_json_member_int64 (o, "d", &i));
  g_assert_false (scaler_json_member_int64 (o, "big", &i));
  g_assert_false (scaler_json_member_int64 (o, "s", &i));
  g_assert_cmpint (i, ==, 42);
  g_assert_false (scaler_json_member_double (o, "s", &d));
  g_assert_false (scaler_json_member_double (o, "n", &d));
  g_assert_false (scaler_json_member_boolean (o, "i", &b));
  g_assert_null (scaler_json_member_string (o, "i"));
  g_assert_null (scaler_json_member_string (o, "n"));
  g_assert_null (scaler_json_member_string (o, "missing"));
  g_assert_null (scaler_json_member_object (o, "a"));
  g_assert_null (scaler_json_member_array (o, "o"));
  g_assert_false (scaler_json_node_holds (scaler_json_member (o, "n"), G_TYPE_STRING));
  g_assert_false (scaler_json_node_is_number (scaler_json_member (o, "b")));
  g_assert_null (scaler_json_node_object (NULL));
  g_assert_null (scaler_json_node_array (NULL));

  /* A missing object is an empty one. */
  g_assert_null (scaler_json_member (NULL, "s"));
  g_assert_null (scaler_json_member_string (NULL, "s"));
  g_assert_false (scaler_json_member_int64 (NULL, "i", &i));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/util/set-str", test_set_str);
  g_test_add ("/scaler/util/file-replace", Fixture, NULL,
              fixture_set_up, test_file_replace, fixture_tear_down);
  g_test_add ("/scaler/util/file-replace-keeps-open", Fixture, NULL,
              fixture_set_up, test_file_replace_keeps_open, fixture_tear_down);
  g_test_add ("/scaler/util/file-replace-fails-cleanly", Fixture, NULL,
              fixture_set_up, test_file_replace_fails_cleanly, fixture_tear_down);
  g_test_add_func ("/scaler/util/json-lookups", test_json_lookups);

  return g_test_run ();
}
