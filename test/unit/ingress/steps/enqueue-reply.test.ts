import { describe, expect, it } from 'vitest';
import { parseEnvelope, toEnvelope } from '../../../../shared/envelope.js';
import { checkEnvelopeSignature } from '../../../../shared/envelope-signature.js';
import { enqueue } from '../../../../shared/ingress/steps/enqueue.js';
import { reply } from '../../../../shared/ingress/steps/reply.js';
import { signedForTests, TEST_ENVELOPE_KEY, testEnvelopeKeys } from '../../../helpers/envelope-keys.js';
import { newEventRecord } from '../../../helpers/event-records.js';
import {
  answered,
  awsDown,
  fakeStore,
  ORIGIN,
  QUEUE_URL,
  recordingLog,
  verified,
} from '../../../helpers/ingress-steps.js';
import { makeRoute } from '../../../helpers/routes.js';

const route = makeRoute({ path: '/orders/', verify: { scheme: 'none' } });
const written = newEventRecord(0, { id: 'evt_1', route: '/orders/' });

const REQUEST_KEY = 'DEDUPE#/orders/#d-1';

async function recorded() {
  return { ...(await verified(route)), record: written, requestKey: REQUEST_KEY };
}

describe('enqueue()', () => {
  it("sends the event's envelope, naming its request item, signed with the first envelope key, to the route's queue", async () => {
    const sent: [string, string][] = [];
    const queue = { send: async (queueUrl: string, body: string) => void sent.push([queueUrl, body]) };

    expect(
      await enqueue({ queue, envelopeKeys: testEnvelopeKeys, log: recordingLog().log })(await recorded()),
    ).toBeUndefined();

    expect(sent).toHaveLength(1);
    expect(sent[0]?.[0]).toBe(QUEUE_URL);
    const envelope = parseEnvelope(sent[0]?.[1] ?? '');
    expect(envelope).toEqual(signedForTests(toEnvelope(written, REQUEST_KEY)));
    expect(envelope).toMatchObject({ v: 3, requestKey: REQUEST_KEY });
    expect(checkEnvelopeSignature(envelope, [TEST_ENVELOPE_KEY])).toBe('valid');
  });

  it('answers 503 queue_unavailable when the message cannot be sent', async () => {
    const { log, entries } = recordingLog();
    const queue = {
      send: async () => {
        throw awsDown();
      },
    };

    const error = await Promise.resolve(
      enqueue({ queue, envelopeKeys: testEnvelopeKeys, log })(await recorded()),
    ).catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ status: 503, code: 'queue_unavailable' });
    expect(entries).toEqual([
      {
        level: 'error',
        message: 'enqueue failed',
        attributes: {
          eventId: 'evt_1',
          route: '/orders/',
          error: 'TimeoutError: connect ECONNREFUSED 127.0.0.1:1',
        },
      },
    ]);
  });
});

describe('reply()', () => {
  it.each([
    ['written', true],
    ['already written by the handler or a retry', false],
  ])('writes the state queued (%s) and answers 202 with the status URL', async (_case, wrote) => {
    const { log, entries } = recordingLog();
    const store = fakeStore({ putQueued: async () => wrote });

    const answer = await answered(reply({ store, log }), await recorded());

    expect(store.callArgs).toEqual([['putQueued', [written, REQUEST_KEY]]]);
    expect(answer.statusCode).toBe(202);
    expect(answer.json).toEqual({
      id: 'evt_1',
      status: 'queued',
      statusUrl: `${ORIGIN}/_hookline/events/evt_1`,
    });
    expect(entries).toEqual([
      {
        level: 'debug',
        message: 'event queued',
        attributes: { eventId: 'evt_1', route: '/orders/', status: 'queued', scheme: 'none' },
      },
    ]);
  });

  it('answers 503 store_unavailable when the state cannot be written', async () => {
    const store = fakeStore({
      putQueued: async () => {
        throw awsDown();
      },
    });

    const error = await Promise.resolve(reply({ store, log: recordingLog().log })(await recorded())).catch(
      (thrown: unknown) => thrown,
    );

    expect(error).toMatchObject({ status: 503, code: 'store_unavailable' });
  });
});
