/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-config-validate.c: every problem of a config's values, with its
 * JSON path and a message saying what is wrong and what is expected.
 * scaler-config-schema.c checks the JSON itself (syntax, unknown keys, types)
 * before that. */

#define G_LOG_DOMAIN "scaler-config"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "scaler-config.h"
#include "scaler-config-private.h"
#include "scaler-error.h"
#include "scaler-partitions.h"
#include "scaler-prices.h"

/* Checks registered by layers above the config (scaler_config_add_check()).
 * Written only before main() runs, read-only afterwards: no lock. */
#define MAX_EXTRA_CHECKS 4
static ScalerConfigCheckFunc extra_checks[MAX_EXTRA_CHECKS];
static guint n_extra_checks;

void
scaler_config_add_check (ScalerConfigCheckFunc check)
{
  g_return_if_fail (check != NULL);
  g_return_if_fail (n_extra_checks < MAX_EXTRA_CHECKS);

  for (guint i = 0; i < n_extra_checks; i++)
    if (extra_checks[i] == check)
      return;
  extra_checks[n_extra_checks++] = check;
}

#define MAX_EC2_TAGS      50
#define OUR_TAGS          3     /* ec2-autoscaler:instance, ec2-autoscaler:resource, Name */
#define MAX_TAG_KEY       128
#define MAX_TAG_VALUE     256
#define MAX_INSTANCES     1000
#define MAX_EBS_SIZE_GIB  65536
#define MAX_HOP_LIMIT     64

/* EBS volume types: sizes and IOPS from botocore
 * data/ec2/2016-11-15/service-2.json, EbsBlockDevice (VolumeSize, Iops,
 * Throughput; the same ranges as CreateVolume); the IOPS:GiB ratios and
 * "HDD volumes cannot be boot volumes" from the Amazon EBS User Guide
 * (ebs-volume-types: gp3 500 IOPS/GiB and 0.25 MiB/s per IOPS, io1 50:1,
 * io2 Block Express 1,000:1; every io2 volume is Block Express now). */
typedef struct
{
  const char *type;
  guint       min_gib;
  guint       max_gib;
  guint       min_iops;        /* 0: Iops is not accepted */
  guint       max_iops;
  guint       iops_per_gib;    /* highest IOPS per GiB of size */
  guint       base_iops;       /* included without provisioning (gp3) */
  gboolean    iops_required;
  gboolean    throughput;      /* Throughput is accepted (gp3 only) */
  gboolean    bootable;
} VolumeRule;

static const VolumeRule volume_rules[] = {
  { "gp2", 1, 16384, 0, 0, 0, 0, FALSE, FALSE, TRUE },
  { "gp3", 1, 65536, 3000, 80000, 500, 3000, FALSE, TRUE, TRUE },
  { "io1", 4, 16384, 100, 64000, 50, 0, TRUE, FALSE, TRUE },
  { "io2", 4, 65536, 100, 256000, 1000, 0, TRUE, FALSE, TRUE },
  { "st1", 125, 16384, 0, 0, 0, 0, FALSE, FALSE, FALSE },
  { "sc1", 125, 16384, 0, 0, 0, 0, FALSE, FALSE, FALSE },
  { "standard", 1, 1024, 0, 0, 0, 0, FALSE, FALSE, TRUE },
};

/* gp3 throughput, MiB/s: included, and the range that can be provisioned. */
#define GP3_BASE_THROUGHPUT  125
#define GP3_MAX_THROUGHPUT   2000

/* Device names that are the root volume of common AMIs (Ubuntu, Debian,
 * RHEL: /dev/sda1; Amazon Linux: /dev/xvda). */
static const char * const root_device_names[] = {
  "/dev/sda1", "/dev/sda", "/dev/xvda", "/dev/xvda1", NULL
};

GPtrArray *
_scaler_config_problems_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_config_problem_free);
}

void
_scaler_config_problem_add (GPtrArray             *problems,
                            ScalerProblemSeverity  severity,
                            const char            *path,
                            const char            *format,
                            ...)
{
  ScalerConfigProblem *problem = g_new0 (ScalerConfigProblem, 1);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Messages and paths may quote what the user wrote, which need not be
   * UTF-8; what reaches a label or a terminal must be. */
  problem->severity = severity;
  problem->path = g_utf8_make_valid (path != NULL ? path : "", -1);
  problem->message = g_utf8_make_valid (message, -1);

  g_ptr_array_add (problems, problem);
}

/* Character counts of UTF-8 text; invalid UTF-8 counts as -1. */
static glong
utf8_length (const char *text)
{
  if (text == NULL)
    return 0;
  if (!g_utf8_validate (text, -1, NULL))
    return -1;

  return g_utf8_strlen (text, -1);
}

