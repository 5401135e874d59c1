/**
 * The endpoint-recovery workflow's task (adrs/0011, docs/internals.md "Endpoint recovery"): one step
 * of the one recovery an endpoint in trouble has. Each step first ends the parked deliveries that
 * outlived their lifetime (`failed`, counted in aggregate), then:
 *
 * - `probe`: attempts the oldest parked delivery with the full timeout. Still failing: the next probe
 *   waits on the probe schedule (or the receiver's Retry-After). Through: the drain starts at once.
 * - `drain`: delivers the backlog oldest first, one second's worth per step — the endpoint's
 *   `rateLimit` (its windows shared with every other sender) or a ramp that doubles while the answers
 *   are fast 2xx and halves on 429/503/slow answers — for up to HERALD_DRAIN_SLICE_SECONDS, then hands
 *   back to the workflow (two transitions per slice). A Retry-After holds the drain; nothing getting
 *   through goes back to probing. An empty backlog ends the recovery with `herald.endpoint.recovered`.
 *
 * A delivery keeps its identity throughout (webhook-id = event id) and its attempts are recorded as
 * ever; a message-specific failure during the drain (one delivery refused while others pass) leaves
 * the backlog for a per-delivery workflow or the webhook DLQ, as on a healthy endpoint.
 */
import { config } from '../../shared/config.js';
import { InvalidRequestError } from '../../shared/errors.js';
import type { EndpointRecord } from '../../shared/model.js';
import { logger, MetricName, MetricUnit, metrics } from '../../shared/observability.js';
import {
  type BacklogEntry,
  claimRecovery,
  endRecovery,
  oldestEntries,
  removeEntry,
  renewRecovery,
  settleEntries,
} from '../../shared/store/backlog.js';
import { closeParked, getDelivery, markDeadLettered } from '../../shared/store/deliveries.js';
import { getHealth } from '../../shared/store/endpoint-health.js';
import { getEndpoint } from '../../shared/store/endpoints.js';
import { getEvent } from '../../shared/store/events.js';
import { flushActivity, noteActivity, noteBacklog } from '../activity/recorder.js';
import { type AttemptResult, attemptDelivery } from '../delivery-attempt.js';
import { takeSlot } from '../health/gate.js';
import { windowOf } from '../health/limiter.js';
import { emitOpEvent, isOperational, OP_EVENT_TYPES } from '../health/op-events.js';
import { scheduleRetry } from '../retry-lane.js';
import { sendToWebhookDlq, webhookDlqMessage } from '../webhook-dlq.js';
import {
  type DrainPolicy,
  judgeStep,
  probeDelaySeconds,
  type StepAnswers,
  splitExpired,
  stepSize,
} from './drain-plan.js';
import { leaseGraceMs, type RecoveryState } from './park.js';

/** Entries read per expiry sweep and the most one drain step sends. */
const PAGE = 100;
const EXPIRED_ERROR = 'expired_in_backlog';

function parseState(input: unknown): RecoveryState {
  const value = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const { endpointId, recoveryId, phase, failedProbes, rate, reservedSlot } = value;
  if (typeof endpointId !== 'string' || typeof recoveryId !== 'string') {
    throw new InvalidRequestError('recovery input needs endpointId and recoveryId');
  }
  return {
    endpointId,
    recoveryId,
    phase: phase === 'drain' ? 'drain' : 'probe',
    failedProbes: Number.isInteger(failedProbes) ? (failedProbes as number) : 0,
    ...(typeof rate === 'number' && rate >= 1 ? { rate } : {}),
    ...(Number.isInteger(reservedSlot) ? { reservedSlot: reservedSlot as number } : {}),
    waitUntil: new Date().toISOString(),
  };
}

