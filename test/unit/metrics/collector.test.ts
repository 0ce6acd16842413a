import { describe, expect, it } from 'vitest';
import { INGRESS_METRICS, RUNTIME_METRICS } from '../../../shared/metric-names.js';
import { metricsCollector, teeMetrics } from '../../../shared/metrics/collector.js';
import { count, type MetricDimensions, milliseconds } from '../../../shared/metrics/metrics.js';
import { summarize } from '../../../shared/metrics/stats.js';
import { recordingMetrics } from '../../helpers/metrics.js';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const ORDERS: MetricDimensions = { route: '/orders/' };
const GITHUB = { path: '/github/', eventTypes: ['push', 'issues'] };

/** A collector whose clock the test sets. */
function clocked() {
  let now = T0;
  const collector = metricsCollector({ now: () => now });
  return { collector, at: (ms: number) => (now = T0 + ms) };
}

const window = (fromMs: number, toMs: number) => ({
  since: new Date(T0 + fromMs),
  until: new Date(T0 + toMs),
});

describe('summarize', () => {
  it('gives the average and the nearest-rank p50 and p99', () => {
    expect(summarize([10, 1, 9, 2, 8, 3, 7, 4, 6, 5])).toEqual({ avg: 5.5, p50: 5, p99: 10 });
    expect(summarize([42])).toEqual({ avg: 42, p50: 42, p99: 42 });
    // 200 values 1..200: p50 is the 100th, p99 the 198th.
    expect(summarize(Array.from({ length: 200 }, (_, index) => index + 1))).toEqual({
      avg: 100.5,
      p50: 100,
      p99: 198,
    });
  });

  it('rounds to 0.1 ms and has nulls when nothing was measured', () => {
    expect(summarize([1, 2, 2])).toEqual({ avg: 1.7, p50: 2, p99: 2 });
    expect(summarize([])).toEqual({ avg: null, p50: null, p99: null });
  });
});

