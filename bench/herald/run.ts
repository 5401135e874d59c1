/**
 * One Herald run on the local runtime, measured after warm-up: start the runtime, point an endpoint at
 * the shared receiver (bench/baseline/receiver.ts), publish through POST /v1/events at an offered rate
 * (or closed loop end to end at "max": at most `maxOutstanding` events accepted and not yet received)
 * in 5 s slices until throughput is stable — at least 30 s, because V8 keeps
 * compiling for 30–60 s — then measure one window of at least 20 s: throughput at the receiver, latency
 * publish sent → received for the events sent in the window, CPU by process and thread from /proc, and
 * AWS calls counted at the emulators per delivered event.
 */

import { randomUUID } from 'node:crypto';
import { countsSince } from '../../local/request-counter.js';
import { startHerald } from '../../local/runtime.js';
import { startReceiver } from '../baseline/receiver.js';
import { type LatencySummary, summarize } from '../lib/stats.js';
import { waitFor } from '../lib/time.js';
import { apiClient, createEndpoint, pointEndpoint } from './api.js';
import { BASE_OUTDIR, baseAssemblyExists } from './assembly.js';
import { type CpuUsage, cpuSince, cpuSnapshot } from './cpu.js';
import { type Outstanding, publishEvents } from './publisher.js';

/** Retry waits, ASL intervals and visibility timeouts × this, so retried deliveries finish in the run. */
const TIME_SCALE = 0.01;
const TENANT = 't_bench';
const EVENT_TYPE = 'bench.webhook';
const SLICE_SECONDS = 5;

interface HeraldRunOptions {
  /** undefined: closed loop ("max"). */
  readonly offeredPerSecond?: number;
  /** @default 30 */
  readonly minWarmUpSeconds?: number;
  /** @default 75 */
  readonly maxWarmUpSeconds?: number;
  /** @default 20 */
  readonly windowSeconds?: number;
  /** Worker threads per function. @default the runtime's */
  readonly poolSize?: number;
  /** Requests in flight at most. @default 64 */
  readonly maxInFlight?: number;
  /** At "max": events accepted but not yet received, at most (the end-to-end closed loop). @default 128 */
  readonly maxOutstanding?: number;
  readonly failFirstAttemptRate?: number;
  /** @default cdk.out.bench */
  readonly outdir?: string;
}

interface HeraldRunResult {
  readonly system: 'herald';
  readonly mode: string;
  readonly poolSize: number | undefined;
  /** Delivered per second in each warm-up slice: the climb to steady state. */
  readonly warmUp: { readonly seconds: number; readonly stable: boolean; readonly slices: number[] };
  readonly windowSeconds: number;
  readonly acceptedPerSecond: number;
  /** Receipts at the receiver during the window ÷ its length. */
  readonly deliveriesPerSecond: number;
  /** Publish sent → received, events sent in the window. */
  readonly latencyMs: LatencySummary;
  readonly responseMs: LatencySummary;
  /** Every event sent in the window was received within 30 s of its end. */
  readonly completed: boolean;
  /** The offered rate was not kept up with: < 95 % accepted, or p50 latency above 1 s. */
  readonly saturated: boolean;
  readonly cpu: CpuUsage;
  /** CPU ms per delivered event, whole machine share of this run (runtime process + dynalite). */
  readonly cpuMsPerEvent: number;
  /** AWS calls counted at the emulators during the window ÷ events delivered in it. */
  readonly callsPerEvent: Readonly<Record<string, number>>;
  /** Per function label: mean wall ms per invocation and records per invocation, in the window. */
  readonly invocations: Readonly<Record<string, { readonly meanMs: number; readonly perEvent: number }>>;
  readonly retries: number;
}

interface FnStats {
  readonly name: string;
  readonly invocations: number;
  readonly durationMs: number;
}

function invocationStats(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  events: number,
): Record<string, { meanMs: number; perEvent: number }> {
  const prior = new Map(((before.functions ?? []) as FnStats[]).map((f) => [f.name, f]));
  const out: Record<string, { meanMs: number; perEvent: number }> = {};
  for (const f of (after.functions ?? []) as FnStats[]) {
    const n = f.invocations - (prior.get(f.name)?.invocations ?? 0);
    if (n <= 0) continue;
    const ms = f.durationMs - (prior.get(f.name)?.durationMs ?? 0);
    const label = f.name.replace(/^[^-]*-/, '').replace(/[0-9A-F]{8}$/, '');
    out[label] = {
      meanMs: Math.round((ms / n) * 10) / 10,
      perEvent: Math.round((n / Math.max(1, events)) * 100) / 100,
    };
  }
  return out;
}

const mode = (o: HeraldRunOptions): string =>
  o.offeredPerSecond === undefined ? 'max' : `offered ${o.offeredPerSecond}/s`;

/** How many instants fall in [from, to). */
const countIn = (times: Iterable<number>, from: number, to: number): number => {
  let n = 0;
  for (const t of times) if (t >= from && t < to) n++;
  return n;
};

function metricTotal(metrics: Record<string, unknown>, name: string): number {
  return ((metrics.metrics ?? {}) as Record<string, number>)[name] ?? 0;
}

