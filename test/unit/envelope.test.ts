import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBody,
  type Envelope,
  EnvelopeError,
  encodeBody,
  parseEnvelope,
  REDACTED_HEADERS,
  serializeEnvelope,
  storableHeaders,
} from '../../shared/envelope.js';

const ENVELOPE: Envelope = {
  v: 1,
  id: 'evt_01JHC8Z0000000000000000000',
  route: '/order/status/',
  receivedAt: '2026-01-15T12:00:00.000Z',
  method: 'POST',
  path: '/order/status',
  query: 'x=1',
  headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
  contentType: 'application/json',
  body: '{"status":"paid","note":"Ünïcødé ✓"}',
  sourceIp: '203.0.113.9',
  verification: {
    scheme: 'standardWebhooks',
    keyId: '0',
    verifiedAt: '2026-01-15T12:00:00.000Z',
    signedAt: '2026-01-15T11:59:58.000Z',
  },
};

/** A JSON object as it would come off the queue, with fields replaced or removed. */
function rawEnvelope(changes: Record<string, unknown> = {}, remove: readonly string[] = []): string {
  const value: Record<string, unknown> = { ...ENVELOPE, ...changes };
  for (const field of remove) delete value[field];
  return JSON.stringify(value);
}

function envelopeErrorOf(text: string): EnvelopeError {
  try {
    parseEnvelope(text);
  } catch (error: unknown) {
    if (error instanceof EnvelopeError) return error;
    throw error;
  }
  throw new Error('expected parseEnvelope() to throw an EnvelopeError');
}

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

describe('storableHeaders()', () => {
  it('drops credential headers and undefined values, keeping the rest', () => {
    // Arrange
    const headers = {
      authorization: 'Bearer secret-token',
      'proxy-authorization': 'Basic abc',
      cookie: 'session=abc',
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-empty': '',
      'x-missing': undefined,
    };

    // Act
    const kept = storableHeaders(headers);

    // Assert
    expect(kept).toEqual({ 'content-type': 'application/json', 'x-github-event': 'push', 'x-empty': '' });
  });

  it('lists authorization, proxy-authorization and cookie as redacted', () => {
    expect([...REDACTED_HEADERS].sort()).toEqual(['authorization', 'cookie', 'proxy-authorization']);
  });

  it('never keeps a redacted header whatever else is sent', () => {
    const headers = fc.dictionary(
      fc.stringMatching(/^[a-z-]{1,12}$/),
      fc.option(fc.string(), { nil: undefined }),
    );
    fc.assert(
      fc.property(headers, fc.string(), (extra, secret) => {
        const kept = storableHeaders({ ...extra, authorization: secret, cookie: secret });

        expect(Object.keys(kept).some((name) => REDACTED_HEADERS.has(name))).toBe(false);
        expect(Object.values(kept).every((value) => typeof value === 'string')).toBe(true);
      }),
    );
  });

  it('does not change its input', () => {
    const headers = { authorization: 'x', accept: '*/*' };

    storableHeaders(headers);

    expect(headers).toEqual({ authorization: 'x', accept: '*/*' });
  });
});

describe('encodeBody()', () => {
  it.each([
    { name: 'JSON text', text: '{"a":1}' },
    { name: 'non-ASCII text', text: 'Grüße, 世界 ✓ 🎉' },
    { name: 'an empty body', text: '' },
    { name: 'a byte-order mark', text: '\uFEFFhello' },
    { name: 'a NUL character', text: 'a\u0000b' },
  ])('puts $name inline as body', ({ text }) => {
    const encoded = encodeBody(new TextEncoder().encode(text));

    expect(encoded).toEqual({ body: text });
  });

  it.each([
    { name: 'a lone 0xff', input: bytes(0xff) },
    { name: 'a truncated sequence', input: bytes(0x61, 0xe2, 0x82) },
    { name: 'an overlong encoding', input: bytes(0xc0, 0xaf) },
    { name: 'an encoded surrogate', input: bytes(0xed, 0xa0, 0x80) },
    { name: 'gzip magic bytes', input: bytes(0x1f, 0x8b, 0x08, 0x00) },
  ])('puts $name as bodyBase64', ({ input }) => {
    const encoded = encodeBody(input);

    expect(encoded).toEqual({ bodyBase64: Buffer.from(input).toString('base64') });
  });

  it('encodes only the bytes of a view, not its whole buffer', () => {
    const backing = new TextEncoder().encode('xxhelloxx');
    const view = backing.subarray(2, 7);

    expect(encodeBody(view)).toEqual({ body: 'hello' });
  });
});

