/**
 * Records an event and publishes it to the SNS events topic. Used by POST /v1/events and by jobs that
 * emit follow-up events with deterministic ids. The write is conditional (an existing event is fine)
 * and the publish always happens, so a retry after a crash between the two still publishes; consumers
 * are idempotent on the event id, so a second publish is harmless.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { snsClient } from './aws-clients.js';
import { builtInType } from './catalog/built-in.js';
import { config } from './config.js';
import { type EventSource, eventBody, type HeraldEvent, putEvent } from './store/events.js';

async function publishEvent(input: HeraldEvent, source: EventSource): Promise<{ created: boolean }> {
  // Herald's own types (built-ins) emitted by Herald code carry the version they are written against.
  const builtInVersion = input.schemaVersion === undefined ? builtInType(input.type)?.version : undefined;
  const event = builtInVersion === undefined ? input : { ...input, schemaVersion: builtInVersion };
  const created = await putEvent(event, source);
  await snsClient().send(
    new PublishCommand({
      TopicArn: config.eventsTopicArn(),
      Message: JSON.stringify(eventBody(event)),
      MessageAttributes: {
        type: { DataType: 'String', StringValue: event.type },
        tenantId: { DataType: 'String', StringValue: event.tenantId },
      },
    }),
  );
  return { created };
}

export { publishEvent };
