/**
 * SNS `PublishBatch` for POST /v1/events/batch: up to 10 entries per call and at most 256 KiB for the
 * call's messages together (body and attributes, as SNS counts them), so a batch of events is packed
 * into as few calls as those two limits allow. SNS bills each call's payload per 64 KiB chunk, not per
 * entry, so ten small events cost one publish request instead of ten (docs/cost.md).
 *
 * Each entry carries its own `publishId`, exactly like a single publish (publish.ts), so the no-orphan
 * commit point holds per entry: an entry SNS lists as failed — or every entry of a call that failed as
 * a whole — is voided by ingest on its own (store/events.ts `cancelPublish`).
 */
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { snsClient } from './aws-clients.js';
import { config } from './config.js';
import { envelopeBytes, SNS_MAX_MESSAGE_BYTES } from './event-json.js';
import type { PublishedMessage } from './publish.js';

/** SNS's limits for one PublishBatch call. */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = SNS_MAX_MESSAGE_BYTES;

interface BatchEntry {
  /** Unique within one call (SNS's `Id`: up to 80 alphanumerics, `-` and `_`). */
  readonly id: string;
  readonly message: PublishedMessage;
}

/** What SNS said about one entry: taken, or failed (unknown whether the message went out). */
type EntryOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

const bytesOf = (entry: BatchEntry): number => envelopeBytes(entry.message.body, entry.message.attributes);

/**
 * Entries in order, cut into calls of at most `maxEntries` entries and `maxBytes` together. An entry is
 * never split; one larger than `maxBytes` alone goes in a call of its own (ingest refuses such events
 * before this, publish-size.ts).
 */
function packBatches(
  entries: readonly BatchEntry[],
  maxEntries = MAX_BATCH_ENTRIES,
  maxBytes = MAX_BATCH_BYTES,
): BatchEntry[][] {
  const calls: BatchEntry[][] = [];
  let current: BatchEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = bytesOf(entry);
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

class BatchEntryFailedError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string | undefined,
  ) {
    super(`SNS did not take the entry (${code ?? 'no code'}): ${message ?? 'no message'}`);
    this.name = 'BatchEntryFailedError';
  }
}

/** One PublishBatch call: every entry's outcome, by id. A call that fails as a whole fails each entry. */
async function publishCall(entries: readonly BatchEntry[]): Promise<Map<string, EntryOutcome>> {
  const outcomes = new Map<string, EntryOutcome>();
  try {
    const result = await snsClient().send(
      new PublishBatchCommand({
        TopicArn: config.eventsTopicArn(),
        PublishBatchRequestEntries: entries.map((entry) => ({
          Id: entry.id,
          Message: entry.message.body,
          MessageAttributes: Object.fromEntries(
            Object.entries(entry.message.attributes).map(([name, value]) => [
              name,
              { DataType: 'String', StringValue: value },
            ]),
          ),
        })),
      }),
    );
    for (const ok of result.Successful ?? []) if (ok.Id !== undefined) outcomes.set(ok.Id, { ok: true });
    for (const failed of result.Failed ?? []) {
      if (failed.Id === undefined) continue;
      outcomes.set(failed.Id, { ok: false, error: new BatchEntryFailedError(failed.Code, failed.Message) });
    }
    // An entry SNS named neither way: unknown, so treated as failed (and voided by the caller).
    for (const entry of entries) {
      if (!outcomes.has(entry.id)) {
        outcomes.set(entry.id, {
          ok: false,
          error: new BatchEntryFailedError(undefined, 'not in the answer'),
        });
      }
    }
  } catch (error) {
    for (const entry of entries) outcomes.set(entry.id, { ok: false, error });
  }
  return outcomes;
}

/** Publishes every entry with as few PublishBatch calls as the limits allow, the calls in parallel. */
async function publishBatch(entries: readonly BatchEntry[]): Promise<Map<string, EntryOutcome>> {
  const results = await Promise.all(packBatches(entries).map(publishCall));
  return new Map(results.flatMap((result) => [...result]));
}

export type { BatchEntry, EntryOutcome };
export { packBatches, publishBatch };
