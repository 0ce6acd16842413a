/** `GET /_hookline/events` (a route's events, a page at a time) and `GET /_hookline/events/{id}` (one event). */
import type { BodyStore } from '../body-store/body-store.js';
import { BodyStoreError } from '../body-store/errors.js';
import { encodeBody } from '../envelope.js';
import { errorMessage } from '../errors.js';
import type { EventDetail, EventHistory } from '../event-store/history.js';
import { MAX_LIST_LIMIT } from '../event-store/query-checks.js';
import { HttpError } from '../http/errors.js';
import { eventPath } from '../http/paths.js';
import { jsonResponse } from '../http/response.js';
import type { Endpoint } from './endpoint.js';
import type { AdminErrorCode } from './errors.js';
import {
  includes,
  optionalInteger,
  optionalStatus,
  optionalString,
  requiredString,
  timeRange,
} from './request.js';
import { type RouteLookupTarget, requireRouteTarget } from './routes.js';

/** What the event endpoints read. */
interface EventEndpointDependencies {
  readonly targets: readonly RouteLookupTarget[];
  readonly history: Pick<EventHistory, 'getEvent' | 'listEvents'>;
  /** Reads bodies kept outside the event record (`bodyRef`) for `include=body`. */
  readonly bodyStore?: Pick<BodyStore, 'get'>;
}

/** An event as the API shows it: no body unless asked for, plus links to related events. */
export type EventView = Omit<EventDetail, 'body' | 'bodyBase64'> & {
  body?: string;
  bodyBase64?: string;
  /** Set when `include=body` was asked for but the body cannot be shown (the event itself can). */
  bodyError?: { code: 'body_missing' | 'body_store_not_configured' | 'body_too_large'; message: string };
  links: { self: string; replayOf?: string; replays: string[] };
};

type BodyFields = Pick<EventView, 'body' | 'bodyBase64' | 'bodyError'>;

/**
 * Largest body `include=body` returns: base64 makes 4 MiB into 5.3 MB, still under the 6 MB a Lambda
 * response can carry. Larger bodies are named, not sent.
 */
export const MAX_SHOWN_BODY_BYTES = 4 * 1024 * 1024;

export function eventEndpoints(deps: EventEndpointDependencies): {
  readonly getEvent: Endpoint;
  readonly listEvents: Endpoint;
} {
  const getEvent: Endpoint = {
    unavailable: 'store_unavailable',
    async handle({ query, params }) {
      const id = params.id ?? '';
      const withBody = includes(query, ['body']).has('body');
      const detail = await deps.history.getEvent(id);
      if (detail === undefined)
        throw new HttpError<AdminErrorCode>(404, 'event_not_found', `event ${id} not found`);
      return jsonResponse(200, { event: await eventView(detail, withBody, deps.bodyStore) });
    },
  };

  const listEvents: Endpoint = {
    unavailable: 'store_unavailable',
    async handle({ query, now }) {
      const target = requireRouteTarget(deps.targets, requiredString(query, 'route'));
      const status = optionalStatus(query, 'status');
      const limit = optionalInteger(query, 'limit', 1, MAX_LIST_LIMIT);
      const cursor = optionalString(query, 'cursor');
      const page = await deps.history.listEvents({
        route: target.route.path,
        ...timeRange(query, now),
        ...(status !== undefined && { status }),
        ...(limit !== undefined && { limit }),
        ...(cursor !== undefined && { cursor }),
      });
      return jsonResponse(200, {
        events: page.events,
        ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
      });
    },
  };

  return { getEvent, listEvents };
}

async function eventView(
  detail: EventDetail,
  withBody: boolean,
  bodyStore: Pick<BodyStore, 'get'> | undefined,
): Promise<EventView> {
  const { body, bodyBase64, ...rest } = detail;
  const links = {
    self: eventPath(detail.id),
    ...(detail.replayOf !== undefined && { replayOf: eventPath(detail.replayOf) }),
    replays: (detail.replays ?? []).map(eventPath),
  };
  if (!withBody) return { ...rest, links };
  return { ...rest, ...(await bodyFields(detail, bodyStore)), links };
}

/** The body for `include=body`: inline, read from the body store, or a `bodyError` saying why not. */
async function bodyFields(
  detail: EventDetail,
  bodyStore: Pick<BodyStore, 'get'> | undefined,
): Promise<BodyFields> {
  const { body, bodyBase64, bodyRef } = detail;
  if (bodyRef === undefined) {
    return { ...(body !== undefined && { body }), ...(bodyBase64 !== undefined && { bodyBase64 }) };
  }
  if (bodyRef.size > MAX_SHOWN_BODY_BYTES) {
    const { store, bucket, key, size } = bodyRef;
    const where = store === 's3' ? `s3://${bucket}/${key}` : `the local body store under ${key}`;
    const message = `the body is ${size} bytes, more than the ${MAX_SHOWN_BODY_BYTES} an answer can carry; read it from ${where}`;
    return { bodyError: { code: 'body_too_large', message } };
  }
  if (bodyStore === undefined) {
    const message = 'the body is kept in a body store this API is not configured with';
    return { bodyError: { code: 'body_store_not_configured', message } };
  }
  try {
    return encodeBody(await bodyStore.get(bodyRef));
  } catch (error: unknown) {
    if (isBodyMissing(error)) return { bodyError: { code: 'body_missing', message: errorMessage(error) } };
    throw error;
  }
}

function isBodyMissing(error: unknown): boolean {
  return error instanceof BodyStoreError && error.code === 'body_missing';
}
