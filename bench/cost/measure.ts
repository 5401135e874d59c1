/**
 * `npm run cost:measure`: what the cost model needs from the stack as it is now, measured through the
 * whole local runtime — the AWS calls per event (bench/herald/calls.ts, the benchmark's own counter and
 * scenarios) and the memory each per-event function uses, for choosing its `memorySize` (lib/*.ts).
 * Writes bench/results/cost-measured-<date>.json, which bench/cost/counted.ts prefers over an older
 * herald-<date>.json for the calls, with the footprint the monthly model needs (bench/cost/footprint.ts:
 * log bytes, stored bytes and webhook bytes per event). About a minute; run it after a change that adds or removes calls.
 *
 * Memory, per function: a fresh Node process that loads the function's bundle (as Lambda's init
 * does) gives the resident set at rest; the function's worker isolate in the runtime, after the calls
 * scenario and a fan-out burst (FAN_OUT_ENDPOINTS endpoints, BURST_EVENTS events published
 * BURST_CONCURRENCY at a time, so dispatch runs full batches each fanned out to every endpoint), gives
 * the JavaScript heap it grew to while handling events (process.report's per-worker javascriptHeap; a
 * worker's report does not say which function it runs, so dispatch's workers are told by their
 * connections to the receiver, and each function is held to the largest of its group). The estimate
 * is the first plus the heap in use beyond what loading alone made.
 * Lambda's own runtime client adds a few MB on top, which the chosen sizes leave room for.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type HeraldLocal, startHerald } from '../../local/runtime.js';
import { synthesize } from '../../local/synth.js';
import { apiClient, expectStatus } from '../herald/api.js';
import { measureCallsPerEvent } from '../herald/calls.js';
import { waitFor } from '../lib/time.js';
import { LogMeter, measureFootprint } from './footprint.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MB = 1024 * 1024;

interface FunctionMemory {
  readonly logicalId: string;
  readonly memorySizeMb: number;
  /** Fresh process that has loaded the bundle: resident set, and the heap loading made. */
  readonly rssAfterLoadMb: number;
  readonly heapAfterLoadMb: number;
  /**
   * The largest heap, in use (garbage not yet collected included: no heap limit is set locally) and as
   * allocated, sampled during the scenarios, of the workers of its group (delivering: dispatch and
   * attempt, told apart by their connections to the receiver; other: every other function).
   */
  readonly heapUsedUnderLoadMb: number;
  readonly heapAllocatedUnderLoadMb: number;
  /** rssAfterLoad + max(0, heapUsedUnderLoad − heapAfterLoad). */
  readonly estimatedPeakMb: number;
}

interface WorkerReport {
  readonly javascriptHeap: { readonly totalMemory: number; readonly usedMemory: number };
  readonly libuv?: ReadonlyArray<{
    readonly type: string;
    readonly remoteEndpoint?: { readonly port?: number };
  }>;
}

interface Heap {
  used: number;
  total: number;
}

/**
 * The largest heaps of the function workers now, in bytes: of those connected to the webhook
 * receiver (`port`: dispatch, which POSTs), and of the rest. A worker's report does not name its
 * function; its open TCP connections tell the dispatcher apart.
 */
function workerHeaps(port: number | undefined): { delivering: Heap; other: Heap } {
  const workers = (process.report.getReport() as unknown as { workers: WorkerReport[] }).workers;
  const out = { delivering: { used: 0, total: 0 }, other: { used: 0, total: 0 } };
  for (const w of workers) {
    const posts = (w.libuv ?? []).some((h) => h.type === 'tcp' && h.remoteEndpoint?.port === port);
    const group = port !== undefined && posts ? out.delivering : out.other;
    group.used = Math.max(group.used, w.javascriptHeap.usedMemory);
    group.total = Math.max(group.total, w.javascriptHeap.totalMemory);
  }
  return out;
}

const round = (bytes: number): number => Math.round((bytes / MB) * 10) / 10;

const FAN_OUT_ENDPOINTS = 10;
const BURST_EVENTS = 200;
const BURST_CONCURRENCY = 20;

