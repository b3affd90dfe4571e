/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of scaler_config_validate() and scaler_config_validate_json(): every
 * broken config under tests/data/config/bad/ must give an error at the exact
 * JSON path, with a message a user can act on. */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "scaler-core.h"
#include "support/scaler-test-util.h"

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
  { "16-region-not-aws.json", "aws.region", "“useast1” is not an AWS region name" },
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
  { "46-ebs-size-too-big.json", "resources[0].ebs_volume_size", "io2 volumes take a whole number from 4 to 65536 GiB" },
  { "47-ebs-size-zero-with-device.json", "resources[0].ebs_volume_size", "io2 volumes take a whole number from 4 to 65536 GiB" },
  { "48-ebs-type-unknown.json", "resources[0].ebs_volume_type", "“gp4” is not an EBS volume type" },
  { "49-ebs-device-not-dev.json", "resources[0].ebs_device_name", "is not a device name" },
  { "50-on-stop-unknown.json", "on_stop", "“terminate” is not a valid value" },
  { "51-no-resources.json", "resources", "There are no resources" },
  { "52-resource-not-object.json", "resources[1]", "Expected an object describing a resource" },
  { "53-iam-profile-bad.json", "resources[0].iam_instance_profile", "is not an instance profile" },
  { "54-negative-ebs-size.json", "resources[0].ebs_volume_size", "at least 0" },
  { "55-ebs-io1-no-iops.json", "resources[0].ebs_iops", "io1 volumes need provisioned IOPS: set ebs_iops to a whole number from 100 to 64000" },
  { "56-ebs-iops-ratio.json", "resources[0].ebs_iops", "10000 IOPS is too many for a 100 GiB io1 volume: at most 50 IOPS per GiB" },
  { "57-ebs-iops-on-gp2.json", "resources[0].ebs_iops", "gp2 volumes take no IOPS setting" },
  { "58-ebs-gp3-iops-range.json", "resources[0].ebs_iops", "90000 IOPS is out of range for gp3; expected a whole number from 3000 to 80000" },
  { "59-ebs-throughput-not-gp3.json", "resources[0].ebs_throughput", "Only gp3 volumes take a throughput setting" },
  { "60-ebs-gp3-throughput-range.json", "resources[0].ebs_throughput", "3000 MiB/s is out of range for gp3; expected a whole number from 125 to 2000" },
  { "61-ebs-st1-root.json", "resources[0].ebs_volume_type", "st1 (HDD) volumes cannot be the boot volume" },
  { "62-ebs-sc1-too-small.json", "resources[0].ebs_volume_size", "sc1 volumes take a whole number from 125 to 16384 GiB" },
  { "63-ebs-standard-too-big.json", "resources[0].ebs_volume_size", "standard volumes take a whole number from 1 to 1024 GiB" },
  { "64-hop-limit-zero.json", "resources[0].metadata_hop_limit", "expected a whole number from 1 to 64" },
  { "65-hop-limit-too-big.json", "resources[1].metadata_hop_limit", "The metadata hop limit is 65" },
  { "66-public-ip-string.json", "resources[0].associate_public_ip", "Expected true, false or null, found a string" },
  { "67-ebs-iops-string.json", "resources[0].ebs_iops", "Expected a whole number, found a string" },
  { "68-gp3-throughput-needs-iops.json", "resources[0].ebs_throughput", "1000 MiB/s needs at least 4000 IOPS on gp3" },
  { "69-profile-with-keyring.json", "aws.profile", "used only with “credentials”: “environment”" },
  { "70-profile-bad-name.json", "aws.profile", "is not an AWS profile name" },
  { "71-idle-policy-unknown.json", "idle_policy", "“smart” is not a valid value; expected one of: adaptive, fixed" },
  { "72-idle-policy-not-string.json", "idle_policy", "Expected one of: adaptive, fixed, found true/false" },
};

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
  g_autofree char *path = scaler_test_data_path ("config", "bad", bad->file, NULL);
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
      g_autofree char *path = scaler_test_data_path ("config", "good", files[i], NULL);
      g_autoptr(GPtrArray) problems = validate_file (path);
      g_autofree char *text = describe (problems);

      if (problems->len != 0)
        g_error ("%s should be clean, got:\n%s", files[i], text);
    }
}

