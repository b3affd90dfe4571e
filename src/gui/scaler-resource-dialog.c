/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-resource-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "scaler-gui-util.h"
#include "scaler-prices.h"
#include "scaler-resource-dialog.h"

struct _ScalerResourceDialog
{
  AdwWindow        parent_instance;

  ScalerResource  *resource;        /* the values the form was filled with */
  char            *region;
  GPtrArray       *zones;           /* chosen zones, in order of preference */
  GPtrArray       *zone_checks;     /* GtkCheckButton per zone row */
  gboolean         valid;
  gboolean         loading;
  gboolean         types_filled;

  /* Template children */
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  AdwWindowTitle  *window_title;
  GtkWidget       *apply_button;
  AdwEntryRow     *name_row;
  AdwEntryRow     *queue_row;
  AdwActionRow    *max_row;
  GtkSpinButton   *max_spin;
  AdwActionRow    *type_row;
  GtkLabel        *type_label;
  AdwEntryRow     *ami_row;
  AdwEntryRow     *key_row;
  AdwEntryRow     *iam_row;
  AdwEntryRow     *tags_row;
  AdwExpanderRow  *zones_row;
  AdwEntryRow     *subnets_row;
  AdwEntryRow     *groups_row;
  AdwEntryRow     *ebs_device_row;
  AdwActionRow    *ebs_size_row;
  GtkSpinButton   *ebs_size_spin;
  AdwComboRow     *ebs_type_row;
  AdwActionRow    *ebs_iops_row;
  GtkSpinButton   *ebs_iops_spin;
  AdwActionRow    *ebs_throughput_row;
  GtkSpinButton   *ebs_throughput_spin;
  AdwComboRow     *public_ip_row;
  AdwComboRow     *gpu_row;
  AdwActionRow    *hop_limit_row;
  GtkSpinButton   *hop_limit_spin;
  AdwActionRow    *spot_row;
  GtkSwitch       *spot_switch;
  AdwActionRow    *fallback_row;
  GtkSwitch       *fallback_switch;
  GtkSearchEntry  *type_search;
  GtkListBox      *type_list;
};

G_DEFINE_FINAL_TYPE (ScalerResourceDialog, scaler_resource_dialog, ADW_TYPE_WINDOW)

