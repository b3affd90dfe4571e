/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-engine-registry.c: the composition root (see scaler-engine-registry.h). */

#define G_LOG_DOMAIN "scaler-engine-registry"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "scaler-aws-credentials.h"
#include "scaler-bootstrap.h"
#include "scaler-clearml-source.h"
#include "scaler-ec2-cloud.h"
#include "scaler-engine-registry.h"
#include "scaler-aws-chain.h"
#include "scaler-error.h"
#include "scaler-sim.h"

/* One autoscaler that runs (or is starting, or stopping). */
typedef struct
{
  char          *id;
  ScalerEngine  *engine;       /* NULL while the secrets are looked up */
  char          *state_dir;
  ScalerHistory *history;      /* nullable: the engine's own */
  GCancellable  *starting;     /* non-NULL while the start is pending */
} Entry;

struct _ScalerEngineRegistry
{
  GObject            parent_instance;

  ScalerCredentials *keyring;
  ScalerCredentials *fallback;
  GHashTable        *entries;  /* id -> Entry* */
};

G_DEFINE_FINAL_TYPE (ScalerEngineRegistry, scaler_engine_registry, G_TYPE_OBJECT)

enum {
  ENGINE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
entry_free (Entry *entry)
{
  if (entry->starting != NULL)
    g_cancellable_cancel (entry->starting);
  g_clear_object (&entry->starting);
  g_clear_object (&entry->engine);
  g_clear_object (&entry->history);
  g_free (entry->state_dir);
  g_free (entry->id);
  g_free (entry);
}

/* ---- the state-dir rule ---- */

char *
scaler_engine_registry_dup_state_root (void)
{
  return g_build_filename (g_get_user_state_dir (), "ec2-autoscaler", NULL);
}

char *
scaler_engine_registry_dup_state_dir (const char *id)
{
  g_autofree char *root = scaler_engine_registry_dup_state_root ();

  g_return_val_if_fail (id != NULL, NULL);

  return g_build_filename (root, id, NULL);
}

/* ---- the factory ---- */

typedef struct
{
  ScalerSecrets *secrets;
} UserDataClosure;

static void
user_data_closure_free (gpointer data)
{
  UserDataClosure *closure = data;

  g_clear_pointer (&closure->secrets, scaler_secrets_free);
  g_free (closure);
}

static char *
bootstrap_user_data (const ScalerConfig   *config,
                     const ScalerResource *resource,
                     gpointer              user_data,
                     GError              **error)
{
  UserDataClosure *closure = user_data;

  return scaler_bootstrap_generate (config, resource, closure->secrets, error);
}

/* EC2 + ClearML for a real config, with the bootstrap as user-data. */
static gboolean
build_real_parts (ScalerConfig         *config,
                  const ScalerSecrets  *secrets,
                  ScalerCloud         **cloud,
                  ScalerQueueSource   **queues,
                  UserDataClosure     **closure,
                  GError              **error)
{
  g_autoptr(ScalerEc2Cloud) ec2 = NULL;
  g_autoptr(ScalerClearmlSource) clearml = NULL;

  ec2 = scaler_ec2_cloud_new (config, secrets, error);
  if (ec2 == NULL)
    return FALSE;
  clearml = scaler_clearml_source_new (config, secrets, error);
  if (clearml == NULL)
    return FALSE;

  *cloud = SCALER_CLOUD (g_steal_pointer (&ec2));
  *queues = SCALER_QUEUE_SOURCE (g_steal_pointer (&clearml));
  *closure = g_new0 (UserDataClosure, 1);
  (*closure)->secrets = secrets != NULL ? scaler_secrets_copy (secrets) : NULL;
  return TRUE;
}

static ScalerEngine *
build_demo_engine (ScalerConfig *config,
                   const char   *state_dir,
                   gint64        not_before)
{
  g_autoptr(ScalerSim) sim = scaler_sim_new_demo (config, SCALER_DEMO_SPEED,
                                                  MAX (not_before, g_get_real_time ()));
  ScalerEngine *engine = scaler_engine_new (config, SCALER_CLOUD (sim), SCALER_QUEUE_SOURCE (sim), state_dir);

  scaler_engine_set_clock (engine, scaler_sim_now, g_object_ref (sim), g_object_unref);
  scaler_engine_set_time_scale (engine, SCALER_DEMO_SPEED);
  return engine;
}

ScalerEngine *
scaler_engine_registry_build_engine (ScalerConfig         *config,
                                     const ScalerSecrets  *secrets,
                                     const char           *state_dir,
                                     gint64                not_before,
                                     GError              **error)
{
  g_autoptr(ScalerCloud) cloud = NULL;
  g_autoptr(ScalerQueueSource) queues = NULL;
  UserDataClosure *closure = NULL;
  ScalerEngine *engine;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (state_dir != NULL && g_mkdir_with_parents (state_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, _("Cannot create the state directory %s: %s"),
                   state_dir, g_strerror (saved_errno));
      return NULL;
    }

  if (config->demo)
    return build_demo_engine (config, state_dir, not_before);

  if (!build_real_parts (config, secrets, &cloud, &queues, &closure, error))
    return NULL;
  engine = scaler_engine_new (config, cloud, queues, state_dir);
  scaler_engine_set_user_data_func (engine, bootstrap_user_data, closure, user_data_closure_free);
  return engine;
}

/* ---- secrets ---- */

/* The "environment" parts of @config's secrets, into @secrets. */
static gboolean
secrets_from_environment (ScalerConfig   *config,
                          gboolean        aws,
                          gboolean        clearml,
                          ScalerSecrets  *secrets,
                          GError        **error)
{
  const char *git_password = g_getenv ("CLEARML_AUTOSCALER_GIT_PASSWORD");

  /* AWS: the EC2 client resolves the standard AWS chain itself, on the
   * engine's worker thread, and refreshes temporary credentials
   * (scaler_ec2_cloud_new); only the files and the profile are checked now,
   * offline. */
  if (aws && !scaler_aws_chain_check (config->aws_profile, error))
    return FALSE;
  if (clearml)
    {
      const char *key = g_getenv ("CLEARML_API_ACCESS_KEY");
      const char *secret = g_getenv ("CLEARML_API_SECRET_KEY");

      if (key == NULL || *key == '\0' || secret == NULL || *secret == '\0')
        {
          g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING,
                               _("ClearML credentials are missing: set CLEARML_API_ACCESS_KEY and "
                                 "CLEARML_API_SECRET_KEY in the environment of the service"));
          return FALSE;
        }
      g_free (secrets->clearml_access_key);
      secrets->clearml_access_key = g_strdup (key);
      g_free (secrets->clearml_secret_key);
      secrets->clearml_secret_key = g_strdup (secret);
      if (git_password != NULL && *git_password != '\0')
        {
          g_free (secrets->git_password);
          secrets->git_password = g_strdup (git_password);
        }
    }
  return TRUE;
}

