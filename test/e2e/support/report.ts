/**
 * Observations for docs/reliability.md. A drill records what it injected, what it expected and what it
 * observed (numbers measured in the run) before asserting, so a failing case still reports its numbers.
 * Records go to `$HERALD_DRILL_REPORT_DIR/<drill>.jsonl` when `npm run drills` sets it; otherwise they
 * are only printed when HERALD_E2E_VERBOSE=1.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

interface Observation {
  /** e.g. "1 duplicate storm"; also the file name stem. */
  readonly drill: string;
  /** The vitest test name, so the collector can join the pass/fail status. */
  readonly case: string;
  readonly injected: string;
  readonly expected: string;
  readonly observed: string;
  readonly counts: Readonly<Record<string, number | string>>;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function record(observation: Observation): void {
  const dir = process.env.HERALD_DRILL_REPORT_DIR;
  const line = JSON.stringify({ ...observation, recordedAt: new Date().toISOString() });
  if (dir) {
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, `${slug(observation.drill)}.jsonl`), `${line}\n`);
  }
  if (process.env.HERALD_E2E_VERBOSE === '1') console.info(`[drill] ${line}`);
}

/** Nearest-rank percentile of a non-empty sample (ms). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export type { Observation };
export { percentile, record, slug };
