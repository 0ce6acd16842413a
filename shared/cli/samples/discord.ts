/**
 * Discord interactions: the PING Discord sends when the Interactions Endpoint URL is saved, and a
 * slash command. Discord signs with the application's private key (Ed25519), which a route never
 * holds, so the trigger cannot sign these; they document the shape a handler receives.
 */
import type { SampleContext, WebhookSample } from './sample.js';
import { hexId, jsonSample, numericText } from './sample-builders.js';

const APPLICATION_ID = '1263531337219756123';
const INTERACTION_PING = 1;
const INTERACTION_APPLICATION_COMMAND = 2;
const SNOWFLAKE_DIGITS = 19;

/** The fields every interaction carries: its own id and token, the application, the version. */
function interaction(context: SampleContext, type: number) {
  return {
    type,
    id: numericText(context, 'discord.interaction', SNOWFLAKE_DIGITS),
    application_id: APPLICATION_ID,
    token: Buffer.from(hexId(context, 'discord.token', 64), 'hex').toString('base64url'),
    version: 1,
  };
}

const ping = jsonSample({
  name: 'discord.ping',
  description: 'Discord PING: the check when the Interactions Endpoint URL is saved',
  scheme: 'discord',
  handshake: true,
  payload: (context) => ({
    ...interaction(context, INTERACTION_PING),
    user: { id: '53908232506183680', username: 'mason', discriminator: '0', global_name: 'Mason' },
  }),
});

const applicationCommand = jsonSample({
  name: 'discord.application_command',
  description: 'Discord APPLICATION_COMMAND: a /hello slash command in a guild channel',
  scheme: 'discord',
  eventType: 'APPLICATION_COMMAND',
  payload: (context) => ({
    ...interaction(context, INTERACTION_APPLICATION_COMMAND),
    data: {
      id: '1263531940524855296',
      name: 'hello',
      type: 1,
      options: [{ name: 'to', type: 3, value: 'world' }],
    },
    guild_id: '290926798626357999',
    channel_id: '645027906669510667',
    member: {
      user: { id: '53908232506183680', username: 'mason', discriminator: '0', global_name: 'Mason' },
      roles: [],
      permissions: '2147483647',
      joined_at: '2017-03-13T19:19:14.040000+00:00',
    },
    locale: 'en-US',
    guild_locale: 'en-US',
    app_permissions: '442368',
  }),
});

/** Discord's samples: `discord.ping`, `discord.application_command`. */
export const discordSamples: readonly WebhookSample[] = [ping, applicationCommand];
