/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-ec2-operations.c: what the engine asks of EC2 through the client
 * (scaler-ec2.c): launch, describe (by tag and by id), terminate, spot
 * prices, console output. */

#define G_LOG_DOMAIN "scaler-ec2"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-aws-error.h"
#include "scaler-config.h"
#include "scaler-ec2.h"
#include "scaler-ec2-private.h"
#include "scaler-util.h"

/* Adds what an auth error means to its message (the log shows it): opt-in
 * region, Marketplace AMI, the missing permission (@permission: what the
 * call needs). */
static void
add_explanation (ScalerEc2Client      *self,
                 GError               *error,
                 const ScalerResource *resource,
                 const char           *permission)
{
  g_autofree char *explained = NULL;
  char *message;

  if (error == NULL || error->domain != SCALER_AWS_ERROR)
    return;
  explained = _scaler_ec2_explain_auth_error (self, error, resource, permission);
  if (explained == NULL)
    return;
  message = g_strdup_printf ("%s (%s)", error->message, explained);
  g_free (error->message);
  error->message = message;
}

ScalerInstance *
scaler_ec2_run_instance (ScalerEc2Client        *self,
                         const ScalerLaunchSpec *spec,
                         GCancellable           *cancellable,
                         GError                **error)
{
  g_autoptr(ScalerEc2Params) params = NULL;
  g_autoptr(ScalerEc2Response) response = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  params = scaler_ec2_run_instances_params (spec, FALSE, error);
  if (params == NULL)
    return NULL;
  response = scaler_ec2_client_call (self, params, cancellable, error);
  if (response == NULL)
    {
      if (error != NULL)
        add_explanation (self, *error, spec->resource, "ec2:RunInstances");
      return NULL;
    }
  if (response->instances->len == 0)
    {
      scaler_aws_error_set (error, SCALER_AWS_ERROR_SERVER, NULL,
                            _("RunInstances succeeded but its answer lists no instance"),
                            response->request_id, 200);
      return NULL;
    }

  return scaler_instance_copy (g_ptr_array_index (response->instances, 0));
}

GPtrArray *
scaler_ec2_describe_instances (ScalerEc2Client       *self,
                               const ScalerEc2Filter *filters,
                               guint                  n_filters,
                               GCancellable          *cancellable,
                               GError               **error)
{
  g_autoptr(GPtrArray) instances = NULL;
  g_autofree char *token = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (filters != NULL || n_filters == 0, NULL);

  instances = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_instance_free);

  for (guint page = 0; ; page++)
    {
      g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("DescribeInstances");
      g_autoptr(ScalerEc2Response) response = NULL;

      for (guint f = 0; f < n_filters; f++)
        {
          g_autofree char *name_key = g_strdup_printf ("Filter.%u.Name", f + 1);

          scaler_ec2_params_add (params, name_key, filters[f].name);
          for (guint v = 0; filters[f].values != NULL && filters[f].values[v] != NULL; v++)
            {
              g_autofree char *value_key = g_strdup_printf ("Filter.%u.Value.%u", f + 1, v + 1);

              scaler_ec2_params_add (params, value_key, filters[f].values[v]);
            }
        }
      scaler_ec2_params_addf (params, "MaxResults", "%u", SCALER_EC2_PAGE_SIZE);
      if (token != NULL)
        scaler_ec2_params_add (params, "NextToken", token);

      response = scaler_ec2_client_call (self, params, cancellable, error);
      if (response == NULL)
        {
          if (error != NULL)
            add_explanation (self, *error, NULL, "ec2:DescribeInstances");
          return NULL;
        }

      for (guint i = 0; i < response->instances->len; i++)
        g_ptr_array_add (instances, g_steal_pointer (&response->instances->pdata[i]));
      g_ptr_array_set_free_func (response->instances, NULL);

      if (response->next_token == NULL)
        break;
      if (token != NULL && strcmp (token, response->next_token) == 0)
        {
          scaler_aws_error_set (error, SCALER_AWS_ERROR_SERVER, NULL,
                                _("DescribeInstances returned the same NextToken twice"),
                                response->request_id, 200);
          return NULL;
        }
      if (page >= SCALER_EC2_MAX_PAGES)
        {
          scaler_aws_error_set (error, SCALER_AWS_ERROR_SERVER, NULL,
                                _("DescribeInstances did not end after too many pages"),
                                response->request_id, 200);
          return NULL;
        }
      g_free (token);
      token = g_strdup (response->next_token);
    }

  return g_steal_pointer (&instances);
}

