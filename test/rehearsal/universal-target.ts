/**
 * What Scheduler does when a schedule whose target is a universal target fires: it calls the AWS API
 * action the target names (`arn:aws:scheduler:::aws-sdk:<service>:<action>`) with the target's
 * `Input` as the action's parameters, as the schedule's role. The call is recorded for the principal
 * of that role, so that it is judged against that role's policies. The one action the stack
 * schedules is supported: Lambda's `updateEventSourceMapping`, sent to the Lambda stand-in.
 */
import { LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import type { AwsCall } from './authorization.js';
import type { SessionCredentials } from './function-process.js';
import type { ScheduleRecord } from './scheduler-stand-in.js';

const UPDATE_EVENT_SOURCE_MAPPING = 'arn:aws:scheduler:::aws-sdk:lambda:updateEventSourceMapping';

export interface UniversalTargetOptions {
  readonly lambdaEndpoint: string;
  readonly region: string;
  readonly credentials: SessionCredentials;
  /** The principal whose role `roleArn` is; undefined for a role the stack does not hand to Scheduler. */
  readonly principalOf: (roleArn: string) => string | undefined;
  readonly record: (call: AwsCall) => void;
}

/** Runs a schedule's universal target; rejects with the action's error. */
export function universalTargetRunner(
  options: UniversalTargetOptions,
): ((schedule: ScheduleRecord) => Promise<void>) & { destroy(): void } {
  const lambda = new LambdaClient({
    region: options.region,
    credentials: options.credentials,
    endpoint: options.lambdaEndpoint,
  });
  const run = async (schedule: ScheduleRecord) => {
    const { arn, roleArn, input } = schedule.target;
    if (arn !== UPDATE_EVENT_SOURCE_MAPPING) {
      throw new Error(`the rehearsal's Scheduler does not run ${arn}`);
    }
    const parameters = JSON.parse(input ?? '{}') as Record<string, unknown>;
    options.record({
      fn: options.principalOf(roleArn) ?? roleArn,
      via: 'scheduler',
      service: 'lambda',
      operation: 'UpdateEventSourceMapping',
      input: parameters,
    });
    await lambda.send(
      new UpdateEventSourceMappingCommand(
        parameters as unknown as ConstructorParameters<typeof UpdateEventSourceMappingCommand>[0],
      ),
    );
  };
  return Object.assign(run, { destroy: () => lambda.destroy() });
}