describe('metricsCollector', () => {
  it('counts received, processed and failed, and the success rate over the settled', async () => {
    const { collector } = clocked();
    collector.publish([count(INGRESS_METRICS.received, ORDERS), count(INGRESS_METRICS.accepted, ORDERS)]);
    collector.publish([count(INGRESS_METRICS.received, ORDERS, 4)]);
    collector.publish([
      count(INGRESS_METRICS.received, { ...ORDERS, reason: 'invalid_signature' }),
      count(INGRESS_METRICS.rejected, { ...ORDERS, reason: 'invalid_signature' }),
    ]);
    collector.publish([
      milliseconds(RUNTIME_METRICS.handlerDuration, ORDERS, 30),
      milliseconds(RUNTIME_METRICS.handlerDuration, ORDERS, 10),
      milliseconds(RUNTIME_METRICS.handlerDuration, ORDERS, 20),
      count(RUNTIME_METRICS.delivered, ORDERS, 2),
      milliseconds(RUNTIME_METRICS.endToEndLatency, ORDERS, 100),
      milliseconds(RUNTIME_METRICS.endToEndLatency, ORDERS, 300),
      count(RUNTIME_METRICS.attemptFailed, ORDERS),
      count(RUNTIME_METRICS.deadLettered, ORDERS),
    ]);

    const report = await collector.stats({
      ...window(0, 1),
      routes: [{ path: '/orders/' }],
      byEventType: false,
    });

    expect(report).toEqual({
      since: '2026-11-24T10:00:00.000Z',
      until: '2026-11-24T10:00:00.001Z',
      routes: [
        {
          route: '/orders/',
          received: 6,
          processed: 2,
          failed: 1,
          successRate: 2 / 3,
          processingMs: { avg: 20, p50: 20, p99: 30 },
          endToEndMs: { avg: 200, p50: 100, p99: 300 },
        },
      ],
    });
  });

  it('answers zeros and nulls for a route without values, and only the routes asked, in order', async () => {
    const { collector } = clocked();
    collector.publish([count(INGRESS_METRICS.received, ORDERS)]);

    const report = await collector.stats({
      ...window(0, 1),
      routes: [{ path: '/quiet/' }, { path: '/orders/' }],
      byEventType: false,
    });

    expect(report.routes).toEqual([
      {
        route: '/quiet/',
        received: 0,
        processed: 0,
        failed: 0,
        successRate: null,
        processingMs: { avg: null, p50: null, p99: null },
        endToEndMs: { avg: null, p50: null, p99: null },
      },
      expect.objectContaining({ route: '/orders/', received: 1, successRate: null }),
    ]);
  });

  it('counts a value in its window only: since inclusive, until exclusive', async () => {
    const { collector, at } = clocked();
    at(-1);
    collector.publish([count(INGRESS_METRICS.received, ORDERS, 1)]);
    at(0);
    collector.publish([count(INGRESS_METRICS.received, ORDERS, 10)]);
    at(59_999);
    collector.publish([
      count(INGRESS_METRICS.received, ORDERS, 100),
      milliseconds('HandlerDuration', ORDERS, 7),
    ]);
    at(60_000);
    collector.publish([
      count(INGRESS_METRICS.received, ORDERS, 1000),
      milliseconds('HandlerDuration', ORDERS, 9),
    ]);

    const received = async (fromMs: number, toMs: number) =>
      (await collector.stats({ ...window(fromMs, toMs), routes: [{ path: '/orders/' }], byEventType: false }))
        .routes[0];

    expect((await received(0, 60_000))?.received).toBe(110);
    expect((await received(0, 60_000))?.processingMs).toEqual({ avg: 7, p50: 7, p99: 7 });
    expect((await received(-1, 60_001))?.received).toBe(1111);
    expect((await received(60_000, 120_000))?.received).toBe(1000);
  });

  it('splits counts by event type with by=eventType: every listed type and other, zeros included', async () => {
    const { collector } = clocked();
    const push = { route: '/github/', eventType: 'push' };
    const other = { route: '/github/', eventType: 'other' };
    collector.publish([count(INGRESS_METRICS.received, push), count(INGRESS_METRICS.received, push)]);
    collector.publish([count(INGRESS_METRICS.received, other)]);
    // Refused before its payload was read: no EventType, in the route's total only.
    collector.publish([count(INGRESS_METRICS.received, { route: '/github/', reason: 'invalid_signature' })]);
    collector.publish([count(RUNTIME_METRICS.delivered, push), count(RUNTIME_METRICS.deadLettered, other)]);

    const report = await collector.stats({
      ...window(0, 1),
      routes: [GITHUB, { path: '/orders/' }],
      byEventType: true,
    });

    expect(report.routes[0]).toMatchObject({
      route: '/github/',
      received: 4,
      processed: 1,
      failed: 1,
      successRate: 0.5,
      byEventType: {
        push: { received: 2, processed: 1, failed: 0 },
        issues: { received: 0, processed: 0, failed: 0 },
        other: { received: 1, processed: 0, failed: 1 },
      },
    });
    expect(report.routes[1]?.byEventType).toEqual({});
    const without = await collector.stats({ ...window(0, 1), routes: [GITHUB], byEventType: false });
    expect(without.routes[0]).not.toHaveProperty('byEventType');
  });

  it('keeps only the metrics the statistics read, at most maxValues, the oldest going first', async () => {
    let now = T0;
    const collector = metricsCollector({ maxValues: 3, now: () => now });
    collector.publish([count(INGRESS_METRICS.accepted, ORDERS), count(INGRESS_METRICS.duplicate, ORDERS)]);
    expect(collector.size).toBe(0);
    for (let index = 0; index < 10; index += 1) {
      now = T0 + index;
      collector.publish([count(INGRESS_METRICS.received, ORDERS, index)]);
    }

    expect(collector.size).toBe(3);
    const report = await collector.stats({
      ...window(0, 100),
      routes: [{ path: '/orders/' }],
      byEventType: false,
    });
    expect(report.routes[0]?.received).toBe(7 + 8 + 9);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => metricsCollector({ maxValues: 0 })).toThrow(RangeError);
  });
});

describe('teeMetrics', () => {
  it('publishes every batch to each target', async () => {
    const first = recordingMetrics();
    const { collector } = clocked();
    const tee = teeMetrics(first, collector);

    tee.publish([count(INGRESS_METRICS.received, ORDERS, 3)]);

    expect(first.values).toEqual([count(INGRESS_METRICS.received, ORDERS, 3)]);
    const report = await collector.stats({
      ...window(0, 1),
      routes: [{ path: '/orders/' }],
      byEventType: false,
    });
    expect(report.routes[0]?.received).toBe(3);
  });
});