typedef struct
{
  ScalerConfig  *config;
  ScalerSecrets *secrets;
} LookupData;

static void
lookup_data_free (LookupData *data)
{
  g_clear_pointer (&data->config, scaler_config_unref);
  g_clear_pointer (&data->secrets, scaler_secrets_free);
  g_free (data);
}

/* Fills the kinds still NULL from @from. */
static void
secrets_merge (ScalerSecrets *into,
               ScalerSecrets *from)
{
  for (guint kind = 0; kind < SCALER_N_SECRET_KINDS; kind++)
    {
      char **to = scaler_secrets_get_field (into, kind);
      char **value = scaler_secrets_get_field (from, kind);

      if (*to == NULL && *value != NULL)
        *to = g_steal_pointer (value);
    }
}

/* Last step: the "environment" parts, then the result. */
static void
lookup_complete (GTask *task)
{
  ScalerEngineRegistry *self = g_task_get_source_object (task);
  LookupData *data = g_task_get_task_data (task);
  ScalerConfig *config = data->config;
  gboolean no_backend = self->keyring == NULL && self->fallback == NULL;
  gboolean aws_env = no_backend || config->aws_credentials == SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  gboolean clearml_env = no_backend || config->clearml_credentials == SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
  GError *error = NULL;

  /* All from the environment: the one function with the messages of the
   * command line (which variable or profile is missing). */
  if (aws_env && clearml_env)
    {
      g_clear_pointer (&data->secrets, scaler_secrets_free);
      data->secrets = scaler_secrets_new_from_environment (&error);
    }
  else if ((aws_env || clearml_env) && !secrets_from_environment (config, aws_env, clearml_env, data->secrets, &error))
    g_clear_pointer (&data->secrets, scaler_secrets_free);

  if (data->secrets == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&data->secrets), (GDestroyNotify) scaler_secrets_free);
}

