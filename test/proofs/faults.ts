/**
 * `npm run proof:faults -- --events N [--seed S] [--kills K] [--kill-at before-effect|after-effect]`:
 * the fault-injection proof (./faults-proof.ts) against its own DynamoDB Local and SQS emulator.
 * Prints the figures, then the contract as the last line; exits 1 when an accepted event was lost,
 * had its effect run twice or was left unsettled, or when a history disagrees with the ledger.
 */
import { parseArgs } from 'node:util';
import { withOwnEmulators } from '../helpers/own-emulators.js';
import { type FaultsDetails, type FaultsReport, runFaultsProof } from './faults-proof.js';
import { examples } from './faults-verdict.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    kills: { type: 'string', default: '3' },
    'kill-at': { type: 'string', default: 'before-effect' },
  },
});
const events = Number(values.events);
const kills = Number(values.kills);
const seed = values.seed === undefined ? undefined : Number(values.seed);
const killAt = values['kill-at'];
if (
  !Number.isInteger(events) ||
  events < 1 ||
  !Number.isInteger(kills) ||
  kills < 0 ||
  (seed !== undefined && !Number.isInteger(seed)) ||
  (killAt !== 'before-effect' && killAt !== 'after-effect')
) {
  console.error(
    'usage: npm run proof:faults -- [--events N] [--seed S] [--kills K] [--kill-at before-effect|after-effect] (N ≥ 1, K ≥ 0)',
  );
  process.exit(2);
}

// The figures are the output: keep the SDK's notice about Node versions out of it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await withOwnEmulators(async (endpoints) => {
  const { report, details } = await runFaultsProof({
    events,
    kills,
    killAt,
    ...(seed !== undefined && { seed }),
    endpoints,
    name: `faults${process.pid}`,
  });
  printFigures(report, details);
  console.log(JSON.stringify(report));
  const unsettled = report.accepted - report.delivered - report.deadLettered;
  const failed =
    report.lost > 0 ||
    report.doubleEffects > 0 ||
    unsettled > 0 ||
    !details.settled ||
    details.verdict.inconsistencies.length > 0;
  process.exitCode = failed ? 1 : 0;
});

function printFigures(report: FaultsReport, details: FaultsDetails): void {
  const { verdict, durationsMs } = details;
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  console.log(
    `faults proof: ${report.events} webhooks (seed ${details.seed}) in ${seconds(durationsMs.total)} s: ` +
      `${seconds(durationsMs.sending)} s sending, ${seconds(durationsMs.settling)} s until the queue was empty${details.settled ? '' : ' (timed out)'}`,
  );
  console.log(
    `  accepted ${report.accepted} (${verdict.abandoned} abandoned by the provider), delivered ${report.delivered}, ` +
      `dead-lettered ${report.deadLettered} (${details.deadLetterQueueMessages} messages in the DLQ), ` +
      `lost ${report.lost}, double effects ${report.doubleEffects}`,
  );
  for (const service of ['sqs', 'dynamodb'] as const) {
    const { attempts, faults } = details.services[service];
    const rows = details.attempts
      .filter((row) => row.service === service)
      .map((row) => {
        const failed = Object.values(row.faults).reduce((sum, n) => sum + n, 0);
        return `${row.operation} ${failed}/${row.attempts} (${percent(failed, row.attempts)})`;
      });
    console.log(
      `  ${service === 'sqs' ? 'SQS' : 'DynamoDB'}: ${faults} of ${attempts} HTTP attempts failed (${percent(faults, attempts)}): ${rows.join(', ')}`,
    );
  }
  const kinds = details.faultKinds;
  console.log(
    `  fault kinds: throttled ${kinds.throttled}, server error ${kinds.server_error}, ` +
      `connection reset ${kinds.connection_reset}, reply lost after the call ${kinds.reply_lost}`,
  );
  console.log(
    `  handler: ${verdict.throws} of ${verdict.invocations} invocations threw (${percent(verdict.throws, verdict.invocations)}), ` +
      `${verdict.effects} effects, ${verdict.lateEffects} after their deadline`,
  );
  console.log(
    `  kills: ${details.kills.length} SIGKILLs mid-batch (${details.killAt}), ${details.consumerProcesses} consumer processes in all, ${details.consumerCrashes} crashed`,
  );
  details.kills.forEach((kill, index) => {
    const locks = verdict.locksLeftByKills[index] ?? 0;
    console.log(
      `    pid ${kill.pid} frozen at attempt ${kill.held.a} of ${kill.held.id}: ${kill.held.awaiting} effects awaiting ` +
        `their settle; ${locks} locks left to lapse, then taken again`,
    );
  });
  console.log(
    `  ingress interrupted after SendMessage: ${report.faults.interrupted} ` +
      `(${details.interruptions['after-send']} before the state write, ${details.interruptions['before-reply']} before the answer)`,
  );
  const statuses = [...details.providerStatuses]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status === 0 ? 'no answer' : status} ${count}`)
    .join(', ');
  console.log(
    `  provider: ${report.faults.duplicates} deliveries sent twice (${details.concurrentDuplicates} at once), ${details.providerRetries} retries; answers ${statuses}`,
  );
  console.log(
    `  histories: ${verdict.inconsistencies.length} inconsistent; ${verdict.lapsed.total} lapsed locks recorded ` +
      `(${verdict.lapsed.withoutRun} where the code never ran); ${verdict.phantoms} states for no accepted delivery`,
  );
  const logs = [...details.consumerLogs].map(([message, count]) => `${message} ×${count}`).join('; ');
  console.log(`  consumer warnings and errors: ${logs === '' ? 'none' : logs}`);
  if (details.unreadableLedgerLines > 0)
    console.log(`  unreadable ledger lines: ${details.unreadableLedgerLines}`);
  for (const lost of examples(verdict.lost)) {
    const where = lost.inDeadLetterQueue ? ', in the DLQ' : '';
    console.log(`  lost: delivery ${lost.n} (${lost.id}) ${lost.status}${where}: ${lost.cause}`);
    console.log(`    ${lost.trail}`);
  }
  for (const double of examples(verdict.doubles)) {
    console.log(
      `  double effect: delivery ${double.n} (${double.ids.join(', ')}) ran ${double.effects}×: ${double.cause}`,
    );
  }
  for (const problem of examples(verdict.inconsistencies)) {
    console.log(`  inconsistent: delivery ${problem.n} (${problem.id}): ${problem.problem}`);
  }
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`;
}
