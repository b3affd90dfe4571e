/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-cycle.c: one scaling cycle (see scaler-cycle.h). */

#define G_LOG_DOMAIN "scaler-cycle"

#include "config.h"

#include <string.h>

#include "scaler-aws-error.h"
#include "scaler-cycle.h"
#include "scaler-util.h"


/* ---- ScalerCycleResult ---- */

static void
instance_row_free (ScalerInstanceRow *row)
{
  g_free (row->instance_id);
  g_free (row->resource);
  g_free (row->instance_type);
  g_free (row->availability_zone);
  g_free (row->worker_id);
  g_free (row->task_id);
  g_free (row->task_name);
  g_free (row);
}

static void
resource_row_free (ScalerResourceRow *row)
{
  g_free (row->resource);
  g_free (row->queue);
  g_free (row->instance_type);
  g_free (row->backoff_reason);
  g_free (row);
}

static void
queue_row_free (ScalerQueueRow *row)
{
  g_free (row->queue);
  g_free (row);
}

static void
log_line_free (ScalerLogLine *line)
{
  g_free (line->text);
  g_free (line);
}

ScalerCycleResult *
scaler_cycle_result_new (gint64 time,
                         guint  cycle)
{
  ScalerCycleResult *self = g_new0 (ScalerCycleResult, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->time = time;
  self->cycle = cycle;
  self->ok = TRUE;
  self->instances = g_ptr_array_new_with_free_func ((GDestroyNotify) instance_row_free);
  self->resources = g_ptr_array_new_with_free_func ((GDestroyNotify) resource_row_free);
  self->queues = g_ptr_array_new_with_free_func ((GDestroyNotify) queue_row_free);
  self->actions = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_action_free);
  self->log_lines = g_ptr_array_new_with_free_func ((GDestroyNotify) log_line_free);
  return self;
}

G_DEFINE_BOXED_TYPE (ScalerCycleResult, scaler_cycle_result, scaler_cycle_result_ref, scaler_cycle_result_unref)

ScalerCycleResult *
scaler_cycle_result_ref (ScalerCycleResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
scaler_cycle_result_unref (ScalerCycleResult *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->error_message);
  g_ptr_array_unref (self->instances);
  g_ptr_array_unref (self->resources);
  g_ptr_array_unref (self->queues);
  g_ptr_array_unref (self->actions);
  g_ptr_array_unref (self->log_lines);
  g_free (self);
}

const char *
scaler_log_level_to_string (ScalerLogLevel level)
{
  switch (level)
    {
    case SCALER_LOG_LEVEL_DEBUG: return "DEBUG";
    case SCALER_LOG_LEVEL_INFO: return "INFO";
    case SCALER_LOG_LEVEL_WARNING: return "WARNING";
    case SCALER_LOG_LEVEL_ERROR: return "ERROR";
    default: return "INFO";
    }
}

const char *
scaler_worker_state_to_string (ScalerWorkerState state)
{
  switch (state)
    {
    case SCALER_WORKER_STATE_NONE: return "booting";
    case SCALER_WORKER_STATE_IDLE: return "idle";
    case SCALER_WORKER_STATE_BUSY: return "busy";
    default: return "unknown";
    }
}

/* ---- helpers ---- */

typedef struct
{
  ScalerCycleContext *ctx;
  ScalerCycleResult  *result;
  GCancellable       *cancellable;
  gboolean            throttled;
  gint64              now;
} Run;

static gint64
ctx_now (ScalerCycleContext *ctx)
{
  return ctx->now_func ? ctx->now_func (ctx->now_data) : g_get_real_time ();
}

static void
cycle_log (Run            *run,
      ScalerLogLevel  level,
      const char     *format,
      ...) G_GNUC_PRINTF (3, 4);

static void
cycle_log (Run            *run,
      ScalerLogLevel  level,
      const char     *format,
      ...)
{
  ScalerLogLine *line = g_new0 (ScalerLogLine, 1);
  va_list args;

  va_start (args, format);
  line->text = g_strdup_vprintf (format, args);
  va_end (args);
  line->level = level;
  line->time = ctx_now (run->ctx);
  g_ptr_array_add (run->result->log_lines, line);
}

static void
save_ledger (Run *run)
{
  g_autoptr(GError) error = NULL;

  if (run->ctx->ledger_path == NULL)
    return;
  if (!scaler_ledger_save (run->ctx->ledger, run->ctx->ledger_path, &error))
    cycle_log (run, SCALER_LOG_LEVEL_ERROR, "Could not save the ledger: %s", error->message);
}

/* Saving BEFORE RunInstances is what makes a crash safe: refuse to launch
 * when it fails. */
static gboolean
save_ledger_strict (Run     *run,
                    GError **error)
{
  if (run->ctx->ledger_path == NULL)
    return TRUE;
  return scaler_ledger_save (run->ctx->ledger, run->ctx->ledger_path, error);
}

static gboolean
is_throttle (const GError *error)
{
  return g_error_matches (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_THROTTLED);
}

static void
note_error (Run          *run,
            const GError *error)
{
  if (is_throttle (error))
    run->throttled = TRUE;
}

char *
scaler_cycle_new_client_token (const ScalerConfig *config)
{
  g_autofree char *uuid = g_uuid_string_random ();

  /* "ecas-" + 8 chars of the config id + a random UUID: 49 chars. */
  return g_strdup_printf ("ecas-%.8s-%s", config->id, uuid);
}

/* Spot prices are fetched again after this long (DescribeSpotPriceHistory
 * is not needed every cycle). */
#define SPOT_PRICE_TTL (10 * SCALER_USEC_PER_MIN)

/* The spot instance types whose cached price is missing or old. */
static GStrv
spot_types_to_refresh (const ScalerConfig *config,
                       const ScalerLedger *ledger,
                       gint64              now)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < config->resources->len; i++)
    {
      const ScalerResource *resource = g_ptr_array_index (config->resources, i);
      gint64 fetched = 0;

      if (!resource->is_spot || !g_hash_table_add (seen, resource->instance_type))
        continue;
      if (scaler_ledger_get_spot_price (ledger, resource->instance_type, NULL, NULL, &fetched)
          && now - fetched < SPOT_PRICE_TTL && fetched <= now)
        continue;
      g_strv_builder_add (builder, resource->instance_type);
    }
  return g_strv_builder_end (builder);
}

