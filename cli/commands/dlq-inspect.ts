/**
 * `herald dlq stats|purge` and the whole-queue export behind `dlq peek --all --out FILE`.
 *
 * An export walks `POST /v1/dlq/{name}/hold` pages: each page stays hidden for HOLD_SECONDS (so the
 * next page holds new messages) until the DLQ has nothing visible, writes every message to the file,
 * then releases them all. A purge is an export plus a delete of exactly the exported messages that
 * match, by their receipt handles, after a confirmation: nothing is removed that is not in the file.
 * If the CLI dies midway, what it held comes back by itself when the hold ends.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, type CommandContext, positional, stringOption } from '../context.js';
import { MissingResourceError, UsageError } from '../errors.js';
import type { ApiClient } from '../http.js';
import { Progress } from '../progress.js';
import { renderFields, renderTable } from '../table.js';

interface DlqView {
  readonly name: string;
  readonly depth: number;
  readonly inFlight?: number;
}

interface Facts {
  readonly reason?: string;
  readonly errorClass?: string;
  readonly error?: string;
  readonly job?: string;
  readonly endpointId?: string;
  readonly eventId?: string;
  readonly type?: string;
  readonly tenantId?: string;
}

interface HeldMessage {
  readonly messageId: string;
  readonly body: unknown;
  readonly receiveCount?: number;
  readonly sentAt?: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly receiptHandle: string;
  readonly facts?: Facts;
}

interface Group {
  readonly reason: string;
  readonly errorClass?: string;
  readonly job?: string;
  readonly endpointId?: string;
  readonly type?: string;
  readonly tenantId?: string;
  readonly count: number;
  readonly exampleId: string;
  readonly error?: string;
}

interface Stats {
  readonly name: string;
  readonly total: number;
  readonly complete: boolean;
  readonly oldestAt?: string;
  readonly newestAt?: string;
  readonly groups: readonly Group[];
  readonly by?: Readonly<Record<string, readonly { value: string; count: number; exampleId: string }[]>>;
}

/** Long enough to write a page and ask for confirmation; short enough that a crash heals soon. */
const HOLD_SECONDS = 600;
const PAGE = 100;
/** The API's cap on receipt handles per release or purge call. */
const HANDLES_PER_CALL = 1000;
const MATCH_KEYS = ['reason', 'errorClass', 'job', 'endpointId', 'type', 'tenantId'] as const;
type MatchKey = (typeof MATCH_KEYS)[number];

const dlqPath = (name: string, action: string) => `/v1/dlq/${encodeURIComponent(name)}/${action}`;

async function findQueue(client: ApiClient, name: string): Promise<DlqView> {
  const queues = await client.request<{ items: DlqView[] }>('GET', '/v1/dlq');
  const queue = queues.items.find((q) => q.name === name);
  if (queue === undefined) {
    throw new MissingResourceError(`No dead-letter queue named ${name}`, {
      hint: 'Run `herald dlq list` for the names.',
    });
  }
  return queue;
}

/** `--match reason=permanent_error,type=order.placed` → every pair must equal the message's fact. */
function parseMatch(raw: string | undefined): Partial<Record<MatchKey, string>> {
  if (raw === undefined) return {};
  const match: Partial<Record<MatchKey, string>> = {};
  for (const pair of raw.split(',').filter((p) => p.trim() !== '')) {
    const [key, ...rest] = pair.split('=');
    const value = rest.join('=').trim();
    const name = key?.trim() as MatchKey;
    if (!MATCH_KEYS.includes(name) || value === '') {
      throw new UsageError(`--match takes key=value pairs with keys ${MATCH_KEYS.join(', ')}; not "${pair}"`);
    }
    match[name] = value;
  }
  return match;
}

function matches(message: HeldMessage, match: Partial<Record<MatchKey, string>>): boolean {
  return Object.entries(match).every(([key, value]) => message.facts?.[key as MatchKey] === value);
}

/** One JSON line per message, without its receipt handle (useless once released, and noise). */
function exportLine(message: HeldMessage): string {
  const { receiptHandle: _handle, ...rest } = message;
  return `${JSON.stringify(rest)}\n`;
}

