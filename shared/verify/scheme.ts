/**
 * What a signature scheme is to the gateway: how it verifies a request, which delivery id and event
 * type the provider sends, and the endpoint checks (handshakes) it answers. One definition per
 * scheme, in the scheme's own module; ./registry.ts lists them all.
 */
import type { SecretReference, VerifyConfig, VerifyScheme } from '../config/types.js';
import { HooklineError } from '../errors.js';
import type { Verifier } from './types.js';

/** The route options of scheme `S` (its `verify` block, defaults applied). */
export type SchemeConfig<S extends VerifyScheme> = Extract<VerifyConfig, { readonly scheme: S }>;

/** A delivery as a scheme reads its ids from it: headers and the parsed JSON or form payload. */
export interface DeliveryView {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly payload: unknown;
}

/** A request a handshake looks at. */
export interface HandshakeRequest {
  /** Upper-cased. */
  readonly method: string;
  /** The public URL the provider called, query included. */
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
  /** The parsed JSON or form payload (after verification only; undefined before). */
  readonly payload: unknown;
  readonly now: Date;
}

/** The complete HTTP answer to a handshake; `kind` names it in logs and metrics. */
export interface HandshakeAnswer {
  readonly kind: string;
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A handshake refused: answered with `status` and the error `code`, logged with `detail`. */
export interface HandshakeRefusal {
  readonly kind: string;
  readonly refused: true;
  readonly status: 401 | 403;
  readonly code: 'invalid_signature' | 'invalid_verify_token' | 'handshake_refused';
  readonly detail: string;
}

export type HandshakeOutcome = HandshakeAnswer | HandshakeRefusal | undefined;

/** What a handshake may use besides the request: the route's secrets and the gateway's side effects. */
export interface HandshakeTools {
  /** The current values of the route's `verify.secret` (empty when it has none or none is set). */
  secrets(): Promise<readonly string[]>;
  /** The current values of another secret the route's options name (Meta's `verifyToken`). */
  resolveSecret(reference: SecretReference): Promise<readonly string[]>;
  /** Stores `value` as the route's `verify.secret` (Asana hands its signing key over in the handshake). */
  storeSecret(value: string): Promise<void>;
  /** Sends a GET to `url` (a provider's confirmation link, checked by the scheme); resolves its status. */
  get(url: string): Promise<number>;
}

export type Handshake<S extends VerifyScheme> = (
  request: HandshakeRequest,
  options: SchemeConfig<S>,
  tools: HandshakeTools,
) => HandshakeOutcome | Promise<HandshakeOutcome>;

/** A request to sign as the provider would (`hookline trigger`, fixtures re-sent to a route). */
export interface RequestToSign {
  readonly method: string;
  /** The URL the request goes to, query included (URL-aware schemes sign it). */
  readonly url: string;
  /** The exact body that will be sent. */
  readonly body: string;
  /** The secret value to sign with (the newest during a rotation). */
  readonly secret: string;
  readonly now: Date;
  /** The delivery id to send, for schemes that carry one in a header. */
  readonly deliveryId: string;
  /**
   * The request's other headers (the event type's, say). The caller sends them under what `sign`
   * returns; a signer reads them only where the signature covers them or to fill in a default.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * What signing adds to a request: the headers the provider's signer sets (signature, timestamp,
 * delivery id), and the body when signing changes it (Mailgun).
 */
export interface SignedRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** The scheme cannot sign with what it has (a public key, a remote key): answered as a usage error. */
export class CannotSignError extends HooklineError<'cannot_sign'> {
  override name = 'CannotSignError';

  constructor(message: string) {
    super('cannot_sign', message);
  }
}

export interface SchemeDefinition<S extends VerifyScheme> {
  readonly verify: Verifier<SchemeConfig<S>>;
  /**
   * Signs a request exactly as the provider does (same headers, same signed content). Throws
   * `CannotSignError` when the secret cannot sign (a public key).
   */
  readonly sign?: (
    request: RequestToSign,
    options: SchemeConfig<S>,
  ) => SignedRequest | Promise<SignedRequest>;
  /** The provider's id of the delivery, the same on each of its retries: the default dedupe key. */
  readonly deliveryId?: (delivery: DeliveryView) => string | undefined;
  /**
   * The word the dedupe key starts with. @default the scheme's name
   * (`standardWebhooks` keeps `webhook`, the prefix of the keys already stored).
   */
  readonly dedupeKind?: string;
  /** The provider's event type (`push`, `payment_intent.succeeded`), the handler's `event.type`. */
  readonly eventType?: (delivery: DeliveryView) => string | undefined;
  /**
   * The provider's endpoint checks that come before verification: a `GET` challenge, or a request
   * the provider does not sign. Runs before the method check; undefined lets the request go on.
   */
  readonly challenge?: Handshake<S>;
  /** A verified request that is a handshake, not an event (Slack's `url_verification`, say). */
  readonly handshake?: Handshake<S>;
}
