import { describe, expect, it } from 'vitest';
import { HooklineError } from '../../../shared/errors.js';
import { HttpError } from '../../../shared/http/errors.js';
import { errorResponse, jsonResponse } from '../../../shared/http/response.js';

describe('HttpError', () => {
  it('is a HooklineError with a status, a code and no extra headers by default', () => {
    const error = new HttpError(404, 'route_not_found', 'no webhook route at /nope');

    expect(error).toBeInstanceOf(HooklineError);
    expect(error).toMatchObject({ name: 'HttpError', status: 404, code: 'route_not_found', headers: {} });
    expect(error.details).toBeUndefined();
  });

  it.each([
    [400, true],
    [499, true],
    [500, false],
    [503, false],
  ])('exposes details for status %i: %s', (status, expose) => {
    expect(new HttpError(status, 'x', 'y').expose).toBe(expose);
  });

  it('keeps its cause', () => {
    const cause = new Error('throttled');

    expect(new HttpError(503, 'store_unavailable', 'retry later', { cause }).cause).toBe(cause);
  });
});

describe('jsonResponse()', () => {
  it('answers JSON with the given status and extra headers', () => {
    expect(jsonResponse(202, { status: 'queued' }, { 'retry-after': '1' })).toEqual({
      statusCode: 202,
      headers: { 'content-type': 'application/json', 'retry-after': '1' },
      body: '{"status":"queued"}',
    });
  });
});

describe('errorResponse()', () => {
  it('answers `{ error: { code, message } }` with the error status and headers', () => {
    const error = new HttpError(405, 'method_not_allowed', 'GET is not allowed on /github/', {
      headers: { allow: 'POST' },
    });

    expect(errorResponse(error)).toEqual({
      statusCode: 405,
      headers: { 'content-type': 'application/json', allow: 'POST' },
      body: JSON.stringify({
        error: { code: 'method_not_allowed', message: 'GET is not allowed on /github/' },
      }),
    });
  });

  it('adds details below 500', () => {
    const error = new HttpError(400, 'invalid_request', 'limit: too big', { details: { field: 'limit' } });

    expect(JSON.parse(String(errorResponse(error).body))).toEqual({
      error: { code: 'invalid_request', message: 'limit: too big', details: { field: 'limit' } },
    });
  });

  it('leaves details out from 500 up', () => {
    const error = new HttpError(500, 'internal_error', 'internal error', { details: { stack: 'secret' } });

    expect(JSON.parse(String(errorResponse(error).body))).toEqual({
      error: { code: 'internal_error', message: 'internal error' },
    });
  });
});
