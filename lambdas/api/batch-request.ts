/**
 * The body of POST /v1/events/batch (docs/api.md "Batch publish"): `{ "events": [ ... ] }` with 1 to
 * MAX_BATCH_EVENTS items, each `{ type, tenantId, data, idempotencyKey? }`. What is wrong with the body
 * as a whole (not JSON, not such a list, too many items, too large) is the whole request's 4xx; what is
 * wrong with one item is that item's problem only, checked exactly as POST /v1/events checks one event
 * (validateEventInput, the Idempotency-Key rules, the 256 KiB body limit), so an item that fails never
 * affects another.
 */
import { HeraldError, InvalidRequestError, PayloadTooLargeError } from '../shared/errors.js';
import {
  type EventInput,
  MAX_EVENT_BYTES,
  validateEventInput,
  validateIdempotencyKey,
} from '../shared/validation.js';

/** Items per request: SNS takes 10 per PublishBatch call, so 100 is ten calls. */
const MAX_BATCH_EVENTS = 100;
/**
 * The whole request body. Lambda takes at most 6 MB per synchronous invocation, and API Gateway may
 * hand the body over base64-encoded (4/3 larger), so 4 MiB is the most that always arrives.
 */
const MAX_BATCH_BODY_BYTES = 4 * 1024 * 1024;
/**
 * Nesting the whole body may have before it is parsed at all: far deeper than an item may be (an item
 * deeper than 32 levels is that item's 400), shallow enough that parsing is safe.
 */
const MAX_BATCH_BODY_DEPTH = 256;

const ITEM_FIELDS: readonly string[] = ['type', 'tenantId', 'data', 'idempotencyKey'];

/** One item as checked: its event input and key, or the problem a single publish would have had. */
type BatchItem =
  | { readonly ok: true; readonly input: EventInput; readonly idempotencyKey?: string }
  | { readonly ok: false; readonly error: HeraldError };

/**
 * The texts of the elements of the JSON array `text` (well-formed: JSON.parse accepted it), each as
 * written, so `data` keeps its numbers digit for digit (raw-json.ts).
 */
function elementTexts(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
      continue;
    }
    if (char === 0x22) inString = true;
    if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      depth++;
      if (depth === 1) {
        start = i + 1;
        continue;
      }
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      depth--;
    }
    if (depth === 0 || (depth === 1 && char === 0x2c) /* , */) {
      const element = text.slice(start, i).trim();
      if (element !== '') out.push(element);
      start = i + 1;
      if (depth === 0) break;
    }
  }
  return out;
}

const invalidBody = (message: string): InvalidRequestError =>
  new InvalidRequestError(message, { detail: { field: 'events' } });

/** `{ "events": [...] }` with 1 to MAX_BATCH_EVENTS items: their values and texts. 400 otherwise. */
function batchElements(
  value: unknown,
  eventsText: string | undefined,
): { readonly value: unknown; readonly text: string }[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidBody(
      'The body must be a JSON object: { "events": [ { "type", "tenantId", "data" }, ... ] }',
    );
  }
  for (const field of Object.keys(value)) {
    if (field !== 'events') throw new InvalidRequestError(`Unknown field "${field}"`, { detail: { field } });
  }
  const events = (value as { events?: unknown }).events;
  if (!Array.isArray(events) || eventsText === undefined) {
    throw invalidBody('"events" is required and must be an array of events');
  }
  if (events.length === 0 || events.length > MAX_BATCH_EVENTS) {
    throw new InvalidRequestError(
      `"events" must hold 1 to ${MAX_BATCH_EVENTS} events; it holds ${events.length}`,
      { detail: { field: 'events', limit: MAX_BATCH_EVENTS } },
    );
  }
  const texts = elementTexts(eventsText);
  if (texts.length !== events.length) throw new Error('batch element texts do not match the parsed array');
  return events.map((item, index) => ({ value: item, text: texts[index]! }));
}

/** One item, checked as POST /v1/events checks its body and Idempotency-Key header. */
function checkItem(value: unknown, text: string): BatchItem {
  try {
    if (Buffer.byteLength(text) > MAX_EVENT_BYTES) {
      throw new PayloadTooLargeError(`The event is larger than ${MAX_EVENT_BYTES} bytes`, {
        detail: { limit: MAX_EVENT_BYTES },
      });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InvalidRequestError('Each event must be a JSON object');
    }
    for (const field of Object.keys(value)) {
      if (!ITEM_FIELDS.includes(field)) {
        throw new InvalidRequestError(`Unknown field "${field}"`, { detail: { field } });
      }
    }
    const { idempotencyKey: rawKey, ...event } = value as Record<string, unknown>;
    const input = validateEventInput(event, text);
    if (rawKey === undefined) return { ok: true, input };
    const idempotencyKey = typeof rawKey === 'string' ? validateIdempotencyKey(rawKey) : undefined;
    if (idempotencyKey === undefined) {
      throw new InvalidRequestError('"idempotencyKey" must be a string', {
        detail: { field: 'idempotencyKey' },
      });
    }
    return { ok: true, input, idempotencyKey };
  } catch (error) {
    if (error instanceof InvalidRequestError && error.detail?.field === 'Idempotency-Key') {
      return {
        ok: false,
        error: new InvalidRequestError(error.message.replace('Idempotency-Key', '"idempotencyKey"'), {
          detail: { field: 'idempotencyKey' },
        }),
      };
    }
    if (error instanceof HeraldError) return { ok: false, error };
    throw error;
  }
}

export type { BatchItem };
export {
  batchElements,
  checkItem,
  elementTexts,
  MAX_BATCH_BODY_BYTES,
  MAX_BATCH_BODY_DEPTH,
  MAX_BATCH_EVENTS,
};
