/**
 * Dispatch's first step for an event message: record the event (store/events.ts `recordPublished`, one
 * conditional write, which carries the claim on its first deliveries: adrs/0014), with `data` as the
 * producer wrote it — taken from the message text, since the
 * parsed message has rounded its big numbers. Publishing is the commit point, so this is where an event
 * becomes listed and replayable (docs/patterns/delivery-semantics.md "No orphan events").
 */
import type { SQSRecord } from 'aws-lambda';
import type { EventSource, HeraldEvent } from '../shared/model.js';
import { logger } from '../shared/observability.js';
import { memberText } from '../shared/raw-json.js';
import { type DispatchClaim, recordPublished, type StoredEvent } from '../shared/store/events.js';

/**
 * The event to deliver, as recorded, and whether this run recorded it — and so holds `claim` on its
 * first deliveries (adrs/0014), or found it recorded already (a duplicate message: it delivers the
 * recorded copy under that record's claim). Undefined when ingest voided this publish (it answered the
 * client with an error), so nothing may be delivered.
 */
async function recordFromMessage(
  record: SQSRecord,
  parsed: HeraldEvent,
  claim?: DispatchClaim,
): Promise<{ readonly event: StoredEvent | HeraldEvent; readonly owner: boolean } | undefined> {
  const dataJson = memberText(record.body, 'data');
  const event: HeraldEvent = dataJson === undefined ? parsed : { ...parsed, dataJson };
  const attributes = record.messageAttributes ?? {};
  const source = (attributes.source?.stringValue ?? 'api') as EventSource;
  const recorded = await recordPublished(event, source, attributes.publishId?.stringValue, claim);
  if (recorded.status === 'cancelled') {
    logger.info('publish voided by ingest: not delivered', { eventId: event.id });
    return undefined;
  }
  // A second publish of one id (a client's keyed retry, a job re-emitting) delivers the recorded copy.
  return recorded.status === 'duplicate' ? { event: recorded.event, owner: false } : { event, owner: true };
}

export { recordFromMessage };
