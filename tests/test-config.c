/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the config model and its JSON form: defaults, every field through
 * a round trip, ClearML-style tag strings, stable output. */

#include "config.h"

#include "scaler-core.h"
#include "support/scaler-test-util.h"

static void
assert_strv_equal (GStrv a,
                   GStrv b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpuint (g_strv_length (a), ==, g_strv_length (b));
  for (guint i = 0; a[i] != NULL; i++)
    g_assert_cmpstr (a[i], ==, b[i]);
}

static void
assert_tags_equal (GPtrArray *a,
                   GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const ScalerTag *ta = g_ptr_array_index (a, i);
      const ScalerTag *tb = g_ptr_array_index (b, i);

      g_assert_cmpstr (ta->key, ==, tb->key);
      g_assert_cmpstr (ta->value, ==, tb->value);
    }
}

static void
assert_config_equal (const ScalerConfig *a,
                     const ScalerConfig *b)
{
  g_assert_cmpint (a->version, ==, b->version);
  g_assert_cmpstr (a->id, ==, b->id);
  g_assert_cmpstr (a->name, ==, b->name);
  g_assert_cmpstr (a->aws_region, ==, b->aws_region);
  g_assert_cmpstr (a->aws_endpoint, ==, b->aws_endpoint);
  g_assert_cmpint (a->aws_credentials, ==, b->aws_credentials);
  g_assert_cmpstr (a->aws_profile, ==, b->aws_profile);
  assert_tags_equal (a->aws_tags, b->aws_tags);
  g_assert_cmpstr (a->clearml_api_server, ==, b->clearml_api_server);
  g_assert_cmpstr (a->clearml_web_server, ==, b->clearml_web_server);
  g_assert_cmpstr (a->clearml_files_server, ==, b->clearml_files_server);
  g_assert_cmpint (a->clearml_credentials, ==, b->clearml_credentials);
  g_assert_cmpstr (a->git_user, ==, b->git_user);
  g_assert_cmpstr (a->default_docker_image, ==, b->default_docker_image);
  g_assert_cmpfloat (a->max_idle_time_min, ==, b->max_idle_time_min);
  g_assert_cmpfloat (a->polling_interval_time_min, ==, b->polling_interval_time_min);
  g_assert_cmpfloat (a->max_spin_up_time_min, ==, b->max_spin_up_time_min);
  g_assert_cmpstr (a->workers_prefix, ==, b->workers_prefix);
  g_assert_cmpfloat (a->hourly_budget_usd, ==, b->hourly_budget_usd);
  g_assert_cmpint (a->on_stop, ==, b->on_stop);
  g_assert_cmpint (a->idle_policy, ==, b->idle_policy);
  g_assert_cmpstr (a->extra_vm_bash_script, ==, b->extra_vm_bash_script);
  g_assert_cmpstr (a->extra_clearml_conf, ==, b->extra_clearml_conf);
  g_assert_cmpint (a->demo, ==, b->demo);
  g_assert_cmpuint (a->resources->len, ==, b->resources->len);

  for (guint i = 0; i < a->resources->len; i++)
    {
      const ScalerResource *ra = g_ptr_array_index (a->resources, i);
      const ScalerResource *rb = g_ptr_array_index (b->resources, i);

      g_assert_cmpstr (ra->name, ==, rb->name);
      g_assert_cmpstr (ra->queue, ==, rb->queue);
      g_assert_cmpuint (ra->max_instances, ==, rb->max_instances);
      g_assert_cmpstr (ra->instance_type, ==, rb->instance_type);
      assert_strv_equal (ra->availability_zones, rb->availability_zones);
      assert_strv_equal (ra->subnet_ids, rb->subnet_ids);
      g_assert_cmpstr (ra->ami_id, ==, rb->ami_id);
      g_assert_cmpstr (ra->ebs_device_name, ==, rb->ebs_device_name);
      g_assert_cmpuint (ra->ebs_volume_size, ==, rb->ebs_volume_size);
      g_assert_cmpstr (ra->ebs_volume_type, ==, rb->ebs_volume_type);
      g_assert_cmpuint (ra->ebs_iops, ==, rb->ebs_iops);
      g_assert_cmpuint (ra->ebs_throughput, ==, rb->ebs_throughput);
      g_assert_cmpstr (ra->key_name, ==, rb->key_name);
      assert_strv_equal (ra->security_group_ids, rb->security_group_ids);
      g_assert_cmpint (ra->is_spot, ==, rb->is_spot);
      g_assert_cmpint (ra->spot_fallback_on_demand, ==, rb->spot_fallback_on_demand);
      g_assert_cmpint (ra->cpu_only, ==, rb->cpu_only);
      g_assert_cmpstr (ra->iam_instance_profile, ==, rb->iam_instance_profile);
      g_assert_cmpuint (ra->metadata_hop_limit, ==, rb->metadata_hop_limit);
      g_assert_cmpint (ra->associate_public_ip, ==, rb->associate_public_ip);
      assert_tags_equal (ra->tags, rb->tags);
    }
}

