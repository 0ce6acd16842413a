/**
 * A provider's sample webhook for `hookline trigger <provider>.<event>`: a realistic request as the
 * provider sends it (its headers besides the signature, its body), which the trigger signs with the
 * route's scheme and secret, exactly as the provider would.
 */
import type { VerifyScheme } from '../../config/types.js';

/** What a sample is built from: one trigger's time and a fresh id to put in the payload. */
export interface SampleContext {
  readonly now: Date;
  /** Unique per trigger (a UUID): payload ids use it so that two triggers are two events. */
  readonly id: string;
}

export interface WebhookSample {
  /** `<provider>.<event>` as typed after `hookline trigger`: `github.push`, `shopify.orders/create`. */
  readonly name: string;
  /** One line for `hookline trigger --list`. */
  readonly description: string;
  /** The scheme of the routes it is sent to. */
  readonly scheme: VerifyScheme;
  /** The event type the route's handler sees (`event.type`); undefined for a handshake. */
  readonly eventType?: string;
  /** A handshake, not an event: answered by the ingress, never stored. @default false */
  readonly handshake?: boolean;
  /** The provider's headers besides the signature: content type, event type, delivery metadata. */
  headers(context: SampleContext): Readonly<Record<string, string>>;
  /** The exact body. */
  body(context: SampleContext): string;
}
