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

interface LocalSnapshot {
  readonly uptimeSeconds?: number;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly perSecond?: Readonly<Record<string, number>>;
  readonly queues?: readonly QueueDepth[];
}

const CLOUDWATCH_HINT = `No local metrics URL: this is not the local runtime.
On AWS the same metrics are in CloudWatch, namespace Herald (dimension service=herald):
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
  return `${metricTable}\n${queueTable}`;
}

const metrics: Command = {
  name: 'metrics',
  summary: 'Metric totals and queue depths (local runtime), or where to find them in CloudWatch',
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
