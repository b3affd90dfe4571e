/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the pure scaling policy: small table-like cases, each asserting
 * the plan AND its reasons. */

#include "config.h"

#include <string.h>

#include "scaler-core.h"
#include "scaler-ledger.h"
#include "scaler-policy.h"

#define MIN_USEC (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define NOW (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC)
#define CONFIG_ID "11111111-2222-4333-8444-555555555555"
#define PREFIX "dyn"

static gboolean
test_price (const char *instance_type,
            const char *region,
            double     *usd_per_hour,
            gpointer    user_data)
{
  if (g_strcmp0 (instance_type, "m5.large") == 0)
    *usd_per_hour = 0.4;
  else if (g_strcmp0 (instance_type, "g4dn.xlarge") == 0)
    *usd_per_hour = 1.0;
  else
    return FALSE;
  return TRUE;
}

static const ScalerPolicyEnv test_env = { test_price, NULL, FALSE };

static ScalerResource *
add_resource (ScalerConfig *config,
              const char   *name,
              const char   *queue,
              const char   *type,
              guint         max,
              gboolean      spot)
{
  ScalerResource *resource = scaler_resource_new ();

  g_free (resource->name);
  resource->name = g_strdup (name);
  g_free (resource->queue);
  resource->queue = g_strdup (queue);
  g_free (resource->instance_type);
  resource->instance_type = g_strdup (type);
  resource->max_instances = max;
  resource->is_spot = spot;
  resource->spot_fallback_on_demand = TRUE;
  g_ptr_array_add (config->resources, resource);
  return resource;
}

static ScalerConfig *
make_config (void)
{
  ScalerConfig *config = scaler_config_new ();

  g_free (config->id);
  config->id = g_strdup (CONFIG_ID);
  g_free (config->workers_prefix);
  config->workers_prefix = g_strdup (PREFIX);
  config->max_idle_time_min = 15;
  config->polling_interval_time_min = 1;
  config->max_spin_up_time_min = 30;
  config->hourly_budget_usd = 0;
  return config;
}

static ScalerInstance *
add_instance (ScalerSnapshot *snapshot,
              const char     *config_id,
              const char     *id,
              const char     *resource,
              const char     *type,
              ScalerInstanceState state,
              double          age_min)
{
  ScalerInstance *instance = scaler_instance_new ();

  instance->instance_id = g_strdup (id);
  instance->config_id = g_strdup (config_id);
  instance->resource = g_strdup (resource);
  instance->instance_type = g_strdup (type);
  instance->availability_zone = g_strdup ("us-east-1a");
  instance->state = state;
  instance->launch_time = NOW - (gint64) (age_min * MIN_USEC);
  if (config_id)
    g_ptr_array_add (instance->tags, scaler_tag_new (SCALER_TAG_INSTANCE, config_id));
  scaler_snapshot_add_instance (snapshot, instance);
  return instance;
}

static ScalerWorker *
add_worker (ScalerSnapshot *snapshot,
            const char     *resource,
            const char     *type,
            const char     *instance_id,
            const char     *task)
{
  ScalerWorker *worker = scaler_worker_new ();

  worker->id = scaler_worker_id_build (PREFIX, resource, type, instance_id);
  worker->task_id = g_strdup (task);
  scaler_snapshot_add_worker (snapshot, worker);
  return worker;
}

/* Every action and non-action carries a reason; returns the plan. */
static ScalerPlan *
decide (ScalerConfig    *config,
        ScalerSnapshot  *snapshot,
        ScalerLedger    *ledger,
        const ScalerPolicyEnv *env)
{
  ScalerPlan *plan;

  scaler_ledger_observe (ledger, config, snapshot, NOW, NULL);
  plan = scaler_policy_decide (config, snapshot, ledger, NOW, env ? env : &test_env);
  for (guint i = 0; i < plan->actions->len; i++)
    {
      ScalerAction *action = g_ptr_array_index (plan->actions, i);

      g_assert_nonnull (action->reason);
      g_assert_cmpuint (strlen (action->reason), >, 10);
      if (g_test_verbose ())
        g_test_message ("%s/%s: %s", scaler_action_kind_to_string (action->kind),
                        scaler_reason_to_string (action->code), action->reason);
    }
  return plan;
}

static guint
count_launches (ScalerPlan *plan,
                const char *resource)
{
  guint n = 0;

  for (guint i = 0; i < plan->actions->len; i++)
    {
      ScalerAction *action = g_ptr_array_index (plan->actions, i);

      if (action->kind == SCALER_ACTION_LAUNCH && (resource == NULL || g_strcmp0 (action->resource, resource) == 0))
        n++;
    }
  return n;
}

static void
test_nothing_pending (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  const ScalerAction *note;

  add_resource (config, "cpu", "default", "m5.large", 4, FALSE);
  scaler_snapshot_set_pending (snapshot, "default", 0);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 0);
  note = scaler_plan_find (plan, SCALER_REASON_NOTHING_PENDING);
  g_assert_nonnull (note);
  g_assert_true (strstr (note->reason, "default") != NULL);
  g_assert_cmpint (plan->next_cycle_delay, ==, MIN_USEC);
}

static void
test_scale_up_from_zero (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  const ScalerAction *launch;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  scaler_snapshot_set_pending (snapshot, "default", 3);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (count_launches (plan, "cpu"), ==, 3);
  launch = scaler_plan_find (plan, SCALER_REASON_NEED);
  g_assert_nonnull (launch);
  g_assert_null (launch->client_token);
  g_assert_false (launch->spot);
  g_assert_cmpfloat_with_epsilon (launch->usd_per_hour, 0.4, 1e-9);
  g_assert_true (strstr (launch->reason, "3 pending") != NULL);
  g_assert_cmpfloat_with_epsilon (plan->usd_per_hour_planned, 1.2, 1e-9);
}

/* ClearML's autoscaler (allegroai/clearml clearml/automation/auto_scaler.py:284-294)
 * adds min(need, allowed) per resource: need=3, A allowed 2, B allowed 5
 * launches 5; the remaining need must be used: 3. */
static void
test_no_overshoot (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  const ScalerAction *max_note;

  add_resource (config, "A", "gpu", "m5.large", 2, FALSE);
  add_resource (config, "B", "gpu", "m5.large", 5, FALSE);
  scaler_snapshot_set_pending (snapshot, "gpu", 3);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (count_launches (plan, "A"), ==, 2);
  g_assert_cmpuint (count_launches (plan, "B"), ==, 1);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 3);
  /* A's cap is stated, not silently skipped. */
  max_note = scaler_plan_find (plan, SCALER_REASON_MAX_REACHED);
  g_assert_nonnull (max_note);
  g_assert_cmpstr (max_note->resource, ==, "A");
}

static void
test_idle_covers (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  add_instance (snapshot, CONFIG_ID, "i-1", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 10);
  add_instance (snapshot, CONFIG_ID, "i-2", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 10);
  add_worker (snapshot, "cpu", "m5.large", "i-1", NULL);
  add_worker (snapshot, "cpu", "m5.large", "i-2", NULL);
  scaler_snapshot_set_pending (snapshot, "default", 2);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
  g_assert_nonnull (scaler_plan_find (plan, SCALER_REASON_COVERED));
}

static void
test_waiting_for_boot (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  add_instance (snapshot, CONFIG_ID, "i-1", "cpu", "m5.large", SCALER_INSTANCE_STATE_PENDING, 1);
  add_instance (snapshot, CONFIG_ID, "i-2", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 3);
  scaler_snapshot_set_pending (snapshot, "default", 3);
  plan = decide (config, snapshot, ledger, NULL);
  /* need = 3 - 0 idle - 2 booting = 1 */
  g_assert_cmpuint (count_launches (plan, NULL), ==, 1);

  scaler_snapshot_set_pending (snapshot, "default", 2);
  g_clear_pointer (&plan, scaler_plan_free);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
  g_assert_nonnull (scaler_plan_find (plan, SCALER_REASON_WAITING_BOOT));
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 0);
}

