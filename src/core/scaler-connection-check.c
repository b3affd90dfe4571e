/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-connection-check"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "scaler-aws-chain.h"
#include "scaler-aws-credentials.h"
#include "scaler-clearml.h"
#include "scaler-ec2.h"
#include "scaler-connection-check.h"

typedef struct
{
  ScalerConfig  *config;
  ScalerSecrets *secrets;
} TestData;

static void
test_data_free (TestData *data)
{
  g_clear_pointer (&data->config, scaler_config_unref);
  g_clear_pointer (&data->secrets, scaler_secrets_free);
  g_free (data);
}

static void
clearml_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScalerClearmlVerdict verdict = SCALER_CLEARML_VERDICT_UNREACHABLE;
  g_autofree char *sentence = scaler_clearml_test_connection_finish (result, &verdict);

  g_assert (G_IS_TASK (task));

  if (g_task_return_error_if_cancelled (task))
    return;

  if (verdict == SCALER_CLEARML_VERDICT_OK)
    g_task_return_pointer (task, g_steal_pointer (&sentence), g_free);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                             sentence ? sentence : _("The ClearML server did not answer"));
}

/* The form's keys, or the AWS credential chain (with its pinned profile)
 * for "environment": fetched here, in the worker thread. */
static ScalerEc2Client *
aws_client_for (TestData  *data,
                GError   **error)
{
  const ScalerSecrets *secrets = data->secrets;
  g_autoptr(ScalerAwsProvider) provider = NULL;

  if (data->config->aws_credentials == SCALER_CREDENTIALS_SOURCE_ENVIRONMENT)
    provider = scaler_aws_chain_new (data->config->aws_profile, data->config->aws_region);
  else
    {
      g_autoptr(ScalerAwsCredentials) credentials = NULL;

      if (secrets->aws_access_key_id == NULL || secrets->aws_access_key_id[0] == '\0' ||
          secrets->aws_secret_access_key == NULL || secrets->aws_secret_access_key[0] == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Enter the access key id and the secret access key first"));
          return NULL;
        }
      credentials = scaler_aws_credentials_new (secrets->aws_access_key_id,
                                                secrets->aws_secret_access_key,
                                                secrets->aws_session_token);
      provider = scaler_aws_provider_new_static (credentials);
    }
  return scaler_ec2_client_new_with_provider (data->config->aws_region, data->config->aws_endpoint, provider, error);
}

/* Runs in a worker thread: DryRun calls with the form's credentials. */
static void
aws_test_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  TestData *data = task_data;
  g_autoptr(ScalerEc2Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verdict = NULL;

  g_assert (G_IS_TASK (task));

  client = aws_client_for (data, &error);
  if (client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (scaler_ec2_test_connection (client, data->config, &verdict, cancellable, &error))
    {
      g_task_return_pointer (task, verdict ? g_steal_pointer (&verdict) : g_strdup (_("Connected")), g_free);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || verdict == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", verdict);
}

void
scaler_connection_check_async (GObject              *source,
                          ScalerConnectionCheckKind  kind,
                          const ScalerConfig   *config,
                          const ScalerSecrets  *secrets,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  TestData *data;

  g_return_if_fail (config != NULL);
  g_return_if_fail (secrets != NULL);

  task = g_task_new (source, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_connection_check_async);
  data = g_new0 (TestData, 1);
  data->config = scaler_config_copy (config);
  data->secrets = scaler_secrets_copy (secrets);
  g_task_set_task_data (task, data, (GDestroyNotify) test_data_free);

  if (kind == SCALER_CONNECTION_CHECK_CLEARML)
    {
      scaler_clearml_test_connection_async (data->config->clearml_api_server,
                                            data->secrets->clearml_access_key ? data->secrets->clearml_access_key : "",
                                            data->secrets->clearml_secret_key ? data->secrets->clearml_secret_key : "",
                                            cancellable, clearml_done_cb, g_steal_pointer (&task));
      return;
    }

  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, aws_test_thread);
}

char *
scaler_connection_check_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
