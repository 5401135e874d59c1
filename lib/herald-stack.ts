import {
  Aspects,
  CfnOutput,
  type Duration,
  type IAspect,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnEventSourceMapping, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct, IConstruct } from 'constructs';
import type { Limits } from '../lambdas/shared/limits.js';
import { BackgroundJob } from './background-job.js';
import {
  type Billing,
  DEFAULT_CAPACITY,
  eventSourceConcurrency,
  type ProvisionedCapacity,
} from './capacity.js';
import { EndpointRecovery, type EndpointRecoveryProps } from './endpoint-recovery.js';
import { EventsApi } from './events-api.js';
import { jobs as declaredJobs, type JobDeclaration } from './jobs.js';
import { adminOnlyKeyPolicy, useThroughService } from './key-policy.js';
import { suppressNag } from './nag.js';
import { Observability } from './observability.js';
import { Portal } from './portal.js';
import { RetryWatch } from './retry-watch.js';
import { PublicKeySet } from './signing-keys.js';
import { SecretsKey } from './signing-secrets-key.js';
import { HeraldTables, type LegacyGsi1 } from './tables.js';
import { Webhooks, type WebhooksProps } from './webhooks.js';
import type { WorkQueue } from './work-queue.js';

interface HeraldStackProps extends StackProps {
  /** @default the declarations in lib/jobs.ts */
  readonly jobs?: readonly JobDeclaration[];
  /** Accept http://127.0.0.1:<port> and http://localhost:<port> webhooks (local runtime only). @default false */
  readonly allowLoopbackWebhooks?: boolean;
  /** Multiplies retry waits (tests, demos). @default 1 */
  readonly retryTimeScale?: number;
  /** Disable an endpoint whose every attempt failed this long (times retryTimeScale). @default 5 days */
  readonly endpointDisableAfter?: Duration;
  /**
   * The delivery plane's timeouts and fan-out (contexts `herald:attemptTimeoutSeconds`,
   * `herald:inlineTimeoutMs`, `herald:fanoutConcurrency`). @default the Webhooks construct's defaults
   */
  readonly delivery?: Pick<
    WebhooksProps,
    'attemptTimeout' | 'inlineTimeout' | 'fanoutConcurrency' | 'reservedConcurrency'
  >;
  /**
   * Endpoint recovery (adrs/0011; contexts `herald:backlogLifetimeSeconds`, `herald:slowLaneWidth`,
   * `herald:recoveryReservedConcurrency`). @default EndpointRecovery's defaults
   */
  readonly recovery?: Pick<
    EndpointRecoveryProps,
    'backlogLifetimeSeconds' | 'slowLaneWidth' | 'reservedConcurrency'
  >;
  /** Refuse events whose type is not in the catalog (`unknown_event_type`). @default false */
  readonly strictEventTypes?: boolean;
  /** Limits against amplification (lambdas/shared/limits.ts). @default DEFAULT_LIMITS */
  readonly limits?: Partial<
    Pick<Limits, 'endpointsPerTenant' | 'replayCallsPerMinute' | 'callerDeliveriesPerMinute'>
  >;
  /** Where the portal is served (custom domain); portal links point there. @default the API endpoint */
  readonly publicUrl?: string;
  /** The longest portal link and session, 60 to 604800 seconds. @default 86400 (a day) */
  readonly portalMaxSessionSeconds?: number;
  /** @default no email subscription on the alarm topic */
  readonly alarmEmail?: string;
  /** Upgrading a stack deployed with the `gsi1` index (lib/tables.ts). @default none */
  readonly legacyGsi1?: LegacyGsi1;
  /** The tables' billing mode, context `herald:billing` (lib/capacity.ts). @default 'on-demand' */
  readonly billing?: Billing;
  /** Provisioned mode: auto-scaling range (context `herald:maxWriteCapacity`, ...). @default DEFAULT_CAPACITY */
  readonly capacity?: ProvisionedCapacity;
}

