/**
 * A small converter between plain JSON-like values and DynamoDB attribute values, so the event
 * store needs nothing beyond `@aws-sdk/client-dynamodb`. Supports what event records hold:
 * strings, finite numbers, booleans, null, bytes (`Uint8Array`, as binary), arrays (as lists) and
 * plain objects (as maps).
 * `undefined` object properties are left out, like `removeUndefinedValues`.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export function toAttributeValue(value: unknown, path = 'value'): AttributeValue {
  if (value === null) return { NULL: true };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: cannot store the number ${value}`);
      return { N: String(value) };
    case 'object':
      if (value instanceof Uint8Array) return { B: value };
      if (Array.isArray(value)) {
        return { L: value.map((element, index) => toAttributeValue(element, `${path}[${index}]`)) };
      }
      return { M: marshallItem(value as Record<string, unknown>, path) };
    default:
      throw new TypeError(`${path}: cannot store a value of type ${typeof value}`);
  }
}

export function marshallItem(value: Readonly<Record<string, unknown>>, path = 'item'): Item {
  const item: Item = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) item[key] = toAttributeValue(field, `${path}.${key}`);
  }
  return item;
}

function fromAttributeValue(attribute: AttributeValue): unknown {
  if (attribute.S !== undefined) return attribute.S;
  if (attribute.N !== undefined) return Number(attribute.N);
  if (attribute.BOOL !== undefined) return attribute.BOOL;
  if (attribute.NULL !== undefined) return null;
  if (attribute.L !== undefined) return attribute.L.map(fromAttributeValue);
  if (attribute.M !== undefined) return unmarshallItem(attribute.M);
  if (attribute.SS !== undefined) return [...attribute.SS];
  if (attribute.NS !== undefined) return attribute.NS.map(Number);
  if (attribute.B !== undefined) return attribute.B;
  if (attribute.BS !== undefined) return [...attribute.BS];
  throw new TypeError(`unsupported attribute value: ${Object.keys(attribute).join(',')}`);
}

export function unmarshallItem(item: Readonly<Item>): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const [key, attribute] of Object.entries(item)) value[key] = fromAttributeValue(attribute);
  return value;
}
