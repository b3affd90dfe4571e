/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Configurations for tests (see scaler-test-config.h). */

#define G_LOG_DOMAIN "scaler-test-config"

#include "config.h"

#include "scaler-demo.h"
#include "scaler-test-config.h"
#include "scaler-util.h"

ScalerConfig *
scaler_test_config_new (const ScalerTestConfigOptions *options)
{
  ScalerConfig *config = scaler_config_new ();
  ScalerResource *resource = scaler_resource_new ();

  g_assert (options != NULL);

  if (options->id != NULL)
    scaler_set_str (&config->id, options->id);
  if (options->name != NULL)
    scaler_set_str (&config->name, options->name);
  if (options->workers_prefix != NULL)
    scaler_set_str (&config->workers_prefix, options->workers_prefix);
  scaler_set_str (&resource->name, options->resource != NULL ? options->resource : "cpu");
  scaler_set_str (&resource->queue, options->queue != NULL ? options->queue : "default");
  scaler_set_str (&resource->instance_type, options->instance_type != NULL ? options->instance_type : "m5.large");
  if (options->ami_id != NULL)
    scaler_set_str (&resource->ami_id, options->ami_id);
  if (options->max_instances > 0)
    resource->max_instances = options->max_instances;
  g_ptr_array_add (config->resources, resource);
  return config;
}

ScalerResource *
scaler_test_config_resource (ScalerConfig *config)
{
  g_assert (config != NULL && config->resources->len > 0);
  return g_ptr_array_index (config->resources, 0);
}

char *
scaler_test_demo_json (const char *id,
                       const char *name)
{
  g_autoptr(ScalerConfig) config = scaler_demo_config_new ();

  if (id != NULL)
    scaler_set_str (&config->id, id);
  if (name != NULL)
    scaler_set_str (&config->name, name);
  return scaler_config_to_json (config);
}
