/**
 * One delivery attempt: sign with every active secret, POST through the SSRF-guarded client, classify
 * the answer, record the attempt and the delivery's new state, and say what should happen next.
 * Subscriber failures are data here (an outcome), never exceptions; only platform failures (DynamoDB)
 * throw, so the caller's queue or workflow retries them.
 */
import { nextRetryDelaySeconds, parseRetryAfter } from '../shared/backoff.js';
import { config } from '../shared/config.js';
import { webhookBody } from '../shared/event-json.js';
import { MetricName, MetricUnit, metrics } from '../shared/observability.js';
import { classifyStatus, honoursRetryAfter } from '../shared/retry-policy.js';
import { webhookHeaders } from '../shared/signing.js';
import { recordAttempt } from '../shared/store/deliveries.js';
import { activeSecrets, type EndpointRecord } from '../shared/store/endpoints.js';
import type { HeraldEvent } from '../shared/store/events.js';
import { type PostWebhookResult, postWebhook, type WebhookErrorClass } from '../shared/webhook-client.js';

type Outcome = 'delivered' | 'retry' | 'failed';

interface AttemptInput {
  readonly event: HeraldEvent;
  readonly endpoint: EndpointRecord;
  readonly generation: number;
  /** 1-based number of this attempt within the generation. */
  readonly attempt: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

interface AttemptResult {
  readonly outcome: Outcome;
  /** Seconds until the next attempt (only for `retry`), already scaled. */
  readonly waitSeconds?: number;
  /** When the next attempt is due (only for `retry`), as recorded on the attempt. */
  readonly nextAttemptAt?: string;
  readonly statusCode?: number;
  readonly errorClass?: WebhookErrorClass;
  /** Short and secret-free: `HTTP 503`, `timeout`, `retries_exhausted: HTTP 503`. */
  readonly lastError?: string;
  /** The delivery moved to a newer generation meanwhile (replay); this attempt's verdict was not recorded. */
  readonly superseded: boolean;
}

/** Subscriber-side errors no retry can fix: the target itself is refused. */
const PERMANENT_ERRORS: ReadonlySet<WebhookErrorClass> = new Set(['forbidden_address', 'invalid_url']);

function decide(result: PostWebhookResult): 'delivered' | 'retry' | 'give_up' {
  if (result.statusCode !== undefined) return classifyStatus(result.statusCode);
  return result.errorClass !== undefined && PERMANENT_ERRORS.has(result.errorClass) ? 'give_up' : 'retry';
}

function describe(result: PostWebhookResult): string {
  return result.statusCode !== undefined ? `HTTP ${result.statusCode}` : (result.errorClass ?? 'network');
}

/** The wait before the attempt after `failedAttempt`, or undefined when the schedule is exhausted. */
function retryWait(failedAttempt: number, result: PostWebhookResult, now: Date): number | undefined {
  const retryAfterSeconds =
    result.statusCode !== undefined && honoursRetryAfter(result.statusCode)
      ? parseRetryAfter(result.retryAfter, now)
      : undefined;
  // The workflow waits until a timestamp (nextAttemptAt), so the wait need not be whole seconds.
  return nextRetryDelaySeconds(failedAttempt, {
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    timeScale: config.retryTimeScale(),
  });
}

function countOutcome(outcome: Outcome, event: HeraldEvent, at: Date): void {
  metrics.addMetric(MetricName.WebhookAttempts, MetricUnit.Count, 1);
  if (outcome === 'delivered') {
    metrics.addMetric(MetricName.WebhookDelivered, MetricUnit.Count, 1);
    const latency = at.getTime() - Date.parse(event.createdAt);
    if (Number.isFinite(latency))
      metrics.addMetric(MetricName.DeliveryLatency, MetricUnit.Milliseconds, latency);
  } else if (outcome === 'retry') {
    metrics.addMetric(MetricName.WebhookRetriesScheduled, MetricUnit.Count, 1);
  } else {
    metrics.addMetric(MetricName.WebhookFailed, MetricUnit.Count, 1);
  }
}

async function attemptDelivery(input: AttemptInput): Promise<AttemptResult> {
  const now = input.now ?? (() => new Date());
  const sentAt = now();
  const timestampSeconds = Math.floor(sentAt.getTime() / 1000);
  const body = webhookBody(input.event);
  const headers = webhookHeaders({
    msgId: input.event.id,
    timestampSeconds,
    body,
    secrets: activeSecrets(input.endpoint, timestampSeconds),
  });
  const result = await postWebhook({
    url: input.endpoint.url,
    body,
    headers,
    timeoutMs: config.webhookTimeoutMs(),
    allowLoopback: config.allowLoopbackWebhooks(),
  });
  const finishedAt = now();

  let outcome: Outcome;
  let waitSeconds: number | undefined;
  let lastError: string | undefined;
  const verdict = decide(result);
  if (verdict === 'delivered') {
    outcome = 'delivered';
  } else if (verdict === 'retry') {
    waitSeconds = retryWait(input.attempt, result, finishedAt);
    outcome = waitSeconds === undefined ? 'failed' : 'retry';
    lastError = waitSeconds === undefined ? `retries_exhausted: ${describe(result)}` : describe(result);
  } else {
    outcome = 'failed';
    lastError = describe(result);
  }

  const nextAttemptAt =
    waitSeconds === undefined ? undefined : new Date(finishedAt.getTime() + waitSeconds * 1000).toISOString();
  const recorded = await recordAttempt({
    eventId: input.event.id,
    endpointId: input.endpoint.id,
    generation: input.generation,
    attempt: input.attempt,
    at: sentAt.toISOString(),
    durationMs: result.durationMs,
    outcome: outcome === 'retry' ? 'retrying' : outcome,
    ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
    ...(result.errorClass !== undefined ? { errorClass: result.errorClass } : {}),
    ...(nextAttemptAt !== undefined ? { nextAttemptAt } : {}),
    ...(result.location !== undefined ? { location: result.location } : {}),
    ...(lastError !== undefined ? { lastError } : {}),
  });
  countOutcome(outcome, input.event, finishedAt);

  return {
    outcome,
    superseded: !recorded,
    ...(waitSeconds !== undefined ? { waitSeconds } : {}),
    ...(nextAttemptAt !== undefined ? { nextAttemptAt } : {}),
    ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
    ...(result.errorClass !== undefined ? { errorClass: result.errorClass } : {}),
    ...(lastError !== undefined ? { lastError } : {}),
  };
}

export type { AttemptInput, AttemptResult, Outcome };
export { attemptDelivery };
