import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { circuitSchedulePrefix } from '../shared/config/circuit-schedules.js';

/** The ARN pattern of a route's probe schedules in the stack's group (`circuitScheduleName`). */
export function circuitScheduleArn(
  scope: IConstruct,
  group: string,
  route: { readonly path: string },
): string {
  return Stack.of(scope).formatArn({
    service: 'scheduler',
    resource: 'schedule',
    resourceName: `${group}/${circuitSchedulePrefix(route.path)}*`,
  });
}

/** The wildcard of `circuitScheduleArn`, explained to cdk-nag on the policy that holds it. */
export function acknowledgeProbeSchedules(
  scope: IConstruct,
  group: string,
  route: { readonly path: string },
): void {
  const arn = `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${group}/${circuitSchedulePrefix(route.path)}*`;
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arn}]`,
    reason:
      "A probe schedule's name is its route's prefix followed by the time its circuit opened, known only " +
      "then: the wildcard covers that suffix, within the route's own prefix in the stack's schedule group.",
  });
}
