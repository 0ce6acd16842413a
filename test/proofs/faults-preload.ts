/**
 * Loaded first in every consumer process of the fault-injection proof (`node --import tsx --import
 * <this file> shared/cli/hookline.mjs worker ...`), before any Hookline code:
 *
 * - puts the fault injector in front of every SDK client the worker will build, logging each HTTP
 *   attempt to this process's attempt log, and the events of messages whose receive reply it lost
 *   (faults-child.ts);
 * - closes a settle window when the settle call of an event whose effect ran here answers, so the
 *   proof can aim a kill at a moment when no effect waits for its settle;
 * - exits at once when the proof's process goes away, so no consumer outlives it.
 */
import { appendFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseEventId } from '../../shared/ids.js';
import { attemptLogFile, childSettings, effectsAwaitingSettle, logLostReceive } from './faults-child.js';
import { attemptLine, FaultInjector, installOnEveryClient, seededRandom } from './faults-injector.js';

const settings = childSettings();
const attemptLog = attemptLogFile(settings.dir, process.pid);

installOnEveryClient(
  new FaultInjector({
    rates: settings.rates,
    random: seededRandom(settings.seed ^ process.pid),
    record: (attempt) => appendFileSync(attemptLog, attemptLine(attempt)),
    replyLost: ({ operation }, reply) => {
      if (operation === 'ReceiveMessage') logLostReceive(settings.dir, reply);
    },
  }),
);
closeSettleWindows();
exitWithParent();

/**
 * The settle write is the UpdateItem that releases the lock: its condition names the lock owner.
 * Once that call for an event answers (all SDK retries done, whatever the outcome), the event's
 * effect no longer waits for it.
 */
function closeSettleWindows(): void {
  type Send = (this: DynamoDBClient, command: unknown, ...rest: unknown[]) => unknown;
  const prototype = DynamoDBClient.prototype as unknown as { send: Send };
  const send = prototype.send;
  prototype.send = function sendAndCloseWindow(this: DynamoDBClient, command, ...rest) {
    const answered = send.call(this, command, ...rest);
    const id = settledEventId(command);
    if (id !== undefined && answered instanceof Promise) {
      const close = () => effectsAwaitingSettle().delete(id);
      answered.then(close, close);
    }
    return answered;
  };
}

function settledEventId(command: unknown): string | undefined {
  const input = (command as { input?: { ConditionExpression?: unknown; Key?: { pk?: { S?: unknown } } } })
    .input;
  if (
    typeof input?.ConditionExpression !== 'string' ||
    !input.ConditionExpression.includes('#lockOwner = :owner')
  )
    return undefined;
  // A state item's sort key is its event id (table layout v2).
  const input2 = input as { Key?: { sk?: { S?: unknown } } };
  const sk = input2.Key?.sk?.S;
  return typeof sk === 'string' && parseEventId(sk) !== undefined ? sk : undefined;
}

/** The proof talks to this process over an IPC channel: when it closes, the proof is gone. */
function exitWithParent(): void {
  if (process.channel === undefined) return;
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  // The channel alone must not keep the worker alive once it has stopped.
  process.channel.unref();
}
