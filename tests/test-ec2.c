/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The EC2 client against the fake AWS (tests/fakes, verified with AWS's own
 * SDK) over real HTTP: launches, lists, terminates, every injected fault with
 * its error class and retry behaviour, clock skew, cancellation, the retry
 * quota, test connection. Backoff sleeps are recorded instead of slept (except
 * where a test needs the real cancellable sleep), so the suite stays fast. */

#include "config.h"

#include <string.h>

#include "scaler-core.h"
#include "scaler-ec2.h"
#include "scaler-ec2-cloud.h"
#include "scaler-fake.h"
#include "scaler-util.h"
#include "support/scaler-test-config.h"
#include "support/scaler-test-server.h"

#define AK "AKIDEXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define CONFIG_ID "5b0f3c9e-0000-4000-8000-0000000000aa"

static ScalerFake *fake;

typedef struct
{
  GArray *delays;   /* gint64 usec */
} Sleeps;

static gboolean
record_sleep (gint64         usec,
              GCancellable  *cancellable,
              gpointer       user_data,
              GError       **error)
{
  Sleeps *sleeps = user_data;

  g_array_append_val (sleeps->delays, usec);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static double
half (gpointer user_data)
{
  return 0.5;
}

static double
almost_one (gpointer user_data)
{
  return 0.999;
}

static Sleeps *
sleeps_new (void)
{
  Sleeps *s = g_new0 (Sleeps, 1);

  s->delays = g_array_new (FALSE, FALSE, sizeof (gint64));
  return s;
}

static void
sleeps_free (Sleeps *s)
{
  g_array_unref (s->delays);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sleeps, sleeps_free)

static ScalerEc2Client *
make_client_with (const char *ak,
                  const char *sk,
                  Sleeps     *sleeps)
{
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (ak, sk, NULL);
  g_autoptr(GError) error = NULL;
  ScalerEc2Client *client;

  client = scaler_ec2_client_new ("us-east-1", scaler_fake_get_ec2_url (fake), creds, &error);
  g_assert_no_error (error);
  g_assert_nonnull (client);
  if (sleeps != NULL)
    scaler_aws_retry_set_sleep_func (scaler_ec2_client_get_retry (client), record_sleep, sleeps);
  scaler_aws_retry_set_random_func (scaler_ec2_client_get_retry (client), half, NULL);
  scaler_ec2_client_set_timeouts (client, 5000, 20000);

  return client;
}

static ScalerEc2Client *
make_client (Sleeps *sleeps)
{
  return make_client_with (AK, SK, sleeps);
}

static void
fake_post (const char *path,
           const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = scaler_fake_control (fake, "POST", path, json, &error);

  g_assert_no_error (error);
  json_node_unref (node);
}

static void
fault (const char *json)
{
  fake_post ("/_fake/fault", json);
}

static JsonObject *
state_object (JsonNode **holder)
{
  g_autoptr(GError) error = NULL;

  *holder = scaler_fake_get_state (fake, &error);
  g_assert_no_error (error);
  return json_node_get_object (*holder);
}

static gint64
signature_failures (void)
{
  JsonNode *node = NULL;
  JsonObject *state = state_object (&node);
  gint64 n = json_object_get_int_member (state, "signature_failures");

  json_node_unref (node);
  return n;
}

static void
reset_fake (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (scaler_fake_reset (fake, &error));
  g_assert_no_error (error);
  fake_post ("/_fake/config", "{\"boot_delay_s\": 0.2, \"shutdown_delay_s\": 0.2}");
}

/* Every test ends with this: not one request was signed wrongly. */
static void
assert_no_signature_failures (void)
{
  g_assert_cmpint (signature_failures (), ==, 0);
}

static ScalerConfig *
make_config (void)
{
  ScalerConfig *config = scaler_test_config_new (&(ScalerTestConfigOptions) {
    .id = CONFIG_ID,
    .workers_prefix = "dynamic_worker",
    .resource = "aws4gpu",
    .queue = "gpu",
    .instance_type = "g4dn.xlarge",
    .ami_id = "ami-0123456789abcdef0",
    .max_instances = 4,
  });
  ScalerResource *resource = scaler_test_config_resource (config);

  scaler_set_str (&config->aws_region, "us-east-1");
  scaler_set_str (&config->aws_endpoint, scaler_fake_get_ec2_url (fake));
  g_ptr_array_add (config->aws_tags, scaler_tag_new ("team", "ml & ops"));

  scaler_set_str (&resource->ebs_device_name, "/dev/sda1");
  resource->ebs_volume_size = 100;
  scaler_set_str (&resource->ebs_volume_type, "gp3");
  scaler_set_str (&resource->key_name, "ml-key");
  g_strfreev (resource->security_group_ids);
  resource->security_group_ids = g_strsplit ("sg-0123456789abcdef0,sg-0fedcba9876543210", ",", -1);
  scaler_set_str (&resource->iam_instance_profile, "scaler-worker");
  g_ptr_array_add (resource->tags, scaler_tag_new ("cost-center", "42"));

  return config;
}

static const char bootstrap_script[] =
  "#!/bin/bash\n"
  "echo 'hello from the bootstrap: + / = & ~ %'\n"
  "export CLEARML_WORKER_ID=\"dynamic_worker:aws4gpu:g4dn.xlarge:$INSTANCE_ID\"\n";

static JsonObject *
find_instance (JsonObject *state,
               const char *instance_id)
{
  JsonArray *instances = json_object_get_array_member (state, "instances");

  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonObject *o = json_array_get_object_element (instances, i);

      if (g_strcmp0 (json_object_get_string_member (o, "instance_id"), instance_id) == 0)
        return o;
    }

  return NULL;
}

static guint
count_instances (JsonObject *state)
{
  return json_array_get_length (json_object_get_array_member (state, "instances"));
}

static void
assert_tags (JsonObject *tags)
{
  g_assert_cmpstr (json_object_get_string_member (tags, "ec2-autoscaler:instance"), ==, CONFIG_ID);
  g_assert_cmpstr (json_object_get_string_member (tags, "ec2-autoscaler:resource"), ==, "aws4gpu");
  g_assert_cmpstr (json_object_get_string_member (tags, "Name"), ==, "dynamic_worker:aws4gpu");
  g_assert_cmpstr (json_object_get_string_member (tags, "team"), ==, "ml & ops");
  g_assert_cmpstr (json_object_get_string_member (tags, "cost-center"), ==, "42");
  g_assert_cmpuint (json_object_get_size (tags), ==, 5);
}

static void
test_launch_on_demand (void)
{
  g_autoptr(ScalerEc2Client) client = make_client (NULL);
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerInstance) instance = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node = NULL;
  JsonObject *state, *o, *bdm, *ebs, *mo;
  JsonArray *sgs;
  ScalerLaunchSpec spec = { 0 };

  reset_fake ();
  spec.config = config;
  spec.resource = g_ptr_array_index (config->resources, 0);
  spec.availability_zone = "us-east-1b";
  spec.client_token = "launch-on-demand-0001";
  spec.user_data = bootstrap_script;

  instance = scaler_ec2_run_instance (client, &spec, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (instance);
  g_assert_true (g_str_has_prefix (instance->instance_id, "i-"));
  g_assert_cmpint (instance->state, ==, SCALER_INSTANCE_STATE_PENDING);
  g_assert_cmpstr (instance->availability_zone, ==, "us-east-1b");
  g_assert_cmpstr (instance->instance_type, ==, "g4dn.xlarge");
  g_assert_cmpstr (instance->client_token, ==, "launch-on-demand-0001");
  g_assert_cmpstr (instance->config_id, ==, CONFIG_ID);
  g_assert_false (instance->is_spot);
  g_assert_cmpint (instance->launch_time, >, 0);

  state = state_object (&node);
  g_assert_cmpuint (count_instances (state), ==, 1);
  o = find_instance (state, instance->instance_id);
  g_assert_nonnull (o);
  g_assert_cmpstr (json_object_get_string_member (o, "image_id"), ==, "ami-0123456789abcdef0");
  g_assert_cmpstr (json_object_get_string_member (o, "instance_type"), ==, "g4dn.xlarge");
  g_assert_cmpstr (json_object_get_string_member (o, "key_name"), ==, "ml-key");
  g_assert_cmpstr (json_object_get_string_member (o, "zone"), ==, "us-east-1b");
  g_assert_cmpstr (json_object_get_string_member (o, "market"), ==, "on-demand");
  g_assert_cmpstr (json_object_get_string_member (o, "shutdown_behavior"), ==, "terminate");
  g_assert_cmpstr (json_object_get_string_member (o, "client_token"), ==, "launch-on-demand-0001");
  g_assert_cmpstr (json_object_get_string_member (o, "user_data"), ==, bootstrap_script);
  sgs = json_object_get_array_member (o, "security_group_ids");
  g_assert_cmpuint (json_array_get_length (sgs), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (sgs, 0), ==, "sg-0123456789abcdef0");
  g_assert_cmpstr (json_array_get_string_element (sgs, 1), ==, "sg-0fedcba9876543210");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "iam_instance_profile"), "name"),
                   ==, "scaler-worker");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "block_device_mappings")), ==, 1);
  bdm = json_array_get_object_element (json_object_get_array_member (o, "block_device_mappings"), 0);
  g_assert_cmpstr (json_object_get_string_member (bdm, "device_name"), ==, "/dev/sda1");
  ebs = json_object_get_object_member (bdm, "ebs");
  g_assert_cmpstr (json_object_get_string_member (ebs, "VolumeSize"), ==, "100");
  g_assert_cmpstr (json_object_get_string_member (ebs, "VolumeType"), ==, "gp3");
  g_assert_cmpstr (json_object_get_string_member (ebs, "DeleteOnTermination"), ==, "true");
  mo = json_object_get_object_member (o, "metadata_options");
  g_assert_cmpstr (json_object_get_string_member (mo, "HttpTokens"), ==, "required");
  g_assert_cmpstr (json_object_get_string_member (mo, "HttpEndpoint"), ==, "enabled");
  assert_tags (json_object_get_object_member (o, "tags"));
  assert_tags (json_object_get_object_member (o, "volume_tags"));
  json_node_unref (node);

  assert_no_signature_failures ();
}