/** Publishes a burst to a tenant with FAN_OUT_ENDPOINTS endpoints and waits for every delivery. */
async function fanOutBurst(
  local: HeraldLocal,
  sample: (receiverPort: number) => void,
): Promise<{ deliveries: number; seconds: number }> {
  let received = 0;
  let ok = false;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/burst`;
  const client = apiClient(local.apiUrl, local.adminApiKey);
  const tenantId = `t_burst_${Date.now().toString(36)}`;
  const started = Date.now();
  try {
    for (let i = 0; i < FAN_OUT_ENDPOINTS; i++) {
      await expectStatus(client, 201, 'POST', '/v1/endpoints', {
        tenantId,
        url: `${url}/${i}`,
        eventTypes: ['bench.*'],
      });
    }
    let next = 0;
    const publisher = async () => {
      for (let n = next++; n < BURST_EVENTS; n = next++) {
        await expectStatus(client, 202, 'POST', '/v1/events', {
          type: 'bench.webhook',
          tenantId,
          data: { n },
        });
      }
    };
    // Sampled while the burst runs: a report every 250 ms, the largest heap seen.
    const sampler = setInterval(() => sample(port), 250);
    const expected = BURST_EVENTS * FAN_OUT_ENDPOINTS;
    try {
      await Promise.all(Array.from({ length: BURST_CONCURRENCY }, publisher));
      ok = await waitFor(() => received >= expected, { timeoutMs: 120_000, intervalMs: 50 });
    } finally {
      clearInterval(sampler);
    }
    if (!ok) throw new Error(`fan-out burst: ${received} of ${expected} deliveries within 120 s`);
    return { deliveries: received, seconds: Math.round((Date.now() - started) / 100) / 10 };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

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
  // Function log lines go to the meter, which counts them while the footprint scenario runs.
  const meter = new LogMeter();
  const local = await startHerald({
    outdir,
    skipSynth: true,
    quiet: true,
    stateFile: null,
    timeScale: 0.01,
    log: meter.sink,
  });
  let calls: Awaited<ReturnType<typeof measureCallsPerEvent>>;
  // Dispatch (and attempt, which runs the same delivery code) vs. every other function.
  const peak = { delivering: { used: 0, total: 0 }, other: { used: 0, total: 0 } };
  const sample = (receiverPort?: number) => {
    const now = workerHeaps(receiverPort);
    for (const group of ['delivering', 'other'] as const) {
      peak[group].used = Math.max(peak[group].used, now[group].used);
      peak[group].total = Math.max(peak[group].total, now[group].total);
    }
  };
  let burst: Awaited<ReturnType<typeof fanOutBurst>> | undefined;
  let footprint: Awaited<ReturnType<typeof measureFootprint>>;
  try {
    calls = await measureCallsPerEvent(local, 5);
    footprint = await measureFootprint(local, meter, 10);
    // `--no-burst`: calls and footprint only (the burst sizes memory, and needs an idle machine).
    burst = process.argv.includes('--no-burst') ? undefined : await fanOutBurst(local, sample);
    sample();
  } finally {
    await local.stop();
  }
  const memory: FunctionMemory[] = [];
  for (const [logicalId, resource] of burst === undefined ? [] : Object.entries(template.Resources)) {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || assetPath === undefined) continue;
    const load = loadFootprint(join(outdir, assetPath, 'index.js'));
    // Several functions share a group, so each is held to its group's largest worker.
    const group = /Dispatch|Attempt/.test(logicalId) ? peak.delivering : peak.other;
    memory.push({
      logicalId,
      memorySizeMb: Number(resource.Properties.MemorySize ?? 128),
      rssAfterLoadMb: round(load.rss),
      heapAfterLoadMb: round(load.heap),
      heapUsedUnderLoadMb: round(group.used),
      heapAllocatedUnderLoadMb: round(group.total),
      estimatedPeakMb: round(load.rss + Math.max(0, group.used - load.heap)),
    });
  }
  const date = new Date().toISOString().slice(0, 10);
  const file = join(ROOT, 'bench', 'results', `cost-measured-${date}.json`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const saved = {
    date,
    measuredAt: new Date().toISOString(),
    node: process.version,
    calls,
    footprint,
    ...(burst !== undefined
      ? {
          burst: {
            endpoints: FAN_OUT_ENDPOINTS,
            events: BURST_EVENTS,
            concurrency: BURST_CONCURRENCY,
            ...burst,
          },
          memory,
        }
      : {}),
  };
  writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`);
  console.log(JSON.stringify(saved, null, 2));
  console.error(`cost:measure: wrote ${file.slice(ROOT.length + 1)}`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
