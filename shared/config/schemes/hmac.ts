import { z } from 'zod';
import { headerName, seconds, secretReference } from '../schema-fields.js';

/** Generic HMAC: the route names the header, algorithm, encoding and what is signed. */
export const hmacVerify = z.strictObject({
  scheme: z.literal('hmac'),
  secret: secretReference,
  /** @default 'sha256' */
  algorithm: z.enum(['sha1', 'sha256', 'sha512']).optional(),
  /** Header carrying the signature (case-insensitive). */
  header: headerName,
  /** @default 'hex' */
  encoding: z.enum(['hex', 'base64']).optional(),
  /** Text in front of the signature value, e.g. `sha256=`. @default '' */
  prefix: z.string().max(64).optional(),
  /** Header carrying a unix timestamp (seconds) that is part of the signed content. */
  timestampHeader: headerName.optional(),
  /** Allowed clock skew when `timestampHeader` is set. @default 300 */
  toleranceSeconds: seconds(1, 3600).optional(),
  /**
   * What is signed: `{body}` is the raw body, `{timestamp}` the timestamp header value.
   * @default '{timestamp}.{body}' with a timestamp header, '{body}' otherwise
   */
  signedContent: z
    .string()
    .refine((template) => template.includes('{body}'), 'must contain {body}')
    .optional(),
});
