/**
 * Who makes the calls the rehearsal judges: each function, with its execution role, and each role
 * an AWS service assumes for the stack: the probe role of a route with a circuit breaker, which
 * EventBridge Scheduler assumes to re-enable the route's event source mapping. A service role is
 * found where the template hands it over (the handler's `HOOKLINE_CIRCUIT.roleArn`), so a role the
 * handler names wrongly is a call by no principal of the template.
 */
import type { CircuitSchedule } from '../../shared/circuit/event-source-switch.js';
import { ENV } from '../../shared/env-names.js';
import type { AssemblyFunction, FunctionRole } from './assembly.js';
import type { Deployment } from './template.js';

export type PrincipalRole = FunctionRole | { readonly kind: 'scheduler'; readonly route: string };

/** A caller: `ingress /orders/`, `handler /orders/`, `admin` or `scheduler /orders/`. */
export interface Principal {
  readonly name: string;
  readonly role: PrincipalRole;
  /** Logical id of the IAM role its calls are made with. */
  readonly roleLogicalId: string;
}

/** A role an AWS service assumes for the stack. */
export interface ServiceRole extends Principal {
  readonly role: { readonly kind: 'scheduler'; readonly route: string };
  readonly roleArn: string;
  /** The service principal that assumes it. */
  readonly service: string;
}

/** The probe roles the routes' handlers hand to Scheduler. */
export function schedulerRoles(
  deployment: Deployment,
  functions: readonly AssemblyFunction[],
): ServiceRole[] {
  return functions.flatMap((fn): ServiceRole[] => {
    const circuit = fn.environment[ENV.circuit];
    if (fn.role.kind !== 'handler' || circuit === undefined) return [];
    const { roleArn } = JSON.parse(deployment.resolveString(circuit)) as CircuitSchedule;
    if (roleArn === undefined) throw new Error(`${fn.name} has a circuit breaker but no probe role`);
    const roleLogicalId = deployment.ofType('AWS::IAM::Role').find((id) => deployment.arn(id) === roleArn);
    if (roleLogicalId === undefined)
      throw new Error(`${fn.name} hands Scheduler ${roleArn}, no role of the template`);
    return [
      {
        name: `scheduler ${fn.role.route}`,
        role: { kind: 'scheduler', route: fn.role.route },
        roleLogicalId,
        roleArn,
        service: 'scheduler.amazonaws.com',
      },
    ];
  });
}
