/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the ClearML import (YAML and JSON) and of the export. */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "scaler-core.h"
#include "support/scaler-test-util.h"

static gboolean
report_has (GPtrArray  *report,
            const char *fragment)
{
  for (guint i = 0; i < report->len; i++)
    if (strstr (g_ptr_array_index (report, i), fragment) != NULL)
      return TRUE;

  return FALSE;
}

static void
assert_valid (ScalerConfig *config)
{
  g_autoptr(GPtrArray) problems = scaler_config_validate (config);

  for (guint i = 0; i < problems->len; i++)
    {
      const ScalerConfigProblem *problem = g_ptr_array_index (problems, i);

      if (problem->severity == SCALER_PROBLEM_ERROR)
        g_error ("imported config does not validate: %s: %s", problem->path, problem->message);
    }
}

static ScalerResource *
resource_at (ScalerConfig *config,
             guint         i)
{
  g_assert_cmpuint (i, <, config->resources->len);
  return g_ptr_array_index (config->resources, i);
}

static void
test_example_yaml (void)
{
  g_autofree char *path = scaler_test_data_path ("clearml", "example-clearml-md.yaml", NULL);
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GPtrArray) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = scaler_config_import_clearml_file (path, &secrets, &report, &error);
  ScalerResource *r;
  const ScalerTag *tag;

  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpstr (config->name, ==, "example-clearml-md");
  g_assert_true (g_uuid_string_is_valid (config->id));
  g_assert_cmpstr (config->aws_region, ==, "us-east-1");
  g_assert_cmpstr (config->default_docker_image, ==, "nvidia/cuda:12.4.1-runtime-ubuntu22.04");
  g_assert_cmpstr (config->git_user, ==, "");
  g_assert_cmpfloat (config->max_idle_time_min, ==, 15);
  g_assert_cmpfloat (config->polling_interval_time_min, ==, 5);
  g_assert_cmpfloat (config->max_spin_up_time_min, ==, 30);
  g_assert_cmpstr (config->workers_prefix, ==, "dynamic_worker");

  g_assert_cmpstr (secrets->aws_access_key_id, ==, "AKIAIOSFODNN7EXAMPLE");
  g_assert_cmpstr (secrets->aws_secret_access_key, ==, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  g_assert_null (secrets->aws_session_token);
  g_assert_null (secrets->git_password);

  /* Queue pairs in order: their order is the fill priority. */
  g_assert_cmpuint (config->resources->len, ==, 2);
  r = resource_at (config, 0);
  g_assert_cmpstr (r->name, ==, "g5x");
  g_assert_cmpstr (r->queue, ==, "aws_gpu");
  g_assert_cmpuint (r->max_instances, ==, 2);
  g_assert_cmpstr (r->instance_type, ==, "g5.xlarge");
  g_assert_false (r->is_spot);
  g_assert_cmpstr (r->subnet_ids[0], ==, "subnet-0123456789abcdef0");
  g_assert_cmpuint (g_strv_length (r->availability_zones), ==, 0);
  g_assert_cmpstr (r->ebs_device_name, ==, "/dev/sda1");
  g_assert_cmpuint (r->ebs_volume_size, ==, 100);
  g_assert_cmpstr (r->ebs_volume_type, ==, "gp3");
  g_assert_cmpstr (r->key_name, ==, "mykey");
  g_assert_cmpstr (r->security_group_ids[0], ==, "sg-0123456789abcdef0");
  g_assert_cmpuint (r->tags->len, ==, 2);
  tag = g_ptr_array_index (r->tags, 0);
  g_assert_cmpstr (tag->key, ==, "Team");
  g_assert_cmpstr (tag->value, ==, "ml");
  tag = g_ptr_array_index (r->tags, 1);
  g_assert_cmpstr (tag->key, ==, "Owner");
  g_assert_cmpstr (tag->value, ==, "ops");

  r = resource_at (config, 1);
  g_assert_cmpstr (r->name, ==, "g5x_b");
  g_assert_cmpuint (r->max_instances, ==, 1);
  g_assert_true (r->is_spot);
  g_assert_cmpstr (r->availability_zones[0], ==, "us-east-1c");
  g_assert_cmpstr (r->ebs_device_name, ==, "");

  g_assert_true (report_has (report, "server addresses"));
  assert_valid (config);
}