static void
test_launch_spot (void)
{
  g_autoptr(ScalerEc2Client) client = make_client (NULL);
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerInstance) instance = NULL;
  g_autoptr(GError) error = NULL;
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  JsonNode *node = NULL;
  JsonObject *state, *o, *spot;
  ScalerLaunchSpec spec = { 0 };

  reset_fake ();
  g_free (resource->iam_instance_profile);
  resource->iam_instance_profile = g_strdup ("arn:aws:iam::123456789012:instance-profile/scaler-worker");
  spec.config = config;
  spec.resource = resource;
  spec.subnet_id = "subnet-0aaaaaaaaaaaaaaa1";
  spec.availability_zone = "us-east-1c";   /* the subnet wins */
  spec.spot = TRUE;
  spec.client_token = "launch-spot-0001";

  instance = scaler_ec2_run_instance (client, &spec, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (instance->is_spot);
  g_assert_cmpstr (instance->subnet_id, ==, "subnet-0aaaaaaaaaaaaaaa1");

  state = state_object (&node);
  o = find_instance (state, instance->instance_id);
  g_assert_cmpstr (json_object_get_string_member (o, "market"), ==, "spot");
  g_assert_cmpstr (json_object_get_string_member (o, "subnet_id"), ==, "subnet-0aaaaaaaaaaaaaaa1");
  g_assert_true (json_object_get_null_member (o, "user_data"));
  spot = json_object_get_object_member (o, "spot_options");
  g_assert_cmpstr (json_object_get_string_member (spot, "SpotInstanceType"), ==, "one-time");
  g_assert_cmpstr (json_object_get_string_member (spot, "InstanceInterruptionBehavior"), ==, "terminate");
  g_assert_false (json_object_has_member (spot, "MaxPrice"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "iam_instance_profile"), "arn"),
                   ==, "arn:aws:iam::123456789012:instance-profile/scaler-worker");
  assert_tags (json_object_get_object_member (o, "tags"));
  json_node_unref (node);

  assert_no_signature_failures ();
}

static void
test_launch_bad_spec (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_malloc (SCALER_EC2_MAX_USER_DATA + 2);
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  ScalerLaunchSpec spec = { 0 };
  ScalerEc2Params *params;

  memset (big, 'x', SCALER_EC2_MAX_USER_DATA + 1);
  big[SCALER_EC2_MAX_USER_DATA + 1] = '\0';
  spec.config = config;
  spec.resource = resource;
  spec.user_data = big;
  params = scaler_ec2_run_instances_params (&spec, FALSE, &error);
  g_assert_null (params);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "16384"));
  g_clear_error (&error);

  spec.user_data = NULL;
  g_free (resource->ami_id);
  resource->ami_id = g_strdup ("");
  params = scaler_ec2_run_instances_params (&spec, FALSE, &error);
  g_assert_null (params);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "ami_id"));
}

static void
test_params (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerEc2Params) params = NULL;
  g_autofree char *body = NULL;
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  ScalerLaunchSpec spec = { 0 };

  g_free (resource->ebs_device_name);
  resource->ebs_device_name = g_strdup ("");
  spec.config = config;
  spec.resource = resource;
  spec.user_data = "#!/bin/sh\n";
  params = scaler_ec2_run_instances_params (&spec, TRUE, NULL);
  g_assert_nonnull (params);
  /* No device name: the AMI's own block devices. */
  g_assert_null (scaler_ec2_params_get (params, "BlockDeviceMapping.1.DeviceName"));
  g_assert_null (scaler_ec2_params_get (params, "BlockDeviceMapping.1.Ebs.VolumeSize"));
  /* No zone and no subnet: EC2 picks. */
  g_assert_null (scaler_ec2_params_get (params, "Placement.AvailabilityZone"));
  g_assert_null (scaler_ec2_params_get (params, "SubnetId"));
  g_assert_null (scaler_ec2_params_get (params, "InstanceMarketOptions.MarketType"));
  g_assert_cmpstr (scaler_ec2_params_get (params, "DryRun"), ==, "true");
  g_assert_cmpstr (scaler_ec2_params_get (params, "UserData"), ==, "IyEvYmluL3NoCg==");
  /* A generated token when the spec has none. */
  g_assert_cmpuint (strlen (scaler_ec2_params_get (params, "ClientToken")), ==, 36);

  body = scaler_ec2_params_encode (params);
  g_assert_true (g_str_has_prefix (body, "Action=RunInstances&Version=2016-11-15&ImageId=ami-0123456789abcdef0&"));
  g_assert_nonnull (strstr (body, "&UserData=IyEvYmluL3NoCg%3D%3D&"));
  g_assert_nonnull (strstr (body, "&TagSpecification.1.Tag.4.Value=ml%20%26%20ops&"));
  /* IMDSv2 with one hop more than EC2's default, for docker containers. */
  g_assert_cmpstr (scaler_ec2_params_get (params, "MetadataOptions.HttpTokens"), ==, "required");
  g_assert_cmpstr (scaler_ec2_params_get (params, "MetadataOptions.HttpPutResponseHopLimit"), ==, "2");
  /* No public IP choice: security groups at the top level, no interface. */
  g_assert_cmpstr (scaler_ec2_params_get (params, "SecurityGroupId.2"), ==, "sg-0fedcba9876543210");
  g_assert_null (scaler_ec2_params_get (params, "NetworkInterface.1.DeviceIndex"));
}

static void
test_params_volumes (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(GError) error = NULL;
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  ScalerLaunchSpec spec = { 0 };

  spec.config = config;
  spec.resource = resource;

  /* io1: the IOPS go with the volume. */
  g_free (resource->ebs_volume_type);
  resource->ebs_volume_type = g_strdup ("io1");
  resource->ebs_iops = 5000;
  {
    g_autoptr(ScalerEc2Params) params = scaler_ec2_run_instances_params (&spec, FALSE, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (scaler_ec2_params_get (params, "BlockDeviceMapping.1.Ebs.VolumeType"), ==, "io1");
    g_assert_cmpstr (scaler_ec2_params_get (params, "BlockDeviceMapping.1.Ebs.Iops"), ==, "5000");
    g_assert_null (scaler_ec2_params_get (params, "BlockDeviceMapping.1.Ebs.Throughput"));
  }

  /* gp3 with throughput, hop limit set by the resource. */
  g_free (resource->ebs_volume_type);
  resource->ebs_volume_type = g_strdup ("gp3");
  resource->ebs_iops = 0;
  resource->ebs_throughput = 250;
  resource->metadata_hop_limit = 5;
  {
    g_autoptr(ScalerEc2Params) params = scaler_ec2_run_instances_params (&spec, FALSE, &error);

    g_assert_no_error (error);
    g_assert_null (scaler_ec2_params_get (params, "BlockDeviceMapping.1.Ebs.Iops"));
    g_assert_cmpstr (scaler_ec2_params_get (params, "BlockDeviceMapping.1.Ebs.Throughput"), ==, "250");
    g_assert_cmpstr (scaler_ec2_params_get (params, "MetadataOptions.HttpPutResponseHopLimit"), ==, "5");
  }

  /* io2 without IOPS cannot launch: refused before anything is sent. */
  g_free (resource->ebs_volume_type);
  resource->ebs_volume_type = g_strdup ("io2");
  resource->ebs_throughput = 0;
  {
    g_autoptr(ScalerEc2Params) params = scaler_ec2_run_instances_params (&spec, FALSE, &error);

    g_assert_null (params);
    g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "ebs_iops"));
  }
}