static ScalerSnapshot *
take_snapshot (Run     *run,
               GError **error)
{
  ScalerCycleContext *ctx = run->ctx;
  g_autoptr(ScalerSnapshot) snapshot = scaler_snapshot_new (run->now);
  g_autoptr(GPtrArray) instances = NULL;
  g_autoptr(GPtrArray) workers = NULL;
  g_auto(GStrv) queues = scaler_config_dup_queues (ctx->config);
  g_auto(GStrv) types = spot_types_to_refresh (ctx->config, ctx->ledger, run->now);
  g_autofree guint *counts = g_new0 (guint, g_strv_length (queues) + 1);
  g_autoptr(GError) local_error = NULL;

  instances = scaler_cloud_list_instances (ctx->cloud, ctx->config->id, run->cancellable, error);
  if (instances == NULL)
    {
      if (error && *error)
        note_error (run, *error);
      g_prefix_error (error, "Could not list the fleet (DescribeInstances): ");
      return NULL;
    }
  for (guint i = 0; i < instances->len; i++)
    scaler_snapshot_add_instance (snapshot, scaler_instance_copy (g_ptr_array_index (instances, i)));

  workers = scaler_queue_source_list_workers (ctx->queues, ctx->config->workers_prefix, run->cancellable, error);
  if (workers == NULL)
    {
      g_prefix_error (error, "Could not list the ClearML workers: ");
      return NULL;
    }
  for (guint i = 0; i < workers->len; i++)
    scaler_snapshot_add_worker (snapshot, scaler_worker_copy (g_ptr_array_index (workers, i)));

  if (queues[0] != NULL
      && !scaler_queue_source_get_pending (ctx->queues, (const char * const *) queues, counts,
                                           run->cancellable, error))
    {
      g_prefix_error (error, "Could not read the ClearML queues: ");
      return NULL;
    }
  for (guint i = 0; queues[i] != NULL; i++)
    scaler_snapshot_set_pending (snapshot, queues[i], counts[i]);

  if (types[0] != NULL)
    {
      g_autoptr(GPtrArray) prices = scaler_cloud_get_spot_prices (ctx->cloud, (const char * const *) types,
                                                                  run->cancellable, &local_error);

      if (prices == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          note_error (run, local_error);
          cycle_log (run, SCALER_LOG_LEVEL_WARNING,
                "Could not refresh spot prices (using the cached ones, or on-demand prices): %s",
                local_error->message);
        }
      else
        g_ptr_array_extend_and_steal (snapshot->spot_prices, g_steal_pointer (&prices));
    }

  return g_steal_pointer (&snapshot);
}

/* ---- instances EC2 terminated itself while they started ---- */

#define TERMINATED_VISIBLE (60 * SCALER_USEC_PER_MIN)

/* stateReason codes of an instance that EC2 terminated during its launch
 * (botocore service-2.json, StateReason.Message). */
static const struct
{
  const char *code;
  const char *what;
} launch_failures[] = {
  { "Server.InsufficientInstanceCapacity", "not enough capacity for the launch" },
  { "Server.InternalError", "an internal error during the launch" },
  { "Client.VolumeLimitExceeded", "the account's limit on EBS volumes or storage" },
  { "Client.InternalError", "a client error during the launch, often a KMS key the instance may not use" },
  { "Client.InvalidSnapshot.NotFound", "a snapshot of the AMI was not found" },
  { "Server.SpotInstanceTermination", "spot capacity taken back before the instance was up" },
};

/* What EC2 says went wrong, or NULL when @instance was not terminated by
 * EC2 during its launch. A spot interruption counts only while booting. */
static const char *
launch_failure (Run                  *run,
                const ScalerInstance *instance)
{
  gint64 boot = (gint64) (run->ctx->config->max_spin_up_time_min * SCALER_USEC_PER_MIN);

  if (instance->state_reason == NULL ||
      (instance->state != SCALER_INSTANCE_STATE_SHUTTING_DOWN && instance->state != SCALER_INSTANCE_STATE_TERMINATED))
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (launch_failures); i++)
    if (strcmp (instance->state_reason, launch_failures[i].code) == 0)
      {
        if (strcmp (launch_failures[i].code, "Server.SpotInstanceTermination") == 0 &&
            (instance->launch_time <= 0 || run->now - instance->launch_time > boot))
          return NULL;
        return launch_failures[i].what;
      }
  return NULL;
}

static ScalerLedgerLaunch *
launch_of (ScalerLedger         *ledger,
           const ScalerInstance *instance)
{
  g_autoptr(GPtrArray) launches = scaler_ledger_list_launches (ledger);

  for (guint i = 0; i < launches->len; i++)
    {
      ScalerLedgerLaunch *launch = g_ptr_array_index (launches, i);

      if (g_strcmp0 (launch->instance_id, instance->instance_id) == 0 ||
          (instance->client_token != NULL && g_strcmp0 (launch->client_token, instance->client_token) == 0))
        return launch;
    }
  return NULL;
}

/* Logs an instance EC2 terminated while it started and backs off its
 * (resource, subnet or zone, market), so that the next launch goes
 * elsewhere instead of into the same silent launch/terminate loop. */
static void
note_launch_failure (Run                  *run,
                     const ScalerInstance *instance,
                     const char           *what)
{
  ScalerCycleContext *ctx = run->ctx;
  const ScalerLedgerInstance *known = scaler_ledger_get_instance (ctx->ledger, instance->instance_id);
  ScalerLedgerLaunch *launch = launch_of (ctx->ledger, instance);
  const char *name = instance->resource ? instance->resource : known ? known->resource : launch ? launch->resource : NULL;
  const ScalerResource *resource = name ? scaler_config_find_resource (ctx->config, name) : NULL;
  const char *key = NULL;
  const ScalerLedgerBackoff *backoff = NULL;
  g_autofree char *reason = g_strdup_printf ("EC2 terminated %s at launch: %s", instance->instance_id,
                                             instance->state_reason);

  if (resource != NULL && resource->subnet_ids != NULL && resource->subnet_ids[0] != NULL)
    key = instance->subnet_id ? instance->subnet_id
        : known && known->subnet_id ? known->subnet_id : launch ? launch->subnet_id : NULL;
  else if (resource != NULL && resource->availability_zones != NULL && resource->availability_zones[0] != NULL)
    key = instance->availability_zone;
  if (resource != NULL && (key != NULL || resource->subnet_ids == NULL || resource->subnet_ids[0] == NULL))
    {
      scaler_ledger_record_failure (ctx->ledger, ctx->config, resource->name, key, instance->is_spot, run->now, reason);
      backoff = scaler_ledger_get_backoff (ctx->ledger, resource->name, key, instance->is_spot);
    }
  cycle_log (run, SCALER_LOG_LEVEL_WARNING,
             "EC2 terminated %s (%s, %s%s%s) while it was starting: %s (%s)%s%.1f min",
             instance->instance_id, name ? name : "unknown resource", instance->is_spot ? "spot" : "on-demand",
             key ? " in " : "", key ? key : "", instance->state_reason, what,
             backoff ? "; this placement backs off for " : "; not backed off: its placement is unknown, ",
             backoff ? (double) (backoff->until - run->now) / SCALER_USEC_PER_MIN : 0.0);
  if (launch != NULL)
    scaler_ledger_remove_launch (ctx->ledger, launch->client_token);
  scaler_ledger_mark_gone (ctx->ledger, instance->instance_id, run->now);
}

/* Ids EC2 should know but the snapshot lacks: launches answered but not
 * listed, and instances of the ledger that vanished since the last cycle
 * without us terminating them. */
