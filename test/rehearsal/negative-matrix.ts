/**
 * The negative matrix: requests no principal of the stack may make, each of which IAM must deny.
 *
 * - Each allowed request of a route's principal moved onto every other route's resources (queue,
 *   DLQ, secret, body prefix, dedupe items, event source mapping, circuit item, probe schedules,
 *   probe role).
 * - Writing any other route's secret, listing its bodies.
 * - The circuit controls of every route (switching its mapping, creating or deleting its probe
 *   schedules, passing its probe role, its circuit item), but for the principals whose job they
 *   are: the route's own handler with a breaker (all but deleting schedules), the route's probe
 *   role (switching the mapping), the admin function (switching any mapping, deleting the probes of
 *   routes with a breaker, and the table's items).
 * - Passing any other role of the stack to Scheduler.
 * - Destructive actions on the principal's own resources, but for the one write a route needs: the
 *   ingress of a route whose handshake stores its key puts its own secret.
 */
import { bodyKeyPrefix, routeTag } from '../../shared/resources.js';
import { type AuthorizationRequest, queueArn } from './authorization.js';
import type { Principal } from './principals.js';
import type { RouteResources } from './route-resources.js';
import type { Deployment } from './template.js';

export interface PrincipalRequest {
  readonly fn: Principal;
  readonly request: AuthorizationRequest;
}

/** The strings that make a request one route's, by kind; replaced by another route's, they name its resources. */
type Markers = Partial<Record<MarkerKind, string>>;

/** In the order they are replaced: a queue's ARN is the start of its DLQ's. */
const MARKER_KINDS = [
  'queue',
  'dlq',
  'secret',
  'bodies',
  'dedupe',
  'mapping',
  'handler',
  'circuit',
  'schedules',
  'probeRole',
  'tag',
] as const;
type MarkerKind = (typeof MARKER_KINDS)[number];

function routeMarkers(route: RouteResources, bucketArn: string | undefined): Markers {
  return {
    queue: queueArn(route.queueUrl),
    ...(route.dlqUrl !== undefined && { dlq: queueArn(route.dlqUrl) }),
    ...(route.secretArn !== undefined && { secret: route.secretArn }),
    ...(bucketArn !== undefined && { bodies: `${bucketArn}/${bodyKeyPrefix(route.route)}` }),
    dedupe: `DEDUPE#${route.route}#`,
    ...(route.mappingArn !== undefined && { mapping: route.mappingArn }),
    ...(route.handlerArn !== undefined && { handler: route.handlerArn }),
    circuit: route.circuitKey,
    ...(route.scheduleArnPrefix !== undefined && { schedules: route.scheduleArnPrefix }),
    ...(route.schedulerRoleArn !== undefined && { probeRole: route.schedulerRoleArn }),
    // Its state items' partitions and its events' ids (and their own request items) end with it.
    tag: routeTag(route.route),
  };
}

/** `request` with each of `from`'s markers replaced by `to`'s of the same kind; undefined when unchanged. */
function moveRequest(
  request: AuthorizationRequest,
  from: Markers,
  to: Markers,
): AuthorizationRequest | undefined {
  const move = (value: string) =>
    MARKER_KINDS.reduce((text, kind) => {
      const own = from[kind];
      const other = to[kind];
      return own === undefined || other === undefined ? text : text.split(own).join(other);
    }, value);
  const context = Object.fromEntries(
    Object.entries(request.context).map(([key, value]) => [
      key,
      Array.isArray(value) ? value.map(move) : move(value),
    ]),
  );
  const moved = { action: request.action, resource: move(request.resource), context };
  return JSON.stringify(moved) === JSON.stringify(request) ? undefined : moved;
}

type Control = 'switch' | 'createSchedule' | 'deleteSchedule' | 'passRole' | 'readCircuit' | 'writeCircuit';