static gboolean
is_hex_id (const char *text,
           const char *prefix)
{
  size_t n;

  if (text == NULL || !g_str_has_prefix (text, prefix))
    return FALSE;

  text += strlen (prefix);
  n = strlen (text);
  if (n != 8 && n != 17)
    return FALSE;

  for (size_t i = 0; i < n; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;

  return TRUE;
}

static gboolean
has_space (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (g_ascii_isspace (*p))
      return TRUE;

  return FALSE;
}

/* Any control character (tab and line breaks included). clearml.conf gets
 * these values as HOCON strings, and the agent's vendored pyhocon unescapes
 * only \\ \n \r \t \" \= \# \! (clearml-agent
 * clearml_agent/external/pyhocon/config_parser.py:183-193): a \b or
 * \u0001 would reach the agent as those literal characters. */
static gboolean
has_control (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;

  return FALSE;
}

static char *
join_zones (const char * const *zones)
{
  return g_strjoinv (", ", (char **) zones);
}

/* aws.profile: a profile of the AWS files, pinned for the "environment"
 * source (whether it exists is checked when the credentials are fetched:
 * the files of this computer need not be those of the one that runs it). */
static void
check_aws_profile (GPtrArray          *problems,
                   const ScalerConfig *self)
{
  const char *profile = self->aws_profile;
  glong length = utf8_length (profile);
  gboolean control = FALSE;

  if (profile == NULL)
    return;
  for (const char *p = profile; *p != '\0'; p++)
    control = control || (guchar) *p < 0x20 || *p == 0x7f;
  if (self->aws_credentials != SCALER_CREDENTIALS_SOURCE_ENVIRONMENT)
    error_at (problems, "aws.profile",
              _("An AWS profile is used only with “credentials”: “environment” (the AWS credential chain); "
                "remove the profile, or set aws.credentials to “environment”"));
  else if (length < 0 || length > 256 || control || g_ascii_isspace (profile[0]) ||
           g_ascii_isspace (profile[strlen (profile) - 1]))
    error_at (problems, "aws.profile",
              _("“%s” is not an AWS profile name; expected the name of a profile in ~/.aws/config or "
                "~/.aws/credentials, such as dev (no line breaks, no spaces around it, at most 256 characters)"),
              length >= 0 && !control ? profile : "");
}

static void
check_http_url (GPtrArray  *problems,
                const char *path,
                const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL || *url == '\0')
    {
      error_at (problems, path,
                _("The address is empty; expected an http:// or https:// URL such as https://api.clear.ml"));
      return;
    }

  if (!g_utf8_validate (url, -1, NULL) || has_space (url) || has_control (url))
    {
      error_at (problems, path,
                _("“%s” is not a valid URL; expected an http:// or https:// URL without spaces or control characters"),
                g_utf8_validate (url, -1, NULL) && !has_control (url) ? url : "?");
      return;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    error_at (problems, path,
              _("“%s” is not an http(s) URL; expected an address such as https://api.clear.ml or http://127.0.0.1:8008"),
              url);
}

static void
check_duration (GPtrArray  *problems,
                const char *path,
                double      value)
{
  if (!isfinite (value) || value <= 0)
    error_at (problems, path,
              _("The duration must be a number of minutes greater than 0 (fractions such as 0.5 are fine)"));
}

static void
check_name_segment (GPtrArray  *problems,
                    const char *path,
                    const char *value,
                    const char *what)
{
  /* what: already translated, e.g. "The resource name". */
  if (value == NULL || *value == '\0')
    error_at (problems, path, _("%s is empty; it is part of every worker id, so it must be set"), what);
  else if (!g_utf8_validate (value, -1, NULL))
    error_at (problems, path, _("%s is not valid UTF-8 text"), what);
  else if (strchr (value, ':') != NULL)
    error_at (problems, path,
              _("%s “%s” contains “:”, which separates the parts of a ClearML worker id; use letters, digits, “-” or “_”"),
              what, value);
  else if (has_space (value) || strchr (value, '/') != NULL)
    error_at (problems, path,
              _("%s “%s” contains a space or “/”; use letters, digits, “-” or “_”"),
              what, value);
}

static void
check_tags (GPtrArray  *problems,
            const char *path,
            GPtrArray  *tags)
{
  for (guint i = 0; tags != NULL && i < tags->len; i++)
    {
      const ScalerTag *tag = g_ptr_array_index (tags, i);
      glong key_length = utf8_length (tag->key);
      glong value_length = utf8_length (tag->value);

      if (key_length < 0 || value_length < 0)
        {
          error_at (problems, path, _("Tag %u is not valid UTF-8 text"), i + 1);
          continue;
        }
      if (key_length == 0)
        error_at (problems, path,
                  _("A tag has an empty key; expected key=value pairs such as “team=ml”"));
      else if (key_length > MAX_TAG_KEY)
        error_at (problems, path,
                  _("The tag key “%.40s…” is %ld characters long; EC2 allows at most %d"),
                  tag->key, key_length, MAX_TAG_KEY);
      else if (g_ascii_strncasecmp (tag->key, "aws:", 4) == 0)
        error_at (problems, path,
                  _("The tag key “%s” starts with “aws:”, which AWS reserves; choose another key"),
                  tag->key);
      else if (g_ascii_strncasecmp (tag->key, "ec2-autoscaler:", 15) == 0)
        error_at (problems, path,
                  _("The tag key “%s” starts with “ec2-autoscaler:”, which the autoscaler uses to recognise its own instances; choose another key"),
                  tag->key);

      if (value_length > MAX_TAG_VALUE)
        error_at (problems, path,
                  _("The value of tag “%s” is %ld characters long; EC2 allows at most %d"),
                  tag->key, value_length, MAX_TAG_VALUE);

      for (guint j = 0; j < i; j++)
        if (g_strcmp0 (((ScalerTag *) g_ptr_array_index (tags, j))->key, tag->key) == 0)
          {
            error_at (problems, path,
                      _("The tag key “%s” appears more than once; each key can have only one value"),
                      tag->key);
            break;
          }
    }
}

static guint
count_merged_tags (GPtrArray *aws_tags,
                   GPtrArray *resource_tags)
{
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_add (keys, (gpointer) "ec2-autoscaler:instance");
  g_hash_table_add (keys, (gpointer) "ec2-autoscaler:resource");
  g_hash_table_add (keys, (gpointer) "Name");
  for (guint i = 0; aws_tags != NULL && i < aws_tags->len; i++)
    g_hash_table_add (keys, ((ScalerTag *) g_ptr_array_index (aws_tags, i))->key);
  for (guint i = 0; resource_tags != NULL && i < resource_tags->len; i++)
    g_hash_table_add (keys, ((ScalerTag *) g_ptr_array_index (resource_tags, i))->key);

  return g_hash_table_size (keys);
}

static gboolean
is_valid_iam_profile (const char *value)
{
  if (g_str_has_prefix (value, "arn:"))
    return g_regex_match_simple ("^arn:aws[a-z-]*:iam::[0-9]{12}:instance-profile/[\\w+=,.@/-]{1,128}$",
                                 value, 0, 0);

  return g_regex_match_simple ("^[\\w+=,.@-]{1,128}$", value, 0, 0);
}

/* Zones: one of another region is an error; one this version does not list
 * only a warning (zones differ per account, and AWS adds zones). */
static void
check_zones (GPtrArray            *problems,
             const ScalerConfig   *config,
             const ScalerResource *resource,
             const char           *base)
{
  const char * const *zones = scaler_region_get_zones (config->aws_region);
  const char *region = config->aws_region != NULL ? config->aws_region : "";

  for (guint z = 0; resource->availability_zones[z] != NULL; z++)
    {
      const char *zone = resource->availability_zones[z];
      const char *shown = g_utf8_validate (zone, -1, NULL) ? zone : "?";
      g_autofree char *zone_path = g_strdup_printf ("%s.availability_zones[%u]", base, z);

      if (zones != NULL && g_strv_contains (zones, zone))
        continue;
      if (*region != '\0' && (!g_str_has_prefix (zone, region) || zone[strlen (region)] == '\0'))
        error_at (problems, zone_path,
                  _("“%s” is not an availability zone of %s; expected the region name followed by a letter, such as %sa"),
                  shown, region, region);
      else if (zones != NULL)
        {
          g_autofree char *expected = join_zones (zones);

          warning_at (problems, zone_path,
                      _("“%s” is not a zone this version knows in %s (known: %s); zones differ per account, so it is kept, but check it with “aws ec2 describe-availability-zones”"),
                      shown, region, expected);
        }
    }
}

static const VolumeRule *
volume_rule (const char *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (volume_rules); i++)
    if (g_strcmp0 (volume_rules[i].type, type) == 0)
      return &volume_rules[i];

  return NULL;
}

