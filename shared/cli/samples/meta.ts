/**
 * Meta (WhatsApp Cloud API): an incoming text message, a `messages` change of a WhatsApp Business
 * Account. The signer adds `x-hub-signature-256` and the legacy `x-hub-signature`.
 */
import type { WebhookSample } from './sample.js';
import { hexId, jsonSample, unixSeconds } from './sample-builders.js';

const BUSINESS_ACCOUNT_ID = '102290129340398';
const PHONE_NUMBER_ID = '106540352242922';
const CUSTOMER_WA_ID = '16505551234';

const whatsappMessage = jsonSample({
  name: 'meta.whatsapp_business_account.messages',
  description: 'Meta WhatsApp messages: a customer sent a text message',
  scheme: 'meta',
  eventType: 'whatsapp_business_account.messages',
  headers: () => ({ 'user-agent': 'facebookexternalua' }),
  payload: (context) => ({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: BUSINESS_ACCOUNT_ID,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: CUSTOMER_WA_ID }],
              messages: [
                {
                  from: CUSTOMER_WA_ID,
                  id: `wamid.${Buffer.from(hexId(context, 'meta.message', 40), 'hex').toString('base64')}`,
                  timestamp: String(unixSeconds(context.now)),
                  text: { body: 'Does it come in another color?' },
                  type: 'text',
                },
              ],
            },
            field: 'messages',
          },
        ],
      },
    ],
  }),
});

/** Meta's sample: `meta.whatsapp_business_account.messages`. */
export const metaSamples: readonly WebhookSample[] = [whatsappMessage];
