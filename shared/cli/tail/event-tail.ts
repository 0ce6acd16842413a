/**
 * The polling behind `hookline events tail`, through the admin API only.
 *
 * Each poll lists every tailed route's events received since the previous poll began (its time
 * measured on this machine, sent as a duration so the gateway's own clock places it: no clock skew),
 * plus an overlap for events whose state is written a little after they were received and for
 * lagging reads. Events seen unsettled (queued, processing, retrying) that this window no longer
 * lists are read again by id until they settle: a retrying event not before its next try is due,
 * and at most `maxReadsPerPoll` a poll, the longest-unread first. A poll that fails changes nothing:
 * the next one covers its window too.
 */
import { errorMessage } from '../../errors.js';
import { AdminApiError } from '../admin-client.js';
import {
  byTime,
  type EventChange,
  isSettled,
  observeEvent,
  type SeenEvent,
  type TailedEvent,
} from './event-changes.js';

/** How the tail reads the gateway. */
export interface TailSource {
  /** `route`'s events received in the last `sinceSeconds` seconds of the gateway's clock (every page). */
  list(route: string, sinceSeconds: number): Promise<readonly TailedEvent[]>;
  /** One event, or undefined when the gateway no longer has it. */
  get(id: string): Promise<TailedEvent | undefined>;
}

export interface EventTailOptions {
  /** The routes to list (paths or queue names, as the admin API takes them). */
  readonly routes: readonly string[];
  readonly source: TailSource;
  /** Milliseconds on this machine's clock. @default Date.now */
  readonly now?: () => number;
  /** Seconds added before each window. @default 5 */
  readonly overlapSeconds?: number;
  /** Reads by id per poll, at most. @default 20 */
  readonly maxReadsPerPoll?: number;
  /** How long a settled event is remembered after a listing last showed it. @default 60000 */
  readonly forgetSettledAfterMs?: number;
}

interface Watched extends SeenEvent {
  /** When a listing last showed it (this machine's clock). */
  readonly listedAt: number;
  /** When it was last read, listed or by id. */
  readonly readAt: number;
  /** A retrying event's next try (ms), before which it is not read by id. */
  readonly dueAt?: number;
}

/** The events of a tail and their last known status. */
export class EventTail {
  private readonly options: EventTailOptions;
  private readonly now: () => number;
  private readonly events = new Map<string, Watched>();
  /** When the last successful poll began: the next window starts there (less the overlap). */
  private windowStart: number;

  constructor(options: EventTailOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.windowStart = this.now();
  }

  /** How many events it remembers (settled ones for a while, unsettled ones until they settle). */
  get size(): number {
    return this.events.size;
  }

  /** Ids of the unsettled events it watches. */
  watching(): string[] {
    return [...this.events].filter(([, event]) => !isSettled(event.status)).map(([id]) => id);
  }

  /**
   * One poll: reads what changed since the last one and returns the changes, oldest first. When a
   * read fails it rejects and remembers nothing of this poll.
   */
  async poll(): Promise<EventChange[]> {
    const started = this.now();
    const sinceSeconds = Math.ceil((started - this.windowStart) / 1000) + (this.options.overlapSeconds ?? 5);
    const listings = await Promise.all(
      this.options.routes.map((route) => this.options.source.list(route, sinceSeconds)),
    );
    const listed = listings.flat();
    const listedIds = new Set(listed.map((event) => event.id));
    const toRead = this.dueReads(listedIds, started);
    const read = await Promise.all(
      toRead.map(async (id) => ({ id, event: await this.options.source.get(id) })),
    );

    // Every read succeeded: now the poll counts.
    const changes: EventChange[] = [];
    for (const event of listed) changes.push(...this.observe(event, started, true));
    for (const { id, event } of read) {
      if (event === undefined) this.events.delete(id);
      else changes.push(...this.observe(event, started, false));
    }
    this.forgetSettled(listedIds, started);
    this.windowStart = started;
    return byTime(changes);
  }

