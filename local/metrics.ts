// The local metrics view: the same EMF metrics the CloudWatch dashboard uses (parsed from the `_aws`
// JSON lines functions print) plus queue depths, as JSON (GET /metrics) and a compact terminal line.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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

export interface MetricsSources {
  queues(): QueueDepth[];
  functions(): FunctionStats[];
  executions(): Record<string, number>;
}

interface Sample {
  readonly at: number;
  readonly name: string;
  readonly value: number;
}

const RATE_WINDOW_MS = 10_000;

/** Extracts `{ name, value }` pairs from one EMF log line; returns [] for any other line. */
export function parseEmfLine(line: string): Array<{ name: string; value: number }> {
  if (!line.includes('"_aws"')) return [];
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>;
  } catch {
    return [];
  }
  const directives =
    (doc._aws as { CloudWatchMetrics?: Array<{ Metrics?: Array<{ Name?: string }> }> } | undefined)
      ?.CloudWatchMetrics ?? [];
  const out: Array<{ name: string; value: number }> = [];
  for (const directive of directives) {
    for (const metric of directive.Metrics ?? []) {
      if (metric.Name === undefined) continue;
      const raw = doc[metric.Name];
      for (const v of Array.isArray(raw) ? raw : [raw])
        if (typeof v === 'number') out.push({ name: metric.Name, value: v });
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

export class MetricsView {
  private readonly totals = new Map<string, number>();
  private samples: Sample[] = [];
  private server: Server | undefined;
  private readonly startedAt = Date.now();
  url = '';

  constructor(private readonly sources: MetricsSources) {}

  /** Feeds one function log line; EMF lines are counted. */
  record(line: string, now = Date.now()): void {
    for (const { name, value } of parseEmfLine(line)) {
      this.totals.set(name, (this.totals.get(name) ?? 0) + value);
      this.samples.push({ at: now, name, value });
    }
  }

  snapshot(now = Date.now()): Record<string, unknown> {
    this.samples = this.samples.filter((s) => now - s.at <= RATE_WINDOW_MS);
    const rates: Record<string, number> = {};
    for (const s of this.samples) rates[s.name] = (rates[s.name] ?? 0) + s.value / (RATE_WINDOW_MS / 1000);
    return {
      uptimeSeconds: Math.round((now - this.startedAt) / 1000),
      metrics: Object.fromEntries(this.totals),
      perSecond: rates,
      queues: this.sources.queues(),
      functions: this.sources.functions(),
      executions: this.sources.executions(),
    };
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
    return `[metrics] events ${rate('EventsPublished')}/s jobs ${rate('JobsProcessed')}/s deliveries ${rate('WebhookDelivered')}/s retries ${snap.metrics.WebhookRetriesScheduled ?? 0} failed ${snap.metrics.WebhookFailed ?? 0} | queues ${work || '-'} | dlq ${dlqs || '-'}`;
  }

  async listen(port: number): Promise<string> {
    this.server = createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/metrics' || req.url === '/metrics/')) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(this.snapshot(), null, 2));
      } else res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/metrics`;
    return this.url;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
