/**
 * The size limit that matters is the published one: SNS takes 256 KiB per message, body and attributes
 * together, and the webhook body is that message body. A request body under 256 KiB grows by the id,
 * createdAt and attributes on the way out, so ingest measures the message it would publish and refuses
 * (413) what could not be published or delivered, before anything is recorded. id, createdAt and
 * publishId have fixed lengths, so the measure with placeholders is exact.
 */
import { randomUUID } from 'node:crypto';
import { PayloadTooLargeError } from '../shared/errors.js';
import { envelopeBytes, SNS_MAX_MESSAGE_BYTES } from '../shared/event-json.js';
import { publishedMessage } from '../shared/publish.js';
import type { EventInput } from '../shared/validation.js';

const PLACEHOLDER_ID = `evt_${'0'.repeat(26)}`;

/** Throws 413 `payload_too_large` unless the event built from `input` fits one SNS message. */
function assertDeliverable(
  input: EventInput & { readonly schemaVersion?: number },
  now: Date = new Date(),
): void {
  const message = publishedMessage(
    { id: PLACEHOLDER_ID, createdAt: now.toISOString(), ...input },
    'api',
    randomUUID(),
  );
  const bytes = envelopeBytes(message.body, message.attributes);
  if (bytes > SNS_MAX_MESSAGE_BYTES) {
    throw new PayloadTooLargeError(
      `The event as published would be ${bytes} bytes; at most ${SNS_MAX_MESSAGE_BYTES} fit one message (docs/api.md "Limits")`,
      { detail: { limit: SNS_MAX_MESSAGE_BYTES, size: bytes } },
    );
  }
}

export { assertDeliverable };