static GStrv
ids_to_describe (Run            *run,
                 ScalerSnapshot *snapshot)
{
  ScalerLedger *ledger = run->ctx->ledger;
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) launches = scaler_ledger_list_launches (ledger);
  g_autoptr(GPtrArray) known = scaler_ledger_list_instances (ledger);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (snapshot->instances, i);

      g_hash_table_add (listed, instance->instance_id);
      if (instance->client_token != NULL)
        g_hash_table_add (listed, instance->client_token);
    }
  for (guint i = 0; i < launches->len; i++)
    {
      ScalerLedgerLaunch *launch = g_ptr_array_index (launches, i);

      if (launch->instance_id != NULL && !g_hash_table_contains (listed, launch->instance_id) &&
          !g_hash_table_contains (listed, launch->client_token))
        g_strv_builder_add (builder, launch->instance_id);
    }
  for (guint i = 0; i < known->len; i++)
    {
      const ScalerLedgerInstance *instance = g_ptr_array_index (known, i);

      /* EC2 lists a terminated instance for about an hour. */
      if (instance->gone_since == 0 && run->now - instance->last_seen < TERMINATED_VISIBLE &&
          !g_hash_table_contains (listed, instance->instance_id))
        g_strv_builder_add (builder, instance->instance_id);
    }
  return g_strv_builder_end (builder);
}

static void
check_launch_failures (Run            *run,
                       ScalerSnapshot *snapshot)
{
  g_auto(GStrv) ids = ids_to_describe (run, snapshot);
  g_autoptr(GPtrArray) described = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < snapshot->instances->len; i++)
    {
      const ScalerInstance *instance = g_ptr_array_index (snapshot->instances, i);
      const ScalerLedgerInstance *known = scaler_ledger_get_instance (run->ctx->ledger, instance->instance_id);
      const char *what = launch_failure (run, instance);

      if (what != NULL && (known == NULL || known->gone_since == 0))
        note_launch_failure (run, instance, what);
    }
  if (ids[0] == NULL)
    return;
  described = scaler_cloud_describe_instances (run->ctx->cloud, (const char * const *) ids, run->cancellable, &error);
  if (described == NULL)
    {
      note_error (run, error);
      cycle_log (run, SCALER_LOG_LEVEL_DEBUG, "Could not describe %u missing instance(s): %s",
                 g_strv_length (ids), error->message);
      return;
    }
  for (guint i = 0; i < described->len; i++)
    {
      const ScalerInstance *instance = g_ptr_array_index (described, i);
      const char *what = launch_failure (run, instance);

      if (what != NULL)
        note_launch_failure (run, instance, what);
    }
}

static ScalerLogLevel
note_level (const ScalerAction *action)
{
  switch (action->code)
    {
    case SCALER_REASON_NOTHING_PENDING:
    case SCALER_REASON_COVERED:
    case SCALER_REASON_FOREIGN:
    case SCALER_REASON_KEEP_IDLE:
    case SCALER_REASON_KEEP_STAFFING:
      return SCALER_LOG_LEVEL_DEBUG;
    case SCALER_REASON_BUDGET:
    case SCALER_REASON_NO_PRICE:
    case SCALER_REASON_BACKING_OFF:
    case SCALER_REASON_THROTTLED:
    case SCALER_REASON_NO_RESOURCE:
      return SCALER_LOG_LEVEL_WARNING;
    case SCALER_REASON_NEED:
    case SCALER_REASON_RETRY_LAUNCH:
    case SCALER_REASON_IDLE:
    case SCALER_REASON_IDLE_EARLY:
    case SCALER_REASON_BOOT_TIMEOUT:
    case SCALER_REASON_USER:
    case SCALER_REASON_ZOMBIE:
    case SCALER_REASON_NOT_NEEDED:
    case SCALER_REASON_WAITING_BOOT:
    case SCALER_REASON_MAX_REACHED:
    case SCALER_REASON_KEEP_BUSY:
    case SCALER_REASON_KEEP_PENDING:
    case SCALER_REASON_ADOPTED:
    case SCALER_REASON_WAITING_CONFIRM:
    case SCALER_REASON_STAFFING:
    case SCALER_REASON_BALANCED_ROUNDS:
    default:
      return SCALER_LOG_LEVEL_INFO;
    }
}

static void
record_action (Run                *run,
               const ScalerAction *action,
               const char         *instance_id)
{
  ScalerAction *copy = scaler_action_copy (action);

  if (instance_id != NULL && copy->instance_id == NULL)
    copy->instance_id = g_strdup (instance_id);
  g_ptr_array_add (run->result->actions, copy);
}

static void
log_console (Run        *run,
             const char *instance_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *output = scaler_cloud_get_console_output (run->ctx->cloud, instance_id,
                                                             run->cancellable, &error);
  g_auto(GStrv) lines = NULL;
  guint n, first;

  if (output == NULL)
    {
      note_error (run, error);
      cycle_log (run, SCALER_LOG_LEVEL_WARNING, "%s: no console output (%s)", instance_id, error->message);
      return;
    }
  lines = g_strsplit (output, "\n", -1);
  n = g_strv_length (lines);
  while (n > 0 && lines[n - 1][0] == '\0')
    n--;
  if (n == 0)
    {
      cycle_log (run, SCALER_LOG_LEVEL_WARNING, "%s: the console output is empty", instance_id);
      return;
    }
  first = n > 20 ? n - 20 : 0;
  for (guint i = first; i < n; i++)
    cycle_log (run, SCALER_LOG_LEVEL_WARNING, "%s console: %s", instance_id, lines[i]);
}

static gboolean
terminate_one (Run        *run,
               const char *instance_id,
               const char *worker_id,
               const char *why)
{
  g_autoptr(GError) error = NULL;
  const char *ids[] = { instance_id, NULL };

  if (!scaler_cloud_terminate (run->ctx->cloud, ids, run->cancellable, &error))
    {
      note_error (run, error);
      /* NOT_FOUND here: launched moments ago and not visible to EC2 yet; the
       * instance is kept (not gone, worker kept) and terminated again later. */
      cycle_log (run, g_error_matches (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_NOT_FOUND)
                      ? SCALER_LOG_LEVEL_WARNING : SCALER_LOG_LEVEL_ERROR,
                 "Could not terminate %s (%s): %s", instance_id, why, error->message);
      return FALSE;
    }
  scaler_ledger_mark_gone (run->ctx->ledger, instance_id, run->now);
  run->result->terminated++;
  if (worker_id != NULL)
    {
      g_clear_error (&error);
      /* No zombie worker left behind (clearml#1201). */
      if (!scaler_queue_source_unregister_worker (run->ctx->queues, worker_id, run->cancellable, &error))
        cycle_log (run, SCALER_LOG_LEVEL_WARNING, "Could not unregister worker %s: %s", worker_id, error->message);
    }
  return TRUE;
}

/* The back-off keys of a resource's placements: its subnets, else its
 * zones, else the default placement (NULL). */
static GPtrArray *
placement_keys (const ScalerResource *resource)
{
  GPtrArray *keys = g_ptr_array_new ();
  GStrv list = resource->subnet_ids != NULL && resource->subnet_ids[0] != NULL
               ? resource->subnet_ids : resource->availability_zones;

  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    g_ptr_array_add (keys, list[i]);
  if (keys->len == 0)
    g_ptr_array_add (keys, NULL);
  return keys;
}

