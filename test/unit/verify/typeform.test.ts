import { typeformScheme, verifyTypeform } from '../../../shared/verify/typeform.js';
import { describeBodySignature } from '../../helpers/body-signature-matrix.js';

// Oracle: Typeform publishes no SDK verifier and no test vector, so the expected signature is
// computed with node:crypto following the documented rule: `Typeform-Signature: sha256=<base64 HMAC-SHA256(webhook secret, raw body)>`.
describeBodySignature({
  scheme: 'typeform',
  definition: typeformScheme,
  verify: verifyTypeform,
  options: { scheme: 'typeform', secret: { name: 'WEBHOOK_SECRET' } },
  header: 'typeform-signature',
  prefix: 'sha256=',
  algorithm: 'sha256',
  encoding: 'base64',
  secret: 'typeform webhook secret',
  payload:
    '{"event_id":"01HZX5V8K9Q2","event_type":"form_response","form_response":{"answers":[{"text":"Zoë 🚀"}]}}',
  ids: {
    fields: '`event_id` and the event type from `event_type`',
    deliveryId: '01HZX5V8K9Q2',
    eventType: 'form_response',
  },
});
