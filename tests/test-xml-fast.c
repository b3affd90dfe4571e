/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fast path of the EC2 answer parser (scaler-ec2-xml-fast.h) against the
 * GMarkup reference: on every input both give the same answer, or the same
 * error message. Plain EC2 answers must take the fast path; everything it
 * does not handle must fall back to GMarkup, never be decided differently. */

#include "config.h"

#include <string.h>

#include "scaler-core.h"
#include "scaler-ec2-xml.h"
#include "scaler-ec2-xml-fast.h"

#define NS " xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\""

/* An instance like the bench's (bench/bench-ec2-parse.c), with entities. */
static const char describe_body[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<DescribeInstancesResponse" NS "><requestId>8f7724cf</requestId><reservationSet>"
  "<item><reservationId>r-1</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet>"
  "<item><instanceId>i-0aaaaaaaaaaaaaaa1</instanceId><imageId>ami-0123</imageId>"
  "<instanceState><code>16</code><name>running</name></instanceState><dnsName/><reason/>"
  "<instanceType>g4dn.xlarge</instanceType><launchTime>2025-06-01T12:00:01.000Z</launchTime>"
  "<placement><availabilityZone>us-east-1b</availabilityZone><groupName/></placement>"
  "<subnetId>subnet-1</subnetId><instanceLifecycle>spot</instanceLifecycle><clientToken>tok</clientToken>"
  "<stateReason><code>Server.SpotInstanceTermination</code><message>m</message></stateReason>"
  "<tagSet><item><key>ec2-autoscaler:instance</key><value>cfg-1</value></item>"
  "<item><key>ec2-autoscaler:resource</key><value>aws4gpu</value></item>"
  "<item><key>team</key><value>ml &amp; ops &lt;&gt; &quot;q&quot; &apos;a&apos;</value></item>"
  "<item><key>empty</key><value></value></item></tagSet></item>\n"
  "  <item>\n    <instanceId>i-2</instanceId>\t<instanceState><name>pending</name></instanceState>\n  </item>"
  "</instancesSet></item></reservationSet><nextToken>tok2</nextToken></DescribeInstancesResponse>\n";

static ScalerEc2Response *
parse_agreeing (const char    *data,
                gsize          length,
                ScalerXmlPath *used)
{
  g_autoptr(GError) auto_error = NULL;
  g_autoptr(GError) reference_error = NULL;
  g_autoptr(ScalerEc2Response) reference = NULL;
  ScalerEc2Response *response;

  response = scaler_ec2_response_parse_with (data, length, SCALER_XML_PATH_AUTO, used, &auto_error);
  reference = scaler_ec2_response_parse_with (data, length, SCALER_XML_PATH_GMARKUP, NULL, &reference_error);
  if (response == NULL || reference == NULL)
    {
      if (response != NULL || reference != NULL)
        g_error ("only one path parsed \"%.*s\": %s", (int) MIN (length, 200), data,
                 auto_error != NULL ? auto_error->message : reference_error->message);
      g_assert_cmpstr (auto_error->message, ==, reference_error->message);
      return NULL;
    }
  if (!scaler_ec2_response_equal (response, reference))
    g_error ("the paths disagree on \"%.*s\"", (int) MIN (length, 200), data);

  return response;
}

static void
assert_path (const char    *data,
             ScalerXmlPath  expected)
{
  g_autoptr(ScalerEc2Response) response = NULL;
  ScalerXmlPath used;

  response = parse_agreeing (data, strlen (data), &used);
  if (used != expected)
    g_error ("expected the %s path for \"%s\"", expected == SCALER_XML_PATH_FAST ? "fast" : "GMarkup", data);
}

static void
test_plain_answers_take_fast_path (void)
{
  g_autoptr(ScalerEc2Response) r = NULL;
  const ScalerInstance *a;
  ScalerXmlPath used;

  r = parse_agreeing (describe_body, strlen (describe_body), &used);
  g_assert_nonnull (r);
  g_assert_cmpint (used, ==, SCALER_XML_PATH_FAST);
  g_assert_cmpuint (r->instances->len, ==, 2);
  a = g_ptr_array_index (r->instances, 0);
  g_assert_cmpstr (scaler_instance_get_tag (a, "team"), ==, "ml & ops <> \"q\" 'a'");
  g_assert_cmpstr (a->state_reason, ==, "Server.SpotInstanceTermination");
  g_assert_cmpstr (r->next_token, ==, "tok2");

  assert_path ("<CreateTagsResponse" NS "><requestId>7a</requestId><return>true</return></CreateTagsResponse>",
               SCALER_XML_PATH_FAST);
  assert_path ("<?xml version='1.0'?> \n<?other?><TerminateInstancesResponse a = 'x'\tb=\"y\"c='z' >"
               "<instancesSet><item><instanceId>i-1</instanceId><currentState><name>shutting-down</name>"
               "</currentState></item></instancesSet></TerminateInstancesResponse>\n\t ", SCALER_XML_PATH_FAST);
  assert_path ("<Response><Errors><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
               "</Errors><RequestID>x</RequestID></Response>", SCALER_XML_PATH_FAST);
  /* Callback errors (not an EC2 answer, too deep) are GMarkup's to report. */
  assert_path ("<html><body>x</body></html>", SCALER_XML_PATH_GMARKUP);
  assert_path ("<Response/>", SCALER_XML_PATH_FAST);   /* parsed; "no Code" is decided after */
}

static void
test_unusual_markup_falls_back (void)
{
  static const char * const bodies[] = {
    "<CreateTagsResponse><!-- comment --><return>true</return></CreateTagsResponse>",
    "<CreateTagsResponse><return><![CDATA[true]]></return></CreateTagsResponse>",
    "<CreateTagsResponse><requestId>&#65;&#x42;</requestId></CreateTagsResponse>",
    "<CreateTagsResponse><requestId>&#0;</requestId></CreateTagsResponse>",
    "<CreateTagsResponse>\r\n<requestId>a\rb\r\nc</requestId></CreateTagsResponse>",
    "<CreateTagsResponse><requestId>x</requestId ></CreateTagsResponse>",
    "<CreateTagsResponse><r\xc3\xa9quest>x</r\xc3\xa9quest></CreateTagsResponse>",
    "<!DOCTYPE x><CreateTagsResponse/>",
    "<CreateTagsResponse><?pi inside?><return>true</return></CreateTagsResponse>",
    "<CreateTagsResponse/><!-- trailing comment -->",
    "<CreateTagsResponse a=\"&amp;\"/>",
    "<CreateTagsResponse><requestId>&nbsp;</requestId></CreateTagsResponse>",
    "<CreateTagsResponse><requestId>&amp</requestId></CreateTagsResponse>",
    "<CreateTagsResponse><requestId>&;</requestId></CreateTagsResponse>",
    "<CreateTagsResponse/>trailing text",
    "<CreateTagsResponse/><CreateTagsResponse/>",
    "<CreateTagsResponse><a></b></CreateTagsResponse>",
    "<CreateTagsResponse><a b></a></CreateTagsResponse>",
    "<CreateTagsResponse><a b=c></a></CreateTagsResponse>",
    "<CreateTagsResponse><a/ ></CreateTagsResponse>",
    "<CreateTagsResponse><=a></CreateTagsResponse>",
    "<CreateTagsResponse><1a/></CreateTagsResponse>",
    "<CreateTagsResponse></>",
    "<CreateTagsResponse>",
    "<?xml version=\"1.0\"",
    "<?>",
    "<?x?>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    assert_path (bodies[i], SCALER_XML_PATH_GMARKUP);

  /* The fast path alone declines them without an error. */
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      ScalerEc2Response *r;

      r = scaler_ec2_response_parse_with (bodies[i], strlen (bodies[i]), SCALER_XML_PATH_FAST, NULL, &error);
      g_assert_null (r);
      g_assert_no_error (error);
    }
}

/* Every prefix of an answer (cut off anywhere) and every byte of it replaced
 * by each character that matters to the syntax: the paths always agree. */
static void
test_cut_and_mutated (void)
{
  static const char specials[] = { '<', '>', '/', '&', ';', '"', '\'', '=', ' ', '\n', '\r', '?', '!', '-', '[', 'x', ':', '#' };
  gsize len = strlen (describe_body);
  g_autofree char *copy = g_strdup (describe_body);
  guint fast = 0;

  for (gsize cut = 0; cut <= len; cut++)
    {
      g_autoptr(ScalerEc2Response) r = parse_agreeing (describe_body, cut, NULL);
    }

  for (gsize i = 0; i < len; i++)
    for (guint s = 0; s < G_N_ELEMENTS (specials); s++)
      {
        g_autoptr(ScalerEc2Response) r = NULL;
        ScalerXmlPath used;

        copy[i] = specials[s];
        r = parse_agreeing (copy, len, &used);
        fast += used == SCALER_XML_PATH_FAST;
        copy[i] = describe_body[i];
      }
  /* Many mutations land in text and stay on the fast path. */
  g_assert_cmpuint (fast, >, len);
}

static void
test_deep_nesting (void)
{
  g_autoptr(GString) body = g_string_new ("<DescribeInstancesResponse>");

  for (guint depth = 0; depth < 400; depth++)
    {
      g_autoptr(GString) closed = g_string_new (body->str);
      g_autoptr(ScalerEc2Response) r = NULL;

      for (guint i = 0; i < depth; i++)
        g_string_append (closed, "</a>");
      g_string_append (closed, "</DescribeInstancesResponse>");
      r = parse_agreeing (closed->str, closed->len, NULL);
      g_assert_true ((r != NULL) == (depth < 200));
      g_string_append (body, "<a>");
    }
}

static void
test_utf8_validate (void)
{
  static const char * const samples[] = {
    "", "plain ascii text, longer than a word", "caf\xc3\xa9", "\xe2\x82\xac euro", "\xf0\x9f\x98\x80",
    "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\x80", "\xbf", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
    "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xef\xbf\xbe", "\xef\xbb\xbf<a/>", "\xff", "\xfe",
  };
  guint32 seed = 7;

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    for (guint pad = 0; pad < 17; pad++)
      {
        /* The sample at every offset from a word boundary, inside ASCII. */
        g_autoptr(GString) s = g_string_new (NULL);

        for (guint k = 0; k < pad; k++)
          g_string_append_c (s, 'a' + (char) k);
        g_string_append (s, samples[i]);
        g_string_append (s, "tail text");
        g_assert_cmpint (scaler_xml_utf8_validate (s->str, s->len), ==, g_utf8_validate_len (s->str, s->len, NULL));
        /* and with a NUL byte somewhere */
        g_assert_false (scaler_xml_utf8_validate (s->str, s->len + 1));
      }

  /* Random bytes, mostly ASCII with some high ones. */
  for (guint n = 0; n < 20000; n++)
    {
      char buf[40];
      gsize len = seed % sizeof buf;

      for (gsize k = 0; k < len; k++)
        {
          seed = seed * 1103515245 + 12345;
          buf[k] = (seed >> 24) % 5 == 0 ? (char) (0x80 | (seed >> 8)) : (char) (' ' + (seed >> 16) % 90);
        }
      seed = seed * 1103515245 + 12345;
      g_assert_cmpint (scaler_xml_utf8_validate (buf, len), ==, g_utf8_validate_len (buf, len, NULL));
    }
}

static void
test_fuzz_corpus (void)
{
  g_autofree char *dir_path = g_build_filename (SCALER_SOURCE_DIR, "tests", "fuzz", "corpus", "ec2-xml", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *data = NULL;
      g_autoptr(ScalerEc2Response) r = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (path, &data, &length, NULL));
      r = parse_agreeing (data, length, NULL);
      n++;
    }
  g_assert_cmpuint (n, >, 5);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/xml-fast/plain-answers", test_plain_answers_take_fast_path);
  g_test_add_func ("/scaler/xml-fast/unusual-markup", test_unusual_markup_falls_back);
  g_test_add_func ("/scaler/xml-fast/cut-and-mutated", test_cut_and_mutated);
  g_test_add_func ("/scaler/xml-fast/deep-nesting", test_deep_nesting);
  g_test_add_func ("/scaler/xml-fast/utf8-validate", test_utf8_validate);
  g_test_add_func ("/scaler/xml-fast/fuzz-corpus", test_fuzz_corpus);

  return g_test_run ();
}
