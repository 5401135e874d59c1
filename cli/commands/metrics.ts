/**
 * `herald metrics`: the local runtime's metrics view (its URL is in .herald/local.json, or
 * HERALD_METRICS_URL). Against AWS there is no such URL: the command prints where the same numbers are
 * in CloudWatch instead of failing.
 */
import { readLocalState } from '../config.js';
import type { Command, CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { ApiClient } from '../http.js';
import { renderTable } from '../table.js';

interface QueueDepth {
  readonly name: string;
  readonly isDlq: boolean;
  readonly visible: number;
  readonly inFlight: number;
}

interface Latency {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

interface JobCounts {
  readonly job: string;
  readonly processed: number;
  readonly failed: number;
  readonly deadLettered: number;
}

interface EndpointCounts {
  readonly endpointId: string;
  readonly attempts: number;
  readonly delivered: number;
  readonly retries: number;
  readonly failed: number;
}

interface FunctionStats {
  readonly name: string;
  readonly invocations: number;
  readonly errors: number;
}

interface LocalSnapshot {
  readonly uptimeSeconds?: number;
  readonly countingSince?: string;
  readonly persisted?: boolean;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly perSecond?: Readonly<Record<string, number>>;
  readonly latency?: Readonly<Record<string, Latency>>;
  readonly jobs?: readonly JobCounts[];
  readonly endpoints?: readonly EndpointCounts[];
  readonly functions?: readonly FunctionStats[];
  readonly queues?: readonly QueueDepth[];
}

const CLOUDWATCH_HINT = `No local metrics URL: this is not the local runtime.
On AWS the same metrics are in CloudWatch, namespace Herald (dimension service=herald); errors per
function (so per job: each job has its own function) are Lambda's own Errors metric (namespace AWS/Lambda,
dimension FunctionName), and a job's failures are in its log group as "job record failed" lines:
  aws cloudwatch list-dashboards --dashboard-name-prefix Herald
  aws cloudwatch get-metric-statistics --namespace Herald --metric-name WebhookFailed \\
    --dimensions Name=service,Value=herald --statistics Sum --period 300 \\
    --start-time "$(date -u -d '-1 hour' +%FT%TZ)" --end-time "$(date -u +%FT%TZ)"
`;

/** The metrics URL: from the resolved config, else (no API key needed) straight from local.json. */
function metricsUrl(context: CommandContext): string | undefined {
  try {
    return context.config().metricsUrl;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return context.io.env.HERALD_METRICS_URL ?? readLocalState(context.io.cwd)?.metricsUrl;
  }
}

function render(snapshot: LocalSnapshot): string {
  const totals = Object.entries(snapshot.metrics ?? {}).map(([name, total]) => ({
    name,
    total,
    rate: snapshot.perSecond?.[name],
  }));
  const metricTable = renderTable(
    [
      { header: 'metric', value: (m: (typeof totals)[number]) => m.name },
      { header: 'total', value: (m) => String(m.total) },
      { header: 'per second (10 s)', value: (m) => (m.rate === undefined ? '0' : m.rate.toFixed(1)) },
    ],
    totals,
  );
  const queueTable = renderTable(
    [
      { header: 'queue', value: (q: QueueDepth) => q.name },
      { header: 'dlq', value: (q) => (q.isDlq ? 'yes' : '') },
      { header: 'visible', value: (q) => String(q.visible) },
      { header: 'in flight', value: (q) => String(q.inFlight) },
    ],
    snapshot.queues ?? [],
  );
  const latencyRows = Object.entries(snapshot.latency ?? {}).map(([name, l]) => ({ name, ...l }));
  const latencyTable = renderTable(
    [
      { header: 'latency (ms)', value: (l: (typeof latencyRows)[number]) => l.name },
      { header: 'p50', value: (l) => String(l.p50) },
      { header: 'p95', value: (l) => String(l.p95) },
      { header: 'p99', value: (l) => String(l.p99) },
      { header: 'max', value: (l) => String(l.max) },
      { header: 'of last', value: (l) => String(l.count) },
    ],
    latencyRows,
  );
  const jobTable = renderTable(
    [
      { header: 'job', value: (j: JobCounts) => j.job },
      { header: 'processed', value: (j) => String(j.processed) },
      { header: 'failed', value: (j) => String(j.failed) },
      { header: 'dead-lettered at once', value: (j) => String(j.deadLettered) },
    ],
    snapshot.jobs ?? [],
  );
  const endpointTable = renderTable(
    [
      { header: 'endpoint', value: (e: EndpointCounts) => e.endpointId },
      { header: 'attempts', value: (e) => String(e.attempts) },
      { header: 'delivered', value: (e) => String(e.delivered) },
      { header: 'retries', value: (e) => String(e.retries) },
      { header: 'failed', value: (e) => String(e.failed) },
    ],
    snapshot.endpoints ?? [],
  );
  const functionTable = renderTable(
    [
      { header: 'function', value: (f: FunctionStats) => f.name },
      { header: 'invocations', value: (f) => String(f.invocations) },
      { header: 'errors', value: (f) => String(f.errors) },
    ],
    [...(snapshot.functions ?? [])].sort((a, b) => b.errors - a.errors || a.name.localeCompare(b.name)),
  );
  const kept =
    snapshot.persisted === true
      ? `Counting since ${snapshot.countingSince ?? '?'} (kept across restarts in the --data directory).`
      : `Counting since ${snapshot.countingSince ?? 'this start'}: these counts reset when npm start restarts (start it with --data DIR to keep them).`;
  const backlog = 'Endpoint backlog and breaker state: `herald endpoints list --tenant <id>`.';
  return [
    metricTable,
    latencyTable,
    jobTable,
    endpointTable,
    functionTable,
    queueTable,
    `${kept}\n${backlog}\n`,
  ].join('\n');
}

const metrics: Command = {
  name: 'metrics',
  summary:
    'Metric totals, latency percentiles, per job / endpoint / function counts and queue depths (local runtime), or where to find them in CloudWatch',
  usage: '',
  async run(context) {
    const url = metricsUrl(context);
    if (url === undefined) {
      context.print({ source: 'cloudwatch', namespace: 'Herald', hint: CLOUDWATCH_HINT }, (h) => h.hint);
      return;
    }
    const snapshot = (await ApiClient.getJson(url)) as LocalSnapshot;
    context.print(snapshot, render);
  },
};

const metricsCommands: readonly Command[] = [metrics];

export { metricsCommands };