/** Herald: events API → SNS → job and dispatch queues → jobs and signed webhooks, with alarms. */
class HeraldStack extends Stack {
  constructor(scope: Construct, id: string, props: HeraldStackProps = {}) {
    super(scope, id, props);
    const allowLoopbackWebhooks = props.allowLoopbackWebhooks ?? false;

    const tables = new HeraldTables(this, 'Tables', {
      ...(props.legacyGsi1 !== undefined ? { legacyGsi1: props.legacyGsi1 } : {}),
      ...(props.billing !== undefined ? { billing: props.billing } : {}),
      ...(props.capacity !== undefined ? { capacity: props.capacity } : {}),
    });
    const secretsKey = new SecretsKey(this, 'SecretsKey');
    const topicsKey = topicsKeyFor(this);
    const eventsTopic = new Topic(this, 'EventsTopic', {
      displayName: 'Herald events',
      enforceSSL: true,
      masterKey: topicsKey,
    });

    const jobs = (props.jobs ?? declaredJobs).map(
      (job) =>
        new BackgroundJob(this, `Job-${job.name}`, {
          job,
          eventsTopic,
          mainTable: tables.main,
          idempotencyTable: tables.idempotency,
        }),
    );
    const webhooks = new Webhooks(this, 'Webhooks', {
      eventsTopic,
      mainTable: tables.main,
      secretsKey,
      allowLoopbackWebhooks,
      retryTimeScale: props.retryTimeScale ?? 1,
      ...(props.endpointDisableAfter ? { endpointDisableAfter: props.endpointDisableAfter } : {}),
      ...props.delivery,
    });

    suppressRetryWorkflowFindings(webhooks);

    const recovery = new EndpointRecovery(this, 'EndpointRecovery', {
      mainTable: tables.main,
      eventsTopic,
      secretsKey,
      webhookDlq: webhooks.webhookDlq,
      retryStateMachine: webhooks.retryStateMachine,
      retryLane: webhooks.retryLane.queue,
      deliveryEnvironment: webhooks.deliveryEnvironment,
      attemptTimeout: webhooks.attemptTimeout,
      retryTimeScale: props.retryTimeScale ?? 1,
      ...props.recovery,
    });
    suppressRecoveryWorkflowFindings(recovery);
    // Dispatch parks deliveries and starts an endpoint's recovery; the attempt function does neither.
    webhooks.dispatchFunction.addEnvironment(
      'HERALD_RECOVERY_STATE_MACHINE_ARN',
      recovery.stateMachine.stateMachineArn,
    );
    recovery.stateMachine.grantStartExecution(webhooks.dispatchFunction);

    const retryWatch = new RetryWatch(this, 'RetryWatch', {
      recoveryStateMachine: recovery.stateMachine,
      retryStateMachine: webhooks.retryStateMachine,
      mainTable: tables.main,
      webhookDlq: webhooks.webhookDlq,
    });

    const workQueues: Record<string, WorkQueue> = {
      dispatch: webhooks.dispatchQueue,
      'retry-lane': webhooks.retryLane,
      'retry-watch': retryWatch.workQueue,
    };
    for (const job of jobs) workQueues[`job-${job.name}`] = job.workQueue;
    const queuesJson = Stack.of(this).toJsonString(
      Object.entries(workQueues).map(([name, wq]) => ({
        name,
        url: wq.queue.queueUrl,
        arn: wq.queue.queueArn,
        dlqName: `${name}-dlq`,
        dlqUrl: wq.deadLetterQueue.queueUrl,
        dlqArn: wq.deadLetterQueue.queueArn,
      })),
    );

    const eventsApi = new EventsApi(this, 'EventsApi', {
      mainTable: tables.main,
      idempotencyTable: tables.idempotency,
      secretsKey,
      eventsTopic,
      dispatchQueue: webhooks.dispatchQueue.queue,
      webhookDlq: webhooks.webhookDlq,
      queuesJson,
      deadLetterQueues: [webhooks.webhookDlq, ...Object.values(workQueues).map((wq) => wq.deadLetterQueue)],
      redriveTargets: Object.values(workQueues).map((wq) => wq.queue),
      allowLoopbackWebhooks,
      strictEventTypes: props.strictEventTypes ?? false,
      ...(props.limits ? { limits: props.limits } : {}),
      ...(props.publicUrl !== undefined ? { publicUrl: props.publicUrl } : {}),
      ...(props.portalMaxSessionSeconds !== undefined
        ? { portalMaxSessionSeconds: props.portalMaxSessionSeconds }
        : {}),
    });

    new Portal(this, 'Portal', { api: eventsApi.api });
    new PublicKeySet(this, 'PublicKeySet', { api: eventsApi.api, mainTable: tables.main });

    const observability = new Observability(this, 'Observability', {
      workQueues,
      webhookDlq: webhooks.webhookDlq,
      retryStateMachine: webhooks.retryStateMachine,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
      functions: functionsOf(this),
      api: eventsApi.api,
      topicKey: topicsKey,
    });
    suppressTopicKeyFindings(Object.values(functionsOf(this)));
    // Every log group, access logs and the workflow's included, outlives the stack.
    Aspects.of(this).add(new RetainLogGroups());

    for (const alarm of tables.alarms) alarm.addAlarmAction(new SnsAction(observability.alarmTopic));
    if (tables.billing === 'provisioned') {
      Aspects.of(this).add(new SizeEventSources(props.capacity ?? DEFAULT_CAPACITY));
    }

    const outputs: Record<string, string> = {
      MainTableName: tables.main.tableName,
      IdempotencyTableName: tables.idempotency.tableName,
      EventsTopicArn: eventsTopic.topicArn,
      DispatchQueueUrl: webhooks.dispatchQueue.queue.queueUrl,
      WebhookDlqUrl: webhooks.webhookDlq.queueUrl,
      RetryStateMachineArn: webhooks.retryStateMachine.stateMachineArn,
      AlarmTopicArn: observability.alarmTopic.topicArn,
      DashboardName: observability.dashboard.dashboardName,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}

/**
 * Provisioned mode: every SQS event source's maximum concurrency cut to what the tables' write ceiling
 * can take (lib/capacity.ts `eventSourceConcurrency`), so a backlog drains at the rate the tables
 * allow instead of throttling. An aspect, so the constructs that declare the event sources stay as
 * they are.
 */
class SizeEventSources implements IAspect {
  private readonly mappings: CfnEventSourceMapping[] = [];
  constructor(private readonly capacity: ProvisionedCapacity) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnEventSourceMapping)) return;
    this.mappings.push(node);
    // Every mapping is visited before synthesis reads them; re-size all with the count seen so far.
    for (const mapping of this.mappings) {
      const scaling = mapping.scalingConfig as CfnEventSourceMapping.ScalingConfigProperty | undefined;
      const configured = typeof scaling?.maximumConcurrency === 'number' ? scaling.maximumConcurrency : 1000;
      const original = originalConcurrency.get(mapping) ?? configured;
      originalConcurrency.set(mapping, original);
      mapping.scalingConfig = {
        maximumConcurrency: eventSourceConcurrency(this.capacity, original, this.mappings.length),
      };
    }
  }
}
const originalConcurrency = new WeakMap<CfnEventSourceMapping, number>();

