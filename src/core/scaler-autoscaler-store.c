/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-autoscaler-store.c: saved autoscalers, one <id>.json each.
 *
 * A file that does not load stays where it is, untouched, as a broken item;
 * the store never writes to its path. Edits replace an item's config in place. */

#define G_LOG_DOMAIN "scaler-autoscaler-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "scaler-config-private.h"
#include "scaler-error.h"
#include "scaler-util.h"
#include "scaler-autoscaler-store.h"

/* ScalerAutoscaler */

struct _ScalerAutoscaler
{
  GObject       parent_instance;

  char         *id;
  char         *path;
  ScalerConfig *config;      /* NULL when broken */
  char         *load_error;  /* NULL when fine */
  char         *file_name;
};

G_DEFINE_FINAL_TYPE (ScalerAutoscaler, scaler_autoscaler, G_TYPE_OBJECT)

enum {
  SAVED_PROP_0,
  SAVED_PROP_ID,
  SAVED_PROP_NAME,
  SAVED_PROP_CONFIG,
  SAVED_PROP_PATH,
  SAVED_PROP_LOAD_ERROR,
  N_SAVED_PROPS
};

static GParamSpec *saved_properties[N_SAVED_PROPS];

static ScalerAutoscaler *
autoscaler_new (const char   *id,
                    const char   *path,
                    ScalerConfig *config,
                    const char   *load_error)
{
  ScalerAutoscaler *self = g_object_new (SCALER_TYPE_AUTOSCALER, NULL);

  self->id = g_strdup (id);
  self->path = g_strdup (path);
  self->config = config != NULL ? scaler_config_ref (config) : NULL;
  self->load_error = g_strdup (load_error);
  self->file_name = g_path_get_basename (path);

  return self;
}

/* Swaps in @config and notifies what changed. */
static void
autoscaler_set_config (ScalerAutoscaler *self,
                           ScalerConfig        *config)
{
  gboolean name_changed;

  name_changed = self->config == NULL || g_strcmp0 (self->config->name, config->name) != 0;

  scaler_config_ref (config);
  g_clear_pointer (&self->config, scaler_config_unref);
  self->config = config;

  g_object_notify_by_pspec (G_OBJECT (self), saved_properties[SAVED_PROP_CONFIG]);
  if (name_changed)
    g_object_notify_by_pspec (G_OBJECT (self), saved_properties[SAVED_PROP_NAME]);
}

static void
scaler_autoscaler_finalize (GObject *object)
{
  ScalerAutoscaler *self = SCALER_AUTOSCALER (object);

  g_free (self->id);
  g_free (self->path);
  g_clear_pointer (&self->config, scaler_config_unref);
  g_free (self->load_error);
  g_free (self->file_name);

  G_OBJECT_CLASS (scaler_autoscaler_parent_class)->finalize (object);
}

