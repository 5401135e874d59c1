/**
 * The Herald part of `npm run bench` (issue 14): runs each configuration 3 times, interleaved (A B C
 * A B C A B C, so a change in the shared machine's load falls on all of them alike), each run warmed
 * up until stable before its measured window (run.ts), and reports medians; in the same rounds, the
 * isolation scenario (isolation.ts: healthy endpoints beside a hanging one, and all healthy). Beside them: AWS calls per
 * event counted at the emulators against the contract's minimum, CPU per call measured here, the
 * ceiling those give, start-up, bundle sizes and fresh-process init times.
 */

import { cpus, loadavg } from 'node:os';
import { startHerald } from '../../local/runtime.js';
import { BASE_OUTDIR } from './assembly.js';
import { type CallsPerEvent, measureCallsPerEvent } from './calls.js';
import { type InitTime, measureInitTimes } from './init.js';
import { type IsolationRunResult, runIsolation } from './isolation.js';
import { type CallCost, type Ceiling, ceilingOf, measureCallCosts } from './percall.js';
import { type HeraldRunOptions, type HeraldRunResult, runHerald, TIME_SCALE } from './run.js';
import { measureStartup, type StartupTimes } from './startup.js';

interface SuiteConfig {
  readonly label: string;
  readonly options: HeraldRunOptions;
}

const CONFIGS: readonly SuiteConfig[] = [
  { label: 'max, pool 4', options: { poolSize: 4 } },
  { label: 'max, pool 2', options: { poolSize: 2 } },
  { label: '100/s offered, pool 2', options: { offeredPerSecond: 100, poolSize: 2 } },
];
const ROUNDS = 3;
/** Issue 9's scenario, in the same rounds: the observed tenants beside a hanging endpoint, and without. */
const ISOLATION_OFFERED_PER_SECOND = 100;

interface IsolationSummary {
  readonly label: string;
  readonly hanging: boolean;
  readonly runs: readonly IsolationRunResult[];
  readonly median: {
    readonly healthyDeliveriesPerSecond: number;
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
  };
}

interface ConfigSummary {
  readonly label: string;
  readonly runs: readonly HeraldRunResult[];
  /** Medians over the runs. */
  readonly median: {
    readonly deliveriesPerSecond: number;
    readonly acceptedPerSecond: number;
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly cpuCores: number;
    readonly cpuMsPerEvent: number;
    readonly warmUpSeconds: number;
  };
  readonly saturatedRuns: number;
}

interface HeraldSuiteResult {
  readonly machine: {
    readonly cpus: number;
    readonly loadAverageAtStart: number[];
    readonly loadAverageAtEnd: number[];
  };
  readonly startup: StartupTimes;
  readonly configs: readonly ConfigSummary[];
  readonly isolation: readonly IsolationSummary[];
  readonly calls: readonly CallsPerEvent[];
  readonly callCosts: readonly CallCost[];
  readonly ceiling: Ceiling & { readonly basedOn: string; readonly achievedRatio: number };
  readonly init: readonly InitTime[];
  readonly initBefore?: readonly InitTime[];
  readonly bundlesOutdir: string;
}