static ScalerConfig *
good_config (void)
{
  g_autofree char *path = scaler_test_data_path ("config", "good", "full.json", NULL);
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

static const ScalerConfigProblem *
find_problem_with (GPtrArray  *problems,
                   const char *path,
                   const char *fragment)
{
  for (guint i = 0; i < problems->len; i++)
    {
      const ScalerConfigProblem *problem = g_ptr_array_index (problems, i);

      if (g_strcmp0 (problem->path, path) == 0 && strstr (problem->message, fragment) != NULL)
        return problem;
    }

  return NULL;
}

/* Values that go into the instance's clearml.conf: no control character
 * (the agent's pyhocon would not unescape \b, \f or \u00XX). */
static void
test_clearml_conf_control_characters (void)
{
  const char *bad[] = { "\x01", "\b", "\f", "\x7f", "\t", "\n", NULL };

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(ScalerConfig) config = good_config ();
      g_autoptr(GPtrArray) problems = NULL;
      const char *paths[] = { "clearml.api_server", "clearml.web_server", "clearml.files_server", "git_user" };

      g_free (config->clearml_api_server);
      config->clearml_api_server = g_strconcat ("https://api.clear.ml/", bad[i], NULL);
      g_free (config->clearml_web_server);
      config->clearml_web_server = g_strconcat ("https://app", bad[i], ".clear.ml", NULL);
      g_free (config->clearml_files_server);
      config->clearml_files_server = g_strconcat (bad[i], "https://files.clear.ml", NULL);
      g_free (config->git_user);
      config->git_user = g_strconcat ("bot", bad[i], NULL);
      problems = scaler_config_validate (config);
      for (guint j = 0; j < G_N_ELEMENTS (paths); j++)
        {
          const ScalerConfigProblem *problem = find_problem_with (problems, paths[j], "control character");

          g_assert_nonnull (problem);
          g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_ERROR);
          /* The message never quotes the control character itself. */
          g_assert_null (strstr (problem->message, bad[i]));
        }
    }

  /* Plain non-ASCII text is fine. */
  {
    g_autoptr(ScalerConfig) config = good_config ();
    g_autoptr(GPtrArray) problems = NULL;

    g_free (config->git_user);
    config->git_user = g_strdup ("José Müller 中文");
    problems = scaler_config_validate (config);
    g_assert_null (find_problem (problems, "git_user"));
  }
}

