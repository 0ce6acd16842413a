/**
 * `npm run rehearse [-- --assembly cdk.out]`: the deploy rehearsal (./rehearsal.ts) on emulators of
 * its own. Synthesizes the rehearsal's stack (test/fixtures/rehearsal/hookline.config.ts, whose
 * handler the scenario steers) or takes the assembly `cdk synth` wrote for that config
 * (`HOOKLINE_CONFIG=test/fixtures/rehearsal/hookline.config.ts npx cdk synth`); prints what each
 * function called and every finding, then the contract as the last line; exits 1 on any finding.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { withOwnEmulators } from '../helpers/own-emulators.js';
import { readAssembly, synthesizeAssembly } from './assembly.js';
import { rehearse } from './rehearsal.js';

const CONFIG = join(import.meta.dirname, '../fixtures/rehearsal/hookline.config.ts');
const CREDENTIALS = { accessKeyId: 'AKIDREHEARSAL', secretAccessKey: 'rehearsal-secret' };
const REGION = 'us-east-1';

const { values } = parseArgs({ options: { assembly: { type: 'string' } } });
// The figures are the output: keep the SDK's notice about Node versions out of it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const outdir = mkdtempSync(join(tmpdir(), 'hookline-rehearsal-'));
await withOwnEmulators(async (endpoints) => {
  const sqs = new SQSClient({ region: REGION, credentials: CREDENTIALS, endpoint: endpoints.sqs });
  const dynamodb = new DynamoDBClient({
    region: REGION,
    credentials: CREDENTIALS,
    endpoint: endpoints.dynamodb,
  });
  try {
    const assembly =
      values.assembly === undefined
        ? await synthesizeAssembly({ configFile: CONFIG, outdir })
        : readAssembly(resolve(values.assembly));
    const { verdict, scenario } = await rehearse(assembly, {
      sqsEndpoint: endpoints.sqs,
      dynamoDbEndpoint: endpoints.dynamodb,
      sqs,
      dynamodb,
      region: REGION,
      credentials: CREDENTIALS,
    });
    const { report } = verdict;
    console.log(
      `deploy rehearsal of ${assembly.stackName}: ${report.functions} functions run from their bundles, ` +
        `${scenario.webhooks} webhooks and ${scenario.adminRequests} admin requests`,
    );
    for (const [fn, operations] of verdict.operations)
      console.log(`  ${fn}: ${[...operations].sort().join(', ')}`);
    console.log(`  ${report.calls} AWS calls, ${report.checks} IAM checks: ${report.denied} denied`);
    for (const check of verdict.denied) {
      console.log(
        `  denied: ${check.fn} ${check.request.action} on ${check.request.resource} ${JSON.stringify(check.request.context)}`,
      );
    }
    console.log(`  ${report.negativeChecks} negative checks: ${report.negativeAllowed} allowed`);
    for (const check of verdict.negativeAllowed) {
      console.log(
        `  allowed: ${check.fn} ${check.request.action} on ${check.request.resource} ${JSON.stringify(check.request.context)}`,
      );
    }
    for (const grant of verdict.unused) {
      console.log(
        `  unused grant: ${grant.fn} ${grant.action} on ${grant.resource}${grant.reason ? ` (kept: ${grant.reason})` : ''}`,
      );
    }
    console.log(JSON.stringify(report));
    process.exitCode = report.denied + report.negativeAllowed + report.unusedGrants === 0 ? 0 : 1;
  } finally {
    sqs.destroy();
    dynamodb.destroy();
    rmSync(outdir, { recursive: true, force: true });
  }
});