/* A quota (VcpuLimitExceeded, InstanceLimitExceeded,
 * MaxSpotInstanceCountExceeded, ...) holds for the whole region and market:
 * back off every placement of the resource in that market at once, instead
 * of spending one failing RunInstances per zone. */
static void
back_off_market (Run                  *run,
                 const ScalerResource *resource,
                 gboolean              spot,
                 const GError         *error,
                 GHashTable           *failed_places)
{
  ScalerCycleContext *ctx = run->ctx;
  g_autoptr(GPtrArray) keys = placement_keys (resource);
  const ScalerLedgerBackoff *backoff = NULL;

  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);

      scaler_ledger_record_failure (ctx->ledger, ctx->config, resource->name, key, spot, run->now,
                                    scaler_aws_error_get_aws_code (error));
      backoff = scaler_ledger_get_backoff (ctx->ledger, resource->name, key, spot);
      g_hash_table_add (failed_places, g_strdup_printf ("%s|%s|%d", resource->name, key ? key : "", spot));
    }
  cycle_log (run, SCALER_LOG_LEVEL_WARNING,
             "Launch of %s (%s) failed: %s; this is an account quota of the region, so every zone of this "
             "market backs off for %.1f min (failure %u)%s",
             resource->name, spot ? "spot" : "on-demand", error->message,
             backoff ? (double) (backoff->until - run->now) / SCALER_USEC_PER_MIN : 0.0,
             backoff ? backoff->failures : 0,
             spot && resource->spot_fallback_on_demand ? "; the next cycle tries on-demand" : "");
}

/* One launch of the plan, from its checks to its answer. */
typedef struct
{
  Run                  *run;
  const ScalerAction   *action;
  const ScalerResource *resource;
  const char           *zone_key;      /* the subnet or the zone; NULL = default */
  char                 *place_key;     /* "resource|zone|spot", for failed_places */
  char                 *token;         /* the ClientToken */
  GHashTable           *failed_places;
} LaunchAttempt;

static void
launch_attempt_clear (LaunchAttempt *attempt)
{
  g_clear_pointer (&attempt->place_key, g_free);
  g_clear_pointer (&attempt->token, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LaunchAttempt, launch_attempt_clear)

/* No other launch goes to this place this cycle. */
static void
launch_place_failed (LaunchAttempt *attempt)
{
  g_hash_table_add (attempt->failed_places, g_steal_pointer (&attempt->place_key));
}

/* 1. The ClientToken goes to disk BEFORE RunInstances is sent: the
 * action's own (a retry) or a new one. */
static gboolean
launch_reserve_token (LaunchAttempt *attempt)
{
  Run *run = attempt->run;
  const ScalerAction *action = attempt->action;
  ScalerLedger *ledger = run->ctx->ledger;
  ScalerLedgerLaunch *launch = action->client_token ? scaler_ledger_get_launch (ledger, action->client_token) : NULL;
  g_autoptr(GError) error = NULL;

  if (launch == NULL)
    {
      launch = scaler_ledger_launch_new ();
      launch->client_token = action->client_token ? g_strdup (action->client_token)
                                                  : scaler_cycle_new_client_token (run->ctx->config);
      launch->resource = g_strdup (attempt->resource->name);
      launch->instance_type = g_strdup (attempt->resource->instance_type);
      launch->availability_zone = g_strdup (action->availability_zone);
      launch->subnet_id = g_strdup (action->subnet_id);
      launch->spot = action->spot;
      launch->created = run->now;
      launch->usd_per_hour = action->usd_per_hour;
      scaler_ledger_add_launch (ledger, launch);
    }
  launch->attempts++;
  launch->last_attempt = run->now;
  attempt->token = g_strdup (launch->client_token);
  if (save_ledger_strict (run, &error))
    return TRUE;
  cycle_log (run, SCALER_LOG_LEVEL_ERROR, "Not launching %s: the ledger could not be saved first (%s)",
             attempt->resource->name, error->message);
  scaler_ledger_remove_launch (ledger, attempt->token);
  launch_place_failed (attempt);
  return FALSE;
}

/* 2. RunInstances. */
static ScalerInstance *
launch_run_instances (LaunchAttempt  *attempt,
                      const char     *user_data,
                      GError        **error)
{
  const ScalerAction *action = attempt->action;
  ScalerLaunchSpec spec = { 0 };

  spec.config = attempt->run->ctx->config;
  spec.resource = attempt->resource;
  spec.availability_zone = action->subnet_id ? NULL : action->availability_zone;
  spec.subnet_id = action->subnet_id;
  spec.spot = action->spot;
  spec.client_token = attempt->token;
  spec.user_data = user_data;
  return scaler_cloud_launch (attempt->run->ctx->cloud, &spec, attempt->run->cancellable, error);
}

static void
launch_succeeded (LaunchAttempt        *attempt,
                  const ScalerInstance *instance)
{
  Run *run = attempt->run;
  const ScalerAction *action = attempt->action;
  const ScalerResource *resource = attempt->resource;
  ScalerLedgerLaunch *launch = scaler_ledger_get_launch (run->ctx->ledger, attempt->token);

  if (launch != NULL)
    launch->instance_id = g_strdup (instance->instance_id);
  scaler_ledger_record_success (run->ctx->ledger, resource->name, attempt->zone_key, action->spot);
  run->result->launched++;
  record_action (run, action, instance->instance_id);
  cycle_log (run, SCALER_LOG_LEVEL_INFO, "Launched %s: %s (%s, %s%s%s, client token %s)",
             instance->instance_id, resource->name, resource->instance_type,
             action->spot ? "spot" : "on-demand",
             instance->availability_zone ? " in " : "",
             instance->availability_zone ? instance->availability_zone : "", attempt->token);
  save_ledger (run);
}

/* No capacity for this zone and market: back it off; the next cycle tries
 * the next zone (or on-demand). */
static void
launch_no_capacity (LaunchAttempt *attempt,
                    const GError  *error)
{
  Run *run = attempt->run;
  ScalerCycleContext *ctx = run->ctx;
  const ScalerAction *action = attempt->action;
  const ScalerResource *resource = attempt->resource;
  const char *zone_key = attempt->zone_key;
  const ScalerLedgerBackoff *backoff;

  scaler_ledger_remove_launch (ctx->ledger, attempt->token);
  scaler_ledger_record_failure (ctx->ledger, ctx->config, resource->name, zone_key, action->spot,
                                run->now, scaler_aws_error_get_aws_code (error));
  backoff = scaler_ledger_get_backoff (ctx->ledger, resource->name, zone_key, action->spot);
  cycle_log (run, SCALER_LOG_LEVEL_WARNING,
             "Launch of %s (%s%s%s) failed: %s; backing off this zone and market for %.1f min "
             "(failure %u), the next cycle tries the next zone%s",
             resource->name, action->spot ? "spot" : "on-demand",
             zone_key ? " in " : "", zone_key ? zone_key : "", error->message,
             backoff ? (double) (backoff->until - run->now) / SCALER_USEC_PER_MIN : 0.0,
             backoff ? backoff->failures : 0,
             action->spot && resource->spot_fallback_on_demand ? " or on-demand" : "");
  launch_place_failed (attempt);
}

/* 3. The error, by class: quota, capacity, unknown outcome, throttling,
 * anything else. */
static void
launch_failed (LaunchAttempt *attempt,
               const GError  *error)
{
  Run *run = attempt->run;
  ScalerCycleContext *ctx = run->ctx;
  const char *name = attempt->resource->name;

  note_error (run, error);
  if (g_error_matches (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_QUOTA))
    {
      scaler_ledger_remove_launch (ctx->ledger, attempt->token);
      back_off_market (run, attempt->resource, attempt->action->spot, error, attempt->failed_places);
    }
  else if (g_error_matches (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_CAPACITY))
    launch_no_capacity (attempt, error);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
           || g_error_matches (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_NETWORK)
           || g_error_matches (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_SERVER))
    {
      /* Unknown outcome: keep the token; the next cycle finds the instance
       * by its token or retries with the same token. */
      cycle_log (run, SCALER_LOG_LEVEL_WARNING,
                 "Launch of %s got no answer (%s); kept client token %s to find or retry it next cycle",
                 name, error->message, attempt->token);
      save_ledger (run);
    }
  else if (is_throttle (error))
    {
      scaler_ledger_remove_launch (ctx->ledger, attempt->token);
      cycle_log (run, SCALER_LOG_LEVEL_WARNING, "Launch of %s throttled by AWS (%s); slowing down",
                 name, error->message);
    }
  else
    {
      scaler_ledger_remove_launch (ctx->ledger, attempt->token);
      scaler_ledger_record_failure (ctx->ledger, ctx->config, name, attempt->zone_key, attempt->action->spot,
                                    run->now, error->message);
      cycle_log (run, SCALER_LOG_LEVEL_ERROR, "Launch of %s failed: %s (not retried before the back-off ends)",
                 name, error->message);
      launch_place_failed (attempt);
    }
}

