/**
 * The deploy rehearsal (docs/architecture.md, "Deploy rehearsal"): the stack synthesized with its
 * real bundles, brought up on the emulators by ./rehearsal-stack.ts, driven through the scenario,
 * and every AWS call its functions made judged against the template's IAM by ./checks.ts.
 */
import { randomBytes } from 'node:crypto';
import { ENV } from '../../shared/env-names.js';
import type { Assembly } from './assembly.js';
import { judge, type RehearsalVerdict } from './checks.js';
import { TemplatePermissions } from './policies.js';
import {
  type RehearsalEmulators,
  type RehearsalStack,
  routeResources,
  startRehearsalStack,
} from './rehearsal-stack.js';
import { runScenario, type ScenarioResult, type ScenarioRoute } from './scenario.js';

export interface Rehearsal {
  readonly verdict: RehearsalVerdict;
  readonly scenario: ScenarioResult;
  /** The recorded calls and the stack's names, to judge a changed template against. */
  readonly stack: Pick<RehearsalStack, 'assembly' | 'deployment' | 'calls'>;
}

export async function rehearse(assembly: Assembly, emulators: RehearsalEmulators): Promise<Rehearsal> {
  const stack = await startRehearsalStack(assembly, emulators);
  let scenario: ScenarioResult;
  try {
    scenario = await runScenario(stack, scenarioRoutes(stack));
  } catch (error: unknown) {
    const outputs = [...stack.functions.values()].map((fn) => `--- ${fn.fn.name}\n${fn.output()}`).join('\n');
    throw new Error(`the rehearsal's scenario failed; the functions' last output:\n${outputs}`, {
      cause: error,
    });
  } finally {
    await stack.stop();
  }
  const verdict = await judgeStack(stack);
  return { verdict, scenario, stack };
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
    };
    const secretArn = stack.deployment.resolveString(fn.environment[ENV.secretArn]);
    const secretId = [...stack.secretValues.keys()].find((id) => stack.deployment.ref(id) === secretArn);
    const stored = secretId === undefined ? undefined : stack.secretValues.get(secretId);
    if (stored === undefined) throw new Error(`no secret value for ${route.path}`);
    if (route.verify.scheme !== 'asana') {
      return [{ path: route.path, scheme: route.verify.scheme, secretArn, secret: stored }];
    }
    if (stored !== '[]')
      throw new Error(`the secret of ${route.path} starts as ${stored}, not [] (no value)`);
    return [{ path: route.path, scheme: 'asana', secretArn, secret: randomBytes(16).toString('hex') }];
  });
}