/* Instance ids named in an error message ("The instance IDs 'i-1, i-2' do not exist"). */
static GPtrArray *
ids_in_message (const char *message)
{
  g_autoptr(GRegex) regex = g_regex_new ("i-[0-9a-fA-F]{8,17}", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  if (message == NULL)
    return ids;
  g_regex_match (regex, message, 0, &match);
  while (g_match_info_matches (match))
    {
      g_ptr_array_add (ids, g_match_info_fetch (match, 0));
      g_match_info_next (match, NULL);
    }

  return ids;
}

static gboolean
strv_contains (GPtrArray  *array,
               const char *value)
{
  for (guint i = 0; i < array->len; i++)
    if (g_strcmp0 (g_ptr_array_index (array, i), value) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
terminate_batch (ScalerEc2Client  *self,
                 GPtrArray        *batch,     /* char*, consumed */
                 GPtrArray        *changes,
                 GPtrArray        *not_found,
                 GCancellable     *cancellable,
                 GError          **error)
{
  /* Each round removes at least one unknown id, so this ends. */
  while (batch->len > 0)
    {
      g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("TerminateInstances");
      g_autoptr(ScalerEc2Response) response = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GPtrArray) gone = NULL;
      guint removed = 0;

      for (guint i = 0; i < batch->len; i++)
        {
          g_autofree char *k = g_strdup_printf ("InstanceId.%u", i + 1);

          scaler_ec2_params_add (params, k, g_ptr_array_index (batch, i));
        }
      response = scaler_ec2_client_call (self, params, cancellable, &local_error);
      if (response != NULL)
        {
          for (guint i = 0; i < response->state_changes->len; i++)
            g_ptr_array_add (changes, g_steal_pointer (&response->state_changes->pdata[i]));
          g_ptr_array_set_free_func (response->state_changes, NULL);
          return TRUE;
        }
      if (g_strcmp0 (scaler_aws_error_get_aws_code (local_error), "InvalidInstanceID.NotFound") != 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* Drop the unknown ids the message names and send the rest again. */
      gone = ids_in_message (local_error->message);
      for (guint i = 0; i < batch->len; )
        {
          const char *id = g_ptr_array_index (batch, i);

          if (strv_contains (gone, id) || batch->len == 1)
            {
              g_ptr_array_add (not_found, g_strdup (id));
              g_ptr_array_remove_index (batch, i);
              removed++;
            }
          else
            i++;
        }
      if (removed == 0)
        {
          /* The message named none of them: go one by one. */
          while (batch->len > 0)
            {
              g_autoptr(GPtrArray) single = g_ptr_array_new_with_free_func (g_free);

              g_ptr_array_add (single, g_strdup (g_ptr_array_index (batch, batch->len - 1)));
              g_ptr_array_remove_index (batch, batch->len - 1);
              if (!terminate_batch (self, single, changes, not_found, cancellable, error))
                return FALSE;
            }
        }
    }

  return TRUE;
}

gboolean
scaler_ec2_terminate_instances (ScalerEc2Client     *self,
                                const char * const  *instance_ids,
                                GPtrArray          **changes,
                                GStrv               *not_found,
                                GCancellable        *cancellable,
                                GError             **error)
{
  g_autoptr(GPtrArray) all_changes = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  guint n;

  g_return_val_if_fail (self != NULL, FALSE);

  all_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_ec2_state_change_free);
  gone = g_ptr_array_new_with_free_func (g_free);
  n = instance_ids != NULL ? g_strv_length ((char **) instance_ids) : 0;

  for (guint start = 0; start < n; start += SCALER_EC2_TERMINATE_BATCH)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_free);

      for (guint i = start; i < n && i < start + SCALER_EC2_TERMINATE_BATCH; i++)
        if (!strv_contains (batch, instance_ids[i]))
          g_ptr_array_add (batch, g_strdup (instance_ids[i]));
      if (!terminate_batch (self, batch, all_changes, gone, cancellable, error))
        return FALSE;
    }

  if (changes != NULL)
    *changes = g_steal_pointer (&all_changes);
  if (not_found != NULL)
    {
      g_ptr_array_add (gone, NULL);
      *not_found = (GStrv) g_ptr_array_free (g_steal_pointer (&gone), FALSE);
    }

  return TRUE;
}

