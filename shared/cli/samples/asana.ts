/**
 * Asana webhook: an `events` array, here a task added to the watched project. The signer adds
 * `x-hook-signature` (HMAC with the secret Asana handed over in the handshake).
 */
import type { WebhookSample } from './sample.js';
import { jsonSample, numericText } from './sample-builders.js';

const PROJECT_GID = '1331';
const USER_GID = '1516';

const taskAdded = jsonSample({
  name: 'asana.task.added',
  description: 'Asana events: a task added to the watched project',
  scheme: 'asana',
  eventType: 'task.added',
  payload: (context) => ({
    events: [
      {
        user: { gid: USER_GID, resource_type: 'user' },
        created_at: context.now.toISOString(),
        action: 'added',
        resource: {
          gid: numericText(context, 'asana.task', 16),
          resource_type: 'task',
          resource_subtype: 'default_task',
        },
        parent: { gid: PROJECT_GID, resource_type: 'project' },
      },
    ],
  }),
});

/** Asana's sample: `asana.task.added`. */
export const asanaSamples: readonly WebhookSample[] = [taskAdded];