static void
test_defaults (void)
{
  g_autoptr(ScalerConfig) config = scaler_config_new ();
  g_autoptr(ScalerResource) resource = scaler_resource_new ();

  g_assert_cmpint (config->version, ==, 1);
  g_assert_true (g_uuid_string_is_valid (config->id));
  g_assert_cmpstr (config->aws_region, ==, "us-east-1");
  g_assert_null (config->aws_endpoint);
  g_assert_cmpint (config->aws_credentials, ==, SCALER_CREDENTIALS_SOURCE_KEYRING);
  g_assert_cmpstr (config->clearml_api_server, ==, "https://api.clear.ml");
  g_assert_cmpfloat (config->max_idle_time_min, ==, 15);
  g_assert_cmpfloat (config->max_spin_up_time_min, ==, 30);
  g_assert_cmpstr (config->workers_prefix, ==, "dynamic_worker");
  g_assert_cmpint (config->on_stop, ==, SCALER_ON_STOP_KEEP);
  g_assert_cmpint (config->idle_policy, ==, SCALER_IDLE_POLICY_ADAPTIVE);
  g_assert_false (config->demo);
  g_assert_cmpuint (resource->max_instances, ==, 1);
  g_assert_cmpstr (resource->ebs_volume_type, ==, "gp3");
  g_assert_cmpuint (resource->ebs_iops, ==, 0);
  g_assert_cmpuint (resource->ebs_throughput, ==, 0);
  /* One hop more than EC2's default, for docker containers. */
  g_assert_cmpuint (resource->metadata_hop_limit, ==, 2);
  g_assert_cmpint (resource->associate_public_ip, ==, SCALER_PUBLIC_IP_SUBNET_DEFAULT);
  g_assert_true (resource->spot_fallback_on_demand);
}

