/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of scaler-cycle-variant.c: cycle results, history and log lines as
 * the D-Bus API carries them; round trips, and malformed values rejected
 * with an error naming where, never a crash. */

#include "config.h"

#include <math.h>
#include <string.h>

#include "scaler-core.h"
#include "scaler-cycle.h"
#include "scaler-cycle-variant.h"

#define START (G_GINT64_CONSTANT (1700006400) * G_USEC_PER_SEC)

static ScalerCycleResult *
make_result (void)
{
  ScalerCycleResult *result = scaler_cycle_result_new (START, 7);
  ScalerInstanceRow *instance = g_new0 (ScalerInstanceRow, 1);
  ScalerInstanceRow *adopted = g_new0 (ScalerInstanceRow, 1);
  ScalerResourceRow *resource = g_new0 (ScalerResourceRow, 1);
  ScalerQueueRow *queue = g_new0 (ScalerQueueRow, 1);

  result->ok = FALSE;
  result->error_message = g_strdup ("ClearML did not answer");
  result->idle_workers = 1;
  result->busy_workers = 2;
  result->usd_per_hour = 0.192;
  result->launched = 3;
  result->terminated = 4;
  result->next_cycle_delay = 61 * G_USEC_PER_SEC;

  instance->instance_id = g_strdup ("i-0123456789abcdef0");
  instance->resource = g_strdup ("cpu");
  instance->instance_type = g_strdup ("m5.large");
  instance->availability_zone = g_strdup ("us-east-1b");
  instance->spot = TRUE;
  instance->state = SCALER_INSTANCE_STATE_RUNNING;
  instance->worker_state = SCALER_WORKER_STATE_BUSY;
  instance->worker_id = g_strdup ("dyn:cpu:m5.large:i-0123456789abcdef0");
  instance->idle_since = 0;
  instance->task_id = g_strdup ("task-1");
  instance->task_name = g_strdup ("train «ünïcode»");
  instance->launch_time = START - 600 * G_USEC_PER_SEC;
  instance->uptime_s = 600.5;
  instance->usd_per_hour = 0.096;
  instance->cost_usd = 0.016;
  g_ptr_array_add (result->instances, instance);

  adopted->instance_id = g_strdup ("i-0fedcba9876543210");
  adopted->instance_type = g_strdup ("t3.micro");
  adopted->state = SCALER_INSTANCE_STATE_PENDING;
  adopted->worker_state = SCALER_WORKER_STATE_NONE;
  adopted->adopted = TRUE;
  g_ptr_array_add (result->instances, adopted);

  resource->resource = g_strdup ("cpu");
  resource->queue = g_strdup ("default");
  resource->instance_type = g_strdup ("m5.large");
  resource->spot = TRUE;
  resource->running = 2;
  resource->booting = 1;
  resource->max_instances = 5;
  resource->pending = 9;
  resource->backoff_until = START + 120 * G_USEC_PER_SEC;
  resource->backoff_reason = g_strdup ("InsufficientInstanceCapacity");
  g_ptr_array_add (result->resources, resource);

  queue->queue = g_strdup ("default");
  queue->pending = 9;
  queue->idle_workers = 1;
  queue->busy_workers = 2;
  g_ptr_array_add (result->queues, queue);
  return result;
}

