/**
 * Renders the Herald benchmark results as the generated section of docs/benchmarks.md. Every figure
 * comes from the results object; the sentences around them are templates, so a re-run rewrites them.
 */

import { contractMinimum } from './calls.js';
import { costOf } from './percall.js';
import type { HeraldSuiteResult } from './suite.js';

interface Comparison {
  readonly scenario: string;
  readonly baseline: { deliveriesPerSecond: number; latencyMs: { p50: number; p95: number; p99: number } };
}

const TARGET_SUSTAINED = 250;
const TARGET_P99_MS = 250;
const TARGET_P99_RATE = 100;
const BUNDLE_GOAL_KIB = 400;
const INIT_GOAL_MS = 100;

const n = (v: number): string => (Number.isFinite(v) ? v.toLocaleString('en-US') : '–');
const kib = (b: number): string => `${Math.round(b / 1024).toLocaleString('en-US')} KiB`;
const pct = (v: number): string => `${Math.round(v * 100)} %`;

function configTable(suite: HeraldSuiteResult): string[] {
  return [
    '| configuration | runs: delivered/s | median delivered/s | median p50 / p95 / p99 ms (publish sent → received) | warm-up (median) | CPU cores used (median) | CPU ms per event | saturated runs |',
    '|---|---|---:|---|---:|---:|---:|---:|',
    ...suite.configs.map((c) => {
      const m = c.median;
      return `| ${c.label} | ${c.runs.map((r) => r.deliveriesPerSecond).join(', ')} | ${n(m.deliveriesPerSecond)} | ${n(m.p50)} / ${n(m.p95)} / ${n(m.p99)} | ${n(m.warmUpSeconds)} s | ${m.cpuCores} | ${m.cpuMsPerEvent} | ${c.saturatedRuns}/${c.runs.length} |`;
    }),
  ];
}

function warmUpLines(suite: HeraldSuiteResult): string[] {
  return suite.configs.flatMap((c) =>
    c.runs.map(
      (r, i) =>
        `- ${c.label}, run ${i + 1}: ${r.warmUp.slices.join(' → ')} delivered/s per 5 s slice, ${r.warmUp.stable ? 'stable' : 'not stable'} after ${r.warmUp.seconds} s; window ${r.windowSeconds} s.`,
    ),
  );
}

/** CPU by thread group, median run of the best max configuration. */
function cpuTable(suite: HeraldSuiteResult): string[] {
  const config = suite.configs.find((c) => c.label === suite.ceiling.basedOn);
  if (config === undefined) return [];
  const runs = [...config.runs].sort((a, b) => a.deliveriesPerSecond - b.deliveriesPerSecond);
  const r = runs[Math.floor(runs.length / 2)];
  if (r === undefined) return [];
  const perEvent = (cores: number) =>
    r.deliveriesPerSecond > 0 ? ((cores * 1000) / r.deliveriesPerSecond).toFixed(2) : '–';
  return [
    `CPU from /proc/<pid>/task/*/stat during the measured window of the median "${config.label}" run (${r.deliveriesPerSecond}/s): by process ${Object.entries(
      r.cpu.byProcess,
    )
      .map(([p, c]) => `${p} ${c} cores`)
      .join(', ')}; total ${r.cpu.total} of ${suite.machine.cpus} cores.`,
    '',
    '| thread (group) | CPU cores | CPU ms per event |',
    '|---|---:|---:|',
    ...Object.entries(r.cpu.byThread)
      .filter(([, c]) => c >= 0.005)
      .map(([t, c]) => `| ${t} | ${c} | ${perEvent(c)} |`),
    '',
    `Invocations in that window (wall ms per invocation as the local pool saw it, queueing for a free worker excluded; invocations per event): ${Object.entries(
      r.invocations,
    )
      .map(([f, v]) => `${f} ${v.meanMs} ms × ${v.perEvent}`)
      .join(
        ', ',
      )}. MainThread is the HTTP API, fauxqs, Step Functions, the pollers, the publisher and the receiver together.`,
  ];
}

/** The isolation target of issue 9: beside a hanging endpoint, within max(2 s, 3 × the all-healthy p99). */
function isolationBudgetMs(suite: HeraldSuiteResult): number | undefined {
  const alone = suite.isolation?.find((i) => !i.hanging);
  return alone === undefined ? undefined : Math.max(2000, 3 * alone.median.p99);
}

