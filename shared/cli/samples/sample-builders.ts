/**
 * Small builders the provider samples share: a JSON sample from a payload function, and ids and
 * times derived from one trigger's context, so that every trigger is a distinct, current event.
 */
import { createHash } from 'node:crypto';
import type { SampleContext, WebhookSample } from './sample.js';

/** The content type most providers post with. */
const JSON_CONTENT_TYPE = 'application/json';

/** A sample whose body is `payload` as JSON; its headers are the content type and `headers`. */
export interface JsonSampleDefinition extends Omit<WebhookSample, 'headers' | 'body'> {
  /** @default 'application/json' */
  readonly contentType?: string;
  /** The provider's headers besides the content type (event type, delivery metadata). */
  readonly headers?: (context: SampleContext) => Readonly<Record<string, string>>;
  /** The payload, serialised as the body with `JSON.stringify`. */
  readonly payload: (context: SampleContext) => unknown;
}

/** A `WebhookSample` posting `definition.payload` as JSON. */
export function jsonSample(definition: JsonSampleDefinition): WebhookSample {
  const { headers, payload, contentType = JSON_CONTENT_TYPE, ...described } = definition;
  return {
    ...described,
    headers: (context) => ({ 'content-type': contentType, ...headers?.(context) }),
    body: (context) => JSON.stringify(payload(context)),
  };
}

/** 64 hex digits derived from the trigger's id and `label`: the same inputs always give the same digits. */
function digest(context: SampleContext, label: string): string {
  return createHash('sha256').update(`${label}:${context.id}`).digest('hex');
}

/**
 * `length` (at most 64) lower-case hex digits unique to this trigger and `label`: distinct labels give
 * unrelated ids within one payload (`evt_…` and `pi_…`), distinct triggers give distinct ids.
 */
export function hexId(context: SampleContext, label: string, length = 24): string {
  return digest(context, label).slice(0, length);
}

/** A UUID-shaped id (8-4-4-4-12 hex digits, version 4 bits set) unique to this trigger and `label`. */
export function uuidId(context: SampleContext, label: string): string {
  const hex = digest(context, label);
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Decimal text of exactly `digits` digits, not starting with 0, unique to this trigger and `label`:
 * for ids sent as strings, however long (Discord's 19-digit snowflakes, X's post ids).
 */
export function numericText(context: SampleContext, label: string, digits: number): string {
  const smallest = 10n ** BigInt(digits - 1);
  return String(smallest + (BigInt(`0x${digest(context, label)}`) % (9n * smallest)));
}

/** The largest number of decimal digits every JSON number keeps exactly (below 2^53). */
const MAX_SAFE_DIGITS = 15;

/** `numericText` as a number, for ids sent as JSON numbers; `digits` at most 15 so none is rounded. */
export function numericId(context: SampleContext, label: string, digits: number): number {
  if (digits > MAX_SAFE_DIGITS)
    throw new RangeError(`a JSON number id has at most ${MAX_SAFE_DIGITS} digits`);
  return Number(numericText(context, label, digits));
}

/** Whole seconds since the epoch. */
export function unixSeconds(time: Date): number {
  return Math.floor(time.getTime() / 1000);
}

/** `time` as ISO 8601 UTC without milliseconds (`2025-03-01T12:00:00Z`). */
export function isoSeconds(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

/** The moment `seconds` before `time`: when what led up to an event happened (an order placed, a push). */
export function secondsBefore(time: Date, seconds: number): Date {
  return new Date(time.getTime() - seconds * 1000);
}
