/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the EC2 answer parser (scaler-ec2-xml.h) on canned bodies shaped like
 * EC2's (botocore/data/ec2/2016-11-15/service-2.json element names) and on
 * broken ones. */

#include "config.h"

#include <string.h>

#include "scaler-core.h"
#include "scaler-ec2-xml.h"

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define NS " xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\""

static const char describe_body[] =
  DECL "<DescribeInstancesResponse" NS ">\n"
  "  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>\n"
  "  <reservationSet>\n"
  "    <item>\n"
  "      <reservationId>r-1234567890abcdef0</reservationId>\n"
  "      <ownerId>123456789012</ownerId>\n"
  "      <groupSet><item><groupId>sg-1</groupId><groupName>x</groupName></item></groupSet>\n"
  "      <instancesSet>\n"
  "        <item>\n"
  "          <instanceId>i-0aaaaaaaaaaaaaaa1</instanceId>\n"
  "          <imageId>ami-0abc</imageId>\n"
  "          <instanceState><code>16</code><name>running</name></instanceState>\n"
  "          <privateDnsName>ip-10-0-0-1.ec2.internal</privateDnsName>\n"
  "          <instanceType>g4dn.xlarge</instanceType>\n"
  "          <launchTime>2025-06-01T12:00:00.000Z</launchTime>\n"
  "          <placement><availabilityZone>us-east-1b</availabilityZone><tenancy>default</tenancy></placement>\n"
  "          <subnetId>subnet-0abc</subnetId>\n"
  "          <groupSet><item><groupId>sg-0123</groupId><groupName>default</groupName></item></groupSet>\n"
  "          <blockDeviceMapping><item><deviceName>/dev/sda1</deviceName><ebs><volumeId>vol-1</volumeId></ebs></item></blockDeviceMapping>\n"
  "          <instanceLifecycle>spot</instanceLifecycle>\n"
  "          <spotInstanceRequestId>sir-abcdefgh</spotInstanceRequestId>\n"
  "          <clientToken>token-1</clientToken>\n"
  "          <networkInterfaceSet><item><subnetId>subnet-WRONG</subnetId>"
  "<tagSet><item><key>nested</key><value>ignored</value></item></tagSet></item></networkInterfaceSet>\n"
  "          <tagSet>\n"
  "            <item><key>Name</key><value>probe &amp; &lt;test&gt;</value></item>\n"
  "            <item><key>ec2-autoscaler:instance</key><value>cfg-1</value></item>\n"
  "            <item><key>ec2-autoscaler:resource</key><value>aws4gpu</value></item>\n"
  "            <item><key>empty</key><value/></item>\n"
  "          </tagSet>\n"
  "          <someFutureField><deep><item>x</item></deep></someFutureField>\n"
  "        </item>\n"
  "        <item>\n"
  "          <instanceId>i-0aaaaaaaaaaaaaaa2</instanceId>\n"
  "          <instanceState><code>0</code><name>pending</name></instanceState>\n"
  "          <instanceType>t3.micro</instanceType>\n"
  "          <tagSet/>\n"
  "        </item>\n"
  "      </instancesSet>\n"
  "    </item>\n"
  "    <item>\n"
  "      <reservationId>r-2</reservationId>\n"
  "      <instancesSet>\n"
  "        <item>\n"
  "          <instanceId>i-0aaaaaaaaaaaaaaa3</instanceId>\n"
  "          <instanceState><code>80</code><name>stopped</name></instanceState>\n"
  "          <stateReason><code>Client.UserInitiatedShutdown</code><message>User initiated</message></stateReason>\n"
  "          <instanceType>m5.large</instanceType>\n"
  "        </item>\n"
  "        <item><imageId>no id: dropped</imageId></item>\n"
  "      </instancesSet>\n"
  "    </item>\n"
  "  </reservationSet>\n"
  "  <nextToken>eyJ0b2tlbiI6IDF9</nextToken>\n"
  "</DescribeInstancesResponse>";