/* Whether the launch may go ahead: its resource is configured, its place
 * did not just fail, its user-data could be built (into @user_data). */
static gboolean
launch_check (LaunchAttempt  *attempt,
              char          **user_data)
{
  Run *run = attempt->run;
  ScalerCycleContext *ctx = run->ctx;
  const ScalerAction *action = attempt->action;
  const ScalerResource *resource = attempt->resource;
  g_autoptr(GError) error = NULL;

  if (resource == NULL)
    {
      cycle_log (run, SCALER_LOG_LEVEL_ERROR, "Not launching: resource %s is not in the configuration",
                 action->resource);
      scaler_ledger_remove_launch (ctx->ledger, action->client_token);
      return FALSE;
    }
  attempt->place_key = g_strdup_printf ("%s|%s|%d", resource->name, attempt->zone_key ? attempt->zone_key : "",
                                        action->spot);
  if (g_hash_table_contains (attempt->failed_places, attempt->place_key))
    {
      cycle_log (run, SCALER_LOG_LEVEL_INFO,
                 "Not launching another %s in %s this cycle: it just failed there; the next cycle moves on",
                 resource->name, attempt->zone_key ? attempt->zone_key : "the default placement");
      return FALSE;
    }
  if (ctx->user_data_func == NULL)
    return TRUE;
  *user_data = ctx->user_data_func (ctx->config, resource, ctx->user_data_data, &error);
  if (*user_data != NULL || error == NULL)
    return TRUE;
  cycle_log (run, SCALER_LOG_LEVEL_ERROR, "Not launching %s: could not build its user-data: %s",
             resource->name, error->message);
  launch_place_failed (attempt);
  return FALSE;
}

static void
execute_launch (Run                *run,
                const ScalerAction *action,
                GHashTable         *failed_places)
{
  g_auto(LaunchAttempt) attempt = { 0 };
  g_autofree char *user_data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerInstance) instance = NULL;

  attempt.run = run;
  attempt.action = action;
  attempt.resource = scaler_config_find_resource (run->ctx->config, action->resource);
  attempt.zone_key = action->subnet_id ? action->subnet_id : action->availability_zone;
  attempt.failed_places = failed_places;

  if (!launch_check (&attempt, &user_data) || !launch_reserve_token (&attempt))
    return;
  instance = launch_run_instances (&attempt, user_data, &error);
  if (instance != NULL)
    launch_succeeded (&attempt, instance);
  else
    launch_failed (&attempt, error);
}

/* An idle worker's instance: re-checked right before it is terminated. */
static gboolean
is_idle_termination (const ScalerAction *action)
{
  return action->code == SCALER_REASON_IDLE || action->code == SCALER_REASON_IDLE_EARLY;
}

/* TRUE when @instance is tagged for this autoscaler. */
static gboolean
is_own_instance (Run                  *run,
                 const ScalerInstance *instance)
{
  return g_strcmp0 (instance->config_id ? instance->config_id
                                        : scaler_instance_get_tag (instance, SCALER_TAG_INSTANCE),
                    run->ctx->config->id) == 0;
}

/* The instance @id of our tagged fleet in @snapshot, or NULL. */
static ScalerInstance *
find_own_instance (Run            *run,
                   ScalerSnapshot *snapshot,
                   const char     *id)
{
  for (guint k = 0; k < snapshot->instances->len; k++)
    {
      ScalerInstance *instance = g_ptr_array_index (snapshot->instances, k);

      if (g_strcmp0 (instance->instance_id, id) == 0 && is_own_instance (run, instance))
        return instance;
    }
  return NULL;
}

/* User requests: only instances of our tagged fleet. */
static void
terminate_requested (Run            *run,
                     ScalerSnapshot *snapshot)
{
  const char * const *ids = run->ctx->terminate_ids;

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      ScalerInstance *found = find_own_instance (run, snapshot, ids[i]);
      g_autoptr(ScalerAction) action = NULL;

      if (found == NULL)
        {
          cycle_log (run, SCALER_LOG_LEVEL_WARNING,
                     "Not terminating %s: it is not in this autoscaler's tagged fleet", ids[i]);
          continue;
        }
      action = scaler_action_new (SCALER_ACTION_TERMINATE, SCALER_REASON_USER);
      action->instance_id = g_strdup (ids[i]);
      action->resource = g_strdup (found->resource);
      action->reason = g_strdup_printf ("Terminating %s: asked for by the user", ids[i]);
      cycle_log (run, SCALER_LOG_LEVEL_INFO, "%s", action->reason);
      if (terminate_one (run, ids[i], NULL, "user request"))
        record_action (run, action, NULL);
    }
}

/* The plan's notes; TRUE when it holds an idle termination (its worker is
 * then checked again first). */