static void
scaler_autoscaler_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ScalerAutoscaler *self = SCALER_AUTOSCALER (object);

  switch (prop_id)
    {
    case SAVED_PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case SAVED_PROP_NAME:
      g_value_set_string (value, scaler_autoscaler_get_name (self));
      break;

    case SAVED_PROP_CONFIG:
      g_value_set_boxed (value, self->config);
      break;

    case SAVED_PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case SAVED_PROP_LOAD_ERROR:
      g_value_set_string (value, self->load_error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_autoscaler_class_init (ScalerAutoscalerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scaler_autoscaler_finalize;
  object_class->get_property = scaler_autoscaler_get_property;

  saved_properties[SAVED_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  saved_properties[SAVED_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  saved_properties[SAVED_PROP_CONFIG] =
    g_param_spec_boxed ("config", NULL, NULL, SCALER_TYPE_CONFIG,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  saved_properties[SAVED_PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  saved_properties[SAVED_PROP_LOAD_ERROR] =
    g_param_spec_string ("load-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_SAVED_PROPS, saved_properties);
}

static void
scaler_autoscaler_init (ScalerAutoscaler *self)
{
}

const char *
scaler_autoscaler_get_id (ScalerAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_AUTOSCALER (self), NULL);

  return self->id;
}

const char *
scaler_autoscaler_get_name (ScalerAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_AUTOSCALER (self), NULL);

  if (self->config != NULL)
    return self->config->name;

  return self->file_name;
}

ScalerConfig *
scaler_autoscaler_get_config (ScalerAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_AUTOSCALER (self), NULL);

  return self->config;
}

const char *
scaler_autoscaler_get_path (ScalerAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_AUTOSCALER (self), NULL);

  return self->path;
}

const char *
scaler_autoscaler_get_load_error (ScalerAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_AUTOSCALER (self), NULL);

  return self->load_error;
}

gboolean
scaler_autoscaler_is_broken (ScalerAutoscaler *self)
{
  g_return_val_if_fail (SCALER_IS_AUTOSCALER (self), TRUE);

  return self->config == NULL;
}

/* ScalerAutoscalerStore */

struct _ScalerAutoscalerStore
{
  GObject    parent_instance;

  char      *directory;
  GPtrArray *items;  /* of ScalerAutoscaler, sorted by name then id */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ScalerAutoscalerStore, scaler_autoscaler_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_DIRECTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
scaler_autoscaler_store_get_item_type (GListModel *model)
{
  return SCALER_TYPE_AUTOSCALER;
}

static guint
scaler_autoscaler_store_get_n_items (GListModel *model)
{
  return SCALER_AUTOSCALER_STORE (model)->items->len;
}

static gpointer
scaler_autoscaler_store_get_item (GListModel *model,
                                guint       position)
{
  ScalerAutoscalerStore *self = SCALER_AUTOSCALER_STORE (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = scaler_autoscaler_store_get_item_type;
  iface->get_n_items = scaler_autoscaler_store_get_n_items;
  iface->get_item = scaler_autoscaler_store_get_item;
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  ScalerAutoscaler *ia = *(ScalerAutoscaler **) a;
  ScalerAutoscaler *ib = *(ScalerAutoscaler **) b;
  g_autofree char *ka = g_utf8_collate_key (scaler_autoscaler_get_name (ia), -1);
  g_autofree char *kb = g_utf8_collate_key (scaler_autoscaler_get_name (ib), -1);
  int result = strcmp (ka, kb);

  return result != 0 ? result : g_strcmp0 (ia->id, ib->id);
}

static void
scaler_autoscaler_store_finalize (GObject *object)
{
  ScalerAutoscalerStore *self = SCALER_AUTOSCALER_STORE (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_free (self->directory);

  G_OBJECT_CLASS (scaler_autoscaler_store_parent_class)->finalize (object);
}

static void
scaler_autoscaler_store_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ScalerAutoscalerStore *self = SCALER_AUTOSCALER_STORE (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_autoscaler_store_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ScalerAutoscalerStore *self = SCALER_AUTOSCALER_STORE (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_free (self->directory);
      self->directory = g_value_get_string (value) != NULL
                        ? g_value_dup_string (value)
                        : scaler_autoscaler_store_dup_default_directory ();
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scaler_autoscaler_store_class_init (ScalerAutoscalerStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scaler_autoscaler_store_finalize;
  object_class->get_property = scaler_autoscaler_store_get_property;
  object_class->set_property = scaler_autoscaler_store_set_property;

  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
scaler_autoscaler_store_init (ScalerAutoscalerStore *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

char *
scaler_autoscaler_store_dup_default_directory (void)
{
  return g_build_filename (g_get_user_config_dir (), "ec2-autoscaler", NULL);
}

ScalerAutoscalerStore *
scaler_autoscaler_store_new (const char *directory)
{
  return g_object_new (SCALER_TYPE_AUTOSCALER_STORE, "directory", directory, NULL);
}

const char *
scaler_autoscaler_store_get_directory (ScalerAutoscalerStore *self)
{
  g_return_val_if_fail (SCALER_IS_AUTOSCALER_STORE (self), NULL);

  return self->directory;
}

static gboolean
find_index (ScalerAutoscalerStore *self,
            const char          *id,
            guint               *index)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      ScalerAutoscaler *item = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (item->id, id) == 0)
        {
          if (index != NULL)
            *index = i;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
path_in_use (ScalerAutoscalerStore *self,
             const char          *path)
{
  for (guint i = 0; i < self->items->len; i++)
    if (g_strcmp0 (((ScalerAutoscaler *) g_ptr_array_index (self->items, i))->path, path) == 0)
      return TRUE;

  return FALSE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static ScalerAutoscaler *
load_file (const char *path)
{
  g_autofree char *basename = g_path_get_basename (path);
  g_autofree char *file_id = g_strndup (basename, strlen (basename) - strlen (".json"));
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot read the file: %s"), error->message);

      return autoscaler_new (file_id, path, NULL, message);
    }

  config = scaler_config_load (contents, length, &problems, &error);
  if (config == NULL)
    {
      /* Keep the config's own id when it can be read, so that nothing else
       * is ever saved under it. */
      g_autoptr(ScalerConfig) lenient = scaler_config_new_from_json (contents, length, NULL);
      const char *id = lenient != NULL && g_uuid_string_is_valid (lenient->id) ? lenient->id : file_id;

      return autoscaler_new (id, path, NULL, error->message);
    }

  return autoscaler_new (config->id, path, config, NULL);
}

static gboolean
id_in (GPtrArray  *items,
       const char *id)
{
  for (guint j = 0; j < items->len; j++)
    if (g_strcmp0 (((ScalerAutoscaler *) g_ptr_array_index (items, j))->id, id) == 0)
      return TRUE;
  return FALSE;
}

/* load_file(), and a broken item for a second file holding an id that
 * @items already has. */
static ScalerAutoscaler *
load_unique (const char *path,
             GPtrArray  *items)
{
  ScalerAutoscaler *item = load_file (path);
  g_autofree char *message = NULL;
  g_autofree char *file_id = NULL;

  if (!id_in (items, item->id))
    return item;

  message = g_strdup_printf (_("Another file already holds the instance %s; this copy is ignored"), item->id);
  file_id = g_strndup (item->file_name, strlen (item->file_name) - strlen (".json"));
  g_object_unref (item);
  item = autoscaler_new (file_id, path, NULL, message);
  if (id_in (items, file_id))
    {
      g_free (item->id);
      item->id = g_strdup (path);
    }
  return item;
}

/* The *.json file names of the directory, sorted; NULL and an error when it
 * exists but cannot be listed. */
static GPtrArray *
list_names (ScalerAutoscalerStore  *self,
            GError                **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  dir = g_dir_open (self->directory, 0, &local_error);
  if (dir == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO,
                   _("Cannot list the saved autoscalers in %s: %s"),
                   self->directory, local_error->message);
      g_ptr_array_unref (names);
      return NULL;
    }

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json") && strlen (name) > strlen (".json") && name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

gboolean
scaler_autoscaler_store_load (ScalerAutoscalerStore  *self,
                            GError              **error)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint removed;

  g_return_val_if_fail (SCALER_IS_AUTOSCALER_STORE (self), FALSE);

  names = list_names (self, error);
  if (names == NULL)
    return FALSE;
  items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (self->directory, g_ptr_array_index (names, i), NULL);
      ScalerAutoscaler *item = load_unique (path, items);

      if (item->load_error != NULL)
        g_message ("Saved autoscaler %s does not load: %s", path, item->load_error);

      g_ptr_array_add (items, item);
    }

  g_ptr_array_sort (items, compare_items);

  removed = self->items->len;
  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&items);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->items->len);

  return TRUE;
}

ScalerAutoscaler *
scaler_autoscaler_store_find (ScalerAutoscalerStore *self,
                            const char          *id)
{
  guint index;

  g_return_val_if_fail (SCALER_IS_AUTOSCALER_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!find_index (self, id, &index))
    return NULL;

  return g_ptr_array_index (self->items, index);
}

static gboolean
validate_for_saving (ScalerConfig  *config,
                     GError       **error)
{
  g_autoptr(GPtrArray) problems = scaler_config_validate (config);
  g_autofree char *text = _scaler_config_problems_error_text (problems);

  if (text == NULL)
    return TRUE;

  g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG, text);
  return FALSE;
}

static gboolean
write_config (const char    *path,
              ScalerConfig  *config,
              GError       **error)
{
  g_autofree char *json = scaler_config_to_json (config);

  return scaler_file_replace (path, json, -1, NULL, error);
}

static guint
insert_sorted (ScalerAutoscalerStore *self,
               ScalerAutoscaler *item)
{
  guint position = 0;

  while (position < self->items->len &&
         compare_items (&g_ptr_array_index (self->items, position), &item) < 0)
    position++;

  g_ptr_array_insert (self->items, position, item);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);

  return position;
}

ScalerAutoscaler *
scaler_autoscaler_store_add (ScalerAutoscalerStore  *self,
                           ScalerConfig         *config,
                           GError              **error)
{
  g_autofree char *basename = NULL;
  g_autofree char *path = NULL;
  ScalerAutoscaler *item;

  g_return_val_if_fail (SCALER_IS_AUTOSCALER_STORE (self), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  if (!validate_for_saving (config, error))
    return NULL;

  basename = g_strconcat (config->id, ".json", NULL);
  path = g_build_filename (self->directory, basename, NULL);

  if (find_index (self, config->id, NULL) || path_in_use (self, path))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED,
                   _("An instance with the id %s is already saved"), config->id);
      return NULL;
    }

  /* A file the store does not know about (e.g. created after load) is not ours to replace. */
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED,
                   _("%s already exists; it is left untouched"), path);
      return NULL;
    }

  if (!write_config (path, config, error))
    return NULL;

  item = autoscaler_new (config->id, path, config, NULL);
  insert_sorted (self, item);

  return item;
}

