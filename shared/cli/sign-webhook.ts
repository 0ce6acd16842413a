/**
 * Signs a webhook request the way a route's verification scheme expects it (`hookline send`), so
 * the request passes the same verifier a real provider's request passes.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { newWebhookId, signStandardWebhook } from '../client/hookline-client.js';
import type { HmacVerifyConfig, JwtVerifyConfig, VerifyConfig } from '../config/types.js';
import { HooklineError } from '../errors.js';

/** A webhook request `signWebhook` signs: its body, when, and with what secret. */
export interface WebhookToSign {
  /** The exact body that will be sent. */
  readonly body: string;
  /** The secret value to sign with (the first, newest one during a rotation). */
  readonly secret?: string;
  readonly now: Date;
  /** Delivery id for schemes that carry one (Standard Webhooks, GitHub, Shopify). @default a new id */
  readonly deliveryId?: string;
}

/** A route's scheme cannot be signed by the CLI (JWKS, ed25519 public key) or has no secret. */
export class SignWebhookError extends HooklineError<'cannot_sign'> {
  override name = 'SignWebhookError';

  constructor(message: string) {
    super('cannot_sign', message);
  }
}

/** Whether the scheme signs with a secret (every scheme but `none` and JWKS-verified `jwt`). */
export function needsSecret(verify: VerifyConfig): boolean {
  return verify.scheme !== 'none' && !(verify.scheme === 'jwt' && verify.secret === undefined);
}

/** The headers that make `request.body` verify under `verify`. */
export async function signWebhook(
  verify: VerifyConfig,
  request: WebhookToSign,
): Promise<Record<string, string>> {
  const signer = signerFor(verify, request);
  const { seconds, mac } = signer;
  switch (verify.scheme) {
    case 'none':
      return {};
    case 'standardWebhooks':
      return standardWebhooksHeaders(signer, request);
    case 'github':
      return {
        'x-github-delivery': request.deliveryId ?? randomUUID(),
        'x-github-event': 'ping',
        'x-hub-signature-256': `sha256=${mac('sha256', request.body).toString('hex')}`,
      };
    case 'stripe':
      return {
        'stripe-signature': `t=${seconds},v1=${mac('sha256', `${seconds}.`, request.body).toString('hex')}`,
      };
    case 'slack':
      return {
        'x-slack-request-timestamp': String(seconds),
        'x-slack-signature': `v0=${mac('sha256', `v0:${seconds}:`, request.body).toString('hex')}`,
      };
    case 'shopify':
      return {
        'x-shopify-webhook-id': request.deliveryId ?? randomUUID(),
        'x-shopify-hmac-sha256': mac('sha256', request.body).toString('base64'),
      };
    case 'hmac':
      return hmacHeaders(signer, verify, request);
    case 'jwt':
      return jwtHeaders(signer, verify);
    default: {
      const unknown: never = verify;
      throw new SignWebhookError(`unknown scheme ${String((unknown as { scheme?: unknown }).scheme)}`);
    }
  }
}

/** What every scheme signs with: the request's time in unix seconds, and its secret, read when used. */
interface Signer {
  readonly seconds: number;
  /** @throws SignWebhookError when the request has no secret */
  secret(): string;
  /** The HMAC of `parts` under the secret. */
  mac(algorithm: 'sha1' | 'sha256' | 'sha512', ...parts: string[]): Buffer;
}

function signerFor(verify: VerifyConfig, request: WebhookToSign): Signer {
  const secret = () => {
    if (request.secret === undefined || request.secret === '') {
      throw new SignWebhookError(`scheme ${verify.scheme} needs a secret to sign with`);
    }
    return request.secret;
  };
  return {
    seconds: Math.floor(request.now.getTime() / 1000),
    secret,
    mac: (algorithm, ...parts) => {
      const hmac = createHmac(algorithm, secret());
      for (const part of parts) hmac.update(part);
      return hmac.digest();
    },
  };
}

function standardWebhooksHeaders(signer: Signer, request: WebhookToSign): Record<string, string> {
  if (signer.secret().startsWith('whpk_')) {
    throw new SignWebhookError(
      'the route verifies ed25519 (whpk_ public key): the CLI cannot sign without the private key',
    );
  }
  const id = request.deliveryId ?? newWebhookId(request.now);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(signer.seconds),
    'webhook-signature': signStandardWebhook(signer.secret(), id, signer.seconds, request.body),
  };
}

function hmacHeaders(
  signer: Signer,
  verify: HmacVerifyConfig,
  request: WebhookToSign,
): Record<string, string> {
  const { seconds } = signer;
  const timestampHeader = verify.timestampHeader?.toLowerCase();
  const template = verify.signedContent ?? (timestampHeader === undefined ? '{body}' : '{timestamp}.{body}');
  const content = template.replaceAll('{timestamp}', String(seconds)).replaceAll('{body}', request.body);
  const digest = signer.mac(verify.algorithm ?? 'sha256', content).toString(verify.encoding ?? 'hex');
  return {
    [verify.header.toLowerCase()]: `${verify.prefix ?? ''}${digest}`,
    ...(timestampHeader !== undefined && { [timestampHeader]: String(seconds) }),
  };
}

/** An HS* token valid for 5 minutes, with the route's issuer and audience. */
async function jwtHeaders(signer: Signer, verify: JwtVerifyConfig): Promise<Record<string, string>> {
  const { seconds } = signer;
  if (verify.secret === undefined) {
    throw new SignWebhookError('the route verifies JWTs against a JWKS: the CLI cannot sign them');
  }
  const algorithm = (verify.algorithms ?? ['HS256']).find((alg) => alg.startsWith('HS'));
  if (algorithm === undefined) throw new SignWebhookError('the route allows no HS* algorithm to sign with');
  const { SignJWT } = await import('jose');
  let token = new SignJWT({})
    .setProtectedHeader({ alg: algorithm })
    .setIssuedAt(seconds)
    .setExpirationTime(seconds + 300);
  if (verify.issuer !== undefined) token = token.setIssuer(verify.issuer);
  if (verify.audience !== undefined) token = token.setAudience(verify.audience);
  const jwt = await token.sign(new TextEncoder().encode(signer.secret()));
  const header = (verify.header ?? 'authorization').toLowerCase();
  return { [header]: header === 'authorization' ? `Bearer ${jwt}` : jwt };
}