static gboolean
log_notes (Run        *run,
           ScalerPlan *plan)
{
  gboolean need_recheck = FALSE;

  for (guint i = 0; i < plan->actions->len; i++)
    {
      const ScalerAction *action = g_ptr_array_index (plan->actions, i);

      if (action->kind == SCALER_ACTION_NONE)
        {
          ScalerLogLevel level = note_level (action);
          g_autofree char *key = g_strdup_printf ("%s|%s|%s", scaler_reason_to_string (action->code),
                                                  action->queue ? action->queue : "",
                                                  action->worker_id ? action->worker_id : "");

          /* Routine notes reach the log at INFO when they change, then DEBUG;
           * a kept idle worker's note changes every cycle (its idle time)
           * and stays at DEBUG, unremembered. */
          if (level == SCALER_LOG_LEVEL_DEBUG && action->code != SCALER_REASON_KEEP_IDLE
              && action->code != SCALER_REASON_KEEP_STAFFING
              && scaler_ledger_note_changed (run->ctx->ledger, key, action->reason))
            level = SCALER_LOG_LEVEL_INFO;
          cycle_log (run, level, "%s", action->reason);
        }
      if (action->kind == SCALER_ACTION_TERMINATE && is_idle_termination (action))
        need_recheck = TRUE;
    }
  return need_recheck;
}

/* Zombies: unregister, never counted. */
static void
unregister_zombies (Run        *run,
                    ScalerPlan *plan)
{
  for (guint i = 0; i < plan->actions->len; i++)
    {
      const ScalerAction *action = g_ptr_array_index (plan->actions, i);
      g_autoptr(GError) error = NULL;

      if (action->kind != SCALER_ACTION_UNREGISTER_WORKER)
        continue;
      cycle_log (run, SCALER_LOG_LEVEL_INFO, "%s", action->reason);
      if (scaler_queue_source_unregister_worker (run->ctx->queues, action->worker_id, run->cancellable, &error))
        record_action (run, action, NULL);
      else
        cycle_log (run, SCALER_LOG_LEVEL_WARNING, "Could not unregister %s: %s", action->worker_id, error->message);
    }
}

/* The workers as they are now (id -> ScalerWorker), for the re-check
 * right before idle terminations; NULL when they could not be listed. */
static GHashTable *
recheck_workers (Run *run)
{
  ScalerCycleContext *ctx = run->ctx;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) workers = scaler_queue_source_list_workers (ctx->queues, ctx->config->workers_prefix,
                                                                   run->cancellable, &error);
  GHashTable *fresh_workers;

  if (workers == NULL)
    {
      cycle_log (run, SCALER_LOG_LEVEL_WARNING,
                 "Could not re-check the workers before idle terminations (%s); keeping them this cycle",
                 error->message);
      return NULL;
    }
  fresh_workers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) scaler_worker_free);
  for (guint i = 0; i < workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (workers, i);

      g_hash_table_insert (fresh_workers, g_strdup (worker->id), scaler_worker_copy (worker));
    }
  return fresh_workers;
}

/* An idle termination goes ahead only when the re-check worked and the
 * worker did not just pick up a task. */
static gboolean
still_idle (Run                *run,
            const ScalerAction *action,
            GHashTable         *fresh_workers)
{
  ScalerWorker *fresh;

  if (fresh_workers == NULL)
    return FALSE;
  fresh = g_hash_table_lookup (fresh_workers, action->worker_id);
  if (fresh == NULL || fresh->task_id == NULL)
    return TRUE;
  cycle_log (run, SCALER_LOG_LEVEL_INFO,
             "Keeping %s: its worker just picked up task %s%s%s%s",
             action->instance_id, fresh->task_id,
             fresh->task_name ? " (" : "", fresh->task_name ? fresh->task_name : "",
             fresh->task_name ? ")" : "");
  scaler_ledger_set_idle_since (run->ctx->ledger, action->worker_id, 0);
  return FALSE;
}

static void
execute_terminations (Run        *run,
                      ScalerPlan *plan,
                      GHashTable *fresh_workers)
{
  for (guint i = 0; i < plan->actions->len && !g_cancellable_is_cancelled (run->cancellable); i++)
    {
      const ScalerAction *action = g_ptr_array_index (plan->actions, i);

      if (action->kind != SCALER_ACTION_TERMINATE)
        continue;
      if (is_idle_termination (action) && !still_idle (run, action, fresh_workers))
        continue;
      cycle_log (run, SCALER_LOG_LEVEL_INFO, "%s", action->reason);
      if (action->fetch_console)
        log_console (run, action->instance_id);
      if (terminate_one (run, action->instance_id, action->worker_id,
                         scaler_reason_to_string (action->code)))
        record_action (run, action, NULL);
      if (run->throttled)
        break;
    }
}

/* Launches dropped from the ledger, then the launches. */
static void
execute_launches (Run        *run,
                  ScalerPlan *plan)
{
  g_autoptr(GHashTable) failed_places = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < plan->actions->len; i++)
    {
      const ScalerAction *action = g_ptr_array_index (plan->actions, i);

      if (action->kind != SCALER_ACTION_DROP_LAUNCH)
        continue;
      cycle_log (run, SCALER_LOG_LEVEL_INFO, "%s", action->reason);
      scaler_ledger_remove_launch (run->ctx->ledger, action->client_token);
      record_action (run, action, NULL);
    }

  for (guint i = 0; i < plan->actions->len; i++)
    {
      const ScalerAction *action = g_ptr_array_index (plan->actions, i);

      if (action->kind != SCALER_ACTION_LAUNCH)
        continue;
      if (g_cancellable_is_cancelled (run->cancellable) || run->throttled)
        {
          cycle_log (run, SCALER_LOG_LEVEL_INFO, "Not launching %s now: %s", action->resource,
                     run->throttled ? "AWS is throttling; the next cycle comes later" : "stopping");
          continue;
        }
      cycle_log (run, SCALER_LOG_LEVEL_INFO, "%s", action->reason);
      execute_launch (run, action, failed_places);
    }
}

static void
execute_plan (Run            *run,
              ScalerSnapshot *snapshot,
              ScalerPlan     *plan)
{
  g_autoptr(GHashTable) fresh_workers = NULL;
  gboolean need_recheck;

  terminate_requested (run, snapshot);
  need_recheck = log_notes (run, plan);
  unregister_zombies (run, plan);
  /* The worker is checked again right before an idle termination. */
  if (need_recheck && !g_cancellable_is_cancelled (run->cancellable))
    fresh_workers = recheck_workers (run);
  execute_terminations (run, plan, fresh_workers);
  execute_launches (run, plan);
}

/* Our workers by the id of their instance (keys owned). */
static GHashTable *
workers_by_instance (Run            *run,
                     ScalerSnapshot *snapshot)
{
  GHashTable *worker_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < snapshot->workers->len; i++)
    {
      ScalerWorker *worker = g_ptr_array_index (snapshot->workers, i);
      g_autofree char *prefix = NULL;
      char *instance_id = NULL;

      if (scaler_worker_id_parse (worker->id, &prefix, NULL, NULL, &instance_id)
          && g_strcmp0 (prefix, run->ctx->config->workers_prefix) == 0)
        g_hash_table_insert (worker_of, instance_id, worker);
      else
        g_free (instance_id);
    }
  return worker_of;
}