static void
test_max_reached (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  const ScalerAction *note;

  add_resource (config, "cpu", "default", "m5.large", 2, FALSE);
  add_instance (snapshot, CONFIG_ID, "i-1", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 10);
  add_instance (snapshot, CONFIG_ID, "i-2", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 10);
  add_worker (snapshot, "cpu", "m5.large", "i-1", "task-a");
  add_worker (snapshot, "cpu", "m5.large", "i-2", "task-b");
  scaler_snapshot_set_pending (snapshot, "default", 5);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
  note = scaler_plan_find (plan, SCALER_REASON_MAX_REACHED);
  g_assert_nonnull (note);
  g_assert_true (strstr (note->reason, "2 of 2") != NULL);
  /* Busy workers are never terminated. */
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 0);
}

static void
test_max_counts_launches_in_flight (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerLedgerLaunch *launch = scaler_ledger_launch_new ();

  add_resource (config, "cpu", "default", "m5.large", 2, FALSE);
  launch->client_token = g_strdup ("tok-1");
  launch->resource = g_strdup ("cpu");
  launch->instance_type = g_strdup ("m5.large");
  launch->instance_id = g_strdup ("i-9");
  launch->created = launch->last_attempt = NOW - MIN_USEC;
  launch->usd_per_hour = 0.4;
  scaler_ledger_add_launch (ledger, launch);
  add_instance (snapshot, CONFIG_ID, "i-1", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 10);
  add_worker (snapshot, "cpu", "m5.large", "i-1", "task-a");
  scaler_snapshot_set_pending (snapshot, "default", 4);
  plan = decide (config, snapshot, ledger, NULL);
  /* 1 running + 1 answered launch not yet listed = the max of 2. */
  g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
  g_assert_nonnull (scaler_plan_find (plan, SCALER_REASON_MAX_REACHED));
  g_assert_cmpfloat_with_epsilon (plan->usd_per_hour, 0.8, 1e-9);
}

static void
test_budget (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  const ScalerAction *note;

  config->hourly_budget_usd = 1.0;
  add_resource (config, "cpu", "default", "m5.large", 10, FALSE);
  /* Instances that are shutting down still cost until terminated. */
  add_instance (snapshot, CONFIG_ID, "i-1", "cpu", "m5.large", SCALER_INSTANCE_STATE_SHUTTING_DOWN, 10);
  scaler_snapshot_set_pending (snapshot, "default", 5);
  plan = decide (config, snapshot, ledger, NULL);
  /* 0.4 running + 0.4 = 0.8 <= 1.0; one more would be 1.2. */
  g_assert_cmpuint (count_launches (plan, NULL), ==, 1);
  note = scaler_plan_find (plan, SCALER_REASON_BUDGET);
  g_assert_nonnull (note);
  g_assert_true (strstr (note->reason, "budget") != NULL);
  g_assert_true (strstr (note->reason, "1.00") != NULL);
  g_assert_cmpfloat (plan->usd_per_hour_planned, <=, config->hourly_budget_usd);
}

static void
test_budget_uses_spot_price (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerResource *resource;
  ScalerSpotPrice *price = g_new0 (ScalerSpotPrice, 1);

  config->hourly_budget_usd = 0.35;
  resource = add_resource (config, "cpu", "default", "m5.large", 10, TRUE);
  g_strfreev (resource->availability_zones);
  resource->availability_zones = g_strsplit ("us-east-1a", ",", -1);
  price->instance_type = g_strdup ("m5.large");
  price->availability_zone = g_strdup ("us-east-1a");
  price->price_usd_per_hour = 0.1;
  price->timestamp = NOW;
  g_ptr_array_add (snapshot->spot_prices, price);
  scaler_snapshot_set_pending (snapshot, "default", 5);
  plan = decide (config, snapshot, ledger, NULL);
  /* Spot at 0.1: 3 fit under 0.35 (on-demand 0.4 would fit none). */
  g_assert_cmpuint (count_launches (plan, NULL), ==, 3);
  g_assert_true (((ScalerAction *) g_ptr_array_index (plan->actions, 0))->spot);
  g_assert_nonnull (scaler_plan_find (plan, SCALER_REASON_BUDGET));
}

static void
test_budget_unknown_price (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;

  config->hourly_budget_usd = 10;
  add_resource (config, "odd", "default", "x9.mystery", 3, FALSE);
  scaler_snapshot_set_pending (snapshot, "default", 1);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
  g_assert_nonnull (scaler_plan_find (plan, SCALER_REASON_NO_PRICE));
}

static void
test_idle_scale_down (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  const ScalerAction *action;
  ScalerWorker *w1, *w2;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  add_instance (snapshot, CONFIG_ID, "i-1", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 60);
  add_instance (snapshot, CONFIG_ID, "i-2", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 60);
  w1 = add_worker (snapshot, "cpu", "m5.large", "i-1", NULL);
  w2 = add_worker (snapshot, "cpu", "m5.large", "i-2", NULL);
  /* First seen idle 20 and 10 minutes ago. */
  scaler_ledger_set_idle_since (ledger, w1->id, NOW - 20 * MIN_USEC);
  scaler_ledger_set_idle_since (ledger, w2->id, NOW - 10 * MIN_USEC);
  scaler_snapshot_set_pending (snapshot, "default", 0);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 1);
  action = scaler_plan_find (plan, SCALER_REASON_IDLE);
  g_assert_cmpstr (action->instance_id, ==, "i-1");
  g_assert_cmpstr (action->worker_id, ==, w1->id);
  g_assert_false (action->fetch_console);
  g_assert_true (strstr (action->reason, "20.0 min") != NULL);
}

static void
test_idle_since_first_seen (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerWorker *worker;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  add_instance (snapshot, CONFIG_ID, "i-1", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 600);
  worker = add_worker (snapshot, "cpu", "m5.large", "i-1", NULL);
  /* An old register time does not make a freshly seen idle worker "old". */
  worker->register_time = NOW - 600 * MIN_USEC;
  worker->last_activity_time = NOW - 300 * MIN_USEC;
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 0);
  g_assert_cmpint (scaler_ledger_get_idle_since (ledger, worker->id), ==, NOW);
}

static void
test_busy_survives_terminate_idle_now (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerPolicyEnv env = test_env;
  const ScalerAction *action;

  env.terminate_idle_now = TRUE;
  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  add_instance (snapshot, CONFIG_ID, "i-busy", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 60);
  add_instance (snapshot, CONFIG_ID, "i-idle", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 60);
  add_worker (snapshot, "cpu", "m5.large", "i-busy", "task-1");
  add_worker (snapshot, "cpu", "m5.large", "i-idle", NULL);
  plan = decide (config, snapshot, ledger, &env);
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 1);
  action = scaler_plan_find (plan, SCALER_REASON_IDLE);
  g_assert_cmpstr (action->instance_id, ==, "i-idle");
  g_assert_true (strstr (action->reason, "terminate idle now") != NULL);
}

static void
test_idle_kept_while_queue_pending (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerWorker *worker;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  add_instance (snapshot, CONFIG_ID, "i-1", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 60);
  worker = add_worker (snapshot, "cpu", "m5.large", "i-1", NULL);
  scaler_ledger_set_idle_since (ledger, worker->id, NOW - 30 * MIN_USEC);
  scaler_snapshot_set_pending (snapshot, "default", 1);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 0);
  g_assert_nonnull (scaler_plan_find (plan, SCALER_REASON_KEEP_PENDING));
  g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
}

static void
test_boot_timeout (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  const ScalerAction *action;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  add_instance (snapshot, CONFIG_ID, "i-stuck", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 31);
  add_instance (snapshot, CONFIG_ID, "i-young", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 29);
  scaler_snapshot_set_pending (snapshot, "default", 2);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 1);
  action = scaler_plan_find (plan, SCALER_REASON_BOOT_TIMEOUT);
  g_assert_cmpstr (action->instance_id, ==, "i-stuck");
  g_assert_true (action->fetch_console);
  g_assert_true (strstr (action->reason, "max_spin_up_time_min") != NULL);
  /* The stuck one no longer counts as booting: one replacement. */
  g_assert_cmpuint (count_launches (plan, NULL), ==, 1);
}

