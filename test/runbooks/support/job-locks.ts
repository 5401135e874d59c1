/**
 * A fixable job failure for the runbook tests: an idempotency record left `INPROGRESS` (as a crashed
 * run would leave it, with a far-off expiry) makes every receive of that event's job fail with
 * IdempotencyAlreadyInProgressError, so the message is retried and reaches the DLQ after
 * maxReceiveCount — while its body stays valid. Removing the lock is "the fix"; a redrive then
 * processes the message for real. The key follows Powertools' format as the job uses it (`<function>#md5(json(key))`,
 * key = `<eventId>#<job>` in lambdas/jobs/runner.ts); `lockExists` lets a test check the format against
 * a record the job itself wrote.
 */
import { createHash } from 'node:crypto';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';

const LOCK_SECONDS = 3600;

class JobLocks {
  private readonly client: DynamoDBClient;

  constructor(
    endpoint: string,
    private readonly table: string,
    private readonly functionName: string,
    private readonly job: string,
  ) {
    this.client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  /** The idempotency record id of this job for `eventId`. */
  recordId(eventId: string): string {
    const hash = createHash('md5')
      .update(JSON.stringify(`${eventId}#${this.job}`))
      .digest('base64');
    return `${this.functionName}#${hash}`;
  }

  async lock(eventId: string): Promise<void> {
    const nowMs = Date.now();
    await this.client.send(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          id: { S: this.recordId(eventId) },
          status: { S: 'INPROGRESS' },
          expiration: { N: String(Math.floor(nowMs / 1000) + LOCK_SECONDS) },
          in_progress_expiration: { N: String(nowMs + LOCK_SECONDS * 1000) },
        },
      }),
    );
  }

  /** Removes the lock only if it is still ours (a completed record is the job's own). */
  async unlock(eventId: string): Promise<void> {
    await this.client
      .send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: { id: { S: this.recordId(eventId) } },
          ConditionExpression: '#s = :p',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':p': { S: 'INPROGRESS' } },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
      });
  }

  /** The status of the job's idempotency record for `eventId`, if there is one. */
  async status(eventId: string): Promise<string | undefined> {
    const result = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { id: { S: this.recordId(eventId) } },
        ConsistentRead: true,
      }),
    );
    return result.Item?.status?.S;
  }

  close(): void {
    this.client.destroy();
  }
}

export { JobLocks };