#define DESCRIBE_ID_BATCH 100

/* DescribeInstances of @batch (char*), dropping the ids EC2 does not know;
 * the found instances go to @found. */
static gboolean
describe_id_batch (ScalerEc2Client  *self,
                   GPtrArray        *batch,
                   GPtrArray        *found,
                   GCancellable     *cancellable,
                   GError          **error)
{
  while (batch->len > 0)
    {
      g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("DescribeInstances");
      g_autoptr(ScalerEc2Response) response = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GPtrArray) unknown = NULL;
      guint before = batch->len;

      for (guint i = 0; i < batch->len; i++)
        {
          g_autofree char *k = g_strdup_printf ("InstanceId.%u", i + 1);

          scaler_ec2_params_add (params, k, g_ptr_array_index (batch, i));
        }
      response = scaler_ec2_client_call (self, params, cancellable, &local_error);
      if (response != NULL)
        {
          for (guint i = 0; i < response->instances->len; i++)
            g_ptr_array_add (found, g_steal_pointer (&response->instances->pdata[i]));
          g_ptr_array_set_free_func (response->instances, NULL);
          return TRUE;
        }
      if (g_strcmp0 (scaler_aws_error_get_aws_code (local_error), "InvalidInstanceID.NotFound") != 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* Drop the ids the message names (all of them when it names none and
       * there is only one); otherwise go one by one. */
      unknown = ids_in_message (local_error->message);
      for (guint i = 0; i < batch->len; )
        if (strv_contains (unknown, g_ptr_array_index (batch, i)) || batch->len == 1)
          g_ptr_array_remove_index (batch, i);
        else
          i++;
      if (batch->len == before)
        {
          while (batch->len > 0)
            {
              g_autoptr(GPtrArray) single = g_ptr_array_new_with_free_func (g_free);

              g_ptr_array_add (single, g_strdup (g_ptr_array_index (batch, batch->len - 1)));
              g_ptr_array_remove_index (batch, batch->len - 1);
              if (!describe_id_batch (self, single, found, cancellable, error))
                return FALSE;
            }
        }
    }

  return TRUE;
}

GPtrArray *
scaler_ec2_describe_instance_ids (ScalerEc2Client     *self,
                                  const char * const  *instance_ids,
                                  GCancellable        *cancellable,
                                  GError             **error)
{
  g_autoptr(GPtrArray) found = NULL;
  guint n;

  g_return_val_if_fail (self != NULL, NULL);

  found = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_instance_free);
  n = instance_ids != NULL ? g_strv_length ((char **) instance_ids) : 0;
  for (guint start = 0; start < n; start += DESCRIBE_ID_BATCH)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_free);

      for (guint i = start; i < n && i < start + DESCRIBE_ID_BATCH; i++)
        if (!strv_contains (batch, instance_ids[i]))
          g_ptr_array_add (batch, g_strdup (instance_ids[i]));
      if (!describe_id_batch (self, batch, found, cancellable, error))
        return NULL;
    }

  return g_steal_pointer (&found);
}

static ScalerEc2Params *
spot_price_params (const char * const *instance_types,
                   const char         *start_time,
                   const char         *token)
{
  ScalerEc2Params *params = scaler_ec2_params_new ("DescribeSpotPriceHistory");

  for (guint i = 0; instance_types[i] != NULL; i++)
    {
      g_autofree char *k = g_strdup_printf ("InstanceType.%u", i + 1);

      scaler_ec2_params_add (params, k, instance_types[i]);
    }
  scaler_ec2_params_add (params, "ProductDescription.1", "Linux/UNIX");
  scaler_ec2_params_add (params, "StartTime", start_time);
  scaler_ec2_params_addf (params, "MaxResults", "%u", SCALER_EC2_PAGE_SIZE);
  if (token != NULL)
    scaler_ec2_params_add (params, "NextToken", token);
  return params;
}

/* Keeps the newest Linux/UNIX price of each type and zone in @latest
 * ("type/zone" -> ScalerSpotPrice*). */
