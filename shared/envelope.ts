/**
 * The message Hookline puts on a route's queue (**contract**, versioned). Handlers, replays and the
 * local stack all read it through `parseEnvelope`, which reads every version so far and rejects the
 * ones it does not know. Version 2 adds the ingress's signature (`envelope-signature.ts`); version 3
 * adds `requestKey`, where the event's request data is kept (table layout v2).
 */
import { isUtf8 } from 'node:buffer';
import { HooklineError } from './errors.js';

/** The version this release writes. */
const ENVELOPE_VERSION = 3;
/**
 * The versions this release reads: 1 was written, unsigned, before envelopes were signed; 2, signed,
 * before events' request data moved to their dedupe key's item.
 */
const READABLE_VERSIONS: ReadonlySet<unknown> = new Set([1, 2, ENVELOPE_VERSION]);

/** The verification verdict made at receipt, so later processing never re-checks timestamps. */
export interface EnvelopeVerification {
  readonly scheme: string;
  readonly keyId?: string;
  readonly verifiedAt: string;
  readonly signedAt?: string;
}

/**
 * A body kept outside the message (claim check): in S3 when deployed, in a local directory that
 * stands in for the bucket when running on one machine.
 */
export interface BodyReference {
  readonly store: 's3' | 'local';
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
}

/** The fields every version carries; `v` says which version the rest follows. */
interface EnvelopeFields {
  readonly id: string;
  /** The route path as configured, e.g. `/order/status/`. */
  readonly route: string;
  readonly receivedAt: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType?: string;
  /** UTF-8 text bodies. */
  readonly body?: string;
  /** Bodies that are not valid UTF-8, base64-encoded. */
  readonly bodyBase64?: string;
  readonly bodyRef?: BodyReference;
  readonly sourceIp?: string;
  readonly verification: EnvelopeVerification;
  readonly replayOf?: string;
}

/** Written before envelopes were signed; still read, from messages that wait in queues and DLQs. */
export interface EnvelopeV1 extends EnvelopeFields {
  readonly v: 1;
}

/** Signed; written before table layout v2, still read from messages that wait in queues and DLQs. */
export interface EnvelopeV2 extends EnvelopeFields {
  readonly v: 2;
  /**
   * The ingress's (or the replay's) HMAC over every other field, `hmac-sha256:<base64>`: the handler
   * runtime runs nothing whose signature does not match. Absent only on a message nobody signed.
   */
  readonly sig?: string;
}

export interface EnvelopeV3 extends EnvelopeFields {
  readonly v: typeof ENVELOPE_VERSION;
  /**
   * The `pk` of the event's request item (table layout v2: its dedupe key's item, or its own), for
   * a handler that takes the message before the ingress wrote the event's state and creates it.
   * Opaque to handler code. Signed like every other field.
   */
  readonly requestKey?: string;
  /** As in v2. */
  readonly sig?: string;
}

/** The versions the ingress and replays sign (`envelope-signature.ts`). */
export type SignedEnvelope = EnvelopeV2 | EnvelopeV3;

export type Envelope = EnvelopeV1 | SignedEnvelope;

/**
 * A message the runtime cannot read (`malformed_envelope`, `unsupported_envelope_version`) or may not
 * trust (`envelope_unsigned`, `envelope_forged`: see `envelope-signature.ts`).
 */
export class EnvelopeError extends HooklineError<
  'malformed_envelope' | 'unsupported_envelope_version' | 'envelope_unsigned' | 'envelope_forged'
> {
  override name = 'EnvelopeError';

  constructor(code: EnvelopeError['code'], message: string) {
    super(code, message);
  }
}

/** Headers that carry credentials rather than event data; never stored or forwarded. */
export const REDACTED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
]);

/** `headers` without the credential headers, nor the route's own (`credentialHeaders` of its scheme). */
export function storableHeaders(
  headers: Readonly<Record<string, string | undefined>>,
  routeCredentials: readonly string[] = [],
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !REDACTED_HEADERS.has(name) && !routeCredentials.includes(name))
      kept[name] = value;
  }
  return kept;
}

/** Puts a body inline: UTF-8 text as `body`, anything else as `bodyBase64`. */
export function encodeBody(body: Uint8Array): { body: string } | { bodyBase64: string } {
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return isUtf8(buffer) ? { body: buffer.toString('utf8') } : { bodyBase64: buffer.toString('base64') };
}

