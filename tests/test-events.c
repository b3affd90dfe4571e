/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of scaler-events.c: what a person should hear about, from the
 * cycles of an autoscaler. */

#include "config.h"

#include <string.h>

#include "scaler-core.h"
#include "scaler-cycle.h"
#include "scaler-events.h"

#define START (G_GINT64_CONSTANT (1700006400) * G_USEC_PER_SEC)
#define MINUTE (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

static ScalerConfig *
make_config (double budget)
{
  ScalerConfig *config = scaler_demo_config_new ();

  g_free (config->name);
  config->name = g_strdup ("GPU pool");
  config->hourly_budget_usd = budget;
  return config;
}

static void
add_instance (ScalerCycleResult   *result,
              const char          *id,
              ScalerInstanceState  state,
              double               usd_per_hour)
{
  ScalerInstanceRow *row = g_new0 (ScalerInstanceRow, 1);

  row->instance_id = g_strdup (id);
  row->resource = g_strdup ("cpu-pool");
  row->instance_type = g_strdup ("c5.xlarge");
  row->state = state;
  row->usd_per_hour = usd_per_hour;
  g_ptr_array_add (result->instances, row);
  if (scaler_instance_state_is_live (state))
    result->usd_per_hour += usd_per_hour;
}

static void
add_queue (ScalerCycleResult *result,
           guint              pending)
{
  ScalerQueueRow *row = g_new0 (ScalerQueueRow, 1);

  row->queue = g_strdup ("default");
  row->pending = pending;
  g_ptr_array_add (result->queues, row);
}

static void
add_resource (ScalerCycleResult *result,
              guint              booting,
              gint64             backoff_until,
              const char        *reason)
{
  ScalerResourceRow *row = g_new0 (ScalerResourceRow, 1);

  row->resource = g_strdup ("cpu-pool");
  row->queue = g_strdup ("default");
  row->instance_type = g_strdup ("c5.xlarge");
  row->booting = booting;
  row->backoff_until = backoff_until;
  row->backoff_reason = g_strdup (reason);
  g_ptr_array_add (result->resources, row);
}

static void
add_termination (ScalerCycleResult *result,
                 const char        *id,
                 ScalerReason       code,
                 const char        *reason)
{
  ScalerAction *action = scaler_action_new (SCALER_ACTION_TERMINATE, code);

  action->instance_id = g_strdup (id);
  action->reason = g_strdup (reason);
  g_ptr_array_add (result->actions, action);
}

/* The kinds of one observation, "kind,kind". */
static char *
observe (ScalerEventWatch  *watch,
         ScalerConfig      *config,
         ScalerCycleResult *result,
         GPtrArray        **events_out)
{
  g_autoptr(GPtrArray) events = scaler_event_watch_observe (watch, config, result);
  GString *kinds = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    {
      ScalerEvent *event = g_ptr_array_index (events, i);

      g_assert_cmpstr (event->title, !=, "");
      g_string_append_printf (kinds, "%s%s", kinds->len ? "," : "", scaler_event_kind_to_string (event->kind));
    }
  if (events_out != NULL)
    *events_out = g_ptr_array_ref (events);
  return g_string_free (kinds, FALSE);
}

static void
test_budget (void)
{
  g_autoptr(ScalerConfig) config = make_config (1.0);
  g_autoptr(ScalerEventWatch) watch = scaler_event_watch_new ();
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *kinds = NULL;

  for (guint cycle = 0; cycle < 3; cycle++)
    {
      g_autoptr(ScalerCycleResult) result = scaler_cycle_result_new (START + cycle * MINUTE, cycle + 1);

      add_instance (result, "i-1", SCALER_INSTANCE_STATE_RUNNING, 0.6);
      add_queue (result, 4);
      add_resource (result, 0, 0, NULL);
      g_clear_pointer (&kinds, g_free);
      g_clear_pointer (&events, g_ptr_array_unref);
      kinds = observe (watch, config, result, &events);
      /* Once, not every cycle. */
      g_assert_cmpstr (kinds, ==, cycle == 0 ? "budget-reached" : "");
      if (cycle == 0)
        {
          ScalerEvent *event = g_ptr_array_index (events, 0);

          g_assert_cmpstr (event->title, ==, "“GPU pool” reached its budget");
          g_assert_nonnull (strstr (event->body, "4 tasks wait"));
        }
    }
  /* The cost drops: the next block is news again. */
  {
    g_autoptr(ScalerCycleResult) low = scaler_cycle_result_new (START + 10 * MINUTE, 10);
    g_autoptr(ScalerCycleResult) high = scaler_cycle_result_new (START + 11 * MINUTE, 11);

    add_queue (low, 0);
    g_free (observe (watch, config, low, NULL));
    add_instance (high, "i-1", SCALER_INSTANCE_STATE_RUNNING, 0.6);
    add_queue (high, 1);
    g_clear_pointer (&kinds, g_free);
    kinds = observe (watch, config, high, NULL);
    g_assert_cmpstr (kinds, ==, "budget-reached");
  }
}