static ScalerEc2Response *
parse_ok (const char *body)
{
  g_autoptr(GError) error = NULL;
  ScalerEc2Response *response = scaler_ec2_response_parse (body, strlen (body), &error);

  g_assert_no_error (error);
  g_assert_nonnull (response);

  return response;
}

static void
parse_fails (const char *body,
             gsize       length,
             const char *fragment)
{
  g_autoptr(GError) error = NULL;
  ScalerEc2Response *response;

  /* (gsize) -1 means "up to the NUL". */
  if (length == (gsize) -1)
    length = strlen (body);
  response = scaler_ec2_response_parse (body, length, &error);
  g_assert_null (response);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_PARSE);
  if (strstr (error->message, fragment) == NULL)
    g_error ("expected \"%s\" in \"%s\"", fragment, error->message);
}

static void
test_describe_instances (void)
{
  g_autoptr(ScalerEc2Response) r = parse_ok (describe_body);
  const ScalerInstance *a, *b, *c;

  g_assert_cmpstr (r->action, ==, "DescribeInstances");
  g_assert_cmpstr (r->request_id, ==, "8f7724cf-496f-496e-8fe3-example");
  g_assert_cmpstr (r->next_token, ==, "eyJ0b2tlbiI6IDF9");
  g_assert_false (scaler_ec2_response_is_error (r));
  g_assert_cmpuint (r->instances->len, ==, 3);

  a = g_ptr_array_index (r->instances, 0);
  g_assert_cmpstr (a->instance_id, ==, "i-0aaaaaaaaaaaaaaa1");
  g_assert_cmpstr (a->instance_type, ==, "g4dn.xlarge");
  g_assert_cmpint (a->state, ==, SCALER_INSTANCE_STATE_RUNNING);
  g_assert_cmpstr (a->availability_zone, ==, "us-east-1b");
  g_assert_cmpstr (a->subnet_id, ==, "subnet-0abc");
  g_assert_cmpstr (a->client_token, ==, "token-1");
  g_assert_true (a->is_spot);
  g_assert_cmpint (a->launch_time, ==, G_GINT64_CONSTANT (1748779200) * G_USEC_PER_SEC);
  g_assert_cmpuint (a->tags->len, ==, 4);
  g_assert_cmpstr (scaler_instance_get_tag (a, "Name"), ==, "probe & <test>");
  g_assert_cmpstr (scaler_instance_get_tag (a, "empty"), ==, "");
  g_assert_null (scaler_instance_get_tag (a, "nested"));
  g_assert_cmpstr (a->config_id, ==, "cfg-1");
  g_assert_cmpstr (a->resource, ==, "aws4gpu");
  g_assert_null (a->state_reason);

  b = g_ptr_array_index (r->instances, 1);
  g_assert_cmpstr (b->instance_id, ==, "i-0aaaaaaaaaaaaaaa2");
  g_assert_cmpint (b->state, ==, SCALER_INSTANCE_STATE_PENDING);
  g_assert_false (b->is_spot);
  g_assert_null (b->config_id);
  g_assert_null (b->availability_zone);
  g_assert_cmpuint (b->tags->len, ==, 0);
  g_assert_cmpint (b->launch_time, ==, 0);

  c = g_ptr_array_index (r->instances, 2);
  g_assert_cmpstr (c->instance_id, ==, "i-0aaaaaaaaaaaaaaa3");
  g_assert_cmpint (c->state, ==, SCALER_INSTANCE_STATE_STOPPED);
  g_assert_cmpstr (c->state_reason, ==, "Client.UserInitiatedShutdown");
}

static void
test_empty_next_token (void)
{
  g_autoptr(ScalerEc2Response) r1 = parse_ok (DECL "<DescribeInstancesResponse" NS "><requestId>x</requestId>"
                                              "<reservationSet/><nextToken/></DescribeInstancesResponse>");
  g_autoptr(ScalerEc2Response) r2 = parse_ok ("<DescribeInstancesResponse><reservationSet></reservationSet>"
                                              "<nextToken>  </nextToken></DescribeInstancesResponse>");

  g_assert_null (r1->next_token);
  g_assert_cmpuint (r1->instances->len, ==, 0);
  /* Whitespace-only is kept as given (EC2 never sends it); an absent one is NULL. */
  g_assert_nonnull (r2->next_token);
}

