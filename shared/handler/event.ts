/**
 * Turns a queued envelope into the `HooklineEvent` a handler receives: provider event type,
 * parsed payload, raw bytes.
 */
import { decodeBody, type Envelope } from '../envelope.js';
import { PermanentError } from './errors.js';
import type { HooklineEvent } from './types.js';

export interface BuildEventInput {
  readonly envelope: Envelope;
  /** 1-based attempt number (attempts in the event's history + 1). */
  readonly attempt: number;
  /** The route's `expectJson`: parse the body as JSON whatever its content type. */
  readonly expectJson: boolean;
}

/** @throws PermanentError when the body is not inline (S3 bodies are not supported here). */
export function buildEvent(input: BuildEventInput): HooklineEvent<unknown> {
  const { envelope, attempt, expectJson } = input;
  if (envelope.bodyRef !== undefined) {
    throw new PermanentError(
      `event ${envelope.id} has its body in ${envelope.bodyRef.store}; this runtime reads inline bodies only`,
      { code: 'body_unavailable' },
    );
  }
  const rawBody = decodeBody(envelope);
  const contentType = envelope.contentType ?? envelope.headers['content-type'];
  const payload = parsePayload(rawBody, contentType, expectJson);
  return {
    id: envelope.id,
    route: envelope.route,
    type: eventType(envelope.verification.scheme, envelope.headers, payload),
    receivedAt: envelope.receivedAt,
    headers: envelope.headers,
    payload,
    rawBody,
    attempt,
    ...(envelope.replayOf !== undefined && { replayOf: envelope.replayOf }),
  };
}

/**
 * Form fields for `application/x-www-form-urlencoded`; parsed JSON when the content type says JSON
 * or the route expects JSON; otherwise (or when the JSON does not parse) undefined.
 */
export function parsePayload(
  body: Uint8Array,
  contentType: string | undefined,
  expectJson: boolean,
): unknown {
  const type = contentType?.toLowerCase() ?? '';
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (!expectJson && !type.includes('json')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The provider's event type: GitHub `x-github-event`, Stripe and Standard Webhooks payload `type`,
 * Slack payload `event.type`; undefined for other schemes or when absent.
 */
export function eventType(
  scheme: string,
  headers: Readonly<Record<string, string>>,
  payload: unknown,
): string | undefined {
  switch (scheme) {
    case 'github':
      return headers['x-github-event'];
    case 'stripe':
    case 'standardWebhooks':
      return stringField(payload, 'type');
    case 'slack':
      return stringField(objectField(payload, 'event'), 'type');
    default:
      return undefined;
  }
}

function objectField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const field = objectField(value, key);
  return typeof field === 'string' ? field : undefined;
}
