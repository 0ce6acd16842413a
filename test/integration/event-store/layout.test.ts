/**
 * The table's layout version: a new table gets it, a table of another layout (or of layout v1,
 * which had none) is refused by every operation before anything is written, and the check costs
 * one GetItem per process and table.
 */
import {
  CreateTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableLayoutError } from '../../../shared/event-store/errors.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { EventHistory } from '../../../shared/event-store/history.js';
import { LAYOUT_KEY } from '../../../shared/event-store/layout.js';
import { createEventTable } from '../../../shared/local/create-table.js';
import { EVENT_TABLE } from '../../../shared/resources.js';
import { createDynamoDbClient } from '../../helpers/emulators.js';
import { newEventRecord } from '../../helpers/event-records.js';
import { connectDynamoDb, type EmulatorConnection, uniqueName } from '../../helpers/shared-emulators.js';
import { createV1Table } from '../../helpers/v1-table.js';

let dynamo: EmulatorConnection<DynamoDBClient> | undefined;

beforeAll(async () => {
  dynamo = await connectDynamoDb();
});

afterAll(() => {
  dynamo?.close();
});

function client(): DynamoDBClient {
  if (dynamo === undefined) throw new Error('DynamoDB Local is not running');
  return dynamo.client;
}

/** A client of its own: the check is made once per client and table, so a new one checks again. */
function freshClient(): { client: DynamoDBClient; calls: string[] } {
  const fresh = createDynamoDbClient(dynamo?.endpoint ?? '');
  const calls: string[] = [];
  fresh.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { client: fresh, calls };
}

/** A table as CloudFormation creates it from this stack: this layout's keys, no item yet. */
async function createBareTable(tableName: string): Promise<void> {
  await client().send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'gsi2pk'].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byRouteStatus',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
}

async function layoutItem(tableName: string) {
  const { Item } = await client().send(
    new GetItemCommand({
      TableName: tableName,
      Key: { pk: { S: LAYOUT_KEY.pk }, sk: { S: LAYOUT_KEY.sk } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

async function itemCount(tableName: string): Promise<number> {
  const { Count } = await client().send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }));
  return Count ?? 0;
}

describe('the table layout version', () => {
  it(`is written as v${EVENT_TABLE.layoutVersion} on a table the local stack creates`, async () => {
    const tableName = uniqueName('layout-new');

    await createEventTable(client(), tableName);

    expect(await layoutItem(tableName)).toEqual({
      pk: { S: 'HOOKLINE#LAYOUT' },
      sk: { S: 'LAYOUT' },
      version: { N: String(EVENT_TABLE.layoutVersion) },
    });
  });

  it('is written by the first function that finds a new table without it, once among many', async () => {
    const tableName = uniqueName('layout-bare');
    await createBareTable(tableName);
    const clients = Array.from({ length: 4 }, () => freshClient());

    await Promise.all(
      clients.map(({ client: fresh }) => new EventStore({ client: fresh, tableName }).checkLayout()),
    );
    for (const { client: fresh } of clients) fresh.destroy();

    expect((await layoutItem(tableName))?.version).toEqual({ N: '2' });
    expect(await itemCount(tableName)).toBe(1);
    // Every function read it, described the table when it was missing, and tried to write it.
    for (const { calls } of clients) expect(calls[0]).toBe('GetItem');
  });

  it('costs one GetItem per process and table, shared by every store and history over it', async () => {
    const tableName = uniqueName('layout-once');
    await createEventTable(client(), tableName);
    const { client: fresh, calls } = freshClient();
    const store = new EventStore({ client: fresh, tableName });
    const history = new EventHistory({ client: fresh, tableName, store });

    await store.getEvent(newEventRecord(0).id);
    await new EventStore({ client: fresh, tableName }).getEvent(newEventRecord(0).id);
    await history.listEvents({ route: '/layout/', limit: 1 });
    fresh.destroy();

    expect(calls.filter((call) => call === 'GetItem')).toHaveLength(3);
    expect(calls[0]).toBe('GetItem');
    expect(calls).not.toContain('DescribeTable');
  });

  describe('a table of layout v1 (release 0.1.0: no layout item, a byRoute index)', () => {
    const tableName = uniqueName('layout-v1');
    let store: EventStore;
    let history: EventHistory;

    beforeAll(async () => {
      await createV1Table(client(), tableName);
      store = new EventStore({ client: client(), tableName });
      history = new EventHistory({ client: client(), tableName, store });
    });

    it('is refused by every operation, naming both layouts, and nothing is written', async () => {
      const event = { ...newEventRecord(0), dedupeKey: 'header:d-1' };

      const results = await Promise.allSettled([
        store.checkLayout(),
        store.claimRequest({ record: event, windowSeconds: 60 }),
        store.putRequest(event),
        store.putQueued(event, 'REQUEST#x'),
        store.getEvent(event.id),
        store.acquireLock({ id: event.id, route: event.route, owner: 'o', expiresAt: new Date() }),
        history.listEvents({ route: event.route }),
        history.countByStatus(event.route),
        history.getStates([event.id]),
      ]);

      for (const result of results) {
        expect(result.status).toBe('rejected');
        const reason: unknown = result.status === 'rejected' ? result.reason : undefined;
        expect(reason).toBeInstanceOf(TableLayoutError);
        expect(reason).toMatchObject({ code: 'table_layout_mismatch', found: 1, expected: 2, tableName });
        expect((reason as Error).message).toMatch(
          new RegExp(
            `^the event table ${tableName} uses layout v1 .*; this Hookline needs layout v2: deploy it to a new table`,
          ),
        );
      }
      expect(await itemCount(tableName)).toBe(0);
    });

    it('is refused by the local stack’s table creation too', async () => {
      await expect(createEventTable(client(), tableName)).rejects.toBeInstanceOf(TableLayoutError);
      expect(await layoutItem(tableName)).toBeUndefined();
    });
  });

  it('refuses a table whose layout item names another version, naming both', async () => {
    const tableName = uniqueName('layout-v3');
    await createBareTable(tableName);
    await client().send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: LAYOUT_KEY.pk }, sk: { S: LAYOUT_KEY.sk }, version: { N: '3' } },
      }),
    );
    const store = new EventStore({ client: client(), tableName });

    const refusal = store.putRequest(newEventRecord(0));

    await expect(refusal).rejects.toBeInstanceOf(TableLayoutError);
    await expect(refusal).rejects.toThrow(
      /uses layout v3 \(its layout item says so\); this Hookline needs layout v2/,
    );
  });

  it('tries again after a failure to read (it is not a refusal)', async () => {
    const tableName = uniqueName('layout-retry');
    const { client: fresh } = freshClient();
    const store = new EventStore({ client: fresh, tableName });

    await expect(store.checkLayout()).rejects.not.toBeInstanceOf(TableLayoutError);
    await createEventTable(client(), tableName);
    await expect(store.checkLayout()).resolves.toBeUndefined();
    fresh.destroy();
  });
});
