/**
 * Issue 22: does sustained throughput change with payload filters on? One local runtime, two tenants
 * with the same number of endpoints on `bench.*`; one tenant's endpoints carry a filter every measured
 * event passes, so both create the same deliveries and differ only by the filter's evaluation in
 * dispatch. After one warm-up (both tenants in turn), windows alternate between the tenants (A B, B A,
 * ...), each a closed loop over the whole pipeline, drained before the next; filters-report.ts takes
 * the medians. One runtime for both, so neither pays a cold start the other does not.
 */

import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { matchesFilter } from '../../lambdas/webhooks/filter/evaluate.js';
import { parseFilter } from '../../lambdas/webhooks/filter/pattern.js';
import { startReceiver } from '../../local/receiver/receiver.js';
import { startHerald } from '../../local/runtime.js';
import { waitFor } from '../lib/time.js';
import { apiClient, createEndpoint, pointEndpoint } from './api.js';
import { BASE_OUTDIR, baseAssemblyExists } from './assembly.js';
import { cpuSince, cpuSnapshot } from './cpu.js';
import type { FilterThroughputResult, FilterWindow } from './filters-report.js';
import { type Outstanding, publishEvents } from './publisher.js';
import { EVENT_TYPE, TIME_SCALE } from './run.js';

interface FilterThroughputOptions {
  /** Endpoints per tenant. @default 4 */
  readonly endpoints?: number;
  /** @default 30 */
  readonly warmUpSeconds?: number;
  /** @default 12 */
  readonly windowSeconds?: number;
  /** Windows per configuration. @default 5 */
  readonly rounds?: number;
  /** Events accepted and not yet at every endpoint, at most. @default 128 */
  readonly maxOutstanding?: number;
  /**
   * A/A control: the second tenant's endpoints get no filter either, so the run shows the harness's
   * own difference between the two tenants (order, load drift), to read the A/B figure against.
   * @default false
   */
  readonly control?: boolean;
}

const SLICE_SECONDS = 5;
const PROBE_PHASE = 'probe';

/** Five conditions, one `$or`: every event of the warm-up and the windows passes, the probe does not. */
const FILTER = {
  type: ['bench.webhook'],
  data: {
    phase: [{ 'anything-but': [PROBE_PHASE] }],
    orderId: [{ prefix: 'o' }],
    $or: [{ total: [{ numeric: ['>=', 0] }] }, { run: [{ exists: false }] }],
  },
};

/** Median µs per `matchesFilter` call, after a warm-up: the in-process cost beside the end-to-end one. */
function evaluateMicros(event: { type: string; tenantId: string; data: unknown }): number {
  const parsed = parseFilter(FILTER);
  if (!parsed.ok) throw new Error(`bench filter does not parse: ${JSON.stringify(parsed.errors)}`);
  let sink = 0;
  for (let i = 0; i < 100_000; i++) if (matchesFilter(parsed.filter, event)) sink++;
  const runs: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < 20_000; i++) if (matchesFilter(parsed.filter, event)) sink++;
    runs.push(Number(process.hrtime.bigint() - t) / 1000 / 20_000);
  }
  if (sink === 0) throw new Error('the bench filter refused the measured event');
  runs.sort((a, b) => a - b);
  return Math.round((runs[Math.floor(runs.length / 2)] as number) * 1000) / 1000;
}

const say = (line: string): void => void process.stderr.write(`bench: filters ${line}\n`);

