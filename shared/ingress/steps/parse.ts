import type { Parsed, Received, Routed } from '../context.js';
import { parsePayload } from '../payload.js';
import type { Step } from '../pipeline.js';

/**
 * Step `parse`: the payload filters and dedupe keys read (JSON when the route expects it, form
 * fields for `x-www-form-urlencoded`). 400 `invalid_json` when the route expects JSON and gets none.
 */
export const parse: Step<Received & Routed, Parsed> = ({ request, target }) => ({
  payload: parsePayload(request, target.route.expectJson),
});
