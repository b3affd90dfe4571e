/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the EC2 answer parser (scaler-ec2-xml.h) on arbitrary bytes, for
 * every answer kind (the root element picks it) and error bodies. A parse
 * that succeeds must give consistent structs: the fields the EC2 client and
 * the engine read are checked, and an error body is classified. The fast
 * path (scaler-ec2-xml-fast.h) must agree with the GMarkup reference on every
 * input: the same answer, or the same error message.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "scaler-aws-error.h"
#include "scaler-cloud.h"
#include "scaler-ec2-xml.h"
#include "scaler-ec2-xml-fast.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ScalerEc2Response) response = NULL;
  g_autoptr(ScalerEc2Response) reference = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) reference_error = NULL;

  if (size > 4 * 1024 * 1024)
    return 0;

  response = scaler_ec2_response_parse ((const char *) data, size, &error);
  reference = scaler_ec2_response_parse_with ((const char *) data, size, SCALER_XML_PATH_GMARKUP, NULL,
                                              &reference_error);
  g_assert ((response == NULL) == (reference == NULL));
  if (response == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->message != NULL && *error->message != '\0');
      g_assert (strcmp (error->message, reference_error->message) == 0);
      return 0;
    }
  g_assert (error == NULL);
  g_assert (scaler_ec2_response_equal (response, reference));
  g_assert (response->action != NULL);

  if (scaler_ec2_response_is_error (response))
    {
      ScalerAwsErrorClass c = scaler_aws_error_classify (response->error_code, 400);

      g_assert (response->n_errors >= 1);
      g_assert (scaler_aws_error_class_to_string (c) != NULL);
    }
  g_assert (response->next_token == NULL || *response->next_token != '\0');

  for (guint i = 0; i < response->instances->len; i++)
    {
      const ScalerInstance *instance = g_ptr_array_index (response->instances, i);

      g_assert (instance->instance_id != NULL && *instance->instance_id != '\0');
      g_assert (instance->tags != NULL);
      for (guint t = 0; t < instance->tags->len; t++)
        {
          const ScalerTag *tag = g_ptr_array_index (instance->tags, t);

          g_assert (tag->key != NULL && *tag->key != '\0' && tag->value != NULL);
        }
      g_assert ((instance->config_id == NULL) == (scaler_instance_get_tag (instance, SCALER_TAG_INSTANCE) == NULL));
      (void) scaler_instance_state_to_string (instance->state);
    }
  for (guint i = 0; i < response->state_changes->len; i++)
    {
      const ScalerEc2StateChange *change = g_ptr_array_index (response->state_changes, i);

      g_assert (change->instance_id != NULL);
    }
  for (guint i = 0; i < response->spot_prices->len; i++)
    {
      const ScalerEc2SpotPrice *price = g_ptr_array_index (response->spot_prices, i);

      g_assert (price->instance_type != NULL && price->availability_zone != NULL);
      g_assert (price->price_usd_per_hour >= 0);
    }
  if (response->console_output != NULL)
    g_assert (g_utf8_validate (response->console_output, -1, NULL));

  return 0;
}
