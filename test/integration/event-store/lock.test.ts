import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventNotFoundError, LockLostError, RouteMismatchError } from '../../../shared/event-store/errors.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import type { LockableEvent } from '../../../shared/event-store/lock.js';
import type { AttemptRecord, EventStatus, NewEventRecord } from '../../../shared/event-store/types.js';
import { parseEventId, routeTag } from '../../../shared/ids.js';
import { createEventTable } from '../../../shared/local/create-table.js';
import { awsTestCredentials, createDynamoDbClient } from '../../helpers/emulators.js';
import { attemptRecord, newEventRecord, rawEventItem, storeEventIn } from '../../helpers/event-records.js';
import { connectDynamoDb, type EmulatorConnection, uniqueName } from '../../helpers/shared-emulators.js';
import { transition } from '../../helpers/transition.js';

const TABLE = uniqueName('event-store-lock');
const ROUTE = '/order/status/';
const START = Date.parse('2030-01-01T00:00:00.000Z');

let dynamo: EmulatorConnection<DynamoDBClient> | undefined;
let store: EventStore;
let clockMs = START;

function client(): DynamoDBClient {
  if (dynamo === undefined) throw new Error('DynamoDB Local is not running');
  return dynamo.client;
}

beforeAll(async () => {
  dynamo = await connectDynamoDb();
  await createEventTable(dynamo.client, TABLE);
  store = new EventStore({ client: dynamo.client, tableName: TABLE, now: () => new Date(clockMs) });
});

afterAll(() => {
  dynamo?.close();
});

beforeEach(() => {
  clockMs = START;
});

function newEvent(): NewEventRecord {
  return newEventRecord(clockMs);
}

function eventIn(status: EventStatus): Promise<NewEventRecord> {
  return storeEventIn(store, newEvent(), status);
}

const inSeconds = (seconds: number) => new Date(clockMs + seconds * 1000);

function attempt(
  n: number,
  outcome: AttemptRecord['outcome'],
  extra: Partial<AttemptRecord> = {},
): AttemptRecord {
  return attemptRecord(clockMs, n, outcome, extra);
}

function rawItem(id: string) {
  return rawEventItem(client(), TABLE, id);
}