function isolationLines(suite: HeraldSuiteResult): string[] {
  const rows = suite.isolation ?? [];
  if (rows.length === 0) return ['Not run.'];
  const first = rows[0]?.runs[0];
  const budget = isolationBudgetMs(suite);
  const hanging = rows.find((r) => r.hanging);
  const alone = rows.find((r) => !r.hanging);
  const ratio =
    hanging !== undefined && alone !== undefined && alone.median.healthyDeliveriesPerSecond > 0
      ? hanging.median.healthyDeliveriesPerSecond / alone.median.healthyDeliveriesPerSecond
      : Number.NaN;
  return [
    `${first?.healthyEndpoints ?? '–'} observed tenants and one more, each with one endpoint, events round-robin across all of them at ${first?.offeredPerSecond ?? '–'}/s offered (bench/herald/isolation.ts); the last tenant's endpoint hangs (accepts, never answers) in one configuration and is healthy in the other, so the offered load is the same. Warm-up 30 s, then a 20 s window; latency is publish sent → received for the observed tenants' events sent in the window; 3 interleaved runs each, in the same rounds as the runs above.`,
    '',
    '| configuration | runs: observed delivered/s | median observed delivered/s | median p50 / p95 / p99 ms | POSTs that reached the hanging endpoint (per run) | CPU cores used (median) |',
    '|---|---|---:|---|---|---:|',
    ...rows.map((r) => {
      const sorted = [...r.runs.map((x) => x.cpu.total)].sort((a, b) => a - b);
      const cores = sorted[Math.floor(sorted.length / 2)]?.toFixed(2);
      return `| ${r.label} | ${r.runs.map((x) => x.healthyDeliveriesPerSecond).join(', ')} | ${n(r.median.healthyDeliveriesPerSecond)} | ${n(r.median.p50)} / ${n(r.median.p95)} / ${n(r.median.p99)} | ${r.hanging ? r.runs.map((x) => x.hangingPostsReceived).join(', ') : '–'} | ${cores ?? '–'} |`;
    }),
    '',
    `- Beside the hanging endpoint the observed tenants kept ${Number.isFinite(ratio) ? pct(ratio) : '–'} of their all-healthy throughput; their median p99 was ${n(hanging?.median.p99 ?? Number.NaN)} ms against a budget of max(2 s, 3 × ${n(alone?.median.p99 ?? Number.NaN)} ms) = ${n(budget ?? Number.NaN)} ms.`,
    "- Nothing is dropped for the hanging endpoint either: each of its deliveries stays on its retry schedule. While its breaker is open one attempt at a time probes it (adrs/0007), so few POSTs reach it; an attempt that finds the probe out waits once for its verdict and is then spent as `circuit_open`, and the delivery's next attempt follows on the schedule.",
  ];
}

function callsTable(suite: HeraldSuiteResult): string[] {
  const rows: string[] = [];
  for (const m of suite.calls) {
    const min = contractMinimum(m.scenario);
    for (const service of ['dynamodb', 'sns', 'sqs', 'lambda']) {
      const ops = Object.entries(m.perEvent)
        .filter(([op]) => op.startsWith(`${service}:`))
        .map(([op, v]) => `${op.slice(service.length + 1)} ${v}`)
        .join(', ');
      rows.push(
        `| ${m.scenario} | ${service} | ${m.perService[service] ?? 0} | ${min[service] ?? '–'} | ${ops || '–'} |`,
      );
    }
  }
  return [
    '| event | service | counted per event | contract minimum | by operation |',
    '|---|---|---:|---:|---|',
    ...rows,
  ];
}

function costTable(suite: HeraldSuiteResult): string[] {
  return [
    '| call | caller CPU ms (SDK client; fauxqs ops: SDK + emulator) | emulator / worker CPU ms | total ms |',
    '|---|---:|---:|---:|',
    ...suite.callCosts.map((c) => `| ${c.op} | ${c.callerMs} | ${c.serverMs} | ${c.totalMs} |`),
  ];
}

/**
 * Another workload had the machine: a 1-minute load average above its core count when the suite
 * started. (At the end the benchmark's own load is in it: it keeps both cores busy.)
 */
function shared(suite: HeraldSuiteResult): boolean {
  return (suite.machine.loadAverageAtStart[0] ?? 0) > suite.machine.cpus;
}