async function runHerald(options: HeraldRunOptions): Promise<HeraldRunResult> {
  const outdir = options.outdir ?? BASE_OUTDIR;
  const local = await startHerald({
    outdir,
    skipSynth: outdir !== BASE_OUTDIR || baseAssemblyExists(),
    quiet: true,
    stateFile: null,
    timeScale: TIME_SCALE,
    ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
  });
  const closers: Array<() => Promise<void>> = [];
  try {
    const client = apiClient(local.apiUrl, local.adminApiKey);
    const endpoint = await createEndpoint(client, TENANT, ['bench.*']);
    const receiver = await startReceiver({
      secret: endpoint.secret,
      failFirstAttemptRate: options.failFirstAttemptRate ?? 0,
    });
    closers.push(() => receiver.close());
    await pointEndpoint(client, endpoint.id, receiver.url);
    const receivedAt = receiver.acceptedAt;
    const run = randomUUID().slice(0, 8);
    let index = 0;
    const event = (phase: string) => () => ({
      type: EVENT_TYPE,
      tenantId: TENANT,
      data: { run, phase, orderId: `o${index}`, total: index++ },
    });
    const maxInFlight = options.maxInFlight ?? 64;
    const outstanding: Outstanding | undefined =
      options.offeredPerSecond === undefined
        ? {
            max: options.maxOutstanding ?? 128,
            received: () => receivedAt.size,
            tally: { sent: 0, refused: 0 },
          }
        : undefined;
    const publishFor = (seconds: number, phase: string) =>
      publishEvents({
        apiUrl: local.apiUrl,
        apiKey: local.adminApiKey,
        count:
          options.offeredPerSecond === undefined ? 1_000_000 : Math.ceil(options.offeredPerSecond * seconds),
        ...(options.offeredPerSecond === undefined ? {} : { offeredPerSecond: options.offeredPerSecond }),
        maxInFlight,
        ...(outstanding !== undefined ? { outstanding } : {}),
        deadlineAt: Date.now() + seconds * 1000,
        event: event(phase),
      });

    // Warm-up: slices until two in a row agree within 10 % (and at least minWarmUpSeconds have passed).
    const warmStart = Date.now();
    const slices: number[] = [];
    let stable = false;
    const minWarm = options.minWarmUpSeconds ?? 30;
    const maxWarm = options.maxWarmUpSeconds ?? 75;
    while ((Date.now() - warmStart) / 1000 < maxWarm) {
      const from = Date.now();
      await publishFor(SLICE_SECONDS, 'warm-up');
      slices.push(Math.round(countIn(receivedAt.values(), from, Date.now()) / ((Date.now() - from) / 1000)));
      const [a, b] = slices.slice(-2);
      if ((Date.now() - warmStart) / 1000 >= minWarm && a !== undefined && b !== undefined && b > 0) {
        if (Math.abs(a - b) / b <= 0.1) {
          stable = true;
          break;
        }
      }
    }
    const warmUpSeconds = Math.round((Date.now() - warmStart) / 100) / 10;

    // The measured window.
    const windowSeconds = options.windowSeconds ?? 20;
    const metricsBefore = local.metrics();
    const callsBefore = await local.requestCounts();
    const cpuBefore = cpuSnapshot({ runtime: 'self', dynalite: local.dynamoPid });
    const started = Date.now();
    const published = await publishFor(windowSeconds, 'measure');
    const ended = Date.now();
    const cpuAfter = cpuSnapshot({ runtime: 'self', dynalite: local.dynamoPid });
    const callsAfter = await local.requestCounts();
    const metricsAtEnd = local.metrics();
    const deliveredInWindow = countIn(receivedAt.values(), started, ended);

    const ids = published.records.flatMap((r) => (r.id ? [r.id] : []));
    const completed = await waitFor(() => ids.every((id) => receivedAt.has(id)), {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    const latencies: number[] = [];
    for (const r of published.records) {
      const at = r.id === undefined ? undefined : receivedAt.get(r.id);
      if (at !== undefined) latencies.push(at - r.sentAt);
    }
    const latencyMs = summarize(latencies);
    const seconds = (ended - started) / 1000;
    const acceptedPerSecond = Math.round(ids.length / seconds);
    const cpu = cpuSince(cpuBefore, cpuAfter);
    const calls = countsSince(callsAfter, callsBefore);
    const callsPerEvent: Record<string, number> = {};
    for (const [op, n] of Object.entries(calls))
      callsPerEvent[op] = Math.round((n / Math.max(1, deliveredInWindow)) * 100) / 100;
    const metricsAfter = local.metrics();
    return {
      system: 'herald',
      mode: mode(options),
      poolSize: options.poolSize,
      warmUp: { seconds: warmUpSeconds, stable, slices },
      windowSeconds: Math.round(seconds * 10) / 10,
      acceptedPerSecond,
      deliveriesPerSecond: Math.round(deliveredInWindow / seconds),
      latencyMs,
      responseMs: summarize(published.records.map((r) => r.respondedAt - r.sentAt)),
      completed,
      saturated:
        (options.offeredPerSecond !== undefined && acceptedPerSecond < options.offeredPerSecond * 0.95) ||
        (options.offeredPerSecond !== undefined && latencyMs.p50 > 1000),
      cpu,
      cpuMsPerEvent:
        deliveredInWindow > 0
          ? Math.round(((cpu.total * seconds * 1000) / deliveredInWindow) * 100) / 100
          : 0,
      callsPerEvent,
      invocations: invocationStats(metricsBefore, metricsAtEnd, deliveredInWindow),
      retries:
        metricTotal(metricsAfter, 'WebhookRetriesScheduled') -
        metricTotal(metricsBefore, 'WebhookRetriesScheduled'),
    };
  } finally {
    for (const close of closers) await close();
    await local.stop();
  }
}

export type { HeraldRunOptions, HeraldRunResult };
export { countIn, EVENT_TYPE, invocationStats, runHerald, TIME_SCALE };