static ScalerAutoscaler *
find_loaded (ScalerAutoscalerStore  *self,
             const char           *id,
             guint                *index,
             GError              **error)
{
  ScalerAutoscaler *item;
  guint position;

  if (!find_index (self, id, &position))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED,
                   _("There is no saved autoscaler with the id %s"), id);
      return NULL;
    }

  item = g_ptr_array_index (self->items, position);
  if (item->config == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED,
                   _("%s did not load (%s); it is left untouched"), item->path, item->load_error);
      return NULL;
    }

  if (index != NULL)
    *index = position;

  return item;
}

/* The item keeps its position after a rename: moving it would remove and
 * re-insert it (gtk_list_box_bind_model recreates rows on items-changed,
 * losing the sidebar's selection and focus). The next load() sorts again. */
static gboolean
replace_config (ScalerAutoscalerStore  *self,
                ScalerAutoscaler       *item,
                ScalerConfig           *config,
                GError                **error)
{
  if (!validate_for_saving (config, error))
    return FALSE;

  if (!write_config (item->path, config, error))
    return FALSE;

  autoscaler_set_config (item, config);

  return TRUE;
}

gboolean
scaler_autoscaler_store_update (ScalerAutoscalerStore  *self,
                              ScalerConfig         *config,
                              GError              **error)
{
  ScalerAutoscaler *item;

  g_return_val_if_fail (SCALER_IS_AUTOSCALER_STORE (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  item = find_loaded (self, config->id, NULL, error);
  if (item == NULL)
    return FALSE;

  return replace_config (self, item, config, error);
}

ScalerAutoscaler *
scaler_autoscaler_store_duplicate (ScalerAutoscalerStore  *self,
                                 const char           *id,
                                 GError              **error)
{
  g_autoptr(ScalerConfig) copy = NULL;
  ScalerAutoscaler *item;

  g_return_val_if_fail (SCALER_IS_AUTOSCALER_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  item = find_loaded (self, id, NULL, error);
  if (item == NULL)
    return NULL;

  copy = scaler_config_copy (item->config);
  g_free (copy->id);
  copy->id = g_uuid_string_random ();
  g_free (copy->name);
  /* Translators: the name of a duplicated instance; %s is the original name. */
  copy->name = g_strdup_printf (_("%s (copy)"), item->config->name);

  return scaler_autoscaler_store_add (self, copy, error);
}

gboolean
scaler_autoscaler_store_rename (ScalerAutoscalerStore  *self,
                              const char           *id,
                              const char           *name,
                              GError              **error)
{
  g_autoptr(ScalerConfig) copy = NULL;
  ScalerAutoscaler *item;

  g_return_val_if_fail (SCALER_IS_AUTOSCALER_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  item = find_loaded (self, id, NULL, error);
  if (item == NULL)
    return FALSE;

  copy = scaler_config_copy (item->config);
  g_free (copy->name);
  copy->name = g_strdup (name);

  return replace_config (self, item, copy, error);
}

gboolean
scaler_autoscaler_store_delete (ScalerAutoscalerStore  *self,
                              const char           *id,
                              GError              **error)
{
  ScalerAutoscaler *item;
  guint index;

  g_return_val_if_fail (SCALER_IS_AUTOSCALER_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!find_index (self, id, &index))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED,
                   _("There is no saved autoscaler with the id %s"), id);
      return FALSE;
    }

  item = g_ptr_array_index (self->items, index);
  if (g_unlink (item->path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO,
                   _("Cannot delete %s: %s"), item->path, g_strerror (saved_errno));
      return FALSE;
    }

  g_ptr_array_remove_index (self->items, index);
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);

  return TRUE;
}

static void
delete_clear_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (G_IS_TASK (task));

  if (!scaler_credentials_clear_all_finish (SCALER_CREDENTIALS (object), result, &error))
    {
      g_prefix_error (&error, _("The file was deleted, but its secrets could not be removed: "));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
scaler_autoscaler_store_delete_async (ScalerAutoscalerStore *self,
                                    const char          *id,
                                    ScalerCredentials   *credentials,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *instance_id = NULL;
  GError *error = NULL;

  g_return_if_fail (SCALER_IS_AUTOSCALER_STORE (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (credentials == NULL || SCALER_IS_CREDENTIALS (credentials));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scaler_autoscaler_store_delete_async);

  /* @id may belong to the item that delete() frees. */
  instance_id = g_strdup (id);
  if (!scaler_autoscaler_store_delete (self, instance_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (credentials == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  scaler_credentials_clear_all_async (credentials, instance_id, cancellable, delete_clear_cb,
                                      g_steal_pointer (&task));
}

gboolean
scaler_autoscaler_store_delete_finish (ScalerAutoscalerStore  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- refresh: the directory changed under us ---- */

/* Takes @fresh's file state into @item (same id, same path), notifying
 * only what changed. */
static void
item_take_state (ScalerAutoscaler *item,
                 ScalerAutoscaler *fresh)
{
  g_autofree char *old_json = item->config != NULL ? scaler_config_to_json (item->config) : NULL;
  g_autofree char *new_json = fresh->config != NULL ? scaler_config_to_json (fresh->config) : NULL;
  const char *old_name = scaler_autoscaler_get_name (item);
  gboolean name_changed = g_strcmp0 (old_name, scaler_autoscaler_get_name (fresh)) != 0;

  g_object_freeze_notify (G_OBJECT (item));
  if (g_strcmp0 (old_json, new_json) != 0)
    {
      g_clear_pointer (&item->config, scaler_config_unref);
      item->config = fresh->config != NULL ? scaler_config_ref (fresh->config) : NULL;
      g_object_notify_by_pspec (G_OBJECT (item), saved_properties[SAVED_PROP_CONFIG]);
    }
  if (g_strcmp0 (item->load_error, fresh->load_error) != 0)
    {
      g_free (item->load_error);
      item->load_error = g_strdup (fresh->load_error);
      g_object_notify_by_pspec (G_OBJECT (item), saved_properties[SAVED_PROP_LOAD_ERROR]);
    }
  if (name_changed)
    g_object_notify_by_pspec (G_OBJECT (item), saved_properties[SAVED_PROP_NAME]);
  g_object_thaw_notify (G_OBJECT (item));
}

static gboolean
name_listed (GPtrArray  *names,
             const char *file_name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i), file_name) == 0)
      return TRUE;
  return FALSE;
}

static ScalerAutoscaler *
find_by_path (ScalerAutoscalerStore *self,
              const char            *path,
              guint                 *index)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      ScalerAutoscaler *item = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (item->path, path) == 0)
        {
          *index = i;
          return item;
        }
    }
  return NULL;
}

gboolean
scaler_autoscaler_store_refresh (ScalerAutoscalerStore  *self,
                                 GError                **error)
{
  g_autoptr(GPtrArray) names = NULL;

  g_return_val_if_fail (SCALER_IS_AUTOSCALER_STORE (self), FALSE);

  names = list_names (self, error);
  if (names == NULL)
    return FALSE;

  /* Files that went away. */
  for (guint i = self->items->len; i > 0; i--)
    {
      ScalerAutoscaler *item = g_ptr_array_index (self->items, i - 1);

      if (!name_listed (names, item->file_name))
        {
          g_ptr_array_remove_index (self->items, i - 1);
          g_list_model_items_changed (G_LIST_MODEL (self), i - 1, 1, 0);
        }
    }

  /* Files that changed, and new files. */
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (self->directory, g_ptr_array_index (names, i), NULL);
      guint index = 0;
      ScalerAutoscaler *item = find_by_path (self, path, &index);
      g_autoptr(ScalerAutoscaler) fresh = NULL;

      if (item != NULL)
        {
          /* Ids other than this file's own. */
          g_autoptr(ScalerAutoscaler) held = g_object_ref (item);

          g_ptr_array_remove_index (self->items, index);
          fresh = load_unique (path, self->items);
          g_ptr_array_insert (self->items, index, g_steal_pointer (&held));
          if (g_strcmp0 (fresh->id, item->id) == 0)
            {
              item_take_state (item, fresh);
              continue;
            }
          /* The file now holds another autoscaler: a removal and an addition. */
          g_ptr_array_remove_index (self->items, index);
          g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);
        }
      else
        fresh = load_unique (path, self->items);

      if (fresh->load_error != NULL)
        g_message ("Saved autoscaler %s does not load: %s", path, fresh->load_error);
      insert_sorted (self, g_steal_pointer (&fresh));
    }
  return TRUE;
}

gboolean
scaler_autoscaler_store_overwrite (ScalerAutoscalerStore  *self,
                                   ScalerConfig           *config,
                                   GError                **error)
{
  ScalerAutoscaler *item;

  g_return_val_if_fail (SCALER_IS_AUTOSCALER_STORE (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  item = scaler_autoscaler_store_find (self, config->id);
  if (item == NULL || item->config != NULL)
    return scaler_autoscaler_store_update (self, config, error);
  if (!replace_config (self, item, config, error))
    return FALSE;
  g_clear_pointer (&item->load_error, g_free);
  g_object_notify_by_pspec (G_OBJECT (item), saved_properties[SAVED_PROP_LOAD_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (item), saved_properties[SAVED_PROP_NAME]);
  return TRUE;
}
