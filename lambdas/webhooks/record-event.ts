/**
 * Dispatch's first step for an event message: record the event (store/events.ts `recordPublished`, one
 * conditional write), with `data` as the producer wrote it — taken from the message text, since the
 * parsed message has rounded its big numbers. Publishing is the commit point, so this is where an event
 * becomes listed and replayable (docs/patterns/delivery-semantics.md "No orphan events").
 */
import type { SQSRecord } from 'aws-lambda';
import type { EventSource, HeraldEvent } from '../shared/model.js';
import { logger } from '../shared/observability.js';
import { memberText } from '../shared/raw-json.js';
import { recordPublished } from '../shared/store/events.js';

/**
 * The event to deliver, as recorded; undefined when ingest voided this publish (it answered the client
 * with an error), so nothing may be delivered.
 */
async function recordFromMessage(record: SQSRecord, parsed: HeraldEvent): Promise<HeraldEvent | undefined> {
  const dataJson = memberText(record.body, 'data');
  const event: HeraldEvent = dataJson === undefined ? parsed : { ...parsed, dataJson };
  const attributes = record.messageAttributes ?? {};
  const source = (attributes.source?.stringValue ?? 'api') as EventSource;
  const recorded = await recordPublished(event, source, attributes.publishId?.stringValue);
  if (recorded.status === 'cancelled') {
    logger.info('publish voided by ingest: not delivered', { eventId: event.id });
    return undefined;
  }
  // A second publish of one id (a client's keyed retry, a job re-emitting) delivers the recorded copy.
  return recorded.status === 'duplicate' ? recorded.event : event;
}

export { recordFromMessage };