enum {
  APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const ebs_types[] = { "", "gp3", "gp2", "io1", "io2", "st1", "sc1", "standard" };
/* The GPU choices (the resource's cpu_only), in the order of gpu_row's model. */
static const ScalerCpuOnly gpu_choices[] = {
  SCALER_CPU_ONLY_AUTO,
  SCALER_CPU_ONLY_NO,
  SCALER_CPU_ONLY_YES,
};

/* The public IP choices, in the order of public_ip_row's model. */
static const ScalerPublicIp public_ip_choices[] = {
  SCALER_PUBLIC_IP_SUBNET_DEFAULT, SCALER_PUBLIC_IP_YES, SCALER_PUBLIC_IP_NO
};

/* The row of each config field (a problem's path names the field), and so
 * every row that can show an error. */
static const struct {
  const char *prefix;
  gsize offset;
} field_rows[] = {
  { "name", G_STRUCT_OFFSET (ScalerResourceDialog, name_row) },
  { "queue", G_STRUCT_OFFSET (ScalerResourceDialog, queue_row) },
  { "max_instances", G_STRUCT_OFFSET (ScalerResourceDialog, max_row) },
  { "instance_type", G_STRUCT_OFFSET (ScalerResourceDialog, type_row) },
  { "availability_zones", G_STRUCT_OFFSET (ScalerResourceDialog, zones_row) },
  { "subnet_ids", G_STRUCT_OFFSET (ScalerResourceDialog, subnets_row) },
  { "ami_id", G_STRUCT_OFFSET (ScalerResourceDialog, ami_row) },
  { "ebs_device_name", G_STRUCT_OFFSET (ScalerResourceDialog, ebs_device_row) },
  { "ebs_volume_size", G_STRUCT_OFFSET (ScalerResourceDialog, ebs_size_row) },
  { "ebs_volume_type", G_STRUCT_OFFSET (ScalerResourceDialog, ebs_type_row) },
  { "ebs_iops", G_STRUCT_OFFSET (ScalerResourceDialog, ebs_iops_row) },
  { "ebs_throughput", G_STRUCT_OFFSET (ScalerResourceDialog, ebs_throughput_row) },
  { "associate_public_ip", G_STRUCT_OFFSET (ScalerResourceDialog, public_ip_row) },
  { "metadata_hop_limit", G_STRUCT_OFFSET (ScalerResourceDialog, hop_limit_row) },
  { "cpu_only", G_STRUCT_OFFSET (ScalerResourceDialog, gpu_row) },
  { "key_name", G_STRUCT_OFFSET (ScalerResourceDialog, key_row) },
  { "security_group_ids", G_STRUCT_OFFSET (ScalerResourceDialog, groups_row) },
  { "is_spot", G_STRUCT_OFFSET (ScalerResourceDialog, spot_row) },
  { "spot_fallback_on_demand", G_STRUCT_OFFSET (ScalerResourceDialog, fallback_row) },
  { "iam_instance_profile", G_STRUCT_OFFSET (ScalerResourceDialog, iam_row) },
  { "tags", G_STRUCT_OFFSET (ScalerResourceDialog, tags_row) },
};

static GtkWidget *
field_row_at (ScalerResourceDialog *self,
              guint                 i)
{
  return G_STRUCT_MEMBER (GtkWidget *, self, field_rows[i].offset);
}

static GtkWidget *
field_row (ScalerResourceDialog *self,
           const char           *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (field_rows); i++)
    if (g_str_has_prefix (field, field_rows[i].prefix))
      return field_row_at (self, i);

  return GTK_WIDGET (self->name_row);
}

static void
update_zones_subtitle (ScalerResourceDialog *self)
{
  g_autofree char *joined = NULL;

  if (self->zones->len == 0)
    {
      adw_expander_row_set_subtitle (self->zones_row, _("Any zone of the region"));
      return;
    }

  g_ptr_array_add (self->zones, NULL);
  joined = g_strjoinv (" → ", (char **) self->zones->pdata);
  g_ptr_array_remove_index (self->zones, self->zones->len - 1);
  adw_expander_row_set_subtitle (self->zones_row, joined);
}

static void
update_type_row (ScalerResourceDialog *self,
                 const char           *instance_type)
{
  g_autofree char *description = scaler_gui_describe_type (instance_type, self->region);

  gtk_label_set_text (self->type_label, instance_type && *instance_type ? instance_type : _("Choose…"));
  adw_action_row_set_subtitle (self->type_row,
                               description ? description :
                               (instance_type && *instance_type) ? _("Not in the bundled price table") : "");
}

static const char *
selected_ebs_type (ScalerResourceDialog *self)
{
  guint ebs = adw_combo_row_get_selected (self->ebs_type_row);

  return ebs < G_N_ELEMENTS (ebs_types) ? ebs_types[ebs] : "";
}

/* Provisioned IOPS apply to gp3, io1 and io2, throughput to gp3 only, and
 * both only with a block device mapping. */
static gboolean
iops_apply (ScalerResourceDialog *self)
{
  const char *type = selected_ebs_type (self);

  return *gtk_editable_get_text (GTK_EDITABLE (self->ebs_device_row)) != '\0' &&
         (g_str_equal (type, "gp3") || g_str_equal (type, "io1") || g_str_equal (type, "io2"));
}

static gboolean
throughput_applies (ScalerResourceDialog *self)
{
  return iops_apply (self) && g_str_equal (selected_ebs_type (self), "gp3");
}

static void
update_visibility (ScalerResourceDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->ebs_iops_row), iops_apply (self));
  gtk_widget_set_visible (GTK_WIDGET (self->ebs_throughput_row), throughput_applies (self));
}

