import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { batchingWindowSecondsOf } from './capacity.js';

interface WorkQueueProps {
  /** Timeout of the function that consumes the queue; the visibility timeout is derived from it. */
  readonly consumerTimeout: Duration;
  /** Batching window of the event source mapping. @default Duration.seconds(0) */
  readonly maxBatchingWindow?: Duration;
  /** Receives before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** Age of the oldest message that raises the alarm. @default Duration.minutes(5) */
  readonly maxMessageAge?: Duration;
  /** @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
}

/**
 * An SQS work queue with its dead-letter queue and redrive policy, encrypted, TLS-only, with the two
 * alarms every queue needs: something in the DLQ, and the oldest message getting old.
 */
class WorkQueue extends Construct {
  /**
   * The batching window `-c herald:batchingWindowSeconds` asks for (lib/capacity.ts), never below
   * `minimumSeconds` (an event source with a batch over 10 needs 1 s); undefined for none. Pass it as
   * the queue's `maxBatchingWindow` and read the queue's back for its event source, so the visibility
   * timeout accounts for the window the consumer really has.
   */
  static batchingWindowFromContext(scope: Construct, minimumSeconds = 0): Duration | undefined {
    const seconds = Math.max(minimumSeconds, batchingWindowSecondsOf(scope));
    return seconds > 0 ? Duration.seconds(seconds) : undefined;
  }

  readonly queue: Queue;
  /** The batching window this queue's event source must use (its visibility timeout includes it). */
  readonly maxBatchingWindow: Duration | undefined;
  readonly deadLetterQueue: Queue;
  readonly maxReceiveCount: number;
  readonly dlqDepthAlarm: Alarm;
  readonly messageAgeAlarm: Alarm;
  /** Both alarms, for wiring actions. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(
        `WorkQueue ${id}: maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}`,
      );
    }
    const consumerSeconds = props.consumerTimeout.toSeconds();
    if (consumerSeconds < 1 || consumerSeconds > 900) {
      throw new Error(`WorkQueue ${id}: consumerTimeout must be 1 s to 15 min, got ${consumerSeconds} s`);
    }
    const windowSeconds = (props.maxBatchingWindow ?? Duration.seconds(0)).toSeconds();
    // AWS guidance for SQS event sources: visibility >= 6 × function timeout + batching window,
    // so a message is not handed out again while a throttled or retried invocation still holds it.
    const visibilitySeconds = Math.min(6 * consumerSeconds + windowSeconds, 43_200);
    this.maxReceiveCount = maxReceiveCount;
    this.maxBatchingWindow = props.maxBatchingWindow;

    this.deadLetterQueue = new Queue(this, 'Dlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilitySeconds),
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    this.dlqDepthAlarm = new Alarm(this, 'DlqDepthAlarm', {
      alarmDescription: `Messages in the DLQ of ${this.node.path}: see runbooks/dlq-growing.md`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const maxAge = props.maxMessageAge ?? Duration.minutes(5);
    this.messageAgeAlarm = new Alarm(this, 'MessageAgeAlarm', {
      alarmDescription: `Oldest message in ${this.node.path} older than ${maxAge.toSeconds()} s: see runbooks/queue-stuck.md`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1) }),
      threshold: maxAge.toSeconds(),
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarms = [this.dlqDepthAlarm, this.messageAgeAlarm];
  }
}

export type { WorkQueueProps };
export { WorkQueue };
