/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-sign: SigV4-sign 100,000 EC2 POST requests (DescribeInstances bodies
 * of varying content, fresh X-Amz-Date each) with one signer, whose signing
 * key is cached per day; then 10,000 with a new signer each time (key derived
 * every time) for comparison. Numbers are printed, never asserted.
 */

#include "config.h"

#include <stdio.h>

#include "scaler-core.h"
#include "scaler-aws-sigv4.h"

#define N_CACHED   100000
#define N_UNCACHED 10000

static ScalerSigv4Request *
make_request (guint i)
{
  g_autofree char *body = g_strdup_printf ("Action=DescribeInstances&Version=2016-11-15"
                                           "&Filter.1.Name=tag%%3Aec2-autoscaler%%3Ainstance"
                                           "&Filter.1.Value.1=5b0f3c9e-0000-4000-8000-%012u"
                                           "&Filter.2.Name=instance-state-name&Filter.2.Value.1=pending"
                                           "&Filter.2.Value.2=running&MaxResults=1000", i);
  ScalerSigv4Request *request = scaler_sigv4_request_new ("POST", "/", NULL);

  scaler_sigv4_request_add_header (request, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  scaler_sigv4_request_add_header (request, "Host", "ec2.us-east-1.amazonaws.com");
  scaler_sigv4_request_set_payload (request, body, strlen (body));

  return request;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new ("AKIDEXAMPLE",
                                                                      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                                                      NULL);
  g_autoptr(ScalerSigner) signer = scaler_signer_new ("us-east-1", "ec2");
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_sigv4_request_free);
  gint64 base = G_GINT64_CONSTANT (1440938160) * G_USEC_PER_SEC;
  gint64 t0, elapsed;
  guint checksum = 0;

  for (guint i = 0; i < 256; i++)
    g_ptr_array_add (requests, make_request (i));

  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < N_CACHED; i++)
    {
      ScalerSigv4Result *result = scaler_signer_sign (signer, creds, g_ptr_array_index (requests, i % 256),
                                                      base + (gint64) i * G_USEC_PER_SEC, NULL);

      checksum += (guint8) result->signature[0];
      scaler_sigv4_result_free (result);
    }
  elapsed = g_get_monotonic_time () - t0;
  printf ("bench-sign: %u EC2 POST requests signed (signing key cached per day, %u derivations): "
          "%.1f ms total, %.2f us per request\n",
          N_CACHED, scaler_signer_get_key_derivations (signer), elapsed / 1000.0, (double) elapsed / N_CACHED);

  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < N_UNCACHED; i++)
    {
      g_autoptr(ScalerSigner) fresh = scaler_signer_new ("us-east-1", "ec2");
      ScalerSigv4Result *result = scaler_signer_sign (fresh, creds, g_ptr_array_index (requests, i % 256),
                                                      base + (gint64) i * G_USEC_PER_SEC, NULL);

      checksum += (guint8) result->signature[0];
      scaler_sigv4_result_free (result);
    }
  elapsed = g_get_monotonic_time () - t0;
  printf ("bench-sign: %u requests with a new signer each (key derived every time): "
          "%.1f ms total, %.2f us per request\n",
          N_UNCACHED, elapsed / 1000.0, (double) elapsed / N_UNCACHED);
  printf ("bench-sign: (checksum %u)\n", checksum);

  return 0;
}