static void
test_adopt_orphan (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  ScalerWorker *worker;
  const ScalerLedgerInstance *known;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  add_instance (snapshot, CONFIG_ID, "i-orphan", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 120);
  worker = add_worker (snapshot, "cpu", "m5.large", "i-orphan", NULL);
  scaler_ledger_observe (ledger, config, snapshot, NOW - 16 * MIN_USEC, messages);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_true (strstr (g_ptr_array_index (messages, 0), "Adopted instance i-orphan") != NULL);
  known = scaler_ledger_get_instance (ledger, "i-orphan");
  g_assert_true (known->adopted);
  g_assert_cmpint (scaler_ledger_get_idle_since (ledger, worker->id), ==, NOW - 16 * MIN_USEC);

  plan = decide (config, snapshot, ledger, NULL);
  /* Same rules: idle for 16 min > 15. */
  g_assert_cmpstr (scaler_plan_find (plan, SCALER_REASON_IDLE)->instance_id, ==, "i-orphan");
}

static void
test_never_touch_untagged (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerWorker *worker;

  config->hourly_budget_usd = 0.5;
  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  /* No tag, and another config's tag: old, no worker, idle worker. */
  add_instance (snapshot, NULL, "i-untagged", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 500);
  add_instance (snapshot, "other-config", "i-other", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 500);
  worker = add_worker (snapshot, "cpu", "m5.large", "i-other", NULL);
  scaler_ledger_set_idle_since (ledger, worker->id, NOW - 100 * MIN_USEC);
  scaler_snapshot_set_pending (snapshot, "default", 1);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 0);
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_UNREGISTER_WORKER), ==, 0);
  /* Not ours: not capacity, not in our budget. */
  g_assert_nonnull (scaler_plan_find (plan, SCALER_REASON_FOREIGN));
  g_assert_cmpuint (count_launches (plan, NULL), ==, 1);
  g_assert_cmpfloat_with_epsilon (plan->usd_per_hour, 0.0, 1e-9);
}

static void
test_zombie_worker (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerWorker *z1, *z2;
  guint unregister = 0;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  add_instance (snapshot, CONFIG_ID, "i-dying", "cpu", "m5.large", SCALER_INSTANCE_STATE_SHUTTING_DOWN, 60);
  z1 = add_worker (snapshot, "cpu", "m5.large", "i-dying", NULL);
  /* An instance we terminated earlier, no longer listed. */
  scaler_ledger_mark_gone (ledger, "i-gone", NOW - MIN_USEC);
  z2 = add_worker (snapshot, "cpu", "m5.large", "i-gone", NULL);
  scaler_snapshot_set_pending (snapshot, "default", 2);
  plan = decide (config, snapshot, ledger, NULL);
  for (guint i = 0; i < plan->actions->len; i++)
    {
      ScalerAction *action = g_ptr_array_index (plan->actions, i);

      if (action->kind == SCALER_ACTION_UNREGISTER_WORKER)
        {
          g_assert_cmpint (action->code, ==, SCALER_REASON_ZOMBIE);
          g_assert_true (g_strcmp0 (action->worker_id, z1->id) == 0 || g_strcmp0 (action->worker_id, z2->id) == 0);
          unregister++;
        }
    }
  g_assert_cmpuint (unregister, ==, 2);
  /* Zombies are not capacity: 2 pending -> 2 launches. */
  g_assert_cmpuint (count_launches (plan, NULL), ==, 2);
}

static void
test_capacity_backoff_zones_and_fallback (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerResource *resource;
  const ScalerAction *action;
  const ScalerLedgerBackoff *backoff;

  resource = add_resource (config, "gpu", "gpu", "g4dn.xlarge", 5, TRUE);
  g_strfreev (resource->availability_zones);
  resource->availability_zones = g_strsplit ("us-east-1a,us-east-1b", ",", -1);
  scaler_snapshot_set_pending (snapshot, "gpu", 1);

  /* Spot in zone a failed: next zone. */
  scaler_ledger_record_failure (ledger, config, "gpu", "us-east-1a", TRUE, NOW, "InsufficientInstanceCapacity");
  backoff = scaler_ledger_get_backoff (ledger, "gpu", "us-east-1a", TRUE);
  g_assert_cmpint (backoff->until - NOW, ==, 2 * MIN_USEC + MIN_USEC / 2);
  plan = decide (config, snapshot, ledger, NULL);
  action = scaler_plan_find (plan, SCALER_REASON_NEED);
  g_assert_cmpstr (action->availability_zone, ==, "us-east-1b");
  g_assert_true (action->spot);

  /* Both spot zones failed: on-demand in the first zone. */
  scaler_ledger_record_failure (ledger, config, "gpu", "us-east-1b", TRUE, NOW, "InsufficientInstanceCapacity");
  g_clear_pointer (&plan, scaler_plan_free);
  plan = decide (config, snapshot, ledger, NULL);
  action = scaler_plan_find (plan, SCALER_REASON_NEED);
  g_assert_cmpstr (action->availability_zone, ==, "us-east-1a");
  g_assert_false (action->spot);
  g_assert_true (strstr (action->reason, "falling back to on-demand") != NULL);

  /* No fallback allowed: back off, with the reason. */
  resource->spot_fallback_on_demand = FALSE;
  g_clear_pointer (&plan, scaler_plan_free);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
  action = scaler_plan_find (plan, SCALER_REASON_BACKING_OFF);
  g_assert_nonnull (action);
  g_assert_true (strstr (action->reason, "us-east-1b spot") != NULL);
  g_assert_true (strstr (action->reason, "InsufficientInstanceCapacity") != NULL);

  /* Back to spot once the back-off expires. */
  resource->spot_fallback_on_demand = TRUE;
  g_clear_pointer (&plan, scaler_plan_free);
  scaler_ledger_observe (ledger, config, snapshot, NOW + 3 * MIN_USEC, NULL);
  plan = scaler_policy_decide (config, snapshot, ledger, NOW + 3 * MIN_USEC, &test_env);
  action = scaler_plan_find (plan, SCALER_REASON_NEED);
  g_assert_true (action->spot);
  g_assert_cmpstr (action->availability_zone, ==, "us-east-1a");
}

static void
test_backoff_is_exponential (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  gint64 previous = 0;

  config->polling_interval_time_min = 2;
  for (guint i = 1; i <= 10; i++)
    {
      const ScalerLedgerBackoff *backoff;
      gint64 length;

      scaler_ledger_record_failure (ledger, config, "r", "z", FALSE, NOW, "capacity");
      backoff = scaler_ledger_get_backoff (ledger, "r", "z", FALSE);
      length = backoff->until - NOW;
      g_assert_cmpuint (backoff->failures, ==, i);
      /* 2, 4, 8, ... polling intervals (+ half an interval), capped at 1 h. */
      g_assert_cmpint (length, ==, MIN ((gint64) (2 << (i - 1)) * 2 * MIN_USEC + MIN_USEC, 60 * MIN_USEC));
      g_assert_cmpint (length, >=, previous);
      previous = length;
    }
  scaler_ledger_record_success (ledger, "r", "z", FALSE);
  g_assert_null (scaler_ledger_get_backoff (ledger, "r", "z", FALSE));
}

static void
test_subnets_decide_placement (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerResource *resource;
  const ScalerAction *action;

  resource = add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  g_strfreev (resource->subnet_ids);
  resource->subnet_ids = g_strsplit ("subnet-aaa,subnet-bbb", ",", -1);
  g_strfreev (resource->availability_zones);
  resource->availability_zones = g_strsplit ("us-east-1c", ",", -1);
  scaler_ledger_record_failure (ledger, config, "cpu", "subnet-aaa", FALSE, NOW, "InsufficientInstanceCapacity");
  scaler_snapshot_set_pending (snapshot, "default", 1);
  plan = decide (config, snapshot, ledger, NULL);
  action = scaler_plan_find (plan, SCALER_REASON_NEED);
  g_assert_cmpstr (action->subnet_id, ==, "subnet-bbb");
  g_assert_null (action->availability_zone);
}

static void
test_throttle_slows_down (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  scaler_ledger_record_throttle (ledger);
  scaler_ledger_record_throttle (ledger);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpint (plan->next_cycle_delay, ==, 4 * MIN_USEC);
  g_assert_nonnull (scaler_plan_find (plan, SCALER_REASON_THROTTLED));
  for (guint i = 0; i < 10; i++)
    scaler_ledger_record_throttle (ledger);
  g_clear_pointer (&plan, scaler_plan_free);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpint (plan->next_cycle_delay, ==, 15 * MIN_USEC);
}

