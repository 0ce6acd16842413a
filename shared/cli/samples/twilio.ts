/**
 * Twilio Messaging status callback: a form-encoded POST to the message's StatusCallback URL. The
 * signer adds `x-twilio-signature` (over the URL and the sorted form fields) and the idempotency token.
 */
import type { SampleContext, WebhookSample } from './sample.js';
import { hexId } from './sample-builders.js';

const ACCOUNT_SID = 'AC3f9e1d2c4b5a69788796a5b4c3d2e1f0';
const MESSAGING_SERVICE_SID = 'MG2172dd2db502e20dd981ef0d67850e1a';

/** The callback's fields, in the order Twilio posts them. */
function statusFields(context: SampleContext): Record<string, string> {
  const messageSid = `SM${hexId(context, 'twilio.message', 32)}`;
  return {
    ApiVersion: '2010-04-01',
    MessageStatus: 'delivered',
    SmsSid: messageSid,
    SmsStatus: 'delivered',
    To: '+15558675310',
    From: '+15017122661',
    MessageSid: messageSid,
    AccountSid: ACCOUNT_SID,
    MessagingServiceSid: MESSAGING_SERVICE_SID,
    ChannelToAddress: '+1555867XXXX',
    RawDlrDoneDate: context.now.toISOString().replace(/\D/g, '').slice(2, 12),
  };
}

const messageStatus: WebhookSample = {
  name: 'twilio.message.status',
  description: 'Twilio message status callback: an SMS delivered (form-encoded)',
  scheme: 'twilio',
  eventType: 'delivered',
  headers: () => ({
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'TwilioProxy/1.1',
  }),
  body: (context) => new URLSearchParams(statusFields(context)).toString(),
};

/** Twilio's sample: `twilio.message.status`. */
export const twilioSamples: readonly WebhookSample[] = [messageStatus];
