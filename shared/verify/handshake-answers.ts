/** The answers and refusals providers' handshakes get, built one way for every scheme. */
import type { HandshakeAnswer, HandshakeRefusal } from './scheme.js';

/**
 * A handshake refused with 403: a verified one the scheme will not answer (its token or challenge
 * is missing) is `handshake_refused`; a wrong verify token (Meta) is `invalid_verify_token`.
 */
export function handshakeRefused(
  kind: string,
  detail: string,
  code: 'handshake_refused' | 'invalid_verify_token' = 'handshake_refused',
): HandshakeRefusal {
  return { kind, refused: true, status: 403, code, detail };
}

/** A handshake whose credentials fail, refused with 401 as an unsigned event would be (Okta). */
export function handshakeUnauthorized(kind: string, detail: string): HandshakeRefusal {
  return { kind, refused: true, status: 401, code: 'invalid_signature', detail };
}

/** `200` with `value` as its JSON body. */
export function jsonAnswer(kind: string, value: unknown): HandshakeAnswer {
  return {
    kind,
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  };
}

/**
 * A challenge answered by echoing `text` as plain text. `nosniff` keeps a browser from reading the
 * reflected value as HTML (Dropbox requires it; it does no harm elsewhere).
 */
export function plainTextEcho(kind: string, text: string): HandshakeAnswer {
  return {
    kind,
    statusCode: 200,
    headers: { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' },
    body: text,
  };
}