static void
test_wizard_yaml (void)
{
  g_autofree char *path = scaler_test_data_path ("clearml", "wizard.yaml", NULL);
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GPtrArray) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = scaler_config_import_clearml_file (path, &secrets, &report, &error);
  ScalerResource *r;

  g_assert_no_error (error);
  g_assert_cmpstr (config->aws_region, ==, "us-west-2");
  g_assert_cmpstr (config->git_user, ==, "ml-bot");
  g_assert_cmpfloat (config->polling_interval_time_min, ==, 0.5);
  g_assert_cmpfloat (config->max_idle_time_min, ==, 20);
  /* Imported with our default idle policy, and the report says how to keep
   * ClearML's exact idle time. */
  g_assert_cmpint (config->idle_policy, ==, SCALER_IDLE_POLICY_ADAPTIVE);
  g_assert_true (report_has (report, "hyper_params.max_idle_time_min: imported as the most a worker stays idle"));
  g_assert_true (report_has (report, "choose “fixed” to terminate after exactly 20 min"));
  g_assert_cmpfloat (config->max_spin_up_time_min, ==, 45);
  g_assert_cmpstr (config->workers_prefix, ==, "aws_worker");
  g_assert_cmpstr (config->extra_vm_bash_script, ==, "apt-get update\napt-get install -y htop\n");
  g_assert_cmpstr (config->extra_clearml_conf, ==,
                   "sdk.aws.s3.region: us-west-2\nagent.package_manager.pip_version: \"<24\"\n");
  g_assert_cmpint (config->aws_credentials, ==, SCALER_CREDENTIALS_SOURCE_KEYRING);

  g_assert_cmpstr (secrets->aws_access_key_id, ==, "AKIAWIZARDEXAMPLE01");
  g_assert_cmpstr (secrets->aws_secret_access_key, ==, "wizard/secret+EXAMPLE/key");
  g_assert_cmpstr (secrets->aws_session_token, ==, "FwoGZXIvYXdzEXAMPLETOKEN");
  g_assert_cmpstr (secrets->git_password, ==, "ghp_wizardGitPassword123");

  g_assert_cmpuint (config->resources->len, ==, 4);
  r = resource_at (config, 0);
  g_assert_cmpstr (r->name, ==, "m5_cpu");
  g_assert_cmpstr (r->queue, ==, "cpu_queue");
  g_assert_cmpuint (r->max_instances, ==, 5);
  /* ClearML's cpu_only: true is kept; absent (or false) is decided by the type. */
  g_assert_cmpint (r->cpu_only, ==, SCALER_CPU_ONLY_YES);
  r = resource_at (config, 1);
  g_assert_cmpint (r->cpu_only, ==, SCALER_CPU_ONLY_AUTO);
  g_assert_cmpstr (r->name, ==, "g4dn_spot");
  g_assert_cmpstr (r->queue, ==, "gpu_queue");
  g_assert_cmpuint (r->max_instances, ==, 3);
  g_assert_true (r->is_spot);
  g_assert_cmpstr (((ScalerTag *) g_ptr_array_index (r->tags, 0))->key, ==, "project");
  r = resource_at (config, 2);
  g_assert_cmpstr (r->name, ==, "g4dn_ondemand");
  g_assert_cmpuint (g_strv_length (r->security_group_ids), ==, 2);
  g_assert_cmpstr (r->security_group_ids[1], ==, "sg-12345678");
  /* iam_arn wins over iam_name, for every resource. */
  g_assert_cmpstr (r->iam_instance_profile, ==, "arn:aws:iam::123456789012:instance-profile/clearml-agent");
  /* A resource reused by a second queue is cloned, as the ClearML wizard does. */
  r = resource_at (config, 3);
  g_assert_cmpstr (r->name, ==, "m5_cpu_gpu_queue");
  g_assert_cmpstr (r->queue, ==, "gpu_queue");
  g_assert_cmpuint (r->max_instances, ==, 2);
  g_assert_cmpstr (r->instance_type, ==, "m5.2xlarge");

  /* Everything not carried over is reported. */
  g_assert_true (report_has (report, "g4dn_spot.ebs_snapshot_id"));
  /* extra_configurations: what has an equivalent is imported (ClearML merges
   * it into the launch spec after the ebs_* keys), the rest reported. */
  r = resource_at (config, 1);
  g_assert_cmpstr (r->ebs_volume_type, ==, "io2");
  g_assert_cmpuint (r->ebs_volume_size, ==, 120);
  g_assert_cmpuint (r->ebs_iops, ==, 20000);
  g_assert_cmpuint (r->metadata_hop_limit, ==, 3);
  g_assert_cmpint (r->associate_public_ip, ==, SCALER_PUBLIC_IP_YES);
  g_assert_cmpuint (resource_at (config, 0)->metadata_hop_limit, ==, 2);
  g_assert_true (report_has (report, "g4dn_spot.extra_configurations.Placement"));
  g_assert_true (report_has (report, "g4dn_spot.extra_configurations.NetworkInterfaces"));
  g_assert_false (report_has (report, "g4dn_spot.extra_configurations.MetadataOptions"));
  g_assert_false (report_has (report, "g4dn_spot.extra_configurations.BlockDeviceMappings"));
  g_assert_true (report_has (report, "g4dn_spot.enable_monitoring"));
  g_assert_false (report_has (report, "cpu_only"));
  g_assert_true (report_has (report, "hyper_params.use_credentials_chain"));
  g_assert_true (report_has (report, "hyper_params.use_iam_instance_profile"));
  g_assert_true (report_has (report, "hyper_params.cloud_provider"));
  g_assert_true (report_has (report, "imported as “m5_cpu_gpu_queue”"));
  /* An empty extra_trains_conf is not worth a line. */
  g_assert_false (report_has (report, "extra_trains_conf"));
  /* Secrets never appear in the report. */
  for (guint i = 0; i < report->len; i++)
    {
      g_assert_null (strstr (g_ptr_array_index (report, i), "wizard/secret"));
      g_assert_null (strstr (g_ptr_array_index (report, i), "ghp_wizard"));
    }

  assert_valid (config);
}