static void
test_parse_full (void)
{
  g_autofree char *path = scaler_test_data_path ("config", "good", "full.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = scaler_config_new_from_file (path, &error);
  const ScalerResource *r0;
  const ScalerResource *r1;
  const ScalerTag *tag;

  g_assert_no_error (error);
  g_assert_cmpstr (config->id, ==, "5b0f3c9e-1c2d-4e5f-8a9b-0123456789ab");
  g_assert_cmpstr (config->name, ==, "GPU pool");
  g_assert_cmpstr (config->aws_endpoint, ==, "http://127.0.0.1:4566");
  g_assert_cmpint (config->aws_credentials, ==, SCALER_CREDENTIALS_SOURCE_ENVIRONMENT);
  g_assert_cmpstr (config->aws_profile, ==, "ml-prod");
  g_assert_cmpuint (config->aws_tags->len, ==, 2);
  tag = g_ptr_array_index (config->aws_tags, 1);
  g_assert_cmpstr (tag->key, ==, "cost-center");
  g_assert_cmpstr (tag->value, ==, "42");
  g_assert_cmpstr (config->clearml_files_server, ==, "https://files.example.com");
  g_assert_cmpint (config->clearml_credentials, ==, SCALER_CREDENTIALS_SOURCE_ENVIRONMENT);
  g_assert_cmpstr (config->git_user, ==, "ci-bot");
  g_assert_cmpfloat (config->max_idle_time_min, ==, 12.5);
  g_assert_cmpfloat (config->polling_interval_time_min, ==, 0.02);
  g_assert_cmpfloat (config->max_spin_up_time_min, ==, 25);
  g_assert_cmpstr (config->workers_prefix, ==, "gpu_worker");
  g_assert_cmpfloat (config->hourly_budget_usd, ==, 25.75);
  g_assert_cmpint (config->on_stop, ==, SCALER_ON_STOP_TERMINATE_IDLE);
  g_assert_cmpint (config->idle_policy, ==, SCALER_IDLE_POLICY_FIXED);
  g_assert_cmpstr (config->extra_vm_bash_script, ==, "apt-get update\necho \"ready\"\n");
  g_assert_true (config->demo);
  g_assert_cmpuint (config->resources->len, ==, 2);

  r0 = g_ptr_array_index (config->resources, 0);
  g_assert_cmpstr (r0->name, ==, "aws4gpu");
  g_assert_cmpstr (r0->queue, ==, "gpu");
  g_assert_cmpuint (r0->max_instances, ==, 4);
  g_assert_cmpstr (r0->availability_zones[1], ==, "us-east-1c");
  g_assert_cmpstr (r0->subnet_ids[1], ==, "subnet-89abcdef");
  g_assert_cmpstr (r0->ebs_device_name, ==, "/dev/xvda");
  g_assert_cmpuint (r0->ebs_volume_size, ==, 200);
  g_assert_cmpstr (r0->ebs_volume_type, ==, "io2");
  g_assert_cmpuint (r0->ebs_iops, ==, 20000);
  g_assert_cmpuint (r0->ebs_throughput, ==, 0);
  g_assert_cmpuint (r0->metadata_hop_limit, ==, 3);
  g_assert_cmpint (r0->associate_public_ip, ==, SCALER_PUBLIC_IP_YES);
  g_assert_cmpstr (r0->key_name, ==, "ml-key");
  g_assert_cmpstr (r0->security_group_ids[1], ==, "sg-12345678");
  g_assert_true (r0->is_spot);
  g_assert_false (r0->spot_fallback_on_demand);
  g_assert_cmpstr (r0->iam_instance_profile, ==, "arn:aws:iam::123456789012:instance-profile/clearml-agent");
  g_assert_cmpuint (r0->tags->len, ==, 1);

  r1 = g_ptr_array_index (config->resources, 1);
  g_assert_null (r1->iam_instance_profile);
  g_assert_cmpuint (r1->max_instances, ==, 1000);
  g_assert_cmpuint (g_strv_length (r1->availability_zones), ==, 0);
  g_assert_cmpstr (r1->ebs_device_name, ==, "");
  g_assert_cmpuint (r1->metadata_hop_limit, ==, 1);
  g_assert_cmpint (r1->associate_public_ip, ==, SCALER_PUBLIC_IP_NO);
}

static void
test_round_trip_file (void)
{
  g_autofree char *path = scaler_test_data_path ("config", "good", "full.json", NULL);
  g_autoptr(ScalerConfig) config = scaler_config_new_from_file (path, NULL);
  g_autofree char *json = scaler_config_to_json (config);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) again = scaler_config_new_from_json (json, -1, &error);
  g_autofree char *json_again = NULL;
  g_autoptr(GPtrArray) problems = NULL;

  g_assert_no_error (error);
  assert_config_equal (config, again);

  /* Stable output: the same text every time. */
  json_again = scaler_config_to_json (again);
  g_assert_cmpstr (json, ==, json_again);

  /* What we write validates cleanly (no unknown keys, right types). */
  problems = scaler_config_validate_json (json, -1);
  g_assert_cmpuint (problems->len, ==, 0);
}

