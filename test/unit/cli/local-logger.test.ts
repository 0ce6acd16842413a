import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalLogger, type LogDestination } from '../../../shared/cli/local-logger.js';

const NOW = new Date('2025-06-01T12:34:56.789Z');

/** A destination keeping what each write received. */
function recordingDestination(): { destination: LogDestination; writes: string[]; entries: () => unknown[] } {
  const writes: string[] = [];
  return {
    destination: { write: (line) => writes.push(line) },
    writes,
    entries: () => writes.map((line) => JSON.parse(line) as unknown),
  };
}

describe('createLocalLogger()', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    // The level and format must not depend on the developer's shell.
    for (const name of [
      'POWERTOOLS_LOG_LEVEL',
      'LOG_LEVEL',
      'AWS_LAMBDA_LOG_LEVEL',
      'POWERTOOLS_DEV',
      'POWERTOOLS_LOGGER_SAMPLE_RATE',
    ]) {
      vi.stubEnv(name, '');
    }
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes each entry as one JSON line with level, message, timestamp, service, persistent keys and attributes', () => {
    const { destination, writes, entries } = recordingDestination();
    const log = createLocalLogger({ serviceName: 'hookline-test', destination, persistentKeys: { pid: 42 } });

    log.info('event state', { eventId: 'evt_1', route: '/orders/', traceId: 'evt_1', status: 'delivered' });

    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\{[^\n]*\}\n$/);
    expect(entries()[0]).toMatchObject({
      level: 'INFO',
      message: 'event state',
      service: 'hookline-test',
      pid: 42,
      eventId: 'evt_1',
      route: '/orders/',
      traceId: 'evt_1',
      status: 'delivered',
    });
    const { timestamp } = entries()[0] as { timestamp: string };
    expect(Date.parse(timestamp)).toBe(NOW.getTime());
  });

  it('sends warnings and errors to the same destination', () => {
    const { destination, entries } = recordingDestination();
    const log = createLocalLogger({ serviceName: 'hookline-test', destination });

    log.warn('settle write failed; trying again', { tries: 1 });
    log.error('poll failed', { route: '/orders/' });

    expect(entries()).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'settle write failed; trying again', tries: 1 }),
      expect.objectContaining({ level: 'ERROR', message: 'poll failed', route: '/orders/' }),
    ]);
  });

  it('keeps the name and message of an Error attribute, and an error string as it is', () => {
    const { destination, entries } = recordingDestination();
    const log = createLocalLogger({ serviceName: 'hookline-test', destination });

    log.error('cleanup failed', { error: new TypeError('socket closed') });
    log.error('event store failed', { error: 'TimeoutError: timed out' });

    const [thrown, described] = entries() as { error: unknown }[];
    expect(thrown?.error).toMatchObject({ name: 'TypeError', message: 'socket closed' });
    expect(described?.error).toBe('TimeoutError: timed out');
  });

  it('logs INFO and above by default, as in Lambda', () => {
    const { destination, entries } = recordingDestination();
    const log = createLocalLogger({ serviceName: 'hookline-test', destination });

    log.debug('hidden');
    log.info('shown');

    expect(entries()).toEqual([expect.objectContaining({ message: 'shown' })]);
  });

  it('honours POWERTOOLS_LOG_LEVEL', () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
    const { destination, entries } = recordingDestination();
    const log = createLocalLogger({ serviceName: 'hookline-test', destination });

    log.warn('hidden');
    log.error('shown');

    expect(entries()).toEqual([expect.objectContaining({ level: 'ERROR', message: 'shown' })]);
  });

  it('still writes one compact line per entry with POWERTOOLS_DEV set', () => {
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    const { destination, writes } = recordingDestination();
    const log = createLocalLogger({ serviceName: 'hookline-test', destination });

    log.info('dev stack ready', { routes: [{ path: '/orders/' }] });

    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\{[^\n]*\}\n$/);
  });

  it('writes a line printed while the logger is being built (the sampling notice) to the destination', () => {
    vi.stubEnv('POWERTOOLS_LOGGER_SAMPLE_RATE', '1');
    const { destination, entries } = recordingDestination();

    createLocalLogger({ serviceName: 'hookline-test', destination });

    expect(entries()).toEqual([
      expect.objectContaining({ level: 'DEBUG', message: 'Setting log level to DEBUG due to sampling rate' }),
    ]);
  });

  it('gives a child logger the same destination and keys', () => {
    const { destination, entries } = recordingDestination();
    const log = createLocalLogger({ serviceName: 'hookline-test', destination, persistentKeys: { pid: 42 } });

    log.createChild({ persistentKeys: { route: '/orders/' } }).info('from the child');

    expect(entries()).toEqual([
      expect.objectContaining({
        service: 'hookline-test',
        pid: 42,
        route: '/orders/',
        message: 'from the child',
      }),
    ]);
  });
});