/* Every key of the XML's CycleFinished, with its type. */
static void
test_result_keys (void)
{
  g_autoptr(ScalerCycleResult) result = make_result ();
  g_autoptr(GVariant) v = g_variant_ref_sink (scaler_cycle_result_to_variant (result));
  g_autoptr(GVariant) instances = NULL;
  g_autoptr(GVariant) first = NULL;
  static const char *top[][2] = {
    { "time", "x" }, { "cycle", "u" }, { "ok", "b" }, { "error", "s" }, { "idle-workers", "u" },
    { "busy-workers", "u" }, { "usd-per-hour", "d" }, { "launched", "u" }, { "terminated", "u" },
    { "next-cycle-delay", "x" }, { "instances", "aa{sv}" }, { "resources", "aa{sv}" }, { "queues", "aa{sv}" },
  };
  static const char *row[][2] = {
    { "instance-id", "s" }, { "resource", "s" }, { "instance-type", "s" }, { "availability-zone", "s" },
    { "spot", "b" }, { "state", "s" }, { "worker-state", "s" }, { "worker-id", "s" }, { "idle-since", "x" },
    { "task-id", "s" }, { "task-name", "s" }, { "launch-time", "x" }, { "uptime", "d" },
    { "usd-per-hour", "d" }, { "cost", "d" }, { "adopted", "b" },
  };
  const char *state = NULL;

  g_assert_cmpstr (g_variant_get_type_string (v), ==, "a{sv}");
  for (guint i = 0; i < G_N_ELEMENTS (top); i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (v, top[i][0], G_VARIANT_TYPE (top[i][1]));

      if (value == NULL)
        g_error ("CycleFinished lacks %s (%s)", top[i][0], top[i][1]);
    }
  instances = g_variant_lookup_value (v, "instances", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_cmpuint (g_variant_n_children (instances), ==, 2);
  first = g_variant_get_child_value (instances, 0);
  for (guint i = 0; i < G_N_ELEMENTS (row); i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (first, row[i][0], G_VARIANT_TYPE (row[i][1]));

      if (value == NULL)
        g_error ("an instance lacks %s (%s)", row[i][0], row[i][1]);
    }
  g_assert_true (g_variant_lookup (first, "state", "&s", &state));
  g_assert_cmpstr (state, ==, "running");
  g_assert_true (g_variant_lookup (first, "worker-state", "&s", &state));
  g_assert_cmpstr (state, ==, "busy");
}

static void
assert_results_equal (ScalerCycleResult *a,
                      ScalerCycleResult *b)
{
  g_assert_cmpint (a->time, ==, b->time);
  g_assert_cmpuint (a->cycle, ==, b->cycle);
  g_assert_cmpint (a->ok, ==, b->ok);
  g_assert_cmpstr (a->error_message, ==, b->error_message);
  g_assert_cmpuint (a->idle_workers, ==, b->idle_workers);
  g_assert_cmpuint (a->busy_workers, ==, b->busy_workers);
  g_assert_cmpfloat (a->usd_per_hour, ==, b->usd_per_hour);
  g_assert_cmpuint (a->launched, ==, b->launched);
  g_assert_cmpuint (a->terminated, ==, b->terminated);
  g_assert_cmpint (a->next_cycle_delay, ==, b->next_cycle_delay);
  g_assert_cmpuint (a->instances->len, ==, b->instances->len);
  for (guint i = 0; i < a->instances->len; i++)
    {
      ScalerInstanceRow *x = g_ptr_array_index (a->instances, i), *y = g_ptr_array_index (b->instances, i);

      g_assert_cmpstr (x->instance_id, ==, y->instance_id);
      g_assert_cmpstr (x->resource, ==, y->resource);
      g_assert_cmpstr (x->instance_type, ==, y->instance_type);
      g_assert_cmpstr (x->availability_zone, ==, y->availability_zone);
      g_assert_cmpint (x->spot, ==, y->spot);
      g_assert_cmpint (x->state, ==, y->state);
      g_assert_cmpint (x->worker_state, ==, y->worker_state);
      g_assert_cmpstr (x->worker_id, ==, y->worker_id);
      g_assert_cmpint (x->idle_since, ==, y->idle_since);
      g_assert_cmpstr (x->task_id, ==, y->task_id);
      g_assert_cmpstr (x->task_name, ==, y->task_name);
      g_assert_cmpint (x->launch_time, ==, y->launch_time);
      g_assert_cmpfloat (x->uptime_s, ==, y->uptime_s);
      g_assert_cmpfloat (x->usd_per_hour, ==, y->usd_per_hour);
      g_assert_cmpfloat (x->cost_usd, ==, y->cost_usd);
      g_assert_cmpint (x->adopted, ==, y->adopted);
    }
  g_assert_cmpuint (a->resources->len, ==, b->resources->len);
  for (guint i = 0; i < a->resources->len; i++)
    {
      ScalerResourceRow *x = g_ptr_array_index (a->resources, i), *y = g_ptr_array_index (b->resources, i);

      g_assert_cmpstr (x->resource, ==, y->resource);
      g_assert_cmpstr (x->queue, ==, y->queue);
      g_assert_cmpstr (x->instance_type, ==, y->instance_type);
      g_assert_cmpint (x->spot, ==, y->spot);
      g_assert_cmpuint (x->running, ==, y->running);
      g_assert_cmpuint (x->booting, ==, y->booting);
      g_assert_cmpuint (x->max_instances, ==, y->max_instances);
      g_assert_cmpuint (x->pending, ==, y->pending);
      g_assert_cmpint (x->backoff_until, ==, y->backoff_until);
      g_assert_cmpstr (x->backoff_reason, ==, y->backoff_reason);
    }
  g_assert_cmpuint (a->queues->len, ==, b->queues->len);
  for (guint i = 0; i < a->queues->len; i++)
    {
      ScalerQueueRow *x = g_ptr_array_index (a->queues, i), *y = g_ptr_array_index (b->queues, i);

      g_assert_cmpstr (x->queue, ==, y->queue);
      g_assert_cmpuint (x->pending, ==, y->pending);
      g_assert_cmpuint (x->idle_workers, ==, y->idle_workers);
      g_assert_cmpuint (x->busy_workers, ==, y->busy_workers);
    }
}

/* Through the bytes of the bus and back. */
static ScalerCycleResult *
round_trip (ScalerCycleResult *result)
{
  g_autoptr(GVariant) v = g_variant_ref_sink (scaler_cycle_result_to_variant (result));
  g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes (v);
  g_autoptr(GVariant) received = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
  g_autoptr(GError) error = NULL;
  ScalerCycleResult *back = scaler_cycle_result_new_from_variant (received, &error);

  g_assert_no_error (error);
  g_assert_nonnull (back);
  return back;
}

static void
test_result_round_trip (void)
{
  g_autoptr(ScalerCycleResult) result = make_result ();
  g_autoptr(ScalerCycleResult) back = round_trip (result);

  assert_results_equal (result, back);
  g_assert_cmpuint (back->instances_by_state[SCALER_INSTANCE_STATE_RUNNING], ==, 1);
  g_assert_cmpuint (back->instances_by_state[SCALER_INSTANCE_STATE_PENDING], ==, 1);
  g_assert_cmpuint (back->actions->len, ==, 0);
}

/* "The history samples of the cycle follow from it exactly": a history fed
 * from the bus equals one fed by the engine. */
static void
test_result_history_follows (void)
{
  g_autoptr(ScalerCycleResult) result = make_result ();
  g_autoptr(ScalerCycleResult) back = NULL;
  g_autoptr(ScalerHistory) here = scaler_history_new (16);
  g_autoptr(ScalerHistory) there = scaler_history_new (16);
  g_autoptr(GVariant) a = NULL;
  g_autoptr(GVariant) b = NULL;

  result->ok = TRUE;
  back = round_trip (result);
  scaler_history_add_result (here, result);
  scaler_history_add_result (there, back);
  a = g_variant_ref_sink (scaler_history_to_variant (here, 0));
  b = g_variant_ref_sink (scaler_history_to_variant (there, 0));
  g_assert_true (g_variant_equal (a, b));
  g_assert_nonnull (scaler_history_lookup (there, "instances:cpu:busy"));
}

/* Absent keys take defaults; unknown keys are ignored. */
static void
test_result_defaults (void)
{
  g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_parsed (
    "{'time': <int64 5>, 'future-key': <'x'>, 'instances': <[{'instance-id': <'i-1'>}]>}"));
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerCycleResult) result = scaler_cycle_result_new_from_variant (v, &error);
  ScalerInstanceRow *row;

  g_assert_no_error (error);
  g_assert_cmpint (result->time, ==, 5);
  g_assert_true (result->ok);
  g_assert_null (result->error_message);
  g_assert_cmpuint (result->instances->len, ==, 1);
  row = g_ptr_array_index (result->instances, 0);
  g_assert_cmpstr (row->instance_id, ==, "i-1");
  g_assert_cmpstr (row->instance_type, ==, "");
  g_assert_null (row->resource);
  g_assert_cmpint (row->state, ==, SCALER_INSTANCE_STATE_UNKNOWN);

  /* The empty dictionary of GetSnapshot before the first cycle. */
  {
    g_autoptr(GVariant) empty = g_variant_ref_sink (g_variant_new_parsed ("@a{sv} {}"));
    g_autoptr(ScalerCycleResult) none = scaler_cycle_result_new_from_variant (empty, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (none->cycle, ==, 0);
  }
}

