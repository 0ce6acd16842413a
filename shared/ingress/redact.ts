/**
 * Redaction before storage: the values a route's `redact` block names are replaced by
 * `[REDACTED]` in the payload, the body bytes and the headers, so that nothing after the ingress
 * (the history, the queue, the handler, replays, fixtures) ever holds them.
 */
import { wildcardToRegExp } from '../payload-path.js';

export const REDACTED = '[REDACTED]';

/** A compiled payload path: each segment a literal key or a wildcard pattern (`*` any key or index). */
export type RedactionPath = readonly RegExp[];

export function compileRedactionPath(path: string): RedactionPath {
  return path.split('.').map(wildcardToRegExp);
}

/** `payload` with every value at one of `paths` replaced; `changed` tells whether any was there. */
export function redactPayload(
  payload: unknown,
  paths: readonly RedactionPath[],
): { readonly payload: unknown; readonly changed: boolean } {
  let changed = false;
  const visit = (value: unknown, path: RedactionPath): unknown => {
    const [segment, ...rest] = path;
    if (segment === undefined) {
      changed = true;
      return REDACTED;
    }
    if (Array.isArray(value)) {
      return value.map((item, index) => (segment.test(String(index)) ? visit(item, rest) : item));
    }
    if (typeof value !== 'object' || value === null) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = segment.test(key) ? visit(item, rest) : item;
    return copy;
  };
  const redacted = paths.reduce<unknown>((current, path) => visit(current, path), payload);
  return { payload: redacted, changed };
}

/** `headers` with each named header's value replaced. */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
  names: readonly string[],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, names.includes(name) ? REDACTED : value]),
  );
}
