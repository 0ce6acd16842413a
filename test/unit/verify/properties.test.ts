import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  GithubVerifyConfig,
  HmacAlgorithm,
  HmacVerifyConfig,
  ShopifyVerifyConfig,
  SignatureEncoding,
  SlackVerifyConfig,
  StripeVerifyConfig,
} from '../../../shared/config/types.js';
import { verifyGithub } from '../../../shared/verify/github.js';
import { verifyHmac } from '../../../shared/verify/hmac.js';
import { verifyNone } from '../../../shared/verify/none.js';
import { verifyShopify } from '../../../shared/verify/shopify.js';
import { verifySlack } from '../../../shared/verify/slack.js';
import { verifyStripe } from '../../../shared/verify/stripe.js';
import type { VerificationInput, VerificationResult } from '../../../shared/verify/types.js';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const TS = String(Math.floor(NOW.getTime() / 1000));
const SECRET_REF = { name: 'SECRET' };

/** A scheme under test: how to sign a body (independently, with node:crypto) and how to verify it. */
interface Scheme {
  readonly name: string;
  readonly encoding: SignatureEncoding;
  /** Headers for a correctly signed request, given the MAC's raw bytes as the signature. */
  readonly headers: (signature: Uint8Array) => Record<string, string>;
  readonly mac: (secret: string, body: Uint8Array) => Uint8Array;
  readonly verify: (input: VerificationInput) => VerificationResult;
}

function mac(algorithm: HmacAlgorithm, secret: string, ...parts: (string | Uint8Array)[]): Uint8Array {
  const hmac = createHmac(algorithm, secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

function encode(bytes: Uint8Array, encoding: SignatureEncoding): string {
  return Buffer.from(bytes).toString(encoding);
}

const github: GithubVerifyConfig = { scheme: 'github', secret: SECRET_REF, allowSha1: true };
const stripe: StripeVerifyConfig = { scheme: 'stripe', secret: SECRET_REF };
const slack: SlackVerifyConfig = { scheme: 'slack', secret: SECRET_REF };
const shopify: ShopifyVerifyConfig = { scheme: 'shopify', secret: SECRET_REF };
const hmacSha512: HmacVerifyConfig = {
  scheme: 'hmac',
  secret: SECRET_REF,
  header: 'x-sig',
  algorithm: 'sha512',
  encoding: 'base64',
  prefix: 'v1=',
};
const hmacTimestamped: HmacVerifyConfig = {
  scheme: 'hmac',
  secret: SECRET_REF,
  header: 'x-sig',
  algorithm: 'sha1',
  timestampHeader: 'x-ts',
  signedContent: '{timestamp}:{body}',
};

const SCHEMES: readonly Scheme[] = [
  {
    name: 'github sha256',
    encoding: 'hex',
    headers: (s) => ({ 'x-hub-signature-256': `sha256=${encode(s, 'hex')}` }),
    mac: (secret, body) => mac('sha256', secret, body),
    verify: (input) => verifyGithub(input, github),
  },
  {
    name: 'github sha1',
    encoding: 'hex',
    headers: (s) => ({ 'x-hub-signature': `sha1=${encode(s, 'hex')}` }),
    mac: (secret, body) => mac('sha1', secret, body),
    verify: (input) => verifyGithub(input, github),
  },
  {
    name: 'stripe',
    encoding: 'hex',
    headers: (s) => ({ 'stripe-signature': `t=${TS},v1=${encode(s, 'hex')}` }),
    mac: (secret, body) => mac('sha256', secret, `${TS}.`, body),
    verify: (input) => verifyStripe(input, stripe),
  },
  {
    name: 'slack',
    encoding: 'hex',
    headers: (s) => ({ 'x-slack-signature': `v0=${encode(s, 'hex')}`, 'x-slack-request-timestamp': TS }),
    mac: (secret, body) => mac('sha256', secret, `v0:${TS}:`, body),
    verify: (input) => verifySlack(input, slack),
  },
  {
    name: 'shopify',
    encoding: 'base64',
    headers: (s) => ({ 'x-shopify-hmac-sha256': encode(s, 'base64') }),
    mac: (secret, body) => mac('sha256', secret, body),
    verify: (input) => verifyShopify(input, shopify),
  },
  {
    name: 'hmac sha512 base64 with prefix',
    encoding: 'base64',
    headers: (s) => ({ 'x-sig': `v1=${encode(s, 'base64')}` }),
    mac: (secret, body) => mac('sha512', secret, body),
    verify: (input) => verifyHmac(input, hmacSha512),
  },
  {
    name: 'hmac sha1 hex with timestamp template',
    encoding: 'hex',
    headers: (s) => ({ 'x-sig': encode(s, 'hex'), 'x-ts': TS }),
    mac: (secret, body) => mac('sha1', secret, `${TS}:`, body),
    verify: (input) => verifyHmac(input, hmacTimestamped),
  },
];

const body = fc.uint8Array({ maxLength: 512 });
const secret = fc.string({ minLength: 1, maxLength: 64 });
/** A position (taken modulo the length) and a non-zero XOR mask for one byte. */
const tamper = fc.record({ position: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) });

function flipByte(bytes: Uint8Array, { position, mask }: { position: number; mask: number }): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const index = position % copy.length;
  copy[index] = (copy[index] ?? 0) ^ mask;
  return copy;
}

