/**
 * The test matrix of the schemes whose only check is an HMAC of the raw body in one header
 * (`<header>: <prefix><digest>`): what every such verifier must accept, reject and never leak, and
 * what its signer must produce. The expected signatures are computed here with node:crypto from the
 * provider's documented rule, never with the code under test.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { VerifyScheme } from '../../shared/config/types.js';
import { CannotSignError, type SchemeConfig, type SchemeDefinition } from '../../shared/verify/scheme.js';
import type { VerificationInput, VerificationResult } from '../../shared/verify/types.js';
import { verificationRequest } from './verify-requests.js';

/** A body-signature scheme under test and the rule its provider documents. */
export interface BodySignatureScheme<S extends VerifyScheme> {
  readonly scheme: S;
  readonly definition: SchemeDefinition<S>;
  readonly verify: (input: VerificationInput) => VerificationResult;
  readonly options: SchemeConfig<S>;
  /** Lower-cased header name. */
  readonly header: string;
  /** Text before the digest (`sha256=`), or empty. */
  readonly prefix: string;
  readonly algorithm: 'sha1' | 'sha256';
  readonly encoding: 'hex' | 'base64';
  readonly secret: string;
  /** A realistic payload, non-ASCII included. */
  readonly payload: string;
  /** Where the ids come from, when the scheme takes both from the payload. */
  readonly ids?: {
    /** How the test names the fields, e.g. '`event_id` and the event type from `event_type`'. */
    readonly fields: string;
    readonly deliveryId: string;
    readonly eventType: string;
  };
}

const NOW = new Date('2026-01-15T12:00:00.000Z');
const OTHER_PREFIX: Readonly<Record<string, string>> = { 'sha1=': 'sha256=', 'sha256=': 'sha1=' };

type Mangle = (signature: string) => string;

/** The spellings of a valid header value that are not the provider's format, by what is wrong. */
function malformedCases<S extends VerifyScheme>(rule: BodySignatureScheme<S>): [string, Mangle][] {
  const { prefix, encoding, algorithm } = rule;
  const digest = (s: string) => s.slice(prefix.length);
  const cases: [string, Mangle][] =
    prefix === ''
      ? [['with a sha1= prefix', (s) => `sha1=${s}`]]
      : [
          [`without the ${prefix} prefix`, digest],
          ['that is empty after the prefix', () => prefix],
          [`with a ${OTHER_PREFIX[prefix]} prefix`, (s) => s.replace(prefix, OTHER_PREFIX[prefix] ?? '')],
        ];
  if (encoding === 'hex') {
    if (algorithm === 'sha1') {
      cases.push(['with a sha256-length digest', (s) => `${s}${s.slice(prefix.length, prefix.length + 24)}`]);
    }
    cases.push(
      ['with non-hex characters', (s) => `${s.slice(0, -1)}g`],
      ['in base64 instead of hex', (s) => `${prefix}${Buffer.from(digest(s), 'hex').toString('base64')}`],
    );
  } else {
    cases.push(
      ['in hex instead of base64', (s) => `${prefix}${Buffer.from(digest(s), 'base64').toString('hex')}`],
      [
        'in base64url instead of base64',
        (s) => `${prefix}${Buffer.from(digest(s), 'base64').toString('base64url')}`,
      ],
      ['without its base64 padding', (s) => s.replace(/=+$/, '')],
    );
  }
  cases.push(
    ['that is truncated (partial)', (s) => s.slice(0, -4)],
    ['that is too long', (s) => `${s}AAAA`],
    ['sent twice (two headers joined with a comma)', (s) => `${s},${s}`],
    ['with surrounding spaces', (s) => ` ${s}`],
  );
  return cases;
}

/**
 * Describes `verify<Scheme>()`, `<scheme>Scheme.sign()` and (with `ids`) the scheme's ids for a
 * body-signature scheme: valid, rotated, tampered, missing, malformed and leaking cases.
 */
