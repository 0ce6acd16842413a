import { intercomScheme, verifyIntercom } from '../../../shared/verify/intercom.js';
import { describeBodySignature } from '../../helpers/body-signature-matrix.js';

// Oracle: Intercom publishes no SDK verifier and no test vector, so the expected signature is
// computed with node:crypto following the documented rule: `X-Hub-Signature: sha1=<hex HMAC-SHA1(client secret, raw body)>`.
describeBodySignature({
  scheme: 'intercom',
  definition: intercomScheme,
  verify: verifyIntercom,
  options: { scheme: 'intercom', secret: { name: 'WEBHOOK_SECRET' } },
  header: 'x-hub-signature',
  prefix: 'sha1=',
  algorithm: 'sha1',
  encoding: 'hex',
  secret: 'intercom client secret',
  payload:
    '{"type":"notification_event","id":"notif_ccd8a4d2-3f3a-4c3c","topic":"conversation.user.created","data":{"item":{"body":"Hé 🚀"}}}',
  ids: {
    fields: '`id` and the event type from `topic`',
    deliveryId: 'notif_ccd8a4d2-3f3a-4c3c',
    eventType: 'conversation.user.created',
  },
});
