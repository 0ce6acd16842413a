/**
 * The operations suite (../operations/operations-suite.ts) against the deploy rehearsal of its own
 * project: the stack synthesized with the real bundles and brought up on the run's shared emulators
 * (test/rehearsal/rehearsal-stack.ts). Then every AWS call the functions made during the suite is
 * judged against the template's IAM.
 *
 * The rehearsal's HTTP API does not check the admin routes' IAM authorization (SigV4), which the
 * local stack replaces with "this machine only": the suite calls both alike, and what the admin
 * function may do is the judge's to check instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsTestCredentials } from '../../helpers/emulators.js';
import { connectEmulators, type Emulators } from '../../helpers/ingress-stack.js';
import { uniqueName } from '../../helpers/shared-emulators.js';
import { synthesizeAssembly } from '../../rehearsal/assembly.js';
import type { Check } from '../../rehearsal/checks.js';
import { judgeStack } from '../../rehearsal/rehearsal.js';
import { type RehearsalStack, startRehearsalStack } from '../../rehearsal/rehearsal-stack.js';
import { describeOperations, ROUTE_PATH } from '../operations/operations-suite.js';

let stack: RehearsalStack | undefined;

describeOperations('operations through the deploy rehearsal', async (project) => {
  const emulators: Emulators = await connectEmulators();
  const outdir = mkdtempSync(join(tmpdir(), 'hookline-operations-'));
  const cleanUp = () => {
    emulators.close();
    rmSync(outdir, { recursive: true, force: true });
  };
  try {
    const assembly = await synthesizeAssembly({
      configFile: project.configFile,
      outdir,
      stackName: uniqueName('operations'),
    });
    const started = await startRehearsalStack(assembly, {
      sqsEndpoint: emulators.sqs.endpoint,
      dynamoDbEndpoint: emulators.dynamo.endpoint,
      sqs: emulators.sqs.client,
      dynamodb: emulators.dynamo.client,
      region: awsTestCredentials.region,
      credentials: awsTestCredentials.credentials,
    });
    stack = started;
    return {
      url: started.url,
      publicUrl: started.publicUrl,
      output: () =>
        [...started.functions.values()].map((fn) => `--- ${fn.fn.name}\n${fn.output()}`).join('\n'),
      async stop() {
        await started.stop();
        cleanUp();
      },
    };
  } catch (error: unknown) {
    cleanUp();
    throw error;
  }
});

const described = (check: Check) =>
  `${check.fn} ${check.request.action} on ${check.request.resource} ${JSON.stringify(check.request.context)}`;

describe('the AWS calls of the operations suite', () => {
  it('are each allowed by the template, and none would be allowed on the other route', async () => {
    if (stack === undefined) throw new Error('the rehearsal stack did not start');
    // Rejects for a call whose operation has no IAM mapping.
    const verdict = await judgeStack(stack);
    expect(verdict.denied.map(described)).toEqual([]);
    expect(verdict.negativeAllowed.map(described)).toEqual([]);
    expect(verdict.report).toMatchObject({ functions: 5, denied: 0, negativeAllowed: 0 });
    expect(verdict.report.negativeChecks).toBeGreaterThan(0);
    // The suite's own paths were recorded and judged: the claim check, the replay's copy, the redrive.
    const operations = (fn: string) => [...(verdict.operations.get(fn) ?? [])];
    expect(operations(`ingress ${ROUTE_PATH}`)).toEqual(
      expect.arrayContaining(['sqs:SendMessage', 'dynamodb:PutItem', 's3:PutObject']),
    );
    expect(operations(`handler ${ROUTE_PATH}`)).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessageBatch', 's3:GetObject']),
    );
    expect(operations('admin')).toEqual(
      expect.arrayContaining([
        's3:GetObject',
        's3:CopyObject',
        'sqs:ReceiveMessage',
        'sqs:StartMessageMoveTask',
        'sqs:GetQueueAttributes',
      ]),
    );
  });
});