static void
assert_rejected (const char *text,
                 const char *where)
{
  g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_parsed (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerCycleResult) result = scaler_cycle_result_new_from_variant (v, &error);

  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  if (strstr (error->message, where) == NULL)
    g_error ("“%s” does not name %s", error->message, where);
}

static void
test_result_malformed (void)
{
  assert_rejected ("{'time': <'yesterday'>}", "time: expected type x, got s");
  assert_rejected ("{'usd-per-hour': <inf>}", "usd-per-hour: not a finite number");
  assert_rejected ("{'instances': <[1, 2]>}", "instances: expected type aa{sv}, got ai");
  assert_rejected ("{'instances': <[@a{sv} {}, {'spot': <'yes'>}]>}", "instances[1].spot: expected type b, got s");
  assert_rejected ("{'instances': <[{'state': <'exploded'>}]>}", "instances[0].state: unknown state");
  assert_rejected ("{'instances': <[{'worker-state': <'asleep'>}]>}", "instances[0].worker-state");
  assert_rejected ("{'resources': <[{'max-instances': <int64 3>}]>}", "resources[0].max-instances");
  assert_rejected ("{'queues': <[{'pending': <nan>}]>}", "queues[0].pending");
  assert_rejected ("[1, 2, 3]", "a{sv}");
}