/* associate_public_ip needs a network interface; the subnet and the
 * security groups then move into it (EC2 refuses them at the top level). */
static void
test_params_public_ip (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  ScalerLaunchSpec spec = { 0 };

  spec.config = config;
  spec.resource = resource;
  spec.subnet_id = "subnet-0123456789abcdef0";
  resource->associate_public_ip = SCALER_PUBLIC_IP_YES;
  {
    g_autoptr(ScalerEc2Params) params = scaler_ec2_run_instances_params (&spec, FALSE, NULL);

    g_assert_cmpstr (scaler_ec2_params_get (params, "NetworkInterface.1.DeviceIndex"), ==, "0");
    g_assert_cmpstr (scaler_ec2_params_get (params, "NetworkInterface.1.AssociatePublicIpAddress"), ==, "true");
    g_assert_cmpstr (scaler_ec2_params_get (params, "NetworkInterface.1.SubnetId"), ==, "subnet-0123456789abcdef0");
    g_assert_cmpstr (scaler_ec2_params_get (params, "NetworkInterface.1.SecurityGroupId.1"), ==, "sg-0123456789abcdef0");
    g_assert_cmpstr (scaler_ec2_params_get (params, "NetworkInterface.1.SecurityGroupId.2"), ==, "sg-0fedcba9876543210");
    g_assert_null (scaler_ec2_params_get (params, "SubnetId"));
    g_assert_null (scaler_ec2_params_get (params, "SecurityGroupId.1"));
  }

  /* Without a subnet: the zone picks the default subnet. */
  spec.subnet_id = NULL;
  spec.availability_zone = "us-east-1c";
  resource->associate_public_ip = SCALER_PUBLIC_IP_NO;
  {
    g_autoptr(ScalerEc2Params) params = scaler_ec2_run_instances_params (&spec, FALSE, NULL);

    g_assert_cmpstr (scaler_ec2_params_get (params, "NetworkInterface.1.AssociatePublicIpAddress"), ==, "false");
    g_assert_null (scaler_ec2_params_get (params, "NetworkInterface.1.SubnetId"));
    g_assert_cmpstr (scaler_ec2_params_get (params, "Placement.AvailabilityZone"), ==, "us-east-1c");
  }
}

static void
create_bulk (const char *config_id,
             guint       count,
             const char *state)
{
  g_autofree char *json = g_strdup_printf ("{\"count\": %u, \"state\": \"%s\", \"tags\": {\"ec2-autoscaler:instance\": \"%s\","
                                           " \"ec2-autoscaler:resource\": \"aws4gpu\"}}", count, state, config_id);

  fake_post ("/_fake/instances", json);
}

static void
test_list_pagination (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerEc2Cloud) cloud = NULL;
  g_autoptr(GPtrArray) instances = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  guint running = 0, stopped = 0;

  reset_fake ();
  create_bulk (CONFIG_ID, 2500, "running");
  create_bulk (CONFIG_ID, 3, "stopped");
  create_bulk ("5b0f3c9e-0000-4000-8000-0000000000bb", 7, "running");
  create_bulk (CONFIG_ID "x", 2, "running");
  fake_post ("/_fake/instances", "{\"count\": 4}");

  secrets->aws_access_key_id = g_strdup (AK);
  secrets->aws_secret_access_key = g_strdup (SK);
  cloud = scaler_ec2_cloud_new (config, secrets, &error);
  g_assert_no_error (error);

  instances = scaler_cloud_list_instances (SCALER_CLOUD (cloud), CONFIG_ID, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (instances->len, ==, 2503);
  for (guint i = 0; i < instances->len; i++)
    {
      const ScalerInstance *instance = g_ptr_array_index (instances, i);

      g_assert_cmpstr (instance->config_id, ==, CONFIG_ID);
      g_assert_cmpstr (instance->resource, ==, "aws4gpu");
      if (instance->state == SCALER_INSTANCE_STATE_RUNNING)
        running++;
      else if (instance->state == SCALER_INSTANCE_STATE_STOPPED)
        stopped++;
    }
  g_assert_cmpuint (running, ==, 2500);
  g_assert_cmpuint (stopped, ==, 3);
  /* 2503 instances in pages of 1000. */
  g_assert_cmpint (scaler_fake_get_request_count (fake, "ec2", "DescribeInstances"), ==, 3);

  assert_no_signature_failures ();
}

static GStrv
launch_some (ScalerEc2Client *client,
             ScalerConfig    *config,
             guint            n)
{
  GPtrArray *ids = g_ptr_array_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ScalerInstance) instance = NULL;
      ScalerLaunchSpec spec = { 0 };

      spec.config = config;
      spec.resource = g_ptr_array_index (config->resources, 0);
      instance = scaler_ec2_run_instance (client, &spec, NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (ids, g_strdup (instance->instance_id));
    }
  g_ptr_array_add (ids, NULL);

  return (GStrv) g_ptr_array_free (ids, FALSE);
}

static void
test_terminate (void)
{
  g_autoptr(ScalerEc2Client) client = make_client (NULL);
  g_autoptr(ScalerConfig) config = make_config ();
  g_auto(GStrv) ids = NULL;
  g_auto(GStrv) not_found = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) with_unknown = NULL;
  JsonNode *node = NULL;
  JsonObject *state;

  reset_fake ();
  ids = launch_some (client, config, 2);
  g_strv_builder_add (builder, ids[0]);
  g_strv_builder_add (builder, "i-0123456789abcdef0");
  g_strv_builder_add (builder, ids[1]);
  g_strv_builder_add (builder, ids[0]);   /* duplicates are sent once */
  with_unknown = g_strv_builder_end (builder);

  g_assert_true (scaler_ec2_terminate_instances (client, (const char * const *) with_unknown, &changes, &not_found, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_cmpuint (g_strv_length (not_found), ==, 1);
  g_assert_cmpstr (not_found[0], ==, "i-0123456789abcdef0");
  for (guint i = 0; i < changes->len; i++)
    {
      const ScalerEc2StateChange *c = g_ptr_array_index (changes, i);

      g_assert_cmpstr (c->current_state, ==, "shutting-down");
      g_assert_cmpstr (c->previous_state, ==, "pending");
    }

  state = state_object (&node);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      JsonObject *o = find_instance (state, ids[i]);

      g_assert_cmpstr (json_object_get_string_member (o, "terminated_by"), ==, "api");
    }
  json_node_unref (node);

  /* Terminating again is fine (idempotent). */
  g_assert_true (scaler_ec2_terminate_instances (client, (const char * const *) ids, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  assert_no_signature_failures ();
}

static void
test_terminate_batches (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  g_autoptr(ScalerEc2Cloud) cloud = NULL;
  g_autoptr(GPtrArray) instances = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) id_list = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  reset_fake ();
  create_bulk (CONFIG_ID, 120, "running");
  secrets->aws_access_key_id = g_strdup (AK);
  secrets->aws_secret_access_key = g_strdup (SK);
  cloud = scaler_ec2_cloud_new (config, secrets, &error);
  g_assert_no_error (error);
  instances = scaler_cloud_list_instances (SCALER_CLOUD (cloud), CONFIG_ID, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (instances->len, ==, 120);
  for (guint i = 0; i < instances->len; i++)
    g_ptr_array_add (id_list, ((ScalerInstance *) g_ptr_array_index (instances, i))->instance_id);
  g_ptr_array_add (id_list, NULL);

  g_assert_true (scaler_cloud_terminate (SCALER_CLOUD (cloud), (const char * const *) id_list->pdata, NULL, &error));
  g_assert_no_error (error);
  /* 120 ids in batches of 50. */
  g_assert_cmpint (scaler_fake_get_request_count (fake, "ec2", "TerminateInstances"), ==, 3);

  after = scaler_cloud_list_instances (SCALER_CLOUD (cloud), CONFIG_ID, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < after->len; i++)
    g_assert_cmpint (((ScalerInstance *) g_ptr_array_index (after, i))->state, ==, SCALER_INSTANCE_STATE_SHUTTING_DOWN);

  assert_no_signature_failures ();
}

static void
test_client_token_idempotency (void)
{
  g_autoptr(Sleeps) sleeps = sleeps_new ();
  g_autoptr(ScalerEc2Client) client = make_client (sleeps);
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerInstance) first = NULL;
  g_autoptr(ScalerInstance) again = NULL;
  g_autoptr(GError) error = NULL;
  ScalerEc2Stats stats;
  JsonNode *node = NULL;
  JsonObject *state, *launch;
  ScalerLaunchSpec spec = { 0 };

  reset_fake ();
  /* The launch happens, but the answer never comes. */
  fault ("{\"service\": \"ec2\", \"action\": \"RunInstances\", \"kind\": \"hang\", \"after\": true}");
  scaler_ec2_client_set_timeouts (client, 700, 10000);
  spec.config = config;
  spec.resource = g_ptr_array_index (config->resources, 0);
  spec.client_token = "idempotent-token-1";

  first = scaler_ec2_run_instance (client, &spec, NULL, &error);
  g_assert_no_error (error);
  scaler_ec2_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.attempts, ==, 2);
  g_assert_cmpuint (sleeps->delays->len, ==, 1);

  /* A later retry of the same logical launch (e.g. after a restart). */
  again = scaler_ec2_run_instance (client, &spec, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->instance_id, ==, first->instance_id);

  state = state_object (&node);
  g_assert_cmpuint (count_instances (state), ==, 1);
  launch = json_object_get_object_member (json_object_get_object_member (state, "launches"), "idempotent-token-1");
  g_assert_cmpint (json_object_get_int_member (launch, "calls"), ==, 3);
  json_node_unref (node);

  assert_no_signature_failures ();
}

