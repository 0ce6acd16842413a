import { describe, expect, it } from 'vitest';
import { defineHandler, IGNORED, PermanentError } from '../../../shared/handler/index.js';
import { type Fixture, invokeHandler } from '../../../shared/testing/index.js';

const fixture: Fixture = {
  fixture: 1,
  provider: 'github',
  eventType: 'push',
  method: 'POST',
  query: '',
  headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
  contentType: 'application/json',
  body: '{"ref":"refs/heads/main","commits":[{"id":"c1"}]}',
  source: { eventId: 'evt_original', route: '/github/', receivedAt: '2026-12-01T00:00:00.000Z' },
};

describe('invokeHandler()', () => {
  it('runs the handler on the fixture as the runtime would build its event', async () => {
    let seen: unknown;
    const handler = defineHandler(async (event) => {
      seen = {
        id: event.id,
        route: event.route,
        type: event.type,
        payload: event.payload,
        attempt: event.attempt,
      };
    });

    const result = await invokeHandler(handler, fixture, { id: 'evt_test', attempt: 2 });

    expect(result).toEqual({ kind: 'delivered' });
    expect(seen).toEqual({
      id: 'evt_test',
      route: '/github/',
      type: 'push',
      payload: { ref: 'refs/heads/main', commits: [{ id: 'c1' }] },
      attempt: 2,
    });
  });

  it('says how the handler ended: ignored, failed or permanent', async () => {
    const failure = new Error('downstream timed out');
    const permanent = new PermanentError('unknown order');

    expect(
      await invokeHandler(
        defineHandler(async () => IGNORED),
        fixture,
      ),
    ).toEqual({ kind: 'ignored' });
    expect(
      await invokeHandler(
        defineHandler(async () => {
          throw failure;
        }),
        fixture,
      ),
    ).toEqual({ kind: 'failed', error: failure });
    expect(
      await invokeHandler(
        defineHandler(async () => {
          throw permanent;
        }).definition,
        fixture,
      ),
    ).toEqual({ kind: 'permanent', error: permanent });
  });

  it("validates the payload with the handler's schema, as deployed", async () => {
    const schema = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: (value: unknown) =>
          typeof (value as { order?: unknown }).order === 'string'
            ? { value: value as { order: string } }
            : { issues: [{ message: 'order is required' }] },
      },
    };
    const handler = defineHandler(async () => {}, { schema });

    const result = await invokeHandler(handler, fixture);

    expect(result.kind).toBe('permanent');
  });

  it('decodes a binary body', async () => {
    let bytes: Uint8Array | undefined;
    const handler = defineHandler(async (event) => {
      bytes = event.rawBody;
    });
    const { body: _text, ...rest } = fixture;

    await invokeHandler(
      handler,
      { ...rest, bodyBase64: Buffer.from([0xff, 0x00, 0x01]).toString('base64') },
      {
        expectJson: false,
      },
    );

    expect([...(bytes ?? [])]).toEqual([0xff, 0x00, 0x01]);
  });
});