static ScalerHistory *
make_history (void)
{
  ScalerHistory *history = scaler_history_new (100);

  for (guint i = 0; i < 10; i++)
    {
      gint64 t = START + i * 60 * G_USEC_PER_SEC;

      scaler_series_append (scaler_history_get_idle_workers (history), t, i);
      scaler_series_append (scaler_history_get_usd_per_hour (history), t, i * 0.5);
      scaler_series_append (scaler_history_ensure_series (history, "pending:gpu"), t, 10 - i);
    }
  return history;
}

static void
test_history_round_trip (void)
{
  g_autoptr(ScalerHistory) history = make_history ();
  g_autoptr(ScalerHistory) copy = scaler_history_new (100);
  g_autoptr(GVariant) v = g_variant_ref_sink (scaler_history_to_variant (history, 0));
  g_autoptr(GVariant) again = NULL;
  g_autoptr(GVariant) recent = NULL;
  g_autoptr(GVariant) pending = NULL;
  g_autoptr(GError) error = NULL;
  gsize n = 0;

  g_assert_cmpstr (g_variant_get_type_string (v), ==, "a(saxad)");
  g_assert_true (scaler_history_add_from_variant (copy, v, &error));
  g_assert_no_error (error);
  again = g_variant_ref_sink (scaler_history_to_variant (copy, 0));
  g_assert_true (g_variant_equal (v, again));
  g_assert_cmpuint (scaler_series_get_n_samples (scaler_history_lookup (copy, "pending:gpu")), ==, 10);

  /* since: samples at or after it only. */
  recent = g_variant_ref_sink (scaler_history_to_variant (history, START + 8 * 60 * G_USEC_PER_SEC));
  pending = g_variant_get_child_value (recent, 3);
  {
    g_autoptr(GVariant) times = g_variant_get_child_value (pending, 1);
    const gint64 *t = g_variant_get_fixed_array (times, &n, sizeof (gint64));

    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpint (t[0], ==, START + 8 * 60 * G_USEC_PER_SEC);
  }
}