static GPtrArray *
describe_all (ScalerEc2Client  *client,
              GCancellable     *cancellable,
              GError          **error)
{
  return scaler_ec2_describe_instances (client, NULL, 0, cancellable, error);
}

static void
test_throttle_retried (void)
{
  g_autoptr(Sleeps) sleeps = sleeps_new ();
  g_autoptr(ScalerEc2Client) client = make_client (sleeps);
  g_autoptr(GPtrArray) instances = NULL;
  g_autoptr(GError) error = NULL;
  ScalerEc2Stats stats;

  reset_fake ();
  fault ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"throttle\", \"count\": 2}");
  instances = describe_all (client, NULL, &error);
  g_assert_no_error (error);
  scaler_ec2_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.attempts, ==, 3);
  g_assert_cmpuint (stats.retries, ==, 2);
  /* Full jitter with random = 0.5 and the 500 ms throttling base:
   * 0.5 * 2^0 * 500 ms, then 0.5 * 2^1 * 500 ms. */
  g_assert_cmpuint (sleeps->delays->len, ==, 2);
  g_assert_cmpint (g_array_index (sleeps->delays, gint64, 0), ==, 250000);
  g_assert_cmpint (g_array_index (sleeps->delays, gint64, 1), ==, 500000);
  /* Two retries cost 5 each; the success refunds the last one. */
  g_assert_cmpuint (scaler_aws_retry_get_quota (scaler_ec2_client_get_retry (client)), ==, 495);

  assert_no_signature_failures ();
}

static void
test_throttle_exhausted (void)
{
  g_autoptr(Sleeps) sleeps = sleeps_new ();
  g_autoptr(ScalerEc2Client) client = make_client (sleeps);
  g_autoptr(GError) error = NULL;
  GPtrArray *instances;
  ScalerEc2Stats stats;

  reset_fake ();
  fault ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"throttle\", \"count\": 3}");
  instances = describe_all (client, NULL, &error);
  g_assert_null (instances);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_THROTTLED);
  g_assert_cmpstr (scaler_aws_error_get_aws_code (error), ==, "RequestLimitExceeded");
  g_assert_cmpuint (scaler_aws_error_get_http_status (error), ==, 503);
  g_assert_nonnull (scaler_aws_error_get_request_id (error));
  scaler_ec2_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.attempts, ==, 3);
  g_assert_cmpint (scaler_fake_get_request_count (fake, "ec2", "DescribeInstances"), ==, 3);
  g_assert_cmpuint (scaler_aws_retry_get_quota (scaler_ec2_client_get_retry (client)), ==, 490);

  assert_no_signature_failures ();
}

static void
launch_expect (const char          *fault_json,
               ScalerAwsErrorClass  expected,
               const char          *code,
               guint                expected_attempts)
{
  g_autoptr(Sleeps) sleeps = sleeps_new ();
  g_autoptr(ScalerEc2Client) client = make_client (sleeps);
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(GError) error = NULL;
  ScalerInstance *instance;
  ScalerEc2Stats stats;
  JsonNode *node = NULL;
  JsonObject *state;
  ScalerLaunchSpec spec = { 0 };

  reset_fake ();
  fault (fault_json);
  spec.config = config;
  spec.resource = g_ptr_array_index (config->resources, 0);
  spec.availability_zone = "us-east-1a";
  spec.spot = TRUE;
  instance = scaler_ec2_run_instance (client, &spec, NULL, &error);
  g_assert_null (instance);
  g_assert_error (error, SCALER_AWS_ERROR, (int) expected);
  if (code != NULL)
    g_assert_cmpstr (scaler_aws_error_get_aws_code (error), ==, code);
  scaler_ec2_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.attempts, ==, expected_attempts);
  g_assert_cmpuint (sleeps->delays->len, ==, expected_attempts - 1);

  state = state_object (&node);
  g_assert_cmpuint (count_instances (state), ==, 0);
  json_node_unref (node);

  assert_no_signature_failures ();
}

static void
test_capacity_not_retried (void)
{
  launch_expect ("{\"service\": \"ec2\", \"action\": \"RunInstances\", \"kind\": \"capacity\", \"zone\": \"us-east-1a\"}",
                 SCALER_AWS_ERROR_CAPACITY, "InsufficientInstanceCapacity", 1);
}

static void
test_quota_not_retried (void)
{
  launch_expect ("{\"service\": \"ec2\", \"action\": \"RunInstances\", \"kind\": \"quota\", \"market\": \"spot\"}",
                 SCALER_AWS_ERROR_QUOTA, "MaxSpotInstanceCountExceeded", 1);
}

static void
test_invalid_input_not_retried (void)
{
  launch_expect ("{\"service\": \"ec2\", \"action\": \"RunInstances\", \"kind\": \"error\", \"status\": 400,"
                 " \"code\": \"InvalidAMIID.NotFound\", \"message\": \"The image id '[ami-0123456789abcdef0]' does not exist\"}",
                 SCALER_AWS_ERROR_INVALID_INPUT, "InvalidAMIID.NotFound", 1);
}

static void
test_unsupported_is_capacity (void)
{
  launch_expect ("{\"service\": \"ec2\", \"action\": \"RunInstances\", \"kind\": \"error\", \"status\": 400,"
                 " \"code\": \"Unsupported\", \"message\": \"Your requested instance type is not supported in this zone\"}",
                 SCALER_AWS_ERROR_CAPACITY, "Unsupported", 1);
}

static ScalerEc2Cloud *
make_cloud (ScalerConfig *config)
{
  g_autoptr(ScalerSecrets) secrets = scaler_secrets_new ();
  g_autoptr(GError) error = NULL;
  ScalerEc2Cloud *cloud;

  secrets->aws_access_key_id = g_strdup (AK);
  secrets->aws_secret_access_key = g_strdup (SK);
  cloud = scaler_ec2_cloud_new (config, secrets, &error);
  g_assert_no_error (error);
  return cloud;
}

static ScalerInstance *
cloud_launch (ScalerEc2Cloud *cloud,
              ScalerConfig   *config,
              const char     *zone,
              const char     *token)
{
  g_autoptr(GError) error = NULL;
  ScalerLaunchSpec spec = { 0 };
  ScalerInstance *instance;

  spec.config = config;
  spec.resource = g_ptr_array_index (config->resources, 0);
  spec.availability_zone = zone;
  spec.client_token = token;
  instance = scaler_cloud_launch (SCALER_CLOUD (cloud), &spec, NULL, &error);
  g_assert_no_error (error);
  return instance;
}

/* EC2's eventual consistency: right after RunInstances, TerminateInstances
 * may not know the id. A young id is retried, and if EC2 still does not know
 * it the error is NOT_FOUND ("try later"), not "already gone". An id that
 * was never launched here is simply gone. */
