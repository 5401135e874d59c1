/**
 * The pure half of the filter throughput benchmark (filters.ts runs it): medians of the interleaved
 * windows per configuration, the difference filters make, and the section of docs/benchmarks.md.
 */

import type { CpuUsage } from './cpu.js';

/** One measured window of one configuration. */
interface FilterWindow {
  readonly filtered: boolean;
  readonly round: number;
  readonly seconds: number;
  /** Receipts at the receiver during the window (each event makes one per endpoint). */
  readonly deliveries: number;
  /** Events the API accepted during the window. */
  readonly accepted: number;
  /** Every event accepted in the window reached every endpoint before the next window began. */
  readonly completed: boolean;
  readonly cpu: CpuUsage;
}

interface FilterConfigSummary {
  readonly filtered: boolean;
  readonly label: string;
  /** Events fully delivered per second (deliveries ÷ endpoints), one per window, in run order. */
  readonly eventsPerSecond: readonly number[];
  readonly median: {
    readonly eventsPerSecond: number;
    readonly deliveriesPerSecond: number;
    readonly cpuCores: number;
    /** CPU ms (whole machine share: runtime + dynalite) per delivered event. */
    readonly cpuMsPerEvent: number;
    /** CPU ms per delivered event of each thread group. */
    readonly threadMsPerEvent: Readonly<Record<string, number>>;
  };
  readonly incompleteWindows: number;
}

interface FilterThroughputResult {
  readonly endpoints: number;
  readonly filter: unknown;
  readonly warmUpSeconds: number;
  readonly windowSeconds: number;
  readonly rounds: number;
  /** A/A: the second tenant's endpoints carried no filter either (filters.ts `control`). */
  readonly control: boolean;
  /** The check before the warm-up (not in a control run): a probe the filters refuse reached none of them. */
  readonly probe?: { readonly filteredOut: number; readonly deliveredToFiltered: number };
  /** `matchesFilter` of this filter on a measured event, in-process, median µs per call. */
  readonly evaluateMicros: number;
  readonly windows: readonly FilterWindow[];
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd: readonly number[];
}

