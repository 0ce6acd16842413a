/**
 * Vitest global setup: one DynamoDB Local (a JVM, seconds to start and heavy on CPU) and one SQS
 * emulator for the whole test run, their endpoints given to the test files, which connect through
 * test/helpers/shared-emulators.ts (where the provided keys are declared).
 *
 * Only a run with a file that imports the emulator helpers starts them, and in the background: the
 * JVM starts while the first files load, and a file that needs them waits until they answer. The
 * SQS emulator runs as the local stack runs it, in a child process whose watchdog SIGKILLs the Java
 * process if this one is killed outright, so no orphan keeps a port.
 */
import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

/** What a test file that connects to the shared emulators imports (ingress-stack.ts connects too). */
const EMULATOR_HELPERS = /helpers\/(shared-emulators|ingress-stack)\.js['"]/;

export default async function setUpSharedEmulators(project: TestProject): Promise<() => Promise<void>> {
  if (!runNeedsEmulators(project)) {
    // An empty endpoint makes a file that connects anyway fail at once, saying why.
    project.provide('sqsEndpoint', '');
    project.provide('dynamoDbEndpoint', '');
    return async () => {};
  }
  return startInBackground(project);
}

/** True when a file of this run imports the emulator helpers, or when the run's files are unknown. */
function runNeedsEmulators(project: TestProject): boolean {
  // Vitest's state API is experimental: should it list no file, start the emulators anyway.
  const files = project.vitest.state.getPaths();
  return files.length === 0 || files.some((file) => EMULATOR_HELPERS.test(readFileSync(file, 'utf8')));
}

async function startInBackground(project: TestProject): Promise<() => Promise<void>> {
  // Imported here: the AWS SDK takes seconds to load, which a run of unit tests need not wait for.
  const { startSqsEmulatorProcess } = await import('../shared/local/emulator-processes.js');
  const { freePort, startDynamoDbLocal } = await import('./helpers/emulators.js');
  const sqsPort = await freePort();
  let dynamoDbPort = await freePort();
  while (dynamoDbPort === sqsPort) dynamoDbPort = await freePort();
  project.provide('sqsEndpoint', `http://127.0.0.1:${sqsPort}`);
  project.provide('dynamoDbEndpoint', `http://127.0.0.1:${dynamoDbPort}`);

  const startup = new AbortController();
  let javaPid: number | undefined;
  let guard: ((pid: number) => void) | undefined;
  const sqs = startSqsEmulatorProcess({ port: sqsPort, signal: startup.signal }).then((started) => {
    guard = (pid) => started.guard(pid);
    if (javaPid !== undefined) guard(javaPid);
    return started;
  });
  const dynamoDb = startDynamoDbLocal({
    port: dynamoDbPort,
    signal: startup.signal,
    onSpawn: (pid) => {
      javaPid = pid;
      guard?.(pid);
    },
  });
  const started = Promise.allSettled([sqs, dynamoDb]);
  // The files waiting for an emulator only see that it never answers: say why here.
  void started.then((results) => {
    for (const result of results) {
      if (result.status === 'rejected' && !startup.signal.aborted) {
        console.error('test/global-setup.ts: an emulator failed to start:', result.reason);
      }
    }
  });

  return async () => {
    // Ends a start still under way (a run whose files failed before connecting).
    startup.abort();
    const results = await started;
    await Promise.all(
      results.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)),
    );
  };
}