static void
test_terminate_right_after_launch (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerEc2Cloud) cloud = make_cloud (config);
  g_autoptr(ScalerInstance) soon = NULL;
  g_autoptr(ScalerInstance) late = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Sleeps) sleeps = sleeps_new ();
  const char *ghost[] = { "i-0123456789abcdef0", NULL };
  JsonNode *node = NULL;
  JsonObject *state;

  reset_fake ();
  /* Known to TerminateInstances 1.5 s after the launch: the retries after
   * 1 s and 2 s (real sleeps) reach it. */
  fake_post ("/_fake/config", "{\"eventual_consistency_s\": {\"TerminateInstances\": 1.5}}");
  soon = cloud_launch (cloud, config, "us-east-1a", "young-terminate-0001");
  {
    const char *ids[] = { soon->instance_id, NULL };

    g_assert_true (scaler_cloud_terminate (SCALER_CLOUD (cloud), ids, NULL, &error));
    g_assert_no_error (error);
  }
  state = state_object (&node);
  g_assert_cmpstr (json_object_get_string_member (find_instance (state, soon->instance_id), "terminated_by"), ==, "api");
  json_node_unref (node);
  g_assert_cmpint (scaler_fake_get_request_count (fake, "ec2", "TerminateInstances"), >=, 2);

  /* Unknown for a minute: given up on for this call, as NOT_FOUND. */
  fake_post ("/_fake/config", "{\"eventual_consistency_s\": {\"TerminateInstances\": 60}}");
  late = cloud_launch (cloud, config, "us-east-1b", "young-terminate-0002");
  scaler_aws_retry_set_sleep_func (scaler_ec2_client_get_retry (scaler_ec2_cloud_get_client (cloud)), record_sleep, sleeps);
  {
    const char *ids[] = { late->instance_id, NULL };

    g_assert_false (scaler_cloud_terminate (SCALER_CLOUD (cloud), ids, NULL, &error));
    g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, late->instance_id));
    g_assert_nonnull (strstr (error->message, "eventually consistent"));
    g_clear_error (&error);
  }
  g_assert_cmpuint (sleeps->delays->len, ==, 2);
  g_assert_cmpint (g_array_index (sleeps->delays, gint64, 0), ==, G_USEC_PER_SEC);
  g_assert_cmpint (g_array_index (sleeps->delays, gint64, 1), ==, 2 * G_USEC_PER_SEC);

  /* Never launched here (or long gone): not an error. */
  g_assert_true (scaler_cloud_terminate (SCALER_CLOUD (cloud), ghost, NULL, &error));
  g_assert_no_error (error);

  assert_no_signature_failures ();
}

/* DescribeInstances by id: every state, unknown ids left out; an instance
 * EC2 terminated while pending carries its stateReason. */
static void
test_describe_ids_and_state_reason (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerEc2Cloud) cloud = make_cloud (config);
  g_autoptr(ScalerInstance) doomed = NULL;
  g_autoptr(ScalerInstance) fine = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  const ScalerInstance *d = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  reset_fake ();
  fake_post ("/_fake/config", "{\"terminate_pending\": {\"us-east-1c\": \"Client.VolumeLimitExceeded\"}}");
  doomed = cloud_launch (cloud, config, "us-east-1c", "doomed-0001");
  fine = cloud_launch (cloud, config, "us-east-1a", "fine-0001");
  while (d == NULL || d->state != SCALER_INSTANCE_STATE_TERMINATED)
    {
      const char *ids[] = { "i-0123456789abcdef0", doomed->instance_id, fine->instance_id, "i-0fedcba987654321f", NULL };

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
      g_clear_pointer (&found, g_ptr_array_unref);
      found = scaler_cloud_describe_instances (SCALER_CLOUD (cloud), ids, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (found->len, ==, 2);
      d = NULL;
      for (guint i = 0; i < found->len; i++)
        if (g_strcmp0 (((ScalerInstance *) g_ptr_array_index (found, i))->instance_id, doomed->instance_id) == 0)
          d = g_ptr_array_index (found, i);
      g_assert_nonnull (d);
    }
  g_assert_cmpstr (d->state_reason, ==, "Client.VolumeLimitExceeded");
  g_assert_cmpstr (d->availability_zone, ==, "us-east-1c");

  assert_no_signature_failures ();
}

/* Xen types refuse GetConsoleOutput with Latest=true: asked again without. */
static void
test_console_output_xen (void)
{
  g_autoptr(ScalerEc2Client) client = make_client (NULL);
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerInstance) instance = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  ScalerLaunchSpec spec = { 0 };
  JsonNode *node = NULL;
  JsonArray *requests;
  GString *latest = g_string_new (NULL);
  g_autofree char *seen = NULL;

  reset_fake ();
  g_free (resource->instance_type);
  resource->instance_type = g_strdup ("p3.2xlarge");
  spec.config = config;
  spec.resource = resource;
  spec.user_data = bootstrap_script;
  instance = scaler_ec2_run_instance (client, &spec, NULL, &error);
  g_assert_no_error (error);
  g_usleep (400 * 1000);   /* past boot_delay_s: output exists */
  output = scaler_ec2_get_console_output (client, instance->instance_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (output, "hello from the bootstrap"));

  requests = json_object_get_array_member (state_object (&node), "ec2_requests");
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      JsonObject *params = json_object_get_object_member (request, "params");

      if (g_strcmp0 (json_object_get_string_member (request, "action"), "GetConsoleOutput") == 0)
        g_string_append_printf (latest, "%s:%s ", json_object_has_member (params, "Latest") ? "latest" : "plain",
                                JSON_NODE_HOLDS_NULL (json_object_get_member (request, "error_code"))
                                ? "ok" : json_object_get_string_member (request, "error_code"));
    }
  json_node_unref (node);
  seen = g_string_free (latest, FALSE);
  g_assert_cmpstr (seen, ==, "latest:UnsupportedOperation plain:ok ");

  assert_no_signature_failures ();
}

/* What a denied or refused launch means, in the verdict and in the launch
 * error the log shows: iam:PassRole for the instance profile, a Marketplace
 * AMI without subscription, an opt-in region that is not enabled. */
static void
test_auth_explained (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(GError) error = NULL;
  g_autofree char *verdict = NULL;
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);

  reset_fake ();
  {
    g_autoptr(ScalerEc2Client) client = make_client (NULL);
    g_autoptr(ScalerInstance) instance = NULL;
    ScalerLaunchSpec spec = { 0 };

    fake_post ("/_fake/config", "{\"deny_pass_role\": true}");
    g_assert_false (scaler_ec2_test_connection (client, config, &verdict, NULL, &error));
    g_assert_nonnull (strstr (verdict, "lack the permission iam:PassRole"));
    g_clear_error (&error);
    g_clear_pointer (&verdict, g_free);

    spec.config = config;
    spec.resource = resource;
    instance = scaler_ec2_run_instance (client, &spec, NULL, &error);
    g_assert_null (instance);
    g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_AUTH);
    g_assert_nonnull (strstr (error->message, "lack the permission iam:PassRole"));
    g_clear_error (&error);
    fake_post ("/_fake/config", "{\"deny_pass_role\": false}");
  }
  {
    g_autoptr(ScalerEc2Client) client = make_client (NULL);

    fake_post ("/_fake/config", "{\"images\": {\"ami-0123456789abcdef0\": {\"marketplace\": true}}}");
    g_assert_false (scaler_ec2_test_connection (client, config, &verdict, NULL, &error));
    g_assert_nonnull (strstr (verdict, "the AMI ami-0123456789abcdef0 is an AWS Marketplace product"));
    g_assert_nonnull (strstr (verdict, "OptInRequired"));
    g_clear_error (&error);
    g_clear_pointer (&verdict, g_free);
    fake_post ("/_fake/config", "{\"images\": {}}");
  }
  {
    g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, NULL);
    g_autoptr(ScalerEc2Client) client = NULL;

    /* An opt-in region the account has not enabled answers AuthFailure. */
    fake_post ("/_fake/config", "{\"region\": \"af-south-1\", \"region_enabled\": false}");
    client = scaler_ec2_client_new ("af-south-1", scaler_fake_get_ec2_url (fake), creds, &error);
    g_assert_no_error (error);
    g_assert_false (scaler_ec2_test_connection (client, NULL, &verdict, NULL, &error));
    g_assert_nonnull (strstr (verdict, "access key ID " AK));
    g_assert_nonnull (strstr (verdict, "af-south-1 is an opt-in region that this AWS account has not enabled"));
    g_clear_error (&error);
    g_clear_pointer (&verdict, g_free);
    /* The cycle's log says it too. */
    {
      GPtrArray *none = describe_all (client, NULL, &error);

      g_assert_null (none);
      g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_AUTH);
      g_assert_nonnull (strstr (error->message, "af-south-1 is an opt-in region"));
      g_clear_error (&error);
    }
  }
  {
    g_autoptr(ScalerEc2Client) client = make_client (NULL);

    /* us-east-1 is enabled in every account: no opt-in hint there. */
    reset_fake ();
    fake_post ("/_fake/config", "{\"region_enabled\": false}");
    g_assert_false (scaler_ec2_test_connection (client, NULL, &verdict, NULL, &error));
    g_assert_null (strstr (verdict, "opt-in"));
    g_clear_error (&error);
    g_clear_pointer (&verdict, g_free);
  }
  reset_fake ();
}

