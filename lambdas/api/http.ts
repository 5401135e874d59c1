/**
 * Request helpers shared by the routes: optional JSON bodies, strict field readers (unknown fields are
 * a 400 naming the field), list limits and opaque cursors (base64url of DynamoDB's LastEvaluatedKey).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { InvalidRequestError } from '../shared/errors.js';
import type { StoreKey } from '../shared/store/table.js';
import { readJsonBody } from '../shared/validation.js';

type JsonObject = Record<string, unknown>;

/** The body as an object; an absent or empty body is `{}` (for routes whose body is optional). */
function optionalJsonObject(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>,
): JsonObject {
  if (event.body === undefined || event.body === '') return {};
  return requireJsonObject(event);
}

function requireJsonObject(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>,
): JsonObject {
  const body = readJsonBody(event);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError('The body must be a JSON object');
  }
  return body as JsonObject;
}

function rejectUnknownFields(body: JsonObject, allowed: readonly string[]): void {
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) {
      throw new InvalidRequestError(`Unknown field "${field}"`, { detail: { field } });
    }
  }
}

function optionalString(body: JsonObject, field: string, maxLength: number): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new InvalidRequestError(
      `"${field}" must be a non-empty string of at most ${maxLength} characters`,
      {
        detail: { field },
      },
    );
  }
  return value;
}

function requiredString(body: JsonObject, field: string, maxLength: number): string {
  const value = optionalString(body, field, maxLength);
  if (value === undefined) {
    throw new InvalidRequestError(`"${field}" is required`, { detail: { field } });
  }
  return value;
}

/** An ISO-8601 instant, normalised to UTC milliseconds so it compares as a sort key. */
function optionalInstant(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidRequestError(`"${field}" must be an ISO-8601 date-time`, { detail: { field } });
  }
  return new Date(ms).toISOString();
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

function parseLimit(raw: string | undefined, fallback = DEFAULT_LIMIT, max = MAX_LIMIT): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidRequestError(`"limit" must be an integer from 1 to ${max}`, {
      detail: { field: 'limit' },
    });
  }
  return value;
}

function encodeCursor(key: StoreKey | undefined): string | undefined {
  return key === undefined ? undefined : Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key attributes a cursor may name (docs/internals.md "Main table"); DynamoDB caps a key at 1024 bytes. */
const CURSOR_ATTRIBUTES: ReadonlySet<string> = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk']);
const MAX_CURSOR_VALUE_BYTES = 1024;

function isStoreKey(value: unknown): value is StoreKey {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length > 0 &&
    entries.every(
      ([name, v]) =>
        CURSOR_ATTRIBUTES.has(name) &&
        typeof v === 'string' &&
        v !== '' &&
        Buffer.byteLength(v) <= MAX_CURSOR_VALUE_BYTES,
    )
  );
}

/**
 * Decodes a cursor from a previous page; anything else is a 400. What passes this shape check may
 * still be refused by DynamoDB (another partition, a missing key attribute): the stores turn that
 * into the same 400 (`startingAt` in store/table.ts), never a 500.
 */
function decodeCursor(raw: string | undefined): StoreKey | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (isStoreKey(parsed)) return parsed;
  } catch {
    // fall through to the 400 below
  }
  throw new InvalidRequestError('"cursor" is not a cursor this API returned', {
    detail: { field: 'cursor' },
  });
}

/** `{ items, nextCursor }`, the shape of every list. */
function listBody<T>(
  items: T[],
  lastEvaluatedKey: StoreKey | undefined,
): { items: T[]; nextCursor?: string } {
  const nextCursor = encodeCursor(lastEvaluatedKey);
  return nextCursor === undefined ? { items } : { items, nextCursor };
}

export type { JsonObject };
export {
  decodeCursor,
  encodeCursor,
  listBody,
  optionalInstant,
  optionalJsonObject,
  optionalString,
  parseLimit,
  rejectUnknownFields,
  requiredString,
  requireJsonObject,
};
