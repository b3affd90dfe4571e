/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-clearml-source"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "scaler-clearml.h"
#include "scaler-clearml-source.h"
#include "scaler-config.h"
#include "scaler-error.h"

struct _ScalerClearmlSource
{
  GObject              parent_instance;
  ScalerClearmlClient *client;
};

static void queue_source_iface_init (ScalerQueueSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ScalerClearmlSource, scaler_clearml_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SCALER_TYPE_QUEUE_SOURCE,
                                                      queue_source_iface_init))

static gboolean
scaler_clearml_source_get_pending (ScalerQueueSource   *source,
                                   const char * const  *queues,
                                   guint               *out_counts,
                                   GCancellable        *cancellable,
                                   GError             **error)
{
  ScalerClearmlSource *self = SCALER_CLEARML_SOURCE (source);
  g_autoptr(GPtrArray) found = NULL;
  guint n = g_strv_length ((GStrv) queues);

  for (guint i = 0; i < n; i++)
    out_counts[i] = 0;
  if (n == 0)
    return TRUE;

  found = scaler_clearml_client_get_queues (self->client, queues, cancellable, error);
  if (found == NULL)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      const ScalerClearmlQueue *queue = NULL;

      for (guint j = 0; j < found->len && queue == NULL; j++)
        {
          const ScalerClearmlQueue *q = g_ptr_array_index (found, j);

          if (g_str_equal (q->name, queues[i]))
            queue = q;
        }
      if (queue == NULL)
        {
          g_debug ("ClearML queue “%s” does not exist; counting 0 pending tasks", queues[i]);
          continue;
        }
      if (!scaler_clearml_client_get_pending (self->client, queue->id, &out_counts[i],
                                              cancellable, error))
        return FALSE;
    }

  return TRUE;
}

static GPtrArray *
scaler_clearml_source_list_workers (ScalerQueueSource  *source,
                                    const char         *workers_prefix,
                                    GCancellable       *cancellable,
                                    GError            **error)
{
  ScalerClearmlSource *self = SCALER_CLEARML_SOURCE (source);

  return scaler_clearml_client_get_workers (self->client, workers_prefix, cancellable, error);
}

static gboolean
scaler_clearml_source_unregister_worker (ScalerQueueSource  *source,
                                         const char         *worker_id,
                                         GCancellable       *cancellable,
                                         GError            **error)
{
  ScalerClearmlSource *self = SCALER_CLEARML_SOURCE (source);

  return scaler_clearml_client_unregister_worker (self->client, worker_id, cancellable, error);
}

static void
queue_source_iface_init (ScalerQueueSourceInterface *iface)
{
  iface->get_pending = scaler_clearml_source_get_pending;
  iface->list_workers = scaler_clearml_source_list_workers;
  iface->unregister_worker = scaler_clearml_source_unregister_worker;
}

static void
scaler_clearml_source_finalize (GObject *object)
{
  ScalerClearmlSource *self = SCALER_CLEARML_SOURCE (object);

  g_clear_pointer (&self->client, scaler_clearml_client_free);

  G_OBJECT_CLASS (scaler_clearml_source_parent_class)->finalize (object);
}

static void
scaler_clearml_source_class_init (ScalerClearmlSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scaler_clearml_source_finalize;
}

static void
scaler_clearml_source_init (ScalerClearmlSource *self)
{
}

ScalerClearmlSource *
scaler_clearml_source_new (const ScalerConfig  *config,
                           const ScalerSecrets *secrets,
                           GError             **error)
{
  ScalerClearmlSource *self;
  ScalerClearmlClient *client;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (secrets == NULL ||
      secrets->clearml_access_key == NULL || secrets->clearml_access_key[0] == '\0' ||
      secrets->clearml_secret_key == NULL || secrets->clearml_secret_key[0] == '\0')
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                   _("The ClearML access key and secret key are missing (keyring, or "
                     "CLEARML_API_ACCESS_KEY and CLEARML_API_SECRET_KEY)"));
      return NULL;
    }

  client = scaler_clearml_client_new (config->clearml_api_server, secrets->clearml_access_key,
                                      secrets->clearml_secret_key, error);
  if (client == NULL)
    return NULL;

  self = g_object_new (SCALER_TYPE_CLEARML_SOURCE, NULL);
  self->client = client;
  return self;
}

ScalerClearmlClient *
scaler_clearml_source_get_client (ScalerClearmlSource *self)
{
  g_return_val_if_fail (SCALER_IS_CLEARML_SOURCE (self), NULL);

  return self->client;
}
