/**
 * Sends events to a Hookline route from another (internal) service: signs
 * each request the Standard Webhooks way and retries what the gateway asks to be retried, always
 * with the same `webhook-id` and body so the gateway's de-duplication keeps the event single.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { HooklineError } from '../errors.js';
import { newUlid } from '../ids.js';

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** What the `fetch` option must provide (the global `fetch` does). */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** Options of `new HooklineClient()`: where to send, how to sign, and how hard to retry. */
export interface HooklineClientOptions {
  /** The gateway's base URL, e.g. the stack output `ApiUrl` or `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  /** The route's Standard Webhooks secret, `whsec_<base64>`. */
  readonly secret: string;
  /** Retries after the first attempt for 5xx, 429 and network errors. @default 3 */
  readonly retries?: number;
  /** Per-attempt timeout. @default 10000 */
  readonly timeoutMs?: number;
  /** First backoff ceiling; doubles per retry (full jitter). @default 200 */
  readonly backoffBaseMs?: number;
  /** Largest wait between attempts, also for `Retry-After`. @default 5000 */
  readonly backoffMaxMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFunction;
  /**
   * Waits between attempts. It is given the send's `signal` and should reject (with
   * `signal.reason`) when it aborts; the client checks the signal again after it resolves.
   * @default `setTimeout` from `node:timers/promises`, cancelled by the signal
   */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1), for the jitter. @default Math.random */
  readonly random?: () => number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** Per-event options of `HooklineClient.send()`. */
export interface SendOptions {
  /**
   * The `webhook-id`: the delivery id the gateway de-duplicates on. Reuse it to resend the same
   * event. @default `msg_<ULID>`
   */
  readonly id?: string;
  /**
   * Event type. When given, the body is the Standard Webhooks payload shape
   * `{ "type", "timestamp", "data" }`; otherwise `data` is sent as the whole JSON body.
   */
  readonly type?: string;
  /** Extra request headers (the signature headers cannot be overridden). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Aborts the request in flight, the wait between attempts and further attempts: `send` then
   * rejects with `signal.reason` (an `AbortError` DOMException unless `abort()` was given one).
   */
  readonly signal?: AbortSignal;
}

/** What the gateway answered for an accepted event. */
export interface SendResult {
  /** Hookline's event id; absent when the route's filters dropped the event (`filtered`). */
  readonly id?: string;
  /** The `webhook-id` the request carried. */
  readonly webhookId: string;
  /** `queued` (202), `duplicate` (200: an earlier delivery with this webhook-id) or `filtered`. */
  readonly status: 'queued' | 'duplicate' | 'filtered';
  /** True when `status` is `duplicate`. */
  readonly duplicate: boolean;
  /** Where the event's status can be read (admin API), when the gateway returns it. */
  readonly statusUrl?: string;
  /** How many HTTP attempts it took. */
  readonly attempts: number;
}

/**
 * Why a send failed: `status` is the HTTP status, absent for network errors and timeouts; `code`
 * is the gateway's error code (e.g. `invalid_signature`), or `network_error` / `timeout`.
 */
export class HooklineClientError extends HooklineError<string> {
  override name = 'HooklineClientError';
  readonly status?: number;
  /** Whether the failure was one a retry could fix (5xx, 429, network) after retries ran out. */
  readonly retryable: boolean;
  readonly attempts: number;

  constructor(
    message: string,
    details: { status?: number; code: string; retryable: boolean; attempts: number; cause?: unknown },
  ) {
    super(details.code, message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.status !== undefined) this.status = details.status;
    this.retryable = details.retryable;
    this.attempts = details.attempts;
  }
}

/**
 * The Standard Webhooks `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">`, keyed with the base64-decoded `whsec_` secret.
 */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = decodeSecret(secret);
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** A new `webhook-id`: `msg_` and a ULID (sorts by creation time). */
export function newWebhookId(now: Date = new Date()): string {
  return `msg_${newUlid(now)}`;
}

/**
 * A client for one gateway and one route secret: `send()` POSTs an event signed the Standard
 * Webhooks way and retries 5xx, 429, network errors and timeouts with full-jitter backoff (honouring
 * `Retry-After`), keeping the `webhook-id` and body, so the gateway records the event once.
 *
 * @example
 * const client = new HooklineClient({ baseUrl: 'https://api.example.com', secret: orderRouteSecret });
 * const { id } = await client.send('/order/status/', { order: 42, state: 'paid' });
 */
export class HooklineClient {
  private readonly baseUrl: string;
  private readonly secret: string;
  private readonly retries: number;
  private readonly timeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly fetch: FetchFunction;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => Date;

