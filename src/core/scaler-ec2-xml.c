/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-ec2-xml"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "scaler-cloud.h"
#include "scaler-config.h"
#include "scaler-error.h"
#include "scaler-ec2-xml.h"
#include "scaler-ec2-xml-fast.h"
#include "scaler-util.h"

#define MAX_DEPTH 200

/* Names the parser cares about; everything else is N_OTHER. */
typedef enum
{
  N_OTHER,
  N_ITEM,
  N_INSTANCES_SET,
  N_RESERVATION_SET,
  N_TAG_SET,
  N_INSTANCE_STATE,
  N_CURRENT_STATE,
  N_PREVIOUS_STATE,
  N_PLACEMENT,
  N_STATE_REASON,
  N_SPOT_PRICE_HISTORY_SET,
  N_ERRORS,
  N_ERROR,
  N_INSTANCE_ID,
  N_INSTANCE_TYPE,
  N_LAUNCH_TIME,
  N_SUBNET_ID,
  N_CLIENT_TOKEN,
  N_INSTANCE_LIFECYCLE,
  N_SPOT_INSTANCE_REQUEST_ID,
  N_NAME,
  N_CODE,
  N_KEY,
  N_VALUE,
  N_AVAILABILITY_ZONE,
  N_PRODUCT_DESCRIPTION,
  N_SPOT_PRICE,
  N_TIMESTAMP,
  N_REQUEST_ID,
  N_REQUEST_ID_UPPER,
  N_NEXT_TOKEN,
  N_RESERVATION_ID,
  N_OUTPUT,
  N_RETURN,
  N_CODE_UPPER,
  N_MESSAGE_UPPER,
} Name;

static const struct { const char *text; Name name; } names[] = {
  { "item", N_ITEM },
  { "instancesSet", N_INSTANCES_SET },
  { "reservationSet", N_RESERVATION_SET },
  { "tagSet", N_TAG_SET },
  { "instanceState", N_INSTANCE_STATE },
  { "currentState", N_CURRENT_STATE },
  { "previousState", N_PREVIOUS_STATE },
  { "placement", N_PLACEMENT },
  { "stateReason", N_STATE_REASON },
  { "spotPriceHistorySet", N_SPOT_PRICE_HISTORY_SET },
  { "Errors", N_ERRORS },
  { "Error", N_ERROR },
  { "instanceId", N_INSTANCE_ID },
  { "instanceType", N_INSTANCE_TYPE },
  { "launchTime", N_LAUNCH_TIME },
  { "subnetId", N_SUBNET_ID },
  { "clientToken", N_CLIENT_TOKEN },
  { "instanceLifecycle", N_INSTANCE_LIFECYCLE },
  { "spotInstanceRequestId", N_SPOT_INSTANCE_REQUEST_ID },
  { "name", N_NAME },
  { "code", N_CODE },
  { "key", N_KEY },
  { "value", N_VALUE },
  { "availabilityZone", N_AVAILABILITY_ZONE },
  { "productDescription", N_PRODUCT_DESCRIPTION },
  { "spotPrice", N_SPOT_PRICE },
  { "timestamp", N_TIMESTAMP },
  { "requestId", N_REQUEST_ID },
  { "RequestID", N_REQUEST_ID_UPPER },
  { "nextToken", N_NEXT_TOKEN },
  { "reservationId", N_RESERVATION_ID },
  { "output", N_OUTPUT },
  { "return", N_RETURN },
  { "Code", N_CODE_UPPER },
  { "Message", N_MESSAGE_UPPER },
};

typedef enum
{
  KIND_OTHER,
  KIND_ERROR,
  KIND_TERMINATE,
  KIND_CONSOLE,
} Kind;

