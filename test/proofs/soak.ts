/**
 * `npm run proof:soak -- --seconds S [--rate N]`: the soak proof (./soak-proof.ts). Prints the figures,
 * then the contract as the last line; exits 1 on any error, handle left open or orphan process.
 */
import { parseArgs } from 'node:util';
import { runSoakProof } from './soak-proof.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, rate: { type: 'string', default: '20' } },
});
const seconds = Number(values.seconds);
const ratePerSecond = Number(values.rate);
if (!Number.isInteger(seconds) || seconds < 1 || !Number.isInteger(ratePerSecond) || ratePerSecond < 1) {
  console.error('usage: npm run proof:soak -- [--seconds S] [--rate N] (S, N ≥ 1)');
  process.exit(2);
}
// The figures are the output: keep the SDK's notice about Node versions out of it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { report, details } = await runSoakProof({ seconds, ratePerSecond });
console.log(
  `soak proof: ${report.events} events in ${report.seconds} s at ${ratePerSecond}/s through the local stack`,
);
console.log(`  errors ${report.errors} (undelivered ${details.undelivered})`);
console.log(
  `  RSS ${details.rssMb.start.toFixed(0)} → ${details.rssMb.end.toFixed(0)} MB; once warm ${report.rssMbPerMinute} MB/min RSS, ${report.heapMbPerMinute} MB/min heap`,
);
console.log(`  event loop delay p99 ${details.eventLoopDelayP99Ms} ms`);
console.log(
  `  after stop: ${report.openHandles} handles and ${details.openFileDescriptors} file descriptors beyond the baseline, ${report.orphans} orphan processes`,
);
for (const descriptor of details.leftDescriptors) console.log(`  left open: fd ${descriptor}`);
console.log(JSON.stringify(report));
process.exitCode = report.errors === 0 && report.openHandles === 0 && report.orphans === 0 ? 0 : 1;
