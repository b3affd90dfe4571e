/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-config.h: the configuration of one autoscaler.
 *
 * CONTRACT (shared by config, engine, EC2, ClearML, GUI): a ScalerConfig is a
 * ref-counted plain struct with public fields. Once built (parsed, or filled in
 * by the GUI and then frozen by handing it out) it is IMMUTABLE: the engine's
 * worker thread reads it without locks. To change a config, scaler_config_copy()
 * it, edit the copy, and replace the old reference. The JSON form is the
 * "Saved config" of docs/design.md; secrets are never part of it (ScalerSecrets).
 *
 * Durations are minutes (double, may be fractional). Strings are UTF-8 and
 * never NULL unless documented as nullable; empty string = "not set".
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "scaler-types.h"

G_BEGIN_DECLS

#define SCALER_CONFIG_VERSION 1
/* IMDSv2 hop limit of launched instances unless a resource sets one. */
#define SCALER_DEFAULT_METADATA_HOP_LIMIT 2

typedef enum
{
  SCALER_CREDENTIALS_SOURCE_KEYRING,
  SCALER_CREDENTIALS_SOURCE_ENVIRONMENT,
} ScalerCredentialsSource;

/* Whether the agent may give tasks GPUs (resource "cpu_only"). */
typedef enum
{
  SCALER_CPU_ONLY_AUTO,              /* JSON absent or null: from the instance type */
  SCALER_CPU_ONLY_YES,               /* JSON true */
  SCALER_CPU_ONLY_NO,                /* JSON false */
} ScalerCpuOnly;
/* RunInstances NetworkInterface.1.AssociatePublicIpAddress: left to the
 * subnet's MapPublicIpOnLaunch, or forced on or off. */
typedef enum
{
  SCALER_PUBLIC_IP_SUBNET_DEFAULT,
  SCALER_PUBLIC_IP_YES,
  SCALER_PUBLIC_IP_NO,
} ScalerPublicIp;

typedef enum
{
  SCALER_ON_STOP_KEEP,
  SCALER_ON_STOP_TERMINATE_IDLE,
  SCALER_ON_STOP_TERMINATE_ALL,
} ScalerOnStop;

/* When an idle worker's instance is terminated. max_idle_time_min is the
 * most it stays idle in both. */
typedef enum
{
  /* JSON "adaptive" (default): earlier, when keeping it idle is expected to
   * cost more than booting a new instance later (scaler-policy.c). */
  SCALER_IDLE_POLICY_ADAPTIVE,
  /* JSON "fixed": exactly after max_idle_time_min, like ClearML's autoscaler. */
  SCALER_IDLE_POLICY_FIXED,
} ScalerIdlePolicy;

struct _ScalerTag
{
  char *key;
  char *value;
};

struct _ScalerResource
{
  char     *name;                    /* unique, no ':' */
  char     *queue;                   /* ClearML queue name, >= 3 chars */
  guint     max_instances;           /* 1..1000 */
  char     *instance_type;           /* e.g. "g4dn.xlarge" */
  GStrv     availability_zones;      /* ordered preference, may be empty (never NULL) */
  GStrv     subnet_ids;              /* ordered preference; when set, decides the zone */
  char     *ami_id;                  /* "ami-" + 8 or 17 hex */
  char     *ebs_device_name;         /* "" = no block device mapping (AMI default) */
  guint     ebs_volume_size;         /* GiB, 0 = AMI default */
  char     *ebs_volume_type;         /* "gp3", "gp2", "io1", ... "" = default */
  guint     ebs_iops;                /* 0 = not set; required for io1/io2, optional for gp3 */
  guint     ebs_throughput;          /* MiB/s, 0 = not set; gp3 only */
  char     *key_name;                /* "" = none */
  GStrv     security_group_ids;      /* "sg-..." (never NULL) */
  gboolean  is_spot;
  gboolean  spot_fallback_on_demand;
  char     *iam_instance_profile;    /* nullable: name, or an ARN ("arn:...") */
  guint     metadata_hop_limit;      /* IMDSv2 HttpPutResponseHopLimit, 1..64 (default 2) */
  ScalerPublicIp associate_public_ip; /* JSON null (default), true or false */
  GPtrArray *tags;                   /* of ScalerTag*, in order (never NULL) */
  ScalerCpuOnly cpu_only;            /* see scaler_resource_is_cpu_only() */
};

