/**
 * Dispatch consumer (SQS, partial batch responses). For each event: every endpoint of the tenant whose
 * filter matches gets a delivery claimed — in the event record the first run writes (adrs/0014), else
 * with a conditional write of the delivery — then the first attempt runs inline
 * with the short inline timeout — unless the endpoint is in trouble (breaker open, a long Retry-After
 * hold, over its rate limit by more than a short wait, or its backlog draining), when the delivery is
 * parked in the endpoint's backlog and its one recovery workflow delivers it (adrs/0011); a short wait
 * goes to the delivery's own retries (adrs/0007). So this shared pool only ever waits on healthy
 * receivers. A retryable inline failure is scheduled for retry — on the SQS retry lane for waits up to
 * 45 min, in the retry workflow beyond (adrs/0013) — and a permanent one goes to the webhook DLQ. An
 * event's endpoints run concurrently, at most
 * HERALD_FANOUT_CONCURRENCY at once; a batch's records run concurrently. Subscriber
 * failures are delivery state; only platform failures (DynamoDB, Step Functions, SQS) fail the record —
 * and a duplicate message that finds another run mid-attempt (the claim's lease), so SQS hands it back
 * after the visibility timeout, when the first run has recorded its outcome.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { config } from '../shared/config.js';
import { DeliveryInFlightError } from '../shared/errors.js';
import { parseDispatchMessage, type RedeliverMessage } from '../shared/messages.js';
import { type DeliveryRecord, type EndpointRecord, type HeraldEvent, usesEd25519 } from '../shared/model.js';
import { logger, metrics } from '../shared/observability.js';
import { recoveryLive } from '../shared/store/backlog.js';
import {
  bumpGeneration,
  claimDelivery,
  getDelivery,
  markDeadLettered,
  markDeferred,
  markSkipped,
  unstoredDelivery,
  unstoredOf,
} from '../shared/store/deliveries.js';
import { cachedTenantEndpoints, listTenantEndpoints } from '../shared/store/endpoint-cache.js';
import { getHealth } from '../shared/store/endpoint-health.js';
import { getEndpoint } from '../shared/store/endpoints.js';
import { getEvent, type StoredEvent } from '../shared/store/events.js';
import { flushActivity } from './activity/recorder.js';
import { attemptDelivery } from './delivery-attempt.js';
import { countFilteredOut, publishFilteredOut } from './filter/filtered-metric.js';
import { laneFor, takeSlot } from './health/gate.js';
import { emitOpEvent, isOperational, OP_EVENT_TYPES } from './health/op-events.js';
import { aboutEndpoint, receiversOf } from './matching.js';
import { recordFromMessage } from './record-event.js';
import { park } from './recovery/park.js';
import { scheduleRetry } from './retry-lane.js';
import { sendToWebhookDlq, webhookDlqMessage } from './webhook-dlq.js';

/** Beyond the POST timeout, room for the endpoint/secret reads, DNS checks and recording the attempt. */
const LEASE_MARGIN_MS = 30_000;

/** How long a claim owns a `pending` delivery: past this, the claimer is presumed crashed. */
function leaseUntil(now: Date): string {
  return new Date(now.getTime() + config.webhookTimeoutMs() + LEASE_MARGIN_MS).toISOString();
}

/**
 * How long after recording an event its run may still start a first delivery on the record's claim
 * (adrs/0014). Well inside LEASE_MARGIN_MS, so the attempt and its record finish while the claim
 * lasts; an endpoint reached later (a wide fan-out behind slow receivers) is claimed on its own.
 */
const RECORD_CLAIM_START_MS = 15_000;

/**
 * The endpoints that receive `event` (matching.ts `receiversOf`), disabled ones included: they are
 * recorded as skipped. New events use the per-container list (at most HERALD_ENDPOINT_CACHE_SECONDS
 * old); redeliveries, operator-driven and rare, read it fresh.
 */
