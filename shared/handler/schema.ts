/** Payload validation through a Standard Schema (zod, valibot, arktype, ...). */
import { PayloadValidationError } from './errors.js';
import type { PayloadSchema, StandardResult } from './types.js';

/**
 * The validated (possibly transformed) payload.
 * @throws PayloadValidationError listing every issue as `path: message`
 */
export async function validatePayload<T>(schema: PayloadSchema<T>, payload: unknown): Promise<T> {
  const result: StandardResult<T> = await schema['~standard'].validate(payload);
  if (result.issues === undefined) return result.value;
  const issues = result.issues.map((issue) => {
    const path = (issue.path ?? [])
      .map((segment) => String(typeof segment === 'object' ? segment.key : segment))
      .join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  throw new PayloadValidationError(issues.length > 0 ? issues : ['invalid payload']);
}
