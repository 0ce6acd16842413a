/**
 * Linear: an `Issue` created. The signer sets `webhookTimestamp` in the body (the only signed time)
 * and adds `linear-signature`, `linear-delivery` and `linear-event`.
 */
import type { WebhookSample } from './sample.js';
import { jsonSample, numericId, uuidId } from './sample-builders.js';

const ORGANIZATION_ID = '5f5e2d1c-3b4a-4c6d-8e7f-9a0b1c2d3e4f';
const TEAM = { id: '72b2a2dc-6f4f-4423-9d34-24b5bd10634a', key: 'ENG', name: 'Engineering' };

const issueCreated = jsonSample({
  name: 'linear.Issue.create',
  description: 'Linear Issue create: a new issue in the Engineering team',
  scheme: 'linear',
  eventType: 'Issue',
  headers: () => ({ 'linear-event': 'Issue', 'user-agent': 'Linear-Webhook' }),
  payload: (context) => {
    const createdAt = context.now.toISOString();
    const number = numericId(context, 'linear.number', 3);
    const identifier = `${TEAM.key}-${number}`;
    return {
      action: 'create',
      actor: { id: '2e6eea91-1111-0000-9486-acea0603064c', type: 'user', name: 'Ada Lovelace' },
      createdAt,
      data: {
        id: uuidId(context, 'linear.issue'),
        createdAt,
        updatedAt: createdAt,
        number,
        identifier,
        title: 'Checkout button does nothing on Safari',
        priority: 2,
        priorityLabel: 'High',
        teamId: TEAM.id,
        team: TEAM,
        stateId: '1c9b3f5e-6a7d-4e8f-9a0b-1c2d3e4f5a6b',
        state: {
          id: '1c9b3f5e-6a7d-4e8f-9a0b-1c2d3e4f5a6b',
          name: 'Todo',
          type: 'unstarted',
          color: '#e2e2e2',
        },
        labelIds: [],
        url: `https://linear.app/example/issue/${identifier}`,
      },
      url: `https://linear.app/example/issue/${identifier}`,
      type: 'Issue',
      organizationId: ORGANIZATION_ID,
      webhookTimestamp: context.now.getTime(),
      webhookId: '000042e3-d123-4980-b49f-8e140eef9329',
    };
  },
});

/** Linear's sample: `linear.Issue.create`. */
export const linearSamples: readonly WebhookSample[] = [issueCreated];
