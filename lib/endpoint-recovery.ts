import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  DefinitionBody,
  JitterType,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RETRY_SCHEDULE_SECONDS } from '../lambdas/webhooks/backoff.js';
import { grantQueues, grantTableAccess } from './access.js';
import { HeraldFunction, PER_EVENT_MEMORY_MB } from './herald-function.js';
import type { SecretsKey } from './signing-secrets-key.js';

/** The event retention (lib/tables.ts TTL): a parked delivery cannot outlive its event. */
const MAX_BACKLOG_LIFETIME_SECONDS = 30 * 24 * 60 * 60;
/** As today's retry schedule: the span of its waits. */
const DEFAULT_BACKLOG_LIFETIME_SECONDS = RETRY_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0);

interface EndpointRecoveryProps {
  readonly mainTable: Table;
  readonly eventsTopic: Topic;
  readonly secretsKey: SecretsKey;
  readonly webhookDlq: Queue;
  readonly retryStateMachine: StateMachine;
  /** The retry lane (adrs/0013): a drain's message-specific failure retries there first. */
  readonly retryLane: Queue;
  /** The delivery functions' environment (table, timeouts, time scale, secrets key). */
  readonly deliveryEnvironment: Record<string, string>;
  readonly attemptTimeout: Duration;
  readonly retryTimeScale: number;
  /** How long a delivery may stay parked (context `herald:backlogLifetimeSeconds`). @default the schedule's span */
  readonly backlogLifetimeSeconds?: number;
  /** Attempts in flight at once to a slow receiver (context `herald:slowLaneWidth`). @default 2 */
  readonly slowLaneWidth?: number;
  /** Concurrent recovery steps in the account (context `herald:recoveryReservedConcurrency`; 0: none). @default 20 */
  readonly reservedConcurrency?: number;
}

/**
 * Endpoint recovery (adrs/0011): one Standard workflow per endpoint in trouble — Wait, then one
 * recovery step (probe, or a slice of the drain), then a Choice — started by dispatch when it parks
 * the first delivery of an endpoint's backlog. Three transitions per step, whatever the backlog holds.
 */
class EndpointRecovery extends Construct {
  readonly recoveryFunction: HeraldFunction;
  readonly stateMachine: StateMachine;
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: EndpointRecoveryProps) {
    super(scope, id);
    const lifetime = props.backlogLifetimeSeconds ?? DEFAULT_BACKLOG_LIFETIME_SECONDS;
    if (!(lifetime > 0 && lifetime <= MAX_BACKLOG_LIFETIME_SECONDS)) {
      throw new Error(
        `backlogLifetimeSeconds must be in (0, ${MAX_BACKLOG_LIFETIME_SECONDS}], got ${lifetime}`,
      );
    }
    const drainSliceSeconds = 60;
    this.environment = {
      HERALD_BACKLOG_LIFETIME_SECONDS: String(Math.max(1, Math.round(lifetime * props.retryTimeScale))),
      HERALD_SLOW_LANE_WIDTH: String(props.slowLaneWidth ?? 2),
      HERALD_DRAIN_SLICE_SECONDS: String(drainSliceSeconds),
    };
    const reserved = props.reservedConcurrency ?? 20;
    this.recoveryFunction = new HeraldFunction(this, 'Step', {
      entry: 'lambdas/webhooks/recovery/recovery.handler.ts',
      // A drain slice, then one attempt that started at its very end, then the bookkeeping.
      timeout: Duration.seconds(drainSliceSeconds).plus(props.attemptTimeout).plus(Duration.seconds(30)),
      memorySize: PER_EVENT_MEMORY_MB,
      ...(reserved > 0 ? { reservedConcurrentExecutions: reserved } : {}),
      environment: {
        ...props.deliveryEnvironment,
        ...this.environment,
        HERALD_WEBHOOK_DLQ_URL: props.webhookDlq.queueUrl,
        HERALD_RETRY_STATE_MACHINE_ARN: props.retryStateMachine.stateMachineArn,
        HERALD_RETRY_LANE_URL: props.retryLane.queueUrl,
      },
    });
    grantTableAccess(this.recoveryFunction, props.mainTable, {
      actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
    });
    grantQueues(this.recoveryFunction, 'send', [props.webhookDlq, props.retryLane]);
    props.eventsTopic.grantPublish(this.recoveryFunction);
    props.secretsKey.grantOpen(this.recoveryFunction);
    // A message-specific failure during a drain gets its own retries, as on a healthy endpoint.
    props.retryStateMachine.grantStartExecution(this.recoveryFunction);

    const wait = new Wait(this, 'WaitForNextStep', { time: WaitTime.timestampPath('$.waitUntil') });
    const stepTask = new LambdaInvoke(this, 'RecoveryStep', {
      lambdaFunction: this.recoveryFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    });
    // Any failure (throttle, DynamoDB blip) is retried with backoff; after that the execution fails
    // and the retry watch starts a new recovery (lib/retry-watch.ts): nothing parked is dropped.
    stepTask.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.minutes(5),
      jitterStrategy: JitterType.FULL,
    });
    const next = new Choice(this, 'RecoveryOver')
      .when(Condition.booleanEquals('$.done', true), new Succeed(this, 'Recovered'))
      .otherwise(wait);
    this.stateMachine = new StateMachine(this, 'Workflow', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(wait.next(stepTask).next(next)),
      // Outlives the longest backlog: its lifetime and a drain of what is left.
      timeout: Duration.seconds(Math.max(60, Math.round((lifetime * 2 + 86_400) * props.retryTimeScale))),
      logs: {
        destination: new LogGroup(this, 'WorkflowLogs', {
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
        level: LogLevel.ERROR,
      },
    });
  }
}

export type { EndpointRecoveryProps };
export { EndpointRecovery };
