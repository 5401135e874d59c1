/**
 * The isolation scenario of `npm run bench` (issue 9): healthy endpoints beside one that hangs (accepts
 * the connection, never answers), against the same endpoints all healthy. Each of `TENANTS` tenants has
 * one endpoint; events are published round-robin across them at an offered rate, so the hanging tenant
 * keeps sending its share the whole time. After a warm-up of at least 30 s, a 20 s window measures the
 * first TENANTS − 1 tenants' deliveries per second and their publish → received latency, in both runs:
 * the offered load is the same, only the last tenant's endpoint differs. The hanging endpoint's
 * deliveries go on in the retry workflow (one probe at a time, adrs/0007); the run counts how many of
 * its events were accepted and how many POSTs reached it, to show it was not starved of attempts either.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { startHerald } from '../../local/runtime.js';
import { startReceiver } from '../baseline/receiver.js';
import { type LatencySummary, summarize } from '../lib/stats.js';
import { waitFor } from '../lib/time.js';
import { apiClient, createEndpoint, pointEndpoint } from './api.js';
import { BASE_OUTDIR, baseAssemblyExists } from './assembly.js';
import { type CpuUsage, cpuSince, cpuSnapshot } from './cpu.js';
import { publishEvents } from './publisher.js';
import { countIn, EVENT_TYPE, invocationStats, TIME_SCALE } from './run.js';

/** Tenants with one endpoint each; with `hanging`, the last one's endpoint never answers. */
const TENANTS = 4;

interface IsolationOptions {
  readonly hanging: boolean;
  /** @default 100 */
  readonly offeredPerSecond?: number;
  /** @default 30 */
  readonly warmUpSeconds?: number;
  /** @default 20 */
  readonly windowSeconds?: number;
  /** @default 2 */
  readonly poolSize?: number;
}

interface IsolationRunResult {
  readonly hanging: boolean;
  readonly offeredPerSecond: number;
  readonly windowSeconds: number;
  /** The tenants measured: all but the last, whose endpoint hangs in one run and is healthy in the other. */
  readonly healthyEndpoints: number;
  /** Receipts at the observed (healthy) endpoints during the window ÷ its length. */
  readonly healthyDeliveriesPerSecond: number;
  /** Publish sent → received, the healthy tenants' events sent in the window. */
  readonly healthyLatencyMs: LatencySummary;
  /** Every healthy event sent in the window arrived within 30 s of its end. */
  readonly healthyCompleted: boolean;
  /** The last tenant's events accepted in the window (its endpoint hangs, or is healthy like the rest). */
  readonly lastTenantAccepted: number;
  /** Requests that reached the hanging endpoint during the whole run (0 when none hangs). */
  readonly hangingPostsReceived: number;
  /** CPU by process and thread during the window (where the hanging endpoint's cost goes, locally). */
  readonly cpu: CpuUsage;
  /** Per function in the window: mean wall ms per invocation, invocations per published event. */
  readonly invocations: Readonly<Record<string, { readonly meanMs: number; readonly perEvent: number }>>;
}

interface HangingEndpoint {
  readonly url: string;
  /** Connections that sent a request (each POST is one: Herald does not reuse a socket that never answered). */
  readonly requests: () => number;
  close(): Promise<void>;
}

