/**
 * Drives an accepted event through the real dispatch handler, for the API handler tests that follow an
 * event to the receiver: the harness's subscriber queue gets every published message (raw delivery,
 * attributes included), which is exactly what the dispatch queue would get.
 */
import { DeleteMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { parseDispatchMessage } from '../../../lambdas/shared/messages.js';
import { handler as dispatch } from '../../../lambdas/webhooks/dispatch.handler.js';
import { recordFromMessage } from '../../../lambdas/webhooks/record-event.js';
import { toSqsRecord } from '../../../local/event-source-poller.js';
import { lambdaContext } from '../../support/factories.js';
import { type Harness, receiveAll } from '../../support/harness.js';

/** Published messages for `tenantId` now in the subscriber queue (removed from it). */
async function takePublished(h: Harness, tenantId: string): Promise<Message[]> {
  const all = await receiveAll(h.sqs, h.queues.subscriber, 30);
  const mine = all.filter((m) => m.MessageAttributes?.tenantId?.StringValue === tenantId);
  for (const message of mine) {
    await h.sqs.send(
      new DeleteMessageCommand({ QueueUrl: h.queues.subscriber, ReceiptHandle: message.ReceiptHandle! }),
    );
  }
  return mine;
}

/** Dispatch's first step only (the event is recorded as dispatch records it), without any webhook POST. */
async function recordMessages(messages: readonly Message[]): Promise<void> {
  for (const message of messages) {
    const record = toSqsRecord(message, 'arn:aws:sqs:us-east-1:000000000000:dispatch', 'us-east-1');
    const parsed = parseDispatchMessage(record.body);
    if (parsed.kind === 'event') await recordFromMessage(record, parsed.event);
  }
}

/** Runs dispatch over `messages` as one SQS batch; answers the batch item failures. */
async function dispatchMessages(messages: readonly Message[]): Promise<number> {
  if (messages.length === 0) return 0;
  const records = messages.map((m) =>
    toSqsRecord(m, 'arn:aws:sqs:us-east-1:000000000000:dispatch', 'us-east-1'),
  );
  const result = await dispatch({ Records: records }, lambdaContext({ functionName: 'herald-dispatch' }));
  return result.batchItemFailures.length;
}

export { dispatchMessages, recordMessages, takePublished };
