/**
 * An endpoint's hourly activity as one container counts it (docs/internals.md "Endpoint activity"):
 * deliveries that ended delivered or failed, and the largest backlog seen, per (endpoint, hour), kept
 * in memory and handed to the store at most once a minute — so the chart costs a write per endpoint
 * per minute per container, never a write per delivery. Pure: the clock is passed in; the caller owns
 * the I/O (`recorder.ts`).
 */

const HOUR_MS = 3_600_000;

/** How often a container flushes at most, unless an hour it holds counts for has ended. */
const FLUSH_INTERVAL_MS = 60_000;

/** What a delivery's end counts as: `retry` is not an end and is not counted. */
type ActivityOutcome = 'delivered' | 'failed';

/** One (endpoint, hour)'s counts since the last flush. `hour` is in epoch hours (ms / 3,600,000). */
interface ActivityRow {
  readonly endpointId: string;
  readonly hour: number;
  readonly delivered: number;
  readonly failed: number;
  /** The largest backlog noted in that hour; absent when none was noted. */
  readonly backlog?: number;
}

interface Counts {
  delivered: number;
  failed: number;
  backlog?: number;
}

interface Tally {
  /** `<hour> <endpointId>` → counts (a space: endpoint ids never hold one). */
  readonly pending: Map<string, { readonly endpointId: string; readonly hour: number; counts: Counts }>;
  /** When the last flush was taken; undefined before the first (a new container flushes at once). */
  lastFlushMs: number | undefined;
}

function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

function newTally(): Tally {
  return { pending: new Map(), lastFlushMs: undefined };
}

function countsFor(tally: Tally, endpointId: string, hour: number): Counts {
  const key = `${hour} ${endpointId}`;
  let entry = tally.pending.get(key);
  if (entry === undefined) {
    entry = { endpointId, hour, counts: { delivered: 0, failed: 0 } };
    tally.pending.set(key, entry);
  }
  return entry.counts;
}

/** Counts `n` deliveries to `endpointId` that ended `outcome` at `atMs`. */
function noteOutcome(tally: Tally, endpointId: string, outcome: ActivityOutcome, atMs: number, n = 1): void {
  if (!(n > 0)) return;
  countsFor(tally, endpointId, hourOf(atMs))[outcome] += n;
}

/** A backlog gauge reading: the hour keeps the largest one seen. */
function noteBacklog(tally: Tally, endpointId: string, count: number, atMs: number): void {
  if (!Number.isFinite(count) || count < 0) return;
  const counts = countsFor(tally, endpointId, hourOf(atMs));
  counts.backlog = Math.max(counts.backlog ?? 0, Math.floor(count));
}

/** Whether a flush is due: something is pending and a minute has passed, or an hour it counts has ended. */
function flushDue(tally: Tally, nowMs: number): boolean {
  if (tally.pending.size === 0) return false;
  if (tally.lastFlushMs === undefined || nowMs - tally.lastFlushMs >= FLUSH_INTERVAL_MS) return true;
  const current = hourOf(nowMs);
  for (const { hour } of tally.pending.values()) if (hour < current) return true;
  return false;
}

/** Takes every pending row out of the tally (to be written) and starts the next minute. */
function takeRows(tally: Tally, nowMs: number): ActivityRow[] {
  const rows = [...tally.pending.values()].map(({ endpointId, hour, counts }) => ({
    endpointId,
    hour,
    delivered: counts.delivered,
    failed: counts.failed,
    ...(counts.backlog !== undefined ? { backlog: counts.backlog } : {}),
  }));
  tally.pending.clear();
  tally.lastFlushMs = nowMs;
  return rows;
}

/** Puts rows whose write failed back, merged with what was counted since, for the next flush. */
function restoreRows(tally: Tally, rows: readonly ActivityRow[]): void {
  for (const row of rows) {
    const counts = countsFor(tally, row.endpointId, row.hour);
    counts.delivered += row.delivered;
    counts.failed += row.failed;
    if (row.backlog !== undefined) counts.backlog = Math.max(counts.backlog ?? 0, row.backlog);
  }
}

export type { ActivityOutcome, ActivityRow, Tally };
export {
  FLUSH_INTERVAL_MS,
  flushDue,
  HOUR_MS,
  hourOf,
  newTally,
  noteBacklog,
  noteOutcome,
  restoreRows,
  takeRows,
};
