/**
 * The admin API of any gateway as an HTTP API handler, for the console `hookline console` serves:
 * each request the console forwards (an admin path) is sent on by the CLI's admin client, signed
 * for a deployed stack, and its answer is handed back as it came.
 */
import type { AdminApiHandler } from '../admin/admin-api.js';
import { AdminApiError, type AdminClient } from './admin-client.js';

export function adminRelay(admin: AdminClient): AdminApiHandler {
  return async (event) => {
    const body =
      event.body === undefined
        ? undefined
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
    try {
      const answer = await admin.relay({
        method: event.requestContext.http.method,
        path: event.rawPath,
        rawQuery: event.rawQueryString,
        ...(body !== undefined && body !== '' && { body }),
      });
      return {
        statusCode: answer.status,
        headers: { 'content-type': answer.contentType ?? 'application/json' },
        body: answer.body,
      };
    } catch (error: unknown) {
      if (!(error instanceof AdminApiError)) throw error;
      return {
        statusCode: 502,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: { code: error.code, message: error.message } }),
      };
    }
  };
}