function machineLine(suite: HeraldSuiteResult): string {
  const loads = `load average ${suite.machine.loadAverageAtStart.join(' / ')} (1 / 5 / 15 min) when the suite started and ${suite.machine.loadAverageAtEnd.join(' / ')} when it ended, on ${suite.machine.cpus} cores`;
  return shared(suite)
    ? `**The machine was shared** with other engineers' builds and tests: ${loads} — so absolute figures are low and vary; the interleaving (every configuration once per round, 3 rounds) spreads that load over all of them, and the medians are what to compare.`
    : `Nothing else ran on the machine: ${loads} (what it shows is the benchmark's own load and the tail of earlier work). The interleaving (every configuration once per round, 3 rounds) still spreads any drift over all of them; the medians are what to compare.`;
}

function ceilingLines(suite: HeraldSuiteResult): string[] {
  const config = suite.configs.find((c) => c.label === suite.ceiling.basedOn);
  const runs = [...(config?.runs ?? [])].sort((a, b) => a.deliveriesPerSecond - b.deliveriesPerSecond);
  const r = runs[Math.floor(runs.length / 2)];
  const terms = Object.entries(r?.callsPerEvent ?? {})
    .map(([op, k]) => `${op} ${k} × ${(costOf(op, suite.callCosts) ?? 0).toFixed(2)}`)
    .join(' + ');
  const c = suite.ceiling;
  const perEventMs = config?.median.cpuMsPerEvent ?? 0;
  const usedCores = config?.median.cpuCores ?? 0;
  return [
    `- Calls counted at the emulators per delivered event under load ("${c.basedOn}", median run; SQS receives are the pollers', idle ones included): ${terms} = **${c.callsCpuMsPerEvent} ms CPU per event**.`,
    `- Ceiling = ${c.cores} cores × 1000 ms ÷ ${c.callsCpuMsPerEvent} ms = **${n(c.eventsPerSecond)} events/s** if those calls were all the machine did. Achieved ${n(config?.median.deliveriesPerSecond ?? 0)}/s: **${pct(c.achievedRatio)} of the ceiling**. The rest of the measured ${config?.median.cpuMsPerEvent ?? '–'} ms per event is everything the ceiling leaves out: the HTTP API and the publisher and receiver in this process, Herald's own code, Powertools, V8 compilation and GC (the function threads each compile their own copy of the SDK)${shared(suite) ? ', and the load on the shared machine' : ''}.`,
    `- The run used ${usedCores} of ${c.cores} cores (the kernel's accounting above)${shared(suite) ? '; the other engineers on the machine took much of the rest' : ''}. Its measured CPU per delivered event, ${perEventMs} ms, is the figure that does not depend on how much CPU was left to it: ${c.cores} cores ÷ ${perEventMs} ms ≈ **${perEventMs > 0 ? n(Math.round((c.cores * 1000) / perEventMs)) : '–'} events/s** — an extrapolation, not a measurement. (The profiling study behind issue 14 measured ~16 ms per event before the call reductions.)`,
  ];
}

