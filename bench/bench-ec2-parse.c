/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-ec2-parse: parse a DescribeInstances answer of 1,000 and of 10,000
 * instances (generated with the fields EC2 sends, written to files in
 * bench/ of the build tree), print our time, then run the official AWS SDK
 * for JavaScript on the SAME files (bench/ec2-parse-sdk.js, through node and
 * tests/fakes/node_modules) and print its time and the ratio.
 * Numbers are printed, never asserted.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "scaler-core.h"
#include "scaler-ec2-xml.h"

static void
append_instance (GString *s,
                 guint    n)
{
  static const char * const zones[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
  const char *zone = zones[n % 3];

  g_string_append_printf (s,
    "<item><instanceId>i-%017x</instanceId><imageId>ami-0123456789abcdef0</imageId>"
    "<instanceState><code>16</code><name>running</name></instanceState>"
    "<privateDnsName>ip-10-0-%u-%u.ec2.internal</privateDnsName><dnsName/><reason/>"
    "<keyName>ml-key</keyName><amiLaunchIndex>0</amiLaunchIndex><productCodes/>"
    "<instanceType>g4dn.xlarge</instanceType><launchTime>2025-06-01T12:%02u:%02u.000Z</launchTime>"
    "<placement><availabilityZone>%s</availabilityZone><groupName/><tenancy>default</tenancy></placement>"
    "<monitoring><state>disabled</state></monitoring><subnetId>subnet-0aaaaaaaaaaaaaaa%u</subnetId>"
    "<vpcId>vpc-0fake0000000000001</vpcId><privateIpAddress>10.0.%u.%u</privateIpAddress>"
    "<sourceDestCheck>true</sourceDestCheck>"
    "<groupSet><item><groupId>sg-0123456789abcdef0</groupId><groupName>default</groupName></item></groupSet>"
    "<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/sda1</rootDeviceName>"
    "<blockDeviceMapping><item><deviceName>/dev/sda1</deviceName><ebs><volumeId>vol-%017x</volumeId>"
    "<status>attached</status><attachTime>2025-06-01T12:00:01.000Z</attachTime>"
    "<deleteOnTermination>true</deleteOnTermination></ebs></item></blockDeviceMapping>"
    "%s"
    "<virtualizationType>hvm</virtualizationType><clientToken>%08x-0000-4000-8000-%012x</clientToken>"
    "<tagSet><item><key>ec2-autoscaler:instance</key><value>5b0f3c9e-0000-4000-8000-000000000001</value></item>"
    "<item><key>ec2-autoscaler:resource</key><value>aws4gpu</value></item>"
    "<item><key>Name</key><value>dynamic_worker:aws4gpu</value></item>"
    "<item><key>team</key><value>ml &amp; ops</value></item>"
    "<item><key>cost-center</key><value>42</value></item></tagSet>"
    "<hypervisor>xen</hypervisor>"
    "<iamInstanceProfile><arn>arn:aws:iam::123456789012:instance-profile/scaler-worker</arn><id>AIPA%016X</id></iamInstanceProfile>"
    "<ebsOptimized>false</ebsOptimized>"
    "<metadataOptions><state>applied</state><httpTokens>required</httpTokens><httpPutResponseHopLimit>1</httpPutResponseHopLimit>"
    "<httpEndpoint>enabled</httpEndpoint><instanceMetadataTags>disabled</instanceMetadataTags></metadataOptions>"
    "</item>",
    n + 1, (n / 250) % 256, n % 250, (n / 60) % 60, n % 60, zone, n % 10, (n / 250) % 256, n % 250,
    n + 1,
    n % 2 == 0 ? "<instanceLifecycle>spot</instanceLifecycle><spotInstanceRequestId>sir-abcdefgh</spotInstanceRequestId>" : "",
    n, n, n);
}

static GBytes *
generate (guint n_instances)
{
  GString *s = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                             "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                             "<requestId>8f7724cf-496f-496e-8fe3-bench</requestId><reservationSet>");

  /* Reservations of 10 instances, like several RunInstances calls. */
  for (guint i = 0; i < n_instances; i += 10)
    {
      g_string_append_printf (s, "<item><reservationId>r-%017x</reservationId><ownerId>123456789012</ownerId>"
                                 "<groupSet/><instancesSet>", i / 10 + 1);
      for (guint j = i; j < i + 10 && j < n_instances; j++)
        append_instance (s, j);
      g_string_append (s, "</instancesSet></item>");
    }
  g_string_append (s, "</reservationSet></DescribeInstancesResponse>");

  return g_string_free_to_bytes (s);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
time_parse (GBytes *bytes,
            guint   expected,
            guint   runs,
            double *min_ms)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint r = 0; r < runs + 1; r++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ScalerEc2Response) response = NULL;
      gint64 t0 = g_get_monotonic_time ();
      double ms;

      response = scaler_ec2_response_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      if (response == NULL || response->instances->len != expected)
        {
          g_printerr ("bench-ec2-parse: parse failed: %s\n", error != NULL ? error->message : "wrong count");
          exit (1);
        }
      if (r > 0)   /* the first run warms up */
        g_array_append_val (times, ms);
    }
  g_array_sort (times, compare_doubles);
  *min_ms = g_array_index (times, double, 0);

  return g_array_index (times, double, times->len / 2);
}

