import { describe, expect, it } from 'vitest';
import { EnvironmentError, jsonEnv, optionalNumberEnv, requireEnv } from '../../shared/env.js';

function environmentErrorOf(read: () => unknown): EnvironmentError {
  try {
    read();
  } catch (error: unknown) {
    if (error instanceof EnvironmentError) return error;
    throw error;
  }
  throw new Error('expected an EnvironmentError');
}

describe('requireEnv()', () => {
  it('returns the value of a set variable', () => {
    // Arrange
    const env = { HOOKLINE_TABLE_NAME: 'hookline-events' };

    // Act
    const value = requireEnv('HOOKLINE_TABLE_NAME', env);

    // Assert
    expect(value).toBe('hookline-events');
  });

  it('keeps surrounding whitespace', () => {
    expect(requireEnv('X', { X: ' a ' })).toBe(' a ');
  });

  it.each([
    { name: 'missing', env: {} },
    { name: 'empty', env: { HOOKLINE_QUEUE_URL: '' } },
  ])('throws an error naming the variable when it is $name', ({ env }) => {
    const error = environmentErrorOf(() => requireEnv('HOOKLINE_QUEUE_URL', env));

    expect(error.code).toBe('invalid_environment');
    expect(error.name).toBe('EnvironmentError');
    expect(error.message).toBe('environment variable HOOKLINE_QUEUE_URL is required');
  });

  it('reads process.env by default', () => {
    const name = 'HOOKLINE_TEST_REQUIRE_ENV_DEFAULT';
    process.env[name] = 'from-process';
    try {
      expect(requireEnv(name)).toBe('from-process');
    } finally {
      delete process.env[name];
    }
  });
});

describe('optionalNumberEnv()', () => {
  it.each([
    { name: 'missing', env: {} },
    { name: 'empty', env: { TTL: '' } },
  ])('returns the fallback when the variable is $name', ({ env }) => {
    expect(optionalNumberEnv('TTL', 300, env)).toBe(300);
  });

  it.each([
    ['0', 0],
    ['60', 60],
    ['2.5', 2.5],
    ['1e3', 1000],
  ])('reads %j as %d', (text, number) => {
    expect(optionalNumberEnv('TTL', 300, { TTL: text })).toBe(number);
  });

  it.each(['abc', '-1', 'Infinity', 'NaN', '12s'])(
    'rejects %j, naming the variable and the value',
    (text) => {
      const error = environmentErrorOf(() =>
        optionalNumberEnv('HOOKLINE_SECRET_TTL_SECONDS', 300, { HOOKLINE_SECRET_TTL_SECONDS: text }),
      );

      expect(error.code).toBe('invalid_environment');
      expect(error.message).toBe(
        `environment variable HOOKLINE_SECRET_TTL_SECONDS must be a non-negative number, got "${text}"`,
      );
    },
  );
});

describe('jsonEnv()', () => {
  it('parses a JSON value', () => {
    const env = { HOOKLINE_ROUTE: '{"path":"/github/","methods":["POST"]}' };

    const route = jsonEnv<{ path: string; methods: string[] }>('HOOKLINE_ROUTE', env);

    expect(route).toEqual({ path: '/github/', methods: ['POST'] });
  });

  it.each([
    ['[1,2]', [1, 2]],
    ['"text"', 'text'],
    ['null', null],
  ])('parses %s', (text, value) => {
    expect(jsonEnv('X', { X: text })).toEqual(value);
  });

  it('throws an error naming the variable when it is missing', () => {
    const error = environmentErrorOf(() => jsonEnv('HOOKLINE_ROUTE', {}));

    expect(error.message).toBe('environment variable HOOKLINE_ROUTE is required');
  });

  it.each(['{not json', 'undefined', "{'a':1}"])('throws an error naming the variable for %j', (text) => {
    const error = environmentErrorOf(() => jsonEnv('HOOKLINE_ROUTE', { HOOKLINE_ROUTE: text }));

    expect(error.code).toBe('invalid_environment');
    expect(error.message).toBe('environment variable HOOKLINE_ROUTE must hold JSON');
  });
});
