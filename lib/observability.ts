import { Annotations, Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  Color,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkQueue } from './work-queue.js';

interface ObservabilityProps {
  /** Work queues by display name (`invoice`, `dispatch`). */
  readonly workQueues: Readonly<Record<string, WorkQueue>>;
  readonly webhookDlq: Queue;
  readonly retryStateMachine: StateMachine;
  /** Subscribes this address to the alarm topic. @default no subscription (a warning at synth and deploy) */
  readonly alarmEmail?: string;
  /** Functions whose throttles and errors alarm, by display name. @default none */
  readonly functions?: Readonly<Record<string, IFunction>>;
  /** The HTTP API whose 5xx answers alarm. @default none */
  readonly api?: HttpApi;
  /** Encrypts the alarm topic at rest (its key policy must let CloudWatch use it). @default SNS-managed key */
  readonly topicKey?: IKey;
}

/** Errors of one function in 5 minutes before its alarm fires: a single poison record is the DLQ's to report. */
const FUNCTION_ERRORS_THRESHOLD = 5;
/** 5xx answers of the API in 5 minutes before its alarm fires. */
const API_5XX_THRESHOLD = 5;
const fiveMinutes = Duration.minutes(5);
/** An endpoint's backlog older than this alarms: well before the backlog's lifetime (27.6 h) ends it. */
const BACKLOG_AGE_THRESHOLD_SECONDS = 3_600;

const NAMESPACE = 'Herald';
const period = Duration.minutes(1);

function heraldMetric(metricName: string, statistic = 'Sum'): Metric {
  return new Metric({
    namespace: NAMESPACE,
    metricName,
    dimensionsMap: { service: 'herald' },
    statistic,
    period,
  });
}

function statesThrottled(dimensionsMap: Record<string, string>): Metric {
  return new Metric({
    namespace: 'AWS/States',
    metricName: 'ThrottledEvents',
    dimensionsMap,
    statistic: 'Sum',
    period: fiveMinutes,
  });
}

/**
 * The alarm topic every alarm notifies, and one dashboard with the widgets the runbooks point at:
 * queue depth, age of oldest message, DLQ depth, jobs per second, retries, delivery success, latency.
 */
class Observability extends Construct {
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Herald alarms',
      enforceSSL: true,
      ...(props.topicKey ? { masterKey: props.topicKey } : {}),
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    else {
      // Shown by `cdk synth` and `cdk deploy`: alarms that notify nobody are easy to miss.
      Annotations.of(this).addWarningV2(
        'herald:noAlarmSubscriber',
        'The alarm topic has no subscriber: alarms will notify nobody. Set context herald:alarmEmail ' +
          '(cdk deploy -c herald:alarmEmail=ops@example.com) or subscribe to the AlarmTopicArn output.',
      );
    }
    const action = new SnsAction(this.alarmTopic);