describe('decodeBody()', () => {
  it('returns the UTF-8 bytes of an inline body', () => {
    expect(Array.from(decodeBody({ body: 'é' }))).toEqual([0xc3, 0xa9]);
  });

  it('returns the bytes of a base64 body', () => {
    expect(Array.from(decodeBody({ bodyBase64: '/wA=' }))).toEqual([0xff, 0x00]);
  });

  it('returns no bytes without an inline body', () => {
    expect(decodeBody({})).toHaveLength(0);
  });
});

describe('serializeEnvelope() and parseEnvelope()', () => {
  it('round-trips an envelope', () => {
    // Act
    const parsed = parseEnvelope(serializeEnvelope(ENVELOPE));

    // Assert
    expect(parsed).toEqual(ENVELOPE);
  });

  it('round-trips an envelope with a body reference and no inline body', () => {
    const { body: _body, ...withoutBody } = ENVELOPE;
    const envelope: Envelope = {
      ...withoutBody,
      bodyRef: { store: 's3', bucket: 'bodies', key: 'evt/1', size: 300_000 },
      replayOf: 'evt_01JHC8Z0000000000000000001',
    };

    expect(parseEnvelope(serializeEnvelope(envelope))).toEqual(envelope);
  });

  it('round-trips any body byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (body) => {
        // Arrange
        const { body: _body, ...rest } = ENVELOPE;
        const envelope: Envelope = { ...rest, ...encodeBody(body) };

        // Act
        const decoded = decodeBody(parseEnvelope(serializeEnvelope(envelope)));

        // Assert
        expect(Buffer.from(decoded).equals(Buffer.from(body))).toBe(true);
      }),
    );
  });

  it('keeps any UTF-8 text inline and round-trips it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const encoded = encodeBody(new TextEncoder().encode(text));

        expect(encoded).toEqual({ body: text });
        expect(new TextDecoder().decode(decodeBody(parseEnvelope(rawEnvelope(encoded))))).toBe(text);
      }),
    );
  });
});

