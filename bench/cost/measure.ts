/**
 * `npm run cost:measure`: what the cost model needs from the stack as it is now, measured through the
 * whole local runtime — the AWS calls per event (bench/herald/calls.ts, the benchmark's own counter and
 * scenarios) and the memory each per-event function uses, for choosing its `memorySize` (lib/*.ts).
 * Writes bench/results/cost-measured-<date>.json, which bench/cost/counted.ts prefers over an older
 * herald-<date>.json for the calls. About a minute; run it after a change that adds or removes calls.
 *
 * Memory, per function: a fresh Node process that loads the function's bundle (as Lambda's init
 * does) gives the resident set at rest; the function's worker isolate in the runtime, after the calls
 * scenario, gives the JavaScript heap it grew to while handling events (process.report's per-worker
 * javascriptHeap; a worker's report does not say which function it runs, so each function is held to
 * the largest). The estimate is the first plus the heap growth beyond what loading alone made.
 * Lambda's own runtime client adds a few MB on top, which the chosen sizes leave room for.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHerald } from '../../local/runtime.js';
import { synthesize } from '../../local/synth.js';
import { measureCallsPerEvent } from '../herald/calls.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MB = 1024 * 1024;

interface FunctionMemory {
  readonly logicalId: string;
  readonly memorySizeMb: number;
  /** Fresh process that has loaded the bundle: resident set, and the heap loading made. */
  readonly rssAfterLoadMb: number;
  readonly heapAfterLoadMb: number;
  /** The largest function worker's heap (total, as allocated) after the calls scenario. */
  readonly heapUnderLoadMb?: number;
  /** rssAfterLoad + max(0, heapUnderLoad − heapAfterLoad). */
  readonly estimatedPeakMb: number;
}

interface WorkerReport {
  readonly javascriptHeap: { readonly totalMemory: number };
}

const round = (bytes: number): number => Math.round((bytes / MB) * 10) / 10;

/** Loads `bundle` in a fresh process (no handler call: Herald sets clients up on first use). */
function loadFootprint(bundle: string): { rss: number; heap: number } {
  const script = `require(${JSON.stringify(bundle)}); globalThis.gc?.(); const m = process.memoryUsage(); console.log(JSON.stringify({ rss: m.rss, heap: m.heapTotal }));`;
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', script], {
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as { rss: number; heap: number };
}

const outdir = mkdtempSync(join(ROOT, 'cdk.out.cost-measure-'));
try {
  await synthesize({ outdir, timeScale: 0.01 });
  const template = JSON.parse(readFileSync(join(outdir, 'Herald.template.json'), 'utf8')) as {
    Resources: Record<
      string,
      { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }
    >;
  };
  const local = await startHerald({ outdir, skipSynth: true, quiet: true, stateFile: null, timeScale: 0.01 });
  let calls: Awaited<ReturnType<typeof measureCallsPerEvent>>;
  let workers: WorkerReport[];
  try {
    calls = await measureCallsPerEvent(local, 5);
    workers = (process.report.getReport() as unknown as { workers: WorkerReport[] }).workers;
  } finally {
    await local.stop();
  }
  const heaps = workers.map((w) => w.javascriptHeap.totalMemory);
  const memory: FunctionMemory[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || assetPath === undefined) continue;
    const load = loadFootprint(join(outdir, assetPath, 'index.js'));
    // A worker's report does not name its function, so every function is held to the largest isolate.
    const underLoad = heaps.length > 0 ? Math.max(...heaps) : undefined;
    memory.push({
      logicalId,
      memorySizeMb: Number(resource.Properties.MemorySize ?? 128),
      rssAfterLoadMb: round(load.rss),
      heapAfterLoadMb: round(load.heap),
      ...(underLoad !== undefined ? { heapUnderLoadMb: round(underLoad) } : {}),
      estimatedPeakMb: round(load.rss + Math.max(0, (underLoad ?? load.heap) - load.heap)),
    });
  }
  const date = new Date().toISOString().slice(0, 10);
  const file = join(ROOT, 'bench', 'results', `cost-measured-${date}.json`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const saved = { date, measuredAt: new Date().toISOString(), node: process.version, calls, memory };
  writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`);
  console.log(JSON.stringify(saved, null, 2));
  console.error(`cost:measure: wrote ${file.slice(ROOT.length + 1)}`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
