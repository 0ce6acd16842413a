/**
 * Okta Event Hook: a batch of System Log events, here one `user.lifecycle.create`. Okta signs
 * nothing: the signer adds the hook's authorization header.
 */
import type { WebhookSample } from './sample.js';
import { hexId, jsonSample, uuidId } from './sample-builders.js';

const ORG_URL = 'https://example.okta.com';
const EVENT_HOOK_ID = 'who8tsm2r2XxVAb0m1d7';

const userCreated = jsonSample({
  name: 'okta.user.lifecycle.create',
  description: 'Okta Event Hook user.lifecycle.create: an admin created a user',
  scheme: 'okta',
  eventType: 'user.lifecycle.create',
  payload: (context) => {
    const published = context.now.toISOString();
    return {
      eventType: 'com.okta.event_hook',
      eventTypeVersion: '1.0',
      cloudEventsVersion: '0.1',
      source: `${ORG_URL}/api/v1/eventHooks/${EVENT_HOOK_ID}`,
      eventId: uuidId(context, 'okta.delivery'),
      eventTime: published,
      contentType: 'application/json',
      data: {
        events: [
          {
            uuid: uuidId(context, 'okta.event'),
            published,
            eventType: 'user.lifecycle.create',
            version: '0',
            displayMessage: 'Create Okta user',
            severity: 'INFO',
            client: {
              userAgent: { rawUserAgent: 'Mozilla/5.0', os: 'Mac OS X', browser: 'CHROME' },
              zone: 'null',
              device: 'Computer',
              ipAddress: '203.0.113.10',
            },
            actor: {
              id: '00u1qw1mqitPHM8AJ0g7',
              type: 'User',
              alternateId: 'admin@example.com',
              displayName: 'Jane Admin',
            },
            outcome: { result: 'SUCCESS' },
            target: [
              {
                id: `00u${hexId(context, 'okta.user', 17)}`,
                type: 'User',
                alternateId: 'john.doe@example.com',
                displayName: 'John Doe',
              },
            ],
            transaction: { type: 'WEB', id: hexId(context, 'okta.transaction', 20) },
            debugContext: { debugData: { requestUri: '/api/v1/users' } },
            legacyEventType: 'core.user.config.user_creation.success',
          },
        ],
      },
    };
  },
});

/** Okta's sample: `okta.user.lifecycle.create`. */
export const oktaSamples: readonly WebhookSample[] = [userCreated];
