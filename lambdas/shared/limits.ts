/**
 * Limits against amplification (docs/api.md "Limits"): what each limit is, its default, and the pure
 * decisions around the DynamoDB counters that enforce them (store/limits.ts). A limit is a number a
 * tenant may not go past; a conditional write on a counter makes the check and the count one atomic
 * step, so concurrent management functions cannot overshoot it together.
 */

/** The limits and their defaults; a deployment overrides them with CDK context (bin/app.ts). */
interface Limits {
  /** Endpoints one tenant may have. @default 50 (context `herald:maxEndpointsPerTenant`) */
  readonly endpointsPerTenant: number;
  /** `POST /v1/replay` calls per tenant per minute. @default 10 (context `herald:maxReplayCallsPerMinute`) */
  readonly replayCallsPerMinute: number;
  /** Events one `POST /v1/replay` call replays; past it the answer says `truncated`. @default 1000 */
  readonly replayEventsPerCall: number;
  /**
   * Caller-triggered deliveries (replay, bulk replay, endpoint tests, the re-enable drain) per tenant
   * per minute (delivery-budget.ts). @default 1000 (context `herald:maxCallerDeliveriesPerMinute`)
   */
  readonly callerDeliveriesPerMinute: number;
}

const DEFAULT_LIMITS: Limits = Object.freeze({
  endpointsPerTenant: 50,
  replayCallsPerMinute: 10,
  replayEventsPerCall: 1000,
  callerDeliveriesPerMinute: 1000,
});

/** The fixed window a rate limit counts in. */
const REPLAY_WINDOW_SECONDS = 60;

interface Window {
  /** Epoch seconds the window started at: the counter's key. */
  readonly start: number;
  /** Seconds until the next window opens, at least 1 (the Retry-After of a refusal). */
  readonly retryAfterSeconds: number;
  /** When the counter may be dropped (TTL): a window later than its end. */
  readonly expiresAt: number;
}

/** The window `now` falls in. */
function windowAt(now: Date, windowSeconds = REPLAY_WINDOW_SECONDS): Window {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const start = nowSeconds - (nowSeconds % windowSeconds);
  return {
    start,
    retryAfterSeconds: Math.max(1, start + windowSeconds - nowSeconds),
    expiresAt: start + 2 * windowSeconds,
  };
}

/** One more use of a counted limit: allowed while the count is below it. */
function admits(current: number, limit: number): boolean {
  return current < limit;
}

/** The fields a `limit_exceeded` problem carries (`limit` and `current` as numbers, `limitName` which). */
function limitDetail(limitName: keyof Limits, limit: number, current: number): Record<string, unknown> {
  return { limitName, limit, current };
}

export type { Limits, Window };
export { admits, DEFAULT_LIMITS, limitDetail, REPLAY_WINDOW_SECONDS, windowAt };
