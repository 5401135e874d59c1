/**
 * A job record whose failure is not retryable (its error class says `retryable: false`: a malformed
 * message, an order that can never be invoiced) goes to the job's DLQ at once, with the reason in its
 * message attributes, instead of failing `maxReceiveCount` receives first. Any other failure is sent
 * the same way on the record's last receive (failure.ts), so every job DLQ message says why: the last
 * error's class and message. Redriving it puts the same body back on the job queue.
 *
 * A record can be received twice at once (its visibility ran out while the first receive was still
 * working). So that it lands on the DLQ once, the first receive claims it with a conditional write in
 * the idempotency table (`dead-letter#<job>#<messageId>`, expiring after a day); a receive that finds
 * the claim reports success without sending. A failed send gives the claim back, so a retry can send.
 */
import { type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { documentClient, sqsClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import { isConditionFailure } from '../shared/store/table.js';
import type { FailureDescription } from './failure.js';

/** How long a claim keeps a second receive of the same record from sending it again. */
const CLAIM_TTL_SECONDS = 24 * 60 * 60;

/** SQS allows 10 message attributes; Herald's (at most six) come first, then the original ones that fit. */
const MAX_ATTRIBUTES = 10;
/** Attribute values are kept short: the reason is for a person reading a peek, not a stack trace. */
const MAX_REASON_LENGTH = 1_000;

/**
 * The DLQ message attributes that carry why a record was dead-lettered, and from where (read by
 * `GET /v1/dlq/{name}/stats`, lambdas/api/dlq-stats.ts). `retried`: it failed on every receive, rather
 * than being sent at once for a non-retryable error.
 */
function deadLetterAttributes(
  record: SQSRecord,
  jobName: string,
  failure: FailureDescription,
  retried: boolean,
): Record<string, MessageAttributeValue> {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  const own: Record<string, MessageAttributeValue> = {
    'herald-job': text(jobName),
    ...(failure.code !== undefined ? { 'herald-error-code': text(failure.code) } : {}),
    'herald-error-class': text(failure.errorClass),
    'herald-error': text(failure.message.slice(0, MAX_REASON_LENGTH) || failure.code || failure.errorClass),
    'herald-receive-count': {
      DataType: 'Number',
      StringValue: record.attributes.ApproximateReceiveCount || '1',
    },
    ...(retried ? { 'herald-retried': text('true') } : {}),
  };
  const original = Object.entries(record.messageAttributes ?? {})
    .filter(([name, value]) => !(name in own) && value.stringValue !== undefined)
    .slice(0, MAX_ATTRIBUTES - Object.keys(own).length)
    .map(([name, value]) => [name, { DataType: value.dataType, StringValue: value.stringValue }] as const);
  return { ...Object.fromEntries(original), ...own };
}

/** True when this receive claimed the record for the DLQ; false when another receive already did. */
async function claim(key: string): Promise<boolean> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: config.idempotencyTable(),
        Item: { id: key, expiration: Math.floor(Date.now() / 1000) + CLAIM_TTL_SECONDS },
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Sends the record's body to the job's DLQ once, with the reason attached. Answers false when another
 * receive of the same record already did; throws when the send fails (the claim is given back).
 */
async function sendToJobDlq(
  record: SQSRecord,
  jobName: string,
  failure: FailureDescription,
  retried: boolean,
): Promise<boolean> {
  const key = `dead-letter#${jobName}#${record.messageId}`;
  if (!(await claim(key))) return false;
  try {
    await sqsClient().send(
      new SendMessageCommand({
        QueueUrl: config.jobDlqUrl(),
        MessageBody: record.body,
        MessageAttributes: deadLetterAttributes(record, jobName, failure, retried),
      }),
    );
    return true;
  } catch (sendError) {
    await documentClient()
      .send(new DeleteCommand({ TableName: config.idempotencyTable(), Key: { id: key } }))
      .catch(() => undefined); // the claim expires by itself
    throw sendError;
  }
}

export { sendToJobDlq };
