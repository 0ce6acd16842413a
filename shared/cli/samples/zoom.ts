/**
 * Zoom webhooks: `meeting.started`, and the `endpoint.url_validation` challenge Zoom sends when the
 * endpoint is saved (and every 72 hours). The signer adds `x-zm-signature` and `x-zm-request-timestamp`.
 */
import type { WebhookSample } from './sample.js';
import { hexId, isoSeconds, jsonSample, numericId, secondsBefore } from './sample-builders.js';

const ACCOUNT_ID = 'AAAAAABBBB';

const meetingStarted = jsonSample({
  name: 'zoom.meeting.started',
  description: 'Zoom meeting.started: a scheduled meeting began',
  scheme: 'zoom',
  eventType: 'meeting.started',
  payload: (context) => ({
    event: 'meeting.started',
    payload: {
      account_id: ACCOUNT_ID,
      object: {
        id: String(numericId(context, 'zoom.meeting', 11)),
        uuid: Buffer.from(hexId(context, 'zoom.uuid', 32), 'hex').toString('base64'),
        host_id: 'x1yCzABCDEfg23HiJKl4mN',
        topic: 'Weekly sync',
        type: 2,
        start_time: isoSeconds(secondsBefore(context.now, 1)),
        timezone: 'America/Los_Angeles',
        duration: 60,
      },
    },
    event_ts: context.now.getTime(),
  }),
});

const urlValidation = jsonSample({
  name: 'zoom.endpoint.url_validation',
  description: 'Zoom endpoint.url_validation: the challenge answered with an HMAC of plainToken',
  scheme: 'zoom',
  handshake: true,
  payload: (context) => ({
    payload: { plainToken: Buffer.from(hexId(context, 'zoom.plain_token', 32), 'hex').toString('base64url') },
    event_ts: context.now.getTime(),
    event: 'endpoint.url_validation',
  }),
});

/** Zoom's samples: `zoom.meeting.started`, `zoom.endpoint.url_validation`. */
export const zoomSamples: readonly WebhookSample[] = [meetingStarted, urlValidation];
