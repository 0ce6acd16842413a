/**
 * Both emulators on free ports for a standalone proof or rehearsal (outside vitest, where the shared
 * ones of test/global-setup.ts do not run): started together, guarded so that a killed run takes
 * DynamoDB Local down with the SQS child, and stopped once `run` settles.
 */
import { startDynamoDbLocalProcess, startSqsEmulatorProcess } from '../../shared/local/emulator-processes.js';
import { freePort } from './emulators.js';

export interface EmulatorEndpoints {
  readonly sqs: string;
  readonly dynamodb: string;
}

export async function withOwnEmulators<T>(run: (endpoints: EmulatorEndpoints) => Promise<T>): Promise<T> {
  const [sqsPort, dynamoDbPort] = [await freePort(), await freePort()];
  const [sqsEmulator, dynamoDbLocal] = await Promise.all([
    startSqsEmulatorProcess({ port: sqsPort }),
    startDynamoDbLocalProcess({ port: dynamoDbPort }),
  ]);
  sqsEmulator.guard(dynamoDbLocal.pid);
  try {
    return await run({ sqs: sqsEmulator.endpoint, dynamodb: dynamoDbLocal.endpoint });
  } finally {
    await Promise.all([sqsEmulator.stop(), dynamoDbLocal.stop()]);
  }
}