struct _ScalerConfig
{
  /*< private >*/
  gatomicrefcount ref_count;

  /*< public, read-only once shared >*/
  int       version;                 /* SCALER_CONFIG_VERSION */
  char     *id;                      /* UUID, also the tag value and keyring key */
  char     *name;                    /* shown to people */

  char     *aws_region;
  char     *aws_endpoint;            /* nullable: e.g. "http://127.0.0.1:PORT" in tests */
  ScalerCredentialsSource aws_credentials;
  char     *aws_profile;             /* nullable: AWS profile pinned for "environment"
                                      * (the standard chain then skips the
                                      * environment's keys, as "aws --profile" does) */
  GPtrArray *aws_tags;               /* of ScalerTag* (never NULL) */

  char     *clearml_api_server;
  char     *clearml_web_server;
  char     *clearml_files_server;
  ScalerCredentialsSource clearml_credentials;

  char     *git_user;
  char     *default_docker_image;    /* "" = no docker (virtualenv mode) */
  double    max_idle_time_min;
  double    polling_interval_time_min;
  double    max_spin_up_time_min;
  char     *workers_prefix;          /* no ':' */
  double    hourly_budget_usd;       /* 0 = no budget */
  ScalerOnStop on_stop;
  ScalerIdlePolicy idle_policy;
  char     *extra_vm_bash_script;    /* init script */
  char     *extra_clearml_conf;

  GPtrArray *resources;              /* of ScalerResource* (never NULL) */

  /* JSON "demo": true (default false): this instance runs on the built-in
   * simulator (scaler-sim.h) instead of AWS and ClearML, with no credentials.
   * The GUI's "Try the demo" creates one. */
  gboolean  demo;
};

/* Secrets: never in the config file, the log or the console. */
struct _ScalerSecrets
{
  char *aws_access_key_id;
  char *aws_secret_access_key;
  char *aws_session_token;           /* nullable */
  char *clearml_access_key;
  char *clearml_secret_key;
  char *git_password;                /* nullable */
};

/* One validation problem: a JSON path (e.g. "resources[0].ami_id", "" for the
 * file as a whole) and a translated message saying what is wrong and what is
 * expected. */
typedef enum
{
  SCALER_PROBLEM_ERROR,
  SCALER_PROBLEM_WARNING,
} ScalerProblemSeverity;

struct _ScalerConfigProblem
{
  ScalerProblemSeverity severity;
  char *path;
  char *message;
};

GType              scaler_config_get_type          (void) G_GNUC_CONST;
GType              scaler_resource_get_type        (void) G_GNUC_CONST;
#define SCALER_TYPE_CONFIG   (scaler_config_get_type ())
#define SCALER_TYPE_RESOURCE (scaler_resource_get_type ())

/* A config with the defaults of docs/design.md / ClearML (new UUID, no resources). */
ScalerConfig      *scaler_config_new               (void);
ScalerConfig      *scaler_config_ref               (ScalerConfig        *self);
void               scaler_config_unref             (ScalerConfig        *self);
/* Deep copy; the copy has a ref count of 1 and may be edited until shared. */
ScalerConfig      *scaler_config_copy              (const ScalerConfig  *self);

ScalerResource    *scaler_resource_new             (void);
ScalerResource    *scaler_resource_copy            (const ScalerResource *self);
void               scaler_resource_free            (ScalerResource      *self);

/* TRUE when the agent must not give tasks GPUs (`--cpu-only`: no
 * `docker run --gpus all`, CPU wheels in venv mode). cpu_only true/false
 * decides; AUTO: the bundled price table's GPU count of the instance type, or,
 * for a type not in the table, its family name (g*, gr*, p* followed by a
 * digit have NVIDIA GPUs, except the AMD g4ad). */
gboolean           scaler_resource_is_cpu_only     (const ScalerResource *self);

ScalerTag         *scaler_tag_new                  (const char          *key,
                                                    const char          *value);