function request(bytes: Uint8Array, headers: Record<string, string | undefined>, secrets: readonly string[]) {
  return { body: bytes, headers, secrets, now: NOW };
}

describe.each(SCHEMES)('$name verifier (property)', (scheme) => {
  it('accepts any body signed with any of the secrets', () => {
    fc.assert(
      fc.property(
        body,
        fc.array(secret, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (bytes, secrets, pick) => {
          // Arrange
          const index = pick % secrets.length;
          const signer = secrets[index] ?? '';
          const headers = scheme.headers(scheme.mac(signer, bytes));

          // Act
          const result = scheme.verify(request(bytes, headers, secrets));

          // Assert
          expect(result.ok).toBe(true);
          // Duplicate secrets match at their first index.
          if (result.ok) expect(result.keyId).toBe(String(secrets.indexOf(signer)));
        },
      ),
    );
  });

  it('rejects a body with any single byte changed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), secret, tamper, (bytes, key, change) => {
        const headers = scheme.headers(scheme.mac(key, bytes));

        const result = scheme.verify(request(flipByte(bytes, change), headers, [key]));

        expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
      }),
    );
  });

  it('rejects a signature with any single byte changed', () => {
    fc.assert(
      fc.property(body, secret, tamper, (bytes, key, change) => {
        const headers = scheme.headers(flipByte(scheme.mac(key, bytes), change));

        const result = scheme.verify(request(bytes, headers, [key]));

        expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
      }),
    );
  });

  it('rejects a signature with any single character of its header changed', () => {
    fc.assert(
      fc.property(body, secret, fc.nat(), fc.integer({ min: 1, max: 0x7f }), (bytes, key, position, mask) => {
        const headers = scheme.headers(scheme.mac(key, bytes));
        const [name, value] = Object.entries(headers)[0] ?? ['', ''];
        const index = position % value.length;
        const changed = String.fromCharCode((value.charCodeAt(index) ^ mask) & 0x7f);
        const tampered = `${value.slice(0, index)}${changed}${value.slice(index + 1)}`;
        // Hex is accepted in either case, so a pure case change is the same signature.
        fc.pre(tampered.toLowerCase() !== value.toLowerCase() || scheme.encoding === 'base64');

        const result = scheme.verify(request(bytes, { ...headers, [name]: tampered }, [key]));

        expect(result.ok).toBe(false);
      }),
    );
  });

  it('rejects a signature made with a different secret', () => {
    fc.assert(
      fc.property(body, secret, secret, (bytes, key, other) => {
        fc.pre(key !== other);
        const headers = scheme.headers(scheme.mac(other, bytes));

        const result = scheme.verify(request(bytes, headers, [key]));

        expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
      }),
    );
  });
});

