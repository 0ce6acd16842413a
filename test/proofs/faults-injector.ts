/**
 * Faults injected where the AWS SDK meets the network: every HTTP attempt an SQS or DynamoDB client
 * makes passes through `FaultInjector.handle`, which lets it through or fails it, so the SDK's own
 * retries (and, behind them, Hookline's) act as they would against a real outage. A failed attempt
 * is one of:
 *
 * - `throttled`: the service's own throttling answer (HTTP 400, DynamoDB `ThrottlingException` or
 *   `ProvisionedThroughputExceededException`, SQS `RequestThrottled`); nothing reached the emulator;
 * - `server_error`: HTTP 500 (`InternalServerError`, SQS `InternalError`); nothing reached it;
 * - `connection_reset`: `ECONNRESET` before the request was sent;
 * - `reply_lost`: the request reached the emulator and was carried out, then the connection reset
 *   before the reply arrived (the caller cannot tell it apart from `connection_reset`).
 *
 * In this process the injector sits in a client's own request handler (`FaultInjectingHttpHandler`);
 * in a child process, `installOnEveryClient` puts it on every client's (see faults-preload.ts).
 */
import { Readable } from 'node:stream';
import { HttpResponse } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';

type Handle = NodeHttpHandler['handle'];
type HttpRequest = Parameters<Handle>[0];
type HttpHandlerOptions = Parameters<Handle>[1];
type Handled = Awaited<ReturnType<Handle>>;

export type Service = 'sqs' | 'dynamodb';
export const SERVICES: readonly Service[] = ['sqs', 'dynamodb'];

export const FAULT_KINDS = ['throttled', 'server_error', 'connection_reset', 'reply_lost'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How often each kind is drawn among injected faults. */
const KIND_WEIGHTS: Readonly<Record<FaultKind, number>> = {
  throttled: 0.3,
  server_error: 0.3,
  connection_reset: 0.2,
  reply_lost: 0.2,
};

/** One HTTP attempt as the injector saw it: let through (`ok`) or failed with a kind. */
export interface Attempt {
  readonly service: Service;
  /** The API operation, e.g. `ReceiveMessage`, `UpdateItem`. */
  readonly operation: string;
  readonly outcome: 'ok' | FaultKind;
}

export interface FaultInjectorOptions {
  /** Share of HTTP attempts failed, per service (0–1). */
  readonly rates: Readonly<Record<Service, number>>;
  /** Uniform in [0, 1). */
  readonly random: () => number;
  /** Called for every attempt of either service, before it is sent or failed. */
  readonly record: (attempt: Attempt) => void;
  /** Called with the reply a `reply_lost` fault kept from its caller. */
  readonly replyLost?: (
    operation: { readonly service: Service; readonly operation: string },
    reply: string,
  ) => void;
}

/** The protocol's operation header: `AmazonSQS.ReceiveMessage`, `DynamoDB_20120810.UpdateItem`. */
const TARGETS: Readonly<Record<string, Service>> = { AmazonSQS: 'sqs', DynamoDB_20120810: 'dynamodb' };

export class FaultInjector {
  private readonly options: FaultInjectorOptions;

  constructor(options: FaultInjectorOptions) {
    this.options = options;
  }

  /** Sends `request` with `send`, or fails it; requests to other services always pass. */
  async handle(request: HttpRequest, send: (request: HttpRequest) => Promise<Handled>): Promise<Handled> {
    const target = targetOf(request);
    if (target === undefined) return send(request);
    const kind = this.draw(target.service);
    this.options.record({ ...target, outcome: kind ?? 'ok' });
    switch (kind) {
      case undefined:
        return send(request);
      case 'throttled':
        return { response: throttledResponse(target.service, this.options.random()) };
      case 'server_error':
        return { response: serverErrorResponse(target.service) };
      case 'connection_reset':
        throw connectionReset();
      case 'reply_lost': {
        const { response } = await send(request);
        const reply = await readBody(response);
        this.options.replyLost?.(target, reply);
        throw connectionReset();
      }
    }
  }

  private draw(service: Service): FaultKind | undefined {
    const { random, rates } = this.options;
    if (random() >= rates[service]) return undefined;
    let pick = random();
    for (const kind of FAULT_KINDS) {
      pick -= KIND_WEIGHTS[kind];
      if (pick < 0) return kind;
    }
    return 'reply_lost';
  }
}

/** The SDK's Node request handler with the injector in front: for clients this process builds. */
export class FaultInjectingHttpHandler extends NodeHttpHandler {
  private readonly injector: FaultInjector;

  constructor(injector: FaultInjector) {
    super();
    this.injector = injector;
  }

  override handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<Handled> {
    return this.injector.handle(request, (sent) => super.handle(sent, options));
  }
}

/**
 * Puts the injector in front of every SDK client of this process, those already built included: the
 * clients Hookline's own code builds cannot be handed a request handler. Call once.
 */
export function installOnEveryClient(injector: FaultInjector): void {
  const send = NodeHttpHandler.prototype.handle;
  NodeHttpHandler.prototype.handle = function handle(
    this: NodeHttpHandler,
    request: HttpRequest,
    options?: HttpHandlerOptions,
  ): Promise<Handled> {
    return injector.handle(request, (sent) => send.call(this, sent, options));
  };
}

function targetOf(request: HttpRequest): { service: Service; operation: string } | undefined {
  const header = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'x-amz-target');
  const [prefix, operation] = (header?.[1] ?? '').split('.');
  const service = prefix === undefined ? undefined : TARGETS[prefix];
  if (service === undefined || operation === undefined) return undefined;
  return { service, operation };
}