async function runFilterThroughput(options: FilterThroughputOptions = {}): Promise<FilterThroughputResult> {
  const endpoints = options.endpoints ?? 4;
  const warmUpSeconds = options.warmUpSeconds ?? 30;
  const windowSeconds = options.windowSeconds ?? 12;
  const rounds = options.rounds ?? 5;
  const control = options.control ?? false;
  const loadAverageAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const local = await startHerald({
    outdir: BASE_OUTDIR,
    skipSynth: baseAssemblyExists(),
    quiet: true,
    stateFile: null,
    timeScale: TIME_SCALE,
  });
  const secrets = new Map<string, string>(); // receiver path → the endpoint's secret
  const receipts = new Map<string, number>(); // event id → endpoints it reached
  const filteredPaths = new Set<string>();
  let delivered = 0;
  let deliveredToFiltered = 0;
  let complete = 0;
  const receiver = await startReceiver({
    keepRequests: false,
    secretsFor: (path) => {
      const secret = secrets.get(path);
      return secret === undefined ? undefined : [secret];
    },
    onAccepted: (webhook) => {
      delivered++;
      if (filteredPaths.has(webhook.path)) deliveredToFiltered++;
      const n = (receipts.get(webhook.id) ?? 0) + 1;
      if (n < endpoints) receipts.set(webhook.id, n);
      else {
        receipts.delete(webhook.id);
        complete++;
      }
    },
  });
  try {
    const client = apiClient(local.apiUrl, local.adminApiKey);
    const run = randomUUID().slice(0, 8);
    const tenantOf = (filtered: boolean) => `t_filters_${run}_${filtered ? 'on' : 'off'}`;
    for (const filtered of [false, true]) {
      for (let i = 0; i < endpoints; i++) {
        const tenantId = tenantOf(filtered);
        const filter = filtered && !control ? FILTER : undefined;
        const endpoint = await createEndpoint(client, tenantId, ['bench.*'], filter);
        const path = `/hooks/${tenantId}/${i}`;
        secrets.set(path, endpoint.secret);
        if (filtered) filteredPaths.add(path);
        await pointEndpoint(client, endpoint.id, `${receiver.url}${path}`);
      }
    }
    let index = 0;
    const event = (filtered: boolean, phase: string) => () => ({
      type: EVENT_TYPE,
      tenantId: tenantOf(filtered),
      data: { run, phase, orderId: `o${index}`, total: index++ },
    });

    // The filters are live: a probe they refuse reaches the tenant without them and counts as filtered out.
    let probe: FilterThroughputResult['probe'];
    if (!control) {
      const filteredOutBefore = filteredOutTotal(local.metrics());
      const completeBefore = complete;
      for (const filtered of [false, true])
        await publishEvents({
          apiUrl: local.apiUrl,
          apiKey: local.adminApiKey,
          count: 1,
          deadlineAt: Date.now() + 10_000,
          event: event(filtered, PROBE_PHASE),
        });
      const probeArrived = await waitFor(
        () => complete > completeBefore && filteredOutTotal(local.metrics()) - filteredOutBefore >= endpoints,
        { timeoutMs: 30_000 },
      );
      probe = { filteredOut: filteredOutTotal(local.metrics()) - filteredOutBefore, deliveredToFiltered };
      if (!probeArrived || probe.deliveredToFiltered !== 0)
        throw new Error(`the filters are not live: ${JSON.stringify(probe)}`);
    }

    /** Closed loop on one tenant for `seconds`, then waits until its events reached every endpoint. */
    const measure = async (filtered: boolean, seconds: number, phase: string) => {
      const gate: Outstanding = {
        max: options.maxOutstanding ?? 128,
        received: () => complete - completeAtStart,
        tally: { sent: 0, refused: 0 },
      };
      const completeAtStart = complete;
      const deliveredAtStart = delivered;
      const cpuBefore = cpuSnapshot({ runtime: 'self', dynalite: local.dynamoPid });
      const started = Date.now();
      const published = await publishEvents({
        apiUrl: local.apiUrl,
        apiKey: local.adminApiKey,
        count: 1_000_000,
        maxInFlight: 64,
        outstanding: gate,
        deadlineAt: started + seconds * 1000,
        event: event(filtered, phase),
      });
      const ended = Date.now();
      const cpu = cpuSince(cpuBefore, cpuSnapshot({ runtime: 'self', dynalite: local.dynamoPid }));
      const deliveries = delivered - deliveredAtStart;
      const accepted = published.records.filter((r) => r.id !== undefined).length;
      const completed = await waitFor(() => complete - completeAtStart >= accepted, { timeoutMs: 30_000 });
      return { seconds: (ended - started) / 1000, deliveries, accepted, completed, cpu };
    };

    say(`warm-up ${warmUpSeconds} s (${endpoints} endpoints per tenant) ...`);
    const warmUntil = Date.now() + warmUpSeconds * 1000;
    for (let filtered = false; Date.now() < warmUntil; filtered = !filtered)
      await measure(filtered, SLICE_SECONDS, 'warm-up');

    const windows: FilterWindow[] = [];
    for (let r = 1; r <= rounds; r++) {
      const order = r % 2 === 1 ? [false, true] : [true, false];
      for (const filtered of order) {
        const w = await measure(filtered, windowSeconds, 'measure');
        windows.push({ filtered, round: r, ...w });
        say(
          `round ${r}/${rounds} ${control ? `tenant ${filtered ? 'B' : 'A'}` : `${filtered ? 'with' : 'without'} filters`}: ${Math.round(w.deliveries / endpoints / w.seconds)} events/s, ${w.cpu.total} cores`,
        );
      }
    }
    return {
      endpoints,
      filter: FILTER,
      control,
      warmUpSeconds,
      windowSeconds,
      rounds,
      ...(probe !== undefined ? { probe } : {}),
      evaluateMicros: evaluateMicros({
        type: EVENT_TYPE,
        tenantId: tenantOf(true),
        data: { run, phase: 'measure', orderId: 'o1', total: 1 },
      }),
      windows,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    };
  } finally {
    await receiver.close();
    await local.stop();
  }
}

function filteredOutTotal(metrics: Record<string, unknown>): number {
  return ((metrics.metrics ?? {}) as Record<string, number>).EventsFilteredOut ?? 0;
}

export type { FilterThroughputOptions };
export { runFilterThroughput };
