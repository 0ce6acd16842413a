/**
 * DynamoDB Local and the SQS emulator for a bench section that runs functions in their own processes
 * (the peer comparisons): started the way the local stack starts them, on free ports, with clients
 * for the bench's own setup calls (which the recording proxy never sees).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AWS_CLIENT_DEFAULTS } from '../../shared/aws-client-defaults.js';
import { startDynamoDbLocalProcess, startSqsEmulatorProcess } from '../../shared/local/emulator-processes.js';
import { LOCAL_AWS } from '../../shared/local-state/state-file.js';
import { freePort } from '../helpers/emulators.js';

export interface BenchEmulators {
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly dynamoDbPid: number;
  readonly sqsPid: number;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  stop(): Promise<void>;
}

export async function startBenchEmulators(): Promise<BenchEmulators> {
  const [dynamoDbPort, sqsPort] = [await freePort(), await freePort()];
  const [dynamoDb, sqsEmulator] = await Promise.allSettled([
    startDynamoDbLocalProcess({ port: dynamoDbPort }),
    startSqsEmulatorProcess({ port: sqsPort }),
  ]);
  if (dynamoDb.status === 'rejected' || sqsEmulator.status === 'rejected') {
    await Promise.all(
      [dynamoDb, sqsEmulator].map((started) =>
        started.status === 'fulfilled' ? started.value.stop() : undefined,
      ),
    );
    throw dynamoDb.status === 'rejected'
      ? dynamoDb.reason
      : sqsEmulator.status === 'rejected'
        ? sqsEmulator.reason
        : undefined;
  }
  // The SQS child SIGKILLs DynamoDB Local if this process dies without stopping it.
  sqsEmulator.value.guard(dynamoDb.value.pid);
  const dynamodb = new DynamoDBClient({
    ...AWS_CLIENT_DEFAULTS,
    ...LOCAL_AWS,
    endpoint: dynamoDb.value.endpoint,
  });
  const sqs = new SQSClient({ ...AWS_CLIENT_DEFAULTS, ...LOCAL_AWS, endpoint: sqsEmulator.value.endpoint });
  return {
    dynamoDbEndpoint: dynamoDb.value.endpoint,
    sqsEndpoint: sqsEmulator.value.endpoint,
    dynamoDbPid: dynamoDb.value.pid,
    sqsPid: sqsEmulator.value.pid,
    dynamodb,
    sqs,
    async stop() {
      dynamodb.destroy();
      sqs.destroy();
      await Promise.all([dynamoDb.value.stop(), sqsEmulator.value.stop()]);
    },
  };
}
