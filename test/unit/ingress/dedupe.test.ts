import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DedupeConfig, VerifyConfig } from '../../../shared/config/types.js';
import { type DedupeInput, dedupeKey } from '../../../shared/ingress/dedupe.js';
import { makeRoute } from '../../helpers/routes.js';

const SECRET = { name: 'WEBHOOK_SECRET' };
const VERIFY = {
  github: { scheme: 'github', secret: SECRET },
  standardWebhooks: { scheme: 'standardWebhooks', secret: SECRET },
  stripe: { scheme: 'stripe', secret: SECRET },
  shopify: { scheme: 'shopify', secret: SECRET },
  slack: { scheme: 'slack', secret: SECRET },
  hmac: { scheme: 'hmac', secret: SECRET, header: 'x-signature' },
  jwt: { scheme: 'jwt', secret: SECRET },
  none: { scheme: 'none' },
} as const satisfies Record<string, VerifyConfig>;

const BODY = new TextEncoder().encode('{"id":"evt_1","event_id":"Ev1"}');

function routeFor(verify: VerifyConfig, dedupe: Partial<DedupeConfig> = {}) {
  return makeRoute({ verify, dedupe: { source: 'scheme', windowSeconds: 86_400, ...dedupe } });
}

function input(overrides: Partial<DedupeInput> = {}): DedupeInput {
  return { headers: {}, body: BODY, payload: undefined, ...overrides };
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('dedupeKey()', () => {
  it('keeps only a hash of the delivery id on a route that redacts (the id may be what it redacts)', () => {
    const route = makeRoute({
      verify: VERIFY.github,
      dedupe: { source: 'scheme', windowSeconds: 86_400 },
      redact: { headers: ['x-github-delivery'] },
    });

    const result = dedupeKey(route, input({ headers: { 'x-github-delivery': 'd-1' } }));

    expect(result).toBe(`github:sha256:${sha256('d-1')}`);
  });

  describe('with source scheme', () => {
    describe.each([
      {
        verify: VERIFY.github,
        headers: { 'x-github-delivery': 'd-1' },
        payload: undefined,
        key: 'github:d-1',
      },
      {
        verify: VERIFY.standardWebhooks,
        headers: { 'webhook-id': 'msg_1' },
        payload: undefined,
        key: 'webhook:msg_1',
      },
      {
        verify: VERIFY.standardWebhooks,
        headers: { 'svix-id': 'msg_2' },
        payload: undefined,
        key: 'webhook:msg_2',
      },
      { verify: VERIFY.stripe, headers: {}, payload: { id: 'evt_1' }, key: 'stripe:evt_1' },
      {
        verify: VERIFY.shopify,
        headers: { 'x-shopify-webhook-id': 's-1' },
        payload: undefined,
        key: 'shopify:s-1',
      },
      { verify: VERIFY.slack, headers: {}, payload: { event_id: 'Ev1' }, key: 'slack:Ev1' },
    ])('on a $verify.scheme route', ({ verify, headers, payload, key }) => {
      it(`uses the provider delivery id (${key})`, () => {
        // Arrange
        const route = routeFor(verify);

        // Act
        const result = dedupeKey(route, input({ headers, payload }));

        // Assert
        expect(result).toBe(key);
      });

      it('prefers the provider id over x-idempotency-key', () => {
        const route = routeFor(verify);

        const result = dedupeKey(
          route,
          input({ headers: { ...headers, 'x-idempotency-key': 'idem-1' }, payload }),
        );

        expect(result).toBe(key);
      });

      it('falls back to x-idempotency-key without a provider id', () => {
        const route = routeFor(verify);

        const result = dedupeKey(route, input({ headers: { 'x-idempotency-key': 'idem-1' } }));

        expect(result).toBe('idempotency:idem-1');
      });

      it('falls back to the body hash without any id', () => {
        const route = routeFor(verify);

        const result = dedupeKey(route, input());

        expect(result).toBe(`body:sha256:${sha256(BODY)}`);
      });
    });

    it('prefers webhook-id over svix-id', () => {
      const route = routeFor(VERIFY.standardWebhooks);

      const result = dedupeKey(route, input({ headers: { 'webhook-id': 'msg_a', 'svix-id': 'msg_b' } }));

      expect(result).toBe('webhook:msg_a');
    });

    it.each([
      { name: 'a numeric id', payload: { id: 42 } },
      { name: 'a null payload', payload: null },
      { name: 'a string payload', payload: 'evt_1' },
      { name: 'an id nested deeper', payload: { data: { id: 'evt_1' } } },
    ])('ignores a stripe payload with $name', ({ payload }) => {
      const route = routeFor(VERIFY.stripe);

      const result = dedupeKey(route, input({ payload }));

      expect(result).toBe(`body:sha256:${sha256(BODY)}`);
    });

    it('does not read provider ids from other schemes', () => {
      const route = routeFor(VERIFY.github);
      const headers = { 'webhook-id': 'msg_1', 'x-shopify-webhook-id': 's-1' };

      const result = dedupeKey(route, input({ headers, payload: { id: 'evt_1', event_id: 'Ev1' } }));

      expect(result).toBe(`body:sha256:${sha256(BODY)}`);
    });

    it.each([VERIFY.hmac, VERIFY.jwt, VERIFY.none])('uses x-idempotency-key on a $scheme route', (verify) => {
      const route = routeFor(verify);

      const result = dedupeKey(
        route,
        input({ headers: { 'x-idempotency-key': 'idem-9', 'x-github-delivery': 'd' } }),
      );

      expect(result).toBe('idempotency:idem-9');
    });

    it('trims whitespace around an id', () => {
      const route = routeFor(VERIFY.github);

      expect(dedupeKey(route, input({ headers: { 'x-github-delivery': '  d-1 \t' } }))).toBe('github:d-1');
    });

    it.each(['', '   '])('treats the blank id %j as missing', (id) => {
      const route = routeFor(VERIFY.github);

      const result = dedupeKey(
        route,
        input({ headers: { 'x-github-delivery': id, 'x-idempotency-key': id } }),
      );

      expect(result).toBe(`body:sha256:${sha256(BODY)}`);
    });
  });

  describe('with source header', () => {
    it('reads the configured header', () => {
      const route = routeFor(VERIFY.github, { source: 'header', header: 'x-delivery' });

      const result = dedupeKey(
        route,
        input({ headers: { 'x-delivery': 'abc', 'x-github-delivery': 'd-1' } }),
      );

      expect(result).toBe('header:abc');
    });

    it('falls back to x-idempotency-key, then the body hash, when the header is missing', () => {
      const route = routeFor(VERIFY.github, { source: 'header', header: 'x-delivery' });

      expect(dedupeKey(route, input({ headers: { 'x-idempotency-key': 'k' } }))).toBe('idempotency:k');
      expect(dedupeKey(route, input())).toBe(`body:sha256:${sha256(BODY)}`);
    });
  });

  describe('with source bodyHash', () => {
    it('hashes the body even when ids are present', () => {
      const route = routeFor(VERIFY.github, { source: 'bodyHash' });

      const result = dedupeKey(
        route,
        input({ headers: { 'x-github-delivery': 'd-1', 'x-idempotency-key': 'k' } }),
      );

      expect(result).toBe(`body:sha256:${sha256(BODY)}`);
    });

    it('hashes an empty body', () => {
      const route = routeFor(VERIFY.none, { source: 'bodyHash' });

      expect(dedupeKey(route, input({ body: new Uint8Array(0) }))).toBe(`body:sha256:${sha256('')}`);
    });
  });

  describe('with source none', () => {
    it('returns undefined whatever the request holds', () => {
      const route = routeFor(VERIFY.github, { source: 'none' });

      const result = dedupeKey(
        route,
        input({ headers: { 'x-github-delivery': 'd-1', 'x-idempotency-key': 'k' } }),
      );

      expect(result).toBeUndefined();
    });
  });

  describe('long ids', () => {
    it('keeps a key of exactly 256 characters', () => {
      const id = 'a'.repeat(256 - 'github:'.length);
      const route = routeFor(VERIFY.github);

      const result = dedupeKey(route, input({ headers: { 'x-github-delivery': id } }));

      expect(result).toBe(`github:${id}`);
      expect(result).toHaveLength(256);
    });

    it('hashes a key longer than 256 characters', () => {
      const id = 'a'.repeat(256 - 'github:'.length + 1);
      const route = routeFor(VERIFY.github);

      const result = dedupeKey(route, input({ headers: { 'x-github-delivery': id } }));

      expect(result).toBe(`github:sha256:${sha256(id)}`);
    });

    it('never returns a key longer than 256 characters', () => {
      const route = routeFor(VERIFY.standardWebhooks);
      fc.assert(
        fc.property(fc.string({ minLength: 1, maxLength: 2000 }), (id) => {
          const result = dedupeKey(route, input({ headers: { 'webhook-id': id } }));

          expect((result ?? '').length).toBeLessThanOrEqual(256);
          expect(result).toMatch(/^(webhook|body):/);
        }),
      );
    });

    it('gives different long ids different keys', () => {
      const route = routeFor(VERIFY.github);
      const first = dedupeKey(route, input({ headers: { 'x-github-delivery': `${'x'.repeat(300)}1` } }));
      const second = dedupeKey(route, input({ headers: { 'x-github-delivery': `${'x'.repeat(300)}2` } }));

      expect(first).not.toBe(second);
    });
  });

  describe('body hash keys', () => {
    const route = routeFor(VERIFY.none, { source: 'bodyHash' });

    it('gives the same body the same key', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
          const copy = Uint8Array.from(bytes);

          expect(dedupeKey(route, input({ body: bytes }))).toBe(dedupeKey(route, input({ body: copy })));
        }),
      );
    });

    it('gives different bodies different keys', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), fc.uint8Array({ maxLength: 256 }), (a, b) => {
          fc.pre(Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0);

          expect(dedupeKey(route, input({ body: a }))).not.toBe(dedupeKey(route, input({ body: b })));
        }),
      );
    });

    it('hashes only the bytes of a body view, not its whole buffer', () => {
      const backing = new Uint8Array([1, 2, 3, 4, 5, 6]);
      const view = backing.subarray(2, 4);

      expect(dedupeKey(route, input({ body: view }))).toBe(`body:sha256:${sha256(new Uint8Array([3, 4]))}`);
    });
  });
});
