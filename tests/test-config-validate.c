/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of scaler_config_validate() and scaler_config_validate_json(): every
 * broken config under tests/data/config/bad/ must give an error at the exact
 * JSON path, with a message a user can act on. */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "scaler-core.h"

typedef struct
{
  const char *file;
  const char *path;
  const char *fragment;
} BadCase;

static const BadCase bad_cases[] = {
  { "01-malformed-json.json", "", "line 3, column" },
  { "02-empty-file.json", "", "The file is empty" },
  { "03-not-an-object.json", "", "must be a JSON object" },
  { "04-unknown-key-typo.json", "max_idle_time", "did you mean “max_idle_time_min”" },
  { "05-unknown-key-resource-typo.json", "resources[0].amiid", "did you mean “ami_id”" },
  { "06-unknown-key-aws.json", "aws.secret_key", "Unknown key “secret_key”" },
  { "07-wrong-type-max-instances.json", "resources[0].max_instances", "Expected a whole number, found a string" },
  { "08-fractional-max-instances.json", "resources[0].max_instances", "Expected a whole number, found 2.5" },
  { "09-wrong-type-is-spot.json", "resources[0].is_spot", "Expected true or false" },
  { "10-wrong-type-budget.json", "hourly_budget_usd", "Expected a number, found a string" },
  { "11-version-2.json", "version", "Version 2 is not supported; expected 1" },
  { "12-version-missing.json", "version", "The key “version” is missing" },
  { "13-id-not-uuid.json", "id", "is not a UUID" },
  { "14-id-missing.json", "id", "The key “id” is missing" },
  { "15-name-empty.json", "name", "The name is empty" },
  { "16-region-unknown.json", "aws.region", "“us-east-9” is not a known AWS region" },
  { "17-zone-wrong-region.json", "resources[0].availability_zones[1]", "“eu-west-1a” is not an availability zone of us-east-1" },
  { "18-ami-short.json", "resources[0].ami_id", "is not an AMI id" },
  { "19-ami-empty.json", "resources[0].ami_id", "The AMI id is empty" },
  { "20-ami-uppercase.json", "resources[0].ami_id", "lowercase hexadecimal" },
  { "21-instance-type-garbage.json", "resources[0].instance_type", "is not an EC2 instance type" },
  { "22-instance-type-empty.json", "resources[0].instance_type", "The instance type is empty" },
  { "23-security-group-bad.json", "resources[0].security_group_ids[1]", "is not a security group id" },
  { "24-subnet-bad.json", "resources[0].subnet_ids[0]", "is not a subnet id" },
  { "25-tag-aws-prefix.json", "aws.tags", "starts with “aws:”" },
  { "26-tag-our-prefix.json", "resources[0].tags", "starts with “ec2-autoscaler:”" },
  { "27-tag-key-too-long.json", "aws.tags", "EC2 allows at most 128" },
  { "28-tag-value-too-long.json", "resources[0].tags", "EC2 allows at most 256" },
  { "29-tags-too-many.json", "resources[0].tags", "EC2 allows at most 50" },
  { "30-tags-string-bad-item.json", "aws.tags", "“team” is not a key=value pair" },
  { "31-resource-name-colon.json", "resources[0].name", "contains “:”" },
  { "32-resource-name-duplicate.json", "resources[1].name", "resource names must be unique" },
  { "33-resource-name-empty.json", "resources[0].name", "The resource name is empty" },
  { "34-resource-name-space.json", "resources[1].name", "contains a space or “/”" },
  { "35-workers-prefix-colon.json", "workers_prefix", "The workers prefix “dyn:worker” contains “:”" },
  { "36-credentials-source.json", "aws.credentials", "“vault” is not a valid value; expected one of: keyring, environment" },
  { "37-queue-short.json", "resources[0].queue", "at least 3 characters" },
  { "38-max-instances-zero.json", "resources[0].max_instances", "expected a whole number from 1 to 1000" },
  { "39-max-instances-too-many.json", "resources[1].max_instances", "expected a whole number from 1 to 1000" },
  { "40-idle-time-zero.json", "max_idle_time_min", "greater than 0" },
  { "41-polling-negative.json", "polling_interval_time_min", "greater than 0" },
  { "42-budget-negative.json", "hourly_budget_usd", "positive number of US dollars" },
  { "43-api-server-not-url.json", "clearml.api_server", "is not an http(s) URL" },
  { "44-files-server-ftp.json", "clearml.files_server", "is not an http(s) URL" },
  { "45-endpoint-not-url.json", "aws.endpoint", "is not an http(s) URL" },
  { "46-ebs-size-too-big.json", "resources[0].ebs_volume_size", "expected a whole number from 1 to 16384" },
  { "47-ebs-size-zero-with-device.json", "resources[0].ebs_volume_size", "expected a whole number from 1 to 16384" },
  { "48-ebs-type-unknown.json", "resources[0].ebs_volume_type", "“gp4” is not an EBS volume type" },
  { "49-ebs-device-not-dev.json", "resources[0].ebs_device_name", "is not a device name" },
  { "50-on-stop-unknown.json", "on_stop", "“terminate” is not a valid value" },
  { "51-no-resources.json", "resources", "There are no resources" },
  { "52-resource-not-object.json", "resources[1]", "Expected an object describing a resource" },
  { "53-iam-profile-bad.json", "resources[0].iam_instance_profile", "is not an instance profile" },
  { "54-negative-ebs-size.json", "resources[0].ebs_volume_size", "at least 0" },
  { "70-idle-policy-unknown.json", "idle_policy", "“smart” is not a valid value; expected one of: adaptive, fixed" },
  { "71-idle-policy-not-string.json", "idle_policy", "Expected one of: adaptive, fixed, found true/false" },
};

