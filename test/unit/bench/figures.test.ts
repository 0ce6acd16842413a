import { describe, expect, it } from 'vitest';
import {
  type BenchFigures,
  emptyFigures,
  figuresJson,
  mergeFigures,
  TARGETS,
  targetLines,
} from '../../bench/figures.js';

function sample(): BenchFigures {
  return {
    wruPerEvent: 6.058123,
    costPerMillion: { onDemand: 7.39412, provisioned: 3.1 },
    hotKeyWritesPerSecondAt10k: 10_000,
    vsPowertools: { wruRatio: 1, cpuRatio: 1.04213 },
    vsNaiveIngress: { cpuRatio: 1.8531, extraSequentialCalls: 1 },
    coldImportVsSdkBaseline: 1.36789,
  };
}

/** The contract: these keys, in this order, every leaf a number or null. */
const SHAPE = {
  wruPerEvent: 'number',
  costPerMillion: { onDemand: 'number', provisioned: 'number' },
  hotKeyWritesPerSecondAt10k: 'number',
  vsPowertools: { wruRatio: 'number', cpuRatio: 'number' },
  vsNaiveIngress: { cpuRatio: 'number', extraSequentialCalls: 'number' },
  coldImportVsSdkBaseline: 'number',
};

function shapeOf(value: unknown): unknown {
  if (value === null) return 'number';
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([name, inner]) => [name, shapeOf(inner)]),
    );
  }
  return typeof value;
}

function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([name, inner]) =>
    keyPaths(inner, `${prefix}${name}.`),
  );
}

describe('figuresJson()', () => {
  it('is one line of JSON with the contract keys in order and numbers at every leaf', () => {
    const line = figuresJson(sample());
    expect(line).not.toContain('\n');
    const parsed: unknown = JSON.parse(line);
    expect(shapeOf(parsed)).toEqual(SHAPE);
    expect(keyPaths(parsed)).toEqual(keyPaths(SHAPE));
  });

  it('rounds each figure to 4 significant digits', () => {
    expect(JSON.parse(figuresJson(sample()))).toMatchObject({
      wruPerEvent: 6.058,
      costPerMillion: { onDemand: 7.394, provisioned: 3.1 },
      vsNaiveIngress: { cpuRatio: 1.853, extraSequentialCalls: 1 },
      coldImportVsSdkBaseline: 1.368,
    });
  });

  it('writes null for every figure not measured, keeping the shape', () => {
    const parsed: unknown = JSON.parse(figuresJson(emptyFigures()));
    expect(keyPaths(parsed)).toEqual(keyPaths(SHAPE));
    expect(parsed).toEqual({
      wruPerEvent: null,
      costPerMillion: { onDemand: null, provisioned: null },
      hotKeyWritesPerSecondAt10k: null,
      vsPowertools: { wruRatio: null, cpuRatio: null },
      vsNaiveIngress: { cpuRatio: null, extraSequentialCalls: null },
      coldImportVsSdkBaseline: null,
    });
  });

  it('writes null for a figure that is not a finite number', () => {
    expect(JSON.parse(figuresJson({ ...emptyFigures(), wruPerEvent: Number.NaN })).wruPerEvent).toBeNull();
  });
});

describe('mergeFigures()', () => {
  it('takes what a section measured and keeps the rest', () => {
    const into = sample();
    const from = emptyFigures();
    from.vsPowertools = { wruRatio: 0.5, cpuRatio: null };
    mergeFigures(into, from);
    expect(into).toEqual({ ...sample(), vsPowertools: { wruRatio: 0.5, cpuRatio: 1.04213 } });
  });
});

describe('targetLines()', () => {
  it('checks every target: PASS at or under the limit, MISS over it', () => {
    const lines = targetLines(sample());
    expect(lines).toHaveLength(TARGETS.length);
    expect(lines.find((line) => line.startsWith('DynamoDB write units'))).toMatch(/6\.06 +≤ 4 +MISS$/);
    expect(lines.find((line) => line.startsWith('handler runtime vs Powertools, write units'))).toMatch(
      /1\.00× +≤ 1\.00× +PASS$/,
    );
    expect(lines.find((line) => line.startsWith('cost per million events, DynamoDB provisioned'))).toMatch(
      /\$3\.10 +≤ \$3\.20 +PASS$/,
    );
  });

  it('shows a MISS just over its limit with enough decimals to tell them apart', () => {
    const lines = targetLines({ ...emptyFigures(), coldImportVsSdkBaseline: 1.253 });
    expect(lines.find((line) => line.startsWith('cold import'))).toMatch(/1\.2530× +≤ 1\.25× +MISS$/);
  });

  it('says "not run" for a figure not measured', () => {
    expect(targetLines(emptyFigures()).every((line) => line.endsWith('not run'))).toBe(true);
  });
});