function targets(suite: HeraldSuiteResult): string[] {
  const best = [...suite.configs]
    .filter((c) => c.label.startsWith('max'))
    .sort((a, b) => b.median.deliveriesPerSecond - a.median.deliveriesPerSecond)[0];
  const paced = suite.configs.find((c) => c.label.startsWith(`${TARGET_P99_RATE}/s`));
  const bench = suite.calls.find((m) => m.scenario.startsWith('bench.webhook'));
  const order = suite.calls.find((m) => m.scenario.startsWith('order.placed'));
  const maxKiB =
    Math.max(...suite.init.filter((i) => !i.functionId.startsWith('(')).map((i) => i.handlerBytes)) / 1024;
  const maxJsKiB =
    Math.max(
      ...suite.init.filter((i) => !i.functionId.startsWith('(')).map((i) => i.jsBytes ?? i.handlerBytes),
    ) / 1024;
  const maxInit = Math.max(
    ...suite.init.filter((i) => !i.functionId.startsWith('(')).map((i) => i.processToReadyMs),
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'not met');
  return [
    '| target | reached here | verdict |',
    '|---|---|---|',
    `| ≥ ${TARGET_SUSTAINED} events/s sustained after warm-up, one endpoint | median ${n(best?.median.deliveriesPerSecond ?? 0)}/s (${best?.label ?? '–'}) | ${verdict((best?.median.deliveriesPerSecond ?? 0) >= TARGET_SUSTAINED)} |`,
    `| p99 publish → received < ${TARGET_P99_MS} ms at ${TARGET_P99_RATE}/s offered | median p99 ${n(paced?.median.p99 ?? Number.NaN)} ms | ${verdict((paced?.median.p99 ?? Number.POSITIVE_INFINITY) < TARGET_P99_MS)} |`,
    `| no run saturating at ${TARGET_P99_RATE}/s | ${paced?.saturatedRuns ?? '–'} of ${paced?.runs.length ?? 0} runs saturated | ${verdict(paced !== undefined && paced.saturatedRuns === 0)} |`,
    `| ≤ 4 DynamoDB calls, bench.webhook first-time delivery | ${bench?.perService.dynamodb ?? '–'} | ${verdict((bench?.perService.dynamodb ?? 99) <= 4)} |`,
    `| ≤ 10 DynamoDB calls, order.placed + job + one endpoint | ${order?.perService.dynamodb ?? '–'} | ${verdict((order?.perService.dynamodb ?? 99) <= 10)} |`,
    `| bundles ≤ ${BUNDLE_GOAL_KIB} KiB each (the handler file a cold start loads) | largest ${Math.round(maxKiB)} KiB; with the files loaded later (the JSON Schema engine, on a container's first validation) the largest function has ${Math.round(maxJsKiB)} KiB of JavaScript | ${verdict(maxKiB <= BUNDLE_GOAL_KIB)} for the handler file${maxJsKiB > BUNDLE_GOAL_KIB ? '; not met counting every file' : ''} |`,
    `| observed tenants' p99 beside 1 hanging endpoint ≤ max(2 s, 3 × all-healthy p99), ${suite.isolation?.[0]?.runs[0]?.offeredPerSecond ?? '–'}/s offered | median p99 ${n(suite.isolation?.find((i) => i.hanging)?.median.p99 ?? Number.NaN)} ms (budget ${n(isolationBudgetMs(suite) ?? Number.NaN)} ms) | ${verdict((suite.isolation?.find((i) => i.hanging)?.median.p99 ?? Number.POSITIVE_INFINITY) <= (isolationBudgetMs(suite) ?? 0))} |`,
    `| fresh-process init ≤ ${INIT_GOAL_MS} ms each | slowest ${n(maxInit)} ms (minimal handler ${n(suite.init[0]?.processToReadyMs ?? Number.NaN)} ms) | ${verdict(maxInit <= INIT_GOAL_MS)} |`,
  ];
}

function initTable(suite: HeraldSuiteResult): string[] {
  const before = new Map((suite.initBefore ?? []).map((i) => [i.functionId, i]));
  return [
    '| function | bundle (handler file) | all JavaScript in the asset | process start → ready ms | require ms | before: bundle, start → ready ms |',
    '|---|---:|---:|---:|---:|---|',
    ...suite.init.map((i) => {
      const b = before.get(i.functionId);
      return `| ${i.functionId} | ${kib(i.handlerBytes)} | ${kib(i.jsBytes ?? i.handlerBytes)} | ${n(i.processToReadyMs)} | ${n(i.requireMs)} | ${b === undefined ? '–' : `${kib(b.handlerBytes)}, ${n(b.processToReadyMs)}`} |`;
    }),
  ];
}

/** Pool size from the max runs: which is faster, and whether the difference is outside the spread. */
function poolLine(suite: HeraldSuiteResult): string {
  const max = suite.configs.filter((c) => c.label.startsWith('max'));
  const figures = max
    .map((c) => {
      const runs = c.runs.map((r) => r.deliveriesPerSecond);
      return `${c.label} ${n(c.median.deliveriesPerSecond)}/s (runs ${Math.min(...runs)}–${Math.max(...runs)})`;
    })
    .join(', ');
  const [a, b] = max;
  const overlap =
    a !== undefined &&
    b !== undefined &&
    Math.min(...a.runs.map((r) => r.deliveriesPerSecond)) <=
      Math.max(...b.runs.map((r) => r.deliveriesPerSecond)) &&
    Math.min(...b.runs.map((r) => r.deliveriesPerSecond)) <=
      Math.max(...a.runs.map((r) => r.deliveriesPerSecond));
  return `- Pool size: ${figures}, medians. ${
    overlap
      ? 'The runs overlap, so the difference is inside the run-to-run spread here; the runtime keeps 2 workers per function by default (local/functions.ts), half the V8 isolates — each compiles and collects its own copy of the SDK — for throughput this benchmark cannot tell apart.'
      : 'The runs do not overlap: the faster pool is the better default on this machine.'
  }`;
}

