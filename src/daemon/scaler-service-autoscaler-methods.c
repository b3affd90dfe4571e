/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-service-autoscaler-methods.c: the methods of
 * io.github.ec2autoscaler.Autoscaler1.Autoscaler (data/io.github.ec2autoscaler.Autoscaler1.xml). */

#define G_LOG_DOMAIN "scaler-service"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-service-autoscaler-private.h"

/* ---- helpers ---- */

static gboolean
return_error (GDBusMethodInvocation *invocation,
              ScalerDbusError        code,
              const char            *message)
{
  g_dbus_method_invocation_return_error_literal (invocation, SCALER_DBUS_ERROR, code, message);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* A GError of the core as one of the API's errors. */
static gboolean
return_gerror (GDBusMethodInvocation *invocation,
               const GError          *error)
{
  ScalerDbusError code = SCALER_DBUS_ERROR_FAILED;

  if (g_error_matches (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG))
    code = SCALER_DBUS_ERROR_INVALID_CONFIG;
  return return_error (invocation, code, error->message);
}

static gboolean
in_fleet (ScalerServiceAutoscaler *self,
          const char              *instance_id)
{
  for (guint i = 0; self->last_result != NULL && i < self->last_result->instances->len; i++)
    if (g_strcmp0 (((ScalerInstanceRow *) g_ptr_array_index (self->last_result->instances, i))->instance_id,
                   instance_id) == 0)
      return TRUE;
  return FALSE;
}

/* ---- Start, Stop, TerminateIdleNow, TerminateInstance, GetConsoleOutput ---- */

static gboolean
handle_start (ScalerDbusAutoscaler    *iface,
              GDBusMethodInvocation   *invocation,
              ScalerServiceAutoscaler *self)
{
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (self->config == NULL)
    return return_error (invocation, SCALER_DBUS_ERROR_FAILED,
                         _("The configuration file does not load; fix it (or replace it with Update) first"));
  if (!scaler_service_autoscaler_set_desired (self, SCALER_DESIRED_STATE_RUNNING, &error))
    return return_gerror (invocation, error);
  _scaler_service_autoscaler_start (self);
  scaler_dbus_autoscaler_complete_start (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_stop (ScalerDbusAutoscaler    *iface,
             GDBusMethodInvocation   *invocation,
             ScalerServiceAutoscaler *self)
{
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (self->state_dir != NULL && !scaler_service_autoscaler_set_desired (self, SCALER_DESIRED_STATE_STOPPED, &error))
    return return_gerror (invocation, error);
  _scaler_service_autoscaler_stop (self);
  scaler_dbus_autoscaler_complete_stop (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_terminate_idle_now (ScalerDbusAutoscaler    *iface,
                           GDBusMethodInvocation   *invocation,
                           ScalerServiceAutoscaler *self)
{
  if (self->engine == NULL)
    return return_error (invocation, SCALER_DBUS_ERROR_FAILED, _("The autoscaler is not running"));
  scaler_engine_terminate_idle_now (self->engine);
  scaler_dbus_autoscaler_complete_terminate_idle_now (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_terminate_instance (ScalerDbusAutoscaler    *iface,
                           GDBusMethodInvocation   *invocation,
                           const char              *instance_id,
                           ScalerServiceAutoscaler *self)
{
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (!in_fleet (self, instance_id))
    return return_error (invocation, SCALER_DBUS_ERROR_NOT_FOUND,
                         _("That is not an instance of this autoscaler's fleet"));
  if (self->engine == NULL)
    return return_error (invocation, SCALER_DBUS_ERROR_FAILED, _("The autoscaler is not running: start it first"));
  if (!scaler_engine_terminate_instance (self->engine, instance_id, &error))
    return return_gerror (invocation, error);
  scaler_dbus_autoscaler_complete_terminate_instance (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
console_output_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = scaler_engine_get_console_output_finish (SCALER_ENGINE (object), result, &error);
  g_autofree char *valid = NULL;

  g_assert (SCALER_IS_ENGINE (object));

  if (output == NULL)
    {
      return_gerror (invocation, error);
      return;
    }
  valid = g_utf8_make_valid (output, -1);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", valid));
}

static gboolean
handle_get_console_output (ScalerDbusAutoscaler    *iface,
                           GDBusMethodInvocation   *invocation,
                           const char              *instance_id,
                           ScalerServiceAutoscaler *self)
{
  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (!in_fleet (self, instance_id))
    return return_error (invocation, SCALER_DBUS_ERROR_NOT_FOUND,
                         _("That is not an instance of this autoscaler's fleet"));
  if (self->engine == NULL)
    return return_error (invocation, SCALER_DBUS_ERROR_FAILED, _("The autoscaler is not running: start it first"));
  scaler_engine_get_console_output_async (self->engine, instance_id, NULL, console_output_cb,
                                          g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- GetHistory, GetSnapshot, GetLog ---- */

static gboolean
handle_get_history (ScalerDbusAutoscaler    *iface,
                    GDBusMethodInvocation   *invocation,
                    gint64                   from_time,
                    ScalerServiceAutoscaler *self)
{
  scaler_dbus_autoscaler_complete_get_history (iface, invocation, scaler_history_to_variant (self->history, from_time));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_snapshot (ScalerDbusAutoscaler    *iface,
                     GDBusMethodInvocation   *invocation,
                     ScalerServiceAutoscaler *self)
{
  GVariant *snapshot = self->last_result != NULL ? scaler_cycle_result_to_variant (self->last_result)
                                                 : g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0);

  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  scaler_dbus_autoscaler_complete_get_snapshot (iface, invocation, snapshot);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_log (ScalerDbusAutoscaler    *iface,
                GDBusMethodInvocation   *invocation,
                guint                    max_lines,
                ScalerServiceAutoscaler *self)
{
  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  scaler_dbus_autoscaler_complete_get_log (iface, invocation, _scaler_service_autoscaler_dup_log (self, max_lines));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- Update, Duplicate, Delete ---- */

static gboolean
handle_update (ScalerDbusAutoscaler    *iface,
               GDBusMethodInvocation   *invocation,
               const char              *config_json,
               ScalerServiceAutoscaler *self)
{
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  config = scaler_config_load (config_json, -1, NULL, &error);
  if (config == NULL)
    return return_gerror (invocation, error);
  if (g_strcmp0 (config->id, self->id) != 0)
    return return_error (invocation, SCALER_DBUS_ERROR_INVALID_CONFIG,
                         _("id: an update keeps the autoscaler's own id"));
  /* The store notifies the item: item_changed_cb applies it. */
  if (!scaler_autoscaler_store_overwrite (self->ctx->store, config, &error))
    return return_gerror (invocation, error);
  scaler_dbus_autoscaler_complete_update (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

typedef struct
{
  GDBusMethodInvocation *invocation;
  char                  *from;
  char                  *to;
  GPtrArray             *backends;   /* ScalerCredentials*, still to copy */
} CopyData;

static void
copy_data_free (CopyData *data)
{
  g_clear_object (&data->invocation);
  g_free (data->from);
  g_free (data->to);
  g_ptr_array_unref (data->backends);
  g_free (data);
}

static void copy_next (CopyData *data);

static void
copy_stored_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CopyData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!scaler_credentials_store_secrets_finish (SCALER_CREDENTIALS (object), result, &error))
    g_message ("The copy %s did not get every secret: %s", data->to, error->message);
  copy_next (data);
}

static void
copy_looked_up_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CopyData *data = user_data;
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;

  secrets = scaler_credentials_lookup_secrets_finish (SCALER_CREDENTIALS (object), result, &error);
  if (secrets == NULL)
    {
      if (error != NULL)
        g_message ("The secrets of %s could not be read for its copy: %s", data->from, error->message);
      copy_next (data);
      return;
    }
  scaler_credentials_store_secrets_async (SCALER_CREDENTIALS (object), data->to, secrets, NULL,
                                          copy_stored_cb, data);
}

/* The secrets go from each backend to the same backend. */
static void
copy_next (CopyData *data)
{
  g_autofree char *path = NULL;
  ScalerCredentials *backend;

  if (data->backends->len > 0)
    {
      backend = g_ptr_array_steal_index (data->backends, 0);
      scaler_credentials_lookup_secrets_async (backend, data->from, NULL, copy_looked_up_cb, data);
      g_object_unref (backend);
      return;
    }
  path = scaler_dbus_autoscaler_path (data->to);
  g_dbus_method_invocation_return_value (data->invocation, g_variant_new ("(o)", path));
  copy_data_free (data);
}

static gboolean
handle_duplicate (ScalerDbusAutoscaler    *iface,
                  GDBusMethodInvocation   *invocation,
                  ScalerServiceAutoscaler *self)
{
  g_autoptr(GError) error = NULL;
  ScalerAutoscaler *copy;
  CopyData *data;

  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  copy = scaler_autoscaler_store_duplicate (self->ctx->store, self->id, &error);
  if (copy == NULL)
    return return_gerror (invocation, error);
  data = g_new0 (CopyData, 1);
  data->invocation = g_object_ref (invocation);
  data->from = g_strdup (self->id);
  data->to = g_strdup (scaler_autoscaler_get_id (copy));
  data->backends = g_ptr_array_new_with_free_func (g_object_unref);
  if (self->ctx->keyring != NULL)
    g_ptr_array_add (data->backends, g_object_ref (self->ctx->keyring));
  g_ptr_array_add (data->backends, g_object_ref (self->ctx->file));
  copy_next (data);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

typedef struct
{
  ScalerServiceAutoscaler *self;
  GDBusMethodInvocation   *invocation;
} DeleteData;

static void
delete_data_free (DeleteData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->invocation);
  g_free (data);
}

static void
delete_file_secrets_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  DeleteData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!scaler_credentials_clear_all_finish (SCALER_CREDENTIALS (object), result, &error))
    return_gerror (data->invocation, error);
  else
    scaler_dbus_autoscaler_complete_delete (data->self->iface, data->invocation);
  delete_data_free (data);
}

static void
delete_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  DeleteData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!scaler_autoscaler_store_delete_finish (SCALER_AUTOSCALER_STORE (object), result, &error)
      && scaler_autoscaler_store_find (SCALER_AUTOSCALER_STORE (object), data->self->id) != NULL)
    {
      return_gerror (data->invocation, error);
      delete_data_free (data);
      return;
    }
  /* Only a UUID has secrets of its own (a broken file's name has none). */
  if (!g_uuid_string_is_valid (data->self->id))
    {
      scaler_dbus_autoscaler_complete_delete (data->self->iface, data->invocation);
      delete_data_free (data);
      return;
    }
  scaler_credentials_clear_all_async (data->self->ctx->file, data->self->id, NULL, delete_file_secrets_cb, data);
}

static void
delete_stopped_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  DeleteData *data = user_data;
  ScalerServiceAutoscaler *self = data->self;
  g_autoptr(GError) error = NULL;

  if (!scaler_engine_registry_stop_finish (SCALER_ENGINE_REGISTRY (object), result, &error))
    _scaler_service_autoscaler_log (self, SCALER_LOG_LEVEL_WARNING, _("The stop did not finish cleanly: %s"),
                                    error->message);
  /* The store's items-changed makes the service drop this object. */
  scaler_autoscaler_store_delete_async (self->ctx->store, self->id, self->ctx->keyring, NULL, delete_done_cb, data);
}

static gboolean
handle_delete (ScalerDbusAutoscaler    *iface,
               GDBusMethodInvocation   *invocation,
               ScalerServiceAutoscaler *self)
{
  g_autoptr(GError) error = NULL;
  DeleteData *data;

  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (self->state_dir != NULL && !scaler_service_autoscaler_set_desired (self, SCALER_DESIRED_STATE_STOPPED, &error))
    return return_gerror (invocation, error);
  data = g_new0 (DeleteData, 1);
  data->self = g_object_ref (self);
  data->invocation = g_object_ref (invocation);
  scaler_engine_registry_stop_async (self->ctx->registry, self->id, 20.0, NULL, delete_stopped_cb, data);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- TestConnection ---- */

typedef struct
{
  ScalerServiceAutoscaler *self;
  GDBusMethodInvocation   *invocation;
  ScalerSecrets           *secrets;
  GVariantDict             result;
} TestData;

static void
test_data_free (TestData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->invocation);
  g_clear_pointer (&data->secrets, scaler_secrets_free);
  g_variant_dict_clear (&data->result);
  g_free (data);
}

static void
test_record (TestData     *data,
             const char   *service,
             GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *verdict = scaler_connection_check_finish (result, &error);
  g_autofree char *ok_key = g_strconcat (service, "-ok", NULL);
  g_autofree char *message_key = g_strconcat (service, "-message", NULL);

  g_variant_dict_insert (&data->result, ok_key, "b", verdict != NULL);
  g_variant_dict_insert (&data->result, message_key, "s", verdict != NULL ? verdict : error->message);
}

static void
test_clearml_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TestData *data = user_data;

  test_record (data, "clearml", result);
  scaler_dbus_autoscaler_complete_test_connection (data->self->iface, data->invocation,
                                                   g_variant_dict_end (&data->result));
  test_data_free (data);
}

static void
test_aws_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  TestData *data = user_data;

  test_record (data, "aws", result);
  scaler_connection_check_async (G_OBJECT (data->self), SCALER_CONNECTION_CHECK_CLEARML, data->self->config,
                                 data->secrets, NULL, test_clearml_cb, data);
}

static void
test_secrets_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TestData *data = user_data;
  g_autoptr(GError) error = NULL;

  data->secrets = scaler_engine_registry_lookup_secrets_finish (SCALER_ENGINE_REGISTRY (object), result, &error);
  if (data->secrets == NULL)
    {
      /* Each check then says which secret it misses. */
      data->secrets = scaler_secrets_new ();
      _scaler_service_autoscaler_log (data->self, SCALER_LOG_LEVEL_WARNING, "%s", error->message);
    }
  scaler_connection_check_async (G_OBJECT (data->self), SCALER_CONNECTION_CHECK_AWS, data->self->config,
                                 data->secrets, NULL, test_aws_cb, data);
}

static gboolean
handle_test_connection (ScalerDbusAutoscaler    *iface,
                        GDBusMethodInvocation   *invocation,
                        ScalerServiceAutoscaler *self)
{
  TestData *data;

  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (self->config == NULL)
    return return_error (invocation, SCALER_DBUS_ERROR_FAILED, _("The configuration file does not load"));
  data = g_new0 (TestData, 1);
  data->self = g_object_ref (self);
  data->invocation = g_object_ref (invocation);
  g_variant_dict_init (&data->result, NULL);
  if (self->config->demo)
    {
      const char *simulated = _("The demo runs on the built-in simulator: no account needed");

      g_variant_dict_insert (&data->result, "aws-ok", "b", TRUE);
      g_variant_dict_insert (&data->result, "aws-message", "s", simulated);
      g_variant_dict_insert (&data->result, "clearml-ok", "b", TRUE);
      g_variant_dict_insert (&data->result, "clearml-message", "s", simulated);
      scaler_dbus_autoscaler_complete_test_connection (iface, invocation, g_variant_dict_end (&data->result));
      test_data_free (data);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  scaler_engine_registry_lookup_secrets_async (self->ctx->registry, self->config, NULL, test_secrets_cb, data);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- StoreSecrets ---- */

typedef struct
{
  ScalerServiceAutoscaler *self;
  GDBusMethodInvocation   *invocation;
  ScalerSecrets           *secrets;
  gboolean                 in_file;
} StoreData;

static void
store_data_free (StoreData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->invocation);
  g_clear_pointer (&data->secrets, scaler_secrets_free);
  g_free (data);
}

/* New secrets: the running engine takes them from its next cycle; one that
 * failed while it should run starts again. */
static void
secrets_changed (ScalerServiceAutoscaler *self)
{
  if (self->engine != NULL)
    _scaler_service_autoscaler_apply_config (self);
  else
    _scaler_service_autoscaler_start (self);
}

static void
store_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  StoreData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!scaler_credentials_store_secrets_finish (SCALER_CREDENTIALS (object), result, &error))
    {
      if (!data->in_file)
        {
          /* The keyring refused (locked, no prompt possible): the file. */
          g_message ("The keyring did not take the secrets of %s (%s); they go to a 0600 file",
                     data->self->id, error->message);
          data->in_file = TRUE;
          scaler_credentials_store_secrets_async (data->self->ctx->file, data->self->id, data->secrets, NULL,
                                                  store_done_cb, data);
          return;
        }
      return_gerror (data->invocation, error);
      store_data_free (data);
      return;
    }
  _scaler_service_autoscaler_log (data->self, SCALER_LOG_LEVEL_INFO, _("New secrets were stored in the %s"),
                                  data->in_file ? _("secrets file") : _("keyring"));
  scaler_dbus_autoscaler_complete_store_secrets (data->self->iface, data->invocation,
                                                 data->in_file ? "file" : "keyring");
  secrets_changed (data->self);
  store_data_free (data);
}

/* The a{ss} as ScalerSecrets, or NULL for an unknown kind (nothing stored). */
static ScalerSecrets *
secrets_from_variant (GVariant  *dict,
                      char     **unknown)
{
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  GVariantIter iter;
  const char *kind_name, *value;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&s&s}", &kind_name, &value))
    {
      ScalerSecretKind kind;
      char **field;

      if (!scaler_secret_kind_from_string (kind_name, &kind))
        {
          *unknown = g_strdup (kind_name);
          return NULL;
        }
      field = scaler_secrets_get_field (secrets, kind);
      g_free (*field);
      *field = g_strdup (value);
    }
  return g_steal_pointer (&secrets);
}

static gboolean
handle_store_secrets (ScalerDbusAutoscaler    *iface,
                      GDBusMethodInvocation   *invocation,
                      GVariant                *dict,
                      ScalerServiceAutoscaler *self)
{
  g_autofree char *unknown = NULL;
  g_autofree char *message = NULL;
  StoreData *data;
  ScalerSecrets *secrets;

  g_assert (SCALER_DBUS_IS_AUTOSCALER (iface));
  g_assert (SCALER_IS_SERVICE_AUTOSCALER (self));

  if (!g_uuid_string_is_valid (self->id))
    return return_error (invocation, SCALER_DBUS_ERROR_FAILED, _("The configuration file does not load"));
  secrets = secrets_from_variant (dict, &unknown);
  if (secrets == NULL)
    {
      message = g_strdup_printf (_("Unknown kind of secret “%s”; expected aws-access-key-id, "
                                   "aws-secret-access-key, aws-session-token, clearml-access-key, "
                                   "clearml-secret-key or git-password"), unknown);
      return return_error (invocation, SCALER_DBUS_ERROR_FAILED, message);
    }
  data = g_new0 (StoreData, 1);
  data->self = g_object_ref (self);
  data->invocation = g_object_ref (invocation);
  data->secrets = secrets;
  data->in_file = self->ctx->keyring == NULL;
  scaler_credentials_store_secrets_async (data->in_file ? self->ctx->file : self->ctx->keyring, self->id,
                                          secrets, NULL, store_done_cb, data);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

void
_scaler_service_autoscaler_connect_methods (ScalerServiceAutoscaler *self)
{
  static const struct { const char *signal; GCallback callback; } handlers[] = {
    { "handle-start", G_CALLBACK (handle_start) },
    { "handle-stop", G_CALLBACK (handle_stop) },
    { "handle-terminate-idle-now", G_CALLBACK (handle_terminate_idle_now) },
    { "handle-terminate-instance", G_CALLBACK (handle_terminate_instance) },
    { "handle-get-console-output", G_CALLBACK (handle_get_console_output) },
    { "handle-get-history", G_CALLBACK (handle_get_history) },
    { "handle-get-snapshot", G_CALLBACK (handle_get_snapshot) },
    { "handle-get-log", G_CALLBACK (handle_get_log) },
    { "handle-update", G_CALLBACK (handle_update) },
    { "handle-duplicate", G_CALLBACK (handle_duplicate) },
    { "handle-delete", G_CALLBACK (handle_delete) },
    { "handle-test-connection", G_CALLBACK (handle_test_connection) },
    { "handle-store-secrets", G_CALLBACK (handle_store_secrets) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    g_signal_connect (self->iface, handlers[i].signal, handlers[i].callback, self);
}