static char *
data_path (const char *kind,
           const char *file)
{
  return g_build_filename (SCALER_SOURCE_DIR, "tests", "data", "config", kind, file, NULL);
}

static GPtrArray *
validate_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  return scaler_config_validate_json (contents, length);
}

static char *
describe (GPtrArray *problems)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      const ScalerConfigProblem *problem = g_ptr_array_index (problems, i);

      g_string_append_printf (text, "  %s %s: %s\n",
                              problem->severity == SCALER_PROBLEM_ERROR ? "error" : "warning",
                              problem->path, problem->message);
    }

  return g_string_free (text, FALSE);
}

static const ScalerConfigProblem *
find_problem (GPtrArray  *problems,
              const char *path)
{
  for (guint i = 0; i < problems->len; i++)
    {
      const ScalerConfigProblem *problem = g_ptr_array_index (problems, i);

      if (g_strcmp0 (problem->path, path) == 0)
        return problem;
    }

  return NULL;
}

static void
test_bad_case (gconstpointer data)
{
  const BadCase *bad = data;
  g_autofree char *path = data_path ("bad", bad->file);
  g_autoptr(GPtrArray) problems = validate_file (path);
  g_autofree char *text = describe (problems);
  const ScalerConfigProblem *problem = find_problem (problems, bad->path);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(GPtrArray) load_problems = NULL;

  if (problem == NULL)
    g_error ("%s: no problem at “%s”; got:\n%s", bad->file, bad->path, text);
  if (strstr (problem->message, bad->fragment) == NULL)
    g_error ("%s: problem at “%s” is “%s”, expected it to contain “%s”", bad->file, bad->path,
             problem->message, bad->fragment);
  g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_ERROR);
  g_assert_true (scaler_config_problems_have_errors (problems));

  /* Each problem is reported once, not also as the default that replaced it. */
  for (guint i = 0; i < problems->len; i++)
    for (guint j = i + 1; j < problems->len; j++)
      g_assert_cmpstr (((ScalerConfigProblem *) g_ptr_array_index (problems, i))->message, !=,
                       ((ScalerConfigProblem *) g_ptr_array_index (problems, j))->message);

  /* The strict loader refuses it and names the path in its error. */
  g_file_get_contents (path, &contents, &length, NULL);
  config = scaler_config_load (contents, length, &load_problems, &error);
  g_assert_null (config);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, bad->fragment));
  g_assert_cmpuint (load_problems->len, ==, problems->len);
}

static void
test_good_files (void)
{
  const char *files[] = { "full.json", "minimal.json", "clearml-style.json" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = data_path ("good", files[i]);
      g_autoptr(GPtrArray) problems = validate_file (path);
      g_autofree char *text = describe (problems);

      if (problems->len != 0)
        g_error ("%s should be clean, got:\n%s", files[i], text);
    }
}

static ScalerConfig *
good_config (void)
{
  g_autofree char *path = data_path ("good", "full.json");
  g_autoptr(GError) error = NULL;
  ScalerConfig *config = scaler_config_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);

  return config;
}

