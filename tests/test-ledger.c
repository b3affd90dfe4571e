/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the ledger: JSON round trip, atomic save, corrupt files,
 * reconciliation with the tagged fleet. */

#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "scaler-core.h"
#include "scaler-ledger.h"
#include "scaler-policy.h"
#include "support/scaler-test-util.h"
#include "support/scaler-test-config.h"

#define MIN_USEC (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define NOW (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC)
#define CONFIG_ID "11111111-2222-4333-8444-555555555555"

static ScalerConfig *
make_config (void)
{
  return scaler_test_config_new (&(ScalerTestConfigOptions) { .id = CONFIG_ID, .workers_prefix = "dyn" });
}

static ScalerLedger *
make_full_ledger (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  ScalerLedger *ledger = scaler_ledger_new (CONFIG_ID);
  ScalerLedgerLaunch *launch = scaler_ledger_launch_new ();

  launch->client_token = g_strdup ("ecas-11111111-token");
  launch->resource = g_strdup ("cpu");
  launch->instance_type = g_strdup ("m5.large");
  launch->availability_zone = g_strdup ("us-east-1b");
  launch->spot = TRUE;
  launch->created = NOW - 2 * MIN_USEC;
  launch->last_attempt = NOW - MIN_USEC;
  launch->attempts = 2;
  launch->usd_per_hour = 0.125;
  scaler_ledger_add_launch (ledger, launch);
  scaler_ledger_set_idle_since (ledger, "dyn:cpu:m5.large:i-1", NOW - 5 * MIN_USEC);
  scaler_ledger_record_failure (ledger, config, "cpu", "us-east-1a", TRUE, NOW, "InsufficientInstanceCapacity");
  scaler_ledger_set_spot_price (ledger, "m5.large", "us-east-1b", 0.0321, NOW);
  scaler_ledger_mark_gone (ledger, "i-old", NOW - 3 * MIN_USEC);
  scaler_ledger_record_throttle (ledger);
  return ledger;
}

static void
assert_full_ledger (ScalerLedger *ledger)
{
  ScalerLedgerLaunch *launch = scaler_ledger_get_launch (ledger, "ecas-11111111-token");
  const ScalerLedgerBackoff *backoff;
  double price;
  gint64 time;

  g_assert_nonnull (launch);
  g_assert_cmpstr (launch->resource, ==, "cpu");
  g_assert_cmpstr (launch->availability_zone, ==, "us-east-1b");
  g_assert_null (launch->subnet_id);
  g_assert_null (launch->instance_id);
  g_assert_true (launch->spot);
  g_assert_cmpint (launch->created, ==, NOW - 2 * MIN_USEC);
  g_assert_cmpuint (launch->attempts, ==, 2);
  g_assert_cmpfloat_with_epsilon (launch->usd_per_hour, 0.125, 1e-12);
  g_assert_cmpint (scaler_ledger_get_idle_since (ledger, "dyn:cpu:m5.large:i-1"), ==, NOW - 5 * MIN_USEC);
  backoff = scaler_ledger_get_backoff (ledger, "cpu", "us-east-1a", TRUE);
  g_assert_nonnull (backoff);
  g_assert_cmpuint (backoff->failures, ==, 1);
  g_assert_cmpstr (backoff->reason, ==, "InsufficientInstanceCapacity");
  g_assert_null (scaler_ledger_get_backoff (ledger, "cpu", "us-east-1a", FALSE));
  g_assert_true (scaler_ledger_get_spot_price (ledger, "m5.large", "us-east-1b", &price, &time));
  g_assert_cmpfloat_with_epsilon (price, 0.0321, 1e-12);
  g_assert_cmpint (scaler_ledger_get_instance (ledger, "i-old")->gone_since, ==, NOW - 3 * MIN_USEC);
  g_assert_cmpuint (scaler_ledger_get_throttle_count (ledger), ==, 1);
}

static void
test_json_round_trip (void)
{
  g_autoptr(ScalerLedger) ledger = make_full_ledger ();
  g_autoptr(ScalerLedger) copy = NULL;
  g_autoptr(ScalerLedger) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = scaler_ledger_to_json (ledger);

  parsed = scaler_ledger_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  assert_full_ledger (parsed);
  copy = scaler_ledger_copy (parsed);
  assert_full_ledger (copy);
}

