/**
 * The rehearsal's Lambda and Scheduler stand-ins answer the real SDK clients as AWS does (shapes and
 * error types the clients deserialize), and the requests those clients send are read back as the
 * operations and IAM requests the judge checks.
 */
import {
  LambdaClient,
  ResourceNotFoundException as LambdaNotFound,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  SchedulerClient,
  ResourceNotFoundException as SchedulerNotFound,
} from '@aws-sdk/client-scheduler';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsTestCredentials } from '../../helpers/emulators.js';
import { type AwsCall, authorizationOf, callOf } from '../../rehearsal/authorization.js';
import type { AwsService } from '../../rehearsal/aws-network.js';
import type { EventSourceMapping, MappingChange } from '../../rehearsal/event-source-mappings.js';
import { startLambdaControlPlane } from '../../rehearsal/lambda-control-plane.js';
import {
  type ScheduleRecord,
  type SchedulerStandIn,
  startScheduler,
} from '../../rehearsal/scheduler-stand-in.js';
import type { StandIn } from '../../rehearsal/stand-ins.js';

const ACCOUNT = '123456789012';
const REGION = awsTestCredentials.region;
const UUID = '3f1c9d2e-7b4a-4c1d-a2b3-0123456789ab';
const FUNCTION_NAME = 'rehearsal-handler';
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION_NAME}`;
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:orders`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/probe`;
const GROUP = 'rehearsal-circuits';

/** A mapping stand-in that only keeps its state. */
function fakeMapping(): EventSourceMapping {
  let enabled = true;
  let batchSize = 10;
  const changes: MappingChange[] = [];
  return {
    logicalId: 'Mapping',
    uuid: UUID,
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${UUID}`,
    functionLogicalId: 'Handler',
    functionName: FUNCTION_NAME,
    functionArn: FUNCTION_ARN,
    queueArn: QUEUE_ARN,
    queueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/orders`,
    maximumBatchingWindowInSeconds: 0,
    functionResponseTypes: ['ReportBatchItemFailures'],
    maximumConcurrency: 2,
    get enabled() {
      return enabled;
    },
    get batchSize() {
      return batchSize;
    },
    lastModified: new Date('2026-01-01T00:00:00Z'),
    changes,
    invocations: [],
    update(change) {
      enabled = change.enabled ?? enabled;
      batchSize = change.batchSize ?? batchSize;
      changes.push({ at: new Date(), enabled, batchSize });
    },
    stop: async () => {},
  };
}

type SdkRequest = Parameters<NodeHttpHandler['handle']>[0];

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  if (body === undefined) return '';
  throw new Error(`a request body the test cannot read: ${typeof body}`);
}

/** Sends each request over HTTP and keeps it as the rehearsal's network records a wire request. */
class RecordingHandler extends NodeHttpHandler {
  readonly calls: AwsCall[] = [];

  constructor(private readonly service: AwsService) {
    super();
  }

  override handle(...args: Parameters<NodeHttpHandler['handle']>) {
    this.calls.push(callOf('handler /orders/', 'function', this.wireRequest(args[0])));
    return super.handle(...args);
  }

  private wireRequest(request: SdkRequest) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      for (const item of [value ?? ''].flat()) query.append(name, item);
    }
    const search = query.toString();
    return {
      service: this.service,
      method: request.method,
      host: `${this.service}.${REGION}.amazonaws.com`,
      path: `${request.path}${search === '' ? '' : `?${search}`}`,
      headers: {},
      body: bodyText(request.body),
    };
  }
}

const arns = {
  region: REGION,
  account: ACCOUNT,
  secretArn: (name: string) => name,
  mappingFunctionArn: (uuid: string) => (uuid === UUID ? FUNCTION_ARN : undefined),
};

describe("the rehearsal's Lambda API for event source mappings", () => {
  const mapping = fakeMapping();
  let lambdaApi: StandIn;
  let lambda: LambdaClient;
  const handler = new RecordingHandler('lambda');

  beforeAll(async () => {
    lambdaApi = await startLambdaControlPlane(() => [mapping], [{ name: FUNCTION_NAME, arn: FUNCTION_ARN }]);
    lambda = new LambdaClient({
      ...awsTestCredentials,
      endpoint: lambdaApi.endpoint,
      maxAttempts: 1,
      requestHandler: handler,
    });
  });

  afterAll(async () => {
    lambda.destroy();
    await lambdaApi.stop();
  });

  it('lists the mapping on a queue, for its function given by name or by ARN', async () => {
    for (const FunctionName of [FUNCTION_NAME, FUNCTION_ARN, undefined]) {
      const listed = await lambda.send(
        new ListEventSourceMappingsCommand({ EventSourceArn: QUEUE_ARN, FunctionName }),
      );
      expect(listed.EventSourceMappings).toEqual([
        expect.objectContaining({
          UUID,
          EventSourceArn: QUEUE_ARN,
          FunctionArn: FUNCTION_ARN,
          BatchSize: 10,
          State: 'Enabled',
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: 2 },
          LastModified: new Date('2026-01-01T00:00:00Z'),
        }),
      ]);
    }
    const other = await lambda.send(
      new ListEventSourceMappingsCommand({ EventSourceArn: `${QUEUE_ARN}-other` }),
    );
    expect(other.EventSourceMappings).toEqual([]);
    await expect(
      lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'no-such-function' })),
    ).rejects.toBeInstanceOf(LambdaNotFound);
  });

  it('switches the mapping and sets its batch size; an unknown UUID is not found', async () => {
    const disabled = await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: false }));
    expect(disabled).toMatchObject({ UUID, State: 'Disabling', BatchSize: 10 });
    expect(mapping.enabled).toBe(false);
    const probe = await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID, Enabled: true, BatchSize: 1 }),
    );
    expect(probe).toMatchObject({ State: 'Enabling', BatchSize: 1 });
    expect(mapping.changes.map(({ enabled, batchSize }) => [enabled, batchSize])).toEqual([
      [false, 10],
      [true, 1],
    ]);
    await expect(
      lambda.send(
        new UpdateEventSourceMappingCommand({ UUID: '00000000-0000-4000-8000-000000000000', Enabled: true }),
      ),
    ).rejects.toBeInstanceOf(LambdaNotFound);
    await expect(lambda.send(new UpdateEventSourceMappingCommand({ UUID, BatchSize: 11 }))).rejects.toThrow(
      /BatchSize must be an integer from 1 to 10/,
    );
  });

  it('reads the requests back as the IAM requests Lambda authorizes', () => {
    const list = handler.calls.find((call) => call.operation === 'ListEventSourceMappings');
    expect(list?.input).toEqual({ EventSourceArn: QUEUE_ARN, FunctionName: FUNCTION_NAME });
    expect(authorizationOf(list as AwsCall, arns)).toEqual([
      { action: 'lambda:ListEventSourceMappings', resource: '*', context: {} },
    ]);
    const update = handler.calls.find((call) => call.operation === 'UpdateEventSourceMapping');
    expect(update?.input).toEqual({ UUID, Enabled: false });
    expect(authorizationOf(update as AwsCall, arns)).toEqual([
      {
        action: 'lambda:UpdateEventSourceMapping',
        resource: mapping.arn,
        context: { 'lambda:FunctionArn': FUNCTION_ARN },
      },
    ]);
  });
});

describe("the rehearsal's Scheduler", () => {
  let scheduler: SchedulerStandIn;
  let client: SchedulerClient;
  const handler = new RecordingHandler('scheduler');
  const ran: ScheduleRecord[] = [];

  const probe = (name: string, at: Date, group = GROUP): CreateScheduleCommandInput => ({
    Name: name,
    GroupName: group,
    ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: 'arn:aws:scheduler:::aws-sdk:lambda:updateEventSourceMapping',
      RoleArn: ROLE_ARN,
      Input: JSON.stringify({ UUID, Enabled: true, BatchSize: 1 }),
    },
  });

  beforeAll(async () => {
    scheduler = await startScheduler({
      region: REGION,
      account: ACCOUNT,
      groups: [GROUP],
      runTarget: async (schedule) => {
        ran.push(schedule);
      },
    });
    client = new SchedulerClient({
      ...awsTestCredentials,
      endpoint: scheduler.endpoint,
      maxAttempts: 1,
      requestHandler: handler,
    });
  });

  afterAll(async () => {
    client.destroy();
    await scheduler.stop();
  });

  it('runs a one-time schedule at its time, then deletes it', async () => {
    const at = new Date(Math.ceil((Date.now() + 1_000) / 1000) * 1000);
    const created = await client.send(new CreateScheduleCommand(probe('circuit-abc-1', at)));
    expect(created.ScheduleArn).toBe(
      `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${GROUP}/circuit-abc-1`,
    );
    expect(scheduler.existing().map((schedule) => schedule.name)).toEqual(['circuit-abc-1']);
    await expect.poll(() => ran.length, { timeout: 5_000 }).toBe(1);
    expect(ran[0]?.firedAt?.getTime()).toBeGreaterThanOrEqual(at.getTime());
    expect(ran[0]).toMatchObject({ deletedBy: 'completion', target: { roleArn: ROLE_ARN } });
    expect(scheduler.existing()).toEqual([]);
  });

  it('refuses a taken name, a missing schedule and a group the stack does not have', async () => {
    const later = new Date(Date.now() + 3_600_000);
    await client.send(new CreateScheduleCommand(probe('circuit-abc-2', later)));
    await expect(
      client.send(new CreateScheduleCommand(probe('circuit-abc-2', later))),
    ).rejects.toBeInstanceOf(ConflictException);
    await expect(
      client.send(new CreateScheduleCommand(probe('circuit-abc-3', later, 'no-such-group'))),
    ).rejects.toBeInstanceOf(SchedulerNotFound);
    await client.send(new DeleteScheduleCommand({ Name: 'circuit-abc-2', GroupName: GROUP }));
    expect(scheduler.history.find((schedule) => schedule.name === 'circuit-abc-2')).toMatchObject({
      deletedBy: 'DeleteSchedule',
    });
    await expect(
      client.send(new DeleteScheduleCommand({ Name: 'circuit-abc-2', GroupName: GROUP })),
    ).rejects.toBeInstanceOf(SchedulerNotFound);
  });

  it('reads the requests back as the IAM requests Scheduler authorizes, the role passed included', () => {
    const create = handler.calls.find((call) => call.operation === 'CreateSchedule');
    expect(authorizationOf(create as AwsCall, arns)).toEqual([
      {
        action: 'scheduler:CreateSchedule',
        resource: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${GROUP}/circuit-abc-1`,
        context: {},
      },
      {
        action: 'iam:PassRole',
        resource: ROLE_ARN,
        context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      },
    ]);
    const remove = handler.calls.find((call) => call.operation === 'DeleteSchedule');
    expect(remove?.input).toEqual({
      Name: 'circuit-abc-2',
      GroupName: GROUP,
      ClientToken: expect.any(String),
    });
    expect(authorizationOf(remove as AwsCall, arns)).toEqual([
      {
        action: 'scheduler:DeleteSchedule',
        resource: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${GROUP}/circuit-abc-2`,
        context: {},
      },
    ]);
  });
});