    for (const workQueue of Object.values(props.workQueues)) this.alarms.push(...workQueue.alarms);
    this.alarms.push(
      props.webhookDlq
        .metricApproximateNumberOfMessagesVisible({ period })
        .createAlarm(this, 'WebhookDlqDepthAlarm', {
          alarmDescription: 'Webhook deliveries failed for good: see runbooks/webhook-delivery-failing.md',
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      props.retryStateMachine.metricFailed({ period }).createAlarm(this, 'RetryWorkflowFailedAlarm', {
        alarmDescription: 'Retry workflows ended in failure: see runbooks/webhook-delivery-failing.md',
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      // The schedule is sized to fit the timeout (backoff.ts), so a timed-out or stopped execution is
      // news: the retry watch has failed its delivery onto the webhook DLQ.
      new MathExpression({
        expression: 'FILL(t, 0) + FILL(a, 0)',
        usingMetrics: {
          t: props.retryStateMachine.metricTimedOut({ period }),
          a: props.retryStateMachine.metricAborted({ period }),
        },
        label: 'retry workflows timed out or aborted',
        period,
      }).createAlarm(this, 'RetryWorkflowEndedEarlyAlarm', {
        alarmDescription:
          'Retry workflows timed out or were aborted; their deliveries are failed on the webhook DLQ: see runbooks/webhook-delivery-failing.md',
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    // An endpoint's backlog is kept, not lost; its age says how long it has been down (adrs/0011).
    this.alarms.push(
      heraldMetric('BacklogAgeSeconds', 'Maximum')
        .with({ period: fiveMinutes })
        .createAlarm(this, 'BacklogAgeAlarm', {
          alarmDescription: `An endpoint's oldest parked delivery is older than ${BACKLOG_AGE_THRESHOLD_SECONDS / 3600} h (it is down or disabled): see runbooks/webhook-delivery-failing.md`,
          threshold: BACKLOG_AGE_THRESHOLD_SECONDS,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );
    for (const [name, fn] of Object.entries(props.functions ?? {})) {
      const safeId = name.replace(/[^A-Za-z0-9]/g, '');
      this.alarms.push(
        fn.metricThrottles({ period: fiveMinutes }).createAlarm(this, `${safeId}ThrottlesAlarm`, {
          alarmDescription: `Function ${name} was throttled (concurrency limit): see runbooks/queue-stuck.md`,
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
        fn.metricErrors({ period: fiveMinutes }).createAlarm(this, `${safeId}ErrorsAlarm`, {
          alarmDescription: `Function ${name} failed ${FUNCTION_ERRORS_THRESHOLD} or more invocations in 5 minutes: see runbooks/queue-stuck.md`,
          threshold: FUNCTION_ERRORS_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    if (props.api !== undefined) {
      this.alarms.push(
        props.api.metricServerError({ period: fiveMinutes }).createAlarm(this, 'Api5xxAlarm', {
          alarmDescription: `The HTTP API answered ${API_5XX_THRESHOLD} or more 5xx in 5 minutes: see runbooks/queue-stuck.md`,
          threshold: API_5XX_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.alarms.push(
      props.retryStateMachine
        .metricThrottled({ period: fiveMinutes })
        .createAlarm(this, 'RetryWorkflowThrottledAlarm', {
          alarmDescription:
            'Step Functions throttled retry workflow executions: see runbooks/webhook-delivery-failing.md',
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      // The account-wide token buckets (DESIGN.md "Facts"): StartExecution and state transitions.
      new MathExpression({
        expression: 'FILL(s, 0) + FILL(t, 0)',
        usingMetrics: {
          s: statesThrottled({ APIName: 'StartExecution' }),
          t: statesThrottled({ ServiceMetric: 'StateTransition' }),
        },
        label: 'Step Functions throttled events',
        period: fiveMinutes,
      }).createAlarm(this, 'StepFunctionsThrottledEventsAlarm', {
        alarmDescription:
          'Step Functions throttled StartExecution or state transitions in this account and region: see runbooks/webhook-delivery-failing.md',
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    for (const alarm of this.alarms) alarm.addAlarmAction(action);

    const queues = Object.entries(props.workQueues);
    const perQueue = (pick: (q: WorkQueue) => IMetric, label: string): IMetric[] =>
      queues.map(([name, q]) => {
        const metric = pick(q) as Metric;
        return metric.with({ label: `${name} ${label}`, period });
      });

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: '# Herald\nRunbooks: `runbooks/` in the repository. Delivery contract: at-least-once.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Queue depth',
        left: perQueue((q) => q.queue.metricApproximateNumberOfMessagesVisible(), 'visible'),
        width: 8,
      }),
      new GraphWidget({
        title: 'Age of oldest message (s)',
        left: perQueue((q) => q.queue.metricApproximateAgeOfOldestMessage(), 'age'),
        width: 8,
      }),
      new GraphWidget({
        title: 'DLQ depth',
        left: [
          ...perQueue((q) => q.deadLetterQueue.metricApproximateNumberOfMessagesVisible(), 'DLQ'),
          props.webhookDlq.metricApproximateNumberOfMessagesVisible({ label: 'webhook DLQ', period }),
        ],
        width: 8,
      }),
    );
    const delivered = heraldMetric('WebhookDelivered');
    const failed = heraldMetric('WebhookFailed');
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Jobs per second',
        left: [
          new MathExpression({
            expression: 'm / PERIOD(m)',
            usingMetrics: { m: heraldMetric('JobsProcessed') },
            label: 'processed/s',
            period,
          }),
          new MathExpression({
            expression: 'f / PERIOD(f)',
            usingMetrics: { f: heraldMetric('JobsFailed') },
            label: 'failed/s',
            color: Color.RED,
            period,
          }),
        ],
        right: [heraldMetric('DuplicatesSkipped').with({ label: 'duplicates skipped' })],
        width: 6,
      }),
      new GraphWidget({
        title: 'Webhook retries',
        left: [
          heraldMetric('WebhookRetriesScheduled').with({ label: 'retries scheduled' }),
          heraldMetric('WebhookAttempts').with({ label: 'attempts' }),
        ],
        width: 6,
      }),
      new GraphWidget({
        title: 'Delivery success (%)',
        left: [
          new MathExpression({
            expression: '100 * d / (d + f)',
            usingMetrics: { d: delivered, f: failed },
            label: 'delivered / (delivered + failed)',
            period,
          }),
        ],
        right: [failed.with({ label: 'failed for good', color: Color.RED })],
        width: 6,
      }),
      new GraphWidget({
        title: 'Delivery latency, publish → 2xx (ms)',
        left: ['p50', 'p95', 'p99'].map((stat) =>
          heraldMetric('DeliveryLatency', stat).with({ label: stat }),
        ),
        width: 6,
      }),
    );
  }
}

export type { ObservabilityProps };
export { Observability };
