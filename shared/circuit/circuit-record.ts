/**
 * A route's circuit as deployed consumers share it: one item of the event table,
 * `pk = CIRCUIT#<route>`, `sk = CIRCUIT`, written only when the circuit changes (never per event).
 * Every transition is a conditional update, so of the handler instances that see the same failures
 * one opens the circuit, and of those that see the probe succeed one closes it.
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshallItem, unmarshallItem } from '../event-store/marshal.js';
import { TABLE_PARTITIONS } from '../resources.js';

/** What the item holds: `open` past `halfOpensAt` is half-open (the probe's mapping is enabled). */
export type StoredCircuitState = 'closed' | 'open' | 'paused';

export interface CircuitRecord {
  readonly state: StoredCircuitState;
  /** Failed attempts in a row that opened it (the probe's failure included). */
  readonly failures?: number;
  /** The cool-down in force while open (doubled after each failed probe). */
  readonly coolDownSeconds?: number;
  /** ISO 8601, while open. */
  readonly openedAt?: string;
  /** ISO 8601, while open: when the probe is scheduled. */
  readonly halfOpensAt?: string;
  /** The pending probe's schedule, while open. */
  readonly scheduleName?: string;
  /** ISO 8601: the last change. */
  readonly changedAt: string;
}

/** An open circuit's fields. */
export interface OpenCircuit {
  readonly failures: number;
  readonly coolDownSeconds: number;
  readonly openedAt: string;
  readonly halfOpensAt: string;
  readonly scheduleName: string;
}

const SORT_KEY = 'CIRCUIT';
const OPEN_FIELDS = ['failures', 'coolDownSeconds', 'openedAt', 'halfOpensAt', 'scheduleName'] as const;

export interface CircuitRecordsOptions {
  readonly client: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export class CircuitRecords {
  private readonly client: Pick<DynamoDBClient, 'send'>;
  private readonly tableName: string;
  private readonly now: () => Date;

  constructor(options: CircuitRecordsOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
  }

  /** The route's circuit, read consistently; undefined when it never changed (closed). */
  async read(route: string): Promise<CircuitRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key(route), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toRecord(unmarshallItem(Item));
  }

  /**
   * Opens the circuit, if it is still as the caller saw it: closed (`from` undefined) or open since
   * `from.openedAt` (a failed probe). False when another instance changed it first.
   */
  open(route: string, circuit: OpenCircuit, from?: Pick<CircuitRecord, 'openedAt'>): Promise<boolean> {
    const fields = { ...circuit, state: 'open', changedAt: this.now().toISOString() };
    return from?.openedAt === undefined
      ? this.update(route, fields, [], 'attribute_not_exists(pk) OR #state = :closed', {
          ':closed': 'closed',
        })
      : this.update(route, fields, [], '#state = :open AND openedAt = :seen', {
          ':open': 'open',
          ':seen': from.openedAt,
        });
  }

  /** Closes the circuit opened at `openedAt`; false when it is no longer that one. */
  close(route: string, openedAt: string): Promise<boolean> {
    return this.update(
      route,
      { state: 'closed', changedAt: this.now().toISOString() },
      OPEN_FIELDS,
      '#state = :open AND openedAt = :seen',
      { ':open': 'open', ':seen': openedAt },
    );
  }

  /**
   * Sets the circuit to `state` whatever it was (an operator's pause or resume).
   * @returns the circuit before, undefined when there was none
   */
  async set(route: string, state: 'paused' | 'closed'): Promise<CircuitRecord | undefined> {
    const { Attributes } = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: key(route),
        ...updateExpression({ state, changedAt: this.now().toISOString() }, OPEN_FIELDS),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes === undefined ? undefined : toRecord(unmarshallItem(Attributes));
  }

  private async update(
    route: string,
    fields: Readonly<Record<string, unknown>>,
    removed: readonly string[],
    condition: string,
    conditionValues: Readonly<Record<string, string>>,
  ): Promise<boolean> {
    const expression = updateExpression(fields, removed);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(route),
          UpdateExpression: expression.UpdateExpression,
          ExpressionAttributeNames: expression.ExpressionAttributeNames,
          ExpressionAttributeValues: {
            ...expression.ExpressionAttributeValues,
            ...marshallItem(conditionValues),
          },
          ConditionExpression: condition,
        }),
      );
      return true;
    } catch (error: unknown) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function key(route: string) {
  return marshallItem({ pk: TABLE_PARTITIONS.circuit(route), sk: SORT_KEY });
}

/** `SET` every field (`#state` names the reserved word), `REMOVE` the others. */
function updateExpression(fields: Readonly<Record<string, unknown>>, removed: readonly string[]) {
  const names = Object.keys(fields);
  const set = names.map((name) => (name === 'state' ? '#state = :state' : `${name} = :${name}`));
  const remove = removed.filter((name) => !(name in fields));
  return {
    UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: marshallItem(
      Object.fromEntries(names.map((name) => [`:${name}`, fields[name]])),
    ),
  };
}

function toRecord(value: Record<string, unknown>): CircuitRecord {
  const { pk: _pk, sk: _sk, ...record } = value;
  return record as unknown as CircuitRecord;
}