/* Every field set to a non-default value in code, then through JSON. */
static void
test_round_trip_every_field (void)
{
  g_autoptr(ScalerConfig) config = scaler_config_new ();
  g_autoptr(ScalerConfig) again = NULL;
  g_autofree char *json = NULL;
  ScalerResource *resource = scaler_resource_new ();
  g_autoptr(GError) error = NULL;
  const char *zones[] = { "eu-central-1a", "eu-central-1c", NULL };
  const char *subnets[] = { "subnet-0a1b2c3d", NULL };
  const char *groups[] = { "sg-0a1b2c3d4e5f60718", "sg-abcdef01", NULL };

  config->version = 1;
  g_free (config->name);
  config->name = g_strdup ("Ünïcödé “name” with\ttab");
  g_free (config->aws_region);
  config->aws_region = g_strdup ("eu-central-1");
  config->aws_endpoint = g_strdup ("https://ec2.eu-central-1.amazonaws.com");
  config->aws_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  config->aws_profile = g_strdup ("dev \"quoted\" name");
  g_ptr_array_add (config->aws_tags, scaler_tag_new ("z-last", "1"));
  g_ptr_array_add (config->aws_tags, scaler_tag_new ("a-first", "with, comma = and equals"));
  g_free (config->clearml_api_server);
  config->clearml_api_server = g_strdup ("http://127.0.0.1:8008");
  g_free (config->clearml_web_server);
  config->clearml_web_server = g_strdup ("http://127.0.0.1:8080");
  g_free (config->clearml_files_server);
  config->clearml_files_server = g_strdup ("http://127.0.0.1:8081");
  config->clearml_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  g_free (config->git_user);
  config->git_user = g_strdup ("bot");
  g_free (config->default_docker_image);
  config->default_docker_image = g_strdup ("python:3.11 --ipc=host");
  config->max_idle_time_min = 0.25;
  config->polling_interval_time_min = 0.0166667;
  config->max_spin_up_time_min = 7.125;
  g_free (config->workers_prefix);
  config->workers_prefix = g_strdup ("w");
  config->hourly_budget_usd = 1234.5678;
  config->on_stop = SCALER_ON_STOP_TERMINATE_ALL;
  config->idle_policy = SCALER_IDLE_POLICY_FIXED;
  g_free (config->extra_vm_bash_script);
  config->extra_vm_bash_script = g_strdup ("#!/bin/bash\nset -e\necho \\ \"$HOME\"\n");
  g_free (config->extra_clearml_conf);
  config->extra_clearml_conf = g_strdup ("sdk { aws { s3 { key: \"\" } } }");
  config->demo = TRUE;

  g_free (resource->name);
  resource->name = g_strdup ("r1");
  g_free (resource->queue);
  resource->queue = g_strdup ("queue-ü");
  resource->max_instances = 999;
  g_free (resource->instance_type);
  resource->instance_type = g_strdup ("p4d.24xlarge");
  g_strfreev (resource->availability_zones);
  resource->availability_zones = g_strdupv ((char **) zones);
  g_strfreev (resource->subnet_ids);
  resource->subnet_ids = g_strdupv ((char **) subnets);
  g_free (resource->ami_id);
  resource->ami_id = g_strdup ("ami-0fedcba9876543210");
  g_free (resource->ebs_device_name);
  resource->ebs_device_name = g_strdup ("/dev/nvme0n1");
  resource->ebs_volume_size = 16384;
  g_free (resource->ebs_volume_type);
  resource->ebs_volume_type = g_strdup ("gp3");
  resource->ebs_iops = 16000;
  resource->ebs_throughput = 1000;
  g_free (resource->key_name);
  resource->key_name = g_strdup ("key pair");
  g_strfreev (resource->security_group_ids);
  resource->security_group_ids = g_strdupv ((char **) groups);
  resource->is_spot = TRUE;
  resource->spot_fallback_on_demand = FALSE;
  resource->cpu_only = SCALER_CPU_ONLY_NO;
  resource->iam_instance_profile = g_strdup ("clearml-profile");
  resource->metadata_hop_limit = 64;
  resource->associate_public_ip = SCALER_PUBLIC_IP_NO;
  g_ptr_array_add (resource->tags, scaler_tag_new ("empty-value", ""));
  g_ptr_array_add (config->resources, resource);

  json = scaler_config_to_json (config);
  again = scaler_config_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  assert_config_equal (config, again);
  g_assert_true (again->demo);

  /* And through the copy. */
  {
    g_autoptr(ScalerConfig) copy = scaler_config_copy (again);

    assert_config_equal (config, copy);
  }
}

static void
test_key_order (void)
{
  g_autofree char *path = scaler_test_data_path ("config", "good", "minimal.json", NULL);
  g_autoptr(ScalerConfig) config = scaler_config_new_from_file (path, NULL);
  g_autofree char *json = scaler_config_to_json (config);
  const char *keys[] = {
    "\"version\"", "\"id\"", "\"name\"", "\"aws\"", "\"region\"", "\"endpoint\"",
    "\"credentials\"", "\"tags\"", "\"clearml\"", "\"api_server\"", "\"web_server\"",
    "\"files_server\"", "\"git_user\"", "\"default_docker_image\"", "\"max_idle_time_min\"",
    "\"polling_interval_time_min\"", "\"max_spin_up_time_min\"", "\"workers_prefix\"",
    "\"hourly_budget_usd\"", "\"on_stop\"",
    "\"idle_policy\"",
    "\"extra_vm_bash_script\"",
    "\"extra_clearml_conf\"", "\"demo\"", "\"resources\"", "\"max_instances\"",
    "\"instance_type\"", "\"availability_zones\"", "\"subnet_ids\"", "\"ami_id\"",
    "\"ebs_device_name\"", "\"ebs_volume_size\"", "\"ebs_volume_type\"", "\"key_name\"",
    "\"security_group_ids\"", "\"is_spot\"", "\"spot_fallback_on_demand\"",
    "\"iam_instance_profile\"", "\"metadata_hop_limit\"", "\"associate_public_ip\"",
  };
  const char *at = json;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *next = strstr (at, keys[i]);

      if (next == NULL)
        g_error ("%s missing or out of order in:\n%s", keys[i], json);
      at = next;
    }
  /* Pretty-printed, and the defaults made explicit. */
  g_assert_nonnull (strstr (json, "\n  \"name\" : \"Minimal\""));
  g_assert_nonnull (strstr (json, "\"endpoint\" : null"));
  g_assert_nonnull (strstr (json, "\"on_stop\" : \"keep\""));
  g_assert_nonnull (strstr (json, "\"associate_public_ip\" : null"));
  /* Unset IOPS and throughput are left out, not written as 0. */
  g_assert_null (strstr (json, "\"ebs_iops\""));
  g_assert_null (strstr (json, "\"ebs_throughput\""));
  g_assert_nonnull (strstr (json, "\"idle_policy\" : \"adaptive\""));
}

