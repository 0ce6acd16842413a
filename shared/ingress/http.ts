import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The `code` of every error the ingress answers (as an `HttpError`). */
export type IngressErrorCode =
  | 'route_not_found'
  | 'method_not_allowed'
  | 'source_ip_not_allowed'
  | 'body_too_large'
  | 'body_exceeds_inline_limit'
  | 'invalid_signature'
  | 'invalid_verify_token'
  | 'handshake_refused'
  | 'invalid_json'
  | 'unredactable_body'
  | 'secret_unavailable'
  | 'store_unavailable'
  | 'body_store_unavailable'
  | 'queue_unavailable'
  | 'internal_error';

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
