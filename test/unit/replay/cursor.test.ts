import { describe, expect, it } from 'vitest';
import { decodeReplayCursor, encodeReplayCursor, type ReplayRun } from '../../../shared/replay/cursor.js';
import { InvalidReplayCursorError } from '../../../shared/replay/errors.js';

const RUN: ReplayRun = {
  route: '/order/status/',
  status: 'dead_lettered',
  since: new Date('2030-01-01T00:00:00.000Z'),
  until: new Date('2030-01-02T00:00:00.000Z'),
  dryRun: false,
  matched: 40,
  listing: 'eyJ2IjoxfQ',
};
const FILTERS = { route: RUN.route, status: RUN.status, since: RUN.since, dryRun: false } as const;

function rawCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

describe('encodeReplayCursor() / decodeReplayCursor()', () => {
  it('round-trips a run, as URL-safe text', () => {
    const cursor = encodeReplayCursor(RUN);

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeReplayCursor(cursor, FILTERS)).toEqual(RUN);
    expect(decodeReplayCursor(cursor, { ...FILTERS, until: RUN.until })).toEqual(RUN);
  });

  it('round-trips a dry run without status or since', () => {
    const run: ReplayRun = { route: RUN.route, until: RUN.until, dryRun: true, matched: 0, listing: 'x' };

    expect(decodeReplayCursor(encodeReplayCursor(run), { route: RUN.route, dryRun: true })).toEqual(run);
  });

  it.each([
    { label: 'text that is not base64url', cursor: 'a b' },
    { label: 'base64url that is not JSON', cursor: Buffer.from('{nope').toString('base64url') },
    { label: 'another version', cursor: rawCursor({ ...JSON.parse(json(RUN)), v: 2 }) },
    { label: 'no until', cursor: rawCursor({ ...JSON.parse(json(RUN)), until: undefined }) },
    { label: 'an invalid since', cursor: rawCursor({ ...JSON.parse(json(RUN)), since: 'yesterday' }) },
    { label: 'a negative count', cursor: rawCursor({ ...JSON.parse(json(RUN)), matched: -1 }) },
    { label: 'no listing position', cursor: rawCursor({ ...JSON.parse(json(RUN)), listing: '' }) },
    { label: 'an unknown status', cursor: rawCursor({ ...JSON.parse(json(RUN)), status: 'lost' }) },
  ])('refuses $label with code invalid_cursor', ({ cursor }) => {
    let caught: unknown;
    try {
      decodeReplayCursor(cursor, FILTERS);
    } catch (error: unknown) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(InvalidReplayCursorError);
    expect(caught).toMatchObject({ code: 'invalid_cursor', name: 'InvalidReplayCursorError' });
    expect((caught as Error).message).toMatch(/^invalid cursor: .+; pass back nextCursor unchanged/);
  });
});

function json(run: ReplayRun): string {
  return Buffer.from(encodeReplayCursor(run), 'base64url').toString('utf8');
}