static void
test_unsupported_operation_is_invalid_input (void)
{
  launch_expect ("{\"service\": \"ec2\", \"action\": \"RunInstances\", \"kind\": \"error\", \"status\": 400,"
                 " \"code\": \"UnsupportedOperation\", \"message\": \"The instance type does not support this AMI's boot mode\"}",
                 SCALER_AWS_ERROR_INVALID_INPUT, "UnsupportedOperation", 1);
  /* A server-side capacity code at HTTP 500: capacity, not retried. */
  launch_expect ("{\"service\": \"ec2\", \"action\": \"RunInstances\", \"kind\": \"error\", \"status\": 500,"
                 " \"code\": \"InsufficientVolumeCapacity\", \"message\": \"There is not enough capacity for the volume\"}",
                 SCALER_AWS_ERROR_CAPACITY, "InsufficientVolumeCapacity", 1);
}

static void
test_server_errors_retried (void)
{
  g_autoptr(Sleeps) sleeps = sleeps_new ();
  g_autoptr(ScalerEc2Client) client = make_client (sleeps);
  g_autoptr(GPtrArray) instances = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *none;
  ScalerEc2Stats stats;

  reset_fake ();
  fault ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"server\"}");
  fault ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"unavailable\"}");
  instances = describe_all (client, NULL, &error);
  g_assert_no_error (error);
  scaler_ec2_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.attempts, ==, 3);
  /* Transient errors use the 100 ms base. */
  g_assert_cmpint (g_array_index (sleeps->delays, gint64, 0), ==, 50000);
  g_assert_cmpint (g_array_index (sleeps->delays, gint64, 1), ==, 100000);

  fault ("{\"service\": \"ec2\", \"action\": \"*\", \"kind\": \"server\", \"count\": 3}");
  none = describe_all (client, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_SERVER);
  g_assert_cmpstr (scaler_aws_error_get_aws_code (error), ==, "InternalError");
  g_assert_cmpuint (scaler_aws_error_get_http_status (error), ==, 500);

  assert_no_signature_failures ();
}

static void
expect_describe_error (const char          *fault_json,
                       ScalerAwsErrorClass  expected,
                       guint                expected_attempts,
                       guint                max_response_size)
{
  g_autoptr(Sleeps) sleeps = sleeps_new ();
  g_autoptr(ScalerEc2Client) client = make_client (sleeps);
  g_autoptr(GError) error = NULL;
  GPtrArray *instances;
  ScalerEc2Stats stats;

  reset_fake ();
  fault (fault_json);
  if (max_response_size > 0)
    scaler_http_set_max_response_size (scaler_ec2_client_get_http (client), max_response_size);
  instances = describe_all (client, NULL, &error);
  g_assert_null (instances);
  g_assert_error (error, SCALER_AWS_ERROR, (int) expected);
  g_assert_cmpuint (strlen (error->message), >, 10);
  scaler_ec2_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.attempts, ==, expected_attempts);

  assert_no_signature_failures ();
}

static void
test_bad_bodies (void)
{
  /* A broken 200 answer is not retried; a proxy's 502 page and a body cut
   * off in transit are. */
  expect_describe_error ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"malformed\"}",
                         SCALER_AWS_ERROR_SERVER, 1, 0);
  expect_describe_error ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"empty\"}",
                         SCALER_AWS_ERROR_SERVER, 1, 0);
  expect_describe_error ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"html\", \"count\": 3}",
                         SCALER_AWS_ERROR_SERVER, 3, 0);
  expect_describe_error ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"truncated\", \"count\": 3}",
                         SCALER_AWS_ERROR_SERVER, 3, 0);
  expect_describe_error ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"reset\", \"count\": 3}",
                         SCALER_AWS_ERROR_NETWORK, 3, 0);
  expect_describe_error ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"huge\","
                         " \"size_bytes\": 3000000}", SCALER_AWS_ERROR_SERVER, 1, 1000000);
}

static void
test_huge_answer_parsed (void)
{
  g_autoptr(ScalerEc2Client) client = make_client (NULL);
  g_autoptr(GPtrArray) instances = NULL;
  g_autoptr(GError) error = NULL;

  reset_fake ();
  create_bulk (CONFIG_ID, 3, "running");
  fault ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"huge\", \"size_bytes\": 8388608}");
  instances = describe_all (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (instances->len, ==, 3);

  assert_no_signature_failures ();
}

static void
test_auth_errors (void)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *instances;

  /* Injected AuthFailure: not retried (the clock is right). */
  expect_describe_error ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"auth\"}",
                         SCALER_AWS_ERROR_AUTH, 1, 0);

  {
    g_autoptr(ScalerEc2Client) wrong_key = make_client_with ("AKIDWRONGKEY0000", SK, NULL);

    instances = describe_all (wrong_key, NULL, &error);
    g_assert_null (instances);
    g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_AUTH);
    g_assert_cmpstr (scaler_aws_error_get_aws_code (error), ==, "AuthFailure");
    g_clear_error (&error);
  }
  {
    g_autoptr(Sleeps) sleeps = sleeps_new ();
    g_autoptr(ScalerEc2Client) wrong_secret = make_client_with (AK, "not-the-secret", sleeps);
    ScalerEc2Stats stats;

    reset_fake ();
    instances = describe_all (wrong_secret, NULL, &error);
    g_assert_null (instances);
    g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_AUTH);
    g_assert_cmpstr (scaler_aws_error_get_aws_code (error), ==, "SignatureDoesNotMatch");
    g_assert_cmpuint (scaler_aws_error_get_http_status (error), ==, 403);
    scaler_ec2_client_get_stats (wrong_secret, &stats);
    g_assert_cmpuint (stats.attempts, ==, 1);
    /* The fake saw exactly that one bad signature. */
    g_assert_cmpint (signature_failures (), ==, 1);
  }
}

static void
clock_skew_case (int offset_s)
{
  g_autoptr(Sleeps) sleeps = sleeps_new ();
  g_autoptr(ScalerEc2Client) client = make_client (sleeps);
  g_autoptr(GPtrArray) instances = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf ("{\"clock_offset_s\": %d}", offset_s);
  ScalerEc2Stats stats;
  gint64 offset;

  reset_fake ();
  fake_post ("/_fake/config", json);
  instances = describe_all (client, NULL, &error);
  g_assert_no_error (error);
  scaler_ec2_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.attempts, ==, 2);
  g_assert_cmpuint (stats.clock_corrections, ==, 1);
  offset = scaler_signer_get_clock_offset (scaler_ec2_client_get_signer (client)) / G_USEC_PER_SEC;
  g_assert_cmpint (offset, >=, offset_s - 3);
  g_assert_cmpint (offset, <=, offset_s + 3);

  /* Later calls are signed right the first time. */
  g_clear_pointer (&instances, g_ptr_array_unref);
  instances = describe_all (client, NULL, &error);
  g_assert_no_error (error);
  scaler_ec2_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.attempts, ==, 3);

  assert_no_signature_failures ();
}

static void
test_clock_skew_corrected (void)
{
  clock_skew_case (3600);
  clock_skew_case (-1000);
}

typedef struct
{
  GCancellable *cancellable;
  guint         delay_ms;
} CancelData;

static gpointer
cancel_thread (gpointer data)
{
  CancelData *cd = data;

  g_usleep (cd->delay_ms * 1000);
  g_cancellable_cancel (cd->cancellable);

  return NULL;
}

static void
test_hang_times_out (void)
{
  g_autoptr(Sleeps) sleeps = sleeps_new ();
  g_autoptr(ScalerEc2Client) client = make_client (sleeps);
  g_autoptr(GError) error = NULL;
  GPtrArray *instances;
  gint64 start;

  reset_fake ();
  fault ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"hang\", \"count\": 10}");
  /* Per attempt 400 ms, the whole call at most 1 s. */
  scaler_ec2_client_set_timeouts (client, 400, 1000);
  start = g_get_monotonic_time ();
  instances = describe_all (client, NULL, &error);
  g_assert_null (instances);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "time limit"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1500 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 350 * 1000);

  assert_no_signature_failures ();
}

static void
test_cancel_during_hang (void)
{
  g_autoptr(ScalerEc2Client) client = make_client (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CancelData cd = { cancellable, 200 };
  GPtrArray *instances;
  GThread *thread;
  gint64 start;

  reset_fake ();
  fault ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"hang\", \"count\": 10}");
  scaler_ec2_client_set_timeouts (client, 30000, 60000);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_thread, &cd);
  instances = describe_all (client, cancellable, &error);
  g_thread_join (thread);
  g_assert_null (instances);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1000 * 1000);

  assert_no_signature_failures ();
}

static void
test_cancel_during_backoff (void)
{
  g_autoptr(ScalerEc2Client) client = make_client (NULL);   /* the real, cancellable sleep */
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CancelData cd = { cancellable, 150 };
  GPtrArray *instances;
  GThread *thread;
  gint64 start;
  ScalerEc2Stats stats;

  reset_fake ();
  fault ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"throttle\", \"count\": 3}");
  /* Backoffs of 0.999 * 500 ms and 0.999 * 1000 ms: about 1.5 s uncancelled. */
  scaler_aws_retry_set_random_func (scaler_ec2_client_get_retry (client), almost_one, NULL);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_thread, &cd);
  instances = describe_all (client, cancellable, &error);
  g_thread_join (thread);
  g_assert_null (instances);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 450 * 1000);
  scaler_ec2_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.attempts, ==, 1);

  assert_no_signature_failures ();
}

