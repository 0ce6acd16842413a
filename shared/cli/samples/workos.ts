/**
 * WorkOS `user.created` (AuthKit): a user signed up. The signer adds `workos-signature`.
 */
import type { SampleContext, WebhookSample } from './sample.js';
import { hexId, jsonSample } from './sample-builders.js';

/** A WorkOS id: its object's prefix and a 26-character upper-case ULID-like id. */
function workosId(context: SampleContext, prefix: string): string {
  return `${prefix}_01${hexId(context, `workos.${prefix}`, 24).toUpperCase()}`;
}

const userCreated = jsonSample({
  name: 'workos.user.created',
  description: 'WorkOS user.created: a user signed up with AuthKit',
  scheme: 'workos',
  eventType: 'user.created',
  payload: (context) => {
    const createdAt = context.now.toISOString();
    return {
      id: workosId(context, 'event'),
      event: 'user.created',
      data: {
        object: 'user',
        id: workosId(context, 'user'),
        email: 'todd@example.com',
        first_name: 'Todd',
        last_name: 'Rundgren',
        email_verified: false,
        profile_picture_url: null,
        last_sign_in_at: null,
        external_id: null,
        metadata: {},
        created_at: createdAt,
        updated_at: createdAt,
      },
      created_at: createdAt,
    };
  },
});

/** WorkOS's sample: `workos.user.created`. */
export const workosSamples: readonly WebhookSample[] = [userCreated];
