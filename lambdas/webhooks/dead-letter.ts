/**
 * The webhook DLQ message (docs/internals.md "Messages"): shaped as a `herald.redeliver` request, so
 * redriving the webhook DLQ into the dispatch queue delivers again under a new generation.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';

interface WebhookDlqMessage {
  readonly kind: 'herald.redeliver';
  readonly eventId: string;
  readonly endpointId: string;
  readonly reason: 'redrive';
  readonly failedAt: string;
  readonly attempts: number;
  readonly lastError: string;
}

function webhookDlqMessage(input: {
  eventId: string;
  endpointId: string;
  failedAt: string;
  attempts: number;
  lastError: string | undefined;
}): WebhookDlqMessage {
  return {
    kind: 'herald.redeliver',
    eventId: input.eventId,
    endpointId: input.endpointId,
    reason: 'redrive',
    failedAt: input.failedAt,
    attempts: input.attempts,
    lastError: input.lastError ?? 'unknown',
  };
}

async function sendToWebhookDlq(message: WebhookDlqMessage): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({ QueueUrl: config.webhookDlqUrl(), MessageBody: JSON.stringify(message) }),
  );
}

export type { WebhookDlqMessage };
export { sendToWebhookDlq, webhookDlqMessage };
