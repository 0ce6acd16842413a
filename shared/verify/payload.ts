/** Readers of a parsed JSON or form payload, for the ids, event types and fields schemes take from it. */

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `text` parsed as JSON, or `undefined` when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The value at `path` in a parsed JSON payload, or undefined when a step is missing. */
function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isJsonObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The string at `path` in a parsed JSON payload (`stringAt(payload, 'event', 'type')`), or undefined. */
export function stringAt(value: unknown, ...path: readonly string[]): string | undefined {
  const found = valueAt(value, path);
  return typeof found === 'string' ? found : undefined;
}

/** Like `stringAt`, also taking a safe integer as its decimal text (Telegram's `update_id`). */
export function idAt(value: unknown, ...path: readonly string[]): string | undefined {
  const found = valueAt(value, path);
  return Number.isSafeInteger(found) ? String(found) : typeof found === 'string' ? found : undefined;
}

/** The array at `path` in a parsed JSON payload, or undefined when a step is missing. */
export function arrayAt(value: unknown, ...path: readonly string[]): readonly unknown[] | undefined {
  const found = valueAt(value, path);
  return Array.isArray(found) ? found : undefined;
}
