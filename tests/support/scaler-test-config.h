/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-test-config.h: a valid ScalerConfig for a test, with one resource,
 * and only the fields the test cares about set (scaler-test-daemon.h builds
 * the saved-config JSON of a closed-loop run).
 */

#pragma once

#include "scaler-config.h"

G_BEGIN_DECLS

/* NULL or 0: the default given. */
typedef struct
{
  const char *id;             /* NULL: the new config's own UUID */
  const char *name;           /* NULL: scaler_config_new()'s */
  const char *workers_prefix; /* NULL: scaler_config_new()'s */
  const char *resource;       /* the resource's name; NULL: "cpu" */
  const char *queue;          /* NULL: "default" */
  const char *instance_type;  /* NULL: "m5.large" */
  const char *ami_id;         /* NULL: scaler_resource_new()'s */
  guint       max_instances;  /* 0: scaler_resource_new()'s */
} ScalerTestConfigOptions;

ScalerConfig   *scaler_test_config_new      (const ScalerTestConfigOptions *options);
/* A demo configuration (the simulator; no credentials) named @name (NULL:
 * the demo's), with @id (NULL: a new UUID), as JSON. */
char           *scaler_test_demo_json       (const char                    *id,
                                             const char                    *name);
/* The first resource of @config. */
ScalerResource *scaler_test_config_resource (ScalerConfig                  *config);

G_END_DECLS
