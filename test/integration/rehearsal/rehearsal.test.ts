/**
 * The deploy rehearsal (`npm run rehearse`) in the suite: the rehearsal stack synthesized with its
 * real bundles, run on the shared emulators through the whole scenario (the circuit breaker's outage
 * and the operator's pauses first), and every AWS call its functions, and Scheduler with the probe
 * role, made allowed by the template's IAM, none of them allowed on another route's resources, no
 * grant left unused without a reason. Then the verdict on the same calls under templates changed on
 * purpose, to show each check fails when it should.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitSchedulePrefix } from '../../../shared/config/circuit-schedules.js';
import { ENV } from '../../../shared/env-names.js';
import { routeTag } from '../../../shared/resources.js';
import { awsTestCredentials } from '../../helpers/emulators.js';
import { connectEmulators, type Emulators } from '../../helpers/ingress-stack.js';
import { uniqueName } from '../../helpers/shared-emulators.js';
import { type Assembly, synthesizeAssembly } from '../../rehearsal/assembly.js';
import type { AwsCall } from '../../rehearsal/authorization.js';
import type { Check } from '../../rehearsal/checks.js';
import { logLines, metricLines } from '../../rehearsal/function-output.js';
import { startFunction } from '../../rehearsal/function-process.js';
import { type PolicyStatement, TemplatePermissions } from '../../rehearsal/policies.js';
import { schedulerRoles } from '../../rehearsal/principals.js';
import { judgeStack, type Rehearsal, rehearse } from '../../rehearsal/rehearsal.js';
import { type RouteResources, routeResources } from '../../rehearsal/route-resources.js';
import { Deployment, type Template } from '../../rehearsal/template.js';
import { revoke, widen } from './template-changes.js';

const CONFIG = join(import.meta.dirname, '../../fixtures/rehearsal/hookline.config.ts');
/** The fixture's route with a circuit breaker. */
const BREAKER = '/breaker/';
const UPDATE_MAPPING_TARGET = 'arn:aws:scheduler:::aws-sdk:lambda:updateEventSourceMapping';

let emulators: Emulators;
let outdir: string;
let assembly: Assembly;
let rehearsal: Rehearsal;

beforeAll(async () => {
  emulators = await connectEmulators();
  outdir = mkdtempSync(join(tmpdir(), 'hookline-rehearsal-'));
  assembly = await synthesizeAssembly({ configFile: CONFIG, outdir, stackName: uniqueName('rehearsal') });
  rehearsal = await rehearse(assembly, {
    sqsEndpoint: emulators.sqs.endpoint,
    dynamoDbEndpoint: emulators.dynamo.endpoint,
    sqs: emulators.sqs.client,
    dynamodb: emulators.dynamo.client,
    region: awsTestCredentials.region,
    credentials: awsTestCredentials.credentials,
  });
}, 180_000);

afterAll(() => {
  emulators?.close();
  if (outdir !== undefined) rmSync(outdir, { recursive: true, force: true });
});

/** The verdict on the rehearsal's calls under the template as `change` leaves it. */
function judgeChanged(change: (template: Template) => void) {
  const template = structuredClone(assembly.template) as Template;
  change(template);
  return judgeStack({
    assembly: { ...assembly, template },
    deployment: new Deployment(template, assembly.stackName),
    calls: rehearsal.stack.calls,
  });
}

/** The statements of the policy attached to the role of the function named `name`. */
function statementsOf(template: Template, name: string): PolicyStatement[] {
  const fn = assembly.functions.find((candidate) => candidate.name === name);
  const policy = Object.values(template.Resources).find(
    (resource) =>
      resource.Type === 'AWS::IAM::Policy' &&
      ((resource.Properties?.Roles ?? []) as { Ref: string }[]).some(
        (role) => role.Ref === fn?.roleLogicalId,
      ),
  );
  const document = policy?.Properties?.PolicyDocument as { Statement: PolicyStatement[] } | undefined;
  if (document === undefined) throw new Error(`no policy for ${name}`);
  return document.Statement;
}

const actionsOf = (statement: PolicyStatement) =>
  typeof statement.Action === 'string' ? [statement.Action] : [...(statement.Action ?? [])];

