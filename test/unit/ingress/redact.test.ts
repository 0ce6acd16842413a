import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileRedactionPath,
  REDACTED,
  redactHeaders,
  redactPayload,
} from '../../../shared/ingress/redact.js';

const redact = (payload: unknown, ...paths: string[]) =>
  redactPayload(payload, paths.map(compileRedactionPath));

describe('redactPayload()', () => {
  it('replaces the value at a dotted path', () => {
    const result = redact({ card: { number: '4242', brand: 'visa' } }, 'card.number');

    expect(result).toEqual({ payload: { card: { number: REDACTED, brand: 'visa' } }, changed: true });
  });

  it('replaces a whole object or array at a path', () => {
    const result = redact(
      { customer: { email: 'a@b.c', address: { city: 'X' } }, tags: [1, 2] },
      'customer',
      'tags',
    );

    expect(result.payload).toEqual({ customer: REDACTED, tags: REDACTED });
  });

  it('matches every key or array index with a * segment', () => {
    const payload = {
      items: [
        { card: '1', sku: 'a' },
        { card: '2', sku: 'b' },
      ],
      other: { card: '3' },
    };

    expect(redact(payload, 'items.*.card').payload).toEqual({
      items: [
        { card: REDACTED, sku: 'a' },
        { card: REDACTED, sku: 'b' },
      ],
      other: { card: '3' },
    });
    expect(redact(payload, '*.card').payload).toMatchObject({ other: { card: REDACTED } });
  });

  it('matches keys by a wildcard inside a segment', () => {
    const result = redact({ user: { password: 'p', passwordHint: 'h', name: 'n' } }, 'user.password*');

    expect(result.payload).toEqual({ user: { password: REDACTED, passwordHint: REDACTED, name: 'n' } });
  });

  it('reports no change and keeps the payload equal when no path is there', () => {
    const payload = { a: { b: 1 } };

    expect(redact(payload, 'a.c', 'x.y', 'a.b.c')).toEqual({ payload, changed: false });
  });

  it('does not change the payload it was given', () => {
    const payload = { card: { number: '4242' } };

    redact(payload, 'card.number');

    expect(payload).toEqual({ card: { number: '4242' } });
  });

  it('never leaves a redacted value anywhere in the result (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ minLength: 1, maxLength: 8 }), (value, secret) => {
        const payload = { keep: value, secret: { value: secret }, list: [{ secret }] };

        const { payload: result } = redact(payload, 'secret.value', 'list.*.secret');

        expect(result).toEqual({ keep: value, secret: { value: REDACTED }, list: [{ secret: REDACTED }] });
      }),
    );
  });
});

describe('redactHeaders()', () => {
  it('replaces the named headers and keeps the others', () => {
    expect(redactHeaders({ authorization: 'Basic x', 'x-a': '1' }, ['authorization', 'x-missing'])).toEqual({
      authorization: REDACTED,
      'x-a': '1',
    });
  });
});