static gboolean
is_root_device (const char *device)
{
  return device != NULL && g_strv_contains (root_device_names, device);
}

/* Iops and Throughput of the volume of @rule (ebs_volume_size is in range). */
static void
check_volume_performance (GPtrArray            *problems,
                          const ScalerResource *resource,
                          const VolumeRule     *rule,
                          const char           *base)
{
  g_autofree char *iops_path = g_strconcat (base, ".ebs_iops", NULL);
  g_autofree char *throughput_path = g_strconcat (base, ".ebs_throughput", NULL);
  guint size = resource->ebs_volume_size;
  guint iops = resource->ebs_iops;

  if (rule->min_iops == 0 && iops > 0)
    error_at (problems, iops_path,
              _("%s volumes take no IOPS setting; remove ebs_iops, or choose gp3, io1 or io2"), rule->type);
  else if (rule->iops_required && iops == 0)
    error_at (problems, iops_path,
              _("%s volumes need provisioned IOPS: set ebs_iops to a whole number from %u to %u (at most %u per GiB of ebs_volume_size: %u for %u GiB)"),
              rule->type, rule->min_iops, rule->max_iops, rule->iops_per_gib,
              MIN (rule->max_iops, rule->iops_per_gib * MAX (size, 1)), size);
  else if (iops > 0 && (iops < rule->min_iops || iops > rule->max_iops))
    error_at (problems, iops_path,
              _("%u IOPS is out of range for %s; expected a whole number from %u to %u"),
              iops, rule->type, rule->min_iops, rule->max_iops);
  else if (iops > 0 && size > 0 && iops > MAX (rule->base_iops, (guint64) rule->iops_per_gib * size))
    error_at (problems, iops_path,
              _("%u IOPS is too many for a %u GiB %s volume: at most %u IOPS per GiB (%u); lower ebs_iops or raise ebs_volume_size to %u GiB"),
              iops, size, rule->type, rule->iops_per_gib, rule->iops_per_gib * size,
              (iops + rule->iops_per_gib - 1) / rule->iops_per_gib);

  if (resource->ebs_throughput == 0)
    return;
  if (!rule->throughput)
    error_at (problems, throughput_path,
              _("Only gp3 volumes take a throughput setting; remove ebs_throughput or choose gp3"));
  else if (resource->ebs_throughput < GP3_BASE_THROUGHPUT || resource->ebs_throughput > GP3_MAX_THROUGHPUT)
    error_at (problems, throughput_path,
              _("%u MiB/s is out of range for gp3; expected a whole number from %u to %u"),
              resource->ebs_throughput, GP3_BASE_THROUGHPUT, GP3_MAX_THROUGHPUT);
  else if (resource->ebs_throughput > MAX (GP3_BASE_THROUGHPUT, (iops > 0 ? iops : rule->base_iops) / 4))
    error_at (problems, throughput_path,
              _("%u MiB/s needs at least %u IOPS on gp3 (0.25 MiB/s per IOPS); raise ebs_iops or lower ebs_throughput"),
              resource->ebs_throughput, resource->ebs_throughput * 4);
}

