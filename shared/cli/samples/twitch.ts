/**
 * Twitch EventSub (webhook transport): a `channel.follow` notification, and the
 * `webhook_callback_verification` challenge sent when the subscription is created. The signer adds
 * the `twitch-eventsub-message-*` headers, reading the message type and subscription from the body.
 */
import type { SampleContext, WebhookSample } from './sample.js';
import { hexId, jsonSample, numericText, secondsBefore, uuidId } from './sample-builders.js';

const BROADCASTER = { user_id: '1337', user_login: 'cool_user', user_name: 'Cool_User' };
const FOLLOW_TYPE = 'channel.follow';
const FOLLOW_VERSION = '2';

/** The `channel.follow` subscription a message is about, in `status`. */
function followSubscription(context: SampleContext, status: string) {
  return {
    id: uuidId(context, 'twitch.subscription'),
    status,
    type: FOLLOW_TYPE,
    version: FOLLOW_VERSION,
    cost: 0,
    condition: { broadcaster_user_id: BROADCASTER.user_id, moderator_user_id: BROADCASTER.user_id },
    transport: { method: 'webhook', callback: 'https://hooks.example.com/twitch/' },
    created_at: secondsBefore(context.now, 60).toISOString(),
  };
}

const channelFollow = jsonSample({
  name: 'twitch.channel.follow',
  description: 'Twitch EventSub channel.follow: a user followed the channel',
  scheme: 'twitch',
  eventType: FOLLOW_TYPE,
  payload: (context) => ({
    subscription: followSubscription(context, 'enabled'),
    event: {
      user_id: numericText(context, 'twitch.follower', 7),
      user_login: 'cool_follower',
      user_name: 'Cool_Follower',
      broadcaster_user_id: BROADCASTER.user_id,
      broadcaster_user_login: BROADCASTER.user_login,
      broadcaster_user_name: BROADCASTER.user_name,
      followed_at: context.now.toISOString(),
    },
  }),
});

const callbackVerification = jsonSample({
  name: 'twitch.webhook_callback_verification',
  description: 'Twitch EventSub webhook_callback_verification: the challenge echoed as plain text',
  scheme: 'twitch',
  handshake: true,
  payload: (context) => ({
    challenge: hexId(context, 'twitch.challenge', 32),
    subscription: followSubscription(context, 'webhook_callback_verification_pending'),
  }),
});

/** Twitch's samples: `twitch.channel.follow`, `twitch.webhook_callback_verification`. */
export const twitchSamples: readonly WebhookSample[] = [channelFollow, callbackVerification];
