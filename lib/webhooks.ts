import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  JitterType,
  LogLevel,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, SqsSendMessage } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { REDELIVER_KIND } from '../lambdas/shared/messages.js';
import { RETRY_WORKFLOW_TIMEOUT_SECONDS } from '../lambdas/webhooks/backoff.js';
import { grantQueues, grantTableAccess } from './access.js';
import { HeraldFunction, PER_EVENT_MEMORY_MB } from './herald-function.js';
import type { SecretsKey } from './signing-secrets-key.js';
import { listIndexOf } from './tables.js';
import { WorkQueue } from './work-queue.js';

interface WebhooksProps {
  readonly eventsTopic: Topic;
  readonly mainTable: Table;
  /** Opens endpoint signing secrets to sign with. */
  readonly secretsKey: SecretsKey;
  readonly allowLoopbackWebhooks: boolean;
  /** Multiplies every retry wait (tests and demos only). @default 1 */
  readonly retryTimeScale?: number;
  /** Per-attempt HTTP timeout (the retry workflow's attempts). @default Duration.seconds(15) */
  readonly attemptTimeout?: Duration;
  /**
   * Timeout of dispatch's inline first attempt; a timeout opens the endpoint's breaker, so a hanging
   * receiver costs the shared dispatch pool this once (adrs/0007). @default Duration.seconds(1)
   */
  readonly inlineTimeout?: Duration;
  /**
   * An endpoint whose every attempt failed for this long is disabled (context
   * `herald:endpointDisableAfter`); multiplied by `retryTimeScale`. @default Duration.days(5)
   */
  readonly endpointDisableAfter?: Duration;
  /** Concurrent POSTs of one event's fan-out in a dispatch invocation. @default 10 */
  readonly fanoutConcurrency?: number;
  /**
   * Reserved concurrency of dispatch and the attempt function (contexts
   * `herald:dispatchReservedConcurrency`, `herald:attemptReservedConcurrency`; 0: none), so a storm of
   * retries can neither starve nor be starved by the account's other functions (adrs/0011).
   * @default { dispatch: 20, attempt: 20 }
   */
  readonly reservedConcurrency?: { readonly dispatch?: number; readonly attempt?: number };
}

/** Longest a retry-lane consumer holds a batch: its attempts run concurrently, each up to the POST timeout. */
const LANE_MARGIN = Duration.seconds(15);

/**
 * `herald:endpointDisableAfter`: whole seconds (`432000`) or a duration string (`5d`, `36h`, `90m`,
 * `600s`). Throws on anything else, so a typo fails the synth instead of disabling endpoints early.
 */
function parseDisableAfter(value: unknown): Duration | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).trim();
  const match = /^(\d+)\s*([smhd]?)$/.exec(text);
  if (match === null || Number(match[1]) <= 0) {
    throw new Error(
      `Context herald:endpointDisableAfter must be seconds or a duration like 5d, 36h, 90m; got ${text}`,
    );
  }
  const amount = Number(match[1]);
  const unit = match[2] || 's';
  return unit === 'd'
    ? Duration.days(amount)
    : unit === 'h'
      ? Duration.hours(amount)
      : unit === 'm'
        ? Duration.minutes(amount)
        : Duration.seconds(amount);
}

/**
 * Outbound webhooks: every event reaches the dispatch queue; dispatch makes the first signed POST
 * inline and only a retryable failure starts the Standard retry workflow, which waits with backoff
 * between attempts and ends on the webhook DLQ when the schedule is exhausted.
 */
class Webhooks extends Construct {
  readonly dispatchQueue: WorkQueue;
  readonly webhookDlq: Queue;
  readonly dispatchFunction: HeraldFunction;
  readonly attemptFunction: HeraldFunction;
  readonly retryStateMachine: StateMachine;
  /** Retries due within 45 min wait here, not in a workflow (adrs/0013). */
  readonly retryLane: WorkQueue;
  readonly retryLaneFunction: HeraldFunction;
  /** What every delivery function is given (the recovery function too). */
  readonly deliveryEnvironment: Record<string, string>;
  readonly attemptTimeout: Duration;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const attemptTimeout = props.attemptTimeout ?? Duration.seconds(15);
    const timeScale = props.retryTimeScale ?? 1;
    const disableAfter = (props.endpointDisableAfter ?? Duration.days(5)).toSeconds() * timeScale;
    const fanout = props.fanoutConcurrency ?? 10;
    if (!Number.isInteger(fanout) || fanout < 1)
      throw new Error(`fanoutConcurrency must be a positive integer, got ${fanout}`);
    const deliveryEnv = {
      HERALD_TABLE: props.mainTable.tableName,
      ...props.secretsKey.environment,
      HERALD_ALLOW_LOOPBACK_WEBHOOKS: String(props.allowLoopbackWebhooks),
      HERALD_RETRY_TIME_SCALE: String(timeScale),
      HERALD_WEBHOOK_TIMEOUT_MS: String(attemptTimeout.toMilliseconds()),
      HERALD_INLINE_TIMEOUT_MS: String((props.inlineTimeout ?? Duration.seconds(1)).toMilliseconds()),
      HERALD_ENDPOINT_DISABLE_AFTER_SECONDS: String(Math.max(1, Math.round(disableAfter))),
      // Operational events (herald.*) are published by both delivery functions.
      HERALD_EVENTS_TOPIC_ARN: props.eventsTopic.topicArn,
    };
    this.deliveryEnvironment = deliveryEnv;
    this.attemptTimeout = attemptTimeout;
    const reservedAttempt = props.reservedConcurrency?.attempt ?? 20;
    const reservedDispatch = props.reservedConcurrency?.dispatch ?? 20;

