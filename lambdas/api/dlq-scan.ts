/**
 * Reading a whole DLQ, and the page-by-page hold that an export and a purge use. SQS has no offset, so
 * a read that must see every message keeps what it has read in flight (hidden) while it reads on:
 * - `scanDeadLetterQueue` (stats) hides each message for at most SCAN_VISIBILITY_SECONDS and makes
 *   every one visible again before it returns, even on error;
 * - `holdPage` (an export, `dlq peek --all`, `dlq purge`) hides a page for the `hold` the caller asks
 *   for (at most MAX_HOLD_SECONDS) and hands out receipt handles: the caller deletes or releases them,
 *   and whatever it leaves comes back by itself when the hold ends.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { sqsClient } from '../shared/aws-clients.js';
import { getEvent } from '../shared/store/events.js';
import type { DeadLetterQueue } from './dlq-queues.js';
import {
  type DeadLetterFacts,
  type DlqKind,
  type DlqMessageView,
  type DlqStats,
  deadLetterFacts,
  summarise,
} from './dlq-stats.js';

const SQS_BATCH_SIZE = 10;
/** A scan stops reading after this long and says it is incomplete (API Gateway allows 30 s). */
const SCAN_BUDGET_MS = 20_000;
/** Longer than the scan may run, so a message is never read twice by one scan; then it is visible. */
const SCAN_VISIBILITY_SECONDS = 30;
/** Parallel receives: one receive answers at most 10 messages. */
const SCAN_READERS = 4;
/** The longest a page of an export or a purge stays hidden before it comes back by itself. */
const MAX_HOLD_SECONDS = 900;
/** Webhook DLQ messages name only the event: its type and tenant are looked up, this many at most. */
const MAX_EVENT_LOOKUPS = 5_000;

interface HeldMessage extends DlqMessageView {
  readonly receiveCount: number;
  readonly receiptHandle: string;
  readonly facts: Omit<DeadLetterFacts, 'messageId' | 'sentAt'>;
}

interface ScanResult extends DlqStats {
  readonly name: string;
  /** False when the time budget ran out before the DLQ was empty: the counts cover `total` only. */
  readonly complete: boolean;
}

function kindOf(queue: DeadLetterQueue, webhookDlqName: string): DlqKind {
  if (queue.name === webhookDlqName) return 'webhook';
  return queue.name.startsWith('job-') ? 'job' : 'dispatch';
}

function sentAtOf(message: Message): string | undefined {
  const sent = Number(message.Attributes?.SentTimestamp);
  return Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined;
}

function parseBody(body: string | undefined): unknown {
  if (body === undefined) return null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** The message as the peek shows it. */
function viewOf(message: Message): DlqMessageView & { receiveCount: number } {
  const attributes = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).flatMap(([k, v]) =>
      v.StringValue !== undefined ? [[k, v.StringValue]] : [],
    ),
  );
  const sentAt = sentAtOf(message);
  return {
    messageId: message.MessageId ?? '',
    body: parseBody(message.Body),
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    ...(sentAt !== undefined ? { sentAt } : {}),
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
  };
}

async function receive(url: string, max: number, visibilitySeconds: number, waitSeconds = 0) {
  const result = await sqsClient().send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: Math.min(SQS_BATCH_SIZE, max),
      VisibilityTimeout: visibilitySeconds,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      MessageAttributeNames: ['All'],
    }),
  );
  return result.Messages ?? [];
}

/** Sets the visibility of every handle (0 = visible now); SQS takes 10 per call. */
async function changeVisibility(url: string, handles: readonly string[], seconds: number): Promise<void> {
  for (let i = 0; i < handles.length; i += SQS_BATCH_SIZE) {
    await sqsClient().send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: handles
          .slice(i, i + SQS_BATCH_SIZE)
          .map((handle, index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: seconds })),
      }),
    );
  }
}

/** Deletes the messages behind `handles`; answers how many SQS confirmed. */
async function deleteHeld(
  url: string,
  handles: readonly string[],
): Promise<{ deleted: number; failed: number }> {
  let deleted = 0;
  let failed = 0;
  for (let i = 0; i < handles.length; i += SQS_BATCH_SIZE) {
    const answer = await sqsClient().send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: handles
          .slice(i, i + SQS_BATCH_SIZE)
          .map((handle, index) => ({ Id: String(index), ReceiptHandle: handle })),
      }),
    );
    deleted += answer.Successful?.length ?? 0;
    failed += answer.Failed?.length ?? 0;
  }
  return { deleted, failed };
}

