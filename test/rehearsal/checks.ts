/**
 * The rehearsal's verdicts, from the recorded calls and the template alone (so a changed template
 * can be judged against the same calls):
 *
 * - every call, as IAM authorizes it, must be allowed for the role of the function that made it;
 * - the negative matrix: each allowed request of a route's function, moved onto every other route's
 *   resources (queue, DLQ, secret, body prefix, dedupe items), writing any other route's secret, and
 *   a list of destructive actions on the function's own resources, must be denied (but for the one
 *   write a route needs: the ingress of a route whose handshake stores its key puts its own secret);
 * - the platform: each event source mapping's role may receive, delete, change visibility and get
 *   attributes on its queue, API Gateway may invoke each function it routes to, each function may
 *   write its log group;
 * - every grant of a role is used by one of those, or listed in `GRANT_REASONS` with why it stays.
 */
import { bodyKeyPrefix, routeTag } from '../../shared/resources.js';
import type { AssemblyFunction } from './assembly.js';
import { type AuthorizationRequest, type AwsCall, authorizationOf, queueArn } from './authorization.js';
import { type Decision, type PolicyStatement, simulate, type TemplatePermissions } from './policies.js';
import type { RouteResources } from './rehearsal-stack.js';

/**
 * Grants the scenario cannot reach that stay, by `<function kind> <action>`, with why: each serves a
 * path that only a failure or a race takes.
 */
export const GRANT_REASONS: Readonly<Record<string, string>> = {
  'ingress dynamodb:GetItem':
    "reads a dedupe claim's holder when a failed conditional put returns no item (DynamoDB returns it)",
  'ingress dynamodb:ConditionCheckItem':
    'resumes an event an earlier attempt left without a state (its state is checked still absent)',
  'ingress dynamodb:UpdateItem':
    "moves a dedupe key's claim to a repeat after its window, adds a large body's reference to the " +
    'request data its claim wrote, and rewrites the request data of an event it resumes',
  'ingress dynamodb:DeleteItem':
    'deletes the request data a repeat after the window wrote before another delivery took the key',
  'ingress dynamodb:DescribeTable':
    'tells a new table from one of layout v1 when the layout item is missing: only the first function does',
  'handler dynamodb:GetItem':
    'reads the state when a failed conditional update returns no item, and the request item before ' +
    'creating a missing state',
  'handler dynamodb:PutItem':
    "creates the state, locked, when the message overtakes the ingress's queued write; writes the layout " +
    'item of a new table when it is the first function to start',
  'handler dynamodb:ConditionCheckItem': 'checks the request item exists when it creates a missing state',
  'handler dynamodb:DescribeTable':
    'tells a new table from one of layout v1 when the layout item is missing: only the first function does',
  'admin dynamodb:DescribeTable':
    'tells a new table from one of layout v1 when the layout item is missing: only the first function does',
  'admin dynamodb:ConditionCheckItem':
    "discards a replay's request data when its send failed, if it has no state",
  'admin dynamodb:DeleteItem': "discards a replay's request data when its send failed, if it has no state",
  'admin s3:ListBucket': 'makes S3 answer 404 rather than 403 for an expired body (no listing call)',
  'admin lambda:UpdateEventSourceMapping':
    "pauses and resumes a route's consumer (this scenario pauses none)",
  'admin lambda:ListEventSourceMappings': "finds a route's event source mapping to pause or resume it",
};

export interface Check {
  readonly fn: string;
  readonly request: AuthorizationRequest;
  readonly decision: Decision;
}

export interface UnusedGrant {
  readonly fn: string;
  readonly action: string;
  readonly resource: string;
  readonly reason?: string;
}

/** The contract: the rehearsal's last line. */
export interface RehearsalReport {
  readonly functions: number;
  readonly calls: number;
  readonly checks: number;
  readonly denied: number;
  readonly negativeChecks: number;
  readonly negativeAllowed: number;
  readonly unusedGrants: number;
}

export interface RehearsalVerdict {
  readonly report: RehearsalReport;
  readonly denied: readonly Check[];
  readonly negativeAllowed: readonly Check[];
  readonly unused: readonly UnusedGrant[];
  /** Operations seen per function (`sqs:SendMessage`, ...). */
  readonly operations: ReadonlyMap<string, ReadonlySet<string>>;
}

