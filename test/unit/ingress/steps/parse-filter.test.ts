import { describe, expect, it } from 'vitest';
import { filter } from '../../../../shared/ingress/steps/filter.js';
import { parse } from '../../../../shared/ingress/steps/parse.js';
import { added, answered, incoming, recordingLog, routed } from '../../../helpers/ingress-steps.js';
import { makeRoute } from '../../../helpers/routes.js';

const jsonRoute = makeRoute({ path: '/json/', verify: { scheme: 'none' }, expectJson: true });
const anyRoute = makeRoute({ path: '/any/', verify: { scheme: 'none' }, expectJson: false });

function request(route: typeof jsonRoute, body: string, contentType?: string) {
  return incoming({
    path: route.path,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
    body: Buffer.from(body),
  });
}

describe('parse()', () => {
  it('adds the JSON payload', async () => {
    const context = await routed(jsonRoute, request(jsonRoute, '{"a":[1]}', 'application/json'));

    expect(await added(parse, context)).toEqual({ payload: { a: [1] } });
  });

  it('adds form fields for x-www-form-urlencoded', async () => {
    const context = await routed(
      anyRoute,
      request(anyRoute, 'a=1&b=two', 'application/x-www-form-urlencoded'),
    );

    expect(await added(parse, context)).toEqual({ payload: { a: '1', b: 'two' } });
  });

  it('refuses a body that is not JSON on a route that expects JSON: 400 invalid_json', async () => {
    const context = await routed(jsonRoute, request(jsonRoute, 'not json', 'application/json'));

    expect(() => parse(context)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_json' }));
  });

  it('leaves the payload undefined for a non-JSON body on a route that takes anything', async () => {
    const context = await routed(anyRoute, request(anyRoute, 'plain', 'text/plain'));

    expect(await added(parse, context)).toEqual({ payload: undefined });
  });
});

describe('filter()', () => {
  const filtered = makeRoute({
    path: '/filtered/',
    verify: { scheme: 'none' },
    filters: { headers: { 'x-event': '^push$' }, payload: { action: 'open*' } },
  });

  async function context(headers: Record<string, string>, payload: unknown) {
    return { ...(await routed(filtered, incoming({ path: filtered.path, headers }))), payload };
  }

  it('lets an event that passes the route filters through', async () => {
    const { log, entries } = recordingLog();

    expect(filter(log)(await context({ 'x-event': 'push' }, { action: 'opened' }))).toBeUndefined();
    expect(entries).toEqual([]);
  });

  it.each([
    ['a header', { 'x-event': 'issues' }, { action: 'opened' }],
    ['the payload', { 'x-event': 'push' }, { action: 'closed' }],
  ])('answers an event dropped by %s 202 filtered, and logs it', async (_case, headers, payload) => {
    const { log, entries } = recordingLog();

    const reply = await answered(filter(log), await context(headers, payload));

    expect(reply.statusCode).toBe(202);
    expect(reply.json).toEqual({ status: 'filtered' });
    expect(entries).toEqual([
      { level: 'info', message: 'event filtered', attributes: { route: '/filtered/' } },
    ]);
  });
});