describe('parseEnvelope()', () => {
  describe('versions', () => {
    it.each([
      { v: 4, named: '4' },
      { v: 0, named: '0' },
      { v: '1', named: '"1"' },
      { v: null, named: 'null' },
      { v: 1.5, named: '1.5' },
    ])('rejects version $v with unsupported_envelope_version, naming it', ({ v, named }) => {
      const error = envelopeErrorOf(rawEnvelope({ v }));

      expect(error.code).toBe('unsupported_envelope_version');
      expect(error.message).toBe(`envelope version ${named} is not supported (this runtime reads v1 to v3)`);
    });

    it.each([1, 2, 3])('reads version %d', (v) => {
      expect(parseEnvelope(rawEnvelope({ v })).v).toBe(v);
    });

    it('reads the request key of a v3 envelope', () => {
      expect(parseEnvelope(rawEnvelope({ v: 3, requestKey: 'DEDUPE#/orders/#d-1' }))).toMatchObject({
        v: 3,
        requestKey: 'DEDUPE#/orders/#d-1',
      });
    });

    it.each([
      { name: 'a request key on a v2 envelope', changes: { v: 2, requestKey: 'REQUEST#evt_1' } },
      { name: 'a request key that is not a string', changes: { v: 3, requestKey: 7 } },
    ])('rejects $name as malformed', ({ changes }) => {
      expect(envelopeErrorOf(rawEnvelope(changes)).message).toBe(
        'envelope field "requestKey" must be a string, from v3 on',
      );
    });

    it.each([
      { name: 'a signature on a v1 envelope', changes: { v: 1, sig: 'hmac-sha256:x' } },
      { name: 'a signature that is not a string', changes: { v: 2, sig: 42 } },
    ])('rejects $name as malformed', ({ changes }) => {
      expect(envelopeErrorOf(rawEnvelope(changes)).message).toBe(
        'envelope field "sig" must be a string, from v2 on',
      );
    });

    it('checks the version before the other fields', () => {
      const error = envelopeErrorOf(JSON.stringify({ v: 99 }));

      expect(error.code).toBe('unsupported_envelope_version');
    });
  });

  describe('malformed input', () => {
    it.each([
      { name: 'text that is not JSON', text: 'not json', message: 'envelope is not JSON' },
      { name: 'an empty string', text: '', message: 'envelope is not JSON' },
      { name: 'truncated JSON', text: rawEnvelope().slice(0, -1), message: 'envelope is not JSON' },
      { name: 'a JSON array', text: '[1]', message: 'envelope is not a JSON object' },
      { name: 'JSON null', text: 'null', message: 'envelope is not a JSON object' },
      { name: 'a JSON string', text: '"envelope"', message: 'envelope is not a JSON object' },
      { name: 'a JSON number', text: '1', message: 'envelope is not a JSON object' },
    ])('rejects $name', ({ text, message }) => {
      const error = envelopeErrorOf(text);

      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('EnvelopeError');
      expect(error.code).toBe('malformed_envelope');
      expect(error.message).toBe(message);
    });

    it.each(['id', 'route', 'receivedAt', 'method', 'path', 'query'])('rejects a missing %s', (field) => {
      const error = envelopeErrorOf(rawEnvelope({}, [field]));

      expect(error.code).toBe('malformed_envelope');
      expect(error.message).toBe(`envelope field "${field}" must be a string`);
    });

    it.each(['id', 'method', 'query'])('rejects a non-string %s', (field) => {
      const error = envelopeErrorOf(rawEnvelope({ [field]: 42 }));

      expect(error.message).toBe(`envelope field "${field}" must be a string`);
    });

    it.each([{ headers: null }, { headers: 'content-type: json' }])('rejects headers $headers', (changes) => {
      const error = envelopeErrorOf(rawEnvelope(changes));

      expect(error).toMatchObject({
        code: 'malformed_envelope',
        message: 'envelope field "headers" must be an object',
      });
    });

    it('rejects missing headers', () => {
      expect(envelopeErrorOf(rawEnvelope({}, ['headers'])).code).toBe('malformed_envelope');
    });

    it.each([
      { name: 'missing', changes: {}, remove: ['verification'] },
      { name: 'null', changes: { verification: null }, remove: [] },
      { name: 'without verifiedAt', changes: { verification: { scheme: 'github' } }, remove: [] },
      { name: 'without scheme', changes: { verification: { verifiedAt: ENVELOPE.receivedAt } }, remove: [] },
      { name: 'a string', changes: { verification: 'github' }, remove: [] },
    ])('rejects a verification that is $name', ({ changes, remove }) => {
      const error = envelopeErrorOf(rawEnvelope(changes, remove));

      expect(error).toMatchObject({
        code: 'malformed_envelope',
        message: 'envelope field "verification" must carry scheme and verifiedAt',
      });
    });

    it.each([
      { changes: { bodyBase64: 'AA==' }, fields: 'body, bodyBase64' },
      { changes: { bodyRef: { store: 's3', bucket: 'b', key: 'k', size: 1 } }, fields: 'body, bodyRef' },
    ])('rejects two body fields ($fields)', ({ changes, fields }) => {
      const error = envelopeErrorOf(rawEnvelope(changes));

      expect(error).toMatchObject({
        code: 'malformed_envelope',
        message: `envelope has more than one body field (${fields})`,
      });
    });

    it.each([{ body: 42 }, { body: { text: 'x' } }, { body: ['x'] }])(
      'rejects a non-string body %j',
      (changes) => {
        const error = envelopeErrorOf(rawEnvelope(changes));

        expect(error.code).toBe('malformed_envelope');
      },
    );

    it.each([{ bodyBase64: 42 }, { bodyBase64: true }])('rejects a non-string bodyBase64 %j', (changes) => {
      const error = envelopeErrorOf(rawEnvelope(changes, ['body']));

      expect(error.code).toBe('malformed_envelope');
    });
  });

  it('accepts an envelope without any body field', () => {
    const parsed = parseEnvelope(rawEnvelope({}, ['body']));

    expect(decodeBody(parsed)).toHaveLength(0);
  });

  it('never throws anything but an EnvelopeError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (text) => {
        try {
          parseEnvelope(text);
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(EnvelopeError);
        }
      }),
    );
  });

  it('never throws anything but an EnvelopeError on envelopes with arbitrary field values', () => {
    const fields = [
      'v',
      'id',
      'route',
      'method',
      'path',
      'query',
      'headers',
      'verification',
      'body',
      'bodyRef',
    ];
    const changes = fc.dictionary(fc.constantFrom(...fields), fc.jsonValue(), { maxKeys: 3 });
    fc.assert(
      fc.property(changes, (change) => {
        try {
          parseEnvelope(rawEnvelope(change));
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(EnvelopeError);
        }
      }),
    );
  });

  it('returns envelopes whose inline body always decodes', () => {
    const changes = fc.record({ body: fc.jsonValue(), bodyBase64: fc.jsonValue() }, { requiredKeys: [] });
    fc.assert(
      fc.property(changes, (change) => {
        let parsed: Envelope;
        try {
          parsed = parseEnvelope(rawEnvelope(change, ['body']));
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(EnvelopeError);
          return;
        }
        expect(() => decodeBody(parsed)).not.toThrow();
      }),
    );
  });
});