/** The raw bytes of an inline body; a `bodyRef` body must be fetched from its store instead. */
export function decodeBody(envelope: Pick<Envelope, 'body' | 'bodyBase64'>): Uint8Array {
  if (envelope.body !== undefined) return Buffer.from(envelope.body, 'utf8');
  if (envelope.bodyBase64 !== undefined) return Buffer.from(envelope.bodyBase64, 'base64');
  return new Uint8Array(0);
}

/** What an envelope is made from: an event record's identity, request data and verdict. */
export type EnvelopeSource = Omit<EnvelopeFields, 'query'> & { readonly query?: string };

/**
 * The (unsigned) envelope of an event record: copies only the envelope's fields, so nothing else
 * leaks onto the queue; `requestKey` when the caller knows where the event's request data is.
 */
export function toEnvelope(record: EnvelopeSource, requestKey?: string): EnvelopeV3 {
  return {
    v: ENVELOPE_VERSION,
    id: record.id,
    route: record.route,
    receivedAt: record.receivedAt,
    method: record.method,
    path: record.path,
    query: record.query ?? '',
    headers: record.headers,
    ...(record.contentType !== undefined && { contentType: record.contentType }),
    ...(record.body !== undefined && { body: record.body }),
    ...(record.bodyBase64 !== undefined && { bodyBase64: record.bodyBase64 }),
    ...(record.bodyRef !== undefined && { bodyRef: record.bodyRef }),
    ...(record.sourceIp !== undefined && { sourceIp: record.sourceIp }),
    verification: record.verification,
    ...(record.replayOf !== undefined && { replayOf: record.replayOf }),
    ...(requestKey !== undefined && { requestKey }),
  };
}

export function serializeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

export function parseEnvelope(text: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EnvelopeError('malformed_envelope', 'envelope is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EnvelopeError('malformed_envelope', 'envelope is not a JSON object');
  }
  const candidate = value as Record<string, unknown>;
  if (candidate.v === undefined)
    throw new EnvelopeError('malformed_envelope', 'envelope has no version field "v"');
  if (!READABLE_VERSIONS.has(candidate.v)) {
    throw new EnvelopeError(
      'unsupported_envelope_version',
      `envelope version ${JSON.stringify(candidate.v)} is not supported (this runtime reads v1 to v${ENVELOPE_VERSION})`,
    );
  }
  for (const field of ['id', 'route', 'receivedAt', 'method', 'path', 'query'] as const) {
    if (typeof candidate[field] !== 'string') {
      throw new EnvelopeError('malformed_envelope', `envelope field "${field}" must be a string`);
    }
  }
  if (typeof candidate.headers !== 'object' || candidate.headers === null) {
    throw new EnvelopeError('malformed_envelope', 'envelope field "headers" must be an object');
  }
  const verification = candidate.verification as Record<string, unknown> | undefined;
  if (typeof verification?.scheme !== 'string' || typeof verification.verifiedAt !== 'string') {
    throw new EnvelopeError(
      'malformed_envelope',
      'envelope field "verification" must carry scheme and verifiedAt',
    );
  }
  for (const field of ['body', 'bodyBase64'] as const) {
    if (candidate[field] !== undefined && typeof candidate[field] !== 'string') {
      throw new EnvelopeError('malformed_envelope', `envelope field "${field}" must be a string`);
    }
  }
  const bodyRef = candidate.bodyRef as Record<string, unknown> | undefined;
  if (bodyRef !== undefined && (typeof bodyRef?.bucket !== 'string' || typeof bodyRef.key !== 'string')) {
    throw new EnvelopeError('malformed_envelope', 'envelope field "bodyRef" must name a bucket and key');
  }
  if (candidate.sig !== undefined && (candidate.v === 1 || typeof candidate.sig !== 'string')) {
    throw new EnvelopeError('malformed_envelope', 'envelope field "sig" must be a string, from v2 on');
  }
  if (candidate.requestKey !== undefined && (candidate.v !== 3 || typeof candidate.requestKey !== 'string')) {
    throw new EnvelopeError('malformed_envelope', 'envelope field "requestKey" must be a string, from v3 on');
  }
  const bodies = ['body', 'bodyBase64', 'bodyRef'].filter((field) => candidate[field] !== undefined);
  if (bodies.length > 1) {
    throw new EnvelopeError(
      'malformed_envelope',
      `envelope has more than one body field (${bodies.join(', ')})`,
    );
  }
  return candidate as unknown as Envelope;
}
