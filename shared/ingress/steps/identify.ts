import type { Identified, Parsed, Received, Routed } from '../context.js';
import { dedupeKey } from '../dedupe.js';
import type { Step } from '../pipeline.js';

/**
 * Step `identify`: the key the delivery is remembered by, read from the request as it arrived, so
 * that redacting a header or a field the key comes from cannot merge distinct deliveries.
 */
export const identify: Step<Received & Routed & Parsed, Identified> = ({ request, payload, target }) => ({
  dedupeKey: dedupeKey(target.route, { headers: request.headers, body: request.body, payload }),
});
