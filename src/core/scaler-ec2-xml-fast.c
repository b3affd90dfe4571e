/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-ec2-xml-fast"

#include "config.h"

#include <string.h>

#include "scaler-cloud.h"
#include "scaler-ec2-xml-fast.h"

/* Beyond these the fast path declines and GMarkup takes the document. */
#define MAX_NAME   256
#define MAX_DEPTH  256
#define MAX_ATTRS  64

typedef struct
{
  const char          *p;
  const char          *end;
  const GMarkupParser *parser;
  gpointer             user_data;
  GString             *unescaped;
  char                 name[MAX_NAME];
  const char          *open[MAX_DEPTH];       /* names of the open elements, in the input */
  guint                open_len[MAX_DEPTH];
  guint                depth;
} Fast;

static const char * const no_attributes[] = { NULL };

enum
{
  C_NAME_START = 1 << 0,  /* a strict ASCII subset of what GMarkup's name_validate() accepts */
  C_NAME       = 1 << 1,
  C_SPACE      = 1 << 2,  /* what GMarkup skips between markup (not \f or \v) */
  C_TEXT_STOP  = 1 << 3,  /* ends a plain run of text */
};

static const guint8 classes[256] = {
  ['a' ... 'z'] = C_NAME_START | C_NAME,
  ['A' ... 'Z'] = C_NAME_START | C_NAME,
  ['_'] = C_NAME_START | C_NAME,
  [':'] = C_NAME_START | C_NAME,
  ['0' ... '9'] = C_NAME,
  ['.'] = C_NAME,
  ['-'] = C_NAME,
  [' '] = C_SPACE,
  ['\t'] = C_SPACE,
  ['\n'] = C_SPACE,
  ['\r'] = C_SPACE | C_TEXT_STOP,
  ['<'] = C_TEXT_STOP,
  ['&'] = C_TEXT_STOP,
};

static inline gboolean
is_space (char c)
{
  return (classes[(guchar) c] & C_SPACE) != 0;
}

static inline gboolean
is_name_start (char c)
{
  return (classes[(guchar) c] & C_NAME_START) != 0;
}

static inline gboolean
is_name_char (char c)
{
  return (classes[(guchar) c] & C_NAME) != 0;
}

/* (The scanners work on a local pointer: char reads may alias f.) */
static inline void
skip_spaces (Fast *f)
{
  const char *p = f->p;

  while (p < f->end && is_space (*p))
    p++;
  f->p = p;
}

/* Length of the name at f->p (0 if none or too long); f->p moves past it. */
static gsize
scan_name (Fast *f)
{
  const char *start = f->p;
  const char *end = f->end;
  const char *p = start;

  if (p == end || !is_name_start (*p))
    return 0;
  do
    p++;
  while (p < end && is_name_char (*p));
  f->p = p;

  return (gsize) (p - start) < MAX_NAME ? (gsize) (p - start) : 0;
}

static gboolean
emit_start (Fast       *f,
            const char *name,
            gsize       len)
{
  GError *error = NULL;

  if (f->parser->start_element == NULL)
    return TRUE;
  memcpy (f->name, name, len);
  f->name[len] = '\0';
  f->parser->start_element (NULL, f->name, (const char **) no_attributes, (const char **) no_attributes,
                            f->user_data, &error);
  if (error == NULL)
    return TRUE;
  g_error_free (error);
  return FALSE;
}

static gboolean
emit_end (Fast       *f,
          const char *name,
          gsize       len)
{
  GError *error = NULL;

  if (f->parser->end_element == NULL)
    return TRUE;
  memcpy (f->name, name, len);
  f->name[len] = '\0';
  f->parser->end_element (NULL, f->name, f->user_data, &error);
  if (error == NULL)
    return TRUE;
  g_error_free (error);
  return FALSE;
}

static gboolean
emit_text (Fast       *f,
           const char *text,
           gsize       len)
{
  GError *error = NULL;

  if (f->parser->text == NULL || len == 0)
    return TRUE;
  f->parser->text (NULL, text, len, f->user_data, &error);
  if (error == NULL)
    return TRUE;
  g_error_free (error);
  return FALSE;
}

/* One attribute at f->p (a name start): name, '=' and a quoted value, with
 * optional spaces around '=' as GMarkup allows. The value is not reported. */
static gboolean
skip_attribute (Fast *f)
{
  const char *close;
  char quote;

  if (scan_name (f) == 0)
    return FALSE;
  skip_spaces (f);
  if (f->p == f->end || *f->p != '=')
    return FALSE;
  f->p++;
  skip_spaces (f);
  if (f->p == f->end || (*f->p != '"' && *f->p != '\''))
    return FALSE;
  quote = *f->p++;
  close = memchr (f->p, quote, (gsize) (f->end - f->p));
  /* GMarkup unescapes (and may reject) entities in values: leave those to it. */
  if (close == NULL || memchr (f->p, '&', (gsize) (close - f->p)) != NULL)
    return FALSE;
  f->p = close + 1;

  return TRUE;
}

