import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BodyStoreError } from '../../../shared/body-store/errors.js';
import type { Envelope } from '../../../shared/envelope.js';
import {
  BodyUnavailableError,
  isPermanentError,
  PayloadValidationError,
  PermanentError,
} from '../../../shared/handler/errors.js';
import { buildEvent, eventType, parsePayload, readEventBody } from '../../../shared/handler/event.js';
import * as handlerApi from '../../../shared/handler/index.js';
import { validatePayload } from '../../../shared/handler/schema.js';

function envelope(overrides: Partial<Envelope> = {}): Envelope {
  return {
    v: 1,
    id: 'evt_01',
    route: '/github/',
    receivedAt: '2030-01-01T00:00:00.000Z',
    method: 'POST',
    path: '/github/',
    query: '',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
    contentType: 'application/json',
    body: '{"ref":"refs/heads/main"}',
    verification: { scheme: 'github', verifiedAt: '2030-01-01T00:00:00.000Z' },
    ...overrides,
  };
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('buildEvent()', () => {
  it('carries the envelope fields, the attempt and the parsed payload', () => {
    const event = buildEvent({ envelope: envelope(), attempt: 3, expectJson: true });

    expect(event).toEqual({
      id: 'evt_01',
      route: '/github/',
      type: 'push',
      receivedAt: '2030-01-01T00:00:00.000Z',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      payload: { ref: 'refs/heads/main' },
      rawBody: expect.any(Uint8Array),
      attempt: 3,
    });
    expect(event).not.toHaveProperty('replayOf');
  });

  it('gives the exact bytes of a text body as rawBody', () => {
    const body = '{"name":"café ☕"}';
    const event = buildEvent({ envelope: envelope({ body }), attempt: 1, expectJson: true });

    expect(Buffer.from(event.rawBody).equals(Buffer.from(body, 'utf8'))).toBe(true);
  });

  it('decodes a binary body from base64 into rawBody, with no payload', () => {
    const binary = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
    const { body: _omit, ...rest } = envelope({ contentType: 'application/octet-stream' });
    const event = buildEvent({
      envelope: { ...rest, bodyBase64: binary.toString('base64') },
      attempt: 1,
      expectJson: false,
    });

    expect(Buffer.from(event.rawBody).equals(binary)).toBe(true);
    expect(event.payload).toBeUndefined();
  });

  it('gives an empty rawBody and no payload when there is no body', () => {
    const { body: _omit, ...rest } = envelope();
    const event = buildEvent({ envelope: rest, attempt: 1, expectJson: false });

    expect(event.rawBody).toHaveLength(0);
    expect(event.payload).toBeUndefined();
  });

  it('keeps replayOf', () => {
    const event = buildEvent({ envelope: envelope({ replayOf: 'evt_00' }), attempt: 1, expectJson: true });

    expect(event.replayOf).toBe('evt_00');
  });

  it('reads the content type from the headers when the envelope has none', () => {
    const { contentType: _omit, ...rest } = envelope({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=two',
    });

    expect(buildEvent({ envelope: rest, attempt: 1, expectJson: false }).payload).toEqual({
      a: '1',
      b: 'two',
    });
  });

  it('refuses a bodyRef envelope whose body was not read, with a permanent body_unavailable error', () => {
    const { body: _omit, ...rest } = envelope();
    const call = () =>
      buildEvent({
        envelope: { ...rest, bodyRef: { store: 's3', bucket: 'b', key: 'k', size: 10 } },
        attempt: 1,
        expectJson: true,
      });

    expect(call).toThrow(BodyUnavailableError);
    expect(call).toThrow(expect.objectContaining({ code: 'body_unavailable' }));
  });

  it('builds the event from the raw bytes read for a bodyRef envelope', () => {
    const { body: _omit, ...rest } = envelope();

    const event = buildEvent({
      envelope: { ...rest, bodyRef: { store: 'local', bucket: 'local', key: 'github/evt_01', size: 12 } },
      attempt: 1,
      expectJson: true,
      rawBody: bytes('{"big":true}'),
    });

    expect(event.payload).toEqual({ big: true });
    expect(Buffer.from(event.rawBody).toString('utf8')).toBe('{"big":true}');
  });

  describe.each([
    {
      scheme: 'github',
      headers: { 'x-github-event': 'pull_request' },
      payload: { type: 'ignored' },
      type: 'pull_request',
    },
    { scheme: 'github', headers: {}, payload: {}, type: undefined },
    { scheme: 'stripe', headers: {}, payload: { type: 'invoice.paid' }, type: 'invoice.paid' },
    { scheme: 'stripe', headers: {}, payload: { type: 42 }, type: undefined },
    { scheme: 'standardWebhooks', headers: {}, payload: { type: 'order.shipped' }, type: 'order.shipped' },
    {
      scheme: 'slack',
      headers: {},
      payload: { type: 'event_callback', event: { type: 'app_mention' } },
      type: 'app_mention',
    },
    { scheme: 'slack', headers: {}, payload: { type: 'url_verification' }, type: undefined },
    { scheme: 'hmac', headers: { 'x-github-event': 'push' }, payload: { type: 'x' }, type: undefined },
    { scheme: 'none', headers: {}, payload: { type: 'x' }, type: undefined },
    { scheme: 'stripe', headers: {}, payload: undefined, type: undefined },
    { scheme: 'stripe', headers: {}, payload: ['type'], type: undefined },
  ])('eventType() for $scheme', ({ scheme, headers, payload, type }) => {
    it(`is ${type} for ${JSON.stringify(payload)} with headers ${JSON.stringify(headers)}`, () => {
      expect(eventType(scheme, headers as Record<string, string>, payload)).toBe(type);
    });
  });

  it('sets type from the scheme recorded in the envelope', () => {
    const stripe = envelope({
      body: '{"type":"charge.refunded"}',
      verification: { scheme: 'stripe', verifiedAt: '2030-01-01T00:00:00.000Z' },
    });

    expect(buildEvent({ envelope: stripe, attempt: 1, expectJson: true }).type).toBe('charge.refunded');
  });
});

describe('parsePayload()', () => {
  it.each([
    { contentType: 'application/json', expectJson: true, body: '{"a":[1,2]}', payload: { a: [1, 2] } },
    { contentType: 'application/json; charset=utf-8', expectJson: false, body: '[1]', payload: [1] },
    { contentType: 'application/vnd.api+json', expectJson: false, body: '"x"', payload: 'x' },
    { contentType: undefined, expectJson: true, body: '{"a":1}', payload: { a: 1 } },
    { contentType: 'text/plain', expectJson: true, body: '{"a":1}', payload: { a: 1 } },
    { contentType: 'text/plain', expectJson: false, body: '{"a":1}', payload: undefined },
    { contentType: undefined, expectJson: false, body: '{"a":1}', payload: undefined },
    { contentType: 'application/json', expectJson: false, body: 'not json', payload: undefined },
    {
      contentType: 'application/x-www-form-urlencoded',
      expectJson: false,
      body: 'payload=%7B%22a%22%3A1%7D&token=t+1',
      payload: { payload: '{"a":1}', token: 't 1' },
    },
    { contentType: 'Application/X-WWW-Form-Urlencoded', expectJson: true, body: 'a=1', payload: { a: '1' } },
  ])('$contentType (expectJson $expectJson): $body', ({ contentType, expectJson, body, payload }) => {
    expect(parsePayload(bytes(body), contentType, expectJson)).toEqual(payload);
  });
});

describe('validatePayload()', () => {
  const schema = z.object({ action: z.string(), repository: z.object({ id: z.number() }) });

  it('returns the validated value', async () => {
    await expect(
      validatePayload(schema, { action: 'opened', repository: { id: 1 }, extra: true }),
    ).resolves.toEqual({ action: 'opened', repository: { id: 1 } });
  });

  it('throws a PayloadValidationError listing each issue with its path', async () => {
    const error = await validatePayload(schema, { action: 3, repository: {} }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(PayloadValidationError);
    expect(isPermanentError(error)).toBe(true);
    const { issues, code, message } = error as PayloadValidationError;
    expect(code).toBe('invalid_payload');
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^action: /);
    expect(issues[1]).toMatch(/^repository\.id: /);
    expect(message).toMatch(/^payload failed validation: action: .*; repository\.id: /);
  });

  it('reports a root-level issue without a path', async () => {
    const error = await validatePayload(schema, undefined).catch((caught: unknown) => caught);

    expect((error as PayloadValidationError).issues[0]).not.toMatch(/^: /);
  });
});

describe('PermanentError', () => {
  it('has its name, a default code, and a chosen code', () => {
    const plain = new PermanentError('bad event');
    const coded = new PermanentError('unknown customer', {
      code: 'unknown_customer',
      cause: new Error('404'),
    });

    expect(plain).toMatchObject({ name: 'PermanentError', code: 'permanent', message: 'bad event' });
    expect(coded).toMatchObject({ name: 'PermanentError', code: 'unknown_customer' });
    expect(coded.cause).toBeInstanceOf(Error);
  });

  it('is recognised by isPermanentError, also from another copy of the module', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('hookline.permanentError')]: true });

    expect(isPermanentError(new PermanentError('x'))).toBe(true);
    expect(isPermanentError(foreign)).toBe(true);
    expect(isPermanentError(new Error('x'))).toBe(false);
    expect(isPermanentError('PermanentError')).toBe(false);
  });
});

