/**
 * Sends failed deliveries to the webhook DLQ as redeliver requests (shared/messages.ts), so redriving
 * the webhook DLQ into the dispatch queue delivers again under a new generation.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import { REDELIVER_KIND, type WebhookDlqMessage } from '../shared/messages.js';

function webhookDlqMessage(input: {
  eventId: string;
  endpointId: string;
  failedAt: string;
  attempts: number;
  lastError: string | undefined;
}): WebhookDlqMessage {
  return {
    kind: REDELIVER_KIND,
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

export { sendToWebhookDlq, webhookDlqMessage };