static void
test_unanswered_launch_retried_with_same_token (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerLedgerLaunch *launch = scaler_ledger_launch_new ();
  const ScalerAction *action;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  launch->client_token = g_strdup ("tok-crash");
  launch->resource = g_strdup ("cpu");
  launch->instance_type = g_strdup ("m5.large");
  launch->availability_zone = g_strdup ("us-east-1a");
  launch->created = launch->last_attempt = NOW - MIN_USEC;
  launch->attempts = 1;
  launch->usd_per_hour = 0.4;
  scaler_ledger_add_launch (ledger, launch);

  scaler_snapshot_set_pending (snapshot, "default", 1);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 1);
  action = scaler_plan_find (plan, SCALER_REASON_RETRY_LAUNCH);
  g_assert_nonnull (action);
  g_assert_cmpstr (action->client_token, ==, "tok-crash");
  g_assert_cmpstr (action->availability_zone, ==, "us-east-1a");

  /* Not needed any more: forgotten, never a new launch. */
  scaler_snapshot_set_pending (snapshot, "default", 0);
  g_clear_pointer (&plan, scaler_plan_free);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
  action = scaler_plan_find (plan, SCALER_REASON_NOT_NEEDED);
  g_assert_cmpint (action->kind, ==, SCALER_ACTION_DROP_LAUNCH);
  g_assert_cmpstr (action->client_token, ==, "tok-crash");
}

static void
test_launch_resolved_by_token (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerLedgerLaunch *launch = scaler_ledger_launch_new ();
  ScalerInstance *instance;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  launch->client_token = g_strdup ("tok-ok");
  launch->resource = g_strdup ("cpu");
  launch->instance_type = g_strdup ("m5.large");
  launch->created = launch->last_attempt = NOW - MIN_USEC;
  scaler_ledger_add_launch (ledger, launch);
  instance = add_instance (snapshot, CONFIG_ID, "i-new", "cpu", "m5.large", SCALER_INSTANCE_STATE_PENDING, 1);
  instance->client_token = g_strdup ("tok-ok");
  scaler_snapshot_set_pending (snapshot, "default", 1);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_null (scaler_ledger_get_launch (ledger, "tok-ok"));
  g_assert_false (scaler_ledger_get_instance (ledger, "i-new")->adopted);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
  g_assert_nonnull (scaler_plan_find (plan, SCALER_REASON_WAITING_BOOT));
}

static void
test_queues_in_config_order_share_budget (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;

  config->hourly_budget_usd = 2.0;
  add_resource (config, "gpu", "gpu-queue", "g4dn.xlarge", 5, FALSE);
  add_resource (config, "cpu", "cpu-queue", "m5.large", 5, FALSE);
  scaler_snapshot_set_pending (snapshot, "gpu-queue", 1);
  scaler_snapshot_set_pending (snapshot, "cpu-queue", 5);
  plan = decide (config, snapshot, ledger, NULL);
  /* 1.0 for the GPU, then 2 CPUs at 0.4 = 1.8. */
  g_assert_cmpuint (count_launches (plan, "gpu"), ==, 1);
  g_assert_cmpuint (count_launches (plan, "cpu"), ==, 2);
  g_assert_nonnull (scaler_plan_find (plan, SCALER_REASON_BUDGET));
}

/* With busy workers, new demand must persist before it launches. */
static void
test_scale_up_confirmation (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) before = scaler_snapshot_new (NOW - 2 * MIN_USEC);
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  const ScalerAction *note;

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  add_instance (before, CONFIG_ID, "i-1", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 60);
  add_worker (before, "cpu", "m5.large", "i-1", "task-a");
  add_instance (snapshot, CONFIG_ID, "i-1", "cpu", "m5.large", SCALER_INSTANCE_STATE_RUNNING, 60);
  add_worker (snapshot, "cpu", "m5.large", "i-1", "task-a");

  scaler_snapshot_set_pending (before, "default", 0);
  scaler_ledger_observe (ledger, config, before, NOW - 2 * MIN_USEC, NULL);
  scaler_snapshot_set_pending (before, "default", 2);
  scaler_ledger_observe (ledger, config, before, NOW - MIN_USEC, NULL);
  scaler_snapshot_set_pending (snapshot, "default", 2);
  scaler_ledger_observe (ledger, config, snapshot, NOW, NULL);
  plan = scaler_policy_decide (config, snapshot, ledger, NOW, &test_env);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
  note = scaler_plan_find (plan, SCALER_REASON_WAITING_CONFIRM);
  g_assert_nonnull (note);
  g_assert_true (strstr (note->reason, "1 busy worker") != NULL);

  /* Still there one cycle later: the demand is confirmed. */
  g_clear_pointer (&plan, scaler_plan_free);
  scaler_ledger_observe (ledger, config, snapshot, NOW + MIN_USEC, NULL);
  plan = scaler_policy_decide (config, snapshot, ledger, NOW + MIN_USEC, &test_env);
  g_assert_cmpuint (count_launches (plan, NULL), ==, 2);
  g_assert_null (scaler_plan_find (plan, SCALER_REASON_WAITING_CONFIRM));
}

/* The durations the queue learned: one task of each length (minutes) on
 * workers h-1.., each seen from its start to the cycle that saw its worker
 * idle, all before NOW - 60 min. */
static void
learn_durations (ScalerConfig *config,
                 ScalerLedger *ledger,
                 const double *durations,
                 guint         n)
{
  for (guint k = 0; k < n; k++)
    {
      gint64 start = NOW - 60 * MIN_USEC - (gint64) ((n - k) * 30 * MIN_USEC);
      g_autofree char *id = g_strdup_printf ("h-%u", k + 1);
      g_autoptr(ScalerSnapshot) running = scaler_snapshot_new (start);
      g_autoptr(ScalerSnapshot) done = scaler_snapshot_new (start + (gint64) (durations[k] * MIN_USEC));

      add_worker (running, "cpu", "m5.large", id, "learned");
      add_worker (done, "cpu", "m5.large", id, NULL);
      scaler_ledger_observe (ledger, config, running, start, NULL);
      scaler_ledger_observe (ledger, config, done, start + (gint64) (durations[k] * MIN_USEC), NULL);
    }
}

/* Busy workers on i-1.. (registered 3 min after launch), the k-th seen
 * running its task since NOW - ran_min[k] (whole minutes); `pending`
 * queued tasks. */
static ScalerPlan *
decide_with_busy (ScalerConfig *config,
                  ScalerLedger *ledger,
                  const double *ran_min,
                  guint         n_busy,
                  guint         pending)
{
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);

  /* One observation per minute from the first start: each task from the
   * minute it started. */
  for (gint minute = -60; minute < 0; minute++)
    {
      g_autoptr(ScalerSnapshot) seen = scaler_snapshot_new (NOW + minute * MIN_USEC);

      for (guint k = 0; k < n_busy; k++)
        {
          g_autofree char *id = g_strdup_printf ("i-%u", k + 1);
          g_autofree char *task = g_strdup_printf ("task-%u", k + 1);

          if (-minute <= ran_min[k])
            add_worker (seen, "cpu", "m5.large", id, task);
        }
      scaler_snapshot_set_pending (seen, "default", 0);
      scaler_ledger_observe (ledger, config, seen, NOW + minute * MIN_USEC, NULL);
    }
  for (guint k = 0; k < n_busy; k++)
    {
      g_autofree char *id = g_strdup_printf ("i-%u", k + 1);
      g_autofree char *task = g_strdup_printf ("task-%u", k + 1);
      ScalerInstance *instance = add_instance (snapshot, CONFIG_ID, id, "cpu", "m5.large",
                                               SCALER_INSTANCE_STATE_RUNNING, 60);
      ScalerWorker *worker = add_worker (snapshot, "cpu", "m5.large", id, task);

      worker->register_time = instance->launch_time + 3 * MIN_USEC;
    }
  scaler_snapshot_set_pending (snapshot, "default", pending);
  return decide (config, snapshot, ledger, NULL);
}

/* Once durations are known, a queued task waits for the busy workers when
 * enough of them finish within the 3 minutes a new instance needs, judged
 * from the durations learned and how long each task has run: of tasks of
 * 10, 10, 10, 10 and 20 minutes, one that ran 9 min ends within 3 more
 * with probability 4/5, one that ran 1 min with probability 0. */