typedef struct
{
  ScalerEc2Response    *response;
  Kind                  kind;
  guint8                stack[MAX_DEPTH];
  guint                 depth;
  GString              *text;
  ScalerInstance       *instance;        /* current instance */
  guint                 instance_depth;  /* depth of its <item> */
  ScalerTag            *tag;             /* current tag of the instance */
  ScalerEc2StateChange *change;
  guint                 change_depth;
  ScalerEc2SpotPrice   *price;
  guint                 price_depth;
  gboolean              in_first_error;
} ParseState;

/* Element name -> Name: an open-addressing table built once from names[]
 * (a power of two, at least twice as many slots as names). */
#define NAME_SLOTS 128

static const char *slot_text[NAME_SLOTS];
static guint8      slot_name[NAME_SLOTS];

G_STATIC_ASSERT (G_N_ELEMENTS (names) * 2 <= NAME_SLOTS);

static inline guint
name_hash (const char *text,
           gsize       len)
{
  return ((guint) len * 131u + (guchar) text[0] * 31u + (guchar) text[len - 1] * 7u +
          (guchar) text[len / 2]) & (NAME_SLOTS - 1);
}

static void
ensure_name_table (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          guint slot = name_hash (names[i].text, strlen (names[i].text));

          while (slot_text[slot] != NULL)
            slot = (slot + 1) & (NAME_SLOTS - 1);
          slot_text[slot] = names[i].text;
          slot_name[slot] = (guint8) names[i].name;
        }
      g_once_init_leave (&initialized, 1);
    }
}

static Name
lookup_name (const char *element)
{
  gsize len = strlen (element);
  guint slot;

  if (len == 0)
    return N_OTHER;
  for (slot = name_hash (element, len); slot_text[slot] != NULL; slot = (slot + 1) & (NAME_SLOTS - 1))
    if (strcmp (slot_text[slot], element) == 0)
      return (Name) slot_name[slot];

  return N_OTHER;
}

void
scaler_ec2_state_change_free (ScalerEc2StateChange *change)
{
  if (change == NULL)
    return;
  g_free (change->instance_id);
  g_free (change->current_state);
  g_free (change->previous_state);
  g_free (change);
}

void
scaler_ec2_spot_price_free (ScalerEc2SpotPrice *price)
{
  if (price == NULL)
    return;
  g_free (price->instance_type);
  g_free (price->availability_zone);
  g_free (price->product_description);
  g_free (price);
}

gint64
scaler_ec2_parse_timestamp (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = NULL;

  if (text == NULL || *text == '\0')
    return 0;

  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return 0;

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

static void
finish_instance (ParseState *state)
{
  ScalerInstance *instance = g_steal_pointer (&state->instance);

  g_clear_pointer (&state->tag, scaler_tag_free);
  if (instance->instance_id == NULL || *instance->instance_id == '\0')
    {
      /* An item without an id is useless (and could not be managed). */
      scaler_instance_free (instance);
      return;
    }
  scaler_set_str (&instance->config_id, scaler_instance_get_tag (instance, SCALER_TAG_INSTANCE));
  scaler_set_str (&instance->resource, scaler_instance_get_tag (instance, SCALER_TAG_RESOURCE));
  g_ptr_array_add (state->response->instances, instance);
}

/* The root element names the action ("<Action>Response", or "Response"
 * for an error). FALSE, with @error set, for anything else. */
static gboolean
start_root (ParseState  *state,
            const char  *element_name,
            GError     **error)
{
  ScalerEc2Response *r = state->response;

  /* GMarkup accepts several top-level elements; an answer has one. */
  if (r->action != NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("The answer has more than one root element (<%s> after the first)"), element_name);
      return FALSE;
    }
  if (strcmp (element_name, "Response") == 0)
    {
      state->kind = KIND_ERROR;
      r->action = g_strdup ("");
    }
  else if (g_str_has_suffix (element_name, "Response") && strlen (element_name) > strlen ("Response"))
    {
      r->action = g_strndup (element_name, strlen (element_name) - strlen ("Response"));
      if (strcmp (r->action, "TerminateInstances") == 0)
        state->kind = KIND_TERMINATE;
      else if (strcmp (r->action, "GetConsoleOutput") == 0)
        state->kind = KIND_CONSOLE;
    }
  else
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("The answer is not an EC2 answer: its root element is <%s>"), element_name);
      return FALSE;
    }
  return TRUE;
}

