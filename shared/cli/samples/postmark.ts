/**
 * Postmark `Delivery` webhook: one message delivered to one recipient. Postmark signs nothing: the
 * signer adds the `authorization` Basic credentials of the webhook URL.
 */
import type { WebhookSample } from './sample.js';
import { jsonSample, uuidId } from './sample-builders.js';

const delivery = jsonSample({
  name: 'postmark.Delivery',
  description: 'Postmark Delivery: a message delivered to its recipient',
  scheme: 'postmark',
  eventType: 'Delivery',
  payload: (context) => ({
    RecordType: 'Delivery',
    ServerID: 23,
    MessageStream: 'outbound',
    MessageID: uuidId(context, 'postmark.message'),
    Recipient: 'john@example.com',
    Tag: 'welcome-email',
    DeliveredAt: context.now.toISOString(),
    Details: 'Test delivery webhook details',
    Metadata: { a_key: 'a_value', b_key: 'b_value' },
  }),
});

/** Postmark's sample: `postmark.Delivery`. */
export const postmarkSamples: readonly WebhookSample[] = [delivery];