function throttledResponse(service: Service, pick: number): HttpResponse {
  if (service === 'sqs') {
    return errorResponse(400, 'com.amazonaws.sqs#RequestThrottled', 'Request is throttled.', {
      'x-amzn-query-error': 'RequestThrottled;Sender',
    });
  }
  return pick < 0.5
    ? errorResponse(
        400,
        'com.amazonaws.dynamodb.v20120810#ThrottlingException',
        'Rate of requests exceeds the allowed throughput.',
      )
    : errorResponse(
        400,
        'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        'The level of configured provisioned throughput for the table was exceeded.',
      );
}

function serverErrorResponse(service: Service): HttpResponse {
  return service === 'sqs'
    ? errorResponse(500, 'com.amazonaws.sqs#InternalError', 'We encountered an internal error.', {
        'x-amzn-query-error': 'InternalError;Receiver',
      })
    : errorResponse(500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error');
}

/** An error answer of the AWS JSON protocol both services speak. */
function errorResponse(
  statusCode: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): HttpResponse {
  const body = JSON.stringify({ __type: type, message });
  return new HttpResponse({
    statusCode,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(Buffer.byteLength(body)),
      'x-amzn-requestid': `injected-${Math.random().toString(36).slice(2)}`,
      ...headers,
    },
    body: Readable.from([Buffer.from(body)]),
  });
}

function connectionReset(): Error {
  return Object.assign(new Error('socket hang up (injected)'), { code: 'ECONNRESET' });
}

/** The carried-out request's reply, read to its end (so its connection is reused) and kept from the caller. */
async function readBody(response: HttpResponse): Promise<string> {
  const body: unknown = response.body;
  if (!(body instanceof Readable)) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Counts of attempts and injected faults by service and operation. */
export class AttemptTally {
  private readonly counts = new Map<string, { attempts: number; faults: Record<FaultKind, number> }>();

  add(attempt: Attempt): void {
    const count = this.countFor(attempt.service, attempt.operation);
    count.attempts += 1;
    if (attempt.outcome !== 'ok') count.faults[attempt.outcome] += 1;
  }

  /** Adds another tally's counts to this one. */
  merge(other: AttemptTally): void {
    for (const row of other.rows()) {
      const count = this.countFor(row.service, row.operation);
      count.attempts += row.attempts;
      for (const kind of FAULT_KINDS) count.faults[kind] += row.faults[kind];
    }
  }

  /** One row per service and operation, most attempts first. */
  rows(): TallyRow[] {
    return [...this.counts]
      .map(([key, count]) => {
        const [service, operation = ''] = key.split(' ') as [Service, string];
        return { service, operation, attempts: count.attempts, faults: { ...count.faults } };
      })
      .sort((a, b) => a.service.localeCompare(b.service) || b.attempts - a.attempts);
  }

  private countFor(service: Service, operation: string) {
    const key = `${service} ${operation}`;
    let count = this.counts.get(key);
    if (count === undefined) {
      count = { attempts: 0, faults: { throttled: 0, server_error: 0, connection_reset: 0, reply_lost: 0 } };
      this.counts.set(key, count);
    }
    return count;
  }
}

export interface TallyRow {
  readonly service: Service;
  readonly operation: string;
  readonly attempts: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
}

/** A line of a child's attempt log, and back. */
export function attemptLine(attempt: Attempt): string {
  return `${attempt.service} ${attempt.operation} ${attempt.outcome}\n`;
}

export function parseAttemptLine(line: string): Attempt | undefined {
  const [service, operation, outcome] = line.split(' ');
  if ((service !== 'sqs' && service !== 'dynamodb') || operation === undefined || outcome === undefined) {
    return undefined;
  }
  if (outcome !== 'ok' && !(FAULT_KINDS as readonly string[]).includes(outcome)) return undefined;
  return { service, operation, outcome: outcome as Attempt['outcome'] };
}

/** A small seeded generator (mulberry32): the same seed gives the same draws. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
