import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { grantQueues, grantTableAccess } from './access.js';
import { HeraldFunction } from './herald-function.js';
import { WorkQueue } from './work-queue.js';

interface RetryWatchProps {
  readonly retryStateMachine: StateMachine;
  /** Endpoint recoveries (adrs/0011): one that ends badly is started again while its backlog holds anything. */
  readonly recoveryStateMachine: StateMachine;
  readonly mainTable: Table;
  readonly webhookDlq: Queue;
}

/** The execution statuses after which a delivery may be left open (docs/internals.md "Retry workflow"). */
const WATCHED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/**
 * A delivery can never vanish: an EventBridge rule on the retry workflow's "Execution Status Change"
 * events (FAILED, TIMED_OUT, ABORTED) feeds a work queue, whose function fails the delivery onto the
 * webhook DLQ when the workflow ended without doing so (a timeout in a Wait, an operator's
 * StopExecution, a DLQ send that kept failing). Through a queue rather than straight to the function:
 * SQS retries a DynamoDB blip, a poison event lands in a DLQ with an alarm, and EventBridge's own
 * undeliverable events go to that DLQ too, redrivable through /v1/dlq.
 */
class RetryWatch extends Construct {
  readonly rule: Rule;
  readonly workQueue: WorkQueue;
  readonly watchFunction: HeraldFunction;

  constructor(scope: Construct, id: string, props: RetryWatchProps) {
    super(scope, id);
    const timeout = Duration.seconds(30);
    this.workQueue = new WorkQueue(this, 'Work', { consumerTimeout: timeout, maxReceiveCount: 5 });

    this.rule = new Rule(this, 'ExecutionEnded', {
      description: 'Retry-workflow executions that ended FAILED, TIMED_OUT or ABORTED → retry watch',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: [...WATCHED_STATUSES],
          stateMachineArn: [
            props.retryStateMachine.stateMachineArn,
            props.recoveryStateMachine.stateMachineArn,
          ],
        },
      },
    });
    this.rule.addTarget(
      new SqsQueue(this.workQueue.queue, {
        deadLetterQueue: this.workQueue.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );

    this.watchFunction = new HeraldFunction(this, 'Function', {
      entry: 'lambdas/webhooks/retry-watch.handler.ts',
      timeout,
      environment: {
        HERALD_TABLE: props.mainTable.tableName,
        HERALD_WEBHOOK_DLQ_URL: props.webhookDlq.queueUrl,
        HERALD_RECOVERY_STATE_MACHINE_ARN: props.recoveryStateMachine.stateMachineArn,
      },
    });
    // It reads the delivery, updates it conditionally and sends the webhook DLQ message; for a
    // recovery, it looks at the backlog and starts a new one.
    grantTableAccess(this.watchFunction, props.mainTable, { actions: ['GetItem', 'UpdateItem', 'Query'] });
    props.recoveryStateMachine.grantStartExecution(this.watchFunction);
    grantQueues(this.watchFunction, 'send', [props.webhookDlq]);
    this.watchFunction.addEventSource(
      new SqsEventSource(this.workQueue.queue, {
        batchSize: 10,
        // Executions end one by one; two pollers keep up with a burst of timeouts.
        maxConcurrency: 2,
        reportBatchItemFailures: true,
      }),
    );
  }
}

export type { RetryWatchProps };
export { RetryWatch };