async function receivingEndpoints(event: HeraldEvent, fresh = false): Promise<EndpointRecord[]> {
  const all = fresh ? await listTenantEndpoints(event.tenantId) : await cachedTenantEndpoints(event.tenantId);
  const { deliver, skip, filtered } = receiversOf(all, event);
  countFilteredOut(filtered);
  if (!isOperational(event.type)) return [...deliver, ...skip];
  // Operational events never multiply (adrs/0011): an endpoint itself failing or open gets none, so
  // N failing endpoints of a tenant do not send each other N × (N − 1) notices. Read fresh, and any
  // failure streak counts: endpoints that fail together open in the same second the notices go out,
  // when a cached read still shows them closed. Op events are bounded per tenant, and so these reads.
  const now = new Date();
  const healthy = await Promise.all(
    deliver.map(async (ep) => {
      const { health, backlog } = await getHealth(ep.id, true);
      return health.state === 'closed' && health.failureStreak === 0 && !recoveryLive(backlog, now);
    }),
  );
  return [...deliver.filter((_, i) => healthy[i]), ...skip];
}

/**
 * Hands the delivery to its retries without an inline attempt: its attempt 1 runs there, at
 * `notBefore` (now when omitted), with the full timeout. Marked `retrying` first, so a duplicate
 * message resumes the retries rather than POSTing.
 */
async function defer(delivery: DeliveryRecord, notBefore: Date | undefined, reservedSlot?: number) {
  const now = new Date();
  const due = notBefore !== undefined && notBefore > now ? notBefore : now;
  const moved = await markDeferred(
    delivery.eventId,
    delivery.endpointId,
    delivery.generation,
    due.toISOString(),
    now.toISOString(),
    unstoredOf(delivery),
  );
  if (!moved) return;
  await scheduleRetry({
    eventId: delivery.eventId,
    endpointId: delivery.endpointId,
    generation: delivery.generation,
    attempt: 1,
    waitSeconds: Math.max(0, (due.getTime() - now.getTime()) / 1000),
    waitUntil: due.toISOString(),
    ...(reservedSlot !== undefined ? { reservedSlot } : {}),
  });
}

/** Whether a wait until `notBefore` is short enough for a per-delivery workflow (HERALD_SHORT_WAIT_SECONDS). */
function isShortWait(notBefore: Date | undefined, now: Date): boolean {
  return notBefore === undefined || notBefore.getTime() - now.getTime() <= config.shortWaitSeconds() * 1000;
}

/** Runs a delivery generation from its first attempt: inline POST, then workflow or DLQ. */
async function deliverGeneration(event: HeraldEvent, cached: EndpointRecord, delivery: DeliveryRecord) {
  const now = new Date();
  // v1a keys are signed with from a consistent read, not the endpoint cache: a key dropped by
  // expireCurrentNow or a scheme change signs nothing after that call answered (adrs/0009).
  const endpoint = usesEd25519(cached.signatureScheme) ? await getEndpoint(cached.id) : cached;
  if (endpoint === undefined || !endpoint.enabled) {
    await markSkipped(event.id, cached.id, delivery.generation, now.toISOString(), unstoredOf(delivery));
    return;
  }
  const lane = await laneFor(endpoint.id, now);
  if (lane.lane === 'workflow') {
    // A short Retry-After hold is waited out by the delivery's own workflow; anything longer (an open
    // breaker, a long hold, a backlog draining) parks it in the endpoint's backlog (adrs/0011).
    if (lane.reason === 'held' && isShortWait(lane.notBefore, now)) return defer(delivery, lane.notBefore);
    return park(delivery, now);
  }
  const slot = await takeSlot(endpoint, now);
  if (!slot.go) {
    if (isShortWait(slot.notBefore, now)) return defer(delivery, slot.notBefore, slot.reservedSlot);
    return park(delivery, now);
  }
  const result = await attemptDelivery({
    event,
    endpoint,
    unstored: unstoredOf(delivery),
    generation: delivery.generation,
    attempt: 1,
    timeoutMs: Math.min(config.inlineTimeoutMs(), config.webhookTimeoutMs()),
  });
  if (result.superseded) return;
  if (result.outcome === 'retry') {
    await scheduleRetry({
      eventId: event.id,
      endpointId: endpoint.id,
      generation: delivery.generation,
      attempt: 2,
      waitSeconds: result.waitSeconds ?? 0,
    });
  } else if (result.outcome === 'failed') {
    await deadLetter({
      ...delivery,
      attempts: 1,
      ...(result.lastError ? { lastError: result.lastError } : {}),
    });
    if (!isOperational(event.type)) {
      await emitOpEvent(event.tenantId, OP_EVENT_TYPES.exhausted, {
        endpointId: endpoint.id,
        eventId: event.id,
        eventType: event.type,
        attempts: 1,
        lastError: result.lastError ?? 'unknown',
      });
    }
  }
}