static void
test_retry_quota_drains (void)
{
  g_autoptr(Sleeps) sleeps = sleeps_new ();
  g_autoptr(ScalerEc2Client) client = make_client (sleeps);
  ScalerAwsRetry *retry = scaler_ec2_client_get_retry (client);
  guint attempts_before = 0;

  reset_fake ();
  fault ("{\"service\": \"ec2\", \"action\": \"DescribeInstances\", \"kind\": \"server\", \"count\": 100}");
  scaler_aws_retry_set_quota (retry, 57);
  for (guint call = 0; call < 4; call++)
    {
      g_autoptr(GError) error = NULL;
      GPtrArray *instances = describe_all (client, NULL, &error);
      ScalerEc2Stats stats;

      g_assert_null (instances);
      g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_SERVER);
      scaler_ec2_client_get_stats (client, &stats);
      /* A retry after a 500 costs 10 (the JavaScript SDK's TRANSIENT cost):
       * 57 tokens pay 5 of them: calls 1 and 2 make 3 attempts, call 3 only
       * 2 (the quota cannot pay the second retry), call 4 just 1. */
      g_assert_cmpuint (stats.attempts - attempts_before, ==, call < 2 ? 3 : call == 2 ? 2 : 1);
      attempts_before = stats.attempts;
    }
  g_assert_cmpuint (scaler_aws_retry_get_quota (retry), ==, 7);

  assert_no_signature_failures ();
}

static void
test_spot_prices (void)
{
  g_autoptr(ScalerEc2Client) client = make_client (NULL);
  g_autoptr(GPtrArray) prices = NULL;
  g_autoptr(GError) error = NULL;
  const char *types[] = { "g4dn.xlarge", "t3.micro", NULL };
  guint found = 0;

  reset_fake ();
  fake_post ("/_fake/config", "{\"spot_prices\": {\"g4dn.xlarge\": {\"us-east-1a\": 0.2, \"us-east-1b\": 0.25},"
                              " \"t3.micro\": {\"us-east-1a\": 0.003}}}");
  /* A later price point (history timestamps have millisecond resolution). */
  g_usleep (20 * 1000);
  fake_post ("/_fake/config", "{\"spot_prices\": {\"g4dn.xlarge\": {\"us-east-1a\": 0.31}}}");

  prices = scaler_ec2_get_spot_prices (client, types, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < prices->len; i++)
    {
      const ScalerSpotPrice *p = g_ptr_array_index (prices, i);

      g_assert_cmpint (p->timestamp, >, 0);
      if (g_str_equal (p->instance_type, "g4dn.xlarge") && g_str_equal (p->availability_zone, "us-east-1a"))
        {
          g_assert_cmpfloat_with_epsilon (p->price_usd_per_hour, 0.31, 1e-9);
          found++;
        }
      else if (g_str_equal (p->instance_type, "g4dn.xlarge") && g_str_equal (p->availability_zone, "us-east-1b"))
        {
          g_assert_cmpfloat_with_epsilon (p->price_usd_per_hour, 0.25, 1e-9);
          found++;
        }
      else if (g_str_equal (p->instance_type, "t3.micro") && g_str_equal (p->availability_zone, "us-east-1a"))
        {
          g_assert_cmpfloat_with_epsilon (p->price_usd_per_hour, 0.003, 1e-9);
          found++;
        }
    }
  g_assert_cmpuint (found, ==, 3);
  /* One entry per (type, zone), only the requested types (the fake also has
   * default prices for the other zones). */
  {
    g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < prices->len; i++)
      {
        const ScalerSpotPrice *p = g_ptr_array_index (prices, i);

        g_assert_true (g_strv_contains (types, p->instance_type));
        g_assert_true (g_hash_table_add (seen, g_strconcat (p->instance_type, "/", p->availability_zone, NULL)));
      }
  }

  assert_no_signature_failures ();
}

static void
test_console_output (void)
{
  g_autoptr(ScalerEc2Client) client = make_client (NULL);
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerInstance) instance = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  ScalerLaunchSpec spec = { 0 };
  gint64 deadline;

  reset_fake ();
  spec.config = config;
  spec.resource = g_ptr_array_index (config->resources, 0);
  spec.user_data = bootstrap_script;
  instance = scaler_ec2_run_instance (client, &spec, NULL, &error);
  g_assert_no_error (error);

  /* Pending: no output yet. */
  output = scaler_ec2_get_console_output (client, instance->instance_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (output, ==, "");

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (*output == '\0' && g_get_monotonic_time () < deadline)
    {
      g_usleep (100 * 1000);
      g_free (output);
      output = scaler_ec2_get_console_output (client, instance->instance_id, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_nonnull (strstr (output, "hello from the bootstrap: + / = & ~ %"));

  g_free (output);
  output = scaler_ec2_get_console_output (client, "i-0123456789abcdef0", NULL, &error);
  g_assert_null (output);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_NOT_FOUND);

  assert_no_signature_failures ();
}

static void
test_connection (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(GError) error = NULL;
  g_autofree char *verdict = NULL;

  reset_fake ();
  {
    g_autoptr(ScalerEc2Client) client = make_client (NULL);

    g_assert_true (scaler_ec2_test_connection (client, config, &verdict, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (verdict, "Connection good"));
    g_clear_pointer (&verdict, g_free);
    /* DryRun launched nothing. */
    g_assert_cmpint (scaler_fake_get_request_count (fake, "ec2", "RunInstances"), ==, 1);
  }
  {
    g_autoptr(ScalerEc2Client) client = make_client (NULL);

    fake_post ("/_fake/config", "{\"deny_actions\": [\"RunInstances\"]}");
    g_assert_false (scaler_ec2_test_connection (client, config, &verdict, NULL, &error));
    g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_AUTH);
    g_assert_nonnull (strstr (verdict, "ec2:RunInstances"));
    g_clear_error (&error);
    g_clear_pointer (&verdict, g_free);
    fake_post ("/_fake/config", "{\"deny_actions\": []}");
  }
  {
    g_autoptr(ScalerEc2Client) client = make_client_with ("AKIDUNKNOWN00000", SK, NULL);

    g_assert_false (scaler_ec2_test_connection (client, config, &verdict, NULL, &error));
    g_assert_nonnull (strstr (verdict, "access key ID AKIDUNKNOWN00000"));
    g_clear_error (&error);
    g_clear_pointer (&verdict, g_free);
  }
  {
    g_autoptr(ScalerEc2Client) client = make_client_with (AK, "wrong-secret", NULL);

    g_assert_false (scaler_ec2_test_connection (client, config, &verdict, NULL, &error));
    g_assert_nonnull (strstr (verdict, "secret access key is wrong"));
    g_clear_error (&error);
    g_clear_pointer (&verdict, g_free);
    reset_fake ();
  }
  {
    g_autoptr(ScalerEc2Client) client = make_client (NULL);

    fake_post ("/_fake/config", "{\"clock_offset_s\": 900}");
    g_assert_true (scaler_ec2_test_connection (client, NULL, &verdict, NULL, &error));
    g_assert_no_error (error);
    g_clear_pointer (&verdict, g_free);
  }
  {
    g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, NULL);
    g_autoptr(ScalerEc2Client) client = NULL;
    g_autoptr(Sleeps) sleeps = sleeps_new ();

    /* Port 9 (discard) on localhost: nothing listens there. */
    client = scaler_ec2_client_new ("us-east-1", "http://127.0.0.1:9/", creds, &error);
    g_assert_no_error (error);
    scaler_aws_retry_set_sleep_func (scaler_ec2_client_get_retry (client), record_sleep, sleeps);
    g_assert_false (scaler_ec2_test_connection (client, config, &verdict, NULL, &error));
    g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_NETWORK);
    g_assert_nonnull (strstr (verdict, "unreachable"));
    g_clear_error (&error);
    g_clear_pointer (&verdict, g_free);
  }
  {
    g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, NULL);
    g_autoptr(ScalerEc2Client) client = NULL;
    g_autoptr(Sleeps) sleeps = sleeps_new ();

    client = scaler_ec2_client_new ("us-east-1", "http://ec2.no-such-host.invalid/", creds, &error);
    g_assert_no_error (error);
    scaler_aws_retry_set_sleep_func (scaler_ec2_client_get_retry (client), record_sleep, sleeps);
    scaler_ec2_client_set_timeouts (client, 3000, 6000);
    g_assert_false (scaler_ec2_test_connection (client, NULL, &verdict, NULL, &error));
    g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_NETWORK);
    g_assert_true (strstr (verdict, "DNS") != NULL || strstr (verdict, "unreachable") != NULL);
    g_clear_error (&error);
    g_clear_pointer (&verdict, g_free);
  }

  assert_no_signature_failures ();
}

