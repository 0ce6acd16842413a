import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

/** Meta (Facebook, Instagram, WhatsApp Cloud API) webhooks and their `hub.challenge` handshake. */
export const metaVerify = z.strictObject({
  scheme: z.literal('meta'),
  /** The App Secret: `X-Hub-Signature-256` is its HMAC-SHA256 of the raw body. */
  secret: secretReference,
  /**
   * The Verify Token typed in the App Dashboard: the `GET ?hub.mode=subscribe&hub.verify_token=…`
   * handshake is answered only when `hub.verify_token` equals one of its values.
   */
  verifyToken: secretReference,
  /**
   * Also accept the legacy `X-Hub-Signature` (HMAC-SHA1) header when no sha256 header is sent.
   * @default false
   */
  allowSha1: z.boolean().optional(),
});