static void
test_task_json (void)
{
  g_autofree char *path = scaler_test_data_path ("clearml", "task.json", NULL);
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GPtrArray) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = scaler_config_import_clearml_file (path, &secrets, &report, &error);
  ScalerResource *r;

  g_assert_no_error (error);
  /* Hyper-parameters of a ClearML task are strings. */
  g_assert_cmpfloat (config->max_idle_time_min, ==, 10);
  g_assert_cmpfloat (config->polling_interval_time_min, ==, 2.5);
  g_assert_cmpfloat (config->max_spin_up_time_min, ==, 25);
  g_assert_cmpstr (config->aws_region, ==, "eu-west-1");
  g_assert_cmpint (config->aws_credentials, ==, SCALER_CREDENTIALS_SOURCE_ENVIRONMENT);
  g_assert_cmpuint (config->aws_tags->len, ==, 1);
  g_assert_null (secrets->git_password);

  g_assert_cmpuint (config->resources->len, ==, 2);
  r = resource_at (config, 0);
  g_assert_cmpstr (r->name, ==, "c5_big");
  g_assert_cmpstr (r->queue, ==, "default");
  g_assert_cmpuint (r->max_instances, ==, 4);
  g_assert_true (r->is_spot);
  g_assert_cmpuint (r->ebs_volume_size, ==, 200);
  g_assert_cmpstr (r->iam_instance_profile, ==, "clearml-worker-profile");
  g_assert_cmpuint (r->tags->len, ==, 2);
  r = resource_at (config, 1);
  g_assert_cmpstr (r->queue, ==, "services");

  g_assert_true (report_has (report, "resource_configurations.unused: not listed under any queue"));
  g_assert_true (report_has (report, "configurations.surprise"));
  g_assert_true (report_has (report, "hyper_params.tags"));
  assert_valid (config);

  /* The same document through the auto-detecting entry point. */
  {
    g_autofree char *contents = NULL;
    g_autoptr(ScalerConfig) again = NULL;

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    again = scaler_config_import_clearml (contents, -1, "Task", NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again->name, ==, "Task");
    g_assert_cmpuint (again->resources->len, ==, 2);
  }
}

