/**
 * Sends `herald.redeliver` requests to the dispatch queue (docs/internals.md "Messages"), ten per
 * SendMessageBatch call. Dispatch bumps the delivery's generation, so a replay delivers again even when
 * the first delivery succeeded; receivers dedupe on `webhook-id`.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import type { RedeliverMessage } from '../shared/messages.js';

const SQS_BATCH_SIZE = 10;

async function sendRedeliveries(
  requests: readonly RedeliverMessage[],
): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  for (let i = 0; i < requests.length; i += SQS_BATCH_SIZE) {
    const batch = requests.slice(i, i + SQS_BATCH_SIZE);
    const result = await sqsClient().send(
      new SendMessageBatchCommand({
        QueueUrl: config.dispatchQueueUrl(),
        Entries: batch.map((request, index) => ({ Id: String(index), MessageBody: JSON.stringify(request) })),
      }),
    );
    sent += result.Successful?.length ?? 0;
    failed += result.Failed?.length ?? 0;
  }
  return { sent, failed };
}

export { sendRedeliveries };