export async function judge(options: {
  readonly permissions: TemplatePermissions;
  readonly functions: readonly AssemblyFunction[];
  readonly routes: ReadonlyMap<string, RouteResources>;
  readonly calls: readonly AwsCall[];
}): Promise<RehearsalVerdict> {
  const { permissions, functions, routes, calls } = options;
  const byName = new Map(functions.map((fn) => [fn.name, fn]));
  const arns = arnContext(permissions);
  const requested = new Map<string, { fn: AssemblyFunction; request: AuthorizationRequest }>();
  const operations = new Map<string, Set<string>>();
  for (const call of calls) {
    const fn = byName.get(call.fn);
    if (fn === undefined) throw new Error(`a call by ${call.fn}, which is no function of the template`);
    operations.set(call.fn, (operations.get(call.fn) ?? new Set()).add(`${call.service}:${call.operation}`));
    for (const request of authorizationOf(call, arns))
      requested.set(keyOf(fn.name, request), { fn, request });
  }
  const platform = platformRequests(permissions, functions);
  for (const { fn, request } of platform) requested.set(keyOf(fn.name, request), { fn, request });

  const checks = await decideAll(permissions, [...requested.values()]);
  const apiChecks = await apiGatewayChecks(permissions, functions);
  const negatives = await decideAll(
    permissions,
    negativeRequests(permissions, [...requested.values()], routes),
  );
  const allChecks = [...checks, ...apiChecks];
  const denied = allChecks.filter((check) => check.decision !== 'Allowed');
  const negativeAllowed = negatives.filter((check) => check.decision === 'Allowed');
  const unused = unusedGrants(permissions, functions, [...requested.values()]);
  return {
    report: {
      functions: functions.length,
      calls: calls.length,
      checks: allChecks.length,
      denied: denied.length,
      negativeChecks: negatives.length,
      negativeAllowed: negativeAllowed.length,
      unusedGrants: unused.filter((grant) => grant.reason === undefined).length,
    },
    denied,
    negativeAllowed,
    unused,
    operations,
  };
}

function keyOf(fn: string, request: AuthorizationRequest): string {
  return JSON.stringify([fn, request.action, request.resource, request.context]);
}

function arnContext(permissions: TemplatePermissions) {
  const { deployment } = permissions;
  const secrets = deployment.ofType('AWS::SecretsManager::Secret').map((id) => deployment.ref(id));
  return {
    region: deployment.region,
    account: deployment.account,
    secretArn(nameOrArn: string): string {
      if (nameOrArn.startsWith('arn:')) return nameOrArn;
      const found = secrets.find((arn) => arn.split(':secret:')[1]?.replace(/-\w{6}$/, '') === nameOrArn);
      if (found === undefined) throw new Error(`no secret named ${nameOrArn} in the template`);
      return found;
    },
  };
}

async function decideAll(
  permissions: TemplatePermissions,
  requests: readonly { fn: AssemblyFunction; request: AuthorizationRequest }[],
): Promise<Check[]> {
  return Promise.all(
    requests.map(async ({ fn, request }) => ({
      fn: fn.name,
      request,
      decision: await permissions.decide(fn.roleLogicalId, request),
    })),
  );
}

/** What Lambda does with each function's role: poll its queue (handlers) and write its logs. */
function platformRequests(
  permissions: TemplatePermissions,
  functions: readonly AssemblyFunction[],
): { fn: AssemblyFunction; request: AuthorizationRequest }[] {
  const { deployment } = permissions;
  const requests: { fn: AssemblyFunction; request: AuthorizationRequest }[] = [];
  for (const logicalId of deployment.ofType('AWS::Lambda::EventSourceMapping')) {
    const props = deployment.resource(logicalId).Properties ?? {};
    const fn = functions.find(
      (candidate) => candidate.logicalId === (props.FunctionName as { Ref?: string }).Ref,
    );
    if (fn === undefined)
      throw new Error(`event source mapping ${logicalId} invokes no function of the template`);
    const queue = deployment.resolveString(props.EventSourceArn);
    for (const action of [
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:GetQueueAttributes',
    ]) {
      requests.push({ fn, request: { action, resource: queue, context: {} } });
    }
  }
  for (const fn of functions) {
    const logging = deployment.resource(fn.logicalId).Properties?.LoggingConfig as
      | { LogGroup?: unknown }
      | undefined;
    if (logging?.LogGroup === undefined) throw new Error(`${fn.name} names no log group of its own`);
    const stream = `arn:aws:logs:${deployment.region}:${deployment.account}:log-group:${deployment.resolveString(logging.LogGroup)}:log-stream:rehearsal`;
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      requests.push({ fn, request: { action, resource: stream, context: {} } });
    }
  }
  return requests;
}

