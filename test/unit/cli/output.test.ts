import { describe, expect, it } from 'vitest';
import type { EventView } from '../../../shared/cli/admin-types.js';
import { describeEvent } from '../../../shared/cli/commands/events.js';
import { routeParameter } from '../../../shared/cli/connect.js';
import { regionOfArn } from '../../../shared/cli/deployed-stack.js';
import { formatAge, formatDuration, formatTime } from '../../../shared/cli/output.js';
import { renderTable } from '../../../shared/cli/table.js';

describe('renderTable()', () => {
  it('pads columns, right-aligns numbers and prints - for missing cells', () => {
    const table = renderTable(
      ['ROUTE', 'QUEUED', 'ERROR'],
      [
        ['/a/', 3, undefined],
        ['/longer/', 120, 'boom\nsecond line'],
      ],
    );
    expect(table).toBe(
      ['ROUTE     QUEUED  ERROR', '/a/            3  -', '/longer/     120  boom second line'].join('\n'),
    );
  });

  it('prints the header for no rows', () => {
    expect(renderTable(['A', 'B'], [])).toBe('A  B');
  });
});

describe('formatting helpers', () => {
  it.each([
    [0, '0s'],
    [59.4, '59s'],
    [754, '12m 34s'],
    [7_260, '2h 1m'],
    [90_000, '1d 1h'],
  ])('formatAge(%s) is %s', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });

  it('formats times and durations', () => {
    expect(formatTime('2025-03-01T12:00:05.123Z')).toBe('2025-03-01 12:00:05Z');
    expect(formatDuration(85)).toBe('85 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
  });

  it('turns a route path into the queue name the admin API takes', () => {
    expect(routeParameter('/order/status/')).toBe('order_status');
    expect(routeParameter('order_status')).toBe('order_status');
  });

  it('reads the region of a stack ARN', () => {
    expect(regionOfArn('arn:aws:cloudformation:eu-west-1:123456789012:stack/x/1')).toBe('eu-west-1');
    expect(regionOfArn('hookline')).toBeUndefined();
  });
});

describe('describeEvent()', () => {
  const event: EventView = {
    id: 'evt_B',
    route: '/order/status/',
    queueName: 'order_status',
    receivedAt: '2025-03-01T12:00:05.000Z',
    updatedAt: '2025-03-01T12:00:09.000Z',
    status: 'dead_lettered',
    method: 'POST',
    path: '/order/status/',
    headers: {},
    verification: { scheme: 'github', verifiedAt: '2025-03-01T12:00:05.000Z' },
    attempts: [
      {
        attempt: 1,
        startedAt: '2025-03-01T12:00:06.000Z',
        durationMs: 12,
        outcome: 'failed',
        errorName: 'Error',
        errorMessage: 'db down',
      },
    ],
    replayOf: 'evt_A',
    replays: ['evt_C'],
    replayChain: [{ id: 'evt_A', status: 'delivered', receivedAt: '2025-03-01T11:00:00.000Z' }],
    expiresAt: 0,
    body: '{"x":1}',
    links: {
      self: '/_hookline/events/evt_B',
      replayOf: '/_hookline/events/evt_A',
      replays: ['/_hookline/events/evt_C'],
    },
  };

  it('shows status, replay links, the chain and the attempts with their errors', () => {
    const text = describeEvent(event, false).join('\n');
    expect(text).toMatch(/^status: +dead_lettered$/m);
    expect(text).toContain('replay of evt_A');
    expect(text).toContain('replays: evt_C');
    expect(text).toContain('replay chain: evt_A (delivered) -> evt_B');
    expect(text).toMatch(/^1 +2025-03-01 12:00:06Z +12 ms +failed +Error: db down +-$/m);
    expect(text).not.toContain('{"x":1}');
  });

  it('adds the body when asked', () => {
    expect(describeEvent(event, true).slice(-2)).toEqual(['body:', '{"x":1}']);
  });
});