/**
 * Sends a failed first attempt to the webhook DLQ and notes it. If the send fails, the record is
 * retried and the duplicate (state `failed`, not yet dead-lettered) sends it then.
 */
async function deadLetter(delivery: DeliveryRecord): Promise<void> {
  const now = new Date().toISOString();
  await sendToWebhookDlq(
    webhookDlqMessage({
      eventId: delivery.eventId,
      endpointId: delivery.endpointId,
      failedAt: now,
      attempts: delivery.attempts,
      lastError: delivery.lastError,
    }),
  );
  await markDeadLettered(delivery.eventId, delivery.endpointId, delivery.generation, now);
}

/**
 * A duplicate of a delivery already in `retrying`: the first run may have crashed between recording
 * the attempt and scheduling the retry, so schedule it again — a no-op when its workflow is running
 * (the deterministic name), a lane message the lane drops when the attempt was made. No second POST.
 */
async function resumeRetrying(delivery: DeliveryRecord): Promise<void> {
  const next = delivery.nextAttemptAt === undefined ? 0 : Date.parse(delivery.nextAttemptAt) - Date.now();
  await scheduleRetry({
    eventId: delivery.eventId,
    endpointId: delivery.endpointId,
    generation: delivery.generation,
    attempt: delivery.attempts + 1,
    waitSeconds: Math.max(0, Math.ceil(next / 1000)),
  });
}

/** The event record's claim on this endpoint's first delivery, if it holds one (adrs/0014). */
function recordClaimOn(
  event: HeraldEvent | StoredEvent,
  endpointId: string,
): { recordClaimedUntil?: string } {
  const claim = 'dispatchClaim' in event ? event.dispatchClaim : undefined;
  return claim?.endpointIds.includes(endpointId) ? { recordClaimedUntil: claim.until } : {};
}

/** Another run is mid-attempt on this delivery: SQS hands the record back after its visibility timeout. */
function inFlight(delivery: DeliveryRecord): DeliveryInFlightError {
  return new DeliveryInFlightError(
    `Delivery ${delivery.eventId}/${delivery.endpointId} is being attempted by another run`,
    { detail: { claimedUntil: delivery.claimedUntil } },
  );
}

/**
 * `recordedAt`: this run recorded the event, its claim on this delivery with it (adrs/0014), so the
 * delivery is written once, with its outcome — while there is time left in that claim.
 */
async function dispatchToEndpoint(
  event: HeraldEvent | StoredEvent,
  endpoint: EndpointRecord,
  recordedAt?: Date,
): Promise<void> {
  const now = new Date();
  if (recordedAt !== undefined && now.getTime() - recordedAt.getTime() <= RECORD_CLAIM_START_MS) {
    const unstored = unstoredDelivery({
      eventId: event.id,
      endpointId: endpoint.id,
      tenantId: event.tenantId,
      now: now.toISOString(),
    });
    return deliverGeneration(event, endpoint, unstored);
  }
  const claim = await claimDelivery({
    eventId: event.id,
    endpointId: endpoint.id,
    tenantId: event.tenantId,
    now: now.toISOString(),
    claimedUntil: leaseUntil(now),
    ...recordClaimOn(event, endpoint.id),
  });
  if (claim.status === 'new' || claim.status === 'pending') {
    return deliverGeneration(event, endpoint, claim.delivery);
  }
  if (claim.status === 'in_flight') throw inFlight(claim.delivery);
  // Parked: make sure its entry and a recovery exist (a crash may have come between them).
  if (claim.delivery.state === 'retrying' && claim.delivery.parkedAt !== undefined)
    return park(claim.delivery);
  if (claim.delivery.state === 'retrying') return resumeRetrying(claim.delivery);
  // Failed on the inline attempt but the DLQ send never happened (the workflow's failures are its own).
  const { state, attempts, deadLetteredAt } = claim.delivery;
  if (state === 'failed' && attempts === 1 && deadLetteredAt === undefined) return deadLetter(claim.delivery);
  logger.debug('duplicate delivery skipped', { eventId: event.id, endpointId: endpoint.id });
}

