/**
 * `npm run proof:fuzz -- --per-scheme N [--signed N] [--seed S]`: the fuzz proof (./fuzz-proof.ts)
 * against its own DynamoDB Local and SQS emulator. Prints the figures, then the contract as the last
 * line; exits 1 when any request was accepted, answered 5xx, crashed or got a wrong code.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_AWS } from '../../shared/local-state/state-file.js';
import { withOwnEmulators } from '../helpers/own-emulators.js';
import { runFuzzProof } from './fuzz-proof.js';

const { values } = parseArgs({
  options: {
    'per-scheme': { type: 'string', default: '10000' },
    signed: { type: 'string', default: '500' },
    seed: { type: 'string' },
  },
});
const perScheme = Number(values['per-scheme']);
const signedPerScheme = Number(values.signed);
if (
  !Number.isInteger(perScheme) ||
  perScheme < 1 ||
  !Number.isInteger(signedPerScheme) ||
  signedPerScheme < 1
) {
  console.error('usage: npm run proof:fuzz -- [--per-scheme N] [--signed N] [--seed S] (N ≥ 1)');
  process.exit(2);
}

// The figures are the output: keep the SDK's notice about Node versions out of it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await withOwnEmulators(async (endpoints) => {
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: endpoints.sqs });
  const dynamodb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: endpoints.dynamodb });
  try {
    const started = performance.now();
    const { report, signed, failures } = await runFuzzProof({
      dynamodb,
      sqs,
      perScheme,
      signedPerScheme,
      prefix: `fuzz${process.pid}`,
      ...(values.seed !== undefined && { seed: Number(values.seed) }),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz proof: ${report.requests} generated requests over ${report.schemes} schemes in ${seconds} s`,
    );
    console.log(
      `  accepted ${report.accepted}, 5xx ${report.serverErrors}, crashes ${report.crashes}, wrong codes ${report.wrongCodes}`,
    );
    for (const entry of signed) {
      console.log(`  ${entry.scheme}: ${entry.signed} provider-signed requests, ${entry.refused} refused`);
    }
    for (const failure of failures) console.log(`  counterexample: ${failure}`);
    console.log(JSON.stringify(report));
    process.exitCode = failures.length === 0 ? 0 : 1;
  } finally {
    sqs.destroy();
    dynamodb.destroy();
  }
});