const median = (values: readonly number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const round = (v: number, places = 1): number => Math.round(v * 10 ** places) / 10 ** places;

const signed = (v: number): string => `${v > 0 ? '+' : ''}${v}`;

const labelOf = (filtered: boolean, control: boolean): string =>
  control
    ? filtered
      ? 'tenant B, no filters either (A/A control)'
      : 'tenant A, no filters'
    : filtered
      ? 'with filters'
      : 'without filters';

function summariseConfig(
  windows: readonly FilterWindow[],
  filtered: boolean,
  endpoints: number,
  control: boolean,
): FilterConfigSummary {
  const own = windows.filter((w) => w.filtered === filtered);
  const eventsPerSecond = own.map((w) => round(w.deliveries / endpoints / w.seconds));
  const eventsIn = (w: FilterWindow) => Math.max(1, w.deliveries / endpoints);
  const groups = new Set(own.flatMap((w) => Object.keys(w.cpu.byThread)));
  const threadMsPerEvent: Record<string, number> = {};
  for (const g of groups)
    threadMsPerEvent[g] = round(
      median(own.map((w) => ((w.cpu.byThread[g] ?? 0) * w.seconds * 1000) / eventsIn(w))),
      2,
    );
  return {
    filtered,
    label: labelOf(filtered, control),
    eventsPerSecond,
    median: {
      eventsPerSecond: round(median(eventsPerSecond)),
      deliveriesPerSecond: round(median(own.map((w) => w.deliveries / w.seconds))),
      cpuCores: round(median(own.map((w) => w.cpu.total)), 2),
      cpuMsPerEvent: round(median(own.map((w) => (w.cpu.total * w.seconds * 1000) / eventsIn(w))), 2),
      threadMsPerEvent,
    },
    incompleteWindows: own.filter((w) => !w.completed).length,
  };
}

interface FilterComparison {
  readonly without: FilterConfigSummary;
  readonly with: FilterConfigSummary;
  /** (with − without) ÷ without, of the median events/s, in %. */
  readonly throughputChangePercent: number;
  /** (max − min) ÷ median of the windows without filters, in %: the noise the change is read against. */
  readonly spreadWithoutPercent: number;
  /** The change is smaller than the run-to-run spread of the windows without filters. */
  readonly withinSpread: boolean;
  /** Per round, (with − without) ÷ without of the two adjacent windows, in %: the paired view. */
  readonly pairedChangesPercent: readonly number[];
  /** At least 3 rounds and every paired change of one sign: a difference drift does not explain. */
  readonly sameSignEveryRound: boolean;
}

function compareFilterRuns(
  result: Pick<FilterThroughputResult, 'windows' | 'endpoints' | 'control'>,
): FilterComparison {
  const without = summariseConfig(result.windows, false, result.endpoints, result.control);
  const withFilters = summariseConfig(result.windows, true, result.endpoints, result.control);
  const base = without.median.eventsPerSecond;
  const change = base > 0 ? ((withFilters.median.eventsPerSecond - base) / base) * 100 : Number.NaN;
  const spread =
    base > 0
      ? ((Math.max(...without.eventsPerSecond) - Math.min(...without.eventsPerSecond)) / base) * 100
      : 0;
  const rounds = [...new Set(result.windows.map((w) => w.round))].sort((a, b) => a - b);
  const pairedChangesPercent = rounds.flatMap((r) => {
    const rate = (filtered: boolean) => {
      const w = result.windows.find((x) => x.round === r && x.filtered === filtered);
      return w === undefined ? undefined : w.deliveries / w.seconds;
    };
    const [off, on] = [rate(false), rate(true)];
    return off === undefined || on === undefined || off === 0 ? [] : [round(((on - off) / off) * 100)];
  });
  return {
    without,
    with: withFilters,
    throughputChangePercent: round(change),
    spreadWithoutPercent: round(spread),
    withinSpread: Math.abs(change) <= spread,
    pairedChangesPercent,
    sameSignEveryRound:
      pairedChangesPercent.length >= 3 &&
      (pairedChangesPercent.every((p) => p < 0) || pairedChangesPercent.every((p) => p > 0)),
  };
}

/** The thread groups worth a column: the function workers and the main thread, busiest first. */
function threadColumns(c: FilterComparison, limit = 3): string[] {
  const load = c.without.median.threadMsPerEvent;
  return Object.keys(load)
    .filter((g) => g.startsWith('fn:') || g === 'MainThread' || g === 'dynalite: MainThread')
    .sort((a, b) => (load[b] ?? 0) - (load[a] ?? 0))
    .slice(0, limit);
}

function renderFilterThroughput(result: FilterThroughputResult, machine: string, date: string): string {
  const c = compareFilterRuns(result);
  const threads = threadColumns(c);
  const load = (l: readonly number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  const row = (s: FilterConfigSummary) =>
    `| ${s.label} | ${s.eventsPerSecond.join(', ')} | ${s.median.eventsPerSecond} | ${s.median.deliveriesPerSecond} | ${s.median.cpuCores} | ${s.median.cpuMsPerEvent} |${threads.map((t) => ` ${s.median.threadMsPerEvent[t] ?? 0} |`).join('')}${s.incompleteWindows > 0 ? ` (${s.incompleteWindows} incomplete)` : ''}`;
  const [a, b] = result.control ? ['tenant A', 'tenant B'] : ['without filters', 'with filters'];
  const B = `${b[0]?.toUpperCase()}${b.slice(1)}`;
  const verdict = c.sameSignEveryRound
    ? `${b} ${c.pairedChangesPercent[0]! < 0 ? 'lower' : 'higher'} in every round, so not the drift the interleaving spreads`
    : c.withinSpread
      ? `no consistent direction round by round and inside the spread of the ${a} windows (${c.spreadWithoutPercent} %): no difference measurable here`
      : `no consistent direction round by round, but outside the spread of the ${a} windows (${c.spreadWithoutPercent} %)`;
  const setup = result.control
    ? `**A/A control** (\`-- --control\`): neither tenant's endpoints carry a filter, so any difference between the two is the harness's own (which tenant, the order, the machine's drift); read the A/B run against it.`
    : `One tenant's endpoints carry the filter below, which every measured event passes, so both configurations create the same deliveries and differ only by the filter's evaluation in dispatch.${result.probe === undefined ? '' : ` A probe event the filter refuses, sent to both tenants first, reached ${result.probe.deliveredToFiltered} filtered endpoints and counted ${result.probe.filteredOut} in \`EventsFilteredOut\` (the filters were live).`}`;
  return [
    `Measured ${date} on ${machine} (\`npm run bench:filter-throughput${result.control ? ' -- --control' : ''}\`). **The machine was shared**: 2 cores, with other work running (load average ${load(result.loadAverageAtStart)} (1 / 5 / 15 min) at the start, ${load(result.loadAverageAtEnd)} at the end), so the windows wander; the interleaving spreads that drift over both configurations, and the medians and the round-by-round pairs are what to compare.`,
    '',
    `One local runtime, two tenants with ${result.endpoints} endpoints each on \`bench.*\`, all at one receiver (one path and secret per endpoint). ${setup} Warm-up ${result.warmUpSeconds} s alternating the tenants in 5 s slices, then ${result.rounds} round${result.rounds === 1 ? '' : 's'} of one ${result.windowSeconds} s window per configuration, the order alternating round by round (A B, B A, ...), the pipeline drained between windows. Publishing is a closed loop over the whole pipeline (at most 128 events accepted and not yet at every endpoint); events/s counts events delivered to all ${result.endpoints} endpoints (receipts ÷ ${result.endpoints}). CPU from /proc per thread (runtime process and dynalite) during each window, per delivered event.`,
    '',
    ...(result.control ? [] : [`Filter: \`${JSON.stringify(result.filter)}\``, '']),
    `| configuration | windows: events/s | median events/s | median deliveries/s | CPU cores used | CPU ms per event |${threads.map((t) => ` ${t} CPU ms per event |`).join('')}`,
    `|---|---|---:|---:|---:|---:|${threads.map(() => '---:|').join('')}`,
    row(c.without),
    row(c.with),
    '',
    `- ${B} against ${a}: ${signed(c.throughputChangePercent)} % (median ${c.with.median.eventsPerSecond} against ${c.without.median.eventsPerSecond} events/s); round by round (the two adjacent windows): ${c.pairedChangesPercent.map((p) => `${signed(p)} %`).join(', ')}; ${verdict}.`,
    ...(result.control
      ? []
      : [
          `- What the filter costs, measured in the same process: ${result.evaluateMicros} µs per evaluation, ${result.endpoints} per event = ${round(result.evaluateMicros * result.endpoints, 2)} µs against ${c.without.median.cpuMsPerEvent} ms of CPU per event end to end (${round((result.evaluateMicros * result.endpoints) / 10 / c.without.median.cpuMsPerEvent, 3)} %).`,
        ]),
  ].join('\n');
}

export type { FilterThroughputResult, FilterWindow };
export { compareFilterRuns, renderFilterThroughput };