static ScalerResource *
resource0 (ScalerConfig *config)
{
  return g_ptr_array_index (config->resources, 0);
}

static void
test_unknown_type_is_warning (void)
{
  g_autoptr(ScalerConfig) config = good_config ();
  g_autoptr(GPtrArray) problems = NULL;
  const ScalerConfigProblem *problem;

  g_free (resource0 (config)->instance_type);
  resource0 (config)->instance_type = g_strdup ("g9x.xlarge");
  problems = scaler_config_validate (config);

  problem = find_problem (problems, "resources[0].instance_type");
  g_assert_nonnull (problem);
  g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_WARNING);
  g_assert_nonnull (strstr (problem->message, "not in the bundled price table"));
  g_assert_false (scaler_config_problems_have_errors (problems));
}

static void
test_no_price_in_region_is_warning (void)
{
  g_autoptr(ScalerConfig) config = good_config ();
  g_autoptr(GPtrArray) problems = NULL;
  const ScalerConfigProblem *problem;

  /* g6.* has no eu-west-1 price in the bundled table (see data/prices/README.md). */
  g_free (config->aws_region);
  config->aws_region = g_strdup ("eu-west-1");
  g_strfreev (resource0 (config)->availability_zones);
  resource0 (config)->availability_zones = g_new0 (char *, 1);
  g_free (resource0 (config)->instance_type);
  resource0 (config)->instance_type = g_strdup ("g6.xlarge");
  problems = scaler_config_validate (config);

  problem = find_problem (problems, "resources[0].instance_type");
  g_assert_nonnull (problem);
  g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_WARNING);
  g_assert_nonnull (strstr (problem->message, "eu-west-1"));
}

static void
test_all_problems_at_once (void)
{
  g_autoptr(ScalerConfig) config = good_config ();
  g_autoptr(GPtrArray) problems = NULL;

  g_free (config->name);
  config->name = g_strdup ("");
  g_free (config->aws_region);
  config->aws_region = g_strdup ("mars-north-1");
  config->max_spin_up_time_min = -1;
  g_free (resource0 (config)->ami_id);
  resource0 (config)->ami_id = g_strdup ("ami-zz");
  problems = scaler_config_validate (config);

  g_assert_nonnull (find_problem (problems, "name"));
  g_assert_nonnull (find_problem (problems, "aws.region"));
  g_assert_nonnull (find_problem (problems, "max_spin_up_time_min"));
  g_assert_nonnull (find_problem (problems, "resources[0].ami_id"));
}

static void
test_not_finite (void)
{
  g_autoptr(ScalerConfig) config = good_config ();
  g_autoptr(GPtrArray) problems = NULL;

  config->max_idle_time_min = INFINITY;
  config->polling_interval_time_min = NAN;
  config->hourly_budget_usd = NAN;
  problems = scaler_config_validate (config);

  g_assert_nonnull (find_problem (problems, "max_idle_time_min"));
  g_assert_nonnull (find_problem (problems, "polling_interval_time_min"));
  g_assert_nonnull (find_problem (problems, "hourly_budget_usd"));
}

/* Both idle policies are valid; anything else (a struct filled in by code,
 * not parsed) is an error at "idle_policy" naming the two values. */
static void
test_idle_policy_values (void)
{
  g_autoptr(ScalerConfig) config = good_config ();
  g_autoptr(GPtrArray) problems = NULL;
  const ScalerConfigProblem *problem;

  g_assert_cmpint (config->idle_policy, ==, SCALER_IDLE_POLICY_FIXED);
  problems = scaler_config_validate (config);
  g_assert_null (find_problem (problems, "idle_policy"));

  g_clear_pointer (&problems, g_ptr_array_unref);
  config->idle_policy = SCALER_IDLE_POLICY_ADAPTIVE;
  problems = scaler_config_validate (config);
  g_assert_null (find_problem (problems, "idle_policy"));

  g_clear_pointer (&problems, g_ptr_array_unref);
  config->idle_policy = (ScalerIdlePolicy) 7;
  problems = scaler_config_validate (config);
  problem = find_problem (problems, "idle_policy");
  g_assert_nonnull (problem);
  g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_ERROR);
  g_assert_nonnull (strstr (problem->message, "“adaptive” or “fixed”"));
}

