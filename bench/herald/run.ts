/**
 * Herald end-to-end on the local runtime: start it on an assembly, point an endpoint at the shared
 * receiver (bench/baseline/receiver.ts), publish through POST /v1/events at an offered rate (or as fast
 * as the API takes them) and measure publish sent → webhook received. `runHeraldBenchmark` has the
 * option and result shape bench/run.ts expects of it (the baseline's), plus Herald-only detail.
 */

import { randomUUID } from 'node:crypto';
import { startHerald } from '../../local/runtime.js';
import { startReceiver } from '../baseline/receiver.js';
import { type LatencySummary, summarize } from '../lib/stats.js';
import { waitFor } from '../lib/time.js';
import { apiClient, createEndpoint, pointEndpoint } from './api.js';
import { BASE_OUTDIR, baseAssemblyExists, dispatchSettings } from './assembly.js';
import { type StageBreakdown, stageBreakdown } from './breakdown.js';
import { injectEvents } from './injector.js';
import { publishEvents } from './publisher.js';
import { observeReceipts } from './receipts.js';
import { type ResourceSample, sampleResources } from './resources.js';

/** Retry waits, ASL intervals and visibility timeouts × this, so retried deliveries finish in the run. */
const TIME_SCALE = 0.01;
const TENANT = 't_bench';
const EVENT_TYPE = 'bench.webhook';
const WARM_UP_EVENTS = 40;

interface HeraldBenchOptions {
  readonly count: number;
  readonly offeredPerSecond?: number;
  readonly failFirstAttemptRate?: number;
  /** Whole run, publish and drain. @default 60000 */
  readonly timeoutMs?: number;
  /** Assembly to run. @default cdk.out.bench (synthesized when missing) */
  readonly outdir?: string;
  /** Label only: the dispatch concurrency the assembly was shaped for. */
  readonly consumers?: number;
  /** Publisher requests in flight. @default 128 */
  readonly maxInFlight?: number;
  /** Events whose attempts are read back for the breakdown. @default 100 */
  readonly breakdownSample?: number;
  /** Stop publishing after this many seconds even if `count` is not reached. @default timeoutMs */
  readonly publishSeconds?: number;
  /**
   * `api`: POST /v1/events (the whole pipeline). `dispatch-queue`: straight onto the dispatch queue,
   * to measure the delivery side alone. @default 'api'
   */
  readonly source?: 'api' | 'dispatch-queue';
}

interface HeraldBenchResult {
  readonly system: 'herald';
  readonly mode: string;
  readonly source: 'api' | 'dispatch-queue';
  readonly count: number;
  readonly delivered: number;
  readonly seconds: number;
  readonly deliveriesPerSecond: number;
  readonly latencyMs: LatencySummary;
  readonly retries: number;
  readonly completed: boolean;
  readonly consumers: number | undefined;
  readonly dispatch: {
    batchSize: number;
    maxConcurrency: number | undefined;
    pollers: number;
    poolSize: number;
  };
  readonly published: {
    readonly accepted: number;
    readonly rejected: number;
    readonly perSecond: number;
    /** Longest wait for a free request slot: > 0 means the API could not take the offered rate. */
    readonly maxSlotWaitMs: number;
    readonly responseMs: LatencySummary;
  };
  /** Records per dispatch invocation, on average (what batching amounts to at this load). */
  readonly recordsPerDispatchInvocation: number;
  readonly breakdownMs: StageBreakdown;
  readonly resources: ResourceSample;
  readonly startupMs: number;
}

const mode = (o: HeraldBenchOptions): string =>
  o.offeredPerSecond === undefined ? 'max' : `offered ${o.offeredPerSecond}/s`;

function dispatchInvocations(metrics: Record<string, unknown>): number {
  const fns = (metrics.functions ?? []) as Array<{ name: string; invocations: number }>;
  return fns.filter((f) => /Dispatch/.test(f.name)).reduce((n, f) => n + f.invocations, 0);
}

function metricTotal(metrics: Record<string, unknown>, name: string): number {
  return ((metrics.metrics ?? {}) as Record<string, number>)[name] ?? 0;
}