static void
keep_latest_prices (GHashTable *latest,
                    GPtrArray  *prices)
{
  for (guint i = 0; i < prices->len; i++)
    {
      const ScalerEc2SpotPrice *p = g_ptr_array_index (prices, i);
      g_autofree char *key = NULL;
      ScalerSpotPrice *old;
      ScalerSpotPrice *copy;

      if (g_strcmp0 (p->product_description, "Linux/UNIX") != 0)
        continue;
      key = g_strconcat (p->instance_type, "/", p->availability_zone, NULL);
      old = g_hash_table_lookup (latest, key);
      if (old != NULL && p->timestamp <= old->timestamp)
        continue;
      copy = g_new0 (ScalerSpotPrice, 1);
      copy->instance_type = g_strdup (p->instance_type);
      copy->availability_zone = g_strdup (p->availability_zone);
      copy->price_usd_per_hour = p->price_usd_per_hour;
      copy->timestamp = p->timestamp;
      g_hash_table_replace (latest, g_steal_pointer (&key), copy);
    }
}

GPtrArray *
scaler_ec2_get_spot_prices (ScalerEc2Client     *self,
                            const char * const  *instance_types,
                            GCancellable        *cancellable,
                            GError             **error)
{
  g_autoptr(GHashTable) latest = NULL;
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *token = NULL;
  g_autofree char *start_time = NULL;
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_return_val_if_fail (self != NULL, NULL);

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_spot_price_free);
  if (instance_types == NULL || instance_types[0] == NULL)
    return g_steal_pointer (&result);

  now = g_date_time_new_from_unix_utc (scaler_signer_now (self->signer) / G_USEC_PER_SEC);
  start_time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  latest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) scaler_spot_price_free);

  for (guint page = 0; ; page++)
    {
      g_autoptr(ScalerEc2Params) params = spot_price_params (instance_types, start_time, token);
      g_autoptr(ScalerEc2Response) response = scaler_ec2_client_call (self, params, cancellable, error);

      if (response == NULL)
        return NULL;
      keep_latest_prices (latest, response->spot_prices);

      if (response->next_token == NULL)
        break;
      if ((token != NULL && strcmp (token, response->next_token) == 0) || page >= SCALER_EC2_MAX_PAGES)
        {
          scaler_aws_error_set (error, SCALER_AWS_ERROR_SERVER, NULL,
                                _("DescribeSpotPriceHistory does not stop paginating"),
                                response->request_id, 200);
          return NULL;
        }
      scaler_set_str (&token, response->next_token);
    }

  g_hash_table_iter_init (&iter, latest);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_ptr_array_add (result, value);
      g_hash_table_iter_steal (&iter);
      g_free (key);
    }

  return g_steal_pointer (&result);
}

static ScalerEc2Response *
console_output_call (ScalerEc2Client  *self,
                     const char       *instance_id,
                     gboolean          latest,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr(ScalerEc2Params) params = scaler_ec2_params_new ("GetConsoleOutput");

  scaler_ec2_params_add (params, "InstanceId", instance_id);
  if (latest)
    scaler_ec2_params_add (params, "Latest", "true");

  return scaler_ec2_client_call (self, params, cancellable, error);
}

char *
scaler_ec2_get_console_output (ScalerEc2Client  *self,
                               const char       *instance_id,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_autoptr(ScalerEc2Response) response = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (instance_id != NULL, NULL);

  /* Latest=true (the last 64 KB, not a buffered copy) works on Nitro types
   * only; Xen types (t2, m4, c4, p2, p3, g3, i3, ...) refuse it (EC2 API
   * reference, GetConsoleOutput: "Latest ... only supported on instance types
   * built on the Nitro System"). Then ask again without it. */
  response = console_output_call (self, instance_id, TRUE, cancellable, &local_error);
  if (response == NULL &&
      (g_error_matches (local_error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_INVALID_INPUT) ||
       g_error_matches (local_error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_FAILED)))
    {
      g_debug ("GetConsoleOutput with Latest refused for %s (%s); asking without it",
               instance_id, local_error->message);
      g_clear_error (&local_error);
      response = console_output_call (self, instance_id, FALSE, cancellable, &local_error);
    }
  if (response == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_strdup (response->console_output != NULL ? response->console_output : "");
}
