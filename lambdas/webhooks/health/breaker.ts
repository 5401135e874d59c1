/**
 * The endpoint breaker (adrs/0007): a pure decision over one endpoint's health, clock passed in.
 *
 * `admit(health, now)` says which lane the next delivery takes: `inline` (the dispatcher's own short
 * POST) or `workflow` (the retry workflow, full timeout, off the shared dispatch pool) — and, for a
 * `Retry-After` hold, not before when. `afterAttempt(health, report, policy)` folds one attempt's
 * result into the state and names what the caller must do about it (`notices`).
 *
 * There is no half-open inline probe on purpose: while the breaker is open every delivery goes to the
 * workflow, whose attempts are the probes. A quick success there closes the breaker; a slow success
 * (longer than the inline timeout) keeps it open, so a slow-but-working receiver lives in the
 * workflow lane and never stalls a dispatch batch.
 */
import {
  type BreakerState,
  type EndpointHealth,
  HEALTH_FIELDS,
  type OpenReason,
} from '../../shared/model.js';

type Notice = 'failing' | 'recovered' | 'disable';

interface BreakerPolicy {
  /** Consecutive failures that open the breaker and send `herald.endpoint.failing`. */
  readonly failureThreshold: number;
  /** The inline attempt's timeout: a success slower than this keeps the endpoint in the workflow lane. */
  readonly inlineTimeoutMs: number;
  /** A streak older than this (every attempt failed since `failingSince`) disables the endpoint. */
  readonly disableAfterMs: number;
}

type AttemptReport =
  | { readonly ok: true; readonly at: Date; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly at: Date;
      /** When the failed POST started (a hanging one can finish long after later successes). @default at */
      readonly startedAt?: Date;
      readonly timedOut: boolean;
      /** From a 429/503 `Retry-After`, already capped by the caller. */
      readonly holdUntil?: Date;
    };

type Lane =
  | { readonly lane: 'inline' }
  /** `backlog`: the endpoint's recovery is draining its backlog (gate.ts; adrs/0011). */
  | { readonly lane: 'workflow'; readonly reason: 'open' | 'held' | 'backlog'; readonly notBefore?: Date };

interface AfterAttempt {
  readonly health: EndpointHealth;
  readonly notices: readonly Notice[];
  /** False when nothing but the streak counters moved (the store can then count without a conditional write). */
  readonly transition: boolean;
  /** A failure older than the last recovery: it changes nothing and is not counted. */
  readonly stale?: boolean;
}

function admit(health: EndpointHealth, now: Date): Lane {
  if (health.holdUntil !== undefined && Date.parse(health.holdUntil) > now.getTime()) {
    return { lane: 'workflow', reason: 'held', notBefore: new Date(health.holdUntil) };
  }
  return health.state === 'open' ? { lane: 'workflow', reason: 'open' } : { lane: 'inline' };
}

/** Later of two optional ISO times. */
function later(a: string | undefined, b: Date | undefined): string | undefined {
  if (b === undefined) return a;
  return a !== undefined && Date.parse(a) >= b.getTime() ? a : b.toISOString();
}

function withoutExpiredHold(health: EndpointHealth, at: Date): EndpointHealth {
  if (health.holdUntil === undefined || Date.parse(health.holdUntil) > at.getTime()) return health;
  const { holdUntil: _expired, ...rest } = health;
  return rest;
}

