/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-move"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-move.h"

typedef struct
{
  ScalerClientAutoscaler *local;
  ScalerMachine          *server;
  ScalerCredentials      *credentials;   /* nullable: no secrets sent */
  ScalerClientAutoscaler *copy;          /* on the server */
  char                   *id;
  char                   *name;
  char                   *config_json;
  gboolean                was_running;
  gboolean                keep_on_stop;  /* its on_stop is "keep" already */
  gulong                  state_handler;
  guint                   timeout_id;
  GError                 *failure;       /* while the server's copy is removed */
} Move;

static void
move_free (Move *move)
{
  if (move->copy != NULL && move->state_handler != 0)
    g_signal_handler_disconnect (move->copy, move->state_handler);
  g_clear_handle_id (&move->timeout_id, g_source_remove);
  g_clear_object (&move->local);
  g_clear_object (&move->server);
  g_clear_object (&move->credentials);
  g_clear_object (&move->copy);
  g_clear_error (&move->failure);
  g_free (move->id);
  g_free (move->name);
  g_free (move->config_json);
  g_free (move);
}

/* ---- undoing the server's copy ---- */

static void
undone_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Move *move = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = scaler_client_autoscaler_call_finish (SCALER_CLIENT_AUTOSCALER (object), result, &error);

  g_assert (G_IS_ASYNC_RESULT (result));

  if (reply == NULL)
    g_prefix_error (&move->failure, _("(its copy on %s could not be removed: %s) "),
                    scaler_machine_get_title (move->server), error->message);
  g_task_return_error (task, g_steal_pointer (&move->failure));
}

/* Something failed before this computer's copy was touched: the server's
 * copy goes again (Delete stops it first), and the error is returned. */
static void
fail (GTask  *task,
      GError *error)
{
  Move *move = g_task_get_task_data (task);

  g_clear_handle_id (&move->timeout_id, g_source_remove);
  if (move->copy != NULL && move->state_handler != 0)
    g_clear_signal_handler (&move->state_handler, move->copy);
  if (move->copy == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  move->failure = error;
  scaler_client_autoscaler_call (move->copy, "Delete", NULL, -1, NULL, undone_cb, task);
}

/* ---- 4. this computer's copy goes ---- */

static void
local_deleted_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Move *move = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = scaler_client_autoscaler_call_finish (SCALER_CLIENT_AUTOSCALER (object), result, &error);

  g_assert (G_IS_ASYNC_RESULT (result));

  if (reply == NULL)
    {
      /* The server runs it: this is not undone. Say what is left. */
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                               _("“%s” runs on %s now, but its copy on this computer could not be removed: %s"),
                               move->name, scaler_machine_get_title (move->server), error->message);
      return;
    }
  g_task_return_pointer (task, g_object_ref (move->copy), g_object_unref);
}

static void
delete_local (GTask *task)
{
  Move *move = g_task_get_task_data (task);

  scaler_client_autoscaler_call (move->local, "Delete", NULL, -1, NULL, local_deleted_cb, task);
}

static void
local_kept_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  Move *move = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = scaler_client_autoscaler_call_finish (SCALER_CLIENT_AUTOSCALER (object), result, &error);

  g_assert (G_IS_TASK (task));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (reply == NULL)
    {
      /* Stopping it here could terminate what the server manages now. */
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                               _("“%s” runs on %s now, and still runs on this computer too: its “When Stopped” "
                                 "setting could not be set to keep the instances (%s). Set it to “Keep "
                                 "Instances” here, then delete this computer's copy."),
                               move->name, scaler_machine_get_title (move->server), error->message);
      g_object_unref (task);
      return;
    }
  delete_local (task);
}

static void
retire_local (GTask *task)
{
  Move *move = g_task_get_task_data (task);
  g_autoptr(ScalerConfig) keep = NULL;
  g_autofree char *json = NULL;

  if (!move->was_running || move->keep_on_stop)
    {
      delete_local (task);
      return;
    }
  keep = scaler_config_copy (scaler_client_autoscaler_get_config (move->local));
  keep->on_stop = SCALER_ON_STOP_KEEP;
  json = scaler_config_to_json (keep);
  scaler_client_autoscaler_call (move->local, "Update", g_variant_new ("(s)", json), -1, NULL, local_kept_cb, task);
}

/* ---- 3. Start there, until it runs ---- */

static void
copy_state_cb (ScalerClientAutoscaler *copy,
               GParamSpec             *pspec,
               GTask                  *task)
{
  Move *move = g_task_get_task_data (task);
  const char *state = scaler_client_autoscaler_get_state (copy);

  g_assert (SCALER_IS_CLIENT_AUTOSCALER (copy));
  g_assert (G_IS_TASK (task));

  if (g_strcmp0 (state, "running") == 0)
    {
      g_clear_handle_id (&move->timeout_id, g_source_remove);
      g_clear_signal_handler (&move->state_handler, move->copy);
      retire_local (task);
    }
  else if (g_strcmp0 (state, "failed") == 0)
    fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("“%s” did not start on %s: %s. It keeps running on this computer."), move->name,
                             scaler_machine_get_title (move->server), scaler_client_autoscaler_get_error (copy)));
}

static gboolean
start_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Move *move = g_task_get_task_data (task);

  g_assert (G_IS_TASK (task));

  move->timeout_id = 0;
  fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           _("%s did not report “%s” running within %.0f seconds. It keeps running on this "
                             "computer."),
                           scaler_machine_get_title (move->server), move->name, SCALER_MOVE_START_TIMEOUT_S));
  return G_SOURCE_REMOVE;
}

/* The reply of a call on the copy; on failure the task fails with the error
 * after @failure and FALSE is returned. */