/* The row of @instance; its worker counts into the result. */
static ScalerInstanceRow *
instance_row_new (Run                  *run,
                  const ScalerInstance *instance,
                  ScalerWorker         *worker,
                  gboolean              terminated)
{
  ScalerCycleContext *ctx = run->ctx;
  ScalerInstanceRow *row = g_new0 (ScalerInstanceRow, 1);
  const ScalerLedgerInstance *known = scaler_ledger_get_instance (ctx->ledger, instance->instance_id);
  double price = 0.0;

  row->instance_id = g_strdup (instance->instance_id);
  row->resource = g_strdup (instance->resource);
  row->instance_type = g_strdup (instance->instance_type);
  row->availability_zone = g_strdup (instance->availability_zone);
  row->spot = instance->is_spot;
  row->state = terminated ? SCALER_INSTANCE_STATE_SHUTTING_DOWN : instance->state;
  row->launch_time = instance->launch_time;
  row->adopted = known != NULL && known->adopted;
  /* An instance this cycle terminated no longer offers its worker. */
  if (worker != NULL && scaler_instance_state_is_live (row->state))
    {
      row->worker_id = g_strdup (worker->id);
      row->worker_state = worker->task_id ? SCALER_WORKER_STATE_BUSY : SCALER_WORKER_STATE_IDLE;
      row->task_id = g_strdup (worker->task_id);
      row->task_name = g_strdup (worker->task_name);
      if (worker->task_id == NULL)
        {
          row->idle_since = scaler_ledger_get_idle_since (ctx->ledger, worker->id);
          run->result->idle_workers++;
        }
      else
        run->result->busy_workers++;
    }
  if (instance->launch_time > 0 && run->now > instance->launch_time)
    row->uptime_s = (double) (run->now - instance->launch_time) / G_USEC_PER_SEC;
  scaler_policy_instance_price (ctx->config, ctx->ledger, &ctx->env, instance->instance_type,
                                instance->availability_zone, instance->is_spot, &price);
  row->usd_per_hour = price;
  row->cost_usd = price * row->uptime_s / 3600.0;
  return row;
}

/* One row per instance of the snapshot, and what the fleet costs an hour
 * (launches of the ledger included: not in the snapshot yet). */
static void
fill_instance_rows (Run            *run,
                    ScalerSnapshot *snapshot,
                    GPtrArray      *launches)
{
  ScalerCycleResult *result = run->result;
  g_autoptr(GHashTable) worker_of = workers_by_instance (run, snapshot);
  g_autoptr(GHashTable) terminated = g_hash_table_new (g_str_hash, g_str_equal);
  double cost = 0.0;

  for (guint i = 0; i < result->actions->len; i++)
    {
      ScalerAction *action = g_ptr_array_index (result->actions, i);

      if (action->kind == SCALER_ACTION_TERMINATE && action->instance_id)
        g_hash_table_add (terminated, action->instance_id);
    }
  for (guint i = 0; i < snapshot->instances->len; i++)
    {
      ScalerInstance *instance = g_ptr_array_index (snapshot->instances, i);
      ScalerInstanceRow *row = instance_row_new (run, instance, g_hash_table_lookup (worker_of, instance->instance_id),
                                                 g_hash_table_contains (terminated, instance->instance_id));

      if (row->state != SCALER_INSTANCE_STATE_TERMINATED)
        cost += row->usd_per_hour;
      if ((guint) row->state < G_N_ELEMENTS (result->instances_by_state))
        result->instances_by_state[row->state]++;
      g_ptr_array_add (result->instances, row);
    }
  for (guint i = 0; i < launches->len; i++)
    cost += ((ScalerLedgerLaunch *) g_ptr_array_index (launches, i))->usd_per_hour;
  result->usd_per_hour = cost;
}

/* A resource's row counts its live instances, its launches in flight
 * (booting) and its longest back-off still running. */
static void
count_into_resource_rows (Run        *run,
                          GHashTable *by_name,
                          GPtrArray  *launches)
{
  g_autoptr(GPtrArray) backoffs = scaler_ledger_list_backoffs (run->ctx->ledger);

  for (guint k = 0; k < run->result->instances->len; k++)
    {
      ScalerInstanceRow *irow = g_ptr_array_index (run->result->instances, k);
      ScalerResourceRow *row = irow->resource ? g_hash_table_lookup (by_name, irow->resource) : NULL;

      if (row == NULL || !scaler_instance_state_is_live (irow->state))
        continue;
      row->running++;
      if (irow->worker_state == SCALER_WORKER_STATE_NONE)
        row->booting++;
    }
  for (guint k = 0; k < launches->len; k++)
    {
      ScalerLedgerLaunch *launch = g_ptr_array_index (launches, k);
      ScalerResourceRow *row = g_hash_table_lookup (by_name, launch->resource);

      if (row != NULL)
        {
          row->running++;
          row->booting++;
        }
    }
  for (guint k = 0; k < backoffs->len; k++)
    {
      ScalerLedgerBackoff *backoff = g_ptr_array_index (backoffs, k);
      ScalerResourceRow *row = g_hash_table_lookup (by_name, backoff->resource);

      if (row != NULL && backoff->until > run->now && backoff->until > row->backoff_until)
        {
          row->backoff_until = backoff->until;
          g_free (row->backoff_reason);
          row->backoff_reason = g_strdup_printf ("%s %s: %s",
                                                 backoff->zone[0] ? backoff->zone : "default placement",
                                                 backoff->spot ? "spot" : "on-demand",
                                                 backoff->reason ? backoff->reason : "");
        }
    }
}

static void
fill_resource_rows (Run            *run,
                    ScalerSnapshot *snapshot,
                    GPtrArray      *launches)
{
  const ScalerConfig *config = run->ctx->config;
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < config->resources->len; i++)
    {
      const ScalerResource *resource = g_ptr_array_index (config->resources, i);
      ScalerResourceRow *row = g_new0 (ScalerResourceRow, 1);

      row->resource = g_strdup (resource->name);
      row->queue = g_strdup (resource->queue);
      row->instance_type = g_strdup (resource->instance_type);
      row->spot = resource->is_spot;
      row->max_instances = resource->max_instances;
      row->pending = scaler_snapshot_get_pending (snapshot, resource->queue);
      g_ptr_array_add (run->result->resources, row);
      g_hash_table_insert (by_name, row->resource, row);
    }
  count_into_resource_rows (run, by_name, launches);
}

/* One pass over the instance rows, through hash tables: this also runs
 * for fleets of thousands of instances. */