/**
 * The key of both topics (events and alarms): the account administers it; publishers use it only
 * through SNS, and CloudWatch only to publish alarms of this account.
 */
function topicsKeyFor(scope: Construct): Key {
  const key = new Key(scope, 'TopicsKey', {
    description: 'Herald SNS topics (events, alarms): encryption at rest',
    enableKeyRotation: true,
    policy: adminOnlyKeyPolicy(),
  });
  key.addToResourcePolicy(useThroughService(key, 'sns', ['kms:GenerateDataKey*', 'kms:Decrypt']));
  key.grant(
    new ServicePrincipal('cloudwatch.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
    }),
    'kms:GenerateDataKey*',
    'kms:Decrypt',
  );
  return key;
}

/** Every function of the stack, by its path below the stack (`EventsApi/Ingest`), for the alarms. */
function functionsOf(stack: Stack): Record<string, LambdaFunction> {
  const found: Record<string, LambdaFunction> = {};
  for (const node of stack.node.findAll()) {
    if (node instanceof LambdaFunction) found[node.node.path.split('/').slice(1).join('/')] = node;
  }
  return found;
}

/** `topic.grantPublish` grants `kms:GenerateDataKey*` on the topic key, as SNS documents it. */
function suppressTopicKeyFindings(functions: readonly LambdaFunction[]): void {
  for (const fn of functions) {
    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (policy === undefined) continue;
    suppressNag(policy, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'kms:GenerateDataKey* on the topics key is what SNS needs to publish to an encrypted topic; the key ' +
          'policy lets it be used only through SNS',
        appliesTo: ['Action::kms:GenerateDataKey*'],
      },
    ]);
  }
}

