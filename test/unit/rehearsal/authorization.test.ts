/** How the rehearsal maps each call to what IAM authorizes (test/rehearsal/authorization.ts). */
import { describe, expect, it } from 'vitest';
import { type AwsCall, authorizationOf, callOf } from '../../rehearsal/authorization.js';

const arns = {
  region: 'us-east-1',
  account: '123456789012',
  secretArn: (name: string) =>
    name.startsWith('arn:') ? name : `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
};
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/events';
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders';

const call = (service: AwsCall['service'], operation: string, input: Record<string, unknown>): AwsCall => ({
  fn: 'ingress /orders/',
  via: 'function',
  service,
  operation,
  input,
});

describe('authorizationOf', () => {
  it('authorizes a transaction item by item, each with its partition key', () => {
    const requests = authorizationOf(
      call('dynamodb', 'TransactWriteItems', {
        TransactItems: [
          { ConditionCheck: { TableName: 'events', Key: { pk: { S: 'EVENT#1' } } } },
          { Put: { TableName: 'events', Item: { pk: { S: 'EVENT#1' }, sk: { S: 'REQUEST' } } } },
          { Update: { TableName: 'events', Key: { pk: { S: 'EVENT#2' } } } },
          { Delete: { TableName: 'events', Key: { pk: { S: 'DEDUPE#/orders/#k' } } } },
        ],
      }),
      arns,
    );
    expect(requests).toEqual([
      {
        action: 'dynamodb:ConditionCheckItem',
        resource: TABLE,
        context: { 'dynamodb:LeadingKeys': ['EVENT#1'] },
      },
      { action: 'dynamodb:PutItem', resource: TABLE, context: { 'dynamodb:LeadingKeys': ['EVENT#1'] } },
      { action: 'dynamodb:UpdateItem', resource: TABLE, context: { 'dynamodb:LeadingKeys': ['EVENT#2'] } },
      {
        action: 'dynamodb:DeleteItem',
        resource: TABLE,
        context: { 'dynamodb:LeadingKeys': ['DEDUPE#/orders/#k'] },
      },
    ]);
  });

  it('authorizes an index query on the index and a table query by its partition key', () => {
    expect(
      authorizationOf(
        call('dynamodb', 'Query', {
          TableName: 'events',
          IndexName: 'byRoute',
          KeyConditionExpression: 'gsi1pk = :p',
        }),
        arns,
      ),
    ).toEqual([{ action: 'dynamodb:Query', resource: `${TABLE}/index/byRoute`, context: {} }]);
    expect(
      authorizationOf(
        call('dynamodb', 'Query', {
          TableName: 'events',
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: 'EVENT#9' } },
        }),
        arns,
      ),
    ).toEqual([
      { action: 'dynamodb:Query', resource: TABLE, context: { 'dynamodb:LeadingKeys': ['EVENT#9'] } },
    ]);
  });

  it('authorizes a DLQ redrive on the DLQ and a send on its destination', () => {
    const dlq = 'arn:aws:sqs:us-east-1:123456789012:orders-dlq';
    const queue = 'arn:aws:sqs:us-east-1:123456789012:orders';
    const requests = authorizationOf(
      call('sqs', 'StartMessageMoveTask', { SourceArn: dlq, DestinationArn: queue }),
      arns,
    );
    expect(requests.map((request) => `${request.action} ${request.resource}`)).toEqual([
      `sqs:StartMessageMoveTask ${dlq}`,
      `sqs:ReceiveMessage ${dlq}`,
      `sqs:DeleteMessage ${dlq}`,
      `sqs:GetQueueAttributes ${dlq}`,
      `sqs:SendMessage ${queue}`,
    ]);
  });

  it('maps batch operations to their single actions on the queue of the URL', () => {
    expect(authorizationOf(call('sqs', 'DeleteMessageBatch', { QueueUrl: QUEUE_URL }), arns)).toEqual([
      { action: 'sqs:DeleteMessage', resource: 'arn:aws:sqs:us-east-1:123456789012:orders', context: {} },
    ]);
  });

  it('names a secret by its full ARN, suffix included', () => {
    expect(
      authorizationOf(call('secretsmanager', 'GetSecretValue', { SecretId: 'ORDERS_SECRET' }), arns),
    ).toEqual([
      {
        action: 'secretsmanager:GetSecretValue',
        resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ORDERS_SECRET-AbCdEf',
        context: {},
      },
    ]);
  });

  it('refuses an operation it has no mapping for', () => {
    expect(() => authorizationOf(call('sqs', 'PurgeQueue', { QueueUrl: QUEUE_URL }), arns)).toThrow(
      /sqs:PurgeQueue \(by ingress \/orders\/\) has no IAM mapping/,
    );
  });
});

describe('callOf', () => {
  const s3 = (method: string, path: string, headers: Record<string, string> = {}) =>
    callOf('admin', 'function', {
      service: 's3',
      method,
      host: 'bodies.s3.us-east-1.amazonaws.com',
      path,
      headers,
      body: '',
    });

  it('reads an S3 copy from its headers: a read of the source and a copy-conditioned write', () => {
    const copy = s3('PUT', '/orders/evt_2?x-id=CopyObject', { 'x-amz-copy-source': 'bodies/orders%2Fevt_1' });
    expect(copy.operation).toBe('CopyObject');
    expect(authorizationOf(copy, arns)).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::bodies/orders/evt_1', context: {} },
      {
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::bodies/orders/evt_2',
        context: { 's3:x-amz-copy-source': 'bodies/orders%2Fevt_1' },
      },
    ]);
  });

  it('reads the operation of a JSON protocol request from X-Amz-Target', () => {
    const request = callOf('ingress /orders/', 'function', {
      service: 'sqs',
      method: 'POST',
      host: 'sqs.us-east-1.amazonaws.com',
      path: '/',
      headers: { 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: JSON.stringify({ QueueUrl: QUEUE_URL, MessageBody: '{}' }),
    });
    expect(request).toMatchObject({ operation: 'SendMessage', input: { QueueUrl: QUEUE_URL } });
  });
});
