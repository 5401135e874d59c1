/**
 * The cost model's measured inputs, from the newest Herald benchmark results
 * (bench/results/herald-<date>.json, written by `npm run bench`): requests per event counted at the
 * emulators for an `order.placed` with the invoice job and one endpoint (the model's event), and
 * Lambda durations per message from the paced runs (bench.webhook offered at 100/s).
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CountedPerEvent, FunctionName } from './model.js';

interface SavedCalls {
  readonly scenario: string;
  readonly perEvent: Readonly<Record<string, number>>;
}

interface SavedRun {
  readonly invocations?: Readonly<Record<string, { meanMs: number; perEvent: number }>>;
}

interface SavedSuite {
  readonly suite?: {
    readonly calls?: readonly SavedCalls[];
    readonly configs?: ReadonlyArray<{ readonly label: string; readonly runs: readonly SavedRun[] }>;
  };
}

/** Local function label → the model's role. */
function roleOf(label: string): FunctionName | undefined {
  // Logical ids (EventsApiAuthorizer…) or the runtime's display names (authorizer, job-invoice).
  if (/authorizer/i.test(label)) return 'authorizer';
  if (/ingest/i.test(label)) return 'ingest';
  if (/^job/i.test(label)) return 'job';
  if (/dispatch/i.test(label)) return 'dispatch';
  if (/attempt/i.test(label)) return 'attempt';
  return undefined;
}

function newestResults(resultsDir: string): string | undefined {
  if (!existsSync(resultsDir)) return undefined;
  const files = readdirSync(resultsDir)
    .filter((f) => /^herald-\d{4}-\d{2}-\d{2}\.json$/.test(f))
    .sort();
  return files.length === 0 ? undefined : join(resultsDir, files[files.length - 1] as string);
}

/** Counted requests per event of the model's event, or undefined when no results hold them. */
function countedFrom(file: string, saved: SavedSuite): CountedPerEvent | undefined {
  const calls = saved.suite?.calls?.find((c) => c.scenario.startsWith('order.placed'));
  if (calls === undefined) return undefined;
  const op = (name: string) => calls.perEvent[name] ?? 0;
  const invocations: Partial<Record<FunctionName, number>> = {};
  for (const [key, n] of Object.entries(calls.perEvent)) {
    if (!key.startsWith('lambda:')) continue;
    const role = roleOf(key.slice('lambda:'.length));
    if (role !== undefined) invocations[role] = (invocations[role] ?? 0) + n;
  }
  const snsPublishes = op('sns:(query)') + op('sns:Publish');
  return {
    source: `${file.slice(file.lastIndexOf('bench/'))}, "${calls.scenario}"`,
    dynamoWrites: op('dynamodb:PutItem') + op('dynamodb:UpdateItem') + op('dynamodb:DeleteItem'),
    // Derived, not counted: every published event is one indexed put; one delivery = claim + update.
    dynamoIndexedWrites: snsPublishes + 2,
    dynamoConsistentReads: op('dynamodb:GetItem'),
    dynamoQueries: op('dynamodb:Query'),
    snsPublishes,
    invocations,
  };
}

/** ms per message handled, by role, from the median paced run. */
function durationsFrom(saved: SavedSuite): Partial<Record<FunctionName, number>> {
  const paced = saved.suite?.configs?.find((c) => /^100\/s/.test(c.label));
  const runs = paced?.runs ?? [];
  const out: Partial<Record<FunctionName, number[]>> = {};
  for (const run of runs) {
    for (const [label, v] of Object.entries(run.invocations ?? {})) {
      const role = roleOf(label);
      if (role === undefined) continue;
      // bench.webhook: one message per event for every role that runs, so ms per message = mean × invocations per event.
      const samples = out[role] ?? [];
      samples.push(v.meanMs * v.perEvent);
      out[role] = samples;
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
  return Object.fromEntries(
    Object.entries(out).map(([role, xs]) => [role, Math.round(median(xs as number[]) * 10) / 10]),
  ) as Partial<Record<FunctionName, number>>;
}

function loadMeasured(root: string): {
  counted?: CountedPerEvent;
  durationsMs: Partial<Record<FunctionName, number>>;
  source?: string;
} {
  const file = newestResults(join(root, 'bench', 'results'));
  if (file === undefined) return { durationsMs: {} };
  const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedSuite;
  const counted = countedFrom(file, saved);
  return {
    ...(counted !== undefined ? { counted } : {}),
    durationsMs: durationsFrom(saved),
    source: file.slice(file.lastIndexOf('bench/')),
  };
}

export type { SavedSuite };
export { countedFrom, durationsFrom, loadMeasured, roleOf };