static void
test_run_instances (void)
{
  g_autoptr(ScalerEc2Response) r = parse_ok (
    DECL "<RunInstancesResponse" NS "><requestId>req</requestId><reservationId>r-0f</reservationId>"
    "<ownerId>1</ownerId><groupSet/><instancesSet><item><instanceId>i-0123456789abcdef0</instanceId>"
    "<instanceState><code>0</code><name>pending</name></instanceState><instanceType>g5.xlarge</instanceType>"
    "<placement><availabilityZone>us-west-2a</availabilityZone></placement>"
    "<clientToken>tok</clientToken><tagSet><item><key>k</key><value>v</value></item></tagSet></item>"
    "</instancesSet></RunInstancesResponse>");
  const ScalerInstance *i;

  g_assert_cmpstr (r->action, ==, "RunInstances");
  g_assert_cmpstr (r->reservation_id, ==, "r-0f");
  g_assert_cmpuint (r->instances->len, ==, 1);
  i = g_ptr_array_index (r->instances, 0);
  g_assert_cmpstr (i->instance_id, ==, "i-0123456789abcdef0");
  g_assert_cmpstr (i->availability_zone, ==, "us-west-2a");
  g_assert_cmpstr (i->client_token, ==, "tok");
  g_assert_cmpstr (scaler_instance_get_tag (i, "k"), ==, "v");
}

static void
test_terminate_instances (void)
{
  g_autoptr(ScalerEc2Response) r = parse_ok (
    DECL "<TerminateInstancesResponse" NS "><requestId>req</requestId><instancesSet>"
    "<item><instanceId>i-1</instanceId><currentState><code>32</code><name>shutting-down</name></currentState>"
    "<previousState><code>16</code><name>running</name></previousState></item>"
    "<item><instanceId>i-2</instanceId><currentState><code>48</code><name>terminated</name></currentState>"
    "<previousState><code>48</code><name>terminated</name></previousState></item>"
    "</instancesSet></TerminateInstancesResponse>");
  const ScalerEc2StateChange *c;

  g_assert_cmpuint (r->instances->len, ==, 0);
  g_assert_cmpuint (r->state_changes->len, ==, 2);
  c = g_ptr_array_index (r->state_changes, 0);
  g_assert_cmpstr (c->instance_id, ==, "i-1");
  g_assert_cmpstr (c->current_state, ==, "shutting-down");
  g_assert_cmpstr (c->previous_state, ==, "running");
  c = g_ptr_array_index (r->state_changes, 1);
  g_assert_cmpstr (c->current_state, ==, "terminated");
}

static void
test_spot_prices (void)
{
  g_autoptr(ScalerEc2Response) r = parse_ok (
    DECL "<DescribeSpotPriceHistoryResponse" NS "><requestId>req</requestId><spotPriceHistorySet>"
    "<item><instanceType>g4dn.xlarge</instanceType><productDescription>Linux/UNIX</productDescription>"
    "<spotPrice>0.157800</spotPrice><timestamp>2025-06-01T11:59:00.000Z</timestamp>"
    "<availabilityZone>us-east-1b</availabilityZone></item>"
    "<item><instanceType>g4dn.xlarge</instanceType><productDescription>Windows</productDescription>"
    "<spotPrice>0.3156</spotPrice><timestamp>2025-06-01T11:59:00Z</timestamp>"
    "<availabilityZone>us-east-1b</availabilityZone></item>"
    "<item><instanceType>g4dn.xlarge</instanceType><spotPrice>not a number</spotPrice>"
    "<availabilityZone>us-east-1c</availabilityZone></item>"
    "</spotPriceHistorySet><nextToken></nextToken></DescribeSpotPriceHistoryResponse>");
  const ScalerEc2SpotPrice *p;

  g_assert_null (r->next_token);
  g_assert_cmpuint (r->spot_prices->len, ==, 2);
  p = g_ptr_array_index (r->spot_prices, 0);
  g_assert_cmpstr (p->instance_type, ==, "g4dn.xlarge");
  g_assert_cmpstr (p->availability_zone, ==, "us-east-1b");
  g_assert_cmpstr (p->product_description, ==, "Linux/UNIX");
  g_assert_cmpfloat_with_epsilon (p->price_usd_per_hour, 0.1578, 1e-9);
  g_assert_cmpint (p->timestamp, ==, G_GINT64_CONSTANT (1748779140) * G_USEC_PER_SEC);
  p = g_ptr_array_index (r->spot_prices, 1);
  g_assert_cmpstr (p->product_description, ==, "Windows");
}

