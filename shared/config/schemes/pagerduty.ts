/** Route options of the `pagerduty` scheme (PagerDuty v3 webhooks). */
import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

export const pagerdutyVerify = z.strictObject({
  scheme: z.literal('pagerduty'),
  /** The webhook subscription's secret, returned when the subscription is created. */
  secret: secretReference,
});