function policy(slow: boolean): DrainPolicy {
  return {
    initialRate: config.drainInitialRate(),
    maxRate: config.drainMaxRate(),
    concurrency: slow ? config.slowLaneWidth() : Math.min(10, config.drainMaxRate()),
    slowMs: config.inlineTimeoutMs(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Runs `work` over `items`, at most `width` at once. */
async function inParallel<T, R>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}

/** Ends every parked delivery of the endpoint without an attempt (deleted or disabled). */
async function closeAll(endpointId: string, state: 'failed' | 'skipped', lastError: string): Promise<number> {
  let closed = 0;
  for (;;) {
    const page = await oldestEntries(endpointId, PAGE);
    if (page.length === 0) break;
    const now = new Date().toISOString();
    for (const entry of page) {
      await closeParked(entry.eventId, entry.endpointId, entry.generation, state, now, lastError);
      await removeEntry(entry);
    }
    closed += page.length;
    await settleEntries(endpointId, { left: page.length, drained: 0, expired: 0 });
  }
  return closed;
}

/** Ends the parked deliveries older than the lifetime, oldest first; answers how many. */
async function expireOld(endpointId: string, lifetimeSeconds: number): Promise<number> {
  let expired = 0;
  for (;;) {
    const now = new Date();
    const page = await oldestEntries(endpointId, PAGE);
    const split = splitExpired(page, now, lifetimeSeconds);
    for (const entry of split.expired) {
      await closeParked(
        entry.eventId,
        entry.endpointId,
        entry.generation,
        'failed',
        now.toISOString(),
        EXPIRED_ERROR,
      );
      await removeEntry(entry);
    }
    if (split.expired.length > 0) {
      expired += split.expired.length;
      // An expiry ends the delivery `failed`: the endpoint's chart counts it so.
      noteActivity(endpointId, 'failed', now, split.expired.length);
      await settleEntries(endpointId, {
        left: split.expired.length,
        drained: 0,
        expired: split.expired.length,
        ...(split.live[0] !== undefined ? { oldestAt: split.live[0].parkedAt } : {}),
      });
    }
    if (split.live.length > 0 || page.length < PAGE) break;
  }
  if (expired > 0) {
    const single = metrics.singleMetric();
    single.addMetadata('endpointId', endpointId);
    single.addMetric(MetricName.BacklogExpired, MetricUnit.Count, expired);
    logger.warn('parked deliveries expired', { endpointId, expired, lifetimeSeconds });
  }
  return expired;
}

type EntryOutcome =
  | { readonly kind: 'gone' }
  /** Its rate-limit window passed before it could be sent: it stays parked for the next step. */
  | { readonly kind: 'late' }
  | { readonly kind: 'attempted'; readonly result: AttemptResult };

/** Attempts one parked delivery; `gone` when it is no longer parked on that generation (replayed, closed). */
async function attemptEntry(
  entry: BacklogEntry,
  endpoint: EndpointRecord,
  mode: 'probe' | 'drain',
  window?: number,
): Promise<EntryOutcome> {
  const [delivery, event] = await Promise.all([
    getDelivery(entry.eventId, entry.endpointId),
    getEvent(entry.eventId),
  ]);
  if (
    delivery === undefined ||
    delivery.generation !== entry.generation ||
    delivery.state !== 'retrying' ||
    delivery.parkedAt === undefined
  ) {
    return { kind: 'gone' };
  }
  if (event === undefined) {
    await closeParked(
      entry.eventId,
      entry.endpointId,
      entry.generation,
      'failed',
      new Date().toISOString(),
      'event_not_found',
    );
    return { kind: 'gone' };
  }
  // Sent in the window its slot was taken for, or not now: a slow step must not spill into the next.
  if (window !== undefined && windowOf(new Date()) !== window) return { kind: 'late' };
  const result = await attemptDelivery({
    event,
    endpoint,
    generation: entry.generation,
    attempt: delivery.attempts + 1,
    backlog: mode,
  });
  if (result.superseded) return { kind: 'gone' };
  if (result.outcome === 'failed') {
    // The receiver refused this message for good: dead-lettered like any failed delivery.
    const now = new Date().toISOString();
    await sendToWebhookDlq(
      webhookDlqMessage({
        eventId: entry.eventId,
        endpointId: entry.endpointId,
        failedAt: now,
        attempts: delivery.attempts + 1,
        lastError: result.lastError,
      }),
    );
    await markDeadLettered(entry.eventId, entry.endpointId, entry.generation, now);
    if (!isOperational(event.type)) {
      await emitOpEvent(event.tenantId, OP_EVENT_TYPES.exhausted, {
        endpointId: entry.endpointId,
        eventId: entry.eventId,
        eventType: event.type,
        attempts: delivery.attempts + 1,
        lastError: result.lastError ?? 'unknown',
      });
    }
  } else if (result.outcome === 'retry' && mode === 'drain') {
    // One message failing while the endpoint answers: its own retries, as on a healthy endpoint.
    await scheduleRetry({
      eventId: entry.eventId,
      endpointId: entry.endpointId,
      generation: entry.generation,
      attempt: delivery.attempts + 2,
      waitSeconds: result.waitSeconds ?? 0,
    });
  }
  return { kind: 'attempted', result };
}

interface StepOutput extends RecoveryState {
  readonly drained?: number;
  readonly expired?: number;
}

/** The state the workflow waits on: the next step at `at`, the lease renewed to cover it. */
async function continueAt(
  state: RecoveryState,
  at: Date,
  draining: boolean,
  extra: Partial<RecoveryState> = {},
) {
  const next: RecoveryState = { ...state, ...extra, waitUntil: at.toISOString() };
  const owned = await renewRecovery(
    state.endpointId,
    state.recoveryId,
    new Date(at.getTime() + leaseGraceMs()),
    draining,
  );
  return { ...next, done: !owned };
}

/** The backlog is empty: end the recovery, tell the tenant, and look once more (a late park). */
async function finish(state: RecoveryState, endpoint: EndpointRecord): Promise<StepOutput> {
  const head = (await getHealth(state.endpointId, true)).backlog;
  if (!(await endRecovery(state.endpointId, state.recoveryId))) return { ...state, done: true };
  if (head.drained > 0) {
    await emitOpEvent(endpoint.tenantId, OP_EVENT_TYPES.recovered, {
      endpointId: endpoint.id,
      url: endpoint.url,
      drained: head.drained,
      expired: head.expired,
    });
  }
  logger.info('endpoint recovery ended', { endpointId: endpoint.id, drained: head.drained });
  // A delivery parked between the empty look and the end: this execution takes the backlog back (its
  // own ARN is not in its environment — that would be a cycle in the template — so it cannot start
  // another). If a dispatcher took the lease first, its recovery delivers it.
  const now = new Date();
  if (
    (await oldestEntries(state.endpointId, 1)).length > 0 &&
    (await claimRecovery(state.endpointId, state.recoveryId, new Date(now.getTime() + leaseGraceMs()), now))
  ) {
    return { ...state, phase: 'drain', waitUntil: now.toISOString(), done: false, drained: head.drained };
  }
  return { ...state, done: true, drained: head.drained };
}

async function probe(state: RecoveryState, endpoint: EndpointRecord): Promise<StepOutput | undefined> {
  for (;;) {
    const [entry] = await oldestEntries(endpoint.id, 1);
    if (entry === undefined) return finish(state, endpoint);
    if (endpoint.rateLimit !== undefined) {
      // A probe is a delivery too: it takes its window like every sender.
      const slot = await takeSlot(endpoint, new Date(), state.reservedSlot);
      if (!slot.go) {
        return continueAt(state, slot.notBefore, false, {
          ...(slot.reservedSlot !== undefined ? { reservedSlot: slot.reservedSlot } : {}),
        });
      }
    }
    const outcome = await attemptEntry(entry, endpoint, 'probe');
    // (A probe names no window, so it is never `late`.)
    if (outcome.kind !== 'attempted') {
      await removeEntry(entry);
      await settleEntries(endpoint.id, { left: 1, drained: 0, expired: 0 });
      continue;
    }
    const { result } = outcome;
    if (result.outcome !== 'retry') {
      // Through (or refused for good, which is an answer too): the endpoint is back; drain from here.
      await removeEntry(entry);
      await settleEntries(endpoint.id, {
        left: 1,
        drained: result.outcome === 'delivered' ? 1 : 0,
        expired: 0,
      });
      return undefined;
    }
    const failedProbes = state.failedProbes + 1;
    const delay = probeDelaySeconds(failedProbes, {
      timeScale: config.retryTimeScale(),
      maxSeconds: config.maxProbeIntervalSeconds(),
      ...(result.retryAfterSeconds !== undefined ? { retryAfterSeconds: result.retryAfterSeconds } : {}),
    });
    return continueAt(state, new Date(Date.now() + delay * 1000), false, { phase: 'probe', failedProbes });
  }
}

/** Sends one second's worth of the backlog; answers what came back and how many left the queue. */
/** A rate-limit window the drain reserved and has not used yet, and when it opens. */
interface Reservation {
  readonly notBefore: Date;
  readonly slot?: number;
}

/**
 * Takes the endpoint's rate-limit slots (shared with every other sender: per-delivery retries,
 * replays) for the head of `entries`, one at a time, stopping at the first that must wait — so a step
 * never books windows it will not use, and the one it booked is carried to the next step.
 */
async function admitted(
  endpoint: EndpointRecord,
  entries: readonly BacklogEntry[],
  carried: Reservation | undefined,
): Promise<{ go: BacklogEntry[]; wait?: Reservation; window?: number }> {
  if (endpoint.rateLimit === undefined) return { go: [...entries] };
  const go: BacklogEntry[] = [];
  let reserved = carried?.slot;
  let window: number | undefined;
  for (const entry of entries) {
    const now = new Date();
    const slot = await takeSlot(endpoint, now, reserved);
    reserved = undefined;
    if (!slot.go) {
      return {
        go,
        wait: {
          notBefore: slot.notBefore,
          ...(slot.reservedSlot !== undefined ? { slot: slot.reservedSlot } : {}),
        },
        ...(window !== undefined ? { window } : {}),
      };
    }
    // Granted means granted in the current window; a step that crosses a second stops there, and the
    // slot it just took in the new window goes to the next step.
    const current = windowOf(now);
    if (window !== undefined && current !== window) {
      return { go, wait: { notBefore: new Date(current * 1000), slot: current }, window };
    }
    window = current;
    go.push(entry);
  }
  return { go, ...(window !== undefined ? { window } : {}) };
}

async function drainStep(
  endpoint: EndpointRecord,
  entries: readonly BacklogEntry[],
  rules: DrainPolicy,
  window?: number,
): Promise<{ answers: StepAnswers; left: number; drained: number }> {
  const outcomes = await inParallel(entries, rules.concurrency, async (entry) => ({
    entry,
    outcome: await attemptEntry(entry, endpoint, 'drain', window),
  }));
  let sent = 0;
  let delivered = 0;
  let slow = 0;
  let throttled = 0;
  let failed = 0;
  let retryAfter: number | undefined;
  let left = 0;
  for (const { entry, outcome } of outcomes) {
    if (outcome.kind === 'late') continue;
    if (outcome.kind === 'attempted') {
      const { result } = outcome;
      sent += 1;
      if (result.outcome === 'delivered') {
        delivered += 1;
        if (result.durationMs > rules.slowMs) slow += 1;
      } else if (result.outcome === 'retry') {
        if (result.statusCode === 429 || result.statusCode === 503) throttled += 1;
        else failed += 1;
        if (result.retryAfterSeconds !== undefined)
          retryAfter = Math.max(retryAfter ?? 0, result.retryAfterSeconds);
      }
    }
    await removeEntry(entry);
    left += 1;
  }
  return {
    answers: {
      sent,
      delivered,
      slow,
      throttled,
      failed,
      ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    },
    left,
    drained: delivered,
  };
}

async function drain(state: RecoveryState, endpoint: EndpointRecord, slow: boolean): Promise<StepOutput> {
  const rules = policy(slow);
  const sliceEnds = Date.now() + config.drainSliceSeconds() * 1000;
  let rate = state.rate ?? Math.min(rules.initialRate, endpoint.rateLimit ?? rules.initialRate);
  let carried: Reservation | undefined;
  await renewRecovery(state.endpointId, state.recoveryId, new Date(sliceEnds + leaseGraceMs()), true);
  while (Date.now() < sliceEnds) {
    const stepStarted = Date.now();
    const entries = await oldestEntries(endpoint.id, Math.min(PAGE, stepSize(rate, endpoint.rateLimit)));
    if (entries.length === 0) return finish(state, endpoint);
    const { go, wait, window } = await admitted(endpoint, entries, carried);
    carried = wait;
    // A rate-limited step sends its whole window's share at once, inside the window it was granted.
    const width =
      endpoint.rateLimit !== undefined && !slow ? Math.max(rules.concurrency, go.length) : rules.concurrency;
    const { answers, left, drained } = await drainStep(
      endpoint,
      go,
      { ...rules, concurrency: width },
      window,
    );
    const [oldest] = await oldestEntries(endpoint.id, 1);
    await settleEntries(endpoint.id, {
      left,
      drained,
      expired: 0,
      ...(oldest !== undefined ? { oldestAt: oldest.parkedAt } : {}),
    });
    if (drained > 0) {
      const single = metrics.singleMetric();
      single.addMetadata('endpointId', endpoint.id);
      single.addMetric(MetricName.BacklogDrained, MetricUnit.Count, drained);
    }
    const verdict = judgeStep(rate, answers, rules, endpoint.rateLimit);
    if (verdict.next === 'probe') {
      const delay = probeDelaySeconds(1, {
        timeScale: config.retryTimeScale(),
        maxSeconds: config.maxProbeIntervalSeconds(),
      });
      return continueAt(state, new Date(Date.now() + delay * 1000), false, {
        phase: 'probe',
        failedProbes: 1,
      });
    }
    if (verdict.next === 'hold') {
      const at = new Date(Date.now() + verdict.seconds * config.retryTimeScale() * 1000);
      return continueAt(state, at, true, { phase: 'drain', rate: verdict.rate });
    }
    // A step whose first slot must wait sends nothing, and keeps the rate (judgeStep).
    rate = verdict.rate;
    // One step per second (a rate is deliveries per second), or until the window the limit booked;
    // at the start of a second, so a step's sends fall in the window its slots were taken for.
    const nextStep = Math.max(Math.ceil((stepStarted + 1) / 1000) * 1000, carried?.notBefore.getTime() ?? 0);
    if (nextStep >= sliceEnds) {
      return continueAt(state, new Date(nextStep), true, { phase: 'drain', rate });
    }
    await sleep(nextStep - Date.now());
  }
  return continueAt(state, new Date(), true, { phase: 'drain', rate });
}

async function step(state: RecoveryState): Promise<StepOutput> {
  const [endpoint, stored] = await Promise.all([
    getEndpoint(state.endpointId),
    getHealth(state.endpointId, true),
  ]);
  if (stored.backlog.recoveryId !== state.recoveryId) return { ...state, done: true };
  if (endpoint === undefined) {
    await closeAll(state.endpointId, 'failed', 'endpoint_deleted');
    await endRecovery(state.endpointId, state.recoveryId);
    return { ...state, done: true };
  }
  if (!endpoint.enabled) {
    // Kept as `skipped` as for any disabled endpoint; re-enabling offers to deliver them (API.md).
    await closeAll(state.endpointId, 'skipped', 'endpoint_disabled');
    await endRecovery(state.endpointId, state.recoveryId);
    return { ...state, done: true };
  }
  noteBacklog(endpoint.id, stored.backlog.count);
  const expired = await expireOld(endpoint.id, config.backlogLifetimeSeconds());
  if (stored.backlog.oldestAt !== undefined) {
    const single = metrics.singleMetric();
    single.addMetadata('endpointId', endpoint.id);
    single.addMetric(
      MetricName.BacklogAgeSeconds,
      MetricUnit.Seconds,
      Math.max(0, (Date.now() - Date.parse(stored.backlog.oldestAt)) / 1000),
    );
  }
  // Held by a receiver's Retry-After: nothing is sent before it passes, probe or drain.
  const heldUntil = stored.health.holdUntil !== undefined ? Date.parse(stored.health.holdUntil) : 0;
  if (heldUntil > Date.now()) return { ...(await continueAt(state, new Date(heldUntil), false)), expired };
  const slow = stored.health.state === 'open' && stored.health.openReason === 'slow';
  // Parked only for its rate limit or a hold that has passed, a healthy endpoint needs no probe.
  const healthy = stored.health.state === 'closed' && state.failedProbes === 0;
  if (state.phase === 'probe' && !healthy) {
    const probed = await probe(state, endpoint);
    if (probed !== undefined) return { ...probed, expired };
  }
  return { ...(await drain({ ...state, phase: 'drain' }, endpoint, slow)), expired };
}

async function handler(input: unknown): Promise<StepOutput> {
  try {
    return await step(parseState(input));
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    await flushActivity();
  }
}

export { handler };
