/**
 * One Powertools Logger and Metrics per execution environment. Metric names are the contract the
 * CloudWatch dashboard and the local runtime's metrics view read (docs/internals.md).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'herald' });
const metricsOptions = () => ({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Herald',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'herald',
});
const metrics = new Metrics(metricsOptions());

/**
 * A metrics document of its own, written by its `publishStoredMetrics()`: values that belong together
 * (one attempt's) share one log line and its metadata, where `singleMetric()` writes a line per value —
 * log ingestion is billed by the byte (docs/cost.md).
 */
function metricDocument(): Metrics {
  return new Metrics(metricsOptions());
}

const MetricName = {
  EventsPublished: 'EventsPublished',
  JobsProcessed: 'JobsProcessed',
  JobsFailed: 'JobsFailed',
  /** Job records the runner sent to the job's DLQ: at once (not retryable) or on their last receive. */
  JobsDeadLettered: 'JobsDeadLettered',
  DuplicatesSkipped: 'DuplicatesSkipped',
  WebhookAttempts: 'WebhookAttempts',
  WebhookDelivered: 'WebhookDelivered',
  WebhookRetriesScheduled: 'WebhookRetriesScheduled',
  WebhookFailed: 'WebhookFailed',
  DeliveryLatency: 'DeliveryLatency',
  /** Per endpoint (dimension endpointId): events its payload filter turned away (adrs/0010). */
  EventsFilteredOut: 'EventsFilteredOut',
  /** Deliveries parked in their endpoint's backlog (adrs/0011). */
  DeliveriesParked: 'DeliveriesParked',
  /** Recovery workflows started: one per endpoint in trouble, not per delivery. */
  RecoveriesStarted: 'RecoveriesStarted',
  /** Parked deliveries delivered by a drain. */
  BacklogDrained: 'BacklogDrained',
  /** Parked deliveries that outlived their lifetime (ended `failed`; reported in aggregate). */
  BacklogExpired: 'BacklogExpired',
  /** Age of the oldest parked delivery, per endpoint (metadata), at each recovery step; alarmed. */
  BacklogAgeSeconds: 'BacklogAgeSeconds',
  /** Operational events not sent because their tenant was over its per-minute bound. */
  OpEventsSuppressed: 'OpEventsSuppressed',
} as const;

export { logger, MetricName, MetricUnit, metricDocument, metrics };
