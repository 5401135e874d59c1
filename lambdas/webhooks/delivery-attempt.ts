/**
 * One delivery attempt: sign with every active secret, POST through the SSRF-guarded client, classify
 * the answer, record the attempt and the delivery's new state, and say what should happen next.
 * Subscriber failures are data here (an outcome), never exceptions; only platform failures (DynamoDB)
 * throw, so the caller's queue or workflow retries them.
 */

import { config } from '../shared/config.js';
import { webhookBody } from '../shared/event-json.js';
import type { DeliveryRecord, EndpointRecord, HeraldEvent } from '../shared/model.js';
import { logger, MetricName, MetricUnit, metricDocument } from '../shared/observability.js';
import { recordAttempt } from '../shared/store/deliveries.js';
import { activeSigningKeys, currentSigningSecrets } from '../shared/store/endpoints.js';
import { noteActivity } from './activity/recorder.js';
import { attemptVerdict, type Outcome, retryAfterSeconds } from './attempt-verdict.js';
import { MAX_RETRY_AFTER_SECONDS } from './backoff.js';
import type { AttemptReport } from './health/breaker.js';
import { reportAttempt } from './health/report.js';
import { webhookHeaders } from './signing.js';
import { type PostWebhookResult, postWebhook, type WebhookErrorClass } from './webhook-client.js';

interface AttemptInput {
  readonly event: HeraldEvent;
  readonly endpoint: EndpointRecord;
  readonly generation: number;
  /** 1-based number of this attempt within the generation. */
  readonly attempt: number;
  /** @default config.webhookTimeoutMs() — dispatch's inline attempt passes the shorter inline timeout. */
  readonly timeoutMs?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Spend the attempt without a POST: the endpoint's breaker is open and another attempt holds its
   * probe (adrs/0007). Recorded as `errorClass: circuit_open`; the schedule moves on.
   */
  readonly skipPost?: 'circuit_open';
  /** The delivery is not in the table yet (adrs/0014): recording attempt 1 writes it whole. */
  readonly unstored?: DeliveryRecord;
  /**
   * A parked delivery (adrs/0011). `probe`: the recovery's probe — a retryable failure keeps it parked,
   * with no schedule of its own (the recovery's probe schedule and the backlog's lifetime bound it).
   * `drain`: a drain step — a retryable failure leaves the backlog for a per-delivery workflow.
   */
  readonly backlog?: 'probe' | 'drain';
}

/** An attempt spent without a POST (`skipPost`): nothing was sent, nothing learnt about the receiver. */
interface SpentWithoutPost {
  readonly skipped: true;
  readonly errorClass: 'circuit_open';
  readonly durationMs: 0;
  readonly statusCode?: undefined;
  readonly location?: undefined;
  readonly responseBody?: undefined;
}

interface AttemptResult {
  readonly outcome: Outcome;
  /** Seconds until the next attempt (only for `retry`), already scaled. */
  readonly waitSeconds?: number;
  /** When the next attempt is due (only for `retry`), as recorded on the attempt. */
  readonly nextAttemptAt?: string;
  readonly statusCode?: number;
  readonly errorClass?: WebhookErrorClass | 'circuit_open';
  /** Short and secret-free: `HTTP 503`, `timeout`, `retries_exhausted: HTTP 503`. */
  readonly lastError?: string;
  /** The delivery moved to a newer generation meanwhile (replay); this attempt's verdict was not recorded. */
  readonly superseded: boolean;
  /** How long the POST took (0 when none was made). */
  readonly durationMs: number;
  /** The receiver's Retry-After (429/503), in seconds, before any scaling or cap. */
  readonly retryAfterSeconds?: number;
}

/**
 * A delivered attempt keeps only the first DELIVERED_BODY_BYTES of the receiver's answer: it is rarely
 * read, and a longer one makes the delivery's record cost a second write unit (items over 1 KB).
 */
const DELIVERED_BODY_BYTES = 256;

function storedBody(outcome: Outcome, body: string | undefined): string | undefined {
  if (body === undefined || outcome !== 'delivered') return body;
  const bytes = Buffer.from(body, 'utf8');
  return bytes.length <= DELIVERED_BODY_BYTES
    ? body
    : bytes.subarray(0, DELIVERED_BODY_BYTES).toString('utf8');
}

