/**
 * How AWS authorizes each call the functions make: the IAM actions, the resource ARNs and the
 * condition keys, per operation, as the service authorization reference lists them. An operation
 * missing from `OPERATIONS` is an error: a new call must be mapped before it can pass.
 *
 * - DynamoDB: the table's ARN, or the index's for an index query; `dynamodb:LeadingKeys` is each
 *   partition key the request touches. `TransactWriteItems` is authorized item by item (PutItem,
 *   UpdateItem, DeleteItem, ConditionCheckItem), `BatchGetItem` per table.
 * - SQS: the queue's ARN from its URL. `StartMessageMoveTask` needs the move actions on the source
 *   (the DLQ) and `sqs:SendMessage` on the destination; batch operations are their single actions.
 * - S3: object ARNs; `CopyObject` reads the source and writes the destination.
 * - Secrets Manager: the secret's full ARN, suffix included (a name is looked up first), for
 *   reading it (`GetSecretValue`) and for a handshake storing the key it was handed (`PutSecretValue`).
 * - CloudWatch: `GetMetricData` has no resource-level permissions (`*`).
 * - Lambda: `ListEventSourceMappings` has no resource-level permissions (`*`);
 *   `UpdateEventSourceMapping` is on the mapping's ARN, with `lambda:FunctionArn` the function it
 *   feeds.
 * - Scheduler: a schedule's ARN names its group (`default` when none is given); `CreateSchedule`
 *   also passes the target's role to Scheduler (`iam:PassRole` with `iam:PassedToService`).
 */
import type { AwsService, WireRequest } from './aws-network.js';
import { restOperationOf } from './rest-operations.js';

/** One call as it went out: who made it and what it asked. */
export interface AwsCall {
  /** The function the call is attributed to (`ingress /orders/`, ...). */
  readonly fn: string;
  /**
   * Who sent it: the function's own code, Lambda's event source mapping (with the function's role),
   * or Scheduler running a schedule's target (with the schedule's role; `fn` names that role).
   */
  readonly via: 'function' | 'event source mapping' | 'scheduler';
  readonly service: AwsService;
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/** One question IAM answers for a call. */
export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | string[]>>;
}

/** What an ARN needs that a call does not carry. */
export interface ArnContext {
  readonly region: string;
  readonly account: string;
  /** The full ARN of a secret given by name. */
  secretArn(nameOrArn: string): string;
  /** The ARN of the function the event source mapping `uuid` feeds; undefined for no mapping of the stack. */
  mappingFunctionArn?(uuid: string): string | undefined;
}

type Input = Readonly<Record<string, unknown>>;
type Authorize = (input: Input, arns: ArnContext) => AuthorizationRequest[];

class UnmappedOperationError extends Error {
  override name = 'UnmappedOperationError';
}

/**
 * The wire request as a call: its operation and input (an S3 or REST-JSON request's from its method
 * and path).
 */
export function callOf(fn: string, via: AwsCall['via'], request: WireRequest): AwsCall {
  if (request.service === 's3') return { fn, via, service: 's3', ...s3Operation(request) };
  if (request.service === 'lambda' || request.service === 'scheduler') {
    const rest = restOperationOf(request.service, request.method, request.path, request.body);
    if (rest === undefined) {
      throw new UnmappedOperationError(`${request.service} ${request.method} ${request.path}`);
    }
    return { fn, via, service: request.service, ...rest };
  }
  const target = request.headers['x-amz-target'] ?? '';
  const operation = target.slice(target.lastIndexOf('.') + 1);
  if (operation === '') throw new UnmappedOperationError(`${request.service} request without X-Amz-Target`);
  return { fn, via, service: request.service, operation, input: JSON.parse(request.body || '{}') as Input };
}

function s3Operation(request: WireRequest): { operation: string; input: Input } {
  const url = new URL(request.path, 'https://s3.amazonaws.com');
  const virtual = /^([a-z0-9.-]+)\.s3\./.exec(request.host)?.[1];
  const segments = url.pathname.slice(1).split('/');
  const bucket = virtual ?? segments.shift() ?? '';
  const key = (virtual === undefined ? segments : url.pathname.slice(1).split('/'))
    .map(decodeURIComponent)
    .join('/');
  const copySource = request.headers['x-amz-copy-source'];
  if (request.method === 'PUT' && copySource !== undefined) {
    return { operation: 'CopyObject', input: { Bucket: bucket, Key: key, CopySource: copySource } };
  }
  if (key === '' && request.method === 'GET') {
    return {
      operation: 'ListObjectsV2',
      input: { Bucket: bucket, Prefix: url.searchParams.get('prefix') ?? '' },
    };
  }
  const byMethod: Record<string, string> = {
    GET: 'GetObject',
    HEAD: 'HeadObject',
    PUT: 'PutObject',
    DELETE: 'DeleteObject',
  };
  const operation = byMethod[request.method];
  if (operation === undefined) throw new UnmappedOperationError(`S3 ${request.method} ${request.path}`);
  return { operation, input: { Bucket: bucket, Key: key } };
}

