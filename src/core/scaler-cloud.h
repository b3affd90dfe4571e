/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-cloud.h: the cloud seam (docs/design.md, "The two seams").
 *
 * CONTRACT: ScalerCloud is a GInterface with BLOCKING methods. The engine calls
 * them on its worker thread, one cycle at a time; implementations must not touch
 * GTK or the main context. Errors use the SCALER_AWS_ERROR domain
 * (scaler-aws-error.h) with the error class as code, also in the simulator, so
 * the policy reacts the same way to both. Implementations: ScalerEc2Cloud
 * (real, scaler-ec2-cloud.c) and the simulated cloud (scaler-sim.c).
 *
 * Times are microseconds since the Unix epoch (UTC), like g_get_real_time().
 */

#pragma once

#include <gio/gio.h>

#include "scaler-types.h"
#include "scaler-config.h"

G_BEGIN_DECLS

/* Tags of docs/design.md ("Instances it launches"). */
#define SCALER_TAG_INSTANCE "ec2-autoscaler:instance"
#define SCALER_TAG_RESOURCE "ec2-autoscaler:resource"
#define SCALER_TAG_NAME     "Name"

typedef enum
{
  SCALER_INSTANCE_STATE_UNKNOWN,
  SCALER_INSTANCE_STATE_PENDING,
  SCALER_INSTANCE_STATE_RUNNING,
  SCALER_INSTANCE_STATE_SHUTTING_DOWN,
  SCALER_INSTANCE_STATE_TERMINATED,
  SCALER_INSTANCE_STATE_STOPPING,
  SCALER_INSTANCE_STATE_STOPPED,
} ScalerInstanceState;

struct _ScalerInstance
{
  char    *instance_id;        /* "i-..." */
  char    *config_id;          /* value of SCALER_TAG_INSTANCE, nullable */
  char    *resource;           /* value of SCALER_TAG_RESOURCE, nullable */
  char    *instance_type;
  char    *availability_zone;  /* nullable */
  char    *subnet_id;          /* nullable */
  gboolean is_spot;
  ScalerInstanceState state;
  gint64   launch_time;        /* usec since epoch, 0 if unknown */
  char    *client_token;       /* nullable */
  char    *state_reason;       /* nullable, e.g. "Server.SpotInstanceTermination" */
  GPtrArray *tags;             /* of ScalerTag* (never NULL) */
};

struct _ScalerLaunchSpec
{
  const ScalerConfig   *config;
  const ScalerResource *resource;
  const char           *availability_zone;  /* nullable */
  const char           *subnet_id;          /* nullable; wins over the zone */
  gboolean              spot;
  const char           *client_token;       /* <= 64 ASCII chars, saved in the ledger first */
  const char           *user_data;          /* raw script (not base64), nullable */
};

typedef struct
{
  char   *instance_type;
  char   *availability_zone;
  double  price_usd_per_hour;
  gint64  timestamp;           /* usec since epoch */
} ScalerSpotPrice;

#define SCALER_TYPE_CLOUD (scaler_cloud_get_type ())
G_DECLARE_INTERFACE (ScalerCloud, scaler_cloud, SCALER, CLOUD, GObject)

struct _ScalerCloudInterface
{
  GTypeInterface parent_iface;

