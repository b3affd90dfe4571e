/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-clearml-test-connection.c: "Test connection" for ClearML: is the
 * server there, is it ClearML, do the keys work, which version is it; in a
 * thread for the UI and the service. */

#define G_LOG_DOMAIN "scaler-clearml"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "scaler-clearml.h"
#include "scaler-clearml-private.h"
#include "scaler-json.h"
#include "scaler-util.h"

/* A call that needs the credentials: auth.login in token mode; in Basic mode
 * (or without auth.login) workers.get_all, of the last second only. */
static gboolean
check_credentials_locked (ScalerClearmlClient *self,
                          GCancellable        *cancellable,
                          GError             **error)
{
  g_autoptr(JsonNode) workers = NULL;

  if (self->use_token && !self->login_unsupported)
    {
      if (!_scaler_clearml_login_locked (self, cancellable, error))
        return FALSE;
      if (!self->login_unsupported)
        return TRUE;
    }
  workers = _scaler_clearml_call_locked (self, "workers.get_all", "{\"last_seen\": 1}", TRUE, cancellable, error);
  return workers != NULL;
}

static char *
describe_failure (ScalerClearmlClient  *self,
                  const GError         *error,
                  ScalerClearmlVerdict *verdict)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      *verdict = SCALER_CLEARML_VERDICT_UNREACHABLE;
      return g_strdup (_("Cancelled"));
    }
  if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_AUTH))
    {
      *verdict = SCALER_CLEARML_VERDICT_BAD_CREDENTIALS;
      return g_strdup_printf (_("Wrong access key or secret key: %s"), error->message);
    }
  if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_PERMISSION))
    {
      *verdict = SCALER_CLEARML_VERDICT_BAD_CREDENTIALS;
      return g_strdup_printf (_("The key works but its user is not allowed to do this: %s"),
                              error->message);
    }
  if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_NETWORK))
    {
      *verdict = SCALER_CLEARML_VERDICT_UNREACHABLE;
      return g_strdup_printf (_("Server unreachable: %s"), error->message);
    }
  if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_BAD_RESPONSE))
    {
      *verdict = SCALER_CLEARML_VERDICT_NOT_CLEARML;
      return g_strdup_printf (_("Not a ClearML API server at %s: %s"), self->base_url, error->message);
    }
  *verdict = SCALER_CLEARML_VERDICT_SERVER_ERROR;
  return g_strdup_printf (_("The server answered with an error: %s"), error->message);
}

/* debug.ping failed: unreachable, a server error, or not ClearML at all. */
static char *
describe_ping_failure (ScalerClearmlClient  *self,
                       const GError         *error,
                       ScalerClearmlVerdict *verdict)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      *verdict = SCALER_CLEARML_VERDICT_UNREACHABLE;
      return g_strdup (_("Cancelled"));
    }
  if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_NETWORK))
    {
      *verdict = SCALER_CLEARML_VERDICT_UNREACHABLE;
      return g_strdup_printf (_("Server unreachable: %s"), error->message);
    }
  if (g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_SERVER))
    {
      *verdict = SCALER_CLEARML_VERDICT_SERVER_ERROR;
      return g_strdup_printf (_("The server answered with an error: %s"), error->message);
    }
  *verdict = SCALER_CLEARML_VERDICT_NOT_CLEARML;
  return g_strdup_printf (_("Not a ClearML API server at %s: %s"), self->base_url, error->message);
}

/* "Connected to ClearML server V (API M.m)", from server.info (NULL when the
 * server is too old to have it). */
static char *
describe_connection (ScalerClearmlClient *self,
                     JsonNode            *info)
{
  JsonObject *object = scaler_json_node_object (info);
  const char *server_version = scaler_json_member_string (object, "version");
  guint api = MAX (self->api_version,
                   scaler_clearml_parse_version (scaler_json_member_string (object, "api_version")));

  if (server_version != NULL && api != 0)
    return g_strdup_printf (_("Connected to ClearML server %s (API %u.%u)"),
                            server_version, api / 1000, api % 1000);
  if (api != 0)
    return g_strdup_printf (_("Connected to the ClearML server (API %u.%u)"), api / 1000, api % 1000);
  return g_strdup (_("Connected to the ClearML server"));
}