/** What steers `route`'s consumer and circuit, by control. */
function circuitControls(route: RouteResources, tableArn: string): [Control, AuthorizationRequest][] {
  const controls: [Control, AuthorizationRequest][] = [];
  const circuitItem = { 'dynamodb:LeadingKeys': [route.circuitKey] };
  if (route.mappingArn !== undefined) {
    controls.push([
      'switch',
      {
        action: 'lambda:UpdateEventSourceMapping',
        resource: route.mappingArn,
        context: route.handlerArn === undefined ? {} : { 'lambda:FunctionArn': route.handlerArn },
      },
    ]);
  }
  if (route.scheduleArnPrefix !== undefined) {
    const schedule = `${route.scheduleArnPrefix}1767225600000`;
    controls.push(
      ['createSchedule', { action: 'scheduler:CreateSchedule', resource: schedule, context: {} }],
      ['deleteSchedule', { action: 'scheduler:DeleteSchedule', resource: schedule, context: {} }],
    );
  }
  if (route.schedulerRoleArn !== undefined) {
    controls.push([
      'passRole',
      {
        action: 'iam:PassRole',
        resource: route.schedulerRoleArn,
        context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      },
    ]);
  }
  controls.push(
    ['readCircuit', { action: 'dynamodb:GetItem', resource: tableArn, context: circuitItem }],
    ['writeCircuit', { action: 'dynamodb:UpdateItem', resource: tableArn, context: circuitItem }],
  );
  return controls;
}

/** Whether steering `route` with `control` is `fn`'s job. */
function controlsRoute(fn: Principal, route: RouteResources, control: Control): boolean {
  const breaker = route.schedulerRoleArn !== undefined;
  switch (fn.role.kind) {
    case 'admin':
      // Pause and resume (any route), cancelling a pending probe; the table's items are all its own.
      return (
        control === 'switch' ||
        (control === 'deleteSchedule' && breaker) ||
        control === 'readCircuit' ||
        control === 'writeCircuit'
      );
    case 'handler':
      return breaker && fn.role.route === route.route && control !== 'deleteSchedule';
    case 'scheduler':
      return fn.role.route === route.route && control === 'switch';
    case 'ingress':
      return false;
  }
}

/** Destructive actions no principal may take, on the resources it works with. */
const DESTRUCTIVE: readonly {
  readonly action: string;
  readonly on:
    | 'queue'
    | 'table'
    | 'secret'
    | 'bucket'
    | 'objects'
    | 'mapping'
    | 'schedules'
    | 'scheduleGroup';
}[] = [
  { action: 'sqs:DeleteQueue', on: 'queue' },
  { action: 'sqs:PurgeQueue', on: 'queue' },
  { action: 'sqs:SetQueueAttributes', on: 'queue' },
  { action: 'sqs:AddPermission', on: 'queue' },
  { action: 'dynamodb:DeleteTable', on: 'table' },
  { action: 'dynamodb:UpdateTable', on: 'table' },
  { action: 'dynamodb:Scan', on: 'table' },
  { action: 'dynamodb:BatchWriteItem', on: 'table' },
  { action: 'dynamodb:UpdateTimeToLive', on: 'table' },
  { action: 'secretsmanager:PutSecretValue', on: 'secret' },
  { action: 'secretsmanager:DeleteSecret', on: 'secret' },
  { action: 'secretsmanager:UpdateSecret', on: 'secret' },
  { action: 'secretsmanager:PutResourcePolicy', on: 'secret' },
  { action: 's3:DeleteBucket', on: 'bucket' },
  { action: 's3:PutBucketPolicy', on: 'bucket' },
  { action: 's3:PutLifecycleConfiguration', on: 'bucket' },
  { action: 's3:DeleteObject', on: 'objects' },
  { action: 'lambda:DeleteEventSourceMapping', on: 'mapping' },
  { action: 'scheduler:UpdateSchedule', on: 'schedules' },
  { action: 'scheduler:DeleteScheduleGroup', on: 'scheduleGroup' },
];