/** Accepts, reads, never answers: the receiver that holds a sender for its whole timeout. */
async function startHangingEndpoint(): Promise<HangingEndpoint> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => requests++);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function runIsolation(options: IsolationOptions): Promise<IsolationRunResult> {
  const offered = options.offeredPerSecond ?? 100;
  const local = await startHerald({
    outdir: BASE_OUTDIR,
    skipSynth: baseAssemblyExists(),
    quiet: true,
    stateFile: null,
    timeScale: TIME_SCALE,
    poolSize: options.poolSize ?? 2,
  });
  const closers: Array<() => Promise<void>> = [];
  try {
    const client = apiClient(local.apiUrl, local.adminApiKey);
    const run = randomUUID().slice(0, 8);
    const tenants = Array.from({ length: TENANTS }, (_, i) => `t_iso_${run}_${i}`);
    // The observed tenants are the first TENANTS − 1 in both runs; only the last one's endpoint differs.
    const observed = tenants.slice(0, -1);
    const healthy = options.hanging ? observed : tenants;
    // webhook-id → receive instant, over the observed endpoints (each has its own secret and receiver).
    const receipts: Map<string, number>[] = [];
    for (const tenantId of healthy) {
      const endpoint = await createEndpoint(client, tenantId, ['bench.*']);
      const receiver = await startReceiver({ secret: endpoint.secret, failFirstAttemptRate: 0 });
      closers.push(() => receiver.close());
      await pointEndpoint(client, endpoint.id, receiver.url);
      const seen = receiver.acceptedAt;
      if (observed.includes(tenantId)) receipts.push(seen);
    }
    let hanging: HangingEndpoint | undefined;
    if (options.hanging) {
      hanging = await startHangingEndpoint();
      closers.push(() => (hanging as HangingEndpoint).close());
      const endpoint = await createEndpoint(client, tenants[TENANTS - 1] as string, ['bench.*']);
      await pointEndpoint(client, endpoint.id, hanging.url);
    }
    const receivedAt = (id: string): number | undefined => {
      for (const r of receipts) {
        const at = r.get(id);
        if (at !== undefined) return at;
      }
      return undefined;
    };
    const publishFor = (seconds: number, phase: string) =>
      publishEvents({
        apiUrl: local.apiUrl,
        apiKey: local.adminApiKey,
        count: Math.ceil(offered * seconds),
        offeredPerSecond: offered,
        maxInFlight: 64,
        deadlineAt: Date.now() + seconds * 1000,
        event: (i) => ({
          type: EVENT_TYPE,
          tenantId: tenants[i % TENANTS] as string,
          data: { run, phase, n: i },
        }),
      });

    await publishFor(options.warmUpSeconds ?? 30, 'warm-up');
    const metricsBefore = local.metrics();
    const cpuBefore = cpuSnapshot({ runtime: 'self', dynalite: local.dynamoPid });
    const started = Date.now();
    const published = await publishFor(options.windowSeconds ?? 20, 'measure');
    const ended = Date.now();
    const cpu = cpuSince(cpuBefore, cpuSnapshot({ runtime: 'self', dynalite: local.dynamoPid }));
    const invocations = invocationStats(metricsBefore, local.metrics(), published.records.length);
    const isObserved = (index: number): boolean => index % TENANTS !== TENANTS - 1;
    const healthyIds = published.records.flatMap((r) =>
      r.id !== undefined && isObserved(r.index) ? [r.id] : [],
    );
    const healthyCompleted = await waitFor(() => healthyIds.every((id) => receivedAt(id) !== undefined), {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    const latencies: number[] = [];
    for (const r of published.records) {
      if (r.id === undefined || !isObserved(r.index)) continue;
      const at = receivedAt(r.id);
      if (at !== undefined) latencies.push(at - r.sentAt);
    }
    const seconds = (ended - started) / 1000;
    const delivered = receipts.reduce((n, r) => n + countIn(r.values(), started, ended), 0);
    return {
      hanging: options.hanging,
      offeredPerSecond: offered,
      windowSeconds: Math.round(seconds * 10) / 10,
      healthyEndpoints: observed.length,
      healthyDeliveriesPerSecond: Math.round(delivered / seconds),
      healthyLatencyMs: summarize(latencies),
      healthyCompleted,
      lastTenantAccepted: published.records.filter(
        (r) => r.id !== undefined && r.index % TENANTS === TENANTS - 1,
      ).length,
      hangingPostsReceived: hanging?.requests() ?? 0,
      cpu,
      invocations,
    };
  } finally {
    for (const close of closers) await close();
    await local.stop();
  }
}

export type { IsolationOptions, IsolationRunResult };
export { runIsolation, TENANTS };
