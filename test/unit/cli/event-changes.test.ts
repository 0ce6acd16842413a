import { describe, expect, it } from 'vitest';
import { createStyle } from '../../../shared/cli/style.js';
import {
  byTime,
  changeJson,
  type EventChange,
  formatChange,
  isSettled,
  observeEvent,
  type SeenEvent,
  type TailedEvent,
} from '../../../shared/cli/tail/event-changes.js';
import type { AttemptRecord } from '../../../shared/event-store/types.js';

const ID = 'evt_01JN5Y3M8Q2R4T6V8W0X2Y4Z6A';
const ROUTE = '/order/status/';

function event(fields: Partial<TailedEvent> & Pick<TailedEvent, 'status' | 'updatedAt'>): TailedEvent {
  return { id: ID, route: ROUTE, attempts: [], ...fields };
}

function failed(attempt: number, startedAt: string, retried: boolean): AttemptRecord {
  return {
    attempt,
    startedAt,
    durationMs: 250,
    outcome: 'failed',
    errorName: 'TypeError',
    errorMessage: `boom ${attempt}`,
    ...(retried && { nextVisibleAt: '2030-01-01T00:00:00.000Z' }),
  };
}

const delivered = (attempt: number, startedAt: string): AttemptRecord => ({
  attempt,
  startedAt,
  durationMs: 40,
  outcome: 'delivered',
});

/** The statuses of `changes`, as `previous>status` pairs. */
const moves = (changes: readonly EventChange[]) =>
  changes.map((change) => `${change.previousStatus ?? ''}>${change.status}`);

describe('observeEvent()', () => {
  it('reports an event seen for the first time with its status and no previous one', () => {
    // Act
    const { changes, seen } = observeEvent(undefined, event({ status: 'queued', updatedAt: 't1' }));
    // Assert
    expect(changes).toEqual([{ at: 't1', route: ROUTE, id: ID, status: 'queued' }]);
    expect(seen).toEqual({ status: 'queued', attempts: 0, updatedAt: 't1' });
  });

  it('reports nothing when neither the status nor the attempts changed', () => {
    const seen: SeenEvent = { status: 'queued', attempts: 0, updatedAt: 't1' };
    expect(observeEvent(seen, event({ status: 'queued', updatedAt: 't1' })).changes).toEqual([]);
  });

  it('reports a change with the status it was last seen in, and the attempt that delivered it', () => {
    const seen: SeenEvent = { status: 'queued', attempts: 0, updatedAt: '2025-03-01T12:00:00.000Z' };
    const { changes } = observeEvent(
      seen,
      event({
        status: 'delivered',
        updatedAt: '2025-03-01T12:00:01.000Z',
        attempts: [delivered(1, '2025-03-01T12:00:00.500Z')],
      }),
    );
    expect(changes).toEqual([
      {
        at: '2025-03-01T12:00:01.000Z',
        route: ROUTE,
        id: ID,
        status: 'delivered',
        previousStatus: 'queued',
        attempt: 1,
      },
    ]);
  });

  it('gives a retrying event the failed attempt and its error', () => {
    const seen: SeenEvent = { status: 'processing', attempts: 0, updatedAt: 't1' };
    const { changes } = observeEvent(
      seen,
      event({ status: 'retrying', updatedAt: 't2', attempts: [failed(1, '2025-03-01T12:00:00.000Z', true)] }),
    );
    expect(changes).toEqual([
      expect.objectContaining({
        status: 'retrying',
        previousStatus: 'processing',
        attempt: 1,
        error: 'TypeError: boom 1',
      }),
    ]);
  });

  it('reports a retry that polling missed, from the attempt history, before the status reached', () => {
    // Arrange: seen queued; the first attempt failed, was retried, and the second delivered.
    const seen: SeenEvent = { status: 'queued', attempts: 0, updatedAt: '2025-03-01T12:00:00.000Z' };
    const now = event({
      status: 'delivered',
      updatedAt: '2025-03-01T12:00:03.000Z',
      attempts: [failed(1, '2025-03-01T12:00:01.000Z', true), delivered(2, '2025-03-01T12:00:02.900Z')],
    });
    // Act
    const { changes, seen: after } = observeEvent(seen, now);
    // Assert
    expect(moves(changes)).toEqual(['queued>retrying', 'retrying>delivered']);
    expect(changes[0]).toMatchObject({
      at: '2025-03-01T12:00:01.250Z',
      attempt: 1,
      error: 'TypeError: boom 1',
    });
    expect(changes[1]).toMatchObject({ attempt: 2 });
    expect(changes[1]).not.toHaveProperty('error');
    expect(after).toEqual({ status: 'delivered', attempts: 2, updatedAt: '2025-03-01T12:00:03.000Z' });
  });

  it('reports a dead letter after its last attempt, not as a retry of that attempt', () => {
    const seen: SeenEvent = { status: 'queued', attempts: 0, updatedAt: '2025-03-01T12:00:00.000Z' };
    const { changes } = observeEvent(
      seen,
      event({
        status: 'dead_lettered',
        updatedAt: '2025-03-01T12:00:05.000Z',
        attempts: [failed(1, '2025-03-01T12:00:01.000Z', true), failed(2, '2025-03-01T12:00:04.000Z', false)],
      }),
    );
    expect(moves(changes)).toEqual(['queued>retrying', 'retrying>dead_lettered']);
    expect(changes[1]).toMatchObject({ attempt: 2, error: 'TypeError: boom 2' });
  });

  it('reports each new retry of an event still retrying (retrying → retrying)', () => {
    const seen: SeenEvent = { status: 'retrying', attempts: 1, updatedAt: '2025-03-01T12:00:01.000Z' };
    const { changes } = observeEvent(
      seen,
      event({
        status: 'retrying',
        updatedAt: '2025-03-01T12:00:09.000Z',
        attempts: [
          failed(1, '2025-03-01T12:00:00.000Z', true),
          failed(2, '2025-03-01T12:00:04.000Z', true),
          failed(3, '2025-03-01T12:00:08.000Z', true),
        ],
      }),
    );
    expect(moves(changes)).toEqual(['retrying>retrying', 'retrying>retrying']);
    expect(changes.map((change) => change.attempt)).toEqual([2, 3]);
  });

  it('reports a new attempt of an event still processing (a lapsed lock), without an attempt number', () => {
    const seen: SeenEvent = { status: 'processing', attempts: 0, updatedAt: 't1' };
    const { changes } = observeEvent(
      seen,
      event({
        status: 'processing',
        updatedAt: 't2',
        attempts: [failed(1, '2025-03-01T12:00:00.000Z', false)],
      }),
    );
    expect(changes).toEqual([
      { at: 't2', route: ROUTE, id: ID, status: 'processing', previousStatus: 'processing' },
    ]);
  });

  it('ignores a read older than the one before (a lagging replica)', () => {
    const seen: SeenEvent = { status: 'delivered', attempts: 1, updatedAt: '2025-03-01T12:00:03.000Z' };
    const stale = event({ status: 'processing', updatedAt: '2025-03-01T12:00:02.000Z' });
    expect(observeEvent(seen, stale)).toEqual({ changes: [], seen });
  });
});