static void
test_hold_back_distribution (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  const double durations[] = { 10, 10, 10, 10, 20 };

  add_resource (config, "cpu", "default", "m5.large", 10, FALSE);
  {
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    const double ran[] = { 9, 1 };
    g_autoptr(ScalerPlan) plan = NULL;
    const ScalerAction *note;

    learn_durations (config, ledger, durations, G_N_ELEMENTS (durations));
    plan = decide_with_busy (config, ledger, ran, 2, 3);
    g_assert_cmpuint (count_launches (plan, "cpu"), ==, 2);
    note = scaler_plan_find (plan, SCALER_REASON_WAITING_CONFIRM);
    g_assert_nonnull (note);
    g_assert_cmpstr (note->queue, ==, "default");
    g_assert_true (strstr (note->reason, "1 pending task(s) left to busy workers: 1 of the 2 busy worker(s) "
                                         "finish within 3.0 min") != NULL);
    g_assert_true (strstr (note->reason, "probability of 60 %") != NULL);
    g_assert_true (strstr (note->reason, "last 5 task durations; tasks take 11.0 min on average") != NULL);
  }
  {
    /* Both near their end: both pending tasks wait, nothing launches. */
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    const double ran[] = { 9, 8 };
    g_autoptr(ScalerPlan) plan = NULL;

    learn_durations (config, ledger, durations, G_N_ELEMENTS (durations));
    plan = decide_with_busy (config, ledger, ran, 2, 2);
    g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
    g_assert_true (strstr (scaler_plan_find (plan, SCALER_REASON_WAITING_CONFIRM)->reason,
                           "2 of the 2 busy worker(s)") != NULL);
  }
  {
    /* Both just started: nothing waits for them. */
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    const double ran[] = { 1, 2 };
    g_autoptr(ScalerPlan) plan = NULL;

    learn_durations (config, ledger, durations, G_N_ELEMENTS (durations));
    plan = decide_with_busy (config, ledger, ran, 2, 2);
    g_assert_cmpuint (count_launches (plan, "cpu"), ==, 2);
    g_assert_null (scaler_plan_find (plan, SCALER_REASON_WAITING_CONFIRM));
  }
  {
    /* Running longer than any task seen: it is not counted on. */
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    const double ran[] = { 25 };
    g_autoptr(ScalerPlan) plan = NULL;

    learn_durations (config, ledger, durations, G_N_ELEMENTS (durations));
    plan = decide_with_busy (config, ledger, ran, 1, 1);
    g_assert_cmpuint (count_launches (plan, "cpu"), ==, 1);
  }
}

/* Caps that leave tasks for a second round anyway: 25 tasks on at most 20
 * instances run in 2 rounds, which 13 instances do as well. */
static void
test_balanced_rounds (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  guint pending[] = { 25, 15, 40 };
  guint launched[] = { 13, 15, 20 };

  add_resource (config, "cpu", "default", "m5.large", 20, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (pending); i++)
    {
      g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
      g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
      g_autoptr(ScalerPlan) plan = NULL;
      const ScalerAction *note;

      scaler_snapshot_set_pending (snapshot, "default", pending[i]);
      plan = decide (config, snapshot, ledger, NULL);
      g_assert_cmpuint (count_launches (plan, "cpu"), ==, launched[i]);
      note = scaler_plan_find (plan, SCALER_REASON_BALANCED_ROUNDS);
      if (i != 0)
        {
          /* One round, or as many rounds with all 20: nothing to balance. */
          g_assert_null (note);
          continue;
        }
      g_assert_nonnull (note);
      g_assert_cmpstr (note->queue, ==, "default");
      g_assert_true (strstr (note->reason, "25 task(s) queued or running need 2 rounds of the 20 worker(s)") != NULL);
      g_assert_true (strstr (note->reason, "launching 13 instead of 20") != NULL);
    }
}

/* ---- idle_policy: the break-even rule ---- */

/* An instance launched `ready_min` before its worker registered. */
static ScalerWorker *
add_ready_worker (ScalerSnapshot *snapshot,
                  const char     *id,
                  const char     *type,
                  const char     *task,
                  double          ready_min)
{
  ScalerInstance *instance = add_instance (snapshot, CONFIG_ID, id, "cpu", type, SCALER_INSTANCE_STATE_RUNNING, 120);
  ScalerWorker *worker = add_worker (snapshot, "cpu", type, id, task);

  worker->register_time = instance->launch_time + (gint64) (ready_min * MIN_USEC);
  return worker;
}

/* Minute from which the k-th (from 1) of `busy` workers runs tasks of
 * task_min back to back: the workers start a task in turn, evenly spread
 * over task_min, so that arrivals are not bursts. */
#define HISTORY_START (-240)

static double
history_offset (guint  k,
                guint  busy,
                double task_min)
{
  return (double) (k - 1) * task_min / busy;
}

/* The task the k-th of `busy` workers runs at minute (NULL before its
 * first). */
static char *
history_task (guint  k,
              guint  busy,
              double task_min,
              gint   minute)
{
  double since = minute - HISTORY_START - history_offset (k, busy, task_min);

  return since < 0 ? NULL : g_strdup_printf ("task-%u-%d", k, (int) (since / task_min));
}

/* A queue "default" with `busy` workers on i-1..i-busy, each running tasks
 * of exactly task_min minutes back to back (in turn, see above), observed
 * every minute for four hours before NOW with nothing pending: the ledger
 * learns the task duration and an arrival rate of busy / task_min per
 * minute (flow balance). The `idle` workers on i-(busy+1).. are seen idle
 * from NOW - idle_min. The decision snapshot at NOW holds all of them,
 * registered 6 min after launch (so a new instance is ready in 6 min and
 * the break-even is 12 min). */
static ScalerPlan *
decide_after_history (ScalerConfig *config,
                      ScalerLedger *ledger,
                      guint         busy,
                      double        task_min,
                      guint         idle,
                      double        idle_min,
                      guint         pending)
{
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);

  for (gint minute = HISTORY_START; minute <= 0; minute++)
    {
      gint64 t = NOW + minute * MIN_USEC;
      g_autoptr(ScalerSnapshot) seen = minute < 0 ? scaler_snapshot_new (t) : NULL;
      ScalerSnapshot *target = seen ? seen : snapshot;

      for (guint k = 1; k <= busy + idle; k++)
        {
          g_autofree char *id = g_strdup_printf ("i-%u", k);
          g_autofree char *task = NULL;

          if (k <= busy && (task = history_task (k, busy, task_min, minute)) == NULL)
            continue;
          if (k > busy && minute < -idle_min)
            continue;
          add_ready_worker (target, id, "m5.large", task, 6);
        }
      scaler_snapshot_set_pending (target, "default", minute < 0 ? 0 : pending);
      if (seen != NULL)
        scaler_ledger_observe (ledger, config, seen, t, NULL);
    }
  return decide (config, snapshot, ledger, NULL);
}

static const ScalerAction *
find_for_instance (ScalerPlan *plan,
                   const char *instance_id)
{
  for (guint i = 0; i < plan->actions->len; i++)
    {
      const ScalerAction *action = g_ptr_array_index (plan->actions, i);

      if (g_strcmp0 (action->instance_id, instance_id) == 0)
        return action;
    }
  return NULL;
}

/* Nothing learned about the queue's arrivals yet: an idle worker goes at
 * the break-even time (2 x the 6 minutes a new instance needs to be
 * ready), before max_idle_time_min; "fixed" keeps it until then. */
static void
test_idle_break_even_without_history (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  ScalerIdlePolicy policies[] = { SCALER_IDLE_POLICY_ADAPTIVE, SCALER_IDLE_POLICY_FIXED };

  add_resource (config, "cpu", "default", "m5.large", 5, FALSE);
  g_assert_cmpint (config->idle_policy, ==, SCALER_IDLE_POLICY_ADAPTIVE);
  for (guint p = 0; p < G_N_ELEMENTS (policies); p++)
    for (guint m = 0; m < 3; m++)
      {
        double idle_min[] = { 11, 13, 16 };
        g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
        g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
        g_autoptr(ScalerPlan) plan = NULL;
        ScalerWorker *worker = add_ready_worker (snapshot, "i-1", "m5.large", NULL, 6);
        const ScalerAction *action;

        config->idle_policy = policies[p];
        scaler_ledger_set_idle_since (ledger, worker->id, NOW - (gint64) (idle_min[m] * MIN_USEC));
        scaler_snapshot_set_pending (snapshot, "default", 0);
        plan = decide (config, snapshot, ledger, NULL);
        if (idle_min[m] < 12 || (policies[p] == SCALER_IDLE_POLICY_FIXED && idle_min[m] < 15))
          {
            g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 0);
            continue;
          }
        g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 1);
        if (idle_min[m] < 15)
          {
            action = scaler_plan_find (plan, SCALER_REASON_IDLE_EARLY);
            g_assert_nonnull (action);
            g_assert_true (strstr (action->reason, "idle for 13.0 min, the break-even time") != NULL);
            g_assert_true (strstr (action->reason, "ready in 6.0 min") != NULL);
            g_assert_true (strstr (action->reason, "no arrival rate is learned yet for queue default") != NULL);
          }
        else
          {
            action = scaler_plan_find (plan, SCALER_REASON_IDLE);
            g_assert_nonnull (action);
            g_assert_true (strstr (action->reason, "max_idle_time_min is 15") != NULL);
          }
        g_assert_cmpstr (action->instance_id, ==, "i-1");
        g_assert_cmpstr (action->worker_id, ==, worker->id);
        g_assert_cmpstr (action->queue, ==, "default");
      }
}