static ScalerResource *
build_resource (ScalerResourceDialog *self,
                char                **tags_message)
{
  ScalerResource *r = scaler_resource_copy (self->resource);
  const char *iam;
  guint ip, gpu;
  GPtrArray *tags;

  g_free (r->name);
  r->name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_free (r->queue);
  r->queue = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->queue_row))));
  r->max_instances = (guint) gtk_spin_button_get_value_as_int (self->max_spin);
  g_free (r->ami_id);
  r->ami_id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ami_row))));
  g_free (r->key_name);
  r->key_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_row))));
  iam = gtk_editable_get_text (GTK_EDITABLE (self->iam_row));
  g_free (r->iam_instance_profile);
  r->iam_instance_profile = (iam && *iam) ? g_strstrip (g_strdup (iam)) : NULL;
  g_strfreev (r->subnet_ids);
  r->subnet_ids = scaler_gui_split_list (gtk_editable_get_text (GTK_EDITABLE (self->subnets_row)));
  g_strfreev (r->security_group_ids);
  r->security_group_ids = scaler_gui_split_list (gtk_editable_get_text (GTK_EDITABLE (self->groups_row)));
  g_free (r->ebs_device_name);
  r->ebs_device_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ebs_device_row))));
  r->ebs_volume_size = (guint) gtk_spin_button_get_value_as_int (self->ebs_size_spin);
  g_free (r->ebs_volume_type);
  r->ebs_volume_type = g_strdup (selected_ebs_type (self));
  /* A hidden setting is not kept: it does not apply to this volume. */
  r->ebs_iops = iops_apply (self) ? (guint) gtk_spin_button_get_value_as_int (self->ebs_iops_spin) : 0;
  r->ebs_throughput = throughput_applies (self) ? (guint) gtk_spin_button_get_value_as_int (self->ebs_throughput_spin) : 0;
  ip = adw_combo_row_get_selected (self->public_ip_row);
  r->associate_public_ip = ip < G_N_ELEMENTS (public_ip_choices) ? public_ip_choices[ip] : SCALER_PUBLIC_IP_SUBNET_DEFAULT;
  r->metadata_hop_limit = (guint) gtk_spin_button_get_value_as_int (self->hop_limit_spin);
  gpu = adw_combo_row_get_selected (self->gpu_row);
  r->cpu_only = gpu < G_N_ELEMENTS (gpu_choices) ? gpu_choices[gpu] : SCALER_CPU_ONLY_AUTO;
  r->is_spot = gtk_switch_get_active (self->spot_switch);
  r->spot_fallback_on_demand = gtk_switch_get_active (self->fallback_switch);

  g_strfreev (r->availability_zones);
  g_ptr_array_add (self->zones, NULL);
  r->availability_zones = g_strdupv ((char **) self->zones->pdata);
  g_ptr_array_remove_index (self->zones, self->zones->len - 1);

  tags = scaler_gui_parse_tags (gtk_editable_get_text (GTK_EDITABLE (self->tags_row)), tags_message);
  if (tags != NULL)
    {
      g_ptr_array_unref (r->tags);
      r->tags = tags;
    }

  return r;
}

static void
validate (ScalerResourceDialog *self)
{
  g_autoptr(ScalerConfig) config = scaler_config_new ();
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *tags_message = NULL;
  g_autoptr(GHashTable) messages = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  ScalerResource *r;

  if (self->loading)
    return;

  update_visibility (self);
  r = build_resource (self, &tags_message);
  g_free (config->aws_region);
  config->aws_region = g_strdup (self->region);
  g_ptr_array_add (config->resources, r);
  problems = scaler_config_validate (config);

  self->valid = TRUE;
  if (tags_message != NULL)
    {
      g_hash_table_insert (messages, self->tags_row, g_steal_pointer (&tags_message));
      self->valid = FALSE;
    }

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const ScalerConfigProblem *p = g_ptr_array_index (problems, i);
      const char *field = NULL;
      guint index;
      GtkWidget *row;

      if (p->severity != SCALER_PROBLEM_ERROR)
        continue;
      if (!scaler_gui_parse_resource_path (p->path, &index, &field) || index != 0)
        continue;

      row = field_row (self, field);
      if (!g_hash_table_contains (messages, row))
        g_hash_table_insert (messages, row, g_strdup (p->message));
      self->valid = FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (field_rows); i++)
    scaler_gui_set_row_error (field_row_at (self, i), g_hash_table_lookup (messages, field_row_at (self, i)));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "resource.apply", self->valid);
}