static void
assert_history_rejected (const char *text,
                         const char *where)
{
  g_autoptr(ScalerHistory) history = make_history ();
  g_autoptr(GVariant) before = g_variant_ref_sink (scaler_history_to_variant (history, 0));
  g_autoptr(GVariant) after = NULL;
  g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_parsed (text));
  g_autoptr(GError) error = NULL;

  g_assert_false (scaler_history_add_from_variant (history, v, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  if (strstr (error->message, where) == NULL)
    g_error ("“%s” does not name %s", error->message, where);
  /* All or nothing. */
  after = g_variant_ref_sink (scaler_history_to_variant (history, 0));
  g_assert_true (g_variant_equal (before, after));
}

static void
test_history_malformed (void)
{
  assert_history_rejected ("[('idle-workers', [int64 1, 2], [1.0])]", "series.idle-workers: 2 times but 1 values");
  assert_history_rejected ("[('busy-workers', [int64 1], [1.0]), ('x', [int64 5, 4], [1.0, 2.0])]",
                           "series.x: sample 1 goes back in time");
  assert_history_rejected ("[('y', [int64 1], [nan])]", "series.y: sample 0 is not a finite number");
  assert_history_rejected ("[('z', @ax [], @ad []), ('z', @ax [], @ad [])]", "series.z: the name is used twice");
  assert_history_rejected ("[('', @ax [], @ad [])]", "entry 0 has no name");
  assert_history_rejected ("[('z', [1], [1.0])]", "a(saxad)");
}

/* Random bytes as a snapshot or a history, as they could arrive: an error
 * or a value, never a crash (tests/fuzz/fuzz-dbus-variant.c goes further). */
static void
test_random_bytes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261205);
  g_autoptr(ScalerCycleResult) result = make_result ();
  g_autoptr(GVariant) good = g_variant_ref_sink (scaler_cycle_result_to_variant (result));
  gsize size = g_variant_get_size (good);

  for (guint round = 0; round < 2000; round++)
    {
      guint8 *data = g_memdup2 (g_variant_get_data (good), size);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GVariant) snapshot = NULL;
      g_autoptr(GVariant) history = NULL;
      g_autoptr(ScalerCycleResult) parsed = NULL;
      g_autoptr(ScalerHistory) target = scaler_history_new (16);
      g_autoptr(GError) error = NULL;
      gsize length = g_rand_int_range (rand, 0, (gint32) size + 1);

      for (guint k = 0; k < 1 + round % 8; k++)
        data[g_rand_int_range (rand, 0, (gint32) size)] = (guint8) g_rand_int (rand);
      bytes = g_bytes_new_take (data, length);
      snapshot = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
      parsed = scaler_cycle_result_new_from_variant (snapshot, &error);
      g_assert_true ((parsed == NULL) == (error != NULL));
      g_clear_error (&error);
      history = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (SCALER_HISTORY_VARIANT_TYPE),
                                                              bytes, FALSE));
      if (!scaler_history_add_from_variant (target, history, &error))
        g_assert_nonnull (error);
    }
}

static void
test_log_line (void)
{
  g_autoptr(GVariant) line = g_variant_ref_sink (scaler_log_line_to_variant (START, SCALER_LOG_LEVEL_WARNING,
                                                                             "Launch of cpu failed"));
  g_autoptr(GVariant) bad = g_variant_ref_sink (scaler_log_line_to_variant (START, SCALER_LOG_LEVEL_ERROR,
                                                                            "\xff\xfe not UTF-8"));
  ScalerLogLevel level = SCALER_LOG_LEVEL_DEBUG;
  const char *nick = NULL, *message = NULL;
  gint64 time = 0;

  g_variant_get (line, "(x&s&s)", &time, &nick, &message);
  g_assert_cmpint (time, ==, START);
  g_assert_cmpstr (nick, ==, "warning");
  g_assert_cmpstr (message, ==, "Launch of cpu failed");
  g_assert_true (scaler_log_level_from_nick (nick, &level));
  g_assert_cmpint (level, ==, SCALER_LOG_LEVEL_WARNING);
  g_assert_false (scaler_log_level_from_nick ("WARNING", &level));
  g_variant_get (bad, "(x&s&s)", &time, &nick, &message);
  g_assert_true (g_utf8_validate (message, -1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/cycle-variant/result-keys", test_result_keys);
  g_test_add_func ("/scaler/cycle-variant/result-round-trip", test_result_round_trip);
  g_test_add_func ("/scaler/cycle-variant/result-history-follows", test_result_history_follows);
  g_test_add_func ("/scaler/cycle-variant/result-defaults", test_result_defaults);
  g_test_add_func ("/scaler/cycle-variant/result-malformed", test_result_malformed);
  g_test_add_func ("/scaler/cycle-variant/history-round-trip", test_history_round_trip);
  g_test_add_func ("/scaler/cycle-variant/history-malformed", test_history_malformed);
  g_test_add_func ("/scaler/cycle-variant/random-bytes", test_random_bytes);
  g_test_add_func ("/scaler/cycle-variant/log-line", test_log_line);

  return g_test_run ();
}
