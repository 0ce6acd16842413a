/** The delivery bench's tables: what one run moved, where its writes landed, what it stored and cost. */
import type { OperationCount } from './aws-call-counter.js';
import { type CostLine, totalCost } from './cost-model.js';
import type { CpuWindow } from './cpu.js';
import type { DeliveryRun } from './delivery-run.js';
import type { ProbedFunction } from './deployed-probe.js';
import type { KeyRate } from './key-writes.js';
import { ANCHORS } from './prices.js';
import { fixed, formatBytes, formatTable, median, summarize } from './stats.js';
import { gbMonths, type StorageKind } from './storage.js';

type Print = (line: string) => void;

export function sum(operations: readonly OperationCount[], pick: (count: OperationCount) => number): number {
  return operations.reduce((total, count) => total + pick(count), 0);
}

/** Write units, those DynamoDB returned and those computed for failed conditional writes. */
export function writeUnits(run: DeliveryRun): number {
  return sum(run.operations, (count) => count.writeUnits + count.estimatedWriteUnits);
}

export function dollars(value: number): string {
  return `$${value.toFixed(value < 0.01 ? 4 : 2)}`;
}

export function printLatency(print: Print, run: DeliveryRun): void {
  const rows: string[][] = [['path', 'n', 'wall', 'throughput', 'p50', 'p90', 'p99', 'max']];
  const row = (label: string, s: ReturnType<typeof summarize>, wall: string, rate: string) => [
    label,
    String(run.n),
    wall,
    rate,
    `${fixed(s.median)} ms`,
    `${fixed(s.p90)} ms`,
    `${fixed(s.p99)} ms`,
    `${fixed(s.max)} ms`,
  ];
  rows.push(
    row(
      'end to end, accept → handler',
      run.latencyMs,
      `${fixed(run.wallMs / 1000, 2)} s`,
      `${fixed(run.perSecond)}/s`,
    ),
  );
  rows.push(row('  of which: HTTP accept (202)', run.acceptMs, '', ''));
  rows.push(row('  of which: 202 → handler ran', run.afterAcceptMs, '', ''));
  for (const line of formatTable(rows)) print(line);
  const batch = summarize(run.batches.durationsMs.length > 0 ? run.batches.durationsMs : [0]);
  print(
    `handler side: ${run.batches.count} batches of ${fixed(run.batches.messages / Math.max(1, run.batches.count), 2)} on ` +
      `average, at most ${run.batches.maxInFlight} in flight at once; batch (receive → delete) p50 ${fixed(batch.median)} ms, ` +
      `p99 ${fixed(batch.p99)} ms; handler runs ${run.handlerRuns} for ${run.n} events`,
  );
}

/** CPU per event of each process over the run, and how busy the machine was besides. */
export function printCpu(print: Print, cpu: CpuWindow, n: number): void {
  const parts = cpu.targets.map((target) => {
    const value = target.cpuMs === undefined ? 'n/a' : `${fixed(target.cpuMs / n, 2)} ms`;
    const main =
      target.mainThreadMs === undefined ? '' : ` (main thread ${fixed(target.mainThreadMs / n, 2)} ms)`;
    return `${target.label} ${value}${main}`;
  });
  const measured = cpu.targets.reduce((total, target) => total + (target.cpuMs ?? 0), 0);
  const otherCores =
    cpu.machineBusyMs === undefined ? undefined : Math.max(0, cpu.machineBusyMs - measured) / cpu.wallMs;
  print(
    `CPU per event over the run (user + system): ${parts.join(', ')}; ` +
      `other work and the kernel used ${otherCores === undefined ? 'n/a' : otherCores.toFixed(2)} cores meanwhile` +
      (otherCores !== undefined && otherCores >= 0.1
        ? ' (wall-clock figures above are worse than on an idle machine)'
        : ''),
  );
}

