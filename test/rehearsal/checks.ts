/**
 * The rehearsal's verdicts, from the recorded calls and the template alone (so a changed template
 * can be judged against the same calls):
 *
 * - every call, as IAM authorizes it, must be allowed for the role of the principal that made it: a
 *   function's execution role, or the role Scheduler runs a route's probe with (./principals.ts);
 * - the negative matrix (./negative-matrix.ts) must be denied;
 * - the platform: each event source mapping's role may receive, delete, change visibility and get
 *   attributes on its queue, API Gateway may invoke each function it routes to, each function may
 *   write its log group, Scheduler may assume each probe role (and no other account's Scheduler);
 * - every grant of a role is used by one of those, or listed in `GRANT_REASONS` with why it stays.
 */
import type { AssemblyFunction } from './assembly.js';
import { type AuthorizationRequest, type AwsCall, authorizationOf } from './authorization.js';
import { negativeRequests, type PrincipalRequest } from './negative-matrix.js';
import {
  type Decision,
  type PolicyDocument,
  type PolicyStatement,
  simulate,
  type TemplatePermissions,
} from './policies.js';
import { type Principal, type ServiceRole, schedulerRoles } from './principals.js';
import type { RouteResources } from './route-resources.js';

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
  const serviceRoles = schedulerRoles(permissions.deployment, functions);
  const principals: readonly Principal[] = [...functions, ...serviceRoles];
  const byName = new Map(principals.map((principal) => [principal.name, principal]));
  const arns = arnContext(permissions);
  const requested = new Map<string, PrincipalRequest>();
  const operations = new Map<string, Set<string>>();
  for (const call of calls) {
    const fn = byName.get(call.fn);
    if (fn === undefined) throw new Error(`a call by ${call.fn}, which is no principal of the template`);
    operations.set(call.fn, (operations.get(call.fn) ?? new Set()).add(`${call.service}:${call.operation}`));
    for (const request of authorizationOf(call, arns))
      requested.set(keyOf(fn.name, request), { fn, request });
  }
  const platform = platformRequests(permissions, functions);
  for (const { fn, request } of platform) requested.set(keyOf(fn.name, request), { fn, request });

  const checks = await decideAll(permissions, [...requested.values()]);
  const apiChecks = await apiGatewayChecks(permissions, functions);
  const trust = await assumeRoleChecks(permissions, serviceRoles);
  const negatives = await decideAll(
    permissions,
    negativeRequests(permissions.deployment, principals, [...requested.values()], routes),
  );
  const allChecks = [...checks, ...apiChecks, ...trust.allowed];
  const denied = allChecks.filter((check) => check.decision !== 'Allowed');
  const negativeChecks = [...negatives, ...trust.denied];
  const negativeAllowed = negativeChecks.filter((check) => check.decision === 'Allowed');
  const unused = unusedGrants(permissions, principals, [...requested.values()]);
  return {
    report: {
      functions: functions.length,
      calls: calls.length,
      checks: allChecks.length,
      denied: denied.length,
      negativeChecks: negativeChecks.length,
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
  const mappings = deployment.ofType('AWS::Lambda::EventSourceMapping');
  return {
    region: deployment.region,
    account: deployment.account,
    secretArn(nameOrArn: string): string {
      if (nameOrArn.startsWith('arn:')) return nameOrArn;
      const found = secrets.find((arn) => arn.split(':secret:')[1]?.replace(/-\w{6}$/, '') === nameOrArn);
      if (found === undefined) throw new Error(`no secret named ${nameOrArn} in the template`);
      return found;
    },
    mappingFunctionArn(uuid: string): string | undefined {
      const mapping = mappings.find((id) => deployment.ref(id) === uuid);
      if (mapping === undefined) return undefined;
      const fn = (deployment.resource(mapping).Properties?.FunctionName as { Ref?: string } | undefined)?.Ref;
      return fn === undefined ? undefined : deployment.arn(fn);
    },
  };
}

async function decideAll(
  permissions: TemplatePermissions,
  requests: readonly PrincipalRequest[],
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
): PrincipalRequest[] {
  const { deployment } = permissions;
  const requests: PrincipalRequest[] = [];
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

/**
 * Scheduler assuming each probe role, under the role's trust policy, for its own schedule
 * group (allowed), and for another account's or another group's (denied: `aws:SourceAccount` and
 * `aws:SourceArn` guard against the confused deputy).
 */
async function assumeRoleChecks(
  permissions: TemplatePermissions,
  roles: readonly ServiceRole[],
): Promise<{ allowed: Check[]; denied: Check[] }> {
  const { deployment } = permissions;
  const allowed: Check[] = [];
  const denied: Check[] = [];
  for (const role of roles) {
    const trust = deployment.resolve(
      deployment.resource(role.roleLogicalId).Properties?.AssumeRolePolicyDocument,
    ) as PolicyDocument;
    const assume = async (sourceAccount: string, group = scheduleGroup(deployment)): Promise<Check> => {
      const request: AuthorizationRequest = {
        action: 'sts:AssumeRole',
        resource: role.roleArn,
        context: {
          'aws:SourceAccount': sourceAccount,
          'aws:SourceArn': `arn:aws:scheduler:${deployment.region}:${sourceAccount}:schedule-group/${group}`,
        },
      };
      const decision = await simulate({
        principal: role.service,
        identityPolicies: [],
        resourcePolicy: trust,
        request,
        account: deployment.account,
      });
      return { fn: `${role.service} → ${role.name}`, request, decision };
    };
    allowed.push(await assume(deployment.account));
    denied.push(await assume(OTHER_ACCOUNT));
    denied.push(await assume(deployment.account, 'another-group'));
  }
  return { allowed, denied };
}

/** The name of the template's schedule group: where the probes' schedules are created. */
function scheduleGroup(deployment: TemplatePermissions['deployment']): string {
  const [group] = deployment.ofType('AWS::Scheduler::ScheduleGroup');
  const name = group === undefined ? undefined : deployment.resource(group).Properties?.Name;
  if (typeof name !== 'string') throw new Error('the template has no named schedule group');
  return name;
}

/** An account that is not the stack's. */
const OTHER_ACCOUNT = '210987654321';

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
  principals: readonly Principal[],
  used: readonly PrincipalRequest[],
): UnusedGrant[] {
  const unused: UnusedGrant[] = [];
  for (const fn of principals) {
    const mine = used.filter((entry) => entry.fn.name === fn.name).map((entry) => entry.request);
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
