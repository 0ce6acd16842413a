import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

/** X (Twitter) Account Activity webhooks and their CRC (`GET ?crc_token=…`) handshake. */
export const xVerify = z.strictObject({
  scheme: z.literal('x'),
  /** The app's Consumer Secret (API secret key), not a bearer or access token. */
  secret: secretReference,
});