static void
test_tag_lengths_count_characters (void)
{
  g_autoptr(ScalerConfig) config = good_config ();
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GString) value = g_string_new (NULL);
  g_autoptr(GString) key = g_string_new (NULL);

  /* 256 two-byte characters: 512 bytes, still within the 256-character limit. */
  for (guint i = 0; i < 256; i++)
    g_string_append (value, "é");
  for (guint i = 0; i < 128; i++)
    g_string_append (key, "ü");
  g_ptr_array_add (config->aws_tags, scaler_tag_new (key->str, value->str));
  problems = scaler_config_validate (config);
  g_assert_null (find_problem (problems, "aws.tags"));

  /* 47 user tags + our 3 = 50: fine; one more is too many. */
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_ptr_array_set_size (config->aws_tags, 0);
  g_ptr_array_set_size (resource0 (config)->tags, 0);
  for (guint i = 0; i < 47; i++)
    {
      g_autofree char *k = g_strdup_printf ("key%u", i);

      g_ptr_array_add (config->aws_tags, scaler_tag_new (k, "v"));
    }
  problems = scaler_config_validate (config);
  g_assert_null (find_problem (problems, "aws.tags"));
  g_assert_null (find_problem (problems, "resources[0].tags"));

  g_clear_pointer (&problems, g_ptr_array_unref);
  g_ptr_array_add (resource0 (config)->tags, scaler_tag_new ("one-more", "v"));
  problems = scaler_config_validate (config);
  g_assert_nonnull (find_problem (problems, "resources[0].tags"));
  /* A resource tag that replaces an instance-wide one does not add a tag. */
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_ptr_array_set_size (resource0 (config)->tags, 0);
  g_ptr_array_add (resource0 (config)->tags, scaler_tag_new ("key3", "override"));
  problems = scaler_config_validate (config);
  g_assert_null (find_problem (problems, "resources[0].tags"));
}

static void
test_invalid_utf8_struct (void)
{
  g_autoptr(ScalerConfig) config = good_config ();
  g_autoptr(GPtrArray) problems = NULL;

  g_ptr_array_add (config->aws_tags, scaler_tag_new ("bad\xff", "v"));
  g_free (config->name);
  config->name = g_strdup ("\xf0");
  problems = scaler_config_validate (config);

  g_assert_nonnull (find_problem (problems, "aws.tags"));
  g_assert_nonnull (find_problem (problems, "name"));
}

static void
test_typo_without_suggestion (void)
{
  const char *json = "{ \"version\": 1, \"id\": \"5b0f3c9e-1c2d-4e5f-8a9b-0123456789ab\", \"zzzzzz\": 1 }";
  g_autoptr(GPtrArray) problems = scaler_config_validate_json (json, -1);
  const ScalerConfigProblem *problem = find_problem (problems, "zzzzzz");

  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem->message, "expected one of: version, id, name"));
}

static void
test_deep_nesting (void)
{
  /* json-glib recurses: a deeply nested file must be refused, not crash. */
  g_autoptr(GString) deep = g_string_new ("{\"version\": 1, \"aws\": ");
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const ScalerConfigProblem *problem;

  for (guint i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  problems = scaler_config_validate_json (deep->str, deep->len);
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpstr (problem->path, ==, "");
  g_assert_nonnull (strstr (problem->message, "nested more than 64 levels deep"));
  g_assert_nonnull (strstr (problem->message, "line 1, column 86"));

  config = scaler_config_new_from_json (deep->str, deep->len, &error);
  g_assert_null (config);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);

  /* Brackets inside strings do not count. */
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_string_assign (deep, "{\"name\": \"");
  for (guint i = 0; i < 100; i++)
    g_string_append (deep, "[{\\\"");
  g_string_append (deep, "\"}");
  problems = scaler_config_validate_json (deep->str, deep->len);
  g_assert_null (find_problem (problems, ""));
  g_assert_null (find_problem (problems, "name"));
}

static void
test_problem_messages_translatable (void)
{
  /* Messages go through gettext with our domain: with no catalogue they come
   * back unchanged, and they never carry a printf directive unexpanded. */
  g_autoptr(GPtrArray) problems = scaler_config_validate_json ("{}", -1);

  g_assert_cmpuint (problems->len, >, 0);
  for (guint i = 0; i < problems->len; i++)
    g_assert_null (strstr (((ScalerConfigProblem *) g_ptr_array_index (problems, i))->message, "%"));
}