static void
scaler_resource_dialog_changed_cb (ScalerResourceDialog *self)
{
  g_assert (SCALER_IS_RESOURCE_DIALOG (self));

  validate (self);
}

static void
zone_toggled_cb (ScalerResourceDialog *self,
                 GtkCheckButton       *check)
{
  const char *zone = g_object_get_data (G_OBJECT (check), "zone");
  guint pos;

  g_assert (SCALER_IS_RESOURCE_DIALOG (self));

  if (gtk_check_button_get_active (check))
    {
      if (!g_ptr_array_find_with_equal_func (self->zones, zone, g_str_equal, NULL))
        g_ptr_array_add (self->zones, g_strdup (zone));
    }
  else if (g_ptr_array_find_with_equal_func (self->zones, zone, g_str_equal, &pos))
    g_ptr_array_remove_index (self->zones, pos);

  update_zones_subtitle (self);
  validate (self);
}

static void
add_zone_row (ScalerResourceDialog *self,
              const char           *zone,
              gboolean              active)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), zone);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), active);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (check), "zone", g_strdup (zone), g_free);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  g_signal_connect_object (check, "toggled", G_CALLBACK (zone_toggled_cb), self, G_CONNECT_SWAPPED);
  adw_expander_row_add_row (self->zones_row, row);
  g_ptr_array_add (self->zone_checks, check);
}

static void
fill_zones (ScalerResourceDialog *self)
{
  const char * const *zones = scaler_region_get_zones (self->region);
  const ScalerResource *r = self->resource;

  for (guint i = 0; r->availability_zones && r->availability_zones[i]; i++)
    g_ptr_array_add (self->zones, g_strdup (r->availability_zones[i]));

  /* Zones the region list does not know (typos, new zones) stay visible. */
  for (guint i = 0; r->availability_zones && r->availability_zones[i]; i++)
    if (zones == NULL || !g_strv_contains (zones, r->availability_zones[i]))
      add_zone_row (self, r->availability_zones[i], TRUE);

  for (guint i = 0; zones && zones[i]; i++)
    add_zone_row (self, zones[i],
                  r->availability_zones && g_strv_contains ((const char * const *) r->availability_zones, zones[i]));

  update_zones_subtitle (self);
}