  constructor(options: HooklineClientOptions) {
    decodeSecret(options.secret); // A bad secret fails here, not on the first send.
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.secret = options.secret;
    this.retries = nonNegative(options.retries ?? 3, 'retries');
    this.timeoutMs = nonNegative(options.timeoutMs ?? 10_000, 'timeoutMs');
    this.backoffBaseMs = nonNegative(options.backoffBaseMs ?? 200, 'backoffBaseMs');
    this.backoffMaxMs = nonNegative(options.backoffMaxMs ?? 5_000, 'backoffMaxMs');
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Sends `data` as JSON to the route at `path` (e.g. `/order/status/`).
   * @throws HooklineClientError when the gateway refuses the event or retries run out;
   *   `options.signal.reason` when the signal aborts; TypeError when `data` is not JSON-serialisable
   */
  async send(path: string, data: unknown, options: SendOptions = {}): Promise<SendResult> {
    const webhookId = options.id ?? newWebhookId(this.now());
    const body = JSON.stringify(
      options.type === undefined ? data : { type: options.type, timestamp: this.now().toISOString(), data },
    );
    if (body === undefined) throw new TypeError('data is not JSON-serialisable');
    const url = `${this.baseUrl}/${path.replace(/^\/+/, '')}`;

    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      // Re-signed per attempt: a fresh timestamp stays inside the gateway's tolerance.
      const timestamp = Math.floor(this.now().getTime() / 1000);
      const headers = {
        ...options.headers,
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(this.secret, webhookId, timestamp, body),
      };
      const outcome = await this.attempt(url, headers, body, options.signal);
      if (outcome.kind === 'reply' && outcome.response.ok) {
        return resultOf(await readJson(outcome.response), outcome.response.status, webhookId, attempt);
      }
      const failure = await failureOf(outcome, url, attempt);
      if (!failure.retryable || attempt > this.retries) throw failure;
      await this.sleep(this.delayBefore(attempt, outcome), options.signal);
    }
  }

  private async attempt(
    url: string,
    headers: Record<string, string>,
    body: string,
    signal: AbortSignal | undefined,
  ): Promise<Outcome> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await this.fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
      return { kind: 'reply', response };
    } catch (error: unknown) {
      if (signal?.aborted) throw signal.reason;
      return { kind: 'error', error, timedOut: timeout.aborted };
    }
  }

  /** Full jitter: uniform in [0, min(max, base·2^(attempt−1))]; `Retry-After` raises the floor. */
  private delayBefore(attempt: number, outcome: Outcome): number {
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempt - 1));
    const jittered = Math.floor(this.random() * ceiling);
    const retryAfter = outcome.kind === 'reply' ? retryAfterMs(outcome.response) : undefined;
    return retryAfter === undefined ? jittered : Math.min(this.backoffMaxMs, Math.max(retryAfter, jittered));
  }
}

type Outcome =
  | { readonly kind: 'reply'; readonly response: Response }
  | { readonly kind: 'error'; readonly error: unknown; readonly timedOut: boolean };

async function failureOf(outcome: Outcome, url: string, attempts: number): Promise<HooklineClientError> {
  if (outcome.kind === 'error') {
    const code = outcome.timedOut ? 'timeout' : 'network_error';
    const reason = outcome.timedOut ? 'timed out' : fetchErrorText(outcome.error);
    return new HooklineClientError(`POST ${url} failed after ${attempts} attempt(s): ${reason}`, {
      code,
      retryable: true,
      attempts,
      cause: outcome.error,
    });
  }
  const { response } = outcome;
  const retryable = response.status >= 500 || response.status === 429;
  const json = await readJson(response).catch(() => undefined);
  const error = isRecord(json) && isRecord(json.error) ? json.error : {};
  const code = typeof error.code === 'string' ? error.code : `http_${response.status}`;
  const detail = typeof error.message === 'string' ? error.message : response.statusText;
  return new HooklineClientError(
    `POST ${url} answered ${response.status} ${code}: ${detail}${retryable ? ` (after ${attempts} attempt(s))` : ''}`,
    { status: response.status, code, retryable, attempts },
  );
}

function resultOf(json: unknown, httpStatus: number, webhookId: string, attempts: number): SendResult {
  const reply = isRecord(json) ? json : {};
  const id = typeof reply.id === 'string' ? reply.id : undefined;
  const statusUrl = typeof reply.statusUrl === 'string' ? reply.statusUrl : undefined;
  const duplicate = reply.duplicate === true;
  const status = duplicate ? 'duplicate' : reply.status === 'filtered' ? 'filtered' : 'queued';
  if (id === undefined && status !== 'filtered') {
    throw new HooklineClientError(`the gateway answered ${httpStatus} without an event id`, {
      status: httpStatus,
      code: 'unexpected_reply',
      retryable: false,
      attempts,
    });
  }
  return {
    ...(id !== undefined && { id }),
    webhookId,
    status,
    duplicate,
    ...(statusUrl !== undefined && { statusUrl }),
    attempts,
  };
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value) * 1000;
}

function decodeSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (key.length === 0) {
    throw new TypeError('secret must be a Standard Webhooks secret: whsec_ followed by base64');
  }
  return key;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a number >= 0`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fetch error's message and its cause's: undici reports "fetch failed" and puts the reason (ECONNREFUSED …) in `cause`. */
function fetchErrorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** Waits `ms`; an abort clears the timer at once and rejects with the signal's reason. */
async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (error: unknown) {
    // node:timers/promises rejects with its own AbortError; `send` reports the caller's reason.
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
