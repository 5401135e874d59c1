/**
 * The container's activity tally (tally.ts) and its flush: the delivery functions note outcomes and
 * backlog readings as they happen, and call `flushActivity` at the end of each invocation, which
 * writes at most once a minute (or when an hour has ended). A failed write is put back for the next
 * flush; nothing here ever throws into a handler — the chart is telemetry, not the delivery record.
 */
import { logger } from '../../shared/observability.js';
import { addActivity } from '../../shared/store/endpoint-activity.js';
import {
  type ActivityRow,
  flushDue,
  hourOf,
  newTally,
  noteBacklog as noteBacklogIn,
  noteOutcome,
  restoreRows,
  takeRows,
} from './tally.js';

/** Updates sent at once by one flush (a dispatch container may hold many endpoints' rows). */
const FLUSH_WIDTH = 8;
/** Rows older than the API reads (48 h) are not kept for another try. */
const KEEP_HOURS = 48;

const tally = newTally();

/** Counts a delivery's end; `retry` is not an end. `n` counts several at once (e.g. expiries). */
function noteActivity(endpointId: string, outcome: 'delivered' | 'failed' | 'retry', at: Date, n = 1): void {
  if (outcome === 'retry') return;
  noteOutcome(tally, endpointId, outcome, at.getTime(), n);
}

/** The endpoint's backlog as a step saw it; its hour keeps the largest reading. */
function noteBacklog(endpointId: string, count: number, at: Date = new Date()): void {
  noteBacklogIn(tally, endpointId, count, at.getTime());
}

/** Writes the tally if a flush is due; never throws. */
async function flushActivity(now: Date = new Date()): Promise<void> {
  if (!flushDue(tally, now.getTime())) return;
  const rows = takeRows(tally, now.getTime());
  const failed: ActivityRow[] = [];
  let next = 0;
  const lane = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      try {
        await addActivity(row);
      } catch (error) {
        failed.push(row);
        if (failed.length === 1) {
          logger.warn('endpoint activity not written; kept for the next flush', {
            endpointId: row.endpointId,
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FLUSH_WIDTH, rows.length) }, lane));
  restoreRows(
    tally,
    failed.filter((row) => row.hour > hourOf(now.getTime()) - KEEP_HOURS),
  );
}

export { flushActivity, noteActivity, noteBacklog };
