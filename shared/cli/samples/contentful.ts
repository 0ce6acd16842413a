/**
 * Contentful `ContentManagement.Entry.publish`: the published entry, topic in `x-contentful-topic`.
 * The signer adds `x-contentful-signature`, its timestamp, the signed-header list and the
 * idempotency key.
 */
import type { WebhookSample } from './sample.js';
import { hexId, jsonSample, secondsBefore } from './sample-builders.js';

const TOPIC = 'ContentManagement.Entry.publish';
const SPACE_ID = 'yadj1kx9rmg0';
const USER_LINK = { sys: { type: 'Link', linkType: 'User', id: '4FLrUHftHW3v2BLi9fzfjU' } };

const entryPublish = jsonSample({
  name: 'contentful.ContentManagement.Entry.publish',
  description: 'Contentful ContentManagement.Entry.publish: a blog post published',
  scheme: 'contentful',
  eventType: TOPIC,
  contentType: 'application/vnd.contentful.management.v1+json',
  headers: () => ({ 'x-contentful-topic': TOPIC, 'x-contentful-webhook-name': 'Hookline' }),
  payload: (context) => {
    const createdAt = secondsBefore(context.now, 600).toISOString();
    const publishedAt = context.now.toISOString();
    return {
      metadata: { tags: [] },
      sys: {
        type: 'Entry',
        id: hexId(context, 'contentful.entry', 22),
        space: { sys: { type: 'Link', linkType: 'Space', id: SPACE_ID } },
        environment: { sys: { id: 'master', type: 'Link', linkType: 'Environment' } },
        contentType: { sys: { type: 'Link', linkType: 'ContentType', id: 'blogPost' } },
        createdBy: USER_LINK,
        updatedBy: USER_LINK,
        revision: 1,
        createdAt,
        updatedAt: publishedAt,
      },
      fields: {
        title: { 'en-US': 'Hello, world' },
        slug: { 'en-US': 'hello-world' },
        body: { 'en-US': 'Our first post.' },
      },
    };
  },
});

/** Contentful's sample: `contentful.ContentManagement.Entry.publish`. */
export const contentfulSamples: readonly WebhookSample[] = [entryPublish];
