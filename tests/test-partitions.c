/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of scaler-partitions.c: botocore's partitions.json (data/partitions/). */

#define G_LOG_DOMAIN "test-partitions"

#include "config.h"

#include <string.h>

#include "scaler-core.h"
#include "scaler-partitions.h"

typedef struct
{
  const char      *region;
  const char      *partition;   /* NULL: none */
  ScalerRegionKind kind;
  const char      *endpoint;
} Case;

static const Case cases[] = {
  { "us-east-1", "aws", SCALER_REGION_LISTED, "https://ec2.us-east-1.amazonaws.com/" },
  { "ap-east-2", "aws", SCALER_REGION_LISTED, "https://ec2.ap-east-2.amazonaws.com/" },
  { "ap-southeast-6", "aws", SCALER_REGION_LISTED, "https://ec2.ap-southeast-6.amazonaws.com/" },
  { "cn-northwest-1", "aws-cn", SCALER_REGION_LISTED, "https://ec2.cn-northwest-1.amazonaws.com.cn/" },
  { "us-gov-west-1", "aws-us-gov", SCALER_REGION_LISTED, "https://ec2.us-gov-west-1.amazonaws.com/" },
  { "us-iso-east-1", "aws-iso", SCALER_REGION_LISTED, "https://ec2.us-iso-east-1.c2s.ic.gov/" },
  { "us-isob-east-1", "aws-iso-b", SCALER_REGION_LISTED, "https://ec2.us-isob-east-1.sc2s.sgov.gov/" },
  { "eu-isoe-west-1", "aws-iso-e", SCALER_REGION_LISTED, "https://ec2.eu-isoe-west-1.cloud.adc-e.uk/" },
  { "us-isof-south-1", "aws-iso-f", SCALER_REGION_LISTED, "https://ec2.us-isof-south-1.csp.hci.ic.gov/" },
  { "eusc-de-east-1", "aws-eusc", SCALER_REGION_LISTED, "https://ec2.eusc-de-east-1.amazonaws.eu/" },
  /* Not listed, but of a partition's pattern: AWS adds regions. */
  { "eu-central-9", "aws", SCALER_REGION_PATTERN, "https://ec2.eu-central-9.amazonaws.com/" },
  { "cn-south-7", "aws-cn", SCALER_REGION_PATTERN, "https://ec2.cn-south-7.amazonaws.com.cn/" },
  { "us-gov-south-2", "aws-us-gov", SCALER_REGION_PATTERN, "https://ec2.us-gov-south-2.amazonaws.com/" },
  { "eusc-de-west-2", "aws-eusc", SCALER_REGION_PATTERN, "https://ec2.eusc-de-west-2.amazonaws.eu/" },
  /* Not region names: the SDKs fall back to the aws partition's suffix. */
  { "us-east-1a", NULL, SCALER_REGION_INVALID, "https://ec2.us-east-1a.amazonaws.com/" },
  { "moon-base-1", NULL, SCALER_REGION_INVALID, "https://ec2.moon-base-1.amazonaws.com/" },
  { "aws-global", NULL, SCALER_REGION_INVALID, NULL },
  { "US-EAST-1", NULL, SCALER_REGION_INVALID, NULL },
  { "us-east-1\n", NULL, SCALER_REGION_INVALID, NULL },
  { "", NULL, SCALER_REGION_INVALID, NULL },
};

static void
test_regions (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ScalerRegionKind kind = SCALER_REGION_LISTED;
      const ScalerPartition *partition = scaler_partition_for_region (cases[i].region, &kind);

      g_test_message ("%s", cases[i].region);
      g_assert_cmpint (kind, ==, cases[i].kind);
      if (cases[i].partition == NULL)
        g_assert_null (partition);
      else
        g_assert_cmpstr (partition->id, ==, cases[i].partition);
      if (cases[i].endpoint != NULL)
        {
          g_autofree char *endpoint = scaler_partition_ec2_endpoint (cases[i].region);

          g_assert_cmpstr (endpoint, ==, cases[i].endpoint);
        }
    }
  g_assert_null (scaler_partition_for_region (NULL, NULL));
}

static void
test_partition_outputs (void)
{
  const ScalerPartition *aws = scaler_partition_for_region ("eu-west-1", NULL);
  const ScalerPartition *iso = scaler_partition_for_region ("us-iso-west-1", NULL);

  g_assert_cmpstr (aws->dns_suffix, ==, "amazonaws.com");
  g_assert_cmpstr (aws->dual_stack_dns_suffix, ==, "api.aws");
  g_assert_true (aws->supports_fips);
  g_assert_cmpstr (iso->dns_suffix, ==, "c2s.ic.gov");
  /* The same partition object for every region of a partition. */
  g_assert_true (aws == scaler_partition_for_region ("ap-south-2", NULL));
}

static void
test_list (void)
{
  const char * const *regions = scaler_partitions_list_regions ();
  guint n = g_strv_length ((char **) regions);

  g_assert_cmpuint (n, >=, 45);
  for (guint i = 0; regions[i] != NULL; i++)
    {
      g_assert_false (g_str_has_suffix (regions[i], "-global"));
      if (i > 0)
        g_assert_cmpint (strcmp (regions[i - 1], regions[i]), <, 0);
    }
  g_assert_true (g_strv_contains (regions, "ap-east-2"));
  g_assert_true (g_strv_contains (regions, "eusc-de-east-1"));
  /* The EC2 client builds its default endpoint from the table. */
  {
    g_autofree char *endpoint = scaler_ec2_endpoint_for_region ("eusc-de-east-1");

    g_assert_cmpstr (endpoint, ==, "https://ec2.eusc-de-east-1.amazonaws.eu/");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/partitions/regions", test_regions);
  g_test_add_func ("/scaler/partitions/outputs", test_partition_outputs);
  g_test_add_func ("/scaler/partitions/list", test_list);

  return g_test_run ();
}
