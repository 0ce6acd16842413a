/** The steps that refuse a request by its route's limits alone, before anything is read or stored. */
import type { BodyStore } from '../../body-store/body-store.js';
import type { ResolvedRoute } from '../../config/types.js';
import { HttpError } from '../../http/errors.js';
import { INLINE_BODY_LIMIT_BYTES } from '../../resources.js';
import type { BodyPlan, Received, Routed } from '../context.js';
import type { IngressErrorCode } from '../http.js';
import type { Step } from '../pipeline.js';

/** Step `source IP`: 403 `source_ip_not_allowed` outside the route's `allowedSourceIps`. */
export const checkSourceIp: Step<Received & Routed> = ({ request, target }) => {
  if (target.sourceIpAllowed(request.sourceIp)) return undefined;
  throw new HttpError<IngressErrorCode>(
    403,
    'source_ip_not_allowed',
    'requests from this address are not accepted',
  );
};

/** Step `method`: 405 `method_not_allowed`, with `Allow`, for a method the route does not take. */
export const checkMethod: Step<Received & Routed> = ({ request, target: { route } }) => {
  if (route.methods.includes(request.method)) return undefined;
  throw new HttpError<IngressErrorCode>(
    405,
    'method_not_allowed',
    `${request.method} is not allowed on ${route.path}`,
    { headers: { allow: route.methods.join(', ') } },
  );
};

/**
 * Step `size`: 413 for a body over the route's `maxBodyBytes`, or over the inline limit without a
 * body store. Adds the store such a large body goes to (none for a body that travels inline).
 */
export function checkSize(bodyStore: Pick<BodyStore, 'put'> | undefined): Step<Received & Routed, BodyPlan> {
  return ({ request, target: { route } }) => bodyPlan(route, request.body.length, bodyStore);
}

/** Where a body of `size` bytes goes on `route`; throws the 413 `checkSize` answers. */
export function bodyPlan(
  route: ResolvedRoute,
  size: number,
  bodyStore: Pick<BodyStore, 'put'> | undefined,
): BodyPlan {
  if (size > route.maxBodyBytes) {
    throw new HttpError<IngressErrorCode>(
      413,
      'body_too_large',
      `body of ${size} bytes exceeds this route's limit of ${route.maxBodyBytes}`,
    );
  }
  if (size <= INLINE_BODY_LIMIT_BYTES) return { bodyStore: undefined };
  if (bodyStore === undefined) {
    throw new HttpError<IngressErrorCode>(
      413,
      'body_exceeds_inline_limit',
      `body of ${size} bytes exceeds the ${INLINE_BODY_LIMIT_BYTES}-byte limit for queued events (no body store is configured)`,
    );
  }
  return { bodyStore };
}
