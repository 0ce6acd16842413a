/**
 * The process a bundled Lambda function runs in for the bench (started by function-host.ts): imports
 * the bundle given as argv[2] once, then runs one invocation per IPC message, one at a time, like a
 * Lambda execution environment. For each it reports the result, the CPU time this process spent
 * (all threads) and the wall time from the handler's call to its settling, and what the function
 * wrote to stdout and stderr meanwhile (its log lines), which is kept from the real streams.
 */
import type { Context } from 'aws-lambda';
import type { HostReply, HostRequest } from './function-host.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;
type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;

const bundleUrl = process.argv[2];
if (bundleUrl === undefined) throw new Error('usage: function-host-child <bundle file URL>');
const imported = (await import(bundleUrl)) as { handler?: unknown };
if (typeof imported.handler !== 'function') throw new Error(`${bundleUrl} exports no handler function`);
const handler = imported.handler as Handler;

function reply(message: HostReply): void {
  process.send?.(message);
}

/** Sends what is written to stdout and stderr to `into` instead, until the returned function is called. */
function capture(into: string[]): () => void {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    (stream as { write: Write }).write = (chunk, ...rest) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    };
  }
  return () => {
    streams.forEach((stream, i) => {
      const original = originals[i];
      if (original !== undefined) stream.write = original;
    });
  };
}

function contextOf(request: Extract<HostRequest, { type: 'invoke' }>): Context {
  const { timeoutMs, ...fields } = request.context;
  const deadline = Date.now() + timeoutMs;
  return {
    ...fields,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

async function invoke(request: Extract<HostRequest, { type: 'invoke' }>): Promise<void> {
  process.env._X_AMZN_TRACE_ID = request.traceHeader;
  const context = contextOf(request);
  const output: string[] = [];
  const restore = capture(output);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let outcome: { ok: true; result: unknown } | { ok: false; error: string };
  try {
    outcome = { ok: true, result: await handler(request.event, context) };
  } catch (error: unknown) {
    outcome = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  restore();
  reply({
    type: 'invoked',
    id: request.id,
    ...outcome,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    output: output.join(''),
    rssMb: process.memoryUsage().rss / 1024 / 1024,
  });
}

// The bench is gone (it exited or was killed): so is this environment.
process.on('disconnect', () => process.exit(0));
let queue: Promise<void> = Promise.resolve();
process.on('message', (request: HostRequest) => {
  if (request.type === 'exit') process.exit(0);
  queue = queue.then(() => invoke(request));
});
reply({ type: 'ready' });
