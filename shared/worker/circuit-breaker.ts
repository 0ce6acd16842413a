/**
 * A route's circuit breaker (the route's `circuitBreaker` config), for the consumers outside Lambda
 * (the local stack's pollers and `hookline worker`): pure state, no timers, its clock injected.
 *
 * - closed: messages are received as usual. Each failed handler attempt (one the runtime settled as
 *   `failed`: retried, or dead-lettered on its last attempt) adds to a count of failures in a row; a
 *   delivered (or ignored) attempt resets it. A `PermanentError` is the event's own fault, not the
 *   downstream's: it neither counts nor resets. At `consecutiveFailures` the circuit opens.
 * - open: nothing is received, so the events wait in the queue instead of spending their attempts.
 *   After the cool-down the circuit is half-open.
 * - half-open: one probe batch of one message. Its delivery closes the circuit (and restores the
 *   configured cool-down); its failure opens it again with the cool-down doubled, capped at
 *   `MAX_COOL_DOWN_FACTOR` times the configured one. A probe that ran no attempt (an empty queue, a
 *   duplicate, a `PermanentError`) decides nothing: the next receive is a probe again.
 *
 * Outcomes of batches received while the circuit was closed and settled after it opened do not
 * change it: only the probe decides once it is open.
 */
import { nextCoolDown } from '../circuit/cool-down.js';
import type { AttemptOutcome } from '../circuit/deployed-breaker.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerSettings {
  /** Failed attempts in a row that open the circuit (≥ 1). */
  readonly consecutiveFailures: number;
  /** The configured cool-down (≥ 1 s). */
  readonly coolDownSeconds: number;
}

/** A state change, for the log. */
export interface CircuitChange {
  readonly state: CircuitState;
  /** Failed attempts in a row when it happened (the probe's failure included). */
  readonly failures: number;
  /** The cool-down now in force (the one that starts when the circuit opens). */
  readonly coolDownSeconds: number;
}

/** What the breaker lets a consumer do now. */
export type CircuitPermit =
  /** Receive as usual. */
  | { readonly kind: 'receive' }
  /** Receive one message and report how its attempt ended with `probeSettled`. */
  | { readonly kind: 'probe' }
  /** Receive nothing for `ms` milliseconds (open, or a probe already out). */
  | { readonly kind: 'wait'; readonly ms: number };

/** The breaker's state, as the poller's stats and the local stack's status show it. */
export interface CircuitSnapshot {
  readonly state: CircuitState;
  /** Failed attempts in a row. */
  readonly failures: number;
  /** The cool-down in force (doubled after each failed probe). */
  readonly coolDownSeconds: number;
  /** When the circuit last opened (ISO 8601), while it is not closed. */
  readonly openedAt?: string;
  /** When the open circuit becomes half-open (ISO 8601), while it is open. */
  readonly halfOpensAt?: string;
}

/** While a probe is out, other receive loops check again this often. */
const PROBE_WAIT_MS = 1000;

export class CircuitBreaker {
  private readonly settings: CircuitBreakerSettings;
  private readonly now: () => number;
  private readonly onChange: (change: CircuitChange) => void;
  private current: CircuitState = 'closed';
  private failures = 0;
  private coolDownSeconds: number;
  private openedAtMs = 0;
  private probeOut = false;

  constructor(
    settings: CircuitBreakerSettings,
    options: { readonly now?: () => number; readonly onChange?: (change: CircuitChange) => void } = {},
  ) {
    this.settings = {
      consecutiveFailures: Math.max(1, Math.floor(settings.consecutiveFailures)),
      coolDownSeconds: Math.max(1, settings.coolDownSeconds),
    };
    this.now = options.now ?? Date.now;
    this.onChange = options.onChange ?? (() => {});
    this.coolDownSeconds = this.settings.coolDownSeconds;
  }

  /** The state now (an open circuit whose cool-down has passed is half-open). */
  state(): CircuitState {
    if (this.current === 'open' && this.now() >= this.halfOpensAtMs()) this.change('half-open');
    return this.current;
  }

  snapshot(): CircuitSnapshot {
    const state = this.state();
    return {
      state,
      failures: this.failures,
      coolDownSeconds: this.coolDownSeconds,
      ...(state !== 'closed' && { openedAt: new Date(this.openedAtMs).toISOString() }),
      ...(state === 'open' && { halfOpensAt: new Date(this.halfOpensAtMs()).toISOString() }),
    };
  }

  /** What a receive loop may do now; a `probe` permit is given to one loop at a time. */
  permit(): CircuitPermit {
    switch (this.state()) {
      case 'closed':
        return { kind: 'receive' };
      case 'open':
        return { kind: 'wait', ms: Math.max(1, this.halfOpensAtMs() - this.now()) };
      case 'half-open':
        if (this.probeOut) return { kind: 'wait', ms: PROBE_WAIT_MS };
        this.probeOut = true;
        return { kind: 'probe' };
    }
  }

  /** An attempt of a batch received under a `receive` permit settled. */
  record(outcome: AttemptOutcome): void {
    if (this.current !== 'closed') return;
    if (outcome === 'failed') {
      this.failures += 1;
      if (this.failures >= this.settings.consecutiveFailures) this.open();
    } else if (outcome !== 'permanent') {
      this.failures = 0;
    }
  }

  /**
   * The probe batch is done: `outcome` is how its attempt ended, undefined when it ran none (no
   * message, a duplicate, a message that went to the DLQ unread).
   */
  probeSettled(outcome: AttemptOutcome | undefined): void {
    this.probeOut = false;
    if (this.current !== 'half-open') return;
    if (outcome === 'failed') {
      this.failures += 1;
      this.coolDownSeconds = nextCoolDown(this.coolDownSeconds, this.settings.coolDownSeconds);
      this.open();
    } else if (outcome === 'delivered' || outcome === 'ignored') {
      this.failures = 0;
      this.coolDownSeconds = this.settings.coolDownSeconds;
      this.change('closed');
    }
  }

  /**
   * Closes the circuit whatever its state, with no failures and the configured cool-down (an
   * operator's resume). A probe still out settles nothing when it comes back.
   */
  reset(): void {
    const wasClosed = this.current === 'closed';
    this.probeOut = false;
    this.failures = 0;
    this.coolDownSeconds = this.settings.coolDownSeconds;
    if (!wasClosed) this.change('closed');
  }

  private open(): void {
    this.openedAtMs = this.now();
    this.change('open');
  }

  private halfOpensAtMs(): number {
    return this.openedAtMs + this.coolDownSeconds * 1000;
  }

  private change(state: CircuitState): void {
    this.current = state;
    try {
      this.onChange({ state, failures: this.failures, coolDownSeconds: this.coolDownSeconds });
    } catch {
      // A listener never breaks the breaker.
    }
  }
}