static void
test_yaml_and_json_agree (void)
{
  /* The JSON form of the same configuration gives the same config. */
  const char *yaml =
    "hyper_params:\n"
    "  cloud_credentials_region: eu-central-1\n"
    "  max_idle_time_min: 7\n"
    "configurations:\n"
    "  queues:\n"
    "    q_one: [[r1, 3]]\n"
    "  resource_configurations:\n"
    "    r1: {instance_type: m5.large, ami_id: ami-12345678, is_spot: yes,\n"
    "         availability_zone: eu-central-1b, security_group_ids: 'sg-12345678'}\n";
  const char *json =
    "{\"hyper_params\": {\"cloud_credentials_region\": \"eu-central-1\", \"max_idle_time_min\": 7},"
    " \"configurations\": {\"queues\": {\"q_one\": [[\"r1\", 3]]},"
    " \"resource_configurations\": {\"r1\": {\"instance_type\": \"m5.large\", \"ami_id\": \"ami-12345678\","
    " \"is_spot\": true, \"availability_zone\": \"eu-central-1b\", \"security_group_ids\": \"sg-12345678\"}}}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) a = scaler_config_import_clearml (yaml, -1, "same", NULL, NULL, &error);
  g_autoptr(ScalerConfig) b = NULL;
  g_autofree char *ja = NULL;
  g_autofree char *jb = NULL;

  g_assert_no_error (error);
  b = scaler_config_import_clearml (json, -1, "same", NULL, NULL, &error);
  g_assert_no_error (error);
  g_free (b->id);
  b->id = g_strdup (a->id);
  ja = scaler_config_to_json (a);
  jb = scaler_config_to_json (b);
  g_assert_cmpstr (ja, ==, jb);
  g_assert_true (((ScalerResource *) g_ptr_array_index (a->resources, 0))->is_spot);
}

static void
test_configurations_as_text (void)
{
  /* A ClearML task stores "configurations" as a text blob. */
  const char *json =
    "{\"hyper_params\": {\"cloud_credentials_region\": \"us-east-2\"},"
    " \"configurations\": \"{\\\"queues\\\": {\\\"gpu_q\\\": [[\\\"r\\\", 2]]},"
    " \\\"resource_configurations\\\": {\\\"r\\\": {\\\"instance_type\\\": \\\"g5.2xlarge\\\","
    " \\\"ami_id\\\": \\\"ami-12345678\\\", \\\"is_spot\\\": false}}}\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = scaler_config_import_clearml (json, -1, NULL, NULL, NULL, &error);
  ScalerResource *r;

  g_assert_no_error (error);
  g_assert_cmpstr (config->name, ==, "Imported from ClearML");
  g_assert_cmpstr (config->aws_region, ==, "us-east-2");
  g_assert_cmpuint (config->resources->len, ==, 1);
  r = resource_at (config, 0);
  g_assert_cmpstr (r->queue, ==, "gpu_q");
  g_assert_cmpuint (r->max_instances, ==, 2);
  g_assert_cmpstr (r->instance_type, ==, "g5.2xlarge");
  assert_valid (config);
}