describe('the deploy rehearsal', () => {
  it('runs every function from its bundle and finds nothing denied, nothing crossing routes, no unexplained grant', () => {
    expect(rehearsal.verdict.report).toMatchObject({
      functions: 9,
      denied: 0,
      negativeAllowed: 0,
      unusedGrants: 0,
    });
    expect(rehearsal.verdict.report.calls).toBeGreaterThan(100);
    expect(rehearsal.verdict.report.negativeChecks).toBeGreaterThan(100);
  });

  it('sees each function make the calls its job needs', () => {
    const operations = rehearsal.verdict.operations;
    for (const route of ['/alpha/', '/beta/', '/asana/', BREAKER]) {
      expect([...(operations.get(`ingress ${route}`) ?? [])]).toEqual(
        expect.arrayContaining([
          'sqs:SendMessage',
          'dynamodb:PutItem',
          's3:PutObject',
          'secretsmanager:GetSecretValue',
        ]),
      );
      expect([...(operations.get(`handler ${route}`) ?? [])]).toEqual(
        expect.arrayContaining([
          'sqs:ReceiveMessage',
          'sqs:DeleteMessageBatch',
          'sqs:ChangeMessageVisibility',
          'sqs:SendMessage',
          'dynamodb:UpdateItem',
          's3:GetObject',
        ]),
      );
    }
    // The Asana handshake stores the key it was handed: the only function that writes a secret.
    const writers = [...operations]
      .filter(([, seen]) => seen.has('secretsmanager:PutSecretValue'))
      .map(([fn]) => fn);
    expect(writers).toEqual(['ingress /asana/']);
    expect([...(operations.get('admin') ?? [])]).toEqual(
      expect.arrayContaining([
        'dynamodb:Query',
        'dynamodb:BatchGetItem',
        's3:CopyObject',
        'sqs:StartMessageMoveTask',
        'sqs:ListMessageMoveTasks',
        'monitoring:GetMetricData',
        'lambda:ListEventSourceMappings',
        'lambda:UpdateEventSourceMapping',
        'scheduler:DeleteSchedule',
      ]),
    );
    // Switching consumers: the breaker's handler, its probe role and the operator's admin API only.
    const steering = [...operations]
      .filter(([, seen]) => [...seen].some((operation) => /^(lambda|scheduler):/.test(operation)))
      .map(([fn, seen]) => [
        fn,
        [...seen].filter((operation) => /^(lambda|scheduler):/.test(operation)).sort(),
      ]);
    expect(Object.fromEntries(steering)).toEqual({
      [`handler ${BREAKER}`]: [
        'lambda:ListEventSourceMappings',
        'lambda:UpdateEventSourceMapping',
        'scheduler:CreateSchedule',
      ],
      [`scheduler ${BREAKER}`]: ['lambda:UpdateEventSourceMapping'],
      admin: [
        'lambda:ListEventSourceMappings',
        'lambda:UpdateEventSourceMapping',
        'scheduler:DeleteSchedule',
      ],
    });
  });

  it('fails when a needed grant is removed from the template', async () => {
    const verdict = await judgeChanged((template) => {
      for (const statement of statementsOf(template, 'ingress /alpha/')) {
        const actions = actionsOf(statement).filter((action) => action !== 'sqs:SendMessage');
        Object.assign(statement, { Action: actions.length === 1 ? actions[0] : actions });
      }
    });
    expect(verdict.report.denied).toBeGreaterThan(0);
    expect(verdict.denied.map((check) => `${check.fn} ${check.request.action}`)).toContain(
      'ingress /alpha/ sqs:SendMessage',
    );
  });

  it("fails when the Asana ingress may not store its handshake's key", async () => {
    const verdict = await judgeChanged((template) => {
      for (const statement of statementsOf(template, 'ingress /asana/')) {
        const actions = actionsOf(statement).filter((action) => action !== 'secretsmanager:PutSecretValue');
        Object.assign(statement, { Action: actions.length === 1 ? actions[0] : actions });
      }
    });
    const asanaSecret = routeResources(rehearsal.stack).get('/asana/')?.secretArn;
    expect(verdict.denied).toEqual([
      expect.objectContaining({
        fn: 'ingress /asana/',
        request: expect.objectContaining({ action: 'secretsmanager:PutSecretValue', resource: asanaSecret }),
      }),
    ]);
  });

  it('fails when an ingress may write a secret its handshake does not store', async () => {
    const secret = (route: string) => routeResources(rehearsal.stack).get(route)?.secretArn ?? '';
    const verdict = await judgeChanged((template) => {
      statementsOf(template, 'ingress /alpha/').push({
        Effect: 'Allow',
        Action: 'secretsmanager:PutSecretValue',
        Resource: [secret('/alpha/'), secret('/asana/')],
      });
      for (const statement of statementsOf(template, 'ingress /asana/')) {
        if (actionsOf(statement).includes('secretsmanager:PutSecretValue'))
          Object.assign(statement, { Resource: '*' });
      }
    });
    const allowed = verdict.negativeAllowed
      .filter((check) => check.request.action === 'secretsmanager:PutSecretValue')
      .map((check) => `${check.fn} ${check.request.resource}`);
    expect(allowed).toEqual(
      expect.arrayContaining([
        `ingress /alpha/ ${secret('/alpha/')}`,
        `ingress /alpha/ ${secret('/asana/')}`,
        `ingress /asana/ ${secret('/alpha/')}`,
        `ingress /asana/ ${secret('/beta/')}`,
      ]),
    );
    expect(allowed).not.toContain(`ingress /asana/ ${secret('/asana/')}`);
    expect(verdict.report.denied).toBe(0);
  });

  it('fails when a grant points at the wrong ARN', async () => {
    const verdict = await judgeChanged((template) => {
      const send = statementsOf(template, 'handler /beta/').find((statement) =>
        actionsOf(statement).includes('sqs:SendMessage'),
      );
      const alphaDlq = Object.keys(template.Resources).find((id) =>
        /alphaDeadLetterQueue[0-9A-F]{8}$/.test(id),
      );
      Object.assign(send ?? {}, { Resource: { 'Fn::GetAtt': [alphaDlq, 'Arn'] } });
    });
    expect(verdict.denied.map((check) => `${check.fn} ${check.request.action}`)).toContain(
      'handler /beta/ sqs:SendMessage',
    );
    expect(verdict.report.negativeAllowed).toBeGreaterThan(0);
  });

  it("fails when an ingress may reach another route's dedupe claims or event states", async () => {
    const verdict = await judgeChanged((template) => {
      for (const statement of statementsOf(template, 'ingress /alpha/')) {
        if (actionsOf(statement).includes('dynamodb:PutItem'))
          delete (statement as { Condition?: unknown }).Condition;
      }
    });
    const reached = (marker: string) =>
      verdict.negativeAllowed.some((check) => JSON.stringify(check.request.context).includes(marker));
    expect(reached('DEDUPE#/beta/#')).toBe(true);
    expect(reached(`ROUTE#${routeTag('/beta/')}#`)).toBe(true);
  });

  it('fails on a grant nothing uses and no reason keeps', async () => {
    const verdict = await judgeChanged((template) => {
      const bucket = Object.keys(template.Resources).find((id) => /^GatewayBodyBucket[0-9A-F]{8}$/.test(id));
      statementsOf(template, 'handler /alpha/').push({
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [bucket, 'Arn'] } as unknown as string,
      });
    });
    expect(verdict.unused.filter((grant) => grant.reason === undefined)).toEqual([
      expect.objectContaining({ fn: 'handler /alpha/', action: 's3:ListBucket' }),
    ]);
  });

  it('fails on a call whose operation has no IAM mapping', async () => {
    const calls: AwsCall[] = [
      ...rehearsal.stack.calls,
      { fn: 'ingress /alpha/', via: 'function', service: 'sqs', operation: 'PurgeQueue', input: {} },
    ];
    await expect(judgeStack({ ...rehearsal.stack, calls })).rejects.toThrow(
      /sqs:PurgeQueue .* has no IAM mapping/,
    );
  });

  it('refuses to start a bundle whose template forgot one of its variables', async () => {
    const fn = assembly.functions.find((candidate) => candidate.role.kind === 'ingress');
    if (fn === undefined) throw new Error('no ingress in the assembly');
    const deployment = new Deployment(assembly.template, assembly.stackName);
    const environment = Object.fromEntries(
      Object.entries(fn.environment)
        .filter(([name]) => name !== ENV.tableName)
        .map(([name, value]) => [name, deployment.resolveString(value)]),
    );
    const start = startFunction({
      fn,
      functionName: deployment.ref(fn.logicalId),
      environment,
      region: awsTestCredentials.region,
      credentials: awsTestCredentials.credentials,
      endpoints: {
        sqs: '',
        dynamodb: '',
        s3: '',
        secretsmanager: '',
        monitoring: '',
        lambda: '',
        scheduler: '',
      },
      onCall: () => {},
    });
    await expect(start).rejects.toThrow(ENV.tableName);
  });
});