async function redeliverToEndpoint(
  event: HeraldEvent,
  endpoint: EndpointRecord,
  throughBacklog = false,
): Promise<void> {
  const existing = await getDelivery(event.id, endpoint.id);
  if (existing === undefined && (!throughBacklog || !endpoint.enabled))
    return dispatchToEndpoint(event, endpoint);
  const now = new Date();
  if (existing === undefined) {
    // Never dispatched to it (it subscribed later, or its first run is mid-attempt): a fresh claim,
    // parked like the rest.
    const claim = await claimDelivery({
      eventId: event.id,
      endpointId: endpoint.id,
      tenantId: event.tenantId,
      now: now.toISOString(),
      claimedUntil: leaseUntil(now),
      ...recordClaimOn(event, endpoint.id),
    });
    if (claim.status === 'in_flight') throw inFlight(claim.delivery);
    if (claim.status === 'new' || claim.status === 'pending') await park(claim.delivery, now);
    return;
  }
  const bumped = await bumpGeneration(
    event.id,
    endpoint.id,
    existing.generation,
    now.toISOString(),
    leaseUntil(now),
  );
  // Undefined: a concurrent redelivery bumped it first and delivers that generation.
  if (bumped === undefined) return;
  // Through the backlog: queued behind the endpoint's recovery, drained at its pace (adrs/0011).
  if (throughBacklog && endpoint.enabled) return park(bumped, now);
  await deliverGeneration(event, endpoint, bumped);
}

/**
 * Runs `work` for every endpoint, at most HERALD_FANOUT_CONCURRENCY at once (one event's fan-out
 * never opens hundreds of sockets); one endpoint's platform failure does not starve the others.
 */
async function forEachEndpoint(
  endpoints: readonly EndpointRecord[],
  work: (ep: EndpointRecord) => Promise<void>,
) {
  const results: PromiseSettledResult<void>[] = [];
  let next = 0;
  const lane = async () => {
    while (next < endpoints.length) {
      const index = next++;
      results[index] = await work(endpoints[index]!).then(
        (value) => ({ status: 'fulfilled', value }) as const,
        (reason: unknown) => ({ status: 'rejected', reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.fanoutConcurrency(), endpoints.length) }, lane));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
}

async function handleRedeliver(request: RedeliverMessage): Promise<void> {
  const event = await getEvent(request.eventId);
  if (event === undefined) {
    // Expired (30-day retention) or never stored: nothing left to deliver, and retrying cannot help.
    logger.warn('redelivery of an unknown event ignored', { eventId: request.eventId });
    return;
  }
  let endpoints: EndpointRecord[];
  if (request.endpointId !== undefined) {
    // A named endpoint gets the event whatever it subscribes to (a test, a replay to that endpoint).
    const endpoint = await getEndpoint(request.endpointId);
    const about = aboutEndpoint(event);
    endpoints = endpoint?.tenantId === event.tenantId && endpoint.id !== about ? [endpoint] : [];
  } else {
    endpoints = await receivingEndpoints(event, true);
  }
  await forEachEndpoint(endpoints, (ep) => redeliverToEndpoint(event, ep, request.throughBacklog === true));
}

async function handleRecord(record: SQSRecord): Promise<void> {
  const message = parseDispatchMessage(record.body);
  if (message.kind === 'redeliver') return handleRedeliver(message.request);
  // The receivers first, so the claim on their deliveries goes into the event record (adrs/0014).
  const endpoints = await receivingEndpoints(message.event);
  const recordedAt = new Date();
  const claim = { endpointIds: endpoints.map((ep) => ep.id), until: leaseUntil(recordedAt) };
  const recorded = await recordFromMessage(record, message.event, claim);
  if (recorded === undefined) return;
  // A duplicate message delivers the recorded copy, to the same receivers: a second publish of one id
  // carries the same type, tenant and data.
  await forEachEndpoint(endpoints, (ep) =>
    dispatchToEndpoint(recorded.event, ep, recorded.owner ? recordedAt : undefined),
  );
}

async function recordHandler(record: SQSRecord): Promise<void> {
  try {
    await handleRecord(record);
  } catch (error) {
    const details = {
      messageId: record.messageId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
    // Expected under SQS duplicates: not a platform failure, SQS redelivers it.
    if (error instanceof DeliveryInFlightError) logger.info('dispatch record deferred', details);
    else logger.error('dispatch record failed', details);
    throw error;
  }
}

const processor = new BatchProcessor(EventType.SQS);

async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  // Fail fast on a misconfigured deployment rather than per record.
  config.table();
  try {
    return await processPartialResponse(event, recordHandler, processor, { context });
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    publishFilteredOut();
    await flushActivity();
  }
}

export { handleRecord, handler };