int
main (int   argc,
      char *argv[])
{
  static const guint sizes[] = { 1000, 10000 };
  const char *source = g_getenv ("SCALER_SOURCE_DIR");
  /* The generated answers go to this program's own build folder, wherever it
   * is run from: never into the source tree. */
  const char *dir = SCALER_BENCH_BUILD_DIR;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  double ours[G_N_ELEMENTS (sizes)];
  g_autofree char *node = NULL;
  g_autofree char *script = NULL;

  g_mkdir_with_parents (dir, 0755);
  printf ("bench-ec2-parse: DescribeInstances answers parsed by scaler_ec2_response_parse (GMarkup)\n");

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) bytes = generate (sizes[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("ec2-describe-%u.xml", sizes[i]);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      double min_ms;

      if (!g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), &error))
        {
          g_printerr ("bench-ec2-parse: %s\n", error->message);
          return 1;
        }
      g_ptr_array_add (files, g_strdup (path));
      ours[i] = time_parse (bytes, sizes[i], sizes[i] >= 10000 ? 7 : 21, &min_ms);
      printf ("  C      %6u instances, %9" G_GSIZE_FORMAT " bytes: median %8.2f ms (min %.2f ms, %.2f us/instance, %.0f MB/s)  [%s]\n",
              sizes[i], g_bytes_get_size (bytes), ours[i], min_ms, ours[i] * 1000.0 / sizes[i],
              g_bytes_get_size (bytes) / (ours[i] / 1000.0) / 1e6, path);
    }

  /* The official JS SDK on the same bytes. */
  node = g_getenv ("NODE") != NULL ? g_strdup (g_getenv ("NODE")) : g_find_program_in_path ("node");
  script = g_build_filename (source != NULL ? source : SCALER_SOURCE_DIR, "bench", "ec2-parse-sdk.js", NULL);
  if (node == NULL)
    {
      printf ("  JS SDK: not measured (node not found)\n");
      return 0;
    }
  {
    g_autoptr(GPtrArray) args = g_ptr_array_new ();
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) lines = NULL;
    int status = 0;
    guint line_no = 0;

    g_ptr_array_add (args, node);
    g_ptr_array_add (args, script);
    for (guint i = 0; i < files->len; i++)
      g_ptr_array_add (args, g_ptr_array_index (files, i));
    g_ptr_array_add (args, NULL);
    if (!g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        printf ("  JS SDK: not measured (%s%s%s)\n", error->message, err != NULL ? ": " : "", err != NULL ? err : "");
        return 0;
      }
    printf ("bench-ec2-parse: the same files through @aws-sdk/client-ec2 DescribeInstancesCommand "
            "(median round trip to a local server minus an empty answer's)\n");
    lines = g_strsplit (out, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_autoptr(JsonParser) parser = json_parser_new ();
        JsonObject *o;
        double parse_ms, sdk_ms, empty_ms;
        gint64 count;

        if (*lines[i] == '\0' || !json_parser_load_from_data (parser, lines[i], -1, NULL))
          continue;
        o = json_node_get_object (json_parser_get_root (parser));
        parse_ms = json_object_get_double_member (o, "parse_ms");
        sdk_ms = json_object_get_double_member (o, "sdk_ms");
        empty_ms = json_object_get_double_member (o, "empty_ms");
        count = json_object_get_int_member (o, "instances");
        printf ("  JS SDK %6" G_GINT64_FORMAT " instances: median %8.2f ms (round trip %.2f ms - empty %.2f ms)\n",
                count, parse_ms, sdk_ms, empty_ms);
        if (line_no < G_N_ELEMENTS (sizes))
          printf ("  ratio  %6u instances: JS SDK / C = %.1fx\n", sizes[line_no],
                  ours[line_no] > 0 ? parse_ms / ours[line_no] : 0.0);
        line_no++;
      }
  }

  return 0;
}