describe('EventStore.acquireLock()', () => {
  it.each(['queued', 'retrying', 'dead_lettered'] as const)(
    'locks a %s event: processing, owner and expiry on the record, status index left',
    async (status) => {
      const event = await eventIn(status);
      const expiresAt = inSeconds(30);

      const result = await store.acquireLock({ id: event.id, route: ROUTE, owner: 'owner-a', expiresAt });

      expect(result).toMatchObject({
        acquired: true,
        previousStatus: status,
        record: {
          id: event.id,
          status: 'processing',
          lockOwner: 'owner-a',
          lockExpiresAt: expiresAt.toISOString(),
        },
      });
      expect(result).not.toHaveProperty('lapsed');
      // The lock's record is the event's state; getEvent() adds the request data.
      expect(await store.getEvent(event.id)).toEqual(
        result.acquired ? { ...event, ...result.record } : undefined,
      );
      const item = await rawItem(event.id);
      expect(item?.gsi2pk).toBeUndefined();
    },
  );

  it('refuses while another owner holds a live lock, returning the holder', async () => {
    const event = await eventIn('queued');
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'owner-a', expiresAt: inSeconds(30) });

    clockMs += 29_000;
    const second = await store.acquireLock({
      id: event.id,
      route: ROUTE,
      owner: 'owner-b',
      expiresAt: inSeconds(30),
    });

    expect(second).toMatchObject({
      acquired: false,
      reason: 'locked',
      record: { status: 'processing', lockOwner: 'owner-a' },
    });
    expect((await store.getEvent(event.id))?.lockOwner).toBe('owner-a');
  });

  it('takes over a lock that has lapsed, recording the lapsed attempt in the same write', async () => {
    const event = await eventIn('queued');
    const takenAt = new Date(clockMs).toISOString();
    const firstExpiry = inSeconds(30);
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'crashed', expiresAt: firstExpiry });

    clockMs += 30_000;
    const result = await store.acquireLock({
      id: event.id,
      route: ROUTE,
      owner: 'owner-b',
      expiresAt: inSeconds(30),
    });

    const lapsedAttempt = {
      attempt: 1,
      startedAt: takenAt,
      durationMs: 30_000,
      outcome: 'failed',
      errorName: 'LockExpiredError',
      errorMessage: `the attempt did not finish before its lock expired at ${firstExpiry.toISOString()} (timeout or crash)`,
    };
    expect(result).toMatchObject({
      acquired: true,
      previousStatus: 'processing',
      record: { status: 'processing', lockOwner: 'owner-b', attempts: [lapsedAttempt] },
      lapsed: { owner: 'crashed', takenAt, expiredAt: firstExpiry.toISOString() },
    });
    expect((await store.getEvent(event.id))?.attempts).toEqual([lapsedAttempt]);
  });

  it('records each lapsed attempt when the attempts that took over crash in turn', async () => {
    const event = await eventIn('queued');
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'first', expiresAt: inSeconds(30) });
    clockMs += 30_000;
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'second', expiresAt: inSeconds(30) });
    clockMs += 30_000;

    const third = await store.acquireLock({
      id: event.id,
      route: ROUTE,
      owner: 'third',
      expiresAt: inSeconds(30),
    });

    // The third attempt is number 3: neither crash went unrecorded, no number is given twice.
    expect(third).toMatchObject({
      acquired: true,
      record: {
        lockOwner: 'third',
        attempts: [
          { attempt: 1, errorName: 'LockExpiredError' },
          { attempt: 2, errorName: 'LockExpiredError' },
        ],
      },
    });
  });

  it('lets one of two consumers take over a lapsed lock', async () => {
    const event = await eventIn('queued');
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'crashed', expiresAt: inSeconds(30) });
    clockMs += 30_000;

    const results = await Promise.all(
      ['owner-a', 'owner-b'].map((owner) =>
        store.acquireLock({ id: event.id, route: ROUTE, owner, expiresAt: inSeconds(30) }),
      ),
    );

    expect(results.filter((result) => result.acquired)).toHaveLength(1);
    expect(results.filter((result) => !result.acquired && result.reason === 'locked')).toHaveLength(1);
    expect((await store.getEvent(event.id))?.attempts).toHaveLength(1);
  });

  it('takes over a processing event that carries no lock (moved by transition())', async () => {
    const event = await eventIn('queued');
    await transition(store, event.id, 'processing');

    const result = await store.acquireLock({
      id: event.id,
      route: ROUTE,
      owner: 'owner-a',
      expiresAt: inSeconds(30),
    });

    expect(result).toMatchObject({
      acquired: true,
      lapsed: { takenAt: expect.any(String) },
      record: { lockOwner: 'owner-a', attempts: [{ attempt: 1, errorName: 'LockExpiredError' }] },
    });
  });

  it.each(['delivered', 'ignored'] as const)(
    'reports a %s event as done and leaves it alone',
    async (status) => {
      const event = await eventIn(status);
      const before = await store.getEvent(event.id);

      const result = await store.acquireLock({
        id: event.id,
        route: ROUTE,
        owner: 'owner-a',
        expiresAt: inSeconds(30),
      });

      expect(result).toMatchObject({ acquired: false, reason: 'done', record: { status } });
      expect(await store.getEvent(event.id)).toEqual(before);
    },
  );

  it('reports an unknown event as missing without creating it', async () => {
    const { id } = newEvent();

    const result = await store.acquireLock({ id, route: ROUTE, owner: 'owner-a', expiresAt: inSeconds(30) });

    expect(result).toEqual({ acquired: false, reason: 'missing' });
    expect(await rawItem(id)).toBeUndefined();
  });

  it('refuses another route with RouteMismatchError', async () => {
    const event = await eventIn('queued');

    const result = store.acquireLock({
      id: event.id,
      route: '/other/',
      owner: 'owner-a',
      expiresAt: inSeconds(30),
    });

    await expect(result).rejects.toBeInstanceOf(RouteMismatchError);
    expect((await store.getEvent(event.id))?.status).toBe('queued');
  });

  it('lets exactly one of many concurrent consumers take the lock', async () => {
    const event = await eventIn('queued');

    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        store.acquireLock({ id: event.id, route: ROUTE, owner: `owner-${index}`, expiresAt: inSeconds(30) }),
      ),
    );

    const winners = results.filter((result) => result.acquired);
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => !result.acquired && result.reason === 'locked')).toHaveLength(7);
    const winner = winners[0];
    expect((await store.getEvent(event.id))?.lockOwner).toBe(winner?.acquired ? winner.record.lockOwner : '');
  });
});

