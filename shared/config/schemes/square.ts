/** Route options of the `square` scheme (Square webhook event notifications). */
import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

export const squareVerify = z.strictObject({
  scheme: z.literal('square'),
  /** The webhook subscription's Signature Key, used verbatim as the HMAC key. */
  secret: secretReference,
  /**
   * Also accept the legacy `x-square-signature` header (base64 HMAC-SHA1 of the notification URL
   * and the raw body) when no `x-square-hmacsha256-signature` header is sent.
   * @default false
   */
  allowSha1: z.boolean().optional(),
});