static void
test_console_output (void)
{
  g_autoptr(ScalerEc2Response) r = parse_ok (
    DECL "<GetConsoleOutputResponse" NS "><requestId>req</requestId><instanceId>i-1</instanceId>"
    "<timestamp>2025-06-01T12:00:00.000Z</timestamp>"
    "<output>Ym9vdGluZy4uLgpo\nZWxsbyDDqQo=</output></GetConsoleOutputResponse>");
  g_autoptr(ScalerEc2Response) none = parse_ok (
    "<GetConsoleOutputResponse><requestId>req</requestId><instanceId>i-1</instanceId></GetConsoleOutputResponse>");
  g_autoptr(ScalerEc2Response) binary = parse_ok (
    "<GetConsoleOutputResponse><output>/w==</output></GetConsoleOutputResponse>");

  g_assert_cmpstr (r->instance_id, ==, "i-1");
  g_assert_cmpstr (r->console_output, ==, "booting...\nhello \xc3\xa9\n");
  g_assert_null (none->console_output);
  /* Invalid UTF-8 is repaired, never passed on. */
  g_assert_true (g_utf8_validate (binary->console_output, -1, NULL));
}

static void
test_error_body (void)
{
  g_autoptr(ScalerEc2Response) r = parse_ok (
    DECL "<Response><Errors><Error><Code>InsufficientInstanceCapacity</Code>"
    "<Message>We currently do not have sufficient g5.xlarge capacity in the Availability Zone you requested (us-west-2a).</Message>"
    "</Error><Error><Code>Second</Code><Message>two</Message></Error></Errors>"
    "<RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>");

  g_assert_true (scaler_ec2_response_is_error (r));
  g_assert_cmpstr (r->action, ==, "");
  g_assert_cmpstr (r->error_code, ==, "InsufficientInstanceCapacity");
  g_assert_true (g_str_has_prefix (r->error_message, "We currently do not have sufficient g5.xlarge"));
  g_assert_cmpstr (r->request_id, ==, "ea966190-f9aa-478e-9ede-example");
  g_assert_cmpuint (r->n_errors, ==, 2);

  /* An error body without a code is not usable. */
  parse_fails ("<Response><Errors><Error><Message>x</Message></Error></Errors></Response>", (gsize) -1, "Code");
}

static void
test_other_actions (void)
{
  g_autoptr(ScalerEc2Response) r = parse_ok (
    "<CreateTagsResponse" NS "><requestId>7a62c49f</requestId><return>true</return></CreateTagsResponse>");

  g_assert_cmpstr (r->action, ==, "CreateTags");
  g_assert_true (r->return_value);
  g_assert_cmpstr (r->request_id, ==, "7a62c49f");
}