/**
 * A client of the run's DynamoDB Local whose first successful UpdateItem is carried out but whose
 * reply never arrives (the connection resets), as after a network cut: the SDK sends the same
 * request again.
 */
function clientLosingFirstUpdateReply(): { client: DynamoDBClient; replyLost: () => boolean } {
  let lost = false;
  class ReplyLosingHandler extends NodeHttpHandler {
    override async handle(...[request, options]: Parameters<NodeHttpHandler['handle']>) {
      const handled = await super.handle(request, options);
      const update = String(request.headers['x-amz-target']).endsWith('.UpdateItem');
      if (lost || !update || handled.response.statusCode !== 200) return handled;
      lost = true;
      (handled.response.body as Readable).resume();
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }
  }
  const endpoint = dynamo?.endpoint;
  if (endpoint === undefined) throw new Error('DynamoDB Local is not running');
  const replyLosing = new DynamoDBClient({
    ...awsTestCredentials,
    endpoint,
    requestHandler: new ReplyLosingHandler(),
  });
  return { client: replyLosing, replyLost: () => lost };
}

/** `use` given a store whose client loses the reply of its first UpdateItem, then destroyed. */
async function withReplyLosingStore(
  use: (losingStore: EventStore, replyLost: () => boolean) => Promise<void>,
): Promise<void> {
  const { client, replyLost } = clientLosingFirstUpdateReply();
  try {
    await use(new EventStore({ client, tableName: TABLE, now: () => new Date(clockMs) }), replyLost);
  } finally {
    client.destroy();
  }
}

describe('EventStore.acquireLock() when the reply of its write is lost', () => {
  it('holds the lock its takeover of a lapsed lock took, with the lapsed attempt recorded once', async () => {
    const event = await eventIn('queued');
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'crashed', expiresAt: inSeconds(30) });
    clockMs += 30_000;
    await withReplyLosingStore(async (losingStore, replyLost) => {
      const result = await losingStore.acquireLock({
        id: event.id,
        route: ROUTE,
        owner: 'owner-a',
        expiresAt: inSeconds(30),
      });

      expect(replyLost()).toBe(true);
      expect(result).toMatchObject({
        acquired: true,
        record: { lockOwner: 'owner-a', attempts: [{ attempt: 1, errorName: 'LockExpiredError' }] },
      });
      expect((await store.getEvent(event.id))?.attempts).toHaveLength(1);
    });
  });

  it('holds the lock its own write took, though the SDK retry of that write was refused', async () => {
    const event = await eventIn('retrying');
    await withReplyLosingStore(async (losingStore, replyLost) => {
      const result = await losingStore.acquireLock({
        id: event.id,
        route: ROUTE,
        owner: 'owner-a',
        expiresAt: inSeconds(30),
      });

      expect(replyLost()).toBe(true);
      expect(result).toMatchObject({
        acquired: true,
        previousStatus: undefined,
        record: { status: 'processing', lockOwner: 'owner-a' },
      });
      expect(result).not.toHaveProperty('lapsed');
      // Another owner is still refused: the lock is held.
      const other = await store.acquireLock({
        id: event.id,
        route: ROUTE,
        owner: 'owner-b',
        expiresAt: inSeconds(30),
      });
      expect(other).toMatchObject({ acquired: false, reason: 'locked', record: { lockOwner: 'owner-a' } });
    });
  });
});