/* An <item> starts an instance, a tag of it, a state change or a spot price,
 * by where it is. */
static void
start_item (ParseState *state,
            Name        parent)
{
  if (parent == N_INSTANCES_SET && state->kind == KIND_TERMINATE && state->change == NULL)
    {
      state->change = g_new0 (ScalerEc2StateChange, 1);
      state->change_depth = state->depth;
    }
  else if (parent == N_INSTANCES_SET && state->kind == KIND_OTHER && state->instance == NULL)
    {
      state->instance = scaler_instance_new ();
      state->instance_depth = state->depth;
    }
  else if (parent == N_TAG_SET && state->instance != NULL &&
           state->depth == state->instance_depth + 2 && state->tag == NULL)
    state->tag = scaler_tag_new ("", "");
  else if (parent == N_SPOT_PRICE_HISTORY_SET && state->price == NULL)
    {
      state->price = g_new0 (ScalerEc2SpotPrice, 1);
      state->price->price_usd_per_hour = -1;
      state->price_depth = state->depth;
    }
}

static void
start_element_cb (GMarkupParseContext  *context,
                  const char           *element_name,
                  const char          **attribute_names,
                  const char          **attribute_values,
                  gpointer              user_data,
                  GError              **error)
{
  ParseState *state = user_data;
  Name name = lookup_name (element_name);
  Name parent;

  if (state->depth == 0 && !start_root (state, element_name, error))
    return;

  if (state->depth >= MAX_DEPTH)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("The answer nests elements more than %u deep"), MAX_DEPTH);
      return;
    }

  parent = state->depth > 0 ? state->stack[state->depth - 1] : N_OTHER;
  state->stack[state->depth++] = (guint8) name;
  g_string_truncate (state->text, 0);

  if (name == N_ITEM)
    start_item (state, parent);
  else if (name == N_ERROR && state->kind == KIND_ERROR && parent == N_ERRORS && state->depth == 3)
    {
      state->response->n_errors++;
      state->in_first_error = state->response->n_errors == 1;
    }
}

static void
end_instance_field (ParseState *state,
                    Name        name,
                    const char *text)
{
  ScalerInstance *instance = state->instance;
  guint rel = state->depth - state->instance_depth;   /* 1 = direct child of the item */

  if (rel == 1)
    {
      switch (name)
        {
        case N_INSTANCE_ID:
          scaler_set_str (&instance->instance_id, text);
          break;
        case N_INSTANCE_TYPE:
          scaler_set_str (&instance->instance_type, text);
          break;
        case N_LAUNCH_TIME:
          instance->launch_time = scaler_ec2_parse_timestamp (text);
          break;
        case N_SUBNET_ID:
          scaler_set_str (&instance->subnet_id, *text != '\0' ? text : NULL);
          break;
        case N_CLIENT_TOKEN:
          scaler_set_str (&instance->client_token, *text != '\0' ? text : NULL);
          break;
        case N_INSTANCE_LIFECYCLE:
          if (strcmp (text, "spot") == 0)
            instance->is_spot = TRUE;
          break;
        case N_SPOT_INSTANCE_REQUEST_ID:
          if (*text != '\0')
            instance->is_spot = TRUE;
          break;
        case N_ITEM:
        default:
          break;
        }
    }
  else if (rel == 2)
    {
      Name parent = state->stack[state->instance_depth];

      if (parent == N_INSTANCE_STATE && name == N_NAME)
        instance->state = scaler_instance_state_from_string (text);
      else if (parent == N_PLACEMENT && name == N_AVAILABILITY_ZONE)
        scaler_set_str (&instance->availability_zone, *text != '\0' ? text : NULL);
      else if (parent == N_STATE_REASON && name == N_CODE)
        scaler_set_str (&instance->state_reason, *text != '\0' ? text : NULL);
      else if (parent == N_TAG_SET && name == N_ITEM && state->tag != NULL)
        {
          ScalerTag *tag = g_steal_pointer (&state->tag);

          if (*tag->key != '\0')
            g_ptr_array_add (instance->tags, tag);
          else
            scaler_tag_free (tag);
        }
    }
  else if (rel == 3 && state->tag != NULL &&
           state->stack[state->instance_depth] == N_TAG_SET)
    {
      if (name == N_KEY)
        scaler_set_str (&state->tag->key, text);
      else if (name == N_VALUE)
        scaler_set_str (&state->tag->value, text);
    }
}

