/**
 * The bench's headline figures, their targets, and the JSON line `npm run bench` ends with (a
 * contract: scripts and CI read the last line). Sections fill in what they measure; a figure whose
 * section did not run (`npm run bench -- delivery`) or failed stays `null`, in the JSON too. Pure;
 * unit-tested in `test/unit/bench/figures.test.ts`.
 */
import { verdict } from './stats.js';

/** Filled in by the sections as they run; `null` until measured. */
export interface BenchFigures {
  /** DynamoDB write units per delivered event (delivery). */
  wruPerEvent: number | null;
  /** Dollars per million delivered events (delivery). */
  costPerMillion: { onDemand: number | null; provisioned: number | null };
  /** Writes per second on the busiest partition key with one route at 10 000 events/s (delivery). */
  hotKeyWritesPerSecondAt10k: number | null;
  /** Hookline's handler runtime over Powertools batch + idempotency, per record. */
  vsPowertools: { wruRatio: number | null; cpuRatio: number | null };
  /** Hookline's ingress over the naive one, per accepted request. */
  vsNaiveIngress: { cpuRatio: number | null; extraSequentialCalls: number | null };
  /** Cold import of the deployed ingress bundle over the SDK-only baseline (medians). */
  coldImportVsSdkBaseline: number | null;
}

export function emptyFigures(): BenchFigures {
  return {
    wruPerEvent: null,
    costPerMillion: { onDemand: null, provisioned: null },
    hotKeyWritesPerSecondAt10k: null,
    vsPowertools: { wruRatio: null, cpuRatio: null },
    vsNaiveIngress: { cpuRatio: null, extraSequentialCalls: null },
    coldImportVsSdkBaseline: null,
  };
}

/** Copies into `into` every figure `from` measured (non-null); the others are left as they were. */
export function mergeFigures(into: BenchFigures, from: BenchFigures): void {
  const pick = <T>(measured: T | null, kept: T | null): T | null => measured ?? kept;
  into.wruPerEvent = pick(from.wruPerEvent, into.wruPerEvent);
  into.costPerMillion = {
    onDemand: pick(from.costPerMillion.onDemand, into.costPerMillion.onDemand),
    provisioned: pick(from.costPerMillion.provisioned, into.costPerMillion.provisioned),
  };
  into.hotKeyWritesPerSecondAt10k = pick(from.hotKeyWritesPerSecondAt10k, into.hotKeyWritesPerSecondAt10k);
  into.vsPowertools = {
    wruRatio: pick(from.vsPowertools.wruRatio, into.vsPowertools.wruRatio),
    cpuRatio: pick(from.vsPowertools.cpuRatio, into.vsPowertools.cpuRatio),
  };
  into.vsNaiveIngress = {
    cpuRatio: pick(from.vsNaiveIngress.cpuRatio, into.vsNaiveIngress.cpuRatio),
    extraSequentialCalls: pick(
      from.vsNaiveIngress.extraSequentialCalls,
      into.vsNaiveIngress.extraSequentialCalls,
    ),
  };
  into.coldImportVsSdkBaseline = pick(from.coldImportVsSdkBaseline, into.coldImportVsSdkBaseline);
}

export interface Target {
  readonly label: string;
  /** Every target is an upper bound. */
  readonly limit: number;
  readonly unit: string;
  readonly value: (figures: BenchFigures) => number | null;
}

export const TARGETS: readonly Target[] = [
  { label: 'DynamoDB write units per delivered event', limit: 4, unit: '', value: (f) => f.wruPerEvent },
  {
    label: 'cost per million events, DynamoDB on demand',
    limit: 4.5,
    unit: '$',
    value: (f) => f.costPerMillion.onDemand,
  },
  {
    label: 'cost per million events, DynamoDB provisioned at 70 %',
    limit: 3.2,
    unit: '$',
    value: (f) => f.costPerMillion.provisioned,
  },
  {
    label: 'busiest partition key at 10 000 events/s on one route, writes/s',
    limit: 1000,
    unit: '',
    value: (f) => f.hotKeyWritesPerSecondAt10k,
  },
  {
    label: 'handler runtime vs Powertools, write units per record',
    limit: 1.0,
    unit: '×',
    value: (f) => f.vsPowertools.wruRatio,
  },
  {
    label: 'handler runtime vs Powertools, CPU per record',
    limit: 1.2,
    unit: '×',
    value: (f) => f.vsPowertools.cpuRatio,
  },
  {
    label: 'ingress vs naive ingress, CPU per accepted request',
    limit: 1.5,
    unit: '×',
    value: (f) => f.vsNaiveIngress.cpuRatio,
  },
  {
    label: 'ingress vs naive ingress, extra sequential AWS calls to the 202',
    limit: 1,
    unit: '',
    value: (f) => f.vsNaiveIngress.extraSequentialCalls,
  },
  {
    label: 'cold import, deployed ingress vs SDK-only baseline',
    limit: 1.25,
    unit: '×',
    value: (f) => f.coldImportVsSdkBaseline,
  },
];

function formatted(value: number, unit: string, digits = 2): string {
  if (unit === '$') return `$${value.toFixed(digits)}`;
  if (unit === '×') return `${value.toFixed(digits)}×`;
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** The value with enough decimals that a MISS never reads as equal to its limit. */
function shown(value: number, target: Target): string {
  const text = formatted(value, target.unit);
  return value > target.limit && text === formatted(target.limit, target.unit)
    ? formatted(value, target.unit, 4)
    : text;
}

/** One line per target: the figure, its limit and PASS, MISS or "not run". */
export function targetLines(figures: BenchFigures): string[] {
  const width = Math.max(...TARGETS.map((target) => target.label.length));
  return TARGETS.map((target) => {
    const value = target.value(figures);
    const limit = `≤ ${formatted(target.limit, target.unit)}`;
    const result =
      value === null
        ? `${'—'.padStart(10)}  ${limit.padEnd(9)}  not run`
        : `${shown(value, target).padStart(10)}  ${limit.padEnd(9)}  ${verdict(value, target.limit)}`;
    return `${target.label.padEnd(width)}  ${result}`;
  });
}

/** 4 significant digits: the figures are measurements, not exact values. */
function rounded(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Number(value.toPrecision(4));
}

/**
 * The figures as one line of JSON, keys in the contract's order, every figure a number or `null`
 * (not measured in this run).
 */
export function figuresJson(figures: BenchFigures): string {
  return JSON.stringify({
    wruPerEvent: rounded(figures.wruPerEvent),
    costPerMillion: {
      onDemand: rounded(figures.costPerMillion.onDemand),
      provisioned: rounded(figures.costPerMillion.provisioned),
    },
    hotKeyWritesPerSecondAt10k: rounded(figures.hotKeyWritesPerSecondAt10k),
    vsPowertools: {
      wruRatio: rounded(figures.vsPowertools.wruRatio),
      cpuRatio: rounded(figures.vsPowertools.cpuRatio),
    },
    vsNaiveIngress: {
      cpuRatio: rounded(figures.vsNaiveIngress.cpuRatio),
      extraSequentialCalls: rounded(figures.vsNaiveIngress.extraSequentialCalls),
    },
    coldImportVsSdkBaseline: rounded(figures.coldImportVsSdkBaseline),
  });
}
