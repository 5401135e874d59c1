/**
 * The per-tenant budget of caller-triggered deliveries (docs/api.md "Limits"): single replay, bulk
 * replay, endpoint tests and the re-enable drain all count against one number per tenant per minute,
 * so no caller can turn one request into an unbounded burst of POSTs at URLs the tenant chose.
 * Published events are not counted: they are the tenant's traffic, paced per endpoint by `rateLimit`.
 *
 * Pure decisions here; the counter is store/delivery-budget.ts, one conditional ADD per take.
 */
import { RateLimitedError } from './errors.js';
import { DEFAULT_LIMITS, limitDetail, type Window, windowAt } from './limits.js';

/** Caller-triggered deliveries per tenant per minute (limits.ts, context `herald:maxCallerDeliveriesPerMinute`). */
const DEFAULT_CALLER_DELIVERIES_PER_MINUTE = DEFAULT_LIMITS.callerDeliveriesPerMinute;
const BUDGET_WINDOW_SECONDS = 60;

/** Who asks: every kind of caller-triggered delivery, named in logs and problems. */
type BudgetUse = 'replay' | 'bulk-replay' | 'endpoint-test' | 'drain';

/**
 * `all`: the request is served whole or not at all (a replay of one event, a test). `some`: as much as
 * is left (bulk replay pages, the drain), the rest later.
 */
type GrantMode = 'all' | 'some';

/** How many of `requested` deliveries the budget gives when `current` are already counted. */
function budgetGrant(current: number, requested: number, limit: number, mode: GrantMode): number {
  if (requested <= 0) return 0;
  const left = Math.max(0, limit - Math.max(0, current));
  if (mode === 'all') return requested <= left ? requested : 0;
  return Math.min(requested, left);
}

/** The window a take at `now` counts in (fixed minutes, as bulk replay's call limit). */
function budgetWindow(now: Date): Window {
  return windowAt(now, BUDGET_WINDOW_SECONDS);
}

/** What a take answered: how many were granted, and, when fewer than asked, when to come back. */
interface BudgetTake {
  readonly granted: number;
  readonly requested: number;
  readonly limit: number;
  /** Counted in this window after the take. */
  readonly current: number;
  /** Seconds until the next window (the Retry-After of a refusal). */
  readonly retryAfterSeconds: number;
}

/** The limit as configured: a positive integer, or the default. */
function parseBudgetLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_CALLER_DELIVERIES_PER_MINUTE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`HERALD_MAX_CALLER_DELIVERIES_PER_MINUTE must be a positive integer, got "${raw}"`);
  }
  return value;
}

const USE_NAMES: Readonly<Record<BudgetUse, string>> = {
  replay: 'this replay',
  'bulk-replay': 'this bulk replay',
  'endpoint-test': 'this test',
  drain: 'the backlog drain',
};

/** The 429 of a take that granted nothing: Retry-After until the next minute, like bulk replay's limit. */
function budgetRefusal(tenantId: string, take: BudgetTake, use: BudgetUse): RateLimitedError {
  return new RateLimitedError(
    `Tenant ${tenantId} may trigger at most ${take.limit} deliveries per minute (replays, tests); ${take.current} ` +
      `are counted this minute and ${USE_NAMES[use]} needs ${take.requested}. Retry after ${take.retryAfterSeconds} s`,
    take.retryAfterSeconds,
    {
      detail: {
        ...limitDetail('callerDeliveriesPerMinute', take.limit, take.current),
        requested: take.requested,
        retryAfterSeconds: take.retryAfterSeconds,
      },
    },
  );
}

export type { BudgetTake, BudgetUse, GrantMode };
export { budgetGrant, budgetRefusal, budgetWindow, DEFAULT_CALLER_DELIVERIES_PER_MINUTE, parseBudgetLimit };