/* 5 busy workers, 15-minute tasks, 20 tasks an hour: the queue needs a
 * 6th worker in 10.5 min on average (sooner than the 12-minute break-even:
 * kept, and said so), a 7th only in 26.2 min (terminated at once, with the
 * prediction in its reason). The adaptive rule learned both from the
 * ledger's observations. */
static void
test_idle_prediction_keeps_first_in_line (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  const ScalerAction *kept, *gone;
  double per_hour = 0;
  gint64 task = 0;

  add_resource (config, "cpu", "default", "m5.large", 10, FALSE);
  plan = decide_after_history (config, ledger, 5, 15, 2, 5, 0);
  g_assert_true (scaler_ledger_get_arrival_rate (ledger, "default", &per_hour, NULL));
  g_assert_cmpfloat_with_epsilon (per_hour, 20.0, 1e-6);
  g_assert_true (scaler_ledger_get_task_duration (ledger, "default", &task, NULL));
  g_assert_cmpint (task, ==, 15 * MIN_USEC);

  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 1);
  /* Same price and idle time: the line follows the worker ids. */
  kept = find_for_instance (plan, "i-6");
  g_assert_nonnull (kept);
  g_assert_cmpint (kept->kind, ==, SCALER_ACTION_NONE);
  g_assert_cmpint (kept->code, ==, SCALER_REASON_KEEP_IDLE);
  g_assert_true (strstr (kept->reason, "expected to need it in 10.5 min") != NULL);
  g_assert_true (strstr (kept->reason, "20.0 tasks/h arrive, 5 busy, tasks take 15.0 min") != NULL);
  g_assert_true (strstr (kept->reason, "break-even of 12.0 min") != NULL);
  g_assert_true (strstr (kept->reason, "max_idle_time_min (15) at the latest") != NULL);

  gone = find_for_instance (plan, "i-7");
  g_assert_nonnull (gone);
  g_assert_cmpint (gone->kind, ==, SCALER_ACTION_TERMINATE);
  g_assert_cmpint (gone->code, ==, SCALER_REASON_IDLE_EARLY);
  g_assert_true (strstr (gone->reason, "idle for 5.0 min") != NULL);
  g_assert_true (strstr (gone->reason, "expected to need it in 26.2 min") != NULL);
  g_assert_true (strstr (gone->reason, "after the break-even of 12.0 min") != NULL);
  g_assert_true (strstr (gone->reason, "a new instance is ready in 6.0 min") != NULL);
  g_assert_true (strstr (gone->reason, "cost more than booting one then") != NULL);
  for (guint k = 1; k <= 5; k++)
    {
      g_autofree char *id = g_strdup_printf ("i-%u", k);

      g_assert_null (find_for_instance (plan, id));
    }
}

/* The prediction keeps a worker at most max_idle_time_min. */
static void
test_idle_prediction_capped (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  const ScalerAction *action;

  add_resource (config, "cpu", "default", "m5.large", 10, FALSE);
  plan = decide_after_history (config, ledger, 5, 15, 1, 16, 0);
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 1);
  action = scaler_plan_find (plan, SCALER_REASON_IDLE);
  g_assert_nonnull (action);
  g_assert_cmpstr (action->instance_id, ==, "i-6");
  g_assert_true (strstr (action->reason, "max_idle_time_min is 15") != NULL);
  g_assert_null (scaler_plan_find (plan, SCALER_REASON_KEEP_IDLE));
}

/* A quiet queue (one busy worker, 4 tasks an hour): an idle worker is
 * needed in 30 min on average, after the 12-minute break-even; the rule
 * follows the prediction and lets it go at the first cycle that sees it
 * idle; "fixed" keeps it. */
static void
test_idle_quiet_queue (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  const double idle_min[] = { 0, 2 };

  add_resource (config, "cpu", "default", "m5.large", 10, FALSE);
  for (guint m = 0; m < G_N_ELEMENTS (idle_min); m++)
    {
      g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
      g_autoptr(ScalerPlan) plan = decide_after_history (config, ledger, 1, 15, 1, idle_min[m], 0);
      const ScalerAction *action = scaler_plan_find (plan, SCALER_REASON_IDLE_EARLY);

      g_assert_nonnull (action);
      g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 1);
      g_assert_cmpstr (action->instance_id, ==, "i-2");
      g_assert_true (strstr (action->reason, "expected to need it in 30.0 min") != NULL);
      g_assert_true (strstr (action->reason, "4.0 tasks/h arrive, 1 busy") != NULL);
      g_assert_null (scaler_plan_find (plan, SCALER_REASON_KEEP_IDLE));
    }

  config->idle_policy = SCALER_IDLE_POLICY_FIXED;
  {
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) plan = decide_after_history (config, ledger, 1, 15, 1, 10, 0);

    g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 0);
    g_assert_null (scaler_plan_find (plan, SCALER_REASON_KEEP_IDLE));
  }
}

/* Pending tasks keep idle workers whatever the rule says, and busy
 * workers are never terminated, even when every idle one goes. */
static void
test_idle_rule_spares_pending_and_busy (void)
{
  g_autoptr(ScalerConfig) config = make_config ();

  add_resource (config, "cpu", "default", "m5.large", 10, FALSE);
  {
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) plan = decide_after_history (config, ledger, 1, 15, 1, 5, 1);
    const ScalerAction *note = scaler_plan_find (plan, SCALER_REASON_KEEP_PENDING);

    g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 0);
    g_assert_nonnull (note);
    g_assert_cmpstr (note->instance_id, ==, "i-2");
    g_assert_true (strstr (note->reason, "1 pending task") != NULL);
  }
  {
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) plan = decide_after_history (config, ledger, 3, 15, 3, 5, 0);

    for (guint i = 0; i < plan->actions->len; i++)
      {
        const ScalerAction *action = g_ptr_array_index (plan->actions, i);

        if (action->kind == SCALER_ACTION_TERMINATE)
          g_assert_true (g_strcmp0 (action->instance_id, "i-4") == 0 || g_strcmp0 (action->instance_id, "i-5") == 0
                         || g_strcmp0 (action->instance_id, "i-6") == 0);
      }
    g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), >=, 1);
    g_assert_null (find_for_instance (plan, "i-1"));
    g_assert_null (find_for_instance (plan, "i-2"));
    g_assert_null (find_for_instance (plan, "i-3"));
  }
}