static void
fill_form (ScalerResourceDialog *self)
{
  const ScalerResource *r = self->resource;
  g_autofree char *subnets = scaler_gui_join_list ((const char * const *) r->subnet_ids);
  g_autofree char *groups = scaler_gui_join_list ((const char * const *) r->security_group_ids);
  g_autofree char *tags = scaler_gui_format_tags (r->tags);
  guint ebs = 0;

  self->loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), r->name ? r->name : "");
  gtk_editable_set_text (GTK_EDITABLE (self->queue_row), r->queue ? r->queue : "");
  gtk_spin_button_set_value (self->max_spin, r->max_instances);
  gtk_editable_set_text (GTK_EDITABLE (self->ami_row), r->ami_id ? r->ami_id : "");
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), r->key_name ? r->key_name : "");
  gtk_editable_set_text (GTK_EDITABLE (self->iam_row), r->iam_instance_profile ? r->iam_instance_profile : "");
  gtk_editable_set_text (GTK_EDITABLE (self->tags_row), tags);
  gtk_editable_set_text (GTK_EDITABLE (self->subnets_row), subnets);
  gtk_editable_set_text (GTK_EDITABLE (self->groups_row), groups);
  gtk_editable_set_text (GTK_EDITABLE (self->ebs_device_row), r->ebs_device_name ? r->ebs_device_name : "");
  gtk_spin_button_set_value (self->ebs_size_spin, r->ebs_volume_size);
  for (guint i = 0; i < G_N_ELEMENTS (ebs_types); i++)
    if (g_strcmp0 (r->ebs_volume_type ? r->ebs_volume_type : "", ebs_types[i]) == 0)
      ebs = i;
  adw_combo_row_set_selected (self->ebs_type_row, ebs);
  gtk_spin_button_set_value (self->ebs_iops_spin, r->ebs_iops);
  gtk_spin_button_set_value (self->ebs_throughput_spin, r->ebs_throughput);
  for (guint i = 0; i < G_N_ELEMENTS (public_ip_choices); i++)
    if (public_ip_choices[i] == r->associate_public_ip)
      adw_combo_row_set_selected (self->public_ip_row, i);
  gtk_spin_button_set_value (self->hop_limit_spin, r->metadata_hop_limit);
  for (guint i = 0; i < G_N_ELEMENTS (gpu_choices); i++)
    if (gpu_choices[i] == r->cpu_only)
      adw_combo_row_set_selected (self->gpu_row, i);
  gtk_switch_set_active (self->spot_switch, r->is_spot);
  gtk_switch_set_active (self->fallback_switch, r->spot_fallback_on_demand);
  update_type_row (self, r->instance_type);
  fill_zones (self);
  self->loading = FALSE;

  validate (self);
}

static gboolean
type_filter_func (GtkListBoxRow *row,
                  gpointer       user_data)
{
  ScalerResourceDialog *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->type_search));
  const char *haystack = g_object_get_data (G_OBJECT (row), "haystack");
  g_auto(GStrv) words = NULL;

  g_assert (SCALER_IS_RESOURCE_DIALOG (self));

  if (text == NULL || text[0] == '\0')
    return TRUE;

  words = g_strsplit (text, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *lower = g_utf8_strdown (words[i], -1);

      if (lower[0] != '\0' && strstr (haystack, lower) == NULL)
        return FALSE;
    }

  return TRUE;
}

/* By family, then by size: g5.xlarge before g5.2xlarge before g5.12xlarge. */
static int
compare_types (gconstpointer a,
               gconstpointer b)
{
  const ScalerInstanceTypeInfo *x = *(const ScalerInstanceTypeInfo * const *) a;
  const ScalerInstanceTypeInfo *y = *(const ScalerInstanceTypeInfo * const *) b;
  int by_family = g_strcmp0 (x->family, y->family);

  if (by_family != 0)
    return by_family;
  if (x->vcpu != y->vcpu)
    return x->vcpu < y->vcpu ? -1 : 1;
  if (x->memory_gib != y->memory_gib)
    return x->memory_gib < y->memory_gib ? -1 : 1;
  if (x->gpu_count != y->gpu_count)
    return x->gpu_count < y->gpu_count ? -1 : 1;

  return g_strcmp0 (x->instance_type, y->instance_type);
}

