/**
 * Microsoft Graph change notification: a message `created` in a mailbox. Graph's only credential is
 * each notification's `clientState`, which the signer sets to the route's secret.
 */
import type { WebhookSample } from './sample.js';
import { jsonSample, uuidId } from './sample-builders.js';

const TENANT_ID = '84bd8158-6d4d-4958-8b9f-9d6445542f95';
const USER_ID = '6ea2d8f8-9c83-4b4b-a7b6-b7a4d0c66d21';
/** How long Graph keeps a mail subscription (the maximum, under three days). */
const SUBSCRIPTION_LIFETIME_MS = 4_230 * 60_000;

const messageCreated = jsonSample({
  name: 'msGraph.created',
  description: 'Microsoft Graph change notification: a message created in a mailbox',
  scheme: 'msGraph',
  eventType: 'created',
  payload: (context) => {
    const messageId = `AAMkAG${Buffer.from(uuidId(context, 'graph.message')).toString('base64url')}AAA=`;
    return {
      value: [
        {
          subscriptionId: uuidId(context, 'graph.subscription'),
          subscriptionExpirationDateTime: new Date(
            context.now.getTime() + SUBSCRIPTION_LIFETIME_MS,
          ).toISOString(),
          changeType: 'created',
          resource: `Users/${USER_ID}/Messages/${messageId}`,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.Message',
            '@odata.id': `Users/${USER_ID}/Messages/${messageId}`,
            '@odata.etag': 'W/"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf"',
            id: messageId,
          },
          tenantId: TENANT_ID,
        },
      ],
    };
  },
});

/** Microsoft Graph's sample: `msGraph.created`. */
export const msGraphSamples: readonly WebhookSample[] = [messageCreated];