export function negativeRequests(
  deployment: Deployment,
  principals: readonly Principal[],
  allowed: readonly PrincipalRequest[],
  routes: ReadonlyMap<string, RouteResources>,
): PrincipalRequest[] {
  const bucket = deployment.ofType('AWS::S3::Bucket').find((id) => !id.includes('AccessLog'));
  const bucketArn = bucket === undefined ? undefined : deployment.arn(bucket);
  const [tableArn = ''] = deployment.ofType('AWS::DynamoDB::Table').map((id) => deployment.arn(id));
  const negatives = new Map<string, PrincipalRequest>();
  const add = (fn: Principal, request: AuthorizationRequest) =>
    negatives.set(JSON.stringify([fn.name, request.action, request.resource, request.context]), {
      fn,
      request,
    });

  for (const { fn, request } of allowed) {
    if (fn.role.kind === 'admin') continue; // The admin function serves every route by design.
    const own = routes.get(fn.role.route);
    if (own === undefined) continue;
    for (const other of routes.values()) {
      if (other.route === own.route) continue;
      const moved = moveRequest(request, routeMarkers(own, bucketArn), routeMarkers(other, bucketArn));
      if (moved !== undefined) add(fn, moved);
    }
  }
  const probeRoles = new Set([...routes.values()].flatMap((route) => route.schedulerRoleArn ?? []));
  const otherRoles = deployment
    .ofType('AWS::IAM::Role')
    .map((id) => deployment.arn(id))
    .filter((arn) => !probeRoles.has(arn));
  for (const fn of principals) {
    for (const route of routes.values()) {
      for (const [control, request] of circuitControls(route, tableArn)) {
        if (!controlsRoute(fn, route, control)) add(fn, request);
      }
    }
    for (const role of otherRoles) {
      add(fn, {
        action: 'iam:PassRole',
        resource: role,
        context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
    }
    for (const { action, resource } of destructiveRequests(deployment, fn, routes, bucketArn, tableArn)) {
      if (!storesByHandshake(fn, action, resource, routes)) add(fn, { action, resource, context: {} });
    }
    if (fn.role.kind === 'admin') continue;
    for (const other of routes.values()) {
      if (other.route === fn.role.route) continue;
      // Listing the bucket is no call a route's function makes, so no move above would try it.
      if (bucketArn !== undefined) {
        add(fn, {
          action: 's3:ListBucket',
          resource: bucketArn,
          context: { 's3:prefix': bodyKeyPrefix(other.route) },
        });
      }
      // Nor is writing a secret, but for the handshake that stores its own: no other route's.
      if (other.secretArn !== undefined) {
        add(fn, { action: 'secretsmanager:PutSecretValue', resource: other.secretArn, context: {} });
      }
    }
  }
  return [...negatives.values()];
}

/** `DESTRUCTIVE` on what `fn` works with: its route's resources (every route's for the admin). */
function destructiveRequests(
  deployment: Deployment,
  fn: Principal,
  routes: ReadonlyMap<string, RouteResources>,
  bucketArn: string | undefined,
  tableArn: string,
): { action: string; resource: string }[] {
  const own =
    fn.role.kind === 'admin'
      ? [...routes.values()]
      : [routes.get(fn.role.route)].filter((route) => route !== undefined);
  const envelopeKey = deployment
    .ofType('AWS::SecretsManager::Secret')
    .filter((id) => id.includes('EnvelopeKey'))
    .map((id) => deployment.ref(id));
  const resources = {
    queue: own.flatMap((route) => [
      queueArn(route.queueUrl),
      ...(route.dlqUrl ? [queueArn(route.dlqUrl)] : []),
    ]),
    table: [tableArn],
    secret: [...own.flatMap((route) => (route.secretArn ? [route.secretArn] : [])), ...envelopeKey],
    bucket: bucketArn === undefined ? [] : [bucketArn],
    objects:
      bucketArn === undefined
        ? []
        : own.map((route) => `${bucketArn}/${bodyKeyPrefix(route.route)}rehearsal`),
    mapping: own.flatMap((route) => (route.mappingArn ? [route.mappingArn] : [])),
    schedules: own.flatMap((route) =>
      route.scheduleArnPrefix ? [`${route.scheduleArnPrefix}1767225600000`] : [],
    ),
    scheduleGroup: deployment
      .ofType('AWS::Scheduler::ScheduleGroup')
      .map((id) => deployment.attribute(id, 'Arn')),
  };
  return DESTRUCTIVE.flatMap(({ action, on }) => resources[on].map((resource) => ({ action, resource })));
}

/**
 * Whether `action` on `resource` is the write the principal's route needs: its ingress storing the
 * key its handshake was handed (`handshakeStoresSecret`) into the route's own secret, nothing else.
 */
function storesByHandshake(
  fn: Principal,
  action: string,
  resource: string,
  routes: ReadonlyMap<string, RouteResources>,
): boolean {
  if (fn.role.kind !== 'ingress' || action !== 'secretsmanager:PutSecretValue') return false;
  const route = routes.get(fn.role.route);
  return route?.handshakeStoresSecret === true && route.secretArn === resource;
}