static void
fill_types (ScalerResourceDialog *self)
{
  ScalerPriceTable *table = scaler_price_table_get_default ();
  g_autoptr(GPtrArray) listed = scaler_price_table_list_types (table);
  g_autoptr(GPtrArray) types = g_ptr_array_new ();
  GtkWidget *placeholder;

  if (self->types_filled)
    return;
  self->types_filled = TRUE;

  for (guint i = 0; listed != NULL && i < listed->len; i++)
    g_ptr_array_add (types, g_ptr_array_index (listed, i));
  g_ptr_array_sort (types, compare_types);

  for (guint i = 0; types != NULL && i < types->len; i++)
    {
      const ScalerInstanceTypeInfo *info = g_ptr_array_index (types, i);
      g_autofree char *description = NULL;
      g_autofree char *haystack = NULL;
      g_autofree char *text = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *price;
      double usd = scaler_gui_type_price (info->instance_type, self->region);
      g_autofree char *price_text = usd >= 0 ? g_strdup_printf ("$%.3f/h", usd) : g_strdup ("—");

      /* The price is the suffix; the subtitle says what the type is. */
      if (info->gpu_count > 0)
        description = g_strdup_printf (_("%u vCPU · %g GiB · %u × %s (%g GiB)"), info->vcpu, info->memory_gib,
                                       info->gpu_count, info->gpu_model ? info->gpu_model : _("GPU"),
                                       info->gpu_memory_gib);
      else
        description = g_strdup_printf (_("%u vCPU · %g GiB"), info->vcpu, info->memory_gib);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->instance_type);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), description);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      price = gtk_label_new (price_text);
      gtk_widget_add_css_class (price, "numeric");
      gtk_widget_add_css_class (price, usd >= 0 ? "accent" : "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), price);
      text = g_strdup_printf ("%s %s %s", info->instance_type,
                              info->gpu_model ? info->gpu_model : "",
                              info->gpu_count > 0 ? "gpu" : "cpu");
      haystack = g_utf8_strdown (text, -1);
      g_object_set_data_full (G_OBJECT (row), "haystack", g_steal_pointer (&haystack), g_free);
      g_object_set_data_full (G_OBJECT (row), "type", g_strdup (info->instance_type), g_free);
      gtk_list_box_append (self->type_list, row);
    }

  placeholder = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (placeholder), "edit-find-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (placeholder), _("No Matching Types"));
  adw_status_page_set_description (ADW_STATUS_PAGE (placeholder), _("Type the name of an EC2 instance type, a family or a GPU model"));
  gtk_widget_add_css_class (placeholder, "compact");
  gtk_list_box_set_placeholder (self->type_list, placeholder);
  gtk_list_box_set_filter_func (self->type_list, type_filter_func, self, NULL);
}

static void
set_instance_type (ScalerResourceDialog *self,
                   const char           *instance_type)
{
  g_free (self->resource->instance_type);
  self->resource->instance_type = g_strdup (instance_type);
  update_type_row (self, instance_type);
  gtk_stack_set_visible_child_name (self->stack, "form");
  validate (self);
}

static void
scaler_resource_dialog_type_activated_cb (ScalerResourceDialog *self,
                                          GtkListBoxRow        *row)
{
  g_assert (SCALER_IS_RESOURCE_DIALOG (self));

  set_instance_type (self, g_object_get_data (G_OBJECT (row), "type"));
}

static void
scaler_resource_dialog_search_changed_cb (ScalerResourceDialog *self)
{
  g_assert (SCALER_IS_RESOURCE_DIALOG (self));

  gtk_list_box_invalidate_filter (self->type_list);
}

