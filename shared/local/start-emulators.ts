/** Starting the local stack's two emulators together, for `startDevStack`. */
import {
  type EmulatorProcess,
  type SqsEmulatorProcess,
  startDynamoDbLocalProcess,
  startSqsEmulatorProcess,
} from './emulator-processes.js';
import type { Startup } from './startup.js';

/**
 * Starts the SQS emulator and DynamoDB Local at once and returns both starts, for the caller to
 * await in one `startup.settleAll` with its other slow work. Registers stopping whichever started,
 * together, as a cleanup: registered before the clients and pollers, it runs after them. The SQS
 * child guards the Java pid as soon as both exist (see emulator-processes.ts on orphans).
 */
export function startEmulators(
  ports: { readonly sqs: number; readonly dynamoDb: number },
  startup: Startup,
  /** DynamoDB Local's database folder. @default in memory */
  dynamoDbPath?: string,
): readonly [Promise<SqsEmulatorProcess>, Promise<EmulatorProcess>] {
  const emulators: EmulatorProcess[] = [];
  startup.onCleanup(async () => {
    await Promise.all(emulators.map((emulator) => emulator.stop()));
  });
  let sqsProcess: SqsEmulatorProcess | undefined;
  let javaPid: number | undefined;
  const signal = startup.signal;
  return [
    startSqsEmulatorProcess({ port: ports.sqs, signal }).then((started) => {
      sqsProcess = started;
      emulators.push(started);
      if (javaPid !== undefined) started.guard(javaPid);
      return started;
    }),
    startDynamoDbLocalProcess({
      port: ports.dynamoDb,
      signal,
      ...(dynamoDbPath !== undefined && { dbPath: dynamoDbPath }),
      onSpawn: (pid) => {
        javaPid = pid;
        sqsProcess?.guard(pid);
      },
    }).then((started) => {
      emulators.push(started);
      return started;
    }),
  ];
}