/**
 * Type and tenant of webhook DLQ messages, which name only the event: one read per distinct event,
 * cached; past MAX_EVENT_LOOKUPS they stay unknown rather than make the call slower.
 */
function eventLookup() {
  const cache = new Map<string, Promise<{ type?: string; tenantId?: string }>>();
  return (eventId: string) => {
    let found = cache.get(eventId);
    if (found === undefined) {
      found =
        cache.size >= MAX_EVENT_LOOKUPS
          ? Promise.resolve({})
          : getEvent(eventId).then(
              (event) => (event ? { type: event.type, tenantId: event.tenantId } : {}),
              () => ({}),
            );
      cache.set(eventId, found);
    }
    return found;
  };
}

async function factsOf(
  queue: { name: string; kind: DlqKind },
  view: DlqMessageView,
  lookup: ReturnType<typeof eventLookup>,
): Promise<DeadLetterFacts> {
  const facts = deadLetterFacts(queue, view);
  if (queue.kind !== 'webhook' || facts.eventId === undefined || facts.type !== undefined) return facts;
  return { ...facts, ...(await lookup(facts.eventId)) };
}

/**
 * Reads every message of the DLQ (until an empty receive confirmed by a 1 s long poll, or the budget)
 * and sums them up; every message read is made visible again before this returns.
 */
async function scanDeadLetterQueue(
  queue: DeadLetterQueue,
  webhookDlqName: string,
  options: { budgetMs?: number; now?: () => number } = {},
): Promise<ScanResult> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.budgetMs ?? SCAN_BUDGET_MS);
  const target = { name: queue.name, kind: kindOf(queue, webhookDlqName) };
  const lookup = eventLookup();
  const handles: string[] = [];
  const facts: Promise<DeadLetterFacts>[] = [];
  let complete = false;
  const reader = async () => {
    while (!complete && now() < deadline) {
      let batch = await receive(queue.url, SQS_BATCH_SIZE, SCAN_VISIBILITY_SECONDS);
      // A short poll may miss messages on some SQS hosts; a long poll asks them all.
      if (batch.length === 0) batch = await receive(queue.url, SQS_BATCH_SIZE, SCAN_VISIBILITY_SECONDS, 1);
      if (batch.length === 0) {
        complete = true;
        return;
      }
      for (const message of batch) {
        if (message.ReceiptHandle) handles.push(message.ReceiptHandle);
        facts.push(factsOf(target, viewOf(message), lookup));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: SCAN_READERS }, reader));
    return { name: queue.name, complete, ...summarise(await Promise.all(facts)) };
  } finally {
    await changeVisibility(queue.url, handles, 0);
  }
}

/**
 * Up to `limit` messages, hidden for `holdSeconds`, each with its receipt handle and facts. An empty
 * page means nothing is visible: the caller has held (or the queue holds) everything.
 */
async function holdPage(
  queue: DeadLetterQueue,
  webhookDlqName: string,
  limit: number,
  holdSeconds: number,
): Promise<HeldMessage[]> {
  const target = { name: queue.name, kind: kindOf(queue, webhookDlqName) };
  const lookup = eventLookup();
  const messages: Message[] = [];
  while (messages.length < limit) {
    let batch = await receive(queue.url, limit - messages.length, holdSeconds);
    if (batch.length === 0 && messages.length === 0) {
      batch = await receive(queue.url, limit - messages.length, holdSeconds, 1);
    }
    if (batch.length === 0) break;
    messages.push(...batch);
  }
  return Promise.all(
    messages.map(async (message) => {
      const view = viewOf(message);
      const { messageId: _id, sentAt: _sent, ...facts } = await factsOf(target, view, lookup);
      return { ...view, receiptHandle: message.ReceiptHandle ?? '', facts };
    }),
  );
}

export type { HeldMessage, ScanResult };
export { changeVisibility, deleteHeld, holdPage, kindOf, MAX_HOLD_SECONDS, scanDeadLetterQueue };
