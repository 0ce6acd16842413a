import { describe, expect, it, vi } from 'vitest';
import { compileMatcher, router } from '../../../shared/handler/router.js';
import { type HandlerContext, type HooklineEvent, IGNORED } from '../../../shared/handler/types.js';
import { silentLog } from '../../../shared/logger.js';

const context: HandlerContext = { log: silentLog, remainingTimeMs: () => 1_000 };

function event(overrides: Partial<HooklineEvent> = {}): HooklineEvent {
  return {
    id: 'evt_1',
    route: '/github/',
    type: 'push',
    receivedAt: '2030-01-01T00:00:00.000Z',
    headers: { 'x-github-event': 'push', 'content-type': 'application/json' },
    payload: {
      action: 'opened',
      number: 7,
      draft: false,
      repository: { name: 'my-repo-api', owner: { login: 'octo' } },
    },
    rawBody: new Uint8Array(),
    attempt: 1,
    ...overrides,
  };
}

describe('router()', () => {
  it('runs the first rule whose matcher matches, with the event and context', async () => {
    const push = vi.fn(() => 'push');
    const second = vi.fn(() => 'second');
    const route = router().on('push', push).on({ type: 'push' }, second);
    const input = event();

    await expect(route(input, context)).resolves.toBe('push');
    expect(push).toHaveBeenCalledWith(input, context);
    expect(second).not.toHaveBeenCalled();
  });

  it('returns IGNORED when nothing matches and there is no otherwise', async () => {
    const route = router().on('pull_request', vi.fn());

    await expect(route(event(), context)).resolves.toBe(IGNORED);
  });

  it('returns IGNORED from an empty router', async () => {
    await expect(router()(event(), context)).resolves.toBe(IGNORED);
  });

  it('runs otherwise for unmatched events, after every rule whatever the order of calls', async () => {
    const fallback = vi.fn(() => 'fallback');
    const push = vi.fn(() => 'push');
    const route = router().otherwise(fallback).on('push', push);

    await expect(route(event(), context)).resolves.toBe('push');
    await expect(route(event({ type: 'issues' }), context)).resolves.toBe('fallback');
  });

  it('passes a rejection of the matched handler through', async () => {
    const route = router().on('push', () => Promise.reject(new Error('boom')));

    await expect(route(event(), context)).rejects.toThrow('boom');
  });

  it('leaves the router it extends unchanged', async () => {
    const base = router().on('push', () => 'base');
    const extended = base.on('issues', () => 'extended');

    await expect(base(event({ type: 'issues' }), context)).resolves.toBe(IGNORED);
    await expect(extended(event({ type: 'issues' }), context)).resolves.toBe('extended');
  });

  it('routes the example from the issue', async () => {
    const route = router()
      .on('push', () => 'push')
      .on({ headers: { 'x-github-event': /push|pull_request/ } }, () => 'header')
      .on({ payload: { action: 'opened', 'repository.name': 'my-repo*' } }, () => 'payload')
      .otherwise(() => 'otherwise');
    const issues = { 'x-github-event': 'issues' };

    await expect(route(event(), context)).resolves.toBe('push');
    await expect(
      route(event({ type: 'pull_request', headers: { 'x-github-event': 'pull_request' } }), context),
    ).resolves.toBe('header');
    await expect(route(event({ type: 'issues', headers: issues }), context)).resolves.toBe('payload');
    await expect(route(event({ type: 'issues', headers: issues, payload: {} }), context)).resolves.toBe(
      'otherwise',
    );
  });
});

describe('compileMatcher()', () => {
  describe('a string', () => {
    it.each([
      { type: 'push', matches: true },
      { type: 'pushed', matches: false },
      { type: 'Push', matches: false },
      { type: undefined, matches: false },
    ])('matches event.type $type exactly: $matches', ({ type, matches }) => {
      expect(compileMatcher('push')(event({ type }))).toBe(matches);
    });
  });

  describe('type', () => {
    it('matches a string exactly and a RegExp by test', () => {
      expect(compileMatcher({ type: 'push' })(event())).toBe(true);
      expect(compileMatcher({ type: /^invoice\./ })(event({ type: 'invoice.paid' }))).toBe(true);
      expect(compileMatcher({ type: /^invoice\./ })(event({ type: 'charge.failed' }))).toBe(false);
    });

    it('never matches an event without a type', () => {
      expect(compileMatcher({ type: /.*/ })(event({ type: undefined }))).toBe(false);
    });
  });

  describe('headers', () => {
    it.each([
      { expected: 'push', value: 'push', matches: true },
      { expected: 'push', value: 'push ', matches: false },
      { expected: /push|pull_request/, value: 'pull_request', matches: true },
      { expected: /^push$/, value: 'pull_request', matches: false },
    ])('$expected against $value: $matches', ({ expected, value, matches }) => {
      const matcher = compileMatcher({ headers: { 'x-github-event': expected } });

      expect(matcher(event({ headers: { 'x-github-event': value } }))).toBe(matches);
    });

    it('looks headers up case-insensitively by name', () => {
      expect(compileMatcher({ headers: { 'X-GitHub-Event': 'push' } })(event())).toBe(true);
    });

    it('does not match a missing header', () => {
      expect(compileMatcher({ headers: { 'x-missing': /.*/ } })(event())).toBe(false);
    });

    it('gives the same answer every time for a global RegExp', () => {
      const matcher = compileMatcher({ headers: { 'x-github-event': /push/g } });

      expect([matcher(event()), matcher(event()), matcher(event())]).toEqual([true, true, true]);
    });
  });

  describe('payload', () => {
    it.each([
      { path: 'action', expected: 'opened', matches: true },
      { path: 'action', expected: 'open*', matches: true },
      { path: 'action', expected: 'op?ned', matches: true },
      { path: 'action', expected: 'closed', matches: false },
      { path: 'repository.name', expected: 'my-repo*', matches: true },
      { path: 'repository.name', expected: 'my-repo', matches: false },
      { path: 'repository.owner.login', expected: /^oct/, matches: true },
      { path: 'number', expected: 7, matches: true },
      { path: 'number', expected: '7', matches: true },
      { path: 'number', expected: 8, matches: false },
      { path: 'draft', expected: false, matches: true },
      { path: 'draft', expected: true, matches: false },
      { path: 'repository.missing', expected: '*', matches: false },
      { path: 'action.length', expected: 6, matches: false },
    ])('$path with $expected: $matches', ({ path, expected, matches }) => {
      expect(compileMatcher({ payload: { [path]: expected } })(event())).toBe(matches);
    });

    it('does not treat a string value as equal to a number matcher', () => {
      expect(compileMatcher({ payload: { number: 7 } })(event({ payload: { number: '7' } }))).toBe(false);
    });

    it('does not match an event without a payload', () => {
      expect(compileMatcher({ payload: { action: '*' } })(event({ payload: undefined }))).toBe(false);
    });
  });

  it('requires every field of a pattern to match', () => {
    const matcher = compileMatcher({
      type: 'push',
      headers: { 'x-github-event': 'push' },
      payload: { action: 'opened' },
    });

    expect(matcher(event())).toBe(true);
    expect(matcher(event({ payload: { action: 'closed' } }))).toBe(false);
    expect(matcher(event({ type: 'issues' }))).toBe(false);
  });

  it('matches every event with an empty pattern', () => {
    expect(compileMatcher({})(event({ type: undefined, payload: undefined }))).toBe(true);
  });
});
