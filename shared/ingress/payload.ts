import { HttpError } from '../http/errors.js';
import type { IncomingRequest, IngressErrorCode } from './http.js';

/**
 * The parsed body, used for filters and dedupe keys: JSON when the route expects it (400 when it
 * is not JSON), form fields for `application/x-www-form-urlencoded`, otherwise undefined.
 */
export function parsePayload(request: IncomingRequest, expectJson: boolean): unknown {
  const contentType = request.headers['content-type']?.toLowerCase() ?? '';
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(request.body.toString('utf8')));
  }
  if (!expectJson && !contentType.includes('json')) return undefined;
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch {
    if (!expectJson) return undefined;
    throw new HttpError<IngressErrorCode>(400, 'invalid_json', 'the request body is not valid JSON');
  }
}
