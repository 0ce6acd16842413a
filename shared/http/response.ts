import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpError } from './errors.js';

/** A JSON answer in API Gateway's (HTTP API, payload v2) result shape. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** `{ "error": { "code", "message" } }` with the error's status and headers (and its details below 500). */
export function errorResponse(error: HttpError): APIGatewayProxyStructuredResultV2 {
  const details = error.expose && error.details !== undefined ? { details: error.details } : {};
  return jsonResponse(
    error.status,
    { error: { code: error.code, message: error.message, ...details } },
    error.headers,
  );
}
