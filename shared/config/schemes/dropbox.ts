/** Route options of the `dropbox` scheme (Dropbox webhooks). */
import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

export const dropboxVerify = z.strictObject({
  scheme: z.literal('dropbox'),
  /** The app secret (App Console → Settings), the key of `X-Dropbox-Signature`. */
  secret: secretReference,
});
