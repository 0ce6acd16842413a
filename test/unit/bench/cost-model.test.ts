import { describe, expect, it } from 'vitest';
import { costLines, type EventUse, totalCost } from '../../bench/cost-model.js';
import { PRICES } from '../../bench/prices.js';

/** 1 GB of logs per million events. */
const USE: EventUse = {
  bodyBytes: 1024,
  ingress: { invocationsPerEvent: 1, memoryMb: 256, msPerInvocation: 10 },
  handler: { invocationsPerEvent: 0.1, memoryMb: 512, msPerInvocation: 50 },
  sqsRequests: 1.2,
  writeUnits: 4,
  readUnits: 0,
  storageGbMonths: 1e-6,
  logBytes: 2 ** 30 / 1e6,
  secretsManagerCalls: 0,
};

function line(lines: ReturnType<typeof costLines>, start: string): number {
  const found = lines.find((entry) => entry.item.startsWith(start));
  if (found === undefined) throw new Error(`no line ${start}`);
  return found.dollarsPerMillion;
}

describe('costLines()', () => {
  it('prices an event on demand line by line (hand-checked)', () => {
    const lines = costLines(USE, PRICES, { kind: 'onDemand' });
    expect(line(lines, 'API Gateway')).toBeCloseTo(1.0, 6);
    expect(line(lines, 'Lambda requests, ingress')).toBeCloseTo(0.2, 6);
    // 0.25 GB × 0.010 s × $0.0000133334 × 1e6
    expect(line(lines, 'Lambda arm64 GB-s, ingress')).toBeCloseTo(0.0333335, 6);
    expect(line(lines, 'Lambda requests, handler')).toBeCloseTo(0.02, 6);
    // 0.1 × 0.5 GB × 0.050 s × $0.0000133334 × 1e6
    expect(line(lines, 'Lambda arm64 GB-s, handler')).toBeCloseTo(0.0333335, 6);
    expect(line(lines, 'SQS')).toBeCloseTo(0.48, 6);
    expect(line(lines, 'DynamoDB write units')).toBeCloseTo(2.5, 6);
    expect(line(lines, 'DynamoDB storage')).toBeCloseTo(0.25, 6);
    expect(line(lines, 'CloudWatch Logs')).toBeCloseTo(0.5, 6);
    expect(totalCost(lines)).toBeCloseTo(5.016667, 5);
  });

  it('prices write units provisioned at 70 %: $0.00065 per WCU-hour over 2 520 units an hour', () => {
    const lines = costLines(USE, PRICES, { kind: 'provisioned', utilization: 0.7 });
    // 4 × 0.00065 / 2520 × 1e6
    expect(line(lines, 'DynamoDB write units')).toBeCloseTo(1.031746, 5);
    expect(totalCost(lines)).toBeCloseTo(5.016667 - 2.5 + 1.031746, 5);
  });

  it('bills Lambda duration rounded up to the millisecond', () => {
    const lines = costLines({ ...USE, ingress: { ...USE.ingress, msPerInvocation: 9.2 } }, PRICES, {
      kind: 'onDemand',
    });
    expect(line(lines, 'Lambda arm64 GB-s, ingress')).toBeCloseTo(0.0333335, 6);
  });

  it('meters API Gateway requests in 512 KB increments', () => {
    const lines = costLines({ ...USE, bodyBytes: 600 * 1024 }, PRICES, { kind: 'onDemand' });
    expect(line(lines, 'API Gateway')).toBeCloseTo(2.0, 6);
  });

  it('refuses a utilization outside (0, 1]', () => {
    expect(() => costLines(USE, PRICES, { kind: 'provisioned', utilization: 0 })).toThrow(RangeError);
    expect(() => costLines(USE, PRICES, { kind: 'provisioned', utilization: 1.5 })).toThrow(RangeError);
  });
});