/* A start tag, f->p just after its '<'. */
static gboolean
parse_start_tag (Fast *f)
{
  const char *name = f->p;
  gsize len = scan_name (f);
  guint n_attributes = 0;

  if (len == 0 || f->depth == MAX_DEPTH)
    return FALSE;

  for (;;)
    {
      skip_spaces (f);
      if (f->p == f->end)
        return FALSE;
      if (*f->p == '>')
        {
          f->p++;
          f->open[f->depth] = name;
          f->open_len[f->depth] = (guint) len;
          f->depth++;
          return emit_start (f, name, len);
        }
      if (*f->p == '/')
        {
          if (f->end - f->p < 2 || f->p[1] != '>')
            return FALSE;
          f->p += 2;
          return emit_start (f, name, len) && emit_end (f, name, len);
        }
      if (++n_attributes > MAX_ATTRS || !skip_attribute (f))
        return FALSE;
    }
}

/* An end tag, f->p just after its "</": only "</name>" for the open element. */
static gboolean
parse_end_tag (Fast *f)
{
  const char *name = f->p;
  gsize len = scan_name (f);

  if (len == 0 || f->p == f->end || *f->p != '>' || f->depth == 0 ||
      f->open_len[f->depth - 1] != len || memcmp (f->open[f->depth - 1], name, len) != 0)
    return FALSE;
  f->p++;
  f->depth--;

  return emit_end (f, name, len);
}

/* Text with entities: GMarkup's unescaping, for the five predefined ones. */
static gboolean
emit_escaped_text (Fast       *f,
                   const char *text,
                   const char *text_end)
{
  static const struct { const char *name; gsize len; char c; } entities[] = {
    { "lt;", 3, '<' }, { "gt;", 3, '>' }, { "amp;", 4, '&' }, { "quot;", 5, '"' }, { "apos;", 5, '\'' },
  };
  const char *p = text;

  g_string_truncate (f->unescaped, 0);
  while (p < text_end)
    {
      const char *amp = memchr (p, '&', (gsize) (text_end - p));
      guint i;

      if (amp == NULL)
        amp = text_end;
      g_string_append_len (f->unescaped, p, amp - p);
      if (amp == text_end)
        break;
      p = amp + 1;
      for (i = 0; i < G_N_ELEMENTS (entities); i++)
        if ((gsize) (text_end - p) >= entities[i].len && memcmp (p, entities[i].name, entities[i].len) == 0)
          break;
      /* Character references and unknown entities: GMarkup decides. */
      if (i == G_N_ELEMENTS (entities))
        return FALSE;
      g_string_append_c (f->unescaped, entities[i].c);
      p += entities[i].len;
    }

  return emit_text (f, f->unescaped->str, f->unescaped->len);
}

/* Text up to the next '<', then the markup that follows it. */
static gboolean
parse_content (Fast *f)
{
  const char *text = f->p;
  const char *end = f->end;
  const char *p = text;
  gboolean escaped = FALSE;

  for (;;)
    {
      while (p < end && (classes[(guchar) *p] & C_TEXT_STOP) == 0)
        p++;
      if (p == end)
        return FALSE;
      if (*p == '<')
        break;
      if (*p == '\r')   /* GMarkup turns CR and CRLF into LF: leave that to it */
        return FALSE;
      escaped = TRUE;
      p++;
    }
  f->p = p;
  if (escaped ? !emit_escaped_text (f, text, f->p) : !emit_text (f, text, (gsize) (f->p - text)))
    return FALSE;

  f->p++;
  if (f->p == f->end)
    return FALSE;
  if (*f->p == '/')
    {
      f->p++;
      return parse_end_tag (f);
    }

  return parse_start_tag (f);
}

/* Whitespace and <?...?> before the root element (GMarkup ends such a
 * passthrough at the first '>' after a '?', the opening one included). */
static gboolean
parse_prolog (Fast *f)
{
  for (;;)
    {
      skip_spaces (f);
      if (f->end - f->p < 2 || *f->p != '<')
        return FALSE;
      if (f->p[1] != '?')
        break;
      for (f->p += 2; f->p < f->end && !(*f->p == '>' && f->p[-1] == '?'); f->p++)
        ;
      if (f->p == f->end)
        return FALSE;
      f->p++;
    }
  f->p++;

  return parse_start_tag (f);
}

gboolean
scaler_xml_fast_parse (const char          *data,
                       gsize                length,
                       const GMarkupParser *parser,
                       gpointer             user_data)
{
  g_autoptr(GString) unescaped = g_string_new (NULL);
  g_autofree Fast *f = g_new (Fast, 1);

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (parser != NULL, FALSE);

  f->p = data;
  f->end = data + length;
  f->parser = parser;
  f->user_data = user_data;
  f->unescaped = unescaped;
  f->depth = 0;

  if (!parse_prolog (f))
    return FALSE;
  while (f->depth > 0)
    if (!parse_content (f))
      return FALSE;

  /* After the root only whitespace (GMarkup also allows comments and
   * processing instructions there, and reports anything else). */
  skip_spaces (f);

  return f->p == f->end;
}