/** API Gateway invoking each route's function, under the function's resource policy (its permissions). */
async function apiGatewayChecks(
  permissions: TemplatePermissions,
  functions: readonly AssemblyFunction[],
): Promise<Check[]> {
  const { deployment } = permissions;
  const api = deployment.ofType('AWS::ApiGatewayV2::Api')[0];
  if (api === undefined) return [];
  const statements: PolicyStatement[] = deployment.ofType('AWS::Lambda::Permission').map((logicalId) => {
    const props = deployment.resolve(deployment.resource(logicalId).Properties ?? {}) as Record<
      string,
      string
    >;
    return {
      Effect: 'Allow',
      Principal: { Service: props.Principal },
      Action: props.Action,
      Resource: props.FunctionName,
      ...(props.SourceArn !== undefined && { Condition: { ArnLike: { 'aws:SourceArn': props.SourceArn } } }),
    };
  });
  const checks: Check[] = [];
  for (const logicalId of deployment.ofType('AWS::ApiGatewayV2::Route')) {
    const [method = '', path = ''] = String(deployment.resource(logicalId).Properties?.RouteKey).split(' ');
    const integration = deployment
      .ofType('AWS::ApiGatewayV2::Integration')
      .find(
        (id) =>
          `integrations/${deployment.ref(id)}` ===
          deployment.resolveString(deployment.resource(logicalId).Properties?.Target),
      );
    const uri = deployment.resource(integration ?? '').Properties?.IntegrationUri as {
      'Fn::GetAtt': [string, string];
    };
    const fn = functions.find((candidate) => candidate.logicalId === uri['Fn::GetAtt'][0]);
    if (fn === undefined) continue;
    const request: AuthorizationRequest = {
      action: 'lambda:InvokeFunction',
      resource: deployment.arn(fn.logicalId),
      context: {
        'aws:SourceArn': `arn:aws:execute-api:${deployment.region}:${deployment.account}:${deployment.ref(api)}/$default/${method}${path}`,
        'aws:SourceAccount': deployment.account,
      },
    };
    const decision = await simulate({
      principal: 'apigateway.amazonaws.com',
      identityPolicies: [],
      resourcePolicy: { Version: '2012-10-17', Statement: statements },
      request,
      account: deployment.account,
    });
    checks.push({ fn: `API Gateway → ${fn.name}`, request, decision });
  }
  return checks;
}

// --- The negative matrix ---

/** The strings that make a request one route's: replaced by another route's, they name its resources. */
function routeMarkers(route: RouteResources, bucketArn: string | undefined): string[] {
  return [
    queueArn(route.queueUrl),
    ...(route.dlqUrl === undefined ? [] : [queueArn(route.dlqUrl)]),
    ...(route.secretArn === undefined ? [] : [route.secretArn]),
    ...(bucketArn === undefined ? [] : [`${bucketArn}/${bodyKeyPrefix(route.route)}`]),
    `DEDUPE#${route.route}#`,
    // Its state items' partitions and its events' ids (and their own request items) end with it.
    routeTag(route.route),
  ];
}

/** Destructive actions no function may take, on the resources it works with. */
const DESTRUCTIVE: readonly {
  readonly action: string;
  readonly on: 'queue' | 'table' | 'secret' | 'bucket' | 'objects';
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
];

