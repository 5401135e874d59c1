/**
 * The endpoint rate limiter (adrs/0007): fixed one-second windows, one counter per endpoint and
 * second in DynamoDB, taken with an atomic ADD (no read-modify-write, so concurrent dispatchers never
 * contend). This module is the pure part: given the count a take returned, either the delivery has its
 * slot or it should try the window its position in the overflow points to. Deliveries that overflow a
 * window together land in the following windows in arrival order, `limit` per window, so a burst is
 * spread with one write per hop in the common case.
 */

interface Take {
  /** Epoch second of the window that was incremented. */
  readonly window: number;
  /** The window's count after this delivery's increment. */
  readonly count: number;
}

type SlotDecision =
  | { readonly granted: true; readonly window: number }
  | { readonly granted: false; readonly next: number };

/** How many windows a delivery may hop before it gives up reserving and simply waits (then tries again). */
const MAX_HOPS = 8;

function decide(limit: number, take: Take): SlotDecision {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  if (take.count <= limit) return { granted: true, window: take.window };
  // The k-th delivery past the limit belongs ceil(k / limit) windows later.
  return { granted: false, next: take.window + Math.ceil((take.count - limit) / limit) };
}

/** The epoch second `now` falls in. */
function windowOf(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

/**
 * Whether a delivery holding `reserved` may go at `now`: inside its window, yes; before it, wait;
 * after it (a late wake-up), its slot is gone — take a new one rather than spill into a later window.
 */
function reservationAt(reserved: number, now: Date): 'go' | 'early' | 'late' {
  const current = windowOf(now);
  if (current === reserved) return 'go';
  return current < reserved ? 'early' : 'late';
}

export type { SlotDecision, Take };
export { decide, MAX_HOPS, reservationAt, windowOf };
