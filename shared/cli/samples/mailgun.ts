/**
 * Mailgun `delivered`: the JSON webhook's `event-data`. Mailgun signs inside the body: the signer
 * adds the `signature` object (`timestamp`, `token`, `signature`).
 */
import type { WebhookSample } from './sample.js';
import { hexId, jsonSample, unixSeconds } from './sample-builders.js';

const DOMAIN = 'mg.example.com';

const delivered = jsonSample({
  name: 'mailgun.delivered',
  description: 'Mailgun delivered: a message accepted by the recipient server',
  scheme: 'mailgun',
  eventType: 'delivered',
  payload: (context) => ({
    'event-data': {
      id: Buffer.from(hexId(context, 'mailgun.event', 32), 'hex').toString('base64url'),
      timestamp: unixSeconds(context.now) + 0.123_456,
      'log-level': 'info',
      event: 'delivered',
      recipient: 'alice@example.com',
      'recipient-domain': 'example.com',
      tags: ['welcome'],
      'user-variables': {},
      envelope: {
        transport: 'smtp',
        sender: `bob@${DOMAIN}`,
        'sending-ip': '209.61.154.250',
        targets: 'alice@example.com',
      },
      flags: { 'is-routed': false, 'is-authenticated': true, 'is-system-test': false, 'is-test-mode': false },
      'delivery-status': {
        tls: true,
        'mx-host': 'smtp-in.example.com',
        code: 250,
        description: '',
        'session-seconds': 0.43,
        utf8: true,
        'attempt-no': 1,
        message: 'OK',
        'certificate-verified': true,
      },
      message: {
        headers: {
          to: 'Alice <alice@example.com>',
          'message-id': `${hexId(context, 'mailgun.message', 20)}@${DOMAIN}`,
          from: `Bob <bob@${DOMAIN}>`,
          subject: 'Welcome aboard',
        },
        attachments: [],
        size: 4_111,
      },
      storage: {
        url: `https://se.api.mailgun.net/v3/domains/${DOMAIN}/messages/message_key`,
        key: 'message_key',
      },
    },
  }),
});

/** Mailgun's sample: `mailgun.delivered`. */
export const mailgunSamples: readonly WebhookSample[] = [delivered];
