/**
 * Environment of a Herald function, read once at start-up. A missing required variable throws at
 * first use with the variable's name, so a misconfigured deployment fails loudly, not halfway.
 */

class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new ConfigError(`Environment variable ${name} is required but not set`);
  }
  return value;
}

function optionalNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(`Environment variable ${name} must be a non-negative number, got "${raw}"`);
  }
  return value;
}

/** One work queue and its DLQ, as listed in HERALD_QUEUES. */
interface QueueDescriptor {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly dlqName: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

const config = {
  /** Main single-table name. */
  table: (): string => required('HERALD_TABLE'),
  /** Powertools idempotency table name. */
  idempotencyTable: (): string => required('HERALD_IDEMPOTENCY_TABLE'),
  eventsTopicArn: (): string => required('HERALD_EVENTS_TOPIC_ARN'),
  dispatchQueueUrl: (): string => required('HERALD_DISPATCH_QUEUE_URL'),
  webhookDlqUrl: (): string => required('HERALD_WEBHOOK_DLQ_URL'),
  retryStateMachineArn: (): string => required('HERALD_RETRY_STATE_MACHINE_ARN'),
  jobName: (): string => required('HERALD_JOB_NAME'),
  /** @default false — only the local runtime synthesizes with loopback webhooks allowed. */
  allowLoopbackWebhooks: (): boolean => process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS === 'true',
  /** @default 1 */
  retryTimeScale: (): number => optionalNumber('HERALD_RETRY_TIME_SCALE', 1),
  /** @default 15000 */
  webhookTimeoutMs: (): number => optionalNumber('HERALD_WEBHOOK_TIMEOUT_MS', 15_000),
  /**
   * Timeout of the dispatcher's inline first attempt; the workflow's attempts use the full
   * `webhookTimeoutMs`. A timeout opens the endpoint's breaker (adrs/0006). @default 1000
   */
  inlineTimeoutMs: (): number => optionalNumber('HERALD_INLINE_TIMEOUT_MS', 1_000),
  /** How long a dispatcher trusts its copy of an endpoint's health (the staleness bound). @default 1000 */
  healthCacheMs: (): number => optionalNumber('HERALD_HEALTH_CACHE_MS', 1_000),
  /** Consecutive failures that open the breaker and send `herald.endpoint.failing`. @default 5 */
  breakerFailureThreshold: (): number => Math.max(1, optionalNumber('HERALD_BREAKER_FAILURE_THRESHOLD', 5)),
  /**
   * An endpoint whose every attempt failed for this long is disabled (context
   * `herald:endpointDisableAfter`, already multiplied by `herald:retryTimeScale`). @default 432000 (5 days)
   */
  endpointDisableAfterSeconds: (): number => optionalNumber('HERALD_ENDPOINT_DISABLE_AFTER_SECONDS', 432_000),
  /** Concurrent POSTs of one event's fan-out (per dispatch record). @default 10 */
  fanoutConcurrency: (): number => Math.max(1, optionalNumber('HERALD_FANOUT_CONCURRENCY', 10)),
  /** @default 86400 (one day) */
  secretGraceSeconds: (): number => optionalNumber('HERALD_SECRET_GRACE_SECONDS', 86_400),
  queues: (): QueueDescriptor[] => {
    const raw = required('HERALD_QUEUES');
    try {
      return JSON.parse(raw) as QueueDescriptor[];
    } catch (cause) {
      throw new ConfigError('Environment variable HERALD_QUEUES must be a JSON array', { cause });
    }
  },
};

export { config, ConfigError };
export type { QueueDescriptor };
