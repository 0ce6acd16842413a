import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type IngressErrorCode =
  | 'route_not_found'
  | 'method_not_allowed'
  | 'source_ip_not_allowed'
  | 'body_too_large'
  | 'body_exceeds_inline_limit'
  | 'invalid_signature'
  | 'invalid_json'
  | 'secret_unavailable'
  | 'store_unavailable'
  | 'body_store_unavailable'
  | 'queue_unavailable'
  | 'internal_error';

/** An error answered to the caller. Messages are written for providers: no secrets, no signatures. */
export class IngressHttpError extends Error {
  readonly status: number;
  readonly code: IngressErrorCode;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: IngressErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'IngressHttpError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

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

export function errorResponse(error: IngressHttpError): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(error.status, { error: { code: error.code, message: error.message } }, error.headers);
}

/** The request as Hookline sees it: exact body bytes and lower-cased headers. */
export interface IncomingRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly sourceIp?: string;
}

export function toIncomingRequest(event: APIGatewayProxyEventV2): IncomingRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const body =
    event.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    query: event.rawQueryString ?? '',
    headers,
    body,
    sourceIp: event.requestContext.http.sourceIp,
  };
}