static void
test_boot_timeout_and_launch_failed (void)
{
  g_autoptr(ScalerConfig) config = make_config (0);
  g_autoptr(ScalerEventWatch) watch = scaler_event_watch_new ();
  g_autoptr(ScalerCycleResult) first = scaler_cycle_result_new (START, 1);
  g_autoptr(ScalerCycleResult) second = scaler_cycle_result_new (START + MINUTE, 2);
  g_autoptr(ScalerCycleResult) third = scaler_cycle_result_new (START + 2 * MINUTE, 3);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *kinds = NULL;

  add_resource (first, 0, START + 5 * MINUTE, "InsufficientInstanceCapacity in us-east-1a");
  kinds = observe (watch, config, first, &events);
  g_assert_cmpstr (kinds, ==, "launch-failed");
  g_assert_nonnull (strstr (((ScalerEvent *) g_ptr_array_index (events, 0))->body, "InsufficientInstanceCapacity"));
  g_clear_pointer (&kinds, g_free);

  /* The same back-off: no news. Boot timeouts: one event for two. */
  add_resource (second, 0, START + 5 * MINUTE, "InsufficientInstanceCapacity in us-east-1a");
  add_instance (second, "i-1", SCALER_INSTANCE_STATE_RUNNING, 0.1);
  add_instance (second, "i-2", SCALER_INSTANCE_STATE_RUNNING, 0.1);
  kinds = observe (watch, config, second, NULL);
  g_assert_cmpstr (kinds, ==, "");
  g_clear_pointer (&kinds, g_free);
  add_resource (third, 0, START + 5 * MINUTE, NULL);
  add_termination (third, "i-1", SCALER_REASON_BOOT_TIMEOUT, "i-1 never registered a worker");
  add_termination (third, "i-2", SCALER_REASON_BOOT_TIMEOUT, "i-2 never registered a worker");
  g_clear_pointer (&events, g_ptr_array_unref);
  kinds = observe (watch, config, third, &events);
  /* Terminated by us: not lost. */
  g_assert_cmpstr (kinds, ==, "bootstrap-failed");
  g_assert_cmpstr (((ScalerEvent *) g_ptr_array_index (events, 0))->title, ==,
                   "2 instances of “GPU pool” failed to boot");
}

static void
test_instance_lost (void)
{
  g_autoptr(ScalerConfig) config = make_config (0);
  g_autoptr(ScalerEventWatch) watch = scaler_event_watch_new ();
  g_autoptr(ScalerCycleResult) first = scaler_cycle_result_new (START, 1);
  g_autoptr(ScalerCycleResult) blind = scaler_cycle_result_new (START + MINUTE, 2);
  g_autoptr(ScalerCycleResult) second = scaler_cycle_result_new (START + 2 * MINUTE, 3);
  g_autoptr(ScalerCycleResult) third = scaler_cycle_result_new (START + 3 * MINUTE, 4);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *kinds = NULL;

  add_instance (first, "i-1", SCALER_INSTANCE_STATE_RUNNING, 0.1);
  add_instance (first, "i-2", SCALER_INSTANCE_STATE_RUNNING, 0.1);
  add_instance (first, "i-3", SCALER_INSTANCE_STATE_PENDING, 0.1);
  kinds = observe (watch, config, first, NULL);
  g_assert_cmpstr (kinds, ==, "");
  g_clear_pointer (&kinds, g_free);

  /* A cycle that could not see the fleet says nothing. */
  blind->ok = FALSE;
  kinds = observe (watch, config, blind, NULL);
  g_assert_cmpstr (kinds, ==, "");
  g_clear_pointer (&kinds, g_free);

  /* i-2 terminated by us; i-3 interrupted (shutting down); i-1 stays. */
  add_instance (second, "i-1", SCALER_INSTANCE_STATE_RUNNING, 0.1);
  add_instance (second, "i-3", SCALER_INSTANCE_STATE_SHUTTING_DOWN, 0.1);
  add_termination (second, "i-2", SCALER_REASON_IDLE, "idle");
  kinds = observe (watch, config, second, &events);
  g_assert_cmpstr (kinds, ==, "instance-lost");
  g_assert_nonnull (strstr (((ScalerEvent *) g_ptr_array_index (events, 0))->body, "i-3"));
  g_assert_null (strstr (((ScalerEvent *) g_ptr_array_index (events, 0))->body, "i-2"));
  g_clear_pointer (&kinds, g_free);

  /* Once. */
  add_instance (third, "i-1", SCALER_INSTANCE_STATE_RUNNING, 0.1);
  kinds = observe (watch, config, third, NULL);
  g_assert_cmpstr (kinds, ==, "");
}

static void
test_failed_state (void)
{
  g_autoptr(ScalerEventWatch) watch = scaler_event_watch_new ();
  g_autoptr(ScalerEvent) first = NULL;
  g_autoptr(ScalerEvent) again = NULL;
  g_autoptr(ScalerEvent) after = NULL;

  first = scaler_event_watch_state (watch, "GPU pool", TRUE, "ClearML refused the keys");
  g_assert_nonnull (first);
  g_assert_cmpint (first->kind, ==, SCALER_EVENT_FAILED);
  g_assert_cmpstr (first->title, ==, "“GPU pool” has a problem");
  g_assert_cmpstr (first->body, ==, "ClearML refused the keys");
  again = scaler_event_watch_state (watch, "GPU pool", TRUE, "still refused");
  g_assert_null (again);
  g_assert_null (scaler_event_watch_state (watch, "GPU pool", FALSE, NULL));
  after = scaler_event_watch_state (watch, "GPU pool", TRUE, NULL);
  g_assert_nonnull (after);
  g_assert_cmpstr (after->body, !=, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/events/budget", test_budget);
  g_test_add_func ("/scaler/events/boot-timeout-and-launch-failed", test_boot_timeout_and_launch_failed);
  g_test_add_func ("/scaler/events/instance-lost", test_instance_lost);
  g_test_add_func ("/scaler/events/failed-state", test_failed_state);

  return g_test_run ();
}
