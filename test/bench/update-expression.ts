/**
 * What a DynamoDB `UpdateExpression` does to each top-level attribute, read from the request alone:
 * enough to follow the attributes an index is keyed on through a run's writes (key-writes.ts). Pure;
 * unit-tested in `test/unit/bench/update-expression.test.ts`.
 */

/** An attribute value in DynamoDB's JSON form (`{ "S": "…" }`), as on the wire and in SDK inputs. */
export type AttributeValueJson = Readonly<Record<string, unknown>>;

export type AttributeChange =
  /** `SET a = :v`: the attribute becomes `value`. */
  | { readonly kind: 'set'; readonly value: AttributeValueJson }
  /** `SET a = if_not_exists(a, :v)`: `value` unless the attribute is already there. */
  | { readonly kind: 'setIfMissing'; readonly value: AttributeValueJson }
  /** Changed to something computed (arithmetic, `list_append`, `ADD`, a nested path): unknown here. */
  | { readonly kind: 'changed' }
  /** `REMOVE a`. */
  | { readonly kind: 'removed' };

const CLAUSE = /\b(SET|REMOVE|ADD|DELETE)\b/gi;

/**
 * Each top-level attribute `expression` changes, by name (placeholders resolved with `names`,
 * values with `values`).
 * @throws Error when a placeholder has no entry in `names` or `values`.
 */
export function parseUpdateExpression(
  expression: string,
  names: Readonly<Record<string, string>> = {},
  values: Readonly<Record<string, AttributeValueJson>> = {},
): Map<string, AttributeChange> {
  const changes = new Map<string, AttributeChange>();
  for (const { keyword, body } of clauses(expression)) {
    for (const action of splitTopLevel(body, ',')) {
      if (keyword === 'SET') {
        const equals = action.indexOf('=');
        if (equals < 0) throw new Error(`SET action without "=": ${action}`);
        const path = action.slice(0, equals).trim();
        const name = topName(path, names);
        changes.set(name, isNested(path) ? { kind: 'changed' } : setChange(action.slice(equals + 1), values));
      } else {
        const path = action.trim().split(/\s+/)[0] ?? '';
        const name = topName(path, names);
        const removed = keyword === 'REMOVE' && !isNested(path);
        changes.set(name, removed ? { kind: 'removed' } : { kind: 'changed' });
      }
    }
  }
  return changes;
}

/** The clauses in the order written, each with its actions' text. */
function clauses(expression: string): { keyword: string; body: string }[] {
  const found: { keyword: string; at: number; end: number }[] = [];
  for (const match of expression.matchAll(CLAUSE)) {
    const at = match.index ?? 0;
    if (depthAt(expression, at) === 0) {
      found.push({ keyword: (match[1] ?? '').toUpperCase(), at, end: at + match[0].length });
    }
  }
  return found.map((clause, i) => ({
    keyword: clause.keyword,
    body: expression.slice(clause.end, found[i + 1]?.at ?? expression.length),
  }));
}

function depthAt(text: string, index: number): number {
  let depth = 0;
  for (let i = 0; i < index; i++) {
    const char = text[i];
    if (char === '(' || char === '[') depth += 1;
    else if (char === ')' || char === ']') depth -= 1;
  }
  return depth;
}

/** `text` split at `separator` where it is outside parentheses and brackets; empty parts dropped. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '(' || char === '[') depth += 1;
    else if (char === ')' || char === ']') depth -= 1;
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function isNested(path: string): boolean {
  return /[.[]/.test(path);
}

/** The top-level attribute a document path starts with. */
function topName(path: string, names: Readonly<Record<string, string>>): string {
  const first = path.trim().split(/[.[]/)[0] ?? '';
  if (!first.startsWith('#')) return first;
  const name = names[first];
  if (name === undefined) throw new Error(`no ExpressionAttributeNames entry for ${first}`);
  return name;
}

function setChange(operand: string, values: Readonly<Record<string, AttributeValueJson>>): AttributeChange {
  const text = operand.trim();
  if (/^:[\w]+$/.test(text)) return { kind: 'set', value: placeholderValue(text, values) };
  const ifNotExists = /^if_not_exists\s*\(([^,]+),\s*(:[\w]+)\s*\)$/i.exec(text);
  if (ifNotExists?.[2] !== undefined)
    return { kind: 'setIfMissing', value: placeholderValue(ifNotExists[2], values) };
  return { kind: 'changed' };
}

function placeholderValue(
  placeholder: string,
  values: Readonly<Record<string, AttributeValueJson>>,
): AttributeValueJson {
  const value = values[placeholder];
  if (value === undefined) throw new Error(`no ExpressionAttributeValues entry for ${placeholder}`);
  return value;
}
