/**
 * The deploy rehearsal (`npm run rehearse`) in the suite: the rehearsal stack synthesized with its
 * real bundles, run on the shared emulators through the whole scenario, and every AWS call its
 * functions made allowed by the template's IAM, none of them allowed on another route's resources,
 * no grant left unused without a reason. Then the verdict on the same calls under templates changed
 * on purpose, to show each check fails when it should.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../shared/env-names.js';
import { routeTag } from '../../../shared/resources.js';
import { awsTestCredentials } from '../../helpers/emulators.js';
import { connectEmulators, type Emulators } from '../../helpers/ingress-stack.js';
import { uniqueName } from '../../helpers/shared-emulators.js';
import { type Assembly, synthesizeAssembly } from '../../rehearsal/assembly.js';
import type { AwsCall } from '../../rehearsal/authorization.js';
import { startFunction } from '../../rehearsal/function-process.js';
import type { PolicyStatement } from '../../rehearsal/policies.js';
import { judgeStack, type Rehearsal, rehearse } from '../../rehearsal/rehearsal.js';
import { routeResources } from '../../rehearsal/rehearsal-stack.js';
import { Deployment, type Template } from '../../rehearsal/template.js';

const CONFIG = join(import.meta.dirname, '../../fixtures/rehearsal/hookline.config.ts');

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
      functions: 7,
      denied: 0,
      negativeAllowed: 0,
      unusedGrants: 0,
    });
    expect(rehearsal.verdict.report.calls).toBeGreaterThan(100);
    expect(rehearsal.verdict.report.negativeChecks).toBeGreaterThan(100);
  });

  it('sees each function make the calls its job needs', () => {
    const operations = rehearsal.verdict.operations;
    for (const route of ['/alpha/', '/beta/', '/asana/']) {
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
      ]),
    );
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
      environment,
      region: awsTestCredentials.region,
      credentials: awsTestCredentials.credentials,
      endpoints: { sqs: '', dynamodb: '', s3: '', secretsmanager: '', monitoring: '' },
      onCall: () => {},
    });
    await expect(start).rejects.toThrow(ENV.tableName);
  });
});