export function printOperations(print: Print, run: DeliveryRun): void {
  const rows: string[][] = [
    [
      '<service',
      '<operation',
      'calls',
      'per event',
      'billed req/event',
      'WRU/event',
      'RRU/event',
      'errors',
      'p50',
      'p99',
    ],
  ];
  for (const count of run.operations) {
    const units = count.writeUnits + count.estimatedWriteUnits;
    const durations = run.callMs.get(`${count.service} ${count.operation}`) ?? [];
    const timing = summarize(durations.length > 0 ? durations : [0]);
    rows.push([
      count.service,
      count.operation,
      String(count.calls),
      fixed(count.calls / run.n, 3),
      fixed(count.billedRequests / run.n, 3),
      units === 0 ? '—' : fixed(units / run.n, 2),
      count.readUnits === 0 ? '—' : fixed(count.readUnits / run.n, 2),
      count.errors === 0 ? '—' : String(count.errors),
      `${fixed(timing.median)} ms`,
      `${fixed(timing.p99)} ms`,
    ]);
  }
  const calls = sum(run.operations, (count) => count.calls);
  rows.push([
    'all',
    '',
    String(calls),
    fixed(calls / run.n, 3),
    '',
    fixed(writeUnits(run) / run.n, 2),
    '',
    '',
    '',
    '',
  ]);
  for (const line of formatTable(rows)) print(line);
  const failed = sum(run.operations, (count) => count.failedConditionalWrites);
  const without = sum(run.operations, (count) => count.withoutCapacity);
  print(
    'WRU/RRU = ConsumedCapacity returned by DynamoDB Local (ReturnConsumedCapacity INDEXES on every call: table + indexes)' +
      (failed === 0
        ? ''
        : `; ${failed} conditional writes failed their condition: AWS charges them too, their units are computed ` +
          'from the item sizes (DynamoDB returns none)') +
      (without === 0 ? '' : `; ${without} calls returned no ConsumedCapacity (not counted)`) +
      '; p50/p99 = SDK call duration',
  );
}

export function printWritePurposes(print: Print, run: DeliveryRun): void {
  const rows: string[][] = [
    [
      '<DynamoDB write (item kind, status set)',
      'calls',
      'per event',
      'WRU/event',
      'on indexes',
      'WRU/call',
      'item size',
    ],
  ];
  const entries = [...run.writesByPurpose].sort(
    (a, b) => b[1].units + b[1].estimatedUnits - (a[1].units + a[1].estimatedUnits),
  );
  for (const [purpose, entry] of entries) {
    const units = entry.units + entry.estimatedUnits;
    rows.push([
      purpose,
      String(entry.calls),
      fixed(entry.calls / run.n, 2),
      `${fixed(units / run.n, 2)}${entry.estimatedUnits > 0 ? ' (computed)' : ''}`,
      entry.indexUnits === 0 ? '—' : `${fixed((entry.indexUnits / Math.max(1, entry.units)) * 100, 0)} %`,
      fixed(units / Math.max(1, entry.calls), 2),
      entry.itemBytes.length === 0 ? '—' : `${Math.round(median(entry.itemBytes))} B`,
    ]);
  }
  for (const line of formatTable(rows)) print(line);
}

/** The busiest partition keys at the extrapolated rate. */
export function printHotKeys(
  print: Print,
  rates: readonly KeyRate[],
  events: number,
  rate: number,
  shown = 5,
): void {
  const rows: string[][] = [
    [
      '<where',
      '<partition key',
      `writes per ${events} events`,
      'over keys',
      `writes/s at ${rate}/s`,
      `WCU/s at ${rate}/s`,
    ],
  ];
  for (const key of rates.slice(0, shown)) {
    rows.push([
      key.where === 'table' ? 'table' : `index ${key.where}`,
      key.key.length > 60 ? `${key.key.slice(0, 59)}…` : key.key,
      String(key.writes),
      String(key.spread),
      fixed(key.writesPerSecond, 0),
      fixed(key.unitsPerSecond, 0),
    ]);
  }
  for (const line of formatTable(rows)) print(line);
  const perEventKeys = rates.filter((key) => key.writes < events / 10).length;
  print(
    `${rates.length} partition keys written in all, ${perEventKeys} of them by fewer than 1 in 10 events (an event's own ` +
      'items, a dedupe claim); a key every event writes gets the whole rate',
  );
}

