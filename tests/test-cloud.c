/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the seam helpers: instance tags and worker ids (docs/design.md contracts). */

#include "config.h"

#include "scaler-core.h"

static ScalerConfig *
make_config (void)
{
  ScalerConfig *config = scaler_config_new ();
  ScalerResource *resource = scaler_resource_new ();

  g_free (config->id);
  config->id = g_strdup ("5b0f3c9e-0000-4000-8000-000000000001");
  g_free (config->workers_prefix);
  config->workers_prefix = g_strdup ("dynamic_worker");
  g_ptr_array_add (config->aws_tags, scaler_tag_new ("team", "ml"));
  g_ptr_array_add (config->aws_tags, scaler_tag_new ("ec2-autoscaler:instance", "evil"));

  g_free (resource->name);
  resource->name = g_strdup ("aws4gpu");
  g_ptr_array_add (resource->tags, scaler_tag_new ("team", "vision"));
  g_ptr_array_add (resource->tags, scaler_tag_new ("cost-center", "42"));
  g_ptr_array_add (config->resources, resource);

  return config;
}

static void
test_launch_tags (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  g_autoptr(GPtrArray) tags = scaler_launch_tags (config, resource);
  const ScalerTag *tag;

  g_assert_cmpuint (tags->len, ==, 5);
  tag = g_ptr_array_index (tags, 0);
  g_assert_cmpstr (tag->key, ==, SCALER_TAG_INSTANCE);
  g_assert_cmpstr (tag->value, ==, config->id);
  tag = g_ptr_array_index (tags, 1);
  g_assert_cmpstr (tag->key, ==, SCALER_TAG_RESOURCE);
  g_assert_cmpstr (tag->value, ==, "aws4gpu");
  tag = g_ptr_array_index (tags, 2);
  g_assert_cmpstr (tag->key, ==, "Name");
  g_assert_cmpstr (tag->value, ==, "dynamic_worker:aws4gpu");
  /* The resource's tag replaces the instance-wide one of the same key. */
  tag = g_ptr_array_index (tags, 3);
  g_assert_cmpstr (tag->key, ==, "team");
  g_assert_cmpstr (tag->value, ==, "vision");
  tag = g_ptr_array_index (tags, 4);
  g_assert_cmpstr (tag->key, ==, "cost-center");
}

static void
test_worker_id (void)
{
  g_autofree char *id = scaler_worker_id_build ("dynamic_worker", "aws4gpu", "g4dn.xlarge",
                                                "i-0123456789abcdef0");
  g_autofree char *prefix = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *type = NULL;
  g_autofree char *instance = NULL;

  g_assert_cmpstr (id, ==, "dynamic_worker:aws4gpu:g4dn.xlarge:i-0123456789abcdef0");
  g_assert_true (scaler_worker_id_parse (id, &prefix, &resource, &type, &instance));
  g_assert_cmpstr (prefix, ==, "dynamic_worker");
  g_assert_cmpstr (resource, ==, "aws4gpu");
  g_assert_cmpstr (type, ==, "g4dn.xlarge");
  g_assert_cmpstr (instance, ==, "i-0123456789abcdef0");

  g_assert_false (scaler_worker_id_parse ("dynamic_worker:aws4gpu:g4dn.xlarge", NULL, NULL, NULL, NULL));
  g_assert_false (scaler_worker_id_parse ("a:b:c:d:e", NULL, NULL, NULL, NULL));
  g_assert_false (scaler_worker_id_parse ("a::c:d", NULL, NULL, NULL, NULL));
  g_assert_false (scaler_worker_id_parse ("a:b:c:i-1/2", NULL, NULL, NULL, NULL));
  g_assert_false (scaler_worker_id_parse (NULL, NULL, NULL, NULL, NULL));
}

static void
test_instance_state (void)
{
  g_autoptr(ScalerInstance) instance = scaler_instance_new ();
  g_autoptr(ScalerInstance) copy = NULL;

  g_assert_cmpint (scaler_instance_state_from_string ("shutting-down"), ==,
                   SCALER_INSTANCE_STATE_SHUTTING_DOWN);
  g_assert_cmpint (scaler_instance_state_from_string ("bogus"), ==, SCALER_INSTANCE_STATE_UNKNOWN);
  g_assert_cmpstr (scaler_instance_state_to_string (SCALER_INSTANCE_STATE_RUNNING), ==, "running");
  g_assert_true (scaler_instance_state_is_live (SCALER_INSTANCE_STATE_PENDING));
  g_assert_false (scaler_instance_state_is_live (SCALER_INSTANCE_STATE_TERMINATED));

  instance->instance_id = g_strdup ("i-1");
  g_ptr_array_add (instance->tags, scaler_tag_new (SCALER_TAG_RESOURCE, "cpu"));
  copy = scaler_instance_copy (instance);
  g_assert_cmpstr (copy->instance_id, ==, "i-1");
  g_assert_cmpstr (scaler_instance_get_tag (copy, SCALER_TAG_RESOURCE), ==, "cpu");
  g_assert_null (scaler_instance_get_tag (copy, "absent"));
}

static void
test_config_copy (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerConfig) copy = scaler_config_copy (config);
  g_auto(GStrv) queues = NULL;
  ScalerResource *resource;

  g_assert_cmpstr (copy->id, ==, config->id);
  g_assert_cmpuint (copy->resources->len, ==, 1);
  resource = scaler_config_find_resource (copy, "aws4gpu");
  g_assert_nonnull (resource);
  g_assert_true (resource != g_ptr_array_index (config->resources, 0));
  g_assert_null (scaler_config_find_resource (copy, "nope"));

  g_free (resource->queue);
  resource->queue = g_strdup ("gpu");
  g_ptr_array_add (copy->resources, scaler_resource_copy (resource));
  queues = scaler_config_dup_queues (copy);
  g_assert_cmpuint (g_strv_length (queues), ==, 1);
  g_assert_cmpstr (queues[0], ==, "gpu");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/cloud/launch-tags", test_launch_tags);
  g_test_add_func ("/scaler/cloud/worker-id", test_worker_id);
  g_test_add_func ("/scaler/cloud/instance-state", test_instance_state);
  g_test_add_func ("/scaler/cloud/config-copy", test_config_copy);

  return g_test_run ();
}
