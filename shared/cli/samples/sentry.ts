/**
 * Sentry integration webhook: an `issue` `created`. The resource is named in `sentry-hook-resource`;
 * the signer adds `sentry-hook-signature`, `sentry-hook-timestamp` and `request-id`.
 */
import type { WebhookSample } from './sample.js';
import { isoSeconds, jsonSample, numericText, uuidId } from './sample-builders.js';

const ORGANIZATION = 'example-org';
const PROJECT = { id: '4505321021243392', name: 'backend', slug: 'backend', platform: 'python' };

const issueCreated = jsonSample({
  name: 'sentry.issue.created',
  description: 'Sentry issue created: a new error group in the backend project',
  scheme: 'sentry',
  eventType: 'issue.created',
  headers: () => ({ 'sentry-hook-resource': 'issue' }),
  payload: (context) => {
    const issueId = numericText(context, 'sentry.issue', 10);
    const seenAt = isoSeconds(context.now);
    return {
      action: 'created',
      installation: { uuid: uuidId(context, 'sentry.installation') },
      data: {
        issue: {
          id: issueId,
          shortId: 'BACKEND-4Z',
          title: 'ZeroDivisionError: division by zero',
          culprit: 'billing.views in compute_total',
          level: 'error',
          status: 'unresolved',
          substatus: 'new',
          platform: PROJECT.platform,
          project: PROJECT,
          type: 'error',
          metadata: { type: 'ZeroDivisionError', value: 'division by zero', filename: 'billing/views.py' },
          count: '1',
          userCount: 1,
          firstSeen: seenAt,
          lastSeen: seenAt,
          permalink: `https://${ORGANIZATION}.sentry.io/issues/${issueId}/`,
          web_url: `https://${ORGANIZATION}.sentry.io/issues/${issueId}/`,
          url: `https://sentry.io/api/0/organizations/${ORGANIZATION}/issues/${issueId}/`,
        },
      },
      actor: { type: 'application', id: 'sentry', name: 'Sentry' },
    };
  },
});

/** Sentry's sample: `sentry.issue.created`. */
export const sentrySamples: readonly WebhookSample[] = [issueCreated];
