import { createHash } from 'node:crypto';
import type { ResolvedRoute } from '../config/types.js';
import { schemeOf } from '../verify/registry.js';

const MAX_KEY_LENGTH = 256;

export interface DedupeInput {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
  /** Parsed JSON or form fields, when the body was parsed. */
  readonly payload: unknown;
}

/**
 * The key under which a delivery is remembered for the route's dedupe window, or undefined when
 * the route opts out. Provider delivery ids first, then `x-idempotency-key`, then a body hash. On
 * a route that redacts, ids are kept only as hashes: the id may be what it redacts.
 */
export function dedupeKey(route: ResolvedRoute, input: DedupeInput): string | undefined {
  const { source } = route.dedupe;
  if (source === 'none') return undefined;
  if (source === 'bodyHash') return bodyHash(input.body);
  const prefixed = keyMaker(route.redact !== undefined);
  const fromSource =
    source === 'header' && route.dedupe.header !== undefined
      ? prefixed('header', input.headers[route.dedupe.header])
      : source === 'scheme'
        ? schemeDeliveryId(route.verify, input, prefixed)
        : undefined;
  return fromSource ?? prefixed('idempotency', input.headers['x-idempotency-key']) ?? bodyHash(input.body);
}

type KeyMaker = (kind: string, value: string | undefined) => string | undefined;

function schemeDeliveryId(
  verify: ResolvedRoute['verify'],
  input: DedupeInput,
  prefixed: KeyMaker,
): string | undefined {
  const scheme = schemeOf(verify);
  return prefixed(scheme.dedupeKind ?? verify.scheme, scheme.deliveryId?.(input));
}

/** `kind:value`, or `kind:sha256:<hex>` for a value too long to keep or one that must not be kept. */
function keyMaker(hashAlways: boolean): KeyMaker {
  return (kind, value) => {
    const trimmed = value?.trim();
    if (trimmed === undefined || trimmed === '') return undefined;
    const key = `${kind}:${trimmed}`;
    return key.length <= MAX_KEY_LENGTH && !hashAlways ? key : `${kind}:sha256:${sha256(trimmed)}`;
  };
}

function bodyHash(body: Uint8Array): string {
  return `body:sha256:${sha256(body)}`;
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