describe('isSettled()', () => {
  it.each([
    ['delivered', true],
    ['dead_lettered', true],
    ['ignored', true],
    ['queued', false],
    ['processing', false],
    ['retrying', false],
  ] as const)('%s is settled: %s', (status, settled) => {
    expect(isSettled(status)).toBe(settled);
  });
});

describe('formatChange()', () => {
  const plain = createStyle(false);
  const base = { at: '2025-03-01T12:00:05.123Z', route: ROUTE, id: ID } as const;

  it('prints time, route, id and status of a new event', () => {
    expect(formatChange({ ...base, status: 'queued' }, plain)).toBe(
      `2025-03-01 12:00:05Z  ${ROUTE}  ${ID}  queued`,
    );
  });

  it('prints the previous status, the attempt and the error of a failure', () => {
    const line = formatChange(
      { ...base, status: 'retrying', previousStatus: 'processing', attempt: 1, error: 'Error: down\nat x' },
      plain,
    );
    expect(line).toBe(
      `2025-03-01 12:00:05Z  ${ROUTE}  ${ID}  processing → retrying  attempt 1  Error: down at x`,
    );
  });

  it('names the attempt of a delivery only after a retry', () => {
    const first = formatChange({ ...base, status: 'delivered', previousStatus: 'queued', attempt: 1 }, plain);
    const second = formatChange(
      { ...base, status: 'delivered', previousStatus: 'retrying', attempt: 2 },
      plain,
    );
    expect(first).toMatch(/queued → delivered$/);
    expect(second).toMatch(/retrying → delivered {2}attempt 2$/);
  });

  it('shortens a long error to 120 characters', () => {
    const line = formatChange(
      { ...base, status: 'dead_lettered', attempt: 5, error: 'x'.repeat(500) },
      plain,
    );
    expect(line.endsWith(`attempt 5  ${'x'.repeat(117)}...`)).toBe(true);
  });

  it('colours both statuses on a terminal', () => {
    const line = formatChange(
      { ...base, status: 'delivered', previousStatus: 'retrying', attempt: 2 },
      createStyle(true),
    );
    expect(line).toContain('\u001b[33mretrying\u001b[39m → \u001b[32mdelivered\u001b[39m');
  });
});

describe('changeJson()', () => {
  it('writes one line with the documented fields in order, leaving out the absent ones', () => {
    expect(changeJson({ error: 'E: x', attempt: 2, status: 'retrying', id: ID, route: ROUTE, at: 't' })).toBe(
      `{"at":"t","route":"${ROUTE}","id":"${ID}","status":"retrying","attempt":2,"error":"E: x"}`,
    );
  });
});

describe('byTime()', () => {
  it('orders changes by time and keeps the order of changes at the same time', () => {
    const change = (at: string, status: EventChange['status']): EventChange => ({
      at,
      route: ROUTE,
      id: ID,
      status,
    });
    const sorted = byTime([change('b', 'queued'), change('a', 'retrying'), change('b', 'delivered')]);
    expect(sorted.map((item) => item.status)).toEqual(['retrying', 'queued', 'delivered']);
  });
});
