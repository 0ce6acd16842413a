/**
 * SendGrid Event Webhook: a batch (a JSON array) of `delivered` events. SendGrid signs with its
 * private key (ECDSA P-256), which a route never holds, so the trigger cannot sign it.
 */
import type { SampleContext, WebhookSample } from './sample.js';
import { hexId, jsonSample, secondsBefore, unixSeconds } from './sample-builders.js';

/** One `delivered` event of the batch, for recipient `email`, `secondsAgo` seconds before now. */
function delivered(context: SampleContext, email: string, secondsAgo: number) {
  const messageId = hexId(context, `sendgrid.message.${email}`, 22);
  return {
    email,
    timestamp: unixSeconds(secondsBefore(context.now, secondsAgo)),
    'smtp-id': `<${messageId}@ismtpd0001p1iad2.sendgrid.net>`,
    event: 'delivered',
    category: ['welcome'],
    sg_event_id: Buffer.from(hexId(context, `sendgrid.event.${email}`, 32), 'hex').toString('base64url'),
    sg_message_id: `${messageId}.filterdrecv-6b5c4d8f7-abcde-1-65A1B2C3-4.0`,
    response: '250 OK',
    tls: 1,
    ip: '168.1.1.1',
  };
}

const deliveredBatch = jsonSample({
  name: 'sendgrid.delivered',
  description: 'SendGrid Event Webhook: a batch of two delivered events',
  scheme: 'sendgrid',
  eventType: 'delivered',
  headers: () => ({ 'user-agent': 'SendGrid Event API' }),
  payload: (context) => [
    delivered(context, 'alice@example.com', 3),
    delivered(context, 'bob@example.com', 2),
  ],
});

/** SendGrid's sample: `sendgrid.delivered`. */
export const sendgridSamples: readonly WebhookSample[] = [deliveredBatch];
