import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { SubscriptionFilter, type Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { grantQueues, grantTableAccess, type ItemAction } from './access.js';
import { HeraldFunction, PER_EVENT_MEMORY_MB } from './herald-function.js';
import type { JobDeclaration } from './jobs.js';
import { WorkQueue } from './work-queue.js';

interface BackgroundJobProps {
  readonly job: JobDeclaration;
  readonly eventsTopic: Topic;
  readonly mainTable: Table;
  readonly idempotencyTable: Table;
}

const JOB_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * One declared job: SNS subscription filtered on the event type → WorkQueue (+DLQ) → function, with
 * partial batch responses so one bad record does not send its batch-mates round again.
 */
class BackgroundJob extends Construct {
  /** The declared job name (HERALD_JOB_NAME, and `job-<name>` in HERALD_QUEUES). */
  readonly name: string;
  readonly workQueue: WorkQueue;
  readonly function: HeraldFunction;

  constructor(scope: Construct, id: string, props: BackgroundJobProps) {
    super(scope, id);
    const { job } = props;
    if (!JOB_NAME.test(job.name)) throw new Error(`Job name "${job.name}" must match ${JOB_NAME}`);
    this.name = job.name;
    if (job.eventTypes.length === 0) throw new Error(`Job "${job.name}" must take at least one event type`);
    if ((job.tableActions ?? []).length > 0 && (job.tableKeys ?? []).length === 0) {
      throw new Error(`Job "${job.name}" declares tableActions: it must declare the tableKeys they touch`);
    }
    const batchSize = job.batchSize ?? 10;
    if (batchSize < 1 || batchSize > 10_000) throw new Error(`Job "${job.name}": batchSize must be 1–10000`);
    const maxConcurrency = job.maxConcurrency ?? 10;
    if (maxConcurrency < 2 || maxConcurrency > 1000) {
      throw new Error(`Job "${job.name}": maxConcurrency must be 2–1000 (an SQS event source limit)`);
    }
    const timeout = Duration.seconds(job.timeoutSeconds ?? 30);
    // A batch over 10 needs a window of 1 s at least; `-c herald:batchingWindowSeconds` may ask more.
    const maxBatchingWindow = WorkQueue.batchingWindowFromContext(this, batchSize > 10 ? 1 : 0);

    this.workQueue = new WorkQueue(this, 'Work', {
      consumerTimeout: timeout,
      ...(maxBatchingWindow ? { maxBatchingWindow } : {}),
      maxReceiveCount: job.maxReceiveCount ?? 5,
    });
    props.eventsTopic.addSubscription(
      new SqsSubscription(this.workQueue.queue, {
        rawMessageDelivery: true,
        filterPolicy: { type: SubscriptionFilter.stringFilter({ allowlist: [...job.eventTypes] }) },
        // Undeliverable by SNS (queue policy, throttling) → the job's DLQ; redrive moves it into the queue.
        deadLetterQueue: this.workQueue.deadLetterQueue,
      }),
    );

    this.function = new HeraldFunction(this, 'Handler', {
      entry: job.entry,
      timeout,
      memorySize: PER_EVENT_MEMORY_MB,
      environment: {
        HERALD_JOB_NAME: job.name,
        HERALD_TABLE: props.mainTable.tableName,
        HERALD_IDEMPOTENCY_TABLE: props.idempotencyTable.tableName,
        HERALD_EVENTS_TOPIC_ARN: props.eventsTopic.topicArn,
        HERALD_JOB_DLQ_URL: this.workQueue.deadLetterQueue.queueUrl,
        // On its last receive a failing record is sent to the DLQ by the runner, with the last error.
        HERALD_JOB_MAX_RECEIVE_COUNT: String(this.workQueue.maxReceiveCount),
      },
    });
    // A non-retryable failure goes to the DLQ at once, any other on its last receive (lambdas/jobs/job-dlq.ts).
    grantQueues(this.function, 'send', [this.workQueue.deadLetterQueue]);
    // The runner reads the event (EVT#); the job adds what it declares, on the keys it declares.
    grantTableAccess(this.function, props.mainTable, { actions: ['GetItem'], leadingKeys: ['EVT#*'] });
    const ownActions: readonly ItemAction[] = job.tableActions ?? [];
    if (ownActions.length > 0) {
      grantTableAccess(this.function, props.mainTable, {
        actions: ownActions,
        leadingKeys: job.tableKeys ?? [],
      });
    }
    grantTableAccess(this.function, props.idempotencyTable, {
      actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
    });
    props.eventsTopic.grantPublish(this.function);
    this.function.addEventSource(
      new SqsEventSource(this.workQueue.queue, {
        batchSize,
        ...(maxBatchingWindow ? { maxBatchingWindow } : {}),
        maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}

export type { BackgroundJobProps };
export { BackgroundJob };
