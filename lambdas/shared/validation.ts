/**
 * Input validation for the HTTP API: reading a JSON body safely (media type, size, UTF-8, syntax,
 * nesting) and validating a published event. Every rejection is a HeraldError whose `detail` names the
 * offending field, so clients can fix the request without guessing.
 */
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from './errors.js';
import { scanJson } from './json-members.js';
import { memberText, minify } from './raw-json.js';

/** 256 KiB for the request body; the event as published must fit SNS too (lambdas/api/publish-size.ts). */
const MAX_EVENT_BYTES = 262_144;
const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
const MAX_EVENT_TYPE_LENGTH = 128;
const MAX_TENANT_ID_LENGTH = 64;
/** docs/api.md: a tenant id is a key component and a URL segment, so no `#`, `/`, spaces or non-ASCII. */
const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const MAX_JSON_DEPTH = 32;
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

const EVENT_FIELDS: readonly string[] = ['type', 'tenantId', 'data'];

interface BodyEvent {
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Record<string, string | undefined>;
}

interface EventInput {
  readonly type: string;
  readonly tenantId: string;
  /** Parsed: for checks (schema validation, jobs), never to re-serialise — big numbers are rounded. */
  readonly data: Record<string, unknown>;
  /** `data` as the producer wrote it, minus whitespace between tokens: what is stored and delivered. */
  readonly dataJson: string;
}

function headerValue(
  headers: Record<string, string | undefined> | undefined,
  name: string,
): string | undefined {
  if (headers === undefined) return undefined;
  // API Gateway v2 lower-cases header names, but other callers (tests, the local runtime) may not.
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** `application/json`, optionally with parameters such as `; charset=utf-8`. */
function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function bodyBytes(event: BodyEvent): Buffer {
  const body = event.body ?? '';
  return event.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/**
 * Nesting depth of raw JSON text, stopping as soon as it passes `limit`. Scanning the text (instead of
 * walking the parsed value) keeps a hostile `[[[[...` body from costing deep recursion anywhere.
 */
function textDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      depth++;
      if (depth > limit) return true;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}

/** Limits of one body: the batch route takes a larger body, each of whose events has the usual ones. */
interface BodyLimits {
  /** @default MAX_EVENT_BYTES */
  readonly maxBytes?: number;
  /** @default MAX_JSON_DEPTH */
  readonly maxDepth?: number;
}

/**
 * The request body as JSON text and parsed. 415 unless the content type is application/json; 413 over
 * `maxBytes`; 400 when empty, not valid UTF-8, not JSON, or nested deeper than `maxDepth`.
 */
function readJsonText(
  event: BodyEvent,
  limits: BodyLimits = {},
): { readonly text: string; readonly value: unknown } {
  const maxBytes = limits.maxBytes ?? MAX_EVENT_BYTES;
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  if (!isJsonMediaType(headerValue(event.headers, 'content-type'))) {
    throw new UnsupportedMediaTypeError('The request body must be sent as Content-Type: application/json');
  }
  const bytes = bodyBytes(event);
  if (bytes.length > maxBytes) {
    throw new PayloadTooLargeError(`The request body is larger than ${maxBytes} bytes`, {
      detail: { limit: maxBytes },
    });
  }
  if (bytes.length === 0) throw new InvalidRequestError('The request body is empty');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new InvalidRequestError('The request body is not valid UTF-8');
  }
  if (textDepthExceeds(text, maxDepth)) {
    throw new InvalidRequestError(`JSON is nested deeper than ${maxDepth} levels`, {
      detail: { limit: maxDepth },
    });
  }
  try {
    return { text, value: JSON.parse(text) as unknown };
  } catch {
    throw new InvalidRequestError('The request body is not valid JSON');
  }
}

/** The request body parsed as JSON (see readJsonText for the rejections). */
function readJsonBody(event: BodyEvent): unknown {
  return readJsonText(event).value;
}