static char *
run_check (const char *config_path,
           int        *status)
{
  g_autofree char *daemon = g_build_filename (SCALER_BUILD_DIR, "src", "daemon", "ec2-autoscalerd", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  char *err = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              daemon, "--check", config_path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  *status = g_subprocess_get_exit_status (process);
  /* --check talks only through stderr and its exit status. */
  g_assert_cmpstr (out, ==, "");

  return err;
}

static void
test_check_cli (void)
{
  int status = -1;

  /* Good files: exit 0, nothing printed. */
  {
    g_autofree char *path = data_path ("good", "full.json");
    g_autofree char *err = run_check (path, &status);

    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (err, ==, "");
  }

  /* Every broken file: exit 1, one "<json.path>: <message>" line per problem. */
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = data_path ("bad", bad_cases[i].file);
      g_autofree char *err = run_check (path, &status);
      g_autofree char *expected = g_strdup_printf ("%s: ", *bad_cases[i].path != '\0' ? bad_cases[i].path : path);
      g_autoptr(GPtrArray) problems = validate_file (path);
      g_auto(GStrv) lines = g_strsplit (err, "\n", -1);
      gboolean found = FALSE;

      g_assert_cmpint (status, ==, 1);
      /* One line per problem, plus the empty string after the last newline. */
      g_assert_cmpuint (g_strv_length (lines), ==, problems->len + 1);
      for (guint l = 0; lines[l] != NULL; l++)
        if (g_str_has_prefix (lines[l], expected) && strstr (lines[l], bad_cases[i].fragment) != NULL)
          found = TRUE;
      if (!found)
        g_error ("--check %s printed:\n%s\nexpected a line “%s…%s…”", bad_cases[i].file, err,
                 expected, bad_cases[i].fragment);
    }

  /* A warning only: printed, still exit 0. */
  {
    g_autoptr(ScalerConfig) config = good_config ();
    g_autofree char *json = NULL;
    g_autofree char *dir = g_dir_make_tmp ("check-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "warn.json", NULL);
    g_autofree char *err = NULL;

    g_free (resource0 (config)->instance_type);
    resource0 (config)->instance_type = g_strdup ("g9x.xlarge");
    json = scaler_config_to_json (config);
    g_assert_true (g_file_set_contents (path, json, -1, NULL));
    err = run_check (path, &status);
    g_assert_cmpint (status, ==, 0);
    g_assert_true (g_str_has_prefix (err, "resources[0].instance_type: warning: "));
    g_unlink (path);
    g_rmdir (dir);
  }

  /* A file that cannot be read: the file is the path. */
  {
    g_autofree char *err = run_check ("/nonexistent/ec2-autoscaler.json", &status);

    g_assert_cmpint (status, ==, 1);
    g_assert_true (g_str_has_prefix (err, "/nonexistent/ec2-autoscaler.json: "));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpuint (G_N_ELEMENTS (bad_cases), >=, 30);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *name = g_strndup (bad_cases[i].file, strlen (bad_cases[i].file) - strlen (".json"));
      g_autofree char *test_path = g_strdup_printf ("/scaler/config-validate/bad/%s", name);

      g_test_add_data_func (test_path, &bad_cases[i], test_bad_case);
    }
  g_test_add_func ("/scaler/config-validate/good-files", test_good_files);
  g_test_add_func ("/scaler/config-validate/unknown-type-is-warning", test_unknown_type_is_warning);
  g_test_add_func ("/scaler/config-validate/no-price-in-region", test_no_price_in_region_is_warning);
  g_test_add_func ("/scaler/config-validate/all-problems-at-once", test_all_problems_at_once);
  g_test_add_func ("/scaler/config-validate/not-finite", test_not_finite);
  g_test_add_func ("/scaler/config-validate/idle-policy", test_idle_policy_values);
  g_test_add_func ("/scaler/config-validate/tag-lengths", test_tag_lengths_count_characters);
  g_test_add_func ("/scaler/config-validate/invalid-utf8", test_invalid_utf8_struct);
  g_test_add_func ("/scaler/config-validate/typo-without-suggestion", test_typo_without_suggestion);
  g_test_add_func ("/scaler/config-validate/messages", test_problem_messages_translatable);
  g_test_add_func ("/scaler/config-validate/deep-nesting", test_deep_nesting);
  g_test_add_func ("/scaler/config-validate/check-cli", test_check_cli);

  return g_test_run ();
}
