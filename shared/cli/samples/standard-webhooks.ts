/**
 * Standard Webhooks (what Svix sends for Clerk, Resend and others): a Clerk `user.created` event,
 * `{type, timestamp, data}`. The signer adds `webhook-id`, `webhook-timestamp`, `webhook-signature`.
 */
import type { WebhookSample } from './sample.js';
import { hexId, jsonSample } from './sample-builders.js';

const userCreated = jsonSample({
  name: 'standardWebhooks.user.created',
  description: 'Clerk user.created (Standard Webhooks): a user signed up',
  scheme: 'standardWebhooks',
  eventType: 'user.created',
  payload: (context) => {
    const createdAt = context.now.getTime();
    const emailId = `idn_${hexId(context, 'clerk.email', 27)}`;
    return {
      data: {
        id: `user_${hexId(context, 'clerk.user', 27)}`,
        object: 'user',
        first_name: 'Example',
        last_name: 'User',
        username: null,
        image_url: 'https://img.clerk.com/example',
        primary_email_address_id: emailId,
        email_addresses: [
          {
            id: emailId,
            object: 'email_address',
            email_address: 'example@example.org',
            verification: { status: 'verified', strategy: 'email_code' },
            linked_to: [],
          },
        ],
        external_id: null,
        public_metadata: {},
        private_metadata: {},
        unsafe_metadata: {},
        created_at: createdAt,
        updated_at: createdAt,
      },
      event_attributes: { http_request: { client_ip: '203.0.113.7', user_agent: 'Mozilla/5.0' } },
      instance_id: 'ins_2mJ8mD4mE5kXyZ1example',
      object: 'event',
      timestamp: createdAt,
      type: 'user.created',
    };
  },
});

/** The Standard Webhooks sample: `standardWebhooks.user.created`. */
export const standardWebhooksSamples: readonly WebhookSample[] = [userCreated];
