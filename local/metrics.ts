// The local metrics view: the same EMF metrics the CloudWatch dashboard uses (parsed from the `_aws`
// JSON lines functions print) plus queue depths, as JSON (GET /metrics) and a compact terminal line.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  addValues,
  type EmfValue,
  emptyTally,
  endpointCounts,
  jobCounts,
  latencySummary,
  restoreTally,
  type TallyState,
} from './metric-tally.js';

export interface QueueDepth {
  readonly logicalId: string;
  /** The name the API and the CLI use (`job-invoice`, `dispatch-dlq`, `webhook-dlq`). */
  readonly name: string;
  /** The SQS queue name. */
  readonly queueName: string;
  readonly isDlq: boolean;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

export interface FunctionStats {
  readonly name: string;
  readonly invocations: number;
  readonly errors: number;
  readonly workers: number;
  /** Wall ms of all invocations so far (message posted → reply). */
  readonly durationMs: number;
}

/**
 * What AWS would bill and count for the work so far (adrs/0011): Step Functions executions and
 * transitions per state machine, Lambda invocations per function, and AWS API requests by operation
 * (SQS, Step Functions, DynamoDB — a DynamoDB write request is one write unit for items under 1 KB).
 */
export interface BillingCounts {
  readonly stepFunctions: Record<string, unknown>;
  readonly lambdaInvocations: Record<string, number>;
  readonly requests: Record<string, number>;
}

export interface MetricsSources {
  queues(): QueueDepth[];
  functions(): FunctionStats[];
  executions(): Record<string, number>;
  billing?(): Promise<BillingCounts>;
}

interface Sample {
  readonly at: number;
  readonly name: string;
  readonly value: number;
}

const RATE_WINDOW_MS = 10_000;

/** Extracts `{ name, value, unit, endpointId }` from one EMF log line; returns [] for any other line. */
export function parseEmfLine(line: string): EmfValue[] {
  if (!line.includes('"_aws"')) return [];
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>;
  } catch {
    return [];
  }
  const directives =
    (
      doc._aws as
        | { CloudWatchMetrics?: Array<{ Metrics?: Array<{ Name?: string; Unit?: string }> }> }
        | undefined
    )?.CloudWatchMetrics ?? [];
  const endpointId = typeof doc.endpointId === 'string' ? doc.endpointId : undefined;
  const out: EmfValue[] = [];
  for (const directive of directives) {
    for (const metric of directive.Metrics ?? []) {
      if (metric.Name === undefined) continue;
      const raw = doc[metric.Name];
      for (const v of Array.isArray(raw) ? raw : [raw])
        if (typeof v === 'number')
          out.push({
            name: metric.Name,
            value: v,
            ...(metric.Unit !== undefined ? { unit: metric.Unit } : {}),
            ...(endpointId !== undefined ? { endpointId } : {}),
          });
    }
  }
  return out;
}

/** What the terminal's metrics line last showed. */
export interface MetricsLineState {
  readonly lastLine?: string;
  readonly lastPrintedAt?: number;
}

/** How often an unchanged metrics line is shown again. */
export const IDLE_LINE_INTERVAL_MS = 30_000;

/**
 * Whether to print the metrics line now: when it differs from the last one printed (something changed),
 * else only once `idleIntervalMs` has passed since the last print, so an idle runtime stays quiet.
 */
export function metricsLineDecision(
  state: MetricsLineState,
  line: string,
  now: number,
  idleIntervalMs = IDLE_LINE_INTERVAL_MS,
): { readonly print: boolean; readonly state: MetricsLineState } {
  const changed = line !== state.lastLine;
  const due = state.lastPrintedAt === undefined || now - state.lastPrintedAt >= idleIntervalMs;
  return changed || due
    ? { print: true, state: { lastLine: line, lastPrintedAt: now } }
    : { print: false, state };
}

/** What `<data dir>/metrics.json` keeps: the tally and the function counters of earlier runs. */
interface SavedMetrics {
  readonly tally: TallyState;
  readonly functions: Readonly<Record<string, { invocations: number; errors: number }>>;
}

export class MetricsView {
  private tally: TallyState;
  /** Function counters of earlier runs (with `--data`), added to this run's. */
  private readonly earlierFunctions: Readonly<Record<string, { invocations: number; errors: number }>>;
  private samples: Sample[] = [];
  private server: Server | undefined;
  private readonly startedAt = Date.now();
  url = '';

  /** With `saveFile` (`<data dir>/metrics.json`) the counts carry on across restarts. */
  constructor(
    private readonly sources: MetricsSources,
    private readonly saveFile?: string,
  ) {
    const saved = saveFile === undefined ? undefined : readSaved(saveFile);
    this.tally = saved?.tally ?? emptyTally(new Date());
    this.earlierFunctions = saved?.functions ?? {};
  }