export function printStorage(
  print: Print,
  kinds: readonly StorageKind[],
  events: number,
  defaults: { readonly retentionDays: number; readonly dedupeWindowSeconds: number },
): void {
  const rows: string[][] = [
    ['<item or index entry', 'per event', 'stored size', 'retention', 'GB-months per M events'],
  ];
  for (const kind of [...kinds].sort((a, b) => b.byteSeconds - a.byteSeconds)) {
    const retention =
      kind.retentionSeconds.length === 0
        ? 'kept until deleted'
        : `${fixed(median(kind.retentionSeconds) / 86_400, 1)} d`;
    rows.push([
      kind.label,
      fixed(kind.count / events, 2),
      `${Math.round(kind.bytes / Math.max(1, kind.count))} B`,
      retention,
      fixed((gbMonths(kind.byteSeconds) / events) * 1_000_000, 3),
    ]);
  }
  const total = kinds.reduce((sum, kind) => sum + kind.byteSeconds, 0);
  rows.push(['total', '', '', '', fixed((gbMonths(total) / events) * 1_000_000, 3)]);
  for (const line of formatTable(rows)) print(line);
  const unexpiring = kinds.reduce((sum, kind) => sum + kind.unexpiring, 0);
  print(
    'stored size = item (or index keys, table keys and projected attributes) + 100 B DynamoDB overhead, read back after ' +
      `the run; retention = the item's TTL − its first write (the config's defaults: retentionDays ${defaults.retentionDays}, ` +
      `dedupe window ${defaults.dedupeWindowSeconds} s); TTL deletion lags expiry in AWS ` +
      `(typically within days), not counted${unexpiring === 0 ? '' : `; CAUTION ${unexpiring} items carry no TTL value and are left out`}`,
  );
}

export function printLogs(
  print: Print,
  ingress: ProbedFunction,
  handler: ProbedFunction & { recordsPerInvocation: number },
  perEvent: number,
): void {
  const rows: string[][] = [
    ['<function', 'invocations', 'log lines', 'log bytes', "Lambda's lines", 'mean duration'],
  ];
  for (const [label, fn] of [
    ['ingress, per request', ingress],
    [`handler, per batch of ${handler.recordsPerInvocation}`, handler],
  ] as const) {
    rows.push([
      label,
      String(fn.invocations),
      fixed(fn.logLines, 1),
      formatBytes(fn.logBytes),
      formatBytes(fn.platformBytes),
      `${fixed(fn.meanMs, 1)} ms`,
    ]);
  }
  for (const line of formatTable(rows)) print(line);
  print(
    `log bytes per delivered event: ${formatBytes(perEvent)} (each line + 26 B as CloudWatch Logs counts a log event; ` +
      "Lambda's START/END/REPORT lines, written only with the config's `logs.invocationReports`, modelled from their text format)",
  );
  for (const [label, output] of [
    ['ingress', ingress.sampleOutput],
    ['handler', handler.sampleOutput],
  ] as const) {
    for (const line of output
      .split('\n')
      .filter((text) => text.trim() !== '')
      .slice(0, 4)) {
      print(`  ${label} logs: ${line.length > 220 ? `${line.slice(0, 219)}…` : line}`);
    }
  }
}

export function printCosts(
  print: Print,
  onDemand: readonly CostLine[],
  provisioned: readonly CostLine[],
): void {
  const onDemandTotal = totalCost(onDemand);
  const provisionedTotal = totalCost(provisioned);
  const rows: string[][] = [
    [
      '<item',
      'per event',
      '<unit price (on demand)',
      'on demand $/M',
      '<unit price (provisioned)',
      'provisioned $/M',
    ],
  ];
  onDemand.forEach((line, i) => {
    const other = provisioned[i];
    rows.push([
      line.item,
      line.perEvent,
      line.unitPrice,
      dollars(line.dollarsPerMillion),
      other === undefined || other.unitPrice === line.unitPrice ? '' : other.unitPrice,
      other === undefined ? '' : dollars(other.dollarsPerMillion),
    ]);
  });
  rows.push(['total', '', '', dollars(onDemandTotal), '', dollars(provisionedTotal)]);
  for (const line of formatTable(rows)) print(line);
  const anchors = ANCHORS.map(
    (anchor) =>
      `${anchor.name} $${anchor.dollarsPerMillion} per million (${anchor.basis}, ${fixed(anchor.dollarsPerMillion / onDemandTotal, 1)}× ` +
      'the on-demand total)',
  );
  print(
    `anchors: ${anchors.join(', ')}; Hookline here ${dollars(onDemandTotal)} on demand, ${dollars(provisionedTotal)} ` +
      'provisioned, in your own account',
  );
}