  /* Every non-terminated instance tagged SCALER_TAG_INSTANCE=config_id
   * (pending, running, shutting-down, stopping, stopped). ScalerInstance*. */
  GPtrArray      *(*list_instances)    (ScalerCloud            *self,
                                        const char             *config_id,
                                        GCancellable           *cancellable,
                                        GError                **error);
  /* One instance, tagged at launch with scaler_launch_tags(). */
  ScalerInstance *(*launch)            (ScalerCloud            *self,
                                        const ScalerLaunchSpec *spec,
                                        GCancellable           *cancellable,
                                        GError                **error);
  /* Idempotent; an unknown/already terminated id is not an error, except
   * for an instance launched moments ago, which EC2 may not know yet
   * (eventual consistency): SCALER_AWS_ERROR_NOT_FOUND, try again later. */
  gboolean        (*terminate)         (ScalerCloud            *self,
                                        const char * const     *instance_ids,
                                        GCancellable           *cancellable,
                                        GError                **error);
  /* Latest spot price per (type, zone) of the region. ScalerSpotPrice*. */
  GPtrArray      *(*get_spot_prices)   (ScalerCloud            *self,
                                        const char * const     *instance_types,
                                        GCancellable           *cancellable,
                                        GError                **error);
  /* Decoded console output (may be empty), for instances that never register. */
  char           *(*get_console_output)(ScalerCloud            *self,
                                        const char             *instance_id,
                                        GCancellable           *cancellable,
                                        GError                **error);
  /* Optional (NULL: not supported). The instances with these ids in ANY
   * state, terminated ones too while the cloud still shows them (EC2: about
   * an hour), with their state_reason. An id the cloud does not know (or not
   * yet: EC2 is eventually consistent) is left out. ScalerInstance*. */
  GPtrArray      *(*describe_instances)(ScalerCloud            *self,
                                        const char * const     *instance_ids,
                                        GCancellable           *cancellable,
                                        GError                **error);
};

GPtrArray      *scaler_cloud_list_instances     (ScalerCloud            *self,
                                                 const char             *config_id,
                                                 GCancellable           *cancellable,
                                                 GError                **error);
ScalerInstance *scaler_cloud_launch             (ScalerCloud            *self,
                                                 const ScalerLaunchSpec *spec,
                                                 GCancellable           *cancellable,
                                                 GError                **error);
gboolean        scaler_cloud_terminate          (ScalerCloud            *self,
                                                 const char * const     *instance_ids,
                                                 GCancellable           *cancellable,
                                                 GError                **error);
GPtrArray      *scaler_cloud_get_spot_prices    (ScalerCloud            *self,
                                                 const char * const     *instance_types,
                                                 GCancellable           *cancellable,
                                                 GError                **error);
char           *scaler_cloud_get_console_output (ScalerCloud            *self,
                                                 const char             *instance_id,
                                                 GCancellable           *cancellable,
                                                 GError                **error);
/* An empty array when the implementation has no describe_instances. */
GPtrArray      *scaler_cloud_describe_instances (ScalerCloud            *self,
                                                 const char * const     *instance_ids,
                                                 GCancellable           *cancellable,
                                                 GError                **error);

ScalerInstance *scaler_instance_new             (void);
ScalerInstance *scaler_instance_copy            (const ScalerInstance   *self);
void            scaler_instance_free            (ScalerInstance         *self);
const char     *scaler_instance_get_tag         (const ScalerInstance   *self,
                                                 const char             *key);
gboolean        scaler_instance_state_is_live   (ScalerInstanceState     state);
const char     *scaler_instance_state_to_string (ScalerInstanceState     state);
ScalerInstanceState scaler_instance_state_from_string (const char       *name);

void            scaler_spot_price_free          (ScalerSpotPrice        *self);

/* The tags of docs/design.md, in order: ec2-autoscaler:instance, ec2-autoscaler:resource,
 * Name = <workers_prefix>:<resource>, then aws.tags, then the resource's tags
 * (a later key replaces an earlier one). GPtrArray of ScalerTag*. */
GPtrArray      *scaler_launch_tags              (const ScalerConfig     *config,
                                                 const ScalerResource   *resource);

/* ClearML worker id: <workers_prefix>:<resource>:<instance_type>:<instance id>. */
char           *scaler_worker_id_build          (const char             *workers_prefix,
                                                 const char             *resource,
                                                 const char             *instance_type,
                                                 const char             *instance_id);
/* Any out parameter may be NULL. FALSE if the id does not have 4 parts. */
gboolean        scaler_worker_id_parse          (const char             *worker_id,
                                                 char                  **prefix,
                                                 char                  **resource,
                                                 char                  **instance_type,
                                                 char                  **instance_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerInstance, scaler_instance_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerSpotPrice, scaler_spot_price_free)

G_END_DECLS
