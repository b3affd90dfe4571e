/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-policy-staffing.c: the staffing floor of queues of short tasks
 * (Erlang C); part of the policy (see scaler-policy-private.h). */

#define G_LOG_DOMAIN "scaler-policy"

#include "config.h"

#include <math.h>
#include <string.h>

#include "scaler-policy-private.h"

/* ---- short tasks: the staffing floor ----
 *
 * When a queue's tasks are shorter than a boot (STAFFING_SHORT_SHARE of
 * its recent tasks end within the time a new instance needs to be ready),
 * a launch never serves a task that is queued now: a busy worker takes it
 * sooner (see the hold-back in scaler-policy-launch.c), so demand alone
 * would never grow the queue's fleet, and its wait is the queueing wait of
 * the workers it keeps. Such a queue keeps at least the number of workers c at which at
 * most STAFFING_WAIT_SHARE of its tasks wait longer than t, half a polling
 * interval (what a task waits, on average, before the autoscaler even sees
 * it), by Erlang's C formula (M/M/c, offered load a = arrival rate x mean
 * task duration D, with the slow 3-hour rate):
 *
 *     P(wait > t) = C(c, a) x exp (-(c - a) t / D).
 *
 * This holds for queues that keep at least one worker busy on average (a
 * >= 1): below that, the queue mostly has no busy worker to leave tasks
 * to, its tasks launch instances when they come, and a worker kept for
 * them would mostly stand idle.
 *
 * With idle_policy adaptive, idle workers within that number are not
 * terminated early (they still go at max_idle_time_min), and while the
 * queue has busy workers, a worker that will reach max_idle_time_min
 * before a replacement could be ready is replaced beforehand. */

#define STAFFING_SHORT_SHARE 0.95
/* bench-policy, many-short (150 tasks of 1 min an hour): 95th-percentile
 * wait 0.30 min against the ClearML model's 0.37 at 0.96 of its cost; t =
 * one polling interval costs 0.89 and waits 0.36 min, but longer than the
 * model on 9 of 10 other seeds (by 1 to 5 s). */
#define STAFFING_WAIT_SHARE 0.05

/* The probability that a task waits at all: c servers, offered load a
 * (Erlang B by its recurrence, then C). */
static double
erlang_c (guint  c,
          double a)
{
  double b = 1.0;

  if (c <= a)
    return 1.0;
  for (guint k = 1; k <= c; k++)
    b = a * b / (k + a * b);
  return c * b / (c - a * (1.0 - b));
}

/* The fewest workers (at most limit) at which at most `share` of the
 * tasks wait longer than `wait`; rates and times in minutes. */
static guint
staffing_size (double per_min,
               double task_min,
               double wait_min,
               double share,
               guint  limit)
{
  double a = per_min * task_min;
  guint c = (guint) MIN (floor (a), (double) limit) + 1;

  for (; c < limit; c++)
    if (erlang_c (c, a) * exp (-((double) c - a) / task_min * wait_min) <= share)
      break;
  return MIN (c, limit);
}

/* Every instance the queue's resources may run together. */
static guint
queue_limit (Decide     *d,
             const char *queue)
{
  GPtrArray *resources = g_hash_table_lookup (d->queue_resources, queue);
  guint limit = 0;

  for (guint r = 0; resources != NULL && r < resources->len; r++)
    limit += ((const ScalerResource *) g_ptr_array_index (resources, r))->max_instances;
  return limit;
}

/* The queue's staffing floor; ready = its launch-to-registration time. */
void
_scaler_policy_queue_staffing (Decide     *d,
                               const char *queue,
                               double      ready,
                               Staffing   *out)
{
  gint64 task = 0, short_task = 0;
  guint samples = 0;

  memset (out, 0, sizeof *out);
  out->ready = ready;
  if (!(ready > 0)
      || !scaler_ledger_get_task_duration (d->ledger, queue, &task, &samples)
      || samples < MIN_TASK_SAMPLES || task <= 0
      || !scaler_ledger_get_task_quantile (d->ledger, queue, STAFFING_SHORT_SHARE, &short_task, NULL)
      || (double) short_task >= ready
      || !scaler_ledger_get_slow_arrival_rate (d->ledger, queue, &out->per_hour)
      || out->per_hour / 60.0 * scaler_min_of_usec (task) < 1.0)
    return;
  out->task = (double) task;
  out->short_task = (double) short_task;
  out->floor = staffing_size (out->per_hour / 60.0, scaler_min_of_usec (task), d->config->polling_interval_time_min / 2,
                              STAFFING_WAIT_SHARE, queue_limit (d, queue));
}

