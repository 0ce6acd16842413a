import type { BodyStore } from '../../body-store/body-store.js';
import { HttpError } from '../../http/errors.js';
import type { BodyPlan, Parsed, Received, Routed } from '../context.js';
import type { IncomingRequest, IngressErrorCode } from '../http.js';
import type { Step } from '../pipeline.js';
import { compileRedactionPath, redactHeaders, redactPayload } from '../redact.js';
import { bodyPlan } from './request-checks.js';

type RedactInput = Received & Routed & BodyPlan & Parsed;
type Redacted = Pick<Received, 'request'> & Parsed & BodyPlan;

/**
 * Step `redact`: the route's `redact` paths and headers replaced by `[REDACTED]` in what every
 * later step stores or queues; the body is rewritten only when a path matched. A body that must be
 * redacted but is neither JSON nor a form is refused (400 `unredactable_body`) rather than stored
 * whole. The body store is chosen again for the body's new size.
 */
export function redact(
  bodyStore: Pick<BodyStore, 'put'> | undefined,
): Step<RedactInput, Redacted | undefined> {
  return (context) => {
    const { route } = context.target;
    const rules = route.redact;
    if (rules === undefined) return undefined;
    const paths = (rules.body ?? []).map(compileRedactionPath);
    if (paths.length > 0 && context.payload === undefined && context.request.body.length > 0) {
      throw new HttpError<IngressErrorCode>(
        400,
        'unredactable_body',
        'this route redacts body fields, and the body is neither JSON nor a form',
      );
    }
    const headers = redactHeaders(context.request.headers, rules.headers ?? []);
    const { payload, changed } = redactPayload(context.payload, paths);
    const body = changed ? serialized(context.request, payload) : context.request.body;
    const request: IncomingRequest = { ...context.request, headers, body };
    return { request, payload, ...bodyPlan(route, body.length, bodyStore) };
  };
}

/** The redacted payload as the body's own format: a form stays a form, anything else is JSON. */
function serialized(request: IncomingRequest, payload: unknown): Buffer {
  const form = request.headers['content-type']?.toLowerCase().startsWith('application/x-www-form-urlencoded');
  const text = form
    ? new URLSearchParams(payload as Record<string, string>).toString()
    : JSON.stringify(payload);
  return Buffer.from(text, 'utf8');
}
