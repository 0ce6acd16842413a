/**
 * The template's SQS event source mappings, as Lambda runs them: each receives a batch from its
 * queue, invokes its function and deletes what the function did not report failed, while it is
 * enabled, with the batch size in force. `UpdateEventSourceMapping` (./lambda-control-plane.ts)
 * switches a mapping off and on and changes its batch size: a disabled mapping lets the invocation
 * in flight finish and receives nothing more. The switch takes effect at once here (Lambda takes a
 * moment, in state `Disabling`): a batch that a receive in flight brings back after the switch is
 * given back to the queue (visible again at once) instead of being invoked. Each mapping has the
 * UUID and ARN the template's mapping resolves to in this deployment.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { FunctionProcess } from './function-process.js';
import type { Deployment } from './template.js';

/** A change `UpdateEventSourceMapping` made, in order. */
export interface MappingChange {
  readonly at: Date;
  readonly enabled: boolean;
  readonly batchSize: number;
}

/** One invocation of the function by the mapping. */
export interface MappingInvocation {
  /** When it started. */
  readonly at: Date;
  readonly records: number;
  /** The batch size in force when the batch was received. */
  readonly batchSize: number;
}

/** What a mapping is in this deployment. */
export interface MappingIdentity {
  readonly logicalId: string;
  /** `Ref` of the mapping: Lambda's UUID for it. */
  readonly uuid: string;
  readonly arn: string;
  readonly functionLogicalId: string;
  /** The function's name and ARN once deployed. */
  readonly functionName: string;
  readonly functionArn: string;
  readonly queueArn: string;
  readonly queueUrl: string;
  readonly maximumBatchingWindowInSeconds: number;
  readonly functionResponseTypes: readonly string[];
  readonly maximumConcurrency?: number;
}

export interface EventSourceMapping extends MappingIdentity {
  readonly enabled: boolean;
  readonly batchSize: number;
  readonly lastModified: Date;
  /** Every change made to it since the deployment, in order. */
  readonly changes: readonly MappingChange[];
  readonly invocations: readonly MappingInvocation[];
  /** Switches polling and sets the batch size from the next receive on. */
  update(change: { readonly enabled?: boolean; readonly batchSize?: number }): void;
  stop(): Promise<void>;
}

/** A disabled mapping looks again this often whether it was enabled (an update also wakes it). */
const DISABLED_WAKE_MS = 200;

/** Polls `identity`'s queue for its function while enabled, until stopped. */
function startMapping(
  identity: MappingIdentity,
  settings: { readonly enabled: boolean; readonly batchSize: number },
  sqs: SQSClient,
  target: FunctionProcess,
): EventSourceMapping {
  let { enabled, batchSize } = settings;
  let lastModified = new Date();
  let running = true;
  let wake: (() => void) | undefined;
  const changes: MappingChange[] = [];
  const invocations: MappingInvocation[] = [];
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DISABLED_WAKE_MS);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
  const loop = (async () => {
    while (running) {
      if (!enabled) await sleep();
      else {
        const size = batchSize;
        await pollOnce(sqs, identity, size, target, {
          enabled: () => enabled,
          invoking: (records) => invocations.push({ at: new Date(), records, batchSize: size }),
        });
      }
    }
  })();
  return {
    ...identity,
    get enabled() {
      return enabled;
    },
    get batchSize() {
      return batchSize;
    },
    get lastModified() {
      return lastModified;
    },
    changes,
    invocations,
    update(change) {
      enabled = change.enabled ?? enabled;
      batchSize = change.batchSize ?? batchSize;
      lastModified = new Date();
      changes.push({ at: lastModified, enabled, batchSize });
      wake?.();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}

/** Receives one batch and settles it, unless the mapping was disabled meanwhile. */
async function pollOnce(
  sqs: SQSClient,
  mapping: Pick<MappingIdentity, 'queueUrl' | 'queueArn'>,
  batchSize: number,
  target: FunctionProcess,
  observe: { readonly enabled: () => boolean; readonly invoking: (records: number) => void },
): Promise<void> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: mapping.queueUrl,
      MaxNumberOfMessages: batchSize,
      WaitTimeSeconds: 1,
      // The emulator answers ApproximateReceiveCount to the older AttributeNames only.
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) return;
  if (!observe.enabled()) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: mapping.queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
    return;
  }
  const records = Messages.map((message) => sqsRecord(message, mapping.queueArn));
  observe.invoking(records.length);
  let failed: Set<string>;
  try {
    const response = (await target.invoke({ Records: records })) as SQSBatchResponse | undefined;
    failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
  } catch {
    return; // A failed invocation leaves the whole batch to become visible again.
  }
  const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
  if (done.length === 0) return;
  await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: mapping.queueUrl,
      Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
    }),
  );
}

/**
 * Starts every mapping of the template, as its properties set it (`Enabled`, `BatchSize`), each
 * with the SQS client `sqsFor` gives for its function (whose calls are recorded for it).
 */
export function startEventSourceMappings(
  deployment: Deployment,
  functions: ReadonlyMap<string, FunctionProcess>,
  sqsFor: (functionLogicalId: string) => SQSClient,
): EventSourceMapping[] {
  return deployment.ofType('AWS::Lambda::EventSourceMapping').map((logicalId) => {
    const props = deployment.resource(logicalId).Properties ?? {};
    const queueArn = deployment.resolveString(props.EventSourceArn);
    const queueLogicalId = deployment.ofType('AWS::SQS::Queue').find((id) => deployment.arn(id) === queueArn);
    const functionLogicalId = (props.FunctionName as { Ref?: string }).Ref;
    const target = functionLogicalId === undefined ? undefined : functions.get(functionLogicalId);
    if (queueLogicalId === undefined || functionLogicalId === undefined || target === undefined) {
      throw new Error(`event source mapping ${logicalId} names no queue or function of the template`);
    }
    const scaling = props.ScalingConfig as { MaximumConcurrency?: number } | undefined;
    const identity: MappingIdentity = {
      logicalId,
      uuid: deployment.ref(logicalId),
      arn: deployment.attribute(logicalId, 'EventSourceMappingArn'),
      functionLogicalId,
      functionName: deployment.ref(functionLogicalId),
      functionArn: deployment.arn(functionLogicalId),
      queueArn,
      queueUrl: deployment.ref(queueLogicalId),
      maximumBatchingWindowInSeconds: Number(props.MaximumBatchingWindowInSeconds ?? 0),
      functionResponseTypes: (props.FunctionResponseTypes ?? []) as string[],
      ...(scaling?.MaximumConcurrency !== undefined && { maximumConcurrency: scaling.MaximumConcurrency }),
    };
    const settings = { enabled: props.Enabled !== false, batchSize: Number(props.BatchSize ?? 10) };
    return startMapping(identity, settings, sqsFor(functionLogicalId), target);
  });
}

function sqsRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'AIDAREHEARSAL',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? '',
  };
}