/* The volume of the block device mapping: device name, size range of its
 * type, boot volume, Iops and Throughput. */
static void
check_volume (GPtrArray            *problems,
              const ScalerResource *resource,
              const char           *base)
{
  g_autofree char *device_path = g_strconcat (base, ".ebs_device_name", NULL);
  g_autofree char *size_path = g_strconcat (base, ".ebs_volume_size", NULL);
  g_autofree char *type_path = g_strconcat (base, ".ebs_volume_type", NULL);
  const char *device = resource->ebs_device_name != NULL ? resource->ebs_device_name : "";
  const char *type = resource->ebs_volume_type != NULL ? resource->ebs_volume_type : "";
  const VolumeRule *rule = volume_rule (*type != '\0' ? type : "gp2");   /* EC2's default type */

  if (*type != '\0' && volume_rule (type) == NULL)
    {
      error_at (problems, type_path,
                _("“%s” is not an EBS volume type; expected one of gp2, gp3, io1, io2, st1, sc1 or standard"),
                g_utf8_validate (type, -1, NULL) ? type : "?");
      rule = NULL;
    }

  if (*device == '\0')
    {
      if (resource->ebs_volume_size > MAX_EBS_SIZE_GIB)
        error_at (problems, size_path, _("The volume size is %u GiB; expected a whole number from 1 to %d"),
                  resource->ebs_volume_size, MAX_EBS_SIZE_GIB);
      if (resource->ebs_iops > 0 || resource->ebs_throughput > 0)
        warning_at (problems, *type != '\0' ? type_path : size_path,
                    _("ebs_iops and ebs_throughput apply only with ebs_device_name; without it the AMI's volumes are used unchanged"));
      return;
    }

  if (!g_str_has_prefix (device, "/dev/") || has_space (device) || !g_utf8_validate (device, -1, NULL))
    error_at (problems, device_path,
              _("“%s” is not a device name; expected a path such as /dev/sda1 or /dev/xvda, or empty for the AMI's default"),
              g_utf8_validate (device, -1, NULL) ? device : "?");
  if (rule == NULL)
    return;
  if (resource->ebs_volume_size < rule->min_gib || resource->ebs_volume_size > rule->max_gib)
    {
      error_at (problems, size_path,
                _("The volume size is %u GiB; %s volumes take a whole number from %u to %u GiB"),
                resource->ebs_volume_size, rule->type, rule->min_gib, rule->max_gib);
      return;
    }
  if (!rule->bootable)
    {
      if (is_root_device (device))
        error_at (problems, type_path,
                  _("%s (HDD) volumes cannot be the boot volume, and %s is the root device of the usual AMIs; choose gp3, gp2, io1 or io2"),
                  rule->type, device);
      else
        warning_at (problems, type_path,
                    _("%s (HDD) volumes cannot be the boot volume: if %s is the AMI's root device, EC2 refuses the launch"),
                    rule->type, device);
    }
  check_volume_performance (problems, resource, rule, base);
}