/**
 * Nesting depth of a parsed value: a scalar is 0, `{}` and `[]` are 1, `{"a":[1]}` is 2. Iterative, so
 * no input can overflow the stack.
 */
function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== 'object') continue;
    const depth = item.depth + 1;
    if (depth > max) max = depth;
    for (const child of Object.values(item.value)) stack.push({ value: child, depth });
  }
  return max;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function invalidField(field: string, message: string): InvalidRequestError {
  return new InvalidRequestError(message, { detail: { field } });
}

/** A tenant id wherever one is taken (body or query): 400 naming `field` unless it matches TENANT_ID_PATTERN. */
function validateTenantId(value: unknown, field = 'tenantId'): string {
  if (typeof value !== 'string' || !TENANT_ID_PATTERN.test(value)) {
    throw invalidField(
      field,
      `"${field}" is required and must match ${TENANT_ID_PATTERN.source} (at most ${MAX_TENANT_ID_LENGTH} characters)`,
    );
  }
  return value;
}

/** Types Herald publishes itself (operational events); clients may not. */
const RESERVED_TYPE_PREFIX = 'herald.';

/**
 * A published event's body `{ type, tenantId, data }`; anything else is a 400 naming the field. `text`
 * is the body as received, from which `data` is kept verbatim (JSON.stringify of the parsed value
 * would round numbers past double precision).
 */
function validateEventInput(body: unknown, text: string = JSON.stringify(body)): EventInput {
  if (!isPlainObject(body)) throw new InvalidRequestError('The body must be a JSON object');
  for (const field of Object.keys(body)) {
    if (!EVENT_FIELDS.includes(field)) throw invalidField(field, `Unknown field "${field}"`);
  }
  const { type, tenantId, data } = body;
  if (typeof type !== 'string') throw invalidField('type', '"type" is required and must be a string');
  if (type.length > MAX_EVENT_TYPE_LENGTH || !EVENT_TYPE_PATTERN.test(type)) {
    throw invalidField(
      'type',
      `"type" must match ${EVENT_TYPE_PATTERN.source} and be at most ${MAX_EVENT_TYPE_LENGTH} characters`,
    );
  }
  if (type.startsWith(RESERVED_TYPE_PREFIX)) {
    throw invalidField(
      'type',
      `Types starting "${RESERVED_TYPE_PREFIX}" are reserved for Herald's operational events`,
    );
  }
  const validTenantId = validateTenantId(tenantId);
  if (!isPlainObject(data)) throw invalidField('data', '"data" is required and must be a JSON object');
  if (jsonDepth(body) > MAX_JSON_DEPTH) {
    throw invalidField('data', `JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const dataJson = memberText(text, 'data');
  if (dataJson === undefined) throw new Error('validated body without a data member in its text');
  // JSON.parse keeps the last of two equal names; a receiver's parser may keep the first.
  const duplicate = scanJson(dataJson).duplicate;
  if (duplicate !== undefined) {
    const pointer = `/data${duplicate}`;
    throw new InvalidRequestError(
      `"data" gives the member ${pointer} twice; give each name once per object`,
      {
        detail: { field: 'data', pointer, errors: [{ pointer, message: 'is a duplicate member name' }] },
      },
    );
  }
  return { type, tenantId: validTenantId, data, dataJson: minify(dataJson) };
}

/**
 * The Idempotency-Key header: absent → undefined; otherwise 1–255 printable ASCII characters (it is a
 * header value and part of a DynamoDB key, so control and non-ASCII characters are refused).
 */
function validateIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(value)) {
    throw new InvalidRequestError(
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
      { detail: { field: 'Idempotency-Key' } },
    );
  }
  return value;
}

export type { BodyEvent, EventInput };
export {
  EVENT_TYPE_PATTERN,
  jsonDepth,
  MAX_EVENT_BYTES,
  MAX_EVENT_TYPE_LENGTH,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_TENANT_ID_LENGTH,
  readJsonBody,
  readJsonText,
  validateEventInput,
  validateIdempotencyKey,
  validateTenantId,
};