static void
lookup_fallback_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(ScalerSecrets) found = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (G_IS_TASK (task));

  found = scaler_credentials_lookup_secrets_finish (SCALER_CREDENTIALS (object), result, &error);
  if (found == NULL && error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (found != NULL)
    secrets_merge (data->secrets, found);
  lookup_complete (task);
}

static void
lookup_keyring_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScalerEngineRegistry *self = g_task_get_source_object (task);
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(ScalerSecrets) found = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_ENGINE_REGISTRY (self));

  found = scaler_credentials_lookup_secrets_finish (SCALER_CREDENTIALS (object), result, &error);
  if (found == NULL && error != NULL)
    {
      /* With a fallback, a keyring that does not answer is not fatal. */
      if (self->fallback == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_message ("The keyring did not answer for %s (%s); trying the secrets file", data->config->id, error->message);
    }
  if (found != NULL)
    secrets_merge (data->secrets, found);

  if (self->fallback != NULL)
    {
      /* Not in the call: its arguments may be evaluated in any order. */
      GCancellable *cancellable = g_task_get_cancellable (task);

      scaler_credentials_lookup_secrets_async (self->fallback, data->config->id, cancellable,
                                               lookup_fallback_cb, g_steal_pointer (&task));
    }
  else
    lookup_complete (task);
}

void
scaler_engine_registry_lookup_secrets_async (ScalerEngineRegistry *self,
                                             ScalerConfig         *config,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  LookupData *data;
  gboolean keyring_needed;

  g_return_if_fail (SCALER_IS_ENGINE_REGISTRY (self));
  g_return_if_fail (config != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_engine_registry_lookup_secrets_async);

  /* The demo runs on the simulator: no account, no secrets. */
  if (config->demo)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  data = g_new0 (LookupData, 1);
  data->config = scaler_config_ref (config);
  data->secrets = scaler_secrets_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) lookup_data_free);

  keyring_needed = config->aws_credentials == SCALER_CREDENTIALS_SOURCE_KEYRING
                   || config->clearml_credentials == SCALER_CREDENTIALS_SOURCE_KEYRING;
  if (keyring_needed && self->keyring != NULL)
    scaler_credentials_lookup_secrets_async (self->keyring, config->id, cancellable,
                                             lookup_keyring_cb, g_steal_pointer (&task));
  else if (keyring_needed && self->fallback != NULL)
    scaler_credentials_lookup_secrets_async (self->fallback, config->id, cancellable,
                                             lookup_fallback_cb, g_steal_pointer (&task));
  else
    lookup_complete (task);
}

ScalerSecrets *
scaler_engine_registry_lookup_secrets_finish (ScalerEngineRegistry  *self,
                                              GAsyncResult          *result,
                                              GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- GObject ---- */

static void
scaler_engine_registry_dispose (GObject *object)
{
  ScalerEngineRegistry *self = SCALER_ENGINE_REGISTRY (object);

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_object (&self->keyring);
  g_clear_object (&self->fallback);

  G_OBJECT_CLASS (scaler_engine_registry_parent_class)->dispose (object);
}

static void
scaler_engine_registry_class_init (ScalerEngineRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = scaler_engine_registry_dispose;

  signals[ENGINE_CHANGED] = g_signal_new ("engine-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
scaler_engine_registry_init (ScalerEngineRegistry *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
}

ScalerEngineRegistry *
scaler_engine_registry_new (ScalerCredentials *keyring,
                            ScalerCredentials *fallback)
{
  ScalerEngineRegistry *self;

  g_return_val_if_fail (keyring == NULL || SCALER_IS_CREDENTIALS (keyring), NULL);
  g_return_val_if_fail (fallback == NULL || SCALER_IS_CREDENTIALS (fallback), NULL);

  self = g_object_new (SCALER_TYPE_ENGINE_REGISTRY, NULL);
  self->keyring = keyring != NULL ? g_object_ref (keyring) : NULL;
  self->fallback = fallback != NULL ? g_object_ref (fallback) : NULL;
  return self;
}

ScalerEngine *
scaler_engine_registry_get_engine (ScalerEngineRegistry *self,
                                   const char           *id)
{
  Entry *entry;

  g_return_val_if_fail (SCALER_IS_ENGINE_REGISTRY (self), NULL);

  if (id == NULL || self->entries == NULL)
    return NULL;
  entry = g_hash_table_lookup (self->entries, id);
  return entry != NULL ? entry->engine : NULL;
}

guint
scaler_engine_registry_get_n_engines (ScalerEngineRegistry *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_return_val_if_fail (SCALER_IS_ENGINE_REGISTRY (self), 0);

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Entry *) value)->engine != NULL)
      n++;
  return n;
}