/* IMDSv2 hop limit and the public IP choice. */
static void
check_launch_options (GPtrArray            *problems,
                      const ScalerResource *resource,
                      const char           *base)
{
  g_autofree char *hop_path = g_strconcat (base, ".metadata_hop_limit", NULL);
  g_autofree char *ip_path = g_strconcat (base, ".associate_public_ip", NULL);

  if (resource->metadata_hop_limit < 1 || resource->metadata_hop_limit > MAX_HOP_LIMIT)
    error_at (problems, hop_path,
              _("The metadata hop limit is %u; expected a whole number from 1 to %d (2 lets docker containers reach the instance role)"),
              resource->metadata_hop_limit, MAX_HOP_LIMIT);

  if (resource->associate_public_ip != SCALER_PUBLIC_IP_SUBNET_DEFAULT &&
      resource->associate_public_ip != SCALER_PUBLIC_IP_YES &&
      resource->associate_public_ip != SCALER_PUBLIC_IP_NO)
    error_at (problems, ip_path, _("Expected true, false or null (the subnet's setting)"));
}

/* Name (unique), queue and max_instances. */
static void
check_resource_identity (GPtrArray          *problems,
                         const ScalerConfig *config,
                         guint               index,
                         const char         *base)
{
  const ScalerResource *resource = g_ptr_array_index (config->resources, index);
  g_autofree char *name_path = g_strconcat (base, ".name", NULL);
  g_autofree char *queue_path = g_strconcat (base, ".queue", NULL);
  g_autofree char *max_path = g_strconcat (base, ".max_instances", NULL);
  glong length;

  check_name_segment (problems, name_path, resource->name, _("The resource name"));
  for (guint j = 0; j < index; j++)
    {
      const ScalerResource *other = g_ptr_array_index (config->resources, j);

      if (*resource->name != '\0' && g_strcmp0 (other->name, resource->name) == 0)
        {
          error_at (problems, name_path,
                    _("resources[%u] is already named “%s”; resource names must be unique"),
                    j, resource->name);
          break;
        }
    }

  length = utf8_length (resource->queue);
  if (length < 3)
    error_at (problems, queue_path,
              _("The queue name “%s” is too short; expected the name of a ClearML queue, at least 3 characters long"),
              length < 0 ? "?" : resource->queue);

  if (resource->max_instances < 1 || resource->max_instances > MAX_INSTANCES)
    error_at (problems, max_path,
              _("Max instances is %u; expected a whole number from 1 to %d"),
              resource->max_instances, MAX_INSTANCES);
}

/* Known types with a price pass; a well-formed type this version does not
 * know, or without a price in the region, is a warning. */
static void
check_instance_type (GPtrArray            *problems,
                     const ScalerConfig   *config,
                     const ScalerResource *resource,
                     const char           *base)
{
  ScalerPriceTable *prices = scaler_price_table_get_default ();
  g_autofree char *path = g_strconcat (base, ".instance_type", NULL);

  if (resource->instance_type == NULL || *resource->instance_type == '\0')
    error_at (problems, path,
              _("The instance type is empty; expected an EC2 instance type such as g4dn.xlarge"));
  else if (scaler_price_table_lookup (prices, resource->instance_type) != NULL)
    {
      if (scaler_region_is_known (config->aws_region) &&
          !scaler_price_table_get_price (prices, resource->instance_type, config->aws_region, NULL))
        warning_at (problems, path,
                    _("The bundled price table has no on-demand price for %s in %s; it may not be offered there, and the budget cannot count it"),
                    resource->instance_type, config->aws_region);
    }
  else if (g_regex_match_simple ("^[a-z][a-z0-9-]*\\.[a-z0-9-]+$", resource->instance_type, 0, 0))
    warning_at (problems, path,
                _("%s is not in the bundled price table, so its price is unknown and the budget cannot count it; check the spelling"),
                resource->instance_type);
  else
    error_at (problems, path,
              _("“%s” is not an EC2 instance type; expected family.size such as g4dn.xlarge or m5.large"),
              g_utf8_validate (resource->instance_type, -1, NULL) ? resource->instance_type : "?");
}