function renderHeraldSection(
  suite: HeraldSuiteResult,
  comparisons: readonly Comparison[],
  machine: string,
  date: string,
): string {
  const s = suite.startup;
  const maxBaseline = comparisons.find((c) => c.scenario === 'max');
  const best = [...suite.configs]
    .filter((c) => c.label.startsWith('max'))
    .sort((a, b) => b.median.deliveriesPerSecond - a.median.deliveriesPerSecond)[0];
  return [
    `Measured ${date} on ${machine}. ${machineLine(suite)} The local runtime's emulators (fauxqs, Step Functions) and HTTP API, the function worker threads, the publisher and the receiver share one Node process; dynalite is a child process. Events of type \`bench.webhook\`, one endpoint, receiver \`bench/baseline/receiver.ts\`, retry waits × 0.01. Each run warms up in 5 s slices until two agree within 10 % (at least 30 s), then measures a 20 s window. At "max" the publisher runs a closed loop over the whole pipeline: a new event only while fewer than 128 are accepted and not yet received, so "max" is the rate delivery sustains (a loop that waited only for the 202 let ingest accept ~2.6× what dispatch delivered and measured a growing backlog).`,
    '',
    '### Against the targets',
    '',
    ...targets(suite),
    '',
    '### Diagnosis',
    '',
    `- **The machine is CPU-bound, and the largest share is the AWS SDK client in every function thread, not the emulators.** Per call, the SDK client costs more CPU than dynalite does to serve it (table below). The earlier version of this page blamed "the emulators on the main thread, dynalite first" from event-loop utilisation, which on a full 2-core machine counts the time a thread waits to be scheduled as busy; CPU from /proc says otherwise.`,
    `- So the lever was fewer calls per event: the authorizer's 5 s credential cache, dispatch's 5 s endpoint-list cache and attempt 1 folded into the delivery item take a \`bench.webhook\` from 6 DynamoDB calls to the ${suite.calls[0]?.perService.dynamodb ?? '–'} counted below (docs/internals.md, "What is cached").`,
    poolLine(suite),
    '',
    '### Runs (medians of 3, interleaved)',
    '',
    ...configTable(suite),
    '',
    ...warmUpLines(suite),
    '',
    '### One hanging endpoint among healthy ones',
    '',
    ...isolationLines(suite),
    '',
    '### CPU by process and thread',
    '',
    ...cpuTable(suite),
    '',
    '### AWS calls per event, counted at the emulators',
    '',
    'One event at a time through the whole runtime after a warm-up event (bench/herald/calls.ts), so every call belongs to the event; SQS receives are left out (idle pollers make them).',
    '',
    ...callsTable(suite),
    '',
    '### CPU per call and the ceiling',
    '',
    `Measured against the running emulators, 1000 sequential calls each after 200 warm-up calls (bench/herald/percall.ts): the caller's side from getrusage of this thread, dynalite's from /proc, a Lambda invocation as the worker round trip of a handler that returns at once.`,
    '',
    ...costTable(suite),
    '',
    ...ceilingLines(suite),
    '',
    '### Herald vs the BullMQ baseline (same receiver)',
    '',
    maxBaseline === undefined || best === undefined
      ? 'Baseline not run.'
      : `At max rate BullMQ (Redis, 32 concurrent workers) delivered ${n(maxBaseline.baseline.deliveriesPerSecond)}/s with p95 ${n(maxBaseline.baseline.latencyMs.p95)} ms; Herald's best median here is ${n(best.median.deliveriesPerSecond)}/s (${(best.median.deliveriesPerSecond / Math.max(1, maxBaseline.baseline.deliveriesPerSecond)).toFixed(2)}×), p95 ${n(best.median.p95)} ms. BullMQ runs no emulated cloud: one process, one Redis round trip per step.`,
    '',
    '### Start-up and cold start',
    '',
    `- \`startHerald\` cold (empty output directory, synth and bundling included): ${n(s.coldMs)} ms, of which synth ${n(s.coldSynthMs ?? Number.NaN)} ms; warm (\`skipSynth\`): ${n(s.warmMs)} ms.`,
    `- Lambda bundles in \`${suite.bundlesOutdir.slice(suite.bundlesOutdir.lastIndexOf('/') + 1)}\` and their fresh-process init (median of 5 processes each, run one after another; "before" is the same functions bundled without the cold-start options, where measured):`,
    '',
    ...initTable(suite),
  ].join('\n');
}

export type { Comparison };
export { renderHeraldSection };