/* Children of the root: request id, paging, RunInstances' reservation, a
 * TerminateInstances-style <return>, GetConsoleOutput's fields. */
static void
end_root_child (ParseState *state,
                Name        name,
                const char *text)
{
  ScalerEc2Response *r = state->response;

  switch (name)
    {
    case N_REQUEST_ID:
    case N_REQUEST_ID_UPPER:
      scaler_set_str (&r->request_id, text);
      break;
    case N_NEXT_TOKEN:
      scaler_set_str (&r->next_token, *text != '\0' ? text : NULL);
      break;
    case N_RESERVATION_ID:
      scaler_set_str (&r->reservation_id, text);
      break;
    case N_RETURN:
      r->return_value = strcmp (text, "true") == 0;
      break;
    case N_INSTANCE_ID:
      if (state->kind == KIND_CONSOLE)
        scaler_set_str (&r->instance_id, text);
      break;
    case N_OUTPUT:
      if (state->kind == KIND_CONSOLE)
        {
          gsize len = 0;
          g_autofree guchar *decoded = NULL;

          /* Whitespace in base64 is skipped by the decoder. */
          decoded = g_base64_decode (text, &len);
          g_free (r->console_output);
          r->console_output = g_utf8_make_valid ((const char *) decoded, (gssize) len);
        }
      break;
    case N_ITEM:
    default:
      break;
    }
}

/* <Response><Errors><Error><Code>/<Message>: only the first error counts. */
static void
end_error_field (ParseState *state,
                 Name        name,
                 const char *text)
{
  ScalerEc2Response *r = state->response;

  if (state->in_first_error && state->depth == 4)
    {
      if (name == N_CODE_UPPER)
        scaler_set_str (&r->error_code, text);
      else if (name == N_MESSAGE_UPPER)
        scaler_set_str (&r->error_message, text);
    }
  if (name == N_ERROR && state->depth == 3)
    state->in_first_error = FALSE;
}

/* An item of TerminateInstances' instancesSet. */
static void
end_state_change_field (ParseState *state,
                        Name        name,
                        const char *text)
{
  guint rel = state->depth - state->change_depth;

  if (rel == 0)
    {
      ScalerEc2StateChange *change = g_steal_pointer (&state->change);

      if (change->instance_id != NULL)
        g_ptr_array_add (state->response->state_changes, change);
      else
        scaler_ec2_state_change_free (change);
    }
  else if (rel == 1 && name == N_INSTANCE_ID)
    scaler_set_str (&state->change->instance_id, text);
  else if (rel == 2 && name == N_NAME)
    {
      Name parent = state->stack[state->change_depth];

      if (parent == N_CURRENT_STATE)
        scaler_set_str (&state->change->current_state, text);
      else if (parent == N_PREVIOUS_STATE)
        scaler_set_str (&state->change->previous_state, text);
    }
}

/* "0.1234" in US dollars per hour; -1 when it is not a price. */
static double
parse_spot_price (const char *text)
{
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);

  return (end != text && *end == '\0' && v >= 0 && v < 1e9) ? v : -1;
}