static void
check_ami (GPtrArray            *problems,
           const ScalerResource *resource,
           const char           *base)
{
  g_autofree char *path = g_strconcat (base, ".ami_id", NULL);

  if (resource->ami_id == NULL || *resource->ami_id == '\0')
    error_at (problems, path,
              _("The AMI id is empty; expected “ami-” followed by 8 or 17 lowercase hexadecimal digits"));
  else if (!is_hex_id (resource->ami_id, "ami-"))
    error_at (problems, path,
              _("“%s” is not an AMI id; expected “ami-” followed by 8 or 17 lowercase hexadecimal digits, such as ami-0123456789abcdef0"),
              g_utf8_validate (resource->ami_id, -1, NULL) ? resource->ami_id : "?");
}

static void
check_subnets (GPtrArray            *problems,
               const ScalerResource *resource,
               const char           *base)
{
  for (guint s = 0; resource->subnet_ids[s] != NULL; s++)
    if (!is_hex_id (resource->subnet_ids[s], "subnet-"))
      {
        g_autofree char *subnet_path = g_strdup_printf ("%s.subnet_ids[%u]", base, s);

        error_at (problems, subnet_path,
                  _("“%s” is not a subnet id; expected “subnet-” followed by 8 or 17 lowercase hexadecimal digits"),
                  g_utf8_validate (resource->subnet_ids[s], -1, NULL) ? resource->subnet_ids[s] : "?");
      }
}

/* Key pair, security groups and instance profile. */
static void
check_access (GPtrArray            *problems,
              const ScalerResource *resource,
              const char           *base)
{
  if (resource->key_name != NULL && (utf8_length (resource->key_name) < 0 || utf8_length (resource->key_name) > 255))
    {
      g_autofree char *key_path = g_strconcat (base, ".key_name", NULL);

      error_at (problems, key_path,
                _("The key pair name is not valid; expected the name of an EC2 key pair (at most 255 characters) or empty"));
    }

  for (guint s = 0; resource->security_group_ids[s] != NULL; s++)
    if (!is_hex_id (resource->security_group_ids[s], "sg-"))
      {
        g_autofree char *sg_path = g_strdup_printf ("%s.security_group_ids[%u]", base, s);

        error_at (problems, sg_path,
                  _("“%s” is not a security group id; expected “sg-” followed by 8 or 17 lowercase hexadecimal digits"),
                  g_utf8_validate (resource->security_group_ids[s], -1, NULL) ? resource->security_group_ids[s] : "?");
      }

  if (resource->iam_instance_profile != NULL && *resource->iam_instance_profile != '\0' &&
      (!g_utf8_validate (resource->iam_instance_profile, -1, NULL) ||
       !is_valid_iam_profile (resource->iam_instance_profile)))
    {
      g_autofree char *iam_path = g_strconcat (base, ".iam_instance_profile", NULL);

      error_at (problems, iam_path,
                _("“%s” is not an instance profile; expected a profile name (letters, digits and +=,.@_-) or an ARN such as arn:aws:iam::123456789012:instance-profile/name"),
                g_utf8_validate (resource->iam_instance_profile, -1, NULL) ? resource->iam_instance_profile : "?");
    }
}

/* The resource's tags, and all tags an instance would carry. */
static void
check_resource_tags (GPtrArray            *problems,
                     const ScalerConfig   *config,
                     const ScalerResource *resource,
                     const char           *base)
{
  g_autofree char *path = g_strconcat (base, ".tags", NULL);

  check_tags (problems, path, resource->tags);
  if (count_merged_tags (config->aws_tags, NULL) <= MAX_EC2_TAGS)
    {
      guint n = count_merged_tags (config->aws_tags, resource->tags);

      if (n > MAX_EC2_TAGS)
        error_at (problems, path,
                  _("Instances of this resource would carry %u tags (its tags, aws.tags and the autoscaler's 3); EC2 allows at most %d"),
                  n, MAX_EC2_TAGS);
    }
}

static void
check_resource (GPtrArray          *problems,
                const ScalerConfig *config,
                guint               index)
{
  const ScalerResource *resource = g_ptr_array_index (config->resources, index);
  g_autofree char *base = g_strdup_printf ("resources[%u]", index);

  check_resource_identity (problems, config, index, base);
  check_instance_type (problems, config, resource, base);
  check_zones (problems, config, resource, base);
  check_subnets (problems, resource, base);
  check_ami (problems, resource, base);
  check_volume (problems, resource, base);
  check_access (problems, resource, base);
  check_launch_options (problems, resource, base);
  check_resource_tags (problems, config, resource, base);
}