class RetainLogGroups implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof CfnLogGroup) node.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}

/**
 * cdk-nag findings on the retry workflow that are decisions, not oversights (kept here so that
 * lib/webhooks.ts stays the workflow's definition only).
 */
function suppressRetryWorkflowFindings(webhooks: Webhooks): void {
  suppressNag(webhooks.retryStateMachine, [
    {
      id: 'AwsSolutions-SF1',
      reason:
        'Logs at ERROR level: every transition is already in the execution history (90 days) and the delivery ' +
        'and attempt items; ALL would add a log event per transition of every retried delivery',
    },
    {
      id: 'AwsSolutions-SF2',
      reason:
        'X-Ray is off on purpose, as on the functions (cost per trace); executions are named ' +
        '<eventId>-<endpointId>-g<generation>, so each one is found from the delivery',
    },
  ]);
  suppressNag(webhooks.retryStateMachine.role.node.findChild('DefaultPolicy'), [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'CloudWatch Logs vended-log delivery actions (CreateLogDelivery, ...) support no resource-level ' +
        "permissions; and lambda:InvokeFunction on <attempt ARN>:* covers that one function's versions only",
      appliesTo: ['Resource::*', { regex: '/^Resource::<WebhooksAttempt[0-9A-F]{8}\\.Arn>:\\*$/g' }],
    },
  ]);
  suppressNag(webhooks.webhookDlq, [
    {
      id: 'AwsSolutions-SQS3',
      reason:
        'This is the webhook DLQ itself: the retry workflow sends exhausted deliveries here, and redrive ' +
        'sends them to the dispatch queue; a DLQ of the DLQ would only hide them',
    },
  ]);
}

function suppressRecoveryWorkflowFindings(recovery: EndpointRecovery): void {
  suppressNag(recovery.stateMachine, [
    {
      id: 'AwsSolutions-SF1',
      reason:
        'Logs at ERROR level: every step is in the execution history (90 days) and the backlog head; ' +
        'one recovery per endpoint in trouble logs its failures',
    },
    {
      id: 'AwsSolutions-SF2',
      reason:
        'X-Ray is off on purpose, as on the functions (cost per trace); executions are named ' +
        'rcv-<endpointId>-<ms>, found from the endpoint',
    },
  ]);
  suppressNag(recovery.stateMachine.role.node.findChild('DefaultPolicy'), [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'CloudWatch Logs vended-log delivery actions (CreateLogDelivery, ...) support no resource-level ' +
        "permissions; and lambda:InvokeFunction on <recovery step ARN>:* covers that one function's versions only",
      appliesTo: ['Resource::*', { regex: '/^Resource::<EndpointRecoveryStep[0-9A-F]{8}\\.Arn>:\\*$/g' }],
    },
  ]);
}

export type { HeraldStackProps };
export { HeraldStack };
