/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-demo.c: the demo autoscaler's config (see scaler-demo.h). */

#define G_LOG_DOMAIN "scaler-demo"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "scaler-demo.h"

static ScalerResource *
demo_resource (const char *name,
               const char *queue,
               guint       max_instances,
               const char *instance_type,
               const char *ami_id,
               gboolean    spot)
{
  ScalerResource *resource = scaler_resource_new ();

  g_free (resource->name);
  resource->name = g_strdup (name);
  g_free (resource->queue);
  resource->queue = g_strdup (queue);
  resource->max_instances = max_instances;
  g_free (resource->instance_type);
  resource->instance_type = g_strdup (instance_type);
  g_free (resource->ami_id);
  resource->ami_id = g_strdup (ami_id);
  resource->is_spot = spot;
  return resource;
}

ScalerConfig *
scaler_demo_config_new (void)
{
  ScalerConfig *config = scaler_config_new ();

  config->demo = TRUE;
  g_free (config->name);
  config->name = g_strdup (_("Demo"));
  g_free (config->workers_prefix);
  config->workers_prefix = g_strdup ("demo_worker");
  config->hourly_budget_usd = 6.0;
  config->polling_interval_time_min = 1;
  config->max_idle_time_min = 5;
  config->max_spin_up_time_min = 10;
  g_ptr_array_add (config->aws_tags, scaler_tag_new ("team", "ml"));

  g_ptr_array_add (config->resources,
                   demo_resource ("cpu-pool", "default", 6, "c5.xlarge", "ami-0123456789abcdef0", FALSE));
  g_ptr_array_add (config->resources,
                   demo_resource ("gpu-t4", "gpu", 3, "g4dn.xlarge", "ami-0fedcba9876543210", TRUE));
  return config;
}