/* The sleep moves the signer's clock forward instead of sleeping. */
static gboolean
advance_clock_sleep (gint64         usec,
                     GCancellable  *cancellable,
                     gpointer       user_data,
                     GError       **error)
{
  ScalerEc2Client *client = user_data;
  ScalerSigner *signer = scaler_ec2_client_get_signer (client);

  scaler_signer_set_clock_offset (signer, scaler_signer_get_clock_offset (signer) + usec);
  return TRUE;
}

static void
test_retry_after_and_resign (void)
{
  g_autoptr(ScalerTestServer) server = scaler_test_server_new ();
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, NULL);
  g_autoptr(ScalerEc2Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first_date = NULL;
  g_autofree char *first_auth = NULL;
  static const char body[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>Throttling</Code>"
    "<Message>Rate exceeded</Message></Error></Errors><RequestID>req-1</RequestID></Response>";
  GPtrArray *instances;

  /* A local server that always throttles with a Retry-After hint. */
  scaler_test_server_set_response (server, 503, "Content-Type: text/xml\r\nRetry-After: 3\r\n", body, strlen (body));
  client = scaler_ec2_client_new ("us-east-1", scaler_test_server_get_url (server), creds, &error);
  g_assert_no_error (error);
  scaler_aws_retry_set_sleep_func (scaler_ec2_client_get_retry (client), advance_clock_sleep, client);
  scaler_aws_retry_set_random_func (scaler_ec2_client_get_retry (client), half, NULL);

  instances = describe_all (client, NULL, &error);
  g_assert_null (instances);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_THROTTLED);
  g_assert_cmpstr (scaler_aws_error_get_request_id (error), ==, "req-1");
  g_assert_cmpuint (scaler_test_server_get_n_requests (server), ==, 3);
  /* Two backoffs of max(3 s hint, computed) = 3 s each. */
  g_assert_cmpint (scaler_signer_get_clock_offset (scaler_ec2_client_get_signer (client)), ==, 6 * G_USEC_PER_SEC);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ScalerTestRequest) request = scaler_test_server_get_request (server, i);
      const char *auth = g_hash_table_lookup (request->headers, "authorization");
      const char *date = g_hash_table_lookup (request->headers, "x-amz-date");

      g_assert_cmpstr (request->method, ==, "POST");
      g_assert_cmpstr (request->path, ==, "/");
      g_assert_cmpstr (g_hash_table_lookup (request->headers, "content-type"), ==, SCALER_EC2_CONTENT_TYPE);
      g_assert_nonnull (strstr (auth, "SignedHeaders=content-type;host;x-amz-date, Signature="));
      g_assert_true (g_str_has_prefix (auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
      g_assert_true (g_str_has_prefix ((const char *) g_bytes_get_data (request->body, NULL),
                                       "Action=DescribeInstances&Version=2016-11-15&MaxResults=1000"));
      if (i == 0)
        {
          first_date = g_strdup (date);
          first_auth = g_strdup (auth);
        }
      else
        {
          /* Every attempt is signed afresh, with a later date. */
          g_assert_cmpstr (date, >, first_date);
          g_assert_cmpstr (auth, !=, first_auth);
        }
    }
  /* All attempts went over one kept-alive connection. */
  g_assert_cmpuint (scaler_test_server_get_n_connections (server), ==, 1);
}

static void
test_client_new_errors (void)
{
  g_autoptr(ScalerAwsCredentials) creds = scaler_aws_credentials_new (AK, SK, NULL);
  g_autoptr(ScalerAwsCredentials) empty = scaler_aws_credentials_new ("", "", NULL);
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSecrets) no_secrets = scaler_secrets_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *cn = scaler_ec2_endpoint_for_region ("cn-north-1");
  g_autofree char *eu = scaler_ec2_endpoint_for_region ("eu-west-1");
  ScalerEc2Client *client;
  ScalerEc2Cloud *cloud;

  g_assert_cmpstr (cn, ==, "https://ec2.cn-north-1.amazonaws.com.cn/");
  g_assert_cmpstr (eu, ==, "https://ec2.eu-west-1.amazonaws.com/");

  client = scaler_ec2_client_new ("Not A Region", NULL, creds, &error);
  g_assert_null (client);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  client = scaler_ec2_client_new ("us-east-1", "ftp://example.com/", creds, &error);
  g_assert_null (client);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  client = scaler_ec2_client_new ("us-east-1", NULL, empty, &error);
  g_assert_null (client);
  g_assert_error (error, SCALER_AWS_ERROR, SCALER_AWS_ERROR_AUTH);
  g_clear_error (&error);
  client = scaler_ec2_client_new ("eu-west-1", NULL, creds, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (scaler_ec2_client_get_endpoint (client), ==, "https://ec2.eu-west-1.amazonaws.com/");
  scaler_ec2_client_free (client);

  cloud = scaler_ec2_cloud_new (config, no_secrets, &error);
  g_assert_null (cloud);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_CREDENTIALS_MISSING);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (!scaler_fake_require_program ("/scaler/ec2/fakes"))
    return g_test_run ();
  fake = scaler_fake_start (&error);
  g_assert_no_error (error);

  g_test_add_func ("/scaler/ec2/launch-on-demand", test_launch_on_demand);
  g_test_add_func ("/scaler/ec2/launch-spot", test_launch_spot);
  g_test_add_func ("/scaler/ec2/launch-bad-spec", test_launch_bad_spec);
  g_test_add_func ("/scaler/ec2/params", test_params);
  g_test_add_func ("/scaler/ec2/params-volumes", test_params_volumes);
  g_test_add_func ("/scaler/ec2/params-public-ip", test_params_public_ip);
  g_test_add_func ("/scaler/ec2/list-pagination", test_list_pagination);
  g_test_add_func ("/scaler/ec2/terminate", test_terminate);
  g_test_add_func ("/scaler/ec2/terminate-batches", test_terminate_batches);
  g_test_add_func ("/scaler/ec2/client-token-idempotency", test_client_token_idempotency);
  g_test_add_func ("/scaler/ec2/throttle-retried", test_throttle_retried);
  g_test_add_func ("/scaler/ec2/throttle-exhausted", test_throttle_exhausted);
  g_test_add_func ("/scaler/ec2/capacity-not-retried", test_capacity_not_retried);
  g_test_add_func ("/scaler/ec2/quota-not-retried", test_quota_not_retried);
  g_test_add_func ("/scaler/ec2/invalid-input-not-retried", test_invalid_input_not_retried);
  g_test_add_func ("/scaler/ec2/unsupported-is-capacity", test_unsupported_is_capacity);
  g_test_add_func ("/scaler/ec2/server-errors-retried", test_server_errors_retried);
  g_test_add_func ("/scaler/ec2/unsupported-operation-is-invalid-input", test_unsupported_operation_is_invalid_input);
  g_test_add_func ("/scaler/ec2/terminate-right-after-launch", test_terminate_right_after_launch);
  g_test_add_func ("/scaler/ec2/describe-ids-and-state-reason", test_describe_ids_and_state_reason);
  g_test_add_func ("/scaler/ec2/console-output-xen", test_console_output_xen);
  g_test_add_func ("/scaler/ec2/auth-explained", test_auth_explained);
  g_test_add_func ("/scaler/ec2/bad-bodies", test_bad_bodies);
  g_test_add_func ("/scaler/ec2/huge-answer-parsed", test_huge_answer_parsed);
  g_test_add_func ("/scaler/ec2/auth-errors", test_auth_errors);
  g_test_add_func ("/scaler/ec2/clock-skew-corrected", test_clock_skew_corrected);
  g_test_add_func ("/scaler/ec2/hang-times-out", test_hang_times_out);
  g_test_add_func ("/scaler/ec2/cancel-during-hang", test_cancel_during_hang);
  g_test_add_func ("/scaler/ec2/cancel-during-backoff", test_cancel_during_backoff);
  g_test_add_func ("/scaler/ec2/retry-quota-drains", test_retry_quota_drains);
  g_test_add_func ("/scaler/ec2/spot-prices", test_spot_prices);
  g_test_add_func ("/scaler/ec2/console-output", test_console_output);
  g_test_add_func ("/scaler/ec2/test-connection", test_connection);
  g_test_add_func ("/scaler/ec2/retry-after-and-resign", test_retry_after_and_resign);
  g_test_add_func ("/scaler/ec2/client-new-errors", test_client_new_errors);

  status = g_test_run ();
  scaler_fake_stop (fake);

  return status;
}