function afterFailure(
  before: EndpointHealth,
  report: Extract<AttemptReport, { ok: false }>,
  policy: BreakerPolicy,
): AfterAttempt {
  const startedAt = report.startedAt ?? report.at;
  if (before.recoveredAt !== undefined && startedAt.getTime() < Date.parse(before.recoveredAt)) {
    return { health: before, notices: [], transition: false, stale: true };
  }
  const at = report.at.toISOString();
  const streak = before.failureStreak + 1;
  const failingSince = before.failingSince ?? at;
  const notices: Notice[] = [];
  let health: EndpointHealth = {
    ...withoutExpiredHold(before, report.at),
    failureStreak: streak,
    failingSince,
    lastFailureAt: at,
  };
  const holdUntil = later(health.holdUntil, report.holdUntil);
  if (holdUntil !== undefined) health = { ...health, holdUntil };
  // A timeout opens at once: one hanging receiver costs the inline timeout once, not once per event.
  if (health.state === 'closed' && (report.timedOut || streak >= policy.failureThreshold)) {
    health = { ...health, state: 'open', openedAt: at, openReason: report.timedOut ? 'timeout' : 'failures' };
  }
  if (streak >= policy.failureThreshold && !health.failingNotified) {
    health = { ...health, failingNotified: true };
    notices.push('failing');
  }
  if (
    health.disabledAt === undefined &&
    report.at.getTime() - Date.parse(failingSince) >= policy.disableAfterMs
  ) {
    health = { ...health, disabledAt: at };
    notices.push('disable');
  }
  const counted = { ...before, failureStreak: streak, failingSince, lastFailureAt: at };
  return { health, notices, transition: !sameHealth(counted, health) };
}

function afterSuccess(
  before: EndpointHealth,
  report: Extract<AttemptReport, { ok: true }>,
  policy: BreakerPolicy,
): AfterAttempt {
  const notices: Notice[] = before.failingNotified ? ['recovered'] : [];
  const slow = report.durationMs > policy.inlineTimeoutMs;
  const {
    failingSince: _s,
    lastFailureAt: _l,
    openedAt: _o,
    openReason: _r,
    ...rest
  } = withoutExpiredHold(before, report.at);
  let health: EndpointHealth = { ...rest, failureStreak: 0, failingNotified: false, state: 'closed' };
  const endsStreak = before.failureStreak > 0 || before.state === 'open' || before.failingNotified;
  if (endsStreak) health = { ...health, recoveredAt: report.at.toISOString() };
  if (slow) {
    const openedAt = before.state === 'open' && before.openedAt ? before.openedAt : report.at.toISOString();
    health = { ...health, state: 'open', openedAt, openReason: 'slow' };
  }
  return { health, notices, transition: !sameHealth(before, health) };
}

function afterAttempt(before: EndpointHealth, report: AttemptReport, policy: BreakerPolicy): AfterAttempt {
  return report.ok ? afterSuccess(before, report, policy) : afterFailure(before, report, policy);
}

function sameHealth(a: EndpointHealth, b: EndpointHealth): boolean {
  return HEALTH_FIELDS.every((field) => a[field] === b[field]);
}

/** What the API shows (`health.status`): the one word a consumer portal needs. */
type HealthStatus = 'healthy' | 'failing' | 'open' | 'held';

function statusOf(health: EndpointHealth, now: Date): HealthStatus {
  if (health.holdUntil !== undefined && Date.parse(health.holdUntil) > now.getTime()) return 'held';
  if (health.failingNotified) return 'failing';
  if (health.state === 'open') return 'open';
  return 'healthy';
}

/** The endpoint representation's `health` (docs/api.md, additive). */
interface HealthView {
  readonly status: HealthStatus;
  readonly breaker: BreakerState;
  readonly failureStreak: number;
  readonly failingSince?: string;
  readonly lastFailureAt?: string;
  readonly openReason?: OpenReason;
  readonly heldUntil?: string;
}

function healthView(health: EndpointHealth, now: Date): HealthView {
  const held = health.holdUntil !== undefined && Date.parse(health.holdUntil) > now.getTime();
  return {
    status: statusOf(health, now),
    breaker: health.state,
    failureStreak: health.failureStreak,
    ...(health.failingSince !== undefined ? { failingSince: health.failingSince } : {}),
    ...(health.lastFailureAt !== undefined ? { lastFailureAt: health.lastFailureAt } : {}),
    ...(health.state === 'open' && health.openReason !== undefined ? { openReason: health.openReason } : {}),
    ...(held ? { heldUntil: health.holdUntil } : {}),
  };
}

export type { AfterAttempt, AttemptReport, BreakerPolicy, HealthStatus, HealthView, Lane, Notice };
export { admit, afterAttempt, healthView };