    this.webhookDlq = new Queue(this, 'WebhookDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.attemptFunction = new HeraldFunction(this, 'Attempt', {
      entry: 'lambdas/webhooks/retry-attempt.handler.ts',
      timeout: attemptTimeout.plus(Duration.seconds(15)),
      memorySize: PER_EVENT_MEMORY_MB,
      ...(reservedAttempt > 0 ? { reservedConcurrentExecutions: reservedAttempt } : {}),
      environment: deliveryEnv,
    });
    // No DLQ send: the state machine's SendToWebhookDlq task does that, with the workflow's role.
    grantTableAccess(this.attemptFunction, props.mainTable, {
      actions: ['GetItem', 'PutItem', 'UpdateItem'],
    });
    props.eventsTopic.grantPublish(this.attemptFunction);
    props.secretsKey.grantOpen(this.attemptFunction);

    this.retryStateMachine = this.buildRetryWorkflow(props.retryTimeScale ?? 1);

    // The retry lane (adrs/0013): its consumer makes the attempt and schedules what follows — on the
    // lane, in the workflow (a long wait) or on the webhook DLQ. Its own function, not the attempt
    // function, because that one is in the workflow's definition and cannot also hold its ARN.
    const laneTimeout = attemptTimeout.plus(LANE_MARGIN);
    this.retryLane = new WorkQueue(this, 'RetryLane', {
      consumerTimeout: laneTimeout,
      maxReceiveCount: 5,
      // A message waits up to SQS's 15 min delay per hop, and its age counts the delay.
      maxMessageAge: Duration.minutes(20),
    });
    this.retryLaneFunction = new HeraldFunction(this, 'RetryLaneConsumer', {
      entry: 'lambdas/webhooks/retry-lane.handler.ts',
      timeout: laneTimeout,
      memorySize: PER_EVENT_MEMORY_MB,
      ...(reservedAttempt > 0 ? { reservedConcurrentExecutions: reservedAttempt } : {}),
      environment: {
        ...deliveryEnv,
        HERALD_RETRY_STATE_MACHINE_ARN: this.retryStateMachine.stateMachineArn,
        HERALD_WEBHOOK_DLQ_URL: this.webhookDlq.queueUrl,
        HERALD_RETRY_LANE_URL: this.retryLane.queue.queueUrl,
      },
    });
    grantTableAccess(this.retryLaneFunction, props.mainTable, {
      actions: ['GetItem', 'PutItem', 'UpdateItem'],
    });
    grantQueues(this.retryLaneFunction, 'send', [this.webhookDlq, this.retryLane.queue]);
    props.eventsTopic.grantPublish(this.retryLaneFunction);
    props.secretsKey.grantOpen(this.retryLaneFunction);
    this.retryStateMachine.grantStartExecution(this.retryLaneFunction);
    this.retryLaneFunction.addEventSource(
      new SqsEventSource(this.retryLane.queue, {
        batchSize: 10,
        ...(reservedAttempt >= 2 ? { maxConcurrency: reservedAttempt } : {}),
        reportBatchItemFailures: true,
      }),
    );

    // Batches of events, each fanned out to its endpoints with inline first attempts: allow for
    // several slow receivers in one invocation.
    const dispatchTimeout = Duration.seconds(120);
    this.dispatchQueue = new WorkQueue(this, 'DispatchQueue', {
      consumerTimeout: dispatchTimeout,
      maxReceiveCount: 5,
      // None unless `-c herald:batchingWindowSeconds` asks: fewer SQS requests, later first attempts.
      maxBatchingWindow: WorkQueue.batchingWindowFromContext(this),
    });
    props.eventsTopic.addSubscription(
      // A message SNS cannot deliver lands in the queue's DLQ, where redrive moves it into the queue.
      new SqsSubscription(this.dispatchQueue.queue, {
        rawMessageDelivery: true,
        deadLetterQueue: this.dispatchQueue.deadLetterQueue,
      }),
    );

    this.dispatchFunction = new HeraldFunction(this, 'Dispatch', {
      entry: 'lambdas/webhooks/dispatch.handler.ts',
      timeout: dispatchTimeout,
      memorySize: PER_EVENT_MEMORY_MB,
      ...(reservedDispatch > 0 ? { reservedConcurrentExecutions: reservedDispatch } : {}),
      environment: {
        ...deliveryEnv,
        HERALD_LIST_INDEX: listIndexOf(props.mainTable),
        HERALD_RETRY_STATE_MACHINE_ARN: this.retryStateMachine.stateMachineArn,
        HERALD_WEBHOOK_DLQ_URL: this.webhookDlq.queueUrl,
        HERALD_RETRY_LANE_URL: this.retryLane.queue.queueUrl,
        HERALD_FANOUT_CONCURRENCY: String(fanout),
      },
    });
    grantTableAccess(this.dispatchFunction, props.mainTable, {
      actions: ['GetItem', 'PutItem', 'UpdateItem'],
      queryIndexes: [listIndexOf(props.mainTable)],
    });
    grantQueues(this.dispatchFunction, 'send', [this.webhookDlq, this.retryLane.queue]);
    props.eventsTopic.grantPublish(this.dispatchFunction);
    props.secretsKey.grantOpen(this.dispatchFunction);
    this.retryStateMachine.grantStartExecution(this.dispatchFunction);
    this.dispatchFunction.addEventSource(
      new SqsEventSource(this.dispatchQueue.queue, {
        batchSize: 10,
        maxBatchingWindow: this.dispatchQueue.maxBatchingWindow,
        maxConcurrency: 20,
        reportBatchItemFailures: true,
      }),
    );
  }

  /** The state machine docs/internals.md "Retry workflow" describes. */
  private buildRetryWorkflow(timeScale: number): StateMachine {
    // The schedule fits this timeout (test/unit/webhooks/backoff.test.ts checks worstCaseScheduleSeconds).
    const wait = new Wait(this, 'WaitForNextAttempt', { time: WaitTime.timestampPath('$.waitUntil') });
    const attempt = new LambdaInvoke(this, 'AttemptDelivery', {
      lambdaFunction: this.attemptFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    });
    // Platform failures (Lambda throttles, service errors) are retried here with their own backoff;
    // subscriber failures never reach this Retry: the function reports them as outcome "retry".
    attempt.addRetry({
      errors: [
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.TooManyRequestsException',
      ],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.minutes(5),
      jitterStrategy: JitterType.FULL,
    });
    // Anything the function throws is a platform error (a DynamoDB blip, a config error): subscriber
    // failures come back as outcome "retry", never thrown. Retried a few times before the Catch
    // dead-letters the delivery; a re-run repeats the POST with the same webhook-id and attempt number.
    // Budgeted in backoff.ts ATTEMPT_ALLOWANCE_SECONDS.
    attempt.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 4,
      maxDelay: Duration.minutes(1),
      jitterStrategy: JitterType.FULL,
    });
    const recordPlatformFailure = new Pass(this, 'RecordPlatformFailure', {
      parameters: {
        dlqMessage: {
          kind: REDELIVER_KIND,
          'eventId.$': '$.eventId',
          'endpointId.$': '$.endpointId',
          reason: 'redrive',
          'failedAt.$': '$$.State.EnteredTime',
          // The attempt that hit the platform failure counts, as the attempt function counts a failed one.
          'attempts.$': '$.attempt',
          'lastError.$': '$.error.Error',
        },
      },
    });
    attempt.addCatch(recordPlatformFailure, { errors: ['States.ALL'], resultPath: '$.error' });

    const sendToDlq = new SqsSendMessage(this, 'SendToWebhookDlq', {
      queue: this.webhookDlq,
      messageBody: TaskInput.fromJsonPathAt('$.dlqMessage'),
    });
    // A failed send would end the execution FAILED with the delivery on no queue; retry it here
    // (the retry watch still dead-letters it if every retry fails).
    sendToDlq.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.minutes(1),
      jitterStrategy: JitterType.FULL,
    });
    const exhausted = new Fail(this, 'Exhausted', {
      error: 'WebhookDeliveryFailed',
      cause: 'Retry schedule exhausted or permanent failure; the delivery is on the webhook DLQ',
    });
    sendToDlq.next(exhausted);
    recordPlatformFailure.next(sendToDlq);

    const isDelivered = new Choice(this, 'IsDelivered')
      .when(Condition.stringEquals('$.outcome', 'delivered'), new Succeed(this, 'Delivered'))
      .when(Condition.stringEquals('$.outcome', 'retry'), wait)
      .otherwise(sendToDlq);
    const definition = wait.next(attempt).next(isDelivered);

    return new StateMachine(this, 'RetryWorkflow', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      // Scaled like the waits, so a test can run a workflow out of time (lib/retry-watch.ts handles it).
      timeout: Duration.seconds(Math.max(1, Math.round(RETRY_WORKFLOW_TIMEOUT_SECONDS * timeScale))),
      logs: {
        destination: new LogGroup(this, 'RetryWorkflowLogs', {
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ERROR,
      },
    });
  }
}

export type { WebhooksProps };
export { parseDisableAfter, Webhooks };
