import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/errors.js';
import { describeError, errorMessage, HooklineError } from '../../shared/errors.js';
import { EventNotFoundError, EventStoreError } from '../../shared/event-store/errors.js';
import { HandlerError, PermanentError } from '../../shared/handler/errors.js';

class SampleError extends HooklineError<'sample_code'> {
  override name = 'SampleError';

  constructor(message: string, options?: ErrorOptions) {
    super('sample_code', message, options);
  }
}

describe('HooklineError', () => {
  it('carries its subclass name, its code, its message and its cause', () => {
    const cause = new Error('socket hang up');

    const error = new SampleError('could not reach it', { cause });

    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(HooklineError);
    expect(error).toMatchObject({ name: 'SampleError', code: 'sample_code', message: 'could not reach it' });
    expect(error.cause).toBe(cause);
    expect(String(error.stack)).toMatch(/^SampleError: could not reach it/);
  });

  it('keeps the declared name when the class itself is renamed (as minified bundles do)', () => {
    const Renamed = class extends HooklineError<'renamed'> {
      override name = 'DeclaredError';
    };

    expect(new Renamed('renamed', 'text').name).toBe('DeclaredError');
  });

  it('gives a subclass of a subclass its own name and the base its own code', () => {
    const error = new EventNotFoundError('evt_1');

    expect(error).toBeInstanceOf(EventStoreError);
    expect(error).toMatchObject({ name: 'EventNotFoundError', code: 'event_not_found', id: 'evt_1' });
  });

  it('keeps the names and codes of the errors callers branch on', () => {
    expect(new ConfigError(['routes: required'])).toMatchObject({
      name: 'ConfigError',
      code: 'invalid_config',
    });
    expect(new HandlerError('custom', 'x')).toMatchObject({ name: 'HandlerError', code: 'custom' });
    expect(new PermanentError('bad event')).toMatchObject({ name: 'PermanentError', code: 'permanent' });
  });
});

describe('describeError()', () => {
  it('prints an Error as `Name: message`', () => {
    expect(describeError(new TypeError('fetch failed'))).toBe('TypeError: fetch failed');
    expect(describeError(new SampleError('gone'))).toBe('SampleError: gone');
  });

  it.each([
    ['a string', 'boom', 'boom'],
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['an object', { reason: 'x' }, '[object Object]'],
  ])('prints %s thrown as String(value)', (_kind, thrown, expected) => {
    expect(describeError(thrown)).toBe(expected);
  });
});

describe('errorMessage()', () => {
  it('prints an Error by its message alone', () => {
    expect(errorMessage(new RangeError('since must be a valid date'))).toBe('since must be a valid date');
  });

  it('prints anything else thrown as String(value)', () => {
    expect(errorMessage('boom')).toBe('boom');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