  private observe(event: TailedEvent, now: number, listed: boolean): EventChange[] {
    const before = this.events.get(event.id);
    const { changes, seen } = observeEvent(before, event);
    const nextTry = event.status === 'retrying' ? event.attempts?.at(-1)?.nextVisibleAt : undefined;
    const dueAt = nextTry === undefined ? undefined : Date.parse(nextTry);
    this.events.set(event.id, {
      ...seen,
      listedAt: listed ? now : (before?.listedAt ?? now),
      readAt: now,
      ...(dueAt !== undefined && !Number.isNaN(dueAt) && { dueAt }),
    });
    return changes;
  }

  /** Unsettled events the listings left out whose turn it is to be read by id. */
  private dueReads(listedIds: ReadonlySet<string>, now: number): string[] {
    return [...this.events]
      .filter(
        ([id, event]) =>
          !listedIds.has(id) && !isSettled(event.status) && (event.dueAt === undefined || event.dueAt <= now),
      )
      .sort(([, a], [, b]) => a.readAt - b.readAt)
      .slice(0, this.options.maxReadsPerPoll ?? 20)
      .map(([id]) => id);
  }

  private forgetSettled(listedIds: ReadonlySet<string>, now: number): void {
    const keep = this.options.forgetSettledAfterMs ?? 60_000;
    for (const [id, event] of this.events) {
      if (isSettled(event.status) && !listedIds.has(id) && now - event.listedAt >= keep) {
        this.events.delete(id);
      }
    }
  }
}

/** A failure worth another try: no answer, throttling, a server error. */
export function isTransientFailure(error: unknown): boolean {
  return (
    error instanceof AdminApiError && (error.status === 0 || error.status === 429 || error.status >= 500)
  );
}

export interface FollowOptions {
  readonly tail: Pick<EventTail, 'poll'>;
  /** Stops the loop: nothing is printed once it is aborted. */
  readonly signal: AbortSignal;
  /** Prints one poll's changes. */
  print(changes: readonly EventChange[]): void;
  /** Says, once per run of failed polls, that the gateway does not answer; and when it does again. */
  warn(text: string): void;
  /**
   * After a failed poll: the error to stop with when the gateway is gone for good (the local stack
   * stopped), else undefined.
   */
  gone?(): Error | undefined;
  /** @default 1000 */
  readonly intervalMs?: number;
  /** Failed polls in a row before the warning. @default 3 */
  readonly warnAfterFailures?: number;
  /** How long polls may keep failing before the tail stops with the last error. @default 60000 */
  readonly giveUpAfterMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Waits `ms`, or less when `signal` aborts. @default a timer */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
}

/**
 * Polls until `signal` aborts (resolves) or the gateway fails for good (rejects with its error): a
 * failure that is not transient at once, a transient one when `gone` says so or after
 * `giveUpAfterMs` of failed polls. A poll still running when `signal` aborts is not waited for.
 */
export async function followEvents(options: FollowOptions): Promise<void> {
  const { signal, tail } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const intervalMs = options.intervalMs ?? 1000;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  let failures = 0;
  let failingSince: number | undefined;
  let warned = false;
  while (!signal.aborted) {
    const started = now();
    try {
      const polling = tail.poll();
      // A poll left behind by an abort may still fail: nobody waits for it any more.
      polling.catch(() => undefined);
      const changes = await Promise.race([polling, aborted]);
      if (changes === 'aborted' || signal.aborted) return;
      if (warned) options.warn('the gateway answers again');
      failures = 0;
      failingSince = undefined;
      warned = false;
      options.print(changes);
    } catch (error: unknown) {
      if (signal.aborted) return;
      if (!isTransientFailure(error)) throw error;
      const gone = options.gone?.();
      if (gone !== undefined) throw gone;
      failures += 1;
      failingSince ??= started;
      if (now() - failingSince >= (options.giveUpAfterMs ?? 60_000)) throw error;
      if (!warned && failures >= (options.warnAfterFailures ?? 3)) {
        options.warn(`${errorMessage(error)}; still trying every ${intervalMs / 1000} s`);
        warned = true;
      }
    }
    await sleep(Math.max(0, intervalMs - (now() - started)), signal);
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
