import { Duration } from 'aws-cdk-lib';
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
  /** Subscribes this address to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
}

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
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Herald alarms', enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
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
