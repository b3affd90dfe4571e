/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Benchmark: the background service (the built ec2-autoscalerd --service, a
 * separate process on a private dbus-daemon) running 20 demo autoscalers.
 * Prints its resident memory and the CPU time it spends per cycle, from
 * /proc, after a warm-up; nothing is asserted. SCALER_BENCH_SECONDS (default
 * 30) is the measured time, SCALER_BENCH_AUTOSCALERS (default 20) the count.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scaler-core.h"
#include "scaler-test-service.h"

typedef struct
{
  double cpu_s;     /* utime + stime of the process */
  long   rss_kb;    /* VmRSS */
} Usage;

static Usage
usage_of (GPid pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *status_path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *stat = NULL;
  g_autofree char *status = NULL;
  Usage usage = { 0 };
  const char *after_comm, *rss;
  unsigned long utime = 0, stime = 0;

  g_assert_true (g_file_get_contents (stat_path, &stat, NULL, NULL));
  g_assert_true (g_file_get_contents (status_path, &status, NULL, NULL));
  /* Fields 14 and 15 (utime, stime), counted after the ")" of the name. */
  after_comm = strrchr (stat, ')');
  g_assert_nonnull (after_comm);
  g_assert_cmpint (sscanf (after_comm + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime), ==, 2);
  usage.cpu_s = (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
  rss = strstr (status, "VmRSS:");
  g_assert_nonnull (rss);
  usage.rss_kb = strtol (rss + strlen ("VmRSS:"), NULL, 10);
  return usage;
}

static guint
total_cycles (GPtrArray *proxies)
{
  guint total = 0;

  /* The proxies' cached Cycle, kept up to date by PropertiesChanged. */
  for (guint i = 0; i < proxies->len; i++)
    total += scaler_dbus_autoscaler_get_cycle (g_ptr_array_index (proxies, i));
  return total;
}

static void
run_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (5000);
}

int
main (int   argc,
      char *argv[])
{
  const char *env_seconds = g_getenv ("SCALER_BENCH_SECONDS");
  const char *env_count = g_getenv ("SCALER_BENCH_AUTOSCALERS");
  double seconds = env_seconds ? g_ascii_strtod (env_seconds, NULL) : 30.0;
  guint count = env_count ? (guint) atoi (env_count) : 20;
  g_autoptr(ScalerTestService) svc = NULL;
  g_autoptr(GDBusObjectManager) objects = NULL;
  g_autoptr(GPtrArray) proxies = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  Usage idle, start, end;
  guint cycles_start, cycles_end;

  /* The harness is the tests' (quiet unless --verbose). */
  g_test_init (&argc, &argv, NULL);
  svc = scaler_test_service_new ();

  /* Saved demos, desired state running: the service resumes them. */
  g_assert_cmpint (g_mkdir_with_parents (svc->config_dir, 0700), ==, 0);
  for (guint i = 0; i < count; i++)
    {
      g_autoptr(ScalerConfig) config = scaler_demo_config_new ();
      g_autofree char *json = scaler_config_to_json (config);
      g_autofree char *name = g_strconcat (config->id, ".json", NULL);
      g_autofree char *path = g_build_filename (svc->config_dir, name, NULL);

      g_assert_true (g_file_set_contents (path, json, -1, NULL));
      scaler_test_service_set_desired (svc, config->id, "running");
      g_ptr_array_add (ids, g_strdup (config->id));
    }

  scaler_test_service_start (svc);
  objects = scaler_test_service_object_manager (svc);
  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_add (proxies, scaler_test_service_autoscaler (objects, g_ptr_array_index (ids, i)));
  idle = usage_of (svc->pid);

  /* Warm-up: every autoscaler past its first cycles, the history files open. */
  run_for (MIN (10.0, seconds / 3));
  start = usage_of (svc->pid);
  cycles_start = total_cycles (proxies);
  run_for (seconds);
  end = usage_of (svc->pid);
  cycles_end = total_cycles (proxies);

  g_print ("service: %u demo autoscalers (simulator at %.0fx, one cycle per autoscaler per real second)\n",
           count, SCALER_DEMO_SPEED);
  g_print ("service: VmRSS %ld KiB right after start, %ld KiB after warm-up, %ld KiB after %.0f s more "
           "(%.0f KiB per autoscaler)\n",
           idle.rss_kb, start.rss_kb, end.rss_kb, seconds, (double) end.rss_kb / count);
  g_print ("service: %u cycles in %.0f s; CPU %.2f s in all, %.2f ms per cycle, %.1f %% of one core\n",
           cycles_end - cycles_start, seconds, end.cpu_s - start.cpu_s,
           cycles_end > cycles_start ? 1000.0 * (end.cpu_s - start.cpu_s) / (cycles_end - cycles_start) : 0.0,
           100.0 * (end.cpu_s - start.cpu_s) / seconds);
  g_assert_cmpint (scaler_test_service_stop (svc), ==, 0);
  return 0;
}
