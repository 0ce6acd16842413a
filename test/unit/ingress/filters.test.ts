import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilters, compileSourceIpCheck, type FilterInput } from '../../../shared/ingress/filters.js';
import { wildcardToRegExp } from '../../../shared/payload-path.js';

function request(overrides: Partial<FilterInput> = {}): FilterInput {
  return { method: 'POST', headers: {}, payload: undefined, ...overrides };
}

const PUSH = {
  action: 'opened',
  count: 42,
  draft: false,
  merged_by: null,
  labels: [{ name: 'bug' }, { name: 'urgent' }],
  repository: { name: 'my-repo-api', owner: { login: 'octo' } },
};

describe('compileFilters()', () => {
  it('lets everything through without filters', () => {
    const passes = compileFilters(undefined);

    expect(passes(request({ method: 'GET', payload: 'anything' }))).toBe(true);
  });

  it('lets everything through with an empty filter block', () => {
    expect(compileFilters({})(request())).toBe(true);
  });

  describe('methods', () => {
    it.each([
      { methods: ['POST'], method: 'POST', passes: true },
      { methods: ['POST', 'PUT'], method: 'PUT', passes: true },
      { methods: ['post'], method: 'POST', passes: true },
      { methods: ['POST'], method: 'GET', passes: false },
    ])('with $methods, a $method request passes: $passes', ({ methods, method, passes }) => {
      // Arrange
      const filter = compileFilters({ methods });

      // Act
      const result = filter(request({ method }));

      // Assert
      expect(result).toBe(passes);
    });
  });

  describe('headers', () => {
    const filter = compileFilters({ headers: { 'x-github-event': '^(push|pull_request)$' } });

    it.each([
      ['push', true],
      ['pull_request', true],
      ['issues', false],
      ['push_event', false],
      ['', false],
    ])('with x-github-event %j passes: %s', (value, passes) => {
      expect(filter(request({ headers: { 'x-github-event': value } }))).toBe(passes);
    });

    it('fails a request without the header', () => {
      expect(filter(request({ headers: { 'x-other': 'push' } }))).toBe(false);
    });

    it('fails a request whose header is undefined', () => {
      expect(filter(request({ headers: { 'x-github-event': undefined } }))).toBe(false);
    });

    it('matches an unanchored expression anywhere in the value', () => {
      const unanchored = compileFilters({ headers: { 'x-event': 'push' } });

      expect(unanchored(request({ headers: { 'x-event': 'git-push-event' } }))).toBe(true);
    });

    it('looks up a configured mixed-case header name in lower case', () => {
      const mixed = compileFilters({ headers: { 'X-GitHub-Event': '^push$' } });

      expect(mixed(request({ headers: { 'x-github-event': 'push' } }))).toBe(true);
    });

    it('requires every header filter to match', () => {
      const both = compileFilters({ headers: { 'x-a': '^1$', 'x-b': '^2$' } });

      expect(both(request({ headers: { 'x-a': '1', 'x-b': '2' } }))).toBe(true);
      expect(both(request({ headers: { 'x-a': '1', 'x-b': '3' } }))).toBe(false);
    });

    it('gives the same answer on repeated calls (no global regex state)', () => {
      const sticky = compileFilters({ headers: { 'x-a': 'a' } });
      const headers = { 'x-a': 'a' };

      expect([1, 2, 3].map(() => sticky(request({ headers })))).toEqual([true, true, true]);
    });
  });

  describe('payload', () => {
    it.each([
      { path: 'action', pattern: 'opened', passes: true },
      { path: 'action', pattern: 'closed', passes: false },
      { path: 'action', pattern: 'open', passes: false },
      { path: 'action', pattern: 'open*', passes: true },
      { path: 'action', pattern: '*ened', passes: true },
      { path: 'action', pattern: 'op?ned', passes: true },
      { path: 'action', pattern: 'op?ed', passes: false },
      { path: 'repository.name', pattern: 'my-repo*', passes: true },
      { path: 'repository.name', pattern: 'other-repo*', passes: false },
      { path: 'repository.owner.login', pattern: 'octo', passes: true },
      { path: 'labels.1.name', pattern: 'urgent', passes: true },
      { path: 'labels.2.name', pattern: '*', passes: false },
      { path: 'count', pattern: '42', passes: true },
      { path: 'count', pattern: '4?', passes: true },
      { path: 'draft', pattern: 'false', passes: true },
      { path: 'merged_by', pattern: 'null', passes: true },
      { path: 'repository.owner', pattern: '{"login":"octo"}', passes: true },
      { path: 'repository.owner', pattern: '*octo*', passes: true },
      { path: 'missing', pattern: '*', passes: false },
      { path: 'action.length', pattern: '*', passes: false },
      { path: 'repository.name.first', pattern: '*', passes: false },
    ])('$path matched against $pattern passes: $passes', ({ path, pattern, passes }) => {
      // Arrange
      const filter = compileFilters({ payload: { [path]: pattern } });

      // Act
      const result = filter(request({ payload: PUSH }));

      // Assert
      expect(result).toBe(passes);
    });

    it.each([undefined, null, 'text', 42])('fails a payload %j that is not an object', (payload) => {
      const filter = compileFilters({ payload: { action: '*' } });

      expect(filter(request({ payload }))).toBe(false);
    });

    it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
      'fails a payload that lacks the inherited property name %j',
      (path) => {
        const filter = compileFilters({ payload: { [path]: '*' } });

        expect(filter(request({ payload: { action: 'opened' } }))).toBe(false);
      },
    );

    it('requires every payload filter to match', () => {
      const filter = compileFilters({ payload: { action: 'opened', 'repository.name': 'nope' } });

      expect(filter(request({ payload: PUSH }))).toBe(false);
    });

    it('combines methods, headers and payload', () => {
      const filter = compileFilters({
        methods: ['POST'],
        headers: { 'x-github-event': '^pull_request$' },
        payload: { action: 'opened' },
      });
      const headers = { 'x-github-event': 'pull_request' };

      expect(filter(request({ headers, payload: PUSH }))).toBe(true);
      expect(filter(request({ method: 'PUT', headers, payload: PUSH }))).toBe(false);
      expect(filter(request({ headers: {}, payload: PUSH }))).toBe(false);
      expect(filter(request({ headers, payload: { action: 'closed' } }))).toBe(false);
    });
  });
});