export function describeBodySignature<S extends VerifyScheme>(rule: BodySignatureScheme<S>): void {
  const { scheme, definition, verify, options, header, prefix, secret, payload } = rule;

  /** The provider's signature, computed independently of the code under test. */
  const providerSignature = (key: string, body: string | Uint8Array) =>
    `${prefix}${createHmac(rule.algorithm, key).update(body).digest(rule.encoding)}`;
  const signed = (body: string | Uint8Array, key = secret) => ({ [header]: providerSignature(key, body) });
  const request = (
    body: string | Uint8Array,
    headers: Record<string, string | undefined>,
    secrets: readonly string[] = [secret],
  ) => verificationRequest(body, headers, { secrets, now: NOW });
  const toSign = (body: string, key = secret) => ({
    method: 'POST',
    url: 'https://hooks.example.com/in',
    body,
    secret: key,
    now: NOW,
    deliveryId: 'd-1',
  });
  /** The signature with one digest character changed to another valid one. */
  const tamper = (signature: string) => {
    const at = prefix.length + 5;
    return `${signature.slice(0, at)}${signature[at] === '0' ? '1' : '0'}${signature.slice(at + 1)}`;
  };

  describe(`verify ${scheme}`, () => {
    it('accepts a request signed by the documented rule', () => {
      expect(verify(request(payload, signed(payload)))).toEqual({ ok: true, scheme, keyId: '0' });
    });

    it('accepts an empty body', () => {
      expect(verify(request('', signed(''))).ok).toBe(true);
    });

    it('accepts a binary (non-UTF-8) body byte for byte', () => {
      const body = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);

      expect(verify(request(body, signed(body))).ok).toBe(true);
    });

    if (rule.encoding === 'hex') {
      it('accepts a signature written in upper-case hex', () => {
        const signature = providerSignature(secret, payload);
        const upper = `${prefix}${signature.slice(prefix.length).toUpperCase()}`;

        expect(verify(request(payload, { [header]: upper })).ok).toBe(true);
      });
    }

    it('reports the index of the rotated secret that matched', () => {
      const input = request(payload, signed(payload, 'new secret'), ['old secret', 'new secret']);

      expect(verify(input)).toEqual({ ok: true, scheme, keyId: '1' });
    });

    it.each([
      ['a tampered body', () => request(`${payload} `, signed(payload))],
      [
        'a tampered signature',
        () => request(payload, { [header]: tamper(providerSignature(secret, payload)) }),
      ],
      ['a signature made with another secret', () => request(payload, signed(payload, 'not the secret'))],
    ])('rejects %s as a mismatch', (_case, input) => {
      expect(verify(input())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('rejects a request without a signature header', () => {
      expect(verify(request(payload, {}))).toMatchObject({ ok: false, reason: 'missing_signature' });
    });

    it.each([[[]], [['']]])('rejects every request when the secrets are %j', (secrets) => {
      expect(verify(request(payload, signed(payload), secrets))).toMatchObject({
        ok: false,
        reason: 'missing_secret',
      });
    });

    it.each(malformedCases(rule))('rejects a signature %s as malformed', (_case, mangle) => {
      const input = request(payload, { [header]: mangle(providerSignature(secret, payload)) });

      expect(verify(input)).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });

    it('never puts the secret or the expected signature in the failure detail', () => {
      const expected = providerSignature(secret, payload).slice(prefix.length);

      const text = JSON.stringify(verify(request(payload, signed(payload, 'wrong'))));

      expect(text).not.toContain(secret);
      expect(text).not.toContain(expected);
    });
  });

  describe(`${scheme}Scheme.sign()`, () => {
    it('signs as the provider does, and the verifier accepts it', async () => {
      const result = await definition.sign?.(toSign(payload), options);

      expect(result?.headers[header]).toBe(providerSignature(secret, payload));
      expect(verify(request(payload, result?.headers ?? {}))).toMatchObject({ ok: true });
    });

    it('cannot sign without a secret', () => {
      expect(() => definition.sign?.(toSign(payload, ''), options)).toThrow(CannotSignError);
    });
  });

  const { ids } = rule;
  if (ids !== undefined) {
    describe(`${scheme}Scheme ids`, () => {
      it(`takes the delivery id from ${ids.fields}`, () => {
        const delivery = { headers: {}, payload: JSON.parse(payload) as unknown };

        expect(definition.deliveryId?.(delivery)).toBe(ids.deliveryId);
        expect(definition.eventType?.(delivery)).toBe(ids.eventType);
      });

      it('has neither when the payload lacks them', () => {
        const delivery = { headers: {}, payload: { data: {} } };

        expect(definition.deliveryId?.(delivery)).toBeUndefined();
        expect(definition.eventType?.(delivery)).toBeUndefined();
      });
    });
  }
}
