/**
 * The calls the recording proxy saw, handed out by invocation: the functions are invoked one at a
 * time, so the calls that started while an invocation ran are that invocation's.
 */
import type { AwsCallCounter, ObservedCall } from './aws-call-counter.js';
import type { AwsProxy } from './aws-proxy.js';

export class CallLog {
  private calls: ObservedCall[] = [];
  private readonly stop: () => void;

  /** Listens to `proxy`; with `counter`, every call is also counted there (capacity added). */
  constructor(proxy: AwsProxy, counter?: AwsCallCounter) {
    if (counter === undefined) {
      this.stop = proxy.onCall((call) => this.calls.push(call));
      return;
    }
    counter.onCall((call) => this.calls.push(call));
    this.stop = proxy.onCall((call) => counter.record(call));
  }

  /** The calls that started between `startedMs` and `endedMs`, removed from the log with every earlier one. */
  take(startedMs: number, endedMs: number): ObservedCall[] {
    const taken = this.calls.filter((call) => call.startedMs >= startedMs && call.startedMs <= endedMs);
    this.calls = this.calls.filter((call) => call.startedMs > endedMs);
    return taken;
  }

  close(): void {
    this.stop();
  }
}