static void
test_save_atomic_and_load (void)
{
  g_autofree char *dir = scaler_test_make_tmp_dir ("scaler-ledger-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "state", SCALER_LEDGER_FILE, NULL);
  g_autofree char *tmp = g_strdup_printf ("%s.tmp", path);
  g_autofree char *state_dir = g_path_get_dirname (path);
  g_autoptr(ScalerLedger) ledger = make_full_ledger ();
  g_autoptr(ScalerLedger) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *warning = NULL;
  struct stat st;

  g_assert_true (scaler_ledger_save (ledger, path, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  loaded = scaler_ledger_load (path, CONFIG_ID, &warning, &error);
  g_assert_no_error (error);
  g_assert_null (warning);
  assert_full_ledger (loaded);

  /* Saving again replaces the file in one step. */
  scaler_ledger_remove_launch (ledger, "ecas-11111111-token");
  g_assert_true (scaler_ledger_save (ledger, path, &error));
  g_clear_pointer (&loaded, scaler_ledger_free);
  loaded = scaler_ledger_load (path, CONFIG_ID, &warning, &error);
  g_assert_null (scaler_ledger_get_launch (loaded, "ecas-11111111-token"));

  g_unlink (path);
  g_rmdir (state_dir);
  scaler_test_rm_rf (dir);
}

static void
test_load_missing (void)
{
  g_autofree char *dir = scaler_test_make_tmp_dir ("scaler-ledger-XXXXXX");
  g_autofree char *path = g_build_filename (dir, SCALER_LEDGER_FILE, NULL);
  g_autoptr(ScalerLedger) ledger = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *warning = NULL;
  g_autoptr(GPtrArray) launches = NULL;

  ledger = scaler_ledger_load (path, CONFIG_ID, &warning, &error);
  g_assert_no_error (error);
  g_assert_null (warning);
  g_assert_nonnull (ledger);
  launches = scaler_ledger_list_launches (ledger);
  g_assert_cmpuint (launches->len, ==, 0);
  g_assert_cmpstr (scaler_ledger_get_config_id (ledger), ==, CONFIG_ID);
  scaler_test_rm_rf (dir);
}

static void
check_corrupt (const char *contents,
               const char *expected_in_warning)
{
  g_autofree char *dir = scaler_test_make_tmp_dir ("scaler-ledger-XXXXXX");
  g_autofree char *path = g_build_filename (dir, SCALER_LEDGER_FILE, NULL);
  g_autofree char *aside = g_strdup_printf ("%s.corrupt", path);
  g_autofree char *kept = NULL;
  g_autoptr(ScalerLedger) ledger = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *warning = NULL;
  g_autoptr(GPtrArray) launches = NULL;

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  ledger = scaler_ledger_load (path, CONFIG_ID, &warning, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ledger);
  launches = scaler_ledger_list_launches (ledger);
  g_assert_cmpuint (launches->len, ==, 0);
  g_assert_nonnull (warning);
  g_assert_true (strstr (warning, ".corrupt") != NULL);
  g_assert_true (strstr (warning, "tagged fleet") != NULL);
  if (strstr (warning, expected_in_warning) == NULL)
    g_error ("warning %s does not mention %s", warning, expected_in_warning);
  /* The bad file is kept aside, byte for byte. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (aside, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, contents);
  scaler_test_rm_rf (dir);
}

static void
test_corrupt_files (void)
{
  g_autoptr(ScalerLedger) other = scaler_ledger_new ("another-config");
  g_autofree char *other_json = scaler_ledger_to_json (other);
  g_autoptr(ScalerLedger) good = make_full_ledger ();
  g_autofree char *good_json = scaler_ledger_to_json (good);
  g_autofree char *truncated = g_strndup (good_json, strlen (good_json) / 2);
  g_autoptr(GString) bad_type = g_string_new (good_json);

  check_corrupt ("", "JSON object");
  check_corrupt ("{\"version\": 1,", "not valid JSON");
  check_corrupt ("[1, 2, 3]", "JSON object");
  check_corrupt ("{\"version\": 7}", "ledger.version");
  check_corrupt (truncated, "JSON");
  check_corrupt (other_json, "another autoscaler");
  g_string_replace (bad_type, "\"attempts\" : 2", "\"attempts\" : \"two\"", 1);
  check_corrupt (bad_type->str, "launches[].attempts");
}

static void
test_hostile_json (void)
{
  const char *inputs[] = {
    "{\"version\":1,\"config_id\":\"x\",\"throttle_count\":0,\"launches\":[{\"client_token\":\"\"}]}",
    "{\"version\":1,\"config_id\":\"x\",\"throttle_count\":-5,\"launches\":[]}",
    "{\"version\":1,\"config_id\":\"x\",\"throttle_count\":0,\"launches\":[],\"idle_since\":[]}",
    "{\"version\":1,\"config_id\":\"x\",\"throttle_count\":0,\"launches\":[],\"idle_since\":{\"w\":\"now\"}}",
    "{\"version\":1,\"config_id\":\"x\",\"throttle_count\":0,\"launches\":[],\"idle_since\":{},"
      "\"backoffs\":[{\"resource\":\"r\",\"zone\":\"z\",\"spot\":true,\"failures\":0,\"until\":1}]}",
    "{\"version\":1,\"config_id\":\"x\",\"throttle_count\":0,\"launches\":[],\"idle_since\":{},"
      "\"backoffs\":[],\"spot_prices\":[{\"instance_type\":\"t\",\"zone\":\"z\",\"usd_per_hour\":-1,\"time\":1}]}",
    "{\"version\":1,\"config_id\":null}",
    "{\"version\":1.5}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ScalerLedger) ledger = scaler_ledger_new_from_json (inputs[i], -1, &error);

      g_assert_null (ledger);
      g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
    }

  /* A ledger file of "[[[[…" must be refused, not overflow json-glib's stack. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *deep = g_strnfill (500000, '[');
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new_from_json (deep, -1, &error);

    g_assert_null (ledger);
    g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
    g_assert_nonnull (strstr (error->message, "nested more than"));
  }
}

static void
test_observe (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerSnapshot) later = scaler_snapshot_new (NOW + MIN_USEC);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  ScalerLedgerLaunch *answered = scaler_ledger_launch_new ();
  ScalerLedgerLaunch *unanswered = scaler_ledger_launch_new ();
  ScalerInstance *instance = scaler_instance_new ();
  ScalerWorker *worker = scaler_worker_new ();
  ScalerWorker *busy;

  config->max_spin_up_time_min = 30;
  answered->client_token = g_strdup ("tok-a");
  answered->resource = g_strdup ("cpu");
  answered->instance_type = g_strdup ("m5.large");
  answered->instance_id = g_strdup ("i-never");
  answered->created = answered->last_attempt = NOW - 31 * MIN_USEC;
  scaler_ledger_add_launch (ledger, answered);
  unanswered->client_token = g_strdup ("tok-u");
  unanswered->resource = g_strdup ("cpu");
  unanswered->instance_type = g_strdup ("m5.large");
  unanswered->created = unanswered->last_attempt = NOW - 31 * MIN_USEC;
  scaler_ledger_add_launch (ledger, unanswered);

  instance->instance_id = g_strdup ("i-1");
  instance->config_id = g_strdup (CONFIG_ID);
  instance->resource = g_strdup ("cpu");
  instance->instance_type = g_strdup ("m5.large");
  instance->state = SCALER_INSTANCE_STATE_RUNNING;
  instance->client_token = g_strdup ("tok-x");
  scaler_snapshot_add_instance (snapshot, instance);
  worker->id = g_strdup ("dyn:cpu:m5.large:i-1");
  scaler_snapshot_add_worker (snapshot, worker);

  scaler_ledger_observe (ledger, config, snapshot, NOW, messages);
  /* An answered launch that never showed up is forgotten after the boot
   * timeout; an unanswered one stays for the policy (retry or drop). */
  g_assert_null (scaler_ledger_get_launch (ledger, "tok-a"));
  g_assert_nonnull (scaler_ledger_get_launch (ledger, "tok-u"));
  g_assert_true (scaler_ledger_get_instance (ledger, "i-1")->adopted);
  g_assert_cmpint (scaler_ledger_get_idle_since (ledger, "dyn:cpu:m5.large:i-1"), ==, NOW);
  g_assert_cmpuint (messages->len, ==, 2);

  /* Busy: idle time cleared. Vanished: instance gone, worker forgotten. */
  busy = scaler_worker_new ();
  busy->id = g_strdup ("dyn:cpu:m5.large:i-1");
  busy->task_id = g_strdup ("t1");
  scaler_snapshot_add_worker (later, busy);
  scaler_ledger_observe (ledger, config, later, NOW + MIN_USEC, messages);
  g_assert_cmpint (scaler_ledger_get_idle_since (ledger, "dyn:cpu:m5.large:i-1"), ==, 0);
  g_assert_cmpint (scaler_ledger_get_instance (ledger, "i-1")->gone_since, ==, NOW + MIN_USEC);
}

/* One snapshot with the given workers ("id=task", task empty = idle). */
static void
observe_workers (ScalerLedger       *ledger,
                 const ScalerConfig *config,
                 gint64              time,
                 const char * const *workers)
{
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (time);

  for (guint i = 0; workers[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (workers[i], "=", 2);
      ScalerWorker *worker = scaler_worker_new ();

      worker->id = g_strdup (parts[0]);
      worker->task_id = parts[1] && parts[1][0] ? g_strdup (parts[1]) : NULL;
      scaler_snapshot_add_worker (snapshot, worker);
    }
  scaler_ledger_observe (ledger, config, snapshot, time, NULL);
}

/* Task durations per queue, from the task each worker is seen running:
 * a task ends when its worker is next seen idle or on another task. */
static void
test_task_durations (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerLedger) copy = NULL;
  const char *t0[] = { "dyn:cpu:m5.large:i-1=a", "dyn:cpu:m5.large:i-2=x", "other:cpu:m5.large:i-9=z", NULL };
  const char *t1[] = { "dyn:cpu:m5.large:i-1=a", "dyn:cpu:m5.large:i-2=x", "other:cpu:m5.large:i-9=", NULL };
  const char *t2[] = { "dyn:cpu:m5.large:i-1=", NULL };
  const char *t3[] = { "dyn:cpu:m5.large:i-1=b", NULL };
  const char *t4[] = { "dyn:cpu:m5.large:i-1=c", NULL };
  gint64 mean = 0;
  guint samples = 0;

  /* Nothing finished yet: no estimate. A foreign prefix never counts. */
  observe_workers (ledger, config, NOW, t0);
  observe_workers (ledger, config, NOW + 2 * MIN_USEC, t1);
  g_assert_false (scaler_ledger_get_task_duration (ledger, "default", &mean, &samples));

  /* Task a: seen from NOW to idle at +10 min. i-2 vanished: no sample. */
  observe_workers (ledger, config, NOW + 10 * MIN_USEC, t2);
  g_assert_true (scaler_ledger_get_task_duration (ledger, "default", &mean, &samples));
  g_assert_cmpuint (samples, ==, 1);
  g_assert_cmpint (mean, ==, 10 * MIN_USEC);

  /* Task b: +12 to +32 min, ended by task c (no idle observation between);
   * the moving average moves a tenth of the way towards 20 min. */
  observe_workers (ledger, config, NOW + 12 * MIN_USEC, t3);
  observe_workers (ledger, config, NOW + 32 * MIN_USEC, t4);
  g_assert_true (scaler_ledger_get_task_duration (ledger, "default", &mean, &samples));
  g_assert_cmpuint (samples, ==, 2);
  g_assert_cmpint (mean, ==, 11 * MIN_USEC);
  g_assert_false (scaler_ledger_get_task_duration (ledger, "gpu", NULL, NULL));

  /* Copies keep the estimate and the task in progress. */
  copy = scaler_ledger_copy (ledger);
  observe_workers (copy, config, NOW + 42 * MIN_USEC, t2);
  g_assert_true (scaler_ledger_get_task_duration (copy, "default", &mean, &samples));
  g_assert_cmpuint (samples, ==, 3);
  g_assert_cmpint (mean, ==, 11 * MIN_USEC - MIN_USEC / 10);
}

/* The distribution of the recent durations: the probability that a task
 * that ran so long ends within a horizon, quantiles, the last 64 only; and
 * when each worker's current task was first seen. */
static void
test_task_distribution (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerLedger) copy = NULL;
  const char *a[] = { "dyn:cpu:m5.large:i-1=a", NULL };
  const char *b[] = { "dyn:cpu:m5.large:i-1=b", NULL };
  const char *c[] = { "dyn:cpu:m5.large:i-1=c", NULL };
  const char *idle[] = { "dyn:cpu:m5.large:i-1=", NULL };
  double p = -1;
  gint64 q = 0;
  guint samples = 0;

  g_assert_false (scaler_ledger_get_task_finish_probability (ledger, "default", 0, MIN_USEC, &p, &samples));
  g_assert_false (scaler_ledger_get_task_quantile (ledger, "default", 0.5, &q, NULL));
  g_assert_cmpint (scaler_ledger_get_task_since (ledger, "dyn:cpu:m5.large:i-1"), ==, 0);

  /* Tasks of 10, 20 and 10 minutes. */
  observe_workers (ledger, config, NOW, a);
  g_assert_cmpint (scaler_ledger_get_task_since (ledger, "dyn:cpu:m5.large:i-1"), ==, NOW);
  observe_workers (ledger, config, NOW + 10 * MIN_USEC, b);
  observe_workers (ledger, config, NOW + 30 * MIN_USEC, c);
  g_assert_cmpint (scaler_ledger_get_task_since (ledger, "dyn:cpu:m5.large:i-1"), ==, NOW + 30 * MIN_USEC);
  observe_workers (ledger, config, NOW + 40 * MIN_USEC, idle);
  g_assert_cmpint (scaler_ledger_get_task_since (ledger, "dyn:cpu:m5.large:i-1"), ==, 0);

  /* Ran 5 min: all three are longer, two of them end within 10 more. */
  g_assert_true (scaler_ledger_get_task_finish_probability (ledger, "default", 5 * MIN_USEC, 10 * MIN_USEC,
                                                            &p, &samples));
  g_assert_cmpuint (samples, ==, 3);
  g_assert_cmpfloat_with_epsilon (p, 2.0 / 3.0, 1e-12);
  /* Ran 15: only the 20-minute one is longer, and it ends within 10. */
  g_assert_true (scaler_ledger_get_task_finish_probability (ledger, "default", 15 * MIN_USEC, 10 * MIN_USEC,
                                                            &p, NULL));
  g_assert_cmpfloat_with_epsilon (p, 1.0, 1e-12);
  /* Ran 20: longer than any seen: 0, nothing to count on. */
  g_assert_true (scaler_ledger_get_task_finish_probability (ledger, "default", 20 * MIN_USEC, 60 * MIN_USEC,
                                                            &p, NULL));
  g_assert_cmpfloat_with_epsilon (p, 0.0, 1e-12);
  g_assert_true (scaler_ledger_get_task_quantile (ledger, "default", 0.5, &q, &samples));
  g_assert_cmpint (q, ==, 10 * MIN_USEC);
  g_assert_true (scaler_ledger_get_task_quantile (ledger, "default", 0.95, &q, NULL));
  g_assert_cmpint (q, ==, 20 * MIN_USEC);
  g_assert_true (scaler_ledger_get_task_quantile (ledger, "default", 0.0, &q, NULL));
  g_assert_cmpint (q, ==, 10 * MIN_USEC);
  g_assert_false (scaler_ledger_get_task_quantile (ledger, "gpu", 0.5, &q, NULL));

  /* A copy keeps them; 64 one-minute tasks push the others out. */
  copy = scaler_ledger_copy (ledger);
  for (guint k = 0; k <= 64; k++)
    {
      g_autofree char *worker = g_strdup_printf ("dyn:cpu:m5.large:i-1=t%u", k);
      const char *now[] = { worker, NULL };

      observe_workers (copy, config, NOW + (gint64) (41 + k) * MIN_USEC, now);
    }
  g_assert_true (scaler_ledger_get_task_quantile (copy, "default", 1.0, &q, &samples));
  g_assert_cmpuint (samples, ==, 64);
  g_assert_cmpint (q, ==, MIN_USEC);
  g_assert_true (scaler_ledger_get_task_quantile (ledger, "default", 1.0, &q, &samples));
  g_assert_cmpuint (samples, ==, 3);
  g_assert_cmpint (q, ==, 20 * MIN_USEC);
}

/* One observation of queue "default": the workers (id=task, "" = idle) on
 * live instances i-1.., a zombie busy worker on an instance that is gone
 * when `zombie`, and `pending` queued tasks. */
static void
observe_queue (ScalerLedger       *ledger,
               const ScalerConfig *config,
               gint64              time,
               const char * const *tasks,
               guint               pending,
               gboolean            zombie)
{
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (time);

  for (guint i = 0; tasks[i] != NULL; i++)
    {
      ScalerInstance *instance = scaler_instance_new ();
      ScalerWorker *worker = scaler_worker_new ();

      instance->instance_id = g_strdup_printf ("i-%u", i + 1);
      instance->config_id = g_strdup (CONFIG_ID);
      instance->resource = g_strdup ("cpu");
      instance->instance_type = g_strdup ("m5.large");
      instance->state = SCALER_INSTANCE_STATE_RUNNING;
      worker->id = scaler_worker_id_build ("dyn", "cpu", "m5.large", instance->instance_id);
      worker->task_id = tasks[i][0] ? g_strdup (tasks[i]) : NULL;
      scaler_snapshot_add_instance (snapshot, instance);
      scaler_snapshot_add_worker (snapshot, worker);
    }
  if (zombie)
    {
      ScalerWorker *worker = scaler_worker_new ();

      worker->id = g_strdup ("dyn:cpu:m5.large:i-gone");
      worker->task_id = g_strdup ("stale");
      scaler_snapshot_add_worker (snapshot, worker);
    }
  scaler_snapshot_set_pending (snapshot, "default", pending);
  scaler_ledger_observe (ledger, config, snapshot, time, NULL);
}

/* Arrival rates by flow balance: arrivals = change in pending + busy, plus
 * busy x elapsed / mean duration finished; tasks over time, both weighted
 * by exp(-age / 30 min). A zombie's stale task is not a busy worker. */
static void
test_arrival_rate (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerLedger) copy = NULL;
  const char *first[] = { "a", "b", NULL };
  const char *second[] = { "c", "d", NULL };
  double per_hour = 0;
  guint samples = 0;

  /* No task duration known yet: no rate. */
  observe_queue (ledger, config, NOW, first, 0, FALSE);
  observe_queue (ledger, config, NOW + 5 * MIN_USEC, first, 0, FALSE);
  g_assert_false (scaler_ledger_get_arrival_rate (ledger, "default", &per_hour, &samples));

  /* Both tasks took 10 min and were replaced at once: the mean duration is
   * 10 min, so 1 task is expected to have finished in the last 5 min
   * (2 busy x 5 / 10) and the count stayed: 1 arrived, 12/h. */
  observe_queue (ledger, config, NOW + 10 * MIN_USEC, second, 0, FALSE);
  g_assert_true (scaler_ledger_get_arrival_rate (ledger, "default", &per_hour, &samples));
  g_assert_cmpuint (samples, ==, 1);
  g_assert_cmpfloat_with_epsilon (per_hour, 12.0, 1e-9);

  /* 3 more queued 5 min later: 3 + 1 arrived; the earlier interval weighs
   * exp(-5/30). The zombie's stale task changes nothing. */
  observe_queue (ledger, config, NOW + 15 * MIN_USEC, second, 3, TRUE);
  g_assert_true (scaler_ledger_get_arrival_rate (ledger, "default", &per_hour, &samples));
  g_assert_cmpuint (samples, ==, 2);
  g_assert_cmpfloat_with_epsilon (per_hour, 60.0 * (exp (-5.0 / 30.0) + 4.0) / (5.0 * exp (-5.0 / 30.0) + 5.0), 1e-9);
  g_assert_false (scaler_ledger_get_arrival_rate (ledger, "gpu", NULL, NULL));

  /* Copies keep it; an observation at the same time adds no interval. */
  copy = scaler_ledger_copy (ledger);
  observe_queue (copy, config, NOW + 15 * MIN_USEC, second, 3, FALSE);
  g_assert_true (scaler_ledger_get_arrival_rate (copy, "default", NULL, &samples));
  g_assert_cmpuint (samples, ==, 2);
}

/* The slow (3-hour) rate and the index of dispersion of the tasks counted
 * per interval (change in pending + tasks first seen on a worker): about 0
 * to 1 when tasks come one by one, about the burst size when they come in
 * bursts. */
static void
test_arrival_dispersion (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerLedger) smooth = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerLedger) bursty = scaler_ledger_new (CONFIG_ID);
  double index = -1, per_hour = 0;

  g_assert_false (scaler_ledger_get_arrival_dispersion (smooth, "default", &index));
  g_assert_false (scaler_ledger_get_slow_arrival_rate (smooth, "default", &per_hour));

  /* One new 10-minute task every 5 min, on one of two workers in turn (the
   * second from the second observation), for 4 h. */
  for (guint step = 0; step <= 48; step++)
    {
      g_autofree char *t1 = g_strdup_printf ("a%u", step / 2);
      g_autofree char *t2 = step > 0 ? g_strdup_printf ("b%u", (step - 1) / 2) : NULL;
      const char *tasks[] = { t1, t2, NULL };

      observe_queue (smooth, config, NOW + (gint64) step * 5 * MIN_USEC, tasks, 0, FALSE);
    }
  g_assert_true (scaler_ledger_get_slow_arrival_rate (smooth, "default", &per_hour));
  g_assert_cmpfloat_with_epsilon (per_hour, 12.0, 1e-6);
  g_assert_true (scaler_ledger_get_arrival_dispersion (smooth, "default", &index));
  g_assert_cmpfloat (index, <, 0.5);

  /* 6 tasks of 10 min queued at once every 30 min, taken 5 min later. */
  for (guint step = 0; step <= 48; step++)
    {
      guint phase = step % 6;
      g_autofree char *name = g_strdup_printf ("burst%u-", step / 6);
      const char *idle[] = { "", "", "", "", "", "", NULL };
      const char *busy[] = { "1", "2", "3", "4", "5", "6", NULL };
      g_auto(GStrv) running = NULL;

      if (phase == 1 || phase == 2)
        {
          running = g_new0 (char *, 7);
          for (guint k = 0; k < 6; k++)
            running[k] = g_strconcat (name, busy[k], NULL);
        }
      observe_queue (bursty, config, NOW + (gint64) step * 5 * MIN_USEC,
                     running ? (const char * const *) running : idle, phase == 0 ? 6 : 0, FALSE);
    }
  g_assert_true (scaler_ledger_get_arrival_dispersion (bursty, "default", &index));
  g_assert_cmpfloat (index, >, 4.0);
  g_assert_cmpfloat (index, <, 7.0);
  g_assert_true (scaler_ledger_get_slow_arrival_rate (bursty, "default", &per_hour));
  g_assert_cmpfloat (per_hour, >, 6.0);
  g_assert_cmpfloat (per_hour, <, 18.0);
  g_assert_false (scaler_ledger_get_arrival_dispersion (bursty, "gpu", NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/ledger/json-round-trip", test_json_round_trip);
  g_test_add_func ("/scaler/ledger/save-atomic-and-load", test_save_atomic_and_load);
  g_test_add_func ("/scaler/ledger/load-missing", test_load_missing);
  g_test_add_func ("/scaler/ledger/corrupt-files", test_corrupt_files);
  g_test_add_func ("/scaler/ledger/hostile-json", test_hostile_json);
  g_test_add_func ("/scaler/ledger/observe", test_observe);
  g_test_add_func ("/scaler/ledger/task-durations", test_task_durations);
  g_test_add_func ("/scaler/ledger/arrival-rate", test_arrival_rate);
  g_test_add_func ("/scaler/ledger/task-distribution", test_task_distribution);
  g_test_add_func ("/scaler/ledger/arrival-dispersion", test_arrival_dispersion);

  return g_test_run ();
}