static gboolean
move_call_finish (GObject      *object,
                  GAsyncResult *result,
                  GTask        *task,
                  const char   *failure)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  g_assert (SCALER_IS_CLIENT_AUTOSCALER (object));
  g_assert (G_IS_TASK (task));

  reply = scaler_client_autoscaler_call_finish (SCALER_CLIENT_AUTOSCALER (object), result, &error);
  if (reply != NULL)
    return TRUE;
  g_prefix_error (&error, "%s", failure);
  fail (task, g_steal_pointer (&error));

  return FALSE;
}

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Move *move = g_task_get_task_data (task);
  g_autofree char *failure = g_strdup_printf (_("It did not start on %s: "), scaler_machine_get_title (move->server));

  g_assert (G_IS_TASK (task));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (!move_call_finish (object, result, task, failure))
    return;
  move->state_handler = g_signal_connect (move->copy, "notify::state", G_CALLBACK (copy_state_cb), task);
  move->timeout_id = g_timeout_add_seconds ((guint) SCALER_MOVE_START_TIMEOUT_S, start_timeout_cb, task);
  copy_state_cb (move->copy, NULL, task);
}

static void
maybe_start (GTask *task)
{
  Move *move = g_task_get_task_data (task);

  if (!move->was_running)
    {
      retire_local (task);
      return;
    }
  scaler_client_autoscaler_call (move->copy, "Start", NULL, -1, NULL, started_cb, task);
}

/* ---- 2. the secrets, when the user agreed ---- */

static void
secrets_stored_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Move *move = g_task_get_task_data (task);
  g_autofree char *failure = g_strdup_printf (_("%s did not take the secrets: "),
                                              scaler_machine_get_title (move->server));

  g_assert (G_IS_TASK (task));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (move_call_finish (object, result, task, failure))
    maybe_start (task);
}

static void
secrets_looked_up_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  Move *move = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerSecrets) secrets = scaler_credentials_lookup_secrets_finish (SCALER_CREDENTIALS (object), result,
                                                                               &error);
  GVariantBuilder builder;
  guint n = 0;

  g_assert (G_IS_TASK (task));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (secrets == NULL)
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("the keyring has none"));
      g_prefix_error (&error, _("Could not read the secrets of “%s”: "), move->name);
      fail (task, g_steal_pointer (&error));
      return;
    }
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint kind = 0; kind < SCALER_N_SECRET_KINDS; kind++)
    {
      char **field = scaler_secrets_get_field (secrets, kind);

      if (*field != NULL && (*field)[0] != '\0')
        {
          g_variant_builder_add (&builder, "{ss}", scaler_secret_kind_to_string (kind), *field);
          n++;
        }
    }
  if (n == 0)
    {
      g_variant_builder_clear (&builder);
      maybe_start (task);
      return;
    }
  scaler_client_autoscaler_call (move->copy, "StoreSecrets", g_variant_new ("(a{ss})", &builder), -1, NULL,
                                 secrets_stored_cb, task);
}

/* ---- 1. the configuration ---- */

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Move *move = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ScalerClientAutoscaler *copy = scaler_machine_create_finish (SCALER_MACHINE (object), result, &error);

  g_assert (G_IS_TASK (task));
  g_assert (G_IS_ASYNC_RESULT (result));

  if (copy == NULL)
    {
      g_prefix_error (&error, _("%s did not take the configuration: "), scaler_machine_get_title (move->server));
      fail (task, g_steal_pointer (&error));
      return;
    }
  move->copy = g_object_ref (copy);
  if (move->credentials == NULL)
    {
      maybe_start (task);
      return;
    }
  scaler_credentials_lookup_secrets_async (move->credentials, move->id, NULL, secrets_looked_up_cb, task);
}

void
scaler_move_autoscaler_async (ScalerClientAutoscaler *autoscaler,
                              ScalerMachine          *server,
                              ScalerCredentials      *credentials,
                              GCancellable           *cancellable,
                              GAsyncReadyCallback     callback,
                              gpointer                user_data)
{
  GTask *task;
  Move *move;
  ScalerConfig *config;

  g_return_if_fail (SCALER_IS_CLIENT_AUTOSCALER (autoscaler));
  g_return_if_fail (SCALER_IS_MACHINE (server));
  g_return_if_fail (credentials == NULL || SCALER_IS_CREDENTIALS (credentials));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_move_autoscaler_async);
  config = scaler_client_autoscaler_get_config (autoscaler);
  if (config == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("Its configuration file does not load: fix it first"));
      g_object_unref (task);
      return;
    }

  move = g_new0 (Move, 1);
  move->local = g_object_ref (autoscaler);
  move->server = g_object_ref (server);
  move->credentials = credentials != NULL ? g_object_ref (credentials) : NULL;
  move->id = g_strdup (scaler_client_autoscaler_get_id (autoscaler));
  move->name = g_strdup (scaler_client_autoscaler_get_name (autoscaler));
  /* The service's own text: keys this app does not know travel too. */
  move->config_json = g_strdup (scaler_client_autoscaler_get_config_json (autoscaler));
  move->was_running = g_strcmp0 (scaler_client_autoscaler_get_desired_state (autoscaler), "running") == 0;
  move->keep_on_stop = config->on_stop == SCALER_ON_STOP_KEEP;
  g_task_set_task_data (task, move, (GDestroyNotify) move_free);

  scaler_machine_create_async (server, move->config_json, NULL, created_cb, task);
}

ScalerClientAutoscaler *
scaler_move_autoscaler_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_autoptr(ScalerClientAutoscaler) copy = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  /* The server's list keeps it. */
  copy = g_task_propagate_pointer (G_TASK (result), error);
  return copy;
}
