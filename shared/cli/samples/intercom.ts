/**
 * Intercom `conversation.user.created`: a user started a conversation. The signer adds
 * `x-hub-signature` (HMAC-SHA1 with the app's client secret).
 */
import type { WebhookSample } from './sample.js';
import { jsonSample, numericText, unixSeconds, uuidId } from './sample-builders.js';

const APP_ID = 'ecahpwf5';

const conversationCreated = jsonSample({
  name: 'intercom.conversation.user.created',
  description: 'Intercom conversation.user.created: a user started a conversation',
  scheme: 'intercom',
  eventType: 'conversation.user.created',
  payload: (context) => {
    const createdAt = unixSeconds(context.now);
    return {
      type: 'notification_event',
      app_id: APP_ID,
      data: {
        type: 'notification_event_data',
        item: {
          type: 'conversation',
          id: numericText(context, 'intercom.conversation', 15),
          created_at: createdAt,
          updated_at: createdAt,
          title: null,
          source: {
            type: 'conversation',
            id: numericText(context, 'intercom.part', 10),
            delivered_as: 'customer_initiated',
            subject: '',
            body: '<p>Hi, I cannot find the export button.</p>',
            author: {
              type: 'user',
              id: '5f1e7c0a9b8d7c6e5f4a3b2c',
              name: 'Jane Customer',
              email: 'jane@example.com',
            },
          },
          contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: '5f1e7c0a9b8d7c6e5f4a3b2c' }] },
          open: true,
          state: 'open',
          read: false,
        },
      },
      links: {},
      id: `notif_${uuidId(context, 'intercom.notification')}`,
      topic: 'conversation.user.created',
      delivery_status: 'pending',
      delivery_attempts: 1,
      delivered_at: 0,
      first_sent_at: createdAt,
      created_at: createdAt,
      self: null,
    };
  },
});

/** Intercom's sample: `intercom.conversation.user.created`. */
export const intercomSamples: readonly WebhookSample[] = [conversationCreated];
