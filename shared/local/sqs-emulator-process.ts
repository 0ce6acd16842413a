/**
 * Child-process entry of the local stack's SQS emulator (`local-aws-sqs`), started by
 * `emulator-processes.ts` as `node --import tsx sqs-emulator-process.ts <port> <host>` with an IPC
 * channel. Only its message types are imported (by `emulator-processes.ts`).
 *
 * Messages to the parent: `{ type: 'ready', port }` once listening, `{ type: 'error', code, message }`
 * when it cannot listen (then it exits 1).
 * Messages from the parent: `{ type: 'guard', pid }` (see below), `{ type: 'stop' }` (close and
 * exit 0; SIGTERM does the same).
 *
 * Watchdog: when the IPC channel closes without a stop (the parent was killed hard, e.g. SIGKILL),
 * it SIGKILLs every guarded pid (DynamoDB Local's Java process, which has no such channel) and exits,
 * so a crashed `hookline dev` leaves no emulator holding its ports.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createRequestHandler } from 'local-aws-sqs';
import { errorMessage } from '../errors.js';

export type SqsEmulatorParentMessage =
  | { readonly type: 'guard'; readonly pid: number }
  | { readonly type: 'stop' };

export type SqsEmulatorChildMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

const guarded = new Set<number>();
let server: Server | undefined;
let stopping = false;

function send(message: SqsEmulatorChildMessage): void {
  if (process.connected) process.send?.(message);
}

function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  if (server === undefined) process.exit(code);
  server.close(() => process.exit(code));
  server.closeAllConnections();
  // Never linger: a hung close must not keep the port.
  setTimeout(() => process.exit(code), 1_000).unref();
}

function killGuarded(): void {
  for (const pid of guarded) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  guarded.clear();
}

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const hostname = process.argv[3] ?? '127.0.0.1';
  if (!Number.isInteger(port) || port <= 0) {
    send({ type: 'error', code: 'usage', message: `invalid port "${process.argv[2]}"` });
    process.exit(1);
  }
  if (!process.connected) {
    process.stderr.write('sqs-emulator-process: must be started with an IPC channel\n');
    process.exit(1);
  }

  process.on('message', (message: SqsEmulatorParentMessage) => {
    if (message.type === 'guard') guarded.add(message.pid);
    else if (message.type === 'stop') stop(0);
  });
  process.on('disconnect', () => {
    if (stopping) return;
    killGuarded();
    stop(0);
  });
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));

  // `createSqsServer` never settles when listen fails, so listen here to report EADDRINUSE.
  const { requestHandler } = createRequestHandler({ port, hostname, emulateQueueCreationLifecycle: false });
  server = createServer((request, response) => {
    requestHandler(request, response).catch(() => response.destroy());
  });
  try {
    server.listen(port, hostname);
    await once(server, 'listening');
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code ?? 'listen_failed';
    send({ type: 'error', code, message: errorMessage(error) });
    process.exit(1);
  }
  send({ type: 'ready', port });
}

void main();
