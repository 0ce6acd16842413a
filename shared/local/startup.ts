/**
 * The bookkeeping of one local stack start: an abort signal shared by every step, and the undoing
 * of each step that has started, for a later step's failure and for the stack's `stop()`.
 */
import { describeError } from '../errors.js';
import type { Log } from '../logger.js';
import { LocalStackError } from './emulator-processes.js';

type Cleanup = () => Promise<void> | void;

/** Human-readable startup notices (dev defaults in use, missing secrets, the admin URL). */
export type Notice = (level: 'info' | 'warn', text: string) => void;

export class Startup {
  /** Aborted by the caller's signal, or by the first failing step so that the others stop early. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly cleanups: Cleanup[] = [];
  private readonly log: Log;
  private readonly callerSignal: AbortSignal | undefined;
  private readonly abortByCaller = () => this.controller.abort();

  constructor(log: Log, callerSignal: AbortSignal | undefined) {
    this.signal = this.controller.signal;
    this.log = log;
    this.callerSignal = callerSignal;
    if (callerSignal?.aborted) this.controller.abort();
    callerSignal?.addEventListener('abort', this.abortByCaller, { once: true });
  }

  /** Registers how to undo a step; `cleanUp` runs them last registered first. */
  onCleanup(cleanup: Cleanup): void {
    this.cleanups.push(cleanup);
  }

  /** Undoes every started step in reverse order; a failing cleanup is logged and the others still run. */
  async cleanUp(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error: unknown) {
        this.log.error('cleanup failed', { error: describeError(error) });
      }
    }
  }

  /** Throws LocalStackError `aborted` once the signal is aborted. */
  throwIfAborted(): void {
    if (this.signal.aborted) throw new LocalStackError('aborted', 'startup aborted');
  }

  /**
   * Promise.all that, on the first failure, aborts the startup (so the other steps stop early) and
   * waits for every promise to settle before rejecting with that first error: nothing keeps
   * starting in the background while startup is being undone.
   */
  async settleAll<T extends readonly unknown[]>(
    promises: { readonly [K in keyof T]: Promise<T[K]> },
  ): Promise<T> {
    let first: { error: unknown } | undefined;
    const results = await Promise.allSettled(
      promises.map((promise) =>
        promise.catch((error: unknown) => {
          first ??= { error };
          this.controller.abort();
          throw error;
        }),
      ),
    );
    if (first !== undefined) throw first.error;
    return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
  }

  /** Startup is over (started or failed): the caller's signal no longer aborts it. */
  end(): void {
    this.callerSignal?.removeEventListener('abort', this.abortByCaller);
  }
}