/**
 * Holds every message of the DLQ page by page; `keep` decides which go to the file. Answers the held
 * messages (the caller releases or deletes them) — also when it fails midway, through `onHeld`.
 */
async function holdAll(
  context: CommandContext,
  name: string,
  expected: number,
  label: string,
): Promise<HeldMessage[]> {
  const client = context.client();
  const progress = new Progress(context.io.stderr, label);
  const held: HeldMessage[] = [];
  const seen = new Set<string>();
  try {
    for (;;) {
      const page = await client.request<{ items: HeldMessage[] }>('POST', dlqPath(name, 'hold'), {
        body: { limit: PAGE, holdSeconds: HOLD_SECONDS },
      });
      const fresh = page.items.filter((m) => !seen.has(m.messageId));
      for (const message of page.items) {
        if (!seen.has(message.messageId)) held.push(message);
        seen.add(message.messageId);
      }
      progress.update(held.length, Math.max(expected, held.length));
      if (page.items.length === 0 || fresh.length === 0) break;
    }
  } catch (error) {
    await releaseAll(client, name, held).catch(() => undefined);
    throw error;
  } finally {
    progress.finish();
  }
  return held;
}

async function inChunks(
  client: ApiClient,
  name: string,
  action: 'release' | 'purge',
  messages: readonly HeldMessage[],
): Promise<{ deleted: number; failed: number }> {
  let deleted = 0;
  let failed = 0;
  const handles = messages.map((m) => m.receiptHandle).filter((h) => h !== '');
  for (let i = 0; i < handles.length; i += HANDLES_PER_CALL) {
    const answer = await client.request<{ deleted?: number; failed?: number }>(
      'POST',
      dlqPath(name, action),
      {
        body: { receiptHandles: handles.slice(i, i + HANDLES_PER_CALL) },
      },
    );
    deleted += answer.deleted ?? 0;
    failed += answer.failed ?? 0;
  }
  return { deleted, failed };
}

const releaseAll = (client: ApiClient, name: string, messages: readonly HeldMessage[]) =>
  inChunks(client, name, 'release', messages);

function writeExport(path: string, messages: readonly HeldMessage[]): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    for (const message of messages) writeSync(fd, exportLine(message));
  } finally {
    closeSync(fd);
  }
}

/** `dlq peek <name> --all --out FILE`: every message to a JSON-lines file; the DLQ is left as it was. */
async function exportQueue(context: CommandContext, name: string, out: string): Promise<void> {
  const client = context.client();
  const queue = await findQueue(client, name);
  const held = await holdAll(context, name, queue.depth + (queue.inFlight ?? 0), `export ${name}`);
  const path = resolve(context.io.cwd, out);
  try {
    writeExport(path, held);
  } finally {
    await releaseAll(client, name, held);
  }
  context.print({ queue: name, exported: held.length, file: path }, (r) =>
    renderFields([
      ['queue', r.queue],
      ['exported', String(r.exported)],
      ['file', r.file],
      ['left in the DLQ', 'all of them (an export removes nothing)'],
    ]),
  );
}

const stats: Command = {
  name: 'dlq stats',
  summary: 'Read a whole DLQ and count it by reason, error class, job or endpoint, type and tenant',
  usage: '<name>',
  async run(context) {
    const name = positional(context, 0, 'name');
    const client = context.client();
    const queue = await findQueue(client, name);
    const expected = queue.depth + (queue.inFlight ?? 0);
    // One API call reads the whole queue; the line shows it is working and how much it is reading.
    const progress = new Progress(context.io.stderr, `reading ${name}`);
    const started = Date.now();
    const timer = setInterval(
      () =>
        progress.update(0, undefined, `~${expected} messages, ${Math.round((Date.now() - started) / 1000)}s`),
      500,
    );
    let answer: Stats;
    try {
      answer = await client.request<Stats>('GET', dlqPath(name, 'stats'));
    } finally {
      clearInterval(timer);
      progress.finish();
    }
    context.print(answer, renderStats);
  },
};

