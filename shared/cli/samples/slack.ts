/**
 * Slack Events API: an `app_mention` event callback, and the `url_verification` handshake Slack sends
 * when the Request URL is saved. The signer adds `x-slack-signature` and `x-slack-request-timestamp`.
 */
import type { SampleContext, WebhookSample } from './sample.js';
import { hexId, jsonSample, numericText, unixSeconds } from './sample-builders.js';

const TEAM_ID = 'T061EG9R6';
const APP_ID = 'A0KRD7HC3';
/** The deprecated verification token Slack still puts in every payload. */
const VERIFICATION_TOKEN = 'XXYYZZ';

/** An upper-case Slack-style id (`Ev…`, `U…`) of `length` characters unique to this trigger. */
function slackId(context: SampleContext, prefix: string, length = 9): string {
  return `${prefix}${hexId(context, `slack.${prefix}`, length).toUpperCase()}`;
}

const eventCallback = jsonSample({
  name: 'slack.event_callback',
  description: 'Slack event_callback: the app mentioned in a channel (app_mention)',
  scheme: 'slack',
  eventType: 'app_mention',
  payload: (context) => {
    const seconds = unixSeconds(context.now);
    const ts = `${seconds}.${numericText(context, 'slack.ts', 6)}`;
    return {
      token: VERIFICATION_TOKEN,
      team_id: TEAM_ID,
      api_app_id: APP_ID,
      event: {
        type: 'app_mention',
        user: 'W021FGA1Z',
        text: '<@U0LAN0Z89> is it everything a river should be?',
        ts,
        channel: 'C123ABC456',
        event_ts: ts,
      },
      type: 'event_callback',
      event_id: slackId(context, 'Ev'),
      event_time: seconds,
      authorizations: [
        {
          enterprise_id: null,
          team_id: TEAM_ID,
          user_id: 'U0LAN0Z89',
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${hexId(context, 'slack.event_context', 40)}`,
    };
  },
});

const urlVerification = jsonSample({
  name: 'slack.url_verification',
  description: 'Slack url_verification: the handshake when the Request URL is saved',
  scheme: 'slack',
  handshake: true,
  payload: (context) => ({
    token: VERIFICATION_TOKEN,
    challenge: hexId(context, 'slack.challenge', 48),
    type: 'url_verification',
  }),
});

/** Slack's samples: `slack.event_callback`, `slack.url_verification`. */
export const slackSamples: readonly WebhookSample[] = [eventCallback, urlVerification];
