/**
 * `herald replay`: one event (`herald replay <eventId> [--endpoint ep_...]`) or, in bulk, a tenant's
 * events in a time window. The API replays at most 1000 events per call and says `truncated`; the CLI
 * walks the window in slices (`--slice`, default 1h) and halves any slice that came back truncated, so
 * a bulk replay of any size finishes without the caller narrowing windows by hand.
 */
import { type Command, type CommandContext, requiredOption, stringOption } from '../context.js';
import { UsageError } from '../errors.js';
import { Progress } from '../progress.js';
import { renderFields } from '../table.js';
import { parseDuration, parseInstant } from '../time.js';

interface BulkAnswer {
  readonly replayed: number;
  readonly failed: number;
  readonly events: number;
  readonly truncated?: boolean;
  /** With `--dry-run`: what would be replayed (nothing is sent). */
  readonly wouldReplay?: number;
}

interface BulkSummary {
  readonly tenantId: string;
  readonly since: string;
  readonly until: string;
  readonly events: number;
  readonly replayed: number;
  readonly failed: number;
  readonly requests: number;
  /** Windows still truncated at the smallest slice (one second): replay them again to finish. */
  readonly incomplete: readonly { since: string; until: string }[];
}

const STATES = ['pending', 'delivered', 'retrying', 'failed', 'skipped'];
const MIN_SLICE_MS = 1000;

async function replayOne(context: CommandContext, eventId: string): Promise<void> {
  const endpointId = stringOption(context, 'endpoint');
  const result = await context
    .client()
    .request<{ replayed: number; failed: number }>(
      'POST',
      `/v1/events/${encodeURIComponent(eventId)}/replay`,
      {
        body: endpointId !== undefined ? { endpointId } : {},
      },
    );
  context.print({ eventId, ...result }, (r) =>
    renderFields([
      ['event', r.eventId],
      ['redeliveries requested', String(r.replayed)],
      ['failed to request', String(r.failed)],
    ]),
  );
}

/** Splits [since, until) into slices of `sliceMs`, oldest first. */
function slices(since: number, until: number, sliceMs: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = since; start < until; start += sliceMs)
    out.push([start, Math.min(until, start + sliceMs)]);
  return out;
}

async function replayBulk(context: CommandContext): Promise<void> {
  const now = Date.now();
  const tenantId = requiredOption(context, 'tenant');
  const since = parseInstant(requiredOption(context, 'since'), 'since', now);
  const until = parseInstant(stringOption(context, 'until') ?? 'now', 'until', now);
  if (since >= until) throw new UsageError('--since must be before --until');
  // One state or several, comma-separated (`skipped,failed`: what an endpoint missed).
  const statusText = stringOption(context, 'status');
  const statuses = statusText?.split(',').map((s) => s.trim());
  if (statuses?.some((s) => !STATES.includes(s))) {
    throw new UsageError(`--status must be one or more of ${STATES.join(', ')}, comma-separated`);
  }
  const status = statuses === undefined ? undefined : statuses.length === 1 ? statuses[0] : statuses;
  const endpointId = stringOption(context, 'endpoint');
  const throughBacklog = context.options['through-backlog'] === true;
  const dryRun = context.options['dry-run'] === true;
  if (throughBacklog && endpointId === undefined) {
    throw new UsageError('--through-backlog needs --endpoint: the backlog is one endpoint’s');
  }
  const sliceMs = parseDuration(stringOption(context, 'slice') ?? '1h', 'slice');

  const client = context.client();
  const progress = new Progress(context.io.stderr, 'replay');
  const pending = slices(since, until, sliceMs);
  const incomplete: Array<{ since: string; until: string }> = [];
  let covered = 0;
  let events = 0;
  let replayed = 0;
  let failed = 0;
  let requests = 0;
  try {
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
      const [from, to] = next;
      const answer = await client.request<BulkAnswer>('POST', '/v1/replay', {
        body: {
          tenantId,
          since: new Date(from).toISOString(),
          until: new Date(to).toISOString(),
          ...(endpointId !== undefined ? { endpointId } : {}),
          ...(status !== undefined ? { status } : {}),
          ...(throughBacklog ? { throughBacklog } : {}),
          ...(dryRun ? { dryRun } : {}),
        },
      });
      requests += 1;
      replayed += dryRun ? (answer.wouldReplay ?? 0) : answer.replayed;
      failed += answer.failed ?? 0;
      if (answer.truncated === true) {
        // The API stopped after its per-call cap, oldest first: the rest of this slice is still to do.
        // Halving it keeps the replay going (events already replayed in it get a second redelivery,
        // which receivers dedupe by webhook-id).
        if (to - from > MIN_SLICE_MS) {
          const middle = from + Math.floor((to - from) / 2);
          pending.unshift([from, middle], [middle, to]);
          continue;
        }
        incomplete.push({ since: new Date(from).toISOString(), until: new Date(to).toISOString() });
      }
      // Counted only for finished slices: a truncated slice's events are counted again in its halves.
      events += answer.events;
      covered += to - from;
      progress.update(
        Math.round((covered / (until - since)) * 100),
        100,
        `${events} events, ${replayed} redeliveries`,
      );
    }
  } finally {
    progress.finish();
  }
  const summary: BulkSummary = {
    tenantId,
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    events,
    replayed,
    failed,
    requests,
    incomplete,
  };
  context.print(summary, (s) =>
    renderFields([
      ['tenant', s.tenantId],
      ['window', `${s.since} .. ${s.until}`],
      ['events', String(s.events)],
      [dryRun ? 'would redeliver (dry run, nothing sent)' : 'redeliveries requested', String(s.replayed)],
      ['failed to request', String(s.failed)],
      ['api calls', String(s.requests)],
      ['incomplete windows', s.incomplete.length === 0 ? 'none' : JSON.stringify(s.incomplete)],
    ]),
  );
}

const replay: Command = {
  name: 'replay',
  summary: 'Deliver events again: one event, or a tenant’s events in a time window',
  usage:
    '<eventId> [--endpoint <endpointId>]\n' +
    '       herald replay --tenant <tenantId> --since <time|2h> [--until <time|now>] [--endpoint <id>]\n' +
    '                     [--status pending|delivered|retrying|failed|skipped[,...]] [--slice 1h]\n' +
    '                     [--through-backlog (with --endpoint: parked and drained gently)] [--dry-run (count only)]',
  options: {
    endpoint: { type: 'string' },
    tenant: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    status: { type: 'string' },
    slice: { type: 'string' },
    'through-backlog': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  async run(context) {
    const eventId = context.positionals[0];
    if (eventId !== undefined) {
      if (stringOption(context, 'tenant') !== undefined || stringOption(context, 'since') !== undefined) {
        throw new UsageError('Give an event id, or --tenant and --since for a bulk replay, not both');
      }
      await replayOne(context, eventId);
      return;
    }
    await replayBulk(context);
  },
};

const replayCommands: readonly Command[] = [replay];

export { replayCommands };