static void
test_yaml_keys_and_aliases (void)
{
  /* Keys stay text even when they look like numbers or booleans; aliases
   * are expanded. */
  const char *yaml =
    "base: &base {instance_type: m5.large, ami_id: ami-12345678, is_spot: no}\n"
    "hyper_params: {cloud_credentials_region: us-east-1}\n"
    "configurations:\n"
    "  queues:\n"
    "    '123': [['yes', 1], [r2, 2]]\n"
    "  resource_configurations:\n"
    "    yes: *base\n"
    "    r2: *base\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) report = NULL;
  g_autoptr(ScalerConfig) config = scaler_config_import_clearml (yaml, -1, NULL, NULL, &report, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (config->resources->len, ==, 2);
  g_assert_cmpstr (resource_at (config, 0)->name, ==, "yes");
  g_assert_cmpstr (resource_at (config, 0)->queue, ==, "123");
  g_assert_cmpstr (resource_at (config, 0)->instance_type, ==, "m5.large");
  g_assert_cmpstr (resource_at (config, 1)->ami_id, ==, "ami-12345678");
  g_assert_true (report_has (report, "base: unknown key"));
}

static void
test_errors (void)
{
  const char *files[] = { "broken.yaml", "broken.json", "not-clearml.yaml" };
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = scaler_test_data_path ("clearml", files[i], NULL);
      g_autoptr(GPtrArray) report = NULL;
      ScalerSecrets *secrets = NULL;

      config = scaler_config_import_clearml_file (path, &secrets, &report, &error);
      g_assert_null (config);
      g_assert_null (secrets);
      g_assert_null (report);
      g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
      if (i == 0)
        g_assert_nonnull (strstr (error->message, "Malformed YAML at line 3, column 1"));
      if (i == 2)
        g_assert_nonnull (strstr (error->message, "hyper_params and configurations"));
      g_clear_error (&error);
    }

  config = scaler_config_import_clearml_file ("/nonexistent.yaml", NULL, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_IO);
  g_clear_error (&error);

  /* An alias bomb is refused, not expanded. */
  {
    GString *bomb = g_string_new ("a: &a [x, x, x, x, x, x, x, x, x, x]\n");

    for (char c = 'b'; c <= 'j'; c++)
      g_string_append_printf (bomb, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
                              c, c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
    g_string_append (bomb, "hyper_params: *j\n");
    config = scaler_config_import_clearml (bomb->str, -1, NULL, NULL, NULL, &error);
    g_assert_null (config);
    g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
    g_clear_error (&error);
    g_string_free (bomb, TRUE);
  }

  /* Deep nesting: refused quickly (libyaml's scanner is quadratic in it). */
  {
    GString *deep = g_string_new ("hyper_params: ");

    for (guint i = 0; i < 200000; i++)
      g_string_append_c (deep, '[');
    config = scaler_config_import_clearml (deep->str, -1, NULL, NULL, NULL, &error);
    g_assert_null (config);
    g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
    g_assert_nonnull (strstr (error->message, "nested too deeply"));
    g_clear_error (&error);
    g_string_free (deep, TRUE);
  }

  /* A recursive alias refers to an anchor that is not complete yet. */
  config = scaler_config_import_clearml ("a: &a [*a]\nhyper_params: *a\n", -1, NULL, NULL, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
  g_clear_error (&error);

  /* Odd shapes are reported, not fatal. */
  {
    g_autoptr(GPtrArray) report = NULL;

    config = scaler_config_import_clearml ("hyper_params: {max_idle_time_min: soon}\n"
                                           "configurations: {queues: {q1: [[nope, 1], 7, [r, x]]}}\n",
                                           -1, NULL, NULL, &report, &error);
    g_assert_no_error (error);
    g_assert_nonnull (config);
    g_assert_cmpuint (config->resources->len, ==, 0);
    g_assert_cmpfloat (config->max_idle_time_min, ==, 15);
    g_assert_true (report_has (report, "hyper_params.max_idle_time_min"));
    g_assert_true (report_has (report, "“nope” is not in resource_configurations"));
    g_assert_true (report_has (report, "q1[1]"));
    g_assert_true (report_has (report, "q1[2]"));
  }
}

static void
test_export (void)
{
  g_autofree char *path = scaler_test_data_path ("clearml", "wizard.yaml", NULL);
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = scaler_config_import_clearml_file (path, &secrets, NULL, &error);
  g_autofree char *dir = g_dir_make_tmp ("scaler-export-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "exported.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(ScalerConfig) back = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  GStatBuf st;

  g_assert_true (scaler_config_export (config, out, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (out, &contents, NULL, NULL));
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* No secret made it into the file. */
  for (guint k = 0; k < SCALER_N_SECRET_KINDS; k++)
    {
      const char *secret = *scaler_secrets_get_field (secrets, k);

      if (secret != NULL)
        g_assert_null (strstr (contents, secret));
    }

  /* It is our JSON: it loads, validates and equals the config. */
  problems = scaler_config_validate_json (contents, -1);
  g_assert_false (scaler_config_problems_have_errors (problems));
  back = scaler_config_new_from_json (contents, -1, &error);
  g_assert_no_error (error);
  {
    g_autofree char *a = scaler_config_to_json (config);
    g_autofree char *b = scaler_config_to_json (back);

    g_assert_cmpstr (a, ==, b);
  }

  g_unlink (out);
  g_rmdir (dir);

  g_assert_false (scaler_config_export (config, "/proc/no-such-dir/x.json", &error));
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_IO);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/import/example-yaml", test_example_yaml);
  g_test_add_func ("/scaler/import/wizard-yaml", test_wizard_yaml);
  g_test_add_func ("/scaler/import/task-json", test_task_json);
  g_test_add_func ("/scaler/import/yaml-and-json-agree", test_yaml_and_json_agree);
  g_test_add_func ("/scaler/import/configurations-as-text", test_configurations_as_text);
  g_test_add_func ("/scaler/import/yaml-keys-and-aliases", test_yaml_keys_and_aliases);
  g_test_add_func ("/scaler/import/errors", test_errors);
  g_test_add_func ("/scaler/import/export", test_export);

  return g_test_run ();
}
