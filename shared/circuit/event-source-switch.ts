/**
 * A route's deployed consumer, switched off and on: its SQS event source mapping (disabled, the
 * messages wait in the queue; enabled, Lambda polls again from where it stopped) and the one-time
 * EventBridge Scheduler schedule that re-enables it for the probe after the cool-down (a universal
 * target calling `lambda:UpdateEventSourceMapping` itself, so nothing of Hookline runs then).
 */
import {
  type LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';

/** `ENV.circuit`: where probes are scheduled, and the role Scheduler calls Lambda with. */
export interface CircuitSchedule {
  /** The stack's schedule group. */
  readonly group: string;
  /** The role Scheduler assumes to re-enable the route's mapping (handlers only: the admin cancels). */
  readonly roleArn?: string;
}

/** The probe batch: one message, so a downstream still down costs one attempt, not a batch's. */
export const PROBE_BATCH_SIZE = 1;

/** Scheduler's universal target for Lambda's UpdateEventSourceMapping. */
const UPDATE_MAPPING_TARGET = 'arn:aws:scheduler:::aws-sdk:lambda:updateEventSourceMapping';
/** Scheduler retries a failed re-enable for up to a day (the mapping stays off until it succeeds). */
const PROBE_RETRY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };

export interface EventSourceSwitchOptions {
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly scheduler: Pick<SchedulerClient, 'send'>;
  /** The route queue's ARN: its mapping is the one on this queue (of `functionName`, when given). */
  readonly queueArn: string;
  readonly functionName?: string;
  readonly schedule: CircuitSchedule;
}

export class EventSourceSwitch {
  private mappingId: Promise<string> | undefined;

  constructor(private readonly options: EventSourceSwitchOptions) {}

  /** Lambda stops polling the queue (in-flight batches finish). */
  async disable(): Promise<void> {
    await this.update({ Enabled: false });
  }

  /** Lambda polls again, `batchSize` messages at a time. */
  async enable(batchSize: number): Promise<void> {
    await this.update({ Enabled: true, BatchSize: batchSize });
  }

  /** Schedules the mapping's re-enabling, for a probe batch, at `at` (Scheduler fires within its minute). */
  async scheduleProbe(name: string, at: Date): Promise<void> {
    const { roleArn, group } = this.options.schedule;
    if (roleArn === undefined) throw new Error('no scheduler role: this consumer cannot schedule a probe');
    const UUID = await this.mapping();
    await this.options.scheduler.send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: group,
        ScheduleExpression: `at(${atExpression(at)})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: UPDATE_MAPPING_TARGET,
          RoleArn: roleArn,
          Input: JSON.stringify({ UUID, Enabled: true, BatchSize: PROBE_BATCH_SIZE }),
          RetryPolicy: PROBE_RETRY,
        },
      }),
    );
  }

  /** Deletes a pending probe's schedule; one already gone (fired, or never made) is fine. */
  async cancelProbe(name: string): Promise<void> {
    try {
      await this.options.scheduler.send(
        new DeleteScheduleCommand({ Name: name, GroupName: this.options.schedule.group }),
      );
    } catch (error: unknown) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  private async update(change: { Enabled: boolean; BatchSize?: number }): Promise<void> {
    const UUID = await this.mapping();
    await this.options.lambda.send(new UpdateEventSourceMappingCommand({ UUID, ...change }));
  }

  /** The mapping's UUID, looked up once (a function cannot be given its own mapping's id: a cycle). */
  private mapping(): Promise<string> {
    this.mappingId ??= this.findMapping().catch((error: unknown) => {
      this.mappingId = undefined;
      throw error;
    });
    return this.mappingId;
  }

  private async findMapping(): Promise<string> {
    const { queueArn, functionName } = this.options;
    const { EventSourceMappings = [] } = await this.options.lambda.send(
      new ListEventSourceMappingsCommand({
        EventSourceArn: queueArn,
        ...(functionName !== undefined && { FunctionName: functionName }),
      }),
    );
    const [mapping, ...others] = EventSourceMappings;
    if (mapping?.UUID === undefined || others.length > 0) {
      throw new Error(
        `expected one event source mapping on ${queueArn}, found ${EventSourceMappings.length}`,
      );
    }
    return mapping.UUID;
  }
}

/** `yyyy-mm-ddThh:mm:ss` in UTC, rounded up to the second. */
function atExpression(at: Date): string {
  return new Date(Math.ceil(at.getTime() / 1000) * 1000).toISOString().slice(0, 19);
}