const median = (values: readonly number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const say = (line: string): void => void process.stderr.write(`bench: herald ${line}\n`);

function summarise(label: string, runs: readonly HeraldRunResult[]): ConfigSummary {
  const m = (f: (r: HeraldRunResult) => number) => Math.round(median(runs.map(f)) * 10) / 10;
  return {
    label,
    runs,
    median: {
      deliveriesPerSecond: m((r) => r.deliveriesPerSecond),
      acceptedPerSecond: m((r) => r.acceptedPerSecond),
      p50: m((r) => r.latencyMs.p50),
      p95: m((r) => r.latencyMs.p95),
      p99: m((r) => r.latencyMs.p99),
      cpuCores: m((r) => r.cpu.total),
      cpuMsPerEvent: m((r) => r.cpuMsPerEvent),
      warmUpSeconds: m((r) => r.warmUp.seconds),
    },
    saturatedRuns: runs.filter((r) => r.saturated).length,
  };
}

async function callsAndCosts(): Promise<{ calls: CallsPerEvent[]; callCosts: CallCost[] }> {
  const local = await startHerald({
    outdir: BASE_OUTDIR,
    skipSynth: true,
    quiet: true,
    stateFile: null,
    timeScale: TIME_SCALE,
  });
  try {
    const calls = await measureCallsPerEvent(local, 5);
    const callCosts = await measureCallCosts(local, 1000);
    return { calls, callCosts };
  } finally {
    await local.stop();
  }
}

async function runHeraldSuite(options: { initBeforeOutdir?: string } = {}): Promise<HeraldSuiteResult> {
  const loadAverageAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  say('start-up (cold synth, then warm) ...');
  const startup = await measureStartup(1);
  say('bundle init times ...');
  const init = measureInitTimes(BASE_OUTDIR, 5);
  const initBefore =
    options.initBeforeOutdir === undefined ? undefined : measureInitTimes(options.initBeforeOutdir, 5);
  say('calls per event and CPU per call ...');
  const { calls, callCosts } = await callsAndCosts();
  const byConfig = new Map<string, HeraldRunResult[]>(CONFIGS.map((c) => [c.label, []]));
  const isolationRuns = new Map<boolean, IsolationRunResult[]>([
    [false, []],
    [true, []],
  ]);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const config of CONFIGS) {
      say(`round ${round}/${ROUNDS}: ${config.label} ...`);
      const result = await runHerald(config.options);
      say(
        `  ${result.deliveriesPerSecond}/s delivered, p99 ${result.latencyMs.p99} ms, warm-up ${result.warmUp.seconds} s (${result.warmUp.slices.join(' → ')})`,
      );
      byConfig.get(config.label)?.push(result);
    }
    for (const hanging of [false, true]) {
      say(`round ${round}/${ROUNDS}: isolation, ${hanging ? '1 hanging endpoint' : 'all healthy'} ...`);
      const result = await runIsolation({ hanging, offeredPerSecond: ISOLATION_OFFERED_PER_SECOND });
      say(
        `  healthy ${result.healthyDeliveriesPerSecond}/s delivered, p50 ${result.healthyLatencyMs.p50} ms, p99 ${result.healthyLatencyMs.p99} ms; POSTs to the hanging endpoint ${result.hangingPostsReceived}`,
      );
      isolationRuns.get(hanging)?.push(result);
    }
  }
  const isolation: IsolationSummary[] = [false, true].map((hanging) => {
    const runs = isolationRuns.get(hanging) ?? [];
    const m = (f: (r: IsolationRunResult) => number) => Math.round(median(runs.map(f)) * 10) / 10;
    return {
      label: hanging ? '1 hanging endpoint' : 'all healthy',
      hanging,
      runs,
      median: {
        healthyDeliveriesPerSecond: m((r) => r.healthyDeliveriesPerSecond),
        p50: m((r) => r.healthyLatencyMs.p50),
        p95: m((r) => r.healthyLatencyMs.p95),
        p99: m((r) => r.healthyLatencyMs.p99),
      },
    };
  });
  const configs = CONFIGS.map((c) => summarise(c.label, byConfig.get(c.label) ?? []));
  // The ceiling from the calls counted under load in the best max-rate configuration.
  const best = [...configs]
    .filter((c) => c.label.startsWith('max'))
    .sort((a, b) => b.median.deliveriesPerSecond - a.median.deliveriesPerSecond)[0];
  const bestRun =
    best === undefined
      ? undefined
      : [...best.runs].sort((a, b) => a.deliveriesPerSecond - b.deliveriesPerSecond)[
          Math.floor(best.runs.length / 2)
        ];
  const ceiling = ceilingOf(bestRun?.callsPerEvent ?? {}, callCosts, cpus().length);
  return {
    machine: {
      cpus: cpus().length,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    startup,
    configs,
    isolation,
    calls,
    callCosts,
    ceiling: {
      ...ceiling,
      basedOn: best?.label ?? '',
      achievedRatio:
        ceiling.eventsPerSecond > 0 && best !== undefined
          ? Math.round((best.median.deliveriesPerSecond / ceiling.eventsPerSecond) * 100) / 100
          : 0,
    },
    init,
    ...(initBefore !== undefined ? { initBefore } : {}),
    bundlesOutdir: BASE_OUTDIR,
  };
}

export type { ConfigSummary, HeraldSuiteResult, IsolationSummary, SuiteConfig };
export { CONFIGS, ISOLATION_OFFERED_PER_SECOND, ROUNDS, runHeraldSuite };
