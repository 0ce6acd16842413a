/** Route options of the `okta` scheme (Okta Event Hooks). */
import { z } from 'zod';
import { headerName, secretReference } from '../schema-fields.js';

export const oktaVerify = z.strictObject({
  scheme: z.literal('okta'),
  /**
   * The value of the event hook's authentication header (`channel.config.authScheme.value`),
   * compared whole. Nothing is signed; treat it as a password.
   */
  secret: secretReference,
  /**
   * The header the event hook sends it in (`channel.config.authScheme.key`), case-insensitive.
   * @default 'authorization'
   */
  header: headerName.optional(),
});