/* Workers of a dearer type stand last in line and go first. */
static void
test_idle_line_dearest_goes_first (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  ScalerWorker *cheap, *dear;

  add_resource (config, "cpu", "default", "m5.large", 10, FALSE);
  add_resource (config, "gpu", "default", "g4dn.xlarge", 10, FALSE);
  plan = decide_after_history (config, ledger, 5, 15, 0, 0, 0);
  g_clear_pointer (&plan, scaler_plan_free);

  for (guint k = 1; k <= 5; k++)
    {
      g_autofree char *id = g_strdup_printf ("i-%u", k);
      g_autofree char *task = history_task (k, 5, 15, 0);

      add_ready_worker (snapshot, id, "m5.large", task, 6);
    }
  cheap = add_ready_worker (snapshot, "i-cheap", "m5.large", NULL, 6);
  {
    ScalerInstance *instance = add_instance (snapshot, CONFIG_ID, "i-dear", "gpu", "g4dn.xlarge",
                                             SCALER_INSTANCE_STATE_RUNNING, 120);

    dear = add_worker (snapshot, "gpu", "g4dn.xlarge", "i-dear", NULL);
    dear->register_time = instance->launch_time + 6 * MIN_USEC;
  }
  scaler_ledger_set_idle_since (ledger, cheap->id, NOW - 5 * MIN_USEC);
  scaler_ledger_set_idle_since (ledger, dear->id, NOW - 2 * MIN_USEC);
  scaler_snapshot_set_pending (snapshot, "default", 0);
  plan = decide (config, snapshot, ledger, NULL);
  g_assert_cmpint (find_for_instance (plan, "i-cheap")->code, ==, SCALER_REASON_KEEP_IDLE);
  g_assert_cmpint (find_for_instance (plan, "i-dear")->code, ==, SCALER_REASON_IDLE_EARLY);
  g_assert_true (strstr (find_for_instance (plan, "i-dear")->reason, "(gpu)") != NULL);
}

/* ---- bursts ---- */

/* Every 30 minutes for 3 hours, 8 tasks of 10 minutes queued at once, taken
 * a minute later by workers i-1..i-8 (registered 6 min after launch, so
 * the break-even is 12 min), observed every minute; at NOW the last burst
 * has just ended and all 8 are seen idle. */
static ScalerPlan *
decide_after_bursts (ScalerConfig *config,
                     ScalerLedger *ledger)
{
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);

  for (gint minute = -180; minute <= 0; minute++)
    {
      gint64 t = NOW + minute * MIN_USEC;
      gint phase = ((minute + 11) % 30 + 30) % 30;   /* 0: the burst is queued */
      g_autoptr(ScalerSnapshot) seen = minute < 0 ? scaler_snapshot_new (t) : NULL;
      ScalerSnapshot *target = seen ? seen : snapshot;

      for (guint k = 1; k <= 8; k++)
        {
          g_autofree char *id = g_strdup_printf ("i-%u", k);
          g_autofree char *task = phase >= 1 && phase <= 10 ? g_strdup_printf ("b%d-%u", (minute + 11) / 30, k)
                                                            : NULL;

          add_ready_worker (target, id, "m5.large", task, 6);
        }
      scaler_snapshot_set_pending (target, "default", phase == 0 ? 8 : 0);
      if (seen != NULL)
        scaler_ledger_observe (ledger, config, seen, t, NULL);
    }
  return decide (config, snapshot, ledger, NULL);
}

/* Right after a burst the 30-minute rate says the queue needs its workers
 * within minutes, but tasks come in bursts (the arrivals' index of
 * dispersion is far above 1): the next burst is expected in about an hour,
 * after the break-even, so the idle workers go at once, saying why. */
static void
test_idle_after_burst (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
  g_autoptr(ScalerPlan) plan = NULL;
  const ScalerAction *gone;
  double index = 0;

  add_resource (config, "cpu", "default", "m5.large", 10, FALSE);
  plan = decide_after_bursts (config, ledger);
  g_assert_true (scaler_ledger_get_arrival_dispersion (ledger, "default", &index));
  g_assert_cmpfloat (index, >, 4.0);
  g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 8);
  g_assert_null (scaler_plan_find (plan, SCALER_REASON_KEEP_IDLE));
  gone = scaler_plan_find (plan, SCALER_REASON_IDLE_EARLY);
  g_assert_nonnull (gone);
  g_assert_true (strstr (gone->reason, "its tasks come in bursts of about ") != NULL);
  g_assert_true (strstr (gone->reason, "the next one in ") != NULL);
  g_assert_true (strstr (gone->reason, "after the break-even of 12.0 min") != NULL);

  /* "fixed" keeps them. */
  config->idle_policy = SCALER_IDLE_POLICY_FIXED;
  {
    g_autoptr(ScalerLedger) again = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) kept = decide_after_bursts (config, again);

    g_assert_cmpuint (scaler_plan_count (kept, SCALER_ACTION_TERMINATE), ==, 0);
  }
}

/* ---- short tasks: the staffing floor ---- */

/* A queue of 1-minute tasks: `busy` workers on i-1.. ran tasks back to back
 * for an hour before NOW, observed every minute (180 tasks an hour with 3
 * of them: 3 busy on average), registered ready_min after launch. At NOW:
 * the first now_busy of them still busy, then idle ones up to i-(n_idle +
 * now_busy), the first seen idle idle_min[k] minutes ago (0 = now). */
static ScalerPlan *
decide_short_tasks (ScalerConfig *config,
                    ScalerLedger *ledger,
                    double        ready_min,
                    guint         now_busy,
                    guint         n_idle,
                    const double *idle_min,
                    guint         pending)
{
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (NOW);

  for (gint minute = -60; minute < 0; minute++)
    {
      g_autoptr(ScalerSnapshot) seen = scaler_snapshot_new (NOW + minute * MIN_USEC);

      for (guint k = 1; k <= 3; k++)
        {
          g_autofree char *id = g_strdup_printf ("i-%u", k);
          g_autofree char *task = g_strdup_printf ("task-%u-%d", k, minute);

          add_ready_worker (seen, id, "m5.large", task, ready_min);
        }
      scaler_snapshot_set_pending (seen, "default", 0);
      scaler_ledger_observe (ledger, config, seen, NOW + minute * MIN_USEC, NULL);
    }
  for (guint k = 1; k <= now_busy + n_idle; k++)
    {
      g_autofree char *id = g_strdup_printf ("i-%u", k);
      g_autofree char *task = k <= now_busy ? g_strdup_printf ("task-%u-now", k) : NULL;
      ScalerWorker *worker = add_ready_worker (snapshot, id, "m5.large", task, ready_min);

      if (k > now_busy && idle_min[k - now_busy - 1] > 0)
        scaler_ledger_set_idle_since (ledger, worker->id, NOW - (gint64) (idle_min[k - now_busy - 1] * MIN_USEC));
    }
  scaler_snapshot_set_pending (snapshot, "default", pending);
  return decide (config, snapshot, ledger, NULL);
}

/* 3 tasks busy on average, tasks far shorter than a boot: the queue keeps
 * 6 workers, the fewest with which (M/M/c) at most 5 % of the tasks wait
 * longer than half a polling interval. A waiting task launches the ones
 * missing although busy workers would take it first; with nothing
 * waiting, nothing launches. */
static void
test_staffing_floor (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  const double idle_now[] = { 0 };

  add_resource (config, "cpu", "default", "m5.large", 20, FALSE);
  {
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) plan = decide_short_tasks (config, ledger, 6, 3, 1, idle_now, 1);
    const ScalerAction *note = scaler_plan_find (plan, SCALER_REASON_STAFFING);
    guint staffing = 0;

    g_assert_nonnull (note);
    g_assert_cmpint (note->kind, ==, SCALER_ACTION_NONE);
    g_assert_cmpstr (note->queue, ==, "default");
    /* 180 tasks an hour, and the one queued now. */
    g_assert_true (strstr (note->reason, "queue default keeps 6 worker(s) for its short tasks (181.2 tasks/h "
                                         "arrive over 3 h, 1.0 min each, 95 % of them shorter than 1.0 min, "
                                         "less than the 6.0 min a new instance needs)") != NULL);
    g_assert_true (strstr (note->reason, "more than 5 % of them would wait longer than 0.5 min") != NULL);
    g_assert_true (strstr (note->reason, "3 busy, 1 idle, 0 booting: 2 more") != NULL);
    g_assert_cmpuint (count_launches (plan, "cpu"), ==, 2);
    for (guint i = 0; i < plan->actions->len; i++)
      {
        const ScalerAction *action = g_ptr_array_index (plan->actions, i);

        if (action->kind == SCALER_ACTION_LAUNCH)
          {
            g_assert_cmpint (action->code, ==, SCALER_REASON_STAFFING);
            g_assert_true (strstr (action->reason, "keeps the queue's staffing floor") != NULL);
            staffing++;
          }
      }
    g_assert_cmpuint (staffing, ==, 2);
  }
  {
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) plan = decide_short_tasks (config, ledger, 6, 3, 1, idle_now, 0);

    g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
    g_assert_null (scaler_plan_find (plan, SCALER_REASON_STAFFING));
  }
  {
    /* Tasks as long as a boot (2 min to be ready): no floor. */
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) plan = decide_short_tasks (config, ledger, 1, 3, 1, idle_now, 1);

    g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
    g_assert_null (scaler_plan_find (plan, SCALER_REASON_STAFFING));
  }
}