/* ---- start ---- */

static gint64
history_newest_time (ScalerHistory *history)
{
  GPtrArray *all;
  gint64 newest = 0;

  if (history == NULL)
    return 0;
  all = scaler_history_list_series (history);
  for (guint i = 0; i < all->len; i++)
    {
      gint64 max_time;

      if (scaler_series_get_range (g_ptr_array_index (all, i), NULL, &max_time, NULL, NULL))
        newest = MAX (newest, max_time);
    }
  return newest;
}

typedef struct
{
  ScalerConfig  *config;
  GCancellable  *starting;   /* the entry's: tells a newer entry of the same id apart */
  char          *state_dir;  /* apply_config() restarts only */
  ScalerHistory *history;    /* apply_config() restarts only */
} StartData;

static void
start_data_free (StartData *data)
{
  g_clear_pointer (&data->config, scaler_config_unref);
  g_clear_object (&data->starting);
  g_free (data->state_dir);
  g_clear_object (&data->history);
  g_free (data);
}

static StartData *
start_data_new (ScalerConfig *config)
{
  StartData *data = g_new0 (StartData, 1);

  data->config = scaler_config_ref (config);
  return data;
}

/* The secrets are there: build, register and start. */
static gboolean
start_entry (ScalerEngineRegistry  *self,
             Entry                 *entry,
             ScalerConfig          *config,
             const ScalerSecrets   *secrets,
             GError               **error)
{
  gint64 not_before = history_newest_time (entry->history);
  ScalerEngine *engine;

  /* A demo's virtual clock resumes after the history it already has. */
  if (not_before > 0)
    not_before += G_USEC_PER_SEC;
  engine = scaler_engine_registry_build_engine (config, secrets, entry->state_dir, not_before, error);
  if (engine == NULL)
    return FALSE;
  if (entry->history != NULL)
    scaler_engine_set_history (engine, entry->history);
  entry->engine = engine;
  g_clear_object (&entry->starting);
  /* Before the start, so that handlers see its first lines. */
  g_signal_emit (self, signals[ENGINE_CHANGED], 0, entry->id);
  scaler_engine_start (engine);
  return TRUE;
}

static void
start_lookup_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScalerEngineRegistry *self = SCALER_ENGINE_REGISTRY (object);
  StartData *data = g_task_get_task_data (task);
  ScalerConfig *config = data->config;
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  Entry *entry;

  g_assert (SCALER_IS_ENGINE_REGISTRY (self));

  secrets = scaler_engine_registry_lookup_secrets_finish (self, result, &error);
  entry = self->entries != NULL ? g_hash_table_lookup (self->entries, config->id) : NULL;
  /* Stopped (or the registry disposed) while the secrets were looked up. */
  if (entry == NULL || entry->starting != data->starting || g_cancellable_is_cancelled (data->starting))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The autoscaler was stopped before it started"));
      return;
    }
  if (error == NULL && !start_entry (self, entry, config, secrets, &error))
    g_assert (error != NULL);
  if (error != NULL)
    {
      g_hash_table_remove (self->entries, config->id);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, entry->engine, NULL);
}

void
scaler_engine_registry_start_async (ScalerEngineRegistry *self,
                                    ScalerConfig         *config,
                                    const char           *state_dir,
                                    ScalerHistory        *history,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  StartData *data;
  Entry *entry;

  g_return_if_fail (SCALER_IS_ENGINE_REGISTRY (self));
  g_return_if_fail (config != NULL);
  g_return_if_fail (history == NULL || SCALER_IS_HISTORY (history));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_engine_registry_start_async);

  entry = g_hash_table_lookup (self->entries, config->id);
  if (entry != NULL)
    {
      if (entry->engine != NULL)
        g_task_return_pointer (task, entry->engine, NULL);
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                                 _("The autoscaler is already starting"));
      return;
    }

  entry = g_new0 (Entry, 1);
  entry->id = g_strdup (config->id);
  entry->state_dir = state_dir != NULL ? g_strdup (state_dir) : scaler_engine_registry_dup_state_dir (config->id);
  entry->history = history != NULL ? g_object_ref (history) : NULL;
  entry->starting = g_cancellable_new ();
  g_hash_table_insert (self->entries, entry->id, entry);

  data = start_data_new (config);
  data->starting = g_object_ref (entry->starting);
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);
  scaler_engine_registry_lookup_secrets_async (self, config, entry->starting, start_lookup_cb,
                                               g_steal_pointer (&task));
}