/* The steps of the test, with the mutex held: the server, the keys, its
 * version. */
static char *
test_connection_locked (ScalerClearmlClient  *self,
                        ScalerClearmlVerdict *verdict,
                        GCancellable         *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ping = NULL;
  g_autoptr(JsonNode) info = NULL;

  g_clear_pointer (&self->token, scaler_secret_free);

  ping = _scaler_clearml_call_locked (self, "debug.ping", "{}", FALSE, cancellable, &error);
  if (ping == NULL)
    return describe_ping_failure (self, error, verdict);

  if (self->access_key[0] == '\0' || self->secret_key[0] == '\0')
    {
      *verdict = SCALER_CLEARML_VERDICT_BAD_CREDENTIALS;
      return g_strdup (_("The server is a ClearML server, but no access key and secret key are set"));
    }

  if (!check_credentials_locked (self, cancellable, &error))
    return describe_failure (self, error, verdict);

  /* server.info needs no authentication; an old server may lack it (404). */
  info = _scaler_clearml_call_locked (self, "server.info", "{}", TRUE, cancellable, &error);
  if (info == NULL &&
      !g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_UNSUPPORTED) &&
      !g_error_matches (error, SCALER_CLEARML_ERROR, SCALER_CLEARML_ERROR_NOT_FOUND))
    return describe_failure (self, error, verdict);

  *verdict = SCALER_CLEARML_VERDICT_OK;
  return describe_connection (self, info);
}

char *
scaler_clearml_client_test_connection (ScalerClearmlClient  *self,
                                       ScalerClearmlVerdict *verdict,
                                       GCancellable         *cancellable)
{
  ScalerClearmlVerdict v = SCALER_CLEARML_VERDICT_UNREACHABLE;
  char *message;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->mutex);
  message = test_connection_locked (self, &v, cancellable);
  g_mutex_unlock (&self->mutex);
  if (verdict != NULL)
    *verdict = v;
  return message;
}

typedef struct
{
  char *api_server;
  char *access_key;
  char *secret_key;
} TestData;

typedef struct
{
  char                 *message;
  ScalerClearmlVerdict  verdict;
} TestResult;

static void
test_data_free (TestData *data)
{
  g_free (data->api_server);
  scaler_secret_free (data->access_key);
  scaler_secret_free (data->secret_key);
  g_free (data);
}

static void
test_result_free (TestResult *result)
{
  g_free (result->message);
  g_free (result);
}

static void
test_connection_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  TestData *data = task_data;
  TestResult *result = g_new0 (TestResult, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerClearmlClient) client = NULL;

  g_assert (G_IS_TASK (task));

  client = scaler_clearml_client_new (data->api_server, data->access_key, data->secret_key,
                                      &error);
  if (client == NULL)
    {
      result->verdict = SCALER_CLEARML_VERDICT_UNREACHABLE;
      result->message = g_strdup (error->message);
    }
  else
    result->message = scaler_clearml_client_test_connection (client, &result->verdict,
                                                             cancellable);
  g_task_return_pointer (task, result, (GDestroyNotify) test_result_free);
}

void
scaler_clearml_test_connection_async (const char          *api_server,
                                      const char          *access_key,
                                      const char          *secret_key,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TestData *data;

  g_return_if_fail (api_server != NULL);

  data = g_new0 (TestData, 1);
  data->api_server = g_strdup (api_server);
  data->access_key = g_strdup (scaler_str_or_empty (access_key));
  data->secret_key = g_strdup (scaler_str_or_empty (secret_key));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_clearml_test_connection_async);
  g_task_set_task_data (task, data, (GDestroyNotify) test_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, test_connection_thread);
}

char *
scaler_clearml_test_connection_finish (GAsyncResult         *result,
                                       ScalerClearmlVerdict *verdict)
{
  TestResult *r;
  char *message;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  r = g_task_propagate_pointer (G_TASK (result), NULL);
  if (r == NULL)
    {
      if (verdict != NULL)
        *verdict = SCALER_CLEARML_VERDICT_UNREACHABLE;
      return g_strdup (_("Cancelled"));
    }
  if (verdict != NULL)
    *verdict = r->verdict;
  message = g_steal_pointer (&r->message);
  test_result_free (r);
  return message;
}
