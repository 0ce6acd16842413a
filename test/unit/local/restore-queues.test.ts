/**
 * Which kept events the local stack puts back on a queue when it starts again, and how long each
 * stays hidden there (`restorationOf`): the decision alone, no emulator.
 */
import { describe, expect, it } from 'vitest';
import type { EventState } from '../../../shared/event-store/items.js';
import type { AttemptRecord, EventStatus } from '../../../shared/event-store/types.js';
import { restorationOf, SQS_MAX_DELAY_SECONDS } from '../../../shared/local/restore-queues.js';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const LATER = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();

function state(status: EventStatus, extra: Partial<EventState> = {}): Parameters<typeof restorationOf>[0] {
  return { status, attempts: [], expiresAt: Math.floor(NOW.getTime() / 1000) + 86_400, ...extra };
}

function failed(nextVisibleAt?: string): AttemptRecord {
  return {
    attempt: 1,
    startedAt: NOW.toISOString(),
    durationMs: 5,
    outcome: 'failed',
    ...(nextVisibleAt !== undefined && { nextVisibleAt }),
  };
}

describe('restorationOf()', () => {
  it('puts a queued event back on its queue at once', () => {
    expect(restorationOf(state('queued'), NOW)).toEqual({ to: 'queue', delaySeconds: 0 });
  });

  it('keeps a retrying event hidden until its backoff ends', () => {
    const retrying = state('retrying', { attempts: [failed(LATER(-60)), failed(LATER(42.2))] });

    expect(restorationOf(retrying, NOW)).toEqual({ to: 'queue', delaySeconds: 43 });
  });

  it('sends a retrying event whose backoff is over (or unknown) at once', () => {
    expect(restorationOf(state('retrying', { attempts: [failed(LATER(-5))] }), NOW)).toEqual({
      to: 'queue',
      delaySeconds: 0,
    });
    expect(restorationOf(state('retrying', { attempts: [failed()] }), NOW)).toEqual({
      to: 'queue',
      delaySeconds: 0,
    });
  });

  it('caps a long backoff at the longest SQS delay', () => {
    const retrying = state('retrying', { attempts: [failed(LATER(6 * 3600))] });

    expect(restorationOf(retrying, NOW)).toEqual({ to: 'queue', delaySeconds: SQS_MAX_DELAY_SECONDS });
  });

  it('re-sends a processing event whose lock has lapsed at once', () => {
    const processing = state('processing', { lockOwner: 'm/1', lockExpiresAt: LATER(-1) });

    expect(restorationOf(processing, NOW)).toEqual({ to: 'queue', delaySeconds: 0 });
  });

  it('delays a processing event whose lock is still live until it lapses (a copy meeting a live lock is dropped)', () => {
    const processing = state('processing', { lockOwner: 'm/1', lockExpiresAt: LATER(4.5) });

    expect(restorationOf(processing, NOW)).toEqual({ to: 'queue', delaySeconds: 5 });
  });

  it('puts a dead-lettered event back in its DLQ, not on its queue', () => {
    expect(restorationOf(state('dead_lettered', { attempts: [failed()] }), NOW)).toEqual({ to: 'dlq' });
  });

  it.each(['delivered', 'ignored', 'received'] as const)('re-sends nothing for a %s event', (status) => {
    expect(restorationOf(state(status), NOW)).toBeUndefined();
  });

  it.each(['queued', 'retrying', 'processing', 'dead_lettered'] as const)(
    're-sends nothing for a %s event past its retention',
    (status) => {
      const expired = state(status, { expiresAt: Math.floor(NOW.getTime() / 1000) });

      expect(restorationOf(expired, NOW)).toBeUndefined();
    },
  );
});
