import { credentialHeaders } from '../config/scheme-needs.js';
import { type BodyReference, encodeBody, storableHeaders } from '../envelope.js';
import type { NewEventRecord } from '../event-store/types.js';
import type { Received, Routed, Verified } from './context.js';

/**
 * The request data of event `id`: the body inline, or `bodyRef` when it went to the body store, or
 * none yet (`'pending'`: a body bound for the body store, claimed before it is uploaded).
 */
export function requestRecord(
  context: Received & Routed & Verified,
  dedupeKey: string | undefined,
  id: string,
  bodyRef?: BodyReference | 'pending',
): NewEventRecord {
  const { request, receivedAt, verdict } = context;
  const { route } = context.target;
  return {
    id,
    route: route.path,
    queueName: route.queueName,
    receivedAt: receivedAt.toISOString(),
    method: request.method,
    path: request.path,
    query: request.query,
    headers: storableHeaders(request.headers, credentialHeaders(route.verify)),
    ...(request.headers['content-type'] !== undefined && { contentType: request.headers['content-type'] }),
    ...(bodyRef === undefined ? encodeBody(request.body) : bodyRef === 'pending' ? {} : { bodyRef }),
    ...(request.sourceIp !== undefined && { sourceIp: request.sourceIp }),
    ...(dedupeKey !== undefined && { dedupeKey }),
    verification: {
      scheme: verdict.scheme,
      verifiedAt: receivedAt.toISOString(),
      ...(verdict.keyId !== undefined && { keyId: verdict.keyId }),
      ...(verdict.signedAt !== undefined && { signedAt: verdict.signedAt }),
    },
    expiresAt: Math.floor(receivedAt.getTime() / 1000) + route.retentionDays * 86_400,
  };
}