/* An item of DescribeSpotPriceHistory's spotPriceHistorySet. */
static void
end_spot_price_field (ParseState *state,
                      Name        name,
                      const char *text)
{
  ScalerEc2SpotPrice *price = state->price;

  if (state->depth == state->price_depth)
    {
      state->price = NULL;
      if (price->instance_type != NULL && price->availability_zone != NULL && price->price_usd_per_hour >= 0)
        g_ptr_array_add (state->response->spot_prices, price);
      else
        scaler_ec2_spot_price_free (price);
      return;
    }
  if (state->depth != state->price_depth + 1)
    return;

  switch (name)
    {
    case N_INSTANCE_TYPE:
      scaler_set_str (&price->instance_type, text);
      break;
    case N_AVAILABILITY_ZONE:
      scaler_set_str (&price->availability_zone, text);
      break;
    case N_PRODUCT_DESCRIPTION:
      scaler_set_str (&price->product_description, text);
      break;
    case N_SPOT_PRICE:
      price->price_usd_per_hour = parse_spot_price (text);
      break;
    case N_TIMESTAMP:
      price->timestamp = scaler_ec2_parse_timestamp (text);
      break;
    case N_ITEM:
    default:
      break;
    }
}

static void
end_element_cb (GMarkupParseContext  *context,
                const char           *element_name,
                gpointer              user_data,
                GError              **error)
{
  ParseState *state = user_data;
  const char *text = state->text->str;
  Name name;

  g_assert (state->depth > 0);
  name = (Name) state->stack[state->depth - 1];

  if (state->depth == 2)
    end_root_child (state, name, text);
  if (state->kind == KIND_ERROR)
    end_error_field (state, name, text);

  if (state->instance != NULL)
    {
      if (state->depth == state->instance_depth)
        finish_instance (state);
      else
        end_instance_field (state, name, text);
    }
  else if (state->change != NULL)
    end_state_change_field (state, name, text);
  else if (state->price != NULL)
    end_spot_price_field (state, name, text);

  state->depth--;
  g_string_truncate (state->text, 0);
}

static void
text_cb (GMarkupParseContext  *context,
         const char           *text,
         gsize                 text_len,
         gpointer              user_data,
         GError              **error)
{
  ParseState *state = user_data;

  /* Text is only kept inside elements the parser knows: unknown (padding)
   * elements cost nothing. */
  if (state->depth > 1 && state->stack[state->depth - 1] != N_OTHER)
    g_string_append_len (state->text, text, (gssize) text_len);
}

static const GMarkupParser parser = {
  start_element_cb,
  end_element_cb,
  text_cb,
  NULL,
  NULL,
};

/* The whole document through GMarkup: every input gets its answer here. */
static gboolean
parse_with_gmarkup (ParseState  *state,
                    const char  *data,
                    gsize        length,
                    GError     **error)
{
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) local_error = NULL;

  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, state, NULL);
  if (g_markup_parse_context_parse (context, data, (gssize) length, &local_error) &&
      local_error == NULL &&
      g_markup_parse_context_end_parse (context, &local_error))
    return TRUE;

  if (local_error->domain == SCALER_ERROR)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (g_error_matches (local_error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE) &&
           strstr (local_error->message, "ended") != NULL)
    g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                 _("The answer is cut off (incomplete XML): %s"), local_error->message);
  else
    g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                 _("The answer is malformed XML: %s"), local_error->message);

  return FALSE;
}

/* One pass over the document, through the fast path (scaler-ec2-xml-fast.h) or
 * GMarkup. The fast path either gives the answer GMarkup would give or
 * declines (NULL, no error, *declined set); the callbacks never see the
 * GMarkupParseContext, which is NULL on the fast path. */
