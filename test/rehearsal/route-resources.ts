/**
 * What each route owns in this deployment, from its functions' variables and the template: its
 * queues and secret, its event source mapping and the handler it feeds, its circuit item, the ARNs
 * of its probe schedules, and the role Scheduler assumes to re-enable its mapping. The negative
 * matrix (./checks.ts) moves each request of a route's principal onto the other routes' resources.
 */
import { circuitSchedulePrefix } from '../../shared/config/circuit-schedules.js';
import { handshakeStoresSecret } from '../../shared/config/scheme-needs.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { ENV } from '../../shared/env-names.js';
import { TABLE_PARTITIONS } from '../../shared/resources.js';
import type { Assembly } from './assembly.js';
import { queueArn } from './authorization.js';
import { schedulerRoles } from './principals.js';
import type { Deployment } from './template.js';

export interface RouteResources {
  readonly route: string;
  readonly queueUrl: string;
  readonly dlqUrl?: string;
  readonly secretArn?: string;
  /** Whether the route's handshake stores its signing key (`handshakeStoresSecret`): its ingress writes `secretArn`. */
  readonly handshakeStoresSecret?: boolean;
  /** The ARN of the event source mapping on the route's queue. */
  readonly mappingArn?: string;
  /** The ARN of the handler that mapping feeds (`lambda:FunctionArn` of its calls). */
  readonly handlerArn?: string;
  /** The partition key of the route's circuit item. */
  readonly circuitKey: string;
  /** What the ARN of every probe schedule of the route starts with, in the stack's group (if any). */
  readonly scheduleArnPrefix?: string;
  /** The probe role of a route with a circuit breaker. */
  readonly schedulerRoleArn?: string;
}

export function routeResources(stack: {
  readonly assembly: Assembly;
  readonly deployment: Deployment;
}): Map<string, RouteResources> {
  const { assembly, deployment } = stack;
  const routes = new Map<string, RouteResources>();
  for (const fn of assembly.functions) {
    if (fn.role.kind === 'admin') continue;
    // The ingress names the route's secret, the handler its DLQ; both name its queue.
    const env = deployment.resolveStrings(fn.environment);
    const known = routes.get(fn.role.route) ?? {
      route: fn.role.route,
      queueUrl: env[ENV.queueUrl] ?? '',
      circuitKey: TABLE_PARTITIONS.circuit(fn.role.route),
    };
    const dlqUrl = env[ENV.dlqUrl];
    const secretArn = env[ENV.secretArn];
    const route = env[ENV.route];
    routes.set(fn.role.route, {
      ...known,
      ...(dlqUrl !== undefined && { dlqUrl }),
      ...(secretArn !== undefined && { secretArn }),
      ...(route !== undefined && {
        handshakeStoresSecret: handshakeStoresSecret((JSON.parse(route) as ResolvedRoute).verify),
      }),
    });
  }
  const [group] = deployment.ofType('AWS::Scheduler::ScheduleGroup').map((id) => deployment.ref(id));
  const probeRoles = schedulerRoles(deployment, assembly.functions);
  for (const [path, route] of routes) {
    const mapping = deployment
      .ofType('AWS::Lambda::EventSourceMapping')
      .find(
        (id) =>
          deployment.resolveString(deployment.resource(id).Properties?.EventSourceArn) ===
          queueArn(route.queueUrl),
      );
    const handler =
      mapping === undefined
        ? undefined
        : (deployment.resource(mapping).Properties?.FunctionName as { Ref?: string } | undefined)?.Ref;
    const schedulerRoleArn = probeRoles.find((role) => role.role.route === path)?.roleArn;
    routes.set(path, {
      ...route,
      ...(mapping !== undefined && { mappingArn: deployment.attribute(mapping, 'EventSourceMappingArn') }),
      ...(handler !== undefined && { handlerArn: deployment.arn(handler) }),
      ...(group !== undefined && {
        scheduleArnPrefix: `arn:aws:scheduler:${deployment.region}:${deployment.account}:schedule/${group}/${circuitSchedulePrefix(path)}`,
      }),
      ...(schedulerRoleArn !== undefined && { schedulerRoleArn }),
    });
  }
  return routes;
}