/* An idle worker about to reach max_idle_time_min (idle 9 of 15 min, and a
 * new instance may need 6 min and a cycle) is replaced beforehand while the
 * queue is busy; one idle for 7 min is not yet; one seen idle at fewer
 * than 7 cycles is not either; with "fixed", none. */
static void
test_staffing_replaces_leaving (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  const double soon[] = { 0, 0, 9 };
  const double later[] = { 0, 0, 7 };

  add_resource (config, "cpu", "default", "m5.large", 20, FALSE);
  {
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) plan = decide_short_tasks (config, ledger, 6, 3, 3, soon, 0);
    const ScalerAction *note = scaler_plan_find (plan, SCALER_REASON_STAFFING);

    g_assert_nonnull (note);
    g_assert_true (strstr (note->reason, "3 busy, 3 idle, 0 booting, 1 of the idle ones about to reach "
                                         "max_idle_time_min: 1 more") != NULL);
    g_assert_cmpuint (count_launches (plan, "cpu"), ==, 1);
    g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 0);
  }
  {
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) plan = decide_short_tasks (config, ledger, 6, 3, 3, later, 0);

    g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
    g_assert_null (scaler_plan_find (plan, SCALER_REASON_STAFFING));
  }
  /* Polling every 2 min (the floor is 5 then): a worker counts as leaving
   * only once seen idle for 7 cycles, 14 min, not at 10 min although a
   * replacement may need 8. */
  config->polling_interval_time_min = 2;
  for (guint i = 0; i < 2; i++)
    {
      const double idle_min[2][2] = { { 0, 10 }, { 0, 14 } };
      g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
      g_autoptr(ScalerPlan) plan = decide_short_tasks (config, ledger, 6, 3, 2, idle_min[i], 0);
      const ScalerAction *note = scaler_plan_find (plan, SCALER_REASON_STAFFING);

      g_assert_cmpuint (count_launches (plan, NULL), ==, i);
      if (i == 0)
        g_assert_null (note);
      else
        g_assert_true (strstr (note->reason, "keeps 5 worker(s)") != NULL
                       && strstr (note->reason, "1 of the idle ones about to reach max_idle_time_min") != NULL);
    }
  config->polling_interval_time_min = 1;

  /* "fixed" counts its idle workers as they are. */
  config->idle_policy = SCALER_IDLE_POLICY_FIXED;
  {
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) plan = decide_short_tasks (config, ledger, 6, 3, 3, soon, 0);

    g_assert_cmpuint (count_launches (plan, NULL), ==, 0);
    g_assert_null (scaler_plan_find (plan, SCALER_REASON_STAFFING));
  }
}

/* With nothing busy (b = 4 min: ready in 2), the idle rule would let the
 * last idle workers go; the 6 the floor needs stay (and say so), the 7th
 * goes. "fixed" keeps all until max_idle_time_min. */
static void
test_idle_kept_for_staffing (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  const double idle[] = { 0, 0, 0, 0, 0, 0, 0 };

  add_resource (config, "cpu", "default", "m5.large", 20, FALSE);
  {
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) plan = decide_short_tasks (config, ledger, 2, 0, 7, idle, 0);
    const ScalerAction *kept = scaler_plan_find (plan, SCALER_REASON_KEEP_STAFFING);
    const ScalerAction *gone = scaler_plan_find (plan, SCALER_REASON_IDLE_EARLY);

    g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 1);
    g_assert_nonnull (gone);
    g_assert_nonnull (kept);
    g_assert_cmpint (kept->kind, ==, SCALER_ACTION_NONE);
    g_assert_cmpstr (kept->queue, ==, "default");
    g_assert_true (strstr (kept->reason, "queue default keeps 6 worker(s) for its short tasks") != NULL);
    g_assert_true (strstr (kept->reason, "max_idle_time_min (15) at the latest") != NULL);
    g_assert_cmpstr (gone->instance_id, !=, kept->instance_id);
  }
  config->idle_policy = SCALER_IDLE_POLICY_FIXED;
  {
    g_autoptr(ScalerLedger) ledger = scaler_ledger_new (CONFIG_ID);
    g_autoptr(ScalerPlan) plan = decide_short_tasks (config, ledger, 2, 0, 7, idle, 0);

    g_assert_cmpuint (scaler_plan_count (plan, SCALER_ACTION_TERMINATE), ==, 0);
    g_assert_null (scaler_plan_find (plan, SCALER_REASON_KEEP_STAFFING));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/policy/nothing-pending", test_nothing_pending);
  g_test_add_func ("/scaler/policy/scale-up-from-zero", test_scale_up_from_zero);
  g_test_add_func ("/scaler/policy/no-overshoot", test_no_overshoot);
  g_test_add_func ("/scaler/policy/idle-covers", test_idle_covers);
  g_test_add_func ("/scaler/policy/waiting-for-boot", test_waiting_for_boot);
  g_test_add_func ("/scaler/policy/max-reached", test_max_reached);
  g_test_add_func ("/scaler/policy/max-counts-launches-in-flight", test_max_counts_launches_in_flight);
  g_test_add_func ("/scaler/policy/budget", test_budget);
  g_test_add_func ("/scaler/policy/budget-spot-price", test_budget_uses_spot_price);
  g_test_add_func ("/scaler/policy/budget-unknown-price", test_budget_unknown_price);
  g_test_add_func ("/scaler/policy/idle-scale-down", test_idle_scale_down);
  g_test_add_func ("/scaler/policy/idle-since-first-seen", test_idle_since_first_seen);
  g_test_add_func ("/scaler/policy/busy-survives", test_busy_survives_terminate_idle_now);
  g_test_add_func ("/scaler/policy/idle-kept-while-pending", test_idle_kept_while_queue_pending);
  g_test_add_func ("/scaler/policy/boot-timeout", test_boot_timeout);
  g_test_add_func ("/scaler/policy/adopt-orphan", test_adopt_orphan);
  g_test_add_func ("/scaler/policy/never-touch-untagged", test_never_touch_untagged);
  g_test_add_func ("/scaler/policy/zombie-worker", test_zombie_worker);
  g_test_add_func ("/scaler/policy/capacity-backoff", test_capacity_backoff_zones_and_fallback);
  g_test_add_func ("/scaler/policy/backoff-exponential", test_backoff_is_exponential);
  g_test_add_func ("/scaler/policy/subnets", test_subnets_decide_placement);
  g_test_add_func ("/scaler/policy/throttle", test_throttle_slows_down);
  g_test_add_func ("/scaler/policy/retry-same-token", test_unanswered_launch_retried_with_same_token);
  g_test_add_func ("/scaler/policy/resolved-by-token", test_launch_resolved_by_token);
  g_test_add_func ("/scaler/policy/shared-budget", test_queues_in_config_order_share_budget);
  g_test_add_func ("/scaler/policy/scale-up-confirmation", test_scale_up_confirmation);
  g_test_add_func ("/scaler/policy/hold-back-distribution", test_hold_back_distribution);
  g_test_add_func ("/scaler/policy/balanced-rounds", test_balanced_rounds);
  g_test_add_func ("/scaler/policy/staffing-floor", test_staffing_floor);
  g_test_add_func ("/scaler/policy/staffing-replaces-leaving", test_staffing_replaces_leaving);
  g_test_add_func ("/scaler/policy/idle-kept-for-staffing", test_idle_kept_for_staffing);
  g_test_add_func ("/scaler/policy/idle-after-burst", test_idle_after_burst);
  g_test_add_func ("/scaler/policy/idle-break-even", test_idle_break_even_without_history);
  g_test_add_func ("/scaler/policy/idle-prediction-line", test_idle_prediction_keeps_first_in_line);
  g_test_add_func ("/scaler/policy/idle-prediction-capped", test_idle_prediction_capped);
  g_test_add_func ("/scaler/policy/idle-quiet-queue", test_idle_quiet_queue);
  g_test_add_func ("/scaler/policy/idle-spares-pending-busy", test_idle_rule_spares_pending_and_busy);
  g_test_add_func ("/scaler/policy/idle-line-dearest-first", test_idle_line_dearest_goes_first);

  return g_test_run ();
}