static ScalerEc2Response *
parse_document (const char  *data,
                gsize        length,
                gboolean     fast,
                gboolean    *declined,
                GError     **error)
{
  ScalerEc2Response *response;
  ParseState state = { 0 };
  gboolean parsed;

  response = g_new0 (ScalerEc2Response, 1);
  response->instances = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_instance_free);
  response->state_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_ec2_state_change_free);
  response->spot_prices = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_ec2_spot_price_free);

  state.response = response;
  state.text = g_string_new (NULL);

  if (fast)
    *declined = !(parsed = scaler_xml_fast_parse (data, length, &parser, &state));
  else
    parsed = parse_with_gmarkup (&state, data, length, error);
  if (!parsed)
    {
      g_clear_pointer (&state.instance, scaler_instance_free);
      g_clear_pointer (&state.tag, scaler_tag_free);
      g_clear_pointer (&state.change, scaler_ec2_state_change_free);
      g_clear_pointer (&state.price, scaler_ec2_spot_price_free);
      g_string_free (state.text, TRUE);
      scaler_ec2_response_free (response);
      return NULL;
    }

  g_string_free (state.text, TRUE);
  g_assert (state.instance == NULL && state.change == NULL && state.price == NULL && state.tag == NULL);

  if (response->action == NULL)
    {
      g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("The answer has no root element"));
      scaler_ec2_response_free (response);
      return NULL;
    }
  if (state.kind == KIND_ERROR && (response->error_code == NULL || *response->error_code == '\0'))
    {
      g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                           _("The error answer has no <Errors><Error><Code>"));
      scaler_ec2_response_free (response);
      return NULL;
    }

  return response;
}

ScalerEc2Response *
scaler_ec2_response_parse_with (const char    *data,
                                gsize          length,
                                ScalerXmlPath  path,
                                ScalerXmlPath *used,
                                GError       **error)
{
  ScalerEc2Response *response = NULL;
  gboolean declined = TRUE;
  gsize start = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ensure_name_table ();
  if (used != NULL)
    *used = SCALER_XML_PATH_GMARKUP;

  /* Skip a UTF-8 byte order mark and leading whitespace. */
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    start = 3;
  while (start < length && g_ascii_isspace (data[start]))
    start++;
  if (start == length)
    {
      g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("The answer is empty"));
      return NULL;
    }
  if (data[start] != '<')
    {
      g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("The answer is not XML"));
      return NULL;
    }

  /* EC2 answers are UTF-8. Checking it first also keeps invalid bytes away
   * from GMarkup's CDATA path, which can report an error twice on them
   * (found by fuzzing, GLib 2.74). */
  if (!scaler_xml_utf8_validate (data + start, length - start))
    {
      g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                           _("The answer is not valid UTF-8 text"));
      return NULL;
    }

  if (path != SCALER_XML_PATH_GMARKUP)
    response = parse_document (data + start, length - start, TRUE, &declined, error);
  if (!declined)
    {
      if (used != NULL)
        *used = SCALER_XML_PATH_FAST;
      return response;
    }
  if (path == SCALER_XML_PATH_FAST)
    return NULL;

  return parse_document (data + start, length - start, FALSE, NULL, error);
}

ScalerEc2Response *
scaler_ec2_response_parse (const char  *data,
                           gsize        length,
                           GError     **error)
{
  return scaler_ec2_response_parse_with (data, length, SCALER_XML_PATH_AUTO, NULL, error);
}

void
scaler_ec2_response_free (ScalerEc2Response *response)
{
  if (response == NULL)
    return;

  g_free (response->action);
  g_free (response->request_id);
  g_free (response->next_token);
  g_free (response->error_code);
  g_free (response->error_message);
  g_free (response->reservation_id);
  g_clear_pointer (&response->instances, g_ptr_array_unref);
  g_clear_pointer (&response->state_changes, g_ptr_array_unref);
  g_clear_pointer (&response->spot_prices, g_ptr_array_unref);
  g_free (response->instance_id);
  g_free (response->console_output);
  g_free (response);
}

gboolean
scaler_ec2_response_is_error (const ScalerEc2Response *response)
{
  g_return_val_if_fail (response != NULL, FALSE);

  return response->error_code != NULL;
}