describe('the circuit breaker, deployed', () => {
  const breaker = () => {
    const handler = [...rehearsal.stack.functions.values()].find((fn) => fn.fn.name === `handler ${BREAKER}`);
    const mapping = rehearsal.stack.mappings.find(
      (found) => found.functionLogicalId === handler?.fn.logicalId,
    );
    const route = routeResources(rehearsal.stack).get(BREAKER);
    if (handler === undefined || mapping === undefined || route === undefined)
      throw new Error('no breaker route');
    return { handler, mapping, route };
  };
  const callsOf = (fn: string, operation: string) =>
    rehearsal.stack.calls.filter((call) => call.fn === fn && call.operation === operation);

  it('opens on the outage: the mapping off, one probe scheduled by the handler as Scheduler will run it', () => {
    const { handler, mapping, route } = breaker();
    expect(mapping.changes[0]).toMatchObject({ enabled: false, batchSize: 10 });
    const [first] = rehearsal.stack.schedules.history;
    expect(first).toMatchObject({
      group: `${assembly.stackName}-circuits`,
      expression: expect.stringMatching(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/),
      actionAfterCompletion: 'DELETE',
      target: {
        arn: UPDATE_MAPPING_TARGET,
        roleArn: route.schedulerRoleArn,
        input: JSON.stringify({ UUID: mapping.uuid, Enabled: true, BatchSize: 1 }),
      },
      deletedBy: 'completion',
    });
    expect(first?.name.startsWith(circuitSchedulePrefix(BREAKER))).toBe(true);
    expect(first?.error).toBeUndefined();
    expect(callsOf(`handler ${BREAKER}`, 'CreateSchedule').map((call) => call.input.Name)).toContain(
      first?.name,
    );
    // Due at the end of the cool-down, rounded up to the second.
    const [opened] = logLines(handler, 'circuit opened');
    const due = (first?.at.getTime() ?? 0) - Date.parse(String(opened?.halfOpensAt));
    expect(due).toBeGreaterThanOrEqual(0);
    expect(due).toBeLessThan(1_000);
  });

  it('logs every opening with its CircuitOpened metric line', () => {
    const { handler } = breaker();
    const opened = logLines(handler, 'circuit opened');
    // One per outage, and one more for each probe that failed before its flag was gone.
    expect(opened.length).toBeGreaterThanOrEqual(2);
    expect(opened[0]).toMatchObject({ level: 'WARN', route: BREAKER, circuit: 'open', coolDownSeconds: 2 });
    expect(Number(opened[0]?.failures)).toBeGreaterThanOrEqual(2);
    const metrics = metricLines(handler, 'CircuitOpened');
    expect(metrics).toHaveLength(opened.length);
    expect(metrics[0]).toMatchObject({ Route: BREAKER, CircuitOpened: 1 });
    expect(logLines(handler, 'circuit closed')[0]).toMatchObject({ route: BREAKER, circuit: 'closed' });
  });

  it('probes with one message, as the probe role, and the delivered probe restores the batch size', () => {
    const { mapping } = breaker();
    const probes = callsOf(`scheduler ${BREAKER}`, 'UpdateEventSourceMapping');
    expect(probes.length).toBeGreaterThanOrEqual(1);
    for (const probe of probes) {
      expect(probe).toMatchObject({
        via: 'scheduler',
        service: 'lambda',
        input: { UUID: mapping.uuid, Enabled: true, BatchSize: 1 },
      });
    }
    const changes = mapping.changes.map(({ enabled, batchSize }) => `${enabled ? 'on' : 'off'} ${batchSize}`);
    const restored = changes.indexOf('on 10');
    expect(restored).toBeGreaterThan(0);
    expect(changes[restored - 1]).toBe('on 1');
    const probeStart = mapping.changes[restored - 1]?.at.getTime() ?? 0;
    const probeEnd = mapping.changes[restored]?.at.getTime() ?? 0;
    const batches = mapping.invocations.filter(
      ({ at }) => at.getTime() >= probeStart && at.getTime() <= probeEnd,
    );
    expect(batches.length).toBeGreaterThanOrEqual(1);
    for (const batch of batches) expect(batch).toMatchObject({ batchSize: 1, records: 1 });
  });

  it("cancels the open circuit's probe when the operator pauses the route, and resumes it at its batch size", () => {
    const { mapping } = breaker();
    const cancelled = rehearsal.stack.schedules.history.filter(
      (schedule) => schedule.deletedBy === 'DeleteSchedule',
    );
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]?.firedAt).toBeUndefined();
    expect(callsOf('admin', 'DeleteSchedule').map((call) => call.input.Name)).toEqual([cancelled[0]?.name]);
    const switched = callsOf('admin', 'UpdateEventSourceMapping').filter(
      (call) => call.input.UUID === mapping.uuid,
    );
    expect(switched.map((call) => call.input)).toEqual([
      { UUID: mapping.uuid, Enabled: false },
      { UUID: mapping.uuid, Enabled: true, BatchSize: 10 },
    ]);
  });

  it("lets the operator pause and resume every route's consumer", () => {
    const switched = callsOf('admin', 'UpdateEventSourceMapping');
    for (const mapping of rehearsal.stack.mappings) {
      const mine = switched
        .filter((call) => call.input.UUID === mapping.uuid)
        .map((call) => call.input.Enabled);
      expect(mine).toEqual([false, true]);
      expect(mapping).toMatchObject({ enabled: true, batchSize: 10 });
    }
  });
});

