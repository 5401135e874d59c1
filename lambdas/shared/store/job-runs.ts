/**
 * Which jobs ran for an event and what each emitted (`GET /v1/events/{id}` `jobs`, `herald events get`):
 * one item per (event, job), `EVT#<id>` / `JOB#<name>`, beside the event's deliveries, living as long as
 * the event. Written by the job runner after a run (completed, with the follow-up event ids) or a failure
 * (its class and message, the receive it happened on); a completed run is never overwritten by a late
 * failure report of the same record. Advisory: the runner never fails a record because this write did.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import { expiresAtOf } from './events.js';
import { compositeKey, isConditionFailure } from './table.js';

type JobRunState = 'completed' | 'failed' | 'dead_lettered';

interface JobRun {
  readonly job: string;
  readonly state: JobRunState;
  readonly at: string;
  /** The receive the report came from (SQS ApproximateReceiveCount). */
  readonly attempts?: number;
  readonly emitted?: readonly string[];
  readonly errorClass?: string;
  readonly error?: string;
}

/** Error messages are for a person reading `events get`, not a log: kept short. */
const MAX_ERROR_LENGTH = 500;
/** What every run item's sort key starts with (`compositeKey('JOB', name)`). */
const JOB_PREFIX = 'JOB#';

async function recordJobRun(eventId: string, eventCreatedAt: string, run: JobRun): Promise<void> {
  const item = {
    pk: compositeKey('EVT', eventId),
    sk: compositeKey('JOB', run.job),
    ...run,
    ...(run.error !== undefined ? { error: run.error.slice(0, MAX_ERROR_LENGTH) } : {}),
    expiresAt: expiresAtOf(eventCreatedAt),
  };
  try {
    await documentClient().send(
      new PutCommand({
        TableName: config.table(),
        Item: item,
        // A redelivered duplicate's failure must not hide that the job completed.
        ConditionExpression: 'attribute_not_exists(pk) OR #state <> :completed',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':completed': 'completed' },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

function toJobRun(item: Record<string, unknown>): JobRun {
  const text = (key: string) => (typeof item[key] === 'string' ? { [key]: item[key] as string } : {});
  return {
    job: String(item.job),
    state: String(item.state) as JobRunState,
    at: String(item.at),
    ...(typeof item.attempts === 'number' ? { attempts: item.attempts } : {}),
    ...(Array.isArray(item.emitted) ? { emitted: item.emitted.map(String) } : {}),
    ...text('errorClass'),
    ...text('error'),
  };
}

/** Every job run recorded for the event, by job name. */
async function listJobRuns(eventId: string): Promise<JobRun[]> {
  const result = await documentClient().send(
    new QueryCommand({
      TableName: config.table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': compositeKey('EVT', eventId), ':prefix': JOB_PREFIX },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map(toJobRun);
}

export type { JobRun, JobRunState };
export { listJobRuns, recordJobRun };
