/** Reading admin requests: query parameters, JSON bodies and their fields, each checked with a 400 naming the field. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { EVENT_STATUSES } from '../event-store/transitions.js';
import type { EventStatus } from '../event-store/types.js';
import { invalidField } from './errors.js';
import { parseTimeBound, TimeBoundError } from './time.js';

/** A JSON object body's fields, or a query string's parameters. */
export type Fields = Readonly<Record<string, unknown>>;

/** Query parameters (API Gateway joins repeated ones with commas). */
export function queryFields(event: APIGatewayProxyEventV2): Fields {
  return event.queryStringParameters ?? {};
}

/** The request body as a JSON object; an empty body is `{}`. */
export function jsonBody(event: APIGatewayProxyEventV2): Fields {
  if (event.body === undefined || event.body === '') return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidField('body', 'is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidField('body', 'must be a JSON object');
  }
  return value as Fields;
}

/** A non-empty string field, or undefined when absent. */
export function optionalString(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw invalidField(name, 'must be a non-empty string');
  return value.trim();
}

/**
 * A non-empty string field, trimmed; a 400 `invalid_request` naming the field when it is absent or
 * not a non-empty string.
 */
export function requiredString(fields: Fields, name: string): string {
  const value = optionalString(fields, name);
  if (value === undefined) throw invalidField(name, 'is required');
  return value;
}

/**
 * An integer field in `[min, max]` (a number in JSON, a decimal string in a query), or undefined
 * when absent.
 */
export function optionalInteger(fields: Fields, name: string, min: number, max: number): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw invalidField(name, `must be an integer from ${min} to ${max}`);
  }
  return number;
}

/** A boolean field (`true`/`false` in JSON; `1`, `true`, `0`, `false` in a query), or undefined when absent. */
export function optionalBoolean(fields: Fields, name: string): boolean | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  throw invalidField(name, 'must be true or false');
}

/**
 * An event status field (`received`, `queued`, … see `EVENT_STATUSES`), or undefined when
 * absent; a 400 naming the field and the allowed values otherwise.
 */
export function optionalStatus(fields: Fields, name: string): EventStatus | undefined {
  const value = optionalString(fields, name);
  if (value === undefined) return undefined;
  if (!(EVENT_STATUSES as readonly string[]).includes(value)) {
    throw invalidField(name, `must be one of ${EVENT_STATUSES.join(', ')}`);
  }
  return value as EventStatus;
}

/** A `since`/`until` bound: ISO 8601 or a duration back from `now` (`24h`). */
function optionalTime(fields: Fields, name: string, now: Date): Date | undefined {
  const value = optionalString(fields, name);
  if (value === undefined) return undefined;
  try {
    return parseTimeBound(value, now);
  } catch (error: unknown) {
    if (error instanceof TimeBoundError) throw invalidField(name, error.message);
    throw error;
  }
}

/** `since` and `until`, checked to be in order. */
export function timeRange(fields: Fields, now: Date): { since?: Date; until?: Date } {
  const since = optionalTime(fields, 'since', now);
  const until = optionalTime(fields, 'until', now);
  if (since !== undefined && until !== undefined && since.getTime() >= until.getTime()) {
    throw invalidField('until', `must be later than since (${since.toISOString()})`);
  }
  return { ...(since !== undefined && { since }), ...(until !== undefined && { until }) };
}

/** The `include` query parameter's comma-separated values. */
export function includes(fields: Fields, allowed: readonly string[]): Set<string> {
  const value = optionalString(fields, 'include');
  const parts = new Set(
    (value ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
  for (const part of parts) {
    if (!allowed.includes(part)) throw invalidField('include', `must be one of ${allowed.join(', ')}`);
  }
  return parts;
}