describe('EventStore.acquireLock() before ingress wrote the state', () => {
  /** What the handler runtime passes: the fields its message carries. */
  function fieldsOf(event: NewEventRecord): LockableEvent {
    const { queueName, receivedAt, method, path, sourceIp, verification } = event;
    return { queueName, receivedAt, method, path, verification, ...(sourceIp !== undefined && { sourceIp }) };
  }

  it('creates the state from the message, locked, when only the request data is written', async () => {
    const event = await eventIn('received');
    const expiresAt = inSeconds(30);

    const result = await store.acquireLock({
      id: event.id,
      route: ROUTE,
      owner: 'owner-a',
      expiresAt,
      event: fieldsOf(event),
    });

    expect(result).toMatchObject({ acquired: true, previousStatus: 'queued' });
    // The dedupe key comes from the request data; every other field from the message.
    expect(await store.getEvent(event.id)).toEqual({
      ...event,
      status: 'processing',
      lockOwner: 'owner-a',
      lockExpiresAt: expiresAt.toISOString(),
      updatedAt: new Date(clockMs).toISOString(),
      attempts: [],
    });
    const item = await rawItem(event.id);
    expect(item?.pk).toEqual({ S: `ROUTE#${routeTag(ROUTE)}#${parseEventId(event.id)?.shardCode}` });
    expect(item?.requestKey).toEqual({ S: `REQUEST#${event.id}` });
    expect(item?.expiresAt).toEqual({ N: String(event.expiresAt) });
    // Ingress's own write, landing afterwards, leaves the lock alone.
    expect(await store.putQueued(event, `REQUEST#${event.id}`)).toBe(false);
    expect((await store.getEvent(event.id))?.lockOwner).toBe('owner-a');
  });

  it("creates it from the request data in its dedupe key's item, which the message names", async () => {
    const event = { ...newEvent(), dedupeKey: `header:${randomUUID()}` };
    const claim = await store.claimRequest({ record: event, windowSeconds: 60 });
    if (!claim.claimed) throw new Error('not claimed');

    const result = await store.acquireLock({
      id: event.id,
      route: ROUTE,
      owner: 'owner-a',
      expiresAt: inSeconds(30),
      event: { ...fieldsOf(event), requestKey: claim.requestKey },
    });

    expect(result).toMatchObject({ acquired: true, previousStatus: 'queued' });
    expect(await store.getEvent(event.id)).toMatchObject({ dedupeKey: event.dedupeKey, body: event.body });
    expect((await rawItem(event.id))?.requestKey).toEqual({ S: claim.requestKey });
  });

  it("reports missing when the named item holds another event's request data", async () => {
    const first = { ...newEvent(), dedupeKey: `header:${randomUUID()}` };
    const claim = await store.claimRequest({ record: first, windowSeconds: 60 });
    const other = newEvent();

    const result = await store.acquireLock({
      id: other.id,
      route: ROUTE,
      owner: 'owner-a',
      expiresAt: inSeconds(30),
      event: { ...fieldsOf(other), requestKey: claim.requestKey },
    });

    expect(result).toEqual({ acquired: false, reason: 'missing' });
    expect(await rawItem(other.id)).toBeUndefined();
  });

  it('lets exactly one of many concurrent consumers create and take it', async () => {
    const event = await eventIn('received');

    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        store.acquireLock({
          id: event.id,
          route: ROUTE,
          owner: `owner-${index}`,
          expiresAt: inSeconds(30),
          event: fieldsOf(event),
        }),
      ),
    );

    expect(results.filter((result) => result.acquired)).toHaveLength(1);
    expect(results.filter((result) => !result.acquired && result.reason === 'locked')).toHaveLength(7);
  });

  it('reads again and locks as usual when its transaction meets a concurrent write', async () => {
    const conflicted = createDynamoDbClient(dynamo?.endpoint ?? '');
    let conflicts = 0;
    conflicted.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'TransactWriteItemsCommand' || conflicts > 0) return next(args);
        conflicts += 1;
        // What DynamoDB answers while ingress's putQueued (or another lock) writes the same item.
        await store.putQueued(event, `REQUEST#${event.id}`);
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
        });
      },
      { step: 'initialize', name: 'conflictOnce' },
    );
    const conflictedStore = new EventStore({
      client: conflicted,
      tableName: TABLE,
      now: () => new Date(clockMs),
    });
    const event = await eventIn('received');

    const result = await conflictedStore.acquireLock({
      id: event.id,
      route: ROUTE,
      owner: 'owner-a',
      expiresAt: inSeconds(30),
      event: fieldsOf(event),
    });
    conflicted.destroy();

    expect(conflicts).toBe(1);
    expect(result).toMatchObject({
      acquired: true,
      previousStatus: 'queued',
      record: { lockOwner: 'owner-a' },
    });
    expect((await store.getEvent(event.id))?.lockOwner).toBe('owner-a');
  });

  it('reports missing without the message fields, or when there is no request data either', async () => {
    const requestOnly = await eventIn('received');
    const unknown = newEvent();

    const withoutFields = await store.acquireLock({
      id: requestOnly.id,
      route: ROUTE,
      owner: 'owner-a',
      expiresAt: inSeconds(30),
    });
    const withoutRequest = await store.acquireLock({
      id: unknown.id,
      route: ROUTE,
      owner: 'owner-a',
      expiresAt: inSeconds(30),
      event: fieldsOf(unknown),
    });

    expect(withoutFields).toEqual({ acquired: false, reason: 'missing' });
    expect(withoutRequest).toEqual({ acquired: false, reason: 'missing' });
    expect(await rawItem(requestOnly.id)).toBeUndefined();
    expect(await rawItem(unknown.id)).toBeUndefined();
  });

  it('reports missing when the request data is discarded between its read and the state write', async () => {
    const racing = createDynamoDbClient(dynamo?.endpoint ?? '');
    const racingStore = new EventStore({ client: racing, tableName: TABLE, now: () => new Date(clockMs) });
    const event = await eventIn('received');
    const calls: string[] = [];
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(String(context.commandName));
        const result = await next(args);
        // A failed replay's cleanup runs right after the lock read the request item.
        const key = (args.input as { Key?: { sk?: { S?: string } } }).Key;
        if (context.commandName === 'GetItemCommand' && key?.sk?.S === 'REQUEST') {
          await store.discardUnqueued(event.id);
        }
        return result;
      },
      { step: 'initialize', name: 'discardAfterRead' },
    );

    const result = await racingStore.acquireLock({
      id: event.id,
      route: ROUTE,
      owner: 'owner-a',
      expiresAt: inSeconds(30),
      event: fieldsOf(event),
    });
    racing.destroy();

    expect(result).toEqual({ acquired: false, reason: 'missing' });
    expect(calls).toContain('TransactWriteItemsCommand');
    expect(await rawItem(event.id)).toBeUndefined();
  });
});