void               scaler_tag_free                 (ScalerTag           *self);
/* Parses EC2 tags written as "k1=v1, k2=v2" (split on ',', then on the first
 * '='; blanks around keys and values are dropped; empty items are skipped) and
 * appends ScalerTag*s to @tags. An item without '=' or with an empty key is
 * appended as it is (key = the item, value = "") and, when @bad_item is not
 * NULL, the first such item is returned there. The config's JSON, its schema
 * check, the ClearML import and the GUI's tag rows all parse tags with it. */
void               scaler_tags_parse_string        (const char          *text,
                                                    GPtrArray           *tags,
                                                    char               **bad_item);

/* Lenient parse: returns a config, or NULL with a GError for malformed JSON
 * (message includes line and column). Unknown keys and bad values are NOT
 * errors here; they are reported by scaler_config_validate_json(). */
ScalerConfig      *scaler_config_new_from_json     (const char          *json,
                                                    gssize               length,
                                                    GError             **error);
ScalerConfig      *scaler_config_new_from_file     (const char          *path,
                                                    GError             **error);
/* Strict: parse + validate; NULL and SCALER_ERROR_INVALID_CONFIG if any error,
 * with every problem in *problems (GPtrArray of ScalerConfigProblem*). */
ScalerConfig      *scaler_config_load              (const char          *json,
                                                    gssize               length,
                                                    GPtrArray          **problems,
                                                    GError             **error);
char              *scaler_config_to_json           (const ScalerConfig  *self);
JsonNode          *scaler_config_to_json_node      (const ScalerConfig  *self);

/* All problems (errors and warnings) of a parsed config. */
GPtrArray         *scaler_config_validate          (const ScalerConfig  *self);
/* All problems of a JSON text, including unknown keys and malformed JSON. */
GPtrArray         *scaler_config_validate_json     (const char          *json,
                                                    gssize               length);
gboolean           scaler_config_problems_have_errors (GPtrArray        *problems);

/* A check that belongs to a layer above the config, such as the user-data
 * size of scaler-bootstrap.c: appends its problems, returns FALSE if it found
 * any. A layer registers its check once, before main() runs (a constructor in
 * its own file; libscaler-core is linked whole, so it always is), and
 * scaler_config_validate() runs every registered check last. This way the
 * config layer never calls up into the layers built on it. */
typedef gboolean (*ScalerConfigCheckFunc) (const ScalerConfig *config,
                                           GPtrArray          *problems);
void               scaler_config_add_check         (ScalerConfigCheckFunc check);
void               scaler_config_problem_free      (ScalerConfigProblem *problem);

ScalerResource    *scaler_config_find_resource     (const ScalerConfig  *self,
                                                    const char          *name);
/* Distinct queue names, in the order of first appearance in resources. */
GStrv              scaler_config_dup_queues        (const ScalerConfig  *self);

const char        *scaler_on_stop_to_string        (ScalerOnStop         on_stop);
const char        *scaler_idle_policy_to_string    (ScalerIdlePolicy     idle_policy);
/* FALSE (and *out untouched) for anything but "adaptive" / "fixed". */
gboolean           scaler_idle_policy_from_string  (const char          *text,
                                                    ScalerIdlePolicy    *out);
const char        *scaler_credentials_source_to_string (ScalerCredentialsSource source);

ScalerSecrets     *scaler_secrets_new              (void);
ScalerSecrets     *scaler_secrets_copy             (const ScalerSecrets *self);
/* Overwrites the secret bytes before freeing them. */
void               scaler_secrets_free             (ScalerSecrets       *self);
/* Fills the ClearML and git secrets from CLEARML_API_ACCESS_KEY,
 * CLEARML_API_SECRET_KEY and CLEARML_AUTOSCALER_GIT_PASSWORD; the AWS fields
 * stay NULL (AWS credentials of the "environment" source come from the AWS
 * chain, scaler-aws-chain.h). SCALER_ERROR_CREDENTIALS_MISSING names the
 * missing variables. */
ScalerSecrets     *scaler_secrets_new_from_environment (GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerConfig, scaler_config_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerResource, scaler_resource_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerTag, scaler_tag_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerSecrets, scaler_secrets_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerConfigProblem, scaler_config_problem_free)

G_END_DECLS
