/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-ec2-xml-fast.h: a fast path in front of GMarkup for the EC2 answer
 * parser (scaler-ec2-xml.c). Private to libscaler-core.
 *
 * It reads the plain subset of XML that EC2 answers are made of and calls the
 * GMarkupParser callbacks exactly as g_markup_parse_context_parse() with
 * G_MARKUP_TREAT_CDATA_AS_TEXT would for the same bytes:
 *   - an optional <?...?> declaration and whitespace before the root element;
 *   - elements with ASCII names ([A-Za-z_:][A-Za-z0-9._:-]*), <a/> included;
 *   - attributes name="value" / name='value' without '&' in the value (they
 *     are checked but not reported: attribute_names is always empty, the EC2
 *     answers carry none but the root's xmlns);
 *   - text with the five predefined entities (&lt; &gt; &amp; &quot; &apos;);
 *   - whitespace after the root element.
 * The text callback gets the unescaped text, not NUL-terminated, and only
 * when it is non-empty (GMarkup also calls it with empty text); the
 * GMarkupParseContext argument is NULL.
 *
 * Anything else (comments, CDATA, character references, carriage returns,
 * non-ASCII names, whitespace inside end tags, a second root, any syntax
 * error, or an error set by a callback) makes it give up and return FALSE
 * without reporting anything: the caller then parses the same bytes again
 * from scratch with GMarkup, which gives GMarkup's result and error message.
 * So the fast path may only decline, never decide differently.
 *
 * The caller has already checked that the bytes are valid UTF-8 without NUL.
 */

#pragma once

#include <glib.h>

#include "scaler-ec2-xml.h"

G_BEGIN_DECLS

typedef enum
{
  SCALER_XML_PATH_AUTO,     /* the fast path, GMarkup when it declines */
  SCALER_XML_PATH_GMARKUP,  /* GMarkup only (the reference) */
  SCALER_XML_PATH_FAST,     /* the fast path only: NULL without an error when it declines */
} ScalerXmlPath;

/* scaler_ec2_response_parse() with a chosen path (tests and fuzzing compare
 * the two); *used tells which path gave the answer. */
ScalerEc2Response *scaler_ec2_response_parse_with (const char    *data,
                                                   gsize          length,
                                                   ScalerXmlPath  path,
                                                   ScalerXmlPath *used,
                                                   GError       **error);

gboolean scaler_xml_fast_parse (const char          *data,
                                gsize                length,
                                const GMarkupParser *parser,
                                gpointer             user_data);

/* Whether two parsed answers hold the same values, field by field (every
 * field of ScalerEc2Response, ScalerInstance and the item structs: extend it
 * with them). */
gboolean scaler_ec2_response_equal (const ScalerEc2Response *a,
                                    const ScalerEc2Response *b);

/* g_utf8_validate_len() with a word-at-a-time pass over ASCII runs: same
 * answer (NUL bytes are invalid), several times faster on ASCII text. */
gboolean scaler_xml_utf8_validate (const char *data,
                                   gsize       length);

G_END_DECLS