function negativeRequests(
  permissions: TemplatePermissions,
  allowed: readonly { fn: AssemblyFunction; request: AuthorizationRequest }[],
  routes: ReadonlyMap<string, RouteResources>,
): { fn: AssemblyFunction; request: AuthorizationRequest }[] {
  const { deployment } = permissions;
  const bucket = deployment.ofType('AWS::S3::Bucket').find((id) => !id.includes('AccessLog'));
  const bucketArn = bucket === undefined ? undefined : deployment.arn(bucket);
  const negatives = new Map<string, { fn: AssemblyFunction; request: AuthorizationRequest }>();
  const add = (fn: AssemblyFunction, request: AuthorizationRequest) =>
    negatives.set(keyOf(fn.name, request), { fn, request });
  for (const { fn, request } of allowed) {
    if (fn.role.kind === 'admin') continue; // The admin function serves every route by design.
    const own = routes.get(fn.role.route);
    if (own === undefined) continue;
    const ownMarkers = routeMarkers(own, bucketArn);
    for (const other of routes.values()) {
      if (other.route === own.route) continue;
      const otherMarkers = routeMarkers(other, bucketArn);
      const moved = moveRequest(request, ownMarkers, otherMarkers);
      if (moved !== undefined) add(fn, moved);
    }
  }
  const table = deployment.ofType('AWS::DynamoDB::Table').map((id) => deployment.arn(id));
  const envelopeKey = deployment
    .ofType('AWS::SecretsManager::Secret')
    .filter((id) => id.includes('EnvelopeKey'));
  for (const fn of functionsOfAllowed(allowed)) {
    const own =
      fn.role.kind === 'admin'
        ? [...routes.values()]
        : [routes.get(fn.role.route)].filter((route) => route !== undefined);
    const resources = {
      queue: own.flatMap((route) => [
        queueArn(route.queueUrl),
        ...(route.dlqUrl ? [queueArn(route.dlqUrl)] : []),
      ]),
      table,
      secret: [
        ...own.flatMap((route) => (route.secretArn ? [route.secretArn] : [])),
        ...envelopeKey.map((id) => deployment.ref(id)),
      ],
      bucket: bucketArn === undefined ? [] : [bucketArn],
      objects:
        bucketArn === undefined
          ? []
          : own.map((route) => `${bucketArn}/${bodyKeyPrefix(route.route)}rehearsal`),
    };
    for (const { action, on } of DESTRUCTIVE) {
      for (const resource of resources[on]) {
        if (!storesByHandshake(fn, action, resource, routes)) add(fn, { action, resource, context: {} });
      }
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

/**
 * Whether `action` on `resource` is the write the function's route needs: its ingress storing the
 * key its handshake was handed (`handshakeStoresSecret`) into the route's own secret, nothing else.
 */
function storesByHandshake(
  fn: AssemblyFunction,
  action: string,
  resource: string,
  routes: ReadonlyMap<string, RouteResources>,
): boolean {
  if (fn.role.kind !== 'ingress' || action !== 'secretsmanager:PutSecretValue') return false;
  const route = routes.get(fn.role.route);
  return route?.handshakeStoresSecret === true && route.secretArn === resource;
}

function functionsOfAllowed(allowed: readonly { fn: AssemblyFunction }[]): AssemblyFunction[] {
  return [...new Map(allowed.map(({ fn }) => [fn.logicalId, fn])).values()];
}

/** `request` with each of `from` replaced by the same-position string of `to`; undefined when unchanged. */
function moveRequest(
  request: AuthorizationRequest,
  from: readonly string[],
  to: readonly string[],
): AuthorizationRequest | undefined {
  const move = (value: string) =>
    from.reduce((text, marker, index) => text.split(marker).join(to[index] ?? marker), value);
  const context = Object.fromEntries(
    Object.entries(request.context).map(([key, value]) => [
      key,
      Array.isArray(value) ? value.map(move) : move(value),
    ]),
  );
  const moved = { action: request.action, resource: move(request.resource), context };
  return JSON.stringify(moved) === JSON.stringify(request) ? undefined : moved;
}

// --- Unused grants ---

function wildcard(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

function unusedGrants(
  permissions: TemplatePermissions,
  functions: readonly AssemblyFunction[],
  used: readonly { fn: AssemblyFunction; request: AuthorizationRequest }[],
): UnusedGrant[] {
  const unused: UnusedGrant[] = [];
  for (const fn of functions) {
    const mine = used.filter((entry) => entry.fn.logicalId === fn.logicalId).map((entry) => entry.request);
    for (const { policy } of permissions.identityPolicies(fn.roleLogicalId)) {
      for (const statement of policy.Statement.filter((candidate) => candidate.Effect === 'Allow')) {
        for (const action of list(statement.Action)) {
          for (const resource of list(statement.Resource)) {
            const isUsed = mine.some(
              (request) => wildcard(action).test(request.action) && wildcard(resource).test(request.resource),
            );
            if (isUsed) continue;
            const reason = GRANT_REASONS[`${fn.role.kind} ${action}`];
            unused.push({ fn: fn.name, action, resource, ...(reason !== undefined && { reason }) });
          }
        }
      }
    }
  }
  return unused;
}
