/**
 * A job record whose failure is not retryable (its error class says `retryable: false`: a malformed
 * message, an order that can never be invoiced) goes to the job's DLQ at once, with the reason in its
 * message attributes, instead of failing `maxReceiveCount` receives first. Redriving it puts the same
 * body back on the job queue.
 */
import { type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { sqsClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import { HeraldError } from '../shared/errors.js';

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

/** Sends the record's body to the job's DLQ with the reason attached. Throws when the send fails. */
async function sendToJobDlq(record: SQSRecord, jobName: string, error: HeraldError): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: config.jobDlqUrl(),
      MessageBody: record.body,
      MessageAttributes: deadLetterAttributes(record, jobName, error),
    }),
  );
}

export { deadLetterAttributes, isPermanent, sendToJobDlq };
