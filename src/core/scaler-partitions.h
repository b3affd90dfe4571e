/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-partitions.h: AWS partitions (aws, aws-cn, aws-us-gov, aws-iso,
 * aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc), read once from botocore's
 * partitions.json in the core GResource (data/partitions/, Apache-2.0).
 *
 * A region belongs to the partition that lists it, else to the first
 * partition whose regionRegex matches it (botocore's and the SDKs'
 * aws.partition rule). The EC2 endpoint of a region is
 * https://ec2.<region>.<dnsSuffix>/ (botocore
 * data/ec2/2016-11-15/endpoint-rule-set-1.json, the rule without FIPS or
 * dual-stack).
 *
 * CONTRACT: the table is loaded once, immutable and thread-safe; the
 * returned pointers live as long as the process.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *id;                      /* "aws", "aws-cn", ... */
  const char *dns_suffix;              /* "amazonaws.com", "amazonaws.com.cn", ... */
  const char *dual_stack_dns_suffix;   /* "api.aws", ... (nullable) */
  gboolean    supports_fips;
} ScalerPartition;

typedef enum
{
  SCALER_REGION_INVALID,    /* matches no partition: not an AWS region name */
  SCALER_REGION_PATTERN,    /* not listed, but matches a partition's regionRegex */
  SCALER_REGION_LISTED,     /* listed by a partition */
} ScalerRegionKind;

/* The partition of @region (NULL when no partition matches); @kind
 * (nullable) says how it matched. */
const ScalerPartition *scaler_partition_for_region  (const char       *region,
                                                     ScalerRegionKind *kind);
/* Every region a partition lists, sorted (no "*-global" pseudo-regions). */
const char * const    *scaler_partitions_list_regions (void);
/* "https://ec2.<region>.<dnsSuffix>/": the aws partition's suffix when no
 * partition matches, as the SDKs do. */
char                  *scaler_partition_ec2_endpoint  (const char       *region);

G_END_DECLS
