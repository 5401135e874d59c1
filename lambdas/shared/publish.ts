/**
 * Publishes an event to the SNS events topic. Used by POST /v1/events and by jobs that emit follow-up
 * events with deterministic ids. Publishing is the commit point: nothing is stored first — dispatch
 * records the event when the message reaches it (store/events.ts `recordPublished`), so an event that
 * never went out is never listed or replayed. A second publish of one id is harmless: consumers are
 * idempotent on the event id.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { snsClient } from './aws-clients.js';
import { builtInVersion } from './catalog/built-in-version.js';
import { config } from './config.js';
import { eventJson } from './event-json.js';
import type { EventSource, HeraldEvent } from './model.js';

interface PublishedMessage {
  /** The event JSON, `data` spliced in as written. */
  readonly body: string;
  /** String message attributes: `type` and `tenantId` (filters), `source`, and `publishId` when set. */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * The message for `event`. `publishId` names this publish attempt, so ingest can void exactly it when
 * SNS fails in an unknown way (store/events.ts `cancelPublish`).
 */
function publishedMessage(event: HeraldEvent, source: EventSource, publishId?: string): PublishedMessage {
  return {
    body: eventJson(event),
    attributes: {
      type: event.type,
      tenantId: event.tenantId,
      source,
      ...(publishId !== undefined ? { publishId } : {}),
    },
  };
}

async function sendMessage(message: PublishedMessage): Promise<void> {
  await snsClient().send(
    new PublishCommand({
      TopicArn: config.eventsTopicArn(),
      Message: message.body,
      MessageAttributes: Object.fromEntries(
        Object.entries(message.attributes).map(([name, value]) => [
          name,
          { DataType: 'String', StringValue: value },
        ]),
      ),
    }),
  );
}

async function publishEvent(input: HeraldEvent, source: EventSource, publishId?: string): Promise<void> {
  // Herald's own types (built-ins) emitted by Herald code carry the version they are written against.
  const version = input.schemaVersion === undefined ? builtInVersion(input.type) : undefined;
  const event = version === undefined ? input : { ...input, schemaVersion: version };
  await sendMessage(publishedMessage(event, source, publishId));
}

export type { PublishedMessage };
export { publishEvent, publishedMessage };