const VERIFIERS: readonly [string, (input: VerificationInput) => VerificationResult][] = [
  ['github', (input) => verifyGithub(input, github)],
  ['stripe', (input) => verifyStripe(input, stripe)],
  ['slack', (input) => verifySlack(input, slack)],
  ['shopify', (input) => verifyShopify(input, shopify)],
  ['hmac sha512 base64', (input) => verifyHmac(input, hmacSha512)],
  ['hmac timestamped', (input) => verifyHmac(input, hmacTimestamped)],
  ['none', (input) => verifyNone(input, { scheme: 'none' })],
];

const HEADER_NAMES = [
  'x-hub-signature-256',
  'x-hub-signature',
  'stripe-signature',
  'x-slack-signature',
  'x-slack-request-timestamp',
  'x-shopify-hmac-sha256',
  'x-sig',
  'x-ts',
];

/** Header values that look almost right as well as arbitrary text. */
const headerValue = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.stringMatching(/^(sha256=|sha1=|v0=|v1=)?[0-9a-fA-F]{0,130}$/),
  fc.stringMatching(/^[A-Za-z0-9+/]{0,90}={0,3}$/),
  fc.stringMatching(/^(t=-?[0-9.]{0,20},?|v[01]=[0-9a-f]{0,70},?|[a-z]{0,3}=?,?){0,6}$/),
  fc.nat().map(String),
  fc.constant(TS),
);

const headers = fc.dictionary(
  fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.string({ maxLength: 20 })),
  headerValue,
  {
    maxKeys: 8,
  },
);

const now = fc.oneof(fc.constant(NOW), fc.date({ noInvalidDate: false }));

function isResult(result: VerificationResult): boolean {
  return typeof result === 'object' && result !== null && typeof result.ok === 'boolean';
}

describe.each(VERIFIERS)('%s verifier on random input (property)', (_name, verify) => {
  it('never throws and always returns a result', () => {
    fc.assert(
      fc.property(
        body,
        headers,
        fc.array(fc.string({ maxLength: 40 }), { maxLength: 3 }),
        now,
        (b, h, s, n) => {
          const result = verify({ body: b, headers: h, secrets: s, now: n });

          expect(isResult(result)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('verifyHmac() with random options (property)', () => {
  const options = fc.record(
    {
      algorithm: fc.constantFrom<HmacAlgorithm>('sha1', 'sha256', 'sha512'),
      encoding: fc.constantFrom<SignatureEncoding>('hex', 'base64'),
      header: fc.oneof(
        fc.constantFrom(...HEADER_NAMES, 'constructor', '__proto__'),
        fc.string({ maxLength: 20 }),
      ),
      prefix: fc.string({ maxLength: 8 }),
      timestampHeader: fc.oneof(fc.constantFrom('x-ts', 'toString'), fc.string({ maxLength: 20 })),
      toleranceSeconds: fc.double(),
      signedContent: fc.oneof(
        fc.constantFrom(
          '{body}',
          '{timestamp}.{body}',
          '{timestamp}:{body}',
          '{timestamp}',
          '',
          '{body}{body}',
        ),
        fc.string({ maxLength: 30 }),
      ),
    },
    { requiredKeys: ['header'] },
  );

  it('never throws and always returns a result', () => {
    fc.assert(
      fc.property(
        body,
        headers,
        fc.array(fc.string({ maxLength: 40 }), { maxLength: 3 }),
        now,
        options,
        (b, h, s, n, o) => {
          const result = verifyHmac(
            { body: b, headers: h, secrets: s, now: n },
            { scheme: 'hmac', secret: SECRET_REF, ...o },
          );

          expect(isResult(result)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
