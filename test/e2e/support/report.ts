/**
 * Observations for docs/reliability.md. A drill records what it injected, what it expected and what it
 * observed (numbers measured in the run) before asserting, so a failing case still reports its numbers.
 * Records go to `$HERALD_DRILL_REPORT_DIR/<drill>.jsonl` when `npm run drills` sets it; otherwise they
 * are only printed when HERALD_E2E_VERBOSE=1.
 *
 * Hostile-input tests record one `HostileRecord` per case through `recordHostile`, into the same
 * directory (`hostile-<category>.jsonl`, tagged `kind: "hostile"`); scripts/hostile-tables.ts renders
 * them as one table per category.
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

/** The hostile-input categories docs/reliability.md has a table for, in its order. */
const HOSTILE_CATEGORIES = [
  'bodies',
  'schemas',
  'auth and tenants',
  'SSRF spellings',
  'signatures',
  'secrets',
] as const;
type HostileCategory = (typeof HOSTILE_CATEGORIES)[number];

/** One hostile case as the test observed it: the real response's status and code, and its stored check. */
interface HostileRecord {
  readonly category: HostileCategory;
  readonly case: string;
  /** HTTP status answered; undefined where the case is not a request (e.g. a table scan). */
  readonly status: number | undefined;
  /** Problem `code` (or the verifier's error name); undefined when the answer carried none. */
  readonly code: string | undefined;
  /** The test's own "nothing stored" check for this case; undefined where the test makes none. */
  readonly nothingStored: boolean | undefined;
}

function recordHostile(entry: HostileRecord): void {
  const dir = process.env.HERALD_DRILL_REPORT_DIR;
  const line = JSON.stringify({ kind: 'hostile', ...entry, recordedAt: new Date().toISOString() });
  if (dir) {
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, `hostile-${slug(entry.category)}.jsonl`), `${line}\n`);
  }
  if (process.env.HERALD_E2E_VERBOSE === '1') console.info(`[hostile] ${line}`);
}

/** Nearest-rank percentile of a non-empty sample (ms). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export type { HostileCategory, HostileRecord, Observation };
export { HOSTILE_CATEGORIES, percentile, record, recordHostile };
