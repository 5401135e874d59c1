// The counts behind `GET /metrics` and `herald metrics` that name their subject: per function (so per
// job: `job-<name>` runs one job), per endpoint (EMF documents that carry `endpointId`), and the latency
// metrics (unit Milliseconds) as percentiles of recent values, never as a running sum. Pure: the
// metrics view feeds it, and with `--data` saves it to `<data dir>/metrics.json` across restarts.

/** One value from an EMF document, with what it is about. */
export interface EmfValue {
  readonly name: string;
  readonly value: number;
  readonly unit?: string;
  /** A top-level `endpointId` of the document (metadata, not a dimension: no CloudWatch cost). */
  readonly endpointId?: string;
}

export interface LatencySummary {
  /** Values in the sample (the most recent LATENCY_SAMPLE). */
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface TallyState {
  /** Sums of every count metric (latency metrics are left out: a sum of latencies means nothing). */
  readonly totals: Readonly<Record<string, number>>;
  /** Function display name (`job-invoice`, `dispatch`) → metric → sum. */
  readonly byFunction: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly byEndpoint: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Metric → its most recent values, oldest first. */
  readonly latencySamples: Readonly<Record<string, readonly number[]>>;
  /** When counting began: the first start, with `--data`; else this start. */
  readonly countingSince: string;
}

/** Enough values for a stable p99 and little memory. */
export const LATENCY_SAMPLE = 5_000;

const LATENCY_UNITS = new Set(['Milliseconds', 'Seconds', 'Microseconds']);

export function emptyTally(now: Date): TallyState {
  return { totals: {}, byFunction: {}, byEndpoint: {}, latencySamples: {}, countingSince: now.toISOString() };
}

function bump(
  table: Readonly<Record<string, Readonly<Record<string, number>>>>,
  key: string,
  name: string,
  value: number,
): Record<string, Record<string, number>> {
  const row = table[key] ?? {};
  return { ...table, [key]: { ...row, [name]: (row[name] ?? 0) + value } };
}

/** The state after `values` printed by function `source` (its display name). */
export function addValues(
  state: TallyState,
  values: readonly EmfValue[],
  source: string | undefined,
): TallyState {
  let { totals, byFunction, byEndpoint, latencySamples } = state;
  for (const v of values) {
    if (v.unit !== undefined && LATENCY_UNITS.has(v.unit)) {
      const kept = [...(latencySamples[v.name] ?? []), v.value];
      latencySamples = { ...latencySamples, [v.name]: kept.slice(-LATENCY_SAMPLE) };
      continue;
    }
    totals = { ...totals, [v.name]: (totals[v.name] ?? 0) + v.value };
    if (source !== undefined) byFunction = bump(byFunction, source, v.name, v.value);
    if (v.endpointId !== undefined) byEndpoint = bump(byEndpoint, v.endpointId, v.name, v.value);
  }
  return { ...state, totals, byFunction, byEndpoint, latencySamples };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? 0;
}

export function latencySummary(values: readonly number[]): LatencySummary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

export interface JobCounts {
  readonly job: string;
  readonly processed: number;
  readonly failed: number;
  readonly deadLettered: number;
  readonly duplicatesSkipped: number;
}

/** Per job, from the counts of the `job-<name>` functions. */
export function jobCounts(state: TallyState): JobCounts[] {
  return Object.entries(state.byFunction)
    .filter(([fn]) => fn.startsWith('job-'))
    .map(([fn, m]) => ({
      job: fn.slice('job-'.length),
      processed: m.JobsProcessed ?? 0,
      failed: m.JobsFailed ?? 0,
      deadLettered: m.JobsDeadLettered ?? 0,
      duplicatesSkipped: m.DuplicatesSkipped ?? 0,
    }))
    .sort((a, b) => b.failed - a.failed || a.job.localeCompare(b.job));
}

export interface EndpointCounts {
  readonly endpointId: string;
  readonly attempts: number;
  readonly delivered: number;
  readonly retries: number;
  readonly failed: number;
}

export function endpointCounts(state: TallyState): EndpointCounts[] {
  return Object.entries(state.byEndpoint)
    .map(([endpointId, m]) => ({
      endpointId,
      attempts: m.WebhookAttempts ?? 0,
      delivered: m.WebhookDelivered ?? 0,
      retries: m.WebhookRetriesScheduled ?? 0,
      failed: m.WebhookFailed ?? 0,
    }))
    .sort(
      (a, b) => b.failed + b.retries - (a.failed + a.retries) || a.endpointId.localeCompare(b.endpointId),
    );
}

/** A saved tally, or undefined when `raw` is not one (a corrupt file starts afresh, it never crashes). */
export function restoreTally(raw: unknown): TallyState | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Partial<TallyState>;
  const isTable = (t: unknown) => typeof t === 'object' && t !== null && !Array.isArray(t);
  if (
    !isTable(r.totals) ||
    !isTable(r.byFunction) ||
    !isTable(r.byEndpoint) ||
    !isTable(r.latencySamples) ||
    typeof r.countingSince !== 'string'
  )
    return undefined;
  return r as TallyState;
}