describe('the judge of the circuit breaker', () => {
  const deployment = () => new Deployment(assembly.template, assembly.stackName);
  const roleOf = (name: string) => {
    const principal = [...assembly.functions, ...schedulerRoles(deployment(), assembly.functions)].find(
      (candidate) => candidate.name === name,
    );
    if (principal === undefined) throw new Error(`no principal ${name}`);
    return principal.roleLogicalId;
  };
  const route = (path: string): RouteResources => {
    const found = routeResources(rehearsal.stack).get(path);
    if (found === undefined) throw new Error(`no route ${path}`);
    return found;
  };
  const described = (check: Check) => `${check.fn} ${check.request.action} on ${check.request.resource}`;

  it.each([
    [`scheduler ${BREAKER}`, 'lambda:UpdateEventSourceMapping', () => route(BREAKER).mappingArn],
    [`handler ${BREAKER}`, 'iam:PassRole', () => route(BREAKER).schedulerRoleArn],
    [`handler ${BREAKER}`, 'scheduler:CreateSchedule', () => `${route(BREAKER).scheduleArnPrefix}`],
    [`handler ${BREAKER}`, 'lambda:UpdateEventSourceMapping', () => route(BREAKER).mappingArn],
    ['admin', 'scheduler:DeleteSchedule', () => `${route(BREAKER).scheduleArnPrefix}`],
    ['admin', 'lambda:UpdateEventSourceMapping', () => route('/alpha/').mappingArn],
  ])('denies the recorded calls of %s once its %s grant is gone', async (name, action, resource) => {
    const verdict = await judgeChanged((template) => revoke(template, roleOf(name), action));
    const denied = verdict.denied.filter((check) => check.fn === name && check.request.action === action);
    expect(denied.length, verdict.denied.map(described).join('\n')).toBeGreaterThan(0);
    expect(denied.map((check) => check.request.resource)).toContainEqual(
      expect.stringContaining(resource() ?? 'no resource'),
    );
    expect(verdict.denied.every((check) => check.fn === name)).toBe(true);
  });

  const scheduleGroupArn = () =>
    `arn:aws:scheduler:${deployment().region}:${deployment().account}:schedule/${assembly.stackName}-circuits/*`;
  it.each([
    {
      what: 'the handler may switch any mapping',
      name: `handler ${BREAKER}`,
      action: 'lambda:UpdateEventSourceMapping',
      change: (statement: PolicyStatement) => ({ ...statement, Resource: '*' }),
      allowed: () => route('/alpha/').mappingArn,
    },
    {
      what: 'the handler may schedule under any name',
      name: `handler ${BREAKER}`,
      action: 'scheduler:CreateSchedule',
      change: (statement: PolicyStatement) => ({ ...statement, Resource: scheduleGroupArn() }),
      allowed: () => route('/alpha/').scheduleArnPrefix,
    },
    {
      what: 'the handler may pass any role',
      name: `handler ${BREAKER}`,
      action: 'iam:PassRole',
      change: (statement: PolicyStatement) => ({ ...statement, Resource: '*' }),
      allowed: () => deployment().arn(roleOf('admin')),
    },
    {
      what: "the handler may write any route's circuit item",
      name: `handler ${BREAKER}`,
      action: 'dynamodb:UpdateItem',
      change: ({ Condition, ...statement }: PolicyStatement) =>
        JSON.stringify(Condition).includes('CIRCUIT#') ? statement : { ...statement, Condition },
      allowed: () => route('/alpha/').circuitKey,
    },
    {
      what: 'the probe role may switch any mapping',
      name: `scheduler ${BREAKER}`,
      action: 'lambda:UpdateEventSourceMapping',
      change: (statement: PolicyStatement) => ({ ...statement, Resource: '*' }),
      allowed: () => route('/alpha/').mappingArn,
    },
    {
      what: "the admin may delete any route's schedules",
      name: 'admin',
      action: 'scheduler:DeleteSchedule',
      change: (statement: PolicyStatement) => ({ ...statement, Resource: scheduleGroupArn() }),
      allowed: () => route('/alpha/').scheduleArnPrefix,
    },
  ])('finds it allowed across routes when $what', async ({ name, action, change, allowed }) => {
    const verdict = await judgeChanged((template) => widen(template, roleOf(name), action, change));
    const crossing = verdict.negativeAllowed.filter(
      (check) => check.fn === name && check.request.action === action,
    );
    expect(
      crossing.map((check) => `${check.request.resource} ${JSON.stringify(check.request.context)}`),
    ).toContainEqual(expect.stringContaining(allowed() ?? 'no resource'));
    expect(verdict.report.denied).toBe(0);
  });

  it("finds the probe role assumable by another account's or another group's Scheduler without its source conditions", async () => {
    const verdict = await judgeChanged((template) => {
      const role = template.Resources[roleOf(`scheduler ${BREAKER}`)];
      const trust = role?.Properties?.AssumeRolePolicyDocument as { Statement: { Condition?: unknown }[] };
      for (const statement of trust.Statement) delete statement.Condition;
    });
    const assumed = `scheduler.amazonaws.com → scheduler ${BREAKER} sts:AssumeRole on ${route(BREAKER).schedulerRoleArn}`;
    expect(verdict.negativeAllowed.map(described)).toEqual([assumed, assumed]);
  });

  it('finds the probe role assumable for another schedule group without its source-ARN condition', async () => {
    const verdict = await judgeChanged((template) => {
      const role = template.Resources[roleOf(`scheduler ${BREAKER}`)];
      const trust = role?.Properties?.AssumeRolePolicyDocument as {
        Statement: { Condition?: Record<string, unknown> }[];
      };
      for (const statement of trust.Statement) delete statement.Condition?.ArnEquals;
    });
    expect(verdict.negativeAllowed.map((check) => JSON.stringify(check.request.context))).toEqual([
      expect.stringContaining('schedule-group/another-group'),
    ]);
  });

  it("reads the handler's CircuitPolicy, a policy of its own beside the role's default one", () => {
    const policies = new TemplatePermissions(deployment()).identityPolicies(roleOf(`handler ${BREAKER}`));
    expect(policies.map((policy) => policy.name).sort()).toEqual([
      expect.stringMatching(/CircuitPolicy/),
      expect.stringMatching(/DefaultPolicy/),
    ]);
  });
});
