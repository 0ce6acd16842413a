import type { Received, Routed } from '../context.js';
import type { Step } from '../pipeline.js';

/**
 * Step `handshake`: where a provider's handshake (a challenge it sends to prove the endpoint, not an
 * event) will be answered, before verification. No scheme has one yet: every request continues.
 */
export const handshake: Step<Received & Routed> = () => undefined;