/* What the agent on the instance makes of the resource. */
static void
check_resource_agent (GPtrArray          *problems,
                      const ScalerConfig *config,
                      guint               index)
{
  const ScalerResource *resource = g_ptr_array_index (config->resources, index);
  const ScalerInstanceTypeInfo *info = NULL;
  gboolean docker = config->default_docker_image != NULL && *config->default_docker_image != '\0';
  g_autofree char *queue_path = g_strdup_printf ("resources[%u].queue", index);
  g_autofree char *cpu_path = g_strdup_printf ("resources[%u].cpu_only", index);

  /* The agent passes a name of 30+ hex digits and dashes through as a queue
   * id (clearml-agent clearml_agent/commands/base.py:344-345). */
  if (resource->queue != NULL && g_regex_match_simple ("^[-a-f0-9]{30,}$", resource->queue, 0, 0))
    warning_at (problems, queue_path,
                _("The agent takes a queue name of 30 or more hexadecimal digits and dashes for a queue id, so it would not find the queue “%s” by name; rename the queue"),
                resource->queue);
  /* The server strips queue names when it creates them. */
  else if (resource->queue != NULL && g_utf8_validate (resource->queue, -1, NULL) &&
           (g_ascii_isspace (resource->queue[0]) ||
            (*resource->queue != '\0' && g_ascii_isspace (resource->queue[strlen (resource->queue) - 1]))))
    warning_at (problems, queue_path,
                _("The queue name “%s” starts or ends with a space; ClearML strips queue names, so no queue has this name"),
                resource->queue);

  if (!docker || resource->instance_type == NULL || *resource->instance_type == '\0')
    return;
  info = scaler_price_table_lookup (scaler_price_table_get_default (), resource->instance_type);
  if (resource->cpu_only == SCALER_CPU_ONLY_NO && info != NULL && info->gpu_count == 0)
    warning_at (problems, cpu_path,
                _("cpu_only is false, but %s has no GPU: every task would run with “docker run --gpus all” and fail; set cpu_only to true or leave it unset"),
                resource->instance_type);
  else if (resource->cpu_only == SCALER_CPU_ONLY_AUTO && info == NULL)
    warning_at (problems, cpu_path,
                _("%s is not in the bundled table, so whether it has GPUs is guessed from its name (%s); set cpu_only to true or false to be sure"),
                resource->instance_type,
                scaler_resource_is_cpu_only (resource) ? _("no GPU") : _("NVIDIA GPUs"));
}

/* Known regions pass; a region AWS added after this version's partition
 * table (it matches a partition's pattern) is a warning; anything else is
 * not an AWS region name. */
static void
check_region (GPtrArray  *problems,
              const char *region)
{
  ScalerRegionKind kind = SCALER_REGION_INVALID;
  const ScalerPartition *partition = scaler_partition_for_region (region, &kind);
  const char *shown = region != NULL && g_utf8_validate (region, -1, NULL) ? region : "";

  if (partition == NULL)
    error_at (problems, "aws.region",
              _("“%s” is not an AWS region name; expected a region code such as us-east-1, eu-west-1 or cn-north-1"),
              shown);
  else if (kind == SCALER_REGION_PATTERN && !scaler_region_is_known (region))
    warning_at (problems, "aws.region",
                _("%s is not a region this version knows; it looks like a region of the %s partition, so the endpoint ec2.%s.%s is used: check the spelling"),
                shown, partition->id, shown, partition->dns_suffix);
}

/* version, id and name. */
static void
check_identity (GPtrArray          *problems,
                const ScalerConfig *self)
{
  g_autofree char *stripped = g_strstrip (g_strdup (self->name != NULL ? self->name : ""));

  if (self->version != SCALER_CONFIG_VERSION)
    error_at (problems, "version",
              _("Version %d is not supported; expected %d"), self->version, SCALER_CONFIG_VERSION);

  if (self->id == NULL || *self->id == '\0')
    error_at (problems, "id",
              _("The id is missing; expected a UUID such as 5b0f3c9e-1c2d-4e5f-8a9b-0123456789ab"));
  else if (!g_uuid_string_is_valid (self->id))
    error_at (problems, "id",
              _("“%s” is not a UUID; expected 32 hexadecimal digits in the form 5b0f3c9e-1c2d-4e5f-8a9b-0123456789ab"),
              self->id != NULL && g_utf8_validate (self->id, -1, NULL) ? self->id : "");

  if (utf8_length (self->name) < 0)
    error_at (problems, "name", _("The name is not valid UTF-8 text"));
  else if (*stripped == '\0')
    error_at (problems, "name", _("The name is empty; give this autoscaler a name to tell it apart"));
}