describe('readEventBody()', () => {
  const ref = { store: 'local', bucket: 'local', key: 'github/evt_01', size: 3 } as const;
  const { body: _omit, ...withoutBody } = envelope();
  const large = { ...withoutBody, bodyRef: ref };

  it('decodes an inline body without touching the store', async () => {
    const store = { get: () => Promise.reject(new Error('not called')) };

    expect(Buffer.from(await readEventBody(envelope(), store)).toString('utf8')).toBe(
      '{"ref":"refs/heads/main"}',
    );
  });

  it('reads a bodyRef body from the store', async () => {
    const store = { get: () => Promise.resolve(bytes('abc')) };

    expect(Buffer.from(await readEventBody(large, store)).toString('utf8')).toBe('abc');
  });

  it('fails permanently without a store, naming the variable to set', async () => {
    const read = readEventBody(large, undefined);

    await expect(read).rejects.toThrow(BodyUnavailableError);
    await expect(readEventBody(large, undefined)).rejects.toThrow(/HOOKLINE_BODY_BUCKET/);
  });

  it('fails permanently when the store has no such body', async () => {
    const store = {
      get: () => Promise.reject(new BodyStoreError('body_missing', 'no body "github/evt_01"')),
    };

    const error = await readEventBody(large, store).catch((thrown: unknown) => thrown);

    expect(isPermanentError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'BodyUnavailableError', code: 'body_unavailable' });
  });

  it('throws the BodyUnavailableError of the handler API, a PermanentError', async () => {
    const error = await readEventBody(large, undefined).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(handlerApi.BodyUnavailableError);
    expect(error).toBeInstanceOf(handlerApi.PermanentError);
  });

  it('passes a store failure on as an ordinary (retryable) error', async () => {
    const failure = new BodyStoreError('body_store_failed', 'timeout');
    const store = { get: () => Promise.reject(failure) };

    const error = await readEventBody(large, store).catch((thrown: unknown) => thrown);

    expect(error).toBe(failure);
    expect(isPermanentError(error)).toBe(false);
  });
});
