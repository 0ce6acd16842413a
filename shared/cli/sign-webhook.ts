/**
 * Signs a webhook request the way a route's verification scheme expects it (`hookline send`,
 * `hookline trigger`), with the scheme's own signer, so it passes the verifier a real provider's
 * request passes.
 */
import { randomUUID } from 'node:crypto';
import type { VerifyConfig } from '../config/types.js';
import { schemeOf } from '../verify/registry.js';
import { CannotSignError, type SignedRequest } from '../verify/scheme.js';

/** A webhook request `signWebhook` signs. */
export interface WebhookToSign {
  /** The exact body that will be sent. */
  readonly body: string;
  /** The secret value to sign with (the first, newest one during a rotation). */
  readonly secret?: string;
  readonly now: Date;
  /** Where it goes: URL-aware schemes sign it. */
  readonly url: string;
  /** @default 'POST' */
  readonly method?: string;
  /** Delivery id for schemes that carry one in a header. @default a new UUID */
  readonly deliveryId?: string;
  /** The other headers it carries (an event type's header): kept unless signing sets them. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Whether the scheme signs with the route's secret (not `none`, `sns` nor JWKS-verified `jwt`). */
export function needsSecret(verify: VerifyConfig): boolean {
  return 'secret' in verify && verify.secret !== undefined;
}

/**
 * The headers (and, for schemes that sign inside the body, the body) that make `request` verify
 * under `verify`. @throws CannotSignError when the scheme cannot sign with what it was given.
 */
export async function signWebhook(verify: VerifyConfig, request: WebhookToSign): Promise<SignedRequest> {
  const { sign } = schemeOf(verify);
  if (sign === undefined) throw new CannotSignError(`scheme ${verify.scheme} cannot be signed here`);
  if (needsSecret(verify) && (request.secret === undefined || request.secret === '')) {
    throw new CannotSignError(`scheme ${verify.scheme} needs a secret to sign with`);
  }
  return sign(
    {
      method: request.method ?? 'POST',
      url: request.url,
      body: request.body,
      secret: request.secret ?? '',
      now: request.now,
      deliveryId: request.deliveryId ?? randomUUID(),
      headers: request.headers ?? {},
    },
    verify,
  );
}
