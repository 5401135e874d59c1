/** `herald endpoints activity <id> [--hours N]`: the endpoint's hourly delivered, failed and backlog. */
import { type Command, intOption, positional } from '../context.js';
import { renderTable } from '../table.js';

/** `GET /v1/endpoints/{id}/activity` (docs/api.md). */
interface ActivityView {
  readonly endpointId: string;
  readonly hours: readonly {
    readonly hour: string;
    readonly delivered: number;
    readonly failed: number;
    readonly backlog: number;
  }[];
}

/** The API reads at most 48 hours back (the items' retention). */
const MAX_HOURS = 48;

function summary(view: ActivityView): string {
  const sum = (pick: (h: ActivityView['hours'][number]) => number) =>
    view.hours.reduce((total, h) => total + pick(h), 0);
  const peak = Math.max(0, ...view.hours.map((h) => h.backlog));
  return `last ${view.hours.length} h: ${sum((h) => h.delivered)} delivered, ${sum((h) => h.failed)} failed, backlog peak ${peak}\n`;
}

const activity: Command = {
  name: 'endpoints activity',
  summary: "An endpoint's last hours: deliveries delivered and failed, and its backlog, one row an hour",
  usage: `<endpointId> [--hours N (1-${MAX_HOURS}, default 24)]`,
  options: { hours: { type: 'string' } },
  async run(context) {
    const id = positional(context, 0, 'endpointId');
    const view = await context
      .client()
      .request<ActivityView>('GET', `/v1/endpoints/${encodeURIComponent(id)}/activity`, {
        query: { hours: intOption(context, 'hours', 24, MAX_HOURS) },
      });
    context.print(
      view,
      (v) =>
        renderTable(
          [
            { header: 'hour', value: (h: ActivityView['hours'][number]) => h.hour },
            { header: 'delivered', value: (h) => String(h.delivered) },
            { header: 'failed', value: (h) => String(h.failed) },
            { header: 'backlog', value: (h) => String(h.backlog) },
          ],
          v.hours,
        ) +
        summary(v) +
        'Counted per container and written once a minute: telemetry, not the delivery record.\n',
    );
  },
};

const endpointActivityCommands: readonly Command[] = [activity];

export { endpointActivityCommands };
