/**
 * A job record whose failure is not retryable (its error class says `retryable: false`: a malformed
 * message, an order that can never be invoiced) goes to the job's DLQ at once, with the reason in its
 * message attributes, instead of failing `maxReceiveCount` receives first. Redriving it puts the same
 * body back on the job queue.
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
import { HeraldError } from '../shared/errors.js';
import { isConditionFailure } from '../shared/store/table.js';

/** How long a claim keeps a second receive of the same record from sending it again. */
const CLAIM_TTL_SECONDS = 24 * 60 * 60;

/** SQS allows 10 message attributes; Herald's four come first, then the original ones that fit. */
const MAX_ATTRIBUTES = 10;
/** Attribute values are kept short: the reason is for a person reading a peek, not a stack trace. */
const MAX_REASON_LENGTH = 1_000;

/** Whether a job failure should go to the DLQ now: only Herald errors that say they are not retryable. */
function isPermanent(error: unknown): error is HeraldError {
  return error instanceof HeraldError && !error.retryable;
}

/** The DLQ message attributes that carry why a record was dead-lettered, and from where. */
function deadLetterAttributes(
  record: SQSRecord,
  jobName: string,
  error: HeraldError,
): Record<string, MessageAttributeValue> {
  const own: Record<string, MessageAttributeValue> = {
    'herald-job': { DataType: 'String', StringValue: jobName },
    'herald-error-code': { DataType: 'String', StringValue: error.code },
    'herald-error': {
      DataType: 'String',
      StringValue: error.message.slice(0, MAX_REASON_LENGTH) || error.code,
    },
    'herald-receive-count': {
      DataType: 'Number',
      StringValue: record.attributes.ApproximateReceiveCount || '1',
    },
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
async function sendToJobDlq(record: SQSRecord, jobName: string, error: HeraldError): Promise<boolean> {
  const key = `dead-letter#${jobName}#${record.messageId}`;
  if (!(await claim(key))) return false;
  try {
    await sqsClient().send(
      new SendMessageCommand({
        QueueUrl: config.jobDlqUrl(),
        MessageBody: record.body,
        MessageAttributes: deadLetterAttributes(record, jobName, error),
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

export { isPermanent, sendToJobDlq };
