/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-prices.h: the bundled on-demand price table (data/prices/, loaded from
 * the core GResource) and the list of regions and their zones.
 *
 * CONTRACT: the default table is loaded once, is immutable and thread-safe.
 */

#pragma once

#include <glib.h>

#include "scaler-types.h"

G_BEGIN_DECLS

struct _ScalerInstanceTypeInfo
{
  char   *instance_type;   /* "g4dn.xlarge" */
  char   *family;          /* "g4dn" */
  guint   vcpu;
  double  memory_gib;
  guint   gpu_count;
  char   *gpu_model;       /* nullable, e.g. "NVIDIA T4" */
  double  gpu_memory_gib;  /* per GPU, 0 without GPUs */
};

ScalerPriceTable             *scaler_price_table_get_default (void);
/* NULL if the type is not in the table. */
const ScalerInstanceTypeInfo *scaler_price_table_lookup      (ScalerPriceTable *self,
                                                              const char       *instance_type);
/* FALSE if the type has no on-demand price in that region. */
gboolean                      scaler_price_table_get_price   (ScalerPriceTable *self,
                                                              const char       *instance_type,
                                                              const char       *region,
                                                              double           *usd_per_hour);
/* Every known type, sorted by name; const ScalerInstanceTypeInfo*, owned by the table. */
GPtrArray                    *scaler_price_table_list_types  (ScalerPriceTable *self);
/* Where the numbers come from and their date, for the UI ("snapshot of ..."). */
const char                   *scaler_price_table_get_source  (ScalerPriceTable *self);

/* On-demand price of an instance type in a region, USD per hour; FALSE when
 * unknown. */
typedef gboolean (*ScalerPriceFunc) (const char *instance_type,
                                     const char *region,
                                     double     *usd_per_hour,
                                     gpointer    user_data);

/* A ScalerPriceFunc over the default table (region NULL: us-east-1);
 * user_data is ignored. */
gboolean                      scaler_price_table_default_price (const char *instance_type,
                                                                const char *region,
                                                                double     *usd_per_hour,
                                                                gpointer    user_data);

/* Known regions (sorted): data/regions.txt and every region of the AWS
 * partitions (scaler-partitions.h). The zones of one region: NULL if the
 * region is unknown or regions.txt does not list its zones. */
const char * const           *scaler_regions_list            (void);
const char * const           *scaler_region_get_zones        (const char       *region);
gboolean                      scaler_region_is_known         (const char       *region);

G_END_DECLS