gboolean
scaler_xml_utf8_validate (const char *data,
                          gsize       length)
{
  const guchar *p = (const guchar *) data;
  const guchar *end = p + length;

  while (p < end)
    {
      const guchar *run;

      /* ASCII without NUL, a word at a time, then byte by byte. */
      while (end - p >= 8)
        {
          guint64 w;

          memcpy (&w, p, sizeof w);
          if ((w & G_GUINT64_CONSTANT (0x8080808080808080)) != 0 ||
              ((w - G_GUINT64_CONSTANT (0x0101010101010101)) & ~w & G_GUINT64_CONSTANT (0x8080808080808080)) != 0)
            break;
          p += 8;
        }
      for (; p < end && *p < 0x80; p++)
        if (*p == '\0')
          return FALSE;
      if (p == end)
        break;

      /* A run of non-ASCII bytes goes to GLib. No multi-byte sequence
       * contains an ASCII byte, so the run alone gives the same answer. */
      for (run = p; p < end && *p >= 0x80; p++)
        ;
      if (!g_utf8_validate_len ((const char *) run, (gsize) (p - run), NULL))
        return FALSE;
    }

  return TRUE;
}

static gboolean
instances_equal (const ScalerInstance *a,
                 const ScalerInstance *b)
{
  if (g_strcmp0 (a->instance_id, b->instance_id) != 0 ||
      g_strcmp0 (a->config_id, b->config_id) != 0 ||
      g_strcmp0 (a->resource, b->resource) != 0 ||
      g_strcmp0 (a->instance_type, b->instance_type) != 0 ||
      g_strcmp0 (a->availability_zone, b->availability_zone) != 0 ||
      g_strcmp0 (a->subnet_id, b->subnet_id) != 0 ||
      a->is_spot != b->is_spot ||
      a->state != b->state ||
      a->launch_time != b->launch_time ||
      g_strcmp0 (a->client_token, b->client_token) != 0 ||
      g_strcmp0 (a->state_reason, b->state_reason) != 0 ||
      a->tags->len != b->tags->len)
    return FALSE;
  for (guint i = 0; i < a->tags->len; i++)
    {
      const ScalerTag *ta = g_ptr_array_index (a->tags, i);
      const ScalerTag *tb = g_ptr_array_index (b->tags, i);

      if (g_strcmp0 (ta->key, tb->key) != 0 || g_strcmp0 (ta->value, tb->value) != 0)
        return FALSE;
    }

  return TRUE;
}

static gboolean
others_equal (const ScalerEc2Response *a,
              const ScalerEc2Response *b)
{
  if (a->state_changes->len != b->state_changes->len || a->spot_prices->len != b->spot_prices->len)
    return FALSE;
  for (guint i = 0; i < a->state_changes->len; i++)
    {
      const ScalerEc2StateChange *ca = g_ptr_array_index (a->state_changes, i);
      const ScalerEc2StateChange *cb = g_ptr_array_index (b->state_changes, i);

      if (g_strcmp0 (ca->instance_id, cb->instance_id) != 0 ||
          g_strcmp0 (ca->current_state, cb->current_state) != 0 ||
          g_strcmp0 (ca->previous_state, cb->previous_state) != 0)
        return FALSE;
    }
  for (guint i = 0; i < a->spot_prices->len; i++)
    {
      const ScalerEc2SpotPrice *pa = g_ptr_array_index (a->spot_prices, i);
      const ScalerEc2SpotPrice *pb = g_ptr_array_index (b->spot_prices, i);

      if (g_strcmp0 (pa->instance_type, pb->instance_type) != 0 ||
          g_strcmp0 (pa->availability_zone, pb->availability_zone) != 0 ||
          g_strcmp0 (pa->product_description, pb->product_description) != 0 ||
          pa->price_usd_per_hour != pb->price_usd_per_hour ||
          pa->timestamp != pb->timestamp)
        return FALSE;
    }

  return TRUE;
}

gboolean
scaler_ec2_response_equal (const ScalerEc2Response *a,
                           const ScalerEc2Response *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (g_strcmp0 (a->action, b->action) != 0 ||
      g_strcmp0 (a->request_id, b->request_id) != 0 ||
      g_strcmp0 (a->next_token, b->next_token) != 0 ||
      g_strcmp0 (a->error_code, b->error_code) != 0 ||
      g_strcmp0 (a->error_message, b->error_message) != 0 ||
      a->n_errors != b->n_errors ||
      g_strcmp0 (a->reservation_id, b->reservation_id) != 0 ||
      g_strcmp0 (a->instance_id, b->instance_id) != 0 ||
      g_strcmp0 (a->console_output, b->console_output) != 0 ||
      a->return_value != b->return_value ||
      a->instances->len != b->instances->len)
    return FALSE;
  for (guint i = 0; i < a->instances->len; i++)
    if (!instances_equal (g_ptr_array_index (a->instances, i), g_ptr_array_index (b->instances, i)))
      return FALSE;

  return others_equal (a, b);
}