function renderStats(s: Stats): string {
  const head = renderFields([
    ['queue', s.name],
    [
      'messages',
      `${s.total}${s.complete ? '' : ' (read stopped at the time budget: more are in the queue)'}`,
    ],
    ['oldest', s.oldestAt],
    ['newest', s.newestAt],
  ]);
  const groups = renderTable(
    [
      { header: 'count', value: (g: Group) => String(g.count) },
      { header: 'reason', value: (g) => g.reason },
      { header: 'error class', value: (g) => g.errorClass },
      { header: 'job', value: (g) => g.job },
      { header: 'endpoint', value: (g) => g.endpointId },
      { header: 'type', value: (g) => g.type },
      { header: 'tenant', value: (g) => g.tenantId },
      { header: 'example', value: (g) => g.exampleId },
      { header: 'error', value: (g) => g.error },
    ],
    s.groups.slice(0, 20),
  );
  const more =
    s.groups.length > 20 ? `(${s.groups.length - 20} smaller groups not shown; --json has all)\n` : '';
  const by = Object.entries(s.by ?? {})
    .filter(([, counts]) => counts.length > 0)
    .map(
      ([dimension, counts]) =>
        `by ${dimension}: ${counts
          .slice(0, 5)
          .map((c) => `${c.value} ${c.count}`)
          .join(', ')}${counts.length > 5 ? ', …' : ''}`,
    )
    .join('\n');
  return `${head}\n${groups}${more}${by === '' ? '' : `\n${by}\n`}`;
}

const purge: Command = {
  name: 'dlq purge',
  summary: 'Delete known poison from a DLQ (admin): exports what it removes to a file first, then asks',
  usage:
    '<name> [--match key=value,...] [--out FILE] [--yes]   (keys: reason, errorClass, job, endpointId, type, tenantId)',
  options: { match: { type: 'string' }, out: { type: 'string' }, yes: { type: 'boolean' } },
  async run(context) {
    const name = positional(context, 0, 'name');
    const match = parseMatch(stringOption(context, 'match'));
    const yes = context.options.yes === true;
    if (!yes && context.io.prompt === undefined) {
      throw new UsageError('dlq purge asks for confirmation on a terminal; without one, pass --yes');
    }
    const client = context.client();
    const queue = await findQueue(client, name);
    const held = await holdAll(context, name, queue.depth + (queue.inFlight ?? 0), `reading ${name}`);
    const chosen = held.filter((m) => matches(m, match));
    const kept = held.filter((m) => !matches(m, match));
    const path = resolve(
      context.io.cwd,
      stringOption(context, 'out') ??
        `dlq-${name}-purged-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`,
    );
    let result = { deleted: 0, failed: 0 };
    let confirmed = false;
    try {
      await releaseAll(client, name, kept);
      if (chosen.length > 0) {
        writeExport(path, chosen);
        context.io.stderr.write(`${chosen.length} of ${held.length} messages match; exported to ${path}\n`);
        confirmed =
          yes ||
          (
            (await context.io.prompt?.(
              `Type the queue name (${name}) to delete these ${chosen.length} messages: `,
            )) ?? ''
          ).trim() === name;
        if (confirmed) result = await inChunks(client, name, 'purge', chosen);
      }
    } finally {
      if (!confirmed) await releaseAll(client, name, chosen);
    }
    const summary = {
      queue: name,
      read: held.length,
      matched: chosen.length,
      deleted: result.deleted,
      failed: result.failed,
      ...(chosen.length > 0 ? { exportedTo: path } : {}),
      confirmed: chosen.length === 0 ? false : confirmed,
    };
    context.print(summary, (s) =>
      renderFields([
        ['queue', s.queue],
        ['read', String(s.read)],
        ['matched', String(s.matched)],
        ['deleted', String(s.deleted)],
        ['failed to delete', String(s.failed)],
        ['exported to', s.exportedTo ?? '(nothing matched)'],
        ...(s.matched > 0 && !s.confirmed ? ([['note', 'not confirmed: nothing was deleted']] as const) : []),
      ]),
    );
  },
};

const dlqInspectCommands: readonly Command[] = [stats, purge];

export type { HeldMessage };
export { dlqInspectCommands, exportQueue };