static void
test_clearml_tag_strings (void)
{
  g_autofree char *path = scaler_test_data_path ("config", "good", "clearml-style.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = scaler_config_new_from_file (path, &error);
  const ScalerResource *resource;
  const ScalerTag *tag;
  g_autofree char *json = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (config->aws_tags->len, ==, 2);
  tag = g_ptr_array_index (config->aws_tags, 0);
  g_assert_cmpstr (tag->key, ==, "Team");
  g_assert_cmpstr (tag->value, ==, "ml");
  tag = g_ptr_array_index (config->aws_tags, 1);
  g_assert_cmpstr (tag->key, ==, "Owner");
  g_assert_cmpstr (tag->value, ==, "ops");

  resource = g_ptr_array_index (config->resources, 0);
  g_assert_cmpuint (resource->tags->len, ==, 2);
  tag = g_ptr_array_index (resource->tags, 1);
  g_assert_cmpstr (tag->key, ==, "stage");
  g_assert_cmpstr (tag->value, ==, "dev");
  /* security_group_ids typed as "a, b" */
  g_assert_cmpuint (g_strv_length (resource->security_group_ids), ==, 2);
  g_assert_cmpstr (resource->security_group_ids[1], ==, "sg-12345678");

  /* Written back as objects and lists. */
  json = scaler_config_to_json (config);
  g_assert_nonnull (strstr (json, "\"Team\" : \"ml\""));
  g_assert_nonnull (strstr (json, "\"stage\" : \"dev\""));
}

static void
test_malformed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = scaler_config_new_from_json ("{\n  \"name\": \"x\",\n  \"id\": ]\n}", -1, &error);

  g_assert_null (config);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "line 3"));
  g_clear_error (&error);

  config = scaler_config_new_from_json ("[]", -1, &error);
  g_assert_null (config);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
  g_clear_error (&error);

  config = scaler_config_new_from_json ("", 0, &error);
  g_assert_null (config);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
  g_clear_error (&error);

  config = scaler_config_new_from_file ("/nonexistent/config.json", &error);
  g_assert_null (config);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_IO);
}

