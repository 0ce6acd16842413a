import type { Received } from '../context.js';
import { toIncomingRequest } from '../http.js';
import type { Arrival, Step } from '../pipeline.js';

/**
 * Step `receive`: the API Gateway event as Hookline's request (exact body bytes, lower-cased
 * headers) and the origin answers link to: `publicUrl` when set, else the request's domain name.
 */
export function receive(publicUrl: string | undefined): Step<Arrival, Received> {
  const configuredOrigin = publicUrl?.replace(/\/+$/, '');
  return ({ event }) => {
    const origin = configuredOrigin ?? `https://${event.requestContext.domainName}`;
    return { origin, request: toIncomingRequest(event) };
  };
}
