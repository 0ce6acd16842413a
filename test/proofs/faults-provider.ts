/**
 * The webhook provider of the fault-injection proof: sends each delivery (a GitHub-signed JSON body
 * carrying its number, with its own `x-github-delivery` id) over HTTP and, like a real provider,
 * retries it until it is answered 2xx: after a 5xx, a 429 or a connection failure, with a growing
 * pause. A share of deliveries is sent twice on purpose, half of them as two requests at the same
 * time, half again once the first copy was answered.
 */
import { createHmac } from 'node:crypto';

/** Tries per copy before the provider gives up on it. */
const MAX_TRIES = 60;
const RETRY_PAUSE_MS = { first: 20, max: 1_000 } as const;

export interface ProviderOptions {
  /** The route's URL. */
  readonly url: string;
  readonly secret: string;
  readonly deliveries: number;
  /** Share of deliveries sent twice on purpose. */
  readonly duplicateRate: number;
  /** Deliveries in flight at once. */
  readonly concurrency: number;
  readonly seed: number;
  readonly random: () => number;
  /** Called each time a delivery is answered 2xx for the first time, with how many are so far. */
  readonly onAcknowledged?: (acknowledged: number) => void;
}

/** How the gateway answered one delivery, over all its copies and their retries. */
export interface DeliveryOutcome {
  /** The delivery's number (its payload's `n`). */
  readonly n: number;
  /** Event ids the 2xx answers named (one, unless de-duplication failed). */
  readonly eventIds: readonly string[];
  /** Whether a 202 (rather than only 200 duplicates) was among them. */
  readonly queued: boolean;
  /** Copies sent on purpose (1, or 2 for a repeated delivery). */
  readonly copies: number;
  /** Requests answered otherwise than 2xx, or not answered, then tried again. */
  readonly retries: number;
  /** Copies given up after `MAX_TRIES`. */
  readonly abandoned: number;
}

export interface ProviderRun {
  readonly deliveries: readonly DeliveryOutcome[];
  /** Extra copies sent on purpose. */
  readonly duplicates: number;
  /** Of those, sent at the same time as the first copy. */
  readonly concurrentDuplicates: number;
  /** Answers by HTTP status (0: no answer). */
  readonly statuses: ReadonlyMap<number, number>;
}

type Repeat = 'none' | 'concurrent' | 'after';

interface CopyOutcome {
  readonly eventId: string | undefined;
  readonly status: number;
  readonly retries: number;
}

export async function deliverAll(options: ProviderOptions): Promise<ProviderRun> {
  const repeats = Array.from({ length: options.deliveries }, () => repeatOf(options));
  const outcomes: DeliveryOutcome[] = [];
  const statuses = new Map<number, number>();
  let acknowledged = 0;
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < options.deliveries; n = next++) {
      const outcome = await deliver(options, n, repeats[n] ?? 'none', statuses);
      outcomes.push(outcome);
      if (outcome.eventIds.length > 0) {
        acknowledged += 1;
        options.onAcknowledged?.(acknowledged);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  outcomes.sort((a, b) => a.n - b.n);
  return {
    deliveries: outcomes,
    duplicates: repeats.filter((repeat) => repeat !== 'none').length,
    concurrentDuplicates: repeats.filter((repeat) => repeat === 'concurrent').length,
    statuses,
  };
}

function repeatOf(options: ProviderOptions): Repeat {
  const pick = options.random();
  if (pick >= options.duplicateRate) return 'none';
  return pick < options.duplicateRate / 2 ? 'concurrent' : 'after';
}

async function deliver(
  options: ProviderOptions,
  n: number,
  repeat: Repeat,
  statuses: Map<number, number>,
): Promise<DeliveryOutcome> {
  const body = JSON.stringify({ n, sentBy: 'faults-proof' });
  const headers = {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': `faults-${options.seed}-${n}`,
    'x-hub-signature-256': `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`,
  };
  const send = () => sendUntilAnswered(options, body, headers, statuses);
  const copies =
    repeat === 'concurrent'
      ? await Promise.all([send(), send()])
      : repeat === 'after'
        ? [await send(), await send()]
        : [await send()];
  const eventIds = [...new Set(copies.flatMap((copy) => (copy.eventId === undefined ? [] : [copy.eventId])))];
  return {
    n,
    eventIds,
    queued: copies.some((copy) => copy.status === 202),
    copies: copies.length,
    retries: copies.reduce((sum, copy) => sum + copy.retries, 0),
    abandoned: copies.filter((copy) => copy.eventId === undefined).length,
  };
}

/** One copy, tried until the gateway answers 2xx with an event id, or `MAX_TRIES` times. */
async function sendUntilAnswered(
  options: ProviderOptions,
  body: string,
  headers: Record<string, string>,
  statuses: Map<number, number>,
): Promise<CopyOutcome> {
  let status = 0;
  for (let tries = 0; tries < MAX_TRIES; tries += 1) {
    if (tries > 0) await pause(tries, options.random);
    const answer = await post(options.url, body, headers);
    status = answer.status;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status >= 200 && status < 300 && answer.eventId !== undefined) {
      return { eventId: answer.eventId, status, retries: tries };
    }
    if (status !== 0 && status !== 429 && status < 500) return { eventId: undefined, status, retries: tries };
  }
  return { eventId: undefined, status, retries: MAX_TRIES - 1 };
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; eventId: string | undefined }> {
  try {
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    let eventId: string | undefined;
    try {
      const reply = JSON.parse(text) as { id?: unknown };
      if (typeof reply.id === 'string') eventId = reply.id;
    } catch {
      // Not JSON (an error page): no id.
    }
    return { status: response.status, eventId };
  } catch {
    return { status: 0, eventId: undefined };
  }
}

/** Full jitter up to a doubling pause, as providers' retry schedules do (much shorter here). */
function pause(tries: number, random: () => number): Promise<void> {
  const ceiling = Math.min(RETRY_PAUSE_MS.max, RETRY_PAUSE_MS.first * 2 ** (tries - 1));
  return new Promise((wake) => setTimeout(wake, Math.max(1, random() * ceiling)));
}