static void
scaler_resource_dialog_search_activate_cb (ScalerResourceDialog *self)
{
  g_assert (SCALER_IS_RESOURCE_DIALOG (self));

  /* Enter picks the first visible type, or the typed name when none matches. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->type_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && gtk_widget_get_child_visible (child) &&
        g_object_get_data (G_OBJECT (child), "type") != NULL)
      {
        set_instance_type (self, g_object_get_data (G_OBJECT (child), "type"));
        return;
      }
}

static void
scaler_resource_dialog_choose_type_cb (ScalerResourceDialog *self)
{
  g_assert (SCALER_IS_RESOURCE_DIALOG (self));

  scaler_resource_dialog_show_types (self);
}

static void
scaler_resource_dialog_types_back_cb (ScalerResourceDialog *self)
{
  g_assert (SCALER_IS_RESOURCE_DIALOG (self));

  gtk_stack_set_visible_child_name (self->stack, "form");
}

static void
scaler_resource_dialog_apply_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  ScalerResourceDialog *self = SCALER_RESOURCE_DIALOG (widget);

  g_assert (SCALER_IS_RESOURCE_DIALOG (widget));

  validate (self);
  if (!self->valid)
    return;

  g_signal_emit (self, signals[APPLIED], 0);
  gtk_window_close (GTK_WINDOW (self));
}

static void
scaler_resource_dialog_dispose (GObject *object)
{
  ScalerResourceDialog *self = SCALER_RESOURCE_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SCALER_TYPE_RESOURCE_DIALOG);

  G_OBJECT_CLASS (scaler_resource_dialog_parent_class)->dispose (object);
}

static void
scaler_resource_dialog_finalize (GObject *object)
{
  ScalerResourceDialog *self = SCALER_RESOURCE_DIALOG (object);

  g_clear_pointer (&self->resource, scaler_resource_free);
  g_clear_pointer (&self->zones, g_ptr_array_unref);
  g_clear_pointer (&self->zone_checks, g_ptr_array_unref);
  g_free (self->region);

  G_OBJECT_CLASS (scaler_resource_dialog_parent_class)->finalize (object);
}

static void
scaler_resource_dialog_class_init (ScalerResourceDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scaler_resource_dialog_dispose;
  object_class->finalize = scaler_resource_dialog_finalize;

  signals[APPLIED] = g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/scaler-resource-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, apply_button);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, queue_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, max_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, max_spin);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, type_label);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, ami_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, iam_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, tags_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, zones_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, subnets_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, groups_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, ebs_device_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, ebs_size_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, ebs_size_spin);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, ebs_type_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, ebs_iops_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, ebs_iops_spin);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, ebs_throughput_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, ebs_throughput_spin);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, public_ip_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, gpu_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, hop_limit_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, hop_limit_spin);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, spot_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, spot_switch);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, fallback_row);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, fallback_switch);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, type_search);
  gtk_widget_class_bind_template_child (widget_class, ScalerResourceDialog, type_list);
  gtk_widget_class_bind_template_callback (widget_class, scaler_resource_dialog_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_resource_dialog_choose_type_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_resource_dialog_types_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_resource_dialog_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_resource_dialog_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, scaler_resource_dialog_type_activated_cb);

  gtk_widget_class_install_action (widget_class, "resource.apply", NULL,
                                   scaler_resource_dialog_apply_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
scaler_resource_dialog_init (ScalerResourceDialog *self)
{
  self->zones = g_ptr_array_new_with_free_func (g_free);
  self->zone_checks = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

ScalerResourceDialog *
scaler_resource_dialog_new (const ScalerResource *resource,
                            const char           *region,
                            gboolean              is_new)
{
  ScalerResourceDialog *self;

  g_return_val_if_fail (resource != NULL, NULL);

  self = g_object_new (SCALER_TYPE_RESOURCE_DIALOG, NULL);
  self->resource = scaler_resource_copy (resource);
  self->region = g_strdup (region ? region : "");

  adw_window_title_set_title (self->window_title, is_new ? _("New Resource") : _("Edit Resource"));
  gtk_window_set_title (GTK_WINDOW (self), is_new ? _("New Resource") : _("Edit Resource"));
  adw_window_title_set_subtitle (self->window_title, resource->name);
  gtk_button_set_label (GTK_BUTTON (self->apply_button), is_new ? _("_Add") : _("_Apply"));
  fill_form (self);

  return self;
}

ScalerResource *
scaler_resource_dialog_dup_resource (ScalerResourceDialog *self)
{
  g_return_val_if_fail (SCALER_IS_RESOURCE_DIALOG (self), NULL);

  return build_resource (self, NULL);
}

gboolean
scaler_resource_dialog_is_valid (ScalerResourceDialog *self)
{
  g_return_val_if_fail (SCALER_IS_RESOURCE_DIALOG (self), FALSE);

  return self->valid;
}

GtkWidget *
scaler_resource_dialog_get_field_row (ScalerResourceDialog *self,
                                      const char           *field)
{
  g_return_val_if_fail (SCALER_IS_RESOURCE_DIALOG (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  return field_row (self, field);
}

void
scaler_resource_dialog_show_types (ScalerResourceDialog *self)
{
  g_return_if_fail (SCALER_IS_RESOURCE_DIALOG (self));

  fill_types (self);
  gtk_stack_set_visible_child_name (self->stack, "types");
  gtk_widget_grab_focus (GTK_WIDGET (self->type_search));
}
