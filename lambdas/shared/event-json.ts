/**
 * The event as text: the SNS message, the webhook body and the API's event views all carry `data` as
 * the producer wrote it (`dataJson`), spliced into JSON built around it, so a big-number-aware parser at
 * the receiver reads 1234567890123456789, not 1234567890123456800. Events a job emits have no
 * `dataJson`: their `data` was built in JavaScript, so `JSON.stringify` is exact for them.
 *
 * Sizes: SNS takes at most 256 KiB per message, body and attributes (name + type + value) together,
 * and the webhook body is the message body. `envelopeBytes` is that total, so ingest refuses (413)
 * what could not be published or delivered, before anything happens.
 */

import type { HeraldEvent } from './model.js';

/** SNS's limit for one message, body and message attributes included. */
const SNS_MAX_MESSAGE_BYTES = 262_144;

/** The event body as published and delivered: the five contract fields, and `schemaVersion` when set. */
function eventBody(event: HeraldEvent): HeraldEvent {
  return {
    id: event.id,
    type: event.type,
    tenantId: event.tenantId,
    createdAt: event.createdAt,
    ...(event.schemaVersion !== undefined ? { schemaVersion: event.schemaVersion } : {}),
    data: event.data,
  };
}

/** `data` as JSON text: the producer's own when it came through the API. */
function dataText(event: Pick<HeraldEvent, 'data' | 'dataJson'>): string {
  return event.dataJson ?? JSON.stringify(event.data);
}

/**
 * `{ "id", "type", "tenantId", "createdAt", "data" }` (the fields of `eventBody`, in its order) with
 * `data` spliced in as text — the SNS message and the webhook body.
 */
function eventJson(event: HeraldEvent): string {
  const { data: _data, ...head } = eventBody(event);
  const fields = JSON.stringify(head);
  return `${fields.slice(0, -1)}${fields.length > 2 ? ',' : ''}"data":${dataText(event)}}`;
}

/** The body POSTed to an endpoint: the event exactly as published. */
function webhookBody(event: HeraldEvent): string {
  return eventJson(event);
}

/** String message attributes, as SNS counts them: name + data type + value, in UTF-8 bytes. */
function attributeBytes(attributes: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const [name, value] of Object.entries(attributes)) {
    total += Buffer.byteLength(name) + Buffer.byteLength('String') + Buffer.byteLength(value);
  }
  return total;
}

/** What SNS counts against SNS_MAX_MESSAGE_BYTES for this message. */
function envelopeBytes(body: string, attributes: Readonly<Record<string, string>>): number {
  return Buffer.byteLength(body) + attributeBytes(attributes);
}

export { dataText, envelopeBytes, eventJson, SNS_MAX_MESSAGE_BYTES, webhookBody };
