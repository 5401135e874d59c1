/**
 * Environment of a Herald function, read once at start-up. A missing required variable throws at
 * first use with the variable's name, so a misconfigured deployment fails loudly, not halfway.
 */

import { DEFAULT_LIMITS } from './limits.js';

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
  /** The list index (gsi1pk/gsi1sk, lib/tables.ts); `gsi1` only while a stack is being upgraded. @default gsi1k */
  listIndex: (): string => process.env.HERALD_LIST_INDEX || 'gsi1k',
  /** Powertools idempotency table name. */
  idempotencyTable: (): string => required('HERALD_IDEMPOTENCY_TABLE'),
  eventsTopicArn: (): string => required('HERALD_EVENTS_TOPIC_ARN'),
  dispatchQueueUrl: (): string => required('HERALD_DISPATCH_QUEUE_URL'),
  webhookDlqUrl: (): string => required('HERALD_WEBHOOK_DLQ_URL'),
  retryStateMachineArn: (): string => required('HERALD_RETRY_STATE_MACHINE_ARN'),
  /** The retry lane's queue (adrs/0013); without it every retry goes to the workflow. */
  retryLaneUrl: (): string | undefined => process.env.HERALD_RETRY_LANE_URL || undefined,
  /** The endpoint-recovery workflow (adrs/0011): one execution per endpoint in trouble. */
  recoveryStateMachineArn: (): string => required('HERALD_RECOVERY_STATE_MACHINE_ARN'),
  /**
   * A hold or rate-limit wait up to this long is waited out in a per-delivery workflow; a longer one
   * parks the delivery in the endpoint's backlog (adrs/0011). @default 10
   */
  shortWaitSeconds: (): number => optionalNumber('HERALD_SHORT_WAIT_SECONDS', 10),
  /**
   * How long a delivery may stay parked before it ends `failed` (already scaled by the time scale).
   * @default the retry schedule's span (lib sets it; at most the event retention)
   */
  backlogLifetimeSeconds: (): number => optionalNumber('HERALD_BACKLOG_LIFETIME_SECONDS', 99_305),
  /** Attempts in flight at once to an endpoint that answers slowly (the slow lane's width). @default 2 */
  slowLaneWidth: (): number => Math.max(1, optionalNumber('HERALD_SLOW_LANE_WIDTH', 2)),
  /** Deliveries per second a drain starts at, without a rateLimit. @default 2 */
  drainInitialRate: (): number => Math.max(1, optionalNumber('HERALD_DRAIN_INITIAL_RATE', 2)),
  /** The most a drain ramps up to (deliveries per second). @default 50 */
  drainMaxRate: (): number => Math.max(1, optionalNumber('HERALD_DRAIN_MAX_RATE', 50)),
  /** How long one recovery invocation drains before it hands back to its workflow. @default 60 */
  drainSliceSeconds: (): number => Math.max(1, optionalNumber('HERALD_DRAIN_SLICE_SECONDS', 60)),
  /** The longest wait between two probes of a down endpoint, before scaling. @default 3600 */
  maxProbeIntervalSeconds: (): number => optionalNumber('HERALD_MAX_PROBE_INTERVAL_SECONDS', 3_600),
  /** Operational events per tenant per minute; beyond it they are counted, not sent. @default 60 */
  opEventsPerMinute: (): number => Math.max(1, optionalNumber('HERALD_OP_EVENTS_PER_MINUTE', 60)),
  jobName: (): string => required('HERALD_JOB_NAME'),
  /** The job's own DLQ: a record failing with a non-retryable error is sent there at once. */
  jobDlqUrl: (): string => required('HERALD_JOB_DLQ_URL'),
  /**
   * The job queue's maxReceiveCount: on that receive a failing record goes to the DLQ with its last
   * error. Unset (an older stack): SQS's redrive policy moves it, with nothing said about why.
   */
  jobMaxReceiveCount: (): number | undefined => {
    const count = optionalNumber('HERALD_JOB_MAX_RECEIVE_COUNT', 0);
    return count >= 1 ? count : undefined;
  },
  /** ARN of the KMS key that wraps the data keys of endpoint signing secrets (lib/signing-secrets-key.ts). */
  secretsKeyId: (): string => required('HERALD_SECRETS_KEY_ID'),
  /** @default false — only the local runtime synthesizes with loopback webhooks allowed. */
  allowLoopbackWebhooks: (): boolean => process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS === 'true',
  /** @default 1 */
  retryTimeScale: (): number => optionalNumber('HERALD_RETRY_TIME_SCALE', 1),
  /** @default 15000 */
  webhookTimeoutMs: (): number => optionalNumber('HERALD_WEBHOOK_TIMEOUT_MS', 15_000),
  /** @default 50 (limits.ts) */
  maxEndpointsPerTenant: (): number =>
    optionalNumber('HERALD_MAX_ENDPOINTS_PER_TENANT', DEFAULT_LIMITS.endpointsPerTenant),
  /** @default 10 (limits.ts) */
  maxReplayCallsPerMinute: (): number =>
    optionalNumber('HERALD_MAX_REPLAY_CALLS_PER_MINUTE', DEFAULT_LIMITS.replayCallsPerMinute),
  /**
   * Timeout of the dispatcher's inline first attempt; the workflow's attempts use the full
   * `webhookTimeoutMs`. A timeout opens the endpoint's breaker (adrs/0007). @default 1000
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
  /**
   * How long the authorizer trusts a credential it verified, per container. Capped at 5 s: API.md
   * promises a revoked key stops working within 5 s. @default 5
   */
  authCacheMs: (): number => Math.min(5, optionalNumber('HERALD_AUTH_CACHE_SECONDS', 5)) * 1000,
  /**
   * How long dispatch reuses a tenant's endpoint list, per container: the longest an endpoint change
   * (disable, URL, filter, secret) can go unseen by a dispatcher. @default 5
   */
  endpointCacheMs: (): number => optionalNumber('HERALD_ENDPOINT_CACHE_SECONDS', 5) * 1000,
  /** @default 86400 (one day) */
  secretGraceSeconds: (): number => optionalNumber('HERALD_SECRET_GRACE_SECONDS', 86_400),
  /**
   * Where portal links point: the deployment's public URL of the portal (lib sets it from context
   * `herald:publicUrl`, else the API's own endpoint + `/portal/`). Never taken from a request's Host.
   */
  portalUrl: (): string => required('HERALD_PORTAL_URL'),
  /** The longest portal link and session this deployment mints (lambdas/portal/tokens.ts). */
  /** Caller-triggered deliveries per tenant per minute (delivery-budget.ts); undefined for the default. */
  maxCallerDeliveriesPerMinute: (): string | undefined =>
    process.env.HERALD_MAX_CALLER_DELIVERIES_PER_MINUTE || undefined,
  portalMaxSessionSeconds: (): string | undefined =>
    process.env.HERALD_PORTAL_MAX_SESSION_SECONDS || undefined,
  /** Refuse event types that are not in the catalog. @default false (context herald:strictEventTypes) */
  strictEventTypes: (): boolean => process.env.HERALD_STRICT_EVENT_TYPES === 'true',
  /** How long ingest trusts a cached catalog entry of a registered type. @default 5 */
  catalogCacheSeconds: (): number => optionalNumber('HERALD_CATALOG_CACHE_SECONDS', 5),
  queues: (): QueueDescriptor[] => {
    const raw = required('HERALD_QUEUES');
    try {
      return JSON.parse(raw) as QueueDescriptor[];
    } catch (cause) {
      throw new ConfigError('Environment variable HERALD_QUEUES must be a JSON array', { cause });
    }
  },
};

export type { QueueDescriptor };
export { config };
