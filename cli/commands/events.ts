/** `herald events publish|list|get|deliveries`. */
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
import { ApiError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { Progress } from '../progress.js';
import { renderFields, renderTable } from '../table.js';
import { parseInstant } from '../time.js';

interface EventView {
  readonly id: string;
  readonly type: string;
  readonly tenantId: string;
  readonly createdAt: string;
  readonly data?: unknown;
  readonly deliveries?: readonly DeliveryView[];
  /** The jobs that ran for the event and what each emitted (absent from an older API). */
  readonly jobs?: readonly JobRunView[];
}

interface JobRunView {
  readonly job: string;
  readonly state: string;
  readonly at?: string;
  readonly attempts?: number;
  readonly emitted?: readonly string[];
  readonly errorClass?: string;
  readonly error?: string;
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

/** One line of an events file: what POST /v1/events/batch takes per event. */
interface FileEvent {
  readonly type: unknown;
  readonly tenantId: unknown;
  readonly data: unknown;
  readonly idempotencyKey?: unknown;
}

interface BatchItem {
  readonly status: number;
  readonly id?: string;
  readonly problem?: { readonly code?: string; readonly detail?: string };
}

interface FileResult {
  readonly line: number;
  readonly status: number;
  readonly id?: string;
  readonly code?: string;
  readonly detail?: string;
}

/** Events per request: the API's limit for POST /v1/events/batch. */
const BATCH_LIMIT = 100;
/** Passes over items answered 503 (not accepted: safe to send again) or 409 (key in flight). */
const RETRY_PASSES = 3;

/** The events of an NDJSON file (blank lines skipped), each with its line number; usage error on a bad line. */
function readEventsFile(context: CommandContext, file: string): { line: number; event: FileEvent }[] {
  let text: string;
  try {
    text = readFileSync(resolve(context.io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read --file ${file}`, { cause: error });
  }
  const events: { line: number; event: FileEvent }[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new UsageError(`${file}:${index + 1} is not valid JSON`, {
        cause: error,
        hint: 'One event a line: {"type":"order.placed","tenantId":"t_1","data":{...},"idempotencyKey":"..."}',
      });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UsageError(`${file}:${index + 1} must be a JSON object (one event a line)`);
    }
    events.push({ line: index + 1, event: value as FileEvent });
  });
  if (events.length === 0) throw new UsageError(`${file} holds no events`);
  return events;
}

/**
 * `events publish --file events.ndjson`: POST /v1/events/batch, 100 events a request, with a progress
 * line. Items answered 503 were not accepted (docs/api.md "No orphan events"), and 409 means the same
 * key is still in flight: both are sent again, a few times. Exit 0 when every event was accepted, 1
 * (with each failure's line) otherwise.
 */
async function publishFile(context: CommandContext, file: string): Promise<void> {
  const events = readEventsFile(context, file);
  const client = context.client();
  const progress = new Progress(context.io.stderr, `publish ${file}`);
  const results = new Map<number, FileResult>();
  let pending = events;
  try {
    for (let pass = 0; pass <= RETRY_PASSES && pending.length > 0; pass++) {
      if (pass > 0) await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** pass));
      const retry: typeof events = [];
      for (let start = 0; start < pending.length; start += BATCH_LIMIT) {
        const chunk = pending.slice(start, start + BATCH_LIMIT);
        let answer: { items: readonly BatchItem[] };
        try {
          answer = await client.request<{ items: readonly BatchItem[] }>('POST', '/v1/events/batch', {
            body: { events: chunk.map((c) => c.event) },
          });
        } catch (error) {
          const accepted = [...results.values()].filter((r) => r.status === 202).length;
          if (error instanceof Error) {
            error.message = `${error.message} (lines ${chunk[0]!.line}–${chunk[chunk.length - 1]!.line}; ${accepted} events accepted before)`;
          }
          throw error;
        }
        chunk.forEach((c, i) => {
          const item = answer.items[i] ?? {
            status: 0,
            problem: { code: 'missing', detail: 'no answer for this event' },
          };
          const result: FileResult = {
            line: c.line,
            status: item.status,
            ...(item.id !== undefined ? { id: item.id } : {}),
            ...(item.problem?.code !== undefined ? { code: item.problem.code } : {}),
            ...(item.problem?.detail !== undefined ? { detail: item.problem.detail } : {}),
          };
          results.set(c.line, result);
          if ((item.status === 503 || item.status === 409) && pass < RETRY_PASSES) retry.push(c);
        });
        const accepted = [...results.values()].filter((r) => r.status === 202).length;
        progress.update(
          accepted +
            [...results.values()].filter((r) => r.status !== 202 && !retry.some((x) => x.line === r.line))
              .length,
          events.length,
          `${accepted} accepted`,
        );
      }
      pending = retry;
    }
  } finally {
    progress.finish();
  }
  const all = events.map((e) => results.get(e.line)!);
  const failed = all.filter((r) => r.status !== 202);
  context.print({ accepted: all.length - failed.length, failed: failed.length, items: all }, (summary) =>
    failed.length === 0
      ? `${summary.accepted} events accepted\n`
      : `${summary.accepted} events accepted, ${summary.failed} failed:\n${renderTable(
          [
            { header: 'line', value: (r: FileResult) => r.line },
            { header: 'status', value: (r) => r.status },
            { header: 'code', value: (r) => r.code },
            { header: 'detail', value: (r) => r.detail },
          ],
          failed,
        )}`,
  );
  if (failed.length > 0) {
    throw new ApiError(
      `${failed.length} of ${all.length} events were not accepted (listed above; the rest were)`,
      { code: 'partially_accepted', status: 207, retryable: false, exitCode: EXIT.apiError },
      { hint: 'Fix those lines and publish them again; lines with an idempotencyKey are safe to send twice' },
    );
  }
}

const jobTable = (jobs: readonly JobRunView[] | undefined): string =>
  jobs === undefined
    ? '(this API does not report job runs)\n'
    : renderTable(
        [
          { header: 'job', value: (j: JobRunView) => j.job },
          { header: 'state', value: (j) => j.state },
          { header: 'attempts', value: (j) => j.attempts },
          { header: 'at', value: (j) => j.at },
          { header: 'emitted', value: (j) => j.emitted },
          {
            header: 'error',
            value: (j) => (j.errorClass === undefined ? undefined : `${j.errorClass}: ${j.error ?? ''}`),
          },
        ],
        jobs,
      );

const list: Command = {
  name: 'events list',
  summary: "List a tenant's events by time (newest first with --order desc)",
  usage:
    '--tenant <tenantId> [--since <time|2h>] [--until <time>] [--type <type>] [--order asc|desc] [--limit N] [--cursor C]',
  options: {
    tenant: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    type: { type: 'string' },
    order: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  },
  async run(context) {
    const now = Date.now();
    const instant = (name: 'since' | 'until') => {
      const raw = stringOption(context, name);
      return raw === undefined ? undefined : new Date(parseInstant(raw, name, now)).toISOString();
    };
    const order = stringOption(context, 'order');
    if (order !== undefined && order !== 'asc' && order !== 'desc')
      throw new UsageError('--order must be asc or desc');
    const page = await context.client().request<Page<EventView>>('GET', '/v1/events', {
      query: {
        tenantId: requiredOption(context, 'tenant'),
        since: instant('since'),
        until: instant('until'),
        type: stringOption(context, 'type'),
        order,
        limit: intOption(context, 'limit', 50, 100),
        cursor: stringOption(context, 'cursor'),
      },
    });
    context.print(page, (p) => {
      const table = renderTable(
        [
          { header: 'id', value: (e: EventView) => e.id },
          { header: 'type', value: (e) => e.type },
          { header: 'created', value: (e) => e.createdAt },
          { header: 'data', value: (e) => e.data },
        ],
        p.items,
      );
      return p.nextCursor === undefined ? table : `${table}More: --cursor ${p.nextCursor}\n`;
    });
  },
};

const publish: Command = {
  name: 'events publish',
  summary: 'Publish an event, or every event of an NDJSON file (POST /v1/events/batch)',
  usage:
    '--type <type> --tenant <tenantId> [--data <json> | --data-file <path>] [--idempotency-key <key>] | --file <events.ndjson>',
  options: {
    type: { type: 'string' },
    tenant: { type: 'string' },
    data: { type: 'string' },
    'data-file': { type: 'string' },
    'idempotency-key': { type: 'string' },
    file: { type: 'string' },
  },
  async run(context) {
    const file = stringOption(context, 'file');
    if (file !== undefined) {
      for (const other of ['type', 'tenant', 'data', 'data-file', 'idempotency-key']) {
        if (stringOption(context, other) !== undefined) {
          throw new UsageError(`--file takes each event from the file: drop --${other}`);
        }
      }
      await publishFile(context, file);
      return;
    }
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
  summary: 'Show an event, the jobs that ran for it (and what they emitted), and its delivery per endpoint',
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
        ])}\nJobs:\n${jobTable(e.jobs)}\nDeliveries:\n${deliveryTable(e.deliveries ?? [])}`,
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

const eventCommands: readonly Command[] = [publish, list, get, deliveries];

export type { DeliveryView, EventView };
export { eventCommands };
