import { describe, expect, it } from 'vitest';
import { ingressMetrics } from '../../../shared/ingress/metrics.js';
import type { AnswerKind, RequestOutcome } from '../../../shared/ingress/pipeline.js';
import { emfMetrics } from '../../../shared/metrics/emf.js';
import { count, eventDimensions, milliseconds } from '../../../shared/metrics/metrics.js';
import { metricsNamespaceFromEnv } from '../../../shared/metrics/namespace.js';
import { capturedEmf, emfSamples, emfTotal } from '../../helpers/metrics.js';
import { makeRoute } from '../../helpers/routes.js';

const route = makeRoute({ path: '/orders/' });

function outcome(
  kind: AnswerKind | undefined,
  status: number,
  errorCode?: string,
  parsed = false,
): RequestOutcome {
  const target = { route, queueUrl: 'q', passesFilters: () => true, sourceIpAllowed: () => true };
  const request = { method: 'POST', path: '/orders/', query: '', headers: {}, body: Buffer.alloc(0) };
  return {
    result: { statusCode: status },
    kind,
    errorCode,
    context: { target, request, ...(parsed && { payload: {} }) },
    durationMs: 12.4,
  };
}

describe('ingressMetrics', () => {
  const names = (o: RequestOutcome) => ingressMetrics(o).map((value) => value.name);

  it('maps each outcome to its metrics', () => {
    expect(names(outcome('queued', 202))).toEqual(['Received', 'Accepted', 'AcceptLatency']);
    expect(names(outcome('duplicate', 200))).toEqual(['Received', 'Duplicate']);
    expect(names(outcome('filtered', 202))).toEqual(['Received', 'Filtered']);
    expect(names(outcome('handshake', 200))).toEqual(['Received', 'HandshakeAnswered']);
    expect(ingressMetrics(outcome(undefined, 401, 'invalid_signature'))).toEqual([
      count('Received', { route: '/orders/' }),
      count('Rejected', { route: '/orders/', reason: 'invalid_signature' }),
    ]);
    expect(ingressMetrics(outcome(undefined, 503, 'queue_unavailable'))[1]).toEqual(
      count('IngressError', { route: '/orders/', reason: 'queue_unavailable' }),
    );
    expect(ingressMetrics(outcome('queued', 202))[2]).toEqual(
      milliseconds('AcceptLatency', { route: '/orders/' }, 12),
    );
  });

  it('emits nothing for a request that matched no route', () => {
    const unrouted = { ...outcome(undefined, 404, 'route_not_found'), context: {} };
    expect(ingressMetrics(unrouted)).toEqual([]);
  });
});

describe('eventDimensions', () => {
  it('adds EventType only for a route that lists types; unlisted ones are other', () => {
    expect(eventDimensions(route, 'push')).toEqual({ route: '/orders/' });
    const listing = { ...route, metrics: { eventTypes: ['push'] } };
    expect(eventDimensions(listing, 'push')).toEqual({ route: '/orders/', eventType: 'push' });
    expect(eventDimensions(listing, 'issues')).toEqual({ route: '/orders/', eventType: 'other' });
    expect(eventDimensions(listing, undefined)).toEqual({ route: '/orders/', eventType: 'other' });
  });
});

describe('emfMetrics', () => {
  it('writes one EMF line per set of dimension values, counts summed', () => {
    const { metrics, lines } = capturedEmf('ns');
    metrics.publish([
      count('Received', { route: '/a/' }),
      count('Received', { route: '/a/' }),
      count('Received', { route: '/b/', eventType: 'push' }),
      milliseconds('AcceptLatency', { route: '/a/' }, 5),
      milliseconds('AcceptLatency', { route: '/a/' }, 7),
    ]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ Route: '/a/', Received: 2, AcceptLatency: [5, 7] });
    expect(lines[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Route']]);
    expect(lines[1]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Route'], ['Route', 'EventType']]);
    expect(lines[1]).toMatchObject({ Route: '/b/', EventType: 'push', Received: 1 });
  });

  it('splits many durations across lines, never letting Powertools flush on its own', () => {
    const { metrics, lines } = capturedEmf('ns');
    metrics.publish(
      Array.from({ length: 250 }, (_, i) => milliseconds('HandlerDuration', { route: '/a/' }, i)),
    );
    expect(lines).toHaveLength(3);
    expect(emfSamples(lines, 'HandlerDuration')).toHaveLength(250);
  });

  it('writes under POWERTOOLS_DEV (the local stack), and nothing when POWERTOOLS_METRICS_DISABLED is true', () => {
    const written: string[] = [];
    const write = (line: string) => written.push(line);
    emfMetrics({ namespace: 'ns', service: 's', write, env: { POWERTOOLS_DEV: 'true' } }).publish([
      count('Received', { route: '/a/' }),
    ]);
    emfMetrics({
      namespace: 'ns',
      service: 's',
      write,
      env: { POWERTOOLS_METRICS_DISABLED: 'true' },
    }).publish([count('Received', { route: '/a/' })]);
    expect(written).toHaveLength(1);
    expect(emfTotal([JSON.parse(written[0] ?? '{}')], 'Received')).toBe(1);
  });
});

describe('metricsNamespaceFromEnv', () => {
  it('is the variable, else the queue name prefix, else hookline', () => {
    const url = 'https://sqs.eu-west-1.amazonaws.com/1/shop-orders';
    expect(metricsNamespaceFromEnv(route, url, { HOOKLINE_METRICS_NAMESPACE: 'Custom/Ns' })).toBe(
      'Custom/Ns',
    );
    expect(metricsNamespaceFromEnv(route, url, {})).toBe('shop');
    expect(metricsNamespaceFromEnv(route, 'https://x/other', {})).toBe('hookline');
  });
});
