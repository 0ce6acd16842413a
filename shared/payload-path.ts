/**
 * Dotted-path payload matching shared by ingress filters and the handler router:
 * `{ "repository.name": "my-repo*" }` reads `payload.repository.name` and matches its text.
 */

/** The value at `keys` (own properties only, so `constructor` or `__proto__` never match). */
export function valueAtPath(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Strings as they are, anything else as JSON, for pattern matching. */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `*` matches any run of characters, `?` one character; everything else is literal. */
export function wildcardToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's');
}