describe('wildcardToRegExp()', () => {
  it.each([
    { pattern: '*', text: '', matches: true },
    { pattern: '*', text: 'line one\nline two', matches: true },
    { pattern: '?', text: '', matches: false },
    { pattern: '?', text: '\n', matches: true },
    { pattern: 'a*c', text: 'abbbc', matches: true },
    { pattern: 'a*c', text: 'abbbcd', matches: false },
    { pattern: 'a?c', text: 'abc', matches: true },
    { pattern: 'a?c', text: 'abbc', matches: false },
    { pattern: 'abc', text: 'xabcx', matches: false },
  ])('$pattern matches $text: $matches', ({ pattern, text, matches }) => {
    expect(wildcardToRegExp(pattern).test(text)).toBe(matches);
  });

  it.each([
    { pattern: 'a.b', same: 'a.b', other: 'axb' },
    { pattern: 'a+b', same: 'a+b', other: 'aab' },
    { pattern: '(x)', same: '(x)', other: 'x' },
    { pattern: '[ab]', same: '[ab]', other: 'a' },
    { pattern: 'x{2}', same: 'x{2}', other: 'xx' },
    { pattern: 'a|b', same: 'a|b', other: 'a' },
    { pattern: '^a$', same: '^a$', other: 'a' },
    { pattern: 'a\\d', same: 'a\\d', other: 'a1' },
    { pattern: 'a\\', same: 'a\\', other: 'a' },
  ])('treats the metacharacters in $pattern literally', ({ pattern, same, other }) => {
    const regex = wildcardToRegExp(pattern);

    expect(regex.test(same)).toBe(true);
    expect(regex.test(other)).toBe(false);
  });

  it('matches a literal pattern (no * or ?) only against itself', () => {
    const literal = fc.string({ maxLength: 20 }).filter((text) => !/[*?]/.test(text));
    fc.assert(
      fc.property(literal, fc.string({ maxLength: 20 }), (pattern, other) => {
        const regex = wildcardToRegExp(pattern);

        expect(regex.test(pattern)).toBe(true);
        expect(regex.test(other)).toBe(other === pattern);
      }),
    );
  });

  it('compiles any pattern without throwing, and a lone * matches any text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (pattern, text) => {
        expect(() => wildcardToRegExp(pattern)).not.toThrow();
        expect(wildcardToRegExp('*').test(text)).toBe(true);
      }),
    );
  });

  it('matches a prefix pattern exactly when the text starts with the prefix', () => {
    const prefix = fc.string({ maxLength: 10 }).filter((text) => !/[*?]/.test(text));
    fc.assert(
      fc.property(prefix, fc.string({ maxLength: 20 }), (start, text) => {
        expect(wildcardToRegExp(`${start}*`).test(text)).toBe(text.startsWith(start));
      }),
    );
  });
});

describe('compileSourceIpCheck()', () => {
  it('allows every address (and none) without an allow-list', () => {
    const allowed = compileSourceIpCheck(undefined);

    expect(allowed('203.0.113.9')).toBe(true);
    expect(allowed(undefined)).toBe(true);
  });

  describe('with IPv4 and IPv6 CIDRs', () => {
    const allowed = compileSourceIpCheck(['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/32']);

    it.each([
      ['203.0.113.0', true],
      ['203.0.113.255', true],
      ['203.0.114.1', false],
      ['198.51.100.7', true],
      ['198.51.100.8', false],
      ['2001:db8::1', true],
      ['2001:db8:ffff:ffff::1', true],
      ['2001:db9::1', false],
      ['::1', false],
      ['::ffff:203.0.113.5', true],
    ])('checks %s: %s', (ip, expected) => {
      expect(allowed(ip)).toBe(expected);
    });

    it.each([undefined, '', 'not-an-ip', '203.0.113', '203.0.113.1/32', '2001:db8::zz', ' 203.0.113.1'])(
      'rejects the source address %j',
      (ip) => {
        expect(allowed(ip)).toBe(false);
      },
    );
  });

  it('allows everyone with 0.0.0.0/0 and ::/0', () => {
    const allowed = compileSourceIpCheck(['0.0.0.0/0', '::/0']);

    expect(allowed('192.0.2.1')).toBe(true);
    expect(allowed('2001:db8::1')).toBe(true);
    expect(allowed('junk')).toBe(false);
  });

  it('rejects an IPv6 address against an IPv4-only list', () => {
    const allowed = compileSourceIpCheck(['10.0.0.0/8']);

    expect(allowed('2001:db8::a')).toBe(false);
  });

  it('masks host bits set in a CIDR', () => {
    const allowed = compileSourceIpCheck(['203.0.113.77/24']);

    expect(allowed('203.0.113.1')).toBe(true);
    expect(allowed('203.0.112.1')).toBe(false);
  });

  it('rejects every IPv4 address outside a /24', () => {
    const allowed = compileSourceIpCheck(['192.0.2.0/24']);
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(octet, octet, octet, octet, (a, b, c, d) => {
        expect(allowed(`${a}.${b}.${c}.${d}`)).toBe(a === 192 && b === 0 && c === 2);
      }),
    );
  });
});