function countOutcome(outcome: Outcome, event: HeraldEvent, at: Date, endpointId: string): void {
  // One document for the attempt's values, with the endpoint as metadata (not a dimension: no
  // CloudWatch cost), so the local metrics view and Logs Insights count per endpoint (issue 24); one
  // log line, not one per value (issue 21).
  const doc = metricDocument();
  doc.addMetadata('endpointId', endpointId);
  doc.addMetric(MetricName.WebhookAttempts, MetricUnit.Count, 1);
  noteActivity(endpointId, outcome, at);
  if (outcome === 'delivered') {
    doc.addMetric(MetricName.WebhookDelivered, MetricUnit.Count, 1);
    const latency = at.getTime() - Date.parse(event.createdAt);
    if (Number.isFinite(latency)) doc.addMetric(MetricName.DeliveryLatency, MetricUnit.Milliseconds, latency);
  } else if (outcome === 'retry') {
    doc.addMetric(MetricName.WebhookRetriesScheduled, MetricUnit.Count, 1);
  } else {
    doc.addMetric(MetricName.WebhookFailed, MetricUnit.Count, 1);
  }
  doc.publishStoredMetrics();
}

/** The attempt as the endpoint's breaker sees it: a Retry-After holds the whole endpoint (scaled, capped). */
function healthReport(
  result: PostWebhookResult,
  delivered: boolean,
  startedAt: Date,
  at: Date,
): AttemptReport {
  if (delivered) return { ok: true, at, durationMs: result.durationMs };
  const retryAfter = retryAfterSeconds(result, at);
  const holdMs = Math.min(retryAfter ?? 0, MAX_RETRY_AFTER_SECONDS) * config.retryTimeScale() * 1000;
  return {
    ok: false,
    at,
    startedAt,
    timedOut: result.errorClass === 'timeout',
    ...(holdMs > 0 ? { holdUntil: new Date(at.getTime() + holdMs) } : {}),
  };
}

/** Health is advisory: a failure to record it never fails the delivery. */
async function updateHealth(input: AttemptInput, report: AttemptReport, lastError: string | undefined) {
  try {
    await reportAttempt(input.endpoint, report, lastError);
  } catch (error) {
    logger.warn('endpoint health not updated', {
      endpointId: input.endpoint.id,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}

async function attemptDelivery(input: AttemptInput): Promise<AttemptResult> {
  const now = input.now ?? (() => new Date());
  const sentAt = now();
  const timestampSeconds = Math.floor(sentAt.getTime() / 1000);
  const body = webhookBody(input.event);
  // Fresh, not the (possibly cached) record's: an expired secret signs nothing after its rotation.
  const secrets = (await currentSigningSecrets(input.endpoint.id, timestampSeconds)) ?? [];
  const headers = webhookHeaders({
    msgId: input.event.id,
    timestampSeconds,
    body,
    secrets,
    signingKeys: activeSigningKeys(input.endpoint, timestampSeconds),
  });
  const result: PostWebhookResult | SpentWithoutPost =
    input.skipPost !== undefined
      ? { skipped: true, errorClass: input.skipPost, durationMs: 0 }
      : await postWebhook({
          url: input.endpoint.url,
          body,
          headers,
          timeoutMs: input.timeoutMs ?? config.webhookTimeoutMs(),
          allowLoopback: config.allowLoopbackWebhooks(),
        });
  const finishedAt = now();
  // A probe never runs out of attempts: the backlog's lifetime bounds it, not the schedule.
  const verdictAttempt = input.backlog === 'probe' ? 1 : input.attempt;
  const { outcome, waitSeconds, waitReason, lastError } = attemptVerdict(result, verdictAttempt, finishedAt, {
    timeScale: config.retryTimeScale(),
  });
  const staysParked = input.backlog === 'probe' && outcome === 'retry';

  const nextAttemptAt =
    waitSeconds === undefined || staysParked
      ? undefined
      : new Date(finishedAt.getTime() + waitSeconds * 1000).toISOString();
  const recorded = await recordAttempt({
    unstored: input.unstored,
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
    ...(waitReason !== undefined && !staysParked ? { waitReason } : {}),
    ...(staysParked ? { staysParked } : {}),
    ...(result.location !== undefined ? { location: result.location } : {}),
    ...(result.responseBody !== undefined ? { responseBody: storedBody(outcome, result.responseBody) } : {}),
    ...(lastError !== undefined ? { lastError } : {}),
  });
  countOutcome(outcome, input.event, finishedAt, input.endpoint.id);
  // No POST, nothing learnt about the receiver.
  if (!('skipped' in result)) {
    await updateHealth(input, healthReport(result, outcome === 'delivered', sentAt, finishedAt), lastError);
  }

  const retryAfter = 'skipped' in result ? undefined : retryAfterSeconds(result, finishedAt);
  return {
    outcome,
    superseded: !recorded,
    durationMs: result.durationMs,
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    ...(waitSeconds !== undefined ? { waitSeconds } : {}),
    ...(nextAttemptAt !== undefined ? { nextAttemptAt } : {}),
    ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
    ...(result.errorClass !== undefined ? { errorClass: result.errorClass } : {}),
    ...(lastError !== undefined ? { lastError } : {}),
  };
}

export type { AttemptInput, AttemptResult, Outcome };
export { attemptDelivery };
