/**
 * The cost model's measured inputs, from the newest Herald benchmark results
 * (bench/results/herald-<date>.json, written by `npm run bench`): requests per event counted at the
 * emulators for an `order.placed` with the invoice job and one endpoint (the model's event), and
 * Lambda durations and CPU per message from the paced runs (bench.webhook offered at 100/s). The
 * counted requests come from bench/results/cost-measured-<date>.json instead when it is as new or
 * newer (`npm run cost:measure` counts them the same way, without the hour-long benchmark).
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CountedPerEvent, FunctionName } from './model.js';
import type { Footprint } from './monthly.js';

interface SavedCalls {
  readonly scenario: string;
  readonly perEvent: Readonly<Record<string, number>>;
}

interface SavedRun {
  readonly invocations?: Readonly<Record<string, { meanMs: number; perEvent: number }>>;
  readonly acceptedPerSecond?: number;
  /** CPU seconds per wall second by thread group; function threads are `fn:<logical id, 12 chars>`. */
  readonly cpu?: { readonly byThread?: Readonly<Record<string, number>> };
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

/** A function thread's name, cut to 15 bytes by the OS (`fn:EventsApiAut`), → the model's role. */
function threadRoleOf(thread: string): FunctionName | undefined {
  if (!thread.startsWith('fn:')) return undefined;
  const id = thread.slice(3);
  if (/Aut/.test(id)) return 'authorizer';
  if (/Ing/.test(id)) return 'ingest';
  if (/^Job/.test(id)) return 'job';
  if (/Disp/.test(id)) return 'dispatch';
  if (/Att/.test(id)) return 'attempt';
  return undefined;
}

function newestResults(resultsDir: string, prefix = 'herald'): string | undefined {
  if (!existsSync(resultsDir)) return undefined;
  const files = readdirSync(resultsDir)
    .filter((f) => new RegExp(`^${prefix}-\\d{4}-\\d{2}-\\d{2}\\.json$`).test(f))
    .sort();
  return files.length === 0 ? undefined : join(resultsDir, files[files.length - 1] as string);
}

const dateOf = (file: string): string => file.slice(-'2026-12-01.json'.length, -'.json'.length);

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
    // Derived, not counted: every published event is one indexed put (its record); a delivery's claim
    // carries no list-index keys (issue 21) and its outcome update writes nothing gsi1k projects.
    dynamoIndexedWrites: snsPublishes,
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

/** CPU ms per message by role, from the median paced run (thread CPU / events accepted). */
function cpuFrom(saved: SavedSuite): Partial<Record<FunctionName, number>> {
  const paced = saved.suite?.configs?.find((c) => /^100\/s/.test(c.label));
  const out: Partial<Record<FunctionName, number[]>> = {};
  for (const run of paced?.runs ?? []) {
    const rate = run.acceptedPerSecond ?? 0;
    if (rate <= 0) continue;
    for (const [thread, cores] of Object.entries(run.cpu?.byThread ?? {})) {
      const role = threadRoleOf(thread);
      if (role === undefined) continue;
      // bench.webhook: one message per event for every role that runs.
      const samples = out[role] ?? [];
      samples.push((cores * 1000) / rate);
      out[role] = samples;
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
  return Object.fromEntries(
    Object.entries(out).map(([role, xs]) => [role, Math.round(median(xs as number[]) * 100) / 100]),
  ) as Partial<Record<FunctionName, number>>;
}

function loadMeasured(root: string): {
  counted?: CountedPerEvent;
  durationsMs: Partial<Record<FunctionName, number>>;
  cpuMs: Partial<Record<FunctionName, number>>;
  source?: string;
} {
  const dir = join(root, 'bench', 'results');
  const file = newestResults(dir);
  const measuredFile = newestResults(dir, 'cost-measured');
  const measured =
    measuredFile !== undefined && (file === undefined || dateOf(measuredFile) >= dateOf(file))
      ? countedFrom(measuredFile, {
          suite: JSON.parse(readFileSync(measuredFile, 'utf8')) as SavedSuite['suite'],
        })
      : undefined;
  if (file === undefined)
    return { ...(measured !== undefined ? { counted: measured } : {}), durationsMs: {}, cpuMs: {} };
  const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedSuite;
  const counted = measured ?? countedFrom(file, saved);
  return {
    ...(counted !== undefined ? { counted } : {}),
    durationsMs: durationsFrom(saved),
    cpuMs: cpuFrom(saved),
    source: file.slice(file.lastIndexOf('bench/')),
  };
}

/** The newest footprint `npm run cost:measure` wrote (bench/cost/footprint.ts), if any. */
function loadFootprint(root: string): Footprint | undefined {
  const file = newestResults(join(root, 'bench', 'results'), 'cost-measured');
  if (file === undefined) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { footprint?: Footprint }).footprint;
}

export type { SavedSuite };
export { countedFrom, cpuFrom, durationsFrom, loadFootprint, loadMeasured, roleOf, threadRoleOf };