/* cpu_only: true/false/null in JSON, AUTO from the instance type. */
static void
test_cpu_only (void)
{
  g_autoptr(ScalerConfig) config = good_config ();
  ScalerResource *r = resource0 (config);
  struct { const char *type; gboolean cpu_only; } types[] = {
    { "m5.large", TRUE }, { "t3.micro", TRUE }, { "g4dn.xlarge", FALSE }, { "p5.48xlarge", FALSE },
    /* Not in the bundled table: by family name. */
    { "g6e.xlarge", FALSE }, { "gr6.4xlarge", FALSE }, { "p4de.24xlarge", FALSE }, { "g5g.xlarge", FALSE },
    { "g4ad.xlarge", TRUE }, { "c7i.large", TRUE }, { "m7g.medium", TRUE }, { "inf2.xlarge", TRUE },
    { "", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_free (r->instance_type);
      r->instance_type = g_strdup (types[i].type);
      r->cpu_only = SCALER_CPU_ONLY_AUTO;
      g_assert_cmpint (scaler_resource_is_cpu_only (r), ==, types[i].cpu_only);
      r->cpu_only = SCALER_CPU_ONLY_YES;
      g_assert_true (scaler_resource_is_cpu_only (r));
      r->cpu_only = SCALER_CPU_ONLY_NO;
      g_assert_false (scaler_resource_is_cpu_only (r));
    }

  /* JSON: true, false, null (= AUTO), absent (= AUTO); anything else is an error. */
  {
    const char *values[] = { "true", "false", "null", NULL };
    const ScalerCpuOnly expected[] = { SCALER_CPU_ONLY_YES, SCALER_CPU_ONLY_NO, SCALER_CPU_ONLY_AUTO };

    for (guint i = 0; values[i] != NULL; i++)
      {
        g_autofree char *json = g_strdup_printf ("{\"version\":1,\"resources\":[{\"name\":\"a\",\"cpu_only\":%s}]}",
                                                 values[i]);
        g_autoptr(ScalerConfig) parsed = scaler_config_new_from_json (json, -1, NULL);
        g_autoptr(ScalerConfig) again = NULL;
        g_autofree char *out = NULL;

        g_assert_cmpint (resource0 (parsed)->cpu_only, ==, expected[i]);
        out = scaler_config_to_json (parsed);
        again = scaler_config_new_from_json (out, -1, NULL);
        g_assert_cmpint (resource0 (again)->cpu_only, ==, expected[i]);
      }
  }
  {
    g_autoptr(GPtrArray) problems =
      scaler_config_validate_json ("{\"version\":1,\"id\":\"x\",\"resources\":[{\"cpu_only\":\"yes\"}]}", -1);

    g_assert_nonnull (find_problem_with (problems, "resources[0].cpu_only", "Expected true, false or null"));
  }
}

/* Warnings about what the agent on the instance would do. */
static void
test_agent_warnings (void)
{
  /* cpu_only false on a type without GPU, with docker: --gpus all fails. */
  {
    g_autoptr(ScalerConfig) config = good_config ();
    g_autoptr(GPtrArray) problems = NULL;
    const ScalerConfigProblem *problem;

    g_free (resource0 (config)->instance_type);
    resource0 (config)->instance_type = g_strdup ("m5.large");
    resource0 (config)->cpu_only = SCALER_CPU_ONLY_NO;
    problems = scaler_config_validate (config);
    problem = find_problem_with (problems, "resources[0].cpu_only", "--gpus all");
    g_assert_nonnull (problem);
    g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_WARNING);

    /* Without docker it does not matter. */
    g_clear_pointer (&problems, g_ptr_array_unref);
    g_free (config->default_docker_image);
    config->default_docker_image = g_strdup ("");
    problems = scaler_config_validate (config);
    g_assert_null (find_problem (problems, "resources[0].cpu_only"));
  }

  /* A type not in the table, with docker: say what was guessed. */
  {
    g_autoptr(ScalerConfig) config = good_config ();
    g_autoptr(GPtrArray) problems = NULL;

    g_free (resource0 (config)->instance_type);
    resource0 (config)->instance_type = g_strdup ("c7i.large");
    problems = scaler_config_validate (config);
    g_assert_nonnull (find_problem_with (problems, "resources[0].cpu_only", "no GPU"));
    g_clear_pointer (&problems, g_ptr_array_unref);
    resource0 (config)->cpu_only = SCALER_CPU_ONLY_YES;
    problems = scaler_config_validate (config);
    g_assert_null (find_problem (problems, "resources[0].cpu_only"));
  }

  /* A queue name the agent would take for an id, or one ClearML strips. */
  {
    const char *names[] = { "0123456789abcdef0123456789abcdef", "5b0f3c9e-1c2d-4e5f-8a9b-0123456789ab", " gpu", "gpu ", NULL };

    for (guint i = 0; names[i] != NULL; i++)
      {
        g_autoptr(ScalerConfig) config = good_config ();
        g_autoptr(GPtrArray) problems = NULL;
        const ScalerConfigProblem *problem;

        g_free (resource0 (config)->queue);
        resource0 (config)->queue = g_strdup (names[i]);
        problems = scaler_config_validate (config);
        problem = find_problem (problems, "resources[0].queue");
        g_assert_nonnull (problem);
        g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_WARNING);
        g_assert_false (scaler_config_problems_have_errors (problems));
      }
  }
}

/* Regions AWS adds and zones that vary per account are warnings, not
 * errors; a zone of another region stays an error (bad case 17). */
static void
test_regions_and_zones_warnings (void)
{
  const char *new_regions[] = { "ap-east-2", "ap-southeast-6" };

  for (guint i = 0; i < G_N_ELEMENTS (new_regions); i++)
    {
      g_autoptr(ScalerConfig) config = good_config ();
      g_autoptr(GPtrArray) problems = NULL;
      g_autofree char *zone = g_strconcat (new_regions[i], "b", NULL);
      g_autofree char *text = NULL;

      g_free (config->aws_region);
      config->aws_region = g_strdup (new_regions[i]);
      g_strfreev (resource0 (config)->availability_zones);
      resource0 (config)->availability_zones = g_strsplit (zone, ",", -1);
      problems = scaler_config_validate (config);
      text = describe (problems);
      /* Only the price table may lack the region. */
      for (guint p = 0; p < problems->len; p++)
        if (((ScalerConfigProblem *) g_ptr_array_index (problems, p))->severity == SCALER_PROBLEM_ERROR)
          g_error ("%s: %s", new_regions[i], text);
      g_assert_null (find_problem (problems, "aws.region"));
    }

  {
    g_autoptr(ScalerConfig) config = good_config ();
    g_autoptr(GPtrArray) problems = NULL;
    const ScalerConfigProblem *problem;

    /* Not listed, but of the aws partition's pattern. */
    g_free (config->aws_region);
    config->aws_region = g_strdup ("eu-central-9");
    g_strfreev (resource0 (config)->availability_zones);
    resource0 (config)->availability_zones = g_strsplit ("eu-central-9a", ",", -1);
    problems = scaler_config_validate (config);
    problem = find_problem (problems, "aws.region");
    g_assert_nonnull (problem);
    g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_WARNING);
    g_assert_nonnull (strstr (problem->message, "ec2.eu-central-9.amazonaws.com"));
    g_assert_null (find_problem (problems, "resources[0].availability_zones[0]"));
    g_assert_false (scaler_config_problems_have_errors (problems));
  }

  {
    g_autoptr(ScalerConfig) config = good_config ();
    g_autoptr(GPtrArray) problems = NULL;
    const ScalerConfigProblem *problem;

    /* A zone this version does not list (new, or a Local/Wavelength zone). */
    g_free (resource0 (config)->availability_zones[1]);
    resource0 (config)->availability_zones[1] = g_strdup ("us-east-1-wl1-bos-wlz-1");
    problems = scaler_config_validate (config);
    problem = find_problem (problems, "resources[0].availability_zones[1]");
    g_assert_nonnull (problem);
    g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_WARNING);
    g_assert_nonnull (strstr (problem->message, "describe-availability-zones"));
    g_assert_false (scaler_config_problems_have_errors (problems));
  }
}

