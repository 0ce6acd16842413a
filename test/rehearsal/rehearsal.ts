/**
 * The deploy rehearsal (docs/architecture.md, "Deploy rehearsal"): the stack synthesized with its
 * real bundles, brought up on the emulators by ./rehearsal-stack.ts, driven through the circuit
 * breaker's scenario (./circuit-scenario.ts) and then the scenario of every route (./scenario.ts),
 * and every AWS call its functions, and Scheduler with its roles, made judged against the template's
 * IAM by ./checks.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CircuitRecords } from '../../shared/circuit/circuit-record.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { ENV } from '../../shared/env-names.js';
import type { Assembly } from './assembly.js';
import { judge, type RehearsalVerdict } from './checks.js';
import { runCircuitScenario } from './circuit-scenario.js';
import { TemplatePermissions } from './policies.js';
import { type RehearsalEmulators, type RehearsalStack, startRehearsalStack } from './rehearsal-stack.js';
import { routeResources } from './route-resources.js';
import { runScenario } from './scenario.js';
import { ScenarioClient, type ScenarioRoute } from './scenario-client.js';

export interface ScenarioResult {
  readonly webhooks: number;
  readonly adminRequests: number;
}

export interface Rehearsal {
  readonly verdict: RehearsalVerdict;
  readonly scenario: ScenarioResult;
  /**
   * The recorded calls and the stack's names, to judge a changed template against; what the
   * mappings, Scheduler and the functions did, to check against the scenario.
   */
  readonly stack: Pick<
    RehearsalStack,
    'assembly' | 'deployment' | 'calls' | 'mappings' | 'schedules' | 'functions'
  >;
}

export async function rehearse(assembly: Assembly, emulators: RehearsalEmulators): Promise<Rehearsal> {
  const stack = await startRehearsalStack(assembly, emulators);
  const client = new ScenarioClient(stack.url, emulators);
  const folder = mkdtempSync(join(tmpdir(), 'hookline-rehearsal-flag-'));
  try {
    const routes = scenarioRoutes(stack);
    for (const route of routes.filter((candidate) => candidate.breaker)) {
      await runCircuitScenario(stack, client, {
        route,
        routes,
        circuits: new CircuitRecords({ client: emulators.dynamodb, tableName: tableNameOf(stack) }),
        folder,
      });
    }
    await runScenario(stack, client, routes);
  } catch (error: unknown) {
    const outputs = [...stack.functions.values()].map((fn) => `--- ${fn.fn.name}\n${fn.output()}`).join('\n');
    throw new Error(`the rehearsal's scenario failed; the functions' last output:\n${outputs}`, {
      cause: error,
    });
  } finally {
    await stack.stop();
    rmSync(folder, { recursive: true, force: true });
  }
  const verdict = await judgeStack(stack);
  return { verdict, scenario: { webhooks: client.webhooks, adminRequests: client.adminRequests }, stack };
}

/** The stack's event table, by the handlers' variable. */
function tableNameOf(stack: RehearsalStack): string {
  const variable = stack.assembly.functions.find((fn) => fn.environment[ENV.tableName] !== undefined)
    ?.environment[ENV.tableName];
  return stack.deployment.resolveString(variable);
}

/** The verdict on `stack`'s recorded calls under its template (which a test may have changed). */
export function judgeStack(
  stack: Pick<RehearsalStack, 'assembly' | 'deployment' | 'calls'>,
): Promise<RehearsalVerdict> {
  return judge({
    permissions: new TemplatePermissions(stack.deployment),
    functions: stack.assembly.functions,
    routes: routeResources(stack),
    calls: stack.calls,
  });
}

/**
 * Each route's path, scheme, secret ARN and signing secret, from its ingress function's variables.
 * An `asana` route's secret starts without a value (`[]`): its signing secret is the key the
 * scenario hands over in the route's handshake.
 */
function scenarioRoutes(stack: RehearsalStack): ScenarioRoute[] {
  return stack.assembly.functions.flatMap((fn): ScenarioRoute[] => {
    if (fn.role.kind !== 'ingress') return [];
    const route = JSON.parse(stack.deployment.resolveString(fn.environment[ENV.route])) as {
      path: string;
      verify: { scheme: ScenarioRoute['scheme'] };
      circuitBreaker?: ResolvedRoute['circuitBreaker'];
    };
    const breaker = route.circuitBreaker !== undefined;
    const secretArn = stack.deployment.resolveString(fn.environment[ENV.secretArn]);
    const secretId = [...stack.secretValues.keys()].find((id) => stack.deployment.ref(id) === secretArn);
    const stored = secretId === undefined ? undefined : stack.secretValues.get(secretId);
    if (stored === undefined) throw new Error(`no secret value for ${route.path}`);
    if (route.verify.scheme !== 'asana') {
      return [{ path: route.path, scheme: route.verify.scheme, secretArn, secret: stored, breaker }];
    }
    if (stored !== '[]')
      throw new Error(`the secret of ${route.path} starts as ${stored}, not [] (no value)`);
    return [
      { path: route.path, scheme: 'asana', secretArn, secret: randomBytes(16).toString('hex'), breaker },
    ];
  });
}
