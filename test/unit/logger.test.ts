import { describe, expect, it } from 'vitest';
import { correlationId, traceIdOf, withLogKeys } from '../../shared/logger.js';
import { recordingLog } from '../helpers/ingress-steps.js';

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';

describe('traceIdOf()', () => {
  it('reads the root of an X-Ray trace header wherever it stands', () => {
    expect(traceIdOf(`Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`)).toBe(TRACE_ID);
    expect(traceIdOf(`Parent=53995c3f42cd8ad8;Root=${TRACE_ID};Sampled=0`)).toBe(TRACE_ID);
    expect(traceIdOf(`Root=${TRACE_ID}`)).toBe(TRACE_ID);
  });

  it('finds none in a missing or malformed header', () => {
    expect(traceIdOf(undefined)).toBeUndefined();
    expect(traceIdOf('')).toBeUndefined();
    expect(traceIdOf('Parent=53995c3f42cd8ad8;Sampled=1')).toBeUndefined();
    expect(traceIdOf('Root=1-zz;Sampled=1')).toBeUndefined();
    expect(traceIdOf(`XRoot=${TRACE_ID}`)).toBeUndefined();
  });
});

describe('correlationId()', () => {
  it('is the trace id only when tracing and the header names one, else the event id', () => {
    const header = `Root=${TRACE_ID};Sampled=1`;
    expect(correlationId(true, header, 'evt_1')).toBe(TRACE_ID);
    expect(correlationId(false, header, 'evt_1')).toBe('evt_1');
    expect(correlationId(undefined, header, 'evt_1')).toBe('evt_1');
    expect(correlationId(true, undefined, 'evt_1')).toBe('evt_1');
  });
});

describe('withLogKeys()', () => {
  it('puts fixed or per-line keys first, the line’s own attributes over them', () => {
    const { log, entries } = recordingLog();
    let current: Record<string, unknown> | undefined;
    withLogKeys(log, { route: '/a/' }).info('fixed', { route: '/b/', n: 1 });
    const dynamic = withLogKeys(log, () => current);
    dynamic.warn('none yet');
    current = { eventId: 'evt_1' };
    dynamic.error('now', { n: 2 });

    expect(entries).toEqual([
      { level: 'info', message: 'fixed', attributes: { route: '/b/', n: 1 } },
      { level: 'warn', message: 'none yet', attributes: {} },
      { level: 'error', message: 'now', attributes: { eventId: 'evt_1', n: 2 } },
    ]);
  });
});
