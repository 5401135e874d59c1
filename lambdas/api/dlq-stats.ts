/**
 * What a DLQ holds, summed up so that one call names the cause of a growing DLQ (API.md
 * `GET /v1/dlq/{name}/stats`). Pure: `deadLetterFacts` reads one message as the senders wrote it
 * (docs/internals.md "Messages"), `summarise` counts them; reading the queue is dlq-scan.ts.
 *
 * Why a message is there (`reason`):
 * - `permanent_error`   a job's non-retryable error sent it at once (lambdas/jobs/dead-letter.ts);
 * - `retries_exhausted` it failed on every receive, or a webhook delivery ran out of attempts;
 * - `delivery_failed`   a webhook delivery failed for good before its schedule ran out (a 4xx, a
 *                       platform failure in the workflow);
 * - `unrecorded`        nothing on the message says why: SQS's redrive policy moved it after
 *                       maxReceiveCount receives without Herald seeing the last failure.
 */

/** A DLQ message as the peek reads it (dlq.ts `PeekedMessage`). */
interface DlqMessageView {
  readonly messageId: string;
  readonly body: unknown;
  readonly sentAt?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

type DlqKind = 'job' | 'dispatch' | 'webhook';

type DeadLetterReason = 'permanent_error' | 'retries_exhausted' | 'delivery_failed' | 'unrecorded';

interface DeadLetterFacts {
  readonly messageId: string;
  readonly reason: DeadLetterReason;
  /** The last error's class: an Error's name (`TypeError`), a Herald code, or `http_503`. */
  readonly errorClass?: string;
  /** The last error's message, for a person. */
  readonly error?: string;
  readonly job?: string;
  readonly endpointId?: string;
  readonly eventId?: string;
  readonly type?: string;
  readonly tenantId?: string;
  readonly sentAt?: string;
}

/** The dimensions a DLQ is counted by; a group is one combination of them. */
const DIMENSIONS = ['reason', 'errorClass', 'job', 'endpointId', 'type', 'tenantId'] as const;
type Dimension = (typeof DIMENSIONS)[number];

interface DlqGroup {
  readonly reason: DeadLetterReason;
  readonly errorClass?: string;
  readonly job?: string;
  readonly endpointId?: string;
  readonly type?: string;
  readonly tenantId?: string;
  readonly count: number;
  readonly exampleId: string;
  /** The example's last error message. */
  readonly error?: string;
}

interface DimensionCount {
  readonly value: string;
  readonly count: number;
  readonly exampleId: string;
}

interface DlqStats {
  readonly total: number;
  readonly oldestAt?: string;
  readonly newestAt?: string;
  /** Largest first; ties by first seen. */
  readonly groups: readonly DlqGroup[];
  /** Each dimension on its own, largest first; a value absent from a message is not counted. */
  readonly by: Readonly<Record<Dimension, readonly DimensionCount[]>>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** `HTTP 503` → `http_503`; `retries_exhausted: timeout` → `timeout`; a word stays itself. */
function webhookErrorClass(lastError: string | undefined): string | undefined {
  if (lastError === undefined || lastError === 'unknown') return undefined;
  const last = lastError.replace(/^retries_exhausted:\s*/, '');
  const http = /^HTTP (\d{3})\b/.exec(last);
  if (http) return `http_${http[1]}`;
  const word = /^[A-Za-z][\w.]*/.exec(last);
  return word?.[0];
}

/** The job of a job DLQ named `job-<name>-dlq` (lib/herald-stack.ts), when no attribute says. */
function jobOfQueue(queueName: string): string | undefined {
  return /^job-(.+)-dlq$/.exec(queueName)?.[1];
}

/** Everything one DLQ message says about why it is there and what it is about. */
function deadLetterFacts(queue: { name: string; kind: DlqKind }, message: DlqMessageView): DeadLetterFacts {
  const attributes = message.attributes ?? {};
  const body = isRecord(message.body) ? message.body : undefined;
  const common = {
    messageId: message.messageId,
    ...(message.sentAt !== undefined ? { sentAt: message.sentAt } : {}),
  };
  if (body?.kind === 'herald.redeliver') {
    const lastError = text(body.lastError);
    const errorClass = webhookErrorClass(lastError);
    const exhausted = lastError?.startsWith('retries_exhausted') === true;
    return {
      ...common,
      reason:
        lastError === undefined || lastError === 'unknown'
          ? 'unrecorded'
          : exhausted
            ? 'retries_exhausted'
            : 'delivery_failed',
      ...(errorClass !== undefined ? { errorClass } : {}),
      ...(lastError !== undefined && lastError !== 'unknown' ? { error: lastError } : {}),
      ...optional('endpointId', text(body.endpointId)),
      ...optional('eventId', text(body.eventId)),
      ...optional('type', text(body.type)),
      ...optional('tenantId', text(body.tenantId)),
    };
  }
  // A job's or the dispatcher's DLQ: the body is the event as SNS delivered it (raw), or poison.
  const code = text(attributes['herald-error-code']);
  const errorClass = text(attributes['herald-error-class']) ?? code;
  const error = text(attributes['herald-error']);
  const recorded = errorClass !== undefined || error !== undefined;
  const permanent = code !== undefined && attributes['herald-retried'] !== 'true';
  const job = text(attributes['herald-job']) ?? (queue.kind === 'job' ? jobOfQueue(queue.name) : undefined);
  return {
    ...common,
    reason: !recorded ? 'unrecorded' : permanent ? 'permanent_error' : 'retries_exhausted',
    ...optional('errorClass', errorClass),
    ...optional('error', error),
    ...optional('job', job),
    ...optional('eventId', text(body?.id)),
    ...optional('type', text(body?.type)),
    ...optional('tenantId', text(body?.tenantId)),
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** Counts facts by every dimension together (groups) and by each alone (by). */
function summarise(facts: Iterable<DeadLetterFacts>): DlqStats {
  const groups = new Map<string, { group: Omit<DlqGroup, 'count'>; count: number }>();
  const by = Object.fromEntries(DIMENSIONS.map((d) => [d, new Map<string, DimensionCount>()])) as Record<
    Dimension,
    Map<string, DimensionCount>
  >;
  let total = 0;
  let oldestAt: string | undefined;
  let newestAt: string | undefined;
  for (const fact of facts) {
    total += 1;
    if (fact.sentAt !== undefined) {
      if (oldestAt === undefined || fact.sentAt < oldestAt) oldestAt = fact.sentAt;
      if (newestAt === undefined || fact.sentAt > newestAt) newestAt = fact.sentAt;
    }
    const key = JSON.stringify(DIMENSIONS.map((d) => fact[d] ?? null));
    const existing = groups.get(key);
    if (existing !== undefined) existing.count += 1;
    else {
      const group = {
        reason: fact.reason,
        ...Object.fromEntries(
          DIMENSIONS.slice(1).flatMap((d) => (fact[d] !== undefined ? [[d, fact[d]]] : [])),
        ),
        exampleId: fact.messageId,
        ...(fact.error !== undefined ? { error: fact.error } : {}),
      } as Omit<DlqGroup, 'count'>;
      groups.set(key, { group, count: 1 });
    }
    for (const dimension of DIMENSIONS) {
      const value = fact[dimension];
      if (value === undefined) continue;
      const counted = by[dimension].get(value);
      by[dimension].set(value, {
        value,
        count: (counted?.count ?? 0) + 1,
        exampleId: counted?.exampleId ?? fact.messageId,
      });
    }
  }
  // Array.prototype.sort is stable: equal counts keep the order first seen.
  const largestFirst = <T extends { count: number }>(items: T[]): T[] =>
    items.sort((a, b) => b.count - a.count);
  return {
    total,
    ...(oldestAt !== undefined ? { oldestAt } : {}),
    ...(newestAt !== undefined ? { newestAt } : {}),
    groups: largestFirst([...groups.values()].map(({ group, count }) => ({ ...group, count }) as DlqGroup)),
    by: Object.fromEntries(DIMENSIONS.map((d) => [d, largestFirst([...by[d].values()])])) as Record<
      Dimension,
      DimensionCount[]
    >,
  };
}

export type {
  DeadLetterFacts,
  DeadLetterReason,
  DimensionCount,
  DlqGroup,
  DlqKind,
  DlqMessageView,
  DlqStats,
};
export { deadLetterFacts, summarise, webhookErrorClass };