static void
fill_queue_rows (Run            *run,
                 ScalerSnapshot *snapshot)
{
  const ScalerConfig *config = run->ctx->config;
  ScalerCycleResult *result = run->result;
  g_auto(GStrv) queues = scaler_config_dup_queues (config);
  g_autoptr(GHashTable) queue_of = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) rows = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < config->resources->len; i++)
    {
      const ScalerResource *resource = g_ptr_array_index (config->resources, i);

      g_hash_table_insert (queue_of, resource->name, resource->queue);
    }
  for (guint i = 0; queues[i] != NULL; i++)
    {
      ScalerQueueRow *row = g_new0 (ScalerQueueRow, 1);

      row->queue = g_strdup (queues[i]);
      row->pending = scaler_snapshot_get_pending (snapshot, queues[i]);
      g_ptr_array_add (result->queues, row);
      g_hash_table_insert (rows, row->queue, row);
    }
  for (guint k = 0; k < result->instances->len; k++)
    {
      ScalerInstanceRow *irow = g_ptr_array_index (result->instances, k);
      const char *queue = irow->resource ? g_hash_table_lookup (queue_of, irow->resource) : NULL;
      ScalerQueueRow *row = queue ? g_hash_table_lookup (rows, queue) : NULL;

      if (row == NULL)
        continue;
      if (irow->worker_state == SCALER_WORKER_STATE_IDLE)
        row->idle_workers++;
      else if (irow->worker_state == SCALER_WORKER_STATE_BUSY)
        row->busy_workers++;
    }
}

static void
fill_rows (Run            *run,
           ScalerSnapshot *snapshot)
{
  g_autoptr(GPtrArray) launches = scaler_ledger_list_launches (run->ctx->ledger);

  fill_instance_rows (run, snapshot, launches);
  fill_resource_rows (run, snapshot, launches);
  fill_queue_rows (run, snapshot);
}

static void
finish (Run *run)
{
  if (run->throttled)
    scaler_ledger_record_throttle (run->ctx->ledger);
  else if (run->result->ok)
    scaler_ledger_clear_throttle (run->ctx->ledger);
  run->result->next_cycle_delay = scaler_policy_next_cycle_delay (run->ctx->config,
                                                                  scaler_ledger_get_throttle_count (run->ctx->ledger));
  if (run->throttled)
    cycle_log (run, SCALER_LOG_LEVEL_WARNING, "AWS is throttling requests: next cycle in %.2f min",
          (double) run->result->next_cycle_delay / SCALER_USEC_PER_MIN);
  save_ledger (run);
}

ScalerCycleResult *
scaler_cycle_run (ScalerCycleContext *ctx,
                  GCancellable       *cancellable)
{
  Run run = { 0 };
  g_autoptr(ScalerSnapshot) snapshot = NULL;
  g_autoptr(ScalerPlan) plan = NULL;
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (ctx != NULL && ctx->config != NULL && ctx->ledger != NULL, NULL);

  run.ctx = ctx;
  run.cancellable = cancellable;
  run.now = ctx_now (ctx);
  run.result = scaler_cycle_result_new (run.now, ctx->cycle);

  snapshot = take_snapshot (&run, &error);
  if (snapshot == NULL)
    {
      run.result->ok = FALSE;
      run.result->error_message = g_strdup (error->message);
      cycle_log (&run, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? SCALER_LOG_LEVEL_INFO
                                                                             : SCALER_LOG_LEVEL_ERROR,
            "Cycle %u could not complete: %s; nothing was changed", ctx->cycle, error->message);
      finish (&run);
      return run.result;
    }

  check_launch_failures (&run, snapshot);
  scaler_ledger_observe (ctx->ledger, ctx->config, snapshot, run.now, messages);
  for (guint i = 0; i < messages->len; i++)
    cycle_log (&run, SCALER_LOG_LEVEL_INFO, "%s", (char *) g_ptr_array_index (messages, i));
  save_ledger (&run);

  plan = scaler_policy_decide (ctx->config, snapshot, ctx->ledger, run.now, &ctx->env);
  execute_plan (&run, snapshot, plan);

  if (g_cancellable_is_cancelled (cancellable))
    {
      run.result->ok = FALSE;
      run.result->error_message = g_strdup ("Cancelled");
    }
  fill_rows (&run, snapshot);
  finish (&run);
  return run.result;
}

ScalerCycleResult *
scaler_cycle_on_stop (ScalerCycleContext *ctx,
                      ScalerOnStop        on_stop,
                      GCancellable       *cancellable)
{
  Run run = { 0 };
  g_autoptr(ScalerSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (ctx != NULL, NULL);

  run.ctx = ctx;
  run.cancellable = cancellable;
  run.now = ctx_now (ctx);
  run.result = scaler_cycle_result_new (run.now, ctx->cycle);

  if (on_stop == SCALER_ON_STOP_KEEP)
    {
      cycle_log (&run, SCALER_LOG_LEVEL_INFO, "Stopped; on_stop is \"keep\": the instances keep running");
      return run.result;
    }

  snapshot = take_snapshot (&run, &error);
  if (snapshot == NULL)
    {
      run.result->ok = FALSE;
      run.result->error_message = g_strdup (error->message);
      cycle_log (&run, SCALER_LOG_LEVEL_ERROR, "on_stop \"%s\" could not be honoured: %s",
            scaler_on_stop_to_string (on_stop), error->message);
      return run.result;
    }
  scaler_ledger_observe (ctx->ledger, ctx->config, snapshot, run.now, NULL);

  for (guint i = 0; i < snapshot->instances->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      ScalerInstance *instance = g_ptr_array_index (snapshot->instances, i);
      ScalerWorker *worker = NULL;
      g_autoptr(ScalerAction) action = NULL;

      if (!scaler_instance_state_is_live (instance->state) || !is_own_instance (&run, instance))
        continue;
      for (guint k = 0; k < snapshot->workers->len && worker == NULL; k++)
        {
          ScalerWorker *w = g_ptr_array_index (snapshot->workers, k);
          g_autofree char *instance_id = NULL;

          if (scaler_worker_id_parse (w->id, NULL, NULL, NULL, &instance_id)
              && g_strcmp0 (instance_id, instance->instance_id) == 0)
            worker = w;
        }
      if (on_stop == SCALER_ON_STOP_TERMINATE_IDLE && (worker == NULL || worker->task_id != NULL))
        {
          cycle_log (&run, SCALER_LOG_LEVEL_INFO, "on_stop: keeping %s (%s)", instance->instance_id,
                worker == NULL ? "no worker yet" : "busy");
          continue;
        }
      action = scaler_action_new (SCALER_ACTION_TERMINATE, SCALER_REASON_USER);
      action->instance_id = g_strdup (instance->instance_id);
      action->resource = g_strdup (instance->resource);
      action->reason = g_strdup_printf ("on_stop \"%s\": terminating %s", scaler_on_stop_to_string (on_stop),
                                        instance->instance_id);
      cycle_log (&run, SCALER_LOG_LEVEL_INFO, "%s", action->reason);
      if (terminate_one (&run, instance->instance_id, worker ? worker->id : NULL, "on_stop"))
        record_action (&run, action, NULL);
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      run.result->ok = FALSE;
      run.result->error_message = g_strdup ("on_stop did not finish in time");
      cycle_log (&run, SCALER_LOG_LEVEL_WARNING, "on_stop did not finish in time");
    }
  fill_rows (&run, snapshot);
  save_ledger (&run);
  return run.result;
}
