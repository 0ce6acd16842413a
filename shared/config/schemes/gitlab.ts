import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

/** GitLab webhooks: the plain `X-Gitlab-Token`, or the Standard Webhooks "signing token". */
export const gitlabVerify = z
  .strictObject({
    scheme: z.literal('gitlab'),
    /**
     * The webhook's secret token (`token` mode), or its signing token (`signingToken` mode:
     * `whsec_` followed by base64, as GitLab shows it).
     */
    secret: secretReference,
    /**
     * `token`: `X-Gitlab-Token` must equal the secret (nothing is signed). `signingToken`: the
     * Standard Webhooks headers GitLab sends when the webhook has a signing token
     * (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
     * @default 'token'
     */
    mode: z.enum(['token', 'signingToken']).optional(),
    /** Allowed clock skew of `webhook-timestamp`, past and future (`signingToken` mode only). @default 300 */
    toleranceSeconds: seconds(1, 3600).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.toleranceSeconds !== undefined && config.mode !== 'signingToken') {
      ctx.addIssue({
        code: 'custom',
        path: ['toleranceSeconds'],
        message: "applies only to mode 'signingToken' (a token carries no timestamp)",
      });
    }
  });