const request = (
  action: string,
  resource: string,
  context: AuthorizationRequest['context'] = {},
): AuthorizationRequest => ({ action, resource, context });

// --- SQS ---

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` → its ARN. */
export function queueArn(queueUrl: unknown): string {
  const url = new URL(String(queueUrl));
  const [account, name] = url.pathname.slice(1).split('/');
  const region = /^sqs\.([a-z0-9-]+)\./.exec(url.hostname)?.[1];
  if (region === undefined || account === undefined || name === undefined) {
    throw new Error(`not an SQS queue URL: ${String(queueUrl)}`);
  }
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

const onQueue =
  (action: string): Authorize =>
  (input) => [request(action, queueArn(input.QueueUrl))];

// --- DynamoDB ---

type AttributeMap = Readonly<Record<string, { readonly S?: string }>>;

function tableArn(name: unknown, arns: ArnContext): string {
  return `arn:aws:dynamodb:${arns.region}:${arns.account}:table/${String(name)}`;
}

/** The partition key value of an item or key (`pk`; the table's only partition key). */
function leadingKey(item: unknown): string {
  const value = (item as AttributeMap | undefined)?.pk?.S;
  if (value === undefined) throw new Error(`no string pk in ${JSON.stringify(item)}`);
  return value;
}

const onItem =
  (action: string, keyField: 'Key' | 'Item'): Authorize =>
  (input, arns) => [
    request(action, tableArn(input.TableName, arns), {
      'dynamodb:LeadingKeys': [leadingKey(input[keyField])],
    }),
  ];

const query: Authorize = (input, arns) => {
  const table = tableArn(input.TableName, arns);
  if (typeof input.IndexName === 'string')
    return [request('dynamodb:Query', `${table}/index/${input.IndexName}`)];
  const placeholder = /\bpk\s*=\s*(:\w+)/.exec(String(input.KeyConditionExpression))?.[1] ?? '';
  const values = input.ExpressionAttributeValues as AttributeMap | undefined;
  const pk = values?.[placeholder]?.S;
  if (pk === undefined)
    throw new Error(`cannot read the partition key of ${String(input.KeyConditionExpression)}`);
  return [request('dynamodb:Query', table, { 'dynamodb:LeadingKeys': [pk] })];
};

const TRANSACT_ACTIONS = {
  Put: ['dynamodb:PutItem', 'Item'],
  Update: ['dynamodb:UpdateItem', 'Key'],
  Delete: ['dynamodb:DeleteItem', 'Key'],
  ConditionCheck: ['dynamodb:ConditionCheckItem', 'Key'],
} as const;

const transactWrite: Authorize = (input, arns) =>
  (input.TransactItems as Record<string, Input>[]).flatMap((item) =>
    Object.entries(item).map(([kind, part]) => {
      const mapped = TRANSACT_ACTIONS[kind as keyof typeof TRANSACT_ACTIONS];
      if (mapped === undefined) throw new UnmappedOperationError(`TransactWriteItems ${kind}`);
      const [action, keyField] = mapped;
      return request(action, tableArn(part.TableName, arns), {
        'dynamodb:LeadingKeys': [leadingKey(part[keyField])],
      });
    }),
  );

const batchGet: Authorize = (input, arns) =>
  Object.entries(input.RequestItems as Record<string, { Keys: unknown[] }>).map(([table, { Keys }]) =>
    request('dynamodb:BatchGetItem', tableArn(table, arns), { 'dynamodb:LeadingKeys': Keys.map(leadingKey) }),
  );

// --- S3 ---

const onObject =
  (action: string): Authorize =>
  (input) => [request(action, `arn:aws:s3:::${String(input.Bucket)}/${String(input.Key)}`)];

/** `CopySource` is the `x-amz-copy-source` header as sent (`<bucket>/<key>`, URL-encoded). */
const copyObject: Authorize = (input) => [
  request('s3:GetObject', `arn:aws:s3:::${decodeURIComponent(String(input.CopySource)).replace(/^\//, '')}`),
  request('s3:PutObject', `arn:aws:s3:::${String(input.Bucket)}/${String(input.Key)}`, {
    's3:x-amz-copy-source': String(input.CopySource),
  }),
];

// --- Lambda and Scheduler ---

const updateEventSourceMapping: Authorize = (input, arns) => {
  const uuid = String(input.UUID);
  const functionArn = arns.mappingFunctionArn?.(uuid);
  return [
    request(
      'lambda:UpdateEventSourceMapping',
      `arn:aws:lambda:${arns.region}:${arns.account}:event-source-mapping:${uuid}`,
      functionArn === undefined ? {} : { 'lambda:FunctionArn': functionArn },
    ),
  ];
};

function scheduleArn(input: Input, arns: ArnContext): string {
  const group = typeof input.GroupName === 'string' ? input.GroupName : 'default';
  return `arn:aws:scheduler:${arns.region}:${arns.account}:schedule/${group}/${String(input.Name)}`;
}

const createSchedule: Authorize = (input, arns) => {
  const role = (input.Target as { RoleArn?: unknown } | undefined)?.RoleArn;
  if (typeof role !== 'string') throw new Error(`CreateSchedule ${String(input.Name)} names no target role`);
  return [
    request('scheduler:CreateSchedule', scheduleArn(input, arns)),
    request('iam:PassRole', role, { 'iam:PassedToService': 'scheduler.amazonaws.com' }),
  ];
};

/** Each operation a Hookline function may call, and what IAM checks for it. */
export const OPERATIONS: Readonly<Record<AwsService, Readonly<Record<string, Authorize>>>> = {
  sqs: {
    SendMessage: onQueue('sqs:SendMessage'),
    SendMessageBatch: onQueue('sqs:SendMessage'),
    ReceiveMessage: onQueue('sqs:ReceiveMessage'),
    DeleteMessage: onQueue('sqs:DeleteMessage'),
    DeleteMessageBatch: onQueue('sqs:DeleteMessage'),
    ChangeMessageVisibility: onQueue('sqs:ChangeMessageVisibility'),
    ChangeMessageVisibilityBatch: onQueue('sqs:ChangeMessageVisibility'),
    GetQueueAttributes: onQueue('sqs:GetQueueAttributes'),
    StartMessageMoveTask: (input) => {
      const source = String(input.SourceArn);
      const moves = [
        'sqs:StartMessageMoveTask',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
      ];
      const destination = input.DestinationArn;
      if (typeof destination !== 'string') {
        throw new Error(
          "StartMessageMoveTask without DestinationArn sends to each message's source queue: name it",
        );
      }
      return [...moves.map((action) => request(action, source)), request('sqs:SendMessage', destination)];
    },
    ListMessageMoveTasks: (input) => [request('sqs:ListMessageMoveTasks', String(input.SourceArn))],
  },
  dynamodb: {
    GetItem: onItem('dynamodb:GetItem', 'Key'),
    PutItem: onItem('dynamodb:PutItem', 'Item'),
    UpdateItem: onItem('dynamodb:UpdateItem', 'Key'),
    DeleteItem: onItem('dynamodb:DeleteItem', 'Key'),
    Query: query,
    TransactWriteItems: transactWrite,
    BatchGetItem: batchGet,
    // On the table: its layout, read by a function that finds no layout item (a new table).
    DescribeTable: (input, arns) => [request('dynamodb:DescribeTable', tableArn(input.TableName, arns))],
  },
  s3: {
    GetObject: onObject('s3:GetObject'),
    HeadObject: onObject('s3:GetObject'),
    PutObject: onObject('s3:PutObject'),
    DeleteObject: onObject('s3:DeleteObject'),
    CopyObject: copyObject,
    ListObjectsV2: (input) => [
      request('s3:ListBucket', `arn:aws:s3:::${String(input.Bucket)}`, { 's3:prefix': String(input.Prefix) }),
    ],
  },
  secretsmanager: {
    GetSecretValue: (input, arns) => [
      request('secretsmanager:GetSecretValue', arns.secretArn(String(input.SecretId))),
    ],
    PutSecretValue: (input, arns) => [
      request('secretsmanager:PutSecretValue', arns.secretArn(String(input.SecretId))),
    ],
  },
  monitoring: {
    GetMetricData: () => [request('cloudwatch:GetMetricData', '*')],
  },
  lambda: {
    ListEventSourceMappings: () => [request('lambda:ListEventSourceMappings', '*')],
    UpdateEventSourceMapping: updateEventSourceMapping,
  },
  scheduler: {
    CreateSchedule: createSchedule,
    DeleteSchedule: (input, arns) => [request('scheduler:DeleteSchedule', scheduleArn(input, arns))],
  },
};

/** The IAM requests of `call`; throws UnmappedOperationError for an operation not in the table. */
export function authorizationOf(call: AwsCall, arns: ArnContext): AuthorizationRequest[] {
  const authorize = OPERATIONS[call.service][call.operation];
  if (authorize === undefined) {
    throw new UnmappedOperationError(`${call.service}:${call.operation} (by ${call.fn}) has no IAM mapping`);
  }
  return authorize(call.input, arns);
}
