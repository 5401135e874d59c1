/**
 * `herald dlq list|peek|redrive`. Redrive runs in batches (one API call each, at most 1000 messages)
 * and by default moves no more than the depth seen at the start, so messages that fail again and come
 * back to the DLQ are not redriven in a loop.
 */
import { type Command, intOption, positional, stringOption } from '../context.js';
import { MissingResourceError, UsageError } from '../errors.js';
import { Progress } from '../progress.js';
import { renderFields, renderTable } from '../table.js';
import { dlqInspectCommands, exportQueue } from './dlq-inspect.js';

interface DlqView {
  readonly name: string;
  readonly sourceQueue: string;
  readonly depth: number;
  readonly inFlight?: number;
  readonly oldestMessageAgeSeconds?: number;
}

interface PeekedMessage {
  readonly messageId: string;
  readonly body: unknown;
  readonly receiveCount?: number;
  readonly sentAt?: string;
  readonly attributes?: Readonly<Record<string, string>>;
  /** Why it is there, as `dlq stats` counts it (absent from an older API). */
  readonly facts?: { readonly reason?: string; readonly errorClass?: string; readonly error?: string };
}

/** SQS has no read that leaves the receive count alone: a peek is a receive. */
const PEEK_COUNTS_NOTE =
  'receives includes this peek: SQS counts every read, so each peek adds 1 (harmless on a DLQ, which has no redrive policy of its own).';

interface RedriveSummary {
  readonly queue: string;
  readonly sourceQueue?: string;
  readonly depthBefore: number;
  readonly moved: number;
  readonly failed: number;
  readonly batches: number;
}

const MAX_BATCH = 1000;

const age = (seconds: number | undefined): string | undefined => {
  if (seconds === undefined) return undefined;
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
};

const list: Command = {
  name: 'dlq list',
  summary: 'Every dead-letter queue with its depth (visible + in flight) and oldest message age',
  usage: '',
  async run(context) {
    const page = await context.client().request<{ items: DlqView[] }>('GET', '/v1/dlq');
    context.print(page, (p) =>
      renderTable(
        [
          { header: 'name', value: (q: DlqView) => q.name },
          { header: 'source queue', value: (q) => q.sourceQueue },
          // In flight: hidden for a while by a peek, an export or a redrive, still in the DLQ.
          { header: 'depth', value: (q) => String(q.depth + (q.inFlight ?? 0)) },
          { header: 'visible', value: (q) => String(q.depth) },
          { header: 'in flight', value: (q) => String(q.inFlight ?? 0) },
          { header: 'oldest', value: (q) => age(q.oldestMessageAgeSeconds) },
        ],
        p.items,
      ),
    );
  },
};

const peek: Command = {
  name: 'dlq peek',
  summary: 'Show messages in a DLQ without removing them (--all --out FILE: export the whole DLQ)',
  usage: '<name> [--limit N] | <name> --all --out FILE',
  options: { limit: { type: 'string' }, all: { type: 'boolean' }, out: { type: 'string' } },
  async run(context) {
    const name = positional(context, 0, 'name');
    const out = stringOption(context, 'out');
    if (context.options.all === true || out !== undefined) {
      if (context.options.all !== true || out === undefined) {
        throw new UsageError('--all and --out FILE go together: the whole DLQ is written to the file');
      }
      await exportQueue(context, name, out);
      return;
    }
    const page = await context
      .client()
      .request<{ items: PeekedMessage[] }>('GET', `/v1/dlq/${encodeURIComponent(name)}/messages`, {
        query: { limit: intOption(context, 'limit', 10, 100) },
      });
    context.print(
      page,
      (p) =>
        `${renderTable(
          [
            { header: 'message id', value: (m: PeekedMessage) => m.messageId },
            { header: 'receives', value: (m) => m.receiveCount },
            { header: 'sent', value: (m) => m.sentAt },
            { header: 'reason', value: (m) => m.facts?.reason },
            {
              header: 'error class',
              value: (m) => m.facts?.errorClass ?? m.attributes?.['herald-error-code'],
            },
            // Set by the job runner on a record it dead-lettered (lambdas/jobs/job-dlq.ts).
            { header: 'error', value: (m) => m.facts?.error ?? m.attributes?.['herald-error'] },
            { header: 'body', value: (m) => m.body },
          ],
          p.items,
        )}\n${p.items.length > 0 ? PEEK_COUNTS_NOTE : ''}`,
    );
  },
};

const redrive: Command = {
  name: 'dlq redrive',
  summary: 'Move messages back to the source queue, in batches, with progress',
  usage: '<name> [--max N (default: the depth now)] [--batch N (default 100, at most 1000)]',
  options: { max: { type: 'string' }, batch: { type: 'string' } },
  async run(context) {
    const name = positional(context, 0, 'name');
    const client = context.client();
    const queues = await client.request<{ items: DlqView[] }>('GET', '/v1/dlq');
    const queue = queues.items.find((q) => q.name === name);
    if (queue === undefined) {
      throw new MissingResourceError(`No dead-letter queue named ${name}`, {
        hint: 'Run `herald dlq list` for the names.',
      });
    }
    // In-flight messages count: a peek hides them for a moment, and the API redrives them too.
    const held = queue.depth + (queue.inFlight ?? 0);
    const total = intOption(context, 'max', Math.max(held, 1), Number.MAX_SAFE_INTEGER);
    const batch = intOption(context, 'batch', 100, MAX_BATCH);
    const progress = new Progress(context.io.stderr, `redrive ${name}`);
    let moved = 0;
    let failed = 0;
    let batches = 0;
    let sourceQueue: string | undefined;
    try {
      while (moved + failed < total) {
        const limit = Math.min(batch, total - moved - failed);
        const result = await client.request<{ moved: number; failed: number; sourceQueue?: string }>(
          'POST',
          `/v1/dlq/${encodeURIComponent(name)}/redrive`,
          { body: { limit } },
        );
        batches += 1;
        moved += result.moved;
        failed += result.failed;
        sourceQueue = result.sourceQueue ?? sourceQueue;
        progress.update(moved + failed, total, failed > 0 ? `(${failed} failed)` : '');
        // The API keeps receiving until `limit` or an empty receive: fewer means the DLQ is drained.
        if (result.moved + result.failed < limit) break;
      }
    } finally {
      progress.finish();
    }
    const summary: RedriveSummary = {
      queue: name,
      ...(sourceQueue !== undefined ? { sourceQueue } : {}),
      depthBefore: held,
      moved,
      failed,
      batches,
    };
    context.print(summary, (s) =>
      renderFields([
        ['queue', s.queue],
        ['moved to', s.sourceQueue],
        ['depth before', String(s.depthBefore)],
        ['moved', String(s.moved)],
        ['failed', String(s.failed)],
        ['batches', String(s.batches)],
      ]),
    );
  },
};

const dlqCommands: readonly Command[] = [list, peek, redrive, ...dlqInspectCommands];

export { dlqCommands };