ScalerEngine *
scaler_engine_registry_start_finish (ScalerEngineRegistry  *self,
                                     GAsyncResult          *result,
                                     GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- stop ---- */

static void
stop_engine_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScalerEngineRegistry *self = g_task_get_source_object (task);
  const char *id = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;
  Entry *entry;

  g_assert (SCALER_IS_ENGINE_REGISTRY (self));

  ok = scaler_engine_stop_finish (SCALER_ENGINE (object), result, &error);

  /* Forget the engine either way: a failed stop was logged by the engine. */
  entry = self->entries != NULL ? g_hash_table_lookup (self->entries, id) : NULL;
  if (entry != NULL && entry->engine == SCALER_ENGINE (object))
    {
      g_hash_table_remove (self->entries, id);
      g_signal_emit (self, signals[ENGINE_CHANGED], 0, id);
    }

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
scaler_engine_registry_stop_async (ScalerEngineRegistry *self,
                                   const char           *id,
                                   double                timeout_s,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  Entry *entry;

  g_return_if_fail (SCALER_IS_ENGINE_REGISTRY (self));
  g_return_if_fail (id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_engine_registry_stop_async);
  g_task_set_task_data (task, g_strdup (id), g_free);

  entry = g_hash_table_lookup (self->entries, id);
  if (entry == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (entry->engine == NULL)
    {
      /* Still looking up secrets: the start is abandoned. */
      g_hash_table_remove (self->entries, id);
      g_task_return_boolean (task, TRUE);
      return;
    }

  scaler_engine_stop_async (entry->engine, timeout_s > 0 ? timeout_s : 20.0, cancellable,
                            stop_engine_cb, g_steal_pointer (&task));
}

gboolean
scaler_engine_registry_stop_finish (ScalerEngineRegistry  *self,
                                    GAsyncResult          *result,
                                    GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- stop all ---- */

typedef struct
{
  guint    pending;
  GSource *deadline;
} StopAllData;

static void
stop_all_data_free (StopAllData *data)
{
  if (data->deadline != NULL)
    {
      g_source_destroy (data->deadline);
      g_source_unref (data->deadline);
    }
  g_free (data);
}

static void
stop_all_one_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StopAllData *data = g_task_get_task_data (task);

  g_assert (G_IS_TASK (task));

  scaler_engine_registry_stop_finish (SCALER_ENGINE_REGISTRY (object), result, NULL);
  data->pending--;
  if (data->pending == 0 && !g_task_get_completed (task))
    g_task_return_boolean (task, TRUE);
}

static gboolean
stop_all_deadline_cb (gpointer user_data)
{
  GTask *task = user_data;
  StopAllData *data = g_task_get_task_data (task);

  g_assert (G_IS_TASK (task));

  if (!g_task_get_completed (task) && data->pending > 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                             g_dngettext (GETTEXT_PACKAGE,
                                          "%u autoscaler did not stop in time",
                                          "%u autoscalers did not stop in time", data->pending),
                             data->pending);
  return G_SOURCE_REMOVE;
}

void
scaler_engine_registry_stop_all_async (ScalerEngineRegistry *self,
                                       double                timeout_s,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree const char **ids = NULL;
  StopAllData *data;
  guint n_ids = 0;

  g_return_if_fail (SCALER_IS_ENGINE_REGISTRY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_engine_registry_stop_all_async);
  ids = (const char **) g_hash_table_get_keys_as_array (self->entries, &n_ids);
  if (n_ids == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  data = g_new0 (StopAllData, 1);
  data->pending = n_ids;
  g_task_set_task_data (task, data, (GDestroyNotify) stop_all_data_free);
  data->deadline = g_timeout_source_new ((guint) (MAX (timeout_s, 1.0) * 1000));
  g_source_set_callback (data->deadline, stop_all_deadline_cb, task, NULL);
  g_source_attach (data->deadline, g_main_context_get_thread_default ());

  for (guint i = 0; i < n_ids; i++)
    {
      g_autofree char *id = g_strdup (ids[i]);

      /* The engines honour on_stop within a little less than our bound. */
      scaler_engine_registry_stop_async (self, id, MAX (1.0, timeout_s - 2.0), NULL, stop_all_one_cb,
                                         g_object_ref (task));
    }
}

gboolean
scaler_engine_registry_stop_all_finish (ScalerEngineRegistry  *self,
                                        GAsyncResult          *result,
                                        GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
stop_all_sync_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_ENGINE_REGISTRY (object));

  if (!scaler_engine_registry_stop_all_finish (SCALER_ENGINE_REGISTRY (object), result, &error))
    g_message ("%s", error->message);
  *done = TRUE;
}

void
scaler_engine_registry_stop_all (ScalerEngineRegistry *self,
                                 double                timeout_s)
{
  gboolean done = FALSE;

  g_return_if_fail (SCALER_IS_ENGINE_REGISTRY (self));

  scaler_engine_registry_stop_all_async (self, timeout_s, NULL, stop_all_sync_cb, &done);
  while (!done)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
}

/* ---- a new config for a running engine ---- */

static void
apply_restart_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_ENGINE_REGISTRY (object));

  if (scaler_engine_registry_start_finish (SCALER_ENGINE_REGISTRY (object), result, &error) == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Demo <-> real: stop as configured, then start anew. */
static void
apply_stopped_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScalerEngineRegistry *self = SCALER_ENGINE_REGISTRY (object);
  StartData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_assert (SCALER_IS_ENGINE_REGISTRY (self));

  scaler_engine_registry_stop_finish (self, result, NULL);
  scaler_engine_registry_start_async (self, data->config, data->state_dir, data->history,
                                      cancellable, apply_restart_cb, g_steal_pointer (&task));
}

static void
apply_lookup_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScalerEngineRegistry *self = SCALER_ENGINE_REGISTRY (object);
  ScalerConfig *config = ((StartData *) g_task_get_task_data (task))->config;
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(ScalerCloud) cloud = NULL;
  g_autoptr(ScalerQueueSource) queues = NULL;
  g_autoptr(GError) error = NULL;
  UserDataClosure *closure = NULL;
  ScalerEngine *engine = scaler_engine_registry_get_engine (self, config->id);

  g_assert (SCALER_IS_ENGINE_REGISTRY (self));

  secrets = scaler_engine_registry_lookup_secrets_finish (self, result, &error);
  if (engine == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (error != NULL || !build_real_parts (config, secrets, &cloud, &queues, &closure, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  scaler_engine_set_seams (engine, cloud, queues);
  scaler_engine_set_user_data_func (engine, bootstrap_user_data, closure, user_data_closure_free);
  scaler_engine_set_config (engine, config);
  g_task_return_boolean (task, TRUE);
}

void
scaler_engine_registry_apply_config_async (ScalerEngineRegistry *self,
                                           ScalerConfig         *config,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  StartData *data;
  Entry *entry;

  g_return_if_fail (SCALER_IS_ENGINE_REGISTRY (self));
  g_return_if_fail (config != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_engine_registry_apply_config_async);
  data = start_data_new (config);
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);

  entry = g_hash_table_lookup (self->entries, config->id);
  if (entry == NULL || entry->engine == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (scaler_engine_get_config (entry->engine)->demo != config->demo)
    {
      data->history = entry->history != NULL ? g_object_ref (entry->history) : NULL;
      data->state_dir = g_strdup (entry->state_dir);
      scaler_engine_registry_stop_async (self, config->id, 0, cancellable, apply_stopped_cb,
                                         g_steal_pointer (&task));
      return;
    }
  if (config->demo)
    {
      /* The simulated world stays; only the config changes. */
      scaler_engine_set_config (entry->engine, config);
      g_task_return_boolean (task, TRUE);
      return;
    }
  scaler_engine_registry_lookup_secrets_async (self, config, cancellable, apply_lookup_cb,
                                               g_steal_pointer (&task));
}

gboolean
scaler_engine_registry_apply_config_finish (ScalerEngineRegistry  *self,
                                            GAsyncResult          *result,
                                            GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
