/**
 * Before a delivery's POST: which lane it takes (breaker, `Retry-After` hold) and whether the
 * endpoint's rate limit lets it go now. Health is read through a per-container cache of
 * `HERALD_HEALTH_CACHE_MS` (default 1 s), so a healthy endpoint costs at most one GetItem per
 * container per second, and a container's own writes land in its cache at once (report.ts). The
 * staleness bound is that second: another container's breaker opening reaches this one within it.
 */
import { config } from '../../shared/config.js';
import type { EndpointRecord } from '../../shared/model.js';
import { recoveryLive } from '../../shared/store/backlog.js';
import {
  claimProbe,
  getHealth,
  type StoredHealth,
  takeRateSlot,
} from '../../shared/store/endpoint-health.js';
import { admit, type Lane } from './breaker.js';
import { decide, MAX_HOPS, reservationAt, windowOf } from './limiter.js';

interface Cached extends StoredHealth {
  readonly readAt: number;
}

/** Bounded so a container serving many endpoints does not grow without limit. */
const MAX_CACHED = 5_000;
const cache = new Map<string, Cached>();

function remember(endpointId: string, stored: StoredHealth, now = Date.now()): void {
  if (cache.size >= MAX_CACHED && !cache.has(endpointId)) cache.delete(cache.keys().next().value!);
  cache.set(endpointId, { ...stored, readAt: now });
}

async function healthOf(endpointId: string, now = Date.now()): Promise<StoredHealth> {
  const hit = cache.get(endpointId);
  if (hit !== undefined && now - hit.readAt < config.healthCacheMs()) return hit;
  const stored = await getHealth(endpointId);
  remember(endpointId, stored, now);
  return stored;
}

/**
 * The lane of the next delivery to `endpointId` (cached read). While a recovery drains the endpoint's
 * backlog, new deliveries queue behind it rather than overtake it (adrs/0011).
 */
async function laneFor(endpointId: string, now: Date): Promise<Lane> {
  const stored = await healthOf(endpointId, now.getTime());
  const lane = admit(stored.health, now);
  if (lane.lane === 'inline' && recoveryLive(stored.backlog, now))
    return { lane: 'workflow', reason: 'backlog' };
  return lane;
}

type RateVerdict =
  | { readonly go: true }
  /** Wait until `notBefore`; `reservedSlot` (epoch second) is already counted for this delivery. */
  | { readonly go: false; readonly notBefore: Date; readonly reservedSlot?: number };

/**
 * Takes the endpoint's rate-limit slot for a delivery at `now`. `reserved` is a slot this delivery
 * took earlier (carried through the workflow): inside it, go; before it, wait; after it, take anew.
 */
async function takeSlot(endpoint: EndpointRecord, now: Date, reserved?: number): Promise<RateVerdict> {
  const limit = endpoint.rateLimit;
  if (limit === undefined) return { go: true };
  if (reserved !== undefined) {
    const where = reservationAt(reserved, now);
    if (where === 'go') return { go: true };
    if (where === 'early') return { go: false, notBefore: new Date(reserved * 1000), reservedSlot: reserved };
  }
  let window = windowOf(now);
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const decision = decide(limit, { window, count: await takeRateSlot(endpoint.id, window) });
    if (decision.granted) {
      return decision.window === windowOf(now)
        ? { go: true }
        : { go: false, notBefore: new Date(decision.window * 1000), reservedSlot: decision.window };
    }
    window = decision.next;
  }
  // A long queue ahead: wait until the last window looked at and try again then (nothing reserved).
  return { go: false, notBefore: new Date(window * 1000) };
}

/**
 * The workflow lane's gate before its POST: a `Retry-After` hold or the rate limit postpone the
 * attempt (without spending it); an open breaker does not — the workflow's attempts are its probes.
 */
async function workflowWait(
  endpoint: EndpointRecord,
  reservedSlot: number | undefined,
  now: Date,
): Promise<{ readonly notBefore: Date; readonly reservedSlot?: number } | undefined> {
  const lane = await laneFor(endpoint.id, now);
  if (lane.lane === 'workflow' && lane.reason === 'held' && lane.notBefore !== undefined) {
    return { notBefore: lane.notBefore };
  }
  const slot = await takeSlot(endpoint, now, reservedSlot);
  if (slot.go) return undefined;
  return {
    notBefore: slot.notBefore,
    ...(slot.reservedSlot !== undefined ? { reservedSlot: slot.reservedSlot } : {}),
  };
}

/** A probe's lease beyond the attempt timeout: room for signing and recording. */
const PROBE_MARGIN_MS = 5_000;

/** How long one probe holds the endpoint at most: its POST's timeout and the margin. */
function probeLeaseMs(): number {
  return config.webhookTimeoutMs() + PROBE_MARGIN_MS;
}

type ProbeVerdict =
  | { readonly kind: 'go' }
  /** This attempt holds probe slot `slot` of the endpoint until `until` (release it after the POST). */
  | { readonly kind: 'probe'; readonly until: Date; readonly slot: number }
  /** Another attempt is probing the open endpoint: do not POST now. */
  | { readonly kind: 'busy' };

/**
 * The workflow lane's share for an endpoint in trouble: while its breaker is open on failures or
 * timeouts, one attempt at a time POSTs to it (the probe), so a hanging endpoint holds at most one
 * attempt invocation per lease instead of one per delivery — the lane stays free for everyone else.
 * A receiver open for being slow (it answers, slowly) gets the slow lane's width of slots instead
 * (HERALD_SLOW_LANE_WIDTH): at most that many retries POST to it at once, whatever their number.
 */
async function probeFor(endpointId: string, now: Date): Promise<ProbeVerdict> {
  const { health } = await healthOf(endpointId, now.getTime());
  if (health.state !== 'open') return { kind: 'go' };
  const until = new Date(now.getTime() + probeLeaseMs());
  const width = health.openReason === 'slow' ? config.slowLaneWidth() : 1;
  for (let slot = 0; slot < width; slot++) {
    if (await claimProbe(endpointId, now, until, slot)) return { kind: 'probe', until, slot };
  }
  return { kind: 'busy' };
}

/**
 * What this container predicts after an attempt that changed no state: kept until the entry's read
 * expires, not longer — re-stamping it would keep a container that keeps failing from ever reading
 * the breaker another container opened.
 */
function notePredicted(endpointId: string, health: StoredHealth['health']): void {
  const hit = cache.get(endpointId);
  if (hit !== undefined) cache.set(endpointId, { ...hit, health });
}

/** For tests: forget every cached health. */
function clearHealthCache(): void {
  cache.clear();
}

export type { ProbeVerdict, RateVerdict };
export {
  clearHealthCache,
  healthOf,
  laneFor,
  notePredicted,
  probeFor,
  probeLeaseMs,
  remember,
  takeSlot,
  workflowWait,
};