/* HDD volumes on a device that is not a usual root device, and volume
 * settings without a device: warnings. */
static void
test_volume_warnings (void)
{
  g_autoptr(ScalerConfig) config = good_config ();
  g_autoptr(GPtrArray) problems = NULL;
  const ScalerConfigProblem *problem;
  ScalerResource *data = NULL;
  ScalerResource *plain = NULL;

  data = resource0 (config);
  g_free (data->ebs_device_name);
  data->ebs_device_name = g_strdup ("/dev/sdf");
  g_free (data->ebs_volume_type);
  data->ebs_volume_type = g_strdup ("st1");
  data->ebs_volume_size = 500;
  data->ebs_iops = 0;
  plain = g_ptr_array_index (config->resources, 1);
  plain->ebs_iops = 4000;
  problems = scaler_config_validate (config);

  problem = find_problem (problems, "resources[0].ebs_volume_type");
  g_assert_nonnull (problem);
  g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_WARNING);
  g_assert_nonnull (strstr (problem->message, "if /dev/sdf is the AMI's root device"));
  problem = find_problem (problems, "resources[1].ebs_volume_size");
  g_assert_nonnull (problem);
  g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_WARNING);
  g_assert_nonnull (strstr (problem->message, "only with ebs_device_name"));
  g_assert_false (scaler_config_problems_have_errors (problems));

  /* gp3 within every limit, and io2 at its 1,000:1 ratio. */
  {
    g_autoptr(GPtrArray) clean = NULL;

    g_free (data->ebs_volume_type);
    data->ebs_volume_type = g_strdup ("gp3");
    data->ebs_volume_size = 160;
    data->ebs_iops = 80000;
    data->ebs_throughput = 2000;
    plain->ebs_iops = 0;
    clean = scaler_config_validate (config);
    g_assert_cmpuint (clean->len, ==, 0);
  }
  {
    g_autoptr(GPtrArray) ratio = NULL;

    g_free (data->ebs_volume_type);
    data->ebs_volume_type = g_strdup ("io2");
    data->ebs_volume_size = 64;
    data->ebs_iops = 64000;
    data->ebs_throughput = 0;
    ratio = scaler_config_validate (config);
    g_assert_cmpuint (ratio->len, ==, 0);
    data->ebs_iops = 64001;
    g_clear_pointer (&ratio, g_ptr_array_unref);
    ratio = scaler_config_validate (config);
    g_assert_nonnull (find_problem (ratio, "resources[0].ebs_iops"));
  }
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
    g_autofree char *path = scaler_test_data_path ("config", "good", "full.json", NULL);
    g_autofree char *err = run_check (path, &status);

    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (err, ==, "");
  }

  /* Every broken file: exit 1, one "<json.path>: <message>" line per problem. */
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = scaler_test_data_path ("config", "bad", bad_cases[i].file, NULL);
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
  g_test_add_func ("/scaler/config-validate/clearml-conf-control-characters", test_clearml_conf_control_characters);
  g_test_add_func ("/scaler/config-validate/cpu-only", test_cpu_only);
  g_test_add_func ("/scaler/config-validate/agent-warnings", test_agent_warnings);
  g_test_add_func ("/scaler/config-validate/regions-and-zones", test_regions_and_zones_warnings);
  g_test_add_func ("/scaler/config-validate/volume-warnings", test_volume_warnings);
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