  /** Feeds one log line of function `source` (its display name); EMF lines are counted. */
  record(line: string, now = Date.now(), source?: string): void {
    const values = parseEmfLine(line);
    if (values.length === 0) return;
    this.tally = addValues(this.tally, values, source);
    for (const { name, value, unit } of values) {
      if (unit !== 'Milliseconds') this.samples.push({ at: now, name, value });
    }
  }

  private functionsWithEarlier(): FunctionStats[] {
    const current = this.sources.functions();
    return current.map((f) => {
      const earlier = this.earlierFunctions[f.name];
      return earlier === undefined
        ? f
        : { ...f, invocations: f.invocations + earlier.invocations, errors: f.errors + earlier.errors };
    });
  }

  /** Writes the counts to the save file (atomically: a crash leaves the old file). */
  save(): void {
    if (this.saveFile === undefined) return;
    const saved: SavedMetrics = {
      tally: this.tally,
      functions: Object.fromEntries(
        this.functionsWithEarlier().map((f) => [f.name, { invocations: f.invocations, errors: f.errors }]),
      ),
    };
    writeFileSync(`${this.saveFile}.tmp`, JSON.stringify(saved));
    renameSync(`${this.saveFile}.tmp`, this.saveFile);
  }

  snapshot(now = Date.now()): Record<string, unknown> {
    this.samples = this.samples.filter((s) => now - s.at <= RATE_WINDOW_MS);
    const rates: Record<string, number> = {};
    for (const s of this.samples) rates[s.name] = (rates[s.name] ?? 0) + s.value / (RATE_WINDOW_MS / 1000);
    const latency = Object.fromEntries(
      Object.entries(this.tally.latencySamples).flatMap(([name, values]) => {
        const summary = latencySummary(values);
        return summary === undefined ? [] : [[name, summary]];
      }),
    );
    return {
      uptimeSeconds: Math.round((now - this.startedAt) / 1000),
      countingSince: this.tally.countingSince,
      // False: the counts start again at the next `npm start` (run it with --data to keep them).
      persisted: this.saveFile !== undefined,
      metrics: this.tally.totals,
      perSecond: rates,
      latency,
      jobs: jobCounts(this.tally),
      endpoints: endpointCounts(this.tally),
      byFunction: this.tally.byFunction,
      queues: this.sources.queues(),
      functions: this.functionsWithEarlier(),
      executions: this.sources.executions(),
    };
  }

  /** The snapshot and what AWS would bill for the same work (GET /metrics). */
  async snapshotWithBilling(now = Date.now()): Promise<Record<string, unknown>> {
    const snap = this.snapshot(now);
    return this.sources.billing === undefined ? snap : { ...snap, billing: await this.sources.billing() };
  }

  /** One compact line for the terminal. */
  line(now = Date.now()): string {
    const snap = this.snapshot(now) as {
      metrics: Record<string, number>;
      perSecond: Record<string, number>;
      queues: QueueDepth[];
    };
    const rate = (n: string) => (snap.perSecond[n] ?? 0).toFixed(1);
    const depth = (q: QueueDepth) => `${q.name}=${q.visible}+${q.inFlight}`;
    const work = snap.queues
      .filter((q) => !q.isDlq)
      .map(depth)
      .join(' ');
    const dlqs = snap.queues
      .filter((q) => q.isDlq)
      .map(depth)
      .join(' ');
    const failingJobs = jobCounts(this.tally)
      .filter((j) => j.failed > 0)
      .map((j) => `${j.job}=${j.failed}`)
      .join(' ');
    return `[metrics] events ${rate('EventsPublished')}/s jobs ${rate('JobsProcessed')}/s deliveries ${rate('WebhookDelivered')}/s retries ${snap.metrics.WebhookRetriesScheduled ?? 0} failed ${snap.metrics.WebhookFailed ?? 0} | queues ${work || '-'} | dlq ${dlqs || '-'}${failingJobs === '' ? '' : ` | job failures ${failingJobs}`}`;
  }

  async listen(port: number): Promise<string> {
    this.server = createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/metrics' || req.url === '/metrics/')) {
        void this.snapshotWithBilling().then(
          (snap) =>
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(snap, null, 2)),
          (error: unknown) =>
            res
              .writeHead(500, { 'content-type': 'application/json' })
              .end(JSON.stringify({ message: String(error) })),
        );
      } else res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/metrics`;
    return this.url;
  }

  async close(): Promise<void> {
    this.save();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function readSaved(file: string): SavedMetrics | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // none yet, or unreadable: count afresh
  }
  const r = raw as Partial<SavedMetrics> | null;
  const tally = restoreTally(r?.tally);
  if (tally === undefined) return undefined;
  const functions = typeof r?.functions === 'object' && r.functions !== null ? r.functions : {};
  return { tally, functions };
}
