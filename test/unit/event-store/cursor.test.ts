import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../shared/event-store/cursor.js';
import { InvalidCursorError } from '../../../shared/event-store/errors.js';

const ROUTE = '/order/status/';
const BEFORE = 'evt_01ARYZ6S41TSV4RRFFQ69G5FAV0K7HX2M4QA';

function rawCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

describe('encodeCursor() / decodeCursor()', () => {
  it('round-trips a position with and without a status', () => {
    const plain = encodeCursor({ route: ROUTE, order: 'newest', before: BEFORE });
    const byStatus = encodeCursor({ route: ROUTE, status: 'retrying', order: 'newest', before: BEFORE });

    expect(decodeCursor(plain, ROUTE)).toEqual({ route: ROUTE, order: 'newest', before: BEFORE });
    expect(decodeCursor(byStatus, ROUTE, 'retrying')).toEqual({
      route: ROUTE,
      status: 'retrying',
      order: 'newest',
      before: BEFORE,
    });
  });

  it('round-trips an oldest-first position', () => {
    const cursor = encodeCursor({ route: ROUTE, status: 'delivered', order: 'oldest', after: BEFORE });

    expect(decodeCursor(cursor, ROUTE, 'delivered', 'oldest')).toEqual({
      route: ROUTE,
      status: 'delivered',
      order: 'oldest',
      after: BEFORE,
    });
  });

  it('reads a cursor without an order as newest first', () => {
    expect(decodeCursor(rawCursor({ v: 2, route: ROUTE, before: BEFORE }), ROUTE)).toEqual({
      route: ROUTE,
      order: 'newest',
      before: BEFORE,
    });
  });

  it.each([
    { written: 'oldest', asked: 'newest' },
    { written: 'newest', asked: 'oldest' },
  ] as const)('refuses a $written-first cursor for a $asked-first listing', ({ written, asked }) => {
    const cursor = encodeCursor(
      written === 'newest'
        ? { route: ROUTE, order: written, before: BEFORE }
        : { route: ROUTE, order: written, after: BEFORE },
    );

    expect(() => decodeCursor(cursor, ROUTE, undefined, asked)).toThrow(InvalidCursorError);
    expect(() => decodeCursor(cursor, ROUTE, undefined, asked)).toThrow(
      `invalid cursor: it continues a listing ${written} first, not ${asked} first`,
    );
  });

  it('produces URL-safe text', () => {
    const cursor = encodeCursor({ route: '/a/b?c/', order: 'newest', before: `${BEFORE}ÿ/+` });

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses a cursor of another route, naming both routes', () => {
    const cursor = encodeCursor({ route: '/other/', order: 'newest', before: BEFORE });

    expect(() => decodeCursor(cursor, ROUTE)).toThrow(InvalidCursorError);
    expect(() => decodeCursor(cursor, ROUTE)).toThrow(/route \/other\/, not \/order\/status\//);
  });

  it.each([
    { label: 'a status cursor without a status', written: 'retrying', asked: undefined },
    { label: 'a plain cursor with a status', written: undefined, asked: 'delivered' },
    { label: 'another status', written: 'retrying', asked: 'dead_lettered' },
  ] as const)('refuses $label', ({ written, asked }) => {
    const cursor = encodeCursor({
      route: ROUTE,
      ...(written !== undefined && { status: written }),
      order: 'newest',
      before: BEFORE,
    });

    expect(() => decodeCursor(cursor, ROUTE, asked)).toThrow(
      /invalid cursor: it continues a listing of status/,
    );
  });

  it.each([
    { label: 'text that is not base64url', cursor: 'not a cursor!' },
    { label: 'base64url that is not JSON', cursor: Buffer.from('{nope').toString('base64url') },
    { label: 'a JSON array', cursor: rawCursor([1]) },
    {
      label: 'a cursor of table layout v1 (positions <receivedAt>#<id>)',
      cursor: rawCursor({ v: 1, route: ROUTE, before: '2030-01-01T00:00:00.000Z#evt_01' }),
    },
    { label: 'another version', cursor: rawCursor({ v: 3, route: ROUTE, before: BEFORE }) },
    { label: 'no position', cursor: rawCursor({ v: 2, route: ROUTE }) },
    { label: 'a position that is no id', cursor: rawCursor({ v: 2, route: ROUTE, before: '2030#x' }) },
    {
      label: 'an oldest-first cursor without an after key',
      cursor: rawCursor({ v: 2, route: ROUTE, order: 'oldest', before: BEFORE }),
    },
    { label: 'an unknown order', cursor: rawCursor({ v: 2, route: ROUTE, order: 'random', before: BEFORE }) },
    { label: 'an unknown status', cursor: rawCursor({ v: 2, route: ROUTE, status: 'lost', before: BEFORE }) },
    { label: 'an empty string', cursor: '' },
  ])('refuses $label with code invalid_cursor', ({ cursor }) => {
    let caught: unknown;
    try {
      decodeCursor(cursor, ROUTE);
    } catch (error: unknown) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(InvalidCursorError);
    expect(caught).toMatchObject({ code: 'invalid_cursor', name: 'InvalidCursorError' });
    expect((caught as Error).message).toMatch(/^invalid cursor: .+; pass back nextCursor unchanged/);
  });
});
