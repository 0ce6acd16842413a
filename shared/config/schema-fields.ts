/** Field schemas shared by the verify and route schemas. */
import { z } from 'zod';
import { SECRETS_MANAGER_MAX_NAME_LENGTH } from '../aws-limits.js';

export const positiveInt = (max: number) => z.number().int().min(1).max(max);
export const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

/** Header names are matched case-insensitively: the resolved config holds them lower-cased. */
export const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a valid HTTP header name')
  .transform((name) => name.toLowerCase());

/** Where a verification secret comes from. Secrets Manager name characters (locally: see secrets). */
export const secretReference = z.strictObject({
  /**
   * Name of the secret. Deployed: the AWS Secrets Manager secret name (created by the stack unless
   * `existing` is true). Locally: the environment variable (or `.env` entry) holding the value.
   * A secret may hold several values for rotation as a JSON array of strings (`["new","old"]`);
   * any one of them that matches passes. Any other text is one value, taken whole.
   */
  name: z
    .string()
    .regex(/^[A-Za-z0-9/_+=.@-]+$/, 'must use only letters, digits and /_+=.@-')
    .max(SECRETS_MANAGER_MAX_NAME_LENGTH),
  /**
   * Import an existing Secrets Manager secret instead of creating one.
   * @default false
   */
  existing: z.boolean().optional(),
});