/* "95 % of 150.0 tasks/h ... " for the reasons. */
char *
_scaler_policy_staffing_why (Decide         *d,
                             const char     *queue,
                             const Staffing *staff)
{
  return g_strdup_printf ("queue %s keeps %u worker(s) for its short tasks (%.1f tasks/h arrive over 3 h, "
                          "%.1f min each, %.0f %% of them shorter than %.1f min, less than the %.1f min a "
                          "new instance needs): with fewer, more than %.0f %% of them would wait longer than "
                          "%g min, half the polling interval (Erlang C)",
                          queue, staff->floor, staff->per_hour, scaler_min_of_usec ((gint64) staff->task),
                          100 * STAFFING_SHORT_SHARE, scaler_min_of_usec ((gint64) staff->short_task),
                          scaler_min_of_usec ((gint64) staff->ready), 100 * STAFFING_WAIT_SHARE,
                          d->config->polling_interval_time_min / 2);
}

/* The queue's mean launch-to-registration time, clamped; FALSE before one
 * of its instances registered. */
gboolean
_scaler_policy_queue_ready_time (Decide     *d,
                                 QueueStats *stats,
                                 gint64     *ready)
{
  if (stats->ready_n == 0)
    return FALSE;
  *ready = CLAMP (stats->ready_sum / stats->ready_n,
                  scaler_usec_of_min (MIN (d->config->polling_interval_time_min, 1.0)),
                  MAX (scaler_usec_of_min (d->config->max_spin_up_time_min), 1));
  return TRUE;
}


/* The launches the staffing floor adds to need (see the top of this
 * file); with idle_policy adaptive, idle workers that will reach
 * max_idle_time_min before a new instance is surely ready (the queue's
 * longest launch-to-registration time and one polling interval) count as
 * gone while the queue has busy workers, once seen idle for
 * STAFFING_LEAVING_CYCLES polling intervals. ("fixed" keeps every idle
 * worker that long, and the tail that expires is renewed over and over:
 * bench-policy, many-short, 1.18 of the ClearML model's cost instead of
 * 0.94.) */

/* An idle worker of a busy queue of short tasks is seen idle at a few
 * cycles in a row now and then while it takes tasks between them; taken
 * for leaving, it would be replaced for nothing (bench-policy, many-short
 * at 2-minute polling: 0.98 of the model's cost with 5 cycles, 1.00 with
 * none, 0.94 with 7; at 1 minute the lead time of a replacement asks for 7
 * anyway). */
#define STAFFING_LEAVING_CYCLES 7
guint
_scaler_policy_plan_staffing (Decide     *d,
                              const char *queue,
                              QueueStats *stats,
                              guint       pending,
                              gint64      need)
{
  gint64 ready = 0, max_idle = scaler_usec_of_min (d->config->max_idle_time_min);
  gint64 replace = stats->ready_max + scaler_usec_of_min (d->config->polling_interval_time_min);
  g_autofree char *why = NULL, *about = NULL;
  gboolean adaptive = d->config->idle_policy == SCALER_IDLE_POLICY_ADAPTIVE;
  guint leaving = 0, fleet;
  Staffing staff;
  ScalerAction *action;

  if (!_scaler_policy_queue_ready_time (d, stats, &ready))
    return 0;
  _scaler_policy_queue_staffing (d, queue, (double) ready, &staff);
  if (staff.floor == 0)
    return 0;
  for (guint i = 0; adaptive && stats->busy > 0 && i < stats->idle_workers->len; i++)
    {
      const ScalerWorker *worker = g_ptr_array_index (stats->idle_workers, i);
      gint64 since = scaler_ledger_get_idle_since (d->ledger, worker->id);

      leaving += since > 0 && d->now - since + replace >= max_idle
                 && d->now - since >= STAFFING_LEAVING_CYCLES * scaler_usec_of_min (d->config->polling_interval_time_min);
    }
  fleet = stats->busy + stats->idle + stats->booting + stats->unanswered->len - leaving;
  if ((gint64) fleet + MAX (need, 0) >= staff.floor || (pending == 0 && leaving == 0))
    return 0;
  why = _scaler_policy_staffing_why (d, queue, &staff);
  about = leaving > 0 ? g_strdup_printf (", %u of the idle ones about to reach max_idle_time_min", leaving)
                      : g_strdup ("");
  action = _scaler_policy_add_action (d, SCALER_ACTION_NONE, SCALER_REASON_STAFFING,
                                      "Queue %s: %u pending; %s; %u busy, %u idle, %u booting%s: %u more",
                                      queue, pending, why, stats->busy, stats->idle, stats->booting + stats->unanswered->len,
                                      about, (guint) (staff.floor - fleet - MAX (need, 0)));
  action->queue = g_strdup (queue);
  return staff.floor - fleet - (guint) MAX (need, 0);
}