async function runHeraldBenchmark(options: HeraldBenchOptions): Promise<HeraldBenchResult> {
  const outdir = options.outdir ?? BASE_OUTDIR;
  const skipSynth = outdir !== BASE_OUTDIR || baseAssemblyExists();
  const local = await startHerald({ outdir, skipSynth, quiet: true, stateFile: null, timeScale: TIME_SCALE });
  const receiverClose: Array<() => Promise<void>> = [];
  try {
    const client = apiClient(local.apiUrl, local.adminApiKey);
    const endpoint = await createEndpoint(client, TENANT, ['bench.*']);
    const receiver = await startReceiver({
      secret: endpoint.secret,
      failFirstAttemptRate: options.failFirstAttemptRate ?? 0,
    });
    receiverClose.push(() => receiver.close());
    await pointEndpoint(client, endpoint.id, receiver.url);
    const receivedAt = observeReceipts(receiver);
    const run = randomUUID().slice(0, 8);
    const event = (phase: string) => (i: number) => ({
      type: EVENT_TYPE,
      tenantId: TENANT,
      data: { run, phase, orderId: `o${i}`, total: i },
    });

    // Warm-up: spawn the function workers (a cold worker's module load is not steady-state latency).
    const warm = await publishEvents({
      apiUrl: local.apiUrl,
      apiKey: local.adminApiKey,
      count: WARM_UP_EVENTS,
      maxInFlight: 8,
      deadlineAt: Date.now() + 20_000,
      event: event('warm-up'),
    });
    const warmIds = warm.records.flatMap((r) => (r.id ? [r.id] : []));
    await waitFor(() => warmIds.every((id) => receivedAt.has(id)), { timeoutMs: 20_000, intervalMs: 20 });
    const metricsBefore = local.metrics();

    const timeoutMs = options.timeoutMs ?? 60_000;
    const started = Date.now();
    const sampler = sampleResources();
    const source = options.source ?? 'api';
    const publishWindow = {
      count: options.count,
      ...(options.offeredPerSecond === undefined ? {} : { offeredPerSecond: options.offeredPerSecond }),
      deadlineAt: started + Math.min(timeoutMs, (options.publishSeconds ?? Number.POSITIVE_INFINITY) * 1000),
      event: event('measure'),
    };
    const published =
      source === 'api'
        ? await publishEvents({
            ...publishWindow,
            apiUrl: local.apiUrl,
            apiKey: local.adminApiKey,
            maxInFlight: options.maxInFlight ?? 128,
          })
        : await injectEvents(local, run, publishWindow);
    const ids = published.records.flatMap((r) => (r.id ? [r.id] : []));
    const completed = await waitFor(() => ids.every((id) => receivedAt.has(id)), {
      timeoutMs: Math.max(0, started + timeoutMs - Date.now()),
      intervalMs: 10,
    });
    const resources = sampler.stop();
    const metricsAfter = local.metrics();

    const latencies: number[] = [];
    let lastReceive = started;
    for (const r of published.records) {
      const at = r.id === undefined ? undefined : receivedAt.get(r.id);
      if (at === undefined) continue;
      latencies.push(at - r.sentAt);
      lastReceive = Math.max(lastReceive, at);
    }
    const delivered = latencies.length;
    const seconds = (lastReceive - started) / 1000;
    const accepted = ids.length;
    const lastResponse = Math.max(...published.records.map((r) => r.respondedAt));
    const invocations = dispatchInvocations(metricsAfter) - dispatchInvocations(metricsBefore);
    const breakdownMs = await stageBreakdown(
      client,
      published.records,
      receivedAt,
      options.breakdownSample ?? 100,
    );
    const settings = dispatchSettings(outdir);
    return {
      system: 'herald',
      mode: mode(options),
      source,
      count: options.count,
      delivered,
      seconds: Math.round(seconds * 100) / 100,
      deliveriesPerSecond: seconds > 0 ? Math.round(delivered / seconds) : 0,
      latencyMs: summarize(latencies),
      retries:
        metricTotal(metricsAfter, 'WebhookRetriesScheduled') -
        metricTotal(metricsBefore, 'WebhookRetriesScheduled'),
      // Every accepted event delivered before the deadline (the publish window may end before `count`).
      completed,
      consumers: options.consumers,
      dispatch: {
        ...settings,
        // What local/ makes of them (functions.ts, wiring.ts): pollers ≤ 2, pool ≤ 4.
        pollers: Math.min(settings.maxConcurrency ?? 2, 2),
        poolSize: Math.min(options.consumers ?? 4, 4),
      },
      published: {
        accepted,
        rejected: published.records.length - accepted,
        perSecond: Math.round(accepted / Math.max(0.001, (lastResponse - started) / 1000)),
        maxSlotWaitMs: published.maxSlotWaitMs,
        responseMs: summarize(published.records.map((r) => r.respondedAt - r.sentAt)),
      },
      recordsPerDispatchInvocation: invocations > 0 ? Math.round((accepted / invocations) * 10) / 10 : 0,
      breakdownMs,
      resources,
      startupMs: local.startupMs,
    };
  } finally {
    for (const close of receiverClose) await close();
    await local.stop();
  }
}

export type { HeraldBenchOptions, HeraldBenchResult };
export { EVENT_TYPE, runHeraldBenchmark, TIME_SCALE };
