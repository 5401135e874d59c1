/**
 * The messages of the dispatch queue, defined once (docs/internals.md "Messages"): the event JSON as
 * published, or a `herald.redeliver` request (a replay, a test, a redrive from the webhook DLQ, whose
 * messages are redeliver requests with the failure's facts added). Parsing a dispatch-queue body: A malformed body is a non-retryable InvalidRequestError; dispatch still
 * fails the record with it, so the poison message ends in the dispatch DLQ instead of vanishing.
 */

import type { HeraldEvent } from '../shared/model.js';
import { InvalidRequestError } from './errors.js';

const REDELIVER_KIND = 'herald.redeliver';

interface RedeliverMessage {
  readonly kind: typeof REDELIVER_KIND;
  readonly eventId: string;
  /** Absent: every endpoint the event is for. */
  readonly endpointId?: string;
  /** `replay`, `redrive` (from the webhook DLQ) or `test`; only logged. */
  readonly reason: string;
  /**
   * Deliver through the endpoint's backlog (adrs/0011): parked behind its recovery and drained gently,
   * not attempted at once — a bulk replay of everything an endpoint missed while it was disabled or down.
   */
  readonly throughBacklog?: true;
}

/** A webhook DLQ message: a redeliver request for one endpoint, so a redrive delivers again. */
interface WebhookDlqMessage extends RedeliverMessage {
  readonly endpointId: string;
  readonly reason: 'redrive';
  readonly failedAt: string;
  readonly attempts: number;
  readonly lastError: string;
}

function replayOf(eventId: string, endpointId: string, throughBacklog = false): RedeliverMessage {
  return {
    kind: REDELIVER_KIND,
    eventId,
    endpointId,
    reason: 'replay',
    ...(throughBacklog ? { throughBacklog } : {}),
  };
}

type DispatchMessage =
  | { readonly kind: 'event'; readonly event: HeraldEvent }
  | { readonly kind: 'redeliver'; readonly request: RedeliverMessage };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** The event fields every Herald consumer relies on; throws InvalidRequestError naming the bad field. */
function parseEvent(value: unknown): HeraldEvent {
  if (!isRecord(value)) throw new InvalidRequestError('event body is not a JSON object');
  for (const field of ['id', 'type', 'tenantId', 'createdAt'] as const) {
    if (!nonEmptyString(value[field])) {
      throw new InvalidRequestError(`event field "${field}" is missing or not a string`, {
        detail: { field },
      });
    }
  }
  if (!isRecord(value.data)) {
    throw new InvalidRequestError('event field "data" is not an object', { detail: { field: 'data' } });
  }
  return {
    id: value.id as string,
    type: value.type as string,
    tenantId: value.tenantId as string,
    createdAt: value.createdAt as string,
    ...(Number.isInteger(value.schemaVersion) ? { schemaVersion: value.schemaVersion as number } : {}),
    data: value.data,
  };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (cause) {
    throw new InvalidRequestError('message body is not JSON', { cause });
  }
}

function parseDispatchMessage(body: string): DispatchMessage {
  const value = parseJson(body);
  if (isRecord(value) && value.kind === REDELIVER_KIND) {
    if (!nonEmptyString(value.eventId)) throw new InvalidRequestError('redeliver request without eventId');
    if (value.endpointId !== undefined && !nonEmptyString(value.endpointId)) {
      throw new InvalidRequestError('redeliver request with a malformed endpointId');
    }
    return {
      kind: 'redeliver',
      request: {
        kind: REDELIVER_KIND,
        eventId: value.eventId,
        ...(value.endpointId !== undefined ? { endpointId: value.endpointId as string } : {}),
        reason: typeof value.reason === 'string' ? value.reason : 'replay',
        ...(value.throughBacklog === true ? { throughBacklog: true as const } : {}),
      },
    };
  }
  return { kind: 'event', event: parseEvent(value) };
}

export type { DispatchMessage, RedeliverMessage, WebhookDlqMessage };
export { parseDispatchMessage, parseEvent, parseJson, REDELIVER_KIND, replayOf };