static void
test_bad_bodies (void)
{
  g_autoptr(GString) deep = g_string_new ("<DescribeInstancesResponse>");
  gsize half = strlen (describe_body) / 2;

  parse_fails ("", 0, "empty");
  parse_fails (" \n\t ", 4, "empty");
  parse_fails ("Service Unavailable", 19, "not XML");
  parse_fails ("{\"json\": true}", 14, "not XML");
  parse_fails ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
               "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
               (gsize) -1, "");
  parse_fails ("<html><body>Proxy error</body></html>", (gsize) -1, "root element is <html>");
  parse_fails ("<foo/>", 6, "<foo>");
  parse_fails ("<Response/>", 11, "Code");
  parse_fails (describe_body, half, "");
  parse_fails ("<DescribeInstancesResponse><a></b></DescribeInstancesResponse>", (gsize) -1, "malformed");
  parse_fails ("<DescribeInstancesResponse><reservationSet>", (gsize) -1, "cut off");
  parse_fails ("<DescribeInstancesResponse>\xff\xfe</DescribeInstancesResponse>", (gsize) -1, "");
  parse_fails ("<DescribeInstancesResponse>&bogus;</DescribeInstancesResponse>", (gsize) -1, "");

  /* Found by fuzzing: a second root element (leaked the first one's
   * action), and invalid UTF-8 inside CDATA (GMarkup reported an error
   * twice). */
  parse_fails ("<Response><Errors><Error><Code>A</Code></Error></Errors></Response><Response/>", (gsize) -1,
               "more than one root");
  parse_fails ("<DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceId>"
               "<![CDATA[i\xd5" "2]]>", (gsize) -1, "UTF-8");

  for (guint i = 0; i < 300; i++)
    g_string_append (deep, "<a>");
  parse_fails (deep->str, deep->len, "deep");
}

static void
test_huge_unknown_padding (void)
{
  g_autoptr(GString) body = g_string_new ("<DescribeInstancesResponse" NS "><requestId>r</requestId><padding>");
  g_autoptr(ScalerEc2Response) r = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append (body, "<unknownElement attr=\"x\">some text that nobody reads</unknownElement>");
  g_string_append (body, "</padding><reservationSet><item><instancesSet><item><instanceId>i-1</instanceId>"
                         "</item></instancesSet></item></reservationSet></DescribeInstancesResponse>");
  r = parse_ok (body->str);
  g_assert_cmpuint (r->instances->len, ==, 1);
}

static void
test_timestamps (void)
{
  g_assert_cmpint (scaler_ec2_parse_timestamp ("2025-06-01T12:00:00.000Z"), ==, G_GINT64_CONSTANT (1748779200) * G_USEC_PER_SEC);
  g_assert_cmpint (scaler_ec2_parse_timestamp ("2025-06-01T12:00:00.250Z"), ==, G_GINT64_CONSTANT (1748779200) * G_USEC_PER_SEC + 250000);
  g_assert_cmpint (scaler_ec2_parse_timestamp ("2025-06-01T12:00:00Z"), ==, G_GINT64_CONSTANT (1748779200) * G_USEC_PER_SEC);
  g_assert_cmpint (scaler_ec2_parse_timestamp ("yesterday"), ==, 0);
  g_assert_cmpint (scaler_ec2_parse_timestamp (""), ==, 0);
  g_assert_cmpint (scaler_ec2_parse_timestamp (NULL), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/xml/describe-instances", test_describe_instances);
  g_test_add_func ("/scaler/xml/empty-next-token", test_empty_next_token);
  g_test_add_func ("/scaler/xml/run-instances", test_run_instances);
  g_test_add_func ("/scaler/xml/terminate-instances", test_terminate_instances);
  g_test_add_func ("/scaler/xml/spot-prices", test_spot_prices);
  g_test_add_func ("/scaler/xml/console-output", test_console_output);
  g_test_add_func ("/scaler/xml/error-body", test_error_body);
  g_test_add_func ("/scaler/xml/other-actions", test_other_actions);
  g_test_add_func ("/scaler/xml/bad-bodies", test_bad_bodies);
  g_test_add_func ("/scaler/xml/huge-unknown-padding", test_huge_unknown_padding);
  g_test_add_func ("/scaler/xml/timestamps", test_timestamps);

  return g_test_run ();
}
