/** `herald events publish|get|deliveries`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type Command,
  type CommandContext,
  intOption,
  positional,
  requiredOption,
  stringOption,
} from '../context.js';
import { UsageError } from '../errors.js';
import { renderFields, renderTable } from '../table.js';

interface EventView {
  readonly id: string;
  readonly type: string;
  readonly tenantId: string;
  readonly createdAt: string;
  readonly data?: unknown;
  readonly deliveries?: readonly DeliveryView[];
}

interface DeliveryView {
  readonly endpointId: string;
  readonly state: string;
  readonly attempts?: number;
  readonly lastStatusCode?: number;
  readonly lastError?: string;
  readonly nextAttemptAt?: string;
  readonly deliveredAt?: string;
}

interface AttemptView {
  readonly endpointId: string;
  readonly generation?: number;
  readonly attempt: number;
  readonly at: string;
  readonly statusCode?: number;
  readonly errorClass?: string;
  readonly durationMs?: number;
  readonly outcome?: string;
  readonly nextAttemptAt?: string;
  readonly state?: string;
}

interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

/** The event's `data`: --data '<json>' or --data-file <path>; must be a JSON object. */
function eventData(context: CommandContext): Record<string, unknown> {
  const inline = stringOption(context, 'data');
  const file = stringOption(context, 'data-file');
  if (inline !== undefined && file !== undefined)
    throw new UsageError('Pass --data or --data-file, not both');
  let text = inline ?? '{}';
  if (file !== undefined) {
    try {
      text = readFileSync(resolve(context.io.cwd, file), 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read --data-file ${file}`, { cause: error });
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError('--data is not valid JSON', {
      cause: error,
      hint: `Example: --data '{"orderId":"o_1"}'`,
    });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError('--data must be a JSON object');
  }
  return data as Record<string, unknown>;
}

const deliveryTable = (deliveries: readonly DeliveryView[]): string =>
  renderTable(
    [
      { header: 'endpoint', value: (d: DeliveryView) => d.endpointId },
      { header: 'state', value: (d) => d.state },
      { header: 'attempts', value: (d) => d.attempts },
      { header: 'last', value: (d) => d.lastStatusCode ?? d.lastError },
      { header: 'next attempt', value: (d) => d.nextAttemptAt },
      { header: 'delivered', value: (d) => d.deliveredAt },
    ],
    deliveries,
  );

const publish: Command = {
  name: 'events publish',
  summary: 'Publish an event',
  usage: '--type <type> --tenant <tenantId> [--data <json> | --data-file <path>] [--idempotency-key <key>]',
  options: {
    type: { type: 'string' },
    tenant: { type: 'string' },
    data: { type: 'string' },
    'data-file': { type: 'string' },
    'idempotency-key': { type: 'string' },
  },
  async run(context) {
    const body = {
      type: requiredOption(context, 'type'),
      tenantId: requiredOption(context, 'tenant'),
      data: eventData(context),
    };
    const key = stringOption(context, 'idempotency-key');
    const event = await context.client().request<EventView>('POST', '/v1/events', {
      body,
      ...(key !== undefined ? { headers: { 'idempotency-key': key } } : {}),
    });
    context.print(event, (e) =>
      renderFields([
        ['id', e.id],
        ['type', e.type],
        ['tenant', e.tenantId],
        ['created', e.createdAt],
      ]),
    );
  },
};

const get: Command = {
  name: 'events get',
  summary: 'Show an event and its delivery per endpoint',
  usage: '<eventId>',
  async run(context) {
    const id = positional(context, 0, 'eventId');
    const event = await context.client().request<EventView>('GET', `/v1/events/${encodeURIComponent(id)}`);
    context.print(
      event,
      (e) =>
        `${renderFields([
          ['id', e.id],
          ['type', e.type],
          ['tenant', e.tenantId],
          ['created', e.createdAt],
          ['data', e.data],
        ])}\nDeliveries:\n${deliveryTable(e.deliveries ?? [])}`,
    );
  },
};

const deliveries: Command = {
  name: 'events deliveries',
  summary: 'List every delivery attempt of an event',
  usage: '<eventId> [--limit N] [--cursor C]',
  options: { limit: { type: 'string' }, cursor: { type: 'string' } },
  async run(context) {
    const id = positional(context, 0, 'eventId');
    const page = await context
      .client()
      .request<Page<AttemptView>>('GET', `/v1/events/${encodeURIComponent(id)}/deliveries`, {
        query: { limit: intOption(context, 'limit', 50, 100), cursor: stringOption(context, 'cursor') },
      });
    context.print(page, (p) => {
      const table = renderTable(
        [
          { header: 'endpoint', value: (a: AttemptView) => a.endpointId },
          { header: 'gen', value: (a) => a.generation },
          { header: 'attempt', value: (a) => a.attempt },
          { header: 'at', value: (a) => a.at },
          { header: 'result', value: (a) => a.statusCode ?? a.errorClass },
          { header: 'ms', value: (a) => a.durationMs },
          { header: 'outcome', value: (a) => a.outcome },
          { header: 'next attempt', value: (a) => a.nextAttemptAt },
          { header: 'state', value: (a) => a.state },
        ],
        p.items,
      );
      return p.nextCursor === undefined ? table : `${table}More: --cursor ${p.nextCursor}\n`;
    });
  },
};

const eventCommands: readonly Command[] = [publish, get, deliveries];

export type { DeliveryView, EventView };
export { eventCommands };
