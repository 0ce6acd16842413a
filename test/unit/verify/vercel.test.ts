import { vercelScheme, verifyVercel } from '../../../shared/verify/vercel.js';
import { describeBodySignature } from '../../helpers/body-signature-matrix.js';

// Oracle: Vercel publishes no SDK verifier and no test vector, so the expected signature is
// computed with node:crypto following the documented rule: `x-vercel-signature: <hex HMAC-SHA1(webhook secret, raw body)>`, no prefix.
describeBodySignature({
  scheme: 'vercel',
  definition: vercelScheme,
  verify: verifyVercel,
  options: { scheme: 'vercel', secret: { name: 'WEBHOOK_SECRET' } },
  header: 'x-vercel-signature',
  prefix: '',
  algorithm: 'sha1',
  encoding: 'hex',
  secret: 'vercel webhook secret',
  payload:
    '{"id":"evt_2qM5vq5b9Yk","type":"deployment.succeeded","createdAt":1768478400000,"payload":{"name":"café"}}',
  ids: {
    fields: '`id` and the event type from `type`',
    deliveryId: 'evt_2qM5vq5b9Yk',
    eventType: 'deployment.succeeded',
  },
});
