/** Route options of the `msGraph` scheme (Microsoft Graph change notifications). */
import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

export const msGraphVerify = z.strictObject({
  scheme: z.literal('msGraph'),
  /**
   * The subscription's `clientState`: every notification's `clientState` must equal one of the
   * values. Nothing is signed; treat it as a password.
   */
  secret: secretReference,
});