static void
test_load_strict (void)
{
  g_autofree char *path = scaler_test_data_path ("config", "good", "minimal.json", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerConfig) config = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  config = scaler_config_load (contents, length, &problems, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpstr (config->name, ==, "Minimal");
}

static void
test_prices_and_regions (void)
{
  ScalerPriceTable *table = scaler_price_table_get_default ();
  const ScalerInstanceTypeInfo *info;
  g_autoptr(GPtrArray) types = NULL;
  double price = 0;
  const char * const *zones;

  g_assert_true (table == scaler_price_table_get_default ());
  /* The core resource is also registered globally (GUI, daemon, tests). */
  {
    g_autoptr(GBytes) bytes = g_resources_lookup_data ("/io/github/ec2autoscaler/Autoscaler/core/regions.txt",
                                                       G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
    g_autoptr(GBytes) readme = g_resources_lookup_data ("/io/github/ec2autoscaler/Autoscaler/core/prices/README.md",
                                                        G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

    g_assert_nonnull (bytes);
    g_assert_nonnull (readme);
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (readme, NULL), g_bytes_get_size (readme), "Sources and dates"));
  }
  info = scaler_price_table_lookup (table, "g4dn.xlarge");
  g_assert_nonnull (info);
  g_assert_cmpstr (info->family, ==, "g4dn");
  g_assert_cmpuint (info->vcpu, ==, 4);
  g_assert_cmpuint (info->gpu_count, ==, 1);
  g_assert_cmpstr (info->gpu_model, ==, "NVIDIA T4");
  g_assert_cmpfloat (info->gpu_memory_gib, ==, 16);
  g_assert_true (scaler_price_table_get_price (table, "g4dn.xlarge", "us-east-1", &price));
  g_assert_cmpfloat_with_epsilon (price, 0.526, 1e-9);
  g_assert_true (scaler_price_table_get_price (table, "p5.48xlarge", "us-east-1", &price));
  g_assert_cmpfloat_with_epsilon (price, 55.04, 1e-6);
  g_assert_false (scaler_price_table_get_price (table, "g6.xlarge", "eu-west-1", &price));
  g_assert_null (scaler_price_table_lookup (table, "x9.huge"));
  info = scaler_price_table_lookup (table, "m5.large");
  g_assert_null (info->gpu_model);
  g_assert_cmpuint (info->gpu_count, ==, 0);

  types = scaler_price_table_list_types (table);
  g_assert_cmpuint (types->len, >=, 80);
  for (guint i = 1; i < types->len; i++)
    g_assert_cmpint (strcmp (((ScalerInstanceTypeInfo *) g_ptr_array_index (types, i - 1))->instance_type,
                             ((ScalerInstanceTypeInfo *) g_ptr_array_index (types, i))->instance_type), <, 0);
  g_assert_nonnull (strstr (scaler_price_table_get_source (table), "2026-01-19"));

  g_assert_true (scaler_region_is_known ("us-east-1"));
  g_assert_false (scaler_region_is_known ("us-east-1a"));
  g_assert_false (scaler_region_is_known (NULL));
  zones = scaler_region_get_zones ("us-east-1");
  g_assert_cmpuint (g_strv_length ((char **) zones), >=, 6);
  g_assert_true (g_strv_contains (zones, "us-east-1f"));
  g_assert_null (scaler_region_get_zones ("nowhere-1"));
  /* Every region with a price is listed (Local Zone groups belong to their region). */
  g_assert_true (scaler_region_is_known ("ap-southeast-5"));
  g_assert_true (scaler_region_is_known ("il-central-1"));
  /* Taipei and New Zealand (botocore partitions.json), with their zones. */
  g_assert_true (g_strv_contains (scaler_region_get_zones ("ap-east-2"), "ap-east-2a"));
  g_assert_true (g_strv_contains (scaler_region_get_zones ("ap-southeast-6"), "ap-southeast-6c"));
  /* Listed by a partition only: known, no zone list. */
  g_assert_true (scaler_region_is_known ("eusc-de-east-1"));
  g_assert_null (scaler_region_get_zones ("eusc-de-east-1"));
  g_assert_false (scaler_region_is_known ("aws-global"));
  {
    const char * const *regions = scaler_regions_list ();

    g_assert_cmpuint (g_strv_length ((char **) regions), >=, 30);
    g_assert_true (g_strv_contains (regions, "ap-southeast-6"));
    g_assert_true (g_strv_contains (regions, "us-isof-south-1"));
    for (guint i = 1; regions[i] != NULL; i++)
      g_assert_cmpint (strcmp (regions[i - 1], regions[i]), <, 0);
  }
}

static gpointer
lookup_thread (gpointer data)
{
  ScalerPriceTable *table = scaler_price_table_get_default ();

  return GINT_TO_POINTER (scaler_price_table_lookup (table, "c5.large") != NULL &&
                          scaler_region_is_known ("eu-west-1"));
}

static void
test_prices_threads (void)
{
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("prices", lookup_thread, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/config/defaults", test_defaults);
  g_test_add_func ("/scaler/config/parse-full", test_parse_full);
  g_test_add_func ("/scaler/config/round-trip-file", test_round_trip_file);
  g_test_add_func ("/scaler/config/round-trip-every-field", test_round_trip_every_field);
  g_test_add_func ("/scaler/config/key-order", test_key_order);
  g_test_add_func ("/scaler/config/clearml-tag-strings", test_clearml_tag_strings);
  g_test_add_func ("/scaler/config/malformed", test_malformed);
  g_test_add_func ("/scaler/config/load-strict", test_load_strict);
  g_test_add_func ("/scaler/config/prices-and-regions", test_prices_and_regions);
  g_test_add_func ("/scaler/config/prices-threads", test_prices_threads);

  return g_test_run ();
}
