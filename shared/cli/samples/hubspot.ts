/**
 * HubSpot webhooks: an array of events, here one `contact.creation`. The signer adds the v3
 * signature (over method, URL, body and timestamp) and `x-hubspot-request-timestamp`.
 */
import type { WebhookSample } from './sample.js';
import { jsonSample, numericId } from './sample-builders.js';

const PORTAL_ID = 62_515;
const APP_ID = 54_321;
const SUBSCRIPTION_ID = 12_345;

const contactCreation = jsonSample({
  name: 'hubspot.contact.creation',
  description: 'HubSpot contact.creation: a contact created in the CRM',
  scheme: 'hubspot',
  eventType: 'contact.creation',
  payload: (context) => [
    {
      eventId: numericId(context, 'hubspot.event', 10),
      subscriptionId: SUBSCRIPTION_ID,
      portalId: PORTAL_ID,
      appId: APP_ID,
      occurredAt: context.now.getTime(),
      subscriptionType: 'contact.creation',
      attemptNumber: 0,
      objectId: numericId(context, 'hubspot.object', 11),
      changeFlag: 'CREATED',
      changeSource: 'CRM_UI',
      sourceId: 'userId:1234567',
    },
  ],
});

/** HubSpot's sample: `hubspot.contact.creation`. */
export const hubspotSamples: readonly WebhookSample[] = [contactCreation];
