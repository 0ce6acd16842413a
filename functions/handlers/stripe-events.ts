import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

/**
 * Example handler: logs each event it receives. The typed handler API (defineHandler, routing,
 * retries, idempotency) replaces this raw SQS signature once the handler runtime lands.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  for (const record of event.Records) {
    const envelope = JSON.parse(record.body) as { id: string; route: string };
    console.log(
      JSON.stringify({
        message: 'event received',
        handler: 'stripe-events',
        id: envelope.id,
        route: envelope.route,
      }),
    );
  }
  return { batchItemFailures: [] };
}