static void
check_aws (GPtrArray          *problems,
           const ScalerConfig *self)
{
  check_region (problems, self->aws_region);

  if (self->aws_endpoint != NULL && *self->aws_endpoint != '\0')
    check_http_url (problems, "aws.endpoint", self->aws_endpoint);

  if (self->aws_credentials != SCALER_CREDENTIALS_SOURCE_KEYRING &&
      self->aws_credentials != SCALER_CREDENTIALS_SOURCE_ENVIRONMENT)
    error_at (problems, "aws.credentials", _("Unknown credentials source; expected “keyring” or “environment”"));
  check_aws_profile (problems, self);

  check_tags (problems, "aws.tags", self->aws_tags);
  if (count_merged_tags (self->aws_tags, NULL) > MAX_EC2_TAGS)
    error_at (problems, "aws.tags",
              _("%u tags plus the autoscaler's 3 exceed EC2's limit of %d tags per instance"),
              self->aws_tags->len, MAX_EC2_TAGS);
}

/* The ClearML servers, and what the agent's clearml.conf gets. */
static void
check_clearml (GPtrArray          *problems,
               const ScalerConfig *self)
{
  check_http_url (problems, "clearml.api_server", self->clearml_api_server);
  check_http_url (problems, "clearml.web_server", self->clearml_web_server);
  check_http_url (problems, "clearml.files_server", self->clearml_files_server);
  if (self->clearml_credentials != SCALER_CREDENTIALS_SOURCE_KEYRING &&
      self->clearml_credentials != SCALER_CREDENTIALS_SOURCE_ENVIRONMENT)
    error_at (problems, "clearml.credentials", _("Unknown credentials source; expected “keyring” or “environment”"));

  if (self->git_user != NULL && (utf8_length (self->git_user) < 0 || has_control (self->git_user) ||
                                 strchr (self->git_user, '"') != NULL))
    error_at (problems, "git_user",
              _("The git user contains a line break, another control character or a quote; expected a plain user name"));

  if (self->default_docker_image != NULL &&
      (utf8_length (self->default_docker_image) < 0 || strpbrk (self->default_docker_image, "\n\r") != NULL))
    error_at (problems, "default_docker_image",
              _("The docker image spans several lines; expected one line such as nvidia/cuda:12.4.1-runtime-ubuntu22.04"));
}

/* Durations, workers prefix, budget, stop behaviour and idle policy. */
static void
check_engine_settings (GPtrArray          *problems,
                       const ScalerConfig *self)
{
  check_duration (problems, "max_idle_time_min", self->max_idle_time_min);
  check_duration (problems, "polling_interval_time_min", self->polling_interval_time_min);
  check_duration (problems, "max_spin_up_time_min", self->max_spin_up_time_min);

  check_name_segment (problems, "workers_prefix", self->workers_prefix, _("The workers prefix"));

  if (!isfinite (self->hourly_budget_usd) || self->hourly_budget_usd < 0)
    error_at (problems, "hourly_budget_usd",
              _("The hourly budget must be 0 (no budget) or a positive number of US dollars"));

  if (self->on_stop != SCALER_ON_STOP_KEEP && self->on_stop != SCALER_ON_STOP_TERMINATE_IDLE &&
      self->on_stop != SCALER_ON_STOP_TERMINATE_ALL)
    error_at (problems, "on_stop", _("Unknown stop behaviour; expected “keep”, “terminate_idle” or “terminate_all”"));

  if (self->idle_policy != SCALER_IDLE_POLICY_ADAPTIVE && self->idle_policy != SCALER_IDLE_POLICY_FIXED)
    error_at (problems, "idle_policy", _("Unknown idle policy; expected “adaptive” or “fixed”"));
}

GPtrArray *
scaler_config_validate (const ScalerConfig *self)
{
  GPtrArray *problems;

  g_return_val_if_fail (self != NULL, NULL);

  problems = _scaler_config_problems_new ();
  check_identity (problems, self);
  check_aws (problems, self);
  check_clearml (problems, self);
  check_engine_settings (problems, self);

  if (utf8_length (self->extra_vm_bash_script) < 0)
    error_at (problems, "extra_vm_bash_script", _("The init script is not valid UTF-8 text"));
  if (utf8_length (self->extra_clearml_conf) < 0)
    error_at (problems, "extra_clearml_conf", _("The extra clearml.conf text is not valid UTF-8 text"));

  if (self->resources->len == 0)
    error_at (problems, "resources",
              _("There are no resources; add at least one (a queue, an instance type and an AMI)"));

  for (guint i = 0; i < self->resources->len; i++)
    {
      check_resource (problems, self, i);
      check_resource_agent (problems, self, i);
    }

  /* Checks of the layers above (the user-data size, scaler-bootstrap.c). */
  for (guint i = 0; i < n_extra_checks; i++)
    extra_checks[i] (self, problems);

  return problems;
}