describe('EventStore.settle()', () => {
  it('moves the event, appends the attempts in order and removes the lock', async () => {
    const event = await eventIn('queued');
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'owner-a', expiresAt: inSeconds(30) });
    const lapsed = attempt(1, 'failed', { errorName: 'LockExpiredError', errorMessage: 'lapsed' });
    const delivered = attempt(2, 'delivered');

    clockMs += 1_000;
    const record = await store.settle({
      id: event.id,
      route: ROUTE,
      owner: 'owner-a',
      to: 'delivered',
      attempts: [lapsed, delivered],
    });

    expect(record.status).toBe('delivered');
    expect(record.attempts).toEqual([lapsed, delivered]);
    expect(record.updatedAt).toBe(new Date(clockMs).toISOString());
    expect(record).not.toHaveProperty('lockOwner');
    expect(record).not.toHaveProperty('lockExpiresAt');
    expect(await store.getEvent(event.id)).toEqual({ ...event, ...record });
    expect((await rawItem(event.id))?.gsi2pk).toBeUndefined();
  });

  it.each(['retrying', 'dead_lettered', 'ignored'] as const)('settles as %s', async (to) => {
    const event = await eventIn('queued');
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'owner-a', expiresAt: inSeconds(30) });

    const record = await store.settle({
      id: event.id,
      route: ROUTE,
      owner: 'owner-a',
      to,
      attempts: [attempt(1, 'failed')],
    });

    expect(record.status).toBe(to);
  });

  it('lets the next attempt lock a retrying event and extends its history', async () => {
    const event = await eventIn('queued');
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'a', expiresAt: inSeconds(30) });
    await store.settle({
      id: event.id,
      route: ROUTE,
      owner: 'a',
      to: 'retrying',
      attempts: [attempt(1, 'failed')],
    });

    const next = await store.acquireLock({
      id: event.id,
      route: ROUTE,
      owner: 'b',
      expiresAt: inSeconds(30),
    });
    const done = await store.settle({
      id: event.id,
      route: ROUTE,
      owner: 'b',
      to: 'delivered',
      attempts: [attempt(2, 'delivered')],
    });

    expect(next).toMatchObject({ acquired: true, record: { attempts: [{ attempt: 1 }] } });
    expect(done.attempts.map((entry) => entry.attempt)).toEqual([1, 2]);
  });

  it('refuses an owner whose lapsed lock was taken over, keeping the new holder', async () => {
    const event = await eventIn('queued');
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'slow', expiresAt: inSeconds(1) });
    clockMs += 2_000;
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'fresh', expiresAt: inSeconds(30) });

    const late = store.settle({
      id: event.id,
      route: ROUTE,
      owner: 'slow',
      to: 'delivered',
      attempts: [attempt(1, 'delivered')],
    });

    await expect(late).rejects.toBeInstanceOf(LockLostError);
    await expect(late).rejects.toMatchObject({
      code: 'lock_lost',
      actual: 'processing',
      actualOwner: 'fresh',
    });
    // Only the lapsed attempt, recorded by the takeover: the late settle left no trace.
    expect(await store.getEvent(event.id)).toMatchObject({
      status: 'processing',
      lockOwner: 'fresh',
      attempts: [{ attempt: 1, outcome: 'failed', errorName: 'LockExpiredError' }],
    });
  });

  it('refuses to settle twice', async () => {
    const event = await eventIn('queued');
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'a', expiresAt: inSeconds(30) });
    await store.settle({
      id: event.id,
      route: ROUTE,
      owner: 'a',
      to: 'delivered',
      attempts: [attempt(1, 'delivered')],
    });

    const again = store.settle({
      id: event.id,
      route: ROUTE,
      owner: 'a',
      to: 'delivered',
      attempts: [attempt(1, 'delivered')],
    });

    await expect(again).rejects.toMatchObject({ code: 'lock_lost', actual: 'delivered' });
    expect((await store.getEvent(event.id))?.attempts).toHaveLength(1);
  });

  it('throws EventNotFoundError for an unknown event', async () => {
    const settle = store.settle({ id: 'evt_nope', route: ROUTE, owner: 'a', to: 'delivered', attempts: [] });

    await expect(settle).rejects.toBeInstanceOf(EventNotFoundError);
  });

  it('truncates error messages to 1 KiB', async () => {
    const event = await eventIn('queued');
    await store.acquireLock({ id: event.id, route: ROUTE, owner: 'a', expiresAt: inSeconds(30) });

    const record = await store.settle({
      id: event.id,
      route: ROUTE,
      owner: 'a',
      to: 'retrying',
      attempts: [attempt(1, 'failed', { errorMessage: 'x'.repeat(5_000) })],
    });

    expect(record.attempts[0]?.errorMessage).toHaveLength(1024);
  });
});

describe('lock write cost', () => {
  it('takes one UpdateItem to lock and one to settle', async () => {
    const counted = createDynamoDbClient(dynamo?.endpoint ?? '');
    const calls: string[] = [];
    counted.middlewareStack.add(
      (next, context) => (args) => {
        calls.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    const countedStore = new EventStore({ client: counted, tableName: TABLE, now: () => new Date(clockMs) });
    const event = await eventIn('queued');
    // The layout check is one GetItem per process and table, before the first operation.
    await countedStore.checkLayout();
    calls.length = 0;

    await countedStore.acquireLock({ id: event.id, route: ROUTE, owner: 'a', expiresAt: inSeconds(30) });
    await countedStore.settle({
      id: event.id,
      route: ROUTE,
      owner: 'a',
      to: 'delivered',
      attempts: [attempt(1, 'delivered')],
    });
    counted.destroy();

    expect(calls).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
  });
});
